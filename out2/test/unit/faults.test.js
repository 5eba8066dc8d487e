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
// Fault tests: writers and the ingesting process killed at random points, and fuzzed log lines.
// After every restart each complete row must be in the store exactly once.
const assert = __importStar(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const protocol_1 = require("../../src/core/protocol");
const helpers_1 = require("./helpers");
const engineModule = path.join(__dirname, '..', '..', 'src', 'core', 'engine.js');
/** A seeded PRNG, so a failure can be replayed. */
function prng(seed) {
    let s = seed >>> 0;
    return () => {
        s = (s + 0x6d2b79f5) >>> 0;
        let t = s;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
/** Complete row lines of a writer file, by step. */
function completeRows(file) {
    const text = fs.readFileSync(file, 'utf8');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    return complete.split('\n').filter((l) => l.includes('"type":"row"')).map((l) => JSON.parse(l).step);
}
function runFiles(dir) {
    const runs = path.join(dir, 'runs');
    return fs.readdirSync(runs).flatMap((run) => fs.readdirSync(path.join(runs, run)).map((f) => ({ run, file: path.join(runs, run, f) })));
}
// A writer that splits every line into two writes, so a kill can tear a line anywhere.
const TEARING_WRITER = `
const fs = require('fs'), path = require('path');
const [dir, run] = process.argv.slice(1);
fs.mkdirSync(path.join(dir, 'runs', run), { recursive: true });
const fd = fs.openSync(path.join(dir, 'runs', run, Date.now().toString().padStart(13, '0') + '-' + run.slice(-8) + '.jsonl'), 'a');
const put = (o) => { const l = JSON.stringify(o) + '\\n'; const k = 1 + Math.floor(Math.random() * (l.length - 1)); fs.writeSync(fd, l.slice(0, k)); fs.writeSync(fd, l.slice(k)); };
put({ type: 'start', protocol: 1, time: Date.now() / 1000, run, version: 'v' + run.padEnd(12, '0').slice(0, 12), mode: 'new', pid: process.pid, host: 'fault-test' });
for (let step = 0; ; step++) put({ type: 'row', time: Date.now() / 1000, step, data: { loss: 1 / (step + 1), text: 'x'.repeat(step % 50) } });
`;
describe('faults', function () {
    this.timeout(120_000);
    it('keeps every complete row exactly once when writers are killed mid-line', async () => {
        const dir = (0, helpers_1.tempDir)();
        const random = prng(7);
        const engine = await (0, helpers_1.openEngine)(dir);
        for (let i = 0; i < 12; i++) {
            const run = `killed${String(i).padStart(2, '0')}`;
            const child = (0, node_child_process_1.spawn)(process.execPath, ['-e', TEARING_WRITER, dir, run], { stdio: 'ignore' });
            await sleep(30 + random() * 120);
            engine.ingest(); // read while the writer is mid-line
            child.kill('SIGKILL');
            await new Promise((resolve) => child.once('exit', resolve));
            engine.ingest();
        }
        for (const { run, file } of runFiles(dir)) {
            const steps = completeRows(file);
            assert.ok(steps.length > 0, `${run} wrote rows`);
            const series = engine.series(run, 'loss');
            assert.deepEqual([...series.steps], steps, `${run}: every complete row once, in order`);
        }
        assert.deepEqual(engine.diagnostics().filter((d) => d.severity === 'error'), []);
    });
    it('keeps every complete row exactly once when the ingesting process is killed mid-ingest or mid-save', async () => {
        const dir = (0, helpers_1.tempDir)();
        const snapshotPath = path.join((0, helpers_1.tempDir)(), 'store.rrsnap');
        const random = prng(11);
        const w = (0, helpers_1.writer)(dir, { buffered: true });
        const ingestLoop = `
      const { Engine } = require(${JSON.stringify(engineModule)});
      (async () => {
        const engine = await Engine.open({ logDir: process.argv[1], snapshotPath: process.argv[2] });
        for (;;) { engine.ingest(1 << 16); if (engine.needsSave) engine.save(); }
      })();`;
        let step = 0;
        for (let round = 0; round < 10; round++) {
            for (let i = 0; i < 20_000; i++)
                w.log({ a: step, b: -step }, step++);
            w.flush();
            const child = (0, node_child_process_1.spawn)(process.execPath, ['-e', ingestLoop, dir, snapshotPath], { stdio: 'ignore' });
            await sleep(150 + random() * 500);
            child.kill('SIGKILL');
            await new Promise((resolve) => child.once('exit', resolve));
        }
        w.finish();
        const engine = await (0, helpers_1.openEngine)(dir, { snapshotPath });
        assert.equal(engine.startupNote, undefined, 'the snapshot left by a killed process is whole');
        engine.ingest();
        const a = engine.series(w.run, 'a');
        assert.equal(a.total, step);
        for (let i = 0; i < step; i++)
            assert.equal(a.steps[i], i);
        assert.equal(engine.history(w.run).total, step);
    });
    it('never crashes on fuzzed lines and never loses the good lines around them', async () => {
        const dir = (0, helpers_1.tempDir)();
        const random = prng(2026);
        const w = (0, helpers_1.writer)(dir);
        const good = [];
        const hostile = ['__proto__', 'constructor', 'prototype', '💥', '\u0000', '<script>', '../../etc/passwd', 'a'.repeat(10_000)];
        const pick = (xs) => xs[Math.floor(random() * xs.length)];
        const junk = () => {
            switch (Math.floor(random() * 9)) {
                case 0: return Buffer.from(Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 256)).filter((b) => b !== 10)).toString('latin1');
                case 1: {
                    const l = (0, protocol_1.encodeRecord)({ type: 'row', time: 1, step: 1e9, data: { a: 1 } });
                    return l.slice(0, Math.floor(random() * l.length));
                }
                case 2: return (0, protocol_1.encodeRecord)({ type: 'row', time: 'yesterday', step: String(good.length), data: { a: 1 } });
                case 3: return `{"type":"row","time":1,"step":1e400,"data":{"a":1}}`;
                case 4: return (0, protocol_1.encodeRecord)({ type: 'row', time: 1, step: (good.at(-1) ?? 0) + 0.5, data: { a: 1 } });
                case 5: return `{"type":"row","time":1,"step":${'9'.repeat(400)},"data":{}}`;
                case 6: return (0, protocol_1.encodeRecord)({ type: pick(['config', 'summary', 'finish', 'rewind', 'start']), time: 1, config: 7, summary: [], exit_code: 'x' });
                case 7: return `{"type":"row","data":{"${'x'.repeat(1_200_000)}":1},"step":-1}`;
                default: return (0, protocol_1.encodeRecord)({ type: pick(['rename', 'delete', 'fork', 'mystery']), run: pick(hostile), name: pick(hostile) });
            }
        };
        let step = 0;
        for (let i = 0; i < 400; i++) {
            if (random() < 0.5) {
                const data = { a: step };
                data[pick(hostile)] = random() < 0.5 ? Number.NaN : pick(hostile);
                w.log(data, step);
                good.push(step);
                step += 1 + Math.floor(random() * 3);
            }
            else {
                w.writeRaw(`${junk()}\n`);
            }
        }
        w.finish();
        const engine = await (0, helpers_1.openEngine)(dir);
        engine.ingest();
        assert.deepEqual([...engine.series(w.run, 'a').steps], good);
        assert.equal(engine.listRuns().length, 1);
        assert.equal(engine.listRuns()[0].state, 'finished');
        assert.ok(engine.diagnostics().length > 0);
        for (const d of engine.diagnostics())
            assert.ok(d.line >= 1 && d.file === w.file, 'each problem names its file and line');
    });
});
//# sourceMappingURL=faults.test.js.map