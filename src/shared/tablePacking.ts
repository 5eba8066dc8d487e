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

/** A row's config and summary keys (the same array for rows of the same keys). */
export interface RowKeys {
  readonly config: readonly string[];
  readonly summary: readonly string[];
}

/**
 * The table as columns (what the store worker sends). `keysOf` may give a row's keys as the store built
 * it, so rows with the same keys are mapped to their columns once (else each row's keys are listed).
 */
export function packTable(table: RunsTable, keysOf?: (row: RunsTableRow) => RowKeys | undefined): PackedTable {
  const flat: RunsTableRow[] = [];
  const facts = (row: RunsTableRow): PackedRow => {
    flat.push(row);
    const { config: _config, summary: _summary, versions, ...rest } = row;
    return { ...rest, versions: versions.map(facts) };
  };
  const rows = table.rows.map(facts);
  const n = flat.length;
  // Each row's own keys once, each put in its column: a lookup per cell, not a test per row and key.
  const configIndex = new Map(table.configKeys.map((k, c) => [k, c]));
  const configValues = table.configKeys.map(() => new Array<CellValue>(n).fill(null));
  const configHas = table.configKeys.map(() => new Uint8Array(n));
  const summaryIndex = new Map(table.summaryKeys.map((k, c) => [k, c]));
  const summary = table.summaryKeys.map((): PackedSummary & { other: [number, SummaryValue][] } => ({
    kind: new Uint8Array(n), last: new Float64Array(n), min: new Float64Array(n).fill(Number.NaN), max: new Float64Array(n).fill(Number.NaN), other: [],
  }));
  // Per list of keys, the column of each key (undefined: not a column of this table).
  const columnsOf = new Map<readonly string[], (number | undefined)[]>();
  const columns = (keys: readonly string[], index: ReadonlyMap<string, number>): (number | undefined)[] => {
    let found = columnsOf.get(keys);
    if (!found) {
      found = keys.map((k) => index.get(k));
      columnsOf.set(keys, found);
    }
    return found;
  };
  for (let i = 0; i < n; i++) {
    const { config, summary: stats } = flat[i];
    const keys = keysOf?.(flat[i]);
    const configKeys = keys?.config ?? Object.keys(config);
    const configColumns = columns(configKeys, configIndex);
    for (let j = 0; j < configKeys.length; j++) {
      const c = configColumns[j];
      if (c === undefined) continue;
      configValues[c][i] = config[configKeys[j]];
      configHas[c][i] = 1;
    }
    const summaryKeys = keys?.summary ?? Object.keys(stats);
    const summaryColumns = columns(summaryKeys, summaryIndex);
    for (let j = 0; j < summaryKeys.length; j++) {
      const c = summaryColumns[j];
      if (c === undefined) continue;
      const s = stats[summaryKeys[j]];
      const column = summary[c];
      if (typeof s.last === 'number') {
        column.kind[i] = 1;
        column.last[i] = s.last;
      } else {
        column.kind[i] = 2;
        column.other.push([i, s.last]);
      }
      if (s.min !== null) column.min[i] = s.min;
      if (s.max !== null) column.max[i] = s.max;
    }
  }
  const config = configValues.map((values, c): PackedConfig => {
    const absent: number[] = [];
    let numeric = true;
    for (let i = 0; i < n; i++) {
      if (configHas[c][i] === 0) absent.push(i);
      else if (typeof values[i] !== 'number') numeric = false;
    }
    return { values: numeric && absent.length === 0 ? Float64Array.from(values as number[]) : values, absent };
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
