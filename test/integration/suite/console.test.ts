// Run Console documents (issue 13): what a version printed, inherited lines of a rewind marked, the
// cursor's line selecting its step, a step selected elsewhere moving the console to its lines, and a
// console that follows a run while it prints.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LineageOutcome } from '../../../src/commands/lineage';
import { CommandId, CONSOLE_SCHEME } from '../../../src/ids';
import { LogWriter } from '../../../src/core/writer';
import { extensionApi, listedRun, logDir, showRunsViewAndStore, uniqueId, waitFor } from './helpers';

/** A console record as the Python client writes it (docs/PROTOCOL.md, `console`). */
function consoleRecord(lines: [number, 'stdout' | 'stderr', number, string][]): string {
  return `${JSON.stringify({ type: 'console', time: lines[lines.length - 1][0], lines })}\n`;
}

function activeConsole(query: string): vscode.TextEditor | false | undefined {
  const editor = vscode.window.activeTextEditor;
  return editor?.document.uri.scheme === CONSOLE_SCHEME && editor.document.uri.query.includes(query) && editor;
}

describe('run console document', () => {
  before(async () => {
    await showRunsViewAndStore();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows what a rewound version printed: inherited lines up to the branch step marked, then its own', async function () {
    this.timeout(30_000);
    const api = await extensionApi();
    const id = uniqueId('con');
    const t0 = 1_800_000_000;
    const w = new LogWriter({ dir: logDir(), run: id, project: 'tests', heartbeat: 0 });
    for (let s = 0; s < 8; s++) {
      w.writeRaw(consoleRecord([[t0 + s, 'stdout', s, `epoch ${s} | loss ${1 / (s + 1)}`]]));
      w.log({ loss: 1 / (s + 1) });
    }
    w.writeRaw(consoleRecord([[t0 + 9, 'stderr', 8, 'Warning: lr is high [click](command:workbench.action.quit)']]));
    w.finish();
    await waitFor(async () => (await listedRun(api, id))?.lastStep === 7, `${id} read`);
    const outcome = await vscode.commands.executeCommand<LineageOutcome>(CommandId.RewindToStep, id, 4, { confirm: false });
    assert.ok(outcome.ok, 'rewound');
    const resumed = new LogWriter({ dir: logDir(), run: id, version: outcome.version, mode: 'resume', lastStep: 4, heartbeat: 0 });
    resumed.writeRaw(consoleRecord([[t0 + 20, 'stdout', 5, 'resumed from the step-4 checkpoint']]));
    resumed.log({ loss: 0.3 });
    resumed.finish();
    await waitFor(async () => (await listedRun(api, id))?.lastStep === 5, `${id} resumed`);

    await vscode.commands.executeCommand(CommandId.OpenConsole, id);
    const editor = await waitFor(() => activeConsole(outcome.version), 'the console editor');
    assert.equal(editor.document.languageId, 'runrewind-console');
    const lines = editor.document.getText().split('\n');
    assert.match(lines[0] ?? '', new RegExp(`^# ${id} · ${id} · ${outcome.version} · live · console`));
    assert.match(lines[1] ?? '', /6 lines; .* Lines marked ┆ were printed by .* up to step 4/);
    // Inherited: the archived version's lines printed at steps 0..4; then this version's own.
    assert.deepEqual(lines.slice(2, 8).map((l) => /^\s*(\d+)  \d\d:\d\d:\d\d  (out|err) ([│┆]) (.*)$/.exec(l)?.slice(1)), [
      ['0', 'out', '┆', 'epoch 0 | loss 1'],
      ['1', 'out', '┆', 'epoch 1 | loss 0.5'],
      ['2', 'out', '┆', 'epoch 2 | loss 0.3333333333333333'],
      ['3', 'out', '┆', 'epoch 3 | loss 0.25'],
      ['4', 'out', '┆', 'epoch 4 | loss 0.2'],
      ['5', 'out', '│', 'resumed from the step-4 checkpoint'],
    ]);

    // The archived version keeps its whole console, text as printed (a link is only text here).
    const archived = (await listedRun(api, id))!.versions.find((v) => v.archived)!;
    await vscode.commands.executeCommand(CommandId.OpenConsole, archived.id);
    const old = await waitFor(() => activeConsole(archived.id), 'the archived console');
    const oldLines = old.document.getText().split('\n');
    assert.match(oldLines[1] ?? '', /^# 9 lines;/);
    assert.match(oldLines[10] ?? '', /^\s*8  \d\d:\d\d:\d\d  err │ Warning: lr is high \[click\]\(command:workbench\.action\.quit\)$/);

    // The cursor's line selects its step; a step selected elsewhere moves an open console to its lines.
    old.selection = new vscode.Selection(5, 0, 5, 0);
    await waitFor(() => api.services.selection.current?.step === 3 && api.services.selection.current, 'step 3 selected from the console');
    assert.equal(api.services.selection.current?.versionId, archived.id);
    assert.equal(api.services.selection.current?.archived, true);
    api.services.selection.set({ folder: api.services.selection.current!.folder, runId: id, versionId: archived.id, step: 6, source: 'chart', archived: true });
    await waitFor(() => old.selection.active.line === 8, 'the console moved to step 6');
    // Opened again from the selected step's menu (the chart's way in), it opens at that step's lines.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand(CommandId.OpenConsole, { run: archived.id, folder: api.services.selection.current!.folder });
    const again = await waitFor(() => activeConsole(archived.id), 'the console again');
    assert.equal(again.selection.active.line, 8, 'opened at step 6');
  });

  it('follows a run while it prints', async function () {
    this.timeout(30_000);
    const api = await extensionApi();
    const id = uniqueId('live');
    const w = new LogWriter({ dir: logDir(), run: id, project: 'tests', heartbeat: 1 });
    try {
      w.writeRaw(consoleRecord([[Date.now() / 1000, 'stdout', 0, 'starting']]));
      w.log({ loss: 1 });
      await waitFor(async () => (await listedRun(api, id))?.lastStep === 0, `${id} read`);
      await vscode.commands.executeCommand(CommandId.OpenConsole, id);
      const editor = await waitFor(() => activeConsole(id), 'the console editor');
      assert.match(editor.document.getText(), /starting/);
      w.writeRaw(consoleRecord([[Date.now() / 1000, 'stdout', 1, 'epoch 1 done']]));
      w.log({ loss: 0.5 });
      await waitFor(() => editor.document.getText().includes('epoch 1 done'), 'the new line in the open console');
    } finally {
      w.finish();
    }
  });
});
