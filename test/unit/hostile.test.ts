// Hostile and unlucky log shapes (issue 8): a rewind that lost its race, a late file, files that shrink,
// vanish or are not files, nesting that exhausts stacks, keys that mix numbers and booleans, writer ids
// that escape the log directory, a writer paused past its heartbeats, a planted snapshot. Each reader
// (the store and the Python client) must reach the same state, and nothing already logged is lost.
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../../src/core/engine';
import { encodeRecord } from '../../src/core/protocol';
import { SCHEMA_VERSION } from '../../src/core/schema';
import { LogWriter } from '../../src/core/writer';
import { PYTHON_DIR, engineView, linearRun, openEngine, pythonView, tempDir, writer } from './helpers';

function writeLines(file: string, records: Record<string, unknown>[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, records.map((r) => `${encodeRecord(r)}\n`).join(''));
}

function start(run: string, version: string, mode = 'new', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'start', protocol: 1, time: 1, run, version, mode, ...extra };
}

function rows(from: number, to: number): Record<string, unknown>[] {
  const out = [];
  for (let s = from; s <= to; s++) out.push({ type: 'row', time: 1 + s, step: s, data: { m: s } });
  return out;
}

describe('races and hostile logs', () => {
  it('applies a rewind only while its source is the live version, in both readers (two rewinds of one run)', async () => {
    const dir = tempDir();
    writeLines(path.join(dir, 'runs', 'r1', '0000000000001-aaaaaaaa.jsonl'), [start('r1', 'vlive0000001'), ...rows(0, 9), { type: 'finish', time: 20, exit_code: 0 }]);
    // Two rewinds checked against the same live version; the second sorts after the first.
    writeLines(path.join(dir, 'ops', '0000000000002-aaaaaaaa.jsonl'), [{ type: 'rewind', time: 21, run: 'r1', source: 'vlive0000001', version: 'vfirst000001', step: 5 }]);
    writeLines(path.join(dir, 'ops', '0000000000003-aaaaaaaa.jsonl'), [{ type: 'rewind', time: 22, run: 'r1', source: 'vlive0000001', version: 'vsecond00001', step: 3 }]);
    const engine = await openEngine(dir);
    const result = engine.ingest();
    const run = engine.getRun('r1');
    assert.equal(run.liveVersion, 'vfirst000001');
    assert.equal(run.lastStep, 5);
    assert.deepEqual(run.versions.map((v) => [v.id, v.archived]).sort(), [['vfirst000001', false], ['vlive0000001', true]]);
    const refusal = result.diagnostics.find((d) => d.file.endsWith('0000000000003-aaaaaaaa.jsonl'));
    assert.match(refusal?.message ?? '', /live version is now vfirst000001/);
    assert.deepEqual(pythonView(dir), engineView(engine));
    engine.close();
  });

  it('reads again in order when a file arrives after a later-sorting file of the same run was applied', async () => {
    const dir = tempDir();
    writeLines(path.join(dir, 'runs', 'r1', '0000000000001-aaaaaaaa.jsonl'), [start('r1', 'vlive0000001'), ...rows(0, 9), { type: 'finish', time: 20, exit_code: 0 }]);
    writeLines(path.join(dir, 'ops', '0000000000005-aaaaaaaa.jsonl'), [{ type: 'rewind', time: 21, run: 'r1', source: 'vlive0000001', version: 'vlate0000001', step: 7 }]);
    const engine = await openEngine(dir);
    engine.ingest();
    assert.equal(engine.getRun('r1').liveVersion, 'vlate0000001');
    // A rewind from a host whose clock is behind: its stamp sorts before the one already applied.
    writeLines(path.join(dir, 'ops', '0000000000003-aaaaaaaa.jsonl'), [{ type: 'rewind', time: 19, run: 'r1', source: 'vlive0000001', version: 'vearly000001', step: 2 }]);
    engine.ingest();
    const rebuilt = await openEngine(dir);
    rebuilt.ingest();
    assert.equal(engine.lateRebuilds, 1);
    assert.deepEqual(engineView(engine), engineView(rebuilt));
    assert.equal(engine.getRun('r1').liveVersion, 'vearly000001', 'in stamp order the earlier rewind wins and the later one lost');
    assert.deepEqual(pythonView(dir), engineView(engine));
    assert.deepEqual(engine.history('r1').rows.map((r) => r.step), [0, 1, 2]);
    engine.close();
    rebuilt.close();
  });

  it('survives a file that shrinks while it is read and one deleted between listing and opening', async () => {
    const dir = tempDir();
    const w = linearRun(dir, 50, { run: 'shrinks' });
    const other = linearRun(dir, 5, { run: 'other' });
    const engine = await openEngine(dir);
    // The module object itself: its functions are what the reader's imports resolve to at call time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fsm = require('node:fs') as Record<string, unknown>;
    const real = { fstatSync: fs.fstatSync, statSync: fs.statSync, openSync: fs.openSync };
    // The size the reader is told is 4 KiB more than the bytes there are: the file shrank after the
    // size was taken. The reader may only look at bytes it read.
    const bigger = <T extends (...a: never[]) => fs.Stats>(f: T, isFd: boolean): T => ((...args: never[]) => {
      const st = f(...args);
      const p = isFd ? undefined : String(args[0]);
      if (st.isFile() && (isFd || p === w.file)) return Object.assign(Object.create(Object.getPrototypeOf(st) as object) as fs.Stats, st, { size: st.size + 4096 });
      return st;
    }) as T;
    let vanished = 0;
    fsm.fstatSync = bigger(real.fstatSync, true);
    fsm.statSync = bigger(real.statSync, false);
    fsm.openSync = ((file: fs.PathLike, ...rest: never[]) => {
      if (String(file) === other.file && vanished++ === 0) throw Object.assign(new Error(`ENOENT: no such file, open '${String(file)}'`), { code: 'ENOENT' });
      return (real.openSync as (...a: unknown[]) => number)(file, ...rest);
    }) as typeof fs.openSync;
    let first;
    try {
      first = engine.ingest();
    } finally {
      Object.assign(fsm, real);
    }
    for (const d of first.diagnostics) assert.doesNotMatch(d.message, /[^\x20-\x7e\u2026]/, `no memory contents in diagnostics: ${d.message}`);
    assert.equal(engine.history('shrinks').rows.length, 50, 'every complete line read once');
    engine.ingest();
    assert.equal(engine.history('other').rows.length, 5, 'the file that vanished for one pass is read on the next');
    assert.equal(engine.history('shrinks').rows.length, 50);
    engine.close();
  });

  it('does not hang on a FIFO or read a device planted in the log directory, in either reader', async function () {
    this.timeout(60_000);
    const dir = tempDir();
    linearRun(dir, 3, { run: 'good' });
    fs.mkdirSync(path.join(dir, 'runs', 'fifo'), { recursive: true });
    execFileSync('mkfifo', [path.join(dir, 'runs', 'fifo', '0000000000009-aaaaaaaa.jsonl')]);
    fs.mkdirSync(path.join(dir, 'runs', 'zero'), { recursive: true });
    fs.symlinkSync('/dev/zero', path.join(dir, 'runs', 'zero', '0000000000009-bbbbbbbb.jsonl'));
    const engine = await openEngine(dir);
    engine.ingest();
    assert.deepEqual(engine.listRuns().map((r) => r.id), ['good']);
    const python = spawnSync('python3', ['-c', 'import sys; from runrewind import _logs; print(sorted(_logs.read_state(sys.argv[1]).runs))', dir], { env: { ...process.env, PYTHONPATH: PYTHON_DIR }, encoding: 'utf8', timeout: 20_000 });
    assert.equal(python.error, undefined, 'the Python reader finished');
    assert.equal(python.stdout.trim(), "['good']", python.stderr);
    engine.close();
  });

  it('refuses records nested 5,000 levels deep with a diagnostic; other runs and rows are read', async () => {
    const dir = tempDir();
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const file = path.join(dir, 'runs', 'deep', '0000000000001-aaaaaaaa.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, [
      '{"type":"start","protocol":1,"time":1,"run":"deep","version":"vdeep0000001","mode":"new","config":{"lr":1}}',
      '{"type":"row","time":2,"step":0,"data":{"m":1}}',
      `{"type":"summary","time":3,"summary":${deep}}`,
      `{"type":"config","time":3,"config":${deep}}`,
      `{"type":"row","time":3,"step":1,"data":${deep}}`,
      '{"type":"row","time":4,"step":2,"data":{"m":2}}',
      '',
    ].join('\n'));
    const bad = path.join(dir, 'runs', 'deepstart', '0000000000002-aaaaaaaa.jsonl');
    fs.mkdirSync(path.dirname(bad), { recursive: true });
    fs.writeFileSync(bad, `{"type":"start","protocol":1,"time":1,"run":"deepstart","version":"vdeep0000002","mode":"new","config":${deep}}\n{"type":"start","protocol":1,"time":1,"run":"deepstart","version":"vdeep0000003","mode":"new"}\n`);
    linearRun(dir, 2, { run: 'neighbour' });
    const engine = await openEngine(dir);
    const result = engine.ingest();
    assert.deepEqual(engine.listRuns().map((r) => r.id).sort(), ['deep', 'neighbour']);
    assert.deepEqual(engine.history('deep').rows.map((r) => [r.step, r.cells]), [[0, [1]], [2, [2]]]);
    assert.deepEqual(engine.getRun('deep').config, { lr: 1 });
    assert.equal(result.diagnostics.filter((d) => /nested more than 100 levels/.test(d.message)).length, 4);
    assert.deepEqual(pythonView(dir), engineView(engine));
    engine.close();
  });

  it('reads a key that mixes numbers and booleans as numbers, not by its last value', async () => {
    const dir = tempDir();
    const w = writer(dir, { run: 'mixed' });
    w.log({ x: 3.5 });
    w.log({ x: 0.0 });
    w.log({ x: true });
    w.log({ flag: true, y: false });
    w.finish();
    const fork = await openEngine(dir);
    fork.ingest();
    assert.deepEqual(fork.history('mixed', { keys: ['x'] }).rows.map((r) => r.cells[0]), [3.5, 0, 1, null]);
    assert.deepEqual(fork.history('mixed', { keys: ['flag'] }).rows.map((r) => r.cells[0]), [null, null, null, true]);
    // A fork that logs only booleans on a key its source logged as numbers: still numbers.
    const result = fork.fork('mixed', 1, { id: 'boolfork' });
    const w2 = writer(dir, { run: 'boolfork', version: result.version, mode: 'resume', lastStep: 1 });
    w2.log({ x: false });
    w2.finish();
    fork.ingest();
    assert.deepEqual(fork.history('boolfork', { keys: ['x'] }).rows.map((r) => r.cells[0]), [3.5, 0, 0]);
    fork.close();
  });

  it('refuses a LogWriter run id that would leave the log directory', () => {
    const dir = tempDir();
    for (const bad of ['../../x', '/tmp/abs', 'a/b', '..', '']) {
      assert.throws(() => new LogWriter({ dir, run: bad, heartbeat: 0 }), /run id/);
    }
    assert.throws(() => new LogWriter({ dir, run: 'ok', version: '../v', heartbeat: 0 }), /version id/);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('keeps a writer stopped past four heartbeats running on its host: it cannot be rewound', async function () {
    this.timeout(60_000);
    const dir = tempDir();
    const script = 'import runrewind, sys, time\nrun = runrewind.init(id="paused", dir=sys.argv[1])\nfor i in range(5): run.log({"m": i})\nprint("ready", flush=True)\ntime.sleep(60)\n';
    const child = spawn('python3', ['-c', script, dir], { env: { ...process.env, PYTHONPATH: PYTHON_DIR, RUNREWIND_HEARTBEAT: '0.1' }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        child.on('exit', () => reject(new Error('the writer exited early')));
      });
      process.kill(child.pid!, 'SIGSTOP');
      await new Promise((r) => setTimeout(r, 1000)); // ten heartbeats of silence
      const engine = await openEngine(dir);
      engine.ingest();
      assert.equal(engine.getRun('paused').state, 'running');
      assert.throws(() => engine.rewind('paused', 2), /still running/);
      const python = spawnSync('python3', ['-c', 'import runrewind, sys\ntry:\n    runrewind.init(dir=sys.argv[1], resume_from="paused?_step=2")\nexcept runrewind.errors.RunRunningError as e:\n    print("refused")\n', dir], { env: { ...process.env, PYTHONPATH: PYTHON_DIR }, encoding: 'utf8', timeout: 20_000 });
      assert.equal(python.stdout.trim(), 'refused', python.stderr);
      // Seen from another host, ten silent heartbeats are a crash: there the heartbeat is all there is.
      const remote = await Engine.open({ logDir: dir, liveness: { host: 'another-host' } });
      remote.ingest();
      assert.equal(remote.getRun('paused').state, 'crashed');
      engine.close();
      remote.close();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it("decides running from the file's modification time in both readers, whatever the writer's clock wrote in its records", async () => {
    const dir = tempDir();
    const file = path.join(dir, 'runs', 'skew', '0000000000001-aaaaaaaa.jsonl');
    // A writer whose clock is two hours ahead of the file system's, its records out of order too.
    writeLines(file, [
      start('skew', 'vskew0000001', 'new', { time: 8200, host: 'gpu-node', pid: 4242, heartbeat: 10 }),
      { type: 'row', time: 8300, step: 0, data: { m: 0 } },
      { type: 'row', time: 8250, step: 1, data: { m: 1 } },
      { type: 'alive', time: 8260 },
    ]);
    // The file last grew at 1100 by the file system's clock.
    fs.utimesSync(file, 1100, 1100);
    const verdicts: string[] = [];
    for (const now of [1130, 1150]) {
      const engine = await Engine.open({ logDir: dir, liveness: { now: () => now, host: 'login-node' } });
      engine.ingest();
      const ts = engine.getRun('skew').state;
      const py = execFileSync('python3', ['-c', 'import sys; from runrewind import _logs; s = _logs.read_state(sys.argv[1]); print(s.live_version("skew").is_running(float(sys.argv[2]), "login-node", _logs.pid_alive))', dir, String(now)], { env: { ...process.env, PYTHONPATH: PYTHON_DIR }, encoding: 'utf8' }).trim();
      assert.equal(py === 'True' ? 'running' : 'crashed', ts, `at ${now} both readers agree`);
      verdicts.push(ts);
      engine.close();
    }
    assert.deepEqual(verdicts, ['running', 'crashed'], 'file modified at 1100: running until 1140, whatever its records say');
    // A copy of logs written two days ago (a checkout, cp) is dated now: still crashed in both readers.
    const now = Date.now() / 1000;
    const copy = tempDir();
    writeLines(path.join(copy, 'runs', 'old', '0000000000001-aaaaaaaa.jsonl'), [
      start('old', 'vold00000001', 'new', { time: now - 2 * 86400, host: 'gpu-node', pid: 4242, heartbeat: 10 }),
      { type: 'row', time: now - 2 * 86400 + 1, step: 0, data: { m: 0 } },
    ]);
    const engine = await Engine.open({ logDir: copy, liveness: { host: 'login-node' } });
    engine.ingest();
    assert.equal(engine.getRun('old').state, 'crashed');
    engine.close();
    const py = execFileSync('python3', ['-c', 'import sys, time; from runrewind import _logs; s = _logs.read_state(sys.argv[1]); print(s.live_version("old").is_running(time.time(), "login-node", _logs.pid_alive))', copy], { env: { ...process.env, PYTHONPATH: PYTHON_DIR }, encoding: 'utf8' }).trim();
    assert.equal(py, 'False');
  });

  it('does not trust a planted snapshot, even with a valid checksum of its own', async () => {
    const dir = tempDir();
    linearRun(dir, 3, { run: 'real' });
    const snapshotPath = path.join(dir, '.cache', 'cli-store.rrsnap');
    // A store that says a run exists which no log holds, written by someone without this user's key.
    const other = tempDir();
    linearRun(other, 3, { run: 'planted' });
    const forged = await openEngine(other);
    forged.ingest();
    const bytes = (forged as unknown as { db: { export(): Uint8Array } }).db.export();
    forged.close();
    const keyFile = path.join(tempDir(), 'attacker.key');
    fs.writeFileSync(keyFile, Buffer.alloc(32, 7));
    // The attacker's own key: the envelope is well formed and its MAC right for that key.
    const child = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'core', 'snapshot.js'))}).writeSnapshot(process.argv[1], ${SCHEMA_VERSION}, require('fs').readFileSync(process.argv[2]))`, snapshotPath, writeTemp(bytes)], { env: { ...process.env, RUNREWIND_SNAPSHOT_KEY: keyFile }, encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const engine = await Engine.open({ logDir: dir, snapshotPath });
    assert.match(engine.startupNote ?? '', /not written by this user/);
    engine.ingest();
    assert.deepEqual(engine.listRuns().map((r) => r.id), ['real']);
    // This user's own snapshot is used.
    engine.save();
    const again = await Engine.open({ logDir: dir, snapshotPath });
    assert.equal(again.startupNote, undefined);
    assert.deepEqual(again.listRuns().map((r) => r.id), ['real']);
    again.close();
    engine.close();
  });
});

function writeTemp(bytes: Uint8Array): string {
  const file = path.join(tempDir(), 'bytes');
  fs.writeFileSync(file, bytes);
  return file;
}
