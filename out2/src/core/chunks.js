"use strict";
// Series are stored as chunks of little-endian Float64 blocks. A chunk's steps are left out when they
// run first, first+1, …; min and max of its finite values sit beside it for downsampling.
Object.defineProperty(exports, "__esModule", { value: true });
exports.Tail = void 0;
exports.encodeChunk = encodeChunk;
exports.bytesOf = bytesOf;
exports.float64Of = float64Of;
exports.stepsOf = stepsOf;
exports.lowerBound = lowerBound;
exports.upperBound = upperBound;
/** The part of a series not yet sealed into a full chunk; rewritten in place until it is full. */
class Tail {
    chunk;
    steps = [];
    vals = [];
    dirty = false;
    constructor(chunk) {
        this.chunk = chunk;
    }
    push(step, value) {
        this.steps.push(step);
        this.vals.push(value);
        this.dirty = true;
    }
    get length() {
        return this.steps.length;
    }
    /** Starts the next chunk once this one has been written. */
    advance() {
        this.chunk++;
        this.steps.length = 0;
        this.vals.length = 0;
        this.dirty = false;
    }
}
exports.Tail = Tail;
function encodeChunk(steps, vals) {
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
        if (v < vmin)
            vmin = v;
        if (v > vmax)
            vmax = v;
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
    };
}
function bytesOf(array) {
    return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}
/** A Float64Array view of a blob (copied when the blob is not 8-byte aligned). */
function float64Of(blob) {
    if (blob.byteOffset % 8 === 0)
        return new Float64Array(blob.buffer, blob.byteOffset, blob.byteLength >> 3);
    return new Float64Array(blob.slice().buffer, 0, blob.byteLength >> 3);
}
/** The steps of a chunk: decoded, or made from first..first+n-1. */
function stepsOf(blob, first, n) {
    if (blob)
        return float64Of(blob);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++)
        out[i] = first + i;
    return out;
}
/** Index of the first element >= x in a sorted array (between lo and hi). */
function lowerBound(array, x, lo = 0, hi = array.length) {
    while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (array[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
/** Index of the first element > x. */
function upperBound(array, x, lo = 0, hi = array.length) {
    while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (array[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
//# sourceMappingURL=chunks.js.map