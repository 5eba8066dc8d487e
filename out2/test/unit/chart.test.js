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
// The chart panel's pure parts in plain Node: TensorBoard's smoothing, joining lines onto one x axis,
// appends, the key filter and sections, stable colours, which lines a rewound run draws, CSV cells, and
// the validation of what the webview sends.
const assert = __importStar(require("node:assert/strict"));
const chartData_1 = require("../../src/panels/chartData");
const protocol_1 = require("../../src/shared/protocol");
const grid_1 = require("../../media/chart/grid");
const lines_1 = require("../../media/chart/lines");
const series_1 = require("../../media/chart/series");
const f64 = (a) => Float64Array.from(a);
describe('chart panel: smoothing', () => {
    it('is TensorBoard\'s debiased EMA', () => {
        const out = [...(0, series_1.smoothEma)(f64([1, 2, 3, 4]), 0.5)];
        const expected = [1, 1.25 / 0.75, 2.125 / 0.875, 3.0625 / 0.9375];
        out.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12, `${v} vs ${expected[i]}`));
    });
    it('leaves a constant line, weight 0 and non-finite values alone', () => {
        assert.deepEqual([...(0, series_1.smoothEma)(f64([2, 2, 2]), 0.9)], [2, 2, 2]);
        assert.deepEqual([...(0, series_1.smoothEma)(f64([1, 5, 3]), 0)], [1, 5, 3]);
        const withNaN = (0, series_1.smoothEma)(f64([1, NaN, 3]), 0.5);
        assert.ok(Number.isNaN(withNaN[1]));
        assert.equal(withNaN[0], 1);
    });
});
describe('chart panel: lines on one x axis', () => {
    it('joins sorted lines with gaps as null, and passes one finite line through as typed arrays', () => {
        const one = { x: f64([0, 1, 2]), y: f64([3, 4, 5]) };
        const single = (0, series_1.joinSeries)([one]);
        assert.equal(single.x, one.x);
        assert.equal(single.ys[0], one.y);
        const joined = (0, series_1.joinSeries)([one, { x: f64([1, 3]), y: f64([7, NaN]) }]);
        assert.deepEqual([...joined.x], [0, 1, 2, 3]);
        assert.deepEqual(joined.ys[0], [3, 4, 5, null]);
        assert.deepEqual(joined.ys[1], [null, 7, null, null]);
    });
    it('maps values for the log scale (non-positive values are gaps)', () => {
        const joined = (0, series_1.joinSeries)([{ x: f64([0, 1]), y: f64([0, 10]) }], (v) => (v > 0 ? v : null));
        assert.deepEqual(joined.ys[0], [null, 10]);
    });
    it('finds points by x', () => {
        const a = f64([0, 10, 20]);
        assert.equal((0, series_1.floorIndex)(a, 3, 15), 1);
        assert.equal((0, series_1.floorIndex)(a, 3, -1), -1);
        assert.equal((0, series_1.nearestIndex)(a, 3, 16), 2);
        assert.equal((0, series_1.nearestIndex)(a, 3, 14), 1);
    });
    it('appends live points after the last step only', () => {
        const line = new series_1.LinePoints({
            version: 'v1', steps: f64([0, 1]), values: f64([5, 6]), total: 2, exact: true, segments: [],
            nonFinite: { nan: 0, posInf: 0, negInf: 0 },
        });
        assert.equal(line.append(f64([1, 2, 3]), f64([6, 7, 8]), undefined), 2);
        assert.deepEqual([...line.view().steps], [0, 1, 2, 3]);
        assert.deepEqual([...line.view().values], [5, 6, 7, 8]);
    });
});
describe('chart panel: keys, colours, lines', () => {
    it('filters by substring or /regex/ and reports a bad pattern', () => {
        const keys = ['train/loss', 'train/acc', 'val/loss', 'lr'];
        assert.deepEqual((0, grid_1.filterKeys)(keys, 'LOSS').keys, ['train/loss', 'val/loss']);
        assert.deepEqual((0, grid_1.filterKeys)(keys, '/^val\\//').keys, ['val/loss']);
        const bad = (0, grid_1.filterKeys)(keys, '/(/');
        assert.ok(bad.error.length > 0);
        assert.deepEqual(bad.keys, keys);
    });
    it('groups keys into sections by prefix/', () => {
        const sections = (0, grid_1.sectionsOf)(['val/loss', 'lr', 'train/acc', 'train/loss']);
        assert.deepEqual(sections.map((s) => s.name), ['Charts', 'train', 'val']);
        assert.deepEqual(sections[1].keys, ['train/acc', 'train/loss']);
    });
    it('gives each run a stable colour, different from the others in the panel', () => {
        const a = (0, lines_1.assignColors)(['r1', 'r2', 'r3']);
        const b = (0, lines_1.assignColors)(['r1', 'r2', 'r3']);
        assert.deepEqual([...a], [...b]);
        assert.equal(new Set(a.values()).size, 3);
    });
    it('draws a rewound run\'s archived version from its branch step, and marks the branch', () => {
        const v = (id, extra) => ({
            id, runId: 'r1', archived: false, kind: 'new', parent: null, branchStep: null, state: 'finished', exitCode: 0,
            createdAt: 0, updatedAt: 0, endedAt: null, lastStep: 10, archivedAt: null, ...extra,
        });
        const live = v('vlive1', { kind: 'rewind', parent: 'vold01', branchStep: 5 });
        const run = {
            id: 'r1', name: 'run one', liveVersion: 'vlive1', versions: [live, v('vold01', { archived: true })], forkedFrom: null,
        };
        const runs = new Map([['r1', run]]);
        const lines = (0, lines_1.buildLines)(['r1'], runs);
        assert.deepEqual(lines.map((l) => [l.version, l.archived, l.from]), [['vlive1', false, undefined], ['vold01', true, 5]]);
        assert.deepEqual((0, lines_1.buildMarks)(['r1'], runs, lines).map((m) => [m.kind, m.step]), [['rewind', 5]]);
    });
});
describe('chart panel: branch-mark labels', () => {
    it('staggers close labels onto a second row and leaves out one with no room ("fork 1rewind 150")', () => {
        // "fork 120" at x=100 (50 wide), "rewind 150" 20 px later, a third close behind, then one far away.
        const rows = (0, lines_1.labelRows)([{ x: 100, width: 50 }, { x: 120, width: 60 }, { x: 130, width: 60 }, { x: 300, width: 50 }], 4);
        assert.deepEqual(rows, [0, 1, -1, 0]);
        assert.deepEqual((0, lines_1.labelRows)([{ x: 0, width: 10 }, { x: 14, width: 10 }], 4), [0, 0]);
    });
});
describe('chart panel: host side checks', () => {
    it('makes CSV cells inert and quoted', () => {
        assert.equal((0, chartData_1.csvCell)('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
        assert.equal((0, chartData_1.csvCell)('a,b'), '"a,b"');
        assert.equal((0, chartData_1.csvCell)('plain'), 'plain');
    });
    it('accepts well-formed webview messages and drops everything else', () => {
        assert.ok((0, protocol_1.isFromWebview)({ type: 'ready', width: 500, state: null }));
        assert.ok((0, protocol_1.isFromWebview)({ type: 'ready', width: 500, state: (0, protocol_1.defaultViewState)('file:///w', ['r1']) }));
        assert.ok((0, protocol_1.isFromWebview)({ type: 'select', selection: { runId: 'r1', versionId: 'v1abc', step: 3 } }));
        assert.ok(!(0, protocol_1.isFromWebview)({ type: 'select', selection: { runId: '../x', versionId: 'v1abc', step: 3 } }));
        assert.ok(!(0, protocol_1.isFromWebview)({ type: 'select', selection: { runId: 'r1', versionId: 'v1abc', step: -1 } }));
        assert.ok(!(0, protocol_1.isFromWebview)({ type: 'query', requestId: 1, key: 'k', lines: [{ version: 'v1' }], buckets: 0, withTimes: false }));
        assert.ok(!(0, protocol_1.isFromWebview)({ type: 'exportPng', inReplyTo: null, key: 'k', dataUrl: 'data:text/html,<script>' }));
        assert.ok(!(0, protocol_1.isFromWebview)({ type: 'runCommand', command: 'deleteRun' }));
        assert.ok(!(0, protocol_1.isFromWebview)({ type: 'toString' }));
        assert.ok(!(0, protocol_1.isFromWebview)(null));
    });
});
//# sourceMappingURL=chart.test.js.map