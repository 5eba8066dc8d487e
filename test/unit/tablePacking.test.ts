// The runs table as columns (src/shared/tablePacking.ts), as the store worker sends it and the webview
// reads it: after a structured clone (what worker and webview postMessage do), every field of every row
// and archived version reads back as the row objects have it — config text and numbers, keys a row lacks,
// text, boolean and NaN last values, min/max none — and a query matches the same rows. A `firstRows`
// message is taken on arrival only as a screenful for a view of the first runs.
import * as assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import type { RunsTableRow } from '../../src/core/api';
import { ATTRIBUTES, type FieldRef, fieldValue } from '../../src/shared/runFields';
import { parseQuery } from '../../src/shared/runQuery';
import { packTable, unpackTable } from '../../src/shared/tablePacking';
import { defaultTableState, FIRST_ROWS, isToTableWebview } from '../../src/shared/tableProtocol';
import { openEngine, tempDir, writer } from './helpers';

describe('runs table packed as columns', () => {
  it('reads back every field of every row and version, after a structured clone, and filters the same', async () => {
    const dir = tempDir();
    const a = writer(dir, { name: 'a', config: { lr: 0.1, optimizer: { name: 'adam' }, layers: 4, note: null } });
    for (let i = 0; i < 30; i++) a.log({ loss: 1 / (i + 1), flag: i % 2 === 0, phase: 'train', odd: i === 29 ? Number.NaN : i });
    a.summary({ best: 'epoch 3' });
    a.finish();
    const b = writer(dir, { name: 'b', config: { lr: 0.01, extra: 'x' } });
    for (let i = 0; i < 10; i++) b.log({ loss: 2 - i / 10, other: -i });
    b.finish();
    const engine = await openEngine(dir);
    engine.ingest();
    engine.rewind(a.run, 12);
    engine.fork(a.version, 20, { id: 'forked1', name: 'fork' });
    engine.ingest();
    const table = engine.runsTable();
    const packed = engine.packedRunsTable();
    const unpacked = unpackTable(v8.deserialize(v8.serialize(packed)) as typeof packed);
    assert.deepEqual(packTable(table), packed);

    const fields: FieldRef[] = [
      ...ATTRIBUTES.map((name): FieldRef => ({ kind: 'attr', name })),
      ...table.configKeys.map((key): FieldRef => ({ kind: 'config', key })),
      ...table.summaryKeys.flatMap((key) => (['last', 'min', 'max'] as const).map((stat): FieldRef => ({ kind: 'summary', key, stat }))),
    ];
    const flat = (rows: readonly RunsTableRow[]): RunsTableRow[] => rows.flatMap((r) => [r, ...r.versions]);
    const before = flat(table.rows);
    const after = flat(unpacked.rows);
    assert.equal(after.length, before.length);
    assert.ok(before.length >= 4, 'runs and an archived version');
    for (let i = 0; i < before.length; i++) {
      for (const field of fields) assert.deepEqual(fieldValue(after[i], field), fieldValue(before[i], field), `${before[i].version} ${JSON.stringify(field)}`);
      assert.deepEqual(Object.keys(after[i].config).sort(), Object.keys(before[i].config).sort());
      assert.deepEqual(Object.keys(after[i].summary).sort(), Object.keys(before[i].summary).sort());
      assert.deepEqual({ ...after[i].summary }, { ...before[i].summary });
      assert.equal(after[i].versions.length, before[i].versions.length);
    }
    // What the cases above are about, so a change of the logs cannot make them vacuous.
    const rowA = after.find((r) => r.id === a.run)!;
    assert.equal(rowA.config['optimizer.name'], 'adam');
    assert.equal(rowA.config.note, null);
    assert.ok('note' in rowA.config && !('extra' in rowA.config));
    assert.deepEqual(rowA.summary.flag, { last: true, min: null, max: null }, 'rewound to step 12');
    assert.equal(rowA.summary.phase.last, 'train');
    assert.deepEqual(after.find((r) => r.version === a.version)!.summary.best, { last: 'epoch 3', min: null, max: null });
    assert.ok(Number.isNaN(after.find((r) => r.version === a.version)!.summary.odd.last as number));
    assert.equal(after.find((r) => r.id === b.run)!.summary.odd, undefined);
    assert.throws(() => {
      (rowA.config as Record<string, unknown>).lr = 1;
    }, TypeError);

    for (const query of ['config.lr = 0.1', 'config.extra = "x"', 'summary.loss.min < 0.1', 'summary.phase = "train"', 'config.note is null', 'summary.other.max >= 0']) {
      const q = parseQuery(query, unpacked);
      assert.deepEqual(after.filter((r) => q.matches(r)).map((r) => r.version), before.filter((r) => q.matches(r)).map((r) => r.version), query);
    }
    engine.close();
  });

  it('takes a first rows message only as a screenful of a view at its top, not grouped', () => {
    const row = (i: number): RunsTableRow => ({
      id: `r${i}`, version: `v${i}`, name: `run${i}`, state: 'finished', project: 'p', group: null, tags: [], notes: '', createdAt: i, duration: 1, lastStep: 0,
      archived: false, forkedFrom: null, config: { lr: i }, summary: {}, versions: [],
    } as unknown as RunsTableRow);
    const table = (n: number, total: number) => ({ ...packTable({ rows: Array.from({ length: n }, (_, i) => row(i)), configKeys: ['lr'], summaryKeys: [], total }) });
    const state = defaultTableState('/w');
    const message = (t: unknown, s: unknown = state) => ({ type: 'firstRows', folder: '/w', folderName: 'w', table: t, state: s, strings: {}, locale: 'en' });
    assert.ok(isToTableWebview(message(table(3, 10))));
    assert.ok(!isToTableWebview(message(table(FIRST_ROWS + 1, FIRST_ROWS + 5))), 'more than a screenful');
    assert.ok(!isToTableWebview(message(table(3, 2))), 'more rows than the table has');
    assert.ok(isToTableWebview(message(table(3, 10), { ...state, sort: { column: 'name', descending: false }, filter: 'config.lr > 1' })), 'a sorted and filtered view: its first rows are found by the store');
    assert.ok(!isToTableWebview(message(table(3, 10), { ...state, groupBy: 'project' })), 'a grouped view does not draw its first rows from the first runs');
    assert.ok(!isToTableWebview(message(table(3, 10), { ...state, scrollTop: 240 })), 'nor one scrolled down');
    assert.ok(!isToTableWebview(message({ rows: 'x' })), 'not a table');
    assert.ok(!isToTableWebview(message(table(3, 10), { version: 2 })), 'not a view state');
  });
});
