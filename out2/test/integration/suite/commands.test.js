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
// Each command's success path and each refusal, driven with arguments instead of prompts (the prompts
// themselves are driven by the UI tests).
const assert = __importStar(require("node:assert/strict"));
const fs = __importStar(require("node:fs"));
const os = __importStar(require("node:os"));
const path = __importStar(require("node:path"));
const vscode = __importStar(require("vscode"));
const stepInput_1 = require("../../../src/commands/stepInput");
const ids_1 = require("../../../src/ids");
const helpers_1 = require("./helpers");
async function run(command, ...args) {
    return (await vscode.commands.executeCommand(command, ...args));
}
describe('commands', () => {
    before(async () => {
        await (0, helpers_1.showRunsViewAndStore)();
    });
    it('rewinds a run: same id, new live version, the old one archived, revealed and selected', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const id = (0, helpers_1.uniqueId)('rw');
        (0, helpers_1.logRun)(id, 100);
        const before = await (0, helpers_1.waitFor)(() => (0, helpers_1.listedRun)(api, id), `${id} ingested`);
        const outcome = await run(ids_1.CommandId.RewindToStep, id, 60, { confirm: false });
        assert.ok(outcome.ok, JSON.stringify(outcome));
        assert.equal(outcome.runId, id);
        assert.equal(outcome.archived, before.liveVersion);
        const after = await (0, helpers_1.listedRun)(api, id);
        assert.equal(after?.lastStep, 60);
        assert.notEqual(after?.liveVersion, before.liveVersion);
        assert.ok(after?.versions.some((v) => v.id === before.liveVersion && v.archived));
        assert.ok(api.runs.view.selection.some((n) => n.kind === 'run' && n.runId === id), 'the rewound run is selected');
        const row = await (0, helpers_1.runRow)(api, id);
        assert.match(String(row?.item.description), new RegExp(`^${id} · step 60`));
    });
    it('refuses a rewind beyond the last step, of a running run, and of an archived version', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const id = (0, helpers_1.uniqueId)('rf');
        (0, helpers_1.logRun)(id, 10);
        const info = await (0, helpers_1.waitFor)(() => (0, helpers_1.listedRun)(api, id), `${id} ingested`);
        const beyond = await run(ids_1.CommandId.RewindToStep, id, 11, { confirm: false });
        assert.equal(beyond.ok, false);
        assert.match(!beyond.ok ? beyond.reason : '', /beyond the last step of .* \(9\)/);
        const live = (0, helpers_1.uniqueId)('live');
        const writer = (0, helpers_1.logRun)(live, 5, { finish: false });
        try {
            await (0, helpers_1.waitFor)(async () => (await (0, helpers_1.listedRun)(api, live))?.state === 'running', `${live} running`);
            const running = await run(ids_1.CommandId.RewindToStep, live, 2, { confirm: false });
            assert.equal(running.ok, false);
            assert.match(!running.ok ? running.reason : '', /still running/);
            // Forking a running run is allowed.
            const fork = await run(ids_1.CommandId.ForkAtStep, live, 2);
            assert.ok(fork.ok, JSON.stringify(fork));
        }
        finally {
            writer.finish();
        }
        await run(ids_1.CommandId.RewindToStep, id, 5, { confirm: false });
        const archived = (await (0, helpers_1.listedRun)(api, id))?.versions.find((v) => v.archived);
        assert.ok(archived);
        const ofArchived = await run(ids_1.CommandId.RewindToStep, archived.id, 3, { confirm: false });
        assert.match(!ofArchived.ok ? ofArchived.reason : '', /archived and cannot be rewound/);
        assert.equal((await (0, helpers_1.listedRun)(api, id))?.lastStep, 5, 'nothing happened');
        void info;
    });
    it('validates typed steps the way the prompt shows them', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const base = await (0, helpers_1.listedRun)(api, 'base01');
        assert.ok(base);
        const live = base.versions.find((v) => v.id === base.liveVersion);
        assert.ok(live);
        assert.match((0, stepInput_1.stepRefusal)('abc', base, live, 'rewind') ?? '', /not a step/);
        assert.match((0, stepInput_1.stepRefusal)('-3', base, live, 'fork') ?? '', /not a step/);
        assert.match((0, stepInput_1.stepRefusal)('1.5', base, live, 'fork') ?? '', /not a step/);
        assert.match((0, stepInput_1.stepRefusal)('100000', base, live, 'fork') ?? '', /beyond the last step/);
        assert.equal((0, stepInput_1.stepRefusal)(' 120 ', base, live, 'fork'), undefined);
        assert.equal((0, stepInput_1.stepRefusal)('0', base, live, 'rewind'), undefined);
    });
    it('forks a run into a new run that records where it came from', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const id = (0, helpers_1.uniqueId)('fk');
        (0, helpers_1.logRun)(id, 50);
        await (0, helpers_1.waitFor)(() => (0, helpers_1.listedRun)(api, id), `${id} ingested`);
        const outcome = await run(ids_1.CommandId.ForkAtStep, id, 20, { name: 'my fork' });
        assert.ok(outcome.ok, JSON.stringify(outcome));
        assert.notEqual(outcome.runId, id);
        const fork = await (0, helpers_1.listedRun)(api, outcome.runId);
        assert.equal(fork?.name, 'my fork');
        assert.equal(fork?.lastStep, 20);
        assert.equal(fork?.forkedFrom?.run, id);
        assert.equal(fork?.forkedFrom?.step, 20);
        assert.ok(api.runs.view.selection.some((n) => n.kind === 'run' && n.runId === outcome.runId), 'the fork is selected');
        const refused = await run(ids_1.CommandId.ForkAtStep, id, 51);
        assert.equal(refused.ok, false);
    });
    it('copies the run id, the immutable id and resume snippets', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const base = await (0, helpers_1.listedRun)(api, 'base01');
        assert.ok(base);
        assert.equal(await run(ids_1.CommandId.CopyRunId, 'base01'), 'base01');
        assert.equal(await run(ids_1.CommandId.CopyVersionId, 'base01'), base.liveVersion);
        const archived = base.versions.find((v) => v.archived);
        assert.ok(archived);
        assert.equal(await run(ids_1.CommandId.CopyVersionId, archived.id), archived.id);
        assert.equal(await run(ids_1.CommandId.CopyResumeSnippet, 'base01', 200, 'rewind'), 'run = runrewind.init(project="mnist", resume_from="base01?_step=200")');
        assert.equal(await run(ids_1.CommandId.CopyResumeSnippet, 'base01', 120, 'fork'), 'run = runrewind.init(project="mnist", fork_from="base01?_step=120")');
        assert.equal(await run(ids_1.CommandId.CopyResumeSnippet, archived.id, 30, 'fork'), `run = runrewind.init(project="mnist", fork_from="${archived.id}?_step=30")`);
        assert.equal(await run(ids_1.CommandId.CopyResumeSnippet, 'base01', undefined, 'resume'), 'run = runrewind.init(project="mnist", id="base01", resume="must")');
        // Multi-selection from the tree: (clicked, selected[]).
        const a = await (0, helpers_1.runRow)(api, 'base01');
        const b = await (0, helpers_1.runRow)(api, 'fork01');
        assert.equal(await run(ids_1.CommandId.CopyRunId, a?.node, [a?.node, b?.node]), 'base01\nfork01');
    });
    it('renames a run, and refuses an empty name', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const id = (0, helpers_1.uniqueId)('rn');
        (0, helpers_1.logRun)(id, 3);
        await (0, helpers_1.waitFor)(() => (0, helpers_1.listedRun)(api, id), `${id} ingested`);
        const empty = await run(ids_1.CommandId.RenameRun, id, '   ');
        assert.equal(empty.ok, false);
        const ok = await run(ids_1.CommandId.RenameRun, id, 'renamed run');
        assert.ok(ok.ok);
        assert.equal((await (0, helpers_1.runRow)(api, id))?.item.label, 'renamed run');
    });
    it('deletes a run with its archived versions', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const id = (0, helpers_1.uniqueId)('dl');
        (0, helpers_1.logRun)(id, 30);
        await (0, helpers_1.waitFor)(() => (0, helpers_1.listedRun)(api, id), `${id} ingested`);
        await run(ids_1.CommandId.RewindToStep, id, 10, { confirm: false });
        const versions = (await (0, helpers_1.listedRun)(api, id))?.versions.map((v) => v.id) ?? [];
        assert.equal(versions.length, 2);
        const outcome = await run(ids_1.CommandId.DeleteRun, id, { confirm: false });
        assert.ok(outcome?.ok);
        assert.equal(await (0, helpers_1.listedRun)(api, id), undefined);
        assert.equal(await (0, helpers_1.runRow)(api, id), undefined);
        const data = api.runs.model.get(api.folders.all[0]?.key ?? '');
        for (const v of versions)
            assert.equal(data?.versionToRun.has(v), false, `archived version ${v} is gone too`);
    });
    it('refreshes, rebuilds the store to the same runs, and shows the log', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const key = api.folders.all[0]?.key ?? '';
        await run(ids_1.CommandId.Refresh);
        const before = await api.runs.model.refresh(key);
        await run(ids_1.CommandId.RebuildStore);
        const after = await api.runs.model.refresh(key);
        assert.deepEqual([...after.runs.keys()].sort(), [...before.runs.keys()].sort());
        for (const [id, r] of before.runs) {
            const again = after.runs.get(id);
            assert.equal(again?.lastStep, r.lastStep, `${id} last step`);
            assert.equal(again?.versions.length, r.versions.length, `${id} versions`);
        }
        await run(ids_1.CommandId.ShowLog);
    });
    it('gives terminals RUNREWIND_DIR and the bundled client on PYTHONPATH, unless turned off', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const out = path.join(os.tmpdir(), `${(0, helpers_1.uniqueId)('env')}.txt`);
        const terminal = vscode.window.createTerminal({ name: 'env check', shellPath: '/bin/sh', shellArgs: ['-c', `printf '%s|%s' "$RUNREWIND_DIR" "$PYTHONPATH" > ${out}`] });
        try {
            const text = await (0, helpers_1.waitFor)(() => fs.existsSync(out) && fs.readFileSync(out, 'utf8'), 'the terminal to write its environment', 20_000);
            const [dir, pythonPath] = text.split('|');
            assert.equal(dir, (0, helpers_1.logDir)());
            const ext = vscode.extensions.getExtension(ids_1.EXTENSION_ID);
            assert.ok(pythonPath?.split(path.delimiter).includes(path.join(ext?.extensionPath ?? '', 'python')), pythonPath);
        }
        finally {
            terminal.dispose();
        }
        const config = vscode.workspace.getConfiguration(ids_1.SETTINGS_SECTION);
        await config.update(ids_1.Setting.InjectTerminalEnvironment, false, vscode.ConfigurationTarget.Global);
        try {
            await (0, helpers_1.waitFor)(() => api.terminals.collection.get('RUNREWIND_DIR') === undefined, 'the variables to be withdrawn');
        }
        finally {
            await config.update(ids_1.Setting.InjectTerminalEnvironment, undefined, vscode.ConfigurationTarget.Global);
        }
        await (0, helpers_1.waitFor)(() => api.terminals.collection.get('RUNREWIND_DIR')?.value === (0, helpers_1.logDir)(), 'the variables to come back');
    });
});
//# sourceMappingURL=commands.test.js.map