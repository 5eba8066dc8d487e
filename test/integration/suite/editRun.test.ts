// Edit Tags…, Edit Notes… and Set Group… in the real extension host: on one run and on a multi-selection
// of the Runs view, from the runs table's context menu (its row data), and what the store and the table
// then show; the records land in the log directory's ops folder.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EditOutcome } from '../../../src/commands/editCommands';
import { CommandId, InternalCommandId } from '../../../src/ids';
import type { TableInspection } from '../../../src/panels/tables';
import { extensionApi, listedRun, logDir, logRun, runRow, showRunsViewAndStore, uniqueId, waitFor } from './helpers';

async function row(id: string): Promise<{ tags: readonly string[]; notes: string; group: string | null }> {
  const api = await extensionApi();
  const table = await (await api.folders.all[0].store()).runsTable({ runs: [id] });
  assert.equal(table.rows.length, 1);
  return table.rows[0];
}

describe('editing runs', () => {
  let a = '';
  let b = '';
  before(async () => {
    const api = await showRunsViewAndStore();
    a = uniqueId('ed');
    b = uniqueId('ed');
    logRun(a, 5, { name: 'edit a' });
    logRun(b, 5, { name: 'edit b' });
    await waitFor(async () => (await listedRun(api, a)) && (await listedRun(api, b)), 'both runs ingested');
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('edits one run from the Runs view: tags, notes with line breaks, a group and no group', async () => {
    const api = await extensionApi();
    const node = (await runRow(api, a))!.node;
    const ops = fs.existsSync(path.join(logDir(), 'ops')) ? fs.readdirSync(path.join(logDir(), 'ops')).length : 0;
    const tags = await vscode.commands.executeCommand<EditOutcome>(CommandId.EditTags, node, undefined, ' keep , best,, best ');
    assert.deepEqual(tags, { ok: true, runs: [a] });
    assert.deepEqual((await row(a)).tags, ['keep', 'best']);
    await vscode.commands.executeCommand(CommandId.EditNotes, node, undefined, 'lr too high\nretry with 3e-4');
    assert.equal((await row(a)).notes, 'lr too high\nretry with 3e-4');
    await vscode.commands.executeCommand(CommandId.SetGroup, node, undefined, 'sweep-7');
    assert.equal((await row(a)).group, 'sweep-7');
    await vscode.commands.executeCommand(CommandId.SetGroup, node, undefined, '');
    assert.equal((await row(a)).group, null);
    assert.equal(fs.readdirSync(path.join(logDir(), 'ops')).length, ops + 4, 'one op file per edit');
    await waitFor(async () => (await listedRun(api, a))?.tags.includes('best'), 'the tree knows the new tags');
  });

  it('edits the tags of a multi-selection as a set, and of the table rows a context menu names', async () => {
    const api = await extensionApi();
    const na = (await runRow(api, a))!.node;
    const nb = (await runRow(api, b))!.node;
    await vscode.commands.executeCommand(CommandId.EditTags, na, [na], 'shared, only-a');
    await vscode.commands.executeCommand(CommandId.EditTags, nb, [nb], 'shared, only-b');
    // Both share "shared": the box shows it; replaced by "common", each keeps its own tag.
    await vscode.commands.executeCommand(CommandId.EditTags, na, [na, nb], 'common');
    assert.deepEqual((await row(a)).tags, ['only-a', 'common']);
    assert.deepEqual((await row(b)).tags, ['only-b', 'common']);

    await vscode.commands.executeCommand(CommandId.OpenRunsTable);
    await vscode.commands.executeCommand(InternalCommandId.ActOnTable, { kind: 'setFilter', filter: `id = "${a}" or id = "${b}"` });
    // A right-click on row a while a and b are selected: the menu's command gets the row's and the grid's data.
    const context = { webview: 'runRewind.runsTable', webviewSection: 'run', runId: a, selected: [a, b], preventDefaultContextMenuItems: true };
    const outcome = await vscode.commands.executeCommand<EditOutcome>(CommandId.SetGroup, context, undefined, 'from-table');
    assert.deepEqual(outcome, { ok: true, runs: [a, b] });
    assert.equal((await row(b)).group, 'from-table');
    // Only the clicked row when it is not among the selected ones.
    await vscode.commands.executeCommand(CommandId.EditNotes, { ...context, selected: [b] }, undefined, 'only a');
    assert.equal((await row(a)).notes, 'only a');
    assert.notEqual((await row(b)).notes, 'only a');
    // The open table follows: the group column shows the new group for both rows.
    await vscode.commands.executeCommand(InternalCommandId.ActOnTable, { kind: 'groupBy', column: 'group' });
    await waitFor(async () => {
      const s = await vscode.commands.executeCommand<TableInspection>(InternalCommandId.InspectTable);
      return s?.rows.includes('group:string:from-table') && s.rows.includes(a) && s.rows.includes(b);
    }, 'the table groups both rows under the new group');
    await vscode.commands.executeCommand(InternalCommandId.ActOnTable, { kind: 'groupBy', column: null });
  });
});
