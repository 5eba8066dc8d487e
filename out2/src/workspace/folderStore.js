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
exports.FolderStoreImpl = void 0;
exports.withIngestProgress = withIngestProgress;
exports.describe = describe;
// One workspace folder's run store: started on first use, then kept current by a file watcher on the
// log directory plus a polling fallback, with ingests coalesced so a chatty training script costs one
// ingest per burst rather than one per line.
const path = __importStar(require("node:path"));
const vscode = __importStar(require("vscode"));
const protocol_1 = require("../core/protocol");
/** Delay after a file event before ingesting, so a burst of appends becomes one ingest. */
const WATCH_DEBOUNCE_MS = 60;
class FolderStoreImpl {
    options;
    key;
    name;
    folder;
    logDir;
    changeEmitter = new vscode.EventEmitter();
    diagnosticsEmitter = new vscode.EventEmitter();
    onDidChangeRuns = this.changeEmitter.event;
    /** Full current set of this store's diagnostics. */
    onDidChangeDiagnostics = this.diagnosticsEmitter.event;
    starting;
    client;
    subscriptions = [];
    pollTimer;
    debounceTimer;
    ingesting;
    ingestAgain = false;
    disposed = false;
    /** What the first ingest after start read; tells a snapshot reload (few bytes) from a full read. */
    firstIngest;
    constructor(options) {
        this.options = options;
        this.key = options.key;
        this.name = options.name;
        this.folder = options.folder;
        this.logDir = options.logDir;
    }
    get started() {
        return this.client !== undefined;
    }
    store() {
        this.starting ??= this.start();
        return this.starting;
    }
    /** Ingests soon; bursts of calls collapse into one ingest, and one more after it if needed. */
    requestIngest() {
        if (!this.client || this.disposed || this.debounceTimer)
            return;
        this.debounceTimer = setTimeout(() => {
            this.debounceTimer = undefined;
            void this.ingestNow();
        }, WATCH_DEBOUNCE_MS);
    }
    /** Ingests now (or right after the ingest in flight) and resolves when the log directory was read. */
    async ingestNow() {
        if (!this.client || this.disposed)
            return;
        if (this.ingesting) {
            this.ingestAgain = true;
            return this.ingesting;
        }
        const client = this.client;
        this.ingesting = (async () => {
            do {
                this.ingestAgain = false;
                try {
                    await client.ingest();
                }
                catch (error) {
                    this.options.log.error(`ingest of ${this.logDir} failed: ${describe(error)}`);
                }
            } while (this.ingestAgain && !this.disposed);
        })().finally(() => {
            this.ingesting = undefined;
        });
        return this.ingesting;
    }
    /** Drops the store and reads every log again, reporting the worker's progress. */
    async rebuild(onProgress) {
        this.starting ??= this.start();
        const client = await this.starting;
        const subscription = onProgress ? client.onProgress(onProgress) : undefined;
        try {
            await this.ingesting;
            return await client.rebuild();
        }
        finally {
            subscription?.dispose();
        }
    }
    /** Restarts polling with the current interval setting. */
    restartPolling() {
        if (this.pollTimer)
            clearInterval(this.pollTimer);
        this.pollTimer = undefined;
        const interval = this.options.pollIntervalMs();
        // Polling also notices writers that died: no file event ever tells us that.
        if (interval > 0 && this.client && !this.disposed) {
            this.pollTimer = setInterval(() => this.requestIngest(), interval);
        }
    }
    async start() {
        const { log } = this.options;
        const started = Date.now();
        log.info(`starting the store for ${this.name}: logs ${this.logDir}, snapshot ${this.options.snapshotPath ?? '(memory only)'}`);
        if (this.options.snapshotPath) {
            await vscode.workspace.fs.createDirectory(vscode.Uri.file(path.dirname(this.options.snapshotPath)));
        }
        const client = await this.options.start({
            logDir: this.logDir,
            snapshotPath: this.options.snapshotPath,
            headlineMetric: this.options.headlineMetric() || undefined,
        });
        if (client.startupNote)
            log.info(`${this.name}: ${client.startupNote}`);
        if (this.disposed) {
            await client.dispose();
            throw new Error('the store was closed while it started');
        }
        this.subscriptions.push(client.onDidChange((e) => {
            log.debug(`${e.reason}: ${e.changedRuns.length} run(s) changed in ${this.name}`);
            this.changeEmitter.fire({ folder: this.key, changedRuns: e.changedRuns, reason: e.reason });
        }), client.onDidChangeDiagnostics((d) => this.diagnosticsEmitter.fire(d)), client.onLog((line) => log[line.level](`worker (${this.name}): ${line.message}`)));
        this.firstIngest = await withIngestProgress(client, vscode.l10n.t('Run Rewind: reading logs of {0}', this.name), () => client.ingest());
        log.info(`store for ${this.name} ready in ${Date.now() - started} ms (first ingest: ${this.firstIngest.rows} rows, ${this.firstIngest.bytes} bytes)`);
        // A worker that started from a snapshot only reports diagnostics when they change; the Problems
        // panel needs the ones it already knows too.
        this.diagnosticsEmitter.fire(await client.diagnostics());
        this.client = client;
        this.watch();
        this.restartPolling();
        return client;
    }
    watch() {
        const folder = this.folder;
        const relative = folder ? path.relative(folder.uri.fsPath, this.logDir) : '';
        // Inside the folder the pattern rides on the workspace's own recursive watcher; outside, the
        // directory gets a watcher of its own.
        const pattern = folder && relative && !relative.startsWith('..') && !path.isAbsolute(relative)
            ? new vscode.RelativePattern(folder, `${relative.split(path.sep).join('/')}/**/*${protocol_1.LOG_EXTENSION}`)
            : new vscode.RelativePattern(vscode.Uri.file(this.logDir), `**/*${protocol_1.LOG_EXTENSION}`);
        const watcher = vscode.workspace.createFileSystemWatcher(pattern);
        this.subscriptions.push(watcher, watcher.onDidCreate(() => this.requestIngest()), watcher.onDidChange(() => this.requestIngest()), watcher.onDidDelete(() => this.requestIngest()));
    }
    /** Saves the snapshot and stops the worker. */
    async close() {
        if (this.disposed)
            return;
        this.disposed = true;
        if (this.pollTimer)
            clearInterval(this.pollTimer);
        if (this.debounceTimer)
            clearTimeout(this.debounceTimer);
        for (const s of this.subscriptions.splice(0))
            s.dispose();
        this.changeEmitter.dispose();
        this.diagnosticsEmitter.dispose();
        const client = this.client ?? (await this.starting?.catch(() => undefined));
        this.client = undefined;
        if (!client)
            return;
        try {
            await this.ingesting;
            await client.dispose();
        }
        catch (error) {
            this.options.log.error(`closing the store of ${this.name} failed: ${describe(error)}`);
        }
    }
    dispose() {
        void this.close();
    }
}
exports.FolderStoreImpl = FolderStoreImpl;
/**
 * Runs a store task; if the worker reports progress (it does for large logs and rebuilds), shows a
 * notification with it until the task ends. Small ingests report nothing and show nothing.
 */
async function withIngestProgress(client, title, task) {
    let opened = false;
    let sink;
    let latest;
    let reported = 0;
    let finish = () => undefined;
    const done = new Promise((resolve) => (finish = resolve));
    const push = () => {
        if (!sink || !latest)
            return;
        const fraction = latest.fraction;
        // withProgress wants increments; the worker reports fractions.
        const increment = fraction === undefined ? undefined : Math.max(0, fraction * 100 - reported);
        if (fraction !== undefined)
            reported = Math.max(reported, fraction * 100);
        sink.report({ message: latest.message, increment });
    };
    const subscription = client.onProgress((p) => {
        latest = p;
        if (!opened) {
            opened = true;
            void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, (progress) => {
                sink = progress;
                push();
                return done;
            });
        }
        else {
            push();
        }
    });
    try {
        return await task();
    }
    finally {
        subscription.dispose();
        finish();
    }
}
function describe(error) {
    return error instanceof Error ? error.message : String(error);
}
//# sourceMappingURL=folderStore.js.map