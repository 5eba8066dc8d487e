"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
// The store worker: hosts the Engine off the extension host's main thread, so SQLite work, big ingests
// and snapshot writes never stall the editor. Big ingests are cut into slices so queries interleave.
const promises_1 = require("node:timers/promises");
const node_worker_threads_1 = require("node:worker_threads");
const engine_1 = require("./engine");
const errors_1 = require("./errors");
const SLICE_BYTES = 16 * 1024 * 1024;
const port = node_worker_threads_1.parentPort;
const config = node_worker_threads_1.workerData;
function post(message, transfer = []) {
    port.postMessage(message, transfer);
}
class WorkerHost {
    engine;
    ingesting;
    ingestAgain = false;
    saveTimer;
    diagnosticsSignature = '';
    constructor(engine) {
        this.engine = engine;
    }
    async handle(request) {
        const e = this.engine;
        const a = request.args;
        const method = request.method;
        switch (method) {
            case 'ingest': return this.ingest();
            case 'listRuns': return e.listRuns();
            case 'getRun': return e.getRun(a[0]);
            case 'metricKeys': return e.metricKeys(a[0]);
            case 'series': return e.series(a[0], a[1], a[2], a[3]);
            case 'downsample': return e.downsample(a[0], a[1], a[2], a[3], a[4]);
            case 'history': return e.history(a[0], a[1]);
            case 'rewind': return this.mutate('rewind', () => e.rewind(a[0], a[1]), (r) => [r.run.id]);
            case 'fork': return this.mutate('fork', () => e.fork(a[0], a[1], a[2]), (r) => [r.run.id]);
            case 'rename': return this.mutate('rename', () => e.rename(a[0], a[1]), () => [a[0]]);
            case 'deleteRun': return this.mutate('delete', () => e.deleteRun(a[0]), () => [a[0]]);
            case 'diagnostics': return e.diagnostics();
            case 'rebuild': {
                post({ kind: 'progress', progress: { message: 'Rebuilding the store from the logs' } });
                const result = await e.rebuild();
                const all = e.listRuns().map((r) => r.id);
                this.changed({ changedRuns: all, reason: 'rebuild' }, result);
                return stripMore(result);
            }
            case 'save':
                this.saveNow();
                return undefined;
        }
    }
    /** One ingest at a time; calls made meanwhile are folded into one more pass after it. */
    ingest() {
        if (this.ingesting) {
            this.ingestAgain = true;
            return this.ingesting;
        }
        const run = async () => {
            const total = { changedRuns: new Set(), rows: 0, points: 0, bytes: 0, diagnostics: [] };
            let result;
            // Measured only once an ingest turns out to need more than one slice: small ones cost nothing.
            let expected;
            do {
                this.ingestAgain = false;
                do {
                    result = this.engine.ingest(SLICE_BYTES);
                    for (const id of result.changedRuns)
                        total.changedRuns.add(id);
                    total.rows += result.rows;
                    total.points += result.points;
                    total.bytes += result.bytes;
                    total.diagnostics.push(...result.diagnostics);
                    if (result.more) {
                        expected ??= total.bytes + this.engine.pendingBytes();
                        const message = `Reading logs: ${(total.bytes / 1048576).toFixed(0)} of ${(expected / 1048576).toFixed(0)} MiB, ${total.points.toLocaleString('en-US')} points`;
                        post({ kind: 'progress', progress: { message, fraction: Math.min(1, total.bytes / expected) } });
                        await (0, promises_1.setImmediate)();
                    }
                } while (result.more);
            } while (this.ingestAgain);
            const merged = { ...total, changedRuns: [...total.changedRuns] };
            this.changed({ changedRuns: merged.changedRuns, reason: 'ingest' }, merged);
            return merged;
        };
        this.ingesting = run().finally(() => {
            this.ingesting = undefined;
        });
        return this.ingesting;
    }
    mutate(reason, work, runs) {
        const result = work();
        this.changed({ changedRuns: runs(result), reason }, undefined);
        return result;
    }
    changed(change, result) {
        if (change.changedRuns.length > 0)
            post({ kind: 'changed', change });
        if (!result || result.diagnostics.length > 0 || change.reason !== 'ingest' || this.diagnosticsSignature !== '')
            this.sendDiagnostics();
        this.scheduleSave();
    }
    /** A store loaded from a snapshot already knows problems found before: tell the client at once. */
    sendKnownDiagnostics() {
        if (this.engine.diagnostics().length > 0)
            this.sendDiagnostics();
    }
    sendDiagnostics() {
        const diagnostics = this.engine.diagnostics();
        const signature = `${diagnostics.length}:${diagnostics.map((d) => `${d.file}:${d.line}`).join('|').length}`;
        if (signature === this.diagnosticsSignature)
            return;
        this.diagnosticsSignature = diagnostics.length === 0 ? '' : signature;
        post({ kind: 'diagnostics', diagnostics });
    }
    scheduleSave() {
        if (!this.engine.needsSave || this.saveTimer)
            return;
        this.saveTimer = setTimeout(() => this.saveNow(), config.saveDelayMs ?? 2000);
    }
    saveNow() {
        if (this.saveTimer)
            clearTimeout(this.saveTimer);
        this.saveTimer = undefined;
        if (!this.engine.needsSave)
            return;
        try {
            const saved = this.engine.save();
            if (saved)
                post({ kind: 'log', level: 'info', message: `Saved the store snapshot (${(saved.bytes / 1048576).toFixed(1)} MiB)` });
        }
        catch (error) {
            post({ kind: 'log', level: 'error', message: `Could not save the store snapshot: ${error.message}` });
        }
    }
}
function transferables(value) {
    const series = value;
    if (!series || !(series.steps instanceof Float64Array) || !(series.values instanceof Float64Array))
        return [];
    const buffers = [series.steps.buffer, series.values.buffer];
    if (series.times instanceof Float64Array)
        buffers.push(series.times.buffer);
    return [...new Set(buffers)];
}
function stripMore(result) {
    const { more: _more, ...rest } = result;
    return rest;
}
async function main() {
    let host;
    try {
        const engine = await engine_1.Engine.open(config);
        host = new WorkerHost(engine);
        post({ kind: 'ready', note: engine.startupNote });
        host.sendKnownDiagnostics();
    }
    catch (error) {
        post({ kind: 'failed', error: (0, errors_1.serializeError)(error) });
        return;
    }
    port.on('message', (request) => {
        if ('kind' in request) {
            host.saveNow();
            port.close();
            return;
        }
        Promise.resolve()
            .then(() => host.handle(request))
            .then((result) => post({ kind: 'reply', id: request.id, ok: true, result }, transferables(result)), (error) => post({ kind: 'reply', id: request.id, ok: false, error: (0, errors_1.serializeError)(error) }));
    });
}
void main();
//# sourceMappingURL=worker.js.map