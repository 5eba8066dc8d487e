// Core engine benchmarks: ingest, rewind/fork, downsampling, a console of 1M lines, snapshot and event-loop stalls. Each figure
// is printed beside a baseline measured in the same run, because these machines are shared and noisy:
// ratios hold, absolute times drift. Prints; asserts nothing.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { StoreClient } from '../src/core/client';
import { SummaryWriter, encodeChunk } from '../src/core/chunks';
import { downsampleM4 } from '../src/core/downsample';
import { Engine } from '../src/core/engine';
import { ChunkFiles } from '../src/core/chunkFiles';
import { CHUNK_SIZE, SCHEMA_VERSION, migrate } from '../src/core/schema';
import { storePointChunk, storeStepChunk } from '../src/core/seriesAppender';
import { readSnapshot, writeSnapshot } from '../src/core/snapshot';
import { Db, defaultWasmPath } from '../src/core/sqlite';
import { LogWriter } from '../src/core/writer';

const ROOT = path.resolve(__dirname, '..', '..');
const WORKER = path.join(ROOT, 'dist', 'worker.js');

export interface Figure {
  readonly name: string;
  readonly value: string;
  readonly baseline?: string;
  readonly ratio?: string;
  readonly target?: string;
}

const figures: Figure[] = [];
function report(f: Figure): void {
  figures.push(f);
  const parts = [`${f.name}: ${f.value}`];
  if (f.baseline) parts.push(`baseline ${f.baseline}`);
  if (f.ratio) parts.push(`ratio ${f.ratio}`);
  if (f.target) parts.push(`target ${f.target}`);
  process.stdout.write(`  ${parts.join(' | ')}\n`);
}

const fmt = (n: number, digits = 2): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const rate = (points: number, ms: number): string => `${fmt(points / ms / 1000, 2)}M points/s`;

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rr-bench-'));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Writes one run of `rows` steps with `keys` metrics each. */
function generate(dir: string, rows: number, keys: number): { run: string; version: string } {
  const w = new LogWriter({ dir, heartbeat: 0, buffered: true, clock: () => 1_700_000_000 });
  const names = Array.from({ length: keys }, (_, k) => (k === 0 ? 'loss' : `metric_${k}`));
  for (let i = 0; i < rows; i++) {
    const data: Record<string, number> = {};
    for (let k = 0; k < keys; k++) data[names[k]] = k === 0 ? 1 / (1 + i) + (i % 997 === 0 ? 5 : 0) : Math.sin(i / 100 + k);
    w.log(data, i);
  }
  w.finish();
  return { run: w.run, version: w.version };
}

function logFiles(dir: string): string[] {
  const runs = path.join(dir, 'runs');
  return fs.readdirSync(runs).flatMap((r) => fs.readdirSync(path.join(runs, r)).map((f) => path.join(runs, r, f)));
}

/** Reads every line and JSON.parses it: the floor any ingest has to stand on. */
function parseOnly(dir: string, each?: (record: { type: string; step: number; data: Record<string, number> }) => void): number {
  let points = 0;
  for (const file of logFiles(dir)) {
    const fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    let offset = 0;
    const block = Buffer.allocUnsafe(8 << 20);
    while (offset < size) {
      const read = fs.readSync(fd, block, 0, block.length, offset);
      const end = block.lastIndexOf(10, read - 1);
      const text = block.toString('utf8', 0, end);
      for (const line of text.split('\n')) {
        const r = JSON.parse(line) as { type: string; step: number; data: Record<string, number> };
        if (r.type === 'row') {
          for (const k in r.data) if (typeof r.data[k] === 'number') points++;
          each?.(r);
        }
      }
      offset += end + 1;
    }
    fs.closeSync(fd);
  }
  return points;
}

/**
 * Issue 12's experiment, not used by the product: a scanner for row lines that builds no objects — the
 * keys of a row compared with the previous row's (the shape), numbers read with Number() — against
 * JSON.parse of the same lines (parseOnly). Lines it does not expect are handed to JSON.parse.
 */
function scanOnly(dir: string): number {
  let points = 0;
  const shape: string[] = [];
  for (const file of logFiles(dir)) {
    const text = fs.readFileSync(file, 'utf8');
    let p = 0;
    while (p < text.length) {
      let nl = text.indexOf('\n', p);
      if (nl < 0) nl = text.length;
      const d = text.indexOf('"data":{', p);
      if (!text.startsWith('{"type":"row"', p) || d < 0 || d > nl || text.charCodeAt(nl - 2) !== 125) {
        JSON.parse(text.slice(p, nl));
        p = nl + 1;
        continue;
      }
      const st = text.indexOf('"step":', p) + 7;
      let c = st;
      while (text.charCodeAt(c) !== 44 && text.charCodeAt(c) !== 125) c++;
      if (!(Number(text.slice(st, c)) >= 0)) throw new Error('the scanner misread a step');
      let q = d + 8;
      for (let i = 0; q < nl - 1; i++) {
        const k = shape[i];
        let at: number;
        if (k !== undefined && text.startsWith(k, q)) at = q + k.length;
        else {
          const e = text.indexOf('":', q);
          shape[i] = text.slice(q, e + 2);
          at = e + 2;
        }
        let e = at;
        for (let ch = text.charCodeAt(e); ch !== 44 && ch !== 125; ch = text.charCodeAt(++e));
        const v = Number(text.slice(at, e));
        if (v === v) points++;
        q = e + 1;
      }
      p = nl + 1;
    }
  }
  return points;
}

/** The naive design: parse, then one SQLite row per point, in one transaction. */
async function rowPerPoint(dir: string): Promise<{ ms: number; points: number }> {
  const db = await Db.open(defaultWasmPath());
  db.exec('CREATE TABLE points (version TEXT NOT NULL, key INTEGER NOT NULL, step INTEGER NOT NULL, value REAL, PRIMARY KEY (version, key, step)) WITHOUT ROWID');
  const keys = new Map<string, number>();
  let points = 0;
  const t0 = performance.now();
  db.transaction(() => {
    parseOnly(dir, (r) => {
      for (const k in r.data) {
        let id = keys.get(k);
        if (id === undefined) keys.set(k, (id = keys.size));
        db.run('INSERT INTO points VALUES (?,?,?,?)', ['v', id, r.step, r.data[k]]);
        points++;
      }
    });
  });
  const ms = performance.now() - t0;
  db.close();
  return { ms, points };
}

export async function benchIngest(points: number): Promise<void> {
  const keys = 4;
  const dir = tempDir();
  generate(dir, points / keys, keys);
  const bytes = logFiles(dir).reduce((n, f) => n + fs.statSync(f).size, 0);
  let t0 = performance.now();
  parseOnly(dir);
  const parseMs = performance.now() - t0;
  const engine = await Engine.open({ logDir: dir, wasmPath: defaultWasmPath() });
  t0 = performance.now();
  const result = engine.ingest();
  const ingestMs = performance.now() - t0;
  engine.close();
  if (result.points !== points) throw new Error(`ingested ${result.points} of ${points} points`);
  const naive = await rowPerPoint(dir);
  const label = `${points / 1e6}M points (${keys} keys x ${(points / keys).toLocaleString('en-US')} steps, ${fmt(bytes / 1048576, 0)} MiB of JSONL)`;
  report({ name: `ingest ${label}`, value: `${rate(points, ingestMs)} (${fmt(ingestMs, 0)} ms)`, baseline: `row per point ${rate(naive.points, naive.ms)}`, ratio: `${fmt(naive.ms / ingestMs)}x`, target: '>= 1.5M points/s, >= 2.5x' });
  report({ name: `  parse-only at ${points / 1e6}M`, value: rate(points, parseMs), ratio: `ingest runs at ${fmt((parseMs / ingestMs) * 100, 0)}% of parse-only speed` });
  if (points <= 1_000_000) {
    t0 = performance.now();
    const scanned = scanOnly(dir);
    const scanMs = performance.now() - t0;
    if (scanned !== points) throw new Error(`the scanner read ${scanned} of ${points} points`);
    report({ name: '  a row scanner building no objects (an experiment, not in the product)', value: rate(points, scanMs), baseline: `parse-only ${rate(points, parseMs)}`, ratio: `${fmt(parseMs / scanMs)}x parse-only speed` });
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Runs every measured path once on a small log, so the figures are not of cold (unoptimised) code. */
async function warmUp(): Promise<void> {
  const dir = tempDir();
  generate(dir, 50_000, 4);
  parseOnly(dir);
  const engine = await Engine.open({ logDir: dir, wasmPath: defaultWasmPath() });
  engine.ingest();
  engine.close();
  await rowPerPoint(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

async function benchLineage(rows: number): Promise<void> {
  const dir = tempDir();
  const snapshot = path.join(dir, 'store.rrsnap');
  const { run } = generate(dir, rows, 1);
  const engine = await Engine.open({ logDir: dir, snapshotPath: snapshot, wasmPath: defaultWasmPath() });
  engine.ingest();
  const rewinds: number[] = [];
  const forks: number[] = [];
  for (let i = 0; i < 9; i++) {
    let t0 = performance.now();
    engine.rewind(run, Math.floor(rows / 2) - i);
    rewinds.push(performance.now() - t0);
    t0 = performance.now();
    engine.fork(run, Math.floor(rows / 3) - i);
    forks.push(performance.now() - t0);
  }
  // Baseline: the cheapest copy there is, the stored chunks of the history up to the step.
  engine.save();
  const live = engine.getRun(run);
  const archived = live.versions[live.versions.length - 1].id;
  const db = await openSnapshotDb(snapshot);
  const cut = Math.floor(rows / 2);
  const t0 = performance.now();
  db.transaction(() => {
    db.run("INSERT INTO point_chunk_rows (version, key, chunk, first_step, last_step, n, steps, vals, vmin, vmax) SELECT 'vcopy', key, chunk, first_step, last_step, n, steps, vals, vmin, vmax FROM point_chunks WHERE version=? AND first_step<=?", [archived, cut]);
    db.run("INSERT INTO step_chunk_rows (version, chunk, first_step, last_step, n, steps, times) SELECT 'vcopy', chunk, first_step, last_step, n, steps, times FROM step_chunks WHERE version=? AND first_step<=?", [archived, cut]);
  });
  const copyMs = performance.now() - t0;
  db.close();
  engine.close();
  const label = `${(rows / 1e6).toLocaleString('en-US')}M rows of history`;
  report({ name: `rewind at ${label}`, value: `${fmt(median(rewinds), 2)} ms (median of 9, max ${fmt(Math.max(...rewinds), 2)})`, baseline: `copying the rows ${fmt(copyMs, 1)} ms`, ratio: `${fmt(copyMs / median(rewinds), 0)}x`, target: '< 5 ms, flat in size' });
  report({ name: `fork at ${label}`, value: `${fmt(median(forks), 2)} ms (median of 9, max ${fmt(Math.max(...forks), 2)})`, baseline: `copying the rows ${fmt(copyMs, 1)} ms`, ratio: `${fmt(copyMs / median(forks), 0)}x`, target: '< 5 ms, flat in size' });
  fs.rmSync(dir, { recursive: true, force: true });
}

async function benchDownsample(): Promise<void> {
  const rows = 1_000_000;
  const dir = tempDir();
  const { run } = generate(dir, rows, 1);
  const engine = await Engine.open({ logDir: dir, wasmPath: defaultWasmPath() });
  engine.ingest();
  const direct: number[] = [];
  const naive: number[] = [];
  for (let i = 0; i < 7; i++) {
    let t0 = performance.now();
    const d = engine.downsample(run, 'loss', 2000);
    direct.push(performance.now() - t0);
    if (d.exact || d.total !== rows) throw new Error('downsampling did not downsample');
    t0 = performance.now();
    const s = engine.series(run, 'loss');
    downsampleM4(2000, s.steps[0], s.steps[s.steps.length - 1], (visit) => visit(s.steps, s.values, 0, s.steps.length));
    naive.push(performance.now() - t0);
  }
  engine.close();
  const client = await StoreClient.start({ logDir: dir, workerScript: WORKER, wasmPath: defaultWasmPath() });
  await client.ingest();
  const viaWorker: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    await client.downsample(run, 'loss', 2000);
    viaWorker.push(performance.now() - t0);
  }
  await client.dispose();
  report({ name: 'downsample 1M points to 2,000 min/max buckets, in the store', value: `${fmt(median(direct), 1)} ms`, baseline: `fetch all then downsample ${fmt(median(naive), 1)} ms`, ratio: `${fmt(median(naive) / median(direct))}x`, target: '< 20 ms' });
  report({ name: '  the same end to end through the worker (request to typed arrays in hand)', value: `${fmt(median(viaWorker), 1)} ms` });
  fs.rmSync(dir, { recursive: true, force: true });
}

/** The database of a snapshot just saved, with its chunk files, as Engine.open reads it. */
async function openSnapshotDb(snapshot: string): Promise<Db> {
  const read = readSnapshot(snapshot, SCHEMA_VERSION);
  if (read.kind !== 'ok') throw new Error(`the snapshot just saved cannot be read: ${read.kind}`);
  const db = await Db.open(defaultWasmPath(), read.bytes);
  db.chunkFiles = new ChunkFiles(snapshot);
  migrate(db);
  const problem = db.chunkFiles.attach(db);
  if (problem) throw new Error(problem);
  return db;
}

/**
 * A store holding one run whose key `loss` has `points` points, built straight into the database as
 * the appender writes it (going through JSONL would take minutes at 50M): one logged row makes the run,
 * then its chunks are replaced by generated ones and the snapshot is written. Returns the snapshot.
 */
export async function bigStore(points: number, inline = false): Promise<{ dir: string; snapshot: string; run: string; version: string; buildMs: number }> {
  const t0 = performance.now();
  const dir = tempDir();
  const snapshot = path.join(dir, 'store.rrsnap');
  const { run, version } = generate(dir, 1, 1);
  const first = await Engine.open({ logDir: dir, snapshotPath: snapshot, wasmPath: defaultWasmPath() });
  first.ingest();
  first.save();
  first.close();
  const db = await openSnapshotDb(snapshot);
  // `inline`: every chunk in its row, as stores kept them before chunk files (the persistence baseline).
  const files = db.chunkFiles!;
  if (inline) db.chunkFiles = undefined;
  const key = db.get("SELECT id FROM keys WHERE name='loss'")![0] as number;
  let lastValue = 0;
  db.transaction(() => {
    db.run('DELETE FROM point_chunk_rows WHERE version=?', [version]);
    db.run('DELETE FROM point_summaries WHERE version=?', [version]);
    db.run('DELETE FROM step_chunk_rows WHERE version=?', [version]);
    // Full chunks are summarized as the appender does (chunks.ts SummaryWriter, a row per 64 chunks).
    const summaries = new SummaryWriter(db);
    for (let c = 0; c * CHUNK_SIZE < points; c++) {
      const n = Math.min(CHUNK_SIZE, points - c * CHUNK_SIZE);
      const steps = new Array<number>(n);
      const vals = new Array<number>(n);
      const times = new Array<number>(n);
      for (let i = 0; i < n; i++) {
        const step = c * CHUNK_SIZE + i;
        steps[i] = step;
        vals[i] = step % 1_000_003 === 7 ? Number.NaN : 1 / (1 + step / 1000) + Math.sin(step / 777) * 0.01 + (step % 99_991 === 0 ? 5 : 0);
        times[i] = 1_700_000_000 + step / 100;
      }
      lastValue = vals[n - 1];
      const p = encodeChunk(steps, vals);
      const t = encodeChunk(steps, times);
      storePointChunk(db, version, key, c, p);
      if (p.n === CHUNK_SIZE) summaries.add(version, key, c, p);
      storeStepChunk(db, version, c, t);
    }
    summaries.end();
    db.run('UPDATE version_keys SET points=?, last_step=?, last_num=? WHERE version=? AND key=?', [points, points - 1, lastValue, version, key]);
    db.run('UPDATE versions SET last_step=?, own_last_step=? WHERE id=?', [points - 1, points - 1, version]);
  });
  files.sync(db);
  writeSnapshot(snapshot, SCHEMA_VERSION, db.export());
  files.close();
  db.close();
  return { dir, snapshot, run, version, buildMs: performance.now() - t0 };
}

const rssMiB = (): number => process.memoryUsage().rss / 1048576;

/** `history --limit 100` and 2,000-bucket downsampling of one key at `points`, beside the same at 1M. */
export async function benchBigKey(points: number): Promise<void> {
  const measure = async (size: number): Promise<{ history: number[]; historyEnd: number[]; down: number[]; downTimes: number[]; unmarked: number[]; rss: [number, number]; buildMs: number }> => {
    const store = await bigStore(size);
    const engine = await Engine.open({ logDir: store.dir, snapshotPath: store.snapshot, wasmPath: defaultWasmPath() });
    if (engine.startupNote) throw new Error(engine.startupNote);
    const history: number[] = [];
    const historyEnd: number[] = [];
    const down: number[] = [];
    const downTimes: number[] = [];
    (globalThis as { gc?: () => void }).gc?.();
    const before = rssMiB();
    let after = before;
    for (let i = 0; i < 7; i++) {
      let t0 = performance.now();
      const page = engine.history(store.run, { limit: 100, offset: 1000 * i });
      history.push(performance.now() - t0);
      if (page.rows.length !== 100 || page.total !== size) throw new Error(`history read ${page.rows.length} rows of ${page.total}`);
      t0 = performance.now();
      engine.history(store.run, { limit: 100, offset: -100 });
      historyEnd.push(performance.now() - t0);
      t0 = performance.now();
      const d = engine.downsample(store.run, 'loss', 2000);
      down.push(performance.now() - t0);
      after = Math.max(after, rssMiB());
      if (d.exact || d.total !== size) throw new Error('downsampling did not downsample');
      t0 = performance.now();
      engine.downsample(store.run, 'loss', 2000, undefined, true);
      downTimes.push(performance.now() - t0);
    }
    // The same store with its chunks' marks forgotten (as chunks stored before schema 12): a chunk a
    // bucket edge splits is then read point by point.
    (engine as unknown as { db: Db }).db.run('UPDATE point_chunk_rows SET file_marks=NULL, marks=NULL');
    const unmarked: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      engine.downsample(store.run, 'loss', 2000);
      unmarked.push(performance.now() - t0);
    }
    engine.close();
    fs.rmSync(store.dir, { recursive: true, force: true });
    return { history, historyEnd, down, downTimes, unmarked, rss: [before, after], buildMs: store.buildMs };
  };
  const small = await measure(1_000_000);
  const big = await measure(points);
  const label = `${points / 1e6}M points`;
  const ms = (xs: number[]): string => `${fmt(median(xs), 2)} ms (median of 7, max ${fmt(Math.max(...xs), 2)})`;
  report({ name: `history --limit 100 of a ${label} key (store built in ${fmt(big.buildMs / 1000, 1)} s)`, value: ms(big.history), baseline: `at 1M ${fmt(median(small.history), 2)} ms`, ratio: `${fmt(median(big.history) / median(small.history))}x`, target: '< 10 ms, flat in size' });
  report({ name: `  its last page (--offset -100)`, value: ms(big.historyEnd), baseline: `at 1M ${fmt(median(small.historyEnd), 2)} ms` });
  report({ name: `downsample a ${label} key to 2,000 buckets`, value: `${ms(big.down)}; RSS ${fmt(big.rss[0], 0)} -> ${fmt(big.rss[1], 0)} MiB`, baseline: `at 1M ${fmt(median(small.down), 2)} ms`, ratio: `${fmt(median(big.down) / median(small.down))}x`, target: '< 30 ms, no memory growth' });
  report({ name: `  the same with wall times`, value: ms(big.downTimes), baseline: `at 1M ${fmt(median(small.downTimes), 2)} ms` });
  report({ name: `  the same without chunk marks (a cut chunk read point by point)`, value: ms(big.unmarked), baseline: `with marks ${fmt(median(big.down), 2)} ms`, ratio: `${fmt(median(big.unmarked) / median(big.down))}x` });
}

/**
 * What persisting a big store costs: opening its snapshot, and saving it after 1,000 rows are appended,
 * in this thread and through the worker (how long the worker stops answering while it saves), with the
 * chunks in chunk files against the same store with every chunk in the database, as before chunk files.
 */
export async function benchBigPersistence(points: number): Promise<void> {
  interface Measured { openMs: number; openRss: number; saveMs: number; snapshotMiB: number; filesMiB: number; stall: number; idle: number; held: number; buildMs: number }
  const measure = async (inline: boolean): Promise<Measured> => {
    const store = await bigStore(points, inline);
    // Opened in a process of its own, so its memory is its own (this one has just built the store).
    const opener = `const { Engine } = require(${JSON.stringify(path.join(ROOT, 'out', 'src', 'core', 'engine.js'))});
      (async () => { const t0 = performance.now();
        const e = await Engine.open({ logDir: ${JSON.stringify(store.dir)}, snapshotPath: ${JSON.stringify(store.snapshot)} });
        e.getRun(${JSON.stringify(store.run)}); const ms = performance.now() - t0;
        process.stdout.write(JSON.stringify({ ms, note: e.startupNote ?? null, rss: process.memoryUsage().rss })); })();`;
    const base = JSON.parse(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.memoryUsage().rss))'], { encoding: 'utf8' })) as number;
    const opened = JSON.parse(execFileSync(process.execPath, ['-e', opener], { encoding: 'utf8', maxBuffer: 1 << 20 })) as { ms: number; note: string | null; rss: number };
    if (opened.note) throw new Error(opened.note);
    const openMs = opened.ms;
    const openRss = (opened.rss - base) / 1048576;
    let t0 = performance.now();
    const engine = await Engine.open({ logDir: store.dir, snapshotPath: store.snapshot, wasmPath: defaultWasmPath() });
    const append = (from: number): void => {
      const w = new LogWriter({ dir: store.dir, run: store.run, version: store.version, mode: 'resume', lastStep: from - 1, heartbeat: 0, buffered: true, clock: () => 1_700_000_000 });
      for (let i = from; i < from + 1000; i++) w.log({ loss: 1 / (1 + i) }, i);
      w.finish();
    };
    append(points);
    engine.ingest();
    t0 = performance.now();
    engine.save();
    const saveMs = performance.now() - t0;
    engine.close();
    const snapshotMiB = fs.statSync(store.snapshot).size / 1048576;
    const filesMiB = fs.readdirSync(store.dir).filter((f) => f.endsWith('.chunks')).reduce((sum, f) => sum + fs.statSync(path.join(store.dir, f)).size, 0) / 1048576;
    // Through the worker: the longest answer to a small question asked every few ms while it saves,
    // against the same questions while it does nothing.
    const client = await StoreClient.start({ logDir: store.dir, snapshotPath: store.snapshot, workerScript: WORKER, wasmPath: defaultWasmPath(), saveDelayMs: 3_600_000 });
    let held = Number.NaN;
    client.onLog((m) => {
      const found = /held (\d+) ms/.exec(m.message);
      if (found) held = Number(found[1]);
    });
    await client.ingest();
    const longestAnswer = async (during: Promise<void> | undefined, ms: number): Promise<number> => {
      let done = false;
      void during?.then(() => (done = true));
      const until = performance.now() + ms;
      let longest = 0;
      while (during ? !done : performance.now() < until) {
        const t = performance.now();
        await client.getRun(store.run);
        longest = Math.max(longest, performance.now() - t);
      }
      return longest;
    };
    const idle = await longestAnswer(undefined, 500);
    append(points + 1000);
    await client.ingest();
    const stall = await longestAnswer(client.save(), 0);
    await client.dispose();
    fs.rmSync(store.dir, { recursive: true, force: true });
    return { openMs, openRss, saveMs, snapshotMiB, filesMiB, stall, idle, held, buildMs: store.buildMs };
  };
  const files = await measure(false);
  const inline = await measure(true);
  const label = `${points / 1e6}M-point store`;
  report({ name: `open a ${label} from its snapshot`, value: `${fmt(files.openMs, 0)} ms, RSS +${fmt(files.openRss, 0)} MiB (snapshot ${fmt(files.snapshotMiB, 1)} MiB + chunk files ${fmt(files.filesMiB, 0)} MiB)`, baseline: `every chunk in the database: ${fmt(inline.openMs, 0)} ms, RSS +${fmt(inline.openRss, 0)} MiB (snapshot ${fmt(inline.snapshotMiB, 0)} MiB)`, ratio: `${fmt(inline.openMs / files.openMs, 1)}x`, target: '< 1 s, < 1 GiB' });
  report({ name: `save a ${label} after 1,000 rows are appended`, value: `${fmt(files.saveMs, 1)} ms`, baseline: `every chunk in the database: ${fmt(inline.saveMs, 0)} ms`, ratio: `${fmt(inline.saveMs / files.saveMs, 0)}x`, target: 'follows the append, not the store' });
  report({ name: `  the worker's longest answer while it saves`, value: `${fmt(files.stall, 1)} ms (idle: ${fmt(files.idle, 1)} ms; the export held it ${fmt(files.held, 0)} ms)`, baseline: `every chunk in the database: ${fmt(inline.stall, 0)} ms (held ${fmt(inline.held, 0)} ms)`, ratio: `${fmt(inline.stall / files.stall, 0)}x`, target: '< 20 ms' });
}

/** Listing and reading runs in a store of `count` runs, beside the same at a tenth of it. */
export async function benchManyRuns(count: number): Promise<void> {
  const measure = async (runs: number): Promise<{ list: number[]; get: number[] }> => {
    const dir = tempDir();
    const ids: string[] = [];
    for (let r = 0; r < runs; r++) {
      const w = new LogWriter({ dir, heartbeat: 0, buffered: true, clock: () => 1_700_000_000 + r, name: `run-${r}` });
      for (let i = 0; i < 10; i++) w.log({ loss: 1 / (1 + i), acc: i / 10, [`layer${r % 13}/grad`]: i }, i);
      w.finish();
      ids.push(w.run);
    }
    const engine = await Engine.open({ logDir: dir, wasmPath: defaultWasmPath() });
    engine.ingest();
    const list: number[] = [];
    const get: number[] = [];
    for (let i = 0; i < 5; i++) {
      let t0 = performance.now();
      if (engine.listRuns().length !== runs) throw new Error('listing lost runs');
      list.push(performance.now() - t0);
      t0 = performance.now();
      for (let k = 0; k < 100; k++) engine.getRun(ids[(k * 97 + i) % runs]);
      get.push((performance.now() - t0) / 100);
    }
    engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
    return { list, get };
  };
  const small = await measure(count / 10);
  const big = await measure(count);
  const n = count.toLocaleString('en-US');
  report({ name: `list ${n} runs (the store's listing)`, value: `${fmt(median(big.list), 1)} ms (median of 5)`, baseline: `${(count / 10).toLocaleString('en-US')} runs ${fmt(median(small.list), 1)} ms`, ratio: `${fmt(median(big.list) / median(small.list))}x for 10x the runs` });
  report({ name: `getRun in a store of ${n} runs`, value: `${fmt(median(big.get), 3)} ms (median of 5 x 100)`, baseline: `${(count / 10).toLocaleString('en-US')} runs ${fmt(median(small.get), 3)} ms`, ratio: `${fmt(median(big.get) / median(small.get))}x` });
}

export async function benchSnapshotAndStall(): Promise<void> {
  const points = 10_000_000;
  const dir = tempDir();
  const snapshot = path.join(dir, 'store.rrsnap');
  generate(dir, points / 4, 4);
  // In-thread baseline: the longest stall when the thread that owns the UI ingests and saves itself.
  const inThread = await Engine.open({ logDir: dir, snapshotPath: snapshot, wasmPath: defaultWasmPath() });
  let t0 = performance.now();
  inThread.ingest();
  const ingestMs = performance.now() - t0;
  t0 = performance.now();
  inThread.save();
  const saveMs = performance.now() - t0;
  inThread.close();
  const snapshotBytes = fs.statSync(snapshot).size;
  const chunkBytes = fs.readdirSync(dir).filter((f) => f.endsWith('.chunks')).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
  const size = snapshotBytes + chunkBytes;
  t0 = performance.now();
  const loaded = await Engine.open({ logDir: dir, snapshotPath: snapshot, wasmPath: defaultWasmPath() });
  const loadMs = performance.now() - t0;
  if (loaded.startupNote) throw new Error(loaded.startupNote);
  loaded.close();
  report({ name: 'snapshot at 10M points', value: `save ${fmt(saveMs, 0)} ms, load ${fmt(loadMs, 0)} ms, ${fmt(size / points, 2)} bytes/point (snapshot ${fmt(snapshotBytes / 1048576, 1)} MiB + chunk files ${fmt(chunkBytes / 1048576, 1)} MiB)`, target: '< 20 bytes/point' });
  fs.rmSync(snapshot);
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.chunks')) fs.rmSync(path.join(dir, f));
  // Through the worker: the owning thread only posts and receives messages.
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let longest = 0;
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last - 1);
    last = now;
  }, 1);
  const client = await StoreClient.start({ logDir: dir, snapshotPath: snapshot, workerScript: WORKER, wasmPath: defaultWasmPath() });
  histogram.enable();
  last = performance.now();
  longest = 0;
  t0 = performance.now();
  await client.ingest();
  await client.save();
  const workerMs = performance.now() - t0;
  histogram.disable();
  clearInterval(probe);
  await client.dispose();
  report({
    name: 'longest stall of the owning thread while 10M points are ingested and saved',
    value: `${fmt(longest, 1)} ms (event-loop delay p99 ${fmt(histogram.percentile(99) / 1e6, 1)} ms, max ${fmt(histogram.max / 1e6, 1)} ms; ${fmt(workerMs, 0)} ms of work in the worker)`,
    baseline: `in-thread ingest + save ${fmt(ingestMs + saveMs, 0)} ms`,
    ratio: `${fmt((ingestMs + saveMs) / Math.max(longest, 0.1), 0)}x`,
    target: '< 20 ms',
  });
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Writes one run as the Python client does: `rows` steps of `loss`, and `linesPerStep` console lines per
 * step batched 1,000 to a record (0 for the same run without a console).
 */
function generateConsoleRun(dir: string, run: string, rows: number, linesPerStep: number): void {
  const folder = path.join(dir, 'runs', run);
  fs.mkdirSync(folder, { recursive: true });
  const file = fs.openSync(path.join(folder, '1700000000000-benchcon.jsonl'), 'w');
  const t0 = 1_700_000_000;
  fs.writeSync(file, `${JSON.stringify({ type: 'start', protocol: 1, protocol_minor: 1, time: t0, run, version: 'vbenchconsole', mode: 'new', host: 'bench', pid: 1 })}\n`);
  let pending: unknown[] = [];
  let out: string[] = [];
  for (let step = 0; step < rows; step++) {
    const t = t0 + step / 100;
    for (let j = 0; j < linesPerStep; j++) pending.push([t, j === 9 ? 'stderr' : 'stdout', step, `epoch ${step >> 10} | batch ${step} | line ${j} | loss ${(1 / (1 + step)).toFixed(6)}`]);
    if (pending.length >= 1000) {
      out.push(JSON.stringify({ type: 'console', time: t, lines: pending }));
      pending = [];
    }
    out.push(JSON.stringify({ type: 'row', time: t, step, data: { loss: 1 / (1 + step) + (step % 997 === 0 ? 5 : 0) } }));
    if (out.length >= 10_000) {
      fs.writeSync(file, `${out.join('\n')}\n`);
      out = [];
    }
  }
  if (pending.length > 0) out.push(JSON.stringify({ type: 'console', time: t0 + rows / 100, lines: pending }));
  out.push(JSON.stringify({ type: 'finish', time: t0 + rows / 100, exit_code: 0 }));
  fs.writeSync(file, `${out.join('\n')}\n`);
  fs.closeSync(file);
}

/** Console lines live in their own table: 1M of them must not slow a metric query on the same run. */
export async function benchConsole(): Promise<void> {
  const rows = 100_000;
  const linesPerStep = 10;
  const plainDir = tempDir();
  const consoleDir = tempDir();
  generateConsoleRun(plainDir, 'bench', rows, 0);
  generateConsoleRun(consoleDir, 'bench', rows, linesPerStep);
  const measure = async (dir: string): Promise<{ engine: Engine; ingestMs: number; queryMs: number }> => {
    const engine = await Engine.open({ logDir: dir, wasmPath: defaultWasmPath() });
    const t0 = performance.now();
    while (engine.ingest().rows > 0 || engine.pendingBytes() > 0) { /* until everything is read */ }
    const ingestMs = performance.now() - t0;
    const query: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t = performance.now();
      engine.downsample('bench', 'loss', 2000);
      engine.series('bench', 'loss', { from: 40_000, to: 60_000 }, true);
      engine.history('bench', { offset: -100 });
      query.push(performance.now() - t);
    }
    return { engine, ingestMs, queryMs: median(query) };
  };
  const plain = await measure(plainDir);
  plain.engine.close();
  const withConsole = await measure(consoleDir);
  const lines = rows * linesPerStep;
  const page: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t = performance.now();
    const last = withConsole.engine.consoleLines('bench', { offset: -1000 });
    if (last.total !== lines || last.lines.length !== 1000) throw new Error(`the console holds ${last.total} lines, not ${lines}`);
    withConsole.engine.consoleLines('bench', { offset: lines / 2, limit: 1000 });
    page.push(performance.now() - t);
  }
  withConsole.engine.close();
  const consoleMs = withConsole.ingestMs - plain.ingestMs;
  report({ name: 'ingest a run of 100k rows with 1M console lines', value: `${fmt(withConsole.ingestMs, 0)} ms (the lines ${fmt(lines / Math.max(consoleMs, 1) / 1000, 2)}M lines/s)`, baseline: `the same run without a console ${fmt(plain.ingestMs, 0)} ms` });
  report({ name: 'metric queries (downsample, a 20k-step series with times, a history page) beside 1M console lines', value: `${fmt(withConsole.queryMs, 2)} ms`, baseline: `without a console ${fmt(plain.queryMs, 2)} ms`, ratio: `${fmt(withConsole.queryMs / plain.queryMs)}x`, target: '1.00x (the same)' });
  report({ name: '  two 1,000-line console pages (the last, and one from the middle) of 1M lines', value: `${fmt(median(page), 1)} ms` });
  fs.rmSync(plainDir, { recursive: true, force: true });
  fs.rmSync(consoleDir, { recursive: true, force: true });
}

export async function runCoreBenchmarks(): Promise<Figure[]> {
  if (!fs.existsSync(WORKER)) throw new Error('dist/worker.js is missing: run `npm run build` first');
  process.stdout.write('Core engine\n');
  await warmUp();
  await benchIngest(1_000_000);
  await benchIngest(10_000_000);
  await benchLineage(1_000_000);
  await benchLineage(10_000_000);
  await benchDownsample();
  await benchConsole();
  await benchBigKey(Number(process.env.RUNREWIND_BENCH_BIG_POINTS ?? 50_000_000));
  await benchBigPersistence(Number(process.env.RUNREWIND_BENCH_BIG_POINTS ?? 50_000_000));
  await benchManyRuns(10_000);
  await benchSnapshotAndStall();
  return figures;
}

if (require.main === module) {
  runCoreBenchmarks().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
