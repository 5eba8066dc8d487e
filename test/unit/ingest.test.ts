// Ingest: incremental reading, torn lines, diagnostics with file and line, values of every kind.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parseLine } from '../../src/core/protocol';
import { linearRun, openEngine, tempDir, writer } from './helpers';

describe('ingest', () => {
  it('reads only what was appended, and a torn last line once it is finished', async () => {
    const dir = tempDir();
    const w = writer(dir);
    w.log({ a: 1 });
    const engine = await openEngine(dir);
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
    const dir = tempDir();
    const w = writer(dir);
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
    const engine = await openEngine(dir);
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
    const dir = tempDir();
    const snapshotPath = path.join(tempDir(), 'store.rrsnap');
    const w = writer(dir);
    w.log({ x: Number.NaN, y: 1 });
    w.log({ x: Number.POSITIVE_INFINITY });
    w.log({ x: Number.NEGATIVE_INFINITY, y: null });
    w.log({ x: 4 });
    w.summary({ best: Number.NaN });
    w.finish();
    assert.match(fs.readFileSync(w.file, 'utf8'), /"x":NaN/, 'written bare, as Python writes it');
    const first = await openEngine(dir, { snapshotPath });
    first.ingest();
    first.save();
    first.close();
    const engine = await openEngine(dir, { snapshotPath });
    assert.equal(engine.ingest().rows, 0, 'nothing read twice after the snapshot');
    const x = engine.series(w.run, 'x');
    assert.ok(Number.isNaN(x.values[0]));
    assert.deepEqual([...x.values.slice(1)], [Infinity, -Infinity, 4]);
    assert.deepEqual(x.nonFinite, { nan: 1, posInf: 1, negInf: 1 });
    const table = engine.history(w.run);
    assert.deepEqual(table.columns, ['x', 'y']);
    assert.ok(Number.isNaN(table.rows[0].cells[0] as number));
    assert.equal(table.rows[2].cells[1], null, 'null is a missing value, not NaN');
    assert.equal(table.rows[1].cells[1], null);
    const summary = engine.getRun(w.run).summary;
    assert.equal(summary.x, 4);
    assert.ok(Number.isNaN(summary.best as number));
    assert.equal(summary.y, 1);
  });

  it('charts booleans as 1 and 0, keeps strings in the table, flattens nested objects, skips arrays with one warning', async () => {
    const dir = tempDir();
    const w = writer(dir);
    w.log({ ok: true, phase: 'warmup', opt: { lr: 0.1, betas: { b1: 0.9 } }, hist: [1, 2] });
    w.log({ ok: false, phase: 'train', hist: [3] });
    w.finish();
    const engine = await openEngine(dir);
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
    const dir = tempDir();
    const w = writer(dir, { name: '<img src=x onerror=alert(1)>', config: { __proto__: { polluted: true }, constructor: 1 } as Record<string, unknown> });
    w.writeRaw('{"type":"row","time":1,"step":0,"data":{"__proto__":1,"constructor":2,"toString":3,"a.b":4,"a":{"b":5}}}\n');
    w.finish();
    const engine = await openEngine(dir);
    engine.ingest();
    const run = engine.getRun(w.run);
    assert.equal(run.name, '<img src=x onerror=alert(1)>');
    assert.deepEqual(engine.metricKeys(w.run).map((k) => k.key), ['__proto__', 'a.b', 'constructor', 'toString']);
    assert.equal(engine.series(w.run, '__proto__').values[0], 1);
    assert.equal(engine.series(w.run, 'a.b').values[0], 5, 'the later of two equal flattened keys wins');
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  });

  it('waits for a file that refers to a run another file has not created yet, then applies it', async () => {
    const dir = tempDir();
    const w = linearRun(dir, 10, { stamp: '0000000000500-aaaaaaaa' });
    // A rewind whose file sorts before the run it rewinds (a clock that ran behind).
    fs.mkdirSync(path.join(dir, 'ops'));
    fs.writeFileSync(path.join(dir, 'ops', '0000000000100-bbbbbbbb.jsonl'), `{"type":"rewind","time":2,"run":"${w.run}","source":"${w.version}","version":"vrewound00001","step":4}\n`);
    const engine = await openEngine(dir);
    engine.ingest();
    assert.equal(engine.getRun(w.run).liveVersion, 'vrewound00001');
    assert.deepEqual(engine.diagnostics(), []);
  });

  it('refuses a file written with a newer protocol, and one that does not begin with start', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'runs', 'r1'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'runs', 'r1', '0000000000001-aaaaaaaa.jsonl'), '{"type":"start","protocol":9,"time":1,"run":"r1","version":"vaaaaaaaaaaaa","mode":"new"}\n');
    fs.mkdirSync(path.join(dir, 'runs', 'r2'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'runs', 'r2', '0000000000002-aaaaaaaa.jsonl'), '{"type":"row","time":1,"step":0,"data":{}}\n');
    const engine = await openEngine(dir);
    engine.ingest();
    const messages = engine.diagnostics().map((d) => d.message);
    assert.match(messages[0], /protocol 9; this Run Rewind reads protocol 1/);
    assert.match(messages[1], /must begin with a "start" record/);
    assert.deepEqual(engine.listRuns(), []);
  });

  it('parses Python\'s bare NaN and Infinity but nothing looser', () => {
    assert.deepEqual(JSON.stringify(parseLine('{"a":[NaN,Infinity,-Infinity,1e999]}'), (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)), '{"a":["NaN","Infinity","-Infinity","Infinity"]}');
    assert.throws(() => parseLine('{"a":nan}'));
    assert.throws(() => parseLine('{"a":NaN,}'));
    assert.throws(() => parseLine("{'a':NaN}"));
    assert.deepEqual(Object.keys(parseLine('{"__proto__":NaN}') as object), ['__proto__']);
  });
});

describe('snapshot', () => {
  it('survives a restart, then reads only new lines', async () => {
    const dir = tempDir();
    const snapshotPath = path.join(tempDir(), 'store.rrsnap');
    const w = writer(dir);
    for (let i = 0; i < 2500; i++) w.log({ a: i, b: -i });
    const one = await openEngine(dir, { snapshotPath });
    one.ingest();
    one.save();
    one.close();
    for (let i = 2500; i < 3000; i++) w.log({ a: i, b: -i });
    w.finish();
    const two = await openEngine(dir, { snapshotPath });
    assert.equal(two.startupNote, undefined);
    assert.equal(two.ingest().rows, 500);
    const a = two.series(w.run, 'a');
    assert.equal(a.total, 3000);
    for (let i = 0; i < 3000; i++) assert.equal(a.values[i], i);
  });

  for (const [what, damage] of [
    ['truncated', (file: string) => fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2))],
    ['corrupt', (file: string) => { const b = fs.readFileSync(file); b[b.length - 100] ^= 0xff; fs.writeFileSync(file, b); }],
    ['not a snapshot', (file: string) => fs.writeFileSync(file, 'hello')],
  ] as const) {
    it(`rebuilds from the logs when the snapshot is ${what}`, async () => {
      const dir = tempDir();
      const snapshotPath = path.join(tempDir(), 'store.rrsnap');
      const w = linearRun(dir, 2000);
      const one = await openEngine(dir, { snapshotPath });
      one.ingest();
      one.rewind(w.run, 1000);
      one.save();
      one.close();
      damage(snapshotPath);
      const two = await openEngine(dir, { snapshotPath });
      assert.match(two.startupNote ?? '', /rebuilt from the logs/);
      two.ingest();
      assert.equal(two.getRun(w.run).lastStep, 1000);
      assert.equal(two.series(w.version, 'metric').total, 2000);
      two.save();
      const three = await openEngine(dir, { snapshotPath });
      assert.equal(three.startupNote, undefined);
    });
  }
});

describe('snapshot key', () => {
  const snapshotModule = path.join(__dirname, '..', '..', 'src', 'core', 'snapshot.js');
  const node = (keyFile: string, script: string, ...args: string[]): Promise<string> =>
    promisify(execFile)(process.execPath, ['-e', `const s = require(${JSON.stringify(snapshotModule)}); ${script}`, ...args], {
      env: { ...process.env, RUNREWIND_SNAPSHOT_KEY: keyFile },
    }).then((r) => r.stdout.trim());

  it('is one key for stores that start at the same time, and it is the one on disk', async function () {
    this.timeout(30_000);
    for (let round = 0; round < 3; round++) {
      const keyFile = path.join(tempDir(), 'config', 'snapshot.key');
      const keys = await Promise.all(Array.from({ length: 8 }, () => node(keyFile, "process.stdout.write(s.snapshotKey().toString('hex'))")));
      assert.deepEqual(new Set(keys), new Set([fs.readFileSync(keyFile).toString('hex')]), `round ${round}`);
      assert.equal(fs.readdirSync(path.dirname(keyFile)).length, 1, 'no temporary key files left behind');
    }
  });

  it('replaces a key file too short to be a key, so the next process can use the snapshot written meanwhile', async () => {
    const keyFile = path.join(tempDir(), 'snapshot.key');
    fs.writeFileSync(keyFile, ''); // what a process that lost the old race read: the winner had not written yet
    const snapshot = path.join(tempDir(), 'store.rrsnap');
    await node(keyFile, "s.writeSnapshot(process.argv[1], 4, Buffer.from('sqlite bytes'))", snapshot);
    assert.equal(fs.readFileSync(keyFile).length, 32);
    const read = await node(keyFile, "process.stdout.write(JSON.stringify(s.readSnapshot(process.argv[1], 4).kind))", snapshot);
    assert.equal(read, '"ok"');
  });
});

describe('ingest in slices', () => {
  it('reads a file bigger than one slice over several calls, each reporting that more is left', async () => {
    const dir = tempDir();
    const w = writer(dir, { buffered: true });
    for (let i = 0; i < 20_000; i++) w.log({ a: i, b: 'x'.repeat(20) });
    w.finish();
    const engine = await openEngine(dir);
    let calls = 0;
    let rows = 0;
    for (;;) {
      const result = engine.ingest(64 * 1024);
      calls++;
      rows += result.rows;
      if (!result.more) break;
    }
    assert.ok(calls > 10, `${calls} calls`);
    assert.equal(rows, 20_000);
    assert.equal(engine.series(w.run, 'a').total, 20_000);
  });
});

describe('ingest of finished and quiet runs', () => {
  it('still finds a resume file added to a run folder whose listing it had cached', async function () {
    this.timeout(10_000);
    const dir = tempDir();
    const w = linearRun(dir, 5);
    const engine = await openEngine(dir);
    engine.ingest();
    await new Promise((resolve) => setTimeout(resolve, 2100)); // listings older than 2 s are trusted
    assert.equal(engine.ingest().rows, 0);
    const resumed = writer(dir, { run: w.run, version: w.version, mode: 'resume', lastStep: 4 });
    resumed.log({ metric: 5 });
    resumed.finish();
    assert.equal(engine.ingest().rows, 1);
    assert.equal(engine.getRun(w.run).lastStep, 5);
    fs.appendFileSync(w.file, '{"type":"row","time":1,"step":99,"data":{"metric":1}}\n');
    assert.equal(engine.ingest().rows, 0, 'a file is not read past its finish record');
  });
});
