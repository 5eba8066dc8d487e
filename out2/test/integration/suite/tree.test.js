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
// The Runs tree for the fixture workspace (test/fixtures/workspace/.runrewind, logged by the Python
// client): projects, states, nested archived versions, fork sources, escaped tooltips, problems.
const assert = __importStar(require("node:assert/strict"));
const path = __importStar(require("node:path"));
const vscode = __importStar(require("vscode"));
const dates_1 = require("../../../src/shared/dates");
const helpers_1 = require("./helpers");
describe('runs tree', () => {
    before(async () => {
        await (0, helpers_1.showRunsViewAndStore)();
    });
    it('groups runs by project, newest first, with id, step and headline', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const projects = await (0, helpers_1.children)(api);
        const names = projects.map((p) => (0, helpers_1.label)(p.item));
        assert.ok(names.includes('mnist') && names.includes('cifar'), `projects: ${names.join(', ')}`);
        const mnist = projects.find((p) => (0, helpers_1.label)(p.item) === 'mnist');
        assert.ok(mnist);
        const runs = await (0, helpers_1.children)(api, mnist.node);
        const ids = runs.map((r) => (r.node.kind === 'run' ? r.node.runId : ''));
        for (const id of ['base01', 'fork01', 'fail01'])
            assert.ok(ids.includes(id), `mnist has ${id}: ${ids.join(', ')}`);
        const base = runs.find((r) => r.node.kind === 'run' && r.node.runId === 'base01');
        assert.ok(base);
        assert.equal((0, helpers_1.label)(base.item), 'baseline');
        assert.match(String(base.item.description), /^base01 · step 239/);
        assert.equal(base.item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
        assert.match(String(base.item.contextValue), /^run:stopped:rewound/);
        assert.equal(base.item.id, `${api.folders.all[0]?.key}|run|base01`);
    });
    it('shows each state with its codicon', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const icon = async (runId) => {
            const row = await (0, helpers_1.runRow)(api, runId);
            assert.ok(row, `${runId} is in the tree`);
            return row.item.iconPath.id;
        };
        assert.equal(await icon('base01'), 'pass');
        assert.equal(await icon('fail01'), 'error');
        assert.equal(await icon('crash01'), 'warning');
    });
    it('nests archived versions under Rewinds as deep as the rewinds go', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const base = await (0, helpers_1.runRow)(api, 'base01');
        assert.ok(base);
        const under = await (0, helpers_1.children)(api, base.node);
        const forkedFrom = under.find((c) => c.node.kind === 'forkedFrom');
        assert.ok(forkedFrom, 'a Rewinds node under the rewound run');
        // "Forked From" is kept for a fork's origin (W&B's term); a run's own rewinds are named apart.
        assert.equal((0, helpers_1.label)(forkedFrom.item), 'Rewinds');
        assert.match(String(forkedFrom.item.description), /2 archived versions/);
        const level1 = await (0, helpers_1.children)(api, forkedFrom.node);
        assert.equal(level1.length, 1);
        assert.equal(level1[0]?.item.contextValue, 'version:archived');
        assert.match(String(level1[0]?.item.description), /last step 279 · rewound to 150/);
        const level2 = await (0, helpers_1.children)(api, level1[0]?.node);
        assert.equal(level2.length, 1, 'the first archived version is nested under the second');
        assert.match(String(level2[0]?.item.description), /last step 299 · rewound to 200/);
        assert.deepEqual(await (0, helpers_1.children)(api, level2[0]?.node), []);
        // getParent walks back up, so reveal() works for any version.
        const provider = api.runs.provider;
        const deepest = level2[0]?.node;
        assert.equal(provider.getParent(deepest), level1[0]?.node);
        assert.equal(provider.getParent(level1[0]?.node), forkedFrom.node);
        assert.equal(provider.getParent(forkedFrom.node), base.node);
    });
    it('shows where a fork came from and reveals the source', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const fork = await (0, helpers_1.runRow)(api, 'fork01');
        assert.ok(fork);
        const source = (await (0, helpers_1.children)(api, fork.node)).find((c) => c.node.kind === 'forkSource');
        assert.ok(source);
        assert.equal((0, helpers_1.label)(source.item), 'Forked From baseline@120');
        assert.ok(source.item.command, 'clicking it reveals the source');
        await vscode.commands.executeCommand(source.item.command.command, ...(source.item.command.arguments ?? []));
        await (0, helpers_1.waitFor)(() => api.runs.view.selection.some((n) => n.kind === 'run' && n.runId === 'base01'), 'the source run to be selected');
    });
    it('escapes hostile names in the markdown tooltip', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const row = await (0, helpers_1.runRow)(api, 'bad01');
        assert.ok(row);
        assert.equal((0, helpers_1.label)(row.item), '<img src=x> [click](command:runRewind.deleteRun) *bold* `code`', 'the label shows the name as typed');
        const resolved = await api.runs.provider.resolveTreeItem(row.item, row.node, new vscode.CancellationTokenSource().token);
        const md = resolved.tooltip;
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
        const api = await (0, helpers_1.extensionApi)();
        const project = (0, helpers_1.uniqueId)('solo');
        const id = (0, helpers_1.uniqueId)('one');
        (0, helpers_1.logRun)(id, 20, { project });
        await (0, helpers_1.waitFor)(() => (0, helpers_1.listedRun)(api, id), `${id} ingested`);
        const projects = await (0, helpers_1.children)(api);
        const solo = projects.find((p) => (0, helpers_1.label)(p.item) === project);
        assert.equal(solo?.item.description, '1 run');
        assert.equal(projects.find((p) => (0, helpers_1.label)(p.item) === 'cifar')?.item.description, '2 runs');
        await vscode.commands.executeCommand('runRewind.rewindToStep', id, 10, { confirm: false });
        const row = await (0, helpers_1.waitFor)(async () => {
            const r = await (0, helpers_1.runRow)(api, id);
            return r && (await (0, helpers_1.children)(api, r.node)).find((c) => c.node.kind === 'forkedFrom');
        }, 'the Rewinds node');
        assert.equal(row.item.description, '1 archived version');
    });
    it('writes dates one way, in the display language, and names "created" apart from "this version since"', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const base = await (0, helpers_1.runRow)(api, 'base01');
        assert.ok(base);
        const run = await (0, helpers_1.listedRun)(api, 'base01');
        assert.ok(run);
        const live = run.versions.find((v) => v.id === run.liveVersion);
        assert.ok(live && live.createdAt !== run.createdAt, 'the fixture rewound base01 after creating it');
        const resolved = await api.runs.provider.resolveTreeItem(new vscode.TreeItem('x'), base.node, new vscode.CancellationTokenSource().token);
        const md = resolved.tooltip.value;
        const shown = (t) => (0, dates_1.formatDateTime)(t, vscode.env.language).replace(/[!-/:-@[-`{-~]/g, '\\$&');
        assert.ok(md.includes(`| Created | ${shown(run.createdAt)} |`), `the run's creation, as the overview shows it: ${md}`);
        assert.ok(md.includes(`| This version since | ${shown(live.createdAt)} |`), `the live version's start: ${md}`);
        // The tree's archived versions use the same format.
        const rewinds = (await (0, helpers_1.children)(api, base.node)).find((c) => c.node.kind === 'forkedFrom');
        const [version] = await (0, helpers_1.children)(api, rewinds?.node);
        const archived = run.versions.find((v) => v.id === (version?.node.kind === 'version' ? version.node.versionId : ''));
        assert.ok(archived?.archivedAt);
        assert.ok(String(version?.item.description).endsWith((0, dates_1.formatDateTime)(archived.archivedAt, vscode.env.language)));
    });
    it('keeps the tooltip short: the top metrics, headline first, and a pointer to the overview', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const id = (0, helpers_1.uniqueId)('wide');
        const writer = (0, helpers_1.logRun)(id, 0, { finish: false });
        for (let s = 0; s < 5; s++)
            writer.log(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`m${String(i).padStart(2, '0')}`, s * i])));
        writer.log({ loss: 0.5, zeta_loss: 0.25 });
        writer.finish();
        await (0, helpers_1.waitFor)(() => (0, helpers_1.listedRun)(api, id), `${id} ingested`);
        const row = await (0, helpers_1.runRow)(api, id);
        assert.ok(row);
        const resolved = await api.runs.provider.resolveTreeItem(row.item, row.node, new vscode.CancellationTokenSource().token);
        const md = resolved.tooltip.value;
        const metrics = /^\*\*Top metrics\\:\*\* (.*)$/m.exec(md)?.[1] ?? '';
        const keys = metrics.split(' · ').map((m) => m.split(' ')[0]);
        assert.deepEqual(keys, ['loss', 'zeta\\_loss', 'm00', 'm01', 'm02'], 'the headline, the other loss, then by name; five in all');
        assert.match(md, /config value is in the overview/);
        assert.ok(md.split('\n').length < 20, `short: ${md.split('\n').length} lines`);
    });
    it('puts malformed log lines in the Problems panel at their file and line', async () => {
        const file = await (0, helpers_1.waitFor)(() => vscode.languages.getDiagnostics().find(([uri, list]) => list.length > 0 && uri.fsPath.startsWith(path.join((0, helpers_1.logDir)(), 'runs', 'bad01'))), 'a diagnostic on bad01');
        const [, diagnostics] = file;
        const d = diagnostics[0];
        assert.ok(d);
        assert.equal(d.range.start.line, 12, 'line 13, the malformed one');
        assert.equal(d.source, 'Run Rewind');
    });
});
//# sourceMappingURL=tree.test.js.map