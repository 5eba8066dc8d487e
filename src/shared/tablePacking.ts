// The whole runs table as the store worker hands it to the host and the host to the table's webview:
// each row's facts as an object, but its config and summary as columns — one array per config key, and
// per metric Float64Arrays of last, min and max — so 10,000 runs × 200 columns cross the worker and the
// webview boundary as a few MB of typed arrays (copied, never parsed) instead of 40 MB of objects and
// JSON. The webview reads the columns in place: a row's `config` and `summary` are views of them, so
// opening the table builds no per-cell object, and a sort or filter reads only the column it uses.
import type { CellValue, MetricStats, RunsTable, RunsTableRow, SummaryValue } from '../core/api';

/** A row without its config and summary (those are the columns), its archived versions under it. */
export type PackedRow = Omit<RunsTableRow, 'config' | 'summary' | 'versions'> & { readonly versions: readonly PackedRow[] };

/**
 * One config key's values, a row at a time in flat order (each row, then its archived versions): a
 * Float64Array when every row has a number, else the values; `absent` lists rows without the key.
 */
export interface PackedConfig {
  readonly values: Float64Array | readonly CellValue[];
  readonly absent: readonly number[];
}

/** One summary metric, in flat row order. */
export interface PackedSummary {
  /** 0: the row has no such metric; 1: its last value is in `last`; 2: its last value is in `other`. */
  readonly kind: Uint8Array;
  readonly last: Float64Array;
  /** Lowest and highest point; NaN where there is none. */
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** Last values that are not numbers (text, booleans, null), by flat row index. */
  readonly other: readonly (readonly [number, SummaryValue])[];
}

export interface PackedTable {
  readonly packed: 1;
  readonly rows: readonly PackedRow[];
  readonly configKeys: readonly string[];
  readonly summaryKeys: readonly string[];
  readonly total: number;
  /** configKeys' columns. */
  readonly config: readonly PackedConfig[];
  /** summaryKeys' columns. */
  readonly summary: readonly PackedSummary[];
}

const own = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** The table as columns (what the store worker sends). */
export function packTable(table: RunsTable): PackedTable {
  const flat: RunsTableRow[] = [];
  const facts = (row: RunsTableRow): PackedRow => {
    flat.push(row);
    const { config: _config, summary: _summary, versions, ...rest } = row;
    return { ...rest, versions: versions.map(facts) };
  };
  const rows = table.rows.map(facts);
  const n = flat.length;
  const config = table.configKeys.map((key): PackedConfig => {
    const absent: number[] = [];
    let numeric = true;
    const values: CellValue[] = new Array<CellValue>(n);
    for (let i = 0; i < n; i++) {
      const c = flat[i].config;
      if (!own(c, key)) {
        absent.push(i);
        values[i] = null;
        numeric = false;
        continue;
      }
      const v = c[key];
      values[i] = v;
      if (typeof v !== 'number') numeric = false;
    }
    return { values: numeric ? Float64Array.from(values as number[]) : values, absent };
  });
  const summary = table.summaryKeys.map((key): PackedSummary => {
    const kind = new Uint8Array(n);
    const last = new Float64Array(n);
    const min = new Float64Array(n).fill(Number.NaN);
    const max = new Float64Array(n).fill(Number.NaN);
    const other: [number, SummaryValue][] = [];
    for (let i = 0; i < n; i++) {
      const s = flat[i].summary;
      if (!own(s, key)) continue;
      const stats = s[key];
      if (typeof stats.last === 'number') {
        kind[i] = 1;
        last[i] = stats.last;
      } else {
        kind[i] = 2;
        other.push([i, stats.last]);
      }
      if (stats.min !== null) min[i] = stats.min;
      if (stats.max !== null) max[i] = stats.max;
    }
    return { kind, last, min, max, other };
  });
  return { packed: 1, rows, configKeys: table.configKeys, summaryKeys: table.summaryKeys, total: table.total, config, summary };
}

/** A read-only object whose keys and values a function gives, for one row's config or summary. */
function view<T>(keys: readonly string[], index: ReadonlyMap<string, number>, read: (column: number) => T | undefined): Record<string, T> {
  const at = (key: string | symbol): T | undefined => {
    if (typeof key !== 'string') return undefined;
    const c = index.get(key);
    return c === undefined ? undefined : read(c);
  };
  return new Proxy({} as Record<string, T>, {
    get: (_target, key) => at(key),
    has: (_target, key) => at(key) !== undefined,
    ownKeys: () => keys.filter((_, c) => read(c) !== undefined),
    getOwnPropertyDescriptor: (_target, key) => {
      const value = at(key);
      return value === undefined ? undefined : { value, enumerable: true, configurable: true, writable: false };
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
}

/** The table as rows again (what the webview works with): config and summary are views of the columns. */
export function unpackTable(p: PackedTable): RunsTable {
  const configIndex = new Map(p.configKeys.map((k, c) => [k, c]));
  const summaryIndex = new Map(p.summaryKeys.map((k, c) => [k, c]));
  const absent = p.config.map((c) => (c.absent.length > 0 ? new Set(c.absent) : undefined));
  const other = p.summary.map((s) => new Map(s.other));
  let next = 0;
  const row = (facts: PackedRow): RunsTableRow => {
    const i = next++;
    const config = view<CellValue>(p.configKeys, configIndex, (c) => (absent[c]?.has(i) ? undefined : p.config[c].values[i]));
    const summary = view<MetricStats>(p.summaryKeys, summaryIndex, (c) => {
      const s = p.summary[c];
      const kind = s.kind[i];
      if (kind === 0) return undefined;
      const lo = s.min[i];
      const hi = s.max[i];
      return { last: kind === 1 ? s.last[i] : (other[c].get(i) ?? null), min: lo === lo ? lo : null, max: hi === hi ? hi : null };
    });
    return { ...facts, config, summary, versions: facts.versions.map(row) };
  };
  return { rows: p.rows.map(row), configKeys: p.configKeys, summaryKeys: p.summaryKeys, total: p.total };
}
