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
// StoreClient: the engine behind a worker thread, as the extension uses it.
const assert = __importStar(require("node:assert/strict"));
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const client_1 = require("../../src/core/client");
const errors_1 = require("../../src/core/errors");
const sqlite_1 = require("../../src/core/sqlite");
const helpers_1 = require("./helpers");
const workerScript = path.join(__dirname, '..', '..', 'src', 'core', 'worker.js');
function start(logDir, snapshotPath) {
    return client_1.StoreClient.start({ logDir, snapshotPath, workerScript, wasmPath: (0, sqlite_1.defaultWasmPath)(), saveDelayMs: 50 });
}
describe('StoreClient (worker thread)', () => {
    it('answers queries, moves series as typed arrays and reports changes', async () => {
        const dir = (0, helpers_1.tempDir)();
        const w = (0, helpers_1.writer)(dir);
        for (let i = 0; i < 3000; i++)
            w.log({ loss: i === 7 ? Number.NaN : 1 / (i + 1) });
        const client = await start(dir);
        const changes = [];
        client.onDidChange((change) => changes.push(change));
        const result = await client.ingest();
        assert.equal(result.rows, 3000);
        assert.deepEqual(changes, [{ changedRuns: [w.run], reason: 'ingest' }]);
        const series = await client.series(w.run, 'loss');
        assert.ok(series.values instanceof Float64Array);
        assert.equal(series.values.length, 3000);
        assert.ok(Number.isNaN(series.values[7]));
        const ds = await client.downsample(w.run, 'loss', 100);
        assert.ok(ds.steps.length <= 400);
        w.log({ loss: 0 });
        w.finish();
        const again = await client.ingest();
        assert.equal(again.rows, 1);
        assert.equal((await client.listRuns())[0].state, 'finished');
        await client.dispose();
    });
    it('rejects with the engine\'s error code and message', async () => {
        const dir = (0, helpers_1.tempDir)();
        const w = (0, helpers_1.linearRun)(dir, 5);
        const client = await start(dir);
        await client.ingest();
        await assert.rejects(client.rewind(w.run, 9), (error) => error instanceof errors_1.RunRewindError && error.code === 'step-out-of-range' && /last step is 4/.test(error.message));
        const fork = await client.fork(w.run, 2);
        const changes = [];
        client.onDidChange((c) => changes.push(c));
        await client.rename(fork.run.id, 'renamed');
        assert.deepEqual(changes, [{ changedRuns: [fork.run.id], reason: 'rename' }]);
        await client.dispose();
        await assert.rejects(client.listRuns(), /store stopped/);
    });
    it('sends the full set of diagnostics when it changes', async () => {
        const dir = (0, helpers_1.tempDir)();
        const w = (0, helpers_1.writer)(dir);
        w.writeRaw('garbage\n');
        w.finish();
        const client = await start(dir);
        const seen = new Promise((resolve) => client.onDidChangeDiagnostics(resolve));
        await client.ingest();
        assert.deepEqual((await seen).map((d) => d.line), [2]);
        await client.dispose();
    });
    it('persists its snapshot on dispose and reloads it on the next start', async () => {
        const dir = (0, helpers_1.tempDir)();
        const snapshot = path.join((0, helpers_1.tempDir)(), 'nested', 'store.rrsnap');
        const w = (0, helpers_1.linearRun)(dir, 2000);
        const first = await start(dir, snapshot);
        await first.ingest();
        await first.rewind(w.run, 100);
        await first.dispose();
        assert.ok(fs.statSync(snapshot).size > 0);
        const second = await start(dir, snapshot);
        assert.equal(second.startupNote, undefined);
        assert.equal((await second.ingest()).rows, 0);
        assert.equal((await second.getRun(w.run)).lastStep, 100);
        await second.dispose();
    });
});
describe('StoreClient restarted from a snapshot', () => {
    it('sends the diagnostics the snapshot already holds right after it starts', async () => {
        const dir = (0, helpers_1.tempDir)();
        const snapshot = path.join((0, helpers_1.tempDir)(), 'store.rrsnap');
        const w = (0, helpers_1.writer)(dir);
        w.writeRaw('garbage\n');
        w.finish();
        const first = await start(dir, snapshot);
        await first.ingest();
        await first.dispose();
        const second = await start(dir, snapshot);
        const diagnostics = await new Promise((resolve) => second.onDidChangeDiagnostics(resolve));
        assert.deepEqual(diagnostics.map((d) => d.line), [2]);
        await second.dispose();
    });
});
describe('StoreClient progress', () => {
    it('reports the fraction read while it ingests a log bigger than one slice', async () => {
        const dir = (0, helpers_1.tempDir)();
        const w = (0, helpers_1.writer)(dir, { buffered: true });
        for (let i = 0; i < 400_000; i++)
            w.log({ loss: 1 / (i + 1), acc: i / 400_000, note: 'padding-padding-padding' });
        w.finish();
        const client = await start(dir);
        const seen = [];
        client.onProgress((p) => seen.push(p));
        const result = await client.ingest();
        assert.equal(result.rows, 400_000);
        assert.ok(seen.length >= 2, `${seen.length} progress reports`);
        const fractions = seen.map((p) => p.fraction ?? -1);
        assert.ok(fractions.every((f, i) => f > 0 && f <= 1 && (i === 0 || f >= fractions[i - 1])), fractions.join(', '));
        assert.match(seen[0].message, /Reading logs: \d+ of \d+ MiB/);
        await client.dispose();
    });
});
//# sourceMappingURL=client.test.js.map