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
exports.ChartPanel = void 0;
exports.decodePng = decodePng;
exports.safeFileName = safeFileName;
// The chart panel's host side: one webview panel showing one or more runs of one folder store. It answers
// the webview's queries from the store, pushes live appends, relays the picked step to the window's
// StepSelection, runs the Selected Step commands, copies, opens sources and saves exports.
const path = __importStar(require("node:path"));
const vscode = __importStar(require("vscode"));
const ids_1 = require("../ids");
const userText_1 = require("../userText");
const protocol_1 = require("../shared/protocol");
const chartData_1 = require("./chartData");
const chartHtml_1 = require("./chartHtml");
const REQUEST_TIMEOUT_MS = 30_000;
class ChartPanel {
    panel;
    services;
    folder;
    static open = new Set();
    static lastActive;
    /** The chart panel the user looked at last (the target of the export commands). */
    static get active() {
        return ChartPanel.lastActive;
    }
    static get all() {
        return [...ChartPanel.open];
    }
    /** Shows the panel for exactly these runs of this folder, creating it when there is none. */
    static createOrShow(services, folder, entries) {
        const existing = [...ChartPanel.open].find((p) => p.folder.key === folder.key && sameSet(p.entries, entries));
        if (existing) {
            existing.panel.reveal();
            return existing;
        }
        const panel = vscode.window.createWebviewPanel(protocol_1.CHART_VIEW_TYPE, vscode.l10n.t('Charts'), vscode.ViewColumn.Active, {
            enableScripts: true,
            localResourceRoots: [(0, chartHtml_1.webviewRoot)(services.extensionUri)],
        });
        return new ChartPanel(panel, services, folder, (0, protocol_1.defaultViewState)(folder.key, entries));
    }
    /** Takes over a panel VS Code restored after a reload, with the state its webview saved. */
    static revive(panel, services, folder, state) {
        panel.webview.options = { enableScripts: true, localResourceRoots: [(0, chartHtml_1.webviewRoot)(services.extensionUri)] };
        return new ChartPanel(panel, services, folder, state);
    }
    disposables = [];
    log;
    entries;
    viewState;
    runs = [];
    versions = new Set();
    keys = [];
    ready = false;
    refreshing = false;
    refreshAgain = false;
    /** Per run: the live version and the last step already sent, for live appends. */
    sent = new Map();
    waiters = new Map();
    nextRequest = 1;
    disposed = false;
    constructor(panel, services, folder, state) {
        this.panel = panel;
        this.services = services;
        this.folder = folder;
        this.log = services.logger.for('charts');
        this.entries = [...state.runs];
        this.viewState = state;
        ChartPanel.open.add(this);
        ChartPanel.lastActive = this;
        panel.webview.html = (0, chartHtml_1.chartHtml)(panel.webview, services.extensionUri);
        this.disposables.push(panel.onDidDispose(() => this.dispose()), panel.onDidChangeViewState((e) => {
            if (e.webviewPanel.active)
                ChartPanel.lastActive = this;
        }), panel.webview.onDidReceiveMessage((m) => this.receive(m)), folder.onDidChangeRuns((e) => {
            if (e.reason !== 'ingest' || e.changedRuns.some((r) => this.runs.some((run) => run.id === r)))
                void this.refresh();
        }), services.selection.onDidChange((s) => this.post({ type: 'selection', selection: this.toChartSelection(s) })));
    }
    /** Run ids (or version ids) this panel shows. */
    get shownEntries() {
        return this.entries;
    }
    get state() {
        return this.viewState;
    }
    dispose() {
        if (this.disposed)
            return;
        this.disposed = true;
        ChartPanel.open.delete(this);
        if (ChartPanel.lastActive === this)
            ChartPanel.lastActive = [...ChartPanel.open].pop();
        for (const w of this.waiters.values()) {
            clearTimeout(w.timer);
            w.reject(new Error('the chart panel was closed'));
        }
        this.waiters.clear();
        this.panel.dispose();
        for (const d of this.disposables.splice(0))
            d.dispose();
    }
    // ---- requests to the webview (export commands, tests) ------------------------------------------
    /** Asks the webview for what it shows (tests, diagnostics). */
    inspect() {
        return this.request((requestId) => ({ type: 'inspectRequest', requestId }));
    }
    /** Performs a user action in the webview through the same code as the mouse and keyboard. */
    async perform(action) {
        const error = (await this.request((requestId) => ({ type: 'testAction', requestId, action })));
        if (error)
            throw new Error(error);
    }
    /** The chart of `key` as PNG bytes, drawn by the webview. */
    async png(key) {
        const dataUrl = (await this.request((requestId) => ({ type: 'exportPngRequest', requestId, key })));
        return decodePng(dataUrl);
    }
    /** The data of `key`'s chart at full resolution, one column per line, in the zoomed step range if any. */
    async csv(key, lines) {
        const store = await this.folder.store();
        const zoom = this.viewState.zoom;
        const range = zoom && zoom.axis === 'step' ? { from: Math.max(0, Math.floor(zoom.min)), to: Math.ceil(zoom.max) } : undefined;
        const wanted = lines ?? [...this.versions].map((version) => ({ version, ...(range ? { range } : {}) }));
        const series = await Promise.all(wanted.map((l) => store.series(l.version, key, l.range, false)));
        return (0, chartData_1.toCsv)(series.map((s) => ({ label: this.labelOf(s.version), series: s })));
    }
    /** Metric keys the panel can chart. */
    get metricKeys() {
        return this.keys;
    }
    request(make) {
        const requestId = this.nextRequest++;
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                this.waiters.delete(requestId);
                reject(new Error('the chart panel did not answer'));
            }, REQUEST_TIMEOUT_MS);
            this.waiters.set(requestId, { resolve, reject, timer });
            const send = () => this.post(make(requestId));
            if (this.initialised)
                send();
            else
                void this.whenInitialised().then(send);
        });
    }
    readyWaiters = [];
    initialised = false;
    /** Resolves once the webview has its init (requests sent earlier would reach a panel with no runs). */
    whenInitialised() {
        return this.initialised ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve));
    }
    settle(requestId, value) {
        const w = this.waiters.get(requestId);
        if (!w)
            return;
        this.waiters.delete(requestId);
        clearTimeout(w.timer);
        w.resolve(value);
    }
    // ---- messages -----------------------------------------------------------------------------------
    post(message) {
        if (this.ready && !this.disposed)
            void this.panel.webview.postMessage(message);
    }
    receive(message) {
        if (!(0, protocol_1.isFromWebview)(message)) {
            this.log.warn(`ignored a malformed message from the chart webview: ${describe(message)}`);
            return;
        }
        Promise.resolve((0, protocol_1.dispatch)(this.handlers, message)).catch((e) => {
            const error = e instanceof Error ? e : new Error(String(e));
            this.log.error(error);
            this.post({ type: 'notice', kind: 'error', message: error.message });
        });
    }
    handlers = {
        ready: async (m) => {
            // A webview that was hidden and shown again (or reloaded) starts over: a fresh init.
            this.ready = true;
            this.initialised = false;
            if (m.state && m.state.folder === this.folder.key && sameList(m.state.runs, this.entries))
                this.viewState = m.state;
            await this.sendInit();
            this.initialised = true;
            for (const r of this.readyWaiters.splice(0))
                r();
        },
        query: async (m) => {
            const unknown = m.lines.find((l) => !this.versions.has(l.version));
            if (unknown)
                throw new Error(`version ${unknown.version} is not shown in this panel`);
            const store = await this.folder.store();
            try {
                const lines = await (0, chartData_1.queryLines)(store, m.key, m.lines, m.buckets, m.withTimes);
                this.post({ type: 'series', inReplyTo: m.requestId, key: m.key, lines });
            }
            catch (e) {
                this.post({ type: 'series', inReplyTo: m.requestId, key: m.key, lines: [], error: e instanceof Error ? e.message : String(e) });
            }
        },
        select: (m) => {
            if (m.selection === null) {
                if (this.toChartSelection(this.services.selection.current))
                    this.services.selection.set(undefined);
                return;
            }
            const { runId, versionId, step } = m.selection;
            const run = this.runs.find((r) => r.id === runId);
            if (!run || !run.versions.some((v) => v.id === versionId) || !this.versions.has(versionId)) {
                throw new Error(`run ${runId} version ${versionId} is not shown in this panel`);
            }
            this.services.selection.set({ folder: this.folder.key, runId, versionId, step, source: 'chart' });
        },
        moveSelection: async (m) => {
            const current = this.services.selection.current;
            if (!current || !this.toChartSelection(current))
                return;
            const store = await this.folder.store();
            const page = m.direction > 0
                ? await store.history(current.versionId, { range: { from: current.step + 1 }, limit: 1, keys: [] })
                : await store.history(current.versionId, { range: { to: Math.max(0, current.step - 1) }, offset: -1, limit: 1, keys: [] });
            const row = page.rows[0];
            if (!row || row.step === current.step)
                return;
            this.services.selection.set({ ...current, step: row.step, source: 'chart' });
        },
        runCommand: async (m) => {
            // The same command as the palette: same questions, same refusals. A refusal is also shown in the panel.
            const outcome = await vscode.commands.executeCommand(m.command === 'rewind' ? ids_1.CommandId.RewindToSelectedStep : ids_1.CommandId.ForkAtSelectedStep);
            if (isRefusal(outcome))
                this.post({ type: 'notice', kind: 'error', message: outcome.reason });
        },
        copy: async (m) => {
            await vscode.env.clipboard.writeText(m.text);
            vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', m.what), 3000);
        },
        openVersion: (m) => {
            const known = this.runs.some((r) => r.lineage.some((l) => l.run === m.runId && l.version === m.versionId));
            if (!known)
                throw new Error(`version ${m.versionId} is not in the Forked From chain of this panel's runs`);
            ChartPanel.createOrShow(this.services, this.folder, [m.versionId]);
        },
        exportPng: async (m) => {
            if (m.inReplyTo !== null) {
                this.settle(m.inReplyTo, m.dataUrl);
                return;
            }
            await this.saveWithDialog(`${safeFileName(m.key)}.png`, decodePng(m.dataUrl), { 'PNG image': ['png'] });
        },
        exportCsv: async (m) => {
            const unknown = m.lines.find((l) => !this.versions.has(l.version));
            if (unknown)
                throw new Error(`version ${unknown.version} is not shown in this panel`);
            const csv = await this.csv(m.key, m.lines);
            await this.saveWithDialog(`${safeFileName(m.key)}.csv`, new TextEncoder().encode(csv), { CSV: ['csv'] });
        },
        stateChanged: (m) => {
            if (m.state.folder === this.folder.key && sameList(m.state.runs, this.entries))
                this.viewState = m.state;
        },
        inspectResult: (m) => this.settle(m.inReplyTo, m.snapshot),
        testActionDone: (m) => this.settle(m.inReplyTo, m.error),
        error: (m) => this.log.error(`chart webview: ${m.message}`),
    };
    // ---- data ---------------------------------------------------------------------------------------
    async loadRuns(store) {
        const runs = [];
        const gone = [];
        for (const entry of this.entries) {
            try {
                runs.push(await store.getRun(entry));
            }
            catch (e) {
                this.log.warn(`chart panel: ${entry}: ${e instanceof Error ? e.message : String(e)}`);
                gone.push(entry);
            }
        }
        if (gone.length > 0) {
            this.entries = this.entries.filter((e) => !gone.includes(e));
            this.viewState = { ...this.viewState, runs: this.entries };
            this.post({ type: 'notice', kind: 'info', message: vscode.l10n.t('No longer in the store: {0}', gone.join(', ')) });
        }
        this.runs = runs;
        this.versions = (0, chartData_1.versionsOf)(runs);
        this.panel.title = runs.length === 1 ? vscode.l10n.t('Charts: {0}', titleOf(runs[0], this.entries[0])) : vscode.l10n.t('Charts: {0} runs', runs.length);
        return runs;
    }
    async sendInit() {
        const store = await this.folder.store();
        const runs = await this.loadRuns(store);
        const keys = await (0, chartData_1.keysOf)(store, this.versions);
        this.keys = keys.filter((k) => k.numeric).map((k) => k.key);
        for (const run of runs)
            this.sent.set(run.id, { version: run.liveVersion, step: run.lastStep ?? -1 });
        this.post({
            type: 'init',
            folder: this.folder.key,
            folderName: this.folder.name,
            runs,
            keys,
            selection: this.toChartSelection(this.services.selection.current),
            state: { ...this.viewState, runs: this.entries },
        });
    }
    /** Re-reads the runs after the store changed; sends what grew as appends. Coalesces bursts. */
    async refresh() {
        if (!this.ready || this.disposed)
            return;
        if (this.refreshing) {
            this.refreshAgain = true;
            return;
        }
        this.refreshing = true;
        try {
            do {
                this.refreshAgain = false;
                const store = await this.folder.store();
                const runs = await this.loadRuns(store);
                const keys = await (0, chartData_1.keysOf)(store, this.versions);
                this.keys = keys.filter((k) => k.numeric).map((k) => k.key);
                this.post({ type: 'runs', runs, keys });
                const items = [];
                const stale = [];
                for (const [i, run] of runs.entries()) {
                    if (this.entries[i] !== run.id)
                        continue;
                    const last = run.lastStep ?? -1;
                    const prev = this.sent.get(run.id);
                    if (!prev || prev.version !== run.liveVersion || last < prev.step) {
                        this.sent.set(run.id, { version: run.liveVersion, step: last });
                        continue;
                    }
                    if (last <= prev.step)
                        continue;
                    const grown = await (0, chartData_1.appendsSince)(store, run.liveVersion, prev.step, true);
                    items.push(...grown.items);
                    if (grown.overflow)
                        stale.push(run.liveVersion);
                    this.sent.set(run.id, { version: run.liveVersion, step: grown.overflow ? last : grown.lastStep });
                }
                if (items.length > 0 || stale.length > 0)
                    this.post({ type: 'append', items, stale });
            } while (this.refreshAgain && !this.disposed);
        }
        catch (e) {
            this.log.error(e instanceof Error ? e : new Error(String(e)));
        }
        finally {
            this.refreshing = false;
        }
    }
    toChartSelection(s) {
        if (!s || s.folder !== this.folder.key || !this.runs.some((r) => r.id === s.runId))
            return null;
        return { runId: s.runId, versionId: s.versionId, step: s.step };
    }
    labelOf(version) {
        for (const run of this.runs) {
            if (run.liveVersion === version)
                return `${run.name} (${run.id})`;
            if (run.versions.some((v) => v.id === version))
                return `${run.name} (${run.id} archived ${version})`;
        }
        return version;
    }
    async saveWithDialog(fileName, bytes, filters) {
        const base = this.folder.folder?.uri ?? vscode.Uri.file(this.folder.logDir);
        const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(base, fileName), filters });
        if (!target)
            return;
        await vscode.workspace.fs.writeFile(target, bytes);
        vscode.window.setStatusBarMessage(vscode.l10n.t('Saved {0}', path.basename(target.fsPath)), 4000);
    }
}
exports.ChartPanel = ChartPanel;
function decodePng(dataUrl) {
    const prefix = 'data:image/png;base64,';
    if (!dataUrl.startsWith(prefix))
        throw new Error('the chart export is not a PNG');
    const bytes = Buffer.from(dataUrl.slice(prefix.length), 'base64');
    if (bytes.length < 8 || bytes.readUInt32BE(0) !== 0x89504e47)
        throw new Error('the chart export is not a PNG');
    return new Uint8Array(bytes);
}
/** A file name from a metric key: path separators and reserved characters replaced. */
function safeFileName(key) {
    const name = key.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 120);
    return name.length > 0 ? name : 'chart';
}
function isRefusal(value) {
    return typeof value === 'object' && value !== null && value.ok === false && typeof value.reason === 'string';
}
/** The editor tab's title: user text, so labelText (no bidi controls, no line breaks). */
function titleOf(run, entry) {
    return (0, userText_1.labelText)(entry !== undefined && entry !== run.id ? `${run.name} @ ${entry}` : run.name, 80);
}
function sameList(a, b) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
}
function sameSet(a, b) {
    return a.length === b.length && a.every((x) => b.includes(x));
}
function describe(value) {
    try {
        return JSON.stringify(value)?.slice(0, 200) ?? String(value);
    }
    catch {
        return typeof value;
    }
}
//# sourceMappingURL=chartPanel.js.map