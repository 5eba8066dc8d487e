// The chart panel's pure parts in plain Node: TensorBoard's smoothing, joining lines onto one x axis,
// appends, the key filter and sections, stable colours, which lines a rewound run draws, CSV cells, and
// the validation of what the webview sends.
import * as assert from 'node:assert/strict';
import type { RunOverview, VersionInfo } from '../../src/core/api';
import { csvCell } from '../../src/panels/chartData';
import { defaultViewState, isFromWebview } from '../../src/shared/protocol';
import { filterKeys, sectionsOf } from '../../media/chart/grid';
import { assignColors, buildLines, buildMarks, labelRows } from '../../media/chart/lines';
import { floorIndex, joinSeries, LinePoints, nearestIndex, smoothEma } from '../../media/chart/series';

const f64 = (a: number[]): Float64Array => Float64Array.from(a);

describe('chart panel: smoothing', () => {
  it('is TensorBoard\'s debiased EMA', () => {
    const out = [...smoothEma(f64([1, 2, 3, 4]), 0.5)];
    const expected = [1, 1.25 / 0.75, 2.125 / 0.875, 3.0625 / 0.9375];
    out.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12, `${v} vs ${expected[i]}`));
  });
  it('leaves a constant line, weight 0 and non-finite values alone', () => {
    assert.deepEqual([...smoothEma(f64([2, 2, 2]), 0.9)], [2, 2, 2]);
    assert.deepEqual([...smoothEma(f64([1, 5, 3]), 0)], [1, 5, 3]);
    const withNaN = smoothEma(f64([1, NaN, 3]), 0.5);
    assert.ok(Number.isNaN(withNaN[1]));
    assert.equal(withNaN[0], 1);
  });
});

describe('chart panel: lines on one x axis', () => {
  it('joins sorted lines with gaps as null, and passes one finite line through as typed arrays', () => {
    const one = { x: f64([0, 1, 2]), y: f64([3, 4, 5]) };
    const single = joinSeries([one]);
    assert.equal(single.x, one.x);
    assert.equal(single.ys[0], one.y);
    const joined = joinSeries([one, { x: f64([1, 3]), y: f64([7, NaN]) }]);
    assert.deepEqual([...joined.x], [0, 1, 2, 3]);
    assert.deepEqual(joined.ys[0], [3, 4, 5, null]);
    assert.deepEqual(joined.ys[1], [null, 7, null, null]);
  });
  it('maps values for the log scale (non-positive values are gaps)', () => {
    const joined = joinSeries([{ x: f64([0, 1]), y: f64([0, 10]) }], (v) => (v > 0 ? v : null));
    assert.deepEqual(joined.ys[0], [null, 10]);
  });
  it('finds points by x', () => {
    const a = f64([0, 10, 20]);
    assert.equal(floorIndex(a, 3, 15), 1);
    assert.equal(floorIndex(a, 3, -1), -1);
    assert.equal(nearestIndex(a, 3, 16), 2);
    assert.equal(nearestIndex(a, 3, 14), 1);
  });
  it('appends live points after the last step only', () => {
    const line = new LinePoints({
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
    assert.deepEqual(filterKeys(keys, 'LOSS').keys, ['train/loss', 'val/loss']);
    assert.deepEqual(filterKeys(keys, '/^val\\//').keys, ['val/loss']);
    const bad = filterKeys(keys, '/(/');
    assert.ok(bad.error.length > 0);
    assert.deepEqual(bad.keys, keys);
  });
  it('groups keys into sections by prefix/', () => {
    const sections = sectionsOf(['val/loss', 'lr', 'train/acc', 'train/loss']);
    assert.deepEqual(sections.map((s) => s.name), ['Charts', 'train', 'val']);
    assert.deepEqual(sections[1].keys, ['train/acc', 'train/loss']);
  });
  it('gives each run a stable colour, different from the others in the panel', () => {
    const a = assignColors(['r1', 'r2', 'r3']);
    const b = assignColors(['r1', 'r2', 'r3']);
    assert.deepEqual([...a], [...b]);
    assert.equal(new Set(a.values()).size, 3);
  });
  it('draws a rewound run\'s archived version from its branch step, and marks the branch', () => {
    const v = (id: string, extra: Partial<VersionInfo>): VersionInfo => ({
      id, runId: 'r1', archived: false, kind: 'new', parent: null, branchStep: null, state: 'finished', exitCode: 0,
      createdAt: 0, updatedAt: 0, endedAt: null, lastStep: 10, archivedAt: null, ...extra,
    });
    const live = v('vlive1', { kind: 'rewind', parent: 'vold01', branchStep: 5 });
    const run = {
      id: 'r1', name: 'run one', liveVersion: 'vlive1', versions: [live, v('vold01', { archived: true })], forkedFrom: null,
    } as unknown as RunOverview;
    const runs = new Map([['r1', run]]);
    const lines = buildLines(['r1'], runs);
    assert.deepEqual(lines.map((l) => [l.version, l.archived, l.from]), [['vlive1', false, undefined], ['vold01', true, 5]]);
    assert.deepEqual(buildMarks(['r1'], runs, lines).map((m) => [m.kind, m.step]), [['rewind', 5]]);
  });
});

describe('chart panel: branch-mark labels', () => {
  it('staggers close labels onto a second row and leaves out one with no room ("fork 1rewind 150")', () => {
    // "fork 120" at x=100 (50 wide), "rewind 150" 20 px later, a third close behind, then one far away.
    const rows = labelRows([{ x: 100, width: 50 }, { x: 120, width: 60 }, { x: 130, width: 60 }, { x: 300, width: 50 }], 4);
    assert.deepEqual(rows, [0, 1, -1, 0]);
    assert.deepEqual(labelRows([{ x: 0, width: 10 }, { x: 14, width: 10 }], 4), [0, 0]);
  });
});

describe('chart panel: host side checks', () => {
  it('makes CSV cells inert and quoted', () => {
    assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('plain'), 'plain');
  });
  it('accepts well-formed webview messages and drops everything else', () => {
    assert.ok(isFromWebview({ type: 'ready', width: 500, state: null }));
    assert.ok(isFromWebview({ type: 'ready', width: 500, state: defaultViewState('file:///w', ['r1']) }));
    assert.ok(isFromWebview({ type: 'select', selection: { runId: 'r1', versionId: 'v1abc', step: 3 } }));
    assert.ok(!isFromWebview({ type: 'select', selection: { runId: '../x', versionId: 'v1abc', step: 3 } }));
    assert.ok(!isFromWebview({ type: 'select', selection: { runId: 'r1', versionId: 'v1abc', step: -1 } }));
    assert.ok(!isFromWebview({ type: 'query', requestId: 1, key: 'k', lines: [{ version: 'v1' }], buckets: 0, withTimes: false }));
    assert.ok(!isFromWebview({ type: 'exportPng', inReplyTo: null, key: 'k', dataUrl: 'data:text/html,<script>' }));
    assert.ok(!isFromWebview({ type: 'runCommand', command: 'deleteRun' }));
    assert.ok(!isFromWebview({ type: 'toString' }));
    assert.ok(!isFromWebview(null));
  });
});
