// The runs table's plot helpers that need no DOM (so unit tests run them in Node): scales from a
// column's values (linear, log for values spanning 100× or more, categories for text), brushes, the
// columns a plot offers and the first axes a table's plots show.
import { compareValues, type FieldValue, fieldId, fieldOfId, fieldValue, type RunsTableRow } from '../../src/shared/runFields';
import type { PlotBrush, PlotState, RunsTable } from '../../src/shared/tableProtocol';

/** How values of one column map to a vertical (or horizontal) position between 0 and 1. */
export interface Scale {
  readonly column: string;
  readonly label: string;
  readonly numeric: boolean;
  readonly log: boolean;
  readonly lo: number;
  readonly hi: number;
  /** Categories in order (text axes). */
  readonly categories: readonly string[];
  /** 0..1, or null for a run without a value. */
  at(value: FieldValue): number | null;
  /** The value at 0..1 (numeric axes). */
  invert(t: number): number;
}

export function categoryOf(value: FieldValue): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** A scale over the values runs have: numbers linear (log when all are positive and span 100× or more), else categories. */
export function scaleOf(column: string, label: string, rows: readonly RunsTableRow[]): Scale | undefined {
  const field = fieldOfId(column);
  if (!field) return undefined;
  const values = rows.map((r) => fieldValue(r, field)).filter((v): v is Exclude<FieldValue, null> => v !== null);
  const numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (numbers.length > 0 && numbers.length === values.filter((v) => typeof v === 'number').length && numbers.length === values.length) {
    let lo = Math.min(...numbers);
    let hi = Math.max(...numbers);
    const log = lo > 0 && hi / lo >= 100;
    if (lo === hi) {
      lo -= Math.abs(lo) * 0.5 || 1;
      hi += Math.abs(hi) * 0.5 || 1;
    }
    const f = (v: number): number => (log ? Math.log10(v) : v);
    const a = f(lo);
    const b = f(hi);
    return {
      column, label, numeric: true, log, lo, hi, categories: [],
      at: (v) => (typeof v === 'number' && Number.isFinite(v) && (!log || v > 0) ? (f(v) - a) / (b - a) : null),
      invert: (t) => (log ? 10 ** (a + t * (b - a)) : a + t * (b - a)),
    };
  }
  const categories = [...new Set(values.map(categoryOf))].sort((x, y) => compareValues(x, y));
  const index = new Map(categories.map((c, i) => [c, i]));
  return {
    column, label, numeric: false, log: false, lo: 0, hi: 0, categories,
    at: (v) => {
      if (v === null) return null;
      const i = index.get(categoryOf(v));
      return i === undefined ? null : categories.length === 1 ? 0.5 : i / (categories.length - 1);
    },
    invert: (t) => t,
  };
}

/** True when a run passes every brush: a number inside its range, or a category brushed. */
export function brushMatches(row: RunsTableRow, brushes: readonly PlotBrush[]): boolean {
  for (const brush of brushes) {
    const field = fieldOfId(brush.column);
    if (!field) continue;
    const v = fieldValue(row, field);
    if (v === null) return false;
    if (brush.values) {
      if (!brush.values.includes(categoryOf(v))) return false;
    } else if (typeof v !== 'number' || v < (brush.lo ?? Number.NEGATIVE_INFINITY) || v > (brush.hi ?? Number.POSITIVE_INFINITY)) {
      return false;
    }
  }
  return true;
}

/** The columns a plot can use: config keys, then each summary metric's last, min and max. */
export function plotColumns(table: RunsTable): string[] {
  const out = table.configKeys.map((key) => fieldId({ kind: 'config', key }));
  for (const key of table.summaryKeys) for (const stat of ['last', 'min', 'max'] as const) out.push(fieldId({ kind: 'summary', key, stat }));
  return out;
}

export function columnLabel(column: string): string {
  const field = fieldOfId(column);
  if (!field || field.kind === 'attr') return column;
  return field.kind === 'config' ? field.key : field.stat === 'last' ? field.key : `${field.key} (${field.stat})`;
}

/** Sensible first axes: up to four config keys with numbers, and a metric (a loss first), each as last. */
export function defaultPlotState(table: RunsTable, rows: readonly RunsTableRow[]): PlotState {
  const numericConfig = table.configKeys.filter((key) => rows.some((r) => typeof r.config[key] === 'number'));
  const axes = (numericConfig.length > 0 ? numericConfig : table.configKeys).slice(0, 4).map((key) => fieldId({ kind: 'config', key }));
  const metricKey = table.summaryKeys.find((k) => /loss/i.test(k) && rows.some((r) => typeof r.summary[k]?.last === 'number')) ?? table.summaryKeys.find((k) => rows.some((r) => typeof r.summary[k]?.last === 'number'));
  const metric = metricKey === undefined ? null : fieldId({ kind: 'summary', key: metricKey, stat: 'last' });
  return { open: true, mode: 'parallel', axes, metric, brushes: [], x: axes[0] ?? null, y: metric };
}

