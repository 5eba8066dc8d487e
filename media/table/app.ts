// The runs table's webview: holds the view state (columns, sort, filter, expanded runs, selection), turns
// the host's table into the lines the grid draws (filtered with the runs query language, sorted stably
// in natural order, archived versions under their run), and turns clicks and keys into state changes
// and messages. The grid (./grid) draws; the columns and their chooser are in ./columns. It imports only
// src/shared from the extension.
import { compareValues, type FieldValue, fieldOfId, fieldValue, type RunsTableRow } from '../../src/shared/runFields';
import { QueryError, type RunQuery, parseQuery } from '../../src/shared/runQuery';
import {
  applyTablePatch,
  dispatch,
  type FromTableWebview,
  isTableViewState,
  isToTableWebview,
  type MessageHandlers,
  type PlotState,
  type RunsTable,
  type TableKey,
  type TableSnapshot,
  type TableStrings,
  type TableTestAction,
  type TableViewState,
  type ToTableWebview,
} from '../../src/shared/tableProtocol';
import { naturalRanks } from '../../src/shared/naturalRanks';
import { unpackTable } from '../../src/shared/tablePacking';
import { button, el } from '../chart/dom';
import { Notice } from '../chart/notice';
import { type Column, ColumnChooser, allColumns, cellText, columnOf, defaultColumns } from './columns';
import { type DisplayRow, type GroupLine, Grid, clampWidth } from './grid';
import { Plots, brushMatches, defaultPlotState } from './plots';

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/** The chart panel draws at most this many runs at once (its state keeps 64). */
const MAX_CHART_RUNS = 64;
const FILTER_DELAY_MS = 150;

/** Attribute columns of text whose ranks are made ahead of a sort (rankTexts). */
const TEXT_COLUMNS: readonly string[] = ['name', 'id', 'project', 'group', 'state', 'notes', 'version'];

/** Runs `work` when the webview is idle (soon in any case). */
function idle(work: (deadline?: IdleDeadline) => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(work, { timeout: 2000 });
  else setTimeout(work, 50);
}

const EMPTY: RunsTable = { rows: [], configKeys: [], summaryKeys: [], total: 0 };

export class TableApp {
  private state: TableViewState | null = null;
  private table: RunsTable = EMPTY;
  private strings: TableStrings = {};
  private locale = navigator.language;
  private columns: Column[] = [];
  private pinnedCount = 0;
  /** A width being dragged, drawn before it is kept in the state. */
  private dragging: { readonly column: string; readonly width: number } | null = null;
  private display: DisplayRow[] = [];
  private matched = 0;
  private selected = new Set<string>();
  private focused = -1;
  private anchor = -1;
  private query: RunQuery = parseQuery('');
  private filterError: QueryError | null = null;
  private filterTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly grid: Grid;
  private readonly chooser: ColumnChooser;
  private readonly filterInput: HTMLInputElement;
  private readonly errorLine: HTMLElement;
  private readonly columnsButton: HTMLButtonElement;
  private readonly groupSelect: HTMLSelectElement;
  private readonly chartsButton: HTMLButtonElement;
  private readonly compareButton: HTMLButtonElement;
  private readonly plotsButton: HTMLButtonElement;
  private readonly plots: Plots;
  /** Runs the filter lets through (before brushes): what the plots draw. */
  private filteredRuns: RunsTableRow[] = [];
  private readonly count: HTMLElement;
  private readonly notice = new Notice();
  private markInitialised: () => void = () => undefined;
  private readonly initialised = new Promise<void>((resolve) => {
    this.markInitialised = resolve;
  });

  constructor(
    private readonly vscode: VsCodeApi,
    root: HTMLElement,
  ) {
    this.filterInput = el('input', { className: 'filter', attrs: { type: 'text', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'filter-error' } });
    this.filterInput.addEventListener('input', () => {
      if (this.filterTimer) clearTimeout(this.filterTimer);
      this.filterTimer = setTimeout(() => this.setFilter(this.filterInput.value), FILTER_DELAY_MS);
    });
    this.filterInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.setFilter(this.filterInput.value);
      else if (e.key === 'ArrowDown') this.grid.root.focus();
    });
    this.errorLine = el('div', { className: 'filter-error', attrs: { id: 'filter-error', role: 'status', 'aria-live': 'polite' } });
    this.columnsButton = button('Columns', () => this.toggleChooser(), { attrs: { 'aria-haspopup': 'dialog', 'aria-expanded': 'false' } });
    this.chartsButton = button('Open Charts', () => this.openCharts(), { className: 'primary' });
    this.compareButton = button('Compare', () => this.compare());
    this.plotsButton = button('Plots', () => this.togglePlots(), { attrs: { 'aria-expanded': 'false' } });
    this.plots = new Plots({
      changed: (plots) => {
        this.update({ plots });
        this.rebuild();
      },
      select: (runId, ctrl) => {
        const index = this.display.findIndex((d) => d.key === runId && !d.group);
        if (index >= 0) this.click(index, { ctrl, shift: false });
      },
    });
    this.count = el('span', { className: 'count', attrs: { 'aria-live': 'polite' } });
    this.groupSelect = el('select', { className: 'group-by' });
    this.groupSelect.addEventListener('change', () => this.setGroupBy(this.groupSelect.value === '' ? null : this.groupSelect.value));
    this.chooser = new ColumnChooser(() => this.strings, (id, shown) => this.setColumn(id, shown), () => this.toggleChooser(false));
    this.grid = new Grid({
      rowClick: (index, mods) => this.click(index, mods),
      rowActivate: (index) => {
        this.click(index, { ctrl: false, shift: false });
        this.openCharts();
      },
      toggle: (runId) => this.toggleExpand(runId),
      toggleGroup: (group) => this.toggleGroup(group),
      headerClick: (column) => this.clickHeader(column),
      togglePin: (column) => this.togglePin(column),
      resize: (column, width, done) => this.resize(column, width, done),
      resetWidth: (column) => this.resetWidth(column),
      key: (e) => this.onKey(e),
      scrolled: (top) => {
        if (!this.state || Math.abs((this.state.scrollTop ?? 0) - top) < 1) return;
        // Kept in the webview state only: it changes too often for a message to the host.
        this.state = { ...this.state, scrollTop: top };
        this.vscode.setState(this.state);
      },
    });
    const toolbar = el('div', { className: 'toolbar' }, [this.filterInput, this.groupSelect, this.columnsButton, this.plotsButton, this.compareButton, this.chartsButton, this.count]);
    root.append(this.notice.root, toolbar, this.errorLine, this.chooser.root, this.plots.root, this.grid.root);
    window.addEventListener('message', (e: MessageEvent) => {
      if (!isToTableWebview(e.data)) return;
      Promise.resolve(dispatch(this.handlers, e.data)).catch((error: unknown) => this.post({ type: 'error', message: String(error) }));
    });
    const saved = vscode.getState();
    this.post({ type: 'ready', state: isTableViewState(saved) ? saved : null });
  }

  private post(message: FromTableWebview): void {
    this.vscode.postMessage(message);
  }

  /**
   * The first rows are drawn and the view works on them at once: a sort, filter, grouping, selection or
   * key press changes the view state, which the whole table is laid out with when it comes (it replaces
   * the first rows in place; nothing waits). `firstRows`' count of all the runs until then.
   */
  private firstRowsOf: number | undefined;
  /** Per text column sorted by, its texts' ranks (ranksOf). */
  private readonly textRanks = new Map<string, Map<string, number>>();

  private readonly handlers: MessageHandlers<ToTableWebview> = {
    firstRows: (m) => {
      this.firstRowsOf = m.table.total;
      this.start(m);
    },
    init: (m) => {
      if (this.firstRowsOf !== undefined) {
        // After the first rows: the view (and what the user did to it meanwhile) stays, the rows are replaced.
        this.firstRowsOf = undefined;
        this.replaceTable(unpackTable(m.table));
        return;
      }
      this.start(m);
    },
    rows: (m) => this.replaceTable(unpackTable(m.table)),
    patch: (m) => this.replaceTable(applyTablePatch(this.table, m.patch)),
    setFilter: (m) => {
      this.filterInput.value = m.filter;
      this.setFilter(m.filter);
    },
    inspectRequest: async (m) => {
      await this.initialised;
      this.post({ type: 'inspectResult', inReplyTo: m.requestId, snapshot: this.snapshot() });
    },
    testAction: async (m) => {
      await this.initialised;
      let error: string | undefined;
      try {
        this.perform(m.action);
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      this.post({ type: 'testActionDone', inReplyTo: m.requestId, error });
    },
    notice: (m) => this.notice.show(m.message, m.kind),
  };

  /** The table and the view the host starts the webview with (`init`, or `firstRows` before it). */
  private start(m: Extract<ToTableWebview, { type: 'init' | 'firstRows' }>): void {
    this.strings = m.strings;
    this.locale = m.locale || navigator.language;
    this.applyStrings();
    this.table = unpackTable(m.table);
    this.state = m.state;
    this.selected = new Set(m.state.selected);
    this.filterInput.value = m.state.filter;
    this.parseFilter(m.state.filter);
    this.rebuild();
    this.grid.scrollTo(m.state.scrollTop ?? 0);
    this.vscode.setState(this.state);
    this.markInitialised();
    this.rankTexts();
  }

  /**
   * The text columns' ranks (ranksOf), made when the rows come and the webview is idle, so a click on
   * Name sorts 10,000 runs by numbers (~20 ms of collator work a column is not in the click).
   */
  private rankTexts(): void {
    const table = this.table;
    const pending = TEXT_COLUMNS.slice();
    const next = (deadline?: IdleDeadline): void => {
      while (pending.length > 0 && this.table === table) {
        const column = pending.shift()!;
        const field = fieldOfId(column)!;
        const keyed = this.table.rows.map((r, i): [FieldValue, number, RunsTableRow] => [fieldValue(r, field), i, r]);
        if (keyed.every((k) => k[0] === null || typeof k[0] === 'string')) this.ranksOf(column, field, keyed);
        if (deadline && deadline.timeRemaining() < 5) break;
      }
      if (pending.length > 0 && this.table === table) idle(next);
    };
    idle(next);
  }

  /** New rows: the selection keeps the rows still there, the focus follows its row, the scroll stays. */
  private replaceTable(table: RunsTable): void {
    this.table = table;
    this.rankTexts();
    const known = new Set<string>();
    for (const r of table.rows) {
      known.add(r.id);
      for (const v of r.versions) known.add(v.version);
    }
    this.selected = new Set([...this.selected].filter((k) => known.has(k)));
    this.parseFilter(this.filterInput.value);
    this.rebuild();
  }

  private applyStrings(): void {
    const s = this.strings;
    this.filterInput.placeholder = s.filterPlaceholder ?? '';
    this.filterInput.setAttribute('aria-label', s.filterLabel ?? 'Filter runs');
    this.columnsButton.textContent = s.columns ?? 'Columns';
    this.columnsButton.title = s.columns ?? 'Columns';
    this.chartsButton.textContent = s.openCharts ?? 'Open Charts';
    this.chartsButton.title = s.openCharts ?? 'Open Charts';
    this.plotsButton.textContent = s.plots ?? 'Plots';
    this.plotsButton.title = s.plotsTitle ?? 'Parallel coordinates and scatter of the filtered runs';
    this.compareButton.textContent = s.compare ?? 'Compare';
    this.compareButton.title = s.compareTitle ?? 'Compare the two selected runs';
  }

  // ---- state --------------------------------------------------------------------------------------

  private update(change: Partial<Omit<TableViewState, 'version' | 'folder'>>): void {
    if (!this.state) return;
    this.state = { ...this.state, ...change };
    this.vscode.setState(this.state);
    this.post({ type: 'stateChanged', state: this.state });
  }

  private setFilter(text: string): void {
    if (this.filterTimer) clearTimeout(this.filterTimer);
    this.parseFilter(text);
    this.update({ filter: text });
    this.rebuild();
  }

  /** Parses the filter against the table's keys; a bad one is shown and the last good one stays applied. */
  private parseFilter(text: string): void {
    try {
      this.query = parseQuery(text, this.table);
      this.filterError = null;
    } catch (e) {
      if (!(e instanceof QueryError)) throw e;
      this.filterError = e;
    }
    this.showFilterError(text);
  }

  private showFilterError(text: string): void {
    const error = this.filterError;
    this.errorLine.replaceChildren();
    this.filterInput.setAttribute('aria-invalid', String(error !== null));
    this.errorLine.hidden = error === null;
    if (!error) return;
    // The query with the part the error is about marked, then the message: all as text.
    const start = Math.min(error.start, text.length);
    const end = Math.max(start + 1, Math.min(error.end, text.length + 1));
    const shown = `${text} `;
    this.errorLine.append(
      el('code', { className: 'filter-query' }, [
        document.createTextNode(shown.slice(0, start)),
        el('mark', { text: shown.slice(start, end) }),
        document.createTextNode(shown.slice(end)),
      ]),
      el('span', { className: 'filter-message', text: error.message }),
    );
  }

  private get shownColumnIds(): string[] {
    return [...(this.state?.columns ?? defaultColumns(this.table))];
  }

  private setColumn(id: string, shown: boolean): void {
    const ids = this.shownColumnIds.filter((c) => c !== id);
    if (shown) ids.push(id);
    this.update({ columns: ids });
    this.rebuild();
  }

  /** Pinned column ids among the shown ones: the first shown column until the user pins or unpins one. */
  private pinnedIds(shown: readonly string[]): string[] {
    const pinned = this.state?.pinned;
    if (pinned === undefined) return shown.slice(0, 1);
    const set = new Set(pinned);
    return shown.filter((id) => set.has(id));
  }

  private togglePin(column: string): void {
    const pinned = this.pinnedIds(this.shownColumnIds);
    this.update({ pinned: pinned.includes(column) ? pinned.filter((c) => c !== column) : [...pinned, column] });
    this.layoutColumns();
    this.draw();
  }

  private resize(column: string, width: number, done: boolean): void {
    const w = clampWidth(width);
    if (done) {
      this.dragging = null;
      this.update({ widths: { ...(this.state?.widths ?? {}), [column]: w } });
    } else {
      this.dragging = { column, width: w };
    }
    this.layoutColumns();
    this.draw();
  }

  private resetWidth(column: string): void {
    const widths = { ...(this.state?.widths ?? {}) };
    delete widths[column];
    this.update({ widths });
    this.layoutColumns();
    this.draw();
  }

  /** The shown columns in drawing order (pinned ones first) with their widths. */
  private layoutColumns(): void {
    const shown = this.shownColumnIds;
    const pinned = this.pinnedIds(shown);
    const order = [...pinned, ...shown.filter((id) => !pinned.includes(id))];
    const widths = this.state?.widths ?? {};
    this.columns = order
      .map((id) => {
        const column = columnOf(id, this.strings);
        if (!column) return undefined;
        const width = this.dragging?.column === id ? this.dragging.width : Object.prototype.hasOwnProperty.call(widths, id) ? widths[id] : undefined;
        return width === undefined ? column : { ...column, width: clampWidth(width) };
      })
      .filter((c): c is Column => c !== undefined);
    this.pinnedCount = this.columns.filter((c) => pinned.includes(c.id)).length;
  }

  private clickHeader(column: string): void {
    const sort = this.state?.sort;
    const next = sort?.column !== column ? { column, descending: false } : !sort.descending ? { column, descending: true } : null;
    this.update({ sort: next });
    this.rebuild();
  }

  private toggleExpand(runId: string): void {
    if (!this.state) return;
    const expanded = this.state.expanded.includes(runId) ? this.state.expanded.filter((r) => r !== runId) : [...this.state.expanded, runId];
    const focusedKey = this.display[this.focused]?.key;
    this.update({ expanded });
    this.rebuild(focusedKey);
  }

  private setGroupBy(column: string | null): void {
    this.update({ groupBy: column, collapsed: [] });
    this.rebuild();
  }

  private toggleGroup(group: string): void {
    if (!this.state) return;
    const collapsed = this.state.collapsed ?? [];
    this.update({ collapsed: collapsed.includes(group) ? collapsed.filter((g) => g !== group) : [...collapsed, group] });
    this.rebuild(`group:${group}`);
  }

  /** The Group by box: none, then the shown columns (what a user sees is what they group by). */
  private fillGroupSelect(): void {
    const s = this.strings;
    const current = this.state?.groupBy ?? null;
    const options = [el('option', { text: s.noGrouping ?? 'No grouping', attrs: { value: '' } })];
    for (const c of this.columns) {
      const label = `${s.groupBy ?? 'Group by'} ${c.group ? `${c.group}: ` : ''}${c.label}`;
      options.push(el('option', { text: label, attrs: { value: c.id } }));
    }
    if (current !== null && !this.columns.some((c) => c.id === current)) options.push(el('option', { text: current, attrs: { value: current } }));
    this.groupSelect.replaceChildren(...options);
    this.groupSelect.value = current ?? '';
    this.groupSelect.title = s.groupBy ?? 'Group by';
    this.groupSelect.setAttribute('aria-label', s.groupBy ?? 'Group by');
  }

  private toggleChooser(open = !this.chooser.open): void {
    if (open) this.chooser.show(this.table, this.shownColumnIds);
    else {
      this.chooser.hide();
      this.columnsButton.focus();
    }
    this.columnsButton.setAttribute('aria-expanded', String(open));
  }

  // ---- rows ---------------------------------------------------------------------------------------

  /** Filters, sorts and lays out the rows, then draws; the focused row follows its key. */
  private rebuild(focusKey = this.display[this.focused]?.key): void {
    if (!this.state) return;
    this.layoutColumns();
    let runs = this.table.rows.filter((r) => this.query.matches(r));
    this.filteredRuns = runs;
    // Brushes on the parallel coordinates' axes filter the table while the plots are open.
    const plots = this.state.plots;
    if (plots?.open && plots.brushes.length > 0) runs = runs.filter((r) => brushMatches(r, plots.brushes));
    this.matched = runs.length;
    const sorted = this.sortRows(runs);
    const expanded = new Set(this.state.expanded);
    const display: DisplayRow[] = [];
    const push = (row: RunsTableRow): void => {
      const open = expanded.has(row.id) && row.versions.length > 0;
      display.push({ key: row.id, row, child: false, hasChildren: row.versions.length > 0, expanded: open });
      if (open) for (const v of row.versions) display.push({ key: v.version, row: v, child: true, hasChildren: false, expanded: false });
    };
    const groupField = this.state.groupBy ? fieldOfId(this.state.groupBy) : undefined;
    if (!groupField) {
      for (const row of sorted) push(row);
    } else {
      const groupColumn = columnOf(this.state.groupBy!, this.strings)!;
      const collapsed = new Set(this.state.collapsed ?? []);
      const groups = new Map<string, { value: FieldValue; rows: RunsTableRow[] }>();
      for (const row of sorted) {
        const value = fieldValue(row, groupField);
        const key = groupKey(value);
        const group = groups.get(key);
        if (group) group.rows.push(row);
        else groups.set(key, { value, rows: [row] });
      }
      // Groups in their value's natural order, none last; rows keep the sort inside a group.
      const ordered = [...groups.entries()].sort((a, b) => (a[1].value === null ? 1 : b[1].value === null ? -1 : compareValues(a[1].value, b[1].value)));
      for (const [key, group] of ordered) {
        const label = group.value === null ? (this.strings.noValue ?? '(none)') : cellText(groupColumn, group.value, this.locale) || '""';
        const line: GroupLine = { key, label, count: group.rows.length, collapsed: collapsed.has(key), ranges: this.ranges(group.rows) };
        display.push({ key: `group:${key}`, row: group.rows[0], child: false, hasChildren: false, expanded: false, group: line });
        if (!line.collapsed) for (const row of group.rows) push(row);
      }
    }
    this.display = display;
    this.fillGroupSelect();
    const at = focusKey === undefined ? -1 : display.findIndex((d) => d.key === focusKey);
    this.focused = at >= 0 ? at : Math.min(this.focused, display.length - 1);
    this.draw();
  }

  /** Lowest and highest value of each shown numeric config or summary column over a group's runs. */
  private ranges(rows: readonly RunsTableRow[]): Map<string, [number, number]> {
    const out = new Map<string, [number, number]>();
    for (const column of this.columns) {
      if (column.field.kind === 'attr') continue;
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (const row of rows) {
        const v = fieldValue(row, column.field);
        if (typeof v !== 'number' || v - v !== 0) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (lo <= hi) out.set(column.id, [lo, hi]);
    }
    return out;
  }

  /**
   * A text column's ranks (naturalRanks), kept while they rank every text it has: a live update that
   * brings no new text, a filter or another sort keeps them; a new text has them made again.
   */
  private ranksOf(column: string, field: NonNullable<ReturnType<typeof fieldOfId>>, keyed: readonly [FieldValue, number, RunsTableRow][]): Map<string, number> {
    const kept = this.textRanks.get(column);
    if (kept && keyed.every((k) => k[0] === null || kept.has(k[0] as string))) return kept;
    // Every run's text, not only the filtered ones': the ranks then outlive a change of filter.
    const texts = new Set<string>();
    for (const k of keyed) if (k[0] !== null) texts.add(k[0] as string);
    for (const row of this.table.rows) {
      const v = fieldValue(row, field);
      if (typeof v === 'string') texts.add(v);
    }
    const ranks = naturalRanks(texts);
    this.textRanks.set(column, ranks);
    return ranks;
  }

  /** Stable: equal values keep the store's order (creation); none (null) last either way. */
  private sortRows(rows: RunsTableRow[]): RunsTableRow[] {
    const sort = this.state?.sort;
    const field = sort ? fieldOfId(sort.column) : undefined;
    if (!sort || !field) return rows;
    const keyed: [FieldValue, number, RunsTableRow][] = rows.map((r, i) => [fieldValue(r, field), i, r]);
    const sign = sort.descending ? -1 : 1;
    if (keyed.every((k) => k[0] === null || typeof k[0] === 'string')) {
      // Text (names, ids, projects): each text's rank in compareKeys' order, then compared as numbers.
      const ranks = this.ranksOf(sort.column, field, keyed);
      for (const k of keyed) if (k[0] !== null) k[0] = ranks.get(k[0] as string)!;
    }
    if (keyed.every((k) => k[0] === null || typeof k[0] === 'number')) {
      // Numbers only (most config and summary columns): the same order as compareValues (NaN after every
      // number), compared as numbers without its checks of each value's type.
      keyed.sort((a, b) => {
        const x = a[0] as number | null;
        const y = b[0] as number | null;
        if (x === null || y === null) return x === y ? a[1] - b[1] : x === null ? 1 : -1;
        const d = x < y ? -1 : x > y ? 1 : x === y || (x !== x && y !== y) ? 0 : x !== x ? 1 : -1;
        return sign * d || a[1] - b[1];
      });
      return keyed.map((k) => k[2]);
    }
    keyed.sort((a, b) => {
      if (a[0] === null || b[0] === null) return a[0] === b[0] ? a[1] - b[1] : a[0] === null ? 1 : -1;
      return sign * compareValues(a[0], b[0]) || a[1] - b[1];
    });
    return keyed.map((k) => k[2]);
  }

  private draw(): void {
    const total = this.firstRowsOf ?? this.table.rows.length;
    this.count.textContent = format(this.strings.count ?? '{0} of {1} runs', this.matched, total) + (this.selected.size > 0 ? ` · ${format(this.strings.selectedCount ?? '{0} selected', this.selected.size)}` : '');
    this.chartsButton.disabled = this.selected.size === 0 && this.focused < 0;
    this.compareButton.disabled = this.selected.size !== 2;
    // The selected rows' runs, for a context menu command on one of them (it then acts on all).
    const selectedRuns = new Set(this.display.filter((d) => !d.group && this.selected.has(d.key)).map((d) => d.row.id));
    this.grid.root.setAttribute('data-vscode-context', JSON.stringify({ selected: [...selectedRuns].slice(0, 10_000) }));
    const plots: PlotState | undefined = this.state?.plots;
    this.plotsButton.setAttribute('aria-expanded', String(plots?.open ?? false));
    this.plotsButton.classList.toggle('on', plots?.open ?? false);
    if (plots) this.plots.set(plots, this.filteredRuns, this.table, this.selected, this.strings);
    const emptyText = total === 0 ? (this.strings.noRuns ?? 'No runs yet.') : this.matched === 0 ? (this.strings.noMatch ?? 'No run matches the filter.') : '';
    this.grid.set({
      rows: this.display,
      columns: this.columns,
      pinned: this.pinnedCount,
      selected: this.selected,
      focused: this.focused,
      sort: this.state?.sort ?? null,
      locale: this.locale,
      strings: this.strings,
      emptyText,
    });
  }

  // ---- selection and keys -------------------------------------------------------------------------

  private click(index: number, mods: { ctrl: boolean; shift: boolean }): void {
    const line = this.display[index];
    if (!line) return;
    if (line.group) {
      this.focused = index;
      this.toggleGroup(line.group.key);
      return;
    }
    if (mods.shift && this.anchor >= 0) {
      this.selectRange(this.anchor, index, mods.ctrl);
    } else if (mods.ctrl) {
      if (this.selected.has(line.key)) this.selected.delete(line.key);
      else this.selected.add(line.key);
      this.anchor = index;
    } else {
      this.selected = new Set([line.key]);
      this.anchor = index;
    }
    this.focused = index;
    this.selectionChanged();
  }

  private selectRange(from: number, to: number, keep: boolean): void {
    if (!keep) this.selected = new Set();
    for (let i = Math.min(from, to); i <= Math.max(from, to); i++) if (!this.display[i].group) this.selected.add(this.display[i].key);
  }

  private selectionChanged(): void {
    this.update({ selected: [...this.selected] });
    this.draw();
    if (this.focused >= 0) this.grid.reveal(this.focused);
  }

  private onKey(e: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'preventDefault'>): void {
    const n = this.display.length;
    const ctrl = e.ctrlKey || e.metaKey;
    const move = (to: number): void => {
      if (n === 0) return;
      const index = Math.max(0, Math.min(n - 1, to));
      if (e.shiftKey) this.selectRange(this.anchor >= 0 ? this.anchor : index, index, false);
      else if (!ctrl) {
        this.selected = this.display[index].group ? new Set() : new Set([this.display[index].key]);
        this.anchor = index;
      }
      this.focused = index;
      this.selectionChanged();
    };
    const line = this.display[this.focused];
    switch (e.key) {
      case 'ArrowDown': move(this.focused + 1); break;
      case 'ArrowUp': move(this.focused < 0 ? 0 : this.focused - 1); break;
      case 'PageDown': move(this.focused + this.grid.pageRows); break;
      case 'PageUp': move(this.focused - this.grid.pageRows); break;
      case 'Home': move(0); break;
      case 'End': move(n - 1); break;
      case ' ':
        if (!line || line.group) return;
        if (this.selected.has(line.key)) this.selected.delete(line.key);
        else this.selected.add(line.key);
        this.anchor = this.focused;
        this.selectionChanged();
        break;
      case 'Enter':
        if (line?.group) this.toggleGroup(line.group.key);
        else this.openCharts();
        break;
      case 'ArrowRight':
        if (line?.group) {
          if (line.group.collapsed) this.toggleGroup(line.group.key);
        } else if (line && line.hasChildren && !line.expanded) this.toggleExpand(line.row.id);
        break;
      case 'ArrowLeft':
        if (line?.group) {
          if (!line.group.collapsed) this.toggleGroup(line.group.key);
        } else if (line?.expanded) this.toggleExpand(line.row.id);
        else if (line?.child) move(this.display.findIndex((d) => !d.child && d.row.id === line.row.id));
        break;
      case 'a':
        if (!ctrl) return;
        this.selected = new Set(this.display.filter((d) => !d.group).map((d) => d.key));
        this.selectionChanged();
        break;
      case 'Escape':
        this.selected = new Set();
        this.selectionChanged();
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  /** Open Charts for the selected rows (or the focused one), in the order shown. */
  private openCharts(): void {
    let entries = this.display.filter((d) => this.selected.has(d.key)).map((d) => d.key);
    if (entries.length === 0 && this.display[this.focused] && !this.display[this.focused].group) entries = [this.display[this.focused].key];
    if (entries.length === 0) return;
    if (entries.length > MAX_CHART_RUNS) {
      this.notice.show(format(this.strings.tooManyCharts ?? 'Charts overlay at most {0} runs: the first {0} selected are opened.', MAX_CHART_RUNS), 'info');
      entries = entries.slice(0, MAX_CHART_RUNS);
    }
    this.post({ type: 'openCharts', entries });
  }

  private togglePlots(open = !(this.state?.plots?.open ?? false)): void {
    const base = this.state?.plots ?? defaultPlotState(this.table, this.filteredRuns);
    this.update({ plots: { ...base, open } });
    this.rebuild();
  }

  /** Compare the two selected rows, in the order shown (the upper one is the left side). */
  private compare(): void {
    const entries = this.display.filter((d) => this.selected.has(d.key)).map((d) => d.key);
    if (entries.length === 2) this.post({ type: 'compare', entries });
  }

  // ---- tests --------------------------------------------------------------------------------------

  private snapshot(): TableSnapshot {
    if (!this.state) throw new Error('the table has not been initialised');
    return {
      state: this.state,
      headers: this.columns.map((c) => c.label),
      rows: this.display.map((d) => d.key),
      total: this.table.rows.length,
      matched: this.matched,
      rendered: this.grid.root.querySelectorAll('.grid-row').length,
      cells: this.grid.drawnCells,
      filterError: this.errorLine.hidden ? '' : (this.errorLine.querySelector('.filter-message')?.textContent ?? ''),
      focused: this.display[this.focused]?.key ?? null,
      openChartsEnabled: !this.chartsButton.disabled,
      compareEnabled: !this.compareButton.disabled,
      injected: document.querySelectorAll('img, iframe, object, embed, [onerror], [onload], [onclick]').length,
    };
  }

  private perform(action: TableTestAction): void {
    switch (action.kind) {
      case 'setFilter':
        this.filterInput.value = action.filter;
        this.setFilter(action.filter);
        return;
      case 'clickHeader': {
        this.grid.revealColumn(this.columns.findIndex((c) => c.id === action.column));
        const button = this.grid.root.querySelector<HTMLButtonElement>(`.grid-hcell[data-column="${CSS.escape(action.column)}"] button`);
        if (!button) throw new Error(`no header of ${action.column} is drawn`);
        button.click();
        return;
      }
      case 'setColumn':
        if (!allColumns(this.table).includes(action.column)) throw new Error(`no column ${action.column}`);
        this.setColumn(action.column, action.shown);
        return;
      case 'openColumnChooser':
        this.toggleChooser(action.open);
        return;
      case 'clickRow': {
        const index = this.display.findIndex((d) => d.key === action.row);
        if (index < 0) throw new Error(`row ${action.row} is not shown`);
        this.grid.reveal(index);
        const row = this.grid.root.querySelector<HTMLElement>(`.grid-row[data-index="${index}"] .grid-cell:not(.pinned)`) ?? this.grid.root.querySelector<HTMLElement>(`.grid-row[data-index="${index}"] .grid-name`);
        if (!row) throw new Error(`row ${action.row} is not drawn`);
        row.dispatchEvent(new MouseEvent('click', { bubbles: true, ctrlKey: action.ctrl ?? false, shiftKey: action.shift ?? false }));
        return;
      }
      case 'toggleExpand':
        this.toggleExpand(action.run);
        return;
      case 'groupBy':
        if (action.column !== null && !allColumns(this.table).includes(action.column)) throw new Error(`no column ${action.column}`);
        this.groupSelect.value = action.column ?? '';
        this.setGroupBy(action.column);
        return;
      case 'toggleGroup': {
        const index = this.display.findIndex((d) => d.group?.key === action.group);
        if (index < 0) throw new Error(`no group ${action.group} is shown`);
        this.grid.reveal(index);
        const row = this.grid.root.querySelector<HTMLElement>(`.grid-row[data-index="${index}"] .grid-name`);
        if (!row) throw new Error(`group ${action.group} is not drawn`);
        row.dispatchEvent(new MouseEvent('click', { bubbles: true }));
        return;
      }
      case 'key':
        this.onKey({ key: action.key as TableKey, shiftKey: action.shift ?? false, ctrlKey: action.ctrl ?? false, metaKey: false, preventDefault: () => undefined });
        return;
      case 'openCharts':
        this.chartsButton.click();
        return;
      case 'compare':
        this.compareButton.click();
        return;
    }
  }
}

/** A group's identity: the value's type and text, so 1 and "1" are two groups and none is its own. */
function groupKey(value: FieldValue): string {
  if (value === null) return 'none';
  if (Array.isArray(value)) return `list:${value.join('\u0000')}`;
  return `${typeof value}:${String(value)}`;
}

function format(template: string, ...args: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : m));
}
