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
 * Downsamples a step-ordered stream of points in [first, last] into at most `buckets` buckets.
 * `source` calls its visitor once per stored chunk, so nothing is copied before it is reduced.
 */
export function downsampleM4(buckets: number, first: number, last: number, source: (visit: Visitor) => void): Downsampled {
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
  source((steps, values, start, end) => {
    total += end - start;
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (v - v !== 0) continue; // NaN and ±Infinity are counted by the caller, not drawn
      const s = steps[i];
      let b = Math.floor((s - first) / width);
      if (b >= n) b = n - 1;
      else if (b < 0) b = 0;
      if (firstStep[b] !== firstStep[b]) {
        firstStep[b] = s;
        firstVal[b] = v;
      }
      lastStep[b] = s;
      lastVal[b] = v;
      if (v < minVal[b]) {
        minVal[b] = v;
        minStep[b] = s;
      }
      if (v > maxVal[b]) {
        maxVal[b] = v;
        maxStep[b] = s;
      }
    }
  });
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
