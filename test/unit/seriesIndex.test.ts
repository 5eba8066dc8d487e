// Series, downsampling and history pages answered from the chunk index and the chunk summaries
// (point_summaries), checked against a plain computation over the raw points the test logged: rewinds
// and forks that share chunks, steps with gaps, NaN and ±Infinity, ranges cut mid-chunk, a gap in the
// summaries, and a store migrated from schema 4.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { MARK_BLOCK, Mark, Summary, float64Of, markChunk, markedSummary, stepsOf, summarize, uint16Of } from '../../src/core/chunks';
import { downsampleM4 } from '../../src/core/downsample';
import type { Engine } from '../../src/core/engine';
import { CHUNK_SIZE, SCHEMA_VERSION, migrate, schemaVersion } from '../../src/core/schema';
import { writeSnapshot } from '../../src/core/snapshot';
import { Db } from '../../src/core/sqlite';
import { openEngine, tempDir, writer } from './helpers';

interface RawRow {
  step: number;
  time: number;
  x: number;
  y?: number;
}

/** One version's visible history as the test logged it. */
type Visible = RawRow[];

const timeOf = (step: number, version: number): number => 1_700_000_000 + step / 8 + version * 1e5;

/** `x` on every row (NaN, ±Infinity and ties among them), `y` on every third row only. */
function rowOf(step: number, version: number, i: number): RawRow {
  let x = Math.sin(step / 91 + version) * 10 + (i % 13);
  if (i % 311 === 5) x = Number.NaN;
  else if (i % 509 === 7) x = Number.POSITIVE_INFINITY;
  else if (i % 613 === 9) x = Number.NEGATIVE_INFINITY;
  else if (i % 97 === 0) x = -20; // ties for the minimum, within and across chunks
  const row: RawRow = { step, time: timeOf(step, version), x };
  if (i % 3 === 0) row.y = i % 2 === 0 ? i : -i;
  return row;
}

/** Steps from `first`: runs of consecutive steps with gaps between them, so some chunks store their steps. */
function stepsFrom(first: number, count: number): number[] {
  const out: number[] = [];
  let s = first;
  for (let i = 0; i < count; i++) {
    out.push(s);
    s += i % 1500 < 8 ? 5 : 1;
  }
  return out;
}

function logRows(w: ReturnType<typeof writer>, rows: readonly RawRow[], clock: { t: number }): void {
  for (const r of rows) {
    clock.t = r.time;
    w.log(r.y === undefined ? { x: r.x } : { x: r.x, y: r.y }, r.step);
  }
}

interface Scenario {
  engine: Engine;
  dir: string;
  /** version id -> its visible history */
  visible: Map<string, Visible>;
}

/**
 * A run of 9 full chunks and a part (archived by a rewind whose branch step cuts chunk 4), the rewound
 * version's own 2,500 rows, and a fork of the rewound version cut inside its own rows.
 */
async function scenario(options: { snapshotPath?: string } = {}): Promise<Scenario> {
  const dir = tempDir();
  const clock = { t: 0 };
  const original = stepsFrom(0, 9 * CHUNK_SIZE + 300).map((s, i) => rowOf(s, 0, i));
  const w = writer(dir, { clock: () => clock.t, buffered: true });
  logRows(w, original, clock);
  w.finish();
  const engine = await openEngine(dir, options);
  engine.ingest();
  const branch = original[4 * CHUNK_SIZE + 500].step;
  const rewound = engine.rewind(w.run, branch);
  const own = stepsFrom(branch + 3, 2500).map((s, i) => rowOf(s, 1, i));
  const rw = writer(dir, { run: w.run, version: rewound.version, mode: 'resume', lastStep: branch, clock: () => clock.t, buffered: true });
  // Ingested in two parts: the second resumes the unsealed chunk the first left.
  logRows(rw, own.slice(0, 1700), clock);
  rw.flush();
  engine.ingest();
  logRows(rw, own.slice(1700), clock);
  rw.finish();
  engine.ingest();
  const forkStep = own[1300].step;
  const fork = engine.fork(rewound.version, forkStep, { id: 'forked01' });
  const forkOwn = stepsFrom(forkStep + 1, 1500).map((s, i) => rowOf(s, 2, i));
  const fw = writer(dir, { run: 'forked01', version: fork.version, mode: 'resume', lastStep: forkStep, clock: () => clock.t, buffered: true });
  logRows(fw, forkOwn, clock);
  fw.finish();
  engine.ingest();
  const visible = new Map<string, Visible>();
  visible.set(rewound.archived!, original);
  const rewoundRows = [...original.filter((r) => r.step <= branch), ...own];
  visible.set(rewound.version, rewoundRows);
  visible.set(fork.version, [...rewoundRows.filter((r) => r.step <= forkStep), ...forkOwn]);
  return { engine, dir, visible };
}

/** Ranges that start and end mid-chunk, at lineage cuts, inside one chunk, and outside the history. */
function rangesOf(rows: Visible): ({ from: number; to: number } | undefined)[] {
  const at = (i: number): number => rows[Math.min(rows.length - 1, i)].step;
  return [
    undefined,
    { from: at(700), to: at(rows.length - 900) },
    { from: at(2 * CHUNK_SIZE) + 0.5, to: at(3 * CHUNK_SIZE - 1) },
    { from: at(4 * CHUNK_SIZE + 480), to: at(4 * CHUNK_SIZE + 530) },
    { from: at(5000), to: at(rows.length - 1) + 1000 },
    { from: at(rows.length - 1) + 1, to: at(rows.length - 1) + 50 },
  ];
}

function pointsOf(rows: Visible, key: 'x' | 'y', range: { from: number; to: number } | undefined): { steps: Float64Array; values: Float64Array; times: Float64Array } {
  const picked = rows.filter((r) => r[key] !== undefined && (!range || (r.step >= range.from && r.step <= range.to)));
  return {
    steps: Float64Array.from(picked, (r) => r.step),
    values: Float64Array.from(picked, (r) => r[key]!),
    times: Float64Array.from(picked, (r) => r.time),
  };
}

function nonFiniteOf(values: Float64Array): { nan: number; posInf: number; negInf: number } {
  const out = { nan: 0, posInf: 0, negInf: 0 };
  for (const v of values) {
    if (Number.isNaN(v)) out.nan++;
    else if (v === Number.POSITIVE_INFINITY) out.posInf++;
    else if (v === Number.NEGATIVE_INFINITY) out.negInf++;
  }
  return out;
}

/** Every downsampling of every version, key, range and bucket count, against the raw points. */
function checkDownsampling(s: Scenario, bucketCounts: readonly number[] = [1, 3, 17, 64, 250, 900]): void {
  for (const [version, rows] of s.visible) {
    for (const range of rangesOf(rows)) {
      for (const key of ['x', 'y'] as const) {
        const raw = pointsOf(rows, key, range);
        const what = (buckets: number): string => `${version} ${key} ${JSON.stringify(range)} ${buckets} buckets`;
        const all = s.engine.series(version, key, range, true);
        assert.deepEqual([...all.steps], [...raw.steps], what(0));
        assert.deepEqual([...all.values], [...raw.values], what(0));
        assert.deepEqual([...all.times!], [...raw.times], what(0));
        for (const buckets of bucketCounts) {
          const got = s.engine.downsample(version, key, buckets, range, true);
          assert.equal(got.total, raw.steps.length, what(buckets));
          assert.deepEqual(got.nonFinite, nonFiniteOf(raw.values), what(buckets));
          if (raw.steps.length <= buckets * 4) {
            assert.equal(got.exact, true, what(buckets));
            assert.deepEqual([...got.steps], [...raw.steps], what(buckets));
            continue;
          }
          const want = downsampleM4(buckets, raw.steps[0], raw.steps[raw.steps.length - 1], (visit) => visit(raw.steps, raw.values, 0, raw.steps.length));
          assert.equal(got.exact, false, what(buckets));
          assert.deepEqual([...got.steps], [...want.steps], what(buckets));
          assert.deepEqual([...got.values], [...want.values], what(buckets));
          const timeAt = new Map(rows.map((r) => [r.step, r.time]));
          assert.deepEqual([...got.times!], [...want.steps].map((st) => timeAt.get(st)), what(buckets));
        }
      }
    }
  }
}

function checkHistory(s: Scenario): void {
  for (const [version, rows] of s.visible) {
    for (const range of rangesOf(rows)) {
      const inRange = rows.filter((r) => !range || (r.step >= range.from && r.step <= range.to));
      const total = inRange.length;
      for (const [offset, limit] of [[0, 100], [1, 1], [CHUNK_SIZE - 1, 3], [CHUNK_SIZE, 100], [1500, 2000], [total - 1, 10], [-100, 100], [-1, 5], [total + 5, 10], [0, total]]) {
        const what = `${version} ${JSON.stringify(range)} offset ${offset} limit ${limit}`;
        const page = s.engine.history(version, { range, offset, limit, keys: ['x', 'y'] });
        const start = offset < 0 ? Math.max(0, total + offset) : offset;
        const want = inRange.slice(start, start + Math.max(0, Math.min(limit, total)));
        assert.equal(page.total, total, what);
        assert.deepEqual(page.rows.map((r) => r.step), want.map((r) => r.step), what);
        assert.deepEqual(page.rows.map((r) => r.time), want.map((r) => r.time), what);
        assert.deepEqual(page.rows.map((r) => r.cells), want.map((r) => [r.x, r.y ?? null]), what);
      }
    }
  }
}

function dbOf(engine: Engine): Db {
  return (engine as unknown as { db: Db }).db;
}

describe('series and history from the chunk index and summaries', function () {
  this.timeout(120_000);

  it('downsample (with wall times) equals min/max over the raw points: rewinds and forks sharing chunks, gaps, NaN/Infinity, ranges cut mid-chunk', async () => {
    const s = await scenario();
    checkDownsampling(s);
  });

  it('history pages and totals equal the raw rows at every offset, across chunk and lineage boundaries', async () => {
    const s = await scenario();
    checkHistory(s);
  });

  it('a persisted store reads its full chunks from its chunk files with the same answers, before and after reopening', async () => {
    const snapshotPath = path.join(tempDir(), 'store.rrsnap');
    const s = await scenario({ snapshotPath });
    const db = dbOf(s.engine);
    const [inFiles, inRows] = db.get('SELECT SUM(file IS NOT NULL), SUM(file IS NULL) FROM point_chunk_rows')! as number[];
    assert.ok(inFiles > 10, `full chunks are in chunk files (${inFiles})`);
    assert.equal(db.get('SELECT COUNT(*) FROM point_chunk_rows WHERE file IS NOT NULL AND (n <> ? OR length(vals) > 0)', [CHUNK_SIZE])![0], 0, 'only full chunks, their bytes not in the row');
    assert.ok(inRows >= 3, 'each version and key keeps its partial last chunk in its row');
    checkDownsampling(s, [3, 64, 250]);
    checkHistory(s);
    s.engine.save();
    s.engine.close();
    const reopened = await openEngine(s.dir, { snapshotPath });
    assert.equal(reopened.startupNote, undefined, 'the snapshot and its chunk files were used');
    checkDownsampling({ ...s, engine: reopened }, [3, 64, 250]);
    checkHistory({ ...s, engine: reopened });
    reopened.close();
  });

  it('every chunk but the last of a version (and key) is full, and each full point chunk has a summary (what the seeks rely on)', async () => {
    const s = await scenario();
    const db = dbOf(s.engine);
    for (const table of ['step_chunks', 'point_chunks']) {
      const keyCol = table === 'point_chunks' ? 'key' : "''";
      const bad = db.all(`SELECT version, ${keyCol}, chunk, n FROM ${table} t WHERE n <> ? AND chunk < (SELECT MAX(chunk) FROM ${table} u WHERE u.version=t.version AND ${table === 'point_chunks' ? 'u.key=t.key' : '1'})`, [CHUNK_SIZE]);
      assert.deepEqual(bad, [], `${table}: a chunk before the last is not full`);
      const gaps = db.all(`SELECT version, ${keyCol}, COUNT(*), MAX(chunk) FROM ${table} GROUP BY version, ${keyCol} HAVING COUNT(*) <> MAX(chunk) + 1`);
      assert.deepEqual(gaps, [], `${table}: chunk numbers are 0, 1, 2, ...`);
    }
    const full = db.get('SELECT COUNT(*) FROM point_chunks WHERE n=?', [CHUNK_SIZE])![0] as number;
    let entries = 0;
    db.each('SELECT data FROM point_summaries', [], (r) => {
      const data = new Float64Array((r[0] as Uint8Array).slice().buffer);
      for (let o = 0; o < data.length; o += 14) if (data[o + 2] > 0) entries++;
    });
    assert.ok(full > 10, 'the scenario has many full chunks');
    assert.equal(entries, full);
  });

  it("a block's marks give the summary a scan of its points gives: NaN, ±Infinity, ties, a block of no finite value", () => {
    const values = new Float64Array(3 * MARK_BLOCK + 17);
    for (let i = 0; i < values.length; i++) values[i] = i % 11 === 3 ? Number.NaN : i % 17 === 4 ? Number.POSITIVE_INFINITY : i % 19 === 5 ? Number.NEGATIVE_INFINITY : Math.round(Math.sin(i) * 3);
    values.fill(Number.NaN, MARK_BLOCK, 2 * MARK_BLOCK); // block 1: nothing finite
    const steps = Float64Array.from(values, (_, i) => 10 + 3 * i);
    const marks = uint16Of(markChunk(values));
    assert.equal(marks.length, 4 * Mark.Length);
    for (let b = 0; b * MARK_BLOCK < values.length; b++) {
      const end = Math.min(values.length, (b + 1) * MARK_BLOCK);
      const want = summarize(steps.subarray(b * MARK_BLOCK, end), values.subarray(b * MARK_BLOCK, end));
      const got = markedSummary(marks, b, steps, values, new Float64Array(Summary.Length));
      assert.deepEqual([...got], [...want], `block ${b}`);
    }
  });

  it('every full point chunk keeps the marks of its values (in its row, or after its values in its chunk file), and only full ones', async () => {
    const check = (engine: Engine, inFiles: boolean): number => {
      const db = dbOf(engine);
      let marked = 0;
      // Read through the views (the values wherever they are), the marks as stored.
      for (const r of db.all('SELECT v.first_step, v.n, v.steps, v.vals, r.marks, r.file, r.file_at, r.file_steps, r.file_marks FROM point_chunks v JOIN point_chunk_rows r USING (version, key, chunk)')) {
        const n = r[1] as number;
        const values = float64Of(r[3] as Uint8Array);
        if (n < CHUNK_SIZE) {
          assert.equal(r[4], null);
          assert.equal(r[8], null);
          continue;
        }
        let marks: Uint8Array;
        if (inFiles) {
          assert.equal(r[4], null, 'a chunk in a file keeps its marks there');
          marks = db.chunkFiles!.read(r[5] as number, (r[6] as number) + (r[7] as number) + n * 8, r[8] as number);
        } else {
          marks = r[4] as Uint8Array;
        }
        assert.deepEqual([...uint16Of(marks)], [...uint16Of(markChunk(values))]);
        assert.equal(stepsOf(r[2] as Uint8Array | null, r[0] as number, n).length, n);
        marked++;
      }
      return marked;
    };
    const memory = await scenario();
    assert.ok(check(memory.engine, false) > 10, 'the scenario has many full chunks');
    memory.engine.close();
    const persisted = await scenario({ snapshotPath: path.join(tempDir(), 'store.rrsnap') });
    assert.ok(check(persisted.engine, true) > 10);
    persisted.engine.close();
  });

  it('a chunk whose summary is missing is read from its points, with the same answer', async () => {
    const s = await scenario();
    const db = dbOf(s.engine);
    // Drop a whole row of summaries and blank one entry of another: both are gaps.
    db.run('DELETE FROM point_summaries WHERE rowid = (SELECT MIN(rowid) FROM point_summaries)');
    const row = db.get('SELECT rowid, data FROM point_summaries ORDER BY rowid DESC LIMIT 1')!;
    const data = new Float64Array((row[1] as Uint8Array).slice().buffer);
    data.fill(0, 14, 28);
    db.run('UPDATE point_summaries SET data=? WHERE rowid=?', [new Uint8Array(data.buffer), row[0] as number]);
    checkDownsampling(s, [3, 64, 250]);
  });

  it('a schema 4 store (summaries beside the values, or none) is migrated on open and answers the same; a snapshot of an older schema is rebuilt from the logs', async () => {
    const snapshotPath = path.join(tempDir(), 'store.rrsnap');
    // A store kept in memory has every chunk in its row, as schema 4 kept them.
    const s = await scenario();
    const db = await Db.open(undefined, dbOf(s.engine).export());
    s.engine.close();
    // Turn it into what schema 4 wrote: no point_summaries, no last-step indexes, and a summary column
    // that chunks stored before schema 4 left NULL (schema 8 recomputes all of them). First undo what
    // schemas 5-11 added (media, run group, import state, packed summaries, file times, chunk files, key extremes).
    db.exec('ALTER TABLE point_chunk_rows DROP COLUMN marks; ALTER TABLE point_chunk_rows DROP COLUMN file_marks;');
    for (const table of ['point', 'step']) {
      db.exec(`ALTER TABLE ${table}_chunk_rows DROP COLUMN file; ALTER TABLE ${table}_chunk_rows DROP COLUMN file_at; ALTER TABLE ${table}_chunk_rows DROP COLUMN file_steps; ALTER TABLE ${table}_chunk_rows RENAME TO ${table}_chunks;`);
    }
    db.exec('DROP TABLE chunk_files; DROP TABLE key_extremes;');
    db.exec('DROP TABLE media; DROP TABLE artifacts; ALTER TABLE runs DROP COLUMN run_group; DROP TABLE import_runs; ALTER TABLE versions DROP COLUMN last_modified;');
    db.exec('DROP TABLE point_summaries; DROP INDEX point_chunks_by_last; DROP INDEX step_chunks_by_last;');
    db.run("UPDATE meta SET value='4' WHERE key='schema'");
    db.run('UPDATE point_chunks SET summary=x\'00\' WHERE chunk % 2 = 0');
    const old = db.export();
    db.close();
    // A schema 4 database handed to migrate() gets the summaries and indexes.
    const check = await Db.open(undefined, old);
    assert.equal(schemaVersion(check), 4);
    migrate(check);
    assert.equal(schemaVersion(check), SCHEMA_VERSION);
    check.close();
    // Opened through the engine (the snapshot header is this schema's, the database inside is 4).
    writeSnapshot(snapshotPath, SCHEMA_VERSION, old);
    const migrated = await openEngine(s.dir, { snapshotPath });
    assert.equal(migrated.startupNote, undefined, 'the snapshot was used, not rebuilt');
    checkDownsampling({ ...s, engine: migrated }, [3, 64, 250]);
    checkHistory({ ...s, engine: migrated });
    migrated.close();
    // A snapshot written by schema 4 is not used: the store is rebuilt from the logs, with the same answers.
    writeSnapshot(snapshotPath, 4, old);
    const rebuilt = await openEngine(s.dir, { snapshotPath });
    assert.match(rebuilt.startupNote ?? '', /schema 4/);
    rebuilt.ingest();
    checkDownsampling({ ...s, engine: rebuilt }, [3, 64, 250]);
    rebuilt.close();
  });
});
