// The `mlflow` test stage: `runrewind sync --mlflow` against a real MLflow tracking server on PostgreSQL
// (scripts/mlflow-server.sh starts both and sets MLFLOW_TEST_URI / MLFLOW_TEST_PYTHON), every result
// read back with MLflow's own Python client (python/tests/mlflowsync/read_back.py) and compared value by value.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Engine } from '../../src/core/engine';
import { syncStatePath } from '../../src/core/sync/mlflowSync';
import { ROOT, URI, assertServerHasEverything, experiment, serverSuite } from './serverHelpers';

const CLI = path.join(ROOT, 'bin', 'runrewind.js');
/** Projects (so experiments) of this run of the tests: a server kept between runs never mixes them. */
const T = Date.now().toString(36);

function makeRuns(dir: string, ...args: string[]): void {
  const r = spawnSync('python3', [path.join(ROOT, 'python', 'tests', 'mlflowsync', 'make_runs.py'), dir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: path.join(ROOT, 'python'), RUNREWIND_CONSOLE: 'off', RUNREWIND_STATS: 'off', RUNREWIND_META: 'off' },
  });
  assert.equal(r.status, 0, `make_runs.py ${args.join(' ')} failed: ${r.stderr}`);
}

interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking this process: a stand-in server in the test itself must answer meanwhile. */
function cliAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

interface SyncJson {
  versions: Array<{ run: string; version: string; archived: boolean; experiment: string; mlflow_run_id: string; points: number; unchanged: boolean }>;
  created: number;
  points: number;
  batches: number;
  requests: number;
  warnings: string[];
}

function sync(dir: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): SyncJson {
  const r = cli(['sync', '--dir', dir, '--mlflow', URI, '--json', ...extra], env);
  assert.equal(r.status, 0, `runrewind sync failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as SyncJson;
}

describe('runrewind sync --mlflow (a real MLflow server on PostgreSQL)', function () {
  this.timeout(300_000);
  const root = serverSuite('rr-mlflow-');

  it('sends a plain run, a rewound run with its archived version and a fork whole, read back by MlflowClient value by value', async function () {
    const dir = path.join(root(), 'lineage');
    makeRuns(dir, `lin${T}`, 'lineage');
    const result = sync(dir);
    assert.equal(result.versions.length, 4);
    assert.equal(result.created, 4);
    const byVersion = await assertServerHasEverything(dir, `lin${T}`);

    const engine = await Engine.open({ logDir: dir });
    engine.ingest();
    const base = engine.getRun(`lin${T}-base`);
    const archived = base.versions.find((v) => v.archived)!;
    const fork = engine.getRun(`lin${T}-fork`);
    engine.close();
    const live = byVersion.get(base.version.id)!;
    const old = byVersion.get(archived.id)!;
    const forked = byVersion.get(fork.version.id)!;
    const plain = [...byVersion.values()].find((r) => r.tags['runrewind.run_id'] === `lin${T}-plain`)!;

    // Lineage: the live version and the fork point at the MLflow runs of the versions they branched from.
    assert.equal(live.tags['mlflow.parentRunId'], old.run_id);
    assert.equal(live.tags['runrewind.source_run'], `lin${T}-base`);
    assert.equal(live.tags['runrewind.branch_step'], '200');
    assert.equal(old.tags['mlflow.parentRunId'], undefined);
    assert.equal(old.tags['runrewind.archived'], 'true');
    assert.equal(forked.tags['mlflow.parentRunId'], live.run_id);
    assert.equal(forked.tags['runrewind.forked_from'], `lin${T}-base@250`);
    assert.equal(forked.tags['runrewind.source_run'], `lin${T}-base`);
    assert.equal(forked.status, 'FAILED');
    // The fork carries its inherited history: steps 0..250 of the rewound live version, then its own.
    assert.deepEqual(forked.metrics.loss.map((p) => p[0]), [...Array(251).keys(), ...Array.from({ length: 29 }, (_, i) => 251 + i)]);
    assert.deepEqual(forked.metrics.loss.slice(0, 251), live.metrics.loss.slice(0, 251));
    assert.deepEqual(live.metrics.loss.slice(0, 201), old.metrics.loss.slice(0, 201));
    assert.equal(live.metrics.loss.length, 260);
    assert.equal(old.metrics.loss.length, 300);
    // NaN and the infinities, and a key MLflow refuses renamed (the mapping in a tag).
    assert.deepEqual(old.metrics.odd_key_.slice(4, 9).map((p) => p[2]), [2, 'NaN', Number.MAX_VALUE, -Number.MAX_VALUE, 4]);
    assert.deepEqual(JSON.parse(old.tags['runrewind.renamed_metrics']), { 'odd(key)': 'odd_key_' });
    // Booleans as 1 and 0; strings are not metrics.
    assert.deepEqual(plain.metrics.flag.slice(0, 3).map((p) => p[2]), [1, 0, 1]);
    assert.equal(plain.metrics.phase, undefined);

    // Params: config flattened, JSON for non-strings, a 12,007-character value split over three params.
    assert.deepEqual(old.params, {
      lr: '0.001', 'opt.name': 'adam', 'opt.betas': '[0.9,0.99]', long: 'x'.repeat(6000), 'long.part2': 'y'.repeat(6000), 'long.part3': 'zzzzzzz',
      'bad key_1_': 'true', none: 'null',
    });
    assert.deepEqual(JSON.parse(old.tags['runrewind.split_params']), { long: 3 });
    assert.deepEqual(JSON.parse(old.tags['runrewind.renamed_params']), { 'bad key(1)': 'bad key_1_' });
    assert.equal(forked.params.lr, '0.0005');
    assert.equal(forked.params['opt.name'], 'adam');
    assert.deepEqual(plain.params, { lr: '0.01', epochs: '3' });
    // Tags, notes, summary values the history does not hold.
    assert.equal(old.tags['mlflow.note.content'], 'first try');
    assert.deepEqual(JSON.parse(old.tags['runrewind.tags']), ['baseline', 'team a']);
    assert.equal(old.tags.baseline, '');
    assert.equal(old.tags['team a'], '');
    assert.equal(old.tags['runrewind.summary.note'], 'kept');
    assert.deepEqual(old.metrics.best_acc.map((p) => p[2]), [0.97]);

    // A second sync with nothing new asks nothing of the server.
    const again = sync(dir);
    assert.deepEqual({ points: again.points, batches: again.batches, requests: again.requests, created: again.created }, { points: 0, batches: 0, requests: 0, created: 0 });
    assert.ok(again.versions.every((v) => v.unchanged));

    // New rows of the live version: exactly those points go, to the same MLflow run.
    makeRuns(dir, `lin${T}`, 'more', `lin${T}-base`, '5');
    const more = sync(dir);
    assert.equal(more.points, 10);
    assert.equal(more.created, 0);
    assert.deepEqual(more.versions.filter((v) => !v.unchanged).map((v) => v.version), [base.version.id]);
    const after = await assertServerHasEverything(dir, `lin${T}`);
    assert.equal(after.get(base.version.id)!.run_id, live.run_id);
    assert.equal(after.get(base.version.id)!.metrics.loss.length, 265);
  });

  it('a sync killed right after the server took a batch, run again, leaves exactly one copy of every point', async function () {
    const dir = path.join(root(), 'killed');
    makeRuns(dir, `kill${T}`, 'big', '3000');
    // SIGKILL after the 4th batch: the server has it, the state file does not say so.
    const killed = cli(['sync', '--dir', dir, '--mlflow', URI, '--json'], { RUNREWIND_SYNC_TEST_KILL_AFTER_BATCHES: '4' });
    assert.equal(killed.signal, 'SIGKILL');
    const partial = experiment(`kill${T}`).runs;
    assert.equal(partial.length, 1);
    const sent = Object.values(partial[0].metrics).reduce((n, points) => n + points.length, 0);
    assert.ok(sent > 0 && sent < 15_000, `part of the points arrived before the kill (${sent})`);

    const resumed = sync(dir);
    assert.equal(resumed.created, 0, 'the MLflow run made before the kill is reused');
    assert.equal(resumed.points, 15_000 - sent, 'only the missing points are sent');
    await assertServerHasEverything(dir, `kill${T}`);

    const nothing = sync(dir);
    assert.deepEqual({ points: nothing.points, requests: nothing.requests }, { points: 0, requests: 0 });
  });

  it('killed twice and the state file lost: the version tag finds the MLflow run, the server says what it has', async function () {
    const dir = path.join(root(), 'lost');
    makeRuns(dir, `lost${T}`, 'big', '2000');
    makeRuns(dir, `lost${T}`, 'lineage');
    const state = syncStatePath(dir, URI);
    const first = cli(['sync', '--dir', dir, '--mlflow', URI], { RUNREWIND_SYNC_TEST_KILL_AFTER_BATCHES: '3' });
    assert.equal(first.signal, 'SIGKILL');
    fs.rmSync(state, { force: true });
    const second = cli(['sync', '--dir', dir, '--mlflow', URI], { RUNREWIND_SYNC_TEST_KILL_AFTER_BATCHES: '4' });
    assert.equal(second.signal, 'SIGKILL');
    fs.rmSync(state, { force: true });
    const third = sync(dir);
    assert.ok(third.points > 0);
    await assertServerHasEverything(dir, `lost${T}`);
  });

  it('--experiment and RUN choose where and what; a fork brings its source along', async function () {
    const dir = path.join(root(), 'choose');
    makeRuns(dir, `ch${T}`, 'lineage');
    const result = sync(dir, ['--experiment', `chosen${T}`, `ch${T}-fork`]);
    // The fork, the rewound run's live version it forked from, and the archived version before that.
    assert.deepEqual(result.versions.map((v) => v.run).sort(), [`ch${T}-base`, `ch${T}-base`, `ch${T}-fork`]);
    const exp = experiment(`chosen${T}`);
    assert.equal(exp.runs.length, 3);
    const project = await fetch(`${URI}/api/2.0/mlflow/experiments/get-by-name?experiment_name=ch${T}`);
    assert.equal(project.status, 404, 'nothing went to the project experiment');
  });

  it('says what was wrong: a bad URI, an unreachable server, a refusal with the server\'s own message, credentials as MLflow sends them', async function () {
    const dir = path.join(root(), 'errors');
    makeRuns(dir, `err${T}`, 'big', '3');
    const bad = cli(['sync', '--dir', dir, '--mlflow', 'file:///tmp/mlruns']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /not an http:\/\/ or https:\/\/ address of a tracking server/);
    const missing = cli(['sync', '--dir', dir]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /sync needs --mlflow URI/);

    // A port nobody listens on.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = cli(['sync', '--dir', dir, '--mlflow', `http://127.0.0.1:${port}`]);
    assert.equal(unreachable.status, 1);
    assert.match(unreachable.stderr, new RegExp(`could not reach the MLflow server at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));

    // A server that wants credentials: its answer is shown, and what the sync sent is what MLflow's client sends.
    const seen: string[] = [];
    const guarded = http.createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_code: 'UNAUTHENTICATED', message: 'You are not authenticated. Please see the docs.' }));
    });
    await new Promise<void>((resolve) => guarded.listen(0, '127.0.0.1', resolve));
    const guardedUri = `http://127.0.0.1:${(guarded.address() as AddressInfo).port}`;
    try {
      const denied = await cliAsync(['sync', '--dir', dir, '--mlflow', guardedUri], { MLFLOW_TRACKING_TOKEN: 'tok-123', MLFLOW_TRACKING_USERNAME: '', MLFLOW_TRACKING_PASSWORD: '' });
      assert.equal(denied.status, 1);
      assert.match(denied.stderr, /answered 401 Unauthorized to GET experiments\/get-by-name: UNAUTHENTICATED: You are not authenticated\. Please see the docs\. \(the server wants credentials/);
      await cliAsync(['sync', '--dir', dir, '--mlflow', guardedUri], { MLFLOW_TRACKING_TOKEN: 'tok-123', MLFLOW_TRACKING_USERNAME: 'ann', MLFLOW_TRACKING_PASSWORD: 'pw:1' });
      assert.deepEqual(seen, ['Bearer tok-123', `Basic ${Buffer.from('ann:pw:1').toString('base64')}`]);
    } finally {
      await new Promise<void>((resolve) => guarded.close(() => resolve()));
    }

    // The real server's refusal: an experiment deleted there.
    const del = await fetch(`${URI}/api/2.0/mlflow/experiments/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `gone${T}` }) });
    const { experiment_id: gone } = (await del.json()) as { experiment_id: string };
    await fetch(`${URI}/api/2.0/mlflow/experiments/delete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experiment_id: gone }) });
    const deleted = cli(['sync', '--dir', dir, '--mlflow', URI, '--experiment', `gone${T}`]);
    assert.equal(deleted.status, 1);
    assert.match(deleted.stderr, new RegExp(`the MLflow experiment "gone${T}" is deleted on http://127\\.0\\.0\\.1:\\d+: restore it`));
  });
});
