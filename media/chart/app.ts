// The chart panel's webview: holds the view state, answers the host's messages, renders the toolbar,
// legend, overview and the grid of charts, and turns clicks and keys into state changes and messages.
// Its jobs each have a module: points and queries (./data), when to redraw (./frames), which steps a
// zoom covers (./zoom), exports (./exports), tests' snapshot and actions (./testHooks), the scroll
// position (./scroll), the cards and sections (./sections), one chart (./chartView), media (./media). What stays here is
// one thing — the view state and the host's messages, where every module's callbacks meet — which is
// why it is a little over the usual length. It imports only src/shared from the extension.
import {
  type ChartDrawnStats,
  type ChartSelection,
  type ChartSnapshot,
  type ChartViewState,
  dispatch,
  type FromWebview,
  isChartViewState,
  isToWebview,
  type MessageHandlers,
  type MetricKey,
  type PanelCommand,
  type RunOverview,
  type SystemDrawnStats,
  type ToWebview,
  type XAxisMode,
} from '../../src/shared/protocol';
import { ChartView, type ChartSettings } from './chartView';
import { ChartData } from './data';
import { el } from './dom';
import { exportLines, exportPng } from './exports';
import { FrameScheduler } from './frames';
import { PanelLines } from './lines';
import { MediaCard, MediaSection } from './media';
import { OverviewSection } from './overview';
import { Notice } from './notice';
import { ScrollKeeper } from './scroll';
import { renderLegend, Sections } from './sections';
import { SystemSection } from './system';
import { perform, snapshot, type Testable } from './testHooks';
import { type ChartTheme, readTheme, watchTheme } from './theme';
import { Toolbar } from './toolbar';

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/** How long a zoom waits for the host's answer before rescaling the points it has (two frames). */
const ZOOM_FEEDBACK_MS = 32;

export class ChartApp implements Testable {
  private state: ChartViewState | null = null;
  private readonly drawn = new PanelLines();
  private keys: readonly MetricKey[] = [];
  private readonly views = new Map<string, ChartView>();
  shownKeys: readonly string[] = [];
  private theme: ChartTheme;
  private themeVersion = 0;
  private readonly data: ChartData;
  private readonly frames: FrameScheduler;
  private readonly scroll: ScrollKeeper;
  private readonly toolbar: Toolbar;
  private readonly overview: OverviewSection;
  private readonly legend: HTMLElement;
  private readonly overviewSection: HTMLDetailsElement;
  private readonly sections: Sections;
  private readonly notice = new Notice();
  private readonly system: SystemSection;
  private readonly media: MediaSection;
  /** The latest systemQuery: older answers are dropped (the runs changed since). */
  private systemRequest = 0;
  private zoomFeedback: ReturnType<typeof setTimeout> | undefined;
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
    this.data = new ChartData({
      view: () => this.state,
      lines: () => this.drawn.lines,
      linesSignature: () => this.drawn.signature,
      plotWidth: (key) => this.views.get(key)?.plotWidth,
      startTimes: () => this.drawn.startTimes(),
      postQuery: (requestId, key, lines, buckets, withTimes) => this.post({ type: 'query', requestId, key, lines, buckets, withTimes }),
      loaded: (key, kind) => {
        // A zoom's answer for a chart on screen is drawn as it arrives (no wait for the next frame's
        // callback): its frame is then the first one after the answer.
        if (kind === 'zoom' && this.views.get(key)?.hasPlot) this.frames.drawNow(key);
        else this.frames.markDirty(key, true);
      },
      failed: (key, error) => this.showNotice(`Could not load ${key}: ${error}`, 'error'),
    });
    this.frames = new FrameScheduler({
      hasPlot: (key) => this.views.get(key)?.hasPlot ?? false,
      frame: () => {
        const settings = this.settings();
        return (key) => this.draw(key, settings);
      },
    });
    this.scroll = new ScrollKeeper((scrollY) => {
      if (!this.state || scrollY === (this.state.scrollY ?? 0)) return;
      // Kept in the webview state only: it changes too often to be worth a message to the host.
      this.state = { ...this.state, scrollY };
      this.vscode.setState(this.state);
    });
    this.toolbar = new Toolbar({
      filter: (text) => this.update({ filter: text }),
      smoothing: (value) => this.update({ smoothing: value }),
      logScale: (on) => this.update({ logScale: on }),
      xAxis: (mode) => this.setXAxis(mode),
      command: (command) => this.runCommand(command),
      resetZoom: () => this.resetZoom(),
    });
    this.legend = el('div', { className: 'legend', attrs: { 'aria-label': 'Lines' } });
    const overviewRoot = el('div', { className: 'overview-cards' });
    this.overview = new OverviewSection(overviewRoot, {
      copy: (text, what) => this.post({ type: 'copy', text, what }),
      openVersion: (runId, versionId) => this.post({ type: 'openVersion', runId, versionId }),
      compareWithSource: (versionId) => this.post({ type: 'compareWithSource', versionId }),
    });
    this.sections = new Sections(el('div', { className: 'sections' }), {
      toggled: (id, open) => {
        if (!this.state) return;
        const rest = this.state.collapsed.filter((c) => c !== id);
        this.update({ collapsed: open ? rest : [...rest, id] });
        if (open) this.sections.resizedSoon();
      },
      visible: (key, visible) => {
        if (visible) this.ensureChart(key);
        this.frames.setVisible(key, visible);
      },
      export: (kind, key) => this.post({ type: 'export', kind, key }),
      resized: () => this.onResize(),
    });
    this.overviewSection = this.sections.section('#overview', 'Overview', overviewRoot, false);
    const systemContent = el('div', { className: 'system' });
    this.system = new SystemSection(this.sections.section('#system', 'System', systemContent, false), systemContent, {
      archivedChanged: (on) => {
        this.update({ systemArchived: on });
        this.renderSystem();
      },
    });
    const mediaContent = el('div', { className: 'media' });
    this.media = new MediaSection(this.sections.section('#media', 'Media', mediaContent, false), mediaContent, {
      queryKeys: (requestId, versions) => this.post({ type: 'mediaKeysQuery', requestId, versions }),
      query: (requestId, key, step, versions) => this.post({ type: 'mediaQuery', requestId, key, step, versions }),
      select: (step, version) => this.selectStep(step, version),
      open: (version, key, step, index) => this.post({ type: 'openMedia', version, key, step, index }),
    });
    root.append(this.toolbar.root, this.notice.root, this.legend, this.overviewSection, this.sections.root, this.media.details, this.system.details);
    watchTheme(() => {
      this.theme = readTheme();
      this.themeVersion++;
      this.frames.markAllDirty(this.views.keys());
      this.renderSystem();
    });
    window.addEventListener('keydown', (e) => this.onKey(e));
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
      this.scroll.restore(this.state.scrollY ?? 0);
      this.markInitialised();
    },
    runs: (m) => this.setRuns(m.runs, m.keys),
    series: (m) => {
      this.data.replies.settle(m.inReplyTo, m);
    },
    system: (m) => {
      if (m.inReplyTo !== this.systemRequest) return;
      if (m.error !== undefined) {
        this.showNotice(`Could not load the system metrics: ${m.error}`, 'error');
        return;
      }
      this.system.setMetrics(m.metrics);
      this.renderSystem();
    },
    mediaKeys: (m) => {
      if (m.error !== undefined) this.showNotice(`Could not load the media keys: ${m.error}`, 'error');
      else this.media.setKeys(m.inReplyTo, m.keys);
    },
    media: (m) => this.media.setRows(m.inReplyTo, m.key, m.rows, m.error),
    append: (m) => {
      for (const key of this.data.append(m.items, m.stale)) this.frames.markDirty(key);
    },
    selection: (m) => {
      const selection = m.selection && this.hasRun(m.selection.runId) ? m.selection : null;
      if (!this.state || sameSelection(selection, this.state.selection)) return;
      this.state = { ...this.state, selection };
      this.saveState();
      this.showSelection();
    },
    exportPngRequest: (m) =>
      this.answer(
        async () => ({ type: 'exportPngResult', inReplyTo: m.requestId, dataUrl: await exportPng(this.exportHost, m.key) }),
        (error) => ({ type: 'exportPngResult', inReplyTo: m.requestId, dataUrl: '', error }),
      ),
    exportLinesRequest: (m) =>
      this.answer(
        async () => ({ type: 'exportLinesResult', inReplyTo: m.requestId, lines: await exportLines(this.exportHost, m.key) }),
        (error) => ({ type: 'exportLinesResult', inReplyTo: m.requestId, lines: [], error }),
      ),
    inspectRequest: (m) => this.answer(async () => ({ type: 'inspectResult', inReplyTo: m.requestId, snapshot: snapshot(this) })),
    testAction: (m) =>
      this.answer(
        async () => {
          await perform(this, m.action);
          return { type: 'testActionDone', inReplyTo: m.requestId };
        },
        (error) => ({ type: 'testActionDone', inReplyTo: m.requestId, error }),
      ),
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

  /** Answers a request of the host once the init came: with `work`'s reply, or `failure`'s naming what went wrong. */
  private async answer(work: () => Promise<FromWebview>, failure?: (error: string) => FromWebview): Promise<void> {
    await this.initialised;
    let reply: FromWebview;
    try {
      reply = await work();
    } catch (e) {
      if (!failure) throw e;
      reply = failure(e instanceof Error ? e.message : String(e));
    }
    this.post(reply);
  }

  private readonly exportHost = {
    whenDrawn: (key: string) => this.whenDrawn(key),
    toPng: (key: string) => this.views.get(key)?.toPng(),
    zoom: () => this.state?.zoom ?? null,
    lines: () => this.drawn.lines,
    fullPoints: (key: string) => this.data.fullPoints(key),
    startTimes: () => this.drawn.startTimes(),
  };

  // ---- state ------------------------------------------------------------------------------------

  get viewState(): ChartViewState | null {
    return this.state;
  }

  update(change: Partial<Omit<ChartViewState, 'version'>>): void {
    if (!this.state) return;
    this.state = { ...this.state, ...change };
    this.saveState();
    if (change.filter !== undefined) this.renderSections();
    if (change.smoothing !== undefined || change.logScale !== undefined) this.frames.markAllDirty(this.views.keys());
    this.showToolbar();
  }

  private saveState(): void {
    if (!this.state) return;
    this.vscode.setState(this.state);
    this.post({ type: 'stateChanged', state: this.state });
  }

  private settings(): ChartSettings {
    const state = this.state;
    return {
      xAxis: state?.xAxis ?? 'step',
      smoothing: state?.smoothing ?? 0,
      logScale: state?.logScale ?? false,
      zoom: state?.zoom ?? null,
      selection: state?.selection ?? null,
      theme: this.theme,
      themeVersion: this.themeVersion,
      startTimes: this.drawn.startTimes(),
    };
  }

  private hasRun(runId: string): boolean {
    return this.drawn.run(runId) !== undefined;
  }

  private setRuns(runs: readonly RunOverview[], keys: readonly MetricKey[]): void {
    const entries = this.state?.runs ?? [];
    if (this.drawn.set(entries, runs)) {
      // The lines changed (a rewind, a fork, a new archived version): every chart asks again.
      this.data.clear();
      for (const key of this.views.keys()) this.data.request(key);
    }
    const keysChanged = !sameList(this.keys.map((k) => k.key), keys.map((k) => k.key));
    this.keys = keys;
    this.overview.render(runs, this.drawn.colors, entries);
    this.renderLegend();
    if (keysChanged && this.state) this.renderSections();
    this.frames.markAllDirty(this.views.keys());
    this.showSelection();
    this.media.update(this.drawn.lines, this.state?.selection ?? null, true);
    this.querySystem();
  }

  /**
   * Asks for the system samples of every line's version (archived ones too, so the box needs no
   * round trip). Called whenever the host sends the runs — after a store change as well — which keeps
   * the section growing with a live run.
   */
  private querySystem(): void {
    const versions = [...new Set(this.drawn.lines.map((l) => l.version))];
    this.systemRequest++;
    this.post({ type: 'systemQuery', requestId: this.systemRequest, versions });
  }

  private renderSystem(): void {
    this.system.render(this.drawn.lines, this.state?.systemArchived ?? false, this.theme, this.estimateWidth());
  }

  // ---- rendering --------------------------------------------------------------------------------

  private renderAll(): void {
    if (this.state) {
      this.overviewSection.open = !this.state.collapsed.includes('#overview');
      this.system.details.open = !this.state.collapsed.includes('#system');
      this.media.details.open = !this.state.collapsed.includes('#media');
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
    const run = sel ? this.drawn.run(sel.runId) : undefined;
    this.toolbar.showSelection(sel, run);
    for (const view of this.views.values()) view.setSettings(this.settings());
    this.media.update(this.drawn.lines, sel, false);
  }

  private renderLegend(): void {
    renderLegend(this.legend, this.drawn.lines, this.drawn.runs.values());
  }

  private renderSections(): void {
    const state = this.state;
    if (!state) return;
    const numeric = this.keys.filter((k) => k.numeric).map((k) => k.key);
    const { shown, filterError } = this.sections.render(numeric, state.filter, state.collapsed);
    this.toolbar.showFilterError(filterError ? `Invalid pattern: ${filterError}` : '');
    this.shownKeys = shown;
  }

  private ensureChart(key: string): ChartView | undefined {
    const existing = this.views.get(key);
    if (existing) return existing;
    const entry = this.sections.card(key);
    if (!entry || !this.state) return undefined;
    const view = new ChartView(key, entry.body, {
      syncKey: 'runrewind',
      zoom: (min, max) => this.zoom(min, max),
      resetZoom: () => this.resetZoom(),
      select: (selection) => this.select(selection),
    }, entry.body.clientWidth || this.estimateWidth());
    this.views.set(key, view);
    this.data.request(key);
    return view;
  }

  /** Draws `key` with `settings`; true when it drew data (not only "Loading…"). */
  private draw(key: string, settings: ChartSettings): boolean {
    const view = this.views.get(key);
    if (!view) return false;
    const points = this.data.points(key, settings.zoom !== null);
    view.update(this.drawn.lines, points ?? new Map(), this.drawn.marks, settings);
    return points !== undefined;
  }

  whenDrawn(key: string): Promise<void> {
    const view = this.ensureChart(key);
    if (!view) return Promise.reject(new Error(`there is no chart of ${key} in the grid (is it filtered out?)`));
    return this.frames.whenDrawn(key, this.data.hasFull(key));
  }

  // ---- interaction ------------------------------------------------------------------------------

  zoom(min: number, max: number): void {
    const state = this.state;
    if (!state || !(max > min)) return;
    this.update({ zoom: { axis: state.xAxis, min, max } });
    this.data.clear(true);
    // Ask first, so the host works while we wait. The host's full-resolution answer usually comes
    // within a frame or two: charts whose answer has not come after ZOOM_FEEDBACK_MS are rescaled
    // with the points they have (no re-join) meanwhile. Rescaling at once would rasterise every chart
    // twice and delay the answers' frame (measured: 8 charts, ~10 ms of canvas raster per pass).
    for (const key of this.views.keys()) this.data.request(key);
    clearTimeout(this.zoomFeedback);
    const zoom = this.state?.zoom;
    this.zoomFeedback = setTimeout(() => {
      if (this.state?.zoom !== zoom) return;
      const settings = this.settings();
      for (const [key, view] of this.views) {
        if (this.data.hasZoomed(key)) continue;
        view.setSettings(settings);
        view.applyZoom();
      }
    }, ZOOM_FEEDBACK_MS);
  }

  resetZoom(): void {
    if (!this.state?.zoom) return;
    this.update({ zoom: null });
    this.data.clear(true);
    this.frames.markAllDirty(this.views.keys());
  }

  setXAxis(mode: XAxisMode): void {
    const state = this.state;
    if (!state || state.xAxis === mode) return;
    const needTimes = mode !== 'step';
    const hadTimes = state.xAxis !== 'step';
    this.update({ xAxis: mode, zoom: null });
    this.data.clear(needTimes === hadTimes);
    if (needTimes !== hadTimes) for (const key of this.views.keys()) this.data.request(key);
    this.frames.markAllDirty(this.views.keys());
  }

  private select(selection: ChartSelection): void {
    if (!this.state) return;
    this.state = { ...this.state, selection };
    this.saveState();
    this.showSelection();
    this.post({ type: 'select', selection });
  }

  /** A media slider moved: the selected run's version at `step`, else the run of the card's first row. */
  private selectStep(step: number, version: string): void {
    const sel = this.state?.selection;
    if (sel && this.hasRun(sel.runId)) {
      this.select({ ...sel, step });
      return;
    }
    const line = this.drawn.lines.find((l) => l.version === version);
    if (line) this.select({ runId: line.runId, versionId: line.version, step });
  }

  runCommand(command: PanelCommand): void {
    this.post({ type: 'runCommand', command });
  }

  onKey(e: KeyboardEvent): void {
    const target = e.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA')) return;
    if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && this.state?.selection) {
      e.preventDefault();
      this.post({ type: 'moveSelection', direction: e.key === 'ArrowLeft' ? -1 : 1 });
    } else if (e.key === 'Escape' && this.state?.zoom) {
      this.resetZoom();
    }
  }

  private showNotice(message: string, kind: 'info' | 'error'): void {
    this.notice.show(message, kind);
  }

  estimateWidth(): number {
    return this.sections.estimateWidth();
  }

  /** Charts take their card's new width; one grown by a third asks for more points. */
  private onResize(): void {
    this.system.resize(this.estimateWidth());
    for (const [key, view] of this.views) {
      const body = this.sections.card(key)?.body;
      if (!body || body.clientWidth === 0) continue;
      const before = view.plotWidth;
      view.resize(body.clientWidth);
      if (view.plotWidth > before * 1.3) this.data.refetch(key);
    }
  }

  // ---- Testable (the rest of it) ----------------------------------------------------------------

  get legendLabels(): readonly string[] {
    return this.drawn.lines.map((l) => l.label);
  }

  drawnStats(): ChartDrawnStats[] {
    return [...this.views].filter(([key]) => this.data.hasFull(key) && this.frames.isSettled(key)).map(([key, view]) => ({ key, ...view.stats() }));
  }

  systemStats(): { shown: boolean; archived: boolean; charts: SystemDrawnStats[] } {
    return { shown: this.system.shown, archived: this.system.checkbox.checked, charts: this.system.stats() };
  }

  /** Ticks or clears the System section's box as a click does (a click on a hidden section does nothing). */
  setSystemArchived(on: boolean): void {
    if (!this.system.shown) throw new Error('the System section is not shown');
    if (this.system.checkbox.checked !== on) this.system.checkbox.click();
  }

  mediaStats(): ChartSnapshot['media'] {
    return { shown: this.media.isShown, cards: this.media.stats(), keysAsked: this.media.keysAsked };
  }

  mediaCard(key: string): MediaCard | undefined {
    return this.media.card(key);
  }

  plotWidth(key: string): number | undefined {
    return this.views.get(key)?.plotWidth;
  }

  toolbarState(): ReturnType<Toolbar['describe']> {
    return this.toolbar.describe();
  }

  overviewText(): string {
    return this.overview.text();
  }

  noticeText(): string {
    return this.notice.text();
  }

  pickStep(key: string, runId: string, step: number, versionId?: string): boolean {
    return this.views.get(key)?.pickStep(runId, step, versionId) ?? false;
  }

  exportButton(key: string, format: 'png' | 'csv'): HTMLButtonElement | undefined {
    return this.sections.card(key)?.card.querySelector<HTMLButtonElement>(`button[data-export="${format}"]`) ?? undefined;
  }

  hover(key: string, x: number | null): boolean {
    const view = this.views.get(key);
    view?.hover(x);
    return view !== undefined;
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
