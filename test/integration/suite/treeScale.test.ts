// The Runs tree and history documents at scale (issue 12): a run rewound 1,000 times lists its archived
// versions flat and numbered, and any of them is revealed and selected (nested 1,000 deep, VS Code's
// reveal resolved the parents one at a time and never finished); a project of more runs than a page
// shows "Show more…"; the history of a wide run shows its first keys and says how to see the others.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { LogWriter } from '../../../src/core/writer';
import { CommandId, HISTORY_SCHEME, InternalCommandId } from '../../../src/ids';
import { MAX_COLUMNS } from '../../../src/history/historyLimits';
import type { RunsNode, VersionNode } from '../../../src/views/nodes';
import { NEST_LIMIT, PAGE_SIZE, nodeId } from '../../../src/views/nodes';
import { children, label, listedRun, logDir, showRunsViewAndStore, uniqueId, waitFor } from './helpers';

/** One run rewound `depth` times as the Python client writes it (a start record naming the source); its version ids, first first. */
function rewoundRun(runId: string, depth: number): string[] {
  const dir = logDir();
  const base = Date.now();
  const first = new LogWriter({ dir, run: runId, project: 'deep-rewinds', name: `rewound ${depth} times`, heartbeat: 0, buffered: true, stamp: `${base}-00000000` });
  for (let s = 0; s < 5; s++) first.log({ loss: 1 / (s + 1) }, s);
  first.finish();
  const versions = [first.version];
  let last = 4;
  for (let i = 1; i <= depth; i++) {
    const w = new LogWriter({ dir, run: runId, mode: 'rewind', source: { run: runId, version: versions[versions.length - 1], step: last - 1 }, heartbeat: 0, buffered: true, stamp: `${base + i}-${String(i).padStart(8, '0')}` });
    w.log({ loss: 1 / (last + 1) }, last);
    w.log({ loss: 1 / (last + 2) }, last + 1);
    w.finish();
    versions.push(w.version);
    last += 1;
  }
  return versions;
}

describe('runs tree at scale', () => {
  it('reveals and selects the first version of a run rewound 1,000 times, listed flat and numbered', async function () {
    this.timeout(240_000);
    const api = await showRunsViewAndStore();
    const folder = api.folders.all[0]?.key;
    assert.ok(folder);
    const runId = uniqueId('deep');
    const versions = rewoundRun(runId, 1000);
    await waitFor(async () => (await listedRun(api, runId))?.versions.length === 1001, 'the run with its 1,001 versions listed', 180_000);
    const first = versions[0];
    await api.runs.revealVersion(folder, runId, first);
    const selected = api.runs.view.selection;
    assert.equal(selected.length, 1, `one row selected: ${selected.map(nodeId).join(', ')}`);
    assert.equal(selected[0]?.kind, 'version');
    assert.equal((selected[0] as VersionNode).versionId, first);
    // What the user sees: Rewinds holds every archived version newest first, numbered from #1, none nested.
    const provider = api.runs.provider;
    const rewinds = provider.node<RunsNode>({ kind: 'forkedFrom', folder, runId });
    assert.equal(provider.getParent(selected[0]), rewinds, 'a flat chain has Rewinds as every version\'s parent');
    const rows = await children(api, rewinds);
    const shownVersions = rows.filter((r) => r.node.kind === 'version');
    assert.equal(shownVersions.length, 1000, 'revealing the oldest showed every page up to it');
    assert.match(String(shownVersions[0]?.item.description), /^#1000 · last step 1003 · rewound to 1002/);
    assert.match(String(shownVersions[999]?.item.description), /^#1 · last step 4 · rewound to 3/);
    assert.equal(shownVersions[999]?.item.collapsibleState, vscode.TreeItemCollapsibleState.None);
    assert.ok(NEST_LIMIT < 1000);
    // Revealing one half way down selects it, too.
    await api.runs.revealVersion(folder, runId, versions[500]);
    assert.equal((api.runs.view.selection[0] as VersionNode | undefined)?.versionId, versions[500]);
  });

  it('shows a page of a project with more runs than that, then the next page on "Show more…"', async function () {
    this.timeout(120_000);
    const api = await showRunsViewAndStore();
    const folder = api.folders.all[0]?.key;
    assert.ok(folder);
    const project = uniqueId('many');
    const ids: string[] = [];
    for (let r = 0; r < PAGE_SIZE + 30; r++) {
      const w = new LogWriter({ dir: logDir(), run: uniqueId('r'), project, heartbeat: 0, buffered: true });
      w.log({ loss: r });
      w.finish();
      ids.push(w.run);
    }
    await waitFor(async () => (await listedRun(api, ids[ids.length - 1])) !== undefined, 'the last run listed', 60_000);
    const projectNode = api.runs.provider.node<RunsNode>({ kind: 'project', folder, project });
    let rows = await children(api, projectNode);
    assert.equal(rows.length, PAGE_SIZE + 1);
    const more = rows[PAGE_SIZE];
    assert.equal(more?.node.kind, 'more');
    assert.equal(label(more.item), 'Show more…');
    assert.equal(more.item.description, `${PAGE_SIZE} of ${PAGE_SIZE + 30} shown`);
    assert.equal(more.item.command?.command, InternalCommandId.ShowMore);
    await vscode.commands.executeCommand(more.item.command.command, ...(more.item.command.arguments ?? []));
    rows = await children(api, projectNode);
    assert.equal(rows.length, PAGE_SIZE + 30, 'every run shown, no "Show more…" row left');
    assert.ok(rows.every((r) => r.node.kind === 'run'));
    // Revealing a run past the first page of another listing grows the page to it.
    const other = uniqueId('many');
    const late: string[] = [];
    for (let r = 0; r < PAGE_SIZE + 5; r++) {
      const w = new LogWriter({ dir: logDir(), run: uniqueId('q'), project: other, heartbeat: 0, buffered: true, clock: () => 1_700_000_000 + r });
      w.log({ loss: r });
      w.finish();
      late.push(w.run);
    }
    await waitFor(async () => (await listedRun(api, late[late.length - 1])) !== undefined, 'the last run listed', 60_000);
    // Newest first: the first run written is the last row.
    await api.runs.revealRun(folder, late[0]);
    const picked = api.runs.view.selection[0];
    assert.equal(picked?.kind, 'run');
    assert.equal(picked.kind === 'run' ? picked.runId : '', late[0]);
  });

  it('opens the history of a run of 150 keys with the first 100 by name and a note naming the rest', async function () {
    this.timeout(60_000);
    const api = await showRunsViewAndStore();
    const runId = uniqueId('wide');
    const keys = Array.from({ length: 150 }, (_, k) => `k${String(k).padStart(3, '0')}`);
    const w = new LogWriter({ dir: logDir(), run: runId, project: 'wide', heartbeat: 0, buffered: true });
    for (let s = 0; s < 20; s++) w.log(Object.fromEntries(keys.map((k, i) => [k, s * 1000 + i])));
    w.finish();
    await waitFor(async () => (await listedRun(api, runId))?.lastStep === 19, 'the wide run listed', 30_000);
    await vscode.commands.executeCommand(CommandId.OpenHistory, runId);
    const editor = await waitFor(() => vscode.window.activeTextEditor?.document.uri.scheme === HISTORY_SCHEME && vscode.window.activeTextEditor?.document.uri.query.includes(runId) && vscode.window.activeTextEditor, 'the history editor');
    const lines = editor.document.getText().split('\n');
    assert.match(lines[1] ?? '', new RegExp(`20 steps; .* Showing the first ${MAX_COLUMNS} of 150 keys by name; for the others: runrewind history ${runId} --keys KEY1,KEY2`));
    const header = (lines[2] ?? '').split(/\s+/);
    assert.deepEqual(header, ['_step', '_time', ...keys.slice(0, MAX_COLUMNS)]);
    // Every row still there, each with its values for the keys shown.
    assert.match(lines[3] ?? '', /^\s*0\s/);
    assert.match(lines[22] ?? '', /^\s*19\s.*\s19099$/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
