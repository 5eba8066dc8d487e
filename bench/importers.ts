// Importing other tools' logs (issue 15), against their own readers in the same run. Prints; asserts nothing.
//   1. A TensorBoard event file of N scalars (1M by default; RUNREWIND_BENCH_TB_POINTS=10000000 for the
//      issue's 10M) read by our importer against TensorBoard's own loader (EventAccumulator with no size
//      limit, in the peers venv) on the same file.
//   2. A 1 GB event file (RUNREWIND_BENCH_TB_GB; 0 leaves it out) imported in a fresh child process: time
//      and peak memory (the store's database lives in wasm memory and grows with the points it holds).
//   3. One MLflow run of 1M metric points (RUNREWIND_BENCH_MLFLOW_POINTS; 0 leaves it out), as a file store
//      and as mlflow.db, imported by us against MlflowClient.get_metric_history (the mlflow venv).
//   4. Live: torch's SummaryWriter logging a step every 0.5 s with flush(), to the step being in the store,
//      polled as the extension polls its sources (every runRewind.pollInterval, 2 s by default) and every
//      500 ms and 100 ms (the store's own share).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { StoreClient } from '../src/core/client';
import { Engine } from '../src/core/engine';
import { encodeRecordFrame } from '../src/core/importers/tfrecord';
import { defaultWasmPath } from '../src/core/sqlite';
import { encodeEvent, writeScalarFile } from '../test/support/tfevents';

const POINTS = Number(process.env.RUNREWIND_BENCH_TB_POINTS ?? 1_000_000);
const GIGABYTES = Number(process.env.RUNREWIND_BENCH_TB_GB ?? 1);
const MLFLOW_POINTS = Number(process.env.RUNREWIND_BENCH_MLFLOW_POINTS ?? 1_000_000);
const MLFLOW_KEYS = 10;
const TAGS = ['loss', 'acc', 'lr', 'grad_norm'];
const ROOT = path.resolve(__dirname, '..', '..');
const LIVE_STEPS = 20;
const LIVE_INTERVAL = 0.5;
/** The extension's default runRewind.pollInterval (src/config.ts): imported sources are read on its polls. */
const EXTENSION_POLL_MS = 2000;

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (bytes: number): string => fmt(bytes / 1048576);

function venvPython(script: string): string | undefined {
  const venv = spawnSync('bash', [script], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return venv.status === 0 ? venv.stdout.trim().split('\n').pop() : undefined;
}

const ACCUMULATOR = `
import sys, time
from tensorboard.backend.event_processing import event_accumulator as ea
t0 = time.perf_counter()
acc = ea.EventAccumulator(sys.argv[1], size_guidance={k: 0 for k in ea.DEFAULT_SIZE_GUIDANCE})
acc.Reload()
n = sum(len(acc.Scalars(t)) for t in acc.Tags()["scalars"])
print(n, time.perf_counter() - t0)
`;

/** Imports every source under `source` in one pass; seconds, points applied and points queried back. */
async function importOnce(source: string, logDir: string): Promise<{ seconds: number; points: number; queried: number; engine: Engine }> {
  const engine = await Engine.open({ logDir, sources: [source], importHoldSeconds: 0, wasmPath: defaultWasmPath() });
  const t0 = performance.now();
  const result = engine.ingest();
  const seconds = (performance.now() - t0) / 1000;
  let queried = 0;
  for (const run of engine.listRuns()) for (const key of engine.metricKeys(run.id)) queried += engine.series(run.id, key.key).steps.length;
  return { seconds, points: result.points, queried, engine };
}

async function tensorboardAgainstAccumulator(base: string, peers: string | undefined): Promise<void> {
  const runs = path.join(base, 'runs', 'exp');
  fs.mkdirSync(runs, { recursive: true });
  const file = path.join(runs, 'events.out.tfevents.1700000000.bench.1.0');
  process.stdout.write(`  writing a TensorBoard event file of ${fmt(POINTS)} scalars (${TAGS.length} tags, one event per value as PyTorch writes them)…\n`);
  writeScalarFile(file, Number.POSITIVE_INFINITY, TAGS, (t, step) => Math.sin(step / 50 + t) + 1 / (1 + step), 1_700_000_000, Math.ceil(POINTS / TAGS.length));
  const bytes = fs.statSync(file).size;
  const rss0 = process.memoryUsage().rss;
  const ours = await importOnce(path.join(base, 'runs'), path.join(base, '.runrewind'));
  const rss = process.memoryUsage().rss - rss0;
  process.stdout.write(`  Run Rewind import: ${fmt(ours.queried)} points in ${fmt(ours.seconds, 2)} s = ${fmt(ours.queried / ours.seconds)} points/s (${fmt(bytes / 1048576 / ours.seconds, 1)} MB/s of ${fmt(bytes / 1048576, 1)} MB; RSS +${mb(rss)} MB)\n`);

  // One more step appended to the file already read, to its row in the store.
  const engine = ours.engine;
  const run = engine.listRuns()[0];
  const step = Math.ceil(POINTS / TAGS.length);
  fs.appendFileSync(file, Buffer.concat(TAGS.map((tag) => encodeRecordFrame(encodeEvent({ wallTime: 1_800_000_000, step, values: [{ tag, simple: 0.5 }] })))));
  const t1 = performance.now();
  engine.ingest();
  const live = performance.now() - t1;
  const appended = engine.series(run.id, 'loss');
  process.stdout.write(`  a step appended to the file already read, into the store: ${fmt(live, 1)} ms (last step ${appended.steps[appended.steps.length - 1]})\n`);
  engine.close();

  if (!peers) {
    process.stdout.write('  (baseline skipped: the peers venv with tensorboard could not be created)\n');
    return;
  }
  const oracle = spawnSync(peers, ['-c', ACCUMULATOR, runs], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const [n, seconds] = oracle.stdout.trim().split(/\s+/).map(Number);
  if (oracle.status !== 0 || !Number.isFinite(seconds)) {
    process.stdout.write(`  (baseline failed: ${oracle.stderr.trim().split('\n').pop() ?? oracle.status})\n`);
    return;
  }
  process.stdout.write(`  TensorBoard EventAccumulator (no size limit): ${fmt(n)} points in ${fmt(seconds, 2)} s = ${fmt(n / seconds)} points/s\n`);
  process.stdout.write(`  ratio: Run Rewind ${fmt(seconds / ours.seconds, 1)}× faster than TensorBoard's own loader (target: 5×)\n`);
}

function gigabyteFile(base: string): void {
  const runs = path.join(base, 'big');
  fs.mkdirSync(path.join(runs, 'exp'), { recursive: true });
  const t0 = performance.now();
  const written = writeScalarFile(path.join(runs, 'exp', 'events.out.tfevents.1700000000.big.1.0'), GIGABYTES * 1024 ** 3, TAGS, (t, step) => Math.sin(step / 50 + t));
  process.stdout.write(`  wrote ${fmt(written.bytes / 1048576)} MB: ${fmt(written.points)} scalars in ${fmt((performance.now() - t0) / 1000, 1)} s\n`);
  // A fresh process, so its peak RSS is the import's (test/support/tbImport.ts); the store persisted as
  // the extension keeps it (full chunks in chunk files beside its snapshot).
  const child = spawnSync(process.execPath, [path.join(__dirname, '..', 'test', 'support', 'tbImport.js'), runs, path.join(base, '.runrewind-big'), path.join(base, 'cache-big', 'store.rrsnap')], { encoding: 'utf8', maxBuffer: 1 << 20 });
  fs.rmSync(runs, { recursive: true, force: true });
  if (child.status !== 0) {
    process.stdout.write(`  (the 1 GB import failed: ${child.stderr.trim().split('\n').pop() ?? child.status})\n`);
    return;
  }
  const got = JSON.parse(child.stdout) as { points: number; seconds: number; peakBefore: number; peakAfter: number; heapAfter: number; arrayBuffersBefore: number; arrayBuffersAfter: number };
  process.stdout.write(`  Run Rewind import of ${fmt(written.bytes / 1048576)} MB: ${fmt(got.points)} points in ${fmt(got.seconds, 1)} s = ${fmt(got.points / got.seconds)} points/s (${fmt(written.bytes / 1048576 / got.seconds, 1)} MB/s)\n`);
  process.stdout.write(`  memory: peak RSS +${mb(got.peakAfter - got.peakBefore)} MB, of which the store's database (wasm memory) +${mb(got.arrayBuffersAfter - got.arrayBuffersBefore)} MB; JS heap after ${mb(got.heapAfter)} MB\n`);
  fs.rmSync(path.join(base, 'cache-big'), { recursive: true, force: true });
}

async function mlflowAgainstClient(base: string): Promise<void> {
  const python = venvPython('scripts/install-mlflow-server.sh');
  if (!python) {
    process.stdout.write('  (skipped: the mlflow venv could not be created: scripts/install-mlflow-server.sh)\n');
    return;
  }
  const env = { ...process.env, MLFLOW_ALLOW_FILE_STORE: 'true' };
  const script = path.join(ROOT, 'bench', 'mlflow_import_baseline.py');
  const steps = Math.ceil(MLFLOW_POINTS / MLFLOW_KEYS);
  const fileRoot = path.join(base, 'mlflow-file');
  const store = path.join(fileRoot, 'mlruns');
  const wrote = spawnSync(python, [script, 'write', `file:${store}`, String(MLFLOW_KEYS), String(steps), '1700000000'], { encoding: 'utf8', env });
  if (wrote.status !== 0) {
    process.stdout.write(`  (the MLflow run could not be written: ${wrote.stderr.trim().split('\n').pop()})\n`);
    return;
  }
  const { run_id: runId, points } = JSON.parse(wrote.stdout.trim().split('\n').pop()!) as { run_id: string; points: number };
  process.stdout.write(`  one MLflow run: ${fmt(points)} points (${MLFLOW_KEYS} keys × ${fmt(steps)} steps) in a file store (the first 1,000 by log_batch, the rest appended as its lines)\n`);
  const dbRoot = path.join(base, 'mlflow-db');
  fs.mkdirSync(dbRoot);
  const t0 = performance.now();
  const migrated = spawnSync(path.join(path.dirname(python), 'mlflow'), ['migrate-filestore', '--source', store, '--target', `sqlite:///${path.join(dbRoot, 'mlflow.db')}`, '--no-progress'], { encoding: 'utf8', env });
  const haveDb = migrated.status === 0;
  process.stdout.write(haveDb ? `  and as mlflow.db, by \`mlflow migrate-filestore\` (${fmt((performance.now() - t0) / 1000)} s)\n` : `  (mlflow.db could not be made: ${migrated.stderr.trim().split('\n').pop()})\n`);
  for (const [label, root, uri] of [['file store', fileRoot, `file:${store}`], ['mlflow.db', dbRoot, `sqlite:///${path.join(dbRoot, 'mlflow.db')}`]] as const) {
    if (label === 'mlflow.db' && !haveDb) continue;
    const ours = await importOnce(root, path.join(base, `.runrewind-${label === 'file store' ? 'mlfile' : 'mldb'}`));
    ours.engine.close();
    const read = spawnSync(python, [script, 'read', uri, runId], { encoding: 'utf8', env });
    const theirs = read.status === 0 ? (JSON.parse(read.stdout.trim().split('\n').pop()!) as { points: number; seconds: number }) : undefined;
    process.stdout.write(`  ${label}: Run Rewind import ${fmt(ours.queried)} points in ${fmt(ours.seconds, 2)} s = ${fmt(ours.queried / ours.seconds)} points/s`);
    if (theirs) process.stdout.write(`; MlflowClient.get_metric_history of every key ${fmt(theirs.points)} points in ${fmt(theirs.seconds, 2)} s = ${fmt(theirs.points / theirs.seconds)} points/s; ratio ${fmt(theirs.seconds / ours.seconds, 1)}×\n`);
    else process.stdout.write(` (get_metric_history failed: ${read.stderr.trim().split('\n').pop()})\n`);
  }
}

/**
 * Seconds from each flush() of the writer to the step being in the store, with the store's ingest run
 * every `pollMs` (its default hold: a step's row waits for the next step or for its file to be still).
 */
async function liveLatency(base: string, peers: string, pollMs: number): Promise<number[]> {
  const source = path.join(base, `live-${pollMs}`);
  const engine = await Engine.open({ logDir: path.join(base, `.runrewind-live-${pollMs}`), sources: [source], wasmPath: defaultWasmPath() });
  let timer: NodeJS.Timeout | undefined;
  const result = await measureLive(source, peers, (seen) => {
    timer = setInterval(() => {
      engine.ingest();
      const now = Date.now() / 1000;
      const run = engine.listRuns()[0];
      if (run) for (const step of engine.series(run.id, 'loss').steps) if (!seen.has(step)) seen.set(step, now);
    }, pollMs);
  });
  clearInterval(timer);
  engine.close();
  return result;
}

/**
 * The same as the extension runs it: the store in its worker, asked to ingest on the extension's poll
 * (2 s), following a source that grew by itself (worker.ts FOLLOW_MS); a step counts as seen when the
 * change event that brings it has been answered.
 */
async function liveLatencyWorker(base: string, peers: string): Promise<number[]> {
  const source = path.join(base, 'live-worker');
  const client = await StoreClient.start({ logDir: path.join(base, '.runrewind-live-worker'), sources: [source], workerScript: path.join(ROOT, 'dist', 'worker.js'), wasmPath: defaultWasmPath() });
  let timer: NodeJS.Timeout | undefined;
  const result = await measureLive(source, peers, (seen) => {
    const look = async (): Promise<void> => {
      const run = (await client.listRuns())[0];
      if (!run) return;
      const steps = (await client.series(run.id, 'loss')).steps;
      const now = Date.now() / 1000;
      for (const step of steps) if (!seen.has(step)) seen.set(step, now);
    };
    client.onDidChange(() => void look());
    timer = setInterval(() => void client.ingest(), EXTENSION_POLL_MS);
  });
  clearInterval(timer);
  await client.dispose();
  return result;
}

/** Runs the live writer into `source`; `watch` starts whatever notes when each step is seen. */
async function measureLive(source: string, peers: string, watch: (seen: Map<number, number>) => void): Promise<number[]> {
  const runDir = path.join(source, 'exp');
  const written = new Map<number, number>();
  const seen = new Map<number, number>();
  const child = spawn(peers, [path.join(ROOT, 'bench', 'tb_live_writer.py'), runDir, String(LIVE_STEPS), String(LIVE_INTERVAL)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, nl)) as { step?: number; time?: number };
      buffered = buffered.slice(nl + 1);
      if (line.step !== undefined && line.time !== undefined) written.set(line.step, line.time);
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  watch(seen);
  await exited;
  const deadline = Date.now() + 15_000;
  while (seen.size < LIVE_STEPS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return [...written].filter(([step]) => seen.has(step)).map(([step, time]) => seen.get(step)! - time);
}

function summary(latencies: number[]): string {
  const s = [...latencies].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return `median ${fmt(at(0.5), 2)} s, p90 ${fmt(at(0.9), 2)} s, max ${fmt(s[s.length - 1], 2)} s (n=${s.length} of ${LIVE_STEPS})`;
}

async function main(): Promise<void> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'rr-bench-import-'));
  try {
    const peers = venvPython('scripts/install-python-peers.sh');
    process.stdout.write('TensorBoard, against EventAccumulator\n');
    await tensorboardAgainstAccumulator(base, peers);
    if (GIGABYTES > 0) {
      process.stdout.write(`TensorBoard, a ${GIGABYTES} GB event file\n`);
      gigabyteFile(base);
    }
    if (MLFLOW_POINTS > 0) {
      process.stdout.write('MLflow, against MlflowClient.get_metric_history\n');
      await mlflowAgainstClient(base);
    }
    if (!peers) {
      process.stdout.write('(live figure skipped: the peers venv with torch could not be created)\n');
      return;
    }
    process.stdout.write(`Live: torch SummaryWriter, add_scalar + flush() every ${LIVE_INTERVAL} s, to the step in the store\n`);
    const worker = await liveLatencyWorker(base, peers);
    process.stdout.write(`  as the extension runs it (the worker, polled every ${fmt(EXTENSION_POLL_MS)} ms, following a growing source by itself): ${worker.length > 0 ? summary(worker) : 'no step seen'}\n`);
    for (const pollMs of [EXTENSION_POLL_MS, 500, 100]) {
      const latencies = await liveLatency(base, peers, pollMs);
      process.stdout.write(`  the engine alone, ingest every ${fmt(pollMs)} ms${pollMs === EXTENSION_POLL_MS ? ' (the poll alone)' : ''}: ${latencies.length > 0 ? summary(latencies) : 'no step seen'}\n`);
    }
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
