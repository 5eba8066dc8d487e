"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
// A multi-root workspace (scripts/run-vscode-tests.js --multi-root): copies of test/fixtures/workspace
// ("workspace-a") and test/fixtures/workspace-b ("workspace-b") in one .code-workspace window. Both
// folders have a run `base01` with different data, so every check that a command, a document or a
// problem lands in the right folder is also a check that run ids are per folder.
//
// The tests run in order and build on each other (the rewind in B is seen again after the reopen).
const assert = __importStar(require("node:assert/strict"));
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const vscode = __importStar(require("vscode"));
const writer_1 = require("../../../src/core/writer");
const ids_1 = require("../../../src/ids");
const screenshot_1 = require("../screenshot");
const helpers_1 = require("../suite/helpers");
function folders(api) {
    const [a, b] = api.folders.all.map((s) => ({ key: s.key, dir: s.folder?.uri.fsPath ?? '', logDir: s.logDir }));
    assert.ok(a && b, 'two folder stores');
    return [a, b];
}
async function command(id, ...args) {
    return (await vscode.commands.executeCommand(id, ...args));
}
/** Rows under a folder node: project → runs, as the user sees them. */
async function folderRows(api, folderKey) {
    const roots = await (0, helpers_1.children)(api);
    const folder = roots.find((r) => r.node.kind === 'folder' && r.node.folder === folderKey);
    assert.ok(folder, `a folder node for ${folderKey}; roots: ${roots.map((r) => (0, helpers_1.label)(r.item)).join(', ')}`);
    const projects = new Map();
    for (const project of await (0, helpers_1.children)(api, folder.node)) {
        assert.equal(project.node.kind, 'project');
        projects.set((0, helpers_1.label)(project.item), await (0, helpers_1.children)(api, project.node));
    }
    return projects;
}
async function runRowIn(api, folderKey, runId) {
    for (const rows of (await folderRows(api, folderKey)).values()) {
        const row = rows.find((r) => r.node.kind === 'run' && r.node.runId === runId);
        if (row)
            return row;
    }
    assert.fail(`${runId} is not under ${folderKey}`);
}
/** Every file under a directory with its size: what "nothing was written here" is checked against. */
function listing(dir) {
    if (!fs.existsSync(dir))
        return [];
    return fs.readdirSync(dir, { recursive: true })
        .filter((rel) => fs.statSync(path.join(dir, rel)).isFile())
        .map((rel) => `${rel} ${fs.statSync(path.join(dir, rel)).size}`)
        .sort();
}
const ids = (rows) => (rows ?? []).map((r) => (r.node.kind === 'run' ? r.node.runId : `?${r.node.kind}`)).sort();
describe('multi-root workspace', () => {
    let api;
    let a;
    let b;
    before(async () => {
        await (0, helpers_1.showRunsView)();
        api = await (0, helpers_1.extensionApi)();
        [a, b] = folders(api);
        await (0, helpers_1.waitFor)(() => api.folders.all.every((s) => s.started), 'both stores to start once the view is shown', 30_000);
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
        const roots = await (0, helpers_1.children)(api);
        assert.deepEqual(roots.map((r) => [r.node.kind, (0, helpers_1.label)(r.item)]), [
            ['folder', 'workspace-a'],
            ['folder', 'workspace-b'],
        ]);
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
        const projectB = (await (0, helpers_1.children)(api, roots[1]?.node)).find((p) => (0, helpers_1.label)(p.item) === 'speech');
        assert.equal(projectB?.item.description, '2 runs');
        assert.equal(projectB?.item.id, `${b.key}|project|speech`);
    });
    it('shows the same run id in both folders, each with its own data', async () => {
        const inA = await runRowIn(api, a.key, 'base01');
        const inB = await runRowIn(api, b.key, 'base01');
        assert.notEqual(inA.item.id, inB.item.id, 'tree ids differ');
        assert.equal((0, helpers_1.label)(inA.item), 'baseline');
        assert.equal((0, helpers_1.label)(inB.item), 'b-baseline');
        assert.match(String(inA.item.description), /^base01 · step 239/);
        assert.match(String(inB.item.description), /^base01 · step 49/);
        assert.match(String(inA.item.contextValue), /:rewound/);
        assert.doesNotMatch(String(inB.item.contextValue), /:rewound/);
        const runA = api.runs.model.run(a.key, 'base01');
        const runB = api.runs.model.run(b.key, 'base01');
        assert.ok(runA && runB);
        assert.notEqual(runA.liveVersion, runB.liveVersion);
        assert.equal(runB.versions.length, 1);
    });
    it('copies the run id and version id of a run in the second folder', async () => {
        const only = await runRowIn(api, b.key, 'bonly01');
        assert.equal(await command(ids_1.CommandId.CopyRunId, only.node), 'bonly01');
        assert.equal(await vscode.env.clipboard.readText(), 'bonly01');
        // An id only the second folder has is found there without naming the folder.
        assert.equal(await command(ids_1.CommandId.CopyRunId, 'bonly01'), 'bonly01');
        const base = await runRowIn(api, b.key, 'base01');
        const version = await command(ids_1.CommandId.CopyVersionId, base.node);
        assert.equal(version, api.runs.model.run(b.key, 'base01')?.liveVersion);
        assert.equal(await command(ids_1.CommandId.CopyVersionId, { run: 'base01', folder: b.key }), version);
        assert.notEqual(await command(ids_1.CommandId.CopyVersionId, { run: 'base01', folder: a.key }), version);
    });
    it('opens the history document of the second folder\'s base01, not the first one\'s', async () => {
        const base = await runRowIn(api, b.key, 'base01');
        await command(ids_1.CommandId.OpenHistory, base.node);
        const editor = await (0, helpers_1.waitFor)(() => vscode.window.activeTextEditor?.document.uri.scheme === ids_1.HISTORY_SCHEME && vscode.window.activeTextEditor, 'the history editor');
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
        const diagnostics = await (0, helpers_1.waitFor)(() => {
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
        const runABefore = api.runs.model.run(a.key, 'base01');
        const bOpsBefore = listing(path.join(b.logDir, 'ops'));
        const base = await runRowIn(api, b.key, 'base01');
        const outcome = await command(ids_1.CommandId.RewindToStep, base.node, 20, { confirm: false });
        assert.ok(outcome.ok, JSON.stringify(outcome));
        assert.equal(outcome.folder, b.key);
        assert.equal(outcome.runId, 'base01');
        const bOpsAfter = listing(path.join(b.logDir, 'ops'));
        assert.equal(bOpsAfter.length, bOpsBefore.length + 1, `one ops file in ${b.logDir}/ops: ${bOpsAfter.join(', ')}`);
        assert.deepEqual(listing(a.logDir), aBefore, 'nothing written in the first folder\'s log directory');
        const runB = await api.runs.model.refresh(b.key).then((d) => d.runs.get('base01'));
        assert.equal(runB?.lastStep, 20);
        assert.equal(runB?.versions.filter((v) => v.archived).length, 1);
        const runA = await api.runs.model.refresh(a.key).then((d) => d.runs.get('base01'));
        assert.equal(runA?.lastStep, 239);
        assert.equal(runA?.liveVersion, runABefore?.liveVersion);
        assert.equal(runA?.versions.length, runABefore?.versions.length);
        assert.match(String((await runRowIn(api, b.key, 'base01')).item.description), /^base01 · step 20/);
        assert.match(String((await runRowIn(api, a.key, 'base01')).item.description), /^base01 · step 239/);
        const selected = api.runs.view.selection.find((n) => n.kind === 'run');
        assert.deepEqual(selected && [selected.folder, selected.runId], [b.key, 'base01'], 'the rewound run in the second folder is selected');
    });
    it('rewinds by run reference {run, folder}, and refuses a step that only the other folder\'s run has', async () => {
        // base01 is at step 20 in the second folder now, at 239 in the first one.
        const beyond = await command(ids_1.CommandId.RewindToStep, { run: 'base01', folder: b.key }, 100, { confirm: false });
        assert.equal(beyond.ok, false);
        assert.match(!beyond.ok ? beyond.reason : '', /beyond the last step of .* \(20\)/);
        const ok = await command(ids_1.CommandId.RewindToStep, { run: 'brew01', folder: b.key }, 10, { confirm: false });
        assert.ok(ok.ok, JSON.stringify(ok));
        assert.equal(api.runs.model.run(b.key, 'brew01')?.lastStep, 10);
    });
    it('follows a script logging into the second folder, under that folder only', async () => {
        const writer = new writer_1.LogWriter({ dir: b.logDir, run: 'blive01', project: 'speech', name: 'b-live', heartbeat: 0, config: {} });
        for (let s = 0; s < 5; s++)
            writer.log({ loss: 1 / (s + 1) });
        writer.finish();
        await (0, helpers_1.waitFor)(async () => ids((await folderRows(api, b.key)).get('speech')).includes('blive01') || undefined, 'blive01 under workspace-b');
        assert.equal(api.runs.model.run(a.key, 'blive01'), undefined);
    });
    it('keeps a snapshot per folder: after a reopen both stores start from theirs, each with its own runs', async function () {
        this.timeout(60_000);
        await api.folders.reopen();
        [a, b] = folders(api);
        const stores = api.folders.all;
        await Promise.all(stores.map((s) => s.store()));
        for (const s of stores)
            assert.equal(s.firstIngest?.rows, 0, `${s.name} started from its snapshot (read ${s.firstIngest?.rows} rows)`);
        const dataA = await api.runs.model.refresh(a.key);
        const dataB = await api.runs.model.refresh(b.key);
        assert.equal(dataA.runs.get('base01')?.lastStep, 239);
        assert.equal(dataB.runs.get('base01')?.lastStep, 20);
        assert.equal(dataB.runs.get('brew01')?.lastStep, 10);
        assert.ok(dataB.runs.has('blive01') && !dataA.runs.has('blive01'));
    });
    it('reads a per-folder logDirectory setting for that folder only', async function () {
        this.timeout(60_000);
        const folderB = vscode.workspace.workspaceFolders?.[1];
        assert.ok(folderB);
        const config = vscode.workspace.getConfiguration(ids_1.SETTINGS_SECTION, folderB.uri);
        await config.update(ids_1.Setting.LogDirectory, 'other-logs', vscode.ConfigurationTarget.WorkspaceFolder);
        try {
            const storeB = await (0, helpers_1.waitFor)(() => api.folders.all.find((s) => s.logDir === path.join(b.dir, 'other-logs')), 'the second folder\'s store on other-logs');
            assert.equal(api.folders.all[0]?.logDir, a.logDir, 'the first folder keeps its log directory');
            await storeB.store();
            // Nothing logged there yet: the empty folder leaves the tree, the first one stays.
            const roots = await (0, helpers_1.waitFor)(async () => {
                const r = await (0, helpers_1.children)(api);
                return r.length === 1 && r;
            }, 'only workspace-a in the tree');
            assert.equal((0, helpers_1.label)(roots[0].item), 'workspace-a');
            const terminal = api.terminals.collection.get('RUNREWIND_DIR')?.value;
            assert.equal(terminal, a.logDir, 'terminals outside a folder still log to the first folder');
            assert.equal(api.terminals.collection.getScoped({ workspaceFolder: folderB }).get('RUNREWIND_DIR')?.value, storeB.logDir, 'the second folder\'s terminals follow its setting');
            // Its first run brings the folder back: VS Code shows a new root only when the roots are
            // refreshed (an event naming the folder's node, not shown any more, would be ignored).
            const events = [];
            const listener = api.runs.provider.onDidChangeTreeData((e) => events.push(e));
            try {
                const writer = new writer_1.LogWriter({ dir: storeB.logDir, run: 'bnew01', project: 'fresh', name: 'b-new', heartbeat: 0, config: {} });
                writer.log({ loss: 1 });
                writer.finish();
                await (0, helpers_1.waitFor)(() => api.runs.model.run(storeB.key, 'bnew01'), 'bnew01 listed in the second folder');
                await (0, helpers_1.waitFor)(() => events.some((e) => e === undefined), 'a refresh of the roots');
            }
            finally {
                listener.dispose();
            }
            assert.deepEqual((await (0, helpers_1.children)(api)).map((r) => (0, helpers_1.label)(r.item)), ['workspace-a', 'workspace-b']);
        }
        finally {
            await config.update(ids_1.Setting.LogDirectory, undefined, vscode.ConfigurationTarget.WorkspaceFolder);
        }
        await (0, helpers_1.waitFor)(() => api.folders.all[1]?.logDir === b.logDir, 'the second folder back on .runrewind');
        await (0, helpers_1.waitFor)(async () => (await (0, helpers_1.children)(api)).length === 2, 'both folders in the tree again');
        assert.equal((await api.runs.model.refresh(b.key)).runs.get('base01')?.lastStep, 20);
    });
    it('shows both folders in the Runs view (screenshot: test-results/screenshots/multiroot-runs-view.png)', async () => {
        await vscode.commands.executeCommand('notifications.clearAll');
        await (0, helpers_1.showRunsView)();
        await api.runs.revealRun(b.key, 'base01', { expand: true });
        await api.runs.revealRun(a.key, 'base01', { expand: true, focus: true });
        await vscode.commands.executeCommand('workbench.actions.view.problems');
        await (0, helpers_1.sleep)(500);
        await (0, screenshot_1.screenshot)('multiroot-runs-view');
    });
});
//# sourceMappingURL=multiroot.test.js.map