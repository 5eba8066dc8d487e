// The Runs view: folders (multi-root only) → projects → runs → Rewinds → archived versions, nested
// as deep as the rewinds go; forked runs point back at their source ("Forked From run@step"). It only
// renders the run index (src/workspace/runIndex.ts), which commands and documents share. Elements are
// interned by id so a change event names exactly the rows that changed, and selection and expansion
// survive refreshes. Every label and description carrying user text goes through labelText.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunInfo, RunOrigin, VersionInfo } from '../core/api';
import { formatNumber, formatTime, stateIcon } from '../format';
import { labelText, singleLine } from '../userText';
import { CommandId, ContextFlag, ContextValue, ViewId } from '../ids';
import { Disposable } from '../dispose';
import { type ComponentLogger, describe } from '../logger';
import type { FolderStores } from '../services';
import type { RunIndex, RunIndexChange } from '../workspace/runIndex';
import {
  type ForkSourceNode,
  type RunNode,
  type RunsNode,
  type VersionNode,
  forkedFromChildren,
  isRewound,
  nodeId,
  versionChildren,
  versionSuccessor,
} from './nodes';
import { runTooltip } from './tooltip';

/** The codicon of each tool whose runs are imported (src/core/importers). */
const ORIGIN_ICONS: Record<RunOrigin['kind'], string> = { tensorboard: 'graph-line', lightning: 'zap', huggingface: 'hubot', mlflow: 'beaker' };

export class RunsTreeProvider extends Disposable implements vscode.TreeDataProvider<RunsNode> {
  private readonly emitter = this._register(new vscode.EventEmitter<RunsNode | RunsNode[] | undefined>());
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly interned = new Map<string, RunsNode>();
  /** Folders the last listing of the roots showed (multi-root only). */
  private shownFolders = new Set<string>();

  constructor(
    private readonly index: RunIndex,
    private readonly stores: FolderStores,
    private readonly log: ComponentLogger,
  ) {
    super();
    this._register(index.onDidChange((c) => this.onIndexChange(c)));
  }

  /** The one element object for a node's id: VS Code matches change events by object identity. */
  node<T extends RunsNode>(node: T): T {
    const id = nodeId(node);
    const existing = this.interned.get(id);
    if (existing) return existing as T;
    this.interned.set(id, node);
    return node;
  }

  private get multiRoot(): boolean {
    return this.stores.all.length > 1;
  }

  private onIndexChange(change: RunIndexChange): void {
    const known = (n: RunsNode): RunsNode | undefined => this.interned.get(nodeId(n));
    if (change.scope === 'all') {
      // A folder without runs has no row in a multi-root tree: when it gains its first run or loses its
      // last, only a refresh of the roots adds or drops the row (VS Code ignores a refresh of an element
      // it does not show).
      const repaintFolder = this.multiRoot && change.folder && this.shownFolders.has(change.folder) && this.hasRows(change.folder);
      this.emitter.fire(repaintFolder ? known({ kind: 'folder', folder: change.folder }) : undefined);
      return;
    }
    const nodes: RunsNode[] = [];
    if (change.scope === 'projects') {
      for (const project of change.projects) {
        const n = known({ kind: 'project', folder: change.folder, project });
        if (!n) return this.emitter.fire(undefined);
        nodes.push(n);
      }
    }
    for (const runId of change.runs) {
      const n = known({ kind: 'run', folder: change.folder, runId });
      // A run never shown needs no repaint: its project repaints it when expanded.
      if (n) nodes.push(n);
    }
    this.log.trace(`repaint ${nodes.length} row(s) of ${change.folder}`);
    if (nodes.length > 0) this.emitter.fire(nodes);
  }

  async getChildren(element?: RunsNode): Promise<RunsNode[]> {
    if (!element) return this.roots();
    const data = this.index.get(element.folder);
    switch (element.kind) {
      case 'folder':
        return this.projectsOf(element.folder);
      case 'project':
        return (data?.projects.get(element.project) ?? []).map((r) => this.node({ kind: 'run', folder: element.folder, runId: r.id }));
      case 'run': {
        const run = data?.runs.get(element.runId);
        if (!run) return [];
        const children: RunsNode[] = [];
        if (isRewound(run)) children.push(this.node({ kind: 'forkedFrom', folder: element.folder, runId: run.id }));
        if (run.forkedFrom) children.push(this.node({ kind: 'forkSource', folder: element.folder, runId: run.id, source: run.forkedFrom }));
        return children;
      }
      case 'forkedFrom': {
        const run = data?.runs.get(element.runId);
        return run ? forkedFromChildren(run).map((v) => this.versionNode(element.folder, run, v)) : [];
      }
      case 'version': {
        const run = data?.runs.get(element.runId);
        return run ? versionChildren(run, element.versionId).map((v) => this.versionNode(element.folder, run, v)) : [];
      }
      default:
        return [];
    }
  }

  private versionNode(folder: string, run: RunInfo, v: VersionInfo): VersionNode {
    return this.node({ kind: 'version', folder, runId: run.id, versionId: v.id });
  }

  private async roots(): Promise<RunsNode[]> {
    const stores = this.stores.all;
    const loaded = await Promise.all(stores.map((s) => this.index.load(s.key).then(() => s)));
    if (!this.multiRoot) {
      this.shownFolders = new Set();
      const only = loaded[0];
      return only ? this.projectsOf(only.key) : [];
    }
    const shown = loaded.filter((s) => this.hasRows(s.key));
    this.shownFolders = new Set(shown.map((s) => s.key));
    return shown.map((s) => this.node({ kind: 'folder', folder: s.key }));
  }

  /** Whether a folder has a row in a multi-root tree: it has runs, or an error to show. */
  private hasRows(folder: string): boolean {
    return (this.index.get(folder)?.runs.size ?? 0) > 0 || this.index.error(folder) !== undefined;
  }

  private projectsOf(folder: string): RunsNode[] {
    const error = this.index.error(folder);
    const projects = [...(this.index.get(folder)?.projects.keys() ?? [])].map((project) => this.node<RunsNode>({ kind: 'project', folder, project }));
    // A store that cannot start says so in the tree rather than leaving it mysteriously empty.
    return error ? [{ kind: 'message', folder, message: error }, ...projects] : projects;
  }

  getParent(element: RunsNode): RunsNode | undefined {
    const data = this.index.get(element.folder);
    switch (element.kind) {
      case 'folder':
      case 'message':
        return undefined;
      case 'project':
        return this.multiRoot ? this.node({ kind: 'folder', folder: element.folder }) : undefined;
      case 'run': {
        const run = data?.runs.get(element.runId);
        return run ? this.node({ kind: 'project', folder: element.folder, project: run.project }) : undefined;
      }
      case 'forkedFrom':
      case 'forkSource':
        return this.node({ kind: 'run', folder: element.folder, runId: element.runId });
      case 'version': {
        const run = data?.runs.get(element.runId);
        const successor = run ? versionSuccessor(run, element.versionId) : undefined;
        if (!run || !successor || successor.id === run.liveVersion || !successor.archived) {
          return this.node({ kind: 'forkedFrom', folder: element.folder, runId: element.runId });
        }
        return this.versionNode(element.folder, run, successor);
      }
    }
  }

  getTreeItem(element: RunsNode): vscode.TreeItem {
    const item = this.buildItem(element);
    item.id = nodeId(element);
    return item;
  }

  private buildItem(element: RunsNode): vscode.TreeItem {
    const data = this.index.get(element.folder);
    switch (element.kind) {
      case 'folder': {
        const store = this.stores.get(element.folder);
        const item = new vscode.TreeItem(labelText(store?.name ?? element.folder), vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('root-folder');
        if (store) {
          // The absolute path does not fit the row; inside the folder the setting's relative form does.
          const relative = store.folder ? path.relative(store.folder.uri.fsPath, store.logDir) : '';
          item.description = labelText(relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : store.logDir);
          item.tooltip = vscode.l10n.t('{0}: logs in {1}', singleLine(store.name), singleLine(store.logDir, 500));
        }
        item.contextValue = ContextValue.Folder;
        return item;
      }
      case 'project': {
        const runs = data?.projects.get(element.project) ?? [];
        const item = new vscode.TreeItem(labelText(element.project), vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('project');
        item.description = runs.length === 1 ? vscode.l10n.t('1 run') : vscode.l10n.t('{0} runs', runs.length);
        item.contextValue = ContextValue.Project;
        return item;
      }
      case 'run':
        return this.runItem(element, data?.runs.get(element.runId));
      case 'forkedFrom': {
        const run = data?.runs.get(element.runId);
        const count = run?.versions.filter((v) => v.archived).length ?? 0;
        // Not "Forked From": that names a fork's origin (W&B's term); these are this run's own rewinds.
        const item = new vscode.TreeItem(vscode.l10n.t('Rewinds'), vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('history');
        item.description = count === 1 ? vscode.l10n.t('1 archived version') : vscode.l10n.t('{0} archived versions', count);
        item.tooltip = vscode.l10n.t('Versions of this run archived by rewinds. Each keeps its full history.');
        item.contextValue = ContextValue.ForkedFromGroup;
        return item;
      }
      case 'version':
        return this.versionItem(element, data?.runs.get(element.runId));
      case 'forkSource':
        return this.forkSourceItem(element);
      case 'message': {
        const item = new vscode.TreeItem(labelText(element.message, 500), vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        item.command = { command: CommandId.ShowLog, title: vscode.l10n.t('Show Log') };
        item.contextValue = ContextValue.Message;
        return item;
      }
    }
  }

  private runItem(element: RunNode, run: RunInfo | undefined): vscode.TreeItem {
    if (!run) return new vscode.TreeItem(element.runId, vscode.TreeItemCollapsibleState.None);
    const hasChildren = isRewound(run) || run.forkedFrom !== null;
    const item = new vscode.TreeItem(labelText(run.name), hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    const icon = stateIcon(run.state);
    // An imported run shows where it comes from: its tool's icon (in its state's colour) and name.
    item.iconPath = run.origin && run.state !== 'running' ? new vscode.ThemeIcon(ORIGIN_ICONS[run.origin.kind], icon.color) : icon;
    const parts = run.origin ? [run.origin.label, run.id] : [run.id];
    if (run.lastStep !== null) parts.push(vscode.l10n.t('step {0}', run.lastStep));
    if (run.headline) parts.push(`${run.headline.key} ${formatNumber(run.headline.value)}`);
    item.description = labelText(parts.join(' · '));
    const flags = [run.state === 'running' ? ContextFlag.Running : 'stopped'];
    if (isRewound(run)) flags.push(ContextFlag.Rewound);
    if (run.forkedFrom) flags.push(ContextFlag.Forked);
    item.contextValue = [ContextValue.Run, ...flags].join(':');
    item.accessibilityInformation = { label: `${singleLine(run.name)}, ${run.id}, ${run.state}${run.lastStep !== null ? `, step ${run.lastStep}` : ''}` };
    return item;
  }

  private versionItem(element: VersionNode, run: RunInfo | undefined): vscode.TreeItem {
    const version = run?.versions.find((v) => v.id === element.versionId);
    const hasChildren = run ? versionChildren(run, element.versionId).length > 0 : false;
    const item = new vscode.TreeItem(element.versionId, hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.iconPath = new vscode.ThemeIcon('archive');
    const successor = run ? versionSuccessor(run, element.versionId) : undefined;
    const parts: string[] = [];
    if (version?.lastStep !== null && version?.lastStep !== undefined) parts.push(vscode.l10n.t('last step {0}', version.lastStep));
    if (successor?.branchStep !== null && successor?.branchStep !== undefined) parts.push(vscode.l10n.t('rewound to {0}', successor.branchStep));
    if (version?.archivedAt) parts.push(formatTime(version.archivedAt));
    item.description = parts.join(' · ');
    item.contextValue = ContextValue.ArchivedVersion;
    return item;
  }

  private forkSourceItem(element: ForkSourceNode): vscode.TreeItem {
    const source = element.source;
    const found = this.index.find(source.run, element.folder);
    const name = found?.run.name ?? source.runName ?? source.run;
    const item = new vscode.TreeItem(vscode.l10n.t('Forked From {0}@{1}', labelText(name), source.step), vscode.TreeItemCollapsibleState.None);
    item.iconPath = new vscode.ThemeIcon('repo-forked');
    item.description = source.runDeleted || !found ? vscode.l10n.t('{0} (deleted)', source.run) : source.version;
    item.contextValue = ContextValue.ForkSource;
    if (found && !source.runDeleted) {
      item.command = { command: CommandId.RevealSource, title: vscode.l10n.t('Reveal Source Run'), arguments: [element] };
      item.tooltip = vscode.l10n.t('Forked from run {0} (version {1}) at step {2}. Click to reveal it.', source.run, source.version, source.step);
    }
    return item;
  }

  async resolveTreeItem(item: vscode.TreeItem, element: RunsNode, token: vscode.CancellationToken): Promise<vscode.TreeItem> {
    if (element.kind !== 'run' && element.kind !== 'version') return item;
    const run = this.index.run(element.folder, element.runId);
    const store = this.stores.get(element.folder);
    if (!run || !store) return item;
    try {
      const overview = await (await store.store()).getRun(element.kind === 'version' ? element.versionId : run.id);
      if (!token.isCancellationRequested) item.tooltip = runTooltip(run, overview, element.kind === 'version' ? overview.version : undefined);
    } catch (error) {
      this.log.debug(`tooltip for ${run.id}: ${describe(error)}`);
      item.tooltip = runTooltip(run);
    }
    return item;
  }
}

/** The runs tree view and what the rest of the extension asks of it: its selection, and revealing a run. */
export class RunsView extends Disposable {
  readonly provider: RunsTreeProvider;
  readonly view: vscode.TreeView<RunsNode>;

  constructor(
    private readonly index: RunIndex,
    private readonly stores: FolderStores,
    log: ComponentLogger,
  ) {
    super();
    this.provider = this._register(new RunsTreeProvider(index, stores, log));
    this.view = this._register(vscode.window.createTreeView(ViewId.Runs, { treeDataProvider: this.provider, canSelectMany: true, showCollapseAll: true }));
    this._register(index.onDidChange(() => this.updateBadge()));
  }

  /** Selected run nodes, for commands invoked from the palette while the tree has a selection. */
  get selection(): readonly RunsNode[] {
    return this.view.selection;
  }

  /** Lists the folder again, then reveals and selects the run (or one of its versions). */
  async revealRun(folder: string, runId: string, options: { readonly expand?: boolean; readonly focus?: boolean } = {}): Promise<void> {
    await this.index.refresh(folder, [runId]);
    const node = this.provider.node<RunNode>({ kind: 'run', folder, runId });
    if (!this.index.run(folder, runId)) return;
    await this.view.reveal(node, { select: true, focus: options.focus ?? false, expand: options.expand ? 1 : undefined });
  }

  async revealVersion(folder: string, runId: string, versionId: string): Promise<void> {
    await this.index.refresh(folder, [runId]);
    const run = this.index.run(folder, runId);
    if (!run) return;
    if (run.liveVersion === versionId) return this.revealRun(folder, runId);
    await this.view.reveal(this.provider.node({ kind: 'version', folder, runId, versionId }), { select: true, focus: false });
  }

  private updateBadge(): void {
    let running = 0;
    for (const folder of this.stores.all) {
      for (const run of this.index.get(folder.key)?.runs.values() ?? []) if (run.state === 'running') running++;
    }
    const tooltip = running === 1 ? vscode.l10n.t('1 run running') : vscode.l10n.t('{0} runs running', running);
    this.view.badge = running > 0 ? { value: running, tooltip } : undefined;
  }

}
