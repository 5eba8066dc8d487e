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
exports.Engine = void 0;
// The engine: one log directory's store, its ingest, lineage operations and snapshot, all synchronous.
// The command line and unit tests use it directly; the extension runs it in a worker (worker.ts).
const fs = __importStar(require("node:fs"));
const os = __importStar(require("node:os"));
const path = __importStar(require("node:path"));
const errors_1 = require("./errors");
const ingest_1 = require("./ingest");
const lineage_1 = require("./lineage");
const lock_1 = require("./lock");
const process_1 = require("./process");
const protocol_1 = require("./protocol");
const runSpec_1 = require("./runSpec");
const schema_1 = require("./schema");
const sqlite_1 = require("./sqlite");
const snapshot_1 = require("./snapshot");
const store_1 = require("./store");
class Engine {
    db;
    options;
    store;
    ingester;
    liveness;
    dirty = false;
    lastStates = new Map();
    /** Why the snapshot was not used at start, if it was not. */
    startupNote;
    constructor(db, options) {
        this.db = db;
        this.options = options;
        this.liveness = {
            now: options.liveness?.now ?? (() => Date.now() / 1000),
            host: options.liveness?.host ?? os.hostname(),
            pidAlive: options.liveness?.pidAlive ?? process_1.pidAlive,
            processStart: options.liveness?.processStart ?? process_1.processStartTime,
        };
        this.store = new store_1.RunStore(db, this.liveness);
        this.ingester = new ingest_1.LogIngester(db, this.store, options.logDir);
    }
    get logDir() {
        return this.options.logDir;
    }
    /** Opens the store: from its snapshot when it is sound, else empty (the next ingest rebuilds it). */
    static async open(options) {
        let note;
        if (options.snapshotPath) {
            const snapshot = (0, snapshot_1.readSnapshot)(options.snapshotPath, schema_1.SCHEMA_VERSION);
            if (snapshot.kind === 'ok') {
                try {
                    const db = await sqlite_1.Db.open(options.wasmPath, snapshot.bytes);
                    if ((0, schema_1.migrate)(db)) {
                        db.get('SELECT COUNT(*) FROM runs');
                        return new Engine(db, options);
                    }
                    db.close();
                    note = 'the snapshot was written by a newer Run Rewind';
                }
                catch (error) {
                    note = `the snapshot could not be opened (${error.message})`;
                }
            }
            else if (snapshot.kind === 'unusable') {
                note = `the snapshot was not used: ${snapshot.reason}`;
            }
        }
        const db = await sqlite_1.Db.open(options.wasmPath);
        (0, schema_1.migrate)(db);
        const engine = new Engine(db, options);
        if (note)
            engine.startupNote = `${note}; the store is rebuilt from the logs`;
        if (note)
            engine.dirty = true;
        return engine;
    }
    /** Reads new log lines. `maxBytes` bounds the work of one call (the worker slices big ingests). */
    ingest(maxBytes) {
        try {
            return this.ingestPass(maxBytes);
        }
        catch (error) {
            if (!(error instanceof ingest_1.LateFileError))
                throw error;
            // A file arrived after files that sort after it: read everything again in order, as a rebuild
            // would, rather than apply it out of order (see LogIngester.claim).
            this.lateRebuilds++;
            this.db.transaction(() => (0, schema_1.clearData)(this.db));
            this.store.reload();
            this.ingester.reload();
            this.lastStates.clear();
            this.dirty = true;
            const result = this.ingestPass(maxBytes);
            return { ...result, changedRuns: [...new Set([...result.changedRuns, ...this.store.runs.keys()])] };
        }
    }
    /** How many times a late file made the store read every log again (tests and the output log). */
    lateRebuilds = 0;
    ingestPass(maxBytes) {
        try {
            const result = this.db.transaction(() => {
                const pass = this.ingester.run(maxBytes);
                this.store.flush();
                return pass;
            });
            for (const id of this.stateChanges())
                result.changedRuns.add(id);
            if (result.rows > 0 || result.changedRuns.size > 0 || result.diagnostics.length > 0)
                this.dirty = true;
            return { changedRuns: [...result.changedRuns], rows: result.rows, points: result.points, bytes: result.bytes, diagnostics: result.diagnostics, more: result.more };
        }
        catch (error) {
            // The transaction rolled back; caches may hold what it undid, so read them again.
            this.store.reload();
            this.ingester.reload();
            throw error;
        }
    }
    /** Bytes of log not read yet. */
    pendingBytes() {
        return this.ingester.pendingBytes();
    }
    /** Runs whose state changed since the last call (for instance a writer that died). */
    stateChanges() {
        const changed = [];
        const states = new Map();
        for (const run of this.store.runs.values()) {
            const live = this.store.versions.get(run.liveVersion);
            if (!live)
                continue;
            const state = this.store.stateOf(live);
            states.set(run.id, state);
            const before = this.lastStates.get(run.id);
            if (before !== undefined && before !== state)
                changed.push(run.id);
            if (live.finished)
                this.store.release(live.id);
        }
        this.lastStates = states;
        return changed;
    }
    listRuns() {
        return [...this.store.runs.values()]
            .filter((run) => !run.deleted)
            .sort((a, b) => a.seq - b.seq)
            .map((run) => this.store.runInfo(run, this.options.headlineMetric));
    }
    getRun(runOrVersion) {
        const { run, version } = (0, lineage_1.resolveSource)(this.store, runOrVersion);
        return this.store.overview(run, version, this.options.headlineMetric);
    }
    metricKeys(version) {
        return this.store.metricKeys(this.versionId(version));
    }
    series(version, key, range, withTimes = false) {
        return this.store.series(this.versionId(version), key, range, withTimes);
    }
    downsample(version, key, buckets, range, withTimes = false) {
        if (!Number.isInteger(buckets) || buckets < 1 || buckets > 100_000)
            throw new errors_1.RunRewindError('bad-argument', `buckets must be an integer from 1 to 100000, got ${buckets}`);
        return this.store.downsample(this.versionId(version), key, buckets, range, withTimes);
    }
    history(version, query) {
        return this.store.history(this.versionId(version), query);
    }
    /** A version id, or the live version of a run id. */
    versionId(target) {
        if (this.store.versions.has(target))
            return target;
        const run = this.store.runs.get(target);
        if (run)
            return run.liveVersion;
        throw new errors_1.RunRewindError('unknown-version', `There is no run or version ${JSON.stringify(target)}.`);
    }
    rewind(runId, step) {
        return this.locked(runId, `rewinding it to step ${step}`, () => {
            this.ingest();
            const record = (0, lineage_1.planRewind)(this.store, runId, step, Date.now() / 1000);
            this.applyOp(record);
            const run = this.store.runs.get(runId);
            return { run: this.store.runInfo(run, this.options.headlineMetric), version: record.version, archived: record.source };
        });
    }
    fork(source, step, options = {}) {
        this.ingest();
        // The lock is the new run's: two forks asking for the same id cannot both make it.
        const id = options.id ?? (0, lineage_1.planFork)(this.store, source, step, options, Date.now() / 1000).run;
        return this.locked(id, `forking it from ${source} at step ${step}`, () => {
            this.ingest();
            const record = (0, lineage_1.planFork)(this.store, source, step, { ...options, id }, Date.now() / 1000);
            this.applyOp(record);
            const run = this.store.runs.get(record.run);
            return { run: this.store.runInfo(run, this.options.headlineMetric), version: record.version };
        });
    }
    rename(runId, name) {
        this.locked(runId, 'renaming it', () => {
            this.ingest();
            const run = this.store.runs.get(runId);
            if (!run || run.deleted)
                throw new errors_1.RunRewindError('unknown-run', `Cannot rename run ${runId}: there is no such run.`);
            const trimmed = (0, runSpec_1.validRunName)(name);
            this.applyOp({ type: 'rename', time: Date.now() / 1000, run: runId, name: trimmed });
        });
    }
    deleteRun(runId) {
        this.locked(runId, 'deleting it', () => {
            this.ingest();
            const run = this.store.runs.get(runId);
            if (!run || run.deleted)
                throw new errors_1.RunRewindError('unknown-run', `Cannot delete run ${runId}: there is no such run.`);
            this.applyOp({ type: 'delete', time: Date.now() / 1000, run: runId });
        });
    }
    /** The per-run critical section of docs/PROTOCOL.md: read, check and write while no one else can. */
    locked(runId, what, work) {
        (0, runSpec_1.validateRunId)(runId);
        return (0, lock_1.withRunLock)(this.options.logDir, runId, what, work, { host: this.liveness.host, pidAlive: this.liveness.pidAlive });
    }
    /**
     * Writes an op record as its own file (whole, then renamed into place) and reads it in. Its stamp
     * sorts after every file read so far, so every reader applies it after what it was checked against,
     * whatever the clocks of the hosts that wrote those files say.
     */
    applyOp(record) {
        const dir = path.join(this.options.logDir, protocol_1.OPS_DIR);
        const stamp = (0, protocol_1.makeStamp)(Math.max(Date.now(), this.ingester.maxStampMs() + 1));
        const file = path.join(dir, `${stamp}${protocol_1.LOG_EXTENSION}`);
        const temp = `${file}.tmp`;
        try {
            fs.mkdirSync(dir, { recursive: true });
            fs.writeFileSync(temp, `${(0, protocol_1.encodeRecord)(record)}\n`, { flush: true });
            fs.renameSync(temp, file);
        }
        catch (error) {
            fs.rmSync(temp, { force: true });
            throw new errors_1.RunRewindError('io', `Cannot write to the log directory ${this.options.logDir}: ${error.message}`);
        }
        const result = this.ingest();
        const problem = result.diagnostics.find((d) => d.file === file && d.severity === 'error');
        if (problem)
            throw new errors_1.RunRewindError('internal', `The ${record.type} was written but not applied: ${problem.message}`);
    }
    diagnostics() {
        const stored = this.db.all('SELECT file, line, severity, message FROM diagnostics ORDER BY file, line').map((r) => ({
            file: r[0], line: r[1], severity: r[2], message: r[3],
        }));
        return [...stored, ...this.ingester.waitingDiagnostics()];
    }
    /** Drops everything and reads every log again. */
    async rebuild() {
        const db = await sqlite_1.Db.open(this.options.wasmPath);
        (0, schema_1.migrate)(db);
        this.db.close();
        this.db = db;
        this.store = new store_1.RunStore(db, this.liveness);
        this.ingester = new ingest_1.LogIngester(db, this.store, this.options.logDir);
        this.lastStates.clear();
        this.startupNote = undefined;
        const result = this.ingest();
        this.dirty = true;
        return result;
    }
    get needsSave() {
        return this.dirty && this.options.snapshotPath !== undefined;
    }
    /** Exports the database (blocks this thread) and writes the snapshot atomically. */
    save() {
        if (!this.options.snapshotPath)
            return undefined;
        const bytes = this.db.export();
        (0, snapshot_1.writeSnapshot)(this.options.snapshotPath, schema_1.SCHEMA_VERSION, bytes);
        this.dirty = false;
        return { bytes: bytes.byteLength };
    }
    close() {
        this.db.close();
    }
}
exports.Engine = Engine;
//# sourceMappingURL=engine.js.map