// What the chart panel asks the store for: downsampled lines (as compact typed arrays for postMessage),
// each version's system samples, the union of metric keys, live appends from the history, and the CSV of a chart at full resolution.
import type { MetricKey, RunOverview, Series, StoreApi, SystemMetrics } from '../core/api';
import { writeCsv } from '../shared/csv';
import { compareKeys } from '../shared/keys';
import type { LineAppend, LineData, LineRequest, StepRange } from '../shared/protocol';

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
