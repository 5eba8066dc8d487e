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
exports.StoreClient = void 0;
// StoreClient: the store as the extension sees it. Every call is answered by the Engine in a worker
// thread; the caller's thread only posts messages and receives (transferred) results.
const path = __importStar(require("node:path"));
const node_worker_threads_1 = require("node:worker_threads");
const errors_1 = require("./errors");
class Emitter {
    listeners = new Set();
    on(listener) {
        this.listeners.add(listener);
        return { dispose: () => this.listeners.delete(listener) };
    }
    fire(value) {
        for (const listener of [...this.listeners])
            listener(value);
    }
}
class StoreClient {
    worker;
    logDir;
    pending = new Map();
    nextId = 1;
    stopped;
    changes = new Emitter();
    diagnosticChanges = new Emitter();
    progress = new Emitter();
    logs = new Emitter();
    /** Why the snapshot was not used at start, if it was not. */
    startupNote;
    constructor(worker, logDir) {
        this.worker = worker;
        this.logDir = logDir;
    }
    static start(options) {
        const script = options.workerScript ?? path.join(__dirname, 'worker.js');
        const config = {
            logDir: options.logDir,
            snapshotPath: options.snapshotPath,
            wasmPath: options.wasmPath ?? path.join(path.dirname(script), 'sql-wasm.wasm'),
            headlineMetric: options.headlineMetric,
            saveDelayMs: options.saveDelayMs,
        };
        const worker = new node_worker_threads_1.Worker(script, { workerData: config });
        const client = new StoreClient(worker, options.logDir);
        return new Promise((resolve, reject) => {
            const onError = (error) => reject(new errors_1.RunRewindError('internal', `The store worker could not start: ${error.message}`));
            worker.once('error', onError);
            worker.on('message', (message) => {
                if (message.kind === 'ready') {
                    worker.off('error', onError);
                    client.startupNote = message.note;
                    worker.on('error', (error) => client.stop(error));
                    worker.on('exit', (code) => client.stop(new Error(`the store worker exited (code ${code})`)));
                    resolve(client);
                }
                else if (message.kind === 'failed') {
                    reject((0, errors_1.deserializeError)(message.error));
                    void worker.terminate();
                }
                else {
                    client.receive(message);
                }
            });
        });
    }
    onDidChange(listener) {
        return this.changes.on(listener);
    }
    /** The full current set of diagnostics, whenever it changes. */
    onDidChangeDiagnostics(listener) {
        return this.diagnosticChanges.on(listener);
    }
    onProgress(listener) {
        return this.progress.on(listener);
    }
    onLog(listener) {
        return this.logs.on(listener);
    }
    receive(message) {
        switch (message.kind) {
            case 'reply': {
                const call = this.pending.get(message.id);
                if (!call)
                    return;
                this.pending.delete(message.id);
                if (message.ok)
                    call.resolve(message.result);
                else
                    call.reject((0, errors_1.deserializeError)(message.error));
                return;
            }
            case 'changed': return this.changes.fire(message.change);
            case 'diagnostics': return this.diagnosticChanges.fire(message.diagnostics);
            case 'progress': return this.progress.fire(message.progress);
            case 'log': return this.logs.fire({ level: message.level, message: message.message });
            default:
        }
    }
    stop(reason) {
        if (this.stopped)
            return;
        this.stopped = reason;
        for (const call of this.pending.values())
            call.reject(new errors_1.RunRewindError('internal', `The store stopped: ${reason.message}`));
        this.pending.clear();
    }
    call(method, ...args) {
        if (this.stopped)
            return Promise.reject(new errors_1.RunRewindError('internal', `The store stopped: ${this.stopped.message}`));
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            this.pending.set(id, { resolve: resolve, reject });
            this.worker.postMessage({ id, method, args });
        });
    }
    ingest() { return this.call('ingest'); }
    listRuns() { return this.call('listRuns'); }
    getRun(runOrVersion) { return this.call('getRun', runOrVersion); }
    metricKeys(version) { return this.call('metricKeys', version); }
    series(version, key, range, withTimes) { return this.call('series', version, key, range, withTimes); }
    downsample(version, key, buckets, range, withTimes) { return this.call('downsample', version, key, buckets, range, withTimes); }
    history(version, query) { return this.call('history', version, query); }
    rewind(run, step) { return this.call('rewind', run, step); }
    fork(source, step, options) { return this.call('fork', source, step, options); }
    rename(run, name) { return this.call('rename', run, name); }
    deleteRun(run) { return this.call('deleteRun', run); }
    diagnostics() { return this.call('diagnostics'); }
    rebuild() { return this.call('rebuild'); }
    save() { return this.call('save'); }
    /** Saves the snapshot and stops the worker. */
    async dispose() {
        if (this.stopped)
            return;
        try {
            await this.save();
        }
        finally {
            this.stop(new Error('disposed'));
            await this.worker.terminate();
        }
    }
}
exports.StoreClient = StoreClient;
//# sourceMappingURL=client.js.map