// Upload throughput of the MLflow sync (issue 17): `runrewind sync` of one run whose logged artifact holds
// SMALL files of 64 KiB and LARGE files of LARGE_MB MiB, to a real MLflow server on PostgreSQL with its
// artifact proxy (scripts/mlflow-server.sh, started and stopped here), against MLflow's own Python client
// uploading the same files with log_artifacts (bench/mlflow_log_artifacts.py) to the same server in the
// same run of the benchmark, and the sync with one upload at a time. Rounds alternate; each goes to a
// fresh experiment. Prints MB/s and the ratio, and what a second sync with nothing new costs.
import { spawnSync } from 'node:child_process';
import { benchWithMlflowServer, fmt, median } from './mlflowServer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Engine } from '../src/core/engine';
import { DEFAULT_CONCURRENCY, syncStatePath, syncToMlflow } from '../src/core/sync/mlflowSync';

const ROOT = path.resolve(__dirname, '..', '..');
const SMALL = Number(process.env.RUNREWIND_BENCH_UPLOAD_SMALL ?? 200);
const LARGE = Number(process.env.RUNREWIND_BENCH_UPLOAD_LARGE ?? 4);
const LARGE_MB = Number(process.env.RUNREWIND_BENCH_UPLOAD_LARGE_MB ?? 16);
const ROUNDS = Number(process.env.RUNREWIND_BENCH_UPLOAD_ROUNDS ?? 3);

const MB = 1024 ** 2;

/** The files (random bytes, fixed seed) in `folder`, then a run that logs them as one artifact version. */
const MAKE = `
import os, random, sys
import runrewind
logs, folder, small, large, large_mb = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rng = random.Random(1)
os.makedirs(os.path.join(folder, "small"))
for i in range(small):
    with open(os.path.join(folder, "small", "part-%04d.bin" % i), "wb") as f:
        f.write(rng.randbytes(64 * 1024))
for i in range(large):
    with open(os.path.join(folder, "large-%d.bin" % i), "wb") as f:
        f.write(rng.randbytes(large_mb * 1024 * 1024))
run = runrewind.init(dir=logs, project="bench", id="bench", name="bench", settings=runrewind.Settings(console="off", x_disable_stats=True, x_disable_meta=True))
run.log({"loss": 1.0})
art = runrewind.Artifact("bench-files", type="dataset")
art.add_dir(folder)
run.log_artifact(art)
run.finish()
`;

benchWithMlflowServer('rr-bench-upload-', async ({ uri, python }, work) => {
  const dir = path.join(work, 'logs');
  const folder = path.join(work, 'files');
  const made = spawnSync('python3', ['-c', MAKE, dir, folder, String(SMALL), String(LARGE), String(LARGE_MB)], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: path.join(ROOT, 'python') } });
  if (made.status !== 0) throw new Error(`making the run failed: ${made.stderr}`);
  const files = SMALL + LARGE;
  const bytes = SMALL * 64 * 1024 + LARGE * LARGE_MB * MB;
  const engine = await Engine.open({ logDir: dir });
  engine.ingest();
  const ours: number[] = [];
  const serial: number[] = [];
  const theirs: number[] = [];
  // Warm-up, not counted: the server's first requests are slower.
  const warmup = `warmup-${Date.now().toString(36)}`;
  await syncToMlflow(engine, { uri, experiment: warmup, statePath: syncStatePath(path.join(work, 'warmup'), uri) });
  const first = `up-${Date.now().toString(36)}-0`;
  for (let round = 0; round < ROUNDS; round++) {
    const stamp = `${Date.now().toString(36)}-${round}`;
    const t = performance.now();
    const result = await syncToMlflow(engine, { uri, experiment: round === 0 ? first : `up-${stamp}`, statePath: syncStatePath(path.join(work, `state-${round}`), uri) });
    const seconds = (performance.now() - t) / 1000;
    if (result.files !== files || result.bytes !== bytes) throw new Error(`the sync uploaded ${result.files} files (${result.bytes} bytes), not ${files} (${bytes})`);
    ours.push(bytes / MB / seconds);
    const t1 = performance.now();
    await syncToMlflow(engine, { uri, experiment: `serial-${stamp}`, statePath: syncStatePath(path.join(work, `serial-${round}`), uri), concurrency: 1 });
    serial.push(bytes / MB / ((performance.now() - t1) / 1000));
    const py = spawnSync(python, [path.join(ROOT, 'bench', 'mlflow_log_artifacts.py'), uri, `py-${stamp}`, folder, 'artifacts/bench-files/v0'], { encoding: 'utf8' });
    if (py.status !== 0) throw new Error(`mlflow_log_artifacts.py failed: ${py.stderr}`);
    const baseline = JSON.parse(py.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as { files: number; bytes: number; seconds: number };
    if (baseline.bytes !== bytes || baseline.files !== files) throw new Error(`log_artifacts sent ${baseline.files} files (${baseline.bytes} bytes), not ${files} (${bytes})`);
    theirs.push(baseline.bytes / MB / baseline.seconds);
    process.stdout.write(`  round ${round + 1}: sync ${fmt(ours[round], 1)} MB/s (one upload at a time: ${fmt(serial[round], 1)}), MlflowClient.log_artifacts ${fmt(theirs[round], 1)} MB/s\n`);
  }
  // A second sync of the same run: nothing new, so no request.
  const t = performance.now();
  const again = await syncToMlflow(engine, { uri, experiment: first, statePath: syncStatePath(path.join(work, 'state-0'), uri) });
  const idle = performance.now() - t;
  // The state lost: the server's listings say every file is there.
  fs.rmSync(syncStatePath(path.join(work, 'state-0'), uri));
  const t2 = performance.now();
  const lost = await syncToMlflow(engine, { uri, experiment: first, statePath: syncStatePath(path.join(work, 'state-0'), uri) });
  const relist = performance.now() - t2;
  engine.close();
  const a = median(ours);
  const b = median(theirs);
  process.stdout.write(`\nMLflow sync uploads, ${files} files of ${fmt(bytes / MB, 1)} MB (${SMALL} × 64 KiB, ${LARGE} × ${LARGE_MB} MiB) to mlflow server on PostgreSQL with its artifact proxy, median of ${ROUNDS} rounds:\n`);
  process.stdout.write(`  runrewind sync:              ${fmt(a, 1)} MB/s (up to ${DEFAULT_CONCURRENCY} uploads at once)\n`);
  process.stdout.write(`  the same, one at a time:     ${fmt(median(serial), 1)} MB/s\n`);
  process.stdout.write(`  MlflowClient.log_artifacts:  ${fmt(b, 1)} MB/s\n`);
  process.stdout.write(`  ratio:                       ${(a / b).toFixed(2)}x\n`);
  process.stdout.write(`  sync again, nothing new:     ${fmt(idle, 1)} ms, ${again.requests} requests, ${again.files} uploads\n`);
  process.stdout.write(`  the same, state file lost:   ${fmt(relist, 1)} ms, ${lost.requests} requests, ${lost.files} uploads\n`);
});
