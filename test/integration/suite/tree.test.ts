// The Runs tree for the fixture workspace (test/fixtures/workspace/.runrewind, logged by the Python
// client): projects, states, nested archived versions, fork sources, escaped tooltips, problems.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunsNode } from '../../../src/views/nodes';
import { formatDateTime } from '../../../src/shared/dates';
import { children, extensionApi, label, listedRun, logDir, logRun, runRow, showRunsViewAndStore, uniqueId, waitFor } from './helpers';

describe('runs tree', () => {
  before(async () => {
    await showRunsViewAndStore();
  });

  it('groups runs by project, newest first, with id, step and headline', async () => {
    const api = await extensionApi();
    const projects = await children(api);
    const names = projects.map((p) => label(p.item));
    assert.ok(names.includes('mnist') && names.includes('cifar'), `projects: ${names.join(', ')}`);
    const mnist = projects.find((p) => label(p.item) === 'mnist');
    assert.ok(mnist);
    const runs = await children(api, mnist.node);
    const ids = runs.map((r) => (r.node.kind === 'run' ? r.node.runId : ''));
    for (const id of ['base01', 'fork01', 'fail01']) assert.ok(ids.includes(id), `mnist has ${id}: ${ids.join(', ')}`);
    const base = runs.find((r) => r.node.kind === 'run' && r.node.runId === 'base01');
    assert.ok(base);
    assert.equal(label(base.item), 'baseline');
    assert.match(String(base.item.description), /^base01 · step 239/);
    assert.equal(base.item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.match(String(base.item.contextValue), /^run:stopped:rewound/);
    assert.equal(base.item.id, `${api.folders.all[0]?.key}|run|base01`);
  });

  it('shows each state with its codicon', async () => {
    const api = await extensionApi();
    const icon = async (runId: string): Promise<string> => {
      const row = await runRow(api, runId);
      assert.ok(row, `${runId} is in the tree`);
      return (row.item.iconPath as vscode.ThemeIcon).id;
    };
    assert.equal(await icon('base01'), 'pass');
    assert.equal(await icon('fail01'), 'error');
    assert.equal(await icon('crash01'), 'warning');
  });

  it('nests archived versions under Rewinds as deep as the rewinds go', async () => {
    const api = await extensionApi();
    const base = await runRow(api, 'base01');
    assert.ok(base);
    const under = await children(api, base.node);
    const forkedFrom = under.find((c) => c.node.kind === 'forkedFrom');
    assert.ok(forkedFrom, 'a Rewinds node under the rewound run');
    // "Forked From" is kept for a fork's origin (W&B's term); a run's own rewinds are named apart.
    assert.equal(label(forkedFrom.item), 'Rewinds');
    assert.match(String(forkedFrom.item.description), /2 archived versions/);
    const level1 = await children(api, forkedFrom.node);
    assert.equal(level1.length, 1);
    assert.equal(level1[0]?.item.contextValue, 'version:archived');
    assert.match(String(level1[0]?.item.description), /last step 279 · rewound to 150/);
    const level2 = await children(api, level1[0]?.node);
    assert.equal(level2.length, 1, 'the first archived version is nested under the second');
    assert.match(String(level2[0]?.item.description), /last step 299 · rewound to 200/);
    assert.deepEqual(await children(api, level2[0]?.node), []);
    // getParent walks back up, so reveal() works for any version.
    const provider = api.runs.provider;
    const deepest = level2[0]?.node as RunsNode;
    assert.equal(provider.getParent(deepest), level1[0]?.node);
    assert.equal(provider.getParent(level1[0]?.node as RunsNode), forkedFrom.node);
    assert.equal(provider.getParent(forkedFrom.node), base.node);
  });

  it('shows where a fork came from and reveals the source', async () => {
    const api = await extensionApi();
    const fork = await runRow(api, 'fork01');
    assert.ok(fork);
    const source = (await children(api, fork.node)).find((c) => c.node.kind === 'forkSource');
    assert.ok(source);
    assert.equal(label(source.item), 'Forked From baseline@120');
    assert.ok(source.item.command, 'clicking it reveals the source');
    await vscode.commands.executeCommand(source.item.command.command, ...(source.item.command.arguments ?? []));
    await waitFor(() => api.runs.view.selection.some((n) => n.kind === 'run' && n.runId === 'base01'), 'the source run to be selected');
  });

  it('escapes hostile names in the markdown tooltip', async () => {
    const api = await extensionApi();
    const row = await runRow(api, 'bad01');
    assert.ok(row);
    assert.equal(label(row.item), '<img src=x> [click](command:runRewind.deleteRun) *bold* `code`', 'the label shows the name as typed');
    const resolved = await api.runs.provider.resolveTreeItem(row.item, row.node, new vscode.CancellationTokenSource().token);
    const md = resolved.tooltip as vscode.MarkdownString;
    assert.ok(md instanceof vscode.MarkdownString);
    assert.ok(!md.isTrusted, 'tooltips are never trusted');
    assert.ok(!/(^|[^\\])<img/.test(md.value), `an unescaped tag in ${md.value}`);
    assert.ok(!/(^|[^\\])\]\(command/.test(md.value), `an unescaped link in ${md.value}`);
    assert.ok(md.value.includes('\\<img src\\=x\\>'), 'the name is shown, escaped');
    assert.ok(!/[^\\]\| pipes/.test(md.value), 'a pipe in a config value cannot open a table cell');
    assert.match(md.value, /Top metrics/);
    assert.match(md.value, /config value is in the overview/);
  });

  it('says "1 run" and "1 archived version", and counts more in the plural', async () => {
    const api = await extensionApi();
    const project = uniqueId('solo');
    const id = uniqueId('one');
    logRun(id, 20, { project });
    await waitFor(() => listedRun(api, id), `${id} ingested`);
    const projects = await children(api);
    const solo = projects.find((p) => label(p.item) === project);
    assert.equal(solo?.item.description, '1 run');
    assert.equal(projects.find((p) => label(p.item) === 'cifar')?.item.description, '2 runs');
    await vscode.commands.executeCommand('runRewind.rewindToStep', id, 10, { confirm: false });
    const row = await waitFor(async () => {
      const r = await runRow(api, id);
      return r && (await children(api, r.node)).find((c) => c.node.kind === 'forkedFrom');
    }, 'the Rewinds node');
    assert.equal(row.item.description, '1 archived version');
  });

  it('writes dates one way, in the display language, and names "created" apart from "this version since"', async () => {
    const api = await extensionApi();
    const base = await runRow(api, 'base01');
    assert.ok(base);
    const run = await listedRun(api, 'base01');
    assert.ok(run);
    const live = run.versions.find((v) => v.id === run.liveVersion);
    assert.ok(live && live.createdAt !== run.createdAt, 'the fixture rewound base01 after creating it');
    const resolved = await api.runs.provider.resolveTreeItem(new vscode.TreeItem('x'), base.node, new vscode.CancellationTokenSource().token);
    const md = (resolved.tooltip as vscode.MarkdownString).value;
    const shown = (t: number): string => formatDateTime(t, vscode.env.language).replace(/[!-/:-@[-`{-~]/g, '\\$&');
    assert.ok(md.includes(`| Created | ${shown(run.createdAt)} |`), `the run's creation, as the overview shows it: ${md}`);
    assert.ok(md.includes(`| This version since | ${shown(live.createdAt)} |`), `the live version's start: ${md}`);
    // The tree's archived versions use the same format.
    const rewinds = (await children(api, base.node)).find((c) => c.node.kind === 'forkedFrom');
    const [version] = await children(api, rewinds?.node);
    const archived = run.versions.find((v) => v.id === (version?.node.kind === 'version' ? version.node.versionId : ''));
    assert.ok(archived?.archivedAt);
    assert.ok(String(version?.item.description).endsWith(formatDateTime(archived.archivedAt, vscode.env.language)));
  });

  it('keeps the tooltip short: the top metrics, headline first, and a pointer to the overview', async () => {
    const api = await extensionApi();
    const id = uniqueId('wide');
    const writer = logRun(id, 0, { finish: false });
    for (let s = 0; s < 5; s++) writer.log(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`m${String(i).padStart(2, '0')}`, s * i])));
    writer.log({ loss: 0.5, zeta_loss: 0.25 });
    writer.finish();
    await waitFor(() => listedRun(api, id), `${id} ingested`);
    const row = await runRow(api, id);
    assert.ok(row);
    const resolved = await api.runs.provider.resolveTreeItem(row.item, row.node, new vscode.CancellationTokenSource().token);
    const md = (resolved.tooltip as vscode.MarkdownString).value;
    const metrics = /^\*\*Top metrics\\:\*\* (.*)$/m.exec(md)?.[1] ?? '';
    const keys = metrics.split(' · ').map((m) => m.split(' ')[0]);
    assert.deepEqual(keys, ['loss', 'zeta\\_loss', 'm00', 'm01', 'm02'], 'the headline, the other loss, then by name; five in all');
    assert.match(md, /config value is in the overview/);
    assert.ok(md.split('\n').length < 20, `short: ${md.split('\n').length} lines`);
  });

  it('puts malformed log lines in the Problems panel at their file and line', async () => {
    const file = await waitFor(
      () => vscode.languages.getDiagnostics().find(([uri, list]) => list.length > 0 && uri.fsPath.startsWith(path.join(logDir(), 'runs', 'bad01'))),
      'a diagnostic on bad01',
    );
    const [, diagnostics] = file;
    const d = diagnostics[0];
    assert.ok(d);
    assert.equal(d.range.start.line, 12, 'line 13, the malformed one');
    assert.equal(d.source, 'Run Rewind');
  });

  it('filters runs with the runs table query language, follows new rows, and reveals a hidden run by clearing it', async () => {
    const api = await extensionApi();
    const project = uniqueId('filt');
    const short = uniqueId('short');
    const long = uniqueId('long');
    logRun(short, 3, { project });
    const growing = logRun(long, 10, { project, finish: false });
    await waitFor(async () => (await listedRun(api, long))?.lastStep === 9 && (await listedRun(api, short)) !== undefined, 'both runs listed');
    const provider = api.runs.provider;
    const projectRows = async (): Promise<string[]> => (await children(api)).map((p) => label(p.item));
    const runsOfProject = async (): Promise<string[]> => {
      const row = (await children(api)).find((p) => label(p.item) === project);
      return row ? (await children(api, row.node)).map((r) => (r.node.kind === 'run' ? r.node.runId : '')).sort() : [];
    };
    // A query that is not one is refused with the error the table shows, naming the column.
    await assert.rejects(provider.setFilter(`project = '${project}' and summary.losss < 1`), /losss.*column|column.*losss|did you mean/i);
    assert.equal(provider.filterText, undefined, 'a refused query leaves the view unfiltered');
    await provider.setFilter(`project = '${project}' and summary.loss < 0.2`);
    assert.equal(provider.filterText, `project = '${project}' and summary.loss < 0.2`);
    assert.deepEqual(await projectRows(), [project], 'only projects with a matching run are shown');
    assert.deepEqual(await runsOfProject(), [long], 'loss 0.1 at step 9 matches; 1/3 does not');
    assert.match(String(api.runs.view.description), /summary\.loss < 0\.2/);
    assert.match(String(api.runs.view.message), /^1 of \d+ runs match the filter project = 'filt\w+' and summary\.loss < 0\.2$/);
    // Live: the matches follow what runs log (loss of the growing run goes on falling; the short one is done).
    await provider.setFilter(`project = '${project}' and summary.loss < 0.05`);
    assert.deepEqual(await runsOfProject(), []);
    assert.match(String(api.runs.view.message), /^No run of \d+ matches the filter/);
    for (let s = 10; s < 30; s++) growing.log({ loss: 1 / (s + 1), acc: s / 30 });
    growing.finish();
    await waitFor(async () => (await runsOfProject()).join() === long, 'the run that crossed the bound is shown', 20_000);
    // Revealing a run the filter hides (a fork just made, a source) shows every run again.
    await api.runs.revealRun(api.folders.all[0]!.key, short);
    assert.equal(provider.filterText, undefined);
    assert.deepEqual(await runsOfProject(), [long, short].sort());
    assert.deepEqual(api.runs.view.selection.map((n) => (n.kind === 'run' ? n.runId : '')), [short]);
    assert.equal(api.runs.view.message, '');
    assert.equal(api.runs.view.description, '');
  });
});
