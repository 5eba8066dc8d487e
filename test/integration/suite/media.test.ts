// The chart panel's Media section in the real extension host: media records and content-addressed files
// as the Python client writes them, the image card at the selected step (files loaded by the webview
// through asWebviewUri), its slider moving with the selection and selecting the step it is moved to,
// histogram and table cards, an HTML file opened by VS Code, and a rewind whose live version shows
// inherited images only up to the branch step while the archived version keeps its own.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CommandId } from '../../../src/ids';
import type { LineageOutcome } from '../../../src/commands/lineage';
import type { MediaCardStats } from '../../../src/shared/protocol';
import { LogWriter } from '../../../src/core/writer';
import { mediaFile, mediaRecord, sampleImage } from '../../support/media';
import { actOnChart as act, inspectChart as inspect, extensionApi, listedRun, logDir, showRunsViewAndStore, uniqueId, waitFor } from './helpers';


/** Waits until `key`'s media card satisfies `ok`. */
async function card(key: string, what: string, ok: (c: MediaCardStats) => boolean): Promise<MediaCardStats> {
  return waitFor(async () => {
    const c = (await inspect()).media.cards.find((x) => x.key === key);
    return c && ok(c) && c;
  }, what, 20_000);
}

/** Images at steps 0, 10, …, 40 (two per step), a histogram per image step, a table and an HTML file. */
function logMediaRun(id: string): void {
  const dir = logDir();
  const w = new LogWriter({ dir, run: id, project: 'tests', name: id, heartbeat: 0 });
  for (let s = 0; s <= 40; s++) {
    if (s % 10 === 0) {
      const items = [0, 1].map((i) => ({ ...mediaFile(dir, sampleImage(s + i), 'png'), width: 28, height: 28, caption: `step ${s} #${i}` }));
      w.writeRaw(mediaRecord(s, 'samples', 'image', items));
      w.writeRaw(mediaRecord(s, 'weights', 'histogram', [{ bins: [-1, -0.5, 0, 0.5, 1], counts: [s, 10, 20, 5] }]));
    }
    if (s === 20) w.writeRaw(mediaRecord(s, 'report', 'html', [mediaFile(dir, Buffer.from('<p>report</p>'), 'html')]));
    if (s === 40) {
      const table = { columns: ['x', '<b>y</b>'], data: [[1, '<img src=x onerror=alert(1)>'], [2, 0.5], [3, null]] };
      w.writeRaw(mediaRecord(s, 'preds', 'table', [{ ...mediaFile(dir, Buffer.from(JSON.stringify(table)), 'json'), columns: table.columns, rows: 3 }]));
    }
    w.log({ loss: 1 / (s + 1) }, s);
  }
  w.finish();
}

describe('chart panel media', () => {
  before(async () => {
    await showRunsViewAndStore();
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows image, histogram and table cards at the selected step; the slider selects; a rewind shows inherited images up to its step', async function () {
    this.timeout(90_000);
    const api = await extensionApi();
    const id = uniqueId('med');
    logMediaRun(id);
    await waitFor(async () => (await listedRun(api, id))?.lastStep === 40, `${id} read`);

    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: id });
    const first = await waitFor(async () => {
      const s = await inspect();
      return s.entries[0] === id && s.media.shown && s.media.cards.length === 4 && s.drawn.length >= 1 && s;
    }, 'the Media section', 20_000);
    assert.deepEqual(first.media.cards.map((c) => [c.key, c.kind]), [['preds', 'table'], ['report', 'html'], ['samples', 'image'], ['weights', 'histogram']]);
    // Opening asks for the media keys once (it asked twice, the first answer thrown away).
    assert.equal(first.media.keysAsked, 1);

    // No step selected: every card shows its newest step; both images of the step are loaded.
    const newest = await card('samples', 'the newest images loaded', (c) => c.rows[0]?.images === 2);
    assert.deepEqual(newest.steps, [0, 10, 20, 30, 40]);
    assert.equal(newest.step, 40);
    assert.deepEqual(newest.rows.map((r) => [r.entryStep, r.inherited, r.captions]), [[40, false, ['step 40 #0', 'step 40 #1']]]);
    // Its strip: the first image of every step (five, fewer than a strip holds), the shown one marked.
    assert.deepEqual([newest.rows[0].strip, newest.rows[0].stripCurrent], [[0, 10, 20, 30, 40], 40]);
    assert.equal((await card('weights', 'the histogram', (c) => c.rows[0]?.bars === 4)).step, 40);
    // Its distribution over the five logged steps is drawn above it.
    await card('weights', 'the histogram distribution', (c) => c.rows[0]?.distribution === 5);
    const table = await card('preds', 'the table', (c) => c.rows[0]?.tableRows === 3);
    assert.equal(table.step, 40);
    // Cells and column names are text: the hostile cell made no element.
    assert.equal((await inspect()).injected, 0);

    // A step picked on a metric chart moves the slider to the last image at or before it.
    await act({ kind: 'selectStep', key: 'loss', runId: id, step: 25 });
    const at25 = await card('samples', 'the slider at step 20', (c) => c.step === 20 && c.rows[0]?.entryStep === 20 && c.rows[0].images === 2);
    assert.deepEqual(at25.rows[0].captions, ['step 20 #0', 'step 20 #1']);
    await card('weights', 'the histogram at step 20', (c) => c.step === 20);

    // Moving the slider selects its step: the window's selection and every card follow.
    await act({ kind: 'mediaSlider', key: 'samples', index: 1 });
    await waitFor(() => api.services.selection.current?.runId === id && api.services.selection.current.step === 10, 'the selection at step 10');
    await card('weights', 'the histogram following the slider', (c) => c.step === 10 && c.rows[0]?.entryStep === 10);
    assert.equal((await inspect()).state.selection?.step, 10);

    // HTML is a file VS Code opens; the host names it from sha256 and format.
    await act({ kind: 'openMedia', key: 'report', row: 0, item: 0 });
    const opened = await waitFor(() => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputText && input.uri.fsPath.endsWith('.html') && input.uri;
    }, 'the HTML file opened');
    assert.ok(opened.fsPath.startsWith(logDir()), opened.fsPath);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

    // Rewind at 25, then log one image of the new version's own at 30.
    const archived = (await listedRun(api, id))!.liveVersion;
    const outcome = await vscode.commands.executeCommand<LineageOutcome>(CommandId.RewindToStep, id, 25, { confirm: false });
    assert.ok(outcome.ok, 'rewound');
    const resumed = new LogWriter({ dir: logDir(), run: id, version: outcome.version, mode: 'resume', lastStep: 25, heartbeat: 0 });
    for (let s = 26; s <= 30; s++) {
      if (s === 30) resumed.writeRaw(mediaRecord(s, 'samples', 'image', [{ ...mediaFile(logDir(), sampleImage(99), 'png'), width: 28, height: 28, caption: 'after the rewind' }]));
      resumed.log({ loss: 0.5 / s }, s);
    }
    resumed.finish();
    await waitFor(async () => (await listedRun(api, id))?.lastStep === 30, `${id} resumed`);
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: id });

    // The selection (step 10) followed the rewind to the live version: inherited images up to 25 only.
    const live = await card('samples', 'the live version\'s images', (c) => c.rows[0]?.version === outcome.version && c.steps.length === 4 && c.rows[0].images === 2);
    assert.deepEqual(live.steps, [0, 10, 20, 30]);
    assert.deepEqual([live.step, live.rows[0].entryStep, live.rows[0].inherited], [10, 10, true]);
    await act({ kind: 'mediaSlider', key: 'samples', index: 3 });
    const own = await card('samples', 'the new version\'s own image', (c) => c.step === 30 && c.rows[0]?.entryStep === 30 && c.rows[0].images === 1);
    assert.deepEqual([own.rows[0].inherited, own.rows[0].captions], [false, ['after the rewind']]);
    // The strip goes across the rewind: the inherited steps, then the new version's own.
    assert.deepEqual([own.rows[0].strip, own.rows[0].stripCurrent], [[0, 10, 20, 30], 30]);
    // The histogram was never logged after the rewind: its newest inherited step is 20.
    await card('weights', 'the inherited histogram', (c) => c.rows[0]?.entryStep === 20 && c.rows[0].inherited);

    // Picking a step on the archived line shows the archived version: all of its own images.
    await act({ kind: 'selectStep', key: 'loss', runId: id, step: 40, versionId: archived });
    const old = await card('samples', 'the archived version\'s images', (c) => c.rows[0]?.version === archived && c.step === 40 && c.rows[0].images === 2);
    assert.deepEqual(old.steps, [0, 10, 20, 30, 40]);
    assert.equal(old.rows[0].inherited, false);
  });

  it('draws a wandb.plot table\'s chart from its hint and shows a long table a page at a time', async () => {
    const api = await extensionApi();
    const id = uniqueId('plot');
    const dir = logDir();
    const w = new LogWriter({ dir, run: id, project: 'tests', name: id, heartbeat: 0 });
    // What wandb.plot.line(table, "epoch", "acc", stroke="split") logs: 45 rows in two series.
    const data = Array.from({ length: 45 }, (_, i) => [i % 23, 0.5 + i / 100, i < 23 ? 'train' : 'val']);
    const table = { columns: ['epoch', 'acc', 'split'], data };
    w.log({ loss: 1 }, 0);
    w.writeRaw(mediaRecord(0, 'acc_curve', 'table', [{ ...mediaFile(dir, Buffer.from(JSON.stringify(table)), 'json'), columns: table.columns, rows: 45, chart: { type: 'line', x: 'epoch', y: 'acc', stroke: 'split', title: 'Accuracy' } }]));
    w.finish();
    await waitFor(() => listedRun(api, id), `${id} ingested`);
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: id });
    const c = await card('acc_curve', 'the table card with its chart', (x) => x.rows[0]?.chartPoints === 45);
    assert.equal(c.rows[0]?.tableRows, 20, 'one page of 20 rows');
  });

  it('has no Media section for a run without media', async () => {
    const api = await extensionApi();
    const id = uniqueId('nomed');
    const w = new LogWriter({ dir: logDir(), run: id, project: 'tests', name: id, heartbeat: 0 });
    for (let s = 0; s < 5; s++) w.log({ loss: s });
    w.finish();
    await waitFor(() => listedRun(api, id), `${id} ingested`);
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: id });
    const s = await waitFor(async () => {
      const x = await inspect();
      return x.entries[0] === id && x.drawn.length >= 1 && x;
    }, 'the charts');
    assert.deepEqual(s.media, { shown: false, cards: [], keysAsked: 1 });
  });
});
