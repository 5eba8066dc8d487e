// Benchmarks of reading deep and wide runs (issue 12): one run rewound 1,000 times — getRun of its live
// version and of its deepest archived one, beside the same run rewound 10 times; and what a history
// document of a run of 2,000 keys × 5,000 steps asks of the store, beside what it asked before (every
// key). Prints figures beside baselines measured in the same run; asserts nothing.
//
//   npm run build && npm run compile-tests && node out/bench/lineage.js [depth=1000] [keys=50]
//   RUNREWIND_BENCH_WIDE="2000x5000" sets the wide run ("0" leaves it out).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Engine } from '../src/core/engine';
import { defaultWasmPath } from '../src/core/sqlite';
import { LogWriter } from '../src/core/writer';
import { MAX_CELLS, MAX_COLUMNS } from '../src/history/historyLimits';

const DEPTH = Number(process.argv[2] ?? 1000);
const KEYS = Number(process.argv[3] ?? 50);

const fmt = (n: number, digits = 2): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function report(name: string, value: string, baseline?: string, ratio?: string, target?: string): void {
  const parts = [`${name}: ${value}`];
  if (baseline) parts.push(`baseline ${baseline}`);
  if (ratio) parts.push(`ratio ${ratio}`);
  if (target) parts.push(`target ${target}`);
  process.stdout.write(`  ${parts.join(' | ')}\n`);
}

/**
 * A log directory holding one run of `keys` metrics rewound `depth` times, each rewind one step before
 * the end of its source and logging two rows: every version of the chain holds visible rows, and every
 * archived one a row its successor cut off (the case that made a summary look back in each segment).
 */
export function rewoundRun(dir: string, depth: number, keys: number): { run: string; versions: string[] } {
  const names = Array.from({ length: keys }, (_, k) => (k === 0 ? 'loss' : `metric_${k}`));
  const row = (step: number): Record<string, number> => Object.fromEntries(names.map((n, k) => [n, 1 / (1 + step) + k]));
  const first = new LogWriter({ dir, run: 'deep', project: 'deep', name: `rewound ${depth} times`, heartbeat: 0, buffered: true, clock: () => 1_700_000_000, stamp: '1700000000000-00000000' });
  for (let s = 0; s < 10; s++) first.log(row(s), s);
  first.finish();
  const versions = [first.version];
  let last = 9;
  for (let i = 1; i <= depth; i++) {
    const w = new LogWriter({
      dir, run: 'deep', mode: 'rewind', source: { run: 'deep', version: versions[versions.length - 1], step: last - 1 }, heartbeat: 0, buffered: true,
      clock: () => 1_700_000_000 + i, stamp: `${String(1_700_000_000_000 + i)}-${String(i).padStart(8, '0')}`,
    });
    w.log(row(last), last);
    w.log(row(last + 1), last + 1);
    w.finish();
    versions.push(w.version);
    last += 1;
  }
  return { run: 'deep', versions };
}

async function measureGetRun(depth: number): Promise<{ live: number[]; deepest: number[]; middle: number[]; ingestMs: number; firstMs: number; growing: number[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rr-bench-lineage-'));
  const { run, versions } = rewoundRun(dir, depth, KEYS);
  const engine = await Engine.open({ logDir: dir, wasmPath: defaultWasmPath() });
  let t0 = performance.now();
  while (engine.ingest().rows > 0 || engine.pendingBytes() > 0) { /* until everything is read */ }
  const ingestMs = performance.now() - t0;
  t0 = performance.now();
  const overview = engine.getRun(run);
  const firstMs = performance.now() - t0;
  if (overview.versions.length !== depth + 1) throw new Error(`the run has ${overview.versions.length} versions, not ${depth + 1}`);
  const live: number[] = [];
  const deepest: number[] = [];
  const middle: number[] = [];
  for (let i = 0; i < 7; i++) {
    t0 = performance.now();
    engine.getRun(run);
    live.push(performance.now() - t0);
    t0 = performance.now();
    engine.getRun(versions[depth - 1]);
    deepest.push(performance.now() - t0);
    t0 = performance.now();
    engine.getRun(versions[Math.floor(depth / 2)]);
    middle.push(performance.now() - t0);
  }
  // The live version keeps logging: each row read, then the run read again (what the tree and the
  // overview do as a script trains). What the live version inherits must stay kept.
  const growing: number[] = [];
  const w = new LogWriter({ dir, run, version: versions[versions.length - 1], mode: 'resume', lastStep: depth + 10, heartbeat: 0 });
  for (let i = 0; i < 7; i++) {
    w.log({ loss: i });
    engine.ingest();
    t0 = performance.now();
    engine.getRun(run);
    growing.push(performance.now() - t0);
  }
  w.finish();
  engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { live, deepest, middle, ingestMs, firstMs, growing };
}

/** The store's part of opening a history document: the keys, the total, and the most recent page of rows. */
async function measureWide(keys: number, steps: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rr-bench-wide-'));
  const names = Array.from({ length: keys }, (_, k) => `layer${String(k).padStart(4, '0')}/grad`);
  const w = new LogWriter({ dir, run: 'wide', project: 'wide', heartbeat: 0, buffered: true, clock: () => 1_700_000_000 });
  const row: Record<string, number> = {};
  for (let s = 0; s < steps; s++) {
    for (let k = 0; k < keys; k++) row[names[k]] = Math.sin(s / 100 + k);
    w.log(row, s);
  }
  w.finish();
  const engine = await Engine.open({ logDir: dir, wasmPath: defaultWasmPath() });
  let t0 = performance.now();
  while (engine.ingest().rows > 0 || engine.pendingBytes() > 0) { /* until everything is read */ }
  const ingestMs = performance.now() - t0;
  const rss = (): number => process.memoryUsage().rss / 1048576;
  const gc = (globalThis as { gc?: () => void }).gc;
  const measure = (paged: boolean): { ms: number; cells: number; grew: number } => {
    gc?.();
    const before = rss();
    t0 = performance.now();
    const all = engine.metricKeys('wide');
    const columns = paged && all.length > MAX_COLUMNS ? all.slice(0, MAX_COLUMNS).map((k) => k.key) : undefined;
    const limit = paged ? Math.min(5000, Math.floor(MAX_CELLS / (columns?.length ?? all.length))) : 5000;
    const total = engine.history('wide', { limit: 0, keys: [] }).total;
    const table = engine.history('wide', { offset: Math.max(0, total - limit), limit, keys: columns });
    const ms = performance.now() - t0;
    return { ms, cells: table.rows.length * table.columns.length, grew: rss() - before };
  };
  const paged = [measure(true), measure(true), measure(true)];
  const whole = measure(false);
  engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const best = paged.sort((a, b) => a.ms - b.ms)[1];
  report(
    `history document of ${keys.toLocaleString('en-US')} keys x ${steps.toLocaleString('en-US')} steps (ingested in ${fmt(ingestMs / 1000, 1)} s): the store's answer`,
    `${fmt(best.ms, 0)} ms, ${best.cells.toLocaleString('en-US')} cells (first ${MAX_COLUMNS} keys), RSS +${fmt(best.grew, 0)} MiB`,
    `every key ${fmt(whole.ms, 0)} ms, ${whole.cells.toLocaleString('en-US')} cells, RSS +${fmt(whole.grew, 0)} MiB`,
    `${fmt(whole.ms / best.ms, 1)}x`,
  );
}

async function main(): Promise<void> {
  process.stdout.write(`Lineage: one run of ${KEYS} keys rewound ${DEPTH} times\n`);
  await measureGetRun(10); // warm-up
  const small = await measureGetRun(10);
  const big = await measureGetRun(DEPTH);
  const ms = (xs: number[]): string => `${fmt(median(xs), 2)} ms (median of 7, max ${fmt(Math.max(...xs), 2)})`;
  report(`getRun of the live version at depth ${DEPTH} (ingested in ${fmt(big.ingestMs / 1000, 1)} s)`, ms(big.live), `depth 10 ${fmt(median(small.live), 2)} ms`, `${fmt(median(big.live) / median(small.live))}x`, 'flat in depth beyond the versions list itself');
  report(`  getRun of the newest archived version (${DEPTH - 1} rewinds deep)`, ms(big.deepest), `depth 10 ${fmt(median(small.deepest), 2)} ms`, `${fmt(median(big.deepest) / median(small.deepest))}x`);
  report(`  the first getRun after ingest (what each version inherits computed once, root to leaf)`, `${fmt(big.firstMs, 1)} ms`, `depth 10 ${fmt(small.firstMs, 2)} ms`);
  report(`  getRun after each row the live version logs`, ms(big.growing), `depth 10 ${fmt(median(small.growing), 2)} ms`);
  report(`  getRun of an archived version half way`, ms(big.middle), `depth 10 ${fmt(median(small.middle), 2)} ms`);
  const wide = process.env.RUNREWIND_BENCH_WIDE ?? '2000x5000';
  if (wide !== '0') {
    const [keys, steps] = wide.split('x').map(Number);
    await measureWide(keys, steps);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
