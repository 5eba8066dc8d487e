// Messages between the runs table's host side (src/panels/tablePanel.ts) and its webview (media/table),
// imported by both, in the chart panel's manner (src/shared/protocol.ts): a union of `{ type: … }`
// messages each way, a handler map per union, and every message from the webview validated on arrival.
import { arrayOf, type Check, isBool, isFiniteNumber, isId, isInt, isObject, isText, nullable, oneOf, optional, shape } from './protocol';
import { compareKeys } from './keys';
import type { RunsTable, RunsTableRow } from './runFields';
import type { PackedTable } from './tablePacking';

export type { MessageHandlers } from './protocol';
export { dispatch } from './protocol';
export type { RunsTable, RunsTableRow } from './runFields';
export type { PackedTable } from './tablePacking';

/** The panel's view type: `onWebviewPanel:<this>` activates the extension to restore it. */
export const TABLE_VIEW_TYPE = 'runRewind.runsTable';

/** Most columns a table keeps shown (a chooser's "all" stops here). */
export const MAX_COLUMNS = 2000;

export interface TableSort {
  /** A column id (runFields.ts fieldId). */
  readonly column: string;
  readonly descending: boolean;
}

/** A brush on a plot axis: runs with a number in [lo, hi], or (a text axis) one of `values`. */
export interface PlotBrush {
  readonly column: string;
  readonly lo?: number;
  readonly hi?: number;
  readonly values?: readonly string[];
}

/** The plots above the table: parallel coordinates (config axes and a metric, brushes filter the rows) or a scatter. */
export interface PlotState {
  readonly open: boolean;
  readonly mode: 'parallel' | 'scatter';
  /** Column ids of the parallel coordinates' axes, left to right (the metric comes last). */
  readonly axes: readonly string[];
  readonly metric: string | null;
  readonly brushes: readonly PlotBrush[];
  /** The scatter's columns across and up. */
  readonly x: string | null;
  readonly y: string | null;
}

/** What the webview keeps with setState (and the host in workspaceState): the serializer restores from it. */
export interface TableViewState {
  readonly version: 1;
  /** Store key of the workspace folder whose runs the table shows. */
  readonly folder: string;
  /** Shown column ids, in order; null until the user chose (then the defaults follow the keys). */
  readonly columns: readonly string[] | null;
  readonly sort: TableSort | null;
  readonly filter: string;
  /** Runs whose archived versions are shown as child rows. */
  readonly expanded: readonly string[];
  /** Selected rows: run ids, and archived versions' immutable ids. */
  readonly selected: readonly string[];
  readonly scrollTop?: number;
  /** A column id whose values group the rows (one collapsible header per value), or none. */
  readonly groupBy?: string | null;
  /** Groups shown closed, by their value's key (groupKey). */
  readonly collapsed?: readonly string[];
  /** Pinned column ids (kept at the left, in this order); absent: the first shown column. */
  readonly pinned?: readonly string[];
  /** Widths the user gave columns (pixels), by column id. */
  readonly widths?: Readonly<Record<string, number>>;
  readonly plots?: PlotState;
}

/** Words of the webview's interface, in VS Code's display language (the host translates them). */
export interface TableStrings {
  readonly [key: string]: string;
}

/** What the webview reports about itself when asked (tests and diagnostics). */
export interface TableSnapshot {
  readonly state: TableViewState;
  /** Header labels of the shown columns, in order. */
  readonly headers: readonly string[];
  /** Row keys after filter and sort, child rows included where expanded; a group's header is `group:` and its key. */
  readonly rows: readonly string[];
  /** Runs in the table, and how many the filter lets through. */
  readonly total: number;
  readonly matched: number;
  /** Row elements in the DOM (the window that is drawn). */
  readonly rendered: number;
  /** Cell texts of the drawn rows, first shown columns only as far as drawn. */
  readonly cells: readonly (readonly string[])[];
  /** The filter's error as shown under the box, '' when none. */
  readonly filterError: string;
  /** The row with the keyboard focus. */
  readonly focused: string | null;
  readonly openChartsEnabled: boolean;
  /** The Compare button: enabled with exactly two rows selected. */
  readonly compareEnabled: boolean;
  /** Elements user data could have smuggled in (img, inline handlers): always 0. */
  readonly injected: number;
}

export type TableKey = 'ArrowUp' | 'ArrowDown' | 'ArrowLeft' | 'ArrowRight' | 'Home' | 'End' | 'PageUp' | 'PageDown' | ' ' | 'Enter';

/** Actions tests ask the webview to perform through the same code as the mouse and keyboard. */
export type TableTestAction =
  | { readonly kind: 'setFilter'; readonly filter: string }
  /** A click on a column header (sorts by it; again: descending; a third time: unsorted). */
  | { readonly kind: 'clickHeader'; readonly column: string }
  | { readonly kind: 'setColumn'; readonly column: string; readonly shown: boolean }
  | { readonly kind: 'openColumnChooser'; readonly open: boolean }
  /** A click on a row (with ctrl: toggles it, with shift: extends to it). */
  | { readonly kind: 'clickRow'; readonly row: string; readonly ctrl?: boolean; readonly shift?: boolean }
  | { readonly kind: 'toggleExpand'; readonly run: string }
  /** Groups the rows by a column (null: no groups), as the Group by box does. */
  | { readonly kind: 'groupBy'; readonly column: string | null }
  /** A click on a group's header: closes or opens it. */
  | { readonly kind: 'toggleGroup'; readonly group: string }
  | { readonly kind: 'key'; readonly key: TableKey; readonly shift?: boolean; readonly ctrl?: boolean }
  | { readonly kind: 'openCharts' }
  | { readonly kind: 'compare' };

/**
 * A live update: the rows of the runs that changed (new ones after the others, in creation order), the
 * runs that are gone, and the keys of the changed rows (added to the table's; a key only a deleted run
 * had stays listed until the table is read whole again).
 */
export interface TablePatch {
  readonly rows: readonly RunsTableRow[];
  readonly removed: readonly string[];
  readonly configKeys: readonly string[];
  readonly summaryKeys: readonly string[];
}

/** The table after a patch: changed rows replaced where they are (so nothing jumps), new ones appended. */
export function applyTablePatch(table: RunsTable, patch: TablePatch): RunsTable {
  const changed = new Map(patch.rows.map((r) => [r.id, r]));
  const removed = new Set(patch.removed);
  const rows: RunsTableRow[] = [];
  for (const row of table.rows) {
    if (removed.has(row.id)) continue;
    const update = changed.get(row.id);
    rows.push(update ?? row);
    changed.delete(row.id);
  }
  rows.push(...changed.values());
  const union = (a: readonly string[], b: readonly string[]): string[] => (b.every((k) => a.includes(k)) ? [...a] : [...new Set([...a, ...b])].sort(compareKeys));
  return { rows, configKeys: union(table.configKeys, patch.configKeys), summaryKeys: union(table.summaryKeys, patch.summaryKeys), total: rows.length };
}

// ---- host → webview ------------------------------------------------------------------------------

/** Runs the first message holds: a screenful (about 40 rows of 24 px) with room to scroll a little. */
export const FIRST_ROWS = 100;

/**
 * Whether a view draws its first FIRST_ROWS rows from the runs its filter matches first in its sort (the
 * store finds those from the cells the two name: RunsTableQuery.limit), so they can be sent ahead: at the
 * top, not grouped (a group's first rows need every run's group), no plots (they draw every run).
 */
export function showsFirstRowsFirst(state: TableViewState): boolean {
  return !state.groupBy && !(state.plots?.open ?? false) && (state.scrollTop ?? 0) === 0;
}

export type ToTableWebview =
  /** The whole table as columns (tablePacking.ts): 10,000 runs × 200 columns cross as typed arrays. */
  | { readonly type: 'init'; readonly folder: string; readonly folderName: string; readonly table: PackedTable; readonly state: TableViewState; readonly strings: TableStrings; readonly locale: string }
  /**
   * Before `init`, when showsFirstRowsFirst: the first FIRST_ROWS runs the view shows (`table.total` counts every run), drawn at
   * once; the `init` that follows replaces them where they are (scroll, selection and focus kept).
   */
  | { readonly type: 'firstRows'; readonly folder: string; readonly folderName: string; readonly table: PackedTable; readonly state: TableViewState; readonly strings: TableStrings; readonly locale: string }
  /** The runs changed (a rebuild, a new store): the whole table, the view kept where it is. */
  | { readonly type: 'rows'; readonly table: PackedTable }
  /** Some runs changed (a run logged, a rewind, a rename, a delete): only their rows. */
  | { readonly type: 'patch'; readonly patch: TablePatch }
  /** Opened again from a project: show its runs. */
  | { readonly type: 'setFilter'; readonly filter: string }
  | { readonly type: 'inspectRequest'; readonly requestId: number }
  | { readonly type: 'testAction'; readonly requestId: number; readonly action: TableTestAction }
  | { readonly type: 'notice'; readonly kind: 'info' | 'error'; readonly message: string };

// ---- webview → host ------------------------------------------------------------------------------

export type FromTableWebview =
  | { readonly type: 'ready'; readonly state: TableViewState | null }
  | { readonly type: 'stateChanged'; readonly state: TableViewState }
  /** Open Charts for these rows: run ids, or archived versions' immutable ids. */
  | { readonly type: 'openCharts'; readonly entries: readonly string[] }
  /** Compare two rows (a branch diff document): run ids, or archived versions' immutable ids; the first is the left side. */
  | { readonly type: 'compare'; readonly entries: readonly string[] }
  | { readonly type: 'error'; readonly message: string }
  | TableWebviewReply;

export type TableWebviewReply =
  | { readonly type: 'inspectResult'; readonly inReplyTo: number; readonly snapshot: TableSnapshot }
  | { readonly type: 'testActionDone'; readonly inReplyTo: number; readonly error?: string };

// ---- validation ----------------------------------------------------------------------------------

const isColumnId = isText(10_000);

const isPlotState = shape({
  open: isBool,
  mode: oneOf('parallel', 'scatter'),
  axes: arrayOf(isColumnId, 64),
  metric: nullable(isColumnId),
  brushes: arrayOf(shape({ column: isColumnId, lo: optional(isFiniteNumber), hi: optional(isFiniteNumber), values: optional(arrayOf(isText(10_000), 10_000)) }), 64),
  x: nullable(isColumnId),
  y: nullable(isColumnId),
});

/** Column widths: at most MAX_COLUMNS ids, each a whole number of pixels a person could have dragged to. */
function isWidths(v: unknown): boolean {
  if (!isObject(v)) return false;
  const entries = Object.entries(v);
  return entries.length <= MAX_COLUMNS && entries.every(([k, w]) => isColumnId(k) && isInt(w) && (w as number) >= 20 && (w as number) <= 4000);
}

export const isTableViewState: (v: unknown) => v is TableViewState = (v): v is TableViewState =>
  shape({
    version: oneOf(1),
    folder: isText(4096),
    columns: nullable(arrayOf(isColumnId, MAX_COLUMNS)),
    sort: nullable(shape({ column: isColumnId, descending: isBool })),
    filter: isText(10_000),
    expanded: arrayOf(isId, 100_000),
    selected: arrayOf(isId, 100_000),
    scrollTop: optional((y) => isFiniteNumber(y) && (y as number) >= 0),
    groupBy: optional(nullable(isColumnId)),
    collapsed: optional(arrayOf(isText(10_000), 100_000)),
    pinned: optional(arrayOf(isColumnId, MAX_COLUMNS)),
    widths: optional(isWidths),
    plots: optional(isPlotState),
  })(v);

const isSnapshot = shape({
  state: isTableViewState,
  headers: arrayOf(isText(), MAX_COLUMNS),
  rows: arrayOf(isText(1000), 1_000_000),
  total: isInt,
  matched: isInt,
  rendered: isInt,
  cells: arrayOf(arrayOf(isText(), MAX_COLUMNS), 10_000),
  filterError: isText(),
  focused: nullable(isText(1000)),
  openChartsEnabled: isBool,
  compareEnabled: isBool,
  injected: isInt,
});

const checks: { readonly [K in FromTableWebview['type']]: Record<string, Check> } = {
  ready: { state: nullable(isTableViewState) },
  stateChanged: { state: isTableViewState },
  openCharts: { entries: (v) => arrayOf(isId, 64)(v) && (v as unknown[]).length > 0 },
  compare: { entries: (v) => arrayOf(isId, 2)(v) && (v as unknown[]).length === 2 },
  error: { message: isText(10_000) },
  inspectResult: { inReplyTo: isInt, snapshot: isSnapshot },
  testActionDone: { inReplyTo: isInt, error: optional(isText(10_000)) },
};

/** True when `value` is a well-formed message from the table's webview; anything else is dropped. */
export function isFromTableWebview(value: unknown): value is FromTableWebview {
  if (!isObject(value) || typeof value.type !== 'string') return false;
  if (!Object.prototype.hasOwnProperty.call(checks, value.type)) return false;
  return shape(checks[value.type as FromTableWebview['type']])(value);
}

const toWebviewTypes: { readonly [K in ToTableWebview['type']]: true } = {
  init: true, firstRows: true, rows: true, patch: true, setFilter: true, inspectRequest: true, testAction: true, notice: true,
};

export function isToTableWebview(value: unknown): value is ToTableWebview {
  if (!isObject(value) || typeof value.type !== 'string' || !Object.prototype.hasOwnProperty.call(toWebviewTypes, value.type)) return false;
  return value.type !== 'firstRows' || isFirstRows(value);
}

/** The first rows are a screenful, of a table of at least that many runs, for a view that shows them first. */
function isFirstRows(m: Record<string, unknown>): boolean {
  const table = m.table;
  if (!isObject(table) || table.packed !== 1 || !Array.isArray(table.rows) || table.rows.length > FIRST_ROWS) return false;
  return isInt(table.total) && (table.total as number) >= table.rows.length && isTableViewState(m.state) && showsFirstRowsFirst(m.state);
}

export function defaultTableState(folder: string, filter = ''): TableViewState {
  return { version: 1, folder, columns: null, sort: null, filter, expanded: [], selected: [] };
}
