// The runs table query (src/core/runsTable.ts): rows of real logs, min/max from chunk summaries equal to
// the points themselves across rewinds, forks, cut chunks and chunks stored without a summary.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { RunsTableRow } from '../../src/core/api';
import { StoreClient } from '../../src/core/client';
import type { Engine } from '../../src/core/engine';
import { defaultWasmPath } from '../../src/core/sqlite';
import { linearRun, openEngine, tempDir, writer } from './helpers';

/** Min and max of the finite points of a key, read through the history (the long way). */
function bruteExtremes(engine: Engine, version: string, key: string): [number, number] | null {
  const values = [...engine.series(version, key).values].filter((v) => Number.isFinite(v));
  if (values.length === 0) return null;
  return [Math.min(...values), Math.max(...values)];
}

function statsOf(row: RunsTableRow, key: string): [number | null, number | null] {
  const s = row.summary[key];
  assert.ok(s, `row ${row.id} has no summary key ${key}`);
  return [s.min, s.max];
}

describe('runs table query', () => {
  it('gives each run its facts, flattened config and summary with last/min/max', async () => {
    const dir = tempDir();
    let now = 1_700_000_000;
    const clock = (): number => now;
    const w = writer(dir, { project: 'vision', name: 'baseline', group: 'sweep-1', tags: ['baseline', 'v2'], clock, config: { lr: 0.001, optimizer: { name: 'adam', betas: [0.9, 0.99] }, layers: 4 } });
    for (let i = 0; i < 2500; i++) {
      now += 1;
      w.log({ loss: i === 10 ? Number.NaN : i === 20 ? Number.POSITIVE_INFINITY : 5 - i / 1000, acc: i / 2500, done: i % 2 === 0, phase: 'train' });
    }
    w.summary({ best_acc: 0.97 });
    now += 5;
    w.finish();
    const other = linearRun(dir, 5, { project: 'nlp', name: 'run10' });
    const engine = await openEngine(dir);
    engine.ingest();

    const table = engine.runsTable();
    assert.equal(table.total, 2);
    const row = table.rows.find((r) => r.id === w.run)!;
    assert.equal(row.name, 'baseline');
    assert.equal(row.project, 'vision');
    assert.equal(row.group, 'sweep-1');
    assert.deepEqual(row.tags, ['baseline', 'v2']);
    assert.equal(row.state, 'finished');
    assert.equal(row.lastStep, 2499);
    assert.equal(row.createdAt, 1_700_000_000);
    assert.equal(row.duration, 2505);
    assert.equal(row.archived, false);
    assert.equal(row.version, w.version);
    assert.deepEqual(row.config, { lr: 0.001, 'optimizer.name': 'adam', 'optimizer.betas': '[0.9,0.99]', layers: 4 });
    // NaN and Infinity are logged but never a min or max.
    assert.deepEqual(row.summary.loss, { last: 5 - 2499 / 1000, min: 5 - 2499 / 1000, max: 5 });
    assert.deepEqual(statsOf(row, 'acc'), bruteExtremes(engine, w.version, 'acc'));
    assert.deepEqual(row.summary.done, { last: false, min: null, max: null }, 'booleans have no min/max');
    assert.deepEqual(row.summary.phase, { last: 'train', min: null, max: null }, 'strings have no min/max');
    assert.deepEqual(row.summary.best_acc, { last: 0.97, min: null, max: null }, 'an explicit summary value has no points');
    assert.deepEqual(table.configKeys, ['layers', 'lr', 'optimizer.betas', 'optimizer.name']);
    assert.deepEqual(table.summaryKeys, ['acc', 'best_acc', 'done', 'loss', 'metric', 'phase']);
    assert.equal(table.rows.find((r) => r.id === other.run)!.group, null);

    assert.deepEqual(engine.runsTable({ project: 'nlp' }).rows.map((r) => r.id), [other.run]);
  });

  it('takes min/max of the visible history across rewinds and forks, archived versions as child rows', async () => {
    const dir = tempDir();
    // 3000 points: three chunks; the rewind at 1500 cuts the second one, whose points are then read.
    const w = writer(dir, { name: 'base', config: { lr: 0.1 } });
    for (let i = 0; i < 3000; i++) w.log({ metric: i, wave: Math.sin(i / 100) * i });
    w.finish();
    const engine = await openEngine(dir);
    engine.ingest();
    const rewound = engine.rewind(w.run, 1500);
    const next = writer(dir, { run: w.run, mode: 'resume', version: rewound.version, lastStep: 1500 });
    next.log({ metric: -5 });
    next.finish();
    engine.ingest();
    const fork = engine.fork(rewound.version, 700, { id: 'forked1', name: 'fork' });
    engine.ingest();

    const table = engine.runsTable();
    const run = table.rows.find((r) => r.id === w.run)!;
    assert.deepEqual(statsOf(run, 'metric'), [-5, 1500]);
    assert.deepEqual(statsOf(run, 'wave'), bruteExtremes(engine, rewound.version, 'wave'));
    assert.equal(run.versions.length, 1);
    const archived = run.versions[0];
    assert.equal(archived.version, w.version);
    assert.equal(archived.archived, true);
    assert.deepEqual(statsOf(archived, 'metric'), [0, 2999]);
    assert.deepEqual(statsOf(archived, 'wave'), bruteExtremes(engine, w.version, 'wave'));
    assert.equal(run.parent, w.version);
    assert.equal(run.branchStep, 1500);

    const forked = table.rows.find((r) => r.id === fork.run.id)!;
    assert.deepEqual(forked.forkedFrom && { run: forked.forkedFrom.run, version: forked.forkedFrom.version, step: forked.forkedFrom.step }, { run: w.run, version: rewound.version, step: 700 });
    assert.deepEqual(statsOf(forked, 'metric'), [0, 700]);
    assert.deepEqual(statsOf(forked, 'wave'), bruteExtremes(engine, fork.version, 'wave'));
    assert.deepEqual(forked.config, { lr: 0.1 });
  });

  it('reads the points of chunks stored without a summary (before schema 4) and gets the same answer', async () => {
    const dir = tempDir();
    const w = writer(dir);
    for (let i = 0; i < 2100; i++) w.log({ x: Math.cos(i) * (i % 97), y: i === 5 ? Number.NaN : -i });
    w.finish();
    const engine = await openEngine(dir);
    engine.ingest();
    const before = engine.runsTable().rows[0].summary;
    // What a store migrated from schema 3 holds: chunks with no summary.
    (engine as unknown as { db: { run(sql: string): void } }).db.run('UPDATE point_chunks SET summary=NULL');
    const after = engine.runsTable().rows[0].summary;
    assert.deepEqual(after, before);
    assert.deepEqual([after.x.min, after.x.max], bruteExtremes(engine, w.version, 'x'));
    assert.deepEqual([after.y.min, after.y.max], [-2099, 0]);
  });

  it('is answered through the store worker as the extension asks', async () => {
    const dir = tempDir();
    const w = linearRun(dir, 1200, { config: { lr: 0.5 }, group: 'g' });
    const client = await StoreClient.start({ logDir: dir, workerScript: path.join(__dirname, '..', '..', 'src', 'core', 'worker.js'), wasmPath: defaultWasmPath() });
    try {
      await client.ingest();
      const table = await client.runsTable();
      assert.equal(table.rows.length, 1);
      assert.equal(table.rows[0].id, w.run);
      assert.equal(table.rows[0].group, 'g');
      assert.deepEqual(table.rows[0].summary.metric, { last: 1199, min: 0, max: 1199 });
    } finally {
      await client.dispose();
    }
  });
});
