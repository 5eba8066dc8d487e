// The runs table's plot helpers (media/table/plots.ts) and view state: scales (log for learning rates,
// categories for text), brushes that filter rows, first axes, and the state's validation on arrival.
import * as assert from 'node:assert/strict';
import type { RunsTableRow } from '../../src/shared/runFields';
import { defaultTableState, isTableViewState } from '../../src/shared/tableProtocol';
import { brushMatches, defaultPlotState, scaleOf } from '../../media/table/plotScales';

function row(id: string, config: Record<string, number | string | null>, loss: number | null): RunsTableRow {
  return {
    id, version: `v${id}`, archived: false, name: id, state: 'finished', project: 'p', group: null, tags: [], notes: '', createdAt: 0,
    duration: 0, lastStep: 0, forkedFrom: null, parent: null, branchStep: null, config,
    summary: loss === null ? {} : { loss: { last: loss, min: loss, max: loss } }, versions: [],
  };
}

describe('runs table plots', () => {
  const rows = [row('a', { lr: 0.1, opt: 'adam' }, 0.5), row('b', { lr: 0.001, opt: 'sgd' }, 0.2), row('c', { lr: 0.01, opt: 'adam' }, null)];

  it('scales numbers linearly or by log, text as categories, a missing value as none', () => {
    const lr = scaleOf('config.lr', 'lr', rows)!;
    assert.equal(lr.numeric, true);
    assert.equal(lr.log, true, '0.001 to 0.1 spans 100×');
    assert.equal(lr.at(0.1), 1);
    assert.equal(lr.at(0.001), 0);
    assert.ok(Math.abs(lr.at(0.01)! - 0.5) < 1e-12);
    assert.ok(Math.abs(lr.invert(0.5) - 0.01) < 1e-12);
    const loss = scaleOf('summary.loss.last', 'loss', rows)!;
    assert.equal(loss.log, false);
    assert.ok(Math.abs(loss.at(0.35)! - 0.5) < 1e-12);
    assert.equal(loss.at(null), null);
    const opt = scaleOf('config.opt', 'opt', rows)!;
    assert.equal(opt.numeric, false);
    assert.deepEqual(opt.categories, ['adam', 'sgd']);
    assert.equal(opt.at('sgd'), 1);
  });

  it('keeps the rows every brush lets through', () => {
    assert.deepEqual(rows.filter((r) => brushMatches(r, [{ column: 'config.lr', lo: 0.005, hi: 0.2 }])).map((r) => r.id), ['a', 'c']);
    assert.deepEqual(rows.filter((r) => brushMatches(r, [{ column: 'config.lr', lo: 0.005, hi: 0.2 }, { column: 'summary.loss.last', lo: 0, hi: 1 }])).map((r) => r.id), ['a'], 'a run without the value is out');
    assert.deepEqual(rows.filter((r) => brushMatches(r, [{ column: 'config.opt', values: ['sgd'] }])).map((r) => r.id), ['b']);
  });

  it('starts with the numeric config keys and a loss', () => {
    const table = { rows, configKeys: ['lr', 'opt'], summaryKeys: ['loss'], total: 3 };
    const state = defaultPlotState(table, rows);
    assert.deepEqual([state.axes, state.metric, state.x, state.y], [['config.lr'], 'summary.loss.last', 'config.lr', 'summary.loss.last']);
  });

  it('validates pinned columns, widths and plots in the view state as it arrives', () => {
    const base = defaultTableState('f');
    const plots = { open: true, mode: 'parallel', axes: ['config.lr'], metric: null, brushes: [{ column: 'config.lr', lo: 0.1, hi: 1 }], x: null, y: null };
    assert.ok(isTableViewState({ ...base, pinned: ['name', 'config.lr'], widths: { 'config.lr': 170 }, plots }));
    assert.ok(!isTableViewState({ ...base, widths: { 'config.lr': '170' } }));
    assert.ok(!isTableViewState({ ...base, widths: { 'config.lr': 1e9 } }));
    assert.ok(!isTableViewState({ ...base, plots: { ...plots, mode: 'pie' } }));
    assert.ok(!isTableViewState({ ...base, plots: { ...plots, brushes: [{ column: 'config.lr', lo: Number.NaN }] } }));
  });
});
