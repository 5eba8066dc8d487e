// Importing other tools' logs (issue 15): a TensorBoard event file of N scalars (1M by default;
// RUNREWIND_BENCH_TB_POINTS=10000000 for the 10M) read by our importer against TensorBoard's own
// loader (EventAccumulator with no size limit, in the peers venv) on the same file in the same run; and
// the live path: a step appended to a file already read, to the row in the store. Prints; asserts nothing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Engine } from '../src/core/engine';
import { encodeRecordFrame } from '../src/core/importers/tfrecord';
import { defaultWasmPath } from '../src/core/sqlite';
import { encodeEvent, eventFile } from '../test/support/tfevents';

const POINTS = Number(process.env.RUNREWIND_BENCH_TB_POINTS ?? 1_000_000);
const TAGS = ['loss', 'acc', 'lr', 'grad_norm'];
const ROOT = path.resolve(__dirname, '..', '..');

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** One event per value, as PyTorch's SummaryWriter writes them, in blocks so memory stays small. */
function writeEvents(file: string, points: number): void {
  const steps = Math.ceil(points / TAGS.length);
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, eventFile([]));
    const block = 10_000;
    for (let from = 0; from < steps; from += block) {
      const frames: Uint8Array[] = [];
      for (let step = from; step < Math.min(steps, from + block); step++) {
        TAGS.forEach((tag, t) => frames.push(encodeRecordFrame(encodeEvent({ wallTime: 1_700_000_000 + step / 100, step, values: [{ tag, simple: Math.sin(step / 50 + t) + 1 / (1 + step) }] }))));
      }
      fs.writeSync(fd, Buffer.concat(frames));
    }
  } finally {
    fs.closeSync(fd);
  }
}

function peersPython(): string | undefined {
  const venv = spawnSync('bash', ['scripts/install-python-peers.sh'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
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

async function main(): Promise<void> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'rr-bench-import-'));
  try {
    const runs = path.join(base, 'runs', 'exp');
    fs.mkdirSync(runs, { recursive: true });
    const file = path.join(runs, 'events.out.tfevents.1700000000.bench.1.0');
    process.stdout.write(`  writing a TensorBoard event file of ${fmt(POINTS)} scalars (${TAGS.length} tags)…\n`);
    writeEvents(file, POINTS);
    const bytes = fs.statSync(file).size;

    const rss0 = process.memoryUsage().rss;
    const engine = await Engine.open({ logDir: path.join(base, '.runrewind'), sources: [path.join(base, 'runs')], importHoldSeconds: 0, wasmPath: defaultWasmPath() });
    const t0 = performance.now();
    const result = engine.ingest();
    const ours = (performance.now() - t0) / 1000;
    const rss = process.memoryUsage().rss - rss0;
    const run = engine.listRuns()[0];
    const read = TAGS.reduce((n, tag) => n + engine.series(run.id, tag).steps.length, 0);
    process.stdout.write(`  Run Rewind import: ${fmt(read)} points in ${fmt(ours, 2)} s = ${fmt(read / ours)} points/s (${fmt(bytes / 1048576 / ours, 1)} MB/s of ${fmt(bytes / 1048576, 1)} MB; RSS +${fmt(rss / 1048576)} MB; ${fmt(result.points)} points applied)\n`);

    // Live: one more step appended to the file already read, to its row in the store.
    const step = Math.ceil(POINTS / TAGS.length);
    fs.appendFileSync(file, Buffer.concat(TAGS.map((tag) => encodeRecordFrame(encodeEvent({ wallTime: 1_800_000_000, step, values: [{ tag, simple: 0.5 }] })))));
    const t1 = performance.now();
    engine.ingest();
    const live = performance.now() - t1;
    const appended = engine.series(run.id, 'loss');
    process.stdout.write(`  live: a step appended, read into the store in ${fmt(live, 1)} ms (last step ${appended.steps[appended.steps.length - 1]}; the chart panel polls every second)\n`);
    engine.close();

    const python = peersPython();
    if (!python) {
      process.stdout.write('  (baseline skipped: the peers venv with tensorboard could not be created)\n');
      return;
    }
    const oracle = spawnSync(python, ['-c', ACCUMULATOR, runs], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const [n, seconds] = oracle.stdout.trim().split(/\s+/).map(Number);
    if (oracle.status !== 0 || !Number.isFinite(seconds)) {
      process.stdout.write(`  (baseline failed: ${oracle.stderr.trim().split('\n').pop() ?? oracle.status})\n`);
      return;
    }
    process.stdout.write(`  TensorBoard EventAccumulator (no size limit): ${fmt(n)} points in ${fmt(seconds, 2)} s = ${fmt(n / seconds)} points/s\n`);
    process.stdout.write(`  ratio: Run Rewind ${fmt(seconds / ours, 1)}× faster than TensorBoard's own loader (target: 5×)\n`);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
