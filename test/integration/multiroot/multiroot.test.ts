// A multi-root workspace (scripts/run-vscode-tests.js --multi-root): copies of test/fixtures/workspace
// ("workspace-a") and test/fixtures/workspace-b ("workspace-b") in one .code-workspace window. Both
// folders have a run `base01` with different data, so every check that a command, a document or a
// problem lands in the right folder is also a check that run ids are per folder.
//
// The tests run in order and build on each other (the rewind in B is seen again after the reopen).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LineageOutcome } from '../../../src/commands/lineage';
import { LogWriter } from '../../../src/core/writer';
import type { RunRewindApi } from '../../../src/extension';
import { CommandId, HISTORY_SCHEME, SETTINGS_SECTION, Setting } from '../../../src/ids';
import type { RunsNode } from '../../../src/views/nodes';
import { screenshot } from '../screenshot';
import { type ShownItem, children, extensionApi, label, showRunsView, sleep, waitFor } from '../suite/helpers';

interface Folder {
  readonly key: string;
  readonly dir: string;
  readonly logDir: string;
}

function folders(api: RunRewindApi): [Folder, Folder] {
  const [a, b] = api.folders.all.map((s) => ({ key: s.key, dir: s.folder?.uri.fsPath ?? '', logDir: s.logDir }));
  assert.ok(a && b, 'two folder stores');
  return [a, b];
}

async function command<T>(id: CommandId, ...args: unknown[]): Promise<T> {
  return (await vscode.commands.executeCommand(id, ...args)) as T;
}

/** Rows under a folder node: project → runs, as the user sees them. */
async function folderRows(api: RunRewindApi, folderKey: string): Promise<Map<string, ShownItem[]>> {
  const roots = await children(api);
  const folder = roots.find((r) => r.node.kind === 'folder' && r.node.folder === folderKey);
  assert.ok(folder, `a folder node for ${folderKey}; roots: ${roots.map((r) => label(r.item)).join(', ')}`);
  const projects = new Map<string, ShownItem[]>();
  for (const project of await children(api, folder.node)) {
    assert.equal(project.node.kind, 'project');
    projects.set(label(project.item), await children(api, project.node));
  }
  return projects;
}

async function runRowIn(api: RunRewindApi, folderKey: string, runId: string): Promise<ShownItem> {
  for (const rows of (await folderRows(api, folderKey)).values()) {
    const row = rows.find((r) => r.node.kind === 'run' && r.node.runId === runId);
    if (row) return row;
  }
  assert.fail(`${runId} is not under ${folderKey}`);
}

/** Every file under a directory with its size: what "nothing was written here" is checked against. */
function listing(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((rel) => fs.statSync(path.join(dir, rel)).isFile())
    .map((rel) => `${rel} ${fs.statSync(path.join(dir, rel)).size}`)
    .sort();
}

const ids = (rows: readonly ShownItem[] | undefined): string[] => (rows ?? []).map((r) => (r.node.kind === 'run' ? r.node.runId : `?${r.node.kind}`)).sort();

describe('multi-root workspace', () => {
  let api: RunRewindApi;
  let a: Folder;
  let b: Folder;

  before(async () => {
    await showRunsView();
    api = await extensionApi();
    [a, b] = folders(api);
    await waitFor(() => api.folders.all.every((s) => s.started), 'both stores to start once the view is shown', 30_000);
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('has one store per folder, each reading the log directory relative to its folder', () => {
    const names = (vscode.workspace.workspaceFolders ?? []).map((f) => f.name);
    assert.deepEqual(names, ['workspace-a', 'workspace-b']);
    assert.equal(api.folders.all.length, 2);
    assert.equal(a.logDir, path.join(a.dir, '.runrewind'));
    assert.equal(b.logDir, path.join(b.dir, '.runrewind'));
    assert.notEqual(a.key, b.key);
  });

  it('groups the Runs tree by folder, each with its own projects and counts', async () => {
    const roots = await children(api);
    assert.deepEqual(
      roots.map((r) => [r.node.kind, label(r.item)]),
      [
        ['folder', 'workspace-a'],
        ['folder', 'workspace-b'],
      ],
    );
    assert.equal(roots[1]?.item.description, '.runrewind', 'the log directory relative to its folder');
    assert.equal(roots[1]?.item.tooltip, `workspace-b: logs in ${b.logDir}`);
    assert.equal(roots[0]?.item.id, `${a.key}|folder`);

    const inA = await folderRows(api, a.key);
    assert.deepEqual([...inA.keys()], ['cifar', 'mnist']);
    assert.deepEqual(ids(inA.get('mnist')), ['base01', 'fail01', 'fork01']);
    assert.deepEqual(ids(inA.get('cifar')), ['bad01', 'crash01']);

    const inB = await folderRows(api, b.key);
    assert.deepEqual([...inB.keys()], ['mnist', 'speech']);
    assert.deepEqual(ids(inB.get('mnist')), ['base01']);
    assert.deepEqual(ids(inB.get('speech')), ['bonly01', 'brew01']);

    const projectB = (await children(api, roots[1]?.node)).find((p) => label(p.item) === 'speech');
    assert.equal(projectB?.item.description, '2 runs');
    assert.equal(projectB?.item.id, `${b.key}|project|speech`);
  });

  it('shows the same run id in both folders, each with its own data', async () => {
    const inA = await runRowIn(api, a.key, 'base01');
    const inB = await runRowIn(api, b.key, 'base01');
    assert.notEqual(inA.item.id, inB.item.id, 'tree ids differ');
    assert.equal(label(inA.item), 'baseline');
    assert.equal(label(inB.item), 'b-baseline');
    assert.match(String(inA.item.description), /^base01 · step 239/);
    assert.match(String(inB.item.description), /^base01 · step 49/);
    assert.match(String(inA.item.contextValue), /:rewound/);
    assert.doesNotMatch(String(inB.item.contextValue), /:rewound/);
    const runA = api.runIndex.run(a.key, 'base01');
    const runB = api.runIndex.run(b.key, 'base01');
    assert.ok(runA && runB);
    assert.notEqual(runA.liveVersion, runB.liveVersion);
    assert.equal(runB.versions.length, 1);
  });

  it('copies the run id and version id of a run in the second folder', async () => {
    const only = await runRowIn(api, b.key, 'bonly01');
    assert.equal(await command<string>(CommandId.CopyRunId, only.node), 'bonly01');
    assert.equal(await vscode.env.clipboard.readText(), 'bonly01');
    // An id only the second folder has is found there without naming the folder.
    assert.equal(await command<string>(CommandId.CopyRunId, 'bonly01'), 'bonly01');
    const base = await runRowIn(api, b.key, 'base01');
    const version = await command<string>(CommandId.CopyVersionId, base.node);
    assert.equal(version, api.runIndex.run(b.key, 'base01')?.liveVersion);
    assert.equal(await command<string>(CommandId.CopyVersionId, { run: 'base01', folder: b.key }), version);
    assert.notEqual(await command<string>(CommandId.CopyVersionId, { run: 'base01', folder: a.key }), version);
  });

  it('opens the history document of the second folder\'s base01, not the first one\'s', async () => {
    const base = await runRowIn(api, b.key, 'base01');
    await command(CommandId.OpenHistory, base.node);
    const editor = await waitFor(
      () => vscode.window.activeTextEditor?.document.uri.scheme === HISTORY_SCHEME && vscode.window.activeTextEditor,
      'the history editor',
    );
    assert.equal(new URLSearchParams(editor.document.uri.query).get('folder'), b.key);
    const lines = editor.document.getText().split('\n');
    assert.match(lines[0] ?? '', /^# b-baseline · base01 · /);
    assert.match(lines[1] ?? '', /50 steps/);
    assert.match(lines[3] ?? '', /^\s*0\s/);
    assert.match(lines[52] ?? '', /^\s*49\s/);
    assert.ok(!lines.some((l) => /^\s*239\s/.test(l)), 'no row of the first folder\'s base01');
  });

  it('puts a malformed line of the second folder in the Problems panel at its file and line', async () => {
    const brewDir = path.join(b.logDir, 'runs', 'brew01');
    const file = path.join(brewDir, fs.readdirSync(brewDir).filter((f) => f.endsWith('.jsonl')).sort()[0] ?? '');
    const diagnostics = await waitFor(() => {
      const list = vscode.languages.getDiagnostics(vscode.Uri.file(file));
      return list.length > 0 && list;
    }, `a diagnostic on ${file}`);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.range.start.line, 42, 'line 43, the malformed one');
    assert.equal(diagnostics[0]?.source, 'Run Rewind');
    // The first folder's problem is still there: one folder's diagnostics do not replace the other's.
    const inA = vscode.languages.getDiagnostics().filter(([uri, list]) => list.length > 0 && uri.fsPath.startsWith(a.logDir + path.sep));
    assert.equal(inA.length, 1, 'bad01 in the first folder');
    assert.match(inA[0]?.[0].fsPath ?? '', /[\\/]bad01[\\/]/);
  });

  it('gives each folder\'s terminals its own RUNREWIND_DIR (the first folder\'s by default) and the bundled client on PYTHONPATH', () => {
    const collection = api.terminals.collection;
    const [folderA, folderB] = vscode.workspace.workspaceFolders ?? [];
    assert.ok(folderA && folderB);
    assert.equal(collection.get('RUNREWIND_DIR')?.value, a.logDir);
    assert.equal(collection.getScoped({ workspaceFolder: folderA }).get('RUNREWIND_DIR')?.value, a.logDir);
    assert.equal(collection.getScoped({ workspaceFolder: folderB }).get('RUNREWIND_DIR')?.value, b.logDir);
    const pythonPath = collection.get('PYTHONPATH');
    assert.equal(pythonPath?.type, vscode.EnvironmentVariableMutatorType.Prepend);
    assert.match(pythonPath?.value ?? '', /python/);
  });

  it('rewinds base01 in the second folder only: its ops file, its tree; the first folder untouched', async () => {
    const aBefore = listing(a.logDir);
    const runABefore = api.runIndex.run(a.key, 'base01');
    const bOpsBefore = listing(path.join(b.logDir, 'ops'));
    const base = await runRowIn(api, b.key, 'base01');
    const outcome = await command<LineageOutcome>(CommandId.RewindToStep, base.node, 20, { confirm: false });
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.equal(outcome.folder, b.key);
    assert.equal(outcome.runId, 'base01');

    const bOpsAfter = listing(path.join(b.logDir, 'ops'));
    assert.equal(bOpsAfter.length, bOpsBefore.length + 1, `one ops file in ${b.logDir}/ops: ${bOpsAfter.join(', ')}`);
    assert.deepEqual(listing(a.logDir), aBefore, 'nothing written in the first folder\'s log directory');

    const runB = await api.runIndex.refresh(b.key).then((d) => d.runs.get('base01'));
    assert.equal(runB?.lastStep, 20);
    assert.equal(runB?.versions.filter((v) => v.archived).length, 1);
    const runA = await api.runIndex.refresh(a.key).then((d) => d.runs.get('base01'));
    assert.equal(runA?.lastStep, 239);
    assert.equal(runA?.liveVersion, runABefore?.liveVersion);
    assert.equal(runA?.versions.length, runABefore?.versions.length);

    assert.match(String((await runRowIn(api, b.key, 'base01')).item.description), /^base01 · step 20/);
    assert.match(String((await runRowIn(api, a.key, 'base01')).item.description), /^base01 · step 239/);
    const selected = api.runs.view.selection.find((n): n is Extract<RunsNode, { kind: 'run' }> => n.kind === 'run');
    assert.deepEqual(selected && [selected.folder, selected.runId], [b.key, 'base01'], 'the rewound run in the second folder is selected');
  });

  it('rewinds by run reference {run, folder}, and refuses a step that only the other folder\'s run has', async () => {
    // base01 is at step 20 in the second folder now, at 239 in the first one.
    const beyond = await command<LineageOutcome>(CommandId.RewindToStep, { run: 'base01', folder: b.key }, 100, { confirm: false });
    assert.equal(beyond.ok, false);
    assert.match(!beyond.ok ? beyond.reason : '', /beyond the last step of .* \(20\)/);
    const ok = await command<LineageOutcome>(CommandId.RewindToStep, { run: 'brew01', folder: b.key }, 10, { confirm: false });
    assert.ok(ok.ok, JSON.stringify(ok));
    assert.equal(api.runIndex.run(b.key, 'brew01')?.lastStep, 10);
  });

  it('follows a script logging into the second folder, under that folder only', async () => {
    const writer = new LogWriter({ dir: b.logDir, run: 'blive01', project: 'speech', name: 'b-live', heartbeat: 0, config: {} });
    for (let s = 0; s < 5; s++) writer.log({ loss: 1 / (s + 1) });
    writer.finish();
    await waitFor(async () => ids((await folderRows(api, b.key)).get('speech')).includes('blive01') || undefined, 'blive01 under workspace-b');
    assert.equal(api.runIndex.run(a.key, 'blive01'), undefined);
  });

  it('keeps a snapshot per folder: after a reopen both stores start from theirs, each with its own runs', async function () {
    this.timeout(60_000);
    await api.folders.reopen();
    [a, b] = folders(api);
    const stores = api.folders.all;
    await Promise.all(stores.map((s) => s.store()));
    for (const s of stores) assert.equal(s.firstIngest?.rows, 0, `${s.name} started from its snapshot (read ${s.firstIngest?.rows} rows)`);
    const dataA = await api.runIndex.refresh(a.key);
    const dataB = await api.runIndex.refresh(b.key);
    assert.equal(dataA.runs.get('base01')?.lastStep, 239);
    assert.equal(dataB.runs.get('base01')?.lastStep, 20);
    assert.equal(dataB.runs.get('brew01')?.lastStep, 10);
    assert.ok(dataB.runs.has('blive01') && !dataA.runs.has('blive01'));
  });

  it('reads a per-folder logDirectory setting for that folder only', async function () {
    this.timeout(60_000);
    const folderB = vscode.workspace.workspaceFolders?.[1];
    assert.ok(folderB);
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, folderB.uri);
    await config.update(Setting.LogDirectory, 'other-logs', vscode.ConfigurationTarget.WorkspaceFolder);
    try {
      const storeB = await waitFor(() => api.folders.all.find((s) => s.logDir === path.join(b.dir, 'other-logs')), 'the second folder\'s store on other-logs');
      assert.equal(api.folders.all[0]?.logDir, a.logDir, 'the first folder keeps its log directory');
      await storeB.store();
      // Nothing logged there yet: the empty folder leaves the tree, the first one stays.
      const roots = await waitFor(async () => {
        const r = await children(api);
        return r.length === 1 && r;
      }, 'only workspace-a in the tree');
      assert.equal(label(roots[0]!.item), 'workspace-a');
      const terminal = api.terminals.collection.get('RUNREWIND_DIR')?.value;
      assert.equal(terminal, a.logDir, 'terminals outside a folder still log to the first folder');
      assert.equal(api.terminals.collection.getScoped({ workspaceFolder: folderB }).get('RUNREWIND_DIR')?.value, storeB.logDir, 'the second folder\'s terminals follow its setting');

      // Its first run brings the folder back: VS Code shows a new root only when the roots are
      // refreshed (an event naming the folder's node, not shown any more, would be ignored).
      const events: (RunsNode | RunsNode[] | undefined | void)[] = [];
      const listener = api.runs.provider.onDidChangeTreeData((e) => events.push(e));
      try {
        const writer = new LogWriter({ dir: storeB.logDir, run: 'bnew01', project: 'fresh', name: 'b-new', heartbeat: 0, config: {} });
        writer.log({ loss: 1 });
        writer.finish();
        await waitFor(() => api.runIndex.run(storeB.key, 'bnew01'), 'bnew01 listed in the second folder');
        await waitFor(() => events.some((e) => e === undefined), 'a refresh of the roots');
      } finally {
        listener.dispose();
      }
      assert.deepEqual((await children(api)).map((r) => label(r.item)), ['workspace-a', 'workspace-b']);
    } finally {
      await config.update(Setting.LogDirectory, undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    }
    await waitFor(() => api.folders.all[1]?.logDir === b.logDir, 'the second folder back on .runrewind');
    await waitFor(async () => (await children(api)).length === 2, 'both folders in the tree again');
    assert.equal((await api.runIndex.refresh(b.key)).runs.get('base01')?.lastStep, 20);
  });

  it('shows both folders in the Runs view (screenshot: test-results/screenshots/multiroot-runs-view.png)', async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    await showRunsView();
    await api.runs.revealRun(b.key, 'base01', { expand: true });
    await api.runs.revealRun(a.key, 'base01', { expand: true, focus: true });
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await sleep(500);
    await screenshot('multiroot-runs-view');
  });
});
