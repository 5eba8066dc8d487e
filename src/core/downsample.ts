// Min/max downsampling in the M4 style: per bucket of steps, keep the first, last, lowest and highest
// point. A line drawn through them is pixel-identical to the full line at that width, so no spike is
// ever hidden (unlike TensorBoard's reservoir sampling or MLflow's fixed point budget).

export interface Visitor {
  (steps: Float64Array, values: Float64Array, start: number, end: number): void;
}

export interface Downsampled {
  readonly steps: Float64Array;
  readonly values: Float64Array;
  /** Points seen, including non-finite ones (which are left out of the envelope). */
  readonly total: number;
}

/**
 * Takes a whole stored chunk from its summary (see chunks.ts `Summary`) when all of its points fall in
 * one bucket, and says whether it did; when it did not, the caller visits the chunk's points instead.
 */
export interface WholeVisitor {
  /** `summary` holds the chunk's `Summary` from index `at` on (a row of many, read without copying). */
  (firstStep: number, lastStep: number, n: number, summary: Float64Array, at: number): boolean;
}

/** Whether points from firstStep to lastStep all fall in one bucket (what WholeVisitor takes). */
export interface Fits {
  (firstStep: number, lastStep: number): boolean;
}

/**
 * Downsamples a step-ordered stream of points in [first, last] into at most `buckets` buckets.
 * `source` calls its visitor once per stored chunk, so nothing is copied before it is reduced; a chunk
 * that lies inside one bucket may be offered whole instead, so only its summary is read (`fits` says
 * beforehand which will be taken).
 */
export function downsampleM4(buckets: number, first: number, last: number, source: (visit: Visitor, whole: WholeVisitor, fits: Fits) => void): Downsampled {
  const n = Math.max(1, Math.floor(buckets));
  const width = Math.max(1, (last - first + 1) / n);
  const firstStep = new Float64Array(n).fill(Number.NaN);
  const firstVal = new Float64Array(n);
  const lastStep = new Float64Array(n);
  const lastVal = new Float64Array(n);
  const minStep = new Float64Array(n);
  const minVal = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const maxStep = new Float64Array(n);
  const maxVal = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  let total = 0;
  const bucketOf = (step: number): number => Math.min(n - 1, Math.max(0, Math.floor((step - first) / width)));
  const edgeOf = (b: number): number => (b === n - 1 ? Number.POSITIVE_INFINITY : first + (b + 1) * width);
  // Points are merged into bucket b in step order: the first finite point stays, the last replaces,
  // and a later min/max wins only when strictly beyond (so ties keep the earliest point).
  const merge = (b: number, fS: number, fV: number, lS: number, lV: number, minS: number, minV: number, maxS: number, maxV: number): void => {
    if (fS !== fS) return;
    if (firstStep[b] !== firstStep[b]) {
      firstStep[b] = fS;
      firstVal[b] = fV;
    }
    lastStep[b] = lS;
    lastVal[b] = lV;
    if (minV < minVal[b]) {
      minVal[b] = minV;
      minStep[b] = minS;
    }
    if (maxV > maxVal[b]) {
      maxVal[b] = maxV;
      maxStep[b] = maxS;
    }
  };
  // The same bucket the point loop below would give every point of a chunk: it starts from
  // bucketOf(first point) and moves on only at an edge.
  const fits: Fits = (firstS, lastS) => lastS < edgeOf(bucketOf(firstS));
  const whole: WholeVisitor = (firstS, lastS, count, m, at) => {
    if (!fits(firstS, lastS)) return false;
    const b = bucketOf(firstS);
    total += count;
    merge(b, m[at], m[at + 1], m[at + 2], m[at + 3], m[at + 4], m[at + 5], m[at + 6], m[at + 7]);
    return true;
  };
  const visit: Visitor = (steps, values, start, end) => {
    total += end - start;
    let i = start;
    if (i >= end) return;
    let b = bucketOf(steps[i]);
    // Steps ascend, so each bucket is one run of points: sweep it with local accumulators and merge
    // once (a bucket cut by a chunk boundary is merged twice).
    for (;;) {
      const edge = edgeOf(b);
      let fS = Number.NaN;
      let fV = 0;
      let lS = 0;
      let lV = 0;
      let minS = 0;
      let minV = Number.POSITIVE_INFINITY;
      let maxS = 0;
      let maxV = Number.NEGATIVE_INFINITY;
      do {
        const v = values[i];
        if (v - v === 0) {
          // finite (NaN and ±Infinity are counted by the caller, not drawn)
          const st = steps[i];
          if (fS !== fS) {
            fS = st;
            fV = v;
          }
          lS = st;
          lV = v;
          if (v < minV) {
            minV = v;
            minS = st;
          }
          if (v > maxV) {
            maxV = v;
            maxS = st;
          }
        }
        i++;
      } while (i < end && steps[i] < edge);
      merge(b, fS, fV, lS, lV, minS, minV, maxS, maxV);
      if (i >= end) return;
      b = Math.max(b + 1, bucketOf(steps[i]));
      if (b > n - 1) b = n - 1;
    }
  };
  source(visit, whole, fits);
  const outSteps = new Float64Array(n * 4);
  const outVals = new Float64Array(n * 4);
  let k = 0;
  const emit = (s: number, v: number): void => {
    if (k > 0 && outSteps[k - 1] === s) return;
    outSteps[k] = s;
    outVals[k] = v;
    k++;
  };
  for (let b = 0; b < n; b++) {
    if (firstStep[b] !== firstStep[b]) continue;
    emit(firstStep[b], firstVal[b]);
    // min and max in step order, between first and last
    if (minStep[b] <= maxStep[b]) {
      emit(minStep[b], minVal[b]);
      emit(maxStep[b], maxVal[b]);
    } else {
      emit(maxStep[b], maxVal[b]);
      emit(minStep[b], minVal[b]);
    }
    emit(lastStep[b], lastVal[b]);
  }
  return { steps: outSteps.slice(0, k), values: outVals.slice(0, k), total };
}
