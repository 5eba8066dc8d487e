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
// Ingest: incremental reading, torn lines, diagnostics with file and line, values of every kind.
const assert = __importStar(require("node:assert/strict"));
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const protocol_1 = require("../../src/core/protocol");
const helpers_1 = require("./helpers");
describe('ingest', () => {
    it('reads only what was appended, and a torn last line once it is finished', async () => {
        const dir = (0, helpers_1.tempDir)();
        const w = (0, helpers_1.writer)(dir);
        w.log({ a: 1 });
        const engine = await (0, helpers_1.openEngine)(dir);
        assert.equal(engine.ingest().rows, 1);
        assert.equal(engine.ingest().rows, 0);
        w.writeRaw('{"type":"row","time":1,"step":1,"data":{"a":');
        assert.equal(engine.ingest().rows, 0, 'a torn line is not read');
        assert.deepEqual(engine.diagnostics(), [], 'nor reported');
        w.writeRaw('2}}\n');
        assert.equal(engine.ingest().rows, 1);
        w.log({ a: 3 }, 2);
        w.finish();
        assert.equal(engine.ingest().rows, 1);
        assert.deepEqual([...engine.series(w.run, 'a').values], [1, 2, 3]);
    });
    it('reports malformed lines and broken step rules at their file and line, keeping the lines around them', async () => {
        const dir = (0, helpers_1.tempDir)();
        const w = (0, helpers_1.writer)(dir);
        w.log({ a: 0 });
        w.writeRaw('not json\n');
        w.writeRaw('[1,2]\n');
        w.writeRaw('{"type":"row","time":1,"step":0,"data":{"a":9}}\n');
        w.writeRaw('{"type":"row","time":1,"step":-3,"data":{"a":9}}\n');
        w.writeRaw('{"type":"row","time":1,"step":1.5,"data":{"a":9}}\n');
        w.writeRaw('{"type":"row","time":1,"step":7,"data":[1]}\n');
        w.writeRaw('{"type":"telemetry","time":1}\n');
        w.log({ a: 1 }, 1);
        w.finish();
        const engine = await (0, helpers_1.openEngine)(dir);
        engine.ingest();
        const diagnostics = engine.diagnostics().map((d) => [path.basename(d.file), d.line, d.severity, d.message]);
        const file = path.basename(w.file);
        assert.deepEqual(diagnostics.map((d) => d.slice(0, 3)), [
            [file, 3, 'error'], [file, 4, 'error'], [file, 5, 'error'], [file, 6, 'error'], [file, 7, 'error'], [file, 8, 'error'], [file, 9, 'warning'],
        ]);
        assert.match(String(diagnostics[0][3]), /not a JSON line/);
        assert.match(String(diagnostics[2][3]), /step 0 is not after the last step 0/);
        assert.match(String(diagnostics[3][3]), /non-negative integer, got -3/);
        assert.match(String(diagnostics[6][3]), /unknown record type "telemetry"/);
        assert.deepEqual([...engine.series(w.run, 'a').values], [0, 1]);
        assert.equal(engine.listRuns()[0].state, 'finished');
    });
    it('keeps NaN, +Infinity and -Infinity apart from missing values, through every query and a snapshot', async () => {
        const dir = (0, helpers_1.tempDir)();
        const snapshotPath = path.join((0, helpers_1.tempDir)(), 'store.rrsnap');
        const w = (0, helpers_1.writer)(dir);
        w.log({ x: Number.NaN, y: 1 });
        w.log({ x: Number.POSITIVE_INFINITY });
        w.log({ x: Number.NEGATIVE_INFINITY, y: null });
        w.log({ x: 4 });
        w.summary({ best: Number.NaN });
        w.finish();
        assert.match(fs.readFileSync(w.file, 'utf8'), /"x":NaN/, 'written bare, as Python writes it');
        const first = await (0, helpers_1.openEngine)(dir, { snapshotPath });
        first.ingest();
        first.save();
        first.close();
        const engine = await (0, helpers_1.openEngine)(dir, { snapshotPath });
        assert.equal(engine.ingest().rows, 0, 'nothing read twice after the snapshot');
        const x = engine.series(w.run, 'x');
        assert.ok(Number.isNaN(x.values[0]));
        assert.deepEqual([...x.values.slice(1)], [Infinity, -Infinity, 4]);
        assert.deepEqual(x.nonFinite, { nan: 1, posInf: 1, negInf: 1 });
        const table = engine.history(w.run);
        assert.deepEqual(table.columns, ['x', 'y']);
        assert.ok(Number.isNaN(table.rows[0].cells[0]));
        assert.equal(table.rows[2].cells[1], null, 'null is a missing value, not NaN');
        assert.equal(table.rows[1].cells[1], null);
        const summary = engine.getRun(w.run).summary;
        assert.equal(summary.x, 4);
        assert.ok(Number.isNaN(summary.best));
        assert.equal(summary.y, 1);
    });
    it('charts booleans as 1 and 0, keeps strings in the table, flattens nested objects, skips arrays with one warning', async () => {
        const dir = (0, helpers_1.tempDir)();
        const w = (0, helpers_1.writer)(dir);
        w.log({ ok: true, phase: 'warmup', opt: { lr: 0.1, betas: { b1: 0.9 } }, hist: [1, 2] });
        w.log({ ok: false, phase: 'train', hist: [3] });
        w.finish();
        const engine = await (0, helpers_1.openEngine)(dir);
        engine.ingest();
        assert.deepEqual(engine.metricKeys(w.run).map((k) => [k.key, k.points, k.numeric]), [
            ['ok', 2, true], ['opt.betas.b1', 1, true], ['opt.lr', 1, true], ['phase', 2, false],
        ]);
        assert.deepEqual([...engine.series(w.run, 'ok').values], [1, 0]);
        const table = engine.history(w.run, { keys: ['ok', 'phase'] });
        assert.deepEqual(table.rows.map((r) => r.cells), [[true, 'warmup'], [false, 'train']]);
        assert.equal(engine.getRun(w.run).summary.phase, 'train');
        assert.equal(engine.getRun(w.run).summary.ok, false);
        const warnings = engine.diagnostics().filter((d) => d.severity === 'warning');
        assert.equal(warnings.length, 1);
        assert.match(warnings[0].message, /"hist" is an array/);
    });
    it('treats hostile keys and names as plain text', async () => {
        const dir = (0, helpers_1.tempDir)();
        const w = (0, helpers_1.writer)(dir, { name: '<img src=x onerror=alert(1)>', config: { __proto__: { polluted: true }, constructor: 1 } });
        w.writeRaw('{"type":"row","time":1,"step":0,"data":{"__proto__":1,"constructor":2,"toString":3,"a.b":4,"a":{"b":5}}}\n');
        w.finish();
        const engine = await (0, helpers_1.openEngine)(dir);
        engine.ingest();
        const run = engine.getRun(w.run);
        assert.equal(run.name, '<img src=x onerror=alert(1)>');
        assert.deepEqual(engine.metricKeys(w.run).map((k) => k.key), ['__proto__', 'a.b', 'constructor', 'toString']);
        assert.equal(engine.series(w.run, '__proto__').values[0], 1);
        assert.equal(engine.series(w.run, 'a.b').values[0], 5, 'the later of two equal flattened keys wins');
        assert.equal({}.polluted, undefined, 'no prototype pollution');
    });
    it('waits for a file that refers to a run another file has not created yet, then applies it', async () => {
        const dir = (0, helpers_1.tempDir)();
        const w = (0, helpers_1.linearRun)(dir, 10, { stamp: '0000000000500-aaaaaaaa' });
        // A rewind whose file sorts before the run it rewinds (a clock that ran behind).
        fs.mkdirSync(path.join(dir, 'ops'));
        fs.writeFileSync(path.join(dir, 'ops', '0000000000100-bbbbbbbb.jsonl'), `{"type":"rewind","time":2,"run":"${w.run}","source":"${w.version}","version":"vrewound00001","step":4}\n`);
        const engine = await (0, helpers_1.openEngine)(dir);
        engine.ingest();
        assert.equal(engine.getRun(w.run).liveVersion, 'vrewound00001');
        assert.deepEqual(engine.diagnostics(), []);
    });
    it('refuses a file written with a newer protocol, and one that does not begin with start', async () => {
        const dir = (0, helpers_1.tempDir)();
        fs.mkdirSync(path.join(dir, 'runs', 'r1'), { recursive: true });
        fs.writeFileSync(path.join(dir, 'runs', 'r1', '0000000000001-aaaaaaaa.jsonl'), '{"type":"start","protocol":9,"time":1,"run":"r1","version":"vaaaaaaaaaaaa","mode":"new"}\n');
        fs.mkdirSync(path.join(dir, 'runs', 'r2'), { recursive: true });
        fs.writeFileSync(path.join(dir, 'runs', 'r2', '0000000000002-aaaaaaaa.jsonl'), '{"type":"row","time":1,"step":0,"data":{}}\n');
        const engine = await (0, helpers_1.openEngine)(dir);
        engine.ingest();
        const messages = engine.diagnostics().map((d) => d.message);
        assert.match(messages[0], /protocol 9; this Run Rewind reads protocol 1/);
        assert.match(messages[1], /must begin with a "start" record/);
        assert.deepEqual(engine.listRuns(), []);
    });
    it('parses Python\'s bare NaN and Infinity but nothing looser', () => {
        assert.deepEqual(JSON.stringify((0, protocol_1.parseLine)('{"a":[NaN,Infinity,-Infinity,1e999]}'), (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)), '{"a":["NaN","Infinity","-Infinity","Infinity"]}');
        assert.throws(() => (0, protocol_1.parseLine)('{"a":nan}'));
        assert.throws(() => (0, protocol_1.parseLine)('{"a":NaN,}'));
        assert.throws(() => (0, protocol_1.parseLine)("{'a':NaN}"));
        assert.deepEqual(Object.keys((0, protocol_1.parseLine)('{"__proto__":NaN}')), ['__proto__']);
    });
});
describe('snapshot', () => {
    it('survives a restart, then reads only new lines', async () => {
        const dir = (0, helpers_1.tempDir)();
        const snapshotPath = path.join((0, helpers_1.tempDir)(), 'store.rrsnap');
        const w = (0, helpers_1.writer)(dir);
        for (let i = 0; i < 2500; i++)
            w.log({ a: i, b: -i });
        const one = await (0, helpers_1.openEngine)(dir, { snapshotPath });
        one.ingest();
        one.save();
        one.close();
        for (let i = 2500; i < 3000; i++)
            w.log({ a: i, b: -i });
        w.finish();
        const two = await (0, helpers_1.openEngine)(dir, { snapshotPath });
        assert.equal(two.startupNote, undefined);
        assert.equal(two.ingest().rows, 500);
        const a = two.series(w.run, 'a');
        assert.equal(a.total, 3000);
        for (let i = 0; i < 3000; i++)
            assert.equal(a.values[i], i);
    });
    for (const [what, damage] of [
        ['truncated', (file) => fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2))],
        ['corrupt', (file) => { const b = fs.readFileSync(file); b[b.length - 100] ^= 0xff; fs.writeFileSync(file, b); }],
        ['not a snapshot', (file) => fs.writeFileSync(file, 'hello')],
    ]) {
        it(`rebuilds from the logs when the snapshot is ${what}`, async () => {
            const dir = (0, helpers_1.tempDir)();
            const snapshotPath = path.join((0, helpers_1.tempDir)(), 'store.rrsnap');
            const w = (0, helpers_1.linearRun)(dir, 2000);
            const one = await (0, helpers_1.openEngine)(dir, { snapshotPath });
            one.ingest();
            one.rewind(w.run, 1000);
            one.save();
            one.close();
            damage(snapshotPath);
            const two = await (0, helpers_1.openEngine)(dir, { snapshotPath });
            assert.match(two.startupNote ?? '', /rebuilt from the logs/);
            two.ingest();
            assert.equal(two.getRun(w.run).lastStep, 1000);
            assert.equal(two.series(w.version, 'metric').total, 2000);
            two.save();
            const three = await (0, helpers_1.openEngine)(dir, { snapshotPath });
            assert.equal(three.startupNote, undefined);
        });
    }
});
describe('ingest in slices', () => {
    it('reads a file bigger than one slice over several calls, each reporting that more is left', async () => {
        const dir = (0, helpers_1.tempDir)();
        const w = (0, helpers_1.writer)(dir, { buffered: true });
        for (let i = 0; i < 20_000; i++)
            w.log({ a: i, b: 'x'.repeat(20) });
        w.finish();
        const engine = await (0, helpers_1.openEngine)(dir);
        let calls = 0;
        let rows = 0;
        for (;;) {
            const result = engine.ingest(64 * 1024);
            calls++;
            rows += result.rows;
            if (!result.more)
                break;
        }
        assert.ok(calls > 10, `${calls} calls`);
        assert.equal(rows, 20_000);
        assert.equal(engine.series(w.run, 'a').total, 20_000);
    });
});
describe('ingest of finished and quiet runs', () => {
    it('still finds a resume file added to a run folder whose listing it had cached', async function () {
        this.timeout(10_000);
        const dir = (0, helpers_1.tempDir)();
        const w = (0, helpers_1.linearRun)(dir, 5);
        const engine = await (0, helpers_1.openEngine)(dir);
        engine.ingest();
        await new Promise((resolve) => setTimeout(resolve, 2100)); // listings older than 2 s are trusted
        assert.equal(engine.ingest().rows, 0);
        const resumed = (0, helpers_1.writer)(dir, { run: w.run, version: w.version, mode: 'resume', lastStep: 4 });
        resumed.log({ metric: 5 });
        resumed.finish();
        assert.equal(engine.ingest().rows, 1);
        assert.equal(engine.getRun(w.run).lastStep, 5);
        fs.appendFileSync(w.file, '{"type":"row","time":1,"step":99,"data":{"metric":1}}\n');
        assert.equal(engine.ingest().rows, 0, 'a file is not read past its finish record');
    });
});
//# sourceMappingURL=ingest.test.js.map