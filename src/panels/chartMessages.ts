// What a chart panel shows and how it answers its webview (the panel itself, src/panels/chartPanel.ts,
// is only the webview's lifecycle and plumbing, as vscode-dvc separates a webview from its messages):
// the runs and keys of the panel, the answers to the webview's queries, live appends after the store
// changed, the picked step relayed to the window's StepSelection, and the toolbar's commands.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { RunOverview, StoreApi } from '../core/api';
import { checkpointSpec, checkpoints } from '../core/checkpoints';
import { CommandId } from '../ids';
import { type ComponentLogger, describe } from '../logger';
import type { SelectedStep } from '../selection';
import type { FolderStore, Services } from '../services';
import type { ChartSelection, ChartViewState, ExportKind, FromWebview, LineRequest, MessageHandlers, ToWebview, WebviewReply } from '../shared/protocol';
import { labelText } from '../userText';
import { appendsSince, keysOf, mediaKeysOf, mediaPath, queryLines, queryMedia, querySystem, toCsv, versionsOf } from './chartData';

/** What the session needs of its panel. */
export interface ChartPanelPort {
  readonly folder: FolderStore;
  readonly services: Services;
  readonly log: ComponentLogger;
  readonly disposed: boolean;
  /** Posts to the webview (dropped until it is ready). */
  post(message: ToWebview): void;
  setTitle(title: string): void;
  /** Opens (or reveals) a panel of this folder for one version. */
  openVersion(versionId: string): void;
  /** Exports a chart of this panel as the export commands do. */
  exportChart(kind: ExportKind, key: string): Promise<void>;
  /** A file under the folder's media/ folder as the webview may load it (asWebviewUri). */
  mediaUri(file: string): string;
}

/** The webview's messages but the replies to the host's own requests, which the panel settles. */
export type SessionMessage = Exclude<FromWebview, WebviewReply>;

export class ChartSession {
  private entriesList: string[];
  private viewState: ChartViewState;
  private runs: RunOverview[] = [];
  private versions = new Set<string>();
  private keys: string[] = [];
  private refreshing = false;
  private refreshAgain = false;
  /** The selection moves still running (Left/Right in the webview), in order. */
  private moving: Promise<void> = Promise.resolve();
  /** Per run: the live version and the last step already sent, for live appends. */
  private readonly sent = new Map<string, { version: string; step: number }>();

  constructor(
    private readonly port: ChartPanelPort,
    state: ChartViewState,
  ) {
    this.entriesList = [...state.runs];
    this.viewState = state;
  }

  /** Run ids (or version ids) this panel shows. */
  get entries(): readonly string[] {
    return this.entriesList;
  }

  get state(): ChartViewState {
    return this.viewState;
  }

  /** Metric keys the panel can chart. */
  get metricKeys(): readonly string[] {
    return this.keys;
  }

  private async moveSelection(direction: 1 | -1): Promise<void> {
    const current = this.port.services.selection.current;
    if (!current || !this.toChartSelection(current)) return;
    const store = await this.port.folder.store();
    const page =
      direction > 0
        ? await store.history(current.versionId, { range: { from: current.step + 1 }, limit: 1, keys: [] })
        : await store.history(current.versionId, { range: { to: Math.max(0, current.step - 1) }, offset: -1, limit: 1, keys: [] });
    const row = page.rows[0];
    if (!row || row.step === current.step || this.port.services.selection.current !== current) return;
    this.port.services.selection.set({ ...current, step: row.step, source: 'chart' });
  }

  /** Whether a change of these runs concerns the panel. */
  shows(runIds: readonly string[]): boolean {
    return runIds.some((r) => this.runs.some((run) => run.id === r));
  }

  readonly handlers: MessageHandlers<SessionMessage> = {
    ready: async (m) => {
      if (m.state && m.state.folder === this.port.folder.key && sameList(m.state.runs, this.entriesList)) this.viewState = m.state;
      await this.sendInit();
    },
    query: async (m) => {
      this.checkShown(m.lines);
      const store = await this.port.folder.store();
      try {
        const lines = await queryLines(store, m.key, m.lines, m.buckets, m.withTimes);
        this.port.post({ type: 'series', inReplyTo: m.requestId, key: m.key, lines });
      } catch (e) {
        this.port.post({ type: 'series', inReplyTo: m.requestId, key: m.key, lines: [], error: describe(e) });
      }
    },
    systemQuery: async (m) => {
      this.checkShown(m.versions.map((version) => ({ version })));
      const store = await this.port.folder.store();
      try {
        this.port.post({ type: 'system', inReplyTo: m.requestId, metrics: await querySystem(store, m.versions) });
      } catch (e) {
        this.port.post({ type: 'system', inReplyTo: m.requestId, metrics: [], error: describe(e) });
      }
    },
    mediaKeysQuery: async (m) => {
      this.checkShown(m.versions.map((version) => ({ version })));
      const store = await this.port.folder.store();
      try {
        this.port.post({ type: 'mediaKeys', inReplyTo: m.requestId, keys: await mediaKeysOf(store, m.versions) });
      } catch (e) {
        this.port.post({ type: 'mediaKeys', inReplyTo: m.requestId, keys: [], error: describe(e) });
      }
    },
    mediaQuery: async (m) => {
      this.checkShown(m.versions.map((version) => ({ version })));
      const store = await this.port.folder.store();
      try {
        const rows = await queryMedia(store, this.port.folder.logDir, (file) => this.port.mediaUri(file), m.versions, m.key, m.step);
        this.port.post({ type: 'media', inReplyTo: m.requestId, key: m.key, rows });
      } catch (e) {
        this.port.post({ type: 'media', inReplyTo: m.requestId, key: m.key, rows: [], error: describe(e) });
      }
    },
    // The webview names an item by version, key, step and index only: the host finds the record again
    // and builds the path from its sha256 and format, so no webview message can name a file.
    openMedia: async (m) => {
      this.checkShown([{ version: m.version }]);
      const store = await this.port.folder.store();
      const entry = await store.mediaAt(m.version, m.key, m.step);
      const item = entry?.items[m.index];
      const file = item ? mediaPath(this.port.folder.logDir, item) : undefined;
      if (!entry || !item || !file) throw new Error(vscode.l10n.t('{0} has no media file at step {1} (item {2})', m.key, m.step, m.index + 1));
      if (!fs.existsSync(file)) throw new Error(vscode.l10n.t('The media file of {0} at step {1} is missing: {2}', m.key, entry.step, file));
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
    },
    select: (m) => {
      const selection = this.port.services.selection;
      if (m.selection === null) {
        if (this.toChartSelection(selection.current)) selection.set(undefined);
        return;
      }
      const { runId, versionId, step } = m.selection;
      const run = this.runs.find((r) => r.id === runId);
      const version = run?.versions.find((v) => v.id === versionId);
      if (!run || !version || !this.versions.has(versionId)) {
        throw new Error(`run ${runId} version ${versionId} is not shown in this panel`);
      }
      selection.set({ folder: this.port.folder.key, runId, versionId, step, source: 'chart', archived: version.archived });
    },
    // Moves run one after another: each starts from where the previous one left the selection, so
    // Left pressed twice quickly moves two steps (run concurrently, both read the same step).
    moveSelection: (m) => {
      const move = this.moving.then(() => this.moveSelection(m.direction));
      this.moving = move.catch(() => undefined);
      return move;
    },
    runCommand: async (m) => {
      // The same command as the palette: same questions, same refusals. A refusal is also shown in the panel.
      const outcome = await vscode.commands.executeCommand<unknown>(m.command === 'rewind' ? CommandId.RewindToSelectedStep : CommandId.ForkAtSelectedStep);
      if (isRefusal(outcome)) this.port.post({ type: 'notice', kind: 'error', message: outcome.reason });
    },
    copy: async (m) => {
      await vscode.env.clipboard.writeText(m.text);
      vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', m.what), 3000);
    },
    openVersion: (m) => {
      const known = this.runs.some((r) => r.lineage.some((l) => l.run === m.runId && l.version === m.versionId));
      if (!known) throw new Error(`version ${m.versionId} is not in the Forked From chain of this panel's runs`);
      this.port.openVersion(m.versionId);
    },
    compareWithSource: async (m) => {
      if (!this.runs.some((r) => r.version.id === m.versionId && r.lineage.length > 0)) throw new Error(`version ${m.versionId} is not a fork or rewind this panel shows`);
      await vscode.commands.executeCommand(CommandId.CompareWithSource, { run: m.versionId, folder: this.port.folder.key });
    },
    export: (m) => this.port.exportChart(m.kind, m.key),
    stateChanged: (m) => {
      if (m.state.folder === this.port.folder.key && sameList(m.state.runs, this.entriesList)) this.viewState = m.state;
    },
    error: (m) => this.port.log.error(`chart webview: ${m.message}`),
  };

  /** The data of `key`'s chart at full resolution, one column per line, for exactly `lines` (what the webview shows). */
  async csv(key: string, lines: readonly LineRequest[]): Promise<string> {
    this.checkShown(lines);
    const store = await this.port.folder.store();
    const series = await Promise.all(lines.map((l) => store.series(l.version, key, l.range, false)));
    return toCsv(series.map((s) => ({ label: this.labelOf(s.version), series: s })));
  }

  private checkShown(lines: readonly LineRequest[]): void {
    const unknown = lines.find((l) => !this.versions.has(l.version));
    if (unknown) throw new Error(`version ${unknown.version} is not shown in this panel`);
  }

  // ---- data ---------------------------------------------------------------------------------------

  private async loadRuns(store: StoreApi): Promise<RunOverview[]> {
    const runs: RunOverview[] = [];
    const gone: string[] = [];
    for (const entry of this.entriesList) {
      try {
        runs.push(await withCheckpoints(store, await store.getRun(entry)));
      } catch (e) {
        this.port.log.warn(`chart panel: ${entry}: ${describe(e)}`);
        gone.push(entry);
      }
    }
    if (gone.length > 0) {
      this.entriesList = this.entriesList.filter((e) => !gone.includes(e));
      this.viewState = { ...this.viewState, runs: this.entriesList };
      this.port.post({ type: 'notice', kind: 'info', message: vscode.l10n.t('No longer in the store: {0}', gone.join(', ')) });
    }
    this.runs = runs;
    this.versions = versionsOf(runs);
    this.followRewind(runs);
    this.port.setTitle(runs.length === 1 ? vscode.l10n.t('Charts: {0}', titleOf(runs[0], this.entriesList[0])) : vscode.l10n.t('Charts: {0} runs', runs.length));
    return runs;
  }

  private async sendInit(): Promise<void> {
    const store = await this.port.folder.store();
    const runs = await this.loadRuns(store);
    const keys = await keysOf(store, this.versions);
    this.keys = keys.filter((k) => k.numeric).map((k) => k.key);
    for (const run of runs) this.sent.set(run.id, { version: run.liveVersion, step: run.lastStep ?? -1 });
    this.port.post({
      type: 'init',
      folder: this.port.folder.key,
      folderName: this.port.folder.name,
      runs,
      keys,
      selection: this.toChartSelection(this.port.services.selection.current),
      state: { ...this.viewState, runs: this.entriesList },
    });
  }

  /** Re-reads the runs after the store changed; sends what grew as appends. Coalesces bursts. */
  async refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    try {
      do {
        this.refreshAgain = false;
        const store = await this.port.folder.store();
        const runs = await this.loadRuns(store);
        const keys = await keysOf(store, this.versions);
        this.keys = keys.filter((k) => k.numeric).map((k) => k.key);
        this.port.post({ type: 'runs', runs, keys });
        const items = [];
        const stale: string[] = [];
        for (const [i, run] of runs.entries()) {
          if (this.entriesList[i] !== run.id) continue;
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
        if (items.length > 0 || stale.length > 0) this.port.post({ type: 'append', items, stale });
      } while (this.refreshAgain && !this.port.disposed);
    } catch (e) {
      this.port.log.error(e instanceof Error ? e : new Error(String(e)));
    } finally {
      this.refreshing = false;
    }
  }

  /**
   * A step picked on a chart whose version was then archived (a rewind at or after it, from the
   * toolbar say): the new live version shares that step, so the selection moves there and stays
   * rewindable. Otherwise it is marked archived, so the status bar and toolbar say so.
   */
  private followRewind(runs: readonly RunOverview[]): void {
    const selection = this.port.services.selection;
    const sel = selection.current;
    if (!sel || sel.source !== 'chart' || sel.folder !== this.port.folder.key) return;
    const run = runs.find((r) => r.id === sel.runId);
    const version = run?.versions.find((v) => v.id === sel.versionId);
    if (!run || !version?.archived) return;
    const live = run.versions.find((v) => v.id === run.liveVersion);
    if (live && live.parent === sel.versionId && live.branchStep !== null && sel.step <= live.branchStep) {
      selection.set({ ...sel, versionId: live.id, archived: false });
    } else if (!sel.archived) {
      selection.set({ ...sel, archived: true });
    }
  }

  toChartSelection(s: SelectedStep | undefined): ChartSelection | null {
    if (!s || s.folder !== this.port.folder.key || !this.runs.some((r) => r.id === s.runId)) return null;
    return { runId: s.runId, versionId: s.versionId, step: s.step };
  }

  private labelOf(version: string): string {
    for (const run of this.runs) {
      if (run.liveVersion === version) return `${run.name} (${run.id})`;
      if (run.versions.some((v) => v.id === version)) return `${run.name} (${run.id} archived ${version})`;
    }
    return version;
  }
}

function isRefusal(value: unknown): value is { ok: false; reason: string } {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false && typeof (value as { reason?: unknown }).reason === 'string';
}

/** The editor tab's title: user text, so labelText (no bidi controls, no line breaks). */
function titleOf(run: RunOverview, entry: string | undefined): string {
  return labelText(entry !== undefined && entry !== run.id ? `${run.name} @ ${entry}` : run.name, 80);
}

export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The run with the steps its version has a checkpoint for, marked on its charts (issue 14); none when they cannot be read. */
async function withCheckpoints(store: StoreApi, run: RunOverview): Promise<RunOverview> {
  try {
    const marks = checkpoints(await store.artifacts(run.version.id)).map((c) => ({ step: c.step, artifact: checkpointSpec(c) }));
    return marks.length > 0 ? { ...run, checkpoints: marks } : run;
  } catch {
    return run;
  }
}

