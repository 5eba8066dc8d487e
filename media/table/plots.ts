// The runs table's plots of many runs (issue 16): parallel coordinates over chosen config keys and one
// metric, with brushing on each axis that filters the table, and a scatter of a metric against a config
// key or another metric (hover names the run, a click selects its row). Hand-written SVG — a few hundred
// lines, no chart library for two plots whose marks are lines and dots — drawn from the runs the filter
// lets through; every text goes in through textContent. Colours are the theme's (table.css).
import { fieldOfId, fieldValue, type RunsTableRow } from '../../src/shared/runFields';
import type { PlotBrush, PlotState, RunsTable, TableStrings } from '../../src/shared/tableProtocol';
import { formatNumber } from '../../src/shared/format';
import { button, clear, el } from '../chart/dom';
import { type Scale, brushMatches, categoryOf, columnLabel, plotColumns, scaleOf } from './plotScales';

export { brushMatches, defaultPlotState } from './plotScales';

const SVG = 'http://www.w3.org/2000/svg';
export const PLOT_HEIGHT = 260;
/** Lines drawn at most (10,000 runs of SVG paths would stall the table): the rest are counted. */
const MAX_LINES = 3000;
const MAX_AXES = 12;

export interface PlotEvents {
  changed(state: PlotState): void;
  select(runId: string, ctrl: boolean): void;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

export class Plots {
  readonly root: HTMLElement;
  private readonly controls: HTMLElement;
  private readonly area: HTMLElement;
  private readonly tooltip: HTMLElement;
  private state: PlotState | null = null;
  private rows: readonly RunsTableRow[] = [];
  private table: RunsTable = { rows: [], configKeys: [], summaryKeys: [], total: 0 };
  private selected: ReadonlySet<string> = new Set();
  private strings: TableStrings = {};

  constructor(private readonly events: PlotEvents) {
    this.controls = el('div', { className: 'plot-controls' });
    this.area = el('div', { className: 'plot-area' });
    this.tooltip = el('div', { className: 'plot-tooltip', attrs: { role: 'status' } });
    this.tooltip.hidden = true;
    this.root = el('section', { className: 'plots' }, [this.controls, this.area, this.tooltip]);
    this.root.hidden = true;
    new ResizeObserver(() => this.draw()).observe(this.area);
  }

  /** Shows the plots of `rows` (the runs the filter lets through; brushes are drawn, not applied, here). */
  set(state: PlotState, rows: readonly RunsTableRow[], table: RunsTable, selected: ReadonlySet<string>, strings: TableStrings): void {
    this.state = state;
    this.rows = rows;
    this.table = table;
    this.selected = selected;
    this.strings = strings;
    this.root.hidden = !state.open;
    this.root.setAttribute('aria-label', strings.plots ?? 'Plots');
    if (!state.open) return;
    this.drawControls();
    this.draw();
  }

  private change(patch: Partial<PlotState>): void {
    if (this.state) this.events.changed({ ...this.state, ...patch });
  }

  private select(label: string, value: string | null, options: readonly string[], onChange: (v: string | null) => void, allowNone = false): HTMLSelectElement {
    const box = el('select', { className: 'plot-select', attrs: { 'aria-label': label }, title: label });
    if (allowNone || value === null) box.appendChild(el('option', { text: '—', attrs: { value: '' } }));
    for (const id of options) box.appendChild(el('option', { text: columnLabel(id), attrs: { value: id } }));
    box.value = value ?? '';
    box.addEventListener('change', () => onChange(box.value === '' ? null : box.value));
    return box;
  }

  private drawControls(): void {
    const state = this.state!;
    const s = this.strings;
    clear(this.controls);
    const mode = el('select', { className: 'plot-select plot-mode', title: s.plotMode ?? 'Plot', attrs: { 'aria-label': s.plotMode ?? 'Plot' } }, [
      el('option', { text: s.parallel ?? 'Parallel coordinates', attrs: { value: 'parallel' } }),
      el('option', { text: s.scatter ?? 'Scatter', attrs: { value: 'scatter' } }),
    ]);
    mode.value = state.mode;
    mode.addEventListener('change', () => this.change({ mode: mode.value === 'scatter' ? 'scatter' : 'parallel' }));
    this.controls.appendChild(mode);
    const all = plotColumns(this.table);
    const metrics = all.filter((c) => c.startsWith('summary.'));
    if (state.mode === 'parallel') {
      for (const axis of state.axes) {
        const remove = button(`${s.removeAxis ?? 'Remove axis'} ${columnLabel(axis)}`, () => this.change({ axes: state.axes.filter((a) => a !== axis), brushes: state.brushes.filter((b) => b.column !== axis) }), { className: 'chip-remove', text: '×' });
        this.controls.appendChild(el('span', { className: 'chip', attrs: { 'data-axis': axis } }, [el('span', { text: columnLabel(axis), title: axis }), remove]));
      }
      if (state.axes.length < MAX_AXES) {
        const add = this.select(s.addAxis ?? 'Add an axis', null, all.filter((c) => !state.axes.includes(c) && c !== state.metric), (v) => v && this.change({ axes: [...state.axes, v] }));
        add.classList.add('plot-add-axis');
        (add.firstChild as HTMLOptionElement).textContent = `+ ${s.addAxis ?? 'Add an axis'}`;
        this.controls.appendChild(add);
      }
      const metric = this.select(s.plotMetric ?? 'Metric', state.metric, metrics, (v) => this.change({ metric: v, brushes: state.brushes.filter((b) => b.column !== state.metric) }), true);
      metric.classList.add('plot-metric');
      this.controls.append(el('span', { className: 'plot-label', text: s.plotMetric ?? 'Metric' }), metric);
      const clearBrushes = button(s.clearBrushes ?? 'Clear brushes', () => this.change({ brushes: [] }), { className: 'plot-clear' });
      clearBrushes.disabled = state.brushes.length === 0;
      this.controls.appendChild(clearBrushes);
    } else {
      const x = this.select('X', state.x, all, (v) => this.change({ x: v }));
      x.classList.add('plot-x');
      const y = this.select('Y', state.y, all, (v) => this.change({ y: v }));
      y.classList.add('plot-y');
      this.controls.append(el('span', { className: 'plot-label', text: 'X' }), x, el('span', { className: 'plot-label', text: 'Y' }), y);
    }
  }

  private draw(): void {
    const state = this.state;
    if (!state?.open) return;
    // An axis brushed from the keyboard is drawn again: it keeps the focus.
    const active = document.activeElement;
    const focused = active instanceof SVGElement && this.area.contains(active) ? active.closest('.pc-axis')?.getAttribute('data-column') : undefined;
    clear(this.area);
    this.tooltip.hidden = true;
    const width = Math.max(200, this.area.clientWidth || 800);
    const chart = svg('svg', { width, height: PLOT_HEIGHT, class: 'plot-svg', role: 'img' });
    this.area.appendChild(chart);
    if (state.mode === 'parallel') this.drawParallel(chart, state, width);
    else this.drawScatter(chart, state, width);
    if (focused) chart.querySelector<SVGElement>(`.pc-axis[data-column="${CSS.escape(focused)}"] .pc-hit`)?.focus();
  }

  private empty(chart: SVGSVGElement, width: number, text: string): void {
    chart.appendChild(svg('text', { x: width / 2, y: PLOT_HEIGHT / 2, 'text-anchor': 'middle', class: 'plot-empty' }, text));
  }

  private drawParallel(chart: SVGSVGElement, state: PlotState, width: number): void {
    const columns = [...state.axes, ...(state.metric ? [state.metric] : [])];
    const scales = columns.map((c) => scaleOf(c, columnLabel(c), this.rows)).filter((s): s is Scale => s !== undefined);
    chart.setAttribute('aria-label', `${this.strings.parallel ?? 'Parallel coordinates'}: ${scales.map((s) => s.label).join(', ')}`);
    if (scales.length === 0 || this.rows.length === 0) {
      this.empty(chart, width, this.rows.length === 0 ? (this.strings.noMatch ?? 'No run matches the filter.') : (this.strings.pickAxes ?? 'Add an axis: a config key or a metric.'));
      return;
    }
    const top = 34;
    const bottom = 22;
    const left = 60;
    const right = 70;
    const h = PLOT_HEIGHT - top - bottom;
    const xs = scales.map((_, i) => (scales.length === 1 ? width / 2 : left + (i * (width - left - right)) / (scales.length - 1)));
    const yOf = (t: number): number => top + (1 - t) * h;
    const lines = svg('g', { class: 'pc-lines' });
    chart.appendChild(lines);
    let drawn = 0;
    for (const row of this.rows) {
      if (drawn >= MAX_LINES) break;
      let d = '';
      let pen = false;
      scales.forEach((scale, i) => {
        const field = fieldOfId(scale.column)!;
        const t = scale.at(fieldValue(row, field));
        if (t === null) {
          pen = false;
          return;
        }
        d += `${pen ? 'L' : 'M'}${xs[i].toFixed(1)},${yOf(t).toFixed(1)}`;
        pen = true;
      });
      if (!d) continue;
      const classes = ['pc-line', brushMatches(row, state.brushes) ? '' : 'out', this.selected.has(row.id) ? 'selected' : ''].filter(Boolean).join(' ');
      const path = svg('path', { d, class: classes, 'data-run': row.id });
      path.appendChild(svg('title', {}, row.name));
      lines.appendChild(path);
      drawn++;
    }
    // Selected runs on top.
    for (const p of Array.from(lines.querySelectorAll('.pc-line.selected'))) lines.appendChild(p);
    if (this.rows.length > drawn) chart.appendChild(svg('text', { x: width - 4, y: PLOT_HEIGHT - 4, 'text-anchor': 'end', class: 'plot-note' }, `${drawn} / ${this.rows.length}`));
    scales.forEach((scale, i) => this.drawAxis(chart, scale, xs[i], top, h, state, i === scales.length - 1 && state.metric !== null));
  }

  private drawAxis(chart: SVGSVGElement, scale: Scale, x: number, top: number, h: number, state: PlotState, isMetric: boolean): void {
    const g = svg('g', { class: `pc-axis${isMetric ? ' metric' : ''}`, 'data-column': scale.column });
    const brush = state.brushes.find((b) => b.column === scale.column);
    const label = scale.label.length > 22 ? `${scale.label.slice(0, 21)}…` : scale.label;
    g.appendChild(svg('line', { x1: x, x2: x, y1: top, y2: top + h, class: 'pc-axis-line' }));
    g.appendChild(svg('text', { x, y: top - 18, 'text-anchor': 'middle', class: 'pc-axis-label' }, label));
    const tick = (t: number, text: string): void => {
      g.appendChild(svg('text', { x: x - 6, y: top + (1 - t) * h + 4, 'text-anchor': 'end', class: 'pc-tick' }, text));
    };
    if (scale.numeric) {
      tick(1, formatNumber(scale.hi));
      tick(0, formatNumber(scale.lo));
      if (scale.log) g.appendChild(svg('text', { x, y: top - 6, 'text-anchor': 'middle', class: 'pc-tick' }, 'log'));
    } else {
      const every = Math.max(1, Math.ceil(scale.categories.length / 8));
      scale.categories.forEach((c, i) => {
        if (i % every === 0) tick(scale.categories.length === 1 ? 0.5 : i / (scale.categories.length - 1), c.length > 10 ? `${c.slice(0, 9)}…` : c);
      });
    }
    const yOf = (t: number): number => top + (1 - t) * h;
    const band = svg('rect', { class: 'pc-brush', x: x - 7, width: 14, y: 0, height: 0 });
    band.setAttribute('visibility', 'hidden');
    const show = (a: number, b: number): void => {
      band.setAttribute('y', String(Math.min(a, b)));
      band.setAttribute('height', String(Math.max(2, Math.abs(b - a))));
      band.setAttribute('visibility', 'visible');
    };
    if (brush) {
      if (brush.values && !scale.numeric) {
        const ts = brush.values.map((v) => scale.at(v)).filter((t): t is number => t !== null);
        if (ts.length > 0) show(yOf(Math.max(...ts)) - 4, yOf(Math.min(...ts)) + 4);
      } else if (scale.numeric && brush.lo !== undefined && brush.hi !== undefined) {
        const a = scale.at(Math.max(brush.lo, scale.lo));
        const b = scale.at(Math.min(brush.hi, scale.hi));
        if (a !== null && b !== null) show(yOf(b), yOf(a));
      }
    }
    g.appendChild(band);
    // The hit area: drag up or down to brush, click to clear; focusable, Delete clears from the keyboard.
    const described = brush ? `${scale.label}: ${this.strings.brushed ?? 'brushed'} ${brushText(brush)}` : scale.label;
    const hit = svg('rect', { x: x - 12, y: top - 2, width: 24, height: h + 4, class: 'pc-hit', tabindex: 0, role: 'slider', 'aria-label': described, 'aria-valuetext': brush ? brushText(brush) : '' });
    g.appendChild(hit);
    const svgRoot = chart;
    const yAt = (clientY: number): number => clientY - svgRoot.getBoundingClientRect().top;
    hit.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      const start = yAt(e.clientY);
      let end = start;
      hit.setPointerCapture(e.pointerId);
      const move = (m: PointerEvent): void => {
        end = Math.max(top, Math.min(top + h, yAt(m.clientY)));
        show(start, end);
      };
      const up = (): void => {
        hit.removeEventListener('pointermove', move);
        hit.removeEventListener('pointerup', up);
        hit.removeEventListener('pointercancel', up);
        const others = state.brushes.filter((b) => b.column !== scale.column);
        if (Math.abs(end - start) < 3) {
          this.change({ brushes: others });
          return;
        }
        const t1 = 1 - (Math.max(start, end) - top) / h;
        const t2 = 1 - (Math.min(start, end) - top) / h;
        const next: PlotBrush = scale.numeric
          ? { column: scale.column, lo: scale.invert(Math.max(0, t1)), hi: scale.invert(Math.min(1, t2)) }
          : { column: scale.column, values: scale.categories.filter((c) => {
              const t = scale.at(c);
              return t !== null && t >= t1 - 1e-9 && t <= t2 + 1e-9;
            }) };
        this.change({ brushes: [...others, next] });
      };
      hit.addEventListener('pointermove', move);
      hit.addEventListener('pointerup', up);
      hit.addEventListener('pointercancel', up);
    });
    // The keyboard: ↑/↓ move the brush (one is made in the middle first), Shift+↑/↓ widen or narrow it,
    // Delete clears it. In the axis's own 0..1 space, turned into values as a drag is.
    const windowOf = (b: PlotBrush | undefined): [number, number] | null => {
      if (!b) return null;
      const ts = (b.values ?? [b.lo, b.hi]).map((v) => (v === undefined ? null : scale.at(v))).filter((t): t is number => t !== null);
      return ts.length > 0 ? [Math.min(...ts), Math.max(...ts)] : null;
    };
    const brushTo = (t1: number, t2: number): PlotBrush => {
      const a = Math.max(0, Math.min(t1, t2));
      const b = Math.min(1, Math.max(t1, t2));
      return scale.numeric
        ? { column: scale.column, lo: scale.invert(a), hi: scale.invert(b) }
        : { column: scale.column, values: scale.categories.filter((c) => {
            const t = scale.at(c);
            return t !== null && t >= a - 1e-9 && t <= b + 1e-9;
          }) };
    };
    hit.addEventListener('keydown', (e) => {
      const others = state.brushes.filter((b) => b.column !== scale.column);
      if (e.key === 'Delete' || e.key === 'Backspace' || e.key === 'Escape') {
        if (!brush) return;
        e.preventDefault();
        this.change({ brushes: others });
        return;
      }
      if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
      e.preventDefault();
      const step = scale.numeric ? 0.1 : 1 / Math.max(1, scale.categories.length - 1);
      const [t1, t2] = windowOf(brush) ?? [0.4, 0.6];
      const up = e.key === 'ArrowUp';
      const next = !brush ? [t1, t2] : e.shiftKey ? [t1, Math.max(t1, t2 + (up ? step : -step))] : up ? [Math.min(t1 + step, 1 - (t2 - t1)), Math.min(1, t2 + step)] : [Math.max(0, t1 - step), Math.max(t2 - t1, t2 - step)];
      this.change({ brushes: [...others, brushTo(next[0], next[1])] });
    });
    chart.appendChild(g);
  }

  private drawScatter(chart: SVGSVGElement, state: PlotState, width: number): void {
    const xs = state.x ? scaleOf(state.x, columnLabel(state.x), this.rows) : undefined;
    const ys = state.y ? scaleOf(state.y, columnLabel(state.y), this.rows) : undefined;
    chart.setAttribute('aria-label', `${this.strings.scatter ?? 'Scatter'}: ${ys?.label ?? ''} / ${xs?.label ?? ''}`);
    if (!xs || !ys || this.rows.length === 0) {
      this.empty(chart, width, this.rows.length === 0 ? (this.strings.noMatch ?? 'No run matches the filter.') : (this.strings.pickXY ?? 'Pick what goes across (X) and up (Y).'));
      return;
    }
    const left = 70;
    const right = 20;
    const top = 14;
    const bottom = 36;
    const w = width - left - right;
    const h = PLOT_HEIGHT - top - bottom;
    chart.appendChild(svg('line', { x1: left, x2: left + w, y1: top + h, y2: top + h, class: 'pc-axis-line' }));
    chart.appendChild(svg('line', { x1: left, x2: left, y1: top, y2: top + h, class: 'pc-axis-line' }));
    const ends = (scale: Scale): [string, string] => (scale.numeric ? [formatNumber(scale.lo), formatNumber(scale.hi)] : [scale.categories[0] ?? '', scale.categories[scale.categories.length - 1] ?? '']);
    const [x0, x1] = ends(xs);
    const [y0, y1] = ends(ys);
    chart.append(
      svg('text', { x: left, y: top + h + 14, 'text-anchor': 'start', class: 'pc-tick' }, x0),
      svg('text', { x: left + w, y: top + h + 14, 'text-anchor': 'end', class: 'pc-tick' }, x1),
      svg('text', { x: left + w / 2, y: top + h + 30, 'text-anchor': 'middle', class: 'pc-axis-label' }, `${xs.label}${xs.log ? ' (log)' : ''}`),
      svg('text', { x: left - 6, y: top + h, 'text-anchor': 'end', class: 'pc-tick' }, y0),
      svg('text', { x: left - 6, y: top + 8, 'text-anchor': 'end', class: 'pc-tick' }, y1),
      svg('text', { x: 12, y: top + h / 2, 'text-anchor': 'middle', class: 'pc-axis-label', transform: `rotate(-90 12 ${top + h / 2})` }, `${ys.label}${ys.log ? ' (log)' : ''}`),
    );
    const xf = fieldOfId(xs.column)!;
    const yf = fieldOfId(ys.column)!;
    const points = svg('g', { class: 'sc-points' });
    chart.appendChild(points);
    let drawn = 0;
    for (const row of this.rows) {
      if (drawn >= MAX_LINES) break;
      const tx = xs.at(fieldValue(row, xf));
      const ty = ys.at(fieldValue(row, yf));
      if (tx === null || ty === null) continue;
      // A little inside the axes, so a point at either end is drawn whole.
      const cx = left + (0.03 + 0.94 * tx) * w;
      const cy = top + (1 - (0.04 + 0.92 * ty)) * h;
      const dot = svg('circle', { cx: cx.toFixed(1), cy: cy.toFixed(1), r: 4, class: `sc-point${this.selected.has(row.id) ? ' selected' : ''}${brushMatches(row, state.brushes) ? '' : ' out'}`, 'data-run': row.id });
      dot.appendChild(svg('title', {}, row.name));
      dot.addEventListener('pointerenter', () => this.hover(row, cx, cy, xs, ys));
      dot.addEventListener('pointerleave', () => {
        this.tooltip.hidden = true;
      });
      dot.addEventListener('click', (e) => this.events.select(row.id, e.ctrlKey || e.metaKey));
      points.appendChild(dot);
      drawn++;
    }
    for (const p of Array.from(points.querySelectorAll('.sc-point.selected'))) points.appendChild(p);
  }

  /** The hovered run's name and its two values, beside the point. */
  private hover(row: RunsTableRow, cx: number, cy: number, xs: Scale, ys: Scale): void {
    const value = (scale: Scale): string => {
      const v = fieldValue(row, fieldOfId(scale.column)!);
      return typeof v === 'number' ? formatNumber(v) : v === null ? '' : categoryOf(v);
    };
    clear(this.tooltip);
    this.tooltip.append(el('div', { className: 'plot-tooltip-name', text: row.name }), el('div', { text: `${xs.label} ${value(xs)} · ${ys.label} ${value(ys)}` }));
    this.tooltip.style.left = `${Math.round(cx + 10)}px`;
    this.tooltip.style.top = `${Math.round(this.controls.offsetHeight + cy - 10)}px`;
    this.tooltip.hidden = false;
  }
}

function brushText(brush: PlotBrush): string {
  if (brush.values) return brush.values.join(', ');
  return `${formatNumber(brush.lo ?? Number.NEGATIVE_INFINITY)} – ${formatNumber(brush.hi ?? Number.POSITIVE_INFINITY)}`;
}
