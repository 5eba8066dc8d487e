// The chunk files of a persisted store (src/core/chunkFiles.ts): what a snapshot names is what it reads,
// a crash between appending and saving loses nothing, a missing or cut file makes the store rebuild
// from the logs instead of answering wrong, two processes on one snapshot never write the same file,
// and files no snapshot names are deleted.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHUNK_SIZE } from '../../src/core/schema';
import { MARK_BLOCK, Mark } from '../../src/core/chunks';
import type { Engine } from '../../src/core/engine';
import { openEngine, tempDir, writer } from './helpers';

const ROWS = 5 * CHUNK_SIZE + 100;

function chunkFilesOf(snapshotPath: string): string[] {
  const dir = path.dirname(snapshotPath);
  return fs.readdirSync(dir).filter((f) => f.startsWith(`${path.basename(snapshotPath)}.`) && f.endsWith('.chunks')).map((f) => path.join(dir, f)).sort();
}

/** A run of `rows` steps of loss = f(step), and the store that read it. */
async function persisted(rows = ROWS): Promise<{ dir: string; snapshotPath: string; run: string; version: string; engine: Engine }> {
  const dir = tempDir();
  const snapshotPath = path.join(tempDir(), 'store.rrsnap');
  const w = writer(dir, { buffered: true });
  for (let i = 0; i < rows; i++) w.log({ loss: lossAt(i) }, i);
  w.finish();
  const engine = await openEngine(dir, { snapshotPath });
  engine.ingest();
  return { dir, snapshotPath, run: w.run, version: w.version, engine };
}

const lossAt = (step: number): number => 1 / (1 + step) + (step % 7) * 1e-3;

function assertWhole(engine: Engine, run: string, rows: number): void {
  const s = engine.series(run, 'loss');
  assert.equal(s.steps.length, rows);
  for (let i = 0; i < rows; i += 97) assert.equal(s.values[i], lossAt(i), `loss at step ${i}`);
  assert.equal(s.values[rows - 1], lossAt(rows - 1));
}

describe('chunk files of a persisted store', function () {
  this.timeout(60_000);

  it('keeps the full chunks out of the snapshot, which stays small', async () => {
    const s = await persisted(50 * CHUNK_SIZE);
    s.engine.save();
    s.engine.close();
    const files = chunkFilesOf(s.snapshotPath);
    assert.equal(files.length, 1);
    // 50 full chunks of loss and of the step index (times): 16 bytes a point in the file, and the loss
    // chunks' marks (7 Uint16 per block of MARK_BLOCK points).
    assert.equal(fs.statSync(files[0]).size, 50 * (CHUNK_SIZE * 16 + (CHUNK_SIZE / MARK_BLOCK) * Mark.Length * 2));
    assert.ok(fs.statSync(s.snapshotPath).size < 200_000, `the snapshot is ${fs.statSync(s.snapshotPath).size} bytes`);
    const memory = await openEngine(s.dir);
    memory.ingest();
    const reopened = await openEngine(s.dir, { snapshotPath: s.snapshotPath });
    assert.equal(reopened.startupNote, undefined);
    assert.deepEqual(reopened.series(s.run, 'loss'), memory.series(s.run, 'loss'));
    assert.deepEqual(reopened.downsample(s.run, 'loss', 100), memory.downsample(s.run, 'loss', 100));
    reopened.close();
    memory.close();
  });

  it('loses nothing when the process dies after appending chunks but before saving', async () => {
    const s = await persisted();
    s.engine.save();
    // More rows are read (new full chunks appended to the file), then the process "dies": no save, no close.
    const w = writer(s.dir, { run: s.run, version: s.version, mode: 'resume', lastStep: ROWS - 1, buffered: true });
    for (let i = ROWS; i < ROWS + 3 * CHUNK_SIZE; i++) w.log({ loss: lossAt(i) }, i);
    w.finish();
    s.engine.ingest();
    assert.ok(fs.statSync(chunkFilesOf(s.snapshotPath)[0]).size > 5 * CHUNK_SIZE * 16, 'the file grew past what the snapshot names');
    const next = await openEngine(s.dir, { snapshotPath: s.snapshotPath });
    assert.equal(next.startupNote, undefined, 'the older snapshot is still sound');
    next.ingest();
    assertWhole(next, s.run, ROWS + 3 * CHUNK_SIZE);
    // Its own appends go to a file of its own, never after the bytes the dead process left.
    next.save();
    next.close();
    s.engine.close();
    const again = await openEngine(s.dir, { snapshotPath: s.snapshotPath });
    assert.equal(again.startupNote, undefined);
    assertWhole(again, s.run, ROWS + 3 * CHUNK_SIZE);
    again.close();
  });

  it('rebuilds from the logs, with a note naming the file, when a chunk file is missing or cut short', async () => {
    for (const damage of ['missing', 'cut'] as const) {
      const s = await persisted();
      s.engine.save();
      s.engine.close();
      const [file] = chunkFilesOf(s.snapshotPath);
      if (damage === 'missing') fs.rmSync(file);
      else fs.truncateSync(file, fs.statSync(file).size - 8);
      const engine = await openEngine(s.dir, { snapshotPath: s.snapshotPath });
      assert.match(engine.startupNote ?? '', damage === 'missing' ? /chunk file .*\.chunks is missing; the store is rebuilt from the logs/ : /chunk file .*\.chunks is shorter/);
      engine.ingest();
      assertWhole(engine, s.run, ROWS);
      engine.save();
      engine.close();
      const reopened = await openEngine(s.dir, { snapshotPath: s.snapshotPath });
      assert.equal(reopened.startupNote, undefined);
      assertWhole(reopened, s.run, ROWS);
      reopened.close();
    }
  });

  it('deletes the files of a rebuilt store once the new snapshot is saved', async () => {
    const s = await persisted();
    s.engine.save();
    const [old] = chunkFilesOf(s.snapshotPath);
    await s.engine.rebuild();
    assert.ok(fs.existsSync(old), 'the saved snapshot still names it until the next save');
    s.engine.save();
    const now = chunkFilesOf(s.snapshotPath);
    assert.equal(now.length, 1);
    assert.notEqual(now[0], old);
    assertWhole(s.engine, s.run, ROWS);
    s.engine.close();
  });

  it('gives two stores opened on one snapshot (two windows) files of their own; the last save is whole', async () => {
    const s = await persisted();
    s.engine.save();
    s.engine.close();
    const a = await openEngine(s.dir, { snapshotPath: s.snapshotPath });
    const b = await openEngine(s.dir, { snapshotPath: s.snapshotPath });
    const w = writer(s.dir, { run: s.run, version: s.version, mode: 'resume', lastStep: ROWS - 1, buffered: true });
    for (let i = ROWS; i < ROWS + 2 * CHUNK_SIZE; i++) w.log({ loss: lossAt(i) }, i);
    w.finish();
    a.ingest();
    b.ingest();
    assert.equal(chunkFilesOf(s.snapshotPath).length, 3, 'the snapshot\'s file and one per store');
    a.save();
    b.save();
    assertWhole(a, s.run, ROWS + 2 * CHUNK_SIZE);
    a.close();
    b.close();
    const c = await openEngine(s.dir, { snapshotPath: s.snapshotPath });
    assert.equal(c.startupNote, undefined);
    assertWhole(c, s.run, ROWS + 2 * CHUNK_SIZE);
    // The file of the store whose snapshot lost is named by nothing: deleted once it is an hour old.
    const files = chunkFilesOf(s.snapshotPath);
    assert.equal(files.length, 3);
    const hourAgo = new Date(Date.now() - 61 * 60_000);
    for (const file of files) fs.utimesSync(file, hourAgo, hourAgo);
    c.save();
    assert.equal(chunkFilesOf(s.snapshotPath).length, 2);
    assertWhole(c, s.run, ROWS + 2 * CHUNK_SIZE);
    c.close();
  });
});
