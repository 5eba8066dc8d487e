"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
// Series queries over chunked, copy-on-write storage: ranges, downsampling that keeps every spike, times.
const assert = __importStar(require("node:assert/strict"));
const downsample_1 = require("../../src/core/downsample");
const helpers_1 = require("./helpers");
describe('series and downsampling', () => {
    it('returns exact ranges across chunk and lineage boundaries', async () => {
        const dir = (0, helpers_1.tempDir)();
        const w = (0, helpers_1.writer)(dir);
        for (let i = 0; i < 5000; i++)
            w.log({ w: i }, i * 2);
        w.finish();
        const engine = await (0, helpers_1.openEngine)(dir);
        engine.ingest();
        const { version } = engine.rewind(w.run, 6001);
        const s = engine.series(version, 'w', { from: 2047, to: 6001 });
        assert.equal(s.steps[0], 2048);
        assert.equal(s.steps[s.steps.length - 1], 6000);
        assert.equal(s.total, (6000 - 2048) / 2 + 1);
        for (let i = 0; i < s.total; i++)
            assert.equal(s.values[i], s.steps[i] / 2);
    });
    it('keeps every spike when downsampling a million points', async () => {
        const dir = (0, helpers_1.tempDir)();
        const w = (0, helpers_1.writer)(dir, { buffered: true });
        const spikes = new Set([12_345, 500_000, 999_999]);
        for (let i = 0; i < 1_000_000; i++)
            w.log({ loss: spikes.has(i) ? 1000 : Math.sin(i / 1000) }, i);
        w.finish();
        const engine = await (0, helpers_1.openEngine)(dir);
        engine.ingest();
        const d = engine.downsample(w.run, 'loss', 500);
        assert.equal(d.exact, false);
        assert.equal(d.total, 1_000_000);
        assert.ok(d.steps.length <= 2000);
        const kept = new Set();
        d.values.forEach((v, i) => {
            if (v === 1000)
                kept.add(d.steps[i]);
        });
        assert.deepEqual([...kept].sort((a, b) => a - b), [...spikes].sort((a, b) => a - b));
        for (let i = 1; i < d.steps.length; i++)
            assert.ok(d.steps[i] > d.steps[i - 1], 'steps ascend');
        const zoomed = engine.downsample(w.run, 'loss', 500, { from: 12_000, to: 12_999 });
        assert.equal(zoomed.exact, true, 'a zoomed range small enough comes back whole');
        assert.equal(zoomed.total, 1000);
    });
    it('matches a brute-force min/max per bucket', () => {
        const steps = Float64Array.from({ length: 1000 }, (_, i) => i * 3);
        const values = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i * 0.37) * (i % 11));
        values[500] = Number.NaN;
        const buckets = 37;
        const d = (0, downsample_1.downsampleM4)(buckets, 0, 2997, (visit) => visit(steps, values, 0, 1000));
        const width = 2998 / buckets;
        for (let b = 0; b < buckets; b++) {
            const inBucket = [...values].filter((v, i) => Math.min(buckets - 1, Math.floor(steps[i] / width)) === b && !Number.isNaN(v));
            const out = [...d.values].filter((_, i) => Math.min(buckets - 1, Math.floor(d.steps[i] / width)) === b);
            assert.equal(Math.min(...out), Math.min(...inBucket));
            assert.equal(Math.max(...out), Math.max(...inBucket));
        }
    });
    it('gives wall times and pages of the history table', async () => {
        const dir = (0, helpers_1.tempDir)();
        let t = 1000;
        const w = (0, helpers_1.writer)(dir, { clock: () => t });
        for (let i = 0; i < 3000; i++) {
            t = 1000 + i / 10;
            w.log({ a: i });
        }
        w.finish();
        const engine = await (0, helpers_1.openEngine)(dir);
        engine.ingest();
        const s = engine.series(w.run, 'a', { from: 100, to: 102 }, true);
        assert.deepEqual([...s.times], [1010, 1010.1, 1010.2]);
        const last = engine.history(w.run, { offset: -5 });
        assert.equal(last.total, 3000);
        assert.deepEqual(last.rows.map((r) => r.step), [2995, 2996, 2997, 2998, 2999]);
        const page = engine.history(w.run, { offset: 1020, limit: 10 });
        assert.deepEqual(page.rows.map((r) => r.cells[0]), [1020, 1021, 1022, 1023, 1024, 1025, 1026, 1027, 1028, 1029]);
    });
});
//# sourceMappingURL=series.test.js.map