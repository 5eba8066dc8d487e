// Series queries over chunked, copy-on-write storage: ranges, downsampling that keeps every spike, times.
import * as assert from 'node:assert/strict';
import { downsampleM4 } from '../../src/core/downsample';
import { openEngine, tempDir, writer } from './helpers';

describe('series and downsampling', () => {
  it('returns exact ranges across chunk and lineage boundaries', async () => {
    const dir = tempDir();
    const w = writer(dir);
    for (let i = 0; i < 5000; i++) w.log({ w: i }, i * 2);
    w.finish();
    const engine = await openEngine(dir);
    engine.ingest();
    const { version } = engine.rewind(w.run, 6001);
    const s = engine.series(version, 'w', { from: 2047, to: 6001 });
    assert.equal(s.steps[0], 2048);
    assert.equal(s.steps[s.steps.length - 1], 6000);
    assert.equal(s.total, (6000 - 2048) / 2 + 1);
    for (let i = 0; i < s.total; i++) assert.equal(s.values[i], s.steps[i] / 2);
  });

  it('keeps every spike when downsampling a million points', async () => {
    const dir = tempDir();
    const w = writer(dir, { buffered: true });
    const spikes = new Set([12_345, 500_000, 999_999]);
    for (let i = 0; i < 1_000_000; i++) w.log({ loss: spikes.has(i) ? 1000 : Math.sin(i / 1000) }, i);
    w.finish();
    const engine = await openEngine(dir);
    engine.ingest();
    const d = engine.downsample(w.run, 'loss', 500);
    assert.equal(d.exact, false);
    assert.equal(d.total, 1_000_000);
    assert.ok(d.steps.length <= 2000);
    const kept = new Set<number>();
    d.values.forEach((v, i) => {
      if (v === 1000) kept.add(d.steps[i]);
    });
    assert.deepEqual([...kept].sort((a, b) => a - b), [...spikes].sort((a, b) => a - b));
    for (let i = 1; i < d.steps.length; i++) assert.ok(d.steps[i] > d.steps[i - 1], 'steps ascend');
    const zoomed = engine.downsample(w.run, 'loss', 500, { from: 12_000, to: 12_999 });
    assert.equal(zoomed.exact, true, 'a zoomed range small enough comes back whole');
    assert.equal(zoomed.total, 1000);
  });

  it('matches a brute-force min/max per bucket', () => {
    const steps = Float64Array.from({ length: 1000 }, (_, i) => i * 3);
    const values = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i * 0.37) * (i % 11));
    values[500] = Number.NaN;
    const buckets = 37;
    const d = downsampleM4(buckets, 0, 2997, (visit) => visit(steps, values, 0, 1000));
    const width = 2998 / buckets;
    for (let b = 0; b < buckets; b++) {
      const inBucket = [...values].filter((v, i) => Math.min(buckets - 1, Math.floor(steps[i] / width)) === b && !Number.isNaN(v));
      const out = [...d.values].filter((_, i) => Math.min(buckets - 1, Math.floor(d.steps[i] / width)) === b);
      assert.equal(Math.min(...out), Math.min(...inBucket));
      assert.equal(Math.max(...out), Math.max(...inBucket));
    }
  });

  it('answers whole chunks from their stored summary exactly as from their points, NaN, Infinity and lineage cuts included', async () => {
    const dir = tempDir();
    const w = writer(dir, { buffered: true });
    // 20 chunks of 1,024 points. Chunk 3 holds only non-finite points; chunks 5 and 6 hold the lowest
    // values, tied within and across chunks (the earliest must win); chunks 7 and 8 carry NaN and
    // +/-Infinity beside finite points.
    const value = (i: number): number => {
      if (i >= 3 * 1024 && i < 4 * 1024) return i % 3 === 0 ? Number.NaN : i % 3 === 1 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
      if (i >= 5 * 1024 && i < 6 * 1024) return i % 2;
      if (i >= 6 * 1024 && i < 7 * 1024) return 0;
      if (i >= 7 * 1024 && i < 9 * 1024 && i % 50 === 0) return [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY][(i / 50) % 3];
      return 10 + Math.sin(i / 97) * (1 + (i % 13)) * 0.5;
    };
    for (let i = 0; i < 20 * 1024; i++) w.log({ x: value(i) }, i);
    w.finish();
    const engine = await openEngine(dir);
    engine.ingest();
    // A rewind whose branch step cuts chunk 12: the new version's history is chunks 0..11, part of
    // 12, then its own points.
    const { version } = engine.rewind(w.run, 12 * 1024 + 300);
    const archived = engine.getRun(w.run).versions.find((v) => v.archived)!.id;
    for (const target of [archived, version]) {
      for (const range of [undefined, { from: 1500, to: 17_000 }, { from: 3 * 1024, to: 4 * 1024 - 1 }]) {
        const all = engine.series(target, 'x', range);
        for (const buckets of [1, 2, 3, 7, 19, 64, 300]) {
          const got = engine.downsample(target, 'x', buckets, range);
          const want = downsampleM4(buckets, all.steps[0], all.steps[all.steps.length - 1], (visit) => visit(all.steps, all.values, 0, all.steps.length));
          const what = `${target === version ? 'rewound' : 'archived'} ${JSON.stringify(range)} ${buckets} buckets`;
          assert.equal(got.total, all.total, what);
          assert.deepEqual(got.nonFinite, all.nonFinite, what);
          if (all.total <= buckets * 4) {
            assert.equal(got.exact, true, what);
            continue;
          }
          assert.equal(got.exact, false, what);
          assert.deepEqual([...got.steps], [...want.steps], what);
          assert.deepEqual([...got.values], [...want.values], what);
        }
      }
    }
  });

  it('gives wall times and pages of the history table', async () => {
    const dir = tempDir();
    let t = 1000;
    const w = writer(dir, { clock: () => t });
    for (let i = 0; i < 3000; i++) {
      t = 1000 + i / 10;
      w.log({ a: i });
    }
    w.finish();
    const engine = await openEngine(dir);
    engine.ingest();
    const s = engine.series(w.run, 'a', { from: 100, to: 102 }, true);
    assert.deepEqual([...s.times!], [1010, 1010.1, 1010.2]);
    const last = engine.history(w.run, { offset: -5 });
    assert.equal(last.total, 3000);
    assert.deepEqual(last.rows.map((r) => r.step), [2995, 2996, 2997, 2998, 2999]);
    const page = engine.history(w.run, { offset: 1020, limit: 10 });
    assert.deepEqual(page.rows.map((r) => r.cells[0]), [1020, 1021, 1022, 1023, 1024, 1025, 1026, 1027, 1028, 1029]);
  });
});
