// The `mlflow` test stage, pull side: a real MLflow tracking server on PostgreSQL (scripts/mlflow-server.sh
// sets MLFLOW_TEST_URI / MLFLOW_TEST_PYTHON) as a source. Runs written by MLflow's own Python client
// (python/tests/mlflowpull/write_runs.py) are listed and read back value by value against what MlflowClient
// reads (python/tests/mlflowsync/read_back.py); a poll after new points asks only for them; a pulled run
// is forked; a 401 and a server that is down are problems naming the server, and what was read stays.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { RunInfo } from '../../src/core/api';
import { Engine } from '../../src/core/engine';
import { serverSource } from '../../src/core/importers/mlflowServer';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'bin', 'runrewind.js');
const URI = process.env.MLFLOW_TEST_URI ?? '';
const PYTHON = process.env.MLFLOW_TEST_PYTHON ?? '';
const T = Date.now().toString(36);

interface Written {
  experiment_id: string;
  plain: string;
  sweep: string;
  trial: string;
  dropped: string;
  live: string;
}

interface ServerRun {
  run_id: string;
  run_name: string;
  status: string;
  lifecycle_stage: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, Array<[number, number, number | string]>>;
}

function python(script: string, ...args: string[]): string {
  const r = spawnSync(PYTHON, [path.join(ROOT, 'python', 'tests', script), ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, `${script} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function write(...args: string[]): string {
  return python(path.join('mlflowpull', 'write_runs.py'), URI, ...args);
}

/** The experiment's runs as MlflowClient reads them. */
function readBack(name: string): ServerRun[] {
  const experiments = (JSON.parse(python(path.join('mlflowsync', 'read_back.py'), URI, name)) as { experiments: Array<{ name: string; runs: ServerRun[] }> }).experiments;
  return experiments.find((e) => e.name === name)?.runs ?? [];
}

function wire(value: number | string): number {
  return value === 'NaN' ? Number.NaN : value === 'Infinity' ? Infinity : value === '-Infinity' ? -Infinity : Number(value);
}

/**
 * Every key of every run of the experiment, as Run Rewind shows it, equals what MlflowClient reads: one
 * point per step holding the last value logged there (MLflow's charts), the step's earliest time.
 */
function assertSameValues(engine: Engine, experiment: string, byMlflowId: Map<string, RunInfo>): number {
  let compared = 0;
  for (const server of readBack(experiment)) {
    if (server.lifecycle_stage === 'deleted') continue;
    const run = byMlflowId.get(server.run_id);
    assert.ok(run, `MLflow run ${server.run_name} is listed`);
    const times = new Map<number, number>();
    for (const points of Object.values(server.metrics)) for (const [step, ts] of points) times.set(step, Math.min(times.get(step) ?? Infinity, ts / 1000));
    const keys = engine.metricKeys(run.liveVersion).filter((k) => k.numeric).map((k) => k.key).sort();
    assert.deepEqual(keys, Object.keys(server.metrics).sort(), `the keys of ${server.run_name}`);
    for (const [key, points] of Object.entries(server.metrics)) {
      const last = new Map<number, number>();
      for (const [step, , value] of points) last.set(step, wire(value));
      const series = engine.series(run.liveVersion, key, undefined, true);
      const got = [...series.steps].map((step, i) => [step, series.values[i], series.times![i]]);
      const want = [...last.entries()].sort((a, b) => a[0] - b[0]).map(([step, value]) => [step, value, times.get(step)!]);
      assert.deepEqual(got, want, `every step of ${server.run_name} ${key}, value by value`);
      compared += got.length;
    }
  }
  return compared;
}

/** The listed runs pulled from MLflow, by MLflow run id (the origin names it). */
function pulled(engine: Engine, experiment: string): Map<string, RunInfo> {
  const out = new Map<string, RunInfo>();
  for (const run of engine.listRuns()) {
    if (run.project !== experiment || !run.origin) continue;
    assert.equal(run.origin.kind, 'mlflow');
    out.set(run.origin.path.split('/runs/')[1], run);
  }
  return out;
}

/** A stand-in in front of the real server: passes requests on, or answers 401, as the test says. */
function proxy(): Promise<{ uri: string; mode: { deny: boolean }; close: () => Promise<void> }> {
  const target = new URL(URI);
  const mode = { deny: false };
  const server = http.createServer((req, res) => {
    if (mode.deny) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_code: 'UNAUTHENTICATED', message: 'You are not authenticated.' }));
      return;
    }
    const forward = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mode,
    close: () => new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
  })));
}

describe('an MLflow server as a source (a real MLflow server on PostgreSQL)', function () {
  this.timeout(300_000);
  let root: string;
  const experiment = `pull${T}`;
  let ids: Written;

  before(function () {
    assert.ok(URI && PYTHON, 'MLFLOW_TEST_URI and MLFLOW_TEST_PYTHON are set by scripts/mlflow-server.sh');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rr-pull-'));
    // MLflow's client prints links to its UI on stdout; the ids are the last line.
    ids = JSON.parse(write('setup', experiment).trim().split('\n').pop()!) as Written;
  });

  after(function () {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('lists the runs MLflow\'s client wrote, values as MlflowClient reads them; a poll asks only for new points', async function () {
    // Limited to this test's experiment: the server also holds the sync tests' (and older runs').
    const engine = await Engine.open({ logDir: path.join(root, 'logs'), sources: [serverSource(URI, [experiment])], importHoldSeconds: 0 });
    try {
      const first = await engine.pull();
      assert.deepEqual(first.problems, []);
      engine.ingest();
      const runs = pulled(engine, experiment);
      assert.deepEqual([...runs.values()].map((r) => r.name).sort(), ['live', 'plain', 'sweep', 'trial-1'], 'the deleted run is left out');
      assert.ok(!runs.has(ids.dropped));
      assert.deepEqual(engine.listRuns().filter((r) => r.project !== experiment), [], 'only the experiment named');
      const plain = engine.getRun(runs.get(ids.plain)!.id);
      assert.deepEqual(plain.config, { layers: '4', lr: '0.001', optimizer: 'adam' }, 'params are the config, strings as MLflow keeps them');
      assert.deepEqual([...plain.tags].sort(), ['empty', 'team: vision'], 'non-system tags');
      assert.equal(plain.state, 'finished');
      assert.equal(engine.getRun(runs.get(ids.sweep)!.id).state, 'failed');
      assert.equal(engine.runsTable({ runs: [runs.get(ids.trial)!.id] }).rows[0].group, 'sweep', 'a nested run is grouped under its parent');
      assert.equal(engine.getRun(runs.get(ids.trial)!.id).forkedFrom, null, 'not a fork: its steps are its own');
      assert.equal(engine.getRun(runs.get(ids.live)!.id).state, 'running');
      assert.equal(engine.series(runs.get(ids.plain)!.liveVersion, 'loss').values[3], 42, 'a step logged twice shows the later value');
      assert.equal(assertSameValues(engine, experiment, runs), 300 + 300 + 30 + 10 + 2 * 50, "points compared");

      // Nothing new: the server is asked for its runs, never for points.
      const idle = await engine.pull();
      assert.deepEqual({ changed: idle.changed, history: idle.historyRequests, points: idle.points }, { changed: 0, history: 0, points: 0 });

      // The live run logs 30 more steps of 2 keys: one request per key, exactly the 60 new points.
      write('more', ids.live, '50', '80');
      const poll = await engine.pull();
      assert.deepEqual({ changed: poll.changed, history: poll.historyRequests, points: poll.points }, { changed: 1, history: 2, points: 60 });
      const polled = engine.ingest();
      assert.ok(polled.changedRuns.includes(runs.get(ids.live)!.id));
      assert.deepEqual(engine.getRun(runs.get(ids.live)!.id).versions.map((v) => [v.kind, v.lastStep]), [['new', 79]], 'new points continue the run (no rewind)');
      assertSameValues(engine, experiment, pulled(engine, experiment));

      write('more', ids.live, '80', '100');
      write('finish', ids.live);
      const last = await engine.pull();
      assert.deepEqual({ history: last.historyRequests, points: last.points }, { history: 2, points: 40 });
      engine.ingest();
      const live = engine.getRun(runs.get(ids.live)!.id);
      assert.equal(live.state, 'finished');
      assert.equal(live.versions.length, 1, 'growing is not a rewind');
      assertSameValues(engine, experiment, pulled(engine, experiment));

      // More new points of a key than MLflow answers unsampled (2,500): asked for again in halves.
      write('more', ids.live, '100', '2700');
      const big = await engine.pull();
      assert.deepEqual({ history: big.historyRequests, points: big.points }, { history: 6, points: 2 * 2500 + 2 * 2600 });
      engine.ingest();
      assert.equal(engine.getRun(runs.get(ids.live)!.id).versions[0].lastStep, 2699);
      assertSameValues(engine, experiment, pulled(engine, experiment));

      // Resumed after it ended, logging steps 10..19 again: read whole again, and a rewind before step 10
      // (the content read before kept as the archived version), as for MLflow's SQLite store. Where it
      // branches is as exact as snapshot.ts's marks (every 256 rows): here, before the first row.
      write('resume', ids.live, '10', '20');
      const resumed = await engine.pull();
      assert.equal(resumed.points, 2 * 2700 + 10, 'both keys read whole again');
      engine.ingest();
      const rewound = engine.getRun(runs.get(ids.live)!.id);
      assert.deepEqual(rewound.versions.map((v) => [v.kind, v.archived, v.lastStep]), [['rewind', false, 2699], ['new', true, 2699]]);
      assert.ok(rewound.versions[0].branchStep! <= 9);
      assert.equal(engine.series(rewound.versions[1].id, 'loss', { from: 12, to: 12 }).values[0], 1 / 13, 'the archived version keeps what was read before');
      assert.equal(engine.series(rewound.versions[0].id, 'loss', { from: 12, to: 12 }).values[0], -13, 'the live one has the values logged again');
      assert.equal(rewound.state, 'running');
      assertSameValues(engine, experiment, pulled(engine, experiment));
    } finally {
      engine.close();
    }
  });

  it('forks a pulled run at a step: the op goes to our log directory, the fork inherits the steps up to it', async function () {
    const logDir = path.join(root, 'fork-logs');
    const engine = await Engine.open({ logDir, sources: [serverSource(URI, [experiment])], importHoldSeconds: 0 });
    try {
      await engine.pull();
      engine.ingest();
      const source = pulled(engine, experiment).get(ids.plain)!;
      const fork = engine.fork(source.id, 100, { name: 'from-server' });
      assert.equal(fork.run.forkedFrom?.run, source.id);
      assert.equal(fork.run.forkedFrom?.step, 100);
      assert.ok(fs.readdirSync(path.join(logDir, 'ops')).length > 0, 'the fork is an op in our log directory');
      const inherited = engine.series(fork.version, 'loss');
      const original = engine.series(source.liveVersion, 'loss', { from: 0, to: 100 });
      assert.deepEqual([...inherited.steps], [...original.steps]);
      assert.deepEqual([...inherited.values], [...original.values]);
    } finally {
      engine.close();
    }
    // A new reader (the command line) finds the fork again from the op and the server.
    const r = spawnSync(process.execPath, [CLI, 'list', '--dir', logDir, '--source', URI, '--experiment', experiment, '--json', '--no-cache'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const listed = JSON.parse(r.stdout) as Array<{ name: string; forked_from: unknown; last_step: number }>;
    const fork = listed.find((x) => x.name === 'from-server');
    assert.equal(fork?.last_step, 100);
  });

  it('keeps what it read beside the store\'s snapshot: a new process downloads no point again, then only new ones', async function () {
    const logDir = path.join(root, 'cache-logs');
    const snapshotPath = path.join(root, 'cache', 'store.sqlite');
    const source = serverSource(URI, [experiment]);
    const first = await Engine.open({ logDir, sources: [source], importHoldSeconds: 0, snapshotPath });
    const read = await first.pull();
    assert.ok(read.points > 5000);
    first.close();
    assert.ok(fs.readdirSync(`${snapshotPath}.mlflow`).length > 0, 'the cache is beside the snapshot');
    const second = await Engine.open({ logDir, sources: [source], importHoldSeconds: 0, snapshotPath });
    try {
      const again = await second.pull();
      assert.deepEqual({ history: again.historyRequests, points: again.points, changed: again.changed }, { history: 0, points: 0, changed: 4 });
      second.ingest();
      assert.equal(pulled(second, experiment).size, 4);
      assertSameValues(second, experiment, pulled(second, experiment));
      write('more', ids.plain, '300', '310');
      const more = await second.pull();
      assert.deepEqual({ history: more.historyRequests, points: more.points }, { history: 2, points: 20 });
    } finally {
      second.close();
    }
  });

  it('lists and reads history from the command line with --source http://…', function () {
    const dir = path.join(root, 'cli-logs');
    const list = spawnSync(process.execPath, [CLI, 'list', '--dir', dir, '--source', URI, '--experiment', experiment, '--json'], { encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    const trial = (JSON.parse(list.stdout) as Array<{ id: string; name: string; project: string; origin?: { kind: string } }>).find((r) => r.project === experiment && r.name === 'trial-1');
    assert.equal(trial?.origin?.kind, 'mlflow');
    const history = spawnSync(process.execPath, [CLI, 'history', trial!.id, '--dir', dir, '--source', URI, '--experiment', experiment, '--csv'], { encoding: 'utf8' });
    assert.equal(history.status, 0, history.stderr);
    const lines = history.stdout.trim().split('\n');
    assert.equal(lines.length, 11);
    assert.match(lines[1], /^0,.*,0\.5$/);
  });

  it('a 401 and a server that is down are problems naming the server; what was read stays', async function () {
    const front = await proxy();
    const engine = await Engine.open({ logDir: path.join(root, 'down-logs'), sources: [serverSource(front.uri, [experiment])], importHoldSeconds: 0 });
    try {
      assert.deepEqual((await engine.pull()).problems, []);
      engine.ingest();
      const before = pulled(engine, experiment).size;
      assert.equal(before, 4);

      front.mode.deny = true;
      const denied = await engine.pull();
      assert.equal(denied.problems.length, 1);
      assert.match(denied.problems[0], new RegExp(`the runs of the MLflow server ${front.uri} could not be read \\(.*answered 401 Unauthorized to POST experiments/search: UNAUTHENTICATED: You are not authenticated.*Set MLflow Server Token`));
      engine.ingest();
      assert.equal(pulled(engine, experiment).size, before, 'the runs read before are still listed');
      assert.equal(engine.diagnostics().filter((d) => d.file === front.uri).length, 1, 'shown with the other problems');

      front.mode.deny = false;
      assert.deepEqual((await engine.pull()).problems, []);
      assert.equal(engine.diagnostics().filter((d) => d.file === front.uri).length, 0, 'gone once the server answers');

      await front.close();
      const down = await engine.pull();
      assert.match(down.problems[0], new RegExp(`the runs of the MLflow server ${front.uri} could not be read \\(could not reach the MLflow server at ${front.uri} \\(ECONNREFUSED\\)`));
      engine.ingest();
      assert.equal(pulled(engine, experiment).size, before);
    } finally {
      engine.close();
      await front.close().catch(() => undefined);
    }
    // The command line says so on stderr and still lists what it has (here: nothing), exit 0.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = spawnSync(process.execPath, [CLI, 'list', '--dir', path.join(root, 'nothing'), '--source', `http://127.0.0.1:${port}`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`warning: the runs of the MLflow server http://127.0.0.1:${port} could not be read \\(could not reach`));
  });

  it('a run our own sync pushed is listed once: from the local logs when they hold it', async function () {
    const dir = path.join(root, 'synced');
    const project = `pullsync${T}`;
    const made = spawnSync('python3', ['-c', `import runrewind\nr = runrewind.init(dir=${JSON.stringify(dir)}, project=${JSON.stringify(project)}, id="mine", name="mine")\nfor s in range(5): r.log({"loss": 1.0 / (s + 1)})\nr.finish()`], {
      encoding: 'utf8', env: { ...process.env, PYTHONPATH: path.join(ROOT, 'python'), RUNREWIND_CONSOLE: 'off', RUNREWIND_STATS: 'off', RUNREWIND_META: 'off' },
    });
    assert.equal(made.status, 0, made.stderr);
    const sync = spawnSync(process.execPath, [CLI, 'sync', '--dir', dir, '--mlflow', URI], { encoding: 'utf8' });
    assert.equal(sync.status, 0, sync.stderr);
    const list = (logDir: string): Array<{ id: string; project: string; origin?: unknown }> => {
      const r = spawnSync(process.execPath, [CLI, 'list', '--dir', logDir, '--source', `${URI}#experiment=${project}`, '--json', '--no-cache'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return (JSON.parse(r.stdout) as Array<{ id: string; project: string; origin?: unknown }>).filter((x) => x.project === project);
    };
    assert.deepEqual(list(dir).map((x) => [x.id, x.origin === undefined]), [['mine', true]], 'our own run, not its pushed copy');
    const elsewhere = list(path.join(root, 'teammate'));
    assert.equal(elsewhere.length, 1, 'a reader without those logs sees the pushed copy');
    assert.ok(elsewhere[0].origin);
  });
});
