// Checkpoint-aware rewind in the extension host: a run with model checkpoints at steps 100, 200 and 300
// rewound from the selected step 250 goes to the checkpoint of step 200 when asked to, and the resume
// snippet loads that checkpoint.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LineageOutcome } from '../../../src/commands/lineage';
import { encodeRecord } from '../../../src/core/protocol';
import { CommandId, InternalCommandId } from '../../../src/ids';
import type { ChartInspection } from '../../../src/panels/charts';
import { children, extensionApi, label, listedRun, logDir, runRow, showRunsViewAndStore, uniqueId, waitFor } from './helpers';
import { LogWriter } from '../../../src/core/writer';

/** A finished run of 320 steps with a `model` artifact logged after steps 100, 200 and 300 (v0, v1, v2). */
function logCheckpointedRun(runId: string): void {
  const w = new LogWriter({ dir: logDir(), run: runId, project: 'tests', name: runId, heartbeat: 0 });
  let n = 0;
  for (let s = 0; s < 320; s++) {
    w.log({ loss: 1 / (s + 1) });
    if (s === 100 || s === 200 || s === 300) {
      w.writeRaw(`${encodeRecord({ type: 'artifact', time: 1, action: 'log', step: s, name: `model-${runId}`, version: `v${n++}`, artifact_type: 'model', aliases: ['latest'] })}\n`);
    }
  }
  w.finish();
}

describe('checkpoint-aware rewind', () => {
  before(async () => {
    await showRunsViewAndStore();
  });

  it('rewinds from the selected step 250 to the checkpoint of step 200; the snippet loads it', async () => {
    const api = await extensionApi();
    const id = uniqueId('ck');
    logCheckpointedRun(id);
    const info = await waitFor(() => listedRun(api, id), `${id} ingested`);
    const folder = api.folders.all[0]!.key;
    api.services.selection.set({ folder, runId: id, versionId: info.liveVersion, step: 250, source: 'chart', archived: false });
    const outcome = (await vscode.commands.executeCommand(CommandId.RewindToSelectedStep, { confirm: false, toCheckpoint: true })) as LineageOutcome;
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.equal(outcome.step, 200);
    assert.deepEqual(outcome.checkpoint, { name: `model-${id}`, artifactVersion: 'v1', step: 200 });
    assert.equal((await listedRun(api, id))?.lastStep, 200);

    // The resume snippet of the rewound run: init, then the checkpoint it continues from.
    const snippet = (await vscode.commands.executeCommand(CommandId.CopyResumeSnippet, id, undefined, 'resume')) as string;
    assert.equal(snippet, `run = runrewind.init(project="tests", id="${id}", resume="must")\ncheckpoint_dir = run.use_artifact("model-${id}:v1").download()`);
    // A plain rewind at a step before every checkpoint: none named, and going to one is refused.
    const none = (await vscode.commands.executeCommand(CommandId.RewindToStep, id, 50, { confirm: false, toCheckpoint: true })) as LineageOutcome;
    assert.equal(none.ok, false);
    assert.match(!none.ok ? none.reason : '', /has no checkpoint at or before step 50/);
    const plain = (await vscode.commands.executeCommand(CommandId.RewindToStep, id, 150, { confirm: false })) as LineageOutcome;
    assert.ok(plain.ok && plain.step === 150 && plain.checkpoint?.artifactVersion === 'v0', JSON.stringify(plain));
  });

  it('marks a selected step that has a checkpoint in the status bar, and names the nearest one before another', async () => {
    const api = await extensionApi();
    const id = uniqueId('cs');
    logCheckpointedRun(id);
    const info = await waitFor(() => listedRun(api, id), `${id} ingested`);
    const folder = api.folders.all[0]!.key;
    const selection = api.services.selection;
    selection.set({ folder, runId: id, versionId: info.liveVersion, step: 250, source: 'chart', archived: false });
    const before = await waitFor(() => selection.shownCheckpoint.checkpoint && selection.shownCheckpoint, 'the nearest checkpoint named');
    assert.deepEqual(before.checkpoint, { artifact: `model-${id}:v1`, step: 200 });
    assert.equal(before.text, `$(debug-step-over) ${id}@250`);
    selection.set({ folder, runId: id, versionId: info.liveVersion, step: 200, source: 'chart', archived: false });
    const at = await waitFor(() => selection.shownCheckpoint.text.endsWith('$(save)') && selection.shownCheckpoint, 'the step marked');
    assert.equal(at.text, `$(debug-step-over) ${id}@200 $(save)`);
    selection.set({ folder, runId: id, versionId: info.liveVersion, step: 50, source: 'chart', archived: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(selection.shownCheckpoint, { text: `$(debug-step-over) ${id}@50`, checkpoint: undefined });
    selection.set(undefined);
  });

  it('forks from the selected step 250 at the checkpoint of step 200; the fork inherits it and its snippet loads it', async () => {
    const api = await extensionApi();
    const id = uniqueId('cf');
    logCheckpointedRun(id);
    const info = await waitFor(() => listedRun(api, id), `${id} ingested`);
    const folder = api.folders.all[0]!.key;
    api.services.selection.set({ folder, runId: id, versionId: info.liveVersion, step: 250, source: 'chart', archived: false });
    const outcome = (await vscode.commands.executeCommand(CommandId.ForkAtSelectedStep, { confirm: false, toCheckpoint: true })) as LineageOutcome;
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.equal(outcome.step, 200);
    assert.deepEqual(outcome.checkpoint, { name: `model-${id}`, artifactVersion: 'v1', step: 200 });
    assert.notEqual(outcome.runId, id);
    const fork = await waitFor(() => listedRun(api, outcome.runId), 'the fork listed');
    assert.equal(fork.lastStep, 200);
    assert.deepEqual(fork.forkedFrom && [fork.forkedFrom.run, fork.forkedFrom.step], [id, 200]);
    const snippet = (await vscode.commands.executeCommand(CommandId.CopyResumeSnippet, outcome.runId, undefined, 'resume')) as string;
    assert.match(snippet, new RegExp(`checkpoint_dir = run\\.use_artifact\\("model-${id}:v1"\\)\\.download\\(\\)$`));
    // The source run is untouched.
    assert.equal((await listedRun(api, id))?.lastStep, 319);
  });

  it('marks the steps with a checkpoint on the charts, beside the branch step', async () => {
    const api = await extensionApi();
    const id = uniqueId('cm');
    logCheckpointedRun(id);
    await waitFor(() => listedRun(api, id), `${id} ingested`);
    const rewound = (await vscode.commands.executeCommand(CommandId.RewindToStep, id, 250, { confirm: false })) as LineageOutcome;
    assert.ok(rewound.ok, JSON.stringify(rewound));
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: id });
    // The live version inherits the checkpoints of steps 100 and 200; the one of step 300 stays with the archived version.
    const loss = await waitFor(async () => {
      const s = await vscode.commands.executeCommand<ChartInspection | undefined>(InternalCommandId.InspectChart);
      const d = s?.entries.join() === id ? s.drawn.find((x) => x.key === 'loss') : undefined;
      return d && d.marks.length >= 3 ? d : undefined;
    }, 'the loss chart with its marks', 20_000);
    assert.deepEqual(loss.marks, ['ckpt 100', 'ckpt 200', 'rewind 250']);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows a version\'s artifacts under Artifacts, with reveal and copy path on each', async () => {
    const api = await extensionApi();
    const id = uniqueId('ca');
    logCheckpointedRun(id);
    const before = await waitFor(() => listedRun(api, id), `${id} ingested`);
    const rewound = (await vscode.commands.executeCommand(CommandId.RewindToStep, id, 250, { confirm: false })) as LineageOutcome;
    assert.ok(rewound.ok && rewound.checkpoint?.artifactVersion === 'v1', JSON.stringify(rewound));
    const row = await waitFor(async () => {
      const r = await runRow(api, id);
      return r && (await children(api, r.node)).some((c) => c.node.kind === 'artifacts') ? r : undefined;
    }, 'the Artifacts item');
    const group = (await children(api, row.node)).find((c) => c.node.kind === 'artifacts')!;
    assert.equal(label(group.item), 'Artifacts');
    assert.equal(group.item.description, '2 artifacts');
    const rows = await children(api, group.node);
    assert.deepEqual(rows.map((r) => [label(r.item), r.item.description, r.item.contextValue]), [
      [`model-${id}:v0`, 'model · step 100 · inherited', 'artifact'],
      [`model-${id}:v1`, 'model · step 200 · inherited', 'artifact'],
    ]);
    // The archived version keeps all three.
    const rewinds = (await children(api, row.node)).find((c) => c.node.kind === 'forkedFrom')!;
    const archived = (await children(api, rewinds.node)).find((c) => c.node.kind === 'version' && c.node.versionId === before.liveVersion)!;
    const archivedGroup = (await children(api, archived.node)).find((c) => c.node.kind === 'artifacts')!;
    assert.deepEqual((await children(api, archivedGroup.node)).map((r) => label(r.item)), [0, 1, 2].map((n) => `model-${id}:v${n}`));
    const copied = (await vscode.commands.executeCommand(CommandId.CopyArtifactPath, rows[1]!.node)) as string;
    assert.equal(copied, path.join(logDir(), 'artifacts', `model-${id}`, 'v1.json'));
    assert.equal(await vscode.env.clipboard.readText(), copied);
  });

  it('lists under a logged artifact the run versions that used it, and reveals one when clicked', async () => {
    const api = await extensionApi();
    const producer = uniqueId('ap');
    const consumer = uniqueId('ac');
    logCheckpointedRun(producer);
    const info = await waitFor(() => listedRun(api, producer), `${producer} ingested`);
    const w = new LogWriter({ dir: logDir(), run: consumer, project: 'tests', name: `eval of ${producer}`, heartbeat: 0 });
    w.log({ acc: 0.5 });
    w.writeRaw(`${encodeRecord({ type: 'artifact', time: 2, action: 'use', step: 0, name: `model-${producer}`, version: 'v1', artifact_type: 'model', source_version: info.liveVersion })}\n`);
    w.log({ acc: 0.7 });
    w.finish();
    const used = await waitFor(() => listedRun(api, consumer), `${consumer} ingested`);
    const row = await waitFor(async () => {
      const r = await runRow(api, producer);
      return r && (await children(api, r.node)).some((c) => c.node.kind === 'artifacts') ? r : undefined;
    }, 'the Artifacts item');
    const group = (await children(api, row.node)).find((c) => c.node.kind === 'artifacts')!;
    const v1 = await waitFor(async () => {
      const rows = await children(api, group.node);
      const r = rows.find((x) => label(x.item) === `model-${producer}:v1`);
      return r && /used by 1 run version/.test(String(r.item.description)) ? r : undefined;
    }, 'v1 says it was used');
    assert.equal(v1.item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    const v0 = (await children(api, group.node)).find((x) => label(x.item) === `model-${producer}:v0`)!;
    assert.equal(v0.item.collapsibleState, vscode.TreeItemCollapsibleState.None, 'nobody used v0');
    const users = await children(api, v1.node);
    assert.deepEqual(users.map((u) => [label(u.item), u.item.description]), [[`eval of ${producer}`, `${consumer} · step 0 · used`]]);
    assert.ok(users[0]!.item.command);
    await vscode.commands.executeCommand(users[0]!.item.command.command, ...(users[0]!.item.command.arguments ?? []));
    await waitFor(() => api.runs.view.selection.some((n) => n.kind === 'run' && n.runId === consumer), 'the user revealed and selected');
    assert.equal(used.liveVersion, (await listedRun(api, consumer))?.liveVersion);
  });
});
