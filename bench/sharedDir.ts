// A log directory of 10,000 runs shared over a slow file system (issue 17): every file system call of
// the log reader (src/core/logFs.ts, the one module they go through) is counted and, where said, made to
// take 5 ms more, as a network file system's round trip does. Measures the first listing, then a poll
// with nothing new, after one running run appends a row, after a finished run is resumed in its folder,
// and after a new run starts; the baseline, in the same run, is the same poll looking at every run folder
// and opening every unfinished file, as the reader did before change markers. Prints; asserts nothing.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Engine } from '../src/core/engine';
import type { LogIngester } from '../src/core/ingest';
import { makeStamp } from '../src/core/protocol';
import { defaultWasmPath } from '../src/core/sqlite';
import { LogWriter } from '../src/core/writer';
import { countLogFs } from '../test/support/logFsCounter';

const RUNS = Number(process.env.RUNREWIND_BENCH_SHARED_RUNS ?? 10_000);
const CRASHED = Math.round(RUNS / 100);
const RUNNING = 10;
const DELAY_MS = Number(process.env.RUNREWIND_BENCH_SHARED_DELAY_MS ?? 5);
/** The first listing makes ~6 calls per run: 300 s of waiting at 10,000 runs, so it is counted and the
 * wait added (ops × delay) unless RUNREWIND_BENCH_SHARED_SLOW_FIRST=1 waits for real. */
const SLOW_FIRST = process.env.RUNREWIND_BENCH_SHARED_SLOW_FIRST === '1';

const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });


interface Measured<T> {
  readonly result: T;
  readonly ops: number;
  readonly ms: number;
  readonly byCall: Record<string, number>;
}

/** Runs `work` with every reader call counted and, when `slow`, delayed by DELAY_MS. */
function measure<T>(slow: boolean, work: () => T): Measured<T> {
  const t0 = performance.now();
  const counted = countLogFs(work, slow ? DELAY_MS : 0);
  return { ...counted, ms: performance.now() - t0 };
}

function calls(m: Measured<unknown>): string {
  return Object.entries(m.byCall).map(([k, n]) => `${n.toLocaleString('en-US')} ${k}`).join(', ');
}

/** Dates every folder and file a while back: in a real shared directory most were last written long ago. */
function age(dir: string, seconds: number): void {
  const then = Date.now() / 1000 - seconds;
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else fs.utimesSync(p, then, then);
    }
    fs.utimesSync(d, then, then);
  };
  walk(dir);
}

function generate(dir: string): { running: LogWriter[]; finished: LogWriter[] } {
  const running: LogWriter[] = [];
  const finished: LogWriter[] = [];
  for (let r = 0; r < RUNS; r++) {
    // Started over the last day (their stamps and change markers say so), one every few seconds.
    const w = new LogWriter({ dir, run: `run${String(r).padStart(5, '0')}`, heartbeat: 0, buffered: true, project: `p${r % 10}`, clock: () => 1_700_000_000 + r, stamp: makeStamp(Date.now() - 86_400_000 + r * 8000) });
    for (let i = 0; i < 3; i++) w.log({ loss: 1 / (1 + i), acc: i / 3 }, i);
    if (r < RUNNING) {
      w.flush();
      running.push(w);
    } else if (r < RUNNING + CRASHED) {
      w.flush(); // a writer that died: no finish, ever
    } else {
      w.finish();
      finished.push(w);
    }
  }
  return { running, finished };
}

function line(what: string, m: Measured<unknown>, baseline?: Measured<unknown>): void {
  const parts = [`  ${what}: ${m.ops.toLocaleString('en-US')} calls, ${fmt(m.ms)} ms (${calls(m)})`];
  if (baseline) parts.push(`baseline, every folder looked at: ${baseline.ops.toLocaleString('en-US')} calls, ${fmt(baseline.ms)} ms | ratio ${fmt(baseline.ms / m.ms, 0)}x`);
  process.stdout.write(`${parts.join(' | ')}\n`);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rr-bench-shared-'));
  try {
    process.stdout.write(`  generating ${RUNS.toLocaleString('en-US')} runs (${RUNNING} running, ${CRASHED} crashed, the rest finished), ${DELAY_MS} ms added to each reader call…\n`);
    const { running, finished } = generate(dir);
    // Rows stop being written; the running writers' files stay fresh, the rest were written long ago.
    age(dir, 3600);
    for (const w of running) {
      w.log({ loss: 0.1 }, 3);
      w.flush();
    }
    const snapshotPath = path.join(dir, '.cache', 'bench.rrsnap');
    // A viewer on the login node: every writer is on another host, judged by its file's time.
    const liveness = { host: 'login-node' };
    const engine = await Engine.open({ logDir: dir, wasmPath: defaultWasmPath(), snapshotPath, liveness });

    const first = measure(SLOW_FIRST, () => engine.ingest());
    const firstMs = SLOW_FIRST ? first.ms : first.ms + first.ops * DELAY_MS;
    process.stdout.write(`  first listing (every run folder listed, every file read): ${first.ops.toLocaleString('en-US')} calls (${calls(first)}), ${fmt(firstMs / 1000, 1)} s with ${DELAY_MS} ms a call${SLOW_FIRST ? '' : ` (${fmt(first.ms / 1000, 2)} s measured without the delay, plus calls × ${DELAY_MS} ms)`}; ${first.result.changedRuns.length.toLocaleString('en-US')} runs\n`);

    const idle = measure(true, () => engine.ingest());
    line('poll, nothing new', idle);

    let step = 4;
    const append = (store: Engine): Measured<{ readonly changedRuns: readonly string[] }> => {
      running[0].log({ loss: 0.05 }, step++);
      running[0].flush();
      return measure(true, () => store.ingest());
    };
    line('poll after one running run appends a row', append(engine));
    const beat = (): void => {
      for (const w of running) w.writeRaw(`{"type": "alive", "time": ${Date.now() / 1000}}\n`);
    };

    const resumedWriter = new LogWriter({ dir, run: finished[Math.floor(finished.length / 2)].run, version: finished[Math.floor(finished.length / 2)].version, mode: 'resume', lastStep: 2, heartbeat: 0 });
    resumedWriter.log({ loss: 0.01 });
    resumedWriter.finish();
    line('poll after a finished run is resumed in its folder (a change marker)', measure(true, () => engine.ingest()));
    const fresh = new LogWriter({ dir, run: 'fresh', heartbeat: 0 });
    fresh.log({ loss: 1 });
    line('poll after a new run starts', measure(true, () => engine.ingest()));
    fresh.finish();
    // The same append, then again looking at every folder: the baseline (it takes a minute, so it comes
    // last; the running writers' heartbeats are due after it).
    const ingester = (engine as unknown as { ingester: LogIngester }).ingester;
    const appended = append(engine);
    ingester.lookEverywhere = true;
    const appendedBefore = append(engine);
    ingester.lookEverywhere = false;
    line('poll after one running run appends a row (again)', appended, appendedBefore);
    if (appended.result.changedRuns[0] !== running[0].run || appendedBefore.result.changedRuns[0] !== running[0].run) process.stdout.write('  (an append was not seen!)\n');
    // Closed and opened again from its snapshot (a window reloaded), after another run was resumed.
    engine.ingest();
    engine.save();
    engine.close();
    const later = new LogWriter({ dir, run: finished[Math.floor(finished.length / 3)].run, version: finished[Math.floor(finished.length / 3)].version, mode: 'resume', lastStep: 2, heartbeat: 0 });
    later.log({ loss: 0.01 });
    later.finish();
    beat();
    const reopened = await Engine.open({ logDir: dir, wasmPath: defaultWasmPath(), snapshotPath, liveness });
    line('first poll after opening the store from its snapshot', measure(true, () => reopened.ingest()));

    for (const w of running) w.finish();
    reopened.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
