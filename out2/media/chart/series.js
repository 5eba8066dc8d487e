"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.LinePoints = void 0;
exports.smoothEma = smoothEma;
exports.floorIndex = floorIndex;
exports.nearestIndex = nearestIndex;
exports.indexOf = indexOf;
exports.joinSeries = joinSeries;
/** The points of one line as the webview holds them (the used prefix of each array is `length`). */
class LinePoints {
    steps;
    values;
    times;
    length;
    exact;
    total;
    segments;
    range;
    nonFinite;
    constructor(data) {
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
    get lastStep() {
        return this.length > 0 ? this.steps[this.length - 1] : -1;
    }
    /** Appends points after the last step (earlier steps are already here and are skipped). */
    append(steps, values, times) {
        let start = 0;
        const last = this.lastStep;
        while (start < steps.length && steps[start] <= last)
            start++;
        const n = steps.length - start;
        if (n <= 0)
            return 0;
        if (this.range?.to !== undefined)
            return 0;
        this.reserve(this.length + n);
        this.steps.set(steps.subarray(start), this.length);
        this.values.set(values.subarray(start), this.length);
        if (this.times) {
            if (times)
                this.times.set(times.subarray(start), this.length);
            else
                this.times.fill(NaN, this.length, this.length + n);
        }
        this.length += n;
        return n;
    }
    /** The used parts of the arrays. */
    view() {
        return {
            steps: this.steps.subarray(0, this.length),
            values: this.values.subarray(0, this.length),
            times: this.times?.subarray(0, this.length),
        };
    }
    reserve(capacity) {
        if (capacity <= this.steps.length)
            return;
        const size = Math.max(capacity, Math.ceil(this.steps.length * 1.5), 64);
        const grow = (a) => {
            const b = new Float64Array(size);
            b.set(a.subarray(0, this.length));
            return b;
        };
        this.steps = grow(this.steps);
        this.values = grow(this.values);
        if (this.times)
            this.times = grow(this.times);
    }
}
exports.LinePoints = LinePoints;
/**
 * TensorBoard's smoothing: an exponential moving average debiased by the weight of the points seen,
 * so the start of a line is not pulled towards zero. Non-finite values pass through; a constant line
 * stays as it is (TensorBoard does the same).
 */
function smoothEma(values, weight) {
    const out = new Float64Array(values.length);
    if (weight <= 0 || values.length === 0) {
        out.set(values);
        return out;
    }
    let constant = true;
    for (let i = 1; i < values.length && constant; i++)
        if (values[i] !== values[0])
            constant = false;
    if (constant) {
        out.set(values);
        return out;
    }
    let last = 0;
    let seen = 0;
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
/** Index of the last element <= x in sorted `a` (prefix of `length`), or -1. */
function floorIndex(a, length, x) {
    let lo = 0;
    let hi = length - 1;
    let found = -1;
    while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (a[mid] <= x) {
            found = mid;
            lo = mid + 1;
        }
        else
            hi = mid - 1;
    }
    return found;
}
/** Index of the element nearest to x in sorted `a`, or -1 when empty. */
function nearestIndex(a, length, x) {
    if (length === 0)
        return -1;
    const i = floorIndex(a, length, x);
    if (i < 0)
        return 0;
    if (i >= length - 1)
        return length - 1;
    return x - a[i] <= a[i + 1] - x ? i : i + 1;
}
/** Index of exactly `x` in sorted `a`, or -1. */
function indexOf(a, length, x) {
    const i = floorIndex(a, length, x);
    return i >= 0 && a[i] === x ? i : -1;
}
/**
 * Puts several (x-sorted) series on one shared x axis, as uPlot wants: one x column and one y column per
 * series with null where that series has no point. With one series and only finite values, the typed
 * arrays go to uPlot as they are.
 */
function joinSeries(series, mapY) {
    if (series.length === 1 && !mapY && allFinite(series[0].y)) {
        return { x: series[0].x, ys: [series[0].y] };
    }
    const x = mergeUnique(series.map((s) => s.x));
    const n = x.length;
    const ys = series.map((s) => {
        const col = new Array(n).fill(null);
        let j = 0;
        for (let i = 0; i < s.x.length; i++) {
            const xi = s.x[i];
            while (j < n && x[j] < xi)
                j++;
            if (j >= n)
                break;
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
function mergeUnique(arrays) {
    let parts = arrays.map(dedupe);
    while (parts.length > 1) {
        const next = [];
        for (let i = 0; i < parts.length; i += 2)
            next.push(i + 1 < parts.length ? merge2(parts[i], parts[i + 1]) : parts[i]);
        parts = next;
    }
    return parts[0] ?? new Float64Array(0);
}
function dedupe(a) {
    const out = new Float64Array(a.length);
    let n = 0;
    for (let i = 0; i < a.length; i++) {
        const v = a[i];
        if (v === v && (n === 0 || v > out[n - 1]))
            out[n++] = v;
    }
    return n === a.length ? out : out.subarray(0, n);
}
function merge2(a, b) {
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
        }
        else if (vb < va) {
            out[n++] = vb;
            j++;
        }
        else {
            out[n++] = va;
            i++;
            j++;
        }
    }
    while (i < a.length)
        out[n++] = a[i++];
    while (j < b.length)
        out[n++] = b[j++];
    return out.subarray(0, n);
}
function allFinite(a) {
    for (let i = 0; i < a.length; i++)
        if (!Number.isFinite(a[i]))
            return false;
    return true;
}
//# sourceMappingURL=series.js.map