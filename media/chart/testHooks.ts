// What the chart webview tells and does for tests and diagnostics: a snapshot of what it shows, and user
// actions performed through the same code as the mouse and keyboard (the integration tests reach both
// through the host's inspect and act commands).
import { type MediaCard, ownImages } from './media';
import type { ChartDrawnStats, ChartSnapshot, SystemDrawnStats, ChartViewState, ExportKind, PanelCommand, TestAction, XAxisMode } from '../../src/shared/protocol';

/** What the hooks read and drive of the app. */
export interface Testable {
  readonly viewState: ChartViewState | null;
  /** Keys with a chart in the grid after filtering, in display order. */
  readonly shownKeys: readonly string[];
  readonly legendLabels: readonly string[];
  /** Charts drawn with their latest data, with what they drew. */
  drawnStats(): ChartDrawnStats[];
  /** The System section: shown or not, its box, its charts. */
  systemStats(): { shown: boolean; archived: boolean; charts: SystemDrawnStats[] };
  setSystemArchived(on: boolean): void;
  /** The Media section: shown or not, its cards. */
  mediaStats(): ChartSnapshot['media'];
  mediaCard(key: string): MediaCard | undefined;
  plotWidth(key: string): number | undefined;
  estimateWidth(): number;
  toolbarState(): ChartSnapshot['toolbar'];
  overviewText(): string;
  noticeText(): string;
  whenDrawn(key: string): Promise<void>;
  pickStep(key: string, runId: string, step: number, versionId?: string): boolean;
  hover(key: string, x: number | null): boolean;
  onKey(event: KeyboardEvent): void;
  update(change: Partial<Omit<ChartViewState, 'version'>>): void;
  zoom(min: number, max: number): void;
  resetZoom(): void;
  setXAxis(mode: XAxisMode): void;
  runCommand(command: PanelCommand): void;
  /** The export button (PNG or CSV) on `key`'s card, if the card is laid out. */
  exportButton(key: string, format: ExportKind): HTMLButtonElement | undefined;
}

export function snapshot(app: Testable): ChartSnapshot {
  const state = app.viewState;
  if (!state) throw new Error('the panel has not been initialised');
  const drawn = app.drawnStats();
  return {
    state,
    charts: app.shownKeys,
    drawn,
    legend: app.legendLabels,
    toolbar: app.toolbarState(),
    overviewText: app.overviewText(),
    buckets: drawn.length > 0 ? (app.plotWidth(drawn[0].key) ?? 0) : app.estimateWidth(),
    notice: app.noticeText(),
    // Media cards' own images are made by the webview from host URIs, never from record text.
    injected: [...document.querySelectorAll('img, iframe, object, embed, [onerror], [onload], [onclick]')].filter((n) => !ownImages.has(n)).length,
    system: app.systemStats(),
    media: app.mediaStats(),
  };
}

export async function perform(app: Testable, action: TestAction): Promise<void> {
  switch (action.kind) {
    case 'selectStep':
      await app.whenDrawn(action.key);
      if (!app.pickStep(action.key, action.runId, action.step, action.versionId)) throw new Error(`no line of ${action.runId} on ${action.key}`);
      return;
    case 'hover':
      await app.whenDrawn(action.key);
      if (!app.hover(action.key, action.x)) throw new Error(`no chart of ${action.key}`);
      return;
    case 'key':
      for (let i = 0; i < (action.times ?? 1); i++) app.onKey(new KeyboardEvent('keydown', { key: action.key }));
      return;
    case 'setFilter':
      app.update({ filter: action.filter });
      return;
    case 'zoom':
      app.zoom(action.min, action.max);
      return;
    case 'resetZoom':
      app.resetZoom();
      return;
    case 'setSmoothing':
      app.update({ smoothing: action.smoothing });
      return;
    case 'setLogScale':
      app.update({ logScale: action.logScale });
      return;
    case 'setXAxis':
      app.setXAxis(action.xAxis);
      return;
    case 'toolbar':
      app.runCommand(action.command);
      return;
    case 'exportButton': {
      const button = app.exportButton(action.key, action.format);
      if (!button) throw new Error(`no ${action.format} button on a card of ${action.key}`);
      button.click();
      return;
    }
    case 'setSystemArchived':
      app.setSystemArchived(action.on);
      return;
    case 'mediaSlider': {
      const card = app.mediaCard(action.key);
      if (!card) throw new Error(`no media card of ${action.key}`);
      if (card.slider.disabled || action.index < 0 || action.index > Number(card.slider.max)) throw new Error(`the slider of ${action.key} has no stop ${action.index}`);
      card.slider.value = String(action.index);
      card.slider.dispatchEvent(new Event('input'));
      return;
    }
    case 'openMedia': {
      const open = app.mediaCard(action.key)?.openButton(action.row, action.item);
      if (!open) throw new Error(`no Open button for item ${action.item} of row ${action.row} of ${action.key}`);
      open.click();
      return;
    }
  }
}
