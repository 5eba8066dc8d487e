// Series are stored as chunks of little-endian Float64 blocks. A chunk's steps are left out when they
// run first, first+1, …; min and max of its values sit beside it. The summary of each full chunk's
// finite points (`Summary`) is kept apart, SUMMARY_BLOCK chunks to a row of point_summaries, so
// downsampling reads a few small rows for thousands of chunks and no value blob for a chunk inside
// one bucket. Inside a full chunk, marks (`Mark`) say where each block of MARK_BLOCK points has its
// first, last, lowest and highest finite value, so a chunk a bucket edge splits is drawn from its marks
// and the points of one block, not from all of its points.
import { chunkFilesOf } from './chunkFiles';
import type { Db, Row } from './sqlite';

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
  /** The chunk's marks (computed when asked: only full point chunks keep them). */
  readonly marks: Uint8Array;
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

/** Points per block of a chunk's marks: a bucket edge inside a chunk costs the points of one block. */
export const MARK_BLOCK = 64;

/**
 * A block's marks, as Uint16 values: the index in the chunk of its first, last, lowest and highest
 * finite value (NO_MARK when it has none; the earliest on ties, as the point loop picks them), then its
 * NaN, +Infinity and -Infinity counts. A chunk's marks are its blocks' in order.
 */
export const Mark = { First: 0, Last: 1, Min: 2, Max: 3, NaN: 4, PosInf: 5, NegInf: 6, Length: 7 } as const;
export const NO_MARK = 0xffff;

/** The marks of a chunk's values (little-endian Uint16, as every chunk blob is in the machine's order). */
export function markChunk(values: ArrayLike<number>): Uint8Array {
  const blocks = Math.ceil(values.length / MARK_BLOCK);
  const m = new Uint16Array(blocks * Mark.Length);
  for (let b = 0; b < blocks; b++) {
    const o = b * Mark.Length;
    m[o + Mark.First] = m[o + Mark.Last] = m[o + Mark.Min] = m[o + Mark.Max] = NO_MARK;
    let minV = Number.POSITIVE_INFINITY;
    let maxV = Number.NEGATIVE_INFINITY;
    for (let i = b * MARK_BLOCK, end = Math.min(values.length, i + MARK_BLOCK); i < end; i++) {
      const v = values[i];
      if (v - v === 0) {
        if (m[o + Mark.First] === NO_MARK) m[o + Mark.First] = i;
        m[o + Mark.Last] = i;
        if (v < minV) {
          minV = v;
          m[o + Mark.Min] = i;
        }
        if (v > maxV) {
          maxV = v;
          m[o + Mark.Max] = i;
        }
      } else if (v !== v) m[o + Mark.NaN]++;
      else if (v > 0) m[o + Mark.PosInf]++;
      else m[o + Mark.NegInf]++;
    }
  }
  return new Uint8Array(m.buffer);
}

/**
 * Block `block`'s `Summary` from a chunk's marks and points, into `out` (the same a scan of its points
 * gives: summarize).
 */
export function markedSummary(marks: Uint16Array, block: number, steps: Float64Array, values: Float64Array, out: Float64Array): Float64Array {
  const o = block * Mark.Length;
  const first = marks[o + Mark.First];
  if (first === NO_MARK) {
    out.fill(0);
    out[Summary.FirstStep] = Number.NaN;
    out[Summary.MinVal] = Number.POSITIVE_INFINITY;
    out[Summary.MaxVal] = Number.NEGATIVE_INFINITY;
  } else {
    const last = marks[o + Mark.Last];
    const min = marks[o + Mark.Min];
    const max = marks[o + Mark.Max];
    out[Summary.FirstStep] = steps[first];
    out[Summary.FirstVal] = values[first];
    out[Summary.LastStep] = steps[last];
    out[Summary.LastVal] = values[last];
    out[Summary.MinStep] = steps[min];
    out[Summary.MinVal] = values[min];
    out[Summary.MaxStep] = steps[max];
    out[Summary.MaxVal] = values[max];
  }
  out[Summary.NaN] = marks[o + Mark.NaN];
  out[Summary.PosInf] = marks[o + Mark.PosInf];
  out[Summary.NegInf] = marks[o + Mark.NegInf];
  return out;
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
    get marks() {
      return markChunk(values);
    },
  };
}

export function bytesOf(array: Float64Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** A Uint16Array view of a blob (copied when the blob is not 2-byte aligned). */
export function uint16Of(blob: Uint8Array): Uint16Array {
  if (blob.byteOffset % 2 === 0) return new Uint16Array(blob.buffer, blob.byteOffset, blob.byteLength >> 1);
  return new Uint16Array(blob.slice().buffer, 0, blob.byteLength >> 1);
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

/** A point chunk as downsampling reads it: its points and, for a full chunk stored since schema 12, its marks. */
export interface MarkedChunk {
  readonly steps: Float64Array;
  readonly values: Float64Array;
  readonly marks: Uint16Array | undefined;
}

const MARKED_COLUMNS = 'first_step, n, steps, vals, marks, file, file_at, file_steps, file_marks, chunk FROM point_chunk_rows WHERE version=? AND key=?';
// The chunk numbers as a JSON array: one statement for the ~2,000 chunks an answer cuts, not 2,000.
const MARKED_CHUNKS = `SELECT ${MARKED_COLUMNS} AND chunk IN (SELECT value FROM json_each(?)) ORDER BY chunk`;

/** A chunk of a version's step index as ChunkReader.stepChunkAt finds it. */
export interface TimedChunk {
  readonly first: number;
  readonly n: number;
  /** null when its steps run first, first+1, … */
  readonly steps: Float64Array | null;
  /** The wall time of its j-th step. */
  timeAt(j: number): number;
}

const STEP_COLUMNS = 'first_step, n, steps, times, file, file_at, file_steps FROM step_chunk_rows';
const STEP_CHUNK_AT = `SELECT ${STEP_COLUMNS} WHERE version=? AND last_step>=? ORDER BY last_step LIMIT 1`;
// The chunks holding (or first after) each of a JSON array of steps, each once, in order.
const STEP_CHUNKS_AT = `SELECT ${STEP_COLUMNS} WHERE rowid IN (SELECT (SELECT rowid FROM step_chunk_rows WHERE version=?1 AND last_step>=j.value ORDER BY last_step LIMIT 1) FROM json_each(?2) j) ORDER BY last_step`;

/**
 * Reads what downsampling needs of chunks that are cut, a chunk file's bytes into buffers kept from
 * call to call (so each answer is valid until the next read): a point chunk with its marks, and the
 * wall times of a few steps (8 bytes each, not the chunk). The chunk views (schema.ts READ_VIEWS) hand
 * out a new copy of every blob and have no marks: downsampling reads thousands of chunks per answer, and
 * the copies were most of its time.
 */
export class ChunkReader {
  private buffer = new ArrayBuffer(0);
  private counting = new Float64Array(0);
  private views: (MarkedChunk & { bytes: Uint8Array; stepBytes: number; n: number; markBytes: number }) | undefined;

  constructor(private readonly db: Db) {}

  /**
   * Reads the given chunks (ascending) of a key in one statement, in order; those not stored are left
   * out. Each chunk handed to `visit` is valid until `visit` returns.
   */
  each(version: string, key: number, chunks: readonly number[], visit: (chunk: number, c: MarkedChunk) => void): void {
    if (chunks.length === 0) return;
    this.db.each(MARKED_CHUNKS, [version, key, JSON.stringify(chunks)], (r) => visit(r[9] as number, this.markedChunkOf(r)));
  }

  private markedChunkOf(r: Row): MarkedChunk {
    const first = r[0] as number;
    const n = r[1] as number;
    const file = r[5] as number | null;
    if (file === null) {
      const marks = r[4] as Uint8Array | null;
      return { steps: stepsOf(r[2] as Uint8Array | null, first, n, this.countingFrom(n)), values: float64Of(r[3] as Uint8Array), marks: marks ? uint16Of(marks) : undefined };
    }
    const files = chunkFilesOf(this.db);
    const stepBytes = r[7] as number;
    const markBytes = (r[8] as number | null) ?? 0;
    const views = this.viewsOf(stepBytes, n, markBytes);
    files.readInto(file, r[6] as number, views.bytes);
    if (stepBytes === 0) stepsOf(null, first, n, views.steps);
    return views;
  }

  /** Views of the buffer laid out as a chunk file keeps a chunk: the last layout is kept (they repeat). */
  private viewsOf(stepBytes: number, n: number, markBytes: number): MarkedChunk & { bytes: Uint8Array } {
    const v = this.views;
    if (v && v.stepBytes === stepBytes && v.n === n && v.markBytes === markBytes) return v;
    const length = stepBytes + n * 8 + markBytes;
    if (this.buffer.byteLength < length) this.buffer = new ArrayBuffer(length);
    this.views = {
      stepBytes,
      n,
      markBytes,
      bytes: new Uint8Array(this.buffer, 0, length),
      steps: stepBytes > 0 ? new Float64Array(this.buffer, 0, n) : this.countingFrom(n).subarray(0, n),
      values: new Float64Array(this.buffer, stepBytes, n),
      marks: markBytes > 0 ? new Uint16Array(this.buffer, stepBytes + n * 8, markBytes >> 1) : undefined,
    };
    return this.views;
  }

  /** The step index chunk of `version` that holds `step`, or the first after it. */
  stepChunkAt(version: string, step: number): TimedChunk | undefined {
    const r = this.db.get(STEP_CHUNK_AT, [version, step]);
    return r ? this.timedChunkOf(r) : undefined;
  }

  /** The step index chunks of `version` that hold (or come first after) each of `steps`, each once, in order, in one statement. */
  eachStepChunkAt(version: string, steps: readonly number[], visit: (c: TimedChunk) => void): void {
    if (steps.length > 0) this.db.each(STEP_CHUNKS_AT, [version, JSON.stringify(steps)], (r) => visit(this.timedChunkOf(r)));
  }

  private timedChunkOf(r: Row): TimedChunk {
    const first = r[0] as number;
    const n = r[1] as number;
    const file = r[4] as number | null;
    if (file === null) {
      const blob = r[2] as Uint8Array | null;
      const times = float64Of(r[3] as Uint8Array);
      return { first, n, steps: blob ? float64Of(blob) : null, timeAt: (j) => times[j] };
    }
    const files = chunkFilesOf(this.db);
    const at = r[5] as number;
    const stepBytes = r[6] as number;
    let steps: Float64Array | null = null;
    if (stepBytes > 0) {
      if (this.buffer.byteLength < stepBytes) this.buffer = new ArrayBuffer(stepBytes);
      this.views = undefined;
      steps = new Float64Array(this.buffer, 0, n);
      files.readInto(file, at, new Uint8Array(this.buffer, 0, stepBytes));
    }
    const time = this.time;
    const timeBytes = new Uint8Array(time.buffer);
    return { first, n, steps, timeAt: (j) => files.readInto(file, at + stepBytes + j * 8, timeBytes) && time[0] };
  }

  private readonly time = new Float64Array(1);

  private countingFrom(n: number): Float64Array {
    if (this.counting.length < n) this.counting = new Float64Array(n);
    return this.counting;
  }
}
