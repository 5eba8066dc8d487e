// The per-version extremes the store keeps (key_extremes, schema 11; src/core/extremes.ts): for every
// version and numeric key, equal to the lowest and highest finite point of its visible history read
// through the points, as rows arrive over several passes, across real rewinds, forks (of live and
// archived versions, and of a fork), a resumed writer, a value replaced within one row, ±Infinity and NaN;
// equal in a store rebuilt from the logs, and in a schema 10 store migrated to 11.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Engine } from '../../src/core/engine';
import { readSnapshot, writeSnapshot } from '../../src/core/snapshot';
import { Db } from '../../src/core/sqlite';
import { SCHEMA_VERSION, migrate, schemaVersion } from '../../src/core/schema';
import { openEngine, tempDir, writer } from './helpers';

/** Min and max of the finite points of a key, read through the visible history (the long way). */
function brute(engine: Engine, version: string, key: string): [number, number] | null {
  const values = [...engine.series(version, key).values].filter((v) => Number.isFinite(v));
  if (values.length === 0) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return [lo, hi];
}

/** Every version of every run in the table, and each numeric key's [min, max] as the table shows it. */
function tableExtremes(engine: Engine): Map<string, Map<string, [number | null, number | null]>> {
  const out = new Map<string, Map<string, [number | null, number | null]>>();
  for (const row of engine.runsTable().rows) {
    for (const r of [row, ...row.versions]) {
      const keys = new Map<string, [number | null, number | null]>();
      for (const [key, s] of Object.entries(r.summary)) keys.set(key, [s.min, s.max]);
      out.set(r.version, keys);
    }
  }
  return out;
}

/** Checks every version's every numeric key against the points; returns how many were checked. */
function checkAll(engine: Engine, label: string): number {
  let checked = 0;
  const booleans = new Set<string>();
  for (const row of engine.runsTable().rows) {
    for (const r of [row, ...row.versions]) for (const [key, s] of Object.entries(r.summary)) if (typeof s.last === 'boolean') booleans.add(`${r.version} ${key}`);
  }
  for (const [version, keys] of tableExtremes(engine)) {
    for (const key of engine.metricKeys(version).map((k) => k.key)) {
      // A boolean's last value has no min/max (the table's rule, not the store's).
      if (booleans.has(`${version} ${key}`)) continue;
      assert.deepEqual(keys.get(key) ?? null, brute(engine, version, key) ?? [null, null], `${label}: ${version} ${key}`);
      checked++;
    }
  }
  return checked;
}

describe('key extremes kept by the store (key_extremes)', () => {
  it('equal the points of every visible history across passes, rewinds, forks, resumes and rebuilds', async () => {
    const dir = tempDir();
    const snapshotPath = path.join(tempDir(), 'store.rrsnap');
    const engine = await openEngine(dir, { snapshotPath });
    // A live writer across passes: its extremes widen point by point, 3,000 points (three chunks).
    const base = writer(dir, { name: 'base', config: { lr: 0.1 } });
    for (let i = 0; i < 3000; i++) {
      const row: Record<string, unknown> = { wave: Math.sin(i / 90) * i, tail: i === 2990 ? Number.POSITIVE_INFINITY : i === 2995 ? Number.NaN : -i, flag: i % 2 === 0 };
      // The same key twice in one row: the nested value wins, so the 1e9 before it is in no history.
      if (i === 1200) row['a.b'] = 1e9;
      row.a = { b: i % 17 };
      base.log(row);
      if (i % 1000 === 999) {
        base.flush();
        engine.ingest();
        assert.ok(checkAll(engine, `base at ${i}`) > 0);
      }
    }
    base.finish();
    engine.ingest();
    assert.deepEqual(tableExtremes(engine).get(base.version)!.get('a.b'), [0, 16], 'the replaced value is not a max');

    // A rewind cutting the second chunk, resumed over two passes with lower and higher values.
    const rewound = engine.rewind(base.run, 1500);
    engine.ingest();
    checkAll(engine, 'after the rewind');
    const resumed = writer(dir, { run: base.run, mode: 'resume', version: rewound.version, lastStep: 1500 });
    resumed.log({ wave: -1e6 });
    resumed.flush();
    engine.ingest();
    checkAll(engine, 'resumed once');
    resumed.log({ wave: 1e6, tail: 5 });
    resumed.finish();
    engine.ingest();

    // Forks: of the archived version past the rewind's step (rows the live one no longer has), of the
    // live version, and of that fork below its own branch step; then a rewind of the rewound run below
    // its first branch step.
    const archivedFork = engine.fork(base.version, 2500, { id: 'fork-archived', name: 'fa' });
    const liveFork = engine.fork(base.run, 1501, { id: 'fork-live', name: 'fl' });
    engine.ingest();
    const forkOfFork = engine.fork('fork-live', 300, { id: 'fork-deep', name: 'fd' });
    engine.ingest();
    const forkWriter = writer(dir, { run: 'fork-deep', mode: 'resume', version: forkOfFork.version, lastStep: 300 });
    forkWriter.log({ wave: 12345.5, fresh: 3 });
    forkWriter.finish();
    const deeper = engine.rewind(base.run, 200);
    engine.ingest();

    const table = tableExtremes(engine);
    assert.deepEqual(table.get(base.version)!.get('wave'), brute(engine, base.version, 'wave'), 'the archived version keeps its own rows');
    assert.deepEqual(table.get(archivedFork.version)!.get('wave'), brute(engine, archivedFork.version, 'wave'));
    assert.deepEqual(table.get(liveFork.version)!.get('wave')![0], -1e6, 'a fork of the live version inherits its rows to the branch step');
    assert.notEqual(table.get(forkOfFork.version)!.get('wave')![0], -1e6, 'a fork below the branch step does not');
    assert.equal(table.get(forkOfFork.version)!.get('wave')![1], 12345.5);
    assert.deepEqual(table.get(deeper.version)!.get('tail'), brute(engine, deeper.version, 'tail'));
    assert.deepEqual(table.get(rewound.version)!.get('tail'), brute(engine, rewound.version, 'tail'));
    const checked = checkAll(engine, 'after forks');
    assert.ok(checked >= 15, `checked ${checked}`);

    // The same answers from a store rebuilt from the logs in one pass.
    const rebuilt = await openEngine(dir);
    rebuilt.ingest();
    assert.deepEqual(tableExtremes(rebuilt), tableExtremes(engine));
    rebuilt.close();

    // A schema 10 store (no key_extremes) is migrated to 11 with the same values, computed from its chunks.
    engine.save();
    const expected = tableExtremes(engine);
    engine.close();
    const read = readSnapshot(snapshotPath, SCHEMA_VERSION);
    assert.equal(read.kind, 'ok');
    const db = await Db.open(undefined, (read as { bytes: Uint8Array }).bytes);
    const rows = (d: Db): unknown[] => {
      const out: unknown[] = [];
      d.each('SELECT version, data FROM key_extremes ORDER BY version', [], (r) => out.push([r[0], [...new Float64Array((r[1] as Uint8Array).slice().buffer)]]));
      return out;
    };
    const kept = rows(db);
    assert.ok(kept.length >= 6, `${kept.length} versions kept`);
    db.exec('DROP TABLE key_extremes; ALTER TABLE point_chunk_rows DROP COLUMN marks; ALTER TABLE point_chunk_rows DROP COLUMN file_marks;');
    db.run("UPDATE meta SET value='10' WHERE key='schema'");
    assert.equal(schemaVersion(db), 10);
    migrate(db);
    assert.equal(schemaVersion(db), SCHEMA_VERSION);
    assert.deepEqual(rows(db), [], 'filled when the store opens, where it can read every chunk');
    writeSnapshot(snapshotPath, SCHEMA_VERSION, db.export());
    db.close();
    const migrated = await openEngine(dir, { snapshotPath });
    assert.equal(migrated.startupNote, undefined, 'the snapshot was used, not rebuilt');
    assert.deepEqual(tableExtremes(migrated), expected);
    migrated.save();
    migrated.close();
    const saved = readSnapshot(snapshotPath, SCHEMA_VERSION);
    assert.equal(saved.kind, 'ok');
    const reopened = await Db.open(undefined, (saved as { bytes: Uint8Array }).bytes);
    assert.deepEqual(rows(reopened), kept, 'the store computed from its chunks what it had kept');
    assert.equal(reopened.get("SELECT 1 FROM meta WHERE key='fill_extremes'"), undefined, 'once');
    reopened.close();
  });
});
