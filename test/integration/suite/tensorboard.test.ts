// TensorBoard runs in the editor: Add Log Folder… writes runRewind.sources, the folder's event files
// (hand-built by test/support/tfevents.ts, TensorFlow's byte layout) become a run in the Runs view with
// its origin (codicon and "TensorBoard"), and the store answers its series like any run's.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CommandId } from '../../../src/ids';
import { eventFile, scalarEvents } from '../../support/tfevents';
import { children, label, showRunsViewAndStore, waitFor, workspaceDir } from './helpers';

describe('TensorBoard runs', () => {
  it('Add Log Folder imports a folder of event files; the run shows its origin and its values', async () => {
    const api = await showRunsViewAndStore();
    const dir = path.join(workspaceDir(), 'tb-logs', 'exp');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'events.out.tfevents.1700000000.host.1.0');
    fs.writeFileSync(file, eventFile(scalarEvents(['loss', 'acc'], 0, 30, (tag, s) => (tag === 'loss' ? 1 / (s + 1) : s / 30))));
    // Written long ago: the run is finished, not still being written.
    const past = new Date(Date.now() - 3_600_000);
    fs.utimesSync(file, past, past);
    const entry = await vscode.commands.executeCommand<string>(CommandId.AddLogFolder, 'tb-logs');
    assert.equal(entry, 'tb-logs');
    const folder = vscode.workspace.workspaceFolders![0];
    assert.deepEqual(vscode.workspace.getConfiguration('runRewind', folder).get('sources'), ['runs', 'lightning_logs', 'wandb', 'mlruns', 'mlflow.db', 'outputs', 'trainer_output', 'tb-logs']);
    const row = await waitFor(async () => {
      for (const project of await children(api)) {
        if (label(project.item) !== 'tb-logs') continue;
        for (const run of await children(api, project.node)) if (label(run.item) === 'exp') return run;
      }
      return undefined;
    }, 'the imported run in the Runs view', 30_000);
    assert.match(String(row.item.description), /^TensorBoard · tb-[0-9a-f]{16} · step 29/);
    assert.equal((row.item.iconPath as vscode.ThemeIcon).id, 'graph-line');
    assert.ok(row.node.kind === 'run');
    const store = await api.folders.all[0].store();
    const loss = await store.series(row.node.runId, 'loss');
    assert.deepEqual([...loss.values], Array.from({ length: 30 }, (_, s) => Math.fround(1 / (s + 1))));
    const overview = await store.getRun(row.node.runId);
    assert.equal(overview.origin?.label, 'TensorBoard');
    assert.equal(overview.origin?.path, path.join(workspaceDir(), 'tb-logs', 'exp'));
    // Adding it again changes nothing.
    assert.equal(await vscode.commands.executeCommand<string>(CommandId.AddLogFolder, 'tb-logs'), 'tb-logs');
    assert.deepEqual(vscode.workspace.getConfiguration('runRewind', folder).get('sources'), ['runs', 'lightning_logs', 'wandb', 'mlruns', 'mlflow.db', 'outputs', 'trainer_output', 'tb-logs']);
  });
});
