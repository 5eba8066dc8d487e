// The branch diff in the real extension host: a fork made with Fork at Step and resumed with a new
// config, compared with its source from the Runs view (Compare with Source) and from the runs table (two
// rows selected → Compare); the document's text against the values the logs hold.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LineageOutcome } from '../../../src/commands/lineage';
import { LogWriter } from '../../../src/core/writer';
import { parseDiffUri } from '../../../src/diff/diffDocuments';
import { CommandId, DIFF_SCHEME } from '../../../src/ids';
import { formatNumber } from '../../../src/shared/format';
import { actOnTable as act, inspectTable as inspect, extensionApi, listedRun, logDir, logRun, runRow, showRunsViewAndStore, uniqueId, waitFor } from './helpers';


function diffEditor(): vscode.TextEditor | false {
  const editor = vscode.window.activeTextEditor;
  return editor?.document.uri.scheme === DIFF_SCHEME && editor;
}

/** The document's line that starts with `start`, spaces of alignment aside. */
function lineOf(text: string, start: string): string {
  const line = text.split('\n').find((l) => l.trimStart().replace(/ +/g, ' ').startsWith(start));
  assert.ok(line !== undefined, `a line starting with ${start} in:\n${text}`);
  return line;
}

describe('branch diff', () => {
  let source = '';
  let fork = '';

  before(async () => {
    const api = await showRunsViewAndStore();
    source = uniqueId('bd');
    // loss = 1/(s+1) and acc = s/50 for steps 0..49, config { lr: 0.01 }.
    logRun(source, 50, { name: 'diff source' });
    await waitFor(() => listedRun(api, source), `${source} ingested`);
    const outcome = await vscode.commands.executeCommand<LineageOutcome>(CommandId.ForkAtStep, source, 20, { name: 'diff fork' });
    assert.ok(outcome.ok, JSON.stringify(outcome));
    fork = outcome.runId;
    const writer = new LogWriter({ dir: logDir(), run: fork, mode: 'resume', version: outcome.version, lastStep: 20, heartbeat: 0 });
    writer.config({ lr: 0.001, warmup: 3 });
    for (let s = 21; s <= 30; s++) writer.log({ loss: 0.01, acc: 0.1 });
    writer.finish();
    await waitFor(async () => (await listedRun(api, fork))?.lastStep === 30 && (await listedRun(api, fork))?.state === 'finished', `${fork} resumed to step 30`);
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Compare with Source on a fork in the Runs view shows what the fork changed since the branch step', async () => {
    const api = await extensionApi();
    const row = await runRow(api, fork);
    assert.ok(row, 'the fork is in the tree');
    assert.match(row.item.contextValue ?? '', /^run:.*:forked/, 'the menu shows Compare with Source on it');
    await vscode.commands.executeCommand(CommandId.CompareWithSource, row.node);
    const editor = await waitFor(diffEditor, 'a comparison document');
    const address = parseDiffUri(editor.document.uri);
    assert.deepEqual(address && { a: address.a, b: address.b }, { a: (await listedRun(api, fork))!.liveVersion, b: undefined });
    const text = await waitFor(() => !editor.document.getText().startsWith('# Error') && editor.document.getText(), 'the diff rendered');

    assert.match(lineOf(text, '# Compare'), /diff fork .* is forked from diff source .* at step 20\./);
    assert.match(text, /## 2 config keys differ \(0 the same\)/);
    assert.match(lineOf(text, '~ lr'), /0\.01\s+0\.001$/);
    assert.match(lineOf(text, '+ warmup'), /\s3$/);
    // Values at step 20 (both sides), at the end (source step 49, fork step 30), Δ, and the best each way.
    const columns = (line: string): string[] => line.trim().split(/\s{2,}/);
    assert.deepEqual(columns(lineOf(text, 'metric')), ['metric', 'best', 'at step 20', 'end: left', 'end: right', 'Δ end', 'best: left', 'best: right']);
    assert.deepEqual(columns(lineOf(text, 'loss')), ['loss', 'min', formatNumber(1 / 21), formatNumber(1 / 50), formatNumber(0.01), formatNumber(0.01 - 1 / 50), formatNumber(1 / 50), formatNumber(0.01)]);
    assert.deepEqual(columns(lineOf(text, 'acc')), ['acc', 'max', formatNumber(20 / 50), formatNumber(49 / 50), formatNumber(0.1), formatNumber(0.1 - 49 / 50), formatNumber(49 / 50), formatNumber(20 / 50)]);
    assert.equal(editor.document.isDirty, false);
  });

  it('Compare with Source on a run\'s first archived version compares it with the rewind that replaced it', async () => {
    const api = await extensionApi();
    const base = await listedRun(api, 'base01');
    assert.ok(base, 'the fixture has base01, rewound twice');
    const first = base.versions.find((v) => v.archived && v.parent === null)!;
    const successor = base.versions.find((v) => v.parent === first.id)!;
    await vscode.commands.executeCommand(CommandId.CompareWithSource, first.id);
    const editor = await waitFor(diffEditor, 'a comparison document');
    const address = parseDiffUri(editor.document.uri);
    assert.deepEqual(address && [address.a, address.b], [first.id, successor.id]);
    const text = await waitFor(() => editor.document.getText().includes('## ') && editor.document.getText(), 'the diff rendered');
    assert.match(lineOf(text, '# Compare'), new RegExp(`is rewound from .*${first.id}, archived\\) at step ${successor.branchStep}\\.`));
  });

  it('the runs table compares two selected rows, the upper one on the left', async () => {
    await vscode.commands.executeCommand(CommandId.OpenRunsTable);
    await act({ kind: 'setFilter', filter: `id = "${source}" or id = "${fork}"` });
    const shown = await waitFor(async () => {
      const s = await inspect();
      return s.rows.length === 2 && s;
    }, 'the two runs in the table');
    assert.equal(shown.compareEnabled, false, 'Compare needs two rows');
    await act({ kind: 'clickRow', row: source });
    assert.equal((await inspect()).compareEnabled, false);
    await act({ kind: 'clickRow', row: fork, ctrl: true });
    assert.equal((await inspect()).compareEnabled, true);
    await act({ kind: 'compare' });
    const editor = await waitFor(diffEditor, 'a comparison document from the table');
    const address = parseDiffUri(editor.document.uri);
    const api = await extensionApi();
    assert.deepEqual(address && [address.a, address.b], [(await listedRun(api, source))!.liveVersion, (await listedRun(api, fork))!.liveVersion]);
    const text = await waitFor(() => editor.document.getText().includes('## ') && editor.document.getText(), 'the diff rendered');
    // The source first: the fork is its fork, as from the tree.
    assert.match(lineOf(text, '# Compare'), /diff fork .* is forked from diff source .* at step 20\./);
    assert.match(lineOf(text, '~ lr'), /0\.01\s+0\.001$/);
  });
});
