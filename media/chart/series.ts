// Point arrays of one line in the webview: growable typed arrays for live appends, TensorBoard's
// debiased EMA, binary search by x, and the join of several lines onto one x axis for uPlot.
import type { LineData, SeriesSegment, StepRange } from '../../src/shared/protocol';

/** The points of one line as the webview holds them (the used prefix of each array is `length`). */
export class LinePoints {
  steps: Float64Array;
  values: Float64Array;
  times: Float64Array | undefined;
  length: number;
  readonly exact: boolean;
  readonly total: number;
  readonly segments: readonly SeriesSegment[];
  readonly range: StepRange | undefined;
  readonly nonFinite: number;

  constructor(data: LineData) {
    this.steps = data.steps;
    this.values = data.values;
    this.times = data.times;
    this.length = data.steps.length;
    this.exact = data.exact;
    this.total = data.total;
    this.segments = data.segments;
    this.range = data.range;
    this.nonFinite = data.nonFinite.nan + data.nonFinite.posInf + data.nonFinite.negInf;
  }

  get lastStep(): number {
    return this.length > 0 ? this.steps[this.length - 1] : -1;
  }

  /** Appends points after the last step (earlier steps are already here and are skipped). */
  append(steps: Float64Array, values: Float64Array, times: Float64Array | undefined): number {
    let start = 0;
    const last = this.lastStep;
    while (start < steps.length && steps[start] <= last) start++;
    const n = steps.length - start;
    if (n <= 0) return 0;
    if (this.range?.to !== undefined) return 0;
    this.reserve(this.length + n);
    this.steps.set(steps.subarray(start), this.length);
    this.values.set(values.subarray(start), this.length);
    if (this.times) {
      if (times) this.times.set(times.subarray(start), this.length);
      else this.times.fill(NaN, this.length, this.length + n);
    }
    this.length += n;
    return n;
  }

  /** The used parts of the arrays. */
  view(): { steps: Float64Array; values: Float64Array; times: Float64Array | undefined } {
    return {
      steps: this.steps.subarray(0, this.length),
      values: this.values.subarray(0, this.length),
      times: this.times?.subarray(0, this.length),
    };
  }

  private reserve(capacity: number): void {
    if (capacity <= this.steps.length) return;
    const size = Math.max(capacity, Math.ceil(this.steps.length * 1.5), 64);
    const grow = (a: Float64Array): Float64Array => {
      const b = new Float64Array(size);
      b.set(a.subarray(0, this.length));
      return b;
    };
    this.steps = grow(this.steps);
    this.values = grow(this.values);
    if (this.times) this.times = grow(this.times);
  }
}

/** Where TensorBoard's EMA stands after some points: its running sum and how many finite points it saw. */
export interface EmaState {
  readonly last: number;
  readonly seen: number;
}

export const EMA_START: EmaState = { last: 0, seen: 0 };

/**
 * TensorBoard's smoothing: an exponential moving average debiased by the weight of the points seen,
 * so the start of a line is not pulled towards zero. Non-finite values pass through; a constant line
 * stays as it is (TensorBoard does the same). `start` continues an EMA that ran over earlier points
 * (a version's inherited history), so a line does not restart at its branch step.
 */
export function smoothEma(values: Float64Array, weight: number, start: EmaState = EMA_START): Float64Array {
  const out = new Float64Array(values.length);
  if (weight <= 0 || values.length === 0) {
    out.set(values);
    return out;
  }
  if (start.seen === 0) {
    let constant = true;
    for (let i = 1; i < values.length && constant; i++) if (values[i] !== values[0]) constant = false;
    if (constant) {
      out.set(values);
      return out;
    }
  }
  let last = start.last;
  let seen = start.seen;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    seen++;
    const debias = weight === 1 ? 1 : 1 - Math.pow(weight, seen);
    out[i] = last / debias;
  }
  return out;
}

/** The EMA's state after `start` and then the first `count` of `values`. */
export function emaState(values: Float64Array, count: number, weight: number, start: EmaState = EMA_START): EmaState {
  let last = start.last;
  let seen = start.seen;
  for (let i = 0; i < Math.min(count, values.length); i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    last = last * weight + (1 - weight) * v;
    seen++;
  }
  return { last, seen };
}

/** Index of the last element <= x in sorted `a` (prefix of `length`), or -1. */
export function floorIndex(a: Float64Array, length: number, x: number): number {
  let lo = 0;
  let hi = length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Index of the element nearest to x in sorted `a`, or -1 when empty. */
export function nearestIndex(a: Float64Array, length: number, x: number): number {
  if (length === 0) return -1;
  const i = floorIndex(a, length, x);
  if (i < 0) return 0;
  if (i >= length - 1) return length - 1;
  return x - a[i] <= a[i + 1] - x ? i : i + 1;
}

/** Index of exactly `x` in sorted `a`, or -1. */
export function indexOf(a: Float64Array, length: number, x: number): number {
  const i = floorIndex(a, length, x);
  return i >= 0 && a[i] === x ? i : -1;
}

export interface XY {
  readonly x: Float64Array;
  /** Non-finite values are gaps (null for uPlot). */
  readonly y: Float64Array;
}

export type Column = Float64Array | (number | null)[];

/**
 * Puts several (x-sorted) series on one shared x axis, as uPlot wants: one x column and one y column per
 * series with null where that series has no point. With one series and only finite values, the typed
 * arrays go to uPlot as they are.
 */
export function joinSeries(series: readonly XY[], mapY?: (y: number) => number | null): { x: Float64Array; ys: Column[] } {
  if (series.length === 1 && !mapY && allFinite(series[0].y)) {
    return { x: series[0].x, ys: [series[0].y] };
  }
  const x = mergeUnique(series.map((s) => s.x));
  const n = x.length;
  const ys: Column[] = series.map((s) => {
    const col: (number | null)[] = new Array<number | null>(n).fill(null);
    let j = 0;
    for (let i = 0; i < s.x.length; i++) {
      const xi = s.x[i];
      while (j < n && x[j] < xi) j++;
      if (j >= n) break;
      if (x[j] === xi) {
        const v = s.y[i];
        col[j] = Number.isFinite(v) ? (mapY ? mapY(v) : v) : null;
      }
    }
    return col;
  });
  return { x, ys };
}

/** The sorted union of several sorted arrays (NaN left out), merged pairwise. */
function mergeUnique(arrays: readonly Float64Array[]): Float64Array {
  let parts = arrays.map(dedupe);
  while (parts.length > 1) {
    const next: Float64Array[] = [];
    for (let i = 0; i < parts.length; i += 2) next.push(i + 1 < parts.length ? merge2(parts[i], parts[i + 1]) : parts[i]);
    parts = next;
  }
  return parts[0] ?? new Float64Array(0);
}

function dedupe(a: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v === v && (n === 0 || v > out[n - 1])) out[n++] = v;
  }
  return n === a.length ? out : out.subarray(0, n);
}

function merge2(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const va = a[i];
    const vb = b[j];
    if (va < vb) {
      out[n++] = va;
      i++;
    } else if (vb < va) {
      out[n++] = vb;
      j++;
    } else {
      out[n++] = va;
      i++;
      j++;
    }
  }
  while (i < a.length) out[n++] = a[i++];
  while (j < b.length) out[n++] = b[j++];
  return out.subarray(0, n);
}

function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}
