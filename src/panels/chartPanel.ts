// The chart panel's lifecycle and plumbing: one webview panel showing one or more runs of one folder
// store — creating, revealing and reviving panels, the webview's HTML, posting and validating messages,
// and the host's requests to the webview with their replies (a PNG, an export's lines, a snapshot, a
// test action). What the messages mean lives in ./chartMessages (ChartSession).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../dispose';
import type { ComponentLogger } from '../logger';
import type { FolderStore, Services } from '../services';
import { PendingReplies } from '../shared/rpc';
import {
  CHART_VIEW_TYPE,
  type ChartSnapshot,
  type ChartViewState,
  defaultViewState,
  dispatch,
  type ExportKind,
  type FromWebview,
  isFromWebview,
  type LineRequest,
  type MessageHandlers,
  type TestAction,
  type ToWebview,
  type WebviewReply,
} from '../shared/protocol';
import { exportChart } from './chartExport';
import { chartHtml, webviewRoot } from './chartHtml';
import { ChartSession, type ChartPanelPort } from './chartMessages';

const REQUEST_TIMEOUT_MS = 30_000;

export class ChartPanel extends Disposable implements ChartPanelPort {
  private static readonly open = new Set<ChartPanel>();
  private static lastActive: ChartPanel | undefined;

  /** The chart panel the user looked at last (the target of the export commands). */
  static get active(): ChartPanel | undefined {
    return ChartPanel.lastActive;
  }

  static get all(): readonly ChartPanel[] {
    return [...ChartPanel.open];
  }

  /** Shows the panel for exactly these runs of this folder, creating it when there is none. */
  static createOrShow(services: Services, folder: FolderStore, entries: readonly string[]): ChartPanel {
    const existing = [...ChartPanel.open].find((p) => p.folder.key === folder.key && sameSet(p.shownEntries, entries));
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(CHART_VIEW_TYPE, vscode.l10n.t('Charts'), vscode.ViewColumn.Active, webviewOptions(services, folder));
    return new ChartPanel(panel, services, folder, defaultViewState(folder.key, entries));
  }

  /** Takes over a panel VS Code restored after a reload, with the state its webview saved. */
  static revive(panel: vscode.WebviewPanel, services: Services, folder: FolderStore, state: ChartViewState): ChartPanel {
    panel.webview.options = webviewOptions(services, folder);
    return new ChartPanel(panel, services, folder, state);
  }

  readonly log: ComponentLogger;
  private readonly session: ChartSession;
  private readonly requests = new PendingReplies({ timeoutMs: REQUEST_TIMEOUT_MS, timeoutMessage: 'the chart panel did not answer' });
  /** The webview said it is ready: posting makes sense. */
  private ready = false;
  /** The webview has its init: requests sent earlier would reach a panel with no runs. */
  private initialised = false;
  private initWaiters: (() => void)[] = [];

  private constructor(
    readonly panel: vscode.WebviewPanel,
    readonly services: Services,
    readonly folder: FolderStore,
    state: ChartViewState,
  ) {
    super();
    this.log = services.logger.for('charts');
    this.session = new ChartSession(this, state);
    this.handlers = this.handlersFor(this.session);
    ChartPanel.open.add(this);
    ChartPanel.lastActive = this;
    panel.webview.html = chartHtml(panel.webview, services.extensionUri);
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) ChartPanel.lastActive = this;
      }),
    );
    this._register(panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)));
    this._register(
      folder.onDidChangeRuns((e) => {
        if (this.ready && (e.reason !== 'ingest' || this.session.shows(e.changedRuns))) void this.session.refresh();
      }),
    );
    this._register(services.selection.onDidChange((s) => this.post({ type: 'selection', selection: this.session.toChartSelection(s) })));
  }

  /** Run ids (or version ids) this panel shows. */
  get shownEntries(): readonly string[] {
    return this.session.entries;
  }

  get state(): ChartViewState {
    return this.session.state;
  }

  /** Metric keys the panel can chart. */
  get metricKeys(): readonly string[] {
    return this.session.metricKeys;
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    ChartPanel.open.delete(this);
    if (ChartPanel.lastActive === this) ChartPanel.lastActive = [...ChartPanel.open].pop();
    this.requests.rejectAll(new Error('the chart panel was closed'));
    super.dispose();
    this.panel.dispose();
  }

  // ---- ChartPanelPort -----------------------------------------------------------------------------

  post(message: ToWebview): void {
    if (this.ready && !this.isDisposed) void this.panel.webview.postMessage(message);
  }

  setTitle(title: string): void {
    this.panel.title = title;
  }

  openVersion(versionId: string): void {
    ChartPanel.createOrShow(this.services, this.folder, [versionId]);
  }

  async exportChart(kind: ExportKind, key: string): Promise<void> {
    await exportChart(this, kind, key, undefined);
  }

  mediaUri(file: string): string {
    return this.panel.webview.asWebviewUri(vscode.Uri.file(file)).toString();
  }

  // ---- requests to the webview (export commands, tests) ------------------------------------------

  /** Asks the webview for what it shows (tests, diagnostics). */
  inspect(): Promise<ChartSnapshot> {
    return this.request((requestId) => ({ type: 'inspectRequest', requestId }));
  }

  /** Performs a user action in the webview through the same code as the mouse and keyboard. */
  async perform(action: TestAction): Promise<void> {
    const error = await this.request<string | undefined>((requestId) => ({ type: 'testAction', requestId, action }));
    if (error) throw new Error(error);
  }

  /** The chart of `key` as a PNG data URL, drawn by the webview. */
  png(key: string): Promise<string> {
    return this.request((requestId) => ({ type: 'exportPngRequest', requestId, key }));
  }

  /** The lines an export of `key` covers, as the webview shows them (its zoom included). */
  exportLines(key: string): Promise<readonly LineRequest[]> {
    return this.request((requestId) => ({ type: 'exportLinesRequest', requestId, key }));
  }

  /** The data of `key`'s chart at full resolution, one column per line of `lines`. */
  csv(key: string, lines: readonly LineRequest[]): Promise<string> {
    return this.session.csv(key, lines);
  }

  private request<T>(make: (requestId: number) => ToWebview): Promise<T> {
    return this.requests.request<T>((requestId) => {
      const send = (): void => this.post(make(requestId));
      if (this.initialised) send();
      else this.initWaiters.push(send);
    });
  }

  // ---- messages from the webview ------------------------------------------------------------------

  private receive(message: unknown): void {
    if (!isFromWebview(message)) {
      this.log.warn(`ignored a malformed message from the chart webview: ${preview(message)}`);
      return;
    }
    Promise.resolve(dispatch(this.handlers, message)).catch((e: unknown) => {
      const error = e instanceof Error ? e : new Error(String(e));
      this.log.error(error);
      this.post({ type: 'notice', kind: 'error', message: error.message });
    });
  }

  /** Replies settle the host's requests; an `error` in one rejects it. */
  private readonly replies: MessageHandlers<WebviewReply> = {
    exportPngResult: (m) => this.answer(m.inReplyTo, m.dataUrl, m.error),
    exportLinesResult: (m) => this.answer(m.inReplyTo, m.lines, m.error),
    inspectResult: (m) => this.answer(m.inReplyTo, m.snapshot),
    testActionDone: (m) => this.answer(m.inReplyTo, m.error),
  };

  /** Built in the constructor, once the session whose handlers it spreads exists. */
  private readonly handlers: MessageHandlers<FromWebview>;

  private handlersFor(session: ChartSession): MessageHandlers<FromWebview> {
    return {
      ...session.handlers,
      ...this.replies,
      ready: async (m) => {
        // A webview that was hidden and shown again (or reloaded) starts over: a fresh init.
        this.ready = true;
        this.initialised = false;
        await session.handlers.ready(m);
        this.initialised = true;
        for (const send of this.initWaiters.splice(0)) send();
      },
    };
  }

  private answer(requestId: number, value: unknown, error?: string): void {
    if (error) this.requests.reject(requestId, new Error(error));
    else this.requests.settle(requestId, value);
  }
}

/** Scripts on; files from the extension's webview bundle and the folder's media/ folder only (images of media cards). */
function webviewOptions(services: Services, folder: FolderStore): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: [webviewRoot(services.extensionUri), vscode.Uri.file(path.join(folder.logDir, 'media'))] };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** A short text of a malformed message, for the log. */
function preview(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return typeof value;
  }
}
