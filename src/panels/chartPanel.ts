// The chart panel's host side: one webview panel showing one or more runs of one folder store. It answers
// the webview's queries from the store, pushes live appends, relays the picked step to the window's
// StepSelection, runs the Selected Step commands, copies, opens sources and saves exports.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunOverview, StoreApi } from '../core/api';
import { CommandId } from '../ids';
import type { ComponentLogger } from '../logger';
import type { SelectedStep } from '../selection';
import type { FolderStore, Services } from '../services';
import { labelText } from '../userText';
import {
  CHART_VIEW_TYPE,
  type ChartSelection,
  type ChartSnapshot,
  type ChartViewState,
  defaultViewState,
  dispatch,
  type FromWebview,
  isFromWebview,
  type LineRequest,
  type MessageHandlers,
  type TestAction,
  type ToWebview,
} from '../shared/protocol';
import { appendsSince, keysOf, queryLines, toCsv, versionsOf } from './chartData';
import { chartHtml, webviewRoot } from './chartHtml';

interface Waiter {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

const REQUEST_TIMEOUT_MS = 30_000;

export class ChartPanel implements vscode.Disposable {
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
    const existing = [...ChartPanel.open].find((p) => p.folder.key === folder.key && sameSet(p.entries, entries));
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(CHART_VIEW_TYPE, vscode.l10n.t('Charts'), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [webviewRoot(services.extensionUri)],
    });
    return new ChartPanel(panel, services, folder, defaultViewState(folder.key, entries));
  }

  /** Takes over a panel VS Code restored after a reload, with the state its webview saved. */
  static revive(panel: vscode.WebviewPanel, services: Services, folder: FolderStore, state: ChartViewState): ChartPanel {
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot(services.extensionUri)] };
    return new ChartPanel(panel, services, folder, state);
  }

  private readonly disposables: vscode.Disposable[] = [];
  private readonly log: ComponentLogger;
  private entries: string[];
  private viewState: ChartViewState;
  private runs: RunOverview[] = [];
  private versions = new Set<string>();
  private keys: string[] = [];
  private ready = false;
  private refreshing = false;
  private refreshAgain = false;
  /** Per run: the live version and the last step already sent, for live appends. */
  private readonly sent = new Map<string, { version: string; step: number }>();
  private readonly waiters = new Map<number, Waiter>();
  private nextRequest = 1;
  private disposed = false;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly services: Services,
    readonly folder: FolderStore,
    state: ChartViewState,
  ) {
    this.log = services.logger.for('charts');
    this.entries = [...state.runs];
    this.viewState = state;
    ChartPanel.open.add(this);
    ChartPanel.lastActive = this;
    panel.webview.html = chartHtml(panel.webview, services.extensionUri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) ChartPanel.lastActive = this;
      }),
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      folder.onDidChangeRuns((e) => {
        if (e.reason !== 'ingest' || e.changedRuns.some((r) => this.runs.some((run) => run.id === r))) void this.refresh();
      }),
      services.selection.onDidChange((s) => this.post({ type: 'selection', selection: this.toChartSelection(s) })),
    );
  }

  /** Run ids (or version ids) this panel shows. */
  get shownEntries(): readonly string[] {
    return this.entries;
  }

  get state(): ChartViewState {
    return this.viewState;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    ChartPanel.open.delete(this);
    if (ChartPanel.lastActive === this) ChartPanel.lastActive = [...ChartPanel.open].pop();
    for (const w of this.waiters.values()) {
      clearTimeout(w.timer);
      w.reject(new Error('the chart panel was closed'));
    }
    this.waiters.clear();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  // ---- requests to the webview (export commands, tests) ------------------------------------------

  /** Asks the webview for what it shows (tests, diagnostics). */
  inspect(): Promise<ChartSnapshot> {
    return this.request((requestId) => ({ type: 'inspectRequest', requestId })) as Promise<ChartSnapshot>;
  }

  /** Performs a user action in the webview through the same code as the mouse and keyboard. */
  async perform(action: TestAction): Promise<void> {
    const error = (await this.request((requestId) => ({ type: 'testAction', requestId, action }))) as string | undefined;
    if (error) throw new Error(error);
  }

  /** The chart of `key` as PNG bytes, drawn by the webview. */
  async png(key: string): Promise<Uint8Array> {
    const dataUrl = (await this.request((requestId) => ({ type: 'exportPngRequest', requestId, key }))) as string;
    return decodePng(dataUrl);
  }

  /** The data of `key`'s chart at full resolution, one column per line, in the zoomed step range if any. */
  async csv(key: string, lines?: readonly LineRequest[]): Promise<string> {
    const store = await this.folder.store();
    const zoom = this.viewState.zoom;
    const range = zoom && zoom.axis === 'step' ? { from: Math.max(0, Math.floor(zoom.min)), to: Math.ceil(zoom.max) } : undefined;
    const wanted = lines ?? [...this.versions].map((version) => ({ version, ...(range ? { range } : {}) }));
    const series = await Promise.all(wanted.map((l) => store.series(l.version, key, l.range, false)));
    return toCsv(series.map((s) => ({ label: this.labelOf(s.version), series: s })));
  }

  /** Metric keys the panel can chart. */
  get metricKeys(): readonly string[] {
    return this.keys;
  }

  private request(make: (requestId: number) => ToWebview): Promise<unknown> {
    const requestId = this.nextRequest++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(requestId);
        reject(new Error('the chart panel did not answer'));
      }, REQUEST_TIMEOUT_MS);
      this.waiters.set(requestId, { resolve, reject, timer });
      const send = (): void => this.post(make(requestId));
      if (this.initialised) send();
      else void this.whenInitialised().then(send);
    });
  }

  private readyWaiters: (() => void)[] = [];

  private initialised = false;

  /** Resolves once the webview has its init (requests sent earlier would reach a panel with no runs). */
  private whenInitialised(): Promise<void> {
    return this.initialised ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private settle(requestId: number, value: unknown): void {
    const w = this.waiters.get(requestId);
    if (!w) return;
    this.waiters.delete(requestId);
    clearTimeout(w.timer);
    w.resolve(value);
  }

  // ---- messages -----------------------------------------------------------------------------------

  private post(message: ToWebview): void {
    if (this.ready && !this.disposed) void this.panel.webview.postMessage(message);
  }

  private receive(message: unknown): void {
    if (!isFromWebview(message)) {
      this.log.warn(`ignored a malformed message from the chart webview: ${describe(message)}`);
      return;
    }
    Promise.resolve(dispatch(this.handlers, message)).catch((e: unknown) => {
      const error = e instanceof Error ? e : new Error(String(e));
      this.log.error(error);
      this.post({ type: 'notice', kind: 'error', message: error.message });
    });
  }

  private readonly handlers: MessageHandlers<FromWebview> = {
    ready: async (m) => {
      // A webview that was hidden and shown again (or reloaded) starts over: a fresh init.
      this.ready = true;
      this.initialised = false;
      if (m.state && m.state.folder === this.folder.key && sameList(m.state.runs, this.entries)) this.viewState = m.state;
      await this.sendInit();
      this.initialised = true;
      for (const r of this.readyWaiters.splice(0)) r();
    },
    query: async (m) => {
      const unknown = m.lines.find((l) => !this.versions.has(l.version));
      if (unknown) throw new Error(`version ${unknown.version} is not shown in this panel`);
      const store = await this.folder.store();
      try {
        const lines = await queryLines(store, m.key, m.lines, m.buckets, m.withTimes);
        this.post({ type: 'series', inReplyTo: m.requestId, key: m.key, lines });
      } catch (e) {
        this.post({ type: 'series', inReplyTo: m.requestId, key: m.key, lines: [], error: e instanceof Error ? e.message : String(e) });
      }
    },
    select: (m) => {
      if (m.selection === null) {
        if (this.toChartSelection(this.services.selection.current)) this.services.selection.set(undefined);
        return;
      }
      const { runId, versionId, step } = m.selection;
      const run = this.runs.find((r) => r.id === runId);
      if (!run || !run.versions.some((v) => v.id === versionId) || !this.versions.has(versionId)) {
        throw new Error(`run ${runId} version ${versionId} is not shown in this panel`);
      }
      this.services.selection.set({ folder: this.folder.key, runId, versionId, step, source: 'chart' });
    },
    moveSelection: async (m) => {
      const current = this.services.selection.current;
      if (!current || !this.toChartSelection(current)) return;
      const store = await this.folder.store();
      const page =
        m.direction > 0
          ? await store.history(current.versionId, { range: { from: current.step + 1 }, limit: 1, keys: [] })
          : await store.history(current.versionId, { range: { to: Math.max(0, current.step - 1) }, offset: -1, limit: 1, keys: [] });
      const row = page.rows[0];
      if (!row || row.step === current.step) return;
      this.services.selection.set({ ...current, step: row.step, source: 'chart' });
    },
    runCommand: async (m) => {
      // The same command as the palette: same questions, same refusals. A refusal is also shown in the panel.
      const outcome = await vscode.commands.executeCommand<unknown>(m.command === 'rewind' ? CommandId.RewindToSelectedStep : CommandId.ForkAtSelectedStep);
      if (isRefusal(outcome)) this.post({ type: 'notice', kind: 'error', message: outcome.reason });
    },
    copy: async (m) => {
      await vscode.env.clipboard.writeText(m.text);
      vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', m.what), 3000);
    },
    openVersion: (m) => {
      const known = this.runs.some((r) => r.lineage.some((l) => l.run === m.runId && l.version === m.versionId));
      if (!known) throw new Error(`version ${m.versionId} is not in the Forked From chain of this panel's runs`);
      ChartPanel.createOrShow(this.services, this.folder, [m.versionId]);
    },
    exportPng: async (m) => {
      if (m.inReplyTo !== null) {
        this.settle(m.inReplyTo, m.dataUrl);
        return;
      }
      await this.saveWithDialog(`${safeFileName(m.key)}.png`, decodePng(m.dataUrl), { 'PNG image': ['png'] });
    },
    exportCsv: async (m) => {
      const unknown = m.lines.find((l) => !this.versions.has(l.version));
      if (unknown) throw new Error(`version ${unknown.version} is not shown in this panel`);
      const csv = await this.csv(m.key, m.lines);
      await this.saveWithDialog(`${safeFileName(m.key)}.csv`, new TextEncoder().encode(csv), { CSV: ['csv'] });
    },
    stateChanged: (m) => {
      if (m.state.folder === this.folder.key && sameList(m.state.runs, this.entries)) this.viewState = m.state;
    },
    inspectResult: (m) => this.settle(m.inReplyTo, m.snapshot),
    testActionDone: (m) => this.settle(m.inReplyTo, m.error),
    error: (m) => this.log.error(`chart webview: ${m.message}`),
  };

  // ---- data ---------------------------------------------------------------------------------------

  private async loadRuns(store: StoreApi): Promise<RunOverview[]> {
    const runs: RunOverview[] = [];
    const gone: string[] = [];
    for (const entry of this.entries) {
      try {
        runs.push(await store.getRun(entry));
      } catch (e) {
        this.log.warn(`chart panel: ${entry}: ${e instanceof Error ? e.message : String(e)}`);
        gone.push(entry);
      }
    }
    if (gone.length > 0) {
      this.entries = this.entries.filter((e) => !gone.includes(e));
      this.viewState = { ...this.viewState, runs: this.entries };
      this.post({ type: 'notice', kind: 'info', message: vscode.l10n.t('No longer in the store: {0}', gone.join(', ')) });
    }
    this.runs = runs;
    this.versions = versionsOf(runs);
    this.panel.title = runs.length === 1 ? vscode.l10n.t('Charts: {0}', titleOf(runs[0], this.entries[0])) : vscode.l10n.t('Charts: {0} runs', runs.length);
    return runs;
  }

  private async sendInit(): Promise<void> {
    const store = await this.folder.store();
    const runs = await this.loadRuns(store);
    const keys = await keysOf(store, this.versions);
    this.keys = keys.filter((k) => k.numeric).map((k) => k.key);
    for (const run of runs) this.sent.set(run.id, { version: run.liveVersion, step: run.lastStep ?? -1 });
    this.post({
      type: 'init',
      folder: this.folder.key,
      folderName: this.folder.name,
      runs,
      keys,
      selection: this.toChartSelection(this.services.selection.current),
      state: { ...this.viewState, runs: this.entries },
    });
  }

  /** Re-reads the runs after the store changed; sends what grew as appends. Coalesces bursts. */
  private async refresh(): Promise<void> {
    if (!this.ready || this.disposed) return;
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    try {
      do {
        this.refreshAgain = false;
        const store = await this.folder.store();
        const runs = await this.loadRuns(store);
        const keys = await keysOf(store, this.versions);
        this.keys = keys.filter((k) => k.numeric).map((k) => k.key);
        this.post({ type: 'runs', runs, keys });
        const items = [];
        const stale: string[] = [];
        for (const [i, run] of runs.entries()) {
          if (this.entries[i] !== run.id) continue;
          const last = run.lastStep ?? -1;
          const prev = this.sent.get(run.id);
          if (!prev || prev.version !== run.liveVersion || last < prev.step) {
            this.sent.set(run.id, { version: run.liveVersion, step: last });
            continue;
          }
          if (last <= prev.step) continue;
          const grown = await appendsSince(store, run.liveVersion, prev.step, true);
          items.push(...grown.items);
          if (grown.overflow) stale.push(run.liveVersion);
          this.sent.set(run.id, { version: run.liveVersion, step: grown.overflow ? last : grown.lastStep });
        }
        if (items.length > 0 || stale.length > 0) this.post({ type: 'append', items, stale });
      } while (this.refreshAgain && !this.disposed);
    } catch (e) {
      this.log.error(e instanceof Error ? e : new Error(String(e)));
    } finally {
      this.refreshing = false;
    }
  }

  private toChartSelection(s: SelectedStep | undefined): ChartSelection | null {
    if (!s || s.folder !== this.folder.key || !this.runs.some((r) => r.id === s.runId)) return null;
    return { runId: s.runId, versionId: s.versionId, step: s.step };
  }

  private labelOf(version: string): string {
    for (const run of this.runs) {
      if (run.liveVersion === version) return `${run.name} (${run.id})`;
      if (run.versions.some((v) => v.id === version)) return `${run.name} (${run.id} archived ${version})`;
    }
    return version;
  }

  private async saveWithDialog(fileName: string, bytes: Uint8Array, filters: Record<string, string[]>): Promise<void> {
    const base = this.folder.folder?.uri ?? vscode.Uri.file(this.folder.logDir);
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(base, fileName), filters });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, bytes);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Saved {0}', path.basename(target.fsPath)), 4000);
  }
}

export function decodePng(dataUrl: string): Uint8Array {
  const prefix = 'data:image/png;base64,';
  if (!dataUrl.startsWith(prefix)) throw new Error('the chart export is not a PNG');
  const bytes = Buffer.from(dataUrl.slice(prefix.length), 'base64');
  if (bytes.length < 8 || bytes.readUInt32BE(0) !== 0x89504e47) throw new Error('the chart export is not a PNG');
  return new Uint8Array(bytes);
}

/** A file name from a metric key: path separators and reserved characters replaced. */
export function safeFileName(key: string): string {
  const name = key.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 120);
  return name.length > 0 ? name : 'chart';
}

function isRefusal(value: unknown): value is { ok: false; reason: string } {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false && typeof (value as { reason?: unknown }).reason === 'string';
}

/** The editor tab's title: user text, so labelText (no bidi controls, no line breaks). */
function titleOf(run: RunOverview, entry: string | undefined): string {
  return labelText(entry !== undefined && entry !== run.id ? `${run.name} @ ${entry}` : run.name, 80);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return typeof value;
  }
}
