// Run history documents: a read-only aligned table; the cursor's line is the selected step, which the
// Selected Step commands then act on.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LineageOutcome } from '../../../src/commands/lineage';
import { CommandId, HISTORY_SCHEME } from '../../../src/ids';
import { extensionApi, listedRun, logRun, showRunsViewAndStore, uniqueId, waitFor } from './helpers';

describe('run history document', () => {
  before(async () => {
    await showRunsViewAndStore();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows a version as an aligned table, one step per line', async () => {
    await vscode.commands.executeCommand(CommandId.OpenHistory, 'base01');
    const editor = await waitFor(() => vscode.window.activeTextEditor?.document.uri.scheme === HISTORY_SCHEME && vscode.window.activeTextEditor, 'the history editor');
    const lines = editor.document.getText().split('\n');
    assert.match(lines[0] ?? '', /^# baseline · base01 · v\w+ · live/);
    assert.match(lines[1] ?? '', /240 steps; .* Steps up to 150 are inherited from baseline@150/);
    assert.match(lines[2] ?? '', /^_step\s+_time\s+/);
    assert.match(lines[3] ?? '', /^\s*0\s/);
    assert.match(lines[242] ?? '', /^\s*239\s/);
    const widths = new Set(lines.slice(3, 243).map((l) => l.indexOf(' ', l.search(/\d/)) ));
    assert.ok(widths.size <= 1, 'the step column is aligned');
  });

  it('is titled with the run name, and marks the inherited rows and the branch step of a fork', async () => {
    await vscode.commands.executeCommand(CommandId.OpenHistory, 'fork01');
    const editor = await waitFor(
      () => vscode.window.activeTextEditor?.document.uri.query.includes('fork01') && vscode.window.activeTextEditor,
      'the history editor',
    );
    const doc = editor.document;
    // The tab shows the file name of the path: the run's name first.
    assert.equal(path.posix.basename(doc.uri.path), 'lr-halved (fork01).history');
    const lines = doc.getText().split('\n');
    assert.match(lines[1] ?? '', /Steps up to 120 are inherited from baseline@120 \(v\w+\); this version logs from step 121\./);
    assert.match(lines[2] ?? '', /^_step\s+_time\s+acc\s+loss\s+lineage$/);
    const row = (step: number): string => lines.find((l) => new RegExp(`^\\s*${step}\\s`).test(l)) ?? '';
    assert.match(row(0), /\sinherited$/);
    assert.match(row(119), /\sinherited$/);
    assert.match(row(120), /\sinherited ◀ branch step$/);
    assert.doesNotMatch(row(121), /inherited|branch/);
    assert.doesNotMatch(row(219), /inherited|branch/);
  });

  it('titles an archived version with its version id; a run that never branched has no lineage column', async () => {
    const api = await extensionApi();
    const base = await listedRun(api, 'base01');
    const archived = base?.versions.find((v) => v.archived && v.branchStep === null);
    assert.ok(archived, 'the first version of base01 is archived and has no parent');
    await vscode.commands.executeCommand(CommandId.OpenHistory, archived.id);
    const editor = await waitFor(
      () => vscode.window.activeTextEditor?.document.uri.query.includes(archived.id) && vscode.window.activeTextEditor,
      'the history editor',
    );
    assert.equal(path.posix.basename(editor.document.uri.path), `baseline (base01@${archived.id}).history`);
    const lines = editor.document.getText().split('\n');
    assert.match(lines[0] ?? '', / · archived$/);
    assert.doesNotMatch(lines[2] ?? '', /lineage/);
  });

  it('pages a long history: the most recent rows, with a header saying so', async function () {
    this.timeout(60_000);
    const api = await extensionApi();
    const id = uniqueId('long');
    logRun(id, 6000);
    await waitFor(() => listedRun(api, id), `${id} ingested`, 20_000);
    await vscode.commands.executeCommand(CommandId.OpenHistory, id);
    const editor = await waitFor(() => vscode.window.activeTextEditor?.document.uri.query.includes(id) && vscode.window.activeTextEditor, 'the history editor');
    const lines = editor.document.getText().trimEnd().split('\n');
    assert.match(lines[1] ?? '', /Showing steps 1000 to 5999 of 6000 \(5000 most recent rows\)/);
    assert.equal(lines.length, 3 + 5000);
    assert.match(lines[3] ?? '', /^\s*1000\s/);
  });

  it('selects the step under the cursor and rewinds / forks there', async () => {
    const api = await extensionApi();
    const id = uniqueId('hs');
    logRun(id, 40);
    await waitFor(() => listedRun(api, id), `${id} ingested`);
    await vscode.commands.executeCommand(CommandId.OpenHistory, id);
    const editor = await waitFor(
      () => vscode.window.activeTextEditor?.document.uri.query.includes(id) && vscode.window.activeTextEditor,
      'the history editor',
    );
    const line = editor.document.getText().split('\n').findIndex((l) => /^\s*25\s/.test(l));
    assert.ok(line > 0);
    editor.selection = new vscode.Selection(line, 0, line, 0);
    // An earlier test may have left a selection of its own: wait for this history's.
    const selected = await waitFor(() => api.services.selection.current?.runId === id && api.services.selection.current, 'the step selected in the history');
    assert.equal(selected.runId, id);
    assert.equal(selected.step, 25);
    assert.equal(selected.source, 'history');

    const fork = await vscode.commands.executeCommand<LineageOutcome>(CommandId.ForkAtSelectedStep);
    assert.ok(fork?.ok, JSON.stringify(fork));
    assert.equal((await listedRun(api, fork.runId))?.forkedFrom?.step, 25);

    const rewind = await vscode.commands.executeCommand<LineageOutcome>(CommandId.RewindToSelectedStep, { confirm: false });
    assert.ok(rewind?.ok, JSON.stringify(rewind));
    assert.equal((await listedRun(api, id))?.lastStep, 25);

    // The selection still names the version that is now archived: rewinding it again is refused.
    const again = await vscode.commands.executeCommand<LineageOutcome>(CommandId.RewindToSelectedStep, { confirm: false });
    assert.equal(again?.ok, false);
  });

  it('refuses the Selected Step commands when nothing is selected', async () => {
    const api = await extensionApi();
    api.services.selection.set(undefined);
    const outcome = await vscode.commands.executeCommand<LineageOutcome>(CommandId.RewindToSelectedStep, { confirm: false });
    assert.equal(outcome?.ok, false);
  });
});
