// The Runs tree for the fixture workspace (test/fixtures/workspace/.runrewind, logged by the Python
// client): projects, states, nested archived versions, fork sources, escaped tooltips, problems.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunsNode } from '../../../src/views/nodes';
import { children, extensionApi, label, logDir, runRow, showRunsViewAndStore, waitFor } from './helpers';

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

  it('nests archived versions under Forked From as deep as the rewinds go', async () => {
    const api = await extensionApi();
    const base = await runRow(api, 'base01');
    assert.ok(base);
    const under = await children(api, base.node);
    const forkedFrom = under.find((c) => c.node.kind === 'forkedFrom');
    assert.ok(forkedFrom, 'a Forked From node under the rewound run');
    assert.equal(label(forkedFrom.item), 'Forked From');
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
    assert.match(md.value, /Config/);
    assert.match(md.value, /Summary/);
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
});
