// The runs table in the real extension host: opened from the palette and from a project, its rows and
// filter against the store's own answer to the same query, inline filter errors, natural sort, archived
// versions as child rows, a hostile run name as text, Open Charts for selected rows, live new runs, and
// the state kept for the next table of the folder.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CommandId, InternalCommandId } from '../../../src/ids';
import type { ChartInspection } from '../../../src/panels/charts';
import type { TableInspection } from '../../../src/panels/tables';
import { compareKeys } from '../../../src/shared/keys';
import { actOnTable as act, inspectTable as inspect, extensionApi, logRun, showRunsViewAndStore, uniqueId, waitFor } from './helpers';


async function shows(probe: (s: TableInspection) => boolean, what: string): Promise<TableInspection> {
  return waitFor(async () => {
    const s = await inspect();
    return probe(s) && s;
  }, what, 20_000);
}

describe('runs table', () => {
  before(async () => {
    await showRunsViewAndStore();
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens from the palette with every run; archived versions expand under their run; a hostile name is text', async () => {
    const api = await extensionApi();
    const folder = api.folders.all[0];
    await vscode.commands.executeCommand(CommandId.OpenRunsTable);
    // A filter another test left in the folder's memory would hide runs: start from none.
    await act({ kind: 'setFilter', filter: '' });
    const s = await shows((t) => t.rows.includes('base01'), 'base01 in the table');
    const table = await (await folder.store()).runsTable();
    assert.deepEqual([...s.rows].sort(), table.rows.map((r) => r.id).sort(), 'one row per run of the store');
    assert.equal(s.total, table.rows.length);
    assert.ok(s.headers.includes('Name') && s.headers.includes('State'));
    assert.equal(s.injected, 0);
    const hostile = table.rows.find((r) => r.id === 'bad01');
    assert.ok(hostile);
    assert.ok(s.cells.some((cells) => cells[0].includes(hostile.name)), 'the name is shown as it was typed');

    const base = table.rows.find((r) => r.id === 'base01')!;
    assert.equal(base.versions.length, 2, 'the fixture rewinds base01 twice');
    await act({ kind: 'toggleExpand', run: 'base01' });
    const expanded = await inspect();
    const at = expanded.rows.indexOf('base01');
    assert.deepEqual(expanded.rows.slice(at + 1, at + 3), base.versions.map((v) => v.version));
    assert.deepEqual(expanded.state.expanded, ['base01']);
    await act({ kind: 'toggleExpand', run: 'base01' });
    assert.ok(!(await inspect()).rows.includes(base.versions[0].version));

    // The keyboard: Right opens a run's versions, Down moves into them, Left goes back and closes.
    await act({ kind: 'clickRow', row: 'base01' });
    await act({ kind: 'key', key: 'ArrowRight' });
    await act({ kind: 'key', key: 'ArrowDown' });
    const down = await inspect();
    assert.equal(down.focused, base.versions[0].version);
    assert.deepEqual(down.state.selected, [base.versions[0].version]);
    await act({ kind: 'key', key: 'ArrowLeft' });
    assert.equal((await inspect()).focused, 'base01');
    await act({ kind: 'key', key: 'ArrowLeft' });
    assert.deepEqual((await inspect()).state.expanded, []);
  });

  it('filters with the query language exactly as the store does, shows errors inline and sorts naturally', async () => {
    const api = await extensionApi();
    const store = await api.folders.all[0].store();
    await vscode.commands.executeCommand(CommandId.OpenRunsTable);
    await shows((t) => t.total > 0, 'rows');
    for (const filter of ['config.lr < 0.001', 'tags has "baseline" or summary.loss.min < 0.1', 'project = mnist and state = finished', "name like 'lr%'"]) {
      await act({ kind: 'setFilter', filter });
      const s = await inspect();
      const expected = (await store.runsTable({ filter })).rows.map((r) => r.id);
      assert.deepEqual([...s.rows].sort(), [...expected].sort(), `rows of ${filter}`);
      assert.equal(s.matched, expected.length);
      assert.equal(s.filterError, '');
    }
    const before = (await inspect()).rows;
    await act({ kind: 'setFilter', filter: 'summary.loss.min <' });
    const bad = await inspect();
    assert.match(bad.filterError, /Expected a value after "<" at column 19/);
    assert.deepEqual(bad.rows, before, 'the last good filter stays applied');
    await act({ kind: 'setFilter', filter: 'config.lrr > 1' });
    assert.match((await inspect()).filterError, /config key "lrr".*did you mean "lr"/);

    await act({ kind: 'setFilter', filter: '' });
    await act({ kind: 'clickHeader', column: 'name' });
    const table = await store.runsTable();
    const nameOf = new Map(table.rows.map((r) => [r.id, r.name]));
    const sorted = await inspect();
    assert.deepEqual(sorted.state.sort, { column: 'name', descending: false });
    const names = sorted.rows.map((id) => nameOf.get(id)!);
    assert.deepEqual(names, [...names].sort(compareKeys));
    await act({ kind: 'clickHeader', column: 'name' });
    const down = (await inspect()).rows.map((id) => nameOf.get(id)!);
    assert.deepEqual(down, [...names].sort(compareKeys).reverse());
    await act({ kind: 'clickHeader', column: 'name' });
    assert.equal((await inspect()).state.sort, null);
  });

  it('opens a project from its context menu filtered to it, and Open Charts draws the selected rows', async () => {
    const api = await extensionApi();
    const folder = api.folders.all[0];
    await vscode.commands.executeCommand(CommandId.OpenRunsTable, { kind: 'project', folder: folder.key, project: 'mnist' });
    const s = await shows((t) => t.rows.includes('base01'), 'mnist runs');
    assert.equal(s.state.filter, 'project = "mnist"');
    const table = await (await folder.store()).runsTable({ project: 'mnist' });
    assert.deepEqual([...s.rows].sort(), table.rows.map((r) => r.id).sort());
    assert.ok(!s.rows.includes('bad01'), 'a cifar run is not shown');

    await act({ kind: 'setColumn', column: 'summary.loss.min', shown: true });
    assert.ok((await inspect()).state.columns?.includes('summary.loss.min'));
    await act({ kind: 'clickRow', row: 'base01' });
    await act({ kind: 'clickRow', row: 'fork01', ctrl: true });
    const selected = await inspect();
    assert.deepEqual([...selected.state.selected].sort(), ['base01', 'fork01']);
    assert.ok(selected.openChartsEnabled);
    await act({ kind: 'openCharts' });
    const charts = await waitFor(async () => {
      const c = await vscode.commands.executeCommand<ChartInspection | undefined>(InternalCommandId.InspectChart);
      return c && [...c.entries].sort().join(',') === 'base01,fork01' && c;
    }, 'the chart panel of the selected rows', 20_000);
    assert.ok(charts.legend.length >= 2);
  });

  it('groups rows by a column with counts and metric ranges, closes a group, and keeps the grouping', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand(CommandId.OpenRunsTable);
    await act({ kind: 'setFilter', filter: '' });
    await act({ kind: 'setColumn', column: 'summary.loss.max', shown: true });
    await act({ kind: 'groupBy', column: 'project' });
    const s = await shows((t) => t.rows.some((r) => r.startsWith('group:')), 'group headers');
    const table = await (await api.folders.all[0].store()).runsTable();
    const projects = [...new Set(table.rows.map((r) => r.project))].sort(compareKeys);
    assert.deepEqual(s.rows.filter((r) => r.startsWith('group:')), projects.map((p) => `group:string:${p}`));
    assert.equal(s.rows.length, projects.length + table.rows.length, 'every run under its project');
    assert.equal(s.state.groupBy, 'project');
    const first = projects[0];
    const inFirst = table.rows.filter((r) => r.project === first);
    const header = s.cells[0];
    assert.equal(header[0], `▾${first} (${inFirst.length})`);
    await act({ kind: 'toggleGroup', group: `string:${first}` });
    const closed = await inspect();
    assert.equal(closed.rows.length, projects.length + table.rows.length - inFirst.length);
    assert.deepEqual(closed.state.collapsed, [`string:${first}`]);
    await act({ kind: 'groupBy', column: null });
    assert.equal((await inspect()).rows.filter((r) => r.startsWith('group:')).length, 0);
  });

  it('draws the first rows at once, then the whole table in their place with the selection, focus and scroll kept', async () => {
    const api = await extensionApi();
    const table = await (await api.folders.all[0].store()).runsTable();
    assert.ok(table.rows.length > 4, 'the fixture has more runs than the first rows');
    // The first rows are sent for a view that shows the first runs first: no filter, sort or grouping.
    await vscode.commands.executeCommand(CommandId.OpenRunsTable);
    await shows((t) => t.total > 0, 'rows');
    await act({ kind: 'setFilter', filter: '' });
    await act({ kind: 'groupBy', column: null });
    for (let sorted = (await inspect()).state.sort; sorted; sorted = (await inspect()).state.sort) await act({ kind: 'clickHeader', column: sorted.column });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    await vscode.commands.executeCommand(InternalCommandId.ActOnTable, { kind: 'holdWholeTable', hold: true, firstRows: 3 });
    try {
      await vscode.commands.executeCommand(CommandId.OpenRunsTable);
      const first = await shows((t) => t.total > 0, 'the first rows');
      const ids = table.rows.map((r) => r.id);
      assert.deepEqual(first.rows, ids.slice(0, 3), 'the first runs, in the order the table shows them');
      assert.equal(first.total, 3);
      assert.equal(first.rendered, 3, 'drawn');
      // Acting on the first rows: the selection and focus they make are the whole table's.
      await act({ kind: 'clickRow', row: ids[1] });
      await act({ kind: 'key', key: 'ArrowDown' });
      const before = await inspect();
      assert.equal(before.focused, ids[2]);
      assert.deepEqual(before.state.selected, [ids[2]]);
    } finally {
      await vscode.commands.executeCommand(InternalCommandId.ActOnTable, { kind: 'holdWholeTable', hold: false });
    }
    const whole = await shows((t) => t.total === table.rows.length, 'the whole table');
    const ids = table.rows.map((r) => r.id);
    assert.deepEqual(whole.rows, ids, 'every run, the first ones where they were');
    assert.equal(whole.focused, ids[2]);
    assert.deepEqual(whole.state.selected, [ids[2]]);
    assert.equal(whole.state.scrollTop ?? 0, 0, 'the view has not moved');
    await act({ kind: 'key', key: 'ArrowDown' });
    assert.equal((await inspect()).focused, ids[3], 'the keys move on into the rows that came after');
  });

  it('draws the first rows of a sorted and filtered view at once too: those its whole table shows first, in its order', async () => {
    await vscode.commands.executeCommand(CommandId.OpenRunsTable);
    await shows((t) => t.total > 0, 'rows');
    await act({ kind: 'groupBy', column: null });
    for (let sorted = (await inspect()).state.sort; sorted; sorted = (await inspect()).state.sort) await act({ kind: 'clickHeader', column: sorted.column });
    // Descending by last step (runs of equal steps in creation order), every run with a step.
    await act({ kind: 'setFilter', filter: 'attributes.lastStep >= 0' });
    await act({ kind: 'clickHeader', column: 'lastStep' });
    await act({ kind: 'clickHeader', column: 'lastStep' });
    const sortedView = await inspect();
    assert.deepEqual(sortedView.state.sort, { column: 'lastStep', descending: true });
    const want = sortedView.rows;
    assert.ok(want.length > 4, 'more rows than the first ones');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand(InternalCommandId.ActOnTable, { kind: 'holdWholeTable', hold: true, firstRows: 3 });
    try {
      await vscode.commands.executeCommand(CommandId.OpenRunsTable);
      const first = await shows((t) => t.total > 0, 'the first rows');
      assert.deepEqual(first.rows, want.slice(0, 3), 'the rows the whole table shows first, in its order');
      assert.equal(first.rendered, 3, 'drawn');
    } finally {
      await vscode.commands.executeCommand(InternalCommandId.ActOnTable, { kind: 'holdWholeTable', hold: false });
    }
    const whole = await shows((t) => t.rows.length === want.length, 'the whole table');
    assert.deepEqual(whole.rows, want);
    await act({ kind: 'setFilter', filter: '' });
    for (let sorted = (await inspect()).state.sort; sorted; sorted = (await inspect()).state.sort) await act({ kind: 'clickHeader', column: sorted.column });
  });

  it('follows new runs live and starts the next table of the folder with its columns and sort', async () => {
    await vscode.commands.executeCommand(CommandId.OpenRunsTable);
    await shows((t) => t.total > 0, 'rows');
    await act({ kind: 'setFilter', filter: 'project = tests' });
    await act({ kind: 'clickHeader', column: 'lastStep' });
    await act({ kind: 'setColumn', column: 'summary.acc.max', shown: true });
    const id = uniqueId('table');
    logRun(id, 30, { project: 'tests' });
    const live = await shows((t) => t.rows.includes(id), 'the new run in the open table');
    assert.ok(live.headers.includes('acc'));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand(CommandId.OpenRunsTable);
    const again = await shows((t) => t.rows.includes(id), 'the table again');
    assert.equal(again.state.filter, 'project = tests');
    assert.deepEqual(again.state.sort, { column: 'lastStep', descending: false });
    assert.ok(again.state.columns?.includes('summary.acc.max'));
  });
});
