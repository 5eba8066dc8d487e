// Series are stored as chunks of little-endian Float64 blocks. A chunk's steps are left out when they
// run first, first+1, …; min and max of its values sit beside it. The summary of each full chunk's
// finite points (`Summary`) is kept apart, SUMMARY_BLOCK chunks to a row of point_summaries, so
// downsampling reads a few small rows for thousands of chunks and no value blob for a chunk inside
// one bucket.
import type { Db } from './sqlite';

export interface EncodedChunk {
  readonly first: number;
  readonly last: number;
  readonly n: number;
  /** null when the steps are contiguous. */
  readonly steps: Uint8Array | null;
  readonly vals: Uint8Array;
  readonly vmin: number | null;
  readonly vmax: number | null;
  /** The chunk's `Summary` (computed when asked: only full point chunks keep one). */
  readonly summary: Float64Array;
}

/**
 * What min/max downsampling needs of a whole chunk, as Float64 values: the first, last, lowest and
 * highest finite point (step, value — the earliest on ties, as the point loop in downsample.ts picks
 * them; the first step is NaN when no value is finite), then its NaN, +Infinity and -Infinity counts.
 */
export const Summary = { FirstStep: 0, FirstVal: 1, LastStep: 2, LastVal: 3, MinStep: 4, MinVal: 5, MaxStep: 6, MaxVal: 7, NaN: 8, PosInf: 9, NegInf: 10, Length: 11 } as const;

export function summarize(steps: ArrayLike<number>, values: ArrayLike<number>): Float64Array {
  const m = new Float64Array(Summary.Length);
  let fS = Number.NaN;
  let minV = Number.POSITIVE_INFINITY;
  let maxV = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v === 0) {
      const st = steps[i];
      if (fS !== fS) {
        fS = st;
        m[Summary.FirstVal] = v;
      }
      m[Summary.LastStep] = st;
      m[Summary.LastVal] = v;
      if (v < minV) {
        minV = v;
        m[Summary.MinStep] = st;
      }
      if (v > maxV) {
        maxV = v;
        m[Summary.MaxStep] = st;
      }
    } else if (v !== v) m[Summary.NaN]++;
    else if (v > 0) m[Summary.PosInf]++;
    else m[Summary.NegInf]++;
  }
  m[Summary.FirstStep] = fS;
  m[Summary.MinVal] = minV;
  m[Summary.MaxVal] = maxV;
  return m;
}

/** Chunks per row of point_summaries. */
export const SUMMARY_BLOCK = 64;

/**
 * One chunk's entry in a point_summaries row, as Float64 values: its first and last step and point
 * count, then its `Summary`. Entry i of block b is chunk b*SUMMARY_BLOCK+i; an entry with N = 0 (a gap)
 * has no summary, and its chunk is read from its points.
 */
export const Entry = { First: 0, Last: 1, N: 2, Summary: 3, Length: 3 + Summary.Length } as const;

const SELECT_BLOCK = 'SELECT data FROM point_summaries WHERE version=? AND key=? AND block=?';
const WRITE_BLOCK = 'INSERT OR REPLACE INTO point_summaries (version, key, block, data) VALUES (?,?,?,?)';

/** A sealed chunk as point_summaries keeps it. */
export type Summarized = Pick<EncodedChunk, 'first' | 'last' | 'n' | 'summary'>;

function putEntry(block: Float64Array, i: number, c: Summarized): void {
  const o = i * Entry.Length;
  block[o + Entry.First] = c.first;
  block[o + Entry.Last] = c.last;
  block[o + Entry.N] = c.n;
  block.set(c.summary, o + Entry.Summary);
}

/** Stores the summary of a sealed (full) chunk in its point_summaries row: a read and a write per 1,024 points. */
export function storeSummary(db: Db, version: string, key: number, chunk: number, c: Summarized): void {
  const b = Math.floor(chunk / SUMMARY_BLOCK);
  const i = chunk - b * SUMMARY_BLOCK;
  const row = db.get(SELECT_BLOCK, [version, key, b]);
  const old = row ? float64Of(row[0] as Uint8Array) : new Float64Array(0);
  const block = new Float64Array(Math.max(old.length, (i + 1) * Entry.Length));
  block.set(old);
  putEntry(block, i, c);
  db.run(WRITE_BLOCK, [version, key, b, bytesOf(block)]);
}

/**
 * Writes the summaries of many sealed chunks handed over in (version, key, chunk) order, a row at a
 * time: for the schema migration and for stores generated straight into the database (bench).
 */
export class SummaryWriter {
  private at: { version: string; key: number; block: number; data: Float64Array; used: number } | undefined;
  constructor(private readonly db: Db) {}

  add(version: string, key: number, chunk: number, c: Summarized): void {
    const b = Math.floor(chunk / SUMMARY_BLOCK);
    if (!this.at || this.at.version !== version || this.at.key !== key || this.at.block !== b) {
      this.end();
      this.at = { version, key, block: b, data: new Float64Array(SUMMARY_BLOCK * Entry.Length), used: 0 };
    }
    const i = chunk - b * SUMMARY_BLOCK;
    putEntry(this.at.data, i, c);
    this.at.used = Math.max(this.at.used, i + 1);
  }

  /** Writes the row being filled. */
  end(): void {
    if (!this.at) return;
    this.db.run(WRITE_BLOCK, [this.at.version, this.at.key, this.at.block, bytesOf(this.at.data.subarray(0, this.at.used * Entry.Length))]);
    this.at = undefined;
  }
}

/** The part of a series not yet sealed into a full chunk; rewritten in place until it is full. */
export class Tail {
  readonly steps: number[] = [];
  readonly vals: number[] = [];
  dirty = false;
  constructor(public chunk: number) {}

  push(step: number, value: number): void {
    this.steps.push(step);
    this.vals.push(value);
    this.dirty = true;
  }

  get length(): number {
    return this.steps.length;
  }

  /** Starts the next chunk once this one has been written. */
  advance(): void {
    this.chunk++;
    this.steps.length = 0;
    this.vals.length = 0;
    this.dirty = false;
  }
}

export function encodeChunk(steps: readonly number[], vals: readonly number[]): EncodedChunk {
  const n = steps.length;
  const first = steps[0];
  let contiguous = true;
  for (let i = 1; i < n; i++) {
    if (steps[i] !== first + i) {
      contiguous = false;
      break;
    }
  }
  const values = Float64Array.from(vals);
  let vmin = Number.POSITIVE_INFINITY;
  let vmax = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v < vmin) vmin = v;
    if (v > vmax) vmax = v;
  }
  // NaN never wins a comparison, so a chunk of NaNs leaves vmin > vmax: no extremes (SQL NULL).
  const any = vmin <= vmax;
  return {
    first,
    last: steps[n - 1],
    n,
    steps: contiguous ? null : bytesOf(Float64Array.from(steps)),
    vals: bytesOf(values),
    vmin: any ? vmin : null,
    vmax: any ? vmax : null,
    get summary() {
      return summarize(steps, values);
    },
  };
}

export function bytesOf(array: Float64Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** A Float64Array view of a blob (copied when the blob is not 8-byte aligned). */
export function float64Of(blob: Uint8Array): Float64Array {
  if (blob.byteOffset % 8 === 0) return new Float64Array(blob.buffer, blob.byteOffset, blob.byteLength >> 3);
  return new Float64Array(blob.slice().buffer, 0, blob.byteLength >> 3);
}

/** The steps of a chunk: decoded, or made from first..first+n-1 (in `into` when it is given and big enough). */
export function stepsOf(blob: Uint8Array | null, first: number, n: number, into?: Float64Array): Float64Array {
  if (blob) return float64Of(blob);
  const out = into && into.length >= n ? into.subarray(0, n) : new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = first + i;
  return out;
}

/** Index of the first element >= x in a sorted array (between lo and hi). */
export function lowerBound(array: ArrayLike<number>, x: number, lo = 0, hi = array.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (array[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element > x. */
export function upperBound(array: ArrayLike<number>, x: number, lo = 0, hi = array.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (array[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
