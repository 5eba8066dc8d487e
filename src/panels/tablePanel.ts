// The runs table panel (issue 16): one editor-area webview per folder store listing its runs with their
// config and summary. The host reads the table from the store (runsTable) and sends it whole when the
// webview starts (for a view of the first runs, those first runs ahead of it: `firstRows`); after runs change it reads only their rows (the store keeps the others) and sends
// those as a patch; the webview filters, sorts and draws it (media/table). This file is the
// panel's lifecycle, its messages (validated on arrival) and the tests' inspect and act hooks.
import * as vscode from 'vscode';
import { Disposable } from '../dispose';
import { CommandId } from '../ids';
import type { ComponentLogger } from '../logger';
import { describe } from '../logger';
import type { FolderStore, Services } from '../services';
import { PendingReplies } from '../shared/rpc';
import { packTable } from '../shared/tablePacking';
import {
  defaultTableState,
  dispatch,
  FIRST_ROWS,
  type FromTableWebview,
  isFromTableWebview,
  type MessageHandlers,
  type PackedTable,
  showsFirstRowsFirst,
  TABLE_VIEW_TYPE,
  type TableSnapshot,
  type TableStrings,
  type TableTestAction,
  type TableViewState,
  type TableWebviewReply,
  type ToTableWebview,
} from '../shared/tableProtocol';
import { openCharts } from './charts';
import { webviewHtml, webviewRoot } from './chartHtml';

const REQUEST_TIMEOUT_MS = 30_000;
/** A training run logs many times a second: the table reads the store at most this often. */
const REFRESH_DELAY_MS = 500;

/** Where a new table panel starts from: the state the folder's last table left (workspaceState). */
export interface TableMemory {
  get(folder: string): TableViewState | undefined;
  set(state: TableViewState): void;
}

export class RunsTablePanel extends Disposable {
  private static readonly open = new Set<RunsTablePanel>();
  private static lastActive: RunsTablePanel | undefined;

  static get active(): RunsTablePanel | undefined {
    return RunsTablePanel.lastActive;
  }

  static get all(): readonly RunsTablePanel[] {
    return [...RunsTablePanel.open];
  }

  /** Shows the folder's table (one per folder); `filter`, when given, replaces the table's filter. */
  static createOrShow(services: Services, memory: TableMemory, folder: FolderStore, filter?: string): RunsTablePanel {
    const existing = [...RunsTablePanel.open].find((p) => p.folder.key === folder.key);
    if (existing) {
      existing.panel.reveal();
      if (filter !== undefined) existing.setFilter(filter);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(TABLE_VIEW_TYPE, vscode.l10n.t('Runs Table'), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [webviewRoot(services.extensionUri)],
    });
    const remembered = memory.get(folder.key);
    const state = remembered ? { ...remembered, filter: filter ?? remembered.filter, scrollTop: 0 } : defaultTableState(folder.key, filter);
    return new RunsTablePanel(panel, services, memory, folder, state);
  }

  /** Takes over a panel VS Code restored after a reload, with the state its webview saved. */
  static revive(panel: vscode.WebviewPanel, services: Services, memory: TableMemory, folder: FolderStore, state: TableViewState): RunsTablePanel {
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot(services.extensionUri)] };
    return new RunsTablePanel(panel, services, memory, folder, state);
  }

  /** Tests only: fewer first rows than FIRST_ROWS, and a wait between them and the whole table (to look in between). */
  static testHooks: { readonly firstRows?: number; readonly beforeWholeTable?: () => Promise<void> } = {};

  readonly log: ComponentLogger;
  private viewState: TableViewState;
  /** The rows the webview has: run ids and their archived versions' ids (messages naming others are refused). */
  private known: Map<string, readonly string[]> | undefined;
  private readonly requests = new PendingReplies({ timeoutMs: REQUEST_TIMEOUT_MS, timeoutMessage: 'the runs table did not answer' });
  private ready = false;
  private initialised = false;
  private initWaiters: (() => void)[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  /** Runs changed since the table was last read; a rebuild reads it whole. */
  private readonly pending = new Set<string>();
  private readWhole = false;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly services: Services,
    private readonly memory: TableMemory,
    readonly folder: FolderStore,
    state: TableViewState,
  ) {
    super();
    this.log = services.logger.for('table');
    this.viewState = state;
    RunsTablePanel.open.add(this);
    RunsTablePanel.lastActive = this;
    panel.title = vscode.l10n.t('Runs: {0}', folder.name);
    panel.webview.html = webviewHtml(panel.webview, services.extensionUri, 'table', 'Run Rewind Runs Table');
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) RunsTablePanel.lastActive = this;
    }));
    this._register(panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)));
    this._register(folder.onDidChangeRuns((e) => {
      if (e.reason === 'rebuild') this.readWhole = true;
      for (const id of e.changedRuns) this.pending.add(id);
      this.scheduleRefresh();
    }));
  }

  get state(): TableViewState {
    return this.viewState;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    RunsTablePanel.open.delete(this);
    if (RunsTablePanel.lastActive === this) RunsTablePanel.lastActive = [...RunsTablePanel.open].pop();
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.requests.rejectAll(new Error('the runs table was closed'));
    super.dispose();
    this.panel.dispose();
  }

  private post(message: ToTableWebview): void {
    if (this.ready && !this.isDisposed) void this.panel.webview.postMessage(message);
  }

  private setFilter(filter: string): void {
    this.viewState = { ...this.viewState, filter };
    this.post({ type: 'setFilter', filter });
  }

  /** Asks the webview what it shows (tests, diagnostics). */
  inspect(): Promise<TableSnapshot> {
    return this.request((requestId) => ({ type: 'inspectRequest', requestId }));
  }

  /** Performs a user action in the webview through the same code as the mouse and keyboard. */
  async perform(action: TableTestAction): Promise<void> {
    const error = await this.request<string | undefined>((requestId) => ({ type: 'testAction', requestId, action }));
    if (error) throw new Error(error);
  }

  /** Reads the whole table again now (tests; the store changes schedule their own reads). */
  async refreshNow(): Promise<void> {
    this.readWhole = true;
    await this.refresh();
  }

  private request<T>(make: (requestId: number) => ToTableWebview): Promise<T> {
    return this.requests.request<T>((requestId) => {
      const send = (): void => this.post(make(requestId));
      if (this.initialised) send();
      else this.initWaiters.push(send);
    });
  }

  private scheduleRefresh(): void {
    if (!this.ready || this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refresh();
    }, REFRESH_DELAY_MS);
  }

  private async refresh(): Promise<void> {
    // One read at a time; a change during it is picked up by the read it schedules.
    while (this.refreshing) await this.refreshing;
    this.refreshing = (async () => {
      const whole = this.readWhole || !this.known;
      const runs = [...this.pending];
      this.pending.clear();
      this.readWhole = false;
      if (!whole && runs.length === 0) return;
      try {
        const store = await this.folder.store();
        if (whole) {
          const table = await store.packedRunsTable();
          this.known = knownRows(table);
          this.post({ type: 'rows', table });
          return;
        }
        const part = await store.runsTable({ runs });
        const found = new Set(part.rows.map((r) => r.id));
        const patch = { rows: part.rows, removed: runs.filter((id) => !found.has(id)), configKeys: part.configKeys, summaryKeys: part.summaryKeys };
        for (const row of part.rows) this.known!.set(row.id, row.versions.map((v) => v.version));
        for (const id of patch.removed) this.known!.delete(id);
        this.post({ type: 'patch', patch });
      } catch (e) {
        // Read again next time: what this read missed is not lost.
        for (const id of runs) this.pending.add(id);
        this.readWhole ||= whole;
        this.log.error(e instanceof Error ? e : new Error(String(e)));
      }
    })();
    try {
      await this.refreshing;
    } finally {
      this.refreshing = undefined;
    }
  }

  // ---- messages from the webview ------------------------------------------------------------------

  /** Rows a message names must be rows of this table: a run id or an archived version's id. */
  private requireKnown(entries: readonly string[]): void {
    const known = new Set<string>();
    for (const [run, versions] of this.known ?? []) {
      known.add(run);
      for (const v of versions) known.add(v);
    }
    const unknown = entries.find((e) => !known.has(e));
    if (unknown) throw new Error(`run or version ${unknown} is not in this table`);
  }

  private receive(message: unknown): void {
    if (!isFromTableWebview(message)) {
      this.log.warn(`ignored a malformed message from the runs table webview: ${preview(message)}`);
      return;
    }
    Promise.resolve(dispatch(this.handlers, message)).catch((e: unknown) => {
      const error = e instanceof Error ? e : new Error(String(e));
      this.log.error(error);
      this.post({ type: 'notice', kind: 'error', message: error.message });
    });
  }

  private readonly replies: MessageHandlers<TableWebviewReply> = {
    inspectResult: (m) => {
      this.requests.settle(m.inReplyTo, m.snapshot);
    },
    testActionDone: (m) => {
      if (m.error) this.requests.reject(m.inReplyTo, new Error(m.error));
      else this.requests.settle(m.inReplyTo, undefined);
    },
  };

  private readonly handlers: MessageHandlers<FromTableWebview> = {
    ...this.replies,
    ready: async (m) => {
      // A webview shown again (or reloaded) starts over: a fresh init.
      this.ready = true;
      this.initialised = false;
      if (m.state && m.state.folder === this.folder.key) this.viewState = m.state;
      // The whole table is read now: what changed before is in it.
      this.pending.clear();
      this.readWhole = false;
      const store = await this.folder.store();
      const header = { folder: this.folder.key, folderName: this.folder.name, strings: tableStrings(), locale: vscode.env.language };
      if (showsFirstRowsFirst(this.viewState)) {
        // The first screenful ahead of the rest: the store reads these rows alone (cold: the whole table
        // takes it 300 ms, and 10,000 rows take the webview 200 ms more to receive), so they are drawn at once.
        try {
          const view = this.viewState;
          const first = await store.packedRunsTable({ limit: RunsTablePanel.testHooks.firstRows ?? FIRST_ROWS, ...(view.filter.trim() ? { filter: view.filter } : {}), ...(view.sort ? { sort: view.sort } : {}) });
          if (first.rows.length < first.total) {
            this.known = knownRows(first);
            this.post({ type: 'firstRows', ...header, table: first, state: this.viewState });
            this.initialised = true;
            for (const send of this.initWaiters.splice(0)) send();
          }
        } catch (e) {
          this.log.warn(`the runs table's first rows were not read (the whole table follows): ${describe(e)}`);
        }
        await RunsTablePanel.testHooks.beforeWholeTable?.();
      }
      let table: PackedTable;
      try {
        table = await store.packedRunsTable();
      } catch (e) {
        table = packTable({ rows: [], configKeys: [], summaryKeys: [], total: 0 });
        this.post({ type: 'notice', kind: 'error', message: describe(e) });
      }
      this.known = knownRows(table);
      this.post({ type: 'init', ...header, table, state: this.viewState });
      this.initialised = true;
      for (const send of this.initWaiters.splice(0)) send();
    },
    stateChanged: (m) => {
      if (m.state.folder !== this.folder.key) return;
      this.viewState = m.state;
      this.memory.set({ ...m.state, selected: [], scrollTop: 0 });
    },
    openCharts: (m) => {
      this.requireKnown(m.entries);
      openCharts(this.services, m.entries.map((id) => ({ folder: this.folder.key, id })));
    },
    compare: async (m) => {
      this.requireKnown(m.entries);
      await vscode.commands.executeCommand(CommandId.CompareRuns, { folder: this.folder.key, runs: [...m.entries] });
    },
    error: (m) => this.log.error(`runs table webview: ${m.message}`),
  };
}

function knownRows(table: PackedTable): Map<string, readonly string[]> {
  return new Map(table.rows.map((r) => [r.id, r.versions.map((v) => v.version)]));
}

/** The webview's words, translated here (a webview has no vscode.l10n). */
function tableStrings(): TableStrings {
  return {
    filterPlaceholder: vscode.l10n.t('Filter: config.lr > 0.001 and summary.loss.min < 0.2 and tags has "baseline"'),
    filterLabel: vscode.l10n.t('Filter runs'),
    columns: vscode.l10n.t('Columns'),
    groupBy: vscode.l10n.t('Group by'),
    noGrouping: vscode.l10n.t('No grouping'),
    noValue: vscode.l10n.t('(none)'),
    openCharts: vscode.l10n.t('Open Charts'),
    compare: vscode.l10n.t('Compare'),
    plots: vscode.l10n.t('Plots'),
    plotsTitle: vscode.l10n.t('Parallel coordinates and scatter of the filtered runs'),
    plotMode: vscode.l10n.t('Plot'),
    parallel: vscode.l10n.t('Parallel coordinates'),
    scatter: vscode.l10n.t('Scatter'),
    addAxis: vscode.l10n.t('Add an axis'),
    removeAxis: vscode.l10n.t('Remove axis'),
    plotMetric: vscode.l10n.t('Metric'),
    clearBrushes: vscode.l10n.t('Clear brushes'),
    brushed: vscode.l10n.t('brushed'),
    pickAxes: vscode.l10n.t('Add an axis: a config key or a metric.'),
    pickXY: vscode.l10n.t('Pick what goes across (X) and up (Y).'),
    pinColumn: vscode.l10n.t('Pin {0} at the left'),
    unpinColumn: vscode.l10n.t('Unpin {0}'),
    resizeColumn: vscode.l10n.t('Width of {0}: drag, or ←/→ (Home: its own width)'),
    compareTitle: vscode.l10n.t('Compare the two selected runs: config differences and metrics side by side'),
    tooManyCharts: vscode.l10n.t('Charts overlay at most {0} runs: the first {0} selected are opened.'),
    count: vscode.l10n.t('{0} of {1} runs'),
    selectedCount: vscode.l10n.t('{0} selected'),
    attributes: vscode.l10n.t('Run'),
    config: vscode.l10n.t('Config'),
    summary: vscode.l10n.t('Summary'),
    searchColumns: vscode.l10n.t('Find a column'),
    noRuns: vscode.l10n.t('No runs yet. Log one with the Run Rewind Python client.'),
    noMatch: vscode.l10n.t('No run matches the filter.'),
    archived: vscode.l10n.t('archived'),
    rewind: vscode.l10n.t('rewind'),
    forkedFrom: vscode.l10n.t('Forked From'),
    expand: vscode.l10n.t('Show archived versions'),
    collapse: vscode.l10n.t('Hide archived versions'),
    'col.name': vscode.l10n.t('Name'),
    'col.state': vscode.l10n.t('State'),
    'col.id': vscode.l10n.t('ID'),
    'col.project': vscode.l10n.t('Project'),
    'col.group': vscode.l10n.t('Group'),
    'col.tags': vscode.l10n.t('Tags'),
    'col.notes': vscode.l10n.t('Notes'),
    'col.created': vscode.l10n.t('Created'),
    'col.duration': vscode.l10n.t('Duration'),
    'col.lastStep': vscode.l10n.t('Last step'),
    'col.version': vscode.l10n.t('Version'),
    'state.running': vscode.l10n.t('running'),
    'state.finished': vscode.l10n.t('finished'),
    'state.failed': vscode.l10n.t('failed'),
    'state.crashed': vscode.l10n.t('crashed'),
  };
}

function preview(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return typeof value;
  }
}
