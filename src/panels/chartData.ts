// What the chart panel asks the store for: downsampled lines (as compact typed arrays for postMessage),
// each version's system samples, the union of metric keys, live appends from the history, the media
// cards' entries (files as paths built only from sha256 and format), and the CSV of a chart at full resolution.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MediaEntry, MediaFileItem, MediaKeyInfo, MetricKey, RunOverview, Series, StoreApi, SystemMetrics } from '../core/api';
import { writeCsv } from '../shared/csv';
import { compareKeys } from '../shared/keys';
import type { HistogramDistribution, LineAppend, LineData, LineRequest, MediaChartHint, MediaEntryView, MediaItemView, MediaRow, MediaStripItem, MediaTableView, StepRange } from '../shared/protocol';

/** A typed array that owns exactly its bytes, so postMessage does not ship a larger backing buffer. */
function compact(a: Float64Array): Float64Array {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}

function toLineData(series: Series, range: StepRange | undefined): LineData {
  return {
    version: series.version,
    steps: compact(series.steps),
    values: compact(series.values),
    ...(series.times ? { times: compact(series.times) } : {}),
    total: series.total,
    exact: series.exact,
    segments: series.segments,
    nonFinite: series.nonFinite,
    ...(range ? { range } : {}),
  };
}

/** Each version's own system samples, with arrays that own their bytes (see compact). */
export async function querySystem(store: StoreApi, versions: readonly string[]): Promise<SystemMetrics[]> {
  const all = await Promise.all(versions.map((v) => store.systemMetrics(v)));
  return all.map((m) => ({
    version: m.version,
    samples: m.samples,
    series: m.series.map((s) => ({ key: s.key, times: compact(s.times), values: compact(s.values) })),
  }));
}

export async function queryLines(
  store: StoreApi,
  key: string,
  lines: readonly LineRequest[],
  buckets: number,
  withTimes: boolean,
): Promise<LineData[]> {
  return Promise.all(
    lines.map(async (line) => toLineData(await store.downsample(line.version, key, buckets, line.range, withTimes), line.range)),
  );
}

/** Every version a panel's runs can draw: live and archived versions, and versions opened on their own. */
export function versionsOf(runs: readonly RunOverview[]): Set<string> {
  const out = new Set<string>();
  for (const run of runs) {
    out.add(run.version.id);
    for (const v of run.versions) out.add(v.id);
  }
  return out;
}

/** The union of the metric keys of every version drawn, in the store's natural key order. */
export async function keysOf(store: StoreApi, versions: Iterable<string>): Promise<MetricKey[]> {
  const merged = new Map<string, MetricKey>();
  const lists = await Promise.all([...versions].map((v) => store.metricKeys(v)));
  for (const list of lists) {
    for (const k of list) {
      const seen = merged.get(k.key);
      merged.set(k.key, seen ? { key: k.key, points: Math.max(seen.points, k.points), numeric: seen.numeric || k.numeric } : k);
    }
  }
  return [...merged.values()].sort((a, b) => compareKeys(a.key, b.key));
}

export interface AppendResult {
  readonly items: LineAppend[];
  /** The history grew by more than one read carries: the webview should ask again. */
  readonly overflow: boolean;
  readonly lastStep: number;
}

const APPEND_LIMIT = 5000;

/** The points a live version logged after `afterStep`, per key, read from its history in one call. */
export async function appendsSince(store: StoreApi, version: string, afterStep: number, withTimes: boolean): Promise<AppendResult> {
  const table = await store.history(version, { range: { from: afterStep + 1 }, limit: APPEND_LIMIT });
  const items: LineAppend[] = [];
  const n = table.rows.length;
  table.columns.forEach((key, c) => {
    const steps: number[] = [];
    const values: number[] = [];
    const times: number[] = [];
    for (const row of table.rows) {
      const v = row.cells[c];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      steps.push(row.step);
      values.push(v);
      times.push(row.time);
    }
    if (steps.length === 0) return;
    items.push({
      version,
      key,
      steps: Float64Array.from(steps),
      values: Float64Array.from(values),
      ...(withTimes ? { times: Float64Array.from(times) } : {}),
    });
  });
  return { items, overflow: table.total > n, lastStep: n > 0 ? table.rows[n - 1].step : afterStep };
}

export interface CsvLine {
  readonly label: string;
  readonly series: Series;
}

/** One row per step, one column per line (empty where a line has no value at that step), by the product's CSV writer. */
export function toCsv(lines: readonly CsvLine[]): string {
  const stepSet = new Set<number>();
  for (const l of lines) for (const s of l.series.steps) stepSet.add(s);
  const steps = [...stepSet].sort((a, b) => a - b);
  const columns = lines.map((l) => {
    const m = new Map<number, number>();
    l.series.steps.forEach((s, i) => m.set(s, l.series.values[i]));
    return m;
  });
  return writeCsv(
    ['step', ...lines.map((l) => l.label)],
    steps.map((step) => [step, ...columns.map((m) => m.get(step) ?? null)]),
  );
}

// ---- media ----------------------------------------------------------------------------------------

const SHA256 = /^[0-9a-f]{64}$/;
const FORMAT = /^[a-z0-9]{1,16}$/;
const IMAGE_FORMATS = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp']);
/** Rows of a table a card shows; the card says how many the file has. */
export const TABLE_ROWS = 5000;
const MAX_TABLE_BYTES = 16 * 1024 * 1024;
const MAX_CELL = 500;

/**
 * Where an item's file is: `<logDir>/media/<2 hex>/<sha256>.<format>`, built only from a checked sha256
 * and format (never from a path a record or query carries), so it cannot leave the media folder.
 */
export function mediaPath(logDir: string, item: { readonly sha256?: unknown; readonly format?: unknown }): string | undefined {
  const { sha256, format } = item;
  if (typeof sha256 !== 'string' || !SHA256.test(sha256) || typeof format !== 'string' || !FORMAT.test(format)) return undefined;
  return path.join(logDir, 'media', sha256.slice(0, 2), `${sha256}.${format}`);
}

/** The media keys of every version together (a key's kind and steps from the version with most of them). */
export async function mediaKeysOf(store: StoreApi, versions: readonly string[]): Promise<MediaKeyInfo[]> {
  const merged = new Map<string, MediaKeyInfo>();
  for (const list of await Promise.all(versions.map((v) => store.mediaKeys(v)))) {
    for (const k of list) {
      const seen = merged.get(k.key);
      merged.set(k.key, seen && seen.steps >= k.steps ? seen : k);
    }
  }
  return [...merged.values()].sort((a, b) => compareKeys(a.key, b.key));
}

/** How the chart panel's media cards reach files: a webview URI for a path under the media folder. */
export type ToWebviewUri = (file: string) => string;

/** One row per version: its steps with `key` and its entry at `step` (null: the newest). */
export async function queryMedia(store: StoreApi, logDir: string, toUri: ToWebviewUri, versions: readonly string[], key: string, step: number | null): Promise<MediaRow[]> {
  return Promise.all(
    versions.map(async (version): Promise<MediaRow> => {
      const [steps, entry] = await Promise.all([store.mediaSteps(version, key), store.mediaAt(version, key, step ?? Number.MAX_SAFE_INTEGER)]);
      const row: MediaRow = { version, steps, entry: entry ? await entryView(entry, logDir, toUri) : null };
      if (entry?.kind === 'image' && steps.length > 1) {
        const strip = await stripOf(store, logDir, toUri, version, key, steps, entry.step);
        return strip.length > 1 ? { ...row, strip } : row;
      }
      if (entry?.kind !== 'histogram' || steps.length < 2) return row;
      const distribution = await distributionOf(store, version, key, steps.length);
      return distribution ? { ...row, distribution } : row;
    }),
  );
}

/** Thumbnails an image strip shows: the entry's step and up to four on each side (more on one side at an end). */
export const MEDIA_STRIP_STEPS = 9;

/** The stops of `steps` (ascending) a strip around `step` shows: a window of `size` that holds it. */
export function stripWindow(steps: readonly number[], step: number, size = MEDIA_STRIP_STEPS): { from: number; to: number } {
  let at = steps.indexOf(step);
  if (at < 0) at = steps.length - 1;
  const lo = Math.max(0, Math.min(at - Math.floor((size - 1) / 2), steps.length - size));
  return { from: lo, to: Math.min(steps.length, lo + size) - 1 };
}

async function stripOf(store: StoreApi, logDir: string, toUri: ToWebviewUri, version: string, key: string, steps: readonly number[], step: number): Promise<MediaStripItem[]> {
  const w = stripWindow(steps, step);
  const entries = await store.mediaEntries(version, key, { from: steps[w.from], to: steps[w.to] }, MEDIA_STRIP_STEPS);
  return entries.flatMap((e) => {
    const first = e.items[0];
    const file = first ? mediaPath(logDir, first) : undefined;
    if (e.kind !== 'image' || !first || !file || typeof first.format !== 'string' || !IMAGE_FORMATS.has(first.format)) return [];
    const item: { -readonly [K in keyof MediaStripItem]: MediaStripItem[K] } = { step: e.step, src: toUri(file), count: e.items.length };
    if (typeof first.caption === 'string') item.caption = first.caption;
    if (typeof first.width === 'number') item.width = first.width;
    if (typeof first.height === 'number') item.height = first.height;
    return [item];
  });
}

async function entryView(entry: MediaEntry, logDir: string, toUri: ToWebviewUri): Promise<MediaEntryView> {
  const items = await Promise.all(entry.items.map((item) => itemView(entry.kind, item, logDir, toUri)));
  return { step: entry.step, kind: entry.kind, inherited: entry.inherited, loggedBy: entry.version, items };
}

async function itemView(kind: string, item: MediaFileItem, logDir: string, toUri: ToWebviewUri): Promise<MediaItemView> {
  const file = mediaPath(logDir, item);
  const format = typeof item.format === 'string' ? item.format : undefined;
  const view: { -readonly [K in keyof MediaItemView]: MediaItemView[K] } = { file: false };
  if (typeof item.caption === 'string') view.caption = item.caption;
  if (format) view.format = format;
  if (typeof item.width === 'number') view.width = item.width;
  if (typeof item.height === 'number') view.height = item.height;
  if (kind === 'histogram' && Array.isArray(item.bins) && Array.isArray(item.counts)) {
    view.bins = item.bins;
    view.counts = item.counts;
  } else if (kind === 'image' && file && format && IMAGE_FORMATS.has(format)) {
    view.src = toUri(file);
  } else if (kind === 'table' && file && format === 'json') {
    view.table = await readTable(file);
    const chart = chartHint(item.chart, view.table.columns);
    if (chart) view.chart = chart;
  } else if (file) {
    view.file = true;
  }
  return view;
}

/**
 * A key's distribution does not depend on the step a card is asked at: it is kept per store, version and
 * key until the key has another number of steps (entries are only ever added to a version).
 */
const distributions = new WeakMap<StoreApi, Map<string, { readonly steps: number; readonly grid: HistogramDistribution | undefined }>>();

async function distributionOf(store: StoreApi, version: string, key: string, steps: number): Promise<HistogramDistribution | undefined> {
  let byKey = distributions.get(store);
  if (!byKey) distributions.set(store, (byKey = new Map()));
  const id = `${version}\u0000${key}`;
  const known = byKey.get(id);
  if (known?.steps === steps) return known.grid;
  const grid = histogramDistribution(await store.mediaEntries(version, key, undefined, DISTRIBUTION_ENTRIES));
  byKey.set(id, { steps, grid });
  return grid;
}

/** Most histogram entries of one key a distribution reads, and the columns and rows it is drawn with. */
const DISTRIBUTION_ENTRIES = 10_000;
export const DISTRIBUTION_COLUMNS = 240;
const DISTRIBUTION_BINS = 48;

/**
 * A histogram key's entries (step order) as a distribution grid: the value range of every entry's
 * edges, cut into equal rows; each entry's counts spread over the rows its bins overlap (in proportion
 * to the overlap), each column scaled to its largest cell. More entries than columns are sampled evenly,
 * the last always kept. Undefined when no entry has a histogram.
 */
export function histogramDistribution(entries: readonly MediaEntry[], columns = DISTRIBUTION_COLUMNS, bins = DISTRIBUTION_BINS): HistogramDistribution | undefined {
  const hists = entries.flatMap((e) => {
    const item = e.items[0];
    const edges = item?.bins;
    const counts = item?.counts;
    return Array.isArray(edges) && Array.isArray(counts) && counts.length > 0 && edges.length === counts.length + 1 ? [{ step: e.step, edges, counts }] : [];
  });
  if (hists.length === 0) return undefined;
  const picked = hists.length <= columns ? hists : Array.from({ length: columns }, (_, i) => hists[Math.round((i * (hists.length - 1)) / (columns - 1))]);
  let lo = Infinity;
  let hi = -Infinity;
  for (const h of picked) {
    lo = Math.min(lo, h.edges[0]);
    hi = Math.max(hi, h.edges[h.edges.length - 1]);
  }
  if (!(hi > lo)) hi = lo + 1;
  const width = (hi - lo) / bins;
  const density = new Array<number>(picked.length * bins).fill(0);
  picked.forEach((h, c) => {
    for (let i = 0; i < h.counts.length; i++) {
      const a = h.edges[i];
      const b = h.edges[i + 1];
      const count = h.counts[i];
      if (!(count > 0)) continue;
      if (!(b > a)) {
        const r = Math.min(bins - 1, Math.max(0, Math.floor((a - lo) / width)));
        density[c * bins + r] += count;
        continue;
      }
      const first = Math.max(0, Math.floor((a - lo) / width));
      const last = Math.min(bins - 1, Math.floor((b - lo) / width));
      for (let r = first; r <= last; r++) {
        const overlap = Math.min(b, lo + (r + 1) * width) - Math.max(a, lo + r * width);
        if (overlap > 0) density[c * bins + r] += (count * overlap) / (b - a);
      }
    }
    let max = 0;
    for (let r = 0; r < bins; r++) max = Math.max(max, density[c * bins + r]);
    // Three decimals: finer than the 256 levels of opacity it is drawn with, and a third of the bytes
    // (the grid goes to the webview with every answer of the card: 11,520 numbers at 240 × 48).
    if (max > 0) for (let r = 0; r < bins; r++) density[c * bins + r] = Math.round((1000 * density[c * bins + r]) / max) / 1000;
  });
  return { steps: picked.map((h) => h.step), lo, hi, bins, density };
}

/**
 * A table's chart hint (what wandb.plot.* made) as the card draws it, when its columns are the table's:
 * line, scatter and bar name x and y; histogram names x; a custom spec (plot_table) is drawn as a line
 * of its `x` and `y` fields, else of its first two, split by its `stroke`, `class` or `color` field (what
 * wandb's own specs group by: Ultralytics' precision-recall curves are one line per class).
 */
export function chartHint(hint: unknown, columns: readonly string[]): MediaChartHint | undefined {
  if (typeof hint !== 'object' || hint === null) return undefined;
  const h = hint as Record<string, unknown>;
  const text = (v: unknown): string | undefined => (typeof v === 'string' && columns.includes(v) ? v : undefined);
  const title = typeof h.title === 'string' ? h.title.slice(0, 500) : undefined;
  let type = h.type;
  let x = text(h.x);
  let y = text(h.y);
  let stroke = text(h.stroke);
  if (type === 'custom' && typeof h.fields === 'object' && h.fields !== null) {
    const fields = h.fields as Record<string, unknown>;
    const named = Object.values(fields).filter((v): v is string => text(v) !== undefined);
    x = text(fields.x) ?? named[0];
    y = text(fields.y) ?? named.find((v) => v !== x);
    stroke = [fields.stroke, fields.class, fields.color].map(text).find((v) => v !== undefined && v !== x && v !== y);
    type = 'line';
  }
  if (type === 'histogram') return x ? { type, x, ...(title ? { title } : {}) } : undefined;
  if ((type !== 'line' && type !== 'scatter' && type !== 'bar') || !x || !y) return undefined;
  return { type, x, y, ...(stroke ? { stroke } : {}), ...(title ? { title } : {}) };
}

/** The first rows of a table file (`{"columns": [...], "data": [[...], ...]}`), every cell as text. */
export async function readTable(file: string): Promise<MediaTableView> {
  const fail = (error: string): MediaTableView => ({ columns: [], rows: [], total: 0, error });
  let parsed: unknown;
  try {
    const stat = await fs.promises.stat(file);
    if (stat.size > MAX_TABLE_BYTES) return fail(`the table file is ${stat.size} bytes, more than the ${MAX_TABLE_BYTES} a card reads`);
    parsed = JSON.parse(await fs.promises.readFile(file, 'utf8'));
  } catch (e) {
    return fail(e instanceof SyntaxError ? `the table file is not JSON: ${e.message}` : `the table file could not be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const table = parsed as { columns?: unknown; data?: unknown };
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(table.data)) return fail('the table file has no "data" array');
  const columns = Array.isArray(table.columns) ? table.columns.map((c) => cellText(c)) : [];
  const rows = table.data.slice(0, TABLE_ROWS).map((row) => (Array.isArray(row) ? row.map((c) => cellText(c)) : [cellText(row)]));
  return { columns, rows, total: table.data.length, error: '' };
}

/** A cell as text: numbers and strings as they are, a media cell as its type, anything else as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.length > MAX_CELL ? `${value.slice(0, MAX_CELL)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && !Array.isArray(value) && typeof (value as { _type?: unknown })._type === 'string') {
    return `[${String((value as { _type: string })._type).slice(0, 40)}]`;
  }
  const json = JSON.stringify(value) ?? String(value);
  return json.length > MAX_CELL ? `${json.slice(0, MAX_CELL)}…` : json;
}
