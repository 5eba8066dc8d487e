// The runs table's grid: a windowed renderer, so 10,000 runs × hundreds of columns cost what the screen
// shows. Rows have one height and columns known widths, so the rows and columns on screen follow from
// the scroll position alone; only those cells are in the DOM (about 40 rows × the columns in view).
// Scrolling down adds the rows that came into view and drops those that left, once per frame; a
// sideways scroll or a new view (sort, filter, selection) draws the window again. Pinned columns (the name by default) stay at the left while
// the others scroll; each header has a pin button and a resize handle (drag, or ←/→ when focused). Every
// text goes in through textContent. No library: a virtual list this simple is smaller than any that does more.
import type { FieldValue, RunsTableRow } from '../../src/shared/runFields';
import { fieldValue } from '../../src/shared/runFields';
import type { TableStrings } from '../../src/shared/tableProtocol';
import { clear, el } from '../chart/dom';
import { formatNumber } from '../../src/shared/format';
import { type Column, cellText } from './columns';

export const ROW_HEIGHT = 24;
/** The sticky header's height (table.css says the same): rows show below it. */
export const HEADER_HEIGHT = 40;
const OVERSCAN = 6;
export const MIN_COLUMN_WIDTH = 40;
export const MAX_COLUMN_WIDTH = 1000;
/** Pixels an arrow key widens or narrows a focused resize handle by (Shift: five times that). */
const RESIZE_STEP = 10;

/** One line of the grid: a run, or (indented) one of its archived versions. */
export interface DisplayRow {
  /** Run id, or the archived version's immutable id. */
  readonly key: string;
  readonly row: RunsTableRow;
  readonly child: boolean;
  readonly hasChildren: boolean;
  readonly expanded: boolean;
  /** Set on a group's header line (its `row` is the group's first run, never drawn as such). */
  readonly group?: GroupLine;
}

/** A group's header: its value as text, how many runs, and per numeric column the group's min and max. */
export interface GroupLine {
  readonly key: string;
  readonly label: string;
  readonly count: number;
  readonly collapsed: boolean;
  readonly ranges: ReadonlyMap<string, readonly [number, number]>;
}

/** A row element in the DOM and its cells, by column index. */
interface DrawnRow {
  readonly element: HTMLElement;
  readonly cells: Map<number, { readonly element: HTMLElement; readonly text: string }>;
}

export interface GridEvents {
  rowClick(index: number, event: { ctrl: boolean; shift: boolean }): void;
  rowActivate(index: number): void;
  toggle(runId: string): void;
  toggleGroup(group: string): void;
  headerClick(column: string): void;
  /** The pin button of a header. */
  togglePin(column: string): void;
  /** A width from a resize handle; `done` once the drag or key press is over (then it is kept). */
  resize(column: string, width: number, done: boolean): void;
  /** A double-click on a resize handle: back to the column's own width. */
  resetWidth(column: string): void;
  key(event: KeyboardEvent): void;
  scrolled(scrollTop: number): void;
}

export interface GridView {
  readonly rows: readonly DisplayRow[];
  readonly columns: readonly Column[];
  /** How many of the first columns are pinned (stay at the left while the others scroll). */
  readonly pinned: number;
  readonly selected: ReadonlySet<string>;
  readonly focused: number;
  readonly sort: { readonly column: string; readonly descending: boolean } | null;
  readonly locale: string;
  readonly strings: TableStrings;
  readonly emptyText: string;
}

export class Grid {
  readonly root: HTMLElement;
  private readonly header: HTMLElement;
  private readonly body: HTMLElement;
  private readonly empty: HTMLElement;
  private view: GridView | undefined;
  private offsets: number[] = [];
  private totalWidth = 0;
  private pinnedWidth = 0;
  private frame = 0;
  /** Row elements in the DOM by row index, with their cells by column index. */
  private readonly drawn = new Map<number, DrawnRow>();
  /** What the drawn rows and header were drawn for: the view, the columns in view and the sideways scroll. */
  private drawnFor: { view: GridView; columns: string } | undefined;

  constructor(private readonly events: GridEvents) {
    this.header = el('div', { className: 'grid-header', attrs: { role: 'row' } });
    this.body = el('div', { className: 'grid-body', attrs: { role: 'rowgroup' } });
    this.empty = el('div', { className: 'grid-empty' });
    this.root = el('div', { className: 'grid', attrs: { role: 'grid', tabindex: '0', 'aria-multiselectable': 'true' } }, [this.header, this.body, this.empty]);
    this.root.addEventListener('scroll', () => {
      this.schedule();
      this.events.scrolled(this.root.scrollTop);
    });
    this.root.addEventListener('keydown', (e) => {
      // Keys typed into the header's buttons act on them, not on the rows.
      if (e.target !== this.root) return;
      this.events.key(e);
    });
    this.body.addEventListener('click', (e) => {
      const target = e.target as HTMLElement;
      const group = target.closest('.grid-row.group');
      if (group) {
        e.stopPropagation();
        this.root.focus({ preventScroll: true });
        this.events.toggleGroup((group.getAttribute('data-key') ?? '').slice('group:'.length));
        return;
      }
      const toggle = target.closest('[data-toggle]');
      if (toggle) {
        e.stopPropagation();
        this.events.toggle(toggle.getAttribute('data-toggle') ?? '');
        return;
      }
      const index = this.indexOf(target);
      if (index !== undefined) {
        this.root.focus({ preventScroll: true });
        this.events.rowClick(index, { ctrl: e.ctrlKey || e.metaKey, shift: e.shiftKey });
      }
    });
    this.body.addEventListener('dblclick', (e) => {
      const index = this.indexOf(e.target as HTMLElement);
      if (index !== undefined) this.events.rowActivate(index);
    });
    new ResizeObserver(() => this.schedule()).observe(this.root);
  }

  /** Cell texts of the drawn rows, top to bottom, for the tests' snapshot. */
  get drawnCells(): string[][] {
    return [...this.drawn.entries()].sort((a, b) => a[0] - b[0]).map(([, row]) => [...row.cells.entries()].sort((a, b) => a[0] - b[0]).map(([, cell]) => cell.text));
  }

  private indexOf(target: HTMLElement): number | undefined {
    const row = target.closest('[data-index]');
    return row ? Number(row.getAttribute('data-index')) : undefined;
  }

  set(view: GridView): void {
    const columnsChanged = !this.view || this.view.columns !== view.columns || this.view.pinned !== view.pinned || this.view.sort !== view.sort || this.view.strings !== view.strings;
    this.view = view;
    if (columnsChanged) {
      this.offsets = [];
      let x = 0;
      for (const c of view.columns) {
        this.offsets.push(x);
        x += c.width;
      }
      this.totalWidth = x;
      this.pinnedWidth = view.columns.slice(0, view.pinned).reduce((sum, c) => sum + c.width, 0);
    }
    this.root.setAttribute('aria-rowcount', String(view.rows.length + 1));
    this.root.setAttribute('aria-colcount', String(view.columns.length));
    this.body.style.height = `${view.rows.length * ROW_HEIGHT}px`;
    this.body.style.width = `${this.totalWidth}px`;
    this.header.style.width = `${this.totalWidth}px`;
    this.empty.textContent = view.emptyText;
    this.empty.hidden = view.emptyText === '';
    this.draw();
  }

  /** Rows a page key moves by. */
  get pageRows(): number {
    return Math.max(1, Math.floor((this.root.clientHeight - HEADER_HEIGHT) / ROW_HEIGHT) - 1);
  }

  /** Scrolls as little as needed to show row `index` below the header. */
  reveal(index: number): void {
    const top = index * ROW_HEIGHT;
    const visible = this.root.clientHeight - HEADER_HEIGHT;
    if (top < this.root.scrollTop) this.root.scrollTop = top;
    else if (top + ROW_HEIGHT > this.root.scrollTop + visible) this.root.scrollTop = top + ROW_HEIGHT - visible;
    this.draw();
  }

  /** Scrolls sideways as little as needed to show column `index` beside the pinned ones. */
  revealColumn(index: number): void {
    const view = this.view;
    if (!view || index < view.pinned || index >= view.columns.length) return;
    const pinned = this.pinnedWidth;
    const x = this.offsets[index];
    const w = view.columns[index].width;
    if (x < this.root.scrollLeft + pinned) this.root.scrollLeft = x - pinned;
    else if (x + w > this.root.scrollLeft + this.root.clientWidth) this.root.scrollLeft = x + w - this.root.clientWidth;
    this.draw();
  }

  scrollTo(top: number): void {
    this.root.scrollTop = top;
    this.draw();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Puts the rows and columns in view into the DOM, and only those. */
  draw(): void {
    const view = this.view;
    if (!view) return;
    const { scrollTop, scrollLeft, clientHeight, clientWidth } = this.root;
    const height = clientHeight || 600;
    const width = clientWidth || 1200;
    const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(view.rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
    // Pinned columns are always drawn; the others when any part of them is in view beside the pinned ones.
    const pinned = this.pinnedWidth;
    const shown: number[] = [];
    for (let c = 0; c < Math.min(view.pinned, view.columns.length); c++) shown.push(c);
    for (let c = view.pinned; c < view.columns.length; c++) {
      const x = this.offsets[c];
      if (x + view.columns[c].width > scrollLeft + pinned && x < scrollLeft + width) shown.push(c);
    }
    const columns = `${scrollLeft}:${shown.join(',')}`;
    const sideways = this.drawnFor?.view === view && this.drawnFor.columns !== columns;
    if (this.drawnFor?.view !== view || sideways) {
      this.drawHeader(view, shown, scrollLeft);
      if (!sideways) {
        clear(this.body);
        this.drawn.clear();
      }
      this.drawnFor = { view, columns };
    }
    for (const [i, row] of this.drawn) {
      if (i >= first && i < last) {
        if (sideways) this.cellsOf(view, i, row, shown, scrollLeft);
        continue;
      }
      row.element.remove();
      this.drawn.delete(i);
    }
    for (let i = first; i < last; i++) {
      if (this.drawn.has(i)) continue;
      const row: DrawnRow = { element: this.drawRow(view, i), cells: new Map() };
      this.cellsOf(view, i, row, shown, scrollLeft);
      this.body.appendChild(row.element);
      this.drawn.set(i, row);
    }
    const focusedId = view.focused >= first && view.focused < last ? `row-${view.focused}` : '';
    if (focusedId) this.root.setAttribute('aria-activedescendant', focusedId);
    else this.root.removeAttribute('aria-activedescendant');
  }

  /** Where a column is drawn: a pinned one at its place in the pinned block, whatever the scroll. */
  private left(view: GridView, c: number, scrollLeft: number): number {
    return c < view.pinned ? scrollLeft + this.offsets[c] : this.offsets[c];
  }

  private cellClass(base: string, view: GridView, c: number): string {
    const column = view.columns[c];
    return `${base}${c < view.pinned ? ' pinned' : ''}${c === view.pinned - 1 ? ' pinned-last' : ''}${column.numeric ? ' numeric' : ''}`;
  }

  private drawHeader(view: GridView, shown: readonly number[], scrollLeft: number): void {
    // A header control with the focus is drawn again: the new one takes the focus (keyboard resizing).
    const active = document.activeElement instanceof HTMLElement && this.header.contains(document.activeElement) ? document.activeElement : null;
    const refocus = active ? { column: active.closest('[data-column]')?.getAttribute('data-column'), control: active.getAttribute('data-control') } : null;
    clear(this.header);
    const s = view.strings;
    for (const c of shown) {
      const column = view.columns[c];
      const sorted = view.sort?.column === column.id ? view.sort : null;
      const arrow = sorted ? (sorted.descending ? ' ▼' : ' ▲') : '';
      const cell = el('div', {
        className: this.cellClass('grid-hcell', view, c),
        attrs: { role: 'columnheader', 'aria-sort': sorted ? (sorted.descending ? 'descending' : 'ascending') : 'none', 'aria-colindex': String(c + 1), 'data-column': column.id },
      });
      const title = column.group ? `${column.group}: ${column.label}` : column.label;
      const button = el('button', { className: 'grid-sort', title, attrs: { type: 'button', 'data-control': 'sort' } }, [
        el('span', { className: 'grid-hlabel', text: column.label + arrow }),
        column.group ? el('span', { className: 'grid-hgroup', text: column.group }) : null,
      ]);
      button.addEventListener('click', () => this.events.headerClick(column.id));
      const isPinned = c < view.pinned;
      const pinLabel = format(isPinned ? (s.unpinColumn ?? 'Unpin {0}') : (s.pinColumn ?? 'Pin {0}'), title);
      const pin = el('button', { className: `grid-pin${isPinned ? ' on' : ''}`, text: '⇤', title: pinLabel, attrs: { type: 'button', 'aria-label': pinLabel, 'aria-pressed': String(isPinned), 'data-control': 'pin' } });
      pin.addEventListener('click', () => this.events.togglePin(column.id));
      const resizeLabel = format(s.resizeColumn ?? 'Width of {0}', title);
      const handle = el('div', {
        className: 'grid-resize',
        title: resizeLabel,
        attrs: {
          role: 'separator', tabindex: '0', 'aria-orientation': 'vertical', 'aria-label': resizeLabel, 'data-control': 'resize',
          'aria-valuenow': String(column.width), 'aria-valuemin': String(MIN_COLUMN_WIDTH), 'aria-valuemax': String(MAX_COLUMN_WIDTH),
        },
      });
      this.resizable(handle, column);
      cell.append(button, pin, handle);
      place(cell, this.left(view, c, scrollLeft), column.width);
      this.header.appendChild(cell);
      if (refocus && refocus.column === column.id) cell.querySelector<HTMLElement>(`[data-control="${refocus.control}"]`)?.focus({ preventScroll: true });
    }
  }

  /** A resize handle: dragged with the pointer, or ←/→ (Shift: more) when focused; a double-click resets. */
  private resizable(handle: HTMLElement, column: Column): void {
    handle.addEventListener('keydown', (e) => {
      const step = e.shiftKey ? RESIZE_STEP * 5 : RESIZE_STEP;
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        e.preventDefault();
        e.stopPropagation();
        this.events.resize(column.id, clampWidth(column.width + (e.key === 'ArrowRight' ? step : -step)), true);
      } else if (e.key === 'Home' || e.key === 'Delete') {
        e.preventDefault();
        e.stopPropagation();
        this.events.resetWidth(column.id);
      }
    });
    handle.addEventListener('dblclick', (e) => {
      e.stopPropagation();
      this.events.resetWidth(column.id);
    });
    handle.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      e.stopPropagation();
      const startX = e.clientX;
      const startWidth = column.width;
      let width = startWidth;
      // On the window: the header (and this handle) is drawn again on every move.
      const move = (m: PointerEvent): void => {
        width = clampWidth(startWidth + m.clientX - startX);
        this.events.resize(column.id, width, false);
      };
      const up = (): void => {
        window.removeEventListener('pointermove', move);
        window.removeEventListener('pointerup', up);
        window.removeEventListener('pointercancel', up);
        this.events.resize(column.id, width, true);
      };
      window.addEventListener('pointermove', move);
      window.addEventListener('pointerup', up);
      window.addEventListener('pointercancel', up);
    });
  }

  /** A row's element, without cells (`cellsOf` puts in the cells of the columns in view). */
  private drawRow(view: GridView, index: number): HTMLElement {
    const line = view.rows[index];
    const group = line.group;
    const selected = !group && view.selected.has(line.key);
    const classes = ['grid-row', group ? 'group' : '', line.child ? 'child' : '', selected ? 'selected' : '', index === view.focused ? 'focused' : ''].filter(Boolean).join(' ');
    const attrs: Record<string, string> = { role: 'row', id: `row-${index}`, 'data-index': String(index), 'aria-rowindex': String(index + 2) };
    if (group) {
      attrs['data-key'] = `group:${group.key}`;
      attrs['aria-expanded'] = String(!group.collapsed);
    } else {
      attrs['data-key'] = line.key;
      attrs['aria-selected'] = String(selected);
      // The workbench's context menu on a row (Edit Tags…, Edit Notes…, Set Group…) gets its run (package.json webview/context).
      attrs['data-vscode-context'] = JSON.stringify({ webviewSection: 'run', runId: line.row.id, preventDefaultContextMenuItems: true });
    }
    const row = el('div', { className: classes, attrs });
    row.style.top = `${index * ROW_HEIGHT}px`;
    row.style.width = `${this.totalWidth}px`;
    return row;
  }

  /**
   * Makes a drawn row's cells those of the columns in view: cells of columns that left are removed,
   * those of columns that came are drawn, and pinned ones follow the sideways scroll.
   */
  private cellsOf(view: GridView, index: number, drawn: DrawnRow, shown: readonly number[], scrollLeft: number): void {
    const wanted = new Set(shown);
    for (const [c, cell] of drawn.cells) {
      if (wanted.has(c)) continue;
      cell.element.remove();
      drawn.cells.delete(c);
    }
    for (const c of shown) {
      const kept = drawn.cells.get(c);
      if (kept) {
        if (c < view.pinned) kept.element.style.left = `${this.left(view, c, scrollLeft)}px`;
        continue;
      }
      const element = this.drawCell(view, index, c, scrollLeft);
      drawn.element.appendChild(element);
      drawn.cells.set(c, { element, text: element.textContent ?? '' });
    }
  }

  private drawCell(view: GridView, index: number, c: number, scrollLeft: number): HTMLElement {
    const line = view.rows[index];
    const column = view.columns[c];
    const cell = el('div', { className: this.cellClass('grid-cell', view, c), attrs: { role: 'gridcell', 'aria-colindex': String(c + 1) } });
    place(cell, this.left(view, c, scrollLeft), column.width);
    const group = line.group;
    if (group) this.groupCell(cell, group, column, c);
    else if (column.id === 'name') this.nameCell(cell, line, view.strings);
    else this.valueCell(cell, column, fieldValue(line.row, column.field), view);
    return cell;
  }

  /** A group's header line: ▸/▾, the value and the count in the first cell, min – max under each numeric column. */
  private groupCell(cell: HTMLElement, group: GroupLine, column: Column, c: number): void {
    if (c === 0) {
      cell.append(
        el('span', { className: 'grid-toggle', text: group.collapsed ? '▸' : '▾', attrs: { 'data-group': group.key, role: 'button', 'aria-label': group.label } }),
        el('span', { className: 'grid-name grid-group-label', text: group.label, title: group.label }),
        el('span', { className: 'grid-group-count', text: ` (${group.count})` }),
      );
      return;
    }
    const range = group.ranges.get(column.id);
    if (range) {
      const text = range[0] === range[1] ? formatNumber(range[0]) : `${formatNumber(range[0])} – ${formatNumber(range[1])}`;
      cell.textContent = text;
      cell.title = text;
    }
  }

  private nameCell(cell: HTMLElement, line: DisplayRow, strings: TableStrings): void {
    const r = line.row;
    if (line.hasChildren) {
      const label = line.expanded ? strings.collapse ?? 'Hide archived versions' : strings.expand ?? 'Show archived versions';
      cell.appendChild(el('span', { className: 'grid-toggle', text: line.expanded ? '▾' : '▸', title: label, attrs: { 'data-toggle': r.id, role: 'button', 'aria-label': label, 'aria-expanded': String(line.expanded) } }));
    } else {
      cell.appendChild(el('span', { className: 'grid-toggle none' }));
    }
    if (line.child) {
      const rewind = r.branchStep !== null ? ` · ${strings.rewind ?? 'rewind'} ${r.branchStep}` : '';
      cell.appendChild(el('span', { className: 'grid-name', text: `${strings.archived ?? 'archived'} ${r.version}${rewind}`, title: `${r.name} · ${r.version}` }));
      return;
    }
    cell.appendChild(el('span', { className: 'grid-name', text: r.name, title: `${r.name} (${r.id})` }));
    if (r.forkedFrom) {
      const source = r.forkedFrom.runName ?? r.forkedFrom.run;
      cell.appendChild(el('span', { className: 'grid-fork', text: `↳ ${source}@${r.forkedFrom.step}`, title: `${strings.forkedFrom ?? 'Forked From'} ${source} (${r.forkedFrom.run}) @ ${r.forkedFrom.step}` }));
    }
  }

  private valueCell(cell: HTMLElement, column: Column, value: FieldValue, view: GridView): void {
    if (column.field.kind === 'attr' && column.field.name === 'state' && typeof value === 'string') {
      cell.appendChild(el('span', { className: `state-dot state-${value}` }));
      cell.appendChild(el('span', { text: view.strings[`state.${value}`] ?? value }));
      return;
    }
    const text = cellText(column, value, view.locale);
    cell.textContent = text;
    if (text.length > 12) cell.title = text;
  }
}

export function clampWidth(width: number): number {
  return Math.round(Math.max(MIN_COLUMN_WIDTH, Math.min(MAX_COLUMN_WIDTH, width)));
}

function format(template: string, ...args: string[]): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => args[Number(i)] ?? m);
}

function place(cell: HTMLElement, left: number, width: number): void {
  cell.style.left = `${left}px`;
  cell.style.width = `${width}px`;
}
