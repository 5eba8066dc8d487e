// One metric's chart: a uPlot instance with every line of the panel (live, archived dashed, a fork's
// inherited part dotted, raw faint under the smoothed line), branch and selection marks, the hover
// readout, click-to-select and drag-to-zoom. Longer than most files on purpose: it is one uPlot chart,
// whose options, draw hooks, mouse handling and readout share the plot's state and scales; the pure parts
// (which points are drawn, values at a step, the click choice) are in ./drawn and ./series.
import uPlot from 'uplot';
import type { ChartDrawnStats, ChartSelection, ChartZoom, XAxisMode } from '../../src/shared/protocol';
import { clear, el, lineSwatch } from './dom';
import { formatDuration, formatValue, formatX, markLabel, tickLabels } from './format';
import { type BranchMark, labelRows, type LineSpec } from './lines';
import { buildDrawn, choosePick, type DrawnLine, type PickCandidate, valueAt } from './drawn';
import { type LinePoints, joinSeries, nearestIndex, type XY } from './series';
import { type ChartTheme, withAlpha } from './theme';

export interface ChartSettings {
  readonly xAxis: XAxisMode;
  readonly smoothing: number;
  readonly logScale: boolean;
  readonly zoom: ChartZoom | null;
  readonly selection: ChartSelection | null;
  readonly theme: ChartTheme;
  readonly themeVersion: number;
  /** Start time (unix seconds) of each run, for the relative-time axis. */
  readonly startTimes: ReadonlyMap<string, number>;
}

export interface ChartEvents {
  readonly syncKey: string;
  zoom(min: number, max: number): void;
  resetZoom(): void;
  select(selection: ChartSelection): void;
}

type PartKind = 'own' | 'inherited' | 'archived' | 'raw';

interface Part {
  readonly line: DrawnLine;
  readonly kind: PartKind;
  readonly from: number;
  readonly to: number;
}

const HEIGHT = 220;
/**
 * Visible points per CSS pixel of plot width at or above which a line is an envelope (min/max per
 * pixel) rather than a polyline: drawn 1 CSS pixel wide. At devicePixelRatio 1 that is a Skia hairline;
 * a 1.75 px stroke of the same zig-zag costs about 15x as much to rasterise in software (measured:
 * 4 lines of 1,760 points, 17 ms round-joined at 1.75 px vs 1.3 ms at 1 px), and uPlot rasterises every
 * series on every redraw, at the compositor commit.
 */
const DENSE_POINTS_PER_PIXEL = 1;

const linearPaths = uPlot.paths.linear?.();

/** uPlot's linear path, 1 px wide where the line is dense on screen (see DENSE_POINTS_PER_PIXEL). */
const envelopePaths: uPlot.Series.PathBuilder = (u, seriesIdx, idx0, idx1) => {
  const paths = linearPaths ? linearPaths(u, seriesIdx, idx0, idx1) : null;
  if (!paths) return paths;
  const width = u.series[seriesIdx].width ?? 1;
  if (width <= 1) return paths;
  const ys = u.data[seriesIdx] as ArrayLike<number | null>;
  const dense = (u.bbox.width / devicePixelRatio) * DENSE_POINTS_PER_PIXEL;
  let n = 0;
  for (let i = idx0; i <= idx1 && n < dense; i++) if (ys[i] != null) n++;
  if (n >= dense) (paths as uPlot.Series.Paths & { _width?: number })._width = 1;
  return paths;
};
/** How long a click waits to be sure it is not the first half of a double-click. */
const DOUBLE_CLICK_MS = 250;

export class ChartView {
  private plot: uPlot | null = null;
  private structure = '';
  private drawn: DrawnLine[] = [];
  private lines: readonly LineSpec[] = [];
  private marks: readonly BranchMark[] = [];
  /** Labels of the marks last drawn inside the plot (test hooks). */
  private marksDrawn: string[] = [];
  private settings: ChartSettings | null = null;
  private readonly plotBox: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly note: HTMLElement;
  private readoutCells: { value: HTMLElement; line: DrawnLine }[] = [];
  private readoutStep: HTMLElement | null = null;
  private width: number;
  private down: { x: number; y: number } | null = null;
  /** The y tick labels last drawn (tests look for stray text such as "null"). */
  private yTicks: string[] = [];

  constructor(
    readonly key: string,
    container: HTMLElement,
    private readonly events: ChartEvents,
    width: number,
  ) {
    this.width = Math.max(120, width);
    this.readout = el('div', { className: 'readout', attrs: { 'aria-live': 'off' } });
    this.plotBox = el('div', { className: 'plot' });
    this.empty = el('div', { className: 'empty', text: 'Loading…' });
    this.note = el('div', { className: 'note muted' });
    container.append(this.readout, this.plotBox, this.empty, this.note);
  }

  /** Draws `data` (points per version) for `lines`; recreates uPlot only when what is drawn changed shape. */
  update(lines: readonly LineSpec[], data: ReadonlyMap<string, LinePoints>, marks: readonly BranchMark[], settings: ChartSettings): void {
    this.lines = lines;
    this.marks = marks;
    this.settings = settings;
    this.drawn = buildDrawn(lines, data, settings);
    let nonFinite = 0;
    let sampled = false;
    for (const d of this.drawn) {
      const p = data.get(d.spec.version);
      nonFinite += p?.nonFinite ?? 0;
      sampled ||= p !== undefined && !p.exact;
    }
    // Honest about what is not drawn: NaN/Infinity points, and that a line is a min/max envelope.
    this.note.textContent = [
      nonFinite > 0 ? `${nonFinite} NaN/Infinity ${nonFinite === 1 ? 'value' : 'values'} not drawn` : '',
      sampled ? 'min/max envelope: zoom in for every point' : '',
    ].filter(Boolean).join(' · ');
    const parts = this.partsOf(this.drawn, settings);
    const structure = [
      settings.xAxis,
      settings.logScale,
      settings.smoothing > 0,
      settings.themeVersion,
      parts.map((p) => `${p.line.spec.version}:${p.kind}`).join(','),
    ].join('|');
    if (parts.length === 0) {
      this.destroyPlot();
      this.empty.textContent = data.size === 0 ? 'Loading…' : 'No numeric points in this range.';
      this.empty.hidden = false;
      this.renderReadout();
      return;
    }
    this.empty.hidden = true;
    const series: XY[] = parts.map((p) => ({
      x: p.line.x.subarray(p.from, p.to),
      y: (p.kind === 'raw' ? p.line.raw : p.line.y).subarray(p.from, p.to),
    }));
    const joined = joinSeries(series, settings.logScale ? (v) => (v > 0 ? v : null) : undefined);
    const aligned = [joined.x, ...joined.ys] as unknown as uPlot.AlignedData;
    const plot = this.plot;
    if (plot && structure === this.structure) {
      // In one batch: uPlot redraws now rather than in a microtask, so the caller's frame budget
      // sees what the redraw costs.
      plot.batch(() => {
        plot.setData(aligned, settings.zoom === null);
        this.applyZoom();
      });
    } else {
      this.destroyPlot();
      this.structure = structure;
      this.plot = new uPlot(this.options(parts, settings), aligned, this.plotBox);
      this.bindMouse(this.plot);
      this.applyZoom();
    }
    if (this.readoutCells.length !== this.drawn.length || this.readoutCells.some((c, i) => c.line.spec !== this.drawn[i].spec)) {
      this.renderReadout();
    } else {
      this.readoutCells = this.readoutCells.map((c, i) => ({ value: c.value, line: this.drawn[i] }));
      this.showValuesAt(null);
    }
  }

  /** Applies the panel's zoom (or the full range) to this chart's x scale. */
  applyZoom(): void {
    const plot = this.plot;
    const settings = this.settings;
    if (!plot || !settings) return;
    const zoom = settings.zoom;
    if (zoom && zoom.axis === settings.xAxis) plot.setScale('x', { min: zoom.min, max: zoom.max });
  }

  setSettings(settings: ChartSettings): void {
    this.settings = settings;
    this.plot?.redraw(false, false);
  }

  resize(width: number): void {
    this.width = Math.max(120, width);
    this.plot?.setSize({ width: this.width, height: HEIGHT });
  }

  get hasPlot(): boolean {
    return this.plot !== null;
  }

  /** Plot area width in CSS pixels: the number of buckets worth asking the host for. */
  get plotWidth(): number {
    return Math.max(50, Math.round(this.plot ? this.plot.bbox.width / devicePixelRatio : this.width - 70));
  }

  stats(): Omit<ChartDrawnStats, 'key'> {
    let points = 0;
    for (const d of this.drawn) points += d.x.length;
    const readout = [
      this.readoutStep?.textContent ?? '',
      ...this.readoutCells.map((c) => `${c.line.spec.shortLabel}: ${c.value.textContent ?? ''}`),
    ];
    return { lines: this.drawn.length, points, dashed: this.drawn.filter((d) => d.spec.archived).length, yTicks: this.yTicks, readout, marks: this.marksDrawn };
  }

  /** Shows the readout as the hover cursor at `x` does (null: the last values). */
  hover(x: number | null): void {
    this.showValuesAt(x);
  }

  /** The chart as a PNG data URL: title, plot and legend on the theme's background. */
  toPng(): string {
    const plot = this.plot;
    const theme = this.settings?.theme;
    const src = plot?.ctx.canvas;
    const ratio = devicePixelRatio;
    const w = src ? src.width : Math.round(this.width * ratio);
    const h = src ? src.height : Math.round(HEIGHT * ratio);
    const header = Math.round(28 * ratio);
    const legendRow = Math.round(18 * ratio);
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h + header + legendRow * Math.max(1, this.drawn.length) + Math.round(8 * ratio);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d context for the export');
    ctx.fillStyle = theme?.background ?? '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = theme?.foreground ?? '#000000';
    ctx.font = `${Math.round(14 * ratio)}px ${theme?.font ?? 'sans-serif'}`;
    ctx.textBaseline = 'middle';
    ctx.fillText(this.key, 8 * ratio, header / 2);
    if (src) ctx.drawImage(src, 0, header);
    ctx.font = `${Math.round(12 * ratio)}px ${theme?.font ?? 'sans-serif'}`;
    this.drawn.forEach((d, i) => {
      const y = header + h + legendRow * i + legendRow / 2;
      ctx.strokeStyle = d.spec.archived ? withAlpha(d.spec.color, d.spec.alpha) : d.spec.color;
      ctx.lineWidth = 2 * ratio;
      ctx.setLineDash(d.spec.dash.map((n) => n * ratio));
      ctx.beginPath();
      ctx.moveTo(8 * ratio, y);
      ctx.lineTo(28 * ratio, y);
      ctx.stroke();
      ctx.fillText(d.spec.label, 34 * ratio, y);
    });
    return canvas.toDataURL('image/png');
  }

  destroy(): void {
    this.destroyPlot();
  }

  private destroyPlot(): void {
    this.plot?.destroy();
    this.plot = null;
    this.structure = '';
  }

  private partsOf(drawn: readonly DrawnLine[], settings: ChartSettings): Part[] {
    const parts: Part[] = [];
    for (const line of drawn) {
      const n = line.x.length;
      if (settings.smoothing > 0) parts.push({ line, kind: 'raw', from: 0, to: n });
      if (line.spec.archived) {
        parts.push({ line, kind: 'archived', from: 0, to: n });
        continue;
      }
      // A fork's history up to its branch comes from another run: drawn apart from its own part.
      let inheritedEnd = -Infinity;
      for (const s of line.segments) if (s.runId !== line.spec.runId) inheritedEnd = Math.max(inheritedEnd, s.to);
      let k = -1;
      while (k + 1 < n && line.steps[k + 1] <= inheritedEnd) k++;
      if (k >= 0) {
        parts.push({ line, kind: 'inherited', from: 0, to: k + 1 });
        if (k + 1 < n) parts.push({ line, kind: 'own', from: k, to: n });
      } else {
        parts.push({ line, kind: 'own', from: 0, to: n });
      }
    }
    return parts;
  }

  private options(parts: readonly Part[], settings: ChartSettings): uPlot.Options {
    const theme = settings.theme;
    const axis: uPlot.Axis = {
      stroke: theme.muted,
      grid: { stroke: theme.grid, width: 1 },
      ticks: { stroke: theme.grid, width: 1 },
      font: `11px ${theme.font}`,
    };
    const xValues = settings.xAxis === 'relative' ? (_u: uPlot, splits: number[]) => splits.map(formatDuration) : undefined;
    return {
      width: this.width,
      height: HEIGHT,
      legend: { show: false },
      pxAlign: 0,
      cursor: {
        sync: { key: this.events.syncKey, setSeries: false },
        drag: { x: true, y: false, setScale: false },
        points: { show: false },
        bind: {
          dblclick: () => () => {
            this.events.resetZoom();
            return null;
          },
        },
      },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      scales: {
        x: { time: settings.xAxis === 'wall' },
        y: settings.logScale ? { distr: 3 } : {},
      },
      axes: [
        { ...axis, ...(xValues ? { values: xValues } : {}) },
        {
          ...axis,
          size: 60,
          values: (_u: uPlot, splits: (number | null)[]) => {
            const labels = tickLabels(splits);
            this.yTicks = labels;
            return labels;
          },
        },
      ],
      series: [
        {},
        ...parts.map((p): uPlot.Series => {
          const color = p.line.spec.color;
          const base = { label: p.line.spec.label, spanGaps: true, points: { show: false }, paths: envelopePaths };
          switch (p.kind) {
            case 'raw':
              return { ...base, stroke: withAlpha(color, 0.22), width: 1 };
            case 'archived':
              // Each archived version its own dash and lightness (lines.ts), so versions can be told apart.
              return { ...base, stroke: withAlpha(color, p.line.spec.alpha), width: 1.5, dash: [...p.line.spec.dash] };
            case 'inherited':
              return { ...base, stroke: withAlpha(color, 0.6), width: 1.5, dash: [1.5, 3] };
            case 'own':
              return { ...base, stroke: color, width: theme.highContrast ? 2.25 : 1.75 };
          }
        }),
      ],
      hooks: {
        setSelect: [(u) => this.onSelectBox(u)],
        setCursor: [(u) => this.onCursor(u)],
        draw: [(u) => this.drawMarks(u)],
      },
    };
  }

  private onSelectBox(u: uPlot): void {
    const { left, width } = u.select;
    if (width < 3) return;
    const min = u.posToVal(left, 'x');
    const max = u.posToVal(left + width, 'x');
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    if (max > min) this.events.zoom(min, max);
  }

  private bindMouse(u: uPlot): void {
    u.over.addEventListener('mousedown', (e) => {
      this.down = e.button === 0 ? { x: e.clientX, y: e.clientY } : null;
    });
    u.over.addEventListener('mouseup', (e) => {
      const down = this.down;
      this.down = null;
      clearTimeout(this.clickTimer);
      // A double-click resets the zoom; only a single click selects a step.
      if (!down || e.detail > 1 || Math.hypot(e.clientX - down.x, e.clientY - down.y) > 3) return;
      const rect = u.over.getBoundingClientRect();
      const left = e.clientX - rect.left;
      const top = e.clientY - rect.top;
      this.clickTimer = setTimeout(() => this.pickAt(left, top), DOUBLE_CLICK_MS);
    });
  }

  private clickTimer: ReturnType<typeof setTimeout> | undefined;

  /** Selects the nearest logged point of the nearest line to a position in the plot (CSS pixels). */
  pickAt(left: number, top: number): boolean {
    const u = this.plot;
    if (!u) return false;
    const xVal = u.posToVal(left, 'x');
    const candidates: PickCandidate[] = [];
    for (const line of this.drawn) {
      const c = nearestIndex(line.x, line.x.length, xVal);
      if (c < 0) continue;
      let nearest: PickCandidate | null = null;
      for (let i = Math.max(0, c - 8); i <= Math.min(line.x.length - 1, c + 8); i++) {
        const yv = line.y[i];
        if (!Number.isFinite(yv) || (this.settings?.logScale && yv <= 0)) continue;
        const d = Math.hypot(u.valToPos(line.x[i], 'x') - left, u.valToPos(yv, 'y') - top);
        if (!nearest || d < nearest.d) nearest = { line, i, d };
      }
      if (nearest) candidates.push(nearest);
    }
    const best = choosePick(candidates);
    if (!best) return false;
    this.events.select({ runId: best.line.spec.runId, versionId: best.line.spec.version, step: best.line.steps[best.i] });
    return true;
  }

  /** Selects a run's logged step nearest to `step` (what a click at that step does). */
  pickStep(runId: string, step: number, versionId?: string): boolean {
    const line = versionId !== undefined
      ? this.drawn.find((d) => d.spec.version === versionId)
      : (this.drawn.find((d) => d.spec.runId === runId && !d.spec.archived) ?? this.drawn.find((d) => d.spec.runId === runId));
    if (!line) return false;
    const i = nearestIndex(line.steps, line.steps.length, step);
    if (i < 0) return false;
    this.events.select({ runId: line.spec.runId, versionId: line.spec.version, step: line.steps[i] });
    return true;
  }

  private onCursor(u: uPlot): void {
    const left = u.cursor.left ?? -1;
    this.showValuesAt(left >= 0 ? u.posToVal(left, 'x') : null);
  }

  private renderReadout(): void {
    clear(this.readout);
    this.readoutCells = [];
    this.readoutStep = el('span', { className: 'readout-step' });
    this.readout.append(this.readoutStep);
    for (const line of this.drawn) {
      const value = el('span', { className: 'readout-value' });
      this.readout.append(
        el('span', { className: 'readout-item', title: line.spec.label }, [lineSwatch(line.spec), el('span', { className: 'readout-label', text: line.spec.shortLabel }), value]),
      );
      this.readoutCells.push({ value, line });
    }
    this.showValuesAt(null);
  }

  /** Values of every line at x (the last point at or before it), or the last values when x is null. */
  private showValuesAt(x: number | null): void {
    const axis = this.settings?.xAxis ?? 'step';
    let shownStep: number | null = null;
    for (const cell of this.readoutCells) {
      const value = x === null ? lastValue(cell.line) : valueAt(this.drawn, cell.line, x, axis);
      if (!value) {
        cell.value.textContent = '–';
        continue;
      }
      const smoothed = this.settings && this.settings.smoothing > 0;
      cell.value.textContent = smoothed ? `${formatValue(value.y)} (${formatValue(value.raw)})` : formatValue(value.y);
      if (shownStep === null) shownStep = value.step;
    }
    if (this.readoutStep) {
      this.readoutStep.textContent = x === null ? 'last' : axis === 'step' ? `step ${Math.round(x)}` : formatX(x, axis);
    }
  }

  private xOfStep(version: string, step: number): number | null {
    const settings = this.settings;
    if (!settings) return null;
    if (settings.xAxis === 'step') return step;
    const line = this.drawn.find((d) => d.spec.version === version) ?? this.drawn.find((d) => !d.spec.archived);
    if (!line) return null;
    const i = nearestIndex(line.steps, line.steps.length, step);
    return i >= 0 ? line.x[i] : null;
  }

  private drawMarks(u: uPlot): void {
    const settings = this.settings;
    if (!settings) return;
    const ctx = u.ctx;
    const ratio = devicePixelRatio;
    const top = u.bbox.top;
    const bottom = u.bbox.top + u.bbox.height;
    const left = u.bbox.left;
    const right = u.bbox.left + u.bbox.width;
    ctx.save();
    ctx.font = `${Math.round(10 * ratio)}px ${settings.theme.font}`;
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    const placed: { px: number; mark: BranchMark }[] = [];
    const checkpointsShown: number[] = [];
    const drawnNow: { px: number; text: string }[] = [];
    for (const mark of this.marks) {
      if (!this.lines.some((l) => l.runId === mark.runId)) continue;
      const xv = this.xOfStep(mark.version, mark.step);
      if (xv === null) continue;
      const px = u.valToPos(xv, 'x', true);
      if (px < left || px > right) continue;
      // A branch: a dashed line; a checkpoint: a faint dotted one and a small diamond on the x axis.
      const checkpoint = mark.kind === 'checkpoint';
      ctx.strokeStyle = withAlpha(mark.color, checkpoint ? 0.35 : 0.9);
      ctx.lineWidth = ratio;
      ctx.setLineDash(checkpoint ? [1 * ratio, 4 * ratio] : [2 * ratio, 3 * ratio]);
      ctx.beginPath();
      ctx.moveTo(px, top);
      ctx.lineTo(px, bottom);
      ctx.stroke();
      drawnNow.push({ px, text: markLabel(mark) });
      if (checkpoint) {
        const r = 4 * ratio;
        ctx.setLineDash([]);
        ctx.fillStyle = mark.color;
        ctx.beginPath();
        ctx.moveTo(px, bottom - 2 * r);
        ctx.lineTo(px + r, bottom - r);
        ctx.lineTo(px, bottom);
        ctx.lineTo(px - r, bottom - r);
        ctx.closePath();
        ctx.fill();
        checkpointsShown.push(px);
        continue;
      }
      placed.push({ px, mark });
    }
    this.marksDrawn = drawnNow.sort((a, b) => a.px - b.px).map((m) => m.text);
    // Labels left to right, each on the first of two rows where it does not run into the previous
    // label; one that fits on neither is left out (every mark's text is in the plot's tooltip).
    placed.sort((a, b) => a.px - b.px);
    const labels = placed.map(({ px, mark }) => {
      const text = markLabel(mark);
      return { x: px + 3 * ratio, width: ctx.measureText(text).width, text, color: mark.color };
    });
    const rows = labelRows(labels, 4 * ratio);
    let hidden = 0;
    labels.forEach((label, i) => {
      if (rows[i] < 0) {
        hidden++;
        return;
      }
      ctx.fillStyle = label.color;
      ctx.fillText(label.text, label.x, top + 2 * ratio + rows[i] * 12 * ratio);
    });
    const ckpts = this.marks.filter((m) => m.kind === 'checkpoint' && this.lines.some((l) => l.runId === m.runId));
    const tips: string[] = [];
    if (placed.length > 0) tips.push(`Branch steps: ${placed.map((p) => markLabel(p.mark)).join(', ')}${hidden > 0 ? ` (${hidden} label${hidden === 1 ? '' : 's'} hidden here)` : ''}`);
    if (checkpointsShown.length > 0) tips.push(`Checkpoints (◆) at steps ${[...new Set(ckpts.map((m) => m.step))].sort((a, b) => a - b).join(', ')}`);
    const tip = tips.join('\n');
    if (u.over.title !== tip) u.over.title = tip;
    const sel = settings.selection;
    if (sel && this.lines.some((l) => l.runId === sel.runId)) {
      const xv = this.xOfStep(sel.versionId, sel.step);
      if (xv !== null) {
        const px = u.valToPos(xv, 'x', true);
        if (px >= left && px <= right) {
          ctx.strokeStyle = settings.theme.selection;
          ctx.lineWidth = 1.5 * ratio;
          ctx.setLineDash([]);
          ctx.beginPath();
          ctx.moveTo(px, top);
          ctx.lineTo(px, bottom);
          ctx.stroke();
          const line = this.drawn.find((d) => d.spec.version === sel.versionId);
          if (line) {
            const i = nearestIndex(line.steps, line.steps.length, sel.step);
            const yv = i >= 0 ? line.y[i] : NaN;
            if (Number.isFinite(yv) && (!settings.logScale || yv > 0)) {
              const py = u.valToPos(yv, 'y', true);
              ctx.fillStyle = line.spec.color;
              ctx.strokeStyle = settings.theme.background;
              ctx.lineWidth = 2 * ratio;
              ctx.beginPath();
              ctx.arc(px, py, 4.5 * ratio, 0, Math.PI * 2);
              ctx.fill();
              ctx.stroke();
            }
          }
          ctx.fillStyle = settings.theme.foreground;
          ctx.textBaseline = 'bottom';
          ctx.fillText(`${sel.runId}@${sel.step}`, Math.min(px + 4 * ratio, right - 80 * ratio), bottom - 2 * ratio);
        }
      }
    }
    ctx.restore();
  }
}

function lastValue(line: DrawnLine): { y: number; raw: number; step: number } | null {
  const n = line.x.length;
  return n > 0 ? { y: line.y[n - 1], raw: line.raw[n - 1], step: line.steps[n - 1] } : null;
}
