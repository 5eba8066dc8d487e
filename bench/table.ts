// The runs table at 10,000 runs × 20 config keys × 10 metrics (issue 16): the store's answer for the
// whole table when it opens (cold: nothing cached; warm: a second open), and a live update after one run
// logs a row (the rows of the changed run, as the panel asks for them) against reading the whole table
// again, which is what the panel did before. Sizes are the JSON the webview is sent. Prints; asserts nothing.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Engine } from '../src/core/engine';
import { RunsTableQueries } from '../src/core/runsTable';
import { defaultWasmPath } from '../src/core/sqlite';
import { LogWriter } from '../src/core/writer';

const RUNS = Number(process.env.RUNREWIND_BENCH_TABLE_RUNS ?? 10_000);
const CONFIG_KEYS = 20;
const METRICS = 10;
const STEPS = 20;

const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (bytes: number): string => `${fmt(bytes / 1048576, 2)} MB`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time<T>(work: () => T): [T, number] {
  const t0 = performance.now();
  const result = work();
  return [result, performance.now() - t0];
}

function generate(dir: string): { live: LogWriter } {
  let live: LogWriter | undefined;
  for (let r = 0; r < RUNS; r++) {
    const config: Record<string, unknown> = { lr: 10 ** -(1 + (r % 5)), optimizer: { name: r % 2 ? 'adam' : 'sgd', beta: 0.9 } };
    for (let k = 0; k < CONFIG_KEYS - 3; k++) config[`param_${k}`] = (r * 31 + k) % 97;
    const w = new LogWriter({ dir, heartbeat: 0, buffered: true, clock: () => 1_700_000_000 + r, name: `sweep-${r}`, project: `p${r % 10}`, config });
    for (let i = 0; i < STEPS; i++) {
      const data: Record<string, number> = {};
      for (let m = 0; m < METRICS; m++) data[m === 0 ? 'loss' : `metric_${m}`] = Math.sin(r + i / 7 + m) + 1 / (1 + i);
      w.log(data, i);
    }
    if (r === RUNS - 1) {
      w.flush();
      live = w;
    } else {
      w.finish();
    }
  }
  return { live: live! };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rr-bench-table-'));
  try {
    process.stdout.write(`  generating ${RUNS.toLocaleString('en-US')} runs × ${CONFIG_KEYS} config keys × ${METRICS} metrics × ${STEPS} steps…\n`);
    const { live } = generate(dir);
    const engine = await Engine.open({ logDir: dir, wasmPath: defaultWasmPath() });
    engine.ingest();
    // Baseline of the same run: the table computed row by row with no cache, as before the cache.
    const uncached: number[] = [];
    for (let i = 0; i < 3; i++) uncached.push(time(() => engine.runsTableUncached())[1]);
    const [full, cold] = time(() => engine.runsTable());
    const warm: number[] = [];
    for (let i = 0; i < 5; i++) warm.push(time(() => engine.runsTable())[1]);
    const fullBytes = JSON.stringify(full).length;
    process.stdout.write(`  table open, cold (nothing cached): ${fmt(cold)} ms | baseline: row by row without the cache ${fmt(median(uncached))} ms (median of 3) | ratio ${fmt(median(uncached) / cold, 2)}x | target < 500 ms\n`);
    process.stdout.write(`  table open again (cached): ${fmt(median(warm))} ms (median of 5)\n`);
    // A live update: the last run logs a row; the panel asks for the changed run's rows only (before:
    // the whole table again). The ingest is the same either way and is shown apart.
    const ingest: number[] = [];
    const patch: number[] = [];
    const whole: number[] = [];
    let patchBytes = 0;
    for (let i = 0; i < 5; i++) {
      live.log({ loss: 0.01 / (i + 1) }, 1000 + i);
      live.flush();
      const [changed, ingestMs] = time(() => engine.ingest());
      ingest.push(ingestMs);
      const [rows, patchMs] = time(() => engine.runsTable({ runs: changed.changedRuns }));
      patch.push(patchMs);
      patchBytes = JSON.stringify(rows).length;
      whole.push(time(() => engine.runsTableUncached())[1]);
    }
    process.stdout.write(`  live update, the changed run's rows: ${fmt(median(patch), 2)} ms, ${fmt(patchBytes / 1024, 1)} KB to send | baseline: the whole table read again ${fmt(median(whole))} ms, ${mb(fullBytes)} to send | ratio ${fmt(median(whole) / median(patch), 0)}x (the ingest before either: ${fmt(median(ingest))} ms)\n`);
    live.finish();
    engine.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Kept referenced so the compiler checks the benchmark still names the class it measures.
void RunsTableQueries;

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
