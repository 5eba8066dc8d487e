// The chunked series of the versions being written: per version a step/time index and per key a
// series of Float64 chunks (CHUNK_SIZE points, their min/max beside them), appended to in memory and
// written as chunks fill up and at each flush, a chunk's summary stored once it is full; per key its last value and point count (version_keys);
// per key the lowest and highest finite point of the version's visible history (key_extremes, widened
// point by point; computed again by extremes.ts where a version inherits rows); and the metric key names. RunStore.appendRow feeds it; queries.ts reads what it wrote.
import type { SeriesSegment } from './api';
import { Tail, encodeChunk, float64Of, stepsOf, storeSummary } from './chunks';
import type { EncodedChunk } from './chunks';
import { type Extremes, extremesOfSegments, readExtremes, storeExtremes } from './extremes';
import { CHUNK_SIZE } from './schema';
import type { Db } from './sqlite';
import { isPlainObject } from './values';

/** Key kinds in version_keys (queries.ts reads them back). */
export const KeyKind = { Number: 0, Boolean: 1, String: 2 } as const;
export type KeyKind = (typeof KeyKind)[keyof typeof KeyKind];

interface KeyStat {
  points: number;
  lastStep: number;
  lastKind: KeyKind;
  lastNum: number | null;
  lastText: string | null;
  dirty: boolean;
}

/** Lowest and highest finite point of a key in a version's visible history (lo > hi: none yet). */
interface Extreme {
  lo: number;
  hi: number;
  dirty: boolean;
}

/** One key of one version while it is being appended to: found with a single map lookup per point. */
interface SeriesState {
  readonly keyId: number;
  tail: Tail | undefined;
  stat: KeyStat | undefined;
  extreme: Extreme | undefined;
}

const EMPTY = new Uint8Array(0);

/**
 * Where a chunk's bytes go: a full chunk of a persisted store into its chunk file (it never changes
 * again; `marks`, if any, right after its values), the row then holding the file, file_at and file_steps
 * and empty blobs; anything else in the row.
 */
function placed(db: Db, c: EncodedChunk, marks: Uint8Array | null = null): [number | null, number | null, number | null, Uint8Array | null, Uint8Array] {
  const files = db.chunkFiles;
  if (!files || c.n < CHUNK_SIZE) return [null, null, null, c.steps, c.vals];
  const { file, at } = files.append([c.steps, c.vals, marks]);
  return [file, at, c.steps?.byteLength ?? 0, null, EMPTY];
}

/** Writes (or rewrites, while it is partial) chunk `chunk` of a version's step index; `c` holds steps and times. */
export function storeStepChunk(db: Db, version: string, chunk: number, c: EncodedChunk): void {
  const [file, at, stepBytes, steps, times] = placed(db, c);
  db.run('INSERT OR REPLACE INTO step_chunk_rows (version, chunk, first_step, last_step, n, steps, times, file, file_at, file_steps) VALUES (?,?,?,?,?,?,?,?,?,?)', [version, chunk, c.first, c.last, c.n, steps, times, file, at, stepBytes]);
}

/** Writes (or rewrites, while it is partial) chunk `chunk` of a key's points in a version. */
export function storePointChunk(db: Db, version: string, keyId: number, chunk: number, c: EncodedChunk): void {
  // Only a full chunk is marked: the last one is rewritten at every flush and read whole anyway.
  const marks = c.n >= CHUNK_SIZE ? c.marks : null;
  const [file, at, stepBytes, steps, vals] = placed(db, c, marks);
  const inFile = file !== null && marks !== null;
  db.run('INSERT OR REPLACE INTO point_chunk_rows (version, key, chunk, first_step, last_step, n, steps, vals, vmin, vmax, file, file_at, file_steps, marks, file_marks) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)', [
    version, keyId, chunk, c.first, c.last, c.n, steps, vals, c.vmin, c.vmax, file, at, stepBytes, inFile ? null : marks, inFile ? marks.byteLength : null,
  ]);
}

export class SeriesAppender {
  private readonly keyIds = new Map<string, number>();
  private readonly keyNames = new Map<number, string>();
  private readonly stepTails = new Map<string, Tail>();
  private readonly pointTails = new Map<string, Map<number, Tail>>();
  private readonly stats = new Map<string, Map<number, KeyStat>>();
  private readonly appending = new Map<string, Map<string, SeriesState>>();
  private readonly extremes = new Map<string, Map<number, Extreme>>();
  /** Versions whose extremes are computed again from the stored chunks at the next flush. */
  private readonly recomputing = new Set<string>();

  constructor(
    private readonly db: Db,
    /** The lineage segments of a version's visible history (the store's versions). */
    private readonly segmentsOf: (version: string) => SeriesSegment[],
  ) {}

  /** Drops every cache and reads the key names back from the database. */
  reload(): void {
    this.keyIds.clear();
    this.keyNames.clear();
    this.stepTails.clear();
    this.pointTails.clear();
    this.stats.clear();
    this.appending.clear();
    this.extremes.clear();
    this.recomputing.clear();
    this.db.each('SELECT id, name FROM keys', [], (r) => {
      this.keyIds.set(r[1] as string, r[0] as number);
      this.keyNames.set(r[0] as number, r[1] as string);
    });
  }

  /** Appends one history row to a version. Returns the number of points stored. */
  append(version: string, step: number, time: number, data: Record<string, unknown>, warn: (message: string) => void): number {
    this.pushStep(version, step, time);
    return this.pushValues(version, step, data, warn, undefined);
  }

  /**
   * Appends the values of a row for a step before the version's last to the keys whose own points all
   * come before that step (a second step axis: per-epoch values beside per-batch ones). The step index is
   * left alone, so the row adds no step of its own. Keys with a point at or after the step are left out
   * and named in `refused`. Returns the number of points stored.
   */
  appendEarlier(version: string, step: number, data: Record<string, unknown>, warn: (message: string) => void, refused: string[]): number {
    return this.pushValues(version, step, data, warn, refused);
  }

  /** With `refused`, values of keys already at or past `step` are left out and their keys named there. */
  private pushValues(version: string, step: number, data: Record<string, unknown>, warn: (message: string) => void, refused: string[] | undefined): number {
    let series = this.appending.get(version);
    if (!series) {
      series = new Map();
      this.appending.set(version, series);
    }
    const of = (key: string): SeriesState | undefined => {
      const state = series.get(key) ?? this.startSeries(version, series, key);
      if (refused && state.stat && state.stat.lastStep >= step) {
        refused.push(key);
        return undefined;
      }
      return state;
    };
    let points = 0;
    const visit = (record: Record<string, unknown>, prefix: string, depth: number): void => {
      for (const name of Object.keys(record)) {
        const value = record[name];
        const key = prefix === '' ? name : `${prefix}.${name}`;
        let state: SeriesState | undefined;
        switch (typeof value) {
          case 'number':
            if ((state = of(key))) {
              this.pushPoint(version, state, step, value, KeyKind.Number);
              points++;
            }
            break;
          case 'boolean':
            if ((state = of(key))) {
              this.pushPoint(version, state, step, value ? 1 : 0, KeyKind.Boolean);
              points++;
            }
            break;
          case 'string':
            if ((state = of(key))) {
              this.pushText(version, state, step, value);
              points++;
            }
            break;
          case 'object':
            if (value === null) break;
            if (isPlainObject(value) && depth < 32) {
              visit(value, key, depth + 1);
              break;
            }
            warn(`the value of ${JSON.stringify(key)} is ${Array.isArray(value) ? 'an array' : 'an object'}; only numbers, booleans and strings are kept`);
            break;
          default:
            warn(`the value of ${JSON.stringify(key)} is ${typeof value}; only numbers, booleans and strings are kept`);
        }
      }
    };
    visit(data, '', 0);
    return points;
  }

  private pushStep(version: string, step: number, time: number): void {
    let tail = this.stepTails.get(version);
    if (!tail) {
      tail = this.loadTail('SELECT chunk, first_step, n, steps, times FROM step_chunk_rows WHERE version=? ORDER BY chunk DESC LIMIT 1', [version]);
      this.stepTails.set(version, tail);
    }
    tail.push(step, time);
    if (tail.length >= CHUNK_SIZE) {
      this.writeStepChunk(version, tail);
      tail.advance();
    }
  }

  private startSeries(version: string, series: Map<string, SeriesState>, key: string): SeriesState {
    const keyId = this.keyId(key);
    const state: SeriesState = { keyId, tail: this.pointTails.get(version)?.get(keyId), stat: this.statsOf(version).get(keyId), extreme: this.extremesOf(version).get(keyId) };
    series.set(key, state);
    return state;
  }

  private pushPoint(version: string, series: SeriesState, step: number, value: number, kind: KeyKind): void {
    let tail = series.tail;
    if (!tail) {
      tail = this.loadTail('SELECT chunk, first_step, n, steps, vals FROM point_chunk_rows WHERE version=? AND key=? ORDER BY chunk DESC LIMIT 1', [version, series.keyId]);
      let tails = this.pointTails.get(version);
      if (!tails) {
        tails = new Map();
        this.pointTails.set(version, tails);
      }
      tails.set(series.keyId, tail);
      series.tail = tail;
    }
    const n = tail.length;
    const stat = series.stat;
    if (n > 0 && tail.steps[n - 1] === step) {
      // The same key twice in one row (say "a.b" and {"a": {"b": …}}): the later value wins, and the
      // value it replaced may have been the lowest or highest, so the extremes are read again.
      tail.vals[n - 1] = value;
      tail.dirty = true;
      this.recomputing.add(version);
    } else {
      tail.push(step, value);
      if (stat) stat.points++;
    }
    if (value - value === 0) {
      const e = series.extreme;
      if (!e) {
        series.extreme = { lo: value, hi: value, dirty: true };
        this.extremesOf(version).set(series.keyId, series.extreme);
      } else if (value < e.lo || value > e.hi) {
        if (e.lo > e.hi) e.lo = e.hi = value;
        else if (value < e.lo) e.lo = value;
        else e.hi = value;
        e.dirty = true;
      }
    }
    if (!stat) {
      series.stat = { points: 1, lastStep: step, lastKind: kind, lastNum: value, lastText: null, dirty: true };
      this.statsOf(version).set(series.keyId, series.stat);
    } else {
      stat.lastStep = step;
      // A key that has held a number stays numeric: a boolean logged to it reads back as 1 or 0, and
      // the numbers before it are not turned into booleans (3.5, 0.0, true is 3.5, 0, 1).
      stat.lastKind = kind === KeyKind.Boolean && stat.lastKind === KeyKind.Number ? KeyKind.Number : kind;
      stat.lastNum = value;
      stat.lastText = null;
      stat.dirty = true;
    }
    if (tail.length >= CHUNK_SIZE) {
      this.writePointChunk(version, series.keyId, tail);
      tail.advance();
    }
  }

  private pushText(version: string, series: SeriesState, step: number, value: string): void {
    this.db.run('INSERT OR REPLACE INTO text_values (version, key, step, value) VALUES (?,?,?,?)', [version, series.keyId, step, value]);
    const stat = series.stat;
    if (!stat) {
      series.stat = { points: 1, lastStep: step, lastKind: KeyKind.String, lastNum: null, lastText: value, dirty: true };
      this.statsOf(version).set(series.keyId, series.stat);
    } else {
      if (stat.lastStep !== step) stat.points++;
      stat.lastStep = step;
      stat.lastKind = KeyKind.String;
      stat.lastNum = null;
      stat.lastText = value;
      stat.dirty = true;
    }
  }

  /** From the rows themselves: a partial chunk is always in its row, and a full one is not read. */
  private loadTail(sql: string, params: (string | number)[]): Tail {
    const row = this.db.get(sql, params);
    if (!row) return new Tail(0);
    const [chunk, first, n, steps, vals] = row as [number, number, number, Uint8Array | null, Uint8Array];
    if (n >= CHUNK_SIZE) return new Tail(chunk + 1);
    const tail = new Tail(chunk);
    const s = stepsOf(steps, first, n);
    const v = float64Of(vals);
    for (let i = 0; i < n; i++) {
      tail.steps.push(s[i]);
      tail.vals.push(v[i]);
    }
    return tail;
  }

  private statsOf(version: string): Map<number, KeyStat> {
    let stats = this.stats.get(version);
    if (!stats) {
      stats = new Map();
      this.db.each('SELECT key, points, last_step, last_kind, last_num, last_text, last_nan FROM version_keys WHERE version=?', [version], (r) => {
        stats!.set(r[0] as number, {
          points: r[1] as number, lastStep: r[2] as number, lastKind: r[3] as KeyKind,
          lastNum: r[6] === 1 ? Number.NaN : (r[4] as number | null), lastText: r[5] as string | null, dirty: false,
        });
      });
      this.stats.set(version, stats);
    }
    return stats;
  }

  private extremesOf(version: string): Map<number, Extreme> {
    let found = this.extremes.get(version);
    if (!found) {
      const map = new Map<number, Extreme>();
      for (const [key, [lo, hi]] of readExtremes(this.db, version)) map.set(key, { lo, hi, dirty: false });
      this.extremes.set(version, map);
      found = map;
    }
    return found;
  }

  /**
   * Computes a version's extremes again from the stored chunks at the next flush: a rewind or fork,
   * whose visible history starts with its source's rows up to the branch step.
   */
  recomputeExtremes(version: string): void {
    this.recomputing.add(version);
  }

  keyId(name: string): number {
    let id = this.keyIds.get(name);
    if (id === undefined) {
      id = this.keyIds.size + 1;
      this.db.run('INSERT INTO keys (id, name) VALUES (?, ?)', [id, name]);
      this.keyIds.set(name, id);
      this.keyNames.set(id, name);
    }
    return id;
  }

  private writeStepChunk(version: string, tail: Tail): void {
    storeStepChunk(this.db, version, tail.chunk, encodeChunk(tail.steps, tail.vals));
    tail.dirty = false;
  }

  private writePointChunk(version: string, keyId: number, tail: Tail): void {
    const c = encodeChunk(tail.steps, tail.vals);
    storePointChunk(this.db, version, keyId, tail.chunk, c);
    // Only a full chunk is summarized: it never changes again, while the last one is rewritten at every
    // flush and downsampling reads its points.
    if (c.n >= CHUNK_SIZE) storeSummary(this.db, version, keyId, tail.chunk, c);
    tail.dirty = false;
  }

  /** Writes every partial chunk and key statistic that changed. */
  flush(): void {
    for (const [version, tail] of this.stepTails) if (tail.dirty && tail.length > 0) this.writeStepChunk(version, tail);
    for (const [version, tails] of this.pointTails) {
      for (const [keyId, tail] of tails) if (tail.dirty && tail.length > 0) this.writePointChunk(version, keyId, tail);
    }
    for (const [version, stats] of this.stats) {
      for (const [keyId, s] of stats) {
        if (!s.dirty) continue;
        const nan = s.lastNum !== null && Number.isNaN(s.lastNum);
        this.db.run('INSERT OR REPLACE INTO version_keys (version, key, points, last_step, last_kind, last_num, last_text, last_nan) VALUES (?,?,?,?,?,?,?,?)', [
          version, keyId, s.points, s.lastStep, s.lastKind, nan ? null : s.lastNum, s.lastText, nan ? 1 : 0,
        ]);
        s.dirty = false;
      }
    }
    // After the chunks above are written: a recomputed version reads them.
    for (const version of this.recomputing) {
      const computed = extremesOfSegments(this.db, this.segmentsOf(version));
      storeExtremes(this.db, version, computed);
      // The same objects stay in place: a series being appended to holds them.
      const kept = this.extremesOf(version);
      for (const [keyId, e] of kept) {
        const found = computed.get(keyId);
        e.lo = found ? found[0] : Number.POSITIVE_INFINITY;
        e.hi = found ? found[1] : Number.NEGATIVE_INFINITY;
        e.dirty = false;
      }
      for (const [keyId, [lo, hi]] of computed) if (!kept.has(keyId)) kept.set(keyId, { lo, hi, dirty: false });
    }
    this.recomputing.clear();
    for (const [version, map] of this.extremes) {
      let dirty = false;
      for (const e of map.values()) {
        dirty ||= e.dirty;
        e.dirty = false;
      }
      if (!dirty) continue;
      const all: Extremes = new Map();
      for (const [keyId, e] of map) if (e.lo <= e.hi) all.set(keyId, [e.lo, e.hi]);
      storeExtremes(this.db, version, all);
    }
  }

  /** Forgets the in-memory tails of a version that will not grow (its writer finished). */
  release(version: string): void {
    this.stepTails.delete(version);
    this.pointTails.delete(version);
    this.stats.delete(version);
    this.appending.delete(version);
    if (!this.recomputing.has(version)) this.extremes.delete(version);
  }

  keyName(id: number): string {
    return this.keyNames.get(id) ?? `#${id}`;
  }

  lookupKey(name: string): number | undefined {
    return this.keyIds.get(name);
  }
}
