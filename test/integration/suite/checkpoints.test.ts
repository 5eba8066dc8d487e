// Checkpoint-aware rewind in the extension host: a run with model checkpoints at steps 100, 200 and 300
// rewound from the selected step 250 goes to the checkpoint of step 200 when asked to, and the resume
// snippet loads that checkpoint.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LineageOutcome } from '../../../src/commands/lineage';
import { encodeRecord } from '../../../src/core/protocol';
import { CommandId } from '../../../src/ids';
import { extensionApi, listedRun, logDir, showRunsViewAndStore, uniqueId, waitFor } from './helpers';
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
});
