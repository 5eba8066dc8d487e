// Which steps a chart asks for (media/chart/zoom.ts), and that an export covers exactly the lines the
// chart draws: the card's CSV button and "Export Chart as CSV" both take the webview's requests, which
// are the requests the chart's own zoomed query sent (media/chart/exports.ts, media/chart/data.ts).
import * as assert from 'node:assert/strict';
import type { ChartZoom, LineRequest, ToWebview, XAxisMode } from '../../src/shared/protocol';
import { ChartData } from '../../media/chart/data';
import { exportLines } from '../../media/chart/exports';
import type { LineSpec } from '../../media/chart/lines';
import { LinePoints } from '../../media/chart/series';
import { fullRequests, type RequestedLine, shownRequests, ZOOM_PADDING, zoomRequests } from '../../media/chart/zoom';

const f64 = (a: number[]): Float64Array => Float64Array.from(a);

/** A line of `n` steps from `first`, one per second from `t0`. */
function points(version: string, first: number, n: number, t0: number): LinePoints {
  const steps = Array.from({ length: n }, (_, i) => first + i);
  return new LinePoints({
    version, steps: f64(steps), values: f64(steps.map((s) => 1 / (s + 1))), times: f64(steps.map((s) => t0 + s)),
    total: n, exact: true, segments: [], nonFinite: { nan: 0, posInf: 0, negInf: 0 },
  });
}

// A run (live v-live from step 0), one of its archived versions (drawn from its branch step 40), and a fork.
const lines: RequestedLine[] = [
  { version: 'vlive', runId: 'r1', from: undefined },
  { version: 'varch', runId: 'r1', from: 40 },
  { version: 'vfork', runId: 'r2', from: undefined },
];

describe('chart zoom → step ranges', () => {
  it('asks for every line whole, from the branch step of an archived one', () => {
    assert.deepEqual(fullRequests(lines), [{ version: 'vlive' }, { version: 'varch', range: { from: 40 } }, { version: 'vfork' }]);
  });

  it('pads a step zoom by 1% each side to whole steps, and never starts a line before its first drawn step', () => {
    const zoom: ChartZoom = { axis: 'step', min: 10.4, max: 60.6 };
    const pad = (zoom.max - zoom.min) * ZOOM_PADDING;
    const from = Math.floor(zoom.min - pad);
    const to = Math.ceil(zoom.max + pad);
    assert.deepEqual(zoomRequests(zoom, lines, undefined, new Map()), [
      { version: 'vlive', range: { from, to } },
      { version: 'varch', range: { from: 40, to } },
      { version: 'vfork', range: { from, to } },
    ]);
  });

  it('leaves out a line that starts after the zoom, and clamps at step 0', () => {
    const requests = zoomRequests({ axis: 'step', min: -5, max: 30 }, lines, undefined, new Map());
    assert.deepEqual(requests?.map((r) => r.version), ['vlive', 'vfork']);
    assert.equal(requests?.[0].range?.from, 0);
  });

  it('finds a time zoom\'s steps in each line\'s own times (relative to its run\'s start), one point past each end', () => {
    const full = new Map([
      ['vlive', points('vlive', 0, 100, 1000)],
      ['varch', points('varch', 40, 60, 1000)],
      ['vfork', points('vfork', 0, 100, 5000)],
    ]);
    const starts = new Map([['r1', 1000], ['r2', 5000]]);
    // Seconds 20 to 50 after each run started: steps 20..50, one more each side, within 1% padding.
    const requests = zoomRequests({ axis: 'relative', min: 20, max: 50 }, lines, full, starts);
    assert.deepEqual(requests, [
      { version: 'vlive', range: { from: 19, to: 51 } },
      { version: 'varch', range: { from: 40, to: 51 } },
      { version: 'vfork', range: { from: 19, to: 51 } },
    ]);
    // Wall time: the fork's times are 4000 s later, so only run r1's lines are in this zoom.
    const wall = zoomRequests({ axis: 'wall', min: 1020, max: 1050 }, lines, full, starts);
    assert.deepEqual(wall?.map((r) => r.version), ['vlive', 'varch']);
  });

  it('needs the whole range first on a time axis (null), and then shows every line whole', () => {
    const zoom: ChartZoom = { axis: 'relative', min: 1, max: 2 };
    assert.equal(zoomRequests(zoom, lines, undefined, new Map()), null);
    assert.deepEqual(shownRequests(zoom, lines, undefined, new Map()), fullRequests(lines));
    assert.deepEqual(shownRequests(null, lines, undefined, new Map()), fullRequests(lines));
  });
});

/** A ChartData over fake lines whose queries are recorded, and the export host of the same chart. */
function chart(xAxis: XAxisMode, zoom: ChartZoom | null) {
  const specs = lines.map((l) => ({ ...l })) as unknown as LineSpec[];
  const starts = new Map([['r1', 1000], ['r2', 5000]]);
  const queries: { id: number; lines: LineRequest[] }[] = [];
  const data = new ChartData({
    view: () => ({ xAxis, zoom }),
    lines: () => specs,
    linesSignature: () => 'lines',
    plotWidth: () => 400,
    startTimes: () => starts,
    postQuery: (id, _key, asked) => queries.push({ id, lines: asked }),
    loaded: () => undefined,
    failed: (key, error) => assert.fail(`${key}: ${error}`),
  });
  const host = {
    whenDrawn: async () => undefined,
    toPng: () => undefined,
    zoom: () => zoom,
    lines: () => specs,
    fullPoints: (key: string) => data.fullPoints(key),
    startTimes: () => starts,
  };
  /** Answers a query with the points of `points` for the lines it asked. */
  const answer = (id: number): void => {
    const reply: Extract<ToWebview, { type: 'series' }> = {
      type: 'series', inReplyTo: id, key: 'loss',
      lines: ([['vlive', points('vlive', 0, 100, 1000)], ['varch', points('varch', 40, 60, 1000)], ['vfork', points('vfork', 0, 100, 5000)]] as const).map(([version, p]) => ({
        version, steps: p.view().steps, values: p.view().values, times: p.view().times, total: p.length, exact: true, segments: [],
        nonFinite: { nan: 0, posInf: 0, negInf: 0 },
      })),
    };
    data.replies.settle(id, reply);
  };
  return { data, host, queries, answer };
}

describe('chart exports cover what the chart draws', () => {
  it('a CSV of a step-zoomed chart asks for the zoomed query\'s lines, fork and archived starts included', async () => {
    const c = chart('step', { axis: 'step', min: 10.4, max: 60.6 });
    c.data.request('loss');
    assert.equal(c.queries.length, 2, 'the whole range and the zoom');
    assert.deepEqual(await exportLines(c.host, 'loss'), c.queries[1].lines);
  });

  it('a CSV of a time-zoomed chart asks for the steps the chart queried once its times came', async () => {
    const c = chart('relative', { axis: 'relative', min: 20, max: 50 });
    c.data.request('loss');
    assert.equal(c.queries.length, 1, 'the whole range first: its times say which steps the zoom covers');
    c.answer(c.queries[0].id);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(c.queries.length, 2, 'then the zoom');
    assert.deepEqual(await exportLines(c.host, 'loss'), c.queries[1].lines);
    assert.deepEqual(c.queries[1].lines[1], { version: 'varch', range: { from: 40, to: 51 } });
  });

  it('a CSV of an unzoomed chart holds every line whole, as drawn', async () => {
    const c = chart('step', null);
    c.data.request('loss');
    assert.deepEqual(await exportLines(c.host, 'loss'), c.queries[0].lines);
  });
});
