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
exports.HistoryDocuments = void 0;
// Run history documents: a read-only text document per version, kept current while its run trains,
// whose cursor line is the selected step — the keyboard and screen-reader way to pick a step.
const vscode = __importStar(require("vscode"));
const config_1 = require("../config");
const ids_1 = require("../ids");
const folderStore_1 = require("../workspace/folderStore");
const historyTable_1 = require("./historyTable");
const historyUri_1 = require("./historyUri");
/** Open documents of a growing run are re-rendered at most this often. */
const REFRESH_MS = 1000;
class HistoryDocuments {
    services;
    model;
    log;
    emitter = new vscode.EventEmitter();
    onDidChange = this.emitter.event;
    disposables = [];
    pending = new Set();
    timer;
    constructor(services, model, log) {
        this.services = services;
        this.model = model;
        this.log = log;
        this.disposables.push(this.emitter, vscode.workspace.registerTextDocumentContentProvider(ids_1.HISTORY_SCHEME, this), services.stores.onDidChangeRuns((e) => this.onRunsChanged(e.folder, e.changedRuns)), vscode.window.onDidChangeTextEditorSelection((e) => this.onSelection(e.textEditor, e.selections)));
    }
    async open(address, options = {}) {
        const run = this.model.run(address.folder, address.runId);
        const title = run ? { runName: run.name, archived: run.liveVersion !== address.versionId } : undefined;
        const document = await vscode.workspace.openTextDocument((0, historyUri_1.historyUri)(address, title));
        return vscode.window.showTextDocument(document, { preview: options.preview ?? true });
    }
    async provideTextDocumentContent(uri, token) {
        const address = (0, historyUri_1.parseHistoryUri)(uri);
        if (!address)
            return vscode.l10n.t('This is not a Run Rewind history address: {0}', uri.toString());
        const folder = this.services.stores.get(address.folder);
        if (!folder)
            return vscode.l10n.t('The workspace folder of this history is no longer open.');
        try {
            const store = await folder.store();
            const overview = await store.getRun(address.versionId);
            const run = this.model.run(address.folder, address.runId) ?? overview;
            const max = (0, config_1.historyMaxRows)();
            const total = (await store.history(address.versionId, { limit: 1 })).total;
            if (token.isCancellationRequested)
                return '';
            // The most recent rows: that is where a user looking for a step to rewind to usually is.
            const offset = Math.max(0, total - max);
            const table = await store.history(address.versionId, { offset, limit: max });
            return (0, historyTable_1.renderHistory)(run, overview.version, table, overview.lineage[0]);
        }
        catch (error) {
            this.log.warn(`history of ${address.runId}@${address.versionId}: ${(0, folderStore_1.describe)(error)}`);
            return `# ${(0, folderStore_1.describe)(error)}\n`;
        }
    }
    onRunsChanged(folder, runs) {
        const changed = new Set(runs);
        for (const doc of vscode.workspace.textDocuments) {
            const address = (0, historyUri_1.parseHistoryUri)(doc.uri);
            if (address && address.folder === folder && changed.has(address.runId))
                this.pending.add(doc.uri.toString());
        }
        if (this.pending.size > 0 && !this.timer) {
            this.timer = setTimeout(() => {
                this.timer = undefined;
                for (const uri of this.pending)
                    this.emitter.fire(vscode.Uri.parse(uri));
                this.pending.clear();
            }, REFRESH_MS);
        }
    }
    onSelection(editor, selections) {
        const address = (0, historyUri_1.parseHistoryUri)(editor.document.uri);
        const active = selections[0]?.active;
        if (!address || !active)
            return;
        const step = (0, historyTable_1.stepAtLine)(editor.document.lineAt(active.line).text, active.line);
        if (step === undefined)
            return;
        this.services.selection.set({ folder: address.folder, runId: address.runId, versionId: address.versionId, step, source: 'history' });
    }
    dispose() {
        if (this.timer)
            clearTimeout(this.timer);
        for (const d of this.disposables)
            d.dispose();
    }
}
exports.HistoryDocuments = HistoryDocuments;
//# sourceMappingURL=historyDocuments.js.map