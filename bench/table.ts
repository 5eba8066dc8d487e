// The runs table at 10,000 runs × 200 columns (issue 16): 116 config keys and 25 metrics (each as last,
// min and max) beside the 9 attribute columns. Prints; asserts nothing.
//
//   npm run compile-tests && node out/bench/table.js [--small] [--store-only]   (RUNREWIND_BENCH_TABLE_RUNS=2000 for a quick look)
//
// 1. The store: the whole table when it opens with nothing cached (an engine opened from the store's
//    snapshot, as the worker starts), against computing it row by row and against the implementation
//    before rows were kept as arrays (test/support/runsTableBefore.ts); a second open; a live update
//    (the changed run's rows) against reading the whole table again; the message the webview is sent.
// 2. The webview: the panel's own bundle (media/table) in headless Chromium with a stand-in host
//    (media/bench/tableHarness.ts) that answers `ready` with the message of step 1, as VS Code delivers it
//    (JSON parsed, then posted): open to first paint, sort, filter, and frame times while scrolling, against
//    the same rows and columns drawn as one plain HTML <table> in the same run. The open as the host does it
//    for a view of the first runs (their `firstRows` message, then the whole table: open → first rows
//    painted, → full table painted) and the whole table alone; with the store's cold read of the first
//    rows, their transfer and encoding, the end-to-end time to the first rows.
// 3. `runrewind list --filter QUERY` over the same log directory (its store cache warm), against `list`;
//    and in one process, the filter's own cost from a cold engine: Engine.matchingRuns against the whole
//    table filtered, as `list --filter` did before.
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import { chromium, type Page } from 'playwright-core';
import { cliSnapshotName } from '../src/cli';
import { Engine } from '../src/core/engine';
import type { RunQueries } from '../src/core/queries';
import { defaultWasmPath } from '../src/core/sqlite';
import type { RunStore } from '../src/core/store';
import { LogWriter } from '../src/core/writer';
import { parseQuery } from '../src/shared/runQuery';
import { FIRST_ROWS, type ToTableWebview } from '../src/shared/tableProtocol';
import { RunsTableBefore } from '../test/support/runsTableBefore';

const ROOT = path.resolve(__dirname, '..', '..');
const RUNS = Number(process.env.RUNREWIND_BENCH_TABLE_RUNS ?? 10_000);
/** 3 named keys and 113 more: with 25 metrics × 3 and 9 attributes, 200 columns (`--small`: 20 and 10, 59 columns, the size measured before). */
const SMALL = process.argv.includes('--small');
const CONFIG_KEYS = SMALL ? 20 : 116;
const METRICS = SMALL ? 10 : 25;
/** Only the store's figures (1.). */
const STORE_ONLY = process.argv.includes('--store-only');
const STEPS = 20;
const ROUNDS = 3;
const ATTRIBUTES = ['name', 'state', 'id', 'project', 'group', 'tags', 'created', 'duration', 'lastStep'];
const FILTER = 'summary.loss.last < 0.5 and config.lr > 0.0001';

const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (bytes: number): string => `${fmt(bytes / 1048576, 1)} MB`;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time<T>(work: () => T): [T, number] {
  const t0 = performance.now();
  const result = work();
  return [result, performance.now() - t0];
}

function metricName(m: number): string {
  return m === 0 ? 'loss' : `metric_${m}`;
}

function generate(dir: string): { live: LogWriter } {
  let live: LogWriter | undefined;
  for (let r = 0; r < RUNS; r++) {
    const config: Record<string, unknown> = { lr: 10 ** -(1 + (r % 5)), optimizer: { name: r % 2 ? 'adam' : 'sgd', beta: 0.9 } };
    for (let k = 0; k < CONFIG_KEYS - 3; k++) config[`param_${k}`] = (r * 31 + k) % 97;
    const w = new LogWriter({ dir, heartbeat: 0, buffered: true, clock: () => 1_700_000_000 + r, name: `sweep-${r}`, project: `p${r % 10}`, config });
    for (let i = 0; i < STEPS; i++) {
      const data: Record<string, number> = {};
      for (let m = 0; m < METRICS; m++) data[metricName(m)] = Math.sin(r + i / 7 + m) + 1 / (1 + i);
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

/**
 * A message as VS Code's extension host sends it to a webview: JSON, with each typed array replaced by a
 * reference and its bytes sent beside it (media/bench/tableHarness.ts decodes it the same way).
 */
function encodeMessage(message: unknown): { json: string; bin: Buffer } {
  const parts: Buffer[] = [];
  let offset = 0;
  const json = JSON.stringify(message, (_key, value: unknown) => {
    if (!(value instanceof Float64Array) && !(value instanceof Uint8Array)) return value;
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    parts.push(bytes);
    offset += bytes.length;
    return { $typed: [value.constructor.name, offset - bytes.length, bytes.length] };
  });
  return { json, bin: Buffer.concat(parts) };
}

/** The table as it was computed before rows were kept as arrays, on an engine's store. */
function before(engine: Engine): RunsTableBefore {
  const e = engine as unknown as { store: RunStore; queries: RunQueries };
  return new RunsTableBefore(e.store, e.queries);
}

interface StoreFigures {
  cold: number[];
  /** The same cold open with the implementation before (test/support/runsTableBefore.ts), same rounds. */
  coldBefore: number[];
  /** The first FIRST_ROWS runs alone on a fresh engine (what the host sends first), then the whole table after them. */
  coldFirst: number[];
  /** The first rows of a view sorted by summary.loss.min and filtered by FILTER, nothing cached. */
  coldFirstSorted: number[];
  coldAfterFirst: number[];
  first: { json: string; bin: Buffer };
  firstEncode: number;
  firstTransfer: number;
  firstTransferBytes: number;
  rowByRow: number;
  warm: number;
  patch: number;
  patchBytes: number;
  whole: number;
  ingest: number;
  init: { json: string; bin: Buffer };
  columns: string[];
  encode: number;
  /** The packed table through the worker's postMessage (structured clone: v8 serialize, then deserialize). */
  transfer: number;
  transferBytes: number;
  /** The same for the table as row objects (what went to the host before it was packed). */
  rowsTransfer: number;
  rowsTransferBytes: number;
}

async function storeFigures(dir: string, snapshotPath: string, live: LogWriter): Promise<StoreFigures> {
  const engine = await Engine.open({ logDir: dir, wasmPath: defaultWasmPath(), snapshotPath });
  process.stdout.write(`  first ingest of the logs: ${fmt(time(() => engine.ingest())[1] / 1000, 1)} s\n`);
  engine.save();
  // Cold: an engine opened from the snapshot has nothing cached, as the worker after a window reload.
  const cold: number[] = [];
  const coldBefore: number[] = [];
  const coldFirst: number[] = [];
  const coldFirstSorted: number[] = [];
  const coldAfterFirst: number[] = [];
  let table = engine.packedRunsTable({ runs: [] });
  let firstTable = table;
  for (let i = 0; i < ROUNDS; i++) {
    const fresh = await Engine.open({ logDir: dir, wasmPath: defaultWasmPath(), snapshotPath });
    const [t, ms] = time(() => fresh.packedRunsTable());
    cold.push(ms);
    table = t;
    const old = before(fresh);
    coldBefore.push(time(() => old.packed(old.table()))[1]);
    fresh.close();
    // The host's way for a view of the first runs: those alone, then the whole table.
    const again = await Engine.open({ logDir: dir, wasmPath: defaultWasmPath(), snapshotPath });
    const [f, firstMs] = time(() => again.packedRunsTable({ limit: FIRST_ROWS }));
    coldFirst.push(firstMs);
    firstTable = f;
    coldAfterFirst.push(time(() => again.packedRunsTable())[1]);
    again.close();
    // A sorted and filtered view's first rows: found from the cells the sort and the filter name.
    const sorted = await Engine.open({ logDir: dir, wasmPath: defaultWasmPath(), snapshotPath });
    const [fs2, sortedMs] = time(() => sorted.packedRunsTable({ limit: FIRST_ROWS, filter: FILTER, sort: { column: 'summary.loss.min', descending: false } }));
    if (fs2.rows.length !== FIRST_ROWS) throw new Error(`a sorted view's first rows: ${fs2.rows.length}`);
    coldFirstSorted.push(sortedMs);
    sorted.close();
  }
  const rowByRow = time(() => engine.runsTableUncached())[1];
  engine.runsTable();
  const warm = median([0, 1, 2].map(() => time(() => engine.runsTable())[1]));
  const columns = [...ATTRIBUTES, ...table.configKeys.map((k) => `config.${k}`), ...table.summaryKeys.flatMap((k) => ['last', 'min', 'max'].map((s) => `summary.${k}.${s}`))];
  const init: ToTableWebview = {
    type: 'init', folder: dir, folderName: 'bench', table, locale: 'en', strings: {},
    state: { version: 1, folder: dir, columns, sort: null, filter: '', expanded: [], selected: [] },
  };
  const [encoded, encode] = time(() => encodeMessage(init));
  const [first, firstEncode] = time(() => encodeMessage({ ...init, type: 'firstRows', table: firstTable }));
  const clone = (value: unknown): [number, number] => {
    const [bytes, ser] = time(() => v8.serialize(value));
    return [ser + time(() => v8.deserialize(bytes))[1], bytes.length];
  };
  const [transfer, transferBytes] = clone(table);
  const [firstTransfer, firstTransferBytes] = clone(firstTable);
  const [rowsTransfer, rowsTransferBytes] = clone(engine.runsTable());
  process.stdout.write(`  ${table.rows.length.toLocaleString('en-US')} rows × ${columns.length} columns\n`);
  const ingest: number[] = [];
  const patch: number[] = [];
  const whole: number[] = [];
  let patchBytes = 0;
  for (let i = 0; i < ROUNDS; i++) {
    live.log({ loss: 0.01 / (i + 1) }, 1000 + i);
    live.flush();
    const [changed, ingestMs] = time(() => engine.ingest());
    ingest.push(ingestMs);
    const [rows, patchMs] = time(() => engine.runsTable({ runs: changed.changedRuns }));
    patch.push(patchMs);
    patchBytes = JSON.stringify(rows).length;
    whole.push(time(() => engine.runsTableUncached())[1]);
  }
  live.finish();
  engine.ingest();
  engine.save();
  engine.close();
  return { cold, coldBefore, coldFirst, coldFirstSorted, coldAfterFirst, first, firstEncode, firstTransfer, firstTransferBytes, rowByRow, warm, patch: median(patch), patchBytes, whole: median(whole), ingest: median(ingest), init: encoded, columns, encode, transfer, transferBytes, rowsTransfer, rowsTransferBytes };
}

// ---- the webview ----------------------------------------------------------------------------------

interface OpenFigures {
  bootMs: number;
  firstPaintMs?: number;
  firstDeliverMs?: number;
  deliverMs: number;
  paintMs: number;
  rows: number;
}

interface FrameFigures {
  frames: number;
  p50: number;
  p95: number;
  max: number;
  slow: number;
}

interface ViewFigures {
  /** The first rows, then the whole table. */
  open: OpenFigures;
  /** The whole table alone (as before the first rows were sent ahead). */
  openWhole: OpenFigures;
  sortName: number;
  sortMetric: number;
  filter: number;
  matched: number;
  scrollDown: FrameFigures;
  scrollSideways: FrameFigures;
}

const THEME = 'body{--vscode-editor-background:#1e1e1e;--vscode-foreground:#ccc;--vscode-editor-foreground:#ccc;--vscode-font-family:sans-serif;--vscode-font-size:13px;}';

/** The plain <table>'s columns: the attributes, 8 config keys and the loss's three (all 200 of 10,000 rows took Chromium past 11 GB). */
function plainColumns(columns: readonly string[]): string[] {
  return columns.filter((id) => ATTRIBUTES.includes(id) || id.startsWith('summary.loss.')).concat(columns.filter((id) => id.startsWith('config.')).slice(0, 8));
}

function page(kind: 'grid' | 'plain', columns: readonly string[], withFirstRows = false): string {
  const plain = '.plain{height:100vh;overflow:auto}.plain table{border-collapse:collapse}.plain td,.plain th{white-space:nowrap;padding:0 6px;height:24px;font:13px sans-serif}';
  return `<!DOCTYPE html><html><head><meta charset="utf-8">${kind === 'grid' ? '<link rel="stylesheet" href="table.css">' : ''}
<style>${THEME}${plain}</style></head><body class="vscode-dark"><div id="root"></div>
<script src="harness.js"></script><script>startPage(${JSON.stringify(kind)}, 'table.js', ${JSON.stringify(kind === 'plain' ? plainColumns(columns) : undefined) ?? 'undefined'}, ${withFirstRows})</script></body></html>`;
}

async function serve(dir: string, columns: readonly string[]): Promise<http.Server> {
  const pages = new Map([['/grid.html', page('grid', columns, true)], ['/whole.html', page('grid', columns)], ['/plain.html', page('plain', columns)]]);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const html = pages.get(url.pathname);
    if (html) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
      return;
    }
    const file = path.join(dir, path.basename(url.pathname));
    if (!fs.existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    const type = file.endsWith('.css') ? 'text/css' : file.endsWith('.json') ? 'application/json' : file.endsWith('.bin') ? 'application/octet-stream' : 'text/javascript';
    res.writeHead(200, { 'content-type': type });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function gridFigures(p: Page, openWhole: OpenFigures): Promise<ViewFigures> {
  const open = (await p.evaluate('tableHarness.open()')) as OpenFigures;
  const sortName = (await p.evaluate(`tableHarness.act({ kind: 'clickHeader', column: 'name' })`)) as number;
  const sortMetric = (await p.evaluate(`tableHarness.act({ kind: 'clickHeader', column: 'summary.loss.min' })`)) as number;
  const filter = (await p.evaluate(`tableHarness.act({ kind: 'setFilter', filter: ${JSON.stringify(FILTER)} })`)) as number;
  const matched = (await p.evaluate('tableHarness.matched')) as number;
  await p.evaluate(`tableHarness.act({ kind: 'setFilter', filter: '' })`);
  const scrollDown = (await p.evaluate('tableHarness.scroll(120, 0, 3000)')) as FrameFigures;
  const scrollSideways = (await p.evaluate('tableHarness.scroll(0, 60, 3000)')) as FrameFigures;
  return { open, openWhole, sortName, sortMetric, filter, matched, scrollDown, scrollSideways };
}

async function plainFigures(p: Page): Promise<ViewFigures> {
  await p.waitForFunction('window.plainTable !== undefined');
  const open = (await p.evaluate('plainTable.open()')) as OpenFigures;
  const sortName = (await p.evaluate(`plainTable.sort('name')`)) as number;
  const sortMetric = (await p.evaluate(`plainTable.sort('summary.loss.min')`)) as number;
  const filter = (await p.evaluate(`plainTable.filter(${JSON.stringify(FILTER)})`)) as number;
  await p.evaluate(`plainTable.filter('')`);
  const scrollDown = (await p.evaluate('plainTable.scroll(120, 0, 3000)')) as FrameFigures;
  const scrollSideways = (await p.evaluate('plainTable.scroll(0, 60, 3000)')) as FrameFigures;
  return { open, openWhole: open, sortName, sortMetric, filter, matched: -1, scrollDown, scrollSideways };
}

async function viewFigures(init: { json: string; bin: Buffer }, first: { json: string; bin: Buffer }, columns: readonly string[], report: (grid: ViewFigures[]) => void): Promise<{ grid: ViewFigures[]; plain: ViewFigures | undefined; bundleBytes: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rr-bench-table-view-'));
  try {
    await esbuild.build({
      entryPoints: { table: path.join(ROOT, 'media/table/main.ts'), harness: path.join(ROOT, 'media/bench/tableHarness.ts') },
      outdir: dir, bundle: true, minify: true, platform: 'browser', format: 'iife', target: 'es2022', loader: { '.css': 'css' }, logLevel: 'warning',
    });
    fs.writeFileSync(path.join(dir, 'init.json'), init.json);
    fs.writeFileSync(path.join(dir, 'init.bin'), init.bin);
    fs.writeFileSync(path.join(dir, 'first.json'), first.json);
    fs.writeFileSync(path.join(dir, 'first.bin'), first.bin);
    const server = await serve(dir, columns);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-background-timer-throttling'],
    });
    const grid: ViewFigures[] = [];
    let plain: ViewFigures | undefined;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        // The whole table alone first (the open as it was), then the first rows ahead of it (the open as it is).
        const wholeCtx = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
        const w = await wholeCtx.newPage();
        w.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
        await w.goto(`${base}/whole.html`);
        await w.waitForFunction('window.tableHarness !== undefined');
        const openWhole = (await w.evaluate('tableHarness.open()')) as OpenFigures;
        await wholeCtx.close();
        const ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
        const p = await ctx.newPage();
        p.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
        await p.goto(`${base}/grid.html`);
        await p.waitForFunction('window.tableHarness !== undefined');
        grid.push(await gridFigures(p, openWhole));
        if (round === 0 && process.argv.includes('--shots')) await p.screenshot({ path: path.join(ROOT, 'test-results', 'screenshots', 'bench-table.png') });
        await ctx.close();
      }
      report(grid);
      // The plain table once: it takes seconds and a lot of memory at this size.
      const ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
      const p = await ctx.newPage();
      p.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
      p.setDefaultTimeout(600_000);
      await p.goto(`${base}/plain.html`);
      plain = await plainFigures(p);
      await ctx.close();
    } finally {
      await browser.close();
      server.close();
    }
    return { grid, plain, bundleBytes: fs.statSync(path.join(dir, 'table.js')).size };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the command line ------------------------------------------------------------------------------

/** The filter's own cost from a cold engine (the CLI's store cache): the cells it names against the whole table. */
async function filterFigures(dir: string): Promise<{ matching: number; whole: number }> {
  const snapshotPath = path.join(dir, '.cache', cliSnapshotName(dir, []));
  const matching: number[] = [];
  const whole: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let engine = await Engine.open({ logDir: dir, wasmPath: defaultWasmPath(), snapshotPath });
    const [ids, ms] = time(() => engine.matchingRuns(FILTER));
    matching.push(ms);
    engine.close();
    engine = await Engine.open({ logDir: dir, wasmPath: defaultWasmPath(), snapshotPath });
    const old = before(engine);
    const [oldIds, oldMs] = time(() => {
      const table = old.table();
      const query = parseQuery(FILTER, table);
      return table.rows.filter((row) => query.matches(row)).map((row) => row.id);
    });
    whole.push(oldMs);
    engine.close();
    if (JSON.stringify(ids) !== JSON.stringify(oldIds)) throw new Error('matchingRuns and the whole table filtered disagree');
  }
  return { matching: median(matching), whole: median(whole) };
}

function cliFigures(dir: string): { first: number; filtered: number; listed: number; matched: number } {
  const cli = path.join(ROOT, 'out', 'src', 'cli.js');
  const run = (args: string[]): [number, string] => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, 'list', '--dir', dir, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`runrewind list ${args.join(' ')}: ${r.stderr}`);
    return [performance.now() - t0, r.stdout];
  };
  const first = run(['--filter', FILTER])[0];
  const filtered: number[] = [];
  const listed: number[] = [];
  let matched = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const [ms, out] = run(['--filter', FILTER, '--json']);
    filtered.push(ms);
    matched = (JSON.parse(out) as unknown[]).length;
    listed.push(run(['--json'])[0]);
  }
  return { first, filtered: median(filtered), listed: median(listed), matched };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rr-bench-table-'));
  const snapshotPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rr-bench-table-snap-')), 'store.rrsnap');
  try {
    process.stdout.write(`  generating ${RUNS.toLocaleString('en-US')} runs × ${CONFIG_KEYS} config keys × ${METRICS} metrics × ${STEPS} steps (load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)…\n`);
    const { live } = generate(dir);
    const s = await storeFigures(dir, snapshotPath, live);
    process.stdout.write(`  store: table open, nothing cached: ${fmt(median(s.cold))} ms (median of ${ROUNDS}: ${s.cold.map((c) => fmt(c, 0)).join(', ')}) | baselines: before rows were kept as arrays ${fmt(median(s.coldBefore))} ms (${s.coldBefore.map((c) => fmt(c, 0)).join(', ')}), row by row ${fmt(s.rowByRow)} ms | target < 500 ms\n`);
    process.stdout.write(`  store: table open again (rows kept): ${fmt(s.warm)} ms\n`);
    process.stdout.write(`  store: live update, the changed run's rows: ${fmt(s.patch, 2)} ms, ${fmt(s.patchBytes / 1024, 1)} KB | baseline: the whole table again ${fmt(s.whole)} ms | ratio ${fmt(s.whole / s.patch, 0)}x (the ingest before either: ${fmt(s.ingest)} ms)\n`);
    process.stdout.write(`  worker → host: the packed table ${mb(s.transferBytes)} cloned in ${fmt(s.transfer)} ms | baseline: as row objects ${mb(s.rowsTransferBytes)} in ${fmt(s.rowsTransfer)} ms\n`);
    process.stdout.write(`  host → webview: the init message ${mb(s.init.json.length)} of JSON + ${mb(s.init.bin.length)} of typed arrays, encoded in ${fmt(s.encode)} ms\n`);
    process.stdout.write(`  store: the first ${FIRST_ROWS} rows of a view sorted by summary.loss.min and filtered (${FILTER}), nothing cached: ${fmt(median(s.coldFirstSorted))} ms (${s.coldFirstSorted.map((c) => fmt(c, 0)).join(', ')}) | baseline: the whole table, which such a view waited for before: ${fmt(median(s.cold))} ms\n`);
    if (STORE_ONLY) return;

    process.stdout.write(`  store: the first ${FIRST_ROWS} runs alone, nothing cached: ${fmt(median(s.coldFirst))} ms (${s.coldFirst.map((c) => fmt(c, 0)).join(', ')}), then the whole table ${fmt(median(s.coldAfterFirst))} ms (${s.coldAfterFirst.map((c) => fmt(c, 0)).join(', ')}); worker → host ${mb(s.firstTransferBytes)} in ${fmt(s.firstTransfer, 2)} ms; host → webview ${mb(s.first.json.length + s.first.bin.length)} encoded in ${fmt(s.firstEncode, 2)} ms\n`);

    const v = await viewFigures(s.init, s.first, s.columns, (grid) => {
      const m = (pick: (f: ViewFigures) => number): string => fmt(median(grid.map(pick)));
      process.stdout.write(`  webview, the grid (medians of ${ROUNDS}): open → first rows painted ${m((f) => f.open.firstPaintMs ?? Number.NaN)} ms, → full table ${m((f) => f.open.paintMs)} ms (alone: ${m((f) => f.openWhole.paintMs)} ms), sort by name ${m((f) => f.sortName)} ms, by summary.loss.min ${m((f) => f.sortMetric)} ms, filter ${m((f) => f.filter)} ms, scroll p95 ${m((f) => f.scrollDown.p95)} / ${m((f) => f.scrollSideways.p95)} ms; now the plain <table> of ${plainColumns(s.columns).length} columns…\n`);
    });
    const g = (pick: (f: ViewFigures) => number): number => median(v.grid.map(pick));
    const open = v.grid.map((f) => f.open);
    const frames = (f: FrameFigures): string => `p50 ${fmt(f.p50)} ms, p95 ${fmt(f.p95)} ms, max ${fmt(f.max)} ms, ${f.slow} of ${f.frames} frames over 25 ms`;
    const down = v.grid.map((f) => f.scrollDown).sort((a, b) => a.p95 - b.p95)[Math.floor(v.grid.length / 2)];
    const side = v.grid.map((f) => f.scrollSideways).sort((a, b) => a.p95 - b.p95)[Math.floor(v.grid.length / 2)];
    const pl = v.plain;
    process.stdout.write(`  webview (headless Chromium, ${fmt(v.bundleBytes / 1024, 0)} KB bundle; medians of ${ROUNDS}; baseline: the same rows as one plain <table> of ${plainColumns(s.columns).length} of the columns, once):\n`);
    const firstPaint = g((f) => f.open.firstPaintMs ?? Number.NaN);
    process.stdout.write(`    open → first rows painted: ${fmt(firstPaint)} ms (their message parsed and posted in ${fmt(median(open.map((o) => o.firstDeliverMs ?? Number.NaN)), 2)} ms); open → full table painted after them: ${fmt(g((f) => f.open.paintMs))} ms (its message parsed and posted in ${fmt(median(open.map((o) => o.deliverMs)))} ms)\n`);
    const storeFirst = median(s.coldFirst) + s.firstTransfer + s.firstEncode;
    const storeWhole = median(s.cold) + s.transfer + s.encode;
    process.stdout.write(`    end to end from the store (cold), first rows: ${fmt(storeFirst + firstPaint)} ms (store ${fmt(median(s.coldFirst))} + transfer ${fmt(s.firstTransfer, 2)} + encode ${fmt(s.firstEncode, 2)} + webview ${fmt(firstPaint)}) | the whole table alone, as before: ${fmt(storeWhole + g((f) => f.openWhole.paintMs))} ms (store ${fmt(median(s.cold))} + transfer ${fmt(s.transfer)} + encode ${fmt(s.encode)} + webview ${fmt(g((f) => f.openWhole.paintMs))}) | target < 500 ms\n`);
    process.stdout.write(`    end to end, the full table after the first rows: at most ${fmt(storeFirst + median(s.coldAfterFirst) + s.transfer + s.encode + g((f) => f.open.paintMs))} ms (the store's whole read counted after the first paint, not beside it)\n`);
    process.stdout.write(`    open → first paint, the whole table alone: ${fmt(g((f) => f.openWhole.paintMs))} ms (booted and ready at ${fmt(median(v.grid.map((f) => f.openWhole.bootMs)))} ms, message parsed and posted in ${fmt(median(v.grid.map((f) => f.openWhole.deliverMs)))} ms, ${v.grid[0].openWhole.rows} rows drawn)` +
      ` | plain <table> ${pl ? fmt(pl.open.paintMs) : '-'} ms | target < 500 ms\n`);
    process.stdout.write(`    sort by name: ${fmt(g((f) => f.sortName))} ms | plain ${pl ? fmt(pl.sortName) : '-'} ms; by summary.loss.min: ${fmt(g((f) => f.sortMetric))} ms | plain ${pl ? fmt(pl.sortMetric) : '-'} ms | target < 100 ms\n`);
    process.stdout.write(`    filter "${FILTER}" (${v.grid[0].matched} of ${RUNS} match): ${fmt(g((f) => f.filter))} ms | plain ${pl ? fmt(pl.filter) : '-'} ms | target < 100 ms\n`);
    process.stdout.write(`    scroll down 5 rows a frame, 3 s: ${frames(down)} | plain ${pl ? frames(pl.scrollDown) : '-'}\n`);
    process.stdout.write(`    scroll sideways 60 px a frame, 3 s: ${frames(side)} | plain ${pl ? frames(pl.scrollSideways) : '-'}\n`);

    const c = cliFigures(dir);
    process.stdout.write(`  runrewind list --filter "${FILTER}" (${c.matched} runs): ${fmt(c.filtered)} ms (store cache warm; median of ${ROUNDS}) | baseline: list without a filter ${fmt(c.listed)} ms | first run, logs read and cached: ${fmt(c.first / 1000, 1)} s\n`);
    const f = await filterFigures(dir);
    process.stdout.write(`  the filter itself, engine cold from the CLI's cache (median of ${ROUNDS}): ${fmt(f.matching)} ms reading the cells it names | baseline: the whole table filtered, as before: ${fmt(f.whole)} ms | ratio ${fmt(f.whole / f.matching, 0)}x\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(path.dirname(snapshotPath), { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
