// The chart panel in the real extension host: opened from each entry point, the host <-> webview round
// trip (through the webview's own code paths), the picked step driving the window's selection and the
// Selected Step commands with their refusals, live growth, exports, and a hostile run name.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CommandId } from '../../../src/ids';
import type { ChartInspection } from '../../../src/panels/charts';
import { formatNumber } from '../../../src/shared/format';
import type { LineageOutcome } from '../../../src/commands/lineage';
import { LogWriter } from '../../../src/core/writer';
import { actOnChart as act, inspectChart as inspect, extensionApi, listedRun, logDir, logRun, runRow, showRunsViewAndStore, uniqueId, waitFor } from './helpers';


/** Waits until the active panel shows `entries` and has drawn every chart in view. */
async function drawn(entries: readonly string[], charts = 1): Promise<ChartInspection> {
  return waitFor(async () => {
    const s = await inspect();
    return s.entries.join(',') === entries.join(',') && s.drawn.length >= charts && s;
  }, `charts of ${entries.join(', ')}`, 20_000);
}

/** A system record as the Python client writes it (docs/PROTOCOL.md, `system`). */
function systemRecord(time: number, cpu: number, gpuMemory?: number): string {
  const data: Record<string, number> = { 'system/cpu_percent': cpu };
  if (gpuMemory !== undefined) data['system/gpu.0.memory_used_mb'] = gpuMemory;
  return `${JSON.stringify({ type: 'system', time, data })}\n`;
}

async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

describe('chart panel', () => {
  before(async () => {
    await showRunsViewAndStore();
  });
  afterEach(closeAll);

  it('opens from a run id: every key charted, archived versions dashed, overview with both ids', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: 'base01' });
    const s = await drawn(['base01'], 2);
    assert.deepEqual([...s.charts].sort(), ['acc', 'loss']);
    assert.match(s.title, /baseline/);
    const run = await listedRun(api, 'base01');
    assert.ok(run);
    const archived = run.versions.filter((v) => v.archived).length;
    assert.equal(archived, 2, 'the fixture rewinds base01 twice');
    assert.equal(s.legend.length, 1 + archived);
    const loss = s.drawn.find((d) => d.key === 'loss');
    assert.equal(loss?.lines, 1 + archived);
    assert.equal(loss?.dashed, archived);
    assert.ok(s.overviewText.includes('base01'));
    assert.ok(s.overviewText.includes(run.liveVersion), 'the immutable version id is shown');
    assert.match(s.overviewText, /Forked From/);
    assert.equal(s.state.folder, api.folders.all[0].key);
  });

  it('opens one comparison panel for several runs selected in the tree, and reveals it again', async () => {
    const api = await extensionApi();
    const a = await waitFor(() => runRow(api, 'base01'), 'base01 row');
    const b = await waitFor(() => runRow(api, 'fork01'), 'fork01 row');
    await vscode.commands.executeCommand(CommandId.OpenCharts, a.node, [a.node, b.node]);
    const s = await drawn(['base01', 'fork01'], 2);
    assert.ok(s.legend.some((l) => l.startsWith('lr-halved')));
    const panels = s.panels;
    // The tree item's inline button / context menu pass the same node: the same panel comes back.
    await vscode.commands.executeCommand(CommandId.OpenCharts, a.node, [a.node, b.node]);
    assert.equal((await inspect()).panels, panels);
    await vscode.commands.executeCommand(CommandId.OpenCharts, a.node);
    const single = await drawn(['base01'], 1);
    assert.equal(single.panels, panels + 1);
  });

  it('gets at most a few points per pixel, and exact points again when zoomed in', async () => {
    const api = await extensionApi();
    const id = uniqueId('big');
    logRun(id, 20_000);
    await waitFor(() => listedRun(api, id), `${id} ingested`);
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: id });
    const s = await drawn([id], 2);
    const loss = s.drawn.find((d) => d.key === 'loss');
    assert.ok(loss);
    assert.ok(loss.points <= 4 * s.buckets + 4, `${loss.points} points for ${s.buckets} px`);
    assert.ok(loss.points > s.buckets, 'the envelope keeps more than one point per pixel');
    await act({ kind: 'zoom', min: 1000, max: 1100 });
    const zoomed = await waitFor(async () => {
      const z = await inspect();
      const d = z.drawn.find((x) => x.key === 'loss');
      return z.state.zoom !== null && d && d.points < 200 && z;
    }, 'the zoomed points');
    const points = zoomed.drawn.find((d) => d.key === 'loss')?.points ?? 0;
    assert.ok(points >= 101 && points <= 105, `every step of the zoomed range is drawn (${points})`);
    await act({ kind: 'resetZoom' });
    assert.equal((await inspect()).state.zoom, null);
  });

  it('a click selects a logged step: the window selection, Left/Right, and the Selected Step commands', async () => {
    const api = await extensionApi();
    const id = uniqueId('sel');
    logRun(id, 50);
    const run = await waitFor(() => listedRun(api, id), `${id} ingested`);
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: id });
    await drawn([id], 2);
    await act({ kind: 'selectStep', key: 'loss', runId: id, step: 30 });
    const selected = await waitFor(() => api.services.selection.current?.runId === id && api.services.selection.current, 'the selection');
    assert.equal(selected.step, 30);
    assert.equal(selected.source, 'chart');
    assert.equal(selected.versionId, run.liveVersion);
    assert.equal(selected.folder, api.folders.all[0].key);
    assert.deepEqual((await inspect()).state.selection, { runId: id, versionId: run.liveVersion, step: 30 });

    await act({ kind: 'key', key: 'ArrowRight' });
    await waitFor(() => api.services.selection.current?.step === 31, 'Right moves to the next logged step');
    // Held down (eight presses in one go): each move starts from where the previous one left the selection.
    await act({ kind: 'key', key: 'ArrowLeft', times: 8 });
    await act({ kind: 'key', key: 'ArrowRight', times: 6 });
    await waitFor(() => api.services.selection.current?.step === 29, 'Left moves back');
    await waitFor(async () => (await inspect()).state.selection?.step === 29, 'the panel follows the window selection');

    // The toolbar's Fork button runs the palette's Fork at Selected Step.
    const before = new Set((await api.runIndex.refresh(api.folders.all[0].key)).runs.keys());
    await act({ kind: 'toolbar', command: 'fork' });
    const forked = await waitFor(async () => {
      const runs = (await api.runIndex.refresh(api.folders.all[0].key)).runs;
      return [...runs.values()].find((r) => !before.has(r.id) && r.forkedFrom?.run === id);
    }, 'the fork made from the toolbar');
    assert.equal(forked.forkedFrom?.step, 29);
    assert.equal(forked.lastStep, 29);
  });

  it('refuses from the toolbar what the palette refuses: rewinding a running run', async () => {
    const api = await extensionApi();
    const id = uniqueId('run');
    const writer = logRun(id, 20, { finish: false });
    try {
      await waitFor(async () => (await listedRun(api, id))?.state === 'running', `${id} running`);
      await vscode.commands.executeCommand(CommandId.OpenCharts, { run: id });
      await drawn([id], 2);
      await act({ kind: 'selectStep', key: 'loss', runId: id, step: 10 });
      await waitFor(() => api.services.selection.current?.runId === id, 'the selection');
      await act({ kind: 'toolbar', command: 'rewind' });
      const s = await waitFor(async () => {
        const x = await inspect();
        return x.notice.length > 0 && x;
      }, 'the refusal in the panel');
      assert.match(s.notice, /running/);
      const after = await listedRun(api, id);
      assert.equal(after?.versions.length, 1, 'nothing was rewound');

      // Live growth: what the writer logs next reaches the open panel.
      const points = s.drawn.find((d) => d.key === 'loss')?.points ?? 0;
      for (let i = 0; i < 30; i++) writer.log({ loss: 0.5, acc: 0.5 });
      await waitFor(async () => ((await inspect()).drawn.find((d) => d.key === 'loss')?.points ?? 0) >= points + 30, 'the appended points', 20_000);
    } finally {
      writer.finish();
    }
  });

  it('exports the chart as a PNG and its data as CSV at full resolution', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: 'fork01' });
    await drawn(['fork01'], 2);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runrewind-export-'));
    const png = path.join(dir, 'loss.png');
    const csv = path.join(dir, 'loss.csv');
    await vscode.commands.executeCommand(CommandId.ExportChartPng, 'loss', png);
    await vscode.commands.executeCommand(CommandId.ExportChartCsv, 'loss', csv);
    const bytes = fs.readFileSync(png);
    assert.equal(bytes.readUInt32BE(0), 0x89504e47, 'a PNG signature');
    assert.ok(bytes.length > 2000, `a drawn chart (${bytes.length} bytes)`);
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'step,lr-halved (fork01)');
    const store = await api.folders.all[0].store();
    const run = await store.getRun('fork01');
    const series = await store.series(run.liveVersion, 'loss');
    assert.equal(lines.length - 1, series.steps.length, 'one row per logged step, inherited part included');
    const [step, value] = lines[lines.length - 1].split(',');
    assert.equal(Number(step), series.steps[series.steps.length - 1]);
    assert.equal(Number(value), series.values[series.values.length - 1]);
  });

  it('exports a zoomed chart as it shows it, the same from the palette and from the card\'s CSV button', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: 'base01' });
    await drawn(['base01'], 2);
    // base01: v1 rewound at 200 (→ v2), v2 rewound at 150 (→ live v3). The chart draws v2 from 150 and v1
    // from 200; a zoom on steps 100.3–180.7 (1% padding) shows live steps 99–182 and v2's 150–182, not v1.
    await act({ kind: 'zoom', min: 100.3, max: 180.7 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runrewind-export-'));
    const fromPalette = path.join(dir, 'palette.csv');
    await vscode.commands.executeCommand(CommandId.ExportChartCsv, 'loss', fromPalette);
    const rows = fs.readFileSync(fromPalette, 'utf8').trim().split('\n').map((l) => l.split(','));
    const run = await (await api.folders.all[0].store()).getRun('base01');
    const live = run.versions.find((x) => x.id === run.liveVersion);
    const oldest = run.versions.find((v) => v.archived && v.id !== live?.parent);
    assert.ok(oldest, 'the version rewound at 200');
    const header = rows[0];
    assert.equal(header.length, 3, `step, the live line and the archived version drawn in the zoom: ${header.join(',')}`);
    assert.match(header[1], /^baseline \(base01\)$/);
    assert.match(header[2], /archived/);
    const steps = rows.slice(1).map((r) => Number(r[0]));
    assert.equal(steps[0], 99);
    assert.equal(steps[steps.length - 1], 182);
    assert.ok(rows.slice(1).every((r) => (Number(r[0]) < 150 ? r[2] === '' : r[2] !== '')), 'the archived line from its branch step on');
    assert.ok(!header.some((h) => h.includes(oldest.id)), 'the oldest version, drawn from step 200, is not in the zoom');

    // The card's own CSV button goes through the same export: its save dialog answered with a path.
    const fromCard = path.join(dir, 'card.csv');
    const window = vscode.window as { showSaveDialog: typeof vscode.window.showSaveDialog };
    const original = window.showSaveDialog;
    window.showSaveDialog = async () => vscode.Uri.file(fromCard);
    try {
      await act({ kind: 'exportButton', key: 'loss', format: 'csv' });
      await waitFor(() => fs.existsSync(fromCard) && fs.statSync(fromCard).size > 0, 'the card\'s CSV');
    } finally {
      window.showSaveDialog = original;
    }
    assert.equal(fs.readFileSync(fromCard, 'utf8'), fs.readFileSync(fromPalette, 'utf8'));
  });

  it('shows a hostile run name, config and tags as text', async () => {
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: 'bad01' });
    const s = await drawn(['bad01'], 1);
    const name = '<img src=x> [click](command:runRewind.deleteRun) *bold* `code`';
    assert.ok(s.legend.includes(name), JSON.stringify(s.legend));
    assert.ok(s.overviewText.includes(name));
    assert.ok(s.overviewText.includes('| pipes | and'));
    assert.equal(s.injected, 0, 'no element came from user data');
  });

  it('keeps its view state for the serializer: filter, smoothing, log scale, x axis', async () => {
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: 'base01' });
    await drawn(['base01'], 2);
    await act({ kind: 'setFilter', filter: '/^lo/' });
    await act({ kind: 'setSmoothing', smoothing: 0.6 });
    await act({ kind: 'setLogScale', logScale: true });
    await act({ kind: 'setXAxis', xAxis: 'relative' });
    const s = await inspect();
    assert.deepEqual(s.charts, ['loss']);
    assert.equal(s.state.filter, '/^lo/');
    assert.equal(s.state.smoothing, 0.6);
    assert.equal(s.state.logScale, true);
    assert.equal(s.state.xAxis, 'relative');
    await waitFor(async () => (await inspect()).drawn.some((d) => d.key === 'loss' && d.points > 0), 'the relative-time chart');
  });

  it('labels only the log scale ticks it draws a value for (no "null" on the minor ticks)', async () => {
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: 'base01' });
    await drawn(['base01'], 2);
    await act({ kind: 'setLogScale', logScale: true });
    const s = await waitFor(async () => {
      const x = await inspect();
      const loss = x.drawn.find((d) => d.key === 'loss');
      return x.state.logScale && loss && loss.yTicks.length > 0 && x;
    }, 'the log-scale chart');
    const ticks = s.drawn.find((d) => d.key === 'loss')?.yTicks ?? [];
    assert.ok(!ticks.some((t) => /null|undefined|NaN/.test(t)), JSON.stringify(ticks));
    assert.ok(ticks.some((t) => t !== ''), 'some ticks are labelled');
  });

  it('shows an archived version\'s shared value before its branch step in the hover readout', async () => {
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: 'base01' });
    await drawn(['base01'], 2);
    await act({ kind: 'hover', key: 'loss', x: 99 });
    const readout = (await inspect()).drawn.find((d) => d.key === 'loss')?.readout ?? [];
    assert.equal(readout[0], 'step 99');
    // The live version and both archived versions (rewound at 200 and 150) share step 99.
    const values = readout.slice(1).map((r) => r.slice(r.lastIndexOf(': ') + 2));
    assert.equal(values.length, 3, JSON.stringify(readout));
    assert.equal(new Set(values).size, 1, JSON.stringify(readout));
    const store = await (await extensionApi()).folders.all[0].store();
    const run = await store.getRun('base01');
    const live = await store.series(run.liveVersion, 'loss', { from: 99, to: 99 }, false);
    assert.equal(values[0], formatNumber(live.values[0]));
    // Past a version's last step it has no value.
    await act({ kind: 'hover', key: 'loss', x: 290 });
    const late = (await inspect()).drawn.find((d) => d.key === 'loss')?.readout ?? [];
    assert.match(late[1], /^baseline: –$/, JSON.stringify(late));
  });

  it('names an archived version picked on the chart, and offers to fork it but not to rewind it', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: 'base01' });
    await drawn(['base01'], 2);
    const run = await listedRun(api, 'base01');
    assert.ok(run);
    const live = run.versions.find((v) => !v.archived);
    const archived = run.versions.find((v) => v.archived && v.id === live?.parent);
    assert.ok(archived, 'the live version was rewound from an archived one');
    await act({ kind: 'selectStep', key: 'loss', runId: 'base01', step: 170, versionId: archived.id });
    const selected = await waitFor(() => api.services.selection.current?.versionId === archived.id && api.services.selection.current, 'the archived selection');
    assert.equal(selected.archived, true);
    assert.equal(selected.step, 170);
    const s = await waitFor(async () => {
      const x = await inspect();
      return x.toolbar.selection.includes(archived.id) && x;
    }, 'the toolbar naming the version');
    assert.equal(s.toolbar.selection, `baseline@170 · archived ${archived.id}`);
    assert.equal(s.toolbar.rewind, false, 'an archived version cannot be rewound');
    assert.equal(s.toolbar.fork, true, 'an archived version can be forked');
    assert.match(s.toolbar.rewindTitle, /archived/);

    // The live curve at the same step: rewind is offered again, and the label is plain run@step.
    await act({ kind: 'selectStep', key: 'loss', runId: 'base01', step: 170 });
    const back = await waitFor(async () => {
      const x = await inspect();
      return x.toolbar.selection === 'baseline@170' && x;
    }, 'the live selection');
    assert.equal(back.toolbar.rewind, true);
    assert.equal(api.services.selection.current?.archived, false);
  });

  it("shows where a run ran in the overview: GPU, Python, OS and command from the writer's metadata record", async () => {
    const api = await extensionApi();
    const id = uniqueId('meta');
    const writer = new LogWriter({ dir: logDir(), run: id, project: 'tests', name: id, heartbeat: 0 });
    // As the Python client writes it right after the start (docs/PROTOCOL.md, `metadata`).
    writer.writeRaw(`${JSON.stringify({ type: 'metadata', time: 1, metadata: { host: 'gpu-7', os: 'Linux-6.1', python: '3.11.7', command: 'python train.py --lr 0.1 <img src=x>', gpu: 'NVIDIA A100-SXM4-80GB', gpu_count: 8 } })}\n`);
    writer.log({ metric: 1 });
    writer.finish();
    await waitFor(() => listedRun(api, id), `${id} ingested`);
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: id });
    const s = await drawn([id], 1);
    assert.match(s.overviewText, /GPU\s*8 × NVIDIA A100-SXM4-80GB/);
    assert.match(s.overviewText, /Python\s*3\.11\.7/);
    assert.match(s.overviewText, /OS\s*Linux-6\.1/);
    assert.ok(s.overviewText.includes('python train.py --lr 0.1 <img src=x>'), 'the command line shown as text');
  });

  it('writes numbers with the product\'s formatter in the overview and the readout', async () => {
    const api = await extensionApi();
    const id = uniqueId('num');
    const writer = new LogWriter({ dir: logDir(), run: id, project: 'tests', name: id, heartbeat: 0, config: { ratio: 0.29606099229762173, lr: 0.001 } });
    writer.log({ metric: 1 });
    writer.log({ metric: 301.40000000000003 });
    writer.finish();
    await waitFor(() => listedRun(api, id), `${id} ingested`);
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: id });
    const s = await drawn([id], 1);
    assert.ok(s.overviewText.includes('0.296061'), s.overviewText);
    assert.ok(!s.overviewText.includes('0.29606099229762173'));
    assert.ok(s.overviewText.includes('301.4'));
    assert.ok(!s.overviewText.includes('301.40000000000003'));
    const readout = s.drawn.find((d) => d.key === 'metric')?.readout ?? [];
    assert.deepEqual(readout, ['last', `${id}: ${formatNumber(301.40000000000003)}`]);
  });

  it('keeps a selected step on the live curve after the toolbar rewinds there', async () => {
    const api = await extensionApi();
    const id = uniqueId('follow');
    logRun(id, 40);
    const before = await waitFor(() => listedRun(api, id), `${id} ingested`);
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: id });
    await drawn([id], 2);
    await act({ kind: 'selectStep', key: 'loss', runId: id, step: 25 });
    await waitFor(() => api.services.selection.current?.runId === id && api.services.selection.current.step === 25, 'the selection');
    const outcome = await vscode.commands.executeCommand<{ ok: boolean }>(CommandId.RewindToSelectedStep, { confirm: false });
    assert.equal(outcome?.ok, true);
    // The version picked is archived now; step 25 is shared by the new live version: the selection is there.
    const after = await waitFor(async () => {
      const run = await listedRun(api, id);
      return run && run.liveVersion !== before.liveVersion && api.services.selection.current?.versionId === run.liveVersion && run;
    }, 'the selection on the new live version');
    assert.equal(api.services.selection.current?.step, 25);
    assert.equal(api.services.selection.current?.archived, false);
    const s = await waitFor(async () => {
      const x = await inspect();
      return x.state.selection?.versionId === after.liveVersion && x;
    }, 'the panel following');
    assert.equal(s.toolbar.rewind, true);
  });

  it('shows a System section of the live version\'s samples against wall time, and archived ones only when asked', async function () {
    this.timeout(40_000);
    const api = await extensionApi();
    const id = uniqueId('sys');
    const t0 = 1_800_000_000;
    const w = new LogWriter({ dir: logDir(), run: id, project: 'tests', name: id, heartbeat: 0 });
    for (let s = 0; s < 8; s++) {
      w.writeRaw(systemRecord(t0 + 10 * s, 40 + s, 1234 + s));
      w.log({ loss: 1 / (s + 1) });
    }
    w.finish();
    await waitFor(async () => (await listedRun(api, id))?.lastStep === 7, `${id} read`);
    const outcome = await vscode.commands.executeCommand<LineageOutcome>(CommandId.RewindToStep, id, 4, { confirm: false });
    assert.ok(outcome.ok, 'rewound');
    const resumed = new LogWriter({ dir: logDir(), run: id, version: outcome.version, mode: 'resume', lastStep: 4, heartbeat: 0 });
    // The new version records its own samples from its start: the GPU key only in one of them.
    resumed.writeRaw(systemRecord(t0 + 200, 10, 2000));
    resumed.writeRaw(systemRecord(t0 + 210, 11));
    resumed.log({ loss: 0.3 });
    await waitFor(async () => (await listedRun(api, id))?.lastStep === 5, `${id} resumed`);

    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: id });
    await drawn([id], 1);
    const systemOf = async (what: string, ok: (s: ChartInspection['system']) => boolean): Promise<ChartInspection['system']> =>
      waitFor(async () => {
        const x = (await inspect()).system;
        return ok(x) && x;
      }, what);
    const live = await systemOf('the live System section', (x) => x.shown && x.charts.length === 2);
    assert.equal(live.archived, false);
    assert.deepEqual(live.charts, [
      { key: 'system/cpu_percent', lines: 1, points: 2, dashed: 0 },
      { key: 'system/gpu.0.memory_used_mb', lines: 1, points: 1, dashed: 0 },
    ]);

    await act({ kind: 'setSystemArchived', on: true });
    const both = await systemOf('archived samples beside the live ones', (x) => x.archived && x.charts.some((c) => c.dashed > 0));
    assert.deepEqual(both.charts, [
      { key: 'system/cpu_percent', lines: 2, points: 2 + 8, dashed: 1 },
      { key: 'system/gpu.0.memory_used_mb', lines: 2, points: 1 + 8, dashed: 1 },
    ]);
    assert.equal((await inspect()).state.systemArchived, true);

    // The section grows with the live run (the store's change events).
    resumed.writeRaw(systemRecord(t0 + 220, 12));
    resumed.log({ loss: 0.2 });
    resumed.finish();
    await systemOf('the new sample', (x) => x.charts.find((c) => c.key === 'system/cpu_percent')?.points === 3 + 8);

    await act({ kind: 'setSystemArchived', on: false });
    const again = await systemOf('the live samples only', (x) => !x.archived);
    assert.deepEqual(again.charts.map((c) => [c.key, c.lines, c.points, c.dashed]), [
      ['system/cpu_percent', 1, 3, 0],
      ['system/gpu.0.memory_used_mb', 1, 1, 0],
    ]);

    // A run without system samples has no System section.
    const plain = uniqueId('nosys');
    logRun(plain, 5);
    await waitFor(() => listedRun(api, plain), `${plain} ingested`);
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: plain });
    await drawn([plain], 2);
    const none = (await inspect()).system;
    assert.equal(none.shown, false);
    assert.deepEqual(none.charts, []);
  });
});
