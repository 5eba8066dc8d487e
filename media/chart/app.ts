// The chart panel's webview: holds the view state, asks the host for points chart by chart as charts
// scroll into view, redraws at most once per animation frame, and turns clicks and keys into messages.
import type { MetricKey, RunOverview } from '../../src/core/api';
import {
  type ChartSelection,
  type ChartSnapshot,
  type ChartViewState,
  dispatch,
  type FromWebview,
  isChartViewState,
  isToWebview,
  type LineRequest,
  type MessageHandlers,
  type PanelCommand,
  type TestAction,
  type ToWebview,
  type XAxisMode,
} from '../../src/shared/protocol';
import { ChartView, type ChartSettings } from './chartView';
import { button, clear, el, lineSwatch } from './dom';
import { filterKeys, sectionsOf } from './grid';
import { assignColors, type BranchMark, buildLines, buildMarks, type LineSpec, lineSignature } from './lines';
import { OverviewSection } from './overview';
import { LinePoints } from './series';
import { type ChartTheme, readTheme, watchTheme } from './theme';
import { Toolbar } from './toolbar';

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

type Points = Map<string, LinePoints>;

interface Pending {
  readonly key: string;
  readonly kind: 'full' | 'zoom';
  readonly signature: string;
}

/** Points per line beyond which live appends trigger a fresh downsample (a few per pixel at most). */
const POINTS_PER_BUCKET_LIMIT = 8;
/** Milliseconds of redrawing per animation frame before the remaining redraws wait a frame. */
const FRAME_BUDGET_MS = 6;
/** How long a zoom waits for the host's answer before rescaling the points it has (two frames). */
const ZOOM_FEEDBACK_MS = 32;

export class ChartApp {
  private state: ChartViewState | null = null;
  private runs = new Map<string, RunOverview>();
  private keys: readonly MetricKey[] = [];
  private lines: LineSpec[] = [];
  private marks: BranchMark[] = [];
  private colors = new Map<string, string>();
  private signature = '';
  private readonly full = new Map<string, Points>();
  private readonly zoomed = new Map<string, Points>();
  private readonly views = new Map<string, ChartView>();
  private readonly cards = new Map<string, { card: HTMLElement; body: HTMLElement }>();
  private readonly pending = new Map<number, Pending>();
  private readonly dirty = new Set<string>();
  /** Dirty charts that skip the frame budget: an answer the user waits for (a zoom, new lines). */
  private readonly urgent = new Set<string>();
  /** Charts near the viewport (the IntersectionObserver's margin); the others wait in `offscreen`. */
  private readonly visible = new Set<string>();
  /** Charts whose redraw waits until they scroll back into view. */
  private readonly offscreen = new Set<string>();
  private readonly refetchAt = new Map<string, number>();
  private readonly drawnWaiters = new Map<string, (() => void)[]>();
  private shownKeys: readonly string[] = [];
  private nextRequest = 1;
  private frame = 0;
  private theme: ChartTheme;
  private themeVersion = 0;
  private readonly toolbar: Toolbar;
  private readonly overview: OverviewSection;
  private readonly legend: HTMLElement;
  private readonly overviewSection: HTMLElement;
  private readonly sectionsRoot: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly visibility: IntersectionObserver;
  private markInitialised: () => void = () => undefined;
  /** Resolves when the host's init arrived: requests that need the runs wait for it. */
  private readonly initialised = new Promise<void>((resolve) => {
    this.markInitialised = resolve;
  });

  constructor(
    private readonly vscode: VsCodeApi,
    root: HTMLElement,
  ) {
    this.theme = readTheme();
    this.toolbar = new Toolbar({
      filter: (text) => this.update({ filter: text }),
      smoothing: (value) => this.update({ smoothing: value }),
      logScale: (on) => this.update({ logScale: on }),
      xAxis: (mode) => this.setXAxis(mode),
      command: (command) => this.runCommand(command),
      resetZoom: () => this.resetZoom(),
    });
    this.notice = el('div', { className: 'notice', attrs: { role: 'alert' } });
    this.notice.hidden = true;
    this.legend = el('div', { className: 'legend', attrs: { 'aria-label': 'Lines' } });
    const overviewRoot = el('div', { className: 'overview-cards' });
    this.overview = new OverviewSection(overviewRoot, {
      copy: (text, what) => this.post({ type: 'copy', text, what }),
      openVersion: (runId, versionId) => this.post({ type: 'openVersion', runId, versionId }),
    });
    const overviewSection = this.section('#overview', 'Overview', overviewRoot);
    this.overviewSection = overviewSection;
    this.sectionsRoot = el('div', { className: 'sections' });
    root.append(this.toolbar.root, this.notice, this.legend, overviewSection, this.sectionsRoot);

    this.visibility = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const key = (entry.target as HTMLElement).dataset.key;
        if (key === undefined) continue;
        if (!entry.isIntersecting) {
          this.visible.delete(key);
          continue;
        }
        this.visible.add(key);
        this.ensureChart(key);
        if (this.offscreen.delete(key)) this.markDirty(key);
      }
    }, { rootMargin: '300px' });
    // Only width matters to the charts; heights change with every readout and would re-layout uPlot.
    let observedWidth = 0;
    new ResizeObserver((entries) => {
      const width = Math.round(entries[entries.length - 1].contentRect.width);
      if (width !== observedWidth) {
        observedWidth = width;
        this.onResize();
      }
    }).observe(this.sectionsRoot);
    watchTheme(() => {
      this.theme = readTheme();
      this.themeVersion++;
      this.markAllDirty();
    });
    window.addEventListener('keydown', (e) => this.onKey(e));
    window.addEventListener('scroll', () => this.onScroll(), { passive: true });
    window.addEventListener('message', (e: MessageEvent<unknown>) => {
      if (isToWebview(e.data)) void this.handle(e.data);
    });
    const saved = vscode.getState();
    this.post({ type: 'ready', width: this.estimateWidth(), state: isChartViewState(saved) ? saved : null });
  }

  private readonly handlers: MessageHandlers<ToWebview> = {
    init: (m) => {
      const saved = this.vscode.getState();
      const own = isChartViewState(saved) && saved.folder === m.folder && sameList(saved.runs, m.state.runs) ? saved : null;
      this.state = own ?? m.state;
      this.setRuns(m.runs, m.keys);
      if (m.selection && this.hasRun(m.selection.runId)) {
        this.state = { ...this.state, selection: m.selection };
      } else if (this.state.selection && this.hasRun(this.state.selection.runId)) {
        // Restored after a reload: tell the window (status bar, context key) about it again.
        this.post({ type: 'select', selection: this.state.selection });
      }
      this.saveState();
      this.renderAll();
      this.restoreScroll(this.state.scrollY ?? 0);
      this.markInitialised();
    },
    runs: (m) => this.setRuns(m.runs, m.keys),
    series: (m) => this.onSeries(m),
    append: (m) => {
      for (const item of m.items) {
        const line = this.full.get(item.key)?.get(item.version);
        if (!line) {
          if (this.full.get(item.key)) this.refetch(item.key);
          continue;
        }
        if (line.append(item.steps, item.values, item.times) > 0) {
          this.markDirty(item.key);
          const view = this.views.get(item.key);
          if (view && line.length > POINTS_PER_BUCKET_LIMIT * view.plotWidth) this.refetch(item.key);
        }
      }
      if (m.stale.length > 0) {
        for (const [key, points] of this.full) if (m.stale.some((v) => points.has(v))) this.refetch(key);
      }
    },
    selection: (m) => {
      const selection = m.selection && this.hasRun(m.selection.runId) ? m.selection : null;
      if (!this.state || sameSelection(selection, this.state.selection)) return;
      this.state = { ...this.state, selection };
      this.saveState();
      this.showSelection();
    },
    exportPngRequest: async (m) => {
      await this.initialised;
      await this.whenDrawn(m.key);
      const view = this.views.get(m.key);
      if (view) this.post({ type: 'exportPng', inReplyTo: m.requestId, key: m.key, dataUrl: view.toPng() });
    },
    inspectRequest: async (m) => {
      await this.initialised;
      this.post({ type: 'inspectResult', inReplyTo: m.requestId, snapshot: this.snapshot() });
    },
    testAction: async (m) => {
      try {
        await this.initialised;
        await this.perform(m.action);
        this.post({ type: 'testActionDone', inReplyTo: m.requestId });
      } catch (e) {
        this.post({ type: 'testActionDone', inReplyTo: m.requestId, error: e instanceof Error ? e.message : String(e) });
      }
    },
    notice: (m) => this.showNotice(m.message, m.kind),
  };

  private async handle(message: ToWebview): Promise<void> {
    try {
      await dispatch(this.handlers, message);
    } catch (e) {
      this.post({ type: 'error', message: `${message.type}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` });
    }
  }

  private post(message: FromWebview): void {
    this.vscode.postMessage(message);
  }

  // ---- state ------------------------------------------------------------------------------------

  private update(change: Partial<Omit<ChartViewState, 'version'>>): void {
    if (!this.state) return;
    this.state = { ...this.state, ...change };
    this.saveState();
    if (change.filter !== undefined) this.renderSections();
    if (change.smoothing !== undefined || change.logScale !== undefined) this.markAllDirty();
    this.showToolbar();
  }

  private saveState(): void {
    if (!this.state) return;
    this.vscode.setState(this.state);
    this.post({ type: 'stateChanged', state: this.state });
  }

  private settings(): ChartSettings {
    const state = this.state;
    const startTimes = new Map<string, number>();
    for (const run of this.runs.values()) startTimes.set(run.id, run.createdAt);
    return {
      xAxis: state?.xAxis ?? 'step',
      smoothing: state?.smoothing ?? 0,
      logScale: state?.logScale ?? false,
      zoom: state?.zoom ?? null,
      selection: state?.selection ?? null,
      theme: this.theme,
      themeVersion: this.themeVersion,
      startTimes,
    };
  }

  private hasRun(runId: string): boolean {
    for (const run of this.runs.values()) if (run.id === runId) return true;
    return false;
  }

  private setRuns(runs: readonly RunOverview[], keys: readonly MetricKey[]): void {
    const entries = this.state?.runs ?? [];
    this.runs = new Map();
    runs.forEach((run, i) => this.runs.set(entries[i] ?? run.id, run));
    this.colors = assignColors(entries);
    this.lines = buildLines(entries, this.runs);
    this.marks = buildMarks(entries, this.runs, this.lines);
    const signature = lineSignature(this.lines);
    if (signature !== this.signature) {
      // The lines changed (a rewind, a fork, a new archived version): every chart asks again.
      this.signature = signature;
      this.full.clear();
      this.zoomed.clear();
      for (const key of this.views.keys()) this.request(key);
    }
    const keysChanged = !sameList(this.keys.map((k) => k.key), keys.map((k) => k.key));
    this.keys = keys;
    this.overview.render(runs, this.colors, entries);
    this.renderLegend();
    if (keysChanged && this.state) this.renderSections();
    this.markAllDirty();
    this.showSelection();
  }

  // ---- rendering --------------------------------------------------------------------------------

  private renderAll(): void {
    if (this.overviewSection instanceof HTMLDetailsElement && this.state) {
      this.overviewSection.open = !this.state.collapsed.includes('#overview');
    }
    this.showToolbar();
    this.renderSections();
    this.showSelection();
  }

  private showToolbar(): void {
    const s = this.state;
    if (!s) return;
    this.toolbar.show({ filter: s.filter, smoothing: s.smoothing, logScale: s.logScale, xAxis: s.xAxis, zoomed: s.zoom !== null });
  }

  private showSelection(): void {
    const sel = this.state?.selection ?? null;
    const run = sel ? [...this.runs.values()].find((r) => r.id === sel.runId) : undefined;
    this.toolbar.showSelection(sel, run);
    for (const view of this.views.values()) view.setSettings(this.settings());
  }

  private renderLegend(): void {
    clear(this.legend);
    for (const line of this.lines) {
      this.legend.append(el('span', { className: 'legend-item', title: `${line.runId} · ${line.version}` }, [lineSwatch(line), el('span', { text: line.label })]));
    }
    const hasFork = [...this.runs.values()].some((r) => r.forkedFrom !== null);
    const hasArchived = this.lines.some((l) => l.archived);
    if (hasArchived || hasFork) {
      const hint = [hasArchived ? 'dashed: archived versions (before a rewind), each its own dash, drawn from the rewind step' : '', hasFork ? 'dotted: history inherited from the fork source' : '']
        .filter(Boolean)
        .join(' · ');
      this.legend.append(el('span', { className: 'legend-hint muted', text: hint }));
    }
  }

  private section(id: string, title: string, content: HTMLElement): HTMLElement {
    const collapsed = this.state?.collapsed.includes(id) ?? false;
    const details = el('details', { className: 'section', attrs: collapsed ? {} : { open: '' } }, [
      el('summary', {}, [el('span', { className: 'section-title', text: title })]),
      content,
    ]);
    details.dataset.section = id;
    details.addEventListener('toggle', () => {
      if (!this.state) return;
      const rest = this.state.collapsed.filter((c) => c !== id);
      this.update({ collapsed: details.open ? rest : [...rest, id] });
      if (details.open) this.onResize();
    });
    return details;
  }

  private renderSections(): void {
    const state = this.state;
    if (!state) return;
    const numeric = this.keys.filter((k) => k.numeric).map((k) => k.key);
    const { keys, error } = filterKeys(numeric, state.filter);
    this.toolbar.showFilterError(error ? `Invalid pattern: ${error}` : '');
    this.shownKeys = sectionsOf(keys).flatMap((s) => s.keys);
    clear(this.sectionsRoot);
    if (numeric.length === 0) {
      this.sectionsRoot.append(el('p', { className: 'muted', text: 'No numeric metrics logged yet.' }));
      return;
    }
    if (keys.length === 0) {
      this.sectionsRoot.append(el('p', { className: 'muted', text: `No metric matches “${state.filter}”.` }));
    }
    for (const section of sectionsOf(keys)) {
      const grid = el('div', { className: 'grid' });
      for (const key of section.keys) grid.append(this.cardFor(key).card);
      this.sectionsRoot.append(this.section(section.name, `${section.name} (${section.keys.length})`, grid));
    }
  }

  private cardFor(key: string): { card: HTMLElement; body: HTMLElement } {
    const existing = this.cards.get(key);
    if (existing) return existing;
    const body = el('div', { className: 'card-body' });
    const title = el('h3', { className: 'card-title', text: key, title: key });
    const actions = el('div', { className: 'card-actions' }, [
      button(`Export ${key} as PNG`, () => this.exportPng(key), { className: 'icon-button', text: 'PNG' }),
      button(`Export ${key} data as CSV`, () => this.exportCsv(key), { className: 'icon-button', text: 'CSV' }),
    ]);
    const card = el('div', { className: 'card', attrs: { role: 'figure', 'aria-label': key } }, [el('div', { className: 'card-header' }, [title, actions]), body]);
    card.dataset.key = key;
    const entry = { card, body };
    this.cards.set(key, entry);
    this.visibility.observe(card);
    return entry;
  }

  private ensureChart(key: string): ChartView | undefined {
    const existing = this.views.get(key);
    if (existing) return existing;
    const entry = this.cards.get(key);
    if (!entry || !this.state) return undefined;
    const view = new ChartView(key, entry.body, {
      syncKey: 'runrewind',
      zoom: (min, max) => this.zoom(min, max),
      resetZoom: () => this.resetZoom(),
      select: (selection) => this.select(selection),
    }, entry.body.clientWidth || this.estimateWidth());
    this.views.set(key, view);
    this.request(key);
    return view;
  }

  private markDirty(key: string): void {
    this.dirty.add(key);
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.flush());
  }

  private markAllDirty(): void {
    for (const key of this.views.keys()) this.markDirty(key);
  }

  /**
   * Redraws the charts whose data or settings changed, at most once per frame. Charts drawn for the
   * first time and answers to a query go at once; other redraws of charts already on screen (live
   * growth) share a frame budget (uPlot's own redraw included: ChartView.update batches it) and the
   * rest wait for the next frame, so a burst of appends never makes one long frame.
   */
  private flush(): void {
    this.frame = 0;
    const started = performance.now();
    const settings = this.settings();
    for (const key of [...this.dirty]) {
      const view = this.views.get(key);
      if (view && view.hasPlot && !this.urgent.has(key) && !this.visible.has(key) && !this.drawnWaiters.has(key)) {
        // Scrolled away: redrawn when it comes back into view.
        this.dirty.delete(key);
        this.offscreen.add(key);
        continue;
      }
      if (view && view.hasPlot && !this.urgent.has(key) && performance.now() - started > FRAME_BUDGET_MS) continue;
      this.draw(key, settings);
    }
    if (this.dirty.size > 0) this.frame = requestAnimationFrame(() => this.flush());
  }

  private draw(key: string, settings: ChartSettings): void {
    this.dirty.delete(key);
    this.urgent.delete(key);
    const view = this.views.get(key);
    if (!view) return;
    const zoomedPoints = settings.zoom ? this.zoomed.get(key) : undefined;
    const points = zoomedPoints ?? this.full.get(key);
    view.update(this.lines, points ?? new Map(), this.marks, settings);
    if (points) {
      const waiters = this.drawnWaiters.get(key);
      this.drawnWaiters.delete(key);
      waiters?.forEach((w) => w());
      window.dispatchEvent(new CustomEvent('runrewind:drawn', { detail: key }));
    }
  }

  private whenDrawn(key: string): Promise<void> {
    const view = this.ensureChart(key);
    if (this.offscreen.delete(key)) {
      this.urgent.add(key);
      this.markDirty(key);
    }
    if (view && this.full.has(key) && !this.dirty.has(key)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.drawnWaiters.get(key) ?? [];
      list.push(resolve);
      this.drawnWaiters.set(key, list);
    });
  }

  // ---- data -------------------------------------------------------------------------------------

  /** Asks the host for a chart's lines: the full range, and the zoomed range when zoomed. */
  private request(key: string): void {
    const state = this.state;
    const view = this.views.get(key);
    if (!state || !view) return;
    const withTimes = state.xAxis !== 'step';
    const buckets = view.plotWidth;
    const full: LineRequest[] = this.lines.map((l) => (l.from !== undefined ? { version: l.version, range: { from: l.from } } : { version: l.version }));
    if (!this.full.has(key)) this.query(key, 'full', full, buckets, withTimes);
    if (state.zoom) {
      const zoom = this.zoomRequests(key);
      if (zoom) this.query(key, 'zoom', zoom, buckets, withTimes);
    }
  }

  private query(key: string, kind: 'full' | 'zoom', lines: LineRequest[], buckets: number, withTimes: boolean): void {
    const requestId = this.nextRequest++;
    this.pending.set(requestId, { key, kind, signature: this.requestSignature(kind) });
    this.post({ type: 'query', requestId, key, lines, buckets, withTimes });
  }

  private requestSignature(kind: 'full' | 'zoom'): string {
    const s = this.state;
    const zoom = kind === 'zoom' && s?.zoom ? `${s.zoom.axis}:${s.zoom.min}:${s.zoom.max}` : '';
    return `${this.signature}|${s?.xAxis !== 'step'}|${zoom}`;
  }

  /** Step ranges per line covering the zoom (in time mode through each line's own times). */
  private zoomRequests(key: string): LineRequest[] | null {
    const zoom = this.state?.zoom;
    if (!zoom) return null;
    const pad = (zoom.max - zoom.min) * 0.01;
    const requests: LineRequest[] = [];
    for (const l of this.lines) {
      let from: number;
      let to: number;
      if (zoom.axis === 'step') {
        from = Math.max(0, Math.floor(zoom.min - pad));
        to = Math.max(0, Math.ceil(zoom.max + pad));
      } else {
        const points = this.full.get(key)?.get(l.version);
        if (!points) {
          if (!this.full.has(key)) return null;
          continue;
        }
        const v = points.view();
        const t0 = zoom.axis === 'relative' ? (this.settings().startTimes.get(l.runId) ?? 0) : 0;
        let lo = -1;
        let hi = -1;
        for (let i = 0; i < points.length; i++) {
          const t = (v.times?.[i] ?? NaN) - t0;
          if (t >= zoom.min - pad && lo < 0) lo = Math.max(0, i - 1);
          if (t <= zoom.max + pad) hi = Math.min(points.length - 1, i + 1);
        }
        if (lo < 0 || hi < lo) continue;
        from = v.steps[lo];
        to = v.steps[hi];
      }
      if (l.from !== undefined) from = Math.max(from, l.from);
      if (to >= from) requests.push({ version: l.version, range: { from, to } });
    }
    return requests;
  }

  private onSeries(m: Extract<ToWebview, { type: 'series' }>): void {
    const pending = this.pending.get(m.inReplyTo);
    this.pending.delete(m.inReplyTo);
    if (!pending || pending.signature !== this.requestSignature(pending.kind)) return;
    if (m.error) {
      this.showNotice(`Could not load ${m.key}: ${m.error}`, 'error');
      return;
    }
    const points: Points = new Map();
    for (const line of m.lines) points.set(line.version, new LinePoints(line));
    if (pending.kind === 'full') {
      this.full.set(m.key, points);
      // Time-axis zoom needs the full times first to know which steps to ask for.
      if (this.state?.zoom && this.state.zoom.axis !== 'step' && !this.zoomed.has(m.key)) this.request(m.key);
    } else {
      this.zoomed.set(m.key, points);
      // A zoom's answer for a chart on screen is drawn as it arrives (no wait for the next frame's
      // callback): its frame is then the first one after the answer.
      if (this.views.get(m.key)?.hasPlot) {
        this.draw(m.key, this.settings());
        return;
      }
    }
    this.urgent.add(m.key);
    this.markDirty(m.key);
  }

  private refetch(key: string): void {
    const now = Date.now();
    if ((this.refetchAt.get(key) ?? 0) > now - 1000) return;
    this.refetchAt.set(key, now);
    this.full.delete(key);
    this.zoomed.delete(key);
    this.request(key);
  }

  // ---- interaction ------------------------------------------------------------------------------

  private zoom(min: number, max: number): void {
    const state = this.state;
    if (!state || !(max > min)) return;
    this.update({ zoom: { axis: state.xAxis, min, max } });
    this.zoomed.clear();
    // Ask first, so the host works while we wait. The host's full-resolution answer usually comes
    // within a frame or two: charts whose answer has not come after ZOOM_FEEDBACK_MS are rescaled
    // with the points they have (no re-join) meanwhile. Rescaling at once would rasterise every chart
    // twice and delay the answers' frame (measured: 8 charts, ~10 ms of canvas raster per pass).
    for (const key of this.views.keys()) this.request(key);
    clearTimeout(this.zoomFeedback);
    const zoom = this.state?.zoom;
    this.zoomFeedback = setTimeout(() => {
      if (this.state?.zoom !== zoom) return;
      const settings = this.settings();
      for (const [key, view] of this.views) {
        if (this.zoomed.has(key)) continue;
        view.setSettings(settings);
        view.applyZoom();
      }
    }, ZOOM_FEEDBACK_MS);
  }

  private zoomFeedback: ReturnType<typeof setTimeout> | undefined;

  private resetZoom(): void {
    if (!this.state?.zoom) return;
    this.update({ zoom: null });
    this.zoomed.clear();
    this.markAllDirty();
  }

  private setXAxis(mode: XAxisMode): void {
    const state = this.state;
    if (!state || state.xAxis === mode) return;
    const needTimes = mode !== 'step';
    const hadTimes = state.xAxis !== 'step';
    this.update({ xAxis: mode, zoom: null });
    this.zoomed.clear();
    if (needTimes !== hadTimes) {
      this.full.clear();
      for (const key of this.views.keys()) this.request(key);
    }
    this.markAllDirty();
  }

  private select(selection: ChartSelection): void {
    if (!this.state) return;
    this.state = { ...this.state, selection };
    this.saveState();
    this.showSelection();
    this.post({ type: 'select', selection });
  }

  private runCommand(command: PanelCommand): void {
    this.post({ type: 'runCommand', command });
  }

  private onKey(e: KeyboardEvent): void {
    const target = e.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA')) return;
    if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && this.state?.selection) {
      e.preventDefault();
      this.post({ type: 'moveSelection', direction: e.key === 'ArrowLeft' ? -1 : 1 });
    } else if (e.key === 'Escape' && this.state?.zoom) {
      this.resetZoom();
    }
  }

  private exportPng(key: string): void {
    const view = this.views.get(key);
    if (view) this.post({ type: 'exportPng', inReplyTo: null, key, dataUrl: view.toPng() });
  }

  private exportCsv(key: string): void {
    const lines = this.state?.zoom ? this.zoomRequests(key) : null;
    const full = this.lines.map((l) => (l.from !== undefined ? { version: l.version, range: { from: l.from } } : { version: l.version }));
    this.post({ type: 'exportCsv', key, lines: lines ?? full });
  }

  private showNotice(message: string, kind: 'info' | 'error'): void {
    this.notice.textContent = message;
    this.notice.className = `notice ${kind}`;
    this.notice.hidden = false;
    setTimeout(() => {
      if (this.notice.textContent === message) this.notice.hidden = true;
    }, 8000);
  }

  private estimateWidth(): number {
    const width = Math.max(200, document.body.clientWidth - 32);
    const columns = Math.max(1, Math.floor((width + 12) / 452));
    return Math.floor((width - (columns - 1) * 12) / columns) - 2;
  }

  private resizeTimer: ReturnType<typeof setTimeout> | undefined;
  private scrollTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set while the saved scroll position is being put back: the scroll events that causes are not news. */
  private restoringScroll = false;

  /**
   * Keeps the scroll position in the webview state (not sent to the host: it changes too often to be
   * worth a message), so a tab shown again, whose webview VS Code rebuilt, opens where it was left.
   */
  private onScroll(): void {
    if (this.restoringScroll) return;
    clearTimeout(this.scrollTimer);
    this.scrollTimer = setTimeout(() => {
      if (!this.state || this.restoringScroll) return;
      const scrollY = Math.max(0, Math.round(window.scrollY));
      if (scrollY === (this.state.scrollY ?? 0)) return;
      this.state = { ...this.state, scrollY };
      this.vscode.setState(this.state);
    }, 150);
  }

  private restoreScroll(y: number): void {
    if (y <= 0) return;
    this.restoringScroll = true;
    // After the layout of the sections just rendered (cards have their height before their data).
    requestAnimationFrame(() => {
      window.scrollTo(0, y);
      requestAnimationFrame(() => {
        this.restoringScroll = false;
      });
    });
  }

  private onResize(): void {
    clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(() => {
      for (const [key, view] of this.views) {
        const body = this.cards.get(key)?.body;
        if (!body || body.clientWidth === 0) continue;
        const before = view.plotWidth;
        view.resize(body.clientWidth);
        if (view.plotWidth > before * 1.3) this.refetch(key);
      }
    }, 100);
  }

  // ---- tests and diagnostics --------------------------------------------------------------------

  private snapshot(): ChartSnapshot {
    const state = this.state;
    if (!state) throw new Error('the panel has not been initialised');
    const drawn = [...this.views].filter(([key]) => this.full.has(key) && !this.dirty.has(key) && !this.offscreen.has(key)).map(([key, view]) => ({ key, ...view.stats() }));
    return {
      state,
      charts: this.shownKeys,
      drawn,
      legend: this.lines.map((l) => l.label),
      toolbar: this.toolbar.describe(),
      overviewText: this.overview.text(),
      buckets: drawn.length > 0 ? (this.views.get(drawn[0].key)?.plotWidth ?? 0) : this.estimateWidth(),
      notice: this.notice.hidden ? '' : (this.notice.textContent ?? ''),
      injected: document.querySelectorAll('img, iframe, object, embed, [onerror], [onload], [onclick]').length,
    };
  }

  private async perform(action: TestAction): Promise<void> {
    switch (action.kind) {
      case 'selectStep': {
        await this.whenDrawn(action.key);
        const view = this.views.get(action.key);
        if (!view || !view.pickStep(action.runId, action.step, action.versionId)) throw new Error(`no line of ${action.runId} on ${action.key}`);
        return;
      }
      case 'hover': {
        await this.whenDrawn(action.key);
        const view = this.views.get(action.key);
        if (!view) throw new Error(`no chart of ${action.key}`);
        view.hover(action.x);
        return;
      }
      case 'key':
        this.onKey(new KeyboardEvent('keydown', { key: action.key }));
        return;
      case 'setFilter':
        this.update({ filter: action.filter });
        return;
      case 'zoom':
        this.zoom(action.min, action.max);
        return;
      case 'resetZoom':
        this.resetZoom();
        return;
      case 'setSmoothing':
        this.update({ smoothing: action.smoothing });
        return;
      case 'setLogScale':
        this.update({ logScale: action.logScale });
        return;
      case 'setXAxis':
        this.setXAxis(action.xAxis);
        return;
      case 'toolbar':
        this.runCommand(action.command);
        return;
    }
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameSelection(a: ChartSelection | null, b: ChartSelection | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.runId === b.runId && a.versionId === b.versionId && a.step === b.step;
}
