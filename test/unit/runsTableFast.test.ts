// The runs table's fast paths (src/core/runsTable.ts: rows kept as arrays, packed straight into columns,
// filters reading only the cells they name) against the table as it was computed before
// (test/support/runsTableBefore.ts), over a generated store with forks, rewinds, NaN and ±Infinity,
// missing keys, nested and repeated config keys, text and booleans, and every query operator.
import * as assert from 'node:assert/strict';
import type { RunsTable, RunsTableQuery } from '../../src/core/api';
import { main } from '../../src/cli';
import type { Engine } from '../../src/core/engine';
import { runJson } from '../../src/core/format';
import type { RunQueries } from '../../src/core/queries';
import type { RunStore } from '../../src/core/store';
import { parseQuery } from '../../src/shared/runQuery';
import { RunsTableBefore } from '../support/runsTableBefore';
import { openEngine, tempDir, writer } from './helpers';

/** Every operator of the query language, on attributes, config and summary (last, min, max). */
const QUERIES = [
  'config.lr > 0.01',
  'config.lr >= 0.01 and config.lr <= 0.05',
  'config.lr < 0.02 or summary.loss.min < -0.5',
  'params.lr = 0.03',
  "params.lr = '0.03'",
  'config.lr != 0.03',
  'config.lr <> 0.03',
  'config.lr == 0.04',
  'config.text_lr > 0.001',
  "config.text_lr = '0.002'",
  'config."optimizer.name" = adam',
  "config.optimizer.name like 'ad%'",
  "config.optimizer.name ilike 'S_D'",
  "config.optimizer.betas = '[0.9,0.99]'",
  'config.dropout is null',
  'config.dropout is not null',
  'config.dropout > 0.2',
  'config.a.b = 1',
  'config.a.b = 2',
  "config.__proto__ = 1",
  'config.flag = true',
  "config.flag = 'false'",
  'config.empty is null',
  'config.deep.x.y.z in (1, 2)',
  'config.deep.x.y.z not in (1, 2)',
  'summary.loss < 0',
  'summary.loss.last >= 0',
  'summary.loss != 0.5',
  'summary.loss.max > 1',
  'summary.loss.min <= -0.9',
  'summary.loss.max is null',
  'metrics.acc.max > 0.5',
  'summary.acc is null',
  'summary.acc is not null',
  'summary.flag = true',
  'summary.flag.min is null',
  "summary.phase = 'eval'",
  "summary.phase like 'tr%'",
  'summary.phase has val',
  'summary.best > 3',
  'summary.inf.max > 100',
  'summary.inf.min < -100',
  'not (summary.loss.min < 0 and config.lr > 0.02)',
  'state = finished',
  "attributes.status = 'FINISHED'",
  'state = running',
  'state != finished',
  "name like 'run-1%'",
  'name > run-5',
  "tags has 'baseline'",
  "tags = 'b'",
  "tags != 'b'",
  "tags in ('b', 'baseline')",
  'tags is null',
  "project = p1 and group = 'g1'",
  'group is null',
  'id is not null',
  'duration > 1m',
  'duration <= 30s',
  "created > '2023-11-14T22:14'",
  'last_step >= 30',
  '_step < 10',
  "version like 'v%'",
  "notes contains 'note'",
  '',
];

/** Misspelt keys and malformed text: the same error either way. */
const BAD = ['config.lrr > 1', 'summary.los < 1', 'config.lr >', '(config.lr > 1', 'bogus = 1', 'config.lr > 1 and'];

function reference(engine: Engine): RunsTableBefore {
  const e = engine as unknown as { store: RunStore; queries: RunQueries };
  return new RunsTableBefore(e.store, e.queries);
}

/** The table as the engine filtered it before: parsed against the whole table's keys, run rows tested. */
function referenceTable(ref: RunsTableBefore, query: RunsTableQuery = {}): RunsTable {
  const table = ref.table(query);
  if (!query.filter?.trim()) return table;
  const filter = parseQuery(query.filter, table);
  return { ...table, rows: table.rows.filter((row) => filter.matches(row)) };
}

/** Equal values, and the same keys in the same order (what JSON output shows). */
function sameTable(actual: unknown, expected: unknown, what: string): void {
  assert.deepStrictEqual(actual, expected, what);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected), `${what}: key order`);
}

async function generatedStore(): Promise<{ engine: Engine; live: ReturnType<typeof writer>; dir: string }> {
  const dir = tempDir();
  let now = 1_700_000_000;
  const clock = (): number => now;
  const runs: ReturnType<typeof writer>[] = [];
  for (let r = 0; r < 80; r++) {
    const config: Record<string, unknown> = { lr: (r % 6) / 100, optimizer: { name: r % 3 === 0 ? 'adam' : r % 3 === 1 ? 'sgd' : 'Adagrad', betas: [0.9, 0.99] } };
    if (r % 4 !== 0) config.dropout = (r % 5) / 10;
    if (r % 7 === 0) config.text_lr = r % 2 ? '0.002' : 'fast';
    // "a.b" beside {"a": {"b"}}: one key, whichever comes later wins.
    if (r % 9 === 0 && r % 2 === 0) config['a.b'] = 1;
    if (r % 9 === 0 || r % 10 === 0) config.a = { b: 2, c: 'x' };
    if (r % 9 === 0 && r % 2 === 1) config['a.b'] = 1;
    if (r % 11 === 0) config.flag = r % 2 === 0;
    if (r % 13 === 0) config.empty = null;
    if (r % 8 === 0) config.deep = { x: { y: { z: r % 3 } } };
    // A hostile key is an ordinary name (written as JSON, read back as an own key).
    if (r === 17) Object.defineProperty(config, '__proto__', { value: 1, enumerable: true, writable: true, configurable: true });
    const w = writer(dir, {
      project: `p${r % 3}`, name: `run-${r}`, group: r % 4 === 0 ? undefined : `g${r % 3}`, tags: r % 5 === 0 ? ['baseline', 'b'] : r % 5 === 1 ? ['b'] : [],
      notes: r % 6 === 0 ? 'a note' : '', clock, config,
    });
    const steps = r % 10 === 0 ? 40 : 8 + (r % 5);
    for (let i = 0; i < steps; i++) {
      now += 1 + (r % 3);
      const data: Record<string, unknown> = { loss: i === 3 && r % 2 ? Number.NaN : Math.cos(r + i) };
      if (r % 3 !== 2) data.acc = i / steps;
      if (r % 4 === 1) data.flag = i % 2 === 0;
      if (r % 6 === 2) data.phase = i % 2 ? 'train' : 'eval';
      if (r % 5 === 3) data.inf = i === 2 ? Number.POSITIVE_INFINITY : i === 4 ? Number.NEGATIVE_INFINITY : i * 50 - 150;
      if (r % 7 === 4 && i === steps - 1) data.loss = Number.NaN;
      w.log(data);
    }
    if (r % 6 === 5) w.summary({ best: r % 10, loss: r % 12 === 11 ? null : 0.5 });
    if (r === 79) {
      w.flush();
    } else {
      w.finish();
    }
    runs.push(w);
  }
  const engine = await openEngine(dir);
  engine.ingest();
  // Rewinds (one resumed, one twice), forks of a live and of a rewound run, a rename and a deletion.
  const rewound = engine.rewind(runs[10].run, 20);
  const resumed = writer(dir, { run: runs[10].run, mode: 'resume', version: rewound.version, lastStep: 20, clock });
  for (let i = 0; i < 5; i++) resumed.log({ loss: -2 + i, extra: i });
  resumed.finish();
  engine.ingest();
  engine.rewind(runs[20].run, 30);
  engine.rewind(runs[20].run, 12);
  engine.fork(rewound.version, 15, { id: 'forkofrewind', name: 'fork-a' });
  engine.fork(runs[3].run, 4, { id: 'forkoflive', name: 'fork-b' });
  engine.rename(runs[3].run, 'renamed');
  engine.editRun(runs[4].run, { tags: ['edited'], group: null, notes: 'note edited' });
  engine.deleteRun(runs[5].run);
  engine.ingest();
  return { engine, live: runs[79], dir };
}

describe('runs table fast paths', () => {
  it('give the same rows, columns and filtered rows as the table computed before', async () => {
    const { engine, live } = await generatedStore();
    // The reference keeps rows as the engine does (a row's summary keys are in the order stored when read
    // in one pass, sorted when read alone): it forgets the runs each ingest changed, as the engine.
    const ref = reference(engine);
    const ingest = (): void => ref.invalidate(engine.ingest().changedRuns);
    const check = (label: string): void => {
      // Whole tables (one pass over each store table), one project, a few runs (row by row) — computed
      // cold by a fresh reference too, which must give the same values.
      const subsets: RunsTableQuery[] = [{}, { project: 'p1' }, { runs: [live.run, 'forkofrewind', engine.listRuns()[10].id] }];
      for (const query of subsets) {
        const expected = referenceTable(ref, query);
        sameTable(engine.runsTable(query), expected, `${label} ${JSON.stringify(query)} rows`);
        sameTable(engine.packedRunsTable(query), ref.packed(expected), `${label} ${JSON.stringify(query)} packed`);
        assert.deepStrictEqual(engine.runsTable(query), referenceTable(reference(engine), query), `${label} ${JSON.stringify(query)} cold reference`);
      }
      for (const filter of QUERIES) {
        const expected = referenceTable(ref, { filter });
        const rows = engine.runsTable({ filter });
        sameTable(rows, expected, `${label} filter ${filter}`);
        assert.deepEqual(engine.matchingRuns(filter), expected.rows.map((r) => r.id), `${label} matchingRuns ${filter}`);
        sameTable(engine.packedRunsTable({ filter }), ref.packed(expected), `${label} packed filter ${filter}`);
      }
      const all = ref.table();
      for (const filter of BAD) {
        let message = '';
        try {
          parseQuery(filter, all);
        } catch (e) {
          message = (e as Error).message;
        }
        assert.ok(message, `${filter} is an error`);
        for (const read of [() => engine.runsTable({ filter }), () => engine.matchingRuns(filter)]) {
          assert.throws(read, (e: Error) => e.message.includes(message), `${label} ${filter}: ${message}`);
        }
      }
    };
    check('cold');
    check('warm');
    // A live update: the changed run's rows computed again beside the kept ones.
    live.log({ loss: -7, acc: 2 });
    live.flush();
    ingest();
    check('after a change');
    live.finish();
    ingest();
    check('finished');
    assert.ok(engine.runsTable({ filter: 'summary.loss.min = -7' }).rows.some((r) => r.id === live.run));
  });

  it('make `runrewind list --filter` print what it printed when it filtered the whole table', async () => {
    const { engine, live, dir } = await generatedStore();
    live.finish();
    engine.ingest();
    const ref = reference(engine);
    const listed = engine.listRuns();
    const run = async (argv: string[]): Promise<string> => {
      let text = '';
      await main(argv, (t) => (text += t), () => undefined);
      return text;
    };
    for (const filter of QUERIES) {
      // As the command did before: every run described, then those the filtered table lists kept.
      const ids = new Set(referenceTable(ref, { filter }).rows.map((r) => r.id));
      const expected = listed.filter((r) => ids.has(r.id));
      assert.equal(await run(['list', '--dir', dir, '--filter', filter, '--json']), `${JSON.stringify(expected.map(runJson), null, 2)}\n`, filter);
    }
    assert.match(await run(['list', '--dir', dir, '--filter', 'state = running']), /^No run in .* matches the filter\.\n$/);
    for (const filter of BAD) {
      const before = (() => {
        try {
          engine.runsTable({ filter });
        } catch (e) {
          return (e as Error).message;
        }
        return '';
      })();
      await assert.rejects(run(['list', '--dir', dir, '--filter', filter]), (e: Error) => e.message === before, filter);
    }
  });
});
