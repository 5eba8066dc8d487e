// The runs table's columns: which exist (a run's attributes, every config key, every summary metric as
// last / min / max), which show by default, their labels and widths, how a cell writes its value, and
// the column chooser. Values are written with the product's one number and date formats.
import { formatDateTime } from '../../src/shared/dates';
import { formatNumber } from '../../src/shared/format';
import { ATTRIBUTES, type FieldRef, type FieldValue, fieldId, fieldOfId } from '../../src/shared/runFields';
import type { RunsTable, TableStrings } from '../../src/shared/tableProtocol';
import { clear, el } from '../chart/dom';

export interface Column {
  readonly id: string;
  readonly field: FieldRef;
  /** Header text. */
  readonly label: string;
  /** Shown under the label: config / summary · min. */
  readonly group: string;
  readonly width: number;
  readonly numeric: boolean;
}

const ATTRIBUTE_WIDTHS: Readonly<Record<string, number>> = {
  name: 240, state: 96, id: 120, project: 120, group: 110, tags: 150, notes: 180, created: 200, duration: 90, lastStep: 84, version: 150,
};
const NUMERIC_ATTRIBUTES = new Set(['created', 'duration', 'lastStep']);
/** Shown by default: the facts W&B's table starts with, then a few config and summary columns. */
const DEFAULT_ATTRIBUTES = ['name', 'state', 'id', 'project', 'group', 'tags', 'created', 'duration', 'lastStep'];
const DEFAULT_KEYS = 8;

export function columnOf(id: string, strings: TableStrings): Column | undefined {
  const field = fieldOfId(id);
  if (!field) return undefined;
  switch (field.kind) {
    case 'attr':
      return { id, field, label: strings[`col.${field.name}`] ?? field.name, group: '', width: ATTRIBUTE_WIDTHS[field.name] ?? 120, numeric: NUMERIC_ATTRIBUTES.has(field.name) };
    case 'config':
      return { id, field, label: field.key, group: strings.config ?? 'config', width: 120, numeric: true };
    case 'summary':
      return { id, field, label: field.key, group: `${strings.summary ?? 'summary'} · ${field.stat}`, width: 120, numeric: true };
  }
}

export function defaultColumns(table: RunsTable): string[] {
  return [
    ...DEFAULT_ATTRIBUTES,
    ...table.configKeys.slice(0, DEFAULT_KEYS).map((key) => fieldId({ kind: 'config', key })),
    ...table.summaryKeys.slice(0, DEFAULT_KEYS).map((key) => fieldId({ kind: 'summary', key, stat: 'last' })),
  ];
}

/** Every column the table could show, in chooser order. */
export function allColumns(table: RunsTable): string[] {
  const out: string[] = [...ATTRIBUTES];
  for (const key of table.configKeys) out.push(fieldId({ kind: 'config', key }));
  for (const key of table.summaryKeys) for (const stat of ['last', 'min', 'max'] as const) out.push(fieldId({ kind: 'summary', key, stat }));
  return out;
}

/** A cell's text: numbers as the tree writes them, dates in the display language, lists joined. */
export function cellText(column: Column, value: FieldValue, locale: string): string {
  if (value === null) return '';
  if (Array.isArray(value)) return value.join(', ');
  if (column.field.kind === 'attr' && column.field.name === 'created' && typeof value === 'number') return formatDateTime(value, locale);
  if (column.field.kind === 'attr' && column.field.name === 'duration' && typeof value === 'number') return formatSeconds(value);
  if (typeof value === 'number') return formatNumber(value);
  return String(value);
}

function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/**
 * The column chooser: a panel under the toolbar with a search box and one checkbox per column, the
 * attributes, then config keys, then each summary metric with its last, min and max.
 */
export class ColumnChooser {
  readonly root: HTMLElement;
  private readonly list: HTMLElement;
  private readonly search: HTMLInputElement;

  constructor(
    private readonly strings: () => TableStrings,
    private readonly changed: (id: string, shown: boolean) => void,
    private readonly closed: () => void,
  ) {
    this.search = el('input', { className: 'chooser-search', attrs: { type: 'search' } });
    this.list = el('div', { className: 'chooser-list', attrs: { role: 'group' } });
    this.root = el('div', { className: 'chooser', attrs: { role: 'dialog' } }, [this.search, this.list]);
    this.root.hidden = true;
    this.search.addEventListener('input', () => this.filterList());
    this.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        this.closed();
      }
    });
  }

  get open(): boolean {
    return !this.root.hidden;
  }

  show(table: RunsTable, shown: readonly string[]): void {
    const strings = this.strings();
    this.search.placeholder = strings.searchColumns ?? 'Find a column';
    this.search.setAttribute('aria-label', this.search.placeholder);
    this.root.setAttribute('aria-label', strings.columns ?? 'Columns');
    clear(this.list);
    const on = new Set(shown);
    const box = (id: string, label: string, title: string): HTMLElement => {
      const input = el('input', { attrs: { type: 'checkbox', 'data-column': id } });
      input.checked = on.has(id);
      input.addEventListener('change', () => this.changed(id, input.checked));
      return el('label', { className: 'chooser-item', title, attrs: { 'data-search': title.toLowerCase() } }, [input, el('span', { text: label })]);
    };
    const heading = (text: string): HTMLElement => el('div', { className: 'chooser-heading', text });
    this.list.appendChild(heading(strings.attributes ?? 'Run'));
    for (const name of ATTRIBUTES) this.list.appendChild(box(name, strings[`col.${name}`] ?? name, name));
    if (table.configKeys.length > 0) this.list.appendChild(heading(strings.config ?? 'Config'));
    for (const key of table.configKeys) this.list.appendChild(box(fieldId({ kind: 'config', key }), key, `config.${key}`));
    if (table.summaryKeys.length > 0) this.list.appendChild(heading(strings.summary ?? 'Summary'));
    for (const key of table.summaryKeys) {
      const row = el('div', { className: 'chooser-metric', attrs: { 'data-search': `summary.${key}`.toLowerCase() } }, [el('span', { className: 'chooser-key', text: key, title: `summary.${key}` })]);
      for (const stat of ['last', 'min', 'max'] as const) row.appendChild(box(fieldId({ kind: 'summary', key, stat }), stat, `summary.${key}.${stat}`));
      this.list.appendChild(row);
    }
    this.root.hidden = false;
    this.filterList();
    this.search.focus();
  }

  hide(): void {
    this.root.hidden = true;
  }

  private filterList(): void {
    const needle = this.search.value.trim().toLowerCase();
    for (const item of Array.from(this.list.children) as HTMLElement[]) {
      const text = item.getAttribute('data-search');
      if (text === null) continue;
      item.hidden = needle !== '' && !text.includes(needle);
    }
  }
}
