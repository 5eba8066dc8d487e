// Fault tests: writers and the ingesting process killed at random points, and fuzzed log lines.
// After every restart each complete row must be in the store exactly once.
import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeRecord } from '../../src/core/protocol';
import { engineView, openEngine, pythonView, tempDir, writer } from './helpers';

const engineModule = path.join(__dirname, '..', '..', 'src', 'core', 'engine.js');

/** A seeded PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Complete row lines of a writer file, by step. */
function completeRows(file: string): number[] {
  const text = fs.readFileSync(file, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete.split('\n').filter((l) => l.includes('"type":"row"')).map((l) => (JSON.parse(l) as { step: number }).step);
}

function runFiles(dir: string): { run: string; file: string }[] {
  const runs = path.join(dir, 'runs');
  return fs.readdirSync(runs).flatMap((run) => fs.readdirSync(path.join(runs, run)).map((f) => ({ run, file: path.join(runs, run, f) })));
}

/** Resolves once a file in `runDir` has bytes in it. */
async function writing(runDir: string): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 10) {
    const files = fs.existsSync(runDir) ? fs.readdirSync(runDir) : [];
    if (files.some((f) => fs.statSync(path.join(runDir, f)).size > 0)) return;
    await sleep(10);
  }
  throw new Error(`no writer started in ${runDir} within 60 s`);
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
    const dir = tempDir();
    const random = prng(7);
    const engine = await openEngine(dir);
    for (let i = 0; i < 12; i++) {
      const run = `killed${String(i).padStart(2, '0')}`;
      const child = spawn(process.execPath, ['-e', TEARING_WRITER, dir, run], { stdio: 'ignore' });
      // The kill lands a random while after the writer has begun writing: on a busy machine a process
      // takes longer than that to start, and a writer killed before its first line tests nothing.
      await writing(path.join(dir, 'runs', run));
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
    const dir = tempDir();
    const snapshotPath = path.join(tempDir(), 'store.rrsnap');
    const random = prng(11);
    const w = writer(dir, { buffered: true });
    const ingestLoop = `
      const { Engine } = require(${JSON.stringify(engineModule)});
      (async () => {
        const engine = await Engine.open({ logDir: process.argv[1], snapshotPath: process.argv[2] });
        for (;;) { engine.ingest(1 << 16); if (engine.needsSave) engine.save(); }
      })();`;
    let step = 0;
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 20_000; i++) w.log({ a: step, b: -step }, step++);
      w.flush();
      const child = spawn(process.execPath, ['-e', ingestLoop, dir, snapshotPath], { stdio: 'ignore' });
      await sleep(150 + random() * 500);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    w.finish();
    const engine = await openEngine(dir, { snapshotPath });
    assert.equal(engine.startupNote, undefined, 'the snapshot left by a killed process is whole');
    engine.ingest();
    const a = engine.series(w.run, 'a');
    assert.equal(a.total, step);
    for (let i = 0; i < step; i++) assert.equal(a.steps[i], i);
    assert.equal(engine.history(w.run).total, step);
  });

  it('never crashes on fuzzed lines and never loses the good lines around them', async () => {
    const dir = tempDir();
    const random = prng(2026);
    const w = writer(dir);
    const good: number[] = [];
    const hostile = ['__proto__', 'constructor', 'prototype', '💥', '\u0000', '<script>', '../../etc/passwd', 'a'.repeat(10_000)];
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const junk = (): string => {
      switch (Math.floor(random() * 11)) {
        case 9: { const depth = 50 + Math.floor(random() * 20_000); return `{"type":"row","time":1,"step":${step + 1},"data":${'{"d":'.repeat(depth)}1${'}'.repeat(depth)}}`; }
        case 10: { const depth = 90 + Math.floor(random() * 5_000); return `{"type":"${pick(['config', 'summary'])}","time":1,"${pick(['config', 'summary'])}":${'['.repeat(depth)}${']'.repeat(depth)}}`; }
        case 0: return Buffer.from(Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 256)).filter((b) => b !== 10)).toString('latin1');
        case 1: { const l = encodeRecord({ type: 'row', time: 1, step: 1e9, data: { a: 1 } }); return l.slice(0, Math.floor(random() * l.length)); }
        case 2: return encodeRecord({ type: 'row', time: 'yesterday', step: String(good.length), data: { a: 1 } } as Record<string, unknown>);
        case 3: return `{"type":"row","time":1,"step":1e400,"data":{"a":1}}`;
        case 4: return encodeRecord({ type: 'row', time: 1, step: (good.at(-1) ?? 0) + 0.5, data: { a: 1 } });
        case 5: return `{"type":"row","time":1,"step":${'9'.repeat(400)},"data":{}}`;
        case 6: return encodeRecord({ type: pick(['config', 'summary', 'finish', 'rewind', 'start']), time: 1, config: 7, summary: [], exit_code: 'x' });
        case 7: return `{"type":"row","data":{"${'x'.repeat(1_200_000)}":1},"step":-1}`;
        default: return encodeRecord({ type: pick(['rename', 'delete', 'fork', 'mystery']), run: pick(hostile), name: pick(hostile) });
      }
    };
    let step = 0;
    for (let i = 0; i < 400; i++) {
      if (random() < 0.5) {
        const data: Record<string, unknown> = { a: step };
        data[pick(hostile)] = random() < 0.5 ? Number.NaN : pick(hostile);
        w.log(data, step);
        good.push(step);
        step += 1 + Math.floor(random() * 3);
      } else {
        w.writeRaw(`${junk()}\n`);
      }
    }
    w.finish();
    const engine = await openEngine(dir);
    engine.ingest();
    assert.deepEqual([...engine.series(w.run, 'a').steps], good);
    assert.equal(engine.listRuns().length, 1);
    assert.equal(engine.listRuns()[0].state, 'finished');
    assert.ok(engine.diagnostics().length > 0);
    for (const d of engine.diagnostics()) assert.ok(d.line >= 1 && d.file === w.file, 'each problem names its file and line');
  });

  it('never crashes or loses a good row while files shrink, vanish, or turn out to be pipes and devices', async () => {
    const random = prng(88);
    const dir = tempDir();
    const engine = await openEngine(dir);
    const good = Array.from({ length: 4 }, (_, i) => writer(dir, { run: `good${i}` }));
    const logged = good.map(() => 0);
    let chaos = 0;
    for (let pass = 0; pass < 60; pass++) {
      good.forEach((w, i) => {
        const n = Math.floor(random() * 5);
        for (let k = 0; k < n; k++) w.log({ m: logged[i]++ });
      });
      const name = `chaos${chaos++}`;
      const folder = path.join(dir, 'runs', name);
      fs.mkdirSync(folder, { recursive: true });
      const file = path.join(folder, `${String(pass + 1).padStart(13, '0')}-chaos${String(pass).padStart(3, '0')}.jsonl`);
      switch (Math.floor(random() * 4)) {
        case 0: execFileSync('mkfifo', [file]); break;
        case 1: fs.symlinkSync(random() < 0.5 ? '/dev/zero' : '/dev/urandom', file); break;
        case 2: {
          // Written, read once, then cut short (a log rewritten under the reader's feet).
          const v = writer(dir, { run: name, stamp: path.basename(file, '.jsonl') });
          for (let k = 0; k < 20; k++) v.log({ m: k });
          engine.ingest();
          fs.truncateSync(v.file, Math.floor(random() * fs.statSync(v.file).size));
          break;
        }
        default: {
          const v = writer(dir, { run: name, stamp: path.basename(file, '.jsonl') });
          v.log({ m: 1 });
          fs.rmSync(v.file);
        }
      }
      engine.ingest();
    }
    good.forEach((w) => w.finish());
    engine.ingest();
    good.forEach((w, i) => {
      assert.deepEqual(engine.history(w.run).rows.map((r) => r.cells[0]), Array.from({ length: logged[i] }, (_, k) => k), `every row of ${w.run}`);
    });
    const python = pythonView(dir);
    const view = engineView(engine);
    for (const w of good) assert.deepEqual(python[w.run], view[w.run], `the Python reader agrees on ${w.run}`);
    engine.close();
  });
});
