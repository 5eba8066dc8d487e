// The chart panel's System section: one chart per `system/…` key against wall time (uPlot's time axis),
// the live versions' own samples, and — when the header's "archived versions" box is ticked — each
// archived version's samples beside them, dashed as archived metric lines are. System data is sparse
// (a sample every ~10 s), so each chart is rebuilt whole when its data or lines change.
import uPlot from 'uplot';
import { compareKeys } from '../../src/shared/keys';
import type { SystemDrawnStats, SystemMetrics } from '../../src/shared/protocol';
import { clear, el, lineSwatch } from './dom';
import { tickLabels } from './format';
import type { LineSpec } from './lines';
import { joinSeries, type XY } from './series';
import { type ChartTheme, withAlpha } from './theme';

const HEIGHT = 180;

export interface SystemEvents {
  /** The box in the header was ticked or cleared by the user. */
  archivedChanged(on: boolean): void;
}

interface SystemChart {
  readonly key: string;
  readonly plot: uPlot;
  readonly stats: SystemDrawnStats;
}

export class SystemSection {
  readonly checkbox: HTMLInputElement;
  private readonly grid = el('div', { className: 'grid' });
  private readonly legend = el('div', { className: 'legend system-legend' });
  private charts: SystemChart[] = [];
  private metrics = new Map<string, SystemMetrics>();
  /** What the charts were last drawn from: a store change that added no sample redraws nothing. */
  private drawnFrom = '';

  /** `details` is the section made by Sections.section (so opening and closing is kept like the others'). */
  constructor(
    readonly details: HTMLDetailsElement,
    readonly content: HTMLElement,
    events: SystemEvents,
  ) {
    this.checkbox = el('input', { attrs: { type: 'checkbox' } });
    this.checkbox.addEventListener('change', () => events.archivedChanged(this.checkbox.checked));
    const label = el('label', { className: 'system-archived', title: 'Draw archived versions\u2019 samples beside the live ones' }, [this.checkbox, el('span', { text: 'archived versions' })]);
    // A click on the box must not open or close the section.
    label.addEventListener('click', (e) => e.stopPropagation());
    details.querySelector('summary')?.append(label);
    content.append(this.legend, this.grid);
    details.hidden = true;
  }

  setMetrics(metrics: readonly SystemMetrics[]): void {
    this.metrics = new Map(metrics.map((m) => [m.version, m]));
  }

  get shown(): boolean {
    return !this.details.hidden;
  }

  /**
   * Draws the section for the panel's `lines`: hidden unless a line's version has samples; archived
   * lines only when `archived`.
   */
  render(lines: readonly LineSpec[], archived: boolean, theme: ChartTheme, width: number): void {
    this.checkbox.checked = archived;
    const from = [
      archived,
      width,
      theme.foreground,
      theme.background,
      theme.highContrast,
      ...lines.map((l) => `${l.version}:${l.color}:${l.archived}:${l.label}:${this.metrics.get(l.version)?.samples ?? 0}`),
    ].join('|');
    if (from === this.drawnFrom) return;
    this.drawnFrom = from;
    for (const c of this.charts) c.plot.destroy();
    this.charts = [];
    clear(this.grid);
    clear(this.legend);
    const any = lines.some((l) => (this.metrics.get(l.version)?.samples ?? 0) > 0);
    this.details.hidden = !any;
    if (!any) return;
    const drawnLines = lines.filter((l) => (archived || !l.archived) && (this.metrics.get(l.version)?.samples ?? 0) > 0);
    const keys = new Set<string>();
    for (const l of drawnLines) for (const s of this.metrics.get(l.version)?.series ?? []) keys.add(s.key);
    if (drawnLines.length === 0) {
      this.grid.append(el('p', { className: 'muted', text: 'Only archived versions have system samples: tick “archived versions” to see them.' }));
      return;
    }
    for (const line of drawnLines) {
      const m = this.metrics.get(line.version);
      this.legend.append(el('span', { className: 'legend-item', title: `${line.runId} · ${line.version}` }, [lineSwatch(line), el('span', { text: `${line.label} (${m?.samples ?? 0} samples)` })]));
    }
    for (const key of [...keys].sort(compareKeys)) this.charts.push(this.chart(key, drawnLines, theme, width));
  }

  stats(): SystemDrawnStats[] {
    return this.charts.map((c) => c.stats);
  }

  resize(width: number): void {
    for (const c of this.charts) c.plot.setSize({ width: Math.max(120, width), height: HEIGHT });
  }

  private chart(key: string, lines: readonly LineSpec[], theme: ChartTheme, width: number): SystemChart {
    const withKey: { line: LineSpec; xy: XY }[] = [];
    for (const line of lines) {
      const s = this.metrics.get(line.version)?.series.find((x) => x.key === key);
      if (s && s.times.length > 0) withKey.push({ line, xy: { x: s.times, y: s.values } });
    }
    const body = el('div', { className: 'card-body' });
    const card = el('div', { className: 'card', attrs: { role: 'figure', 'aria-label': key } }, [el('div', { className: 'card-header' }, [el('h3', { className: 'card-title', text: key, title: key })]), body]);
    card.dataset.systemKey = key;
    this.grid.append(card);
    const joined = joinSeries(withKey.map((w) => w.xy));
    const axis: uPlot.Axis = { stroke: theme.muted, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid, width: 1 }, font: `11px ${theme.font}` };
    const plot = new uPlot(
      {
        width: Math.max(120, width),
        height: HEIGHT,
        legend: { show: false },
        cursor: { points: { show: false }, drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [axis, { ...axis, size: 60, values: (_u: uPlot, splits: (number | null)[]) => tickLabels(splits) }],
        series: [
          {},
          ...withKey.map(({ line }): uPlot.Series => ({
            label: line.label,
            spanGaps: true,
            points: { show: false },
            ...(line.archived
              ? { stroke: withAlpha(line.color, line.alpha), width: 1.5, dash: [...line.dash] }
              : { stroke: line.color, width: theme.highContrast ? 2.25 : 1.75 }),
          })),
        ],
      },
      [joined.x, ...joined.ys] as unknown as uPlot.AlignedData,
      body,
    );
    let points = 0;
    for (const w of withKey) points += w.xy.x.length;
    return { key, plot, stats: { key, lines: withKey.length, points, dashed: withKey.filter((w) => w.line.archived).length } };
  }
}
