// Benchmarks of the extension in a real VS Code (code-server + headless Chromium): activation, the
// Runs tree with 1,000 runs and a run rewound 100 times (time to list and expand), and the time from a
// line appended to a log to the tree showing it — inside the extension host and on screen. Prints
// figures; asserts nothing.
//
//   npm run build && npm run compile-tests && node out/bench/extension.js [runs=1000] [rewinds=100]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../src/core/engine';
import { LogWriter } from '../src/core/writer';
import type { HostFigures } from './extension/host';

const ROOT = path.resolve(__dirname, '..', '..');
const RUNS = Number(process.argv[2] ?? 1000);
const REWINDS = Number(process.argv[3] ?? 100);
const DOM_SAMPLES = 10;

interface Harness {
  openWorkbench(opts: Record<string, unknown>): Promise<{
    page: import('playwright-core').Page;
    exit: Promise<{ code: number }>;
    stop(): Promise<void>;
  }>;
  codeServerDir(): string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const harness = require(path.join(ROOT, 'scripts', 'lib', 'vscode-harness.js')) as Harness;

async function makeWorkspace(dir: string): Promise<void> {
  const logDir = path.join(dir, '.runrewind');
  const started = performance.now();
  // The rewound run first, so each rewind's ingest reads one run, not all of them.
  const steps = Math.max(1000, REWINDS + 10);
  const deep = new LogWriter({ dir: logDir, run: 'deep', project: 'a-deep', name: `rewound ${REWINDS} times`, heartbeat: 0, buffered: true });
  for (let s = 0; s < steps; s++) deep.log({ loss: 1 / (s + 1) });
  deep.finish();
  // Rewinds through the engine: each writes an ops record, as the UI would (each to a step before the last).
  const engine = await Engine.open({ logDir, wasmPath: path.join(ROOT, 'dist', 'sql-wasm.wasm') });
  await engine.ingest();
  for (let i = 0; i < REWINDS; i++) await engine.rewind('deep', steps - 2 - i);
  engine.close();
  for (let r = 0; r < RUNS; r++) {
    const w = new LogWriter({ dir: logDir, run: `run${String(r).padStart(5, '0')}`, project: `project-${r % 10}`, heartbeat: 0, buffered: true });
    for (let s = 0; s < 50; s++) w.log({ loss: 1 / (s + 1), acc: s / 50 });
    w.finish();
  }
  process.stdout.write(`  workspace: ${RUNS} runs × 50 steps in 10 projects, one run rewound ${REWINDS} times (made in ${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}

function ms(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return `median ${at(0.5).toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms, max ${(sorted[sorted.length - 1] ?? NaN).toFixed(0)} ms (n=${sorted.length})`;
}

async function waitForFile(file: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${file}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return fs.readFileSync(file, 'utf8');
}

async function main(): Promise<void> {
  harness.codeServerDir();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runrewind-bench-ext-'));
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(workspace);
  await makeWorkspace(workspace);
  // Written from this process (alive, so the run stays running) once the host has measured.
  const live = new LogWriter({ dir: path.join(workspace, '.runrewind'), run: 'screen', project: '0-live', name: 'on screen', heartbeat: 5 });
  live.log({ loss: 1 });
  const figuresFile = path.join(tmp, 'figures.json');
  const doneFile = path.join(tmp, 'driver-done');
  const wb = await harness.openWorkbench({
    workspace,
    extensionTestsPath: path.join(ROOT, 'out', 'bench', 'extension', 'host'),
    env: { RUNREWIND_BENCH_FIGURES: figuresFile, RUNREWIND_BENCH_DONE: doneFile },
  });
  try {
    const figures = JSON.parse(await waitForFile(figuresFile, 300_000)) as HostFigures;
    // On screen: the writer appends; the row's description shows the new step.
    const page = wb.page;
    const row = page.locator('.monaco-list-row[role="treeitem"]', { has: page.locator('.label-name', { hasText: /^on screen$/ }) }).first();
    await row.waitFor({ timeout: 30_000 });
    const dom: number[] = [];
    for (let i = 0; i < DOM_SAMPLES; i++) {
      await new Promise((r) => setTimeout(r, 300));
      const step = live.step;
      const t0 = performance.now();
      live.log({ loss: 1 / (step + 1) });
      await row.locator('.label-description', { hasText: `step ${step} ` }).waitFor({ timeout: 10_000 });
      dom.push(performance.now() - t0);
    }
    live.finish();
    fs.writeFileSync(doneFile, 'done');
    await Promise.race([wb.exit, new Promise((r) => setTimeout(r, 30_000))]);

    process.stdout.write(`  activation: activate() ${figures.activationMs.toFixed(1)} ms\n`);
    process.stdout.write(`  view shown → ${RUNS + 1} runs listed (cold: store start + first ingest of every log): ${figures.firstListingMs.toFixed(0)} ms\n`);
    process.stdout.write(`  listing again (warm, no change): ${figures.warmListingMs.toFixed(1)} ms\n`);
    process.stdout.write(`  expand every project: ${figures.projectRuns} rows (children + tree items; 200 a page, then Show more…): ${figures.expandProjectMs.toFixed(1)} ms\n`);
    process.stdout.write(`  expand Rewinds and the ${figures.archived} archived versions shown (a chain over 10 is flat, 200 rows a page): ${figures.expandChainMs.toFixed(1)} ms\n`);
    process.stdout.write(`  reveal and select the first version of the ${REWINDS}-rewind chain: ${figures.revealDeepestMs.toFixed(1)} ms\n`);
    process.stdout.write(`  line appended → tree item shows it (extension host): ${ms(figures.appendToTreeMs)}\n`);
    process.stdout.write(`  fork → its row in the tree (extension host; full listings: ${figures.forkFullListings}): ${ms(figures.forkToTreeMs)}\n`);
    process.stdout.write(`  line appended → row on screen shows it (Chromium DOM): ${ms(dom)}\n`);
  } finally {
    await wb.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
