// The runs table as src/core/runsTable.ts computed it before its rows were kept as columns (issue 16's
// cold open): row objects, each config flattened into an object and packed afterwards. Kept unchanged as
// the reference the fast paths are compared with (test/unit/runsTableFast.test.ts); not shipped.
import type { CellValue, MetricStats, RunsTable, RunsTableQuery, RunsTableRow, SummaryValue } from '../../src/core/api';
import { type Extremes, decodeExtremes, readExtremes } from '../../src/core/extremes';
import { type PackedTable, type RowKeys, packTable } from '../../src/shared/tablePacking';
import { compareKeys } from '../../src/shared/keys';
import { type RunQueries, lastValueOf, toSummaryValue } from '../../src/core/queries';
import { KeyKind } from '../../src/core/seriesAppender';
import type { RunRow, RunStore, VersionRow } from '../../src/core/store';
import { define, forEachLeaf } from '../../src/core/values';

type Run = Readonly<RunRow>;
type Version = Readonly<VersionRow>;

/** Rows computed one version at a time below this many; above it, whole tables are read in one pass each. */
const BULK_THRESHOLD = 64;

export class RunsTableBefore {
  /**
   * Rows already computed, by immutable version id (each without its child rows). A version's row only
   * changes when its run does (new rows, state, a rename, a rewind): the engine drops a run's rows after
   * every ingest that changed it (`invalidate`), so a table open or a live update computes only those.
   */
  private readonly cache = new Map<string, RunsTableRow>();
  /**
   * The config and summary keys of each cached row, by version id, as shared arrays: the runs of a sweep
   * have the same keys, so a table's key lists and its columns (packed) visit each set of keys once
   * instead of listing 200 keys of 10,000 rows.
   */
  private readonly keys = new Map<string, RowKeys>();
  private readonly shapes = new Map<string, readonly string[]>();

  constructor(
    private readonly store: RunStore,
    private readonly queries: RunQueries,
  ) {}

  /** Forgets the rows of these runs, and of the runs forked from them (their rows name the source). */
  invalidate(runIds: Iterable<string>): void {
    const ids = new Set(runIds);
    if (ids.size === 0) return;
    for (const [version, row] of this.cache) {
      if (ids.has(row.id) || (row.forkedFrom !== null && ids.has(row.forkedFrom.run))) {
        this.cache.delete(version);
        this.keys.delete(version);
      }
    }
  }

  clear(): void {
    this.cache.clear();
    this.keys.clear();
    this.shapes.clear();
  }

  /** The table as columns (tablePacking.ts), each row's keys taken from what the rows were built with. */
  packed(table: RunsTable): PackedTable {
    return packTable(table, (row) => this.keys.get(row.version));
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
    const seen = new Set<readonly string[]>();
    const rows: RunsTableRow[] = [];
    for (const run of runs) {
      const live = this.store.versions.get(run.liveVersion);
      if (!live) continue;
      const archived = this.queries.versionsOf(run.id).filter((v) => v.id !== live.id).map((v) => this.cached(v));
      const row: RunsTableRow = { ...this.cached(live), versions: archived };
      for (const r of [row, ...archived]) {
        const keys = this.keys.get(r.version);
        for (const [list, into] of [[keys?.config, configKeys], [keys?.summary, summaryKeys]] as const) {
          if (!list || seen.has(list)) continue;
          seen.add(list);
          for (const key of list) into.add(key);
        }
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
    const fresh = new RunsTableBefore(this.store, this.queries);
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
    const extremes = this.extremes(bulk ? undefined : versions);
    const lastValues = bulk ? this.lastValues() : undefined;
    const none: Extremes = new Map();
    for (const v of versions) {
      const run = this.store.runs.get(v.runId);
      if (!run) continue;
      // A run never rewound or forked: its last values are its own version_keys rows.
      const last = lastValues && v.parent === null ? this.withExplicit(v, lastValues.get(v.id) ?? []) : this.queries.summary(v.id);
      this.cache.set(v.id, this.row(run, v, last, extremes.get(v.id) ?? none));
    }
  }

  /** The same array for the same keys in the same order. */
  private shape(keys: string[], kind: 0 | 1): readonly string[] {
    // Rows come run after run of a sweep: most have the keys the last one had.
    const last = this.lastShape[kind];
    if (last && last.length === keys.length && keys.every((k, i) => k === last[i])) return last;
    const signature = keys.join('\u0000');
    const found = this.shapes.get(signature);
    if (found) {
      this.lastShape[kind] = found;
      return found;
    }
    this.shapes.set(signature, keys);
    this.lastShape[kind] = keys;
    return keys;
  }

  /** The config (0) and summary (1) keys of the row made last. */
  private readonly lastShape: [readonly string[] | undefined, readonly string[] | undefined] = [undefined, undefined];

  private row(run: Run, version: Version, last: Record<string, SummaryValue>, extremes: Extremes): RunsTableRow {
    const live = !version.archived;
    const configKeys: string[] = [];
    const config = flatConfig(version.config, configKeys);
    this.keys.set(version.id, { config: this.shape(configKeys, 0), summary: this.shape(Object.keys(last), 1) });
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
      config,
      summary: this.stats(last, extremes),
      versions: [],
    };
  }

  /** Last values with the min and max of each numeric key (a boolean has none). */
  private stats(last: Record<string, SummaryValue>, extremes: Extremes): Record<string, MetricStats> {
    const out: Record<string, MetricStats> = {};
    for (const key of Object.keys(last)) {
      const value = last[key];
      const keyId = this.store.lookupKey(key);
      const found = typeof value === 'boolean' || keyId === undefined ? undefined : extremes.get(keyId);
      put(out, key, { last: value, min: found ? found[0] : null, max: found ? found[1] : null } satisfies MetricStats);
    }
    return out;
  }

  /**
   * Every version's own last value per key, from one pass over version_keys (250,000 rows at 10,000 runs:
   * four columns a row, as statValue reads them: kind, NaN and text or number folded in SQL).
   */
  private lastValues(): Map<string, [number, SummaryValue][]> {
    const out = new Map<string, [number, SummaryValue][]>();
    let version = '';
    let list: [number, SummaryValue][] = [];
    this.store.db.each(`SELECT version, key, last_kind + 3 * last_nan, CASE last_kind WHEN ${KeyKind.String} THEN last_text ELSE last_num END FROM version_keys`, [], (r) => {
      if (r[0] !== version) {
        version = r[0] as string;
        list = out.get(version) ?? [];
        out.set(version, list);
      }
      const code = r[2] as number;
      const v = r[3];
      list.push([r[1] as number, lastValueOf((code % 3) as KeyKind, code >= 3, typeof v === 'number' ? v : null, typeof v === 'string' ? v : null)]);
    });
    return out;
  }

  /** A one-segment version's summary from its version_keys rows, as RunQueries.summary makes it. */
  private withExplicit(version: Version, rows: readonly [number, SummaryValue][]): Record<string, SummaryValue> {
    // In the order stored: the table's summary keys are sorted once for all rows, not per row.
    const out: Record<string, SummaryValue> = {};
    for (const [key, value] of rows) put(out, this.store.keyName(key), value);
    for (const key of Object.keys(version.summary)) {
      const value = version.summary[key];
      if (value === null) delete out[key];
      else put(out, key, toSummaryValue(value));
    }
    return out;
  }

  /** The extremes key_extremes keeps for these versions (all when undefined), by version. */
  private extremes(versions: readonly Version[] | undefined): Map<string, Extremes> {
    const out = new Map<string, Extremes>();
    if (versions === undefined) this.store.db.each('SELECT version, data FROM key_extremes', [], (r) => out.set(r[0] as string, decodeExtremes(r[1] as Uint8Array)));
    else for (const v of versions) out.set(v.id, readExtremes(this.store.db, v.id));
    return out;
  }
}

/** Config flattened to dotted keys (as W&B's table shows nested config); arrays and other values as JSON text. */
export function flatConfig(config: Record<string, unknown>, keys?: string[]): Record<string, CellValue> {
  const out: Record<string, CellValue> = {};
  forEachLeaf(config, (key, value) => {
    // A key seen twice ("a.b" beside {"a": {"b": …}}) is one column: listed once, the later value kept.
    if (keys && !Object.prototype.hasOwnProperty.call(out, key)) keys.push(key);
    put(out, key, cellOf(value));
  });
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

