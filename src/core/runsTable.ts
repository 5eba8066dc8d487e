// The runs table (issue 16): one row per run and per archived version, with the run's facts, its config
// flattened to dotted keys and, per summary metric, the last value and the lowest and highest point of
// the visible history, which the store keeps per version (key_extremes, extremes.ts). Each version's row
// is kept until its run changes, as its facts and its config and summary as arrays beside a list of keys
// that the runs of a sweep share: the table sent to the webview is put in columns straight from those
// arrays, a filter reads only the cells it names, and a row object is made only for a caller that asks
// for rows. A table of many uncached rows reads each table it needs in one pass instead of a query per row.
import type { CellValue, MetricStats, RunsTable, RunsTableQuery, RunsTableRow, SummaryValue } from './api';
import { float64Of } from './chunks';
import { RunRewindError } from './errors';
import type { PackedConfig, PackedRow, PackedSummary, PackedTable } from '../shared/tablePacking';
import { compareKeys } from '../shared/keys';
import { type RunFacts, type FieldRef, type FieldValue, attributeValue, compareValues, fieldId, fieldOfId, fieldValue } from '../shared/runFields';
import { type QueryKeys, type RunQuery, parseQuery } from '../shared/runQuery';
import { type RunQueries, lastValueOf, toSummaryValue } from './queries';
import { KeyKind } from './seriesAppender';
import type { RunRow, RunStore, VersionRow } from './store';
import { define, isPlainObject } from './values';

type Run = Readonly<RunRow>;
type Version = Readonly<VersionRow>;

/** Rows computed one version at a time below this many; above it, whole tables are read in one pass each. */
const BULK_THRESHOLD = 64;

/** How deep forEachLeaf (values.ts) follows nested config: deeper objects are one cell of JSON text. */
const MAX_CONFIG_DEPTH = 32;

/**
 * A list of keys as the rows that have it share it (a sweep's 10,000 runs: one), with each key's place.
 * `raw` is the list as read, `keys` the same with a repeated key listed once ("a.b" beside {"a": {"b"}}
 * is one column: the later value kept at the first place); `remap` gives each raw place its key's place
 * when they differ.
 */
class Shape {
  private index: Map<string, number> | undefined;
  /** Summary keys: their key ids, when known (rows of one segment are matched to their shape by these). */
  ids: readonly number[] | undefined;

  constructor(
    readonly raw: readonly string[],
    readonly keys: readonly string[],
    readonly remap: Int32Array | undefined,
  ) {}

  indexOf(key: string): number | undefined {
    this.index ??= new Map(this.keys.map((k, i) => [k, i]));
    return this.index.get(key);
  }
}

/** One version's row as kept: the facts, and config and summary as values beside their keys. */
interface Entry {
  facts: RunFacts;
  readonly config: Shape;
  readonly configValues: readonly CellValue[];
  readonly summary: Shape;
  readonly last: readonly SummaryValue[];
  /** Lowest and highest point of each summary key; NaN where there is none. */
  readonly min: readonly number[];
  readonly max: readonly number[];
  /** The row as an object, made when a caller asks for rows. */
  row: RunsTableRow | undefined;
}

/** A run's row and its archived versions' rows, newest first. */
interface Group {
  readonly live: Entry;
  readonly archived: readonly Entry[];
}

interface Selection {
  readonly groups: readonly Group[];
  readonly configKeys: string[];
  readonly summaryKeys: string[];
  /** Rows (runs) before the filter. */
  readonly total: number;
}

/** Makes the query of a filter from the keys the table has (so a misspelt key is an error); without keys, none is checked. */
export type FilterOf = (keys: QueryKeys | undefined) => RunQuery;

export class RunsTableQueries {
  /**
   * Rows already computed, by immutable version id (each without its child rows). A version's row only
   * changes when its run does (new rows, state, a rename, a rewind): the engine drops a run's rows after
   * every ingest that changed it (`invalidate`), so a table open or a live update computes only those.
   */
  private readonly cache = new Map<string, Entry>();
  /** Shapes by their raw keys joined, so rows of the same keys share one. */
  private readonly shapes = new Map<string, Shape>();
  /** The config (0) and summary (1) shape of the row made last: rows come run after run of a sweep. */
  private readonly lastShape: [Shape | undefined, Shape | undefined] = [undefined, undefined];
  private bulkThreshold = BULK_THRESHOLD;

  constructor(
    private readonly store: RunStore,
    private readonly queries: RunQueries,
  ) {}

  /** Forgets the rows of these runs, and of the runs forked from them (their rows name the source). */
  invalidate(runIds: Iterable<string>): void {
    const ids = new Set(runIds);
    if (ids.size === 0) return;
    for (const [version, { facts }] of this.cache) {
      if (ids.has(facts.id) || (facts.forkedFrom !== null && ids.has(facts.forkedFrom.run))) this.cache.delete(version);
    }
  }

  clear(): void {
    this.cache.clear();
    this.shapes.clear();
    this.lastShape[0] = this.lastShape[1] = undefined;
  }

  /** Every run (not deleted) in creation order, with its archived versions as child rows; those `filter` matches when given. */
  table(query: RunsTableQuery = {}, filter?: FilterOf): RunsTable {
    const s = this.select(query, filter);
    const rows = s.groups.map((g): RunsTableRow => ({ ...this.rowOfEntry(g.live), versions: g.archived.map((a) => this.rowOfEntry(a)) }));
    return { rows, configKeys: s.configKeys, summaryKeys: s.summaryKeys, total: s.total };
  }

  /**
   * The same table as columns (tablePacking.ts), made from the kept arrays without a row object: what
   * the store worker sends the table panel.
   */
  packed(query: RunsTableQuery = {}, filter?: FilterOf): PackedTable {
    const s = this.select(query, filter);
    const flat: Entry[] = [];
    const rows = s.groups.map((g): PackedRow => {
      flat.push(g.live, ...g.archived);
      return { ...g.live.facts, versions: g.archived.map((a): PackedRow => ({ ...a.facts, versions: [] })) };
    });
    const n = flat.length;
    const configIndex = new Map(s.configKeys.map((k, c) => [k, c]));
    const summaryIndex = new Map(s.summaryKeys.map((k, c) => [k, c]));
    // A config column is numbers in a Float64Array until a row has something else: then its values.
    const configNumbers = s.configKeys.map(() => new Float64Array(n));
    const configOther: (CellValue[] | undefined)[] = s.configKeys.map(() => undefined);
    const configHas = s.configKeys.map(() => new Uint8Array(n));
    const summary = s.summaryKeys.map((): PackedSummary & { other: [number, SummaryValue][] } => ({
      kind: new Uint8Array(n), last: new Float64Array(n), min: new Float64Array(n).fill(Number.NaN), max: new Float64Array(n).fill(Number.NaN), other: [],
    }));
    // Per shape, the column of each of its keys: rows of the same keys are mapped to columns once.
    const columnsOf = new Map<Shape, Int32Array>();
    const columns = (shape: Shape, index: ReadonlyMap<string, number>): Int32Array => {
      let found = columnsOf.get(shape);
      if (!found) {
        found = Int32Array.from(shape.keys, (k) => index.get(k) ?? -1);
        columnsOf.set(shape, found);
      }
      return found;
    };
    for (let i = 0; i < n; i++) {
      const e = flat[i];
      const configColumns = columns(e.config, configIndex);
      for (let j = 0; j < configColumns.length; j++) {
        const c = configColumns[j];
        if (c < 0) continue;
        const value = e.configValues[j];
        configHas[c][i] = 1;
        const other = configOther[c];
        if (other) other[i] = value;
        else if (typeof value === 'number') configNumbers[c][i] = value;
        else configOther[c] = cellsOf(configNumbers[c], configHas[c], i, value);
      }
      const summaryColumns = columns(e.summary, summaryIndex);
      for (let j = 0; j < summaryColumns.length; j++) {
        const c = summaryColumns[j];
        if (c < 0) continue;
        const column = summary[c];
        const last = e.last[j];
        if (typeof last === 'number') {
          column.kind[i] = 1;
          column.last[i] = last;
        } else {
          column.kind[i] = 2;
          column.other.push([i, last]);
        }
        column.min[i] = e.min[j];
        column.max[i] = e.max[j];
      }
    }
    const config = configNumbers.map((numbers, c): PackedConfig => {
      const absent: number[] = [];
      const has = configHas[c];
      for (let i = 0; i < n; i++) if (has[i] === 0) absent.push(i);
      const other = configOther[c];
      // A column of numbers with a row lacking the key is values too, null for that row.
      return { values: other ?? (absent.length === 0 ? numbers : cellsOf(numbers, has, n, null)), absent };
    });
    return { packed: 1, rows, configKeys: s.configKeys, summaryKeys: s.summaryKeys, total: s.total, config, summary };
  }

  /** One version's row (a deleted run's too, which no table lists), without child rows. */
  rowOf(versionId: string): RunsTableRow {
    const version = this.store.requireVersion(versionId);
    if (!this.cache.has(version.id)) this.fill([version]);
    return this.rowOfEntry(this.cached(version));
  }

  /** The same table computed row by row with nothing cached: what the table cost before (bench baseline). */
  rowByRowTable(query: RunsTableQuery = {}): RunsTable {
    const fresh = new RunsTableQueries(this.store, this.queries);
    fresh.bulkThreshold = Number.POSITIVE_INFINITY;
    return fresh.table(query);
  }

  /** The runs of a query with their archived versions, their rows computed where not kept, and the table's keys. */
  private select(query: RunsTableQuery, filter: FilterOf | undefined): Selection {
    const all = this.runsOf(query);
    // A limit reads only the first runs' rows (the table's first screenful, cold): the others stay unread.
    // With a filter or an order those are found from the cells the query and the order name alone.
    const ordered = query.limit !== undefined && (filter !== undefined || query.sort !== undefined);
    let runs: Run[];
    if (query.limit === undefined) runs = all;
    else if (!ordered) runs = all.slice(0, query.limit);
    else {
      const first = this.matching(filter ?? everyRun, query.sort && orderOf(query.sort), query.limit);
      const rank = new Map(first.map((id, i) => [id, i]));
      runs = all.filter((r) => rank.has(r.id)).sort((a, b) => rank.get(a.id)! - rank.get(b.id)!);
    }
    const missing: Version[] = [];
    for (const run of runs) {
      for (const v of this.store.versionsOfRun(run.id) ?? []) if (!this.cache.has(v.id)) missing.push(v);
    }
    // A limit's few rows are read version by version: the one-pass reads cover every version's keys.
    if (missing.length > 0) this.fill(missing, query.limit === undefined);
    const configKeys = new Set<string>();
    const summaryKeys = new Set<string>();
    const seen = new Set<Shape>();
    const note = (shape: Shape, into: Set<string>): void => {
      if (seen.has(shape)) return;
      seen.add(shape);
      for (const key of shape.keys) into.add(key);
    };
    const groups: Group[] = [];
    const none: readonly Entry[] = [];
    for (const run of runs) {
      const live = this.store.versions.get(run.liveVersion);
      if (!live) continue;
      // Most runs have one version: no archived rows to order.
      const archived = (this.store.versionsOfRun(run.id)?.length ?? 0) <= 1 ? none : this.queries.versionsOf(run.id).filter((v) => v.id !== live.id).map((v) => this.cached(v));
      const group: Group = { live: this.cached(live), archived };
      note(group.live.config, configKeys);
      note(group.live.summary, summaryKeys);
      for (const e of archived) {
        note(e.config, configKeys);
        note(e.summary, summaryKeys);
      }
      groups.push(group);
    }
    const keys = { configKeys: [...configKeys].sort(compareKeys), summaryKeys: [...summaryKeys].sort(compareKeys) };
    // A limited answer's runs already match (its few rows' keys could not parse the filter anyway).
    if (!filter || ordered) return { groups, ...keys, total: query.limit === undefined ? groups.length : all.length };
    const q = filter(keys);
    return { groups: groups.filter((g) => q.matchesFields((field) => this.fieldOf(g.live, field))), ...keys, total: groups.length };
  }

  /** The runs of a query (not deleted) in creation order. */
  private runsOf(query: RunsTableQuery): Run[] {
    const only = query.runs ? new Set(query.runs) : undefined;
    return [...this.store.runs.values()]
      .filter((r) => !r.deleted && (query.project === undefined || r.project === query.project) && (!only || only.has(r.id)))
      .sort((a, b) => a.seq - b.seq);
  }

  /**
   * The ids of the runs `table({}, filter)` lists, reading only the cells the query names and keeping
   * nothing: for each version, a kept row's cells, else its config leaf, its last value of a key (one
   * statement over version_keys per summary key) and that key's extremes. A query naming a key no row
   * has is answered by the whole table (whose keys make it an error, or read a dotted name another way).
   */
  matching(filter: FilterOf, order?: TableOrder, limit?: number): string[] {
    const whole = (): string[] => {
      const rows = this.table({}, filter).rows;
      return firstInOrder(rows.map((r) => [r.id, order ? fieldValue(r, order.field) : null]), order, limit);
    };
    let q: RunQuery;
    try {
      q = filter(undefined);
    } catch {
      return whole();
    }
    const groups: [Run, Version, readonly Version[]][] = [];
    for (const run of this.runsOf({})) {
      const live = this.store.versions.get(run.liveVersion);
      if (live) groups.push([run, live, this.store.versionsOfRun(run.id) ?? []]);
    }
    const reader = new CellReader(this.store, this.queries, (v) => this.cache.get(v.id), (e, field) => this.fieldOf(e, field));
    // By field id, and by the field itself (the query's own objects: no id made per row).
    const values = new Map<string, Map<string, FieldValue>>();
    const byField = new Map<FieldRef, Map<string, FieldValue>>();
    const cellsOfVersions = (field: Exclude<FieldRef, { kind: 'attr' }>): Map<string, FieldValue> | undefined => {
      const cells = new Map<string, FieldValue>();
      let any = false;
      for (const [, live, versions] of groups) {
        for (const v of versions) {
          // An archived version's cell only tells whether some row has the key.
          if (any && v.id !== live.id) continue;
          const cell = reader.read(v, field);
          if (cell === undefined) continue;
          any = true;
          if (v.id === live.id) cells.set(v.id, cell);
        }
      }
      return any ? cells : undefined;
    };
    for (const field of q.fields) {
      const id = fieldId(field);
      const known = values.get(id);
      if (known) byField.set(field, known);
      if (field.kind === 'attr' || known) continue;
      const cells = cellsOfVersions(field);
      if (!cells) return whole();
      values.set(id, cells);
      byField.set(field, cells);
    }
    const cellsOf = (field: FieldRef): Map<string, FieldValue> => byField.get(field) ?? values.get(fieldId(field))!;
    // The order's cells: a key no run has leaves every run without a value (creation order).
    const orderField = order?.field;
    const orderCells = orderField && orderField.kind !== 'attr' ? (values.get(fieldId(orderField)) ?? cellsOfVersions(orderField) ?? new Map<string, FieldValue>()) : undefined;
    const out: [string, FieldValue][] = [];
    for (const [run, live] of groups) {
      const cached = this.cache.get(live.id);
      const facts = cached ? this.cached(live).facts : this.factsOf(run, live);
      const matched = q.matchesFields((field) => (field.kind === 'attr' ? attributeValue(facts, field.name) : (cellsOf(field).get(live.id) ?? null)));
      if (!matched) continue;
      out.push([run.id, !orderField ? null : orderField.kind === 'attr' ? attributeValue(facts, orderField.name) : (orderCells!.get(live.id) ?? null)]);
    }
    return firstInOrder(out, order, limit);
  }

  /** What a kept row holds for a field, as fieldValue (runFields.ts) reads it from a row object. */
  private fieldOf(e: Entry, field: FieldRef): FieldValue {
    switch (field.kind) {
      case 'attr':
        return attributeValue(e.facts, field.name);
      case 'config': {
        const j = e.config.indexOf(field.key);
        return j === undefined ? null : e.configValues[j];
      }
      case 'summary': {
        const j = e.summary.indexOf(field.key);
        if (j === undefined) return null;
        if (field.stat === 'last') return e.last[j];
        const v = field.stat === 'min' ? e.min[j] : e.max[j];
        return v === v ? v : null;
      }
    }
  }

  /** The row as an object (made once per kept row). */
  private rowOfEntry(e: Entry): RunsTableRow {
    if (e.row) return e.row;
    const config: Record<string, CellValue> = {};
    const keys = e.config.keys;
    for (let j = 0; j < keys.length; j++) put(config, keys[j], e.configValues[j]);
    const summary: Record<string, MetricStats> = {};
    const names = e.summary.keys;
    for (let j = 0; j < names.length; j++) {
      const lo = e.min[j];
      const hi = e.max[j];
      put(summary, names[j], { last: e.last[j], min: lo === lo ? lo : null, max: hi === hi ? hi : null } satisfies MetricStats);
    }
    e.row = { ...e.facts, config, summary, versions: [] };
    return e.row;
  }

  /** A kept row, with its state read again: a writer that died turns a run crashed without any new data. */
  private cached(version: Version): Entry {
    const e = this.cache.get(version.id)!;
    const state = this.store.stateOf(version);
    if (e.facts.state !== state) {
      e.facts = { ...e.facts, state };
      e.row = undefined;
    }
    return e;
  }

  /** Computes and keeps the rows of these versions. */
  private fill(versions: readonly Version[], bulkAllowed = true): void {
    const bulk = bulkAllowed && versions.length >= this.bulkThreshold;
    const extremes = bulk ? this.allExtremes() : undefined;
    const lastValues = bulk ? this.lastValues(new Set(versions.map((v) => v.id))) : undefined;
    const noKeys: StoredKeys = { ids: [], values: [] };
    for (const v of versions) {
      const run = this.store.runs.get(v.runId);
      if (!run) continue;
      // A run never rewound or forked: its last values are its own version_keys rows.
      const last = lastValues && v.parent === null ? this.withExplicit(v, lastValues.get(v.id) ?? noKeys) : this.summaryOf(v);
      const found = extremes ? extremes.get(v.id) : this.extremesOf(v.id);
      this.cache.set(v.id, this.entry(run, v, last, found));
    }
  }

  private entry(run: Run, version: Version, last: OwnKeys & { names?: string[] }, extremes: Float64Array | undefined): Entry {
    // A sweep's runs have the keys the run before had: their values are read against that list, and
    // the keys listed only when they differ.
    let config = this.lastShape[0];
    let rawValues = config ? flattenLike(version.config, config.raw) : undefined;
    if (!rawValues) {
      const rawKeys: string[] = [];
      rawValues = [];
      flattenInto(version.config, '', 0, rawKeys, rawValues);
      config = this.shape(rawKeys, 0);
    }
    const configValues = config!.remap ? dedupe(config!, rawValues) : rawValues;
    const summary = this.summaryShape(last);
    const [min, max] = this.stats(last, summary, extremes);
    const facts = this.factsOf(run, version);
    return { facts, config: config!, configValues, summary, last: last.values, min, max, row: undefined };
  }

  private factsOf(run: Run, version: Version): RunFacts {
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
    };
  }

  /** The same Shape for the same keys in the same order. */
  private shape(raw: string[], kind: 0 | 1): Shape {
    const last = this.lastShape[kind];
    if (last && last.raw.length === raw.length && raw.every((k, i) => k === last.raw[i])) return last;
    const signature = `${kind}\u0000${raw.join('\u0000')}`;
    let found = this.shapes.get(signature);
    if (!found) {
      found = newShape(raw);
      this.shapes.set(signature, found);
    }
    this.lastShape[kind] = found;
    return found;
  }

  /** The summary keys' Shape, found by key ids when the row has them (no name listed per row). */
  private summaryShape(last: OwnKeys & { names?: string[] }): Shape {
    const previous = this.lastShape[1];
    const ids = last.ids;
    if (previous?.ids && !last.names && ids.length === previous.ids.length && ids.every((id, j) => id === previous.ids![j])) return previous;
    const shape = this.shape(last.names ?? ids.map((id) => this.store.keyName(id!)), 1);
    if (!last.names && !shape.ids) shape.ids = ids as readonly number[];
    return shape;
  }

  /** Each key's lowest and highest point (NaN: none; a boolean has none), from the version's key_extremes triples. */
  private stats(last: OwnKeys, summary: Shape, extremes: Float64Array | undefined): [number[], number[]] {
    const n = last.values.length;
    const min = new Array<number>(n).fill(Number.NaN);
    const max = new Array<number>(n).fill(Number.NaN);
    if (!extremes || extremes.length === 0) return [min, max];
    // Triples (key, lo, hi) are usually in the order of the keys: walked alongside, looked up when not.
    let at = 0;
    let index: Map<number, number> | undefined;
    for (let j = 0; j < n; j++) {
      if (typeof last.values[j] === 'boolean') continue;
      const keyId = last.ids[j] ?? this.store.lookupKey(summary.keys[j]);
      if (keyId === undefined) continue;
      let o: number | undefined;
      if (at + 2 < extremes.length && extremes[at] === keyId) o = at;
      else {
        if (!index) {
          index = new Map();
          for (let p = 0; p + 2 < extremes.length; p += 3) index.set(extremes[p], p);
        }
        o = index.get(keyId);
      }
      if (o === undefined) continue;
      min[j] = extremes[o + 1];
      max[j] = extremes[o + 2];
      at = o + 3;
    }
    return [min, max];
  }

  /** Every version's key_extremes triples, in one pass. */
  private allExtremes(): Map<string, Float64Array> {
    const out = new Map<string, Float64Array>();
    this.store.db.each('SELECT version, data FROM key_extremes', [], (r) => out.set(r[0] as string, float64Of(r[1] as Uint8Array)));
    return out;
  }

  private extremesOf(version: string): Float64Array | undefined {
    const row = this.store.db.get('SELECT data FROM key_extremes WHERE version=?', [version]);
    return row ? float64Of(row[0] as Uint8Array) : undefined;
  }

  /**
   * These versions' own last value per key, from one pass over version_keys (250,000 rows at 10,000
   * runs). The rows are read in key order without their version id (reading that text for every row
   * cost most of the pass), each version's share counted by a first, grouped statement.
   */
  private lastValues(wanted: ReadonlySet<string>): Map<string, StoredKeys> {
    const counts: [string, number][] = [];
    this.store.db.each('SELECT version, count(*) FROM version_keys GROUP BY version ORDER BY version', [], (r) => counts.push([r[0] as string, r[1] as number]));
    const out = new Map<string, StoredKeys>();
    let at = 0;
    let left = 0;
    let own: StoredKeys | undefined;
    this.store.db.each(`SELECT key, last_kind + 3 * last_nan, CASE last_kind WHEN ${KeyKind.String} THEN last_text ELSE last_num END FROM version_keys ORDER BY version, key`, [], (r) => {
      while (left === 0 && at < counts.length) {
        const [version, n] = counts[at++];
        left = n;
        own = wanted.has(version) ? { ids: [], values: [] } : undefined;
        if (own) out.set(version, own);
      }
      left--;
      if (!own) return;
      const code = r[1] as number;
      const v = r[2];
      own.ids.push(r[0] as number);
      own.values.push(lastValueOf((code % 3) as KeyKind, code >= 3, typeof v === 'number' ? v : null, typeof v === 'string' ? v : null));
    });
    return out;
  }

  /** A one-segment version's summary from its version_keys rows, as RunQueries.summary makes it. */
  private withExplicit(version: Version, own: StoredKeys): OwnKeys & { names?: string[] } {
    // In the order stored: the table's summary keys are sorted once for all rows, not per row.
    const explicit = Object.keys(version.summary);
    if (explicit.length === 0) return own;
    const out: Record<string, SummaryValue> = {};
    for (let j = 0; j < own.ids.length; j++) put(out, this.store.keyName(own.ids[j]), own.values[j]);
    for (const key of explicit) {
      const value = version.summary[key];
      if (value === null) delete out[key];
      else put(out, key, toSummaryValue(value));
    }
    return ownKeysOf(out);
  }

  /** A version's summary through its lineage (RunQueries.summary). */
  private summaryOf(version: Version): OwnKeys & { names: string[] } {
    return ownKeysOf(this.queries.summary(version.id));
  }
}

/** A column's values: the numbers of rows before `at` (null where a row lacks the key), then `value`. */
function cellsOf(numbers: Float64Array, has: Uint8Array, at: number, value: CellValue): CellValue[] {
  const out = new Array<CellValue>(numbers.length).fill(null);
  for (let i = 0; i < at; i++) if (has[i] === 1) out[i] = numbers[i];
  if (at < numbers.length) out[at] = value;
  return out;
}

/**
 * A version's cell of one config key or summary field, read on its own (RunsTableQueries.matching):
 * from its kept row when there is one, else as that row would hold it. Undefined: the row has no such key.
 */
class CellReader {
  /** Per summary key id, each version's own last value (version_keys). */
  private readonly own = new Map<number, Map<string, SummaryValue>>();
  /** Summaries through a lineage (rewinds and forks), per version. */
  private readonly summaries = new Map<string, Record<string, SummaryValue>>();
  private extremes: Map<string, Float64Array> | undefined;

  constructor(
    private readonly store: RunStore,
    private readonly queries: RunQueries,
    private readonly kept: (version: Version) => Entry | undefined,
    private readonly cellOfEntry: (entry: Entry, field: FieldRef) => FieldValue,
  ) {}

  read(v: Version, field: Exclude<FieldRef, { kind: 'attr' }>): FieldValue | undefined {
    const e = this.kept(v);
    if (e) return (field.kind === 'config' ? e.config : e.summary).indexOf(field.key) === undefined ? undefined : this.cellOfEntry(e, field);
    if (field.kind === 'config') {
      // A key without a dot can only be a top-level leaf.
      if (field.key.includes('.')) return leafOf(v.config, field.key, '', 0)?.[0];
      if (!Object.prototype.hasOwnProperty.call(v.config, field.key)) return undefined;
      const value = v.config[field.key];
      return isPlainObject(value) ? undefined : cellOf(value);
    }
    const last = this.lastOf(v, field.key);
    if (!last) return undefined;
    if (field.stat === 'last') return last[0];
    // As the table's stats: a boolean, or a key with no id (an explicit summary value only), has none.
    const keyId = this.store.lookupKey(field.key);
    if (typeof last[0] === 'boolean' || keyId === undefined) return null;
    this.extremes ??= this.allExtremes();
    const triples = this.extremes.get(v.id);
    if (!triples) return null;
    for (let o = 0; o + 2 < triples.length; o += 3) if (triples[o] === keyId) return triples[o + (field.stat === 'min' ? 1 : 2)];
    return null;
  }

  /** A version's last value of a summary key, as its row's summary has it (withExplicit, RunQueries.summary). */
  private lastOf(v: Version, key: string): [SummaryValue] | undefined {
    if (v.parent !== null) {
      let summary = this.summaries.get(v.id);
      if (!summary) {
        summary = this.queries.summary(v.id);
        this.summaries.set(v.id, summary);
      }
      return Object.prototype.hasOwnProperty.call(summary, key) ? [summary[key]] : undefined;
    }
    if (Object.prototype.hasOwnProperty.call(v.summary, key)) {
      const value = v.summary[key];
      return value === null ? undefined : [toSummaryValue(value)];
    }
    const keyId = this.store.lookupKey(key);
    if (keyId === undefined) return undefined;
    let own = this.own.get(keyId);
    if (!own) {
      own = new Map();
      const into = own;
      this.store.db.each(`SELECT version, last_kind + 3 * last_nan, CASE last_kind WHEN ${KeyKind.String} THEN last_text ELSE last_num END FROM version_keys WHERE key=?`, [keyId], (r) => {
        const code = r[1] as number;
        const value = r[2];
        into.set(r[0] as string, lastValueOf((code % 3) as KeyKind, code >= 3, typeof value === 'number' ? value : null, typeof value === 'string' ? value : null));
      });
      this.own.set(keyId, own);
    }
    return own.has(v.id) ? [own.get(v.id)!] : undefined;
  }

  private allExtremes(): Map<string, Float64Array> {
    const out = new Map<string, Float64Array>();
    this.store.db.each('SELECT version, data FROM key_extremes', [], (r) => out.set(r[0] as string, float64Of(r[1] as Uint8Array)));
    return out;
  }
}

/** The cell of one flattened key (as flattenInto lists it, the later of a repeated key), or undefined. */
function leafOf(data: Record<string, unknown>, key: string, prefix: string, depth: number): [CellValue] | undefined {
  let found: [CellValue] | undefined;
  for (const k of Object.keys(data)) {
    const name = prefix === '' ? k : `${prefix}.${k}`;
    const value = data[k];
    if (isPlainObject(value) && depth < MAX_CONFIG_DEPTH) {
      // Only an object whose name starts the key holds it.
      if (key.length > name.length && key.charCodeAt(name.length) === 46 && key.startsWith(name)) found = leafOf(value, key, name, depth + 1) ?? found;
    } else if (name === key) found = [cellOf(value)];
  }
  return found;
}

/** Summary keys as parallel lists: names, their key ids (undefined where not known here) and last values. */
interface OwnKeys {
  readonly ids: readonly (number | undefined)[];
  readonly values: SummaryValue[];
}

/** A version's own version_keys rows: key ids and last values. */
interface StoredKeys {
  readonly ids: number[];
  readonly values: SummaryValue[];
}

function ownKeysOf(summary: Record<string, SummaryValue>): OwnKeys & { names: string[] } {
  const names = Object.keys(summary);
  return { names, ids: [], values: names.map((k) => summary[k]) };
}

function newShape(raw: string[]): Shape {
  const first = new Map<string, number>();
  let repeated = false;
  for (const key of raw) {
    if (first.has(key)) repeated = true;
    else first.set(key, first.size);
  }
  if (!repeated) return new Shape(raw, raw, undefined);
  return new Shape(raw, [...first.keys()], Int32Array.from(raw, (k) => first.get(k)!));
}

/** Raw values in a shape's places, a repeated key's later value kept. */
function dedupe(shape: Shape, raw: readonly CellValue[]): CellValue[] {
  const out = new Array<CellValue>(shape.keys.length).fill(null);
  for (let j = 0; j < raw.length; j++) out[shape.remap![j]] = raw[j];
  return out;
}

/**
 * The config's cell values when it flattens to exactly these keys in this order, else undefined: the
 * walk of flattenInto, comparing each key instead of listing it.
 */
function flattenLike(config: Record<string, unknown>, keys: readonly string[]): CellValue[] | undefined {
  const values = new Array<CellValue>(keys.length);
  const at = walkLike(config, '', 0, keys, values, 0);
  return at === keys.length ? values : undefined;
}

/** Fills `values` from place `at` on; returns the next place, or -1 at the first key that differs. */
function walkLike(data: Record<string, unknown>, prefix: string, depth: number, keys: readonly string[], values: CellValue[], at: number): number {
  for (const key of Object.keys(data)) {
    const value = data[key];
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (isPlainObject(value) && depth < MAX_CONFIG_DEPTH) {
      at = walkLike(value, name, depth + 1, keys, values, at);
      if (at < 0) return -1;
    } else {
      if (at >= keys.length || keys[at] !== name) return -1;
      values[at++] = cellOf(value);
    }
  }
  return at;
}

/** Config flattened as forEachLeaf (values.ts) walks it, into parallel lists of keys and cell values. */
function flattenInto(data: Record<string, unknown>, prefix: string, depth: number, keys: string[], values: CellValue[]): void {
  for (const key of Object.keys(data)) {
    const value = data[key];
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (isPlainObject(value) && depth < MAX_CONFIG_DEPTH) flattenInto(value, name, depth + 1, keys, values);
    else {
      keys.push(name);
      values.push(cellOf(value));
    }
  }
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

/** The order a table shows its rows in: by a field, stable, none (null) last either way. */
export interface TableOrder {
  readonly field: FieldRef;
  readonly descending: boolean;
}

/** A table view's sort as an order; an unknown column is refused (RunsTableQuery.sort). */
export function orderOf(sort: { readonly column: string; readonly descending: boolean }): TableOrder {
  const field = fieldOfId(sort.column);
  if (!field) throw new RunRewindError('bad-argument', `the runs table has no column ${JSON.stringify(sort.column)} to sort by`);
  return { field, descending: sort.descending };
}

/** The filter that matches every run. */
const everyRun: FilterOf = () => parseQuery('');

/**
 * The first `limit` of runs (creation order) in `order`, as the table's webview sorts them
 * (media/table/app.ts sortRows: compareValues, equal values in creation order, none last either way).
 */
function firstInOrder(runs: [id: string, value: FieldValue][], order: TableOrder | undefined, limit: number | undefined): string[] {
  let ranked = runs.map((r, i) => [r[0], r[1], i] as const);
  if (order) {
    const sign = order.descending ? -1 : 1;
    ranked = ranked.sort((a, b) => {
      if (a[1] === null || b[1] === null) return a[1] === b[1] ? a[2] - b[2] : a[1] === null ? 1 : -1;
      return sign * compareValues(a[1], b[1]) || a[2] - b[2];
    });
  }
  return (limit === undefined ? ranked : ranked.slice(0, limit)).map((r) => r[0]);
}
