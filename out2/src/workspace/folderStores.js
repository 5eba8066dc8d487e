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
exports.FolderStoresImpl = exports.WINDOW_STORE_KEY = void 0;
// One run store per workspace folder (multi-root works), kept in step with the folders and the log
// directory setting, plus the Problems panel entries for malformed log lines.
const node_crypto_1 = require("node:crypto");
const path = __importStar(require("node:path"));
const vscode = __importStar(require("vscode"));
const config_1 = require("../config");
const ids_1 = require("../ids");
const folderStore_1 = require("./folderStore");
/** Key of the store used when no folder is open. */
exports.WINDOW_STORE_KEY = 'window';
class FolderStoresImpl {
    storageDir;
    start;
    stores = [];
    runsEmitter = new vscode.EventEmitter();
    foldersEmitter = new vscode.EventEmitter();
    onDidChangeRuns = this.runsEmitter.event;
    onDidChangeFolders = this.foldersEmitter.event;
    problems = vscode.languages.createDiagnosticCollection('runRewind');
    problemFiles = new Map();
    perStore = new Map();
    disposables = [];
    log;
    /**
     * @param storageDir where snapshots live: the workspace's storage, or the global one with no workspace.
     */
    constructor(storageDir, logger, start) {
        this.storageDir = storageDir;
        this.start = start;
        this.log = logger.for('store');
        this.sync();
        this.disposables.push(this.problems, this.runsEmitter, this.foldersEmitter, vscode.workspace.onDidChangeWorkspaceFolders(() => this.sync()), vscode.workspace.onDidChangeConfiguration((e) => {
            if ((0, config_1.affects)(e, ids_1.Setting.LogDirectory))
                this.sync();
            if ((0, config_1.affects)(e, ids_1.Setting.PollInterval))
                for (const s of this.stores)
                    s.restartPolling();
            // The store computes headlines as it ingests; a new metric means starting it again (cheap:
            // the snapshot is saved on close and reloaded).
            if ((0, config_1.affects)(e, ids_1.Setting.HeadlineMetric))
                void this.reopen();
        }));
    }
    get all() {
        return this.stores;
    }
    get(key) {
        return this.stores.find((s) => s.key === key);
    }
    forUri(uri) {
        const folder = uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
        return (folder && this.get(folder.uri.toString())) ?? this.stores[0];
    }
    /** Closes every store (saving snapshots) and opens them again: what a window reload does. */
    async reopen() {
        const old = this.stores;
        this.stores = [];
        await Promise.all(old.map((s) => this.close(s)));
        this.sync();
    }
    /** Saves every snapshot and stops every worker. */
    async shutdown() {
        const old = this.stores;
        this.stores = [];
        await Promise.all(old.map((s) => this.close(s)));
    }
    sync() {
        const folders = vscode.workspace.workspaceFolders ?? [];
        const wanted = folders.length > 0
            ? folders.map((f) => ({ key: f.uri.toString(), name: f.name, folder: f, logDir: (0, config_1.logDirectoryFor)(f) }))
            : [{ key: exports.WINDOW_STORE_KEY, name: vscode.l10n.t('Window'), folder: undefined, logDir: (0, config_1.logDirectoryFor)(undefined) }];
        const next = [];
        let changed = wanted.length !== this.stores.length;
        for (const w of wanted) {
            const existing = this.stores.find((s) => s.key === w.key && s.logDir === w.logDir);
            if (existing) {
                next.push(existing);
                continue;
            }
            changed = true;
            const store = new folderStore_1.FolderStoreImpl({
                ...w,
                snapshotPath: this.snapshotPath(w.key, w.logDir),
                start: this.start,
                log: this.log,
                pollIntervalMs: config_1.pollIntervalMs,
                headlineMetric: config_1.headlineMetric,
            });
            this.perStore.set(store, [
                store.onDidChangeRuns((e) => this.runsEmitter.fire(e)),
                store.onDidChangeDiagnostics((d) => this.showProblems(store, d)),
            ]);
            next.push(store);
        }
        const removed = this.stores.filter((s) => !next.includes(s));
        this.stores = next;
        for (const s of removed)
            void this.close(s);
        if (changed || removed.length > 0) {
            this.log.info(`stores: ${next.map((s) => `${s.name} → ${s.logDir}`).join(', ')}`);
            this.foldersEmitter.fire();
        }
    }
    snapshotPath(key, logDir) {
        if (!this.storageDir || this.storageDir.scheme !== 'file')
            return undefined;
        // Keyed by folder and log directory, so changing the setting never mixes two directories' runs.
        const hash = (0, node_crypto_1.createHash)('sha256').update(`${key}\n${logDir}`).digest('hex').slice(0, 16);
        return path.join(this.storageDir.fsPath, `store-${hash}.sqlite`);
    }
    async close(store) {
        for (const d of this.perStore.get(store) ?? [])
            d.dispose();
        this.perStore.delete(store);
        this.showProblems(store, []);
        this.problemFiles.delete(store);
        await store.close();
    }
    showProblems(store, diagnostics) {
        for (const uri of this.problemFiles.get(store) ?? [])
            this.problems.delete(uri);
        const byFile = new Map();
        for (const d of diagnostics) {
            const line = Math.max(0, d.line - 1);
            const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), d.message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
            diagnostic.source = 'Run Rewind';
            const list = byFile.get(d.file) ?? [];
            list.push(diagnostic);
            byFile.set(d.file, list);
        }
        const uris = [];
        for (const [file, list] of byFile) {
            const uri = vscode.Uri.file(file);
            uris.push(uri);
            this.problems.set(uri, list);
        }
        this.problemFiles.set(store, uris);
    }
    dispose() {
        void this.shutdown();
        for (const list of this.perStore.values())
            for (const d of list)
                d.dispose();
        for (const d of this.disposables)
            d.dispose();
    }
}
exports.FolderStoresImpl = FolderStoresImpl;
//# sourceMappingURL=folderStores.js.map