// The runs table (issue 16): one row per run and per archived version, with the run's facts, its config
// flattened to dotted keys and, per summary metric, the last value and the lowest and highest point of
// the visible history. Min and max come from the summaries kept for sealed chunks (point_summaries, one
// small blob per 64 × 1,024 points) and the last chunk's own min/max; only a chunk a lineage cut crosses
// (or one holding ±Infinity) has its points read. Rows are kept per version until their run changes, and
// a table of many uncached rows reads each table it needs in one pass instead of a query per row.
import type { CellValue, MetricStats, RunsTable, RunsTableQuery, RunsTableRow, SeriesSegment as Segment, SummaryValue } from './api';
import { Entry, SUMMARY_BLOCK, Summary, float64Of, stepsOf } from './chunks';
import { compareKeys } from '../shared/keys';
import { type RunQueries, statValue, toSummaryValue } from './queries';
import { CHUNK_SIZE } from './schema';
import type { Row } from './sqlite';
import type { RunRow, RunStore, VersionRow } from './store';
import { define, forEachLeaf } from './values';

type Run = Readonly<RunRow>;
type Version = Readonly<VersionRow>;

/** What a stored piece of one key's points says about its extremes, and which steps it covers. */
interface Extent {
  readonly key: number;
  readonly chunk: number;
  readonly first: number;
  readonly last: number;
  /** Lowest and highest finite point; lo > hi when it has none. */
  readonly lo: number;
  readonly hi: number;
  /** False when lo/hi cannot be used (a chunk holding ±Infinity): its points are read. */
  readonly exact: boolean;
}

/** Rows computed one version at a time below this many; above it, whole tables are read in one pass each. */
const BULK_THRESHOLD = 64;

export class RunsTableQueries {
  /**
   * Rows already computed, by immutable version id (each without its child rows). A version's row only
   * changes when its run does (new rows, state, a rename, a rewind): the engine drops a run's rows after
   * every ingest that changed it (`invalidate`), so a table open or a live update computes only those.
   */
  private readonly cache = new Map<string, RunsTableRow>();

  constructor(
    private readonly store: RunStore,
    private readonly queries: RunQueries,
  ) {}

  /** Forgets the rows of these runs, and of the runs forked from them (their rows name the source). */
  invalidate(runIds: Iterable<string>): void {
    const ids = new Set(runIds);
    if (ids.size === 0) return;
    for (const [version, row] of this.cache) {
      if (ids.has(row.id) || (row.forkedFrom !== null && ids.has(row.forkedFrom.run))) this.cache.delete(version);
    }
  }

  clear(): void {
    this.cache.clear();
  }

  /** Every run (not deleted) in creation order, with its archived versions as child rows. */
  table(query: RunsTableQuery = {}): RunsTable {
    const only = query.runs ? new Set(query.runs) : undefined;
    const runs = [...this.store.runs.values()]
      .filter((r) => !r.deleted && (query.project === undefined || r.project === query.project) && (!only || only.has(r.id)))
      .sort((a, b) => a.seq - b.seq);
    const missing: Version[] = [];
    for (const run of runs) {
      for (const v of this.store.versionsOfRun(run.id) ?? []) if (!this.cache.has(v.id)) missing.push(v);
    }
    if (missing.length > 0) this.fill(missing);
    const configKeys = new Set<string>();
    const summaryKeys = new Set<string>();
    const rows: RunsTableRow[] = [];
    for (const run of runs) {
      const live = this.store.versions.get(run.liveVersion);
      if (!live) continue;
      const archived = this.queries.versionsOf(run.id).filter((v) => v.id !== live.id).map((v) => this.cached(v));
      const row: RunsTableRow = { ...this.cached(live), versions: archived };
      for (const r of [row, ...archived]) {
        for (const key of Object.keys(r.config)) configKeys.add(key);
        for (const key of Object.keys(r.summary)) summaryKeys.add(key);
      }
      rows.push(row);
    }
    return { rows, configKeys: [...configKeys].sort(compareKeys), summaryKeys: [...summaryKeys].sort(compareKeys), total: rows.length };
  }

  /** One version's row (a deleted run's too, which no table lists), without child rows. */
  rowOf(versionId: string): RunsTableRow {
    const version = this.store.requireVersion(versionId);
    if (!this.cache.has(version.id)) this.fill([version]);
    return this.cached(version);
  }

  /** The same table computed row by row with nothing cached: what the table cost before (bench baseline). */
  rowByRowTable(query: RunsTableQuery = {}): RunsTable {
    const fresh = new RunsTableQueries(this.store, this.queries);
    fresh.bulkThreshold = Number.POSITIVE_INFINITY;
    return fresh.table(query);
  }

  private bulkThreshold = BULK_THRESHOLD;

  /** A cached row, with its state read again: a writer that died turns a run crashed without any new data. */
  private cached(version: Version): RunsTableRow {
    const row = this.cache.get(version.id)!;
    const state = this.store.stateOf(version);
    if (row.state === state) return row;
    const fresh = { ...row, state };
    this.cache.set(version.id, fresh);
    return fresh;
  }

  /** Computes and caches the rows of these versions. */
  private fill(versions: readonly Version[]): void {
    const bulk = versions.length >= this.bulkThreshold;
    // What each version's history is made of: its lineage segments, and the versions storing them.
    const segments = new Map<string, Segment[]>();
    const stored = new Set<string>();
    for (const v of versions) {
      const segs = this.queries.segments(v.id);
      segments.set(v.id, segs);
      for (const s of segs) stored.add(s.version);
    }
    const extents = this.extents(bulk ? undefined : stored);
    const lastValues = bulk ? this.lastValues() : undefined;
    for (const v of versions) {
      const run = this.store.runs.get(v.runId);
      if (!run) continue;
      const segs = segments.get(v.id)!;
      // One segment (a run never rewound or forked): its last values are its own version_keys rows.
      const last = lastValues && segs.length === 1 ? this.withExplicit(v, lastValues.get(v.id) ?? []) : this.queries.summary(v.id);
      this.cache.set(v.id, this.row(run, v, last, this.extremesOf(segs, extents)));
    }
  }

  private row(run: Run, version: Version, last: Record<string, SummaryValue>, extremes: Map<number, [number, number]>): RunsTableRow {
    const live = !version.archived;
    const end = version.endedAt ?? version.lastSeen ?? version.updatedAt;
    return {
      id: run.id,
      version: version.id,
      archived: version.archived,
      name: run.name,
      state: this.store.stateOf(version),
      project: run.project,
      group: run.group ?? null,
      tags: run.tags,
      notes: run.notes,
      createdAt: live ? run.createdAt : version.createdAt,
      duration: Math.max(0, end - version.createdAt),
      lastStep: version.lastStep,
      forkedFrom: live ? this.queries.forkedFrom(run) : null,
      parent: version.parent,
      branchStep: version.branchStep,
      config: flatConfig(version.config),
      summary: this.stats(last, extremes),
      versions: [],
    };
  }

  /** Last values with the min and max of each numeric key (a boolean has none). */
  private stats(last: Record<string, SummaryValue>, extremes: Map<number, [number, number]>): Record<string, MetricStats> {
    const out: Record<string, MetricStats> = {};
    for (const key of Object.keys(last)) {
      const value = last[key];
      const keyId = this.store.lookupKey(key);
      const found = typeof value === 'boolean' || keyId === undefined ? undefined : extremes.get(keyId);
      put(out, key, { last: value, min: found ? found[0] : null, max: found ? found[1] : null } satisfies MetricStats);
    }
    return out;
  }

  /** Every version's own last value per key, from one pass over version_keys. */
  private lastValues(): Map<string, Row[]> {
    const out = new Map<string, Row[]>();
    this.store.db.each('SELECT key, last_step, last_kind, last_num, last_text, last_nan, version FROM version_keys', [], (r) => {
      const version = r[6] as string;
      const list = out.get(version);
      if (list) list.push(r);
      else out.set(version, [r]);
    });
    return out;
  }

  /** A one-segment version's summary from its version_keys rows, as RunQueries.summary makes it. */
  private withExplicit(version: Version, rows: readonly Row[]): Record<string, SummaryValue> {
    // In the order stored: the table's summary keys are sorted once for all rows, not per row.
    const out: Record<string, SummaryValue> = {};
    for (const r of rows) put(out, this.store.keyName(r[0] as number), statValue(r));
    for (const key of Object.keys(version.summary)) {
      const value = version.summary[key];
      if (value === null) delete out[key];
      else put(out, key, toSummaryValue(value));
    }
    return out;
  }

  /**
   * What the stored chunks of these versions (all when undefined) say about their extremes: a sealed
   * chunk's summary (point_summaries), else the last chunk's own min and max (point_chunks vmin/vmax,
   * stored before its 8 KB of values only for the last, small chunk, so this never reads a sealed chunk).
   */
  private extents(versions: ReadonlySet<string> | undefined): Map<string, Extent[]> {
    const out = new Map<string, Extent[]>();
    const add = (version: string, e: Extent): void => {
      const list = out.get(version);
      if (list) list.push(e);
      else out.set(version, [e]);
    };
    const db = this.store.db;
    const summaries = (r: Row): void => {
      const version = r[0] as string;
      const key = r[1] as number;
      const base = (r[2] as number) * SUMMARY_BLOCK;
      const data = float64Of(r[3] as Uint8Array);
      for (let i = 0; i + 1 <= data.length / Entry.Length; i++) {
        const o = i * Entry.Length;
        if (data[o + Entry.N] === 0) continue;
        const m = o + Entry.Summary;
        // The first finite step is NaN when no point of the chunk is finite.
        const any = data[m + Summary.FirstStep] === data[m + Summary.FirstStep];
        add(version, { key, chunk: base + i, first: data[o + Entry.First], last: data[o + Entry.Last], lo: any ? data[m + Summary.MinVal] : 1, hi: any ? data[m + Summary.MaxVal] : 0, exact: true });
      }
    };
    const tails = (r: Row): void => {
      const lo = r[5] as number | null;
      const hi = r[6] as number | null;
      const none = lo === null || hi === null;
      const exact = none || (Number.isFinite(lo) && Number.isFinite(hi));
      add(r[0] as string, { key: r[1] as number, chunk: r[2] as number, first: r[3] as number, last: r[4] as number, lo: none ? 1 : lo, hi: none ? 0 : hi, exact });
    };
    const SUMMARIES = 'SELECT version, key, block, data FROM point_summaries';
    const TAILS = 'SELECT version, key, chunk, first_step, last_step, vmin, vmax FROM point_chunks';
    if (versions === undefined) {
      db.each(SUMMARIES, [], summaries);
      db.each(`${TAILS} WHERE n < ?`, [CHUNK_SIZE], tails);
    } else {
      for (const version of versions) {
        db.each(`${SUMMARIES} WHERE version=?`, [version], summaries);
        db.each(`${TAILS} WHERE version=? AND n < ?`, [version, CHUNK_SIZE], tails);
      }
    }
    return out;
  }

  /**
   * Lowest and highest finite point per key of a version's visible history: a stored piece inside a
   * lineage segment counts by its extent; one a segment cuts (or holding ±Infinity) is read point by point.
   */
  private extremesOf(segments: readonly Segment[], extents: ReadonlyMap<string, Extent[]>): Map<number, [number, number]> {
    const out = new Map<number, [number, number]>();
    const note = (key: number, lo: number, hi: number): void => {
      const seen = out.get(key);
      if (!seen) out.set(key, [lo, hi]);
      else {
        if (lo < seen[0]) seen[0] = lo;
        if (hi > seen[1]) seen[1] = hi;
      }
    };
    const db = this.store.db;
    for (const seg of segments) {
      for (const e of extents.get(seg.version) ?? []) {
        if (e.first > seg.to || e.last < seg.from) continue;
        if (e.exact && e.first >= seg.from && e.last <= seg.to) {
          if (e.lo <= e.hi) note(e.key, e.lo, e.hi);
          continue;
        }
        const p = db.get('SELECT first_step, n, steps, vals FROM point_chunks WHERE version=? AND key=? AND chunk=?', [seg.version, e.key, e.chunk]);
        if (!p) continue;
        const steps = stepsOf(p[2] as Uint8Array | null, p[0] as number, p[1] as number);
        const values = float64Of(p[3] as Uint8Array);
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        for (let i = 0; i < steps.length; i++) {
          const v = values[i];
          if (steps[i] < seg.from || steps[i] > seg.to || v - v !== 0) continue;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        if (lo <= hi) note(e.key, lo, hi);
      }
    }
    return out;
  }
}

/** Config flattened to dotted keys (as W&B's table shows nested config); arrays and other values as JSON text. */
export function flatConfig(config: Record<string, unknown>): Record<string, CellValue> {
  const out: Record<string, CellValue> = {};
  forEachLeaf(config, (key, value) => put(out, key, cellOf(value)));
  return out;
}

/**
 * Sets a key as plain data. An assignment is that for every name but "__proto__" (an accessor of
 * Object.prototype), and many times faster than defineProperty, which turns an object into a dictionary:
 * a table of 10,000 rows spent most of its time there.
 */
function put<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') define(target, key, value);
  else target[key] = value;
}

function cellOf(value: unknown): CellValue {
  if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value === undefined) return null;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

