// Sync throughput (issue 17): `runrewind sync` of one run of KEYS × STEPS points to a real MLflow server on
// PostgreSQL (scripts/mlflow-server.sh, started and stopped here), against MLflow's own Python client
// logging the same points with log_batch (bench/mlflow_log_batch.py) to the same server in the same run
// of the benchmark, and the sync with one request at a time. Rounds alternate; each goes to a fresh
// experiment. Prints points/s and the ratio. Then the pull side: the server's runs read into a store
// (a source that is the server, src/core/importers/mlflowServer.ts) against MlflowClient.get_metric_history
// of the same run (bench/mlflow_get_history.py), and a second pull with nothing new.
import { spawnSync } from 'node:child_process';
import { benchWithMlflowServer, fmt, median } from './mlflowServer';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Engine } from '../src/core/engine';
import { DEFAULT_CONCURRENCY, syncStatePath, syncToMlflow } from '../src/core/sync/mlflowSync';
import { LogWriter } from '../src/core/writer';

const ROOT = path.resolve(__dirname, '..', '..');
const KEYS = Number(process.env.RUNREWIND_BENCH_SYNC_KEYS ?? 10);
const STEPS = Number(process.env.RUNREWIND_BENCH_SYNC_STEPS ?? 5_000);
const ROUNDS = Number(process.env.RUNREWIND_BENCH_SYNC_ROUNDS ?? 3);
const T0 = 1_700_000_000;

/** The run both sides send: key k at step s is sin(s / 100 + k) * (k + 1), at T0 + s / 1000 s. */
function logRun(dir: string): void {
  let step = 0;
  const w = new LogWriter({ dir, run: 'bench', name: 'bench', project: 'bench', heartbeat: 0, buffered: true, clock: () => T0 + step / 1000, config: { lr: 0.001, batch: 64 } });
  for (; step < STEPS; step++) {
    const data: Record<string, number> = {};
    for (let k = 0; k < KEYS; k++) data[`key_${k}`] = Math.sin(step / 100 + k) * (k + 1);
    w.log(data, step);
  }
  w.finish();
}

benchWithMlflowServer('rr-bench-sync-', async ({ uri, python }, work) => {
  const dir = path.join(work, 'logs');
  logRun(dir);
  const engine = await Engine.open({ logDir: dir });
  engine.ingest();
  const points = KEYS * STEPS;
  const ours: number[] = [];
  const theirs: number[] = [];
  const serial: number[] = [];
  let batches = 0;
  // Warm-up, not counted: the server's first requests (connection pool, query plans) are slower.
  const warmup = `warmup-${Date.now().toString(36)}`;
  await syncToMlflow(engine, { uri, experiment: warmup, statePath: syncStatePath(path.join(work, 'warmup'), uri) });
  // Pull, while the server holds only that run: every point of it read into a fresh store each round.
  const pulls: number[] = [];
  const applies: number[] = [];
  const gets: number[] = [];
  let pullRequests = 0;
  let idlePull = { ms: 0, requests: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const reader = await Engine.open({ logDir: path.join(work, `pull-${round}`), sources: [uri], importHoldSeconds: 0 });
    const t = performance.now();
    const pulled = await reader.pull();
    const pullSeconds = (performance.now() - t) / 1000;
    if (pulled.points !== points || pulled.problems.length > 0) throw new Error(`the pull read ${pulled.points} points, not ${points}: ${pulled.problems.join('; ')}`);
    const t1 = performance.now();
    reader.ingest();
    applies.push(points / ((performance.now() - t1) / 1000));
    pulls.push(points / pullSeconds);
    pullRequests = pulled.requests;
    const t2 = performance.now();
    const again = await reader.pull();
    idlePull = { ms: performance.now() - t2, requests: again.requests };
    reader.close();
    const py = spawnSync(python, [path.join(ROOT, 'bench', 'mlflow_get_history.py'), uri, warmup], { encoding: 'utf8' });
    if (py.status !== 0) throw new Error(`mlflow_get_history.py failed: ${py.stderr}`);
    const baseline = JSON.parse(py.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as { points: number; seconds: number };
    if (baseline.points !== points) throw new Error(`get_metric_history read ${baseline.points} points, not ${points}`);
    gets.push(baseline.points / baseline.seconds);
    process.stdout.write(`  pull round ${round + 1}: ${fmt(pulls[round])} points/s (then applied at ${fmt(applies[round])} points/s), MlflowClient.get_metric_history ${fmt(gets[round])} points/s\n`);
  }
  const first = `sync-${Date.now().toString(36)}-0`;
  for (let round = 0; round < ROUNDS; round++) {
    const stamp = `${Date.now().toString(36)}-${round}`;
    const t = performance.now();
    const result = await syncToMlflow(engine, { uri, experiment: round === 0 ? first : `sync-${stamp}`, statePath: syncStatePath(path.join(work, `state-${round}`), uri) });
    const seconds = (performance.now() - t) / 1000;
    if (result.points !== points) throw new Error(`the sync sent ${result.points} points, not ${points}`);
    batches = result.batches;
    ours.push(points / seconds);
    const t1 = performance.now();
    await syncToMlflow(engine, { uri, experiment: `serial-${stamp}`, statePath: syncStatePath(path.join(work, `serial-${round}`), uri), concurrency: 1 });
    serial.push(points / ((performance.now() - t1) / 1000));
    const py = spawnSync(python, [path.join(ROOT, 'bench', 'mlflow_log_batch.py'), uri, `py-${stamp}`, String(KEYS), String(STEPS), String(T0)], { encoding: 'utf8' });
    if (py.status !== 0) throw new Error(`mlflow_log_batch.py failed: ${py.stderr}`);
    // MLflow's client prints its own lines ("View run …") to stdout: the figures are the last line.
    const baseline = JSON.parse(py.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as { points: number; seconds: number };
    theirs.push(baseline.points / baseline.seconds);
    process.stdout.write(`  round ${round + 1}: sync ${fmt(ours[round])} points/s (one request at a time: ${fmt(serial[round])}), MlflowClient.log_batch ${fmt(theirs[round])} points/s\n`);
  }
  // A second sync of the same run: nothing new, so no request.
  const t = performance.now();
  const again = await syncToMlflow(engine, { uri, experiment: first, statePath: syncStatePath(path.join(work, 'state-0'), uri), runs: ['bench'] });
  const idle = performance.now() - t;
  engine.close();
  const a = median(ours);
  const b = median(theirs);
  process.stdout.write(`\nMLflow sync, ${fmt(points)} points (${KEYS} keys × ${fmt(STEPS)} steps) to mlflow server on PostgreSQL, median of ${ROUNDS} rounds:\n`);
  process.stdout.write(`  runrewind sync:              ${fmt(a)} points/s (${batches} log-batch requests, up to ${DEFAULT_CONCURRENCY} at once)\n`);
  process.stdout.write(`  the same, one at a time:     ${fmt(median(serial))} points/s\n`);
  process.stdout.write(`  MlflowClient.log_batch:      ${fmt(b)} points/s (1,000 metrics a request)\n`);
  process.stdout.write(`  ratio:                       ${(a / b).toFixed(2)}x\n`);
  process.stdout.write(`  sync again, nothing new:     ${fmt(idle, 1)} ms, ${again.requests} requests\n`);
  process.stdout.write(`\nPull of the same ${fmt(points)} points from the server into a store, median of ${ROUNDS} rounds:\n`);
  process.stdout.write(`  pull (REST, into memory):    ${fmt(median(pulls))} points/s (${pullRequests} requests)\n`);
  process.stdout.write(`  then applied to the store:   ${fmt(median(applies))} points/s\n`);
  process.stdout.write(`  MlflowClient.get_metric_history: ${fmt(median(gets))} points/s (one call per key)\n`);
  process.stdout.write(`  ratio (pull / get_metric_history): ${(median(pulls) / median(gets)).toFixed(2)}x\n`);
  process.stdout.write(`  pull again, nothing new:     ${fmt(idlePull.ms, 1)} ms, ${idlePull.requests} requests (listing only)\n`);
});
