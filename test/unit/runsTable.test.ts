// The runs table query (src/core/runsTable.ts): rows of real logs, min/max from chunk summaries equal to
// the points themselves across rewinds, forks, cut chunks and ±Infinity; one-pass reads equal to row by
// row; rows kept until their run changes.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { RunsTableRow } from '../../src/core/api';
import { StoreClient } from '../../src/core/client';
import type { Engine } from '../../src/core/engine';
import { defaultWasmPath } from '../../src/core/sqlite';
import { applyTablePatch } from '../../src/shared/tableProtocol';
import { compareValues, fieldOfId, fieldValue } from '../../src/shared/runFields';
import { type RunQuery, parseQuery } from '../../src/shared/runQuery';
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

  it('reads a table of many runs in one pass per table with the same answer as row by row', async () => {
    const dir = tempDir();
    // More versions than the bulk threshold (64): sealed chunks, tails holding ±Infinity, booleans,
    // explicit summaries, a rewind cutting a sealed chunk and a fork of the rewound run.
    const base = writer(dir, { name: 'base', config: { lr: 0.1 } });
    for (let i = 0; i < 2600; i++) base.log({ metric: Math.sin(i / 50) * i, tail: i > 2500 && i % 7 === 0 ? Number.NEGATIVE_INFINITY : i });
    base.finish();
    for (let r = 0; r < 70; r++) {
      const w = writer(dir, { name: `r${r}`, config: { lr: r / 100, nested: { depth: r % 3 } } });
      for (let i = 0; i < (r % 9 === 0 ? 1100 : 12); i++) w.log({ metric: (r * 7 + i * 13) % 101, inf: i === 3 && r % 2 ? Number.POSITIVE_INFINITY : -i, flag: i % 2 === 0 });
      if (r % 5 === 0) w.summary({ best: r });
      w.finish();
    }
    const engine = await openEngine(dir);
    engine.ingest();
    const rewound = engine.rewind(base.run, 1500);
    engine.fork(rewound.version, 700, { id: 'forked1', name: 'fork' });
    engine.ingest();

    const bulk = engine.runsTable();
    assert.equal(bulk.total, 72);
    assert.deepEqual(bulk, engine.runsTableUncached());
    const run = bulk.rows.find((r) => r.id === base.run)!;
    assert.deepEqual(statsOf(run, 'metric'), bruteExtremes(engine, rewound.version, 'metric'));
    assert.deepEqual(statsOf(run.versions[0], 'tail'), bruteExtremes(engine, base.version, 'tail'));
    assert.deepEqual(statsOf(bulk.rows.find((r) => r.id === 'forked1')!, 'metric'), bruteExtremes(engine, engine.getRun('forked1').liveVersion, 'metric'));
    for (const row of bulk.rows.filter((r) => r.name.startsWith('r'))) {
      assert.deepEqual(statsOf(row, 'inf'), bruteExtremes(engine, row.version, 'inf'), `${row.name} inf`);
      assert.deepEqual(statsOf(row, 'metric'), bruteExtremes(engine, row.version, 'metric'), `${row.name} metric`);
    }
  });

  it('keeps rows until their run changes, and answers for only the runs asked for', async () => {
    const dir = tempDir();
    const live = writer(dir, { name: 'live' });
    for (let i = 0; i < 10; i++) live.log({ loss: 10 - i });
    const source = linearRun(dir, 20, { name: 'source' });
    const other = linearRun(dir, 5, { name: 'other' });
    const engine = await openEngine(dir);
    engine.ingest();
    const fork = engine.fork(source.run, 10, { id: 'forkrun', name: 'fork' });
    const first = engine.runsTable();
    const row = (t: typeof first, id: string): RunsTableRow => t.rows.find((r) => r.id === id)!;

    live.log({ loss: -3 });
    const changed = engine.ingest().changedRuns;
    assert.deepEqual(changed, [live.run]);
    const second = engine.runsTable();
    assert.equal(row(second, live.run).lastStep, 10);
    assert.deepEqual(row(second, live.run).summary.loss, { last: -3, min: -3, max: 10 });
    assert.equal(row(second, other.run).summary, row(first, other.run).summary, 'an unchanged run is not read again');

    // A delta: the rows of the changed runs only, a deleted run left out.
    assert.deepEqual(engine.runsTable({ runs: [live.run] }).rows.map((r) => r.id), [live.run]);
    engine.rename(source.run, 'renamed source');
    engine.deleteRun(other.run);
    const third = engine.runsTable({ runs: [source.run, other.run, fork.run.id] });
    assert.deepEqual(third.rows.map((r) => r.id), [source.run, fork.run.id]);
    assert.equal(row(third, fork.run.id).forkedFrom?.runName, 'renamed source', "a fork's row names its source's new name");
    assert.throws(() => engine.runsTable({ runs: 'x' as unknown as string[] }), /list of run ids/);
    live.finish();
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

describe('runs table patches (live updates)', () => {
  const row = (id: string, name = id, config: Record<string, number> = {}): RunsTableRow => ({
    id, version: `v${id}`, archived: false, name, state: 'running', project: 'p', group: null, tags: [], notes: '', createdAt: 0,
    duration: 0, lastStep: 0, forkedFrom: null, parent: null, branchStep: null, config, summary: {}, versions: [],
  });

  it('replaces changed rows where they are, drops removed ones, appends new ones and adds their keys', () => {
    const table = { rows: [row('a'), row('b'), row('c')], configKeys: ['lr'], summaryKeys: ['loss'], total: 3 };
    const next = applyTablePatch(table, { rows: [row('b', 'renamed'), row('d', 'd', { layer10: 1, layer2: 2 })], removed: ['a'], configKeys: ['layer10', 'layer2'], summaryKeys: ['loss'] });
    assert.deepEqual(next.rows.map((r) => `${r.id}:${r.name}`), ['b:renamed', 'c:c', 'd:d']);
    assert.deepEqual(next.configKeys, ['layer2', 'layer10', 'lr']);
    assert.deepEqual(next.summaryKeys, ['loss']);
    assert.equal(next.total, 3);
    assert.equal(next.rows[1], table.rows[2], 'an unchanged row is the same object');
  });

  it('reads only the first runs with a limit (the table\'s first rows), counting them all', async () => {
    const dir = tempDir();
    let now = 1_700_000_000;
    const runs = [0, 1, 2, 3].map((i) => {
      now += 10;
      const t = now;
      return linearRun(dir, 3, { name: `run${i}`, clock: () => t, config: i === 3 ? { only_last: 1 } : { lr: i } });
    });
    const engine = await openEngine(dir);
    engine.ingest();
    const first = engine.packedRunsTable({ limit: 2 });
    const whole = engine.packedRunsTable();
    // Creation order is the order the runs' start records were read in: four runs started within one
    // millisecond are ordered by their files' random stamp suffixes, so it is read from the whole table.
    assert.deepEqual(new Set(whole.rows.map((r) => r.id)), new Set(runs.map((w) => w.run)));
    assert.deepEqual(first.rows, whole.rows.slice(0, 2), 'the same rows the whole table starts with');
    assert.equal(first.total, 4, 'total counts every run');
    const lastRun = runs[3].run;
    const firstIds = first.rows.map((r) => r.id);
    assert.deepEqual(first.configKeys, firstIds.includes(lastRun) ? (firstIds.length === 2 ? ['lr', 'only_last'] : ['only_last']) : ['lr'], 'the keys of the rows read');
    assert.equal(engine.packedRunsTable({ limit: 10 }).rows.length, 4);
    assert.throws(() => engine.packedRunsTable({ limit: 0 }), /limit of a runs table query must be an integer from 1/);
    assert.throws(() => engine.packedRunsTable({ sort: { column: 'name', descending: false } }), /a sort only with a limit/);
    assert.throws(() => engine.packedRunsTable({ limit: 2, sort: { column: 'nope', descending: false } }), /no column "nope" to sort by/);
    engine.close();
  });

  it('reads the first runs a view shows with a filter and a sort: those its whole table shows first, in the same order', async () => {
    const dir = tempDir();
    let now = 1_700_000_000;
    // loss: ties, NaN, Infinity, a run without it; names with numbers; a text config beside numbers.
    const losses = [0.5, 0.25, Number.NaN, 0.25, undefined, 0.75, Number.POSITIVE_INFINITY, 0.1, 0.25, 0.9, -1, 0.3];
    losses.forEach((loss, i) => {
      now += 10;
      const t = now;
      const w = writer(dir, { name: `run${(i * 7) % 12}`, project: i % 3 === 0 ? 'a' : 'b', clock: () => t, config: { lr: i % 4 === 0 ? 'auto' : 10 ** -(i % 4), depth: i % 5 } });
      w.log(loss === undefined ? { acc: i } : { loss, acc: i }, 0);
      w.log(loss === undefined ? { acc: i + 1 } : { loss: loss * 2, acc: i + 1 }, 1);
      w.finish();
    });
    const engine = await openEngine(dir);
    engine.ingest();
    const whole = engine.runsTable().rows;
    const expected = (filter: RunQuery, column: string, descending: boolean): string[] => {
      const field = fieldOfId(column)!;
      const keyed = whole.filter((r) => filter.matches(r)).map((r, i) => [r, fieldValue(r, field), i] as const);
      keyed.sort((a, b) => (a[1] === null || b[1] === null ? (a[1] === b[1] ? a[2] - b[2] : a[1] === null ? 1 : -1) : (descending ? -1 : 1) * compareValues(a[1], b[1]) || a[2] - b[2]));
      return keyed.map((k) => k[0].id);
    };
    const keys = { configKeys: ['depth', 'lr'], summaryKeys: ['acc', 'loss'] };
    for (const column of ['summary.loss.last', 'summary.loss.min', 'summary.loss.max', 'name', 'created', 'config.lr', 'config.depth', 'summary.nothing.last', 'state']) {
      for (const descending of [false, true]) {
        for (const filter of ['', 'config.depth < 4', "attributes.project = 'b' and summary.acc.last > 2", 'summary.loss.last > 100']) {
          const what = `${column} ${descending ? 'desc' : 'asc'} where ${JSON.stringify(filter)}`;
          const want = expected(parseQuery(filter, keys), column, descending);
          for (const limit of [1, 3, 5, 100]) {
            const first = engine.packedRunsTable({ limit, ...(filter ? { filter } : {}), sort: { column, descending } });
            const shown = new Set(first.rows.map((r) => r.id));
            assert.deepEqual(want.filter((id) => shown.has(id)), want.slice(0, limit), `${what}, limit ${limit}: the first rows`);
            assert.equal(first.rows.length, Math.min(limit, want.length), `${what}, limit ${limit}`);
            assert.equal(first.total, whole.length, 'total counts every run');
          }
        }
      }
    }
    engine.close();
  });
});
