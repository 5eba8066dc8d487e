// The runs query language (src/shared/runQuery.ts): parsing, evaluation against runs table rows (MLflow's
// documented search_runs examples among them), natural order, and errors that name what and where.
import * as assert from 'node:assert/strict';
import type { MetricStats, RunsTableRow } from '../../src/core/api';
import { compareValues, fieldOfId, fieldId, fieldValue } from '../../src/shared/runFields';
import { QueryError, parseQuery } from '../../src/shared/runQuery';
import { linearRun, openEngine, tempDir, writer } from './helpers';
import { RunRewindError } from '../../src/core/errors';

function stats(last: number | string | boolean | null, min: number | null = null, max: number | null = null): MetricStats {
  return { last, min, max };
}

function row(id: string, fields: Partial<RunsTableRow>): RunsTableRow {
  return {
    id, version: `v${id}000000`, archived: false, name: id, state: 'finished', project: 'p', group: null, tags: [], notes: '',
    createdAt: 1_764_460_800, duration: 60, lastStep: 100, forkedFrom: null, parent: null, branchStep: null, config: {}, summary: {}, versions: [],
    ...fields,
  };
}

const rows: RunsTableRow[] = [
  row('run9', { config: { lr: 0.01, optimizer: 'adam', 'batch size': 32 }, summary: { loss: stats(0.3, 0.15, 2), 'val/acc': stats(0.8, 0.1, 0.91) }, tags: ['baseline', 'vision'], state: 'finished', group: 'a', duration: 30 }),
  row('run10', { config: { lr: '0.001', optimizer: 'sgd' }, summary: { loss: stats(0.25, 0.25, 3) }, tags: ['vision'], state: 'failed', project: 'q', duration: 3600 }),
  row('run2', { config: { lr: 0.0001 }, summary: { loss: stats(Number.NaN), 'loss.min': stats(0.05) }, state: 'running', notes: 'try warm restarts', createdAt: 1_764_547_200 }),
  row('sweep-x', { summary: {}, state: 'crashed', group: 'b', lastStep: null }),
];
const keys = { configKeys: ['batch size', 'lr', 'optimizer'], summaryKeys: ['loss', 'loss.min', 'val/acc'] };

function ids(query: string): string[] {
  const q = parseQuery(query, keys);
  return rows.filter((r) => q.matches(r)).map((r) => r.id);
}

function fails(query: string, pattern: RegExp, start?: number): QueryError {
  let caught: unknown;
  try {
    parseQuery(query, keys);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof QueryError, `expected a QueryError for ${query}, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  if (start !== undefined) assert.equal(caught.start, start, `error position of ${query}: ${caught.message}`);
  return caught;
}

describe('runs query language', () => {
  it('filters with the example of the issue', () => {
    assert.deepEqual(ids('config.lr > 0.001 and summary.loss.min < 0.2 and tags has "baseline" and state = finished'), ['run9']);
  });

  it("accepts MLflow's search_runs filters (params and metrics as text and numbers, attributes.status in capitals)", () => {
    assert.deepEqual(ids("metrics.loss < 0.3 and params.lr = '0.001'"), ['run10']);
    assert.deepEqual(ids("attributes.status = 'FINISHED'"), ['run9']);
    assert.deepEqual(ids("attributes.status != 'FINISHED'"), ['run10', 'run2', 'sweep-x']);
    assert.deepEqual(ids("attributes.run_name LIKE 'run%'"), ['run9', 'run10', 'run2']);
    assert.deepEqual(ids("attributes.run_name ILIKE 'RUN_'"), ['run9', 'run2']);
    assert.deepEqual(ids("params.optimizer IN ('adam', 'rmsprop')"), ['run9']);
    assert.deepEqual(ids("params.optimizer NOT IN ('adam')"), ['run10']);
    assert.deepEqual(ids('metrics.loss > 0.2 AND params.lr >= 0.001'), ['run9', 'run10']);
  });

  it('compares text naturally, numbers as numbers, and a missing field matches nothing but is null', () => {
    assert.deepEqual(ids('name > run9'), ['run10', 'sweep-x']);
    assert.deepEqual(ids('name < "run10"'), ['run9', 'run2']);
    assert.deepEqual(ids('config.optimizer != adam'), ['run10'], 'rows without the key are not "different"');
    assert.deepEqual(ids('config.optimizer is null'), ['run2', 'sweep-x']);
    assert.deepEqual(ids('config.optimizer is not null'), ['run9', 'run10']);
    assert.deepEqual(ids('last_step is null or group = b'), ['sweep-x']);
    assert.deepEqual(ids('summary.loss > -1'), ['run9', 'run10'], 'NaN is no number to compare');
  });

  it('reads summary aggregates, a key of its own named like one, quoted keys and durations', () => {
    assert.deepEqual(ids('summary.loss.max >= 3'), ['run10']);
    assert.deepEqual(ids('summary.loss.min < 0.2'), ['run9'], 'the aggregate, not define_metric\'s own "loss.min" key');
    assert.deepEqual(ids('summary.loss.min.last < 0.1'), ['run2'], 'that key by its whole name');
    assert.deepEqual(ids('summary."val/acc".max > 0.9'), ['run9']);
    assert.deepEqual(ids('summary.val/acc > 0.5'), ['run9']);
    assert.deepEqual(ids('config."batch size" = 32 and config.`batch size` <= 32'), ['run9']);
    assert.deepEqual(ids('duration > 10m'), ['run10']);
    assert.deepEqual(ids('duration <= 1m and not (state = running or state = crashed)'), ['run9']);
    assert.deepEqual(ids("created >= '2025-12-01'"), ['run2']);
    assert.deepEqual(ids('notes contains warm'), ['run2']);
    assert.deepEqual(ids('tags = vision and tags != baseline'), ['run10']);
    assert.deepEqual(ids("tags in ('baseline', 'x')"), ['run9']);
    assert.deepEqual(ids(''), ['run9', 'run10', 'run2', 'sweep-x']);
    assert.deepEqual(ids('  '), ['run9', 'run10', 'run2', 'sweep-x']);
  });

  it('binds "and" tighter than "or", as SQL does', () => {
    assert.deepEqual(ids('state = crashed or state = finished and group = b'), ['sweep-x']);
    assert.deepEqual(ids('(state = crashed or state = finished) and group = a'), ['run9']);
  });

  it('names what is wrong and the column where it is', () => {
    fails('config.lrr > 1', /No run has the config key "lrr" \(at column 1\); did you mean "lr"\?/, 0);
    fails('state = finished and summary.los < 1', /summary metric "los".*did you mean "loss"/, 21);
    fails('stat = finished', /Unknown field "stat" at column 1.*did you mean "state"/, 0);
    fails('config.lr >', /Expected a value after ">" at column 12, found the end of the query/, 11);
    fails('config.lr 0.1', /Expected an operator .* after config.lr at column 11, found "0.1"/, 10);
    fails('name = "abc', /Unclosed " at column 8/, 7);
    fails('(state = finished', /Expected "\)" to close the "\(" at column 1/, 17);
    fails('state = finished)', /Unmatched "\)" at column 17/, 16);
    fails('state = finished state = failed', /Expected "and", "or" or the end of the query at column 18/, 17);
    fails('tags.team = vision', /Tags here are a list.*tags has "team"/, 0);
    fails('tags > a', /tags are a list/, 5);
    fails('config.lr = 5m', /A unit \("m"\) only goes with duration/, 12);
    fails('name like run', /Expected a quoted pattern after "like"/, 10);
    fails('config.lr is 3', /Expected "null" after "is"/, 13);
    fails('config.lr = null', /Use "is null"/, 12);
    fails("created > 'yesterday'", /"yesterday" at column 11 is not a date/, 10);
    fails('name = a & b', /Unexpected "&" at column 10/, 9);
    fails('config. = 1', /Expected a key after "\."/, 6);
    fails('and', /Expected a field/, 0);
  });

  it('without known keys, takes any key (the command line before it knows the rows)', () => {
    const q = parseQuery('summary.acc.max > 0.5 and config.anything = 1');
    assert.deepEqual(q.fields, [{ kind: 'summary', key: 'acc', stat: 'max' }, { kind: 'config', key: 'anything' }]);
  });

  it('names fields by column ids and orders values naturally with none last', () => {
    for (const id of ['name', 'lastStep', 'config.optimizer.name', 'summary.val/acc.max', 'summary.loss.min.last']) assert.equal(fieldId(fieldOfId(id)!), id);
    assert.equal(fieldOfId('summary.loss'), undefined);
    assert.equal(fieldOfId('nope'), undefined);
    assert.equal(fieldValue(rows[0], fieldOfId('summary.loss.min')!), 0.15);
    const names = ['run10', 'run9', null, 'run2', 'Run1'].sort(compareValues);
    assert.deepEqual(names, ['Run1', 'run2', 'run9', 'run10', null]);
    assert.deepEqual([3, null, -1, Number.NaN, 2].sort(compareValues), [-1, 2, 3, Number.NaN, null]);
  });

  it('filters the store\'s table, and a bad filter is refused with the parser\'s message', async () => {
    const dir = tempDir();
    const a = linearRun(dir, 10, { config: { lr: 0.1 }, tags: ['baseline'] });
    linearRun(dir, 10, { config: { lr: 0.01 } });
    const w = writer(dir, { config: { lr: 1 } });
    w.log({ metric: 5 });
    const engine = await openEngine(dir);
    engine.ingest();
    assert.deepEqual(engine.runsTable({ filter: 'config.lr >= 0.1 and summary.metric.max > 8' }).rows.map((r) => r.id), [a.run]);
    assert.equal(engine.runsTable({ filter: 'state = running' }).rows.length, 1);
    assert.equal(engine.runsTable({ filter: 'state = running' }).total, 3);
    assert.throws(() => engine.runsTable({ filter: 'config.lx > 1' }), (e: unknown) => e instanceof RunRewindError && e.code === 'bad-argument' && /config key "lx".*did you mean "lr"/.test(e.message));
    w.finish();
  });
});
