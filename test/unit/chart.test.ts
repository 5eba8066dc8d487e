// The chart panel's pure parts in plain Node: TensorBoard's smoothing, joining lines onto one x axis,
// appends, the key filter and sections, stable colours, which lines a rewound run draws, CSV cells, and
// the validation of what the webview sends.
import * as assert from 'node:assert/strict';
import type { RunOverview, VersionInfo } from '../../src/core/api';
import { csvField } from '../../src/shared/csv';
import { defaultViewState, isFromWebview } from '../../src/shared/protocol';
import { filterKeys, sectionsOf } from '../../media/chart/grid';
import { buildDrawn, choosePick, type DrawnLine, valueAt } from '../../media/chart/drawn';
import { formatValue, tickLabels } from '../../media/chart/format';
import { assignColors, buildLines, buildMarks, dashGradient, labelRows, type LineSpec } from '../../media/chart/lines';
import { formatNumber } from '../../src/shared/format';
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
    assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('plain'), 'plain');
  });
  it('accepts well-formed webview messages and drops everything else', () => {
    assert.ok(isFromWebview({ type: 'ready', width: 500, state: null }));
    assert.ok(isFromWebview({ type: 'ready', width: 500, state: defaultViewState('file:///w', ['r1']) }));
    assert.ok(isFromWebview({ type: 'select', selection: { runId: 'r1', versionId: 'v1abc', step: 3 } }));
    assert.ok(!isFromWebview({ type: 'select', selection: { runId: '../x', versionId: 'v1abc', step: 3 } }));
    assert.ok(!isFromWebview({ type: 'select', selection: { runId: 'r1', versionId: 'v1abc', step: -1 } }));
    assert.ok(!isFromWebview({ type: 'query', requestId: 1, key: 'k', lines: [{ version: 'v1' }], buckets: 0, withTimes: false }));
    assert.ok(!isFromWebview({ type: 'exportPngResult', inReplyTo: 1, dataUrl: 'data:text/html,<script>' }));
    assert.ok(isFromWebview({ type: 'exportPngResult', inReplyTo: 1, dataUrl: 'data:image/png;base64,iVBORw0KGgo=' }));
    assert.ok(!isFromWebview({ type: 'export', kind: 'html', key: 'k' }));
    assert.ok(!isFromWebview({ type: 'runCommand', command: 'deleteRun' }));
    assert.ok(!isFromWebview({ type: 'toString' }));
    assert.ok(!isFromWebview(null));
  });
});

// ---- issue 11: values before a branch, smoothing across it, the click choice, archived styles ----------

/** base01 of the fixture: v1 archived by a rewind at 200 (making v2), v2 archived by a rewind at 150 (v3 live). */
function rewoundTwice(): { runs: Map<string, RunOverview>; data: Map<string, LinePoints> } {
  const v = (id: string, extra: Partial<VersionInfo>): VersionInfo => ({
    id, runId: 'r1', archived: true, kind: 'rewind', parent: null, branchStep: null, state: 'finished', exitCode: 0,
    createdAt: 0, updatedAt: 0, endedAt: null, lastStep: 0, archivedAt: null, ...extra,
  });
  const versions = [
    v('v1first000001', { kind: 'new', lastStep: 299, archivedAt: 10 }),
    v('v2second00002', { parent: 'v1first000001', branchStep: 200, lastStep: 279, archivedAt: 20 }),
    v('v3live0000003', { archived: false, parent: 'v2second00002', branchStep: 150, lastStep: 239 }),
  ];
  const run = { id: 'r1', name: 'baseline', liveVersion: 'v3live0000003', versions, forkedFrom: null } as unknown as RunOverview;
  // Each version's own curve after its branch; the shared steps carry the value of the version they came from.
  const line = (version: string, from: number, to: number, value: (s: number) => number): LinePoints => {
    const steps: number[] = [];
    for (let s = from; s <= to; s++) steps.push(s);
    return new LinePoints({
      version, steps: f64(steps), values: f64(steps.map(value)), total: steps.length, exact: true, segments: [],
      nonFinite: { nan: 0, posInf: 0, negInf: 0 },
    });
  };
  const v1 = (s: number): number => Math.sin(s / 7) + s / 100;
  const v2 = (s: number): number => (s <= 200 ? v1(s) : 5 + Math.cos(s / 3));
  const v3 = (s: number): number => (s <= 150 ? v2(s) : -5 + Math.sin(s / 2));
  const data = new Map([
    ['v3live0000003', line('v3live0000003', 0, 239, v3)],
    ['v2second00002', line('v2second00002', 150, 279, v2)],
    ['v1first000001', line('v1first000001', 200, 299, v1)],
  ]);
  return { runs: new Map([['r1', run]]), data };
}

const stepAxis = { xAxis: 'step' as const, smoothing: 0, startTimes: new Map<string, number>() };

describe('chart panel: archived versions before their branch step', () => {
  it('shows the shared value before the branch, not the nearest point after it (hover readout)', () => {
    const { runs, data } = rewoundTwice();
    const lines = buildLines(['r1'], runs);
    const drawn = buildDrawn(lines, data, stepAxis);
    const [live, v2, v1] = ['v3live0000003', 'v2second00002', 'v1first000001'].map((id) => drawn.find((d) => d.spec.version === id)!);
    const at = (line: typeof live, x: number): number | undefined => valueAt(drawn, line, x, 'step')?.y;
    // Step 99 is shared by all three versions: one value.
    assert.equal(at(v1, 99), at(live, 99));
    assert.equal(at(v2, 99), at(live, 99));
    // Step 170: v1 and v2 still share it (v2 branched from v1 at 200); the live version does not.
    assert.equal(at(v1, 170), at(v2, 170));
    assert.notEqual(at(v1, 170), at(live, 170));
    // Past the end of a version there is no value (not the last one stretched on).
    assert.equal(at(live, 260), undefined);
    assert.equal(at(v1, 250), data.get('v1first000001')!.values[50]);
  });

  it('continues a version\'s smoothing from its inherited history instead of restarting at the branch', () => {
    const { runs, data } = rewoundTwice();
    const lines = buildLines(['r1'], runs);
    const drawn = buildDrawn(lines, data, { ...stepAxis, smoothing: 0.9 });
    const live = drawn.find((d) => d.spec.version === 'v3live0000003')!;
    const v2 = drawn.find((d) => d.spec.version === 'v2second00002')!;
    const v1 = drawn.find((d) => d.spec.version === 'v1first000001')!;
    // v2 starts at step 150, a point it shares with the live version: the same smoothed value there.
    assert.equal(v2.steps[0], 150);
    assert.ok(Math.abs(v2.y[0] - live.y[150]) < 1e-12, `${v2.y[0]} vs ${live.y[150]}`);
    // v1 starts at 200, shared with v2.
    assert.ok(Math.abs(v1.y[0] - v2.y[50]) < 1e-12, `${v1.y[0]} vs ${v2.y[50]}`);
    // And the whole of v1's smoothed curve is the EMA of v1's full history (0..299).
    const full = f64([...Array(300).keys()].map((s) => Math.sin(s / 7) + s / 100));
    const expected = smoothEma(full, 0.9);
    for (let i = 0; i < v1.y.length; i++) assert.ok(Math.abs(v1.y[i] - expected[200 + i]) < 1e-9, `step ${200 + i}`);
  });
});

describe('chart panel: a click on touching curves', () => {
  it('prefers the live curve when an archived one is about as near', () => {
    const spec = (archived: boolean): LineSpec => ({ archived } as unknown as LineSpec);
    const line = (archived: boolean): DrawnLine => ({ spec: spec(archived) } as unknown as DrawnLine);
    const live = line(false);
    const archived = line(true);
    assert.equal(choosePick([{ line: live, i: 3, d: 3 }, { line: archived, i: 1, d: 1.5 }])?.line, live);
    assert.equal(choosePick([{ line: archived, i: 1, d: 0 }, { line: live, i: 3, d: 2 }])?.line, live);
    // Clearly nearer to the archived curve: that one.
    assert.equal(choosePick([{ line: live, i: 3, d: 20 }, { line: archived, i: 1, d: 2 }])?.line, archived);
  });
});

describe('chart panel: telling archived versions apart', () => {
  it('gives each archived version its own dash and lightness, and names it in full with its branch step', () => {
    const { runs } = rewoundTwice();
    const lines = buildLines(['r1'], runs);
    const [live, v1, v2] = ['v3live0000003', 'v1first000001', 'v2second00002'].map((id) => lines.find((l) => l.version === id)!);
    assert.deepEqual(live.dash, []);
    assert.ok(v1.dash.length > 0 && v2.dash.length > 0);
    assert.ok(JSON.stringify(v1.dash) !== JSON.stringify(v2.dash) || v1.alpha !== v2.alpha, 'the two archived versions look different');
    assert.notDeepEqual([v1.dash, v1.alpha], [v2.dash, v2.alpha]);
    assert.match(v1.label, /v1first000001/, 'the whole version id, as the tree shows it');
    assert.match(v1.label, /rewind 200/);
    assert.match(v2.label, /rewind 150/);
    assert.equal(live.label, 'baseline');
  });
  it('draws a legend swatch with the line\'s own dash pattern', () => {
    assert.equal(dashGradient('#3b82f6', []), '');
    assert.equal(dashGradient('#3b82f6', [6, 4]), 'repeating-linear-gradient(90deg, #3b82f6 0px 6px, transparent 6px 10px)');
    assert.equal(dashGradient('red', [8, 3, 2, 3]), 'repeating-linear-gradient(90deg, red 0px 8px, transparent 8px 11px, red 11px 13px, transparent 13px 16px)');
  });
});

describe('chart panel: numbers', () => {
  it('writes values and ticks with the product\'s one formatter, and no label for the ticks uPlot leaves out', () => {
    for (const v of [301.40000000000003, 0.29606099229762173, 12, 1e-7, 123456789012, -0.5, NaN, Infinity]) {
      assert.equal(formatValue(v), formatNumber(v), String(v));
    }
    assert.equal(formatNumber(301.40000000000003), '301.4');
    // uPlot passes null for the log scale's minor ticks it does not label.
    assert.deepEqual(tickLabels([1, null, null, 10, null, 100]), ['1', '', '', '10', '', '100']);
  });
});
