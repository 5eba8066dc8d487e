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
// The chart panel in the real extension host: opened from each entry point, the host <-> webview round
// trip (through the webview's own code paths), the picked step driving the window's selection and the
// Selected Step commands with their refusals, live growth, exports, and a hostile run name.
const assert = __importStar(require("node:assert/strict"));
const fs = __importStar(require("node:fs"));
const os = __importStar(require("node:os"));
const path = __importStar(require("node:path"));
const vscode = __importStar(require("vscode"));
const ids_1 = require("../../../src/ids");
const helpers_1 = require("./helpers");
async function inspect() {
    const shown = await vscode.commands.executeCommand(ids_1.InternalCommandId.InspectChart);
    assert.ok(shown, 'a chart panel is open');
    return shown;
}
async function act(action) {
    await vscode.commands.executeCommand(ids_1.InternalCommandId.ActOnChart, action);
}
/** Waits until the active panel shows `entries` and has drawn every chart in view. */
async function drawn(entries, charts = 1) {
    return (0, helpers_1.waitFor)(async () => {
        const s = await inspect();
        return s.entries.join(',') === entries.join(',') && s.drawn.length >= charts && s;
    }, `charts of ${entries.join(', ')}`, 20_000);
}
async function closeAll() {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
describe('chart panel', () => {
    before(async () => {
        await (0, helpers_1.showRunsViewAndStore)();
    });
    afterEach(closeAll);
    it('opens from a run id: every key charted, archived versions dashed, overview with both ids', async () => {
        const api = await (0, helpers_1.extensionApi)();
        await vscode.commands.executeCommand(ids_1.CommandId.OpenCharts, { run: 'base01' });
        const s = await drawn(['base01'], 2);
        assert.deepEqual([...s.charts].sort(), ['acc', 'loss']);
        assert.match(s.title, /baseline/);
        const run = await (0, helpers_1.listedRun)(api, 'base01');
        assert.ok(run);
        const archived = run.versions.filter((v) => v.archived).length;
        assert.equal(archived, 2, 'the fixture rewinds base01 twice');
        assert.equal(s.legend.length, 1 + archived);
        const loss = s.drawn.find((d) => d.key === 'loss');
        assert.equal(loss?.lines, 1 + archived);
        assert.equal(loss?.dashed, archived);
        assert.ok(s.overviewText.includes('base01'));
        assert.ok(s.overviewText.includes(run.liveVersion), 'the immutable version id is shown');
        assert.match(s.overviewText, /Forked From/);
        assert.equal(s.state.folder, api.folders.all[0].key);
    });
    it('opens one comparison panel for several runs selected in the tree, and reveals it again', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const a = await (0, helpers_1.waitFor)(() => (0, helpers_1.runRow)(api, 'base01'), 'base01 row');
        const b = await (0, helpers_1.waitFor)(() => (0, helpers_1.runRow)(api, 'fork01'), 'fork01 row');
        await vscode.commands.executeCommand(ids_1.CommandId.OpenCharts, a.node, [a.node, b.node]);
        const s = await drawn(['base01', 'fork01'], 2);
        assert.ok(s.legend.some((l) => l.startsWith('lr-halved')));
        const panels = s.panels;
        // The tree item's inline button / context menu pass the same node: the same panel comes back.
        await vscode.commands.executeCommand(ids_1.CommandId.OpenCharts, a.node, [a.node, b.node]);
        assert.equal((await inspect()).panels, panels);
        await vscode.commands.executeCommand(ids_1.CommandId.OpenCharts, a.node);
        const single = await drawn(['base01'], 1);
        assert.equal(single.panels, panels + 1);
    });
    it('gets at most a few points per pixel, and exact points again when zoomed in', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const id = (0, helpers_1.uniqueId)('big');
        (0, helpers_1.logRun)(id, 20_000);
        await (0, helpers_1.waitFor)(() => (0, helpers_1.listedRun)(api, id), `${id} ingested`);
        await vscode.commands.executeCommand(ids_1.CommandId.OpenCharts, { run: id });
        const s = await drawn([id], 2);
        const loss = s.drawn.find((d) => d.key === 'loss');
        assert.ok(loss);
        assert.ok(loss.points <= 4 * s.buckets + 4, `${loss.points} points for ${s.buckets} px`);
        assert.ok(loss.points > s.buckets, 'the envelope keeps more than one point per pixel');
        await act({ kind: 'zoom', min: 1000, max: 1100 });
        const zoomed = await (0, helpers_1.waitFor)(async () => {
            const z = await inspect();
            const d = z.drawn.find((x) => x.key === 'loss');
            return z.state.zoom !== null && d && d.points < 200 && z;
        }, 'the zoomed points');
        const points = zoomed.drawn.find((d) => d.key === 'loss')?.points ?? 0;
        assert.ok(points >= 101 && points <= 105, `every step of the zoomed range is drawn (${points})`);
        await act({ kind: 'resetZoom' });
        assert.equal((await inspect()).state.zoom, null);
    });
    it('a click selects a logged step: the window selection, Left/Right, and the Selected Step commands', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const id = (0, helpers_1.uniqueId)('sel');
        (0, helpers_1.logRun)(id, 50);
        const run = await (0, helpers_1.waitFor)(() => (0, helpers_1.listedRun)(api, id), `${id} ingested`);
        await vscode.commands.executeCommand(ids_1.CommandId.OpenCharts, { run: id });
        await drawn([id], 2);
        await act({ kind: 'selectStep', key: 'loss', runId: id, step: 30 });
        const selected = await (0, helpers_1.waitFor)(() => api.services.selection.current?.runId === id && api.services.selection.current, 'the selection');
        assert.equal(selected.step, 30);
        assert.equal(selected.source, 'chart');
        assert.equal(selected.versionId, run.liveVersion);
        assert.equal(selected.folder, api.folders.all[0].key);
        assert.deepEqual((await inspect()).state.selection, { runId: id, versionId: run.liveVersion, step: 30 });
        await act({ kind: 'key', key: 'ArrowRight' });
        await (0, helpers_1.waitFor)(() => api.services.selection.current?.step === 31, 'Right moves to the next logged step');
        await act({ kind: 'key', key: 'ArrowLeft' });
        await act({ kind: 'key', key: 'ArrowLeft' });
        await (0, helpers_1.waitFor)(() => api.services.selection.current?.step === 29, 'Left moves back');
        await (0, helpers_1.waitFor)(async () => (await inspect()).state.selection?.step === 29, 'the panel follows the window selection');
        // The toolbar's Fork button runs the palette's Fork at Selected Step.
        const before = new Set((await api.runs.model.refresh(api.folders.all[0].key)).runs.keys());
        await act({ kind: 'toolbar', command: 'fork' });
        const forked = await (0, helpers_1.waitFor)(async () => {
            const runs = (await api.runs.model.refresh(api.folders.all[0].key)).runs;
            return [...runs.values()].find((r) => !before.has(r.id) && r.forkedFrom?.run === id);
        }, 'the fork made from the toolbar');
        assert.equal(forked.forkedFrom?.step, 29);
        assert.equal(forked.lastStep, 29);
    });
    it('refuses from the toolbar what the palette refuses: rewinding a running run', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const id = (0, helpers_1.uniqueId)('run');
        const writer = (0, helpers_1.logRun)(id, 20, { finish: false });
        try {
            await (0, helpers_1.waitFor)(async () => (await (0, helpers_1.listedRun)(api, id))?.state === 'running', `${id} running`);
            await vscode.commands.executeCommand(ids_1.CommandId.OpenCharts, { run: id });
            await drawn([id], 2);
            await act({ kind: 'selectStep', key: 'loss', runId: id, step: 10 });
            await (0, helpers_1.waitFor)(() => api.services.selection.current?.runId === id, 'the selection');
            await act({ kind: 'toolbar', command: 'rewind' });
            const s = await (0, helpers_1.waitFor)(async () => {
                const x = await inspect();
                return x.notice.length > 0 && x;
            }, 'the refusal in the panel');
            assert.match(s.notice, /running/);
            const after = await (0, helpers_1.listedRun)(api, id);
            assert.equal(after?.versions.length, 1, 'nothing was rewound');
            // Live growth: what the writer logs next reaches the open panel.
            const points = s.drawn.find((d) => d.key === 'loss')?.points ?? 0;
            for (let i = 0; i < 30; i++)
                writer.log({ loss: 0.5, acc: 0.5 });
            await (0, helpers_1.waitFor)(async () => ((await inspect()).drawn.find((d) => d.key === 'loss')?.points ?? 0) >= points + 30, 'the appended points', 20_000);
        }
        finally {
            writer.finish();
        }
    });
    it('exports the chart as a PNG and its data as CSV at full resolution', async () => {
        const api = await (0, helpers_1.extensionApi)();
        await vscode.commands.executeCommand(ids_1.CommandId.OpenCharts, { run: 'fork01' });
        await drawn(['fork01'], 2);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runrewind-export-'));
        const png = path.join(dir, 'loss.png');
        const csv = path.join(dir, 'loss.csv');
        await vscode.commands.executeCommand(ids_1.CommandId.ExportChartPng, 'loss', png);
        await vscode.commands.executeCommand(ids_1.CommandId.ExportChartCsv, 'loss', csv);
        const bytes = fs.readFileSync(png);
        assert.equal(bytes.readUInt32BE(0), 0x89504e47, 'a PNG signature');
        assert.ok(bytes.length > 2000, `a drawn chart (${bytes.length} bytes)`);
        const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
        assert.equal(lines[0], 'step,lr-halved (fork01)');
        const store = await api.folders.all[0].store();
        const run = await store.getRun('fork01');
        const series = await store.series(run.liveVersion, 'loss');
        assert.equal(lines.length - 1, series.steps.length, 'one row per logged step, inherited part included');
        const [step, value] = lines[lines.length - 1].split(',');
        assert.equal(Number(step), series.steps[series.steps.length - 1]);
        assert.equal(Number(value), series.values[series.values.length - 1]);
    });
    it('shows a hostile run name, config and tags as text', async () => {
        await vscode.commands.executeCommand(ids_1.CommandId.OpenCharts, { run: 'bad01' });
        const s = await drawn(['bad01'], 1);
        const name = '<img src=x> [click](command:runRewind.deleteRun) *bold* `code`';
        assert.ok(s.legend.includes(name), JSON.stringify(s.legend));
        assert.ok(s.overviewText.includes(name));
        assert.ok(s.overviewText.includes('| pipes | and'));
        assert.equal(s.injected, 0, 'no element came from user data');
    });
    it('keeps its view state for the serializer: filter, smoothing, log scale, x axis', async () => {
        await vscode.commands.executeCommand(ids_1.CommandId.OpenCharts, { run: 'base01' });
        await drawn(['base01'], 2);
        await act({ kind: 'setFilter', filter: '/^lo/' });
        await act({ kind: 'setSmoothing', smoothing: 0.6 });
        await act({ kind: 'setLogScale', logScale: true });
        await act({ kind: 'setXAxis', xAxis: 'relative' });
        const s = await inspect();
        assert.deepEqual(s.charts, ['loss']);
        assert.equal(s.state.filter, '/^lo/');
        assert.equal(s.state.smoothing, 0.6);
        assert.equal(s.state.logScale, true);
        assert.equal(s.state.xAxis, 'relative');
        await (0, helpers_1.waitFor)(async () => (await inspect()).drawn.some((d) => d.key === 'loss' && d.points > 0), 'the relative-time chart');
    });
});
//# sourceMappingURL=chart.test.js.map