// The Runs view: folders (multi-root only) → projects → runs → Rewinds → archived versions, nested
// as deep as the rewinds go; forked runs point back at their source ("Forked From run@step"). It only
// renders the run index (src/workspace/runIndex.ts), which commands and documents share. Elements are
// interned by id so a change event names exactly the rows that changed, and selection and expansion
// survive refreshes. Every label and description carrying user text goes through labelText.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ArtifactUse, RunInfo, RunOrigin, VersionInfo } from '../core/api';
import { checkpoints } from '../core/checkpoints';
import { formatNumber, formatTime, stateIcon } from '../format';
import { formatBytes } from '../shared/format';
import { labelText, singleLine } from '../userText';
import { CommandId, ContextFlag, ContextKey, ContextValue, InternalCommandId, ViewId } from '../ids';
import { Disposable } from '../dispose';
import { type ComponentLogger, describe } from '../logger';
import type { FolderStores } from '../services';
import type { RunIndex, RunIndexChange } from '../workspace/runIndex';
import {
  type ArtifactNode,
  type ArtifactUserNode,
  type ArtifactsNode,
  type ForkSourceNode,
  type ForkedFromNode,
  type MoreNode,
  type ProjectNode,
  type RunNode,
  type RunsNode,
  type VersionNode,
  PAGE_SIZE,
  forkedFromChildren,
  isFlat,
  isRunsNode,
  isRewound,
  nodeId,
  versionChildren,
  versionNumber,
  versionSuccessor,
} from './nodes';
import { runTooltip } from './tooltip';

/** The Runs view's filter: its query (the runs table's language) and, by folder, the run ids it matches. */
interface RunsFilter {
  readonly text: string;
  readonly matches: Map<string, ReadonlySet<string>>;
}

/** How long a reveal is tried again until VS Code has selected the row. */
const REVEAL_SECONDS = 5;

/** How long the tree waits after a change before asking the store again which runs the filter matches. */
const REFILTER_DELAY_MS = 300;

/** The codicon of each tool whose runs are imported (src/core/importers). */
const ORIGIN_ICONS: Record<RunOrigin['kind'], string> = { tensorboard: 'graph-line', wandb: 'pulse', lightning: 'zap', huggingface: 'hubot', mlflow: 'beaker' };

export class RunsTreeProvider extends Disposable implements vscode.TreeDataProvider<RunsNode> {
  private readonly emitter = this._register(new vscode.EventEmitter<RunsNode | RunsNode[] | undefined>());
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly interned = new Map<string, RunsNode>();
  /** Folders the last listing of the roots showed (multi-root only). */
  private shownFolders = new Set<string>();
  /** Rows shown of each paged list, by its parent's id (PAGE_SIZE until "Show more…" is clicked). */
  private readonly pages = new Map<string, number>();
  /** Who waits for VS Code to fetch a node's children again (showRow), by the node's id. */
  private readonly fetchWaiters = new Map<string, () => void>();
  /**
   * Each shown version's artifacts (`folder|run|version` → list), read from the store when its row is
   * first built: a run row only gets its Artifacts child once they are known, then is repainted.
   */
  private readonly artifactLists = new Map<string, readonly ArtifactUse[]>();
  private readonly artifactReads = new Map<string, Promise<readonly ArtifactUse[]>>();
  /** Who used or linked each artifact version a shown version logged (`folder|name:vN` → records), read when first shown. */
  private readonly artifactUsers = new Map<string, readonly ArtifactUse[]>();
  private filter: RunsFilter | undefined;
  private readonly refilters = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly filterEmitter = this._register(new vscode.EventEmitter<void>());
  /** The filter changed, or the runs it matches did. */
  readonly onDidChangeFilter = this.filterEmitter.event;

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
    if (this.filter) this.scheduleRefilter(change.folder);
    const known = (n: RunsNode): RunsNode | undefined => this.interned.get(nodeId(n));
    // A changed run may have logged or used an artifact: its lists are read again when next shown.
    const stale = change.scope === 'all' ? [`${change.folder}|`] : change.runs.map((r) => `${change.folder}|${r}|`);
    for (const key of [...this.artifactLists.keys()]) if (stale.some((prefix) => key.startsWith(prefix))) this.artifactLists.delete(key);
    // Any run of the folder may have used an artifact: its users are read again when next shown.
    for (const key of [...this.artifactUsers.keys()]) if (key.startsWith(`${change.folder}|`)) this.artifactUsers.delete(key);
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
    const children = await this.childrenOf(element);
    const waiting = this.fetchWaiters.get(nodeId(element));
    if (waiting) {
      this.fetchWaiters.delete(nodeId(element));
      waiting();
    }
    return children;
  }

  private async childrenOf(element: RunsNode): Promise<RunsNode[]> {
    const data = this.index.get(element.folder);
    switch (element.kind) {
      case 'folder':
        return this.projectsOf(element.folder);
      case 'project': {
        const runs = this.runsOf(element.folder, element.project);
        return this.page(element, runs.length, (i) => this.node({ kind: 'run', folder: element.folder, runId: runs[i].id }));
      }
      case 'run': {
        const run = data?.runs.get(element.runId);
        if (!run) return [];
        const children: RunsNode[] = [];
        if (isRewound(run)) children.push(this.node({ kind: 'forkedFrom', folder: element.folder, runId: run.id }));
        if (run.forkedFrom) children.push(this.node({ kind: 'forkSource', folder: element.folder, runId: run.id, source: run.forkedFrom }));
        if ((await this.artifactsOf(element.folder, run.id, run.liveVersion)).length > 0) {
          children.push(this.node({ kind: 'artifacts', folder: element.folder, runId: run.id, versionId: run.liveVersion }));
        }
        return children;
      }
      case 'artifacts':
        return (await this.artifactsOf(element.folder, element.runId, element.versionId)).map((use, index) =>
          this.node<ArtifactNode>({ kind: 'artifact', folder: element.folder, runId: element.runId, versionId: element.versionId, index, use }),
        );
      case 'artifact':
        if (element.use.action !== 'log') return [];
        return (await this.usersOf(element.folder, element.use)).map((user, index) =>
          this.node<ArtifactUserNode>({ kind: 'artifactUser', folder: element.folder, artifact: element, user, index }),
        );
      case 'forkedFrom': {
        const run = data?.runs.get(element.runId);
        if (!run) return [];
        const versions = forkedFromChildren(run);
        return this.page(element, versions.length, (i) => this.versionNode(element.folder, run, versions[i]));
      }
      case 'version': {
        const run = data?.runs.get(element.runId);
        if (!run) return [];
        const children: RunsNode[] = versionChildren(run, element.versionId).map((v) => this.versionNode(element.folder, run, v));
        if ((await this.artifactsOf(element.folder, run.id, element.versionId)).length > 0) {
          children.push(this.node({ kind: 'artifacts', folder: element.folder, runId: run.id, versionId: element.versionId }));
        }
        return children;
      }
      default:
        return [];
    }
  }

  /**
   * The first rows of a long list, then a "Show more…" row: a project of 10,000 runs builds 200 rows, not
   * 10,000, and a change repaints only what is shown.
   */
  private page(parent: ProjectNode | ForkedFromNode, total: number, row: (index: number) => RunsNode): RunsNode[] {
    const shown = Math.min(total, this.pages.get(nodeId(parent)) ?? PAGE_SIZE);
    const rows: RunsNode[] = [];
    for (let i = 0; i < shown; i++) rows.push(row(i));
    if (shown < total) rows.push(this.node<MoreNode>({ kind: 'more', folder: parent.folder, parent }));
    return rows;
  }

  /** "Show more…": the next page of the list. */
  showMore(more: MoreNode): void {
    const parent = this.node(more.parent);
    const id = nodeId(parent);
    this.pages.set(id, (this.pages.get(id) ?? PAGE_SIZE) + PAGE_SIZE);
    this.emitter.fire(parent);
  }

  /**
   * Makes the row at `index` of a paged list shown, before revealing it. When the list has to grow, resolves
   * once VS Code has fetched the longer list (or after a second, if the list is collapsed and so is not
   * fetched until the reveal expands it): a reveal racing the refresh could select a row the refresh then
   * replaced, leaving nothing selected.
   */
  async showRow(parent: ProjectNode | ForkedFromNode, index: number): Promise<void> {
    const id = nodeId(parent);
    const shown = this.pages.get(id) ?? PAGE_SIZE;
    if (index < shown) return;
    this.pages.set(id, Math.ceil((index + 1) / PAGE_SIZE) * PAGE_SIZE);
    const fetched = new Promise<void>((resolve) => {
      this.fetchWaiters.get(id)?.();
      this.fetchWaiters.set(id, resolve);
      setTimeout(resolve, 1000);
    });
    this.emitter.fire(this.node(parent));
    await fetched;
  }

  /** A version's artifacts (its ancestors' up to the branch step included); [] when they cannot be read. */
  async artifactsOf(folder: string, runId: string, versionId: string): Promise<readonly ArtifactUse[]> {
    const key = `${folder}|${runId}|${versionId}`;
    const known = this.artifactLists.get(key);
    if (known) return known;
    let reading = this.artifactReads.get(key);
    if (!reading) {
      reading = (async () => {
        const store = this.stores.get(folder);
        try {
          return store ? await (await store.store()).artifacts(versionId) : [];
        } catch (error) {
          this.log.debug(`artifacts of ${versionId}: ${describe(error)}`);
          return [];
        } finally {
          this.artifactReads.delete(key);
        }
      })();
      this.artifactReads.set(key, reading);
    }
    const list = await reading;
    this.artifactLists.set(key, list);
    return list;
  }

  /** The versions that used or linked an artifact version (any run of the folder); [] when they cannot be read. */
  async usersOf(folder: string, use: ArtifactUse): Promise<readonly ArtifactUse[]> {
    const key = `${folder}|${use.name}:${use.artifactVersion}`;
    const known = this.artifactUsers.get(key);
    if (known) return known;
    const store = this.stores.get(folder);
    let users: readonly ArtifactUse[] = [];
    try {
      users = store ? (await (await store.store()).artifactRecords(use.name, use.artifactVersion)).filter((r) => r.action !== 'log') : [];
    } catch (error) {
      this.log.debug(`users of ${use.name}:${use.artifactVersion}: ${describe(error)}`);
    }
    this.artifactUsers.set(key, users);
    return users;
  }

  /** The run a version belongs to, from the index. */
  runOfVersion(folder: string, versionId: string): RunInfo | undefined {
    for (const run of this.index.get(folder)?.runs.values() ?? []) if (run.versions.some((v) => v.id === versionId)) return run;
    return undefined;
  }

  private async artifactCounts(folder: string, runId: string, versionId: string): Promise<{ count: number; checkpoints: number }> {
    const list = await this.artifactsOf(folder, runId, versionId);
    return { count: list.length, checkpoints: checkpoints(list).length };
  }

  /** The artifacts already read for a row, or undefined (then the row asks, and is repainted if it has some). */
  private knownArtifacts(element: RunNode | VersionNode, versionId: string): readonly ArtifactUse[] | undefined {
    const list = this.artifactLists.get(`${element.folder}|${element.runId}|${versionId}`);
    if (list === undefined) {
      void this.artifactsOf(element.folder, element.runId, versionId).then((l) => {
        if (l.length > 0) this.emitter.fire(this.node(element));
      });
    }
    return list;
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

  /** Whether a folder has a row in a multi-root tree: it has runs (the filter matches), or an error to show. */
  private hasRows(folder: string): boolean {
    const only = this.filter?.matches.get(folder);
    return (only ? only.size : this.index.get(folder)?.runs.size ?? 0) > 0 || this.index.error(folder) !== undefined;
  }

  private projectsOf(folder: string): RunsNode[] {
    const error = this.index.error(folder);
    const only = this.filter?.matches.get(folder);
    const names = [...(this.index.get(folder)?.projects.entries() ?? [])].filter(([, runs]) => !only || runs.some((r) => only.has(r.id))).map(([name]) => name);
    const projects = names.map((project) => this.node<RunsNode>({ kind: 'project', folder, project }));
    // A store that cannot start says so in the tree rather than leaving it mysteriously empty.
    return error ? [{ kind: 'message', folder, message: error }, ...projects] : projects;
  }

  /** The runs of a project the tree shows, in its order: all of them, or those the filter matches. */
  runsOf(folder: string, project: string): readonly RunInfo[] {
    const runs = this.index.get(folder)?.projects.get(project) ?? [];
    const only = this.filter?.matches.get(folder);
    return only ? runs.filter((r) => only.has(r.id)) : runs;
  }

  get filterText(): string | undefined {
    return this.filter?.text;
  }

  /** Runs the filter matches, and all runs, over every folder (for the view's message). */
  filterCounts(): { matching: number; total: number } {
    let matching = 0;
    let total = 0;
    for (const folder of this.stores.all) {
      total += this.index.get(folder.key)?.runs.size ?? 0;
      matching += this.filter?.matches.get(folder.key)?.size ?? 0;
    }
    return { matching, total };
  }

  /**
   * The runs each folder's store says `text` matches (the runs table's query over the same rows).
   * A query that is not one is refused by the first store with the error that names where.
   */
  async matchesFor(text: string): Promise<Map<string, ReadonlySet<string>>> {
    const matches = new Map<string, ReadonlySet<string>>();
    for (const folder of this.stores.all) matches.set(folder.key, await this.matchesIn(folder.key, text));
    return matches;
  }

  private async matchesIn(folder: string, text: string): Promise<ReadonlySet<string>> {
    const store = this.stores.get(folder);
    if (!store) return new Set();
    const table = await (await store.store()).runsTable({ filter: text });
    return new Set(table.rows.map((row) => row.id));
  }

  /** Shows only the runs `text` matches (undefined or blank: every run). Throws when it is not a query. */
  async setFilter(text: string | undefined): Promise<void> {
    const query = text?.trim() ? text : undefined;
    this.filter = query === undefined ? undefined : { text: query, matches: await this.matchesFor(query) };
    for (const timer of this.refilters.values()) clearTimeout(timer);
    this.refilters.clear();
    void vscode.commands.executeCommand('setContext', ContextKey.RunsFiltered, this.filter !== undefined);
    this.emitter.fire(undefined);
    this.filterEmitter.fire();
  }

  /** After runs changed: which runs the filter matches may have changed too (a metric crossed a bound). */
  private scheduleRefilter(folder: string): void {
    const pending = this.refilters.get(folder);
    if (pending) clearTimeout(pending);
    this.refilters.set(folder, setTimeout(() => {
      this.refilters.delete(folder);
      const filter = this.filter;
      if (!filter) return;
      this.matchesIn(folder, filter.text).then((found) => {
        if (this.filter !== filter) return;
        const before = filter.matches.get(folder);
        if (before && before.size === found.size && [...found].every((id) => before.has(id))) return;
        filter.matches.set(folder, found);
        this.emitter.fire(undefined);
        this.filterEmitter.fire();
      }, (error: unknown) => this.log.debug(`filter of ${folder}: ${describe(error)}`));
    }, REFILTER_DELAY_MS));
  }

  override dispose(): void {
    for (const timer of this.refilters.values()) clearTimeout(timer);
    super.dispose();
  }

  getParent(element: RunsNode): RunsNode | undefined {
    const data = this.index.get(element.folder);
    switch (element.kind) {
      case 'folder':
      case 'message':
        return undefined;
      case 'more':
        return this.node(element.parent);
      case 'project':
        return this.multiRoot ? this.node({ kind: 'folder', folder: element.folder }) : undefined;
      case 'run': {
        const run = data?.runs.get(element.runId);
        return run ? this.node({ kind: 'project', folder: element.folder, project: run.project }) : undefined;
      }
      case 'forkedFrom':
      case 'forkSource':
        return this.node({ kind: 'run', folder: element.folder, runId: element.runId });
      case 'artifacts': {
        const run = data?.runs.get(element.runId);
        return run?.liveVersion === element.versionId
          ? this.node({ kind: 'run', folder: element.folder, runId: element.runId })
          : this.node({ kind: 'version', folder: element.folder, runId: element.runId, versionId: element.versionId });
      }
      case 'artifact':
        return this.node({ kind: 'artifacts', folder: element.folder, runId: element.runId, versionId: element.versionId });
      case 'artifactUser':
        return this.node(element.artifact);
      case 'version': {
        const run = data?.runs.get(element.runId);
        const successor = run && !isFlat(run) ? versionSuccessor(run, element.versionId) : undefined;
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
        item.tooltip = run && isFlat(run)
          ? vscode.l10n.t('Versions of this run archived by rewinds, newest first, numbered from the first version (#1). Each keeps its full history.')
          : vscode.l10n.t('Versions of this run archived by rewinds. Each keeps its full history.');
        item.contextValue = ContextValue.ForkedFromGroup;
        return item;
      }
      case 'version':
        return this.versionItem(element, data?.runs.get(element.runId));
      case 'forkSource':
        return this.forkSourceItem(element);
      case 'more':
        return this.moreItem(element);
      case 'artifacts':
        return this.artifactsItem(element);
      case 'artifact':
        return this.artifactItem(element);
      case 'artifactUser':
        return this.artifactUserItem(element);
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
    const hasChildren = isRewound(run) || run.forkedFrom !== null || (this.knownArtifacts(element, run.liveVersion)?.length ?? 0) > 0;
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
    const hasChildren = run ? versionChildren(run, element.versionId).length > 0 || (this.knownArtifacts(element, element.versionId)?.length ?? 0) > 0 : false;
    const item = new vscode.TreeItem(element.versionId, hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.iconPath = new vscode.ThemeIcon('archive');
    const successor = run ? versionSuccessor(run, element.versionId) : undefined;
    const parts: string[] = [];
    // A long chain is listed flat: its number says where each version sits.
    const number = run && isFlat(run) ? versionNumber(run, element.versionId) : undefined;
    if (number !== undefined) parts.push(`#${number}`);
    if (version?.lastStep !== null && version?.lastStep !== undefined) parts.push(vscode.l10n.t('last step {0}', version.lastStep));
    if (successor?.branchStep !== null && successor?.branchStep !== undefined) parts.push(vscode.l10n.t('rewound to {0}', successor.branchStep));
    if (version?.archivedAt) parts.push(formatTime(version.archivedAt));
    item.description = parts.join(' · ');
    item.contextValue = ContextValue.ArchivedVersion;
    return item;
  }

  private moreItem(element: MoreNode): vscode.TreeItem {
    const data = this.index.get(element.folder);
    const parent = element.parent;
    let total = 0;
    if (parent.kind === 'project') total = data?.projects.get(parent.project)?.length ?? 0;
    else {
      const run = data?.runs.get(parent.runId);
      total = run ? forkedFromChildren(run).length : 0;
    }
    const shown = Math.min(total, this.pages.get(nodeId(parent)) ?? PAGE_SIZE);
    const item = new vscode.TreeItem(vscode.l10n.t('Show more…'), vscode.TreeItemCollapsibleState.None);
    item.iconPath = new vscode.ThemeIcon('ellipsis');
    item.description = vscode.l10n.t('{0} of {1} shown', shown.toLocaleString(vscode.env.language), total.toLocaleString(vscode.env.language));
    item.command = { command: InternalCommandId.ShowMore, title: vscode.l10n.t('Show more…'), arguments: [element] };
    item.contextValue = ContextValue.More;
    return item;
  }

  private artifactsItem(element: ArtifactsNode): vscode.TreeItem {
    const list = this.artifactLists.get(`${element.folder}|${element.runId}|${element.versionId}`) ?? [];
    const item = new vscode.TreeItem(vscode.l10n.t('Artifacts'), vscode.TreeItemCollapsibleState.Collapsed);
    item.iconPath = new vscode.ThemeIcon('package');
    item.description = list.length === 1 ? vscode.l10n.t('1 artifact') : vscode.l10n.t('{0} artifacts', list.length);
    item.tooltip = vscode.l10n.t('Artifact versions this version logged, used or linked, with those it inherited up to its branch step.');
    item.contextValue = ContextValue.ArtifactsGroup;
    return item;
  }

  private artifactItem(element: ArtifactNode): vscode.TreeItem {
    const a = element.use;
    const spec = `${a.name}:${a.artifactVersion}`;
    const checkpoint = a.action === 'log' && checkpoints([a]).length > 0;
    // A logged artifact lists the versions that used it once they are known (read when the row is first built).
    let users: readonly ArtifactUse[] | undefined;
    if (a.action === 'log') {
      users = this.artifactUsers.get(`${element.folder}|${spec}`);
      if (users === undefined) {
        void this.usersOf(element.folder, a).then((list) => {
          if (list.length > 0) this.emitter.fire(this.node(element));
        });
      }
    }
    const item = new vscode.TreeItem(labelText(spec, 200), (users?.length ?? 0) > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.iconPath = new vscode.ThemeIcon(a.action === 'use' ? 'cloud-download' : a.action === 'link' ? 'link' : checkpoint ? 'save' : 'package');
    const parts = [a.type];
    if (a.step !== null) parts.push(vscode.l10n.t('step {0}', a.step));
    const aliases = a.aliases.filter((x) => x !== 'latest');
    if (aliases.length > 0) parts.push(aliases.join(', '));
    if (a.action !== 'log') parts.push(a.action === 'use' ? vscode.l10n.t('used') : vscode.l10n.t('linked'));
    if (a.inherited) parts.push(vscode.l10n.t('inherited'));
    if (users && users.length > 0) parts.push(users.length === 1 ? vscode.l10n.t('used by 1 run version') : vscode.l10n.t('used by {0} run versions', users.length));
    item.description = labelText(parts.join(' · '), 200);
    const tip = [
      `${spec} (${a.type})`,
      a.action === 'log' ? vscode.l10n.t('Logged by version {0}', a.recordedBy) : vscode.l10n.t('Logged by version {0}, {1} by version {2}', a.sourceVersion ?? '—', a.action === 'use' ? vscode.l10n.t('used') : vscode.l10n.t('linked'), a.recordedBy),
      a.step !== null ? vscode.l10n.t('At step {0}', a.step) : '',
      vscode.l10n.t('Aliases: {0}', a.aliases.join(', ') || '—'),
      a.size !== null ? vscode.l10n.t('{0} in {1} files', formatBytes(a.size), a.files ?? 0) : '',
      checkpoint ? vscode.l10n.t('A checkpoint: Rewind to Step offers it.') : '',
      a.manifestFile,
    ];
    item.tooltip = tip.filter((t) => t !== '').map((t) => singleLine(t, 500)).join('\n');
    item.contextValue = ContextValue.Artifact;
    return item;
  }

  /** A version that used or linked the artifact above: its run's name, clicked to reveal it. */
  private artifactUserItem(element: ArtifactUserNode): vscode.TreeItem {
    const u = element.user;
    const run = this.runOfVersion(element.folder, u.recordedBy);
    const version = run?.versions.find((v) => v.id === u.recordedBy);
    const item = new vscode.TreeItem(labelText(run?.name ?? u.recordedBy, 200), vscode.TreeItemCollapsibleState.None);
    item.iconPath = new vscode.ThemeIcon(u.action === 'link' ? 'link' : 'references');
    const parts = [run ? run.id : vscode.l10n.t('{0} (deleted)', u.recordedBy)];
    if (u.step !== null) parts.push(vscode.l10n.t('step {0}', u.step));
    parts.push(u.action === 'use' ? vscode.l10n.t('used') : vscode.l10n.t('linked'));
    if (version?.archived) parts.push(vscode.l10n.t('archived version {0}', version.id));
    item.description = labelText(parts.join(' · '), 200);
    item.tooltip = singleLine(u.action === 'use'
      ? vscode.l10n.t('Version {0} used {1}:{2}. Click to reveal it.', u.recordedBy, u.name, u.artifactVersion)
      : vscode.l10n.t('Version {0} linked {1}:{2}. Click to reveal it.', u.recordedBy, u.name, u.artifactVersion), 500);
    item.contextValue = ContextValue.ArtifactUser;
    if (run) item.command = { command: InternalCommandId.RevealArtifactUser, title: vscode.l10n.t('Reveal'), arguments: [element] };
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
      const artifacts = await this.artifactCounts(element.folder, run.id, overview.version.id);
      if (!token.isCancellationRequested) item.tooltip = runTooltip(run, overview, element.kind === 'version' ? overview.version : undefined, artifacts);
    } catch (error) {
      this.log.debug(`tooltip for ${run.id}: ${describe(error)}`);
      item.tooltip = runTooltip(run);
    }
    return item;
  }
}

function isMoreNode(value: unknown): value is MoreNode {
  return isRunsNode(value) && value.kind === 'more' && isRunsNode((value as { parent?: unknown }).parent);
}

/** The runs tree view and what the rest of the extension asks of it: its selection, and revealing a run. */
export class RunsView extends Disposable {
  readonly provider: RunsTreeProvider;
  readonly view: vscode.TreeView<RunsNode>;

  constructor(
    private readonly index: RunIndex,
    private readonly stores: FolderStores,
    private readonly log: ComponentLogger,
  ) {
    super();
    this.provider = this._register(new RunsTreeProvider(index, stores, log));
    this.view = this._register(vscode.window.createTreeView(ViewId.Runs, { treeDataProvider: this.provider, canSelectMany: true, showCollapseAll: true }));
    this._register(vscode.commands.registerCommand(InternalCommandId.ShowMore, (more: unknown) => {
      if (isMoreNode(more)) this.provider.showMore(more);
    }));
    this._register(index.onDidChange(() => this.updateBadge()));
    this._register(vscode.commands.registerCommand(CommandId.FilterRuns, () => this.askFilter()));
    this._register(vscode.commands.registerCommand(InternalCommandId.RevealArtifactUser, async (node: unknown) => {
      if (!isRunsNode(node) || node.kind !== 'artifactUser') return;
      const run = this.provider.runOfVersion(node.folder, node.user.recordedBy);
      if (run) await this.revealVersion(node.folder, run.id, node.user.recordedBy);
    }));
    this._register(vscode.commands.registerCommand(CommandId.ClearRunsFilter, () => this.provider.setFilter(undefined)));
    this._register(this.provider.onDidChangeFilter(() => this.showFilter()));
  }

  /**
   * Filter Runs…: the runs table's query language, checked by the stores as it is typed (the error says
   * where, as in the table), the current filter offered again for editing.
   */
  async askFilter(): Promise<void> {
    const text = await vscode.window.showInputBox({
      title: vscode.l10n.t('Filter Runs'),
      prompt: vscode.l10n.t("A query over the runs table's columns, e.g. summary.val_loss < 0.3 and config.lr = 0.001 and tags.team = 'vision' (empty: every run)"),
      placeHolder: "summary.loss < 0.5 and state = 'finished'",
      value: this.provider.filterText ?? '',
      validateInput: async (value) => {
        if (!value.trim()) return undefined;
        try {
          await this.provider.matchesFor(value);
          return undefined;
        } catch (error) {
          return singleLine(describe(error), 500);
        }
      },
    });
    if (text === undefined) return;
    try {
      await this.provider.setFilter(text);
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('The Runs view was not filtered: {0}', singleLine(describe(error), 500)));
    }
  }

  /**
   * The filter and how many runs it matches, in the view's message (a single-view container shows no
   * description) and description; empty when the view is not filtered.
   */
  private showFilter(): void {
    const text = this.provider.filterText;
    this.view.description = text === undefined ? '' : labelText(text, 80);
    if (text === undefined) {
      this.view.message = '';
      return;
    }
    const { matching, total } = this.provider.filterCounts();
    const query = labelText(text, 200);
    this.view.message = matching === 0
      ? vscode.l10n.t('No run of {0} matches the filter {1}. Clear it from the title bar.', total, query)
      : vscode.l10n.t('{0} of {1} runs match the filter {2}', matching, total, query);
  }

  /** Selected run nodes, for commands invoked from the palette while the tree has a selection. */
  get selection(): readonly RunsNode[] {
    return this.view.selection;
  }

  /** Lists the folder again, then reveals and selects the run (or one of its versions). */
  async revealRun(folder: string, runId: string, options: { readonly expand?: boolean; readonly focus?: boolean } = {}): Promise<void> {
    await this.index.refresh(folder, [runId]);
    const node = this.provider.node<RunNode>({ kind: 'run', folder, runId });
    const run = this.index.run(folder, runId);
    if (!run) return;
    await this.unhide(folder, run);
    const list = this.provider.runsOf(folder, run.project);
    await this.provider.showRow({ kind: 'project', folder, project: run.project }, list.findIndex((r) => r.id === runId));
    await this.revealSelected(node, { select: true, focus: options.focus ?? false, expand: options.expand ? 1 : undefined });
  }

  async revealVersion(folder: string, runId: string, versionId: string): Promise<void> {
    // A version the index knows is revealed from it; one it does not (just made) needs the run listed again.
    if (!this.index.run(folder, runId)?.versions.some((v) => v.id === versionId)) await this.index.refresh(folder, [runId]);
    const run = this.index.run(folder, runId);
    if (!run) return;
    if (run.liveVersion === versionId) return this.revealRun(folder, runId);
    await this.unhide(folder, run);
    const list = this.provider.runsOf(folder, run.project);
    await this.provider.showRow({ kind: 'project', folder, project: run.project }, list.findIndex((r) => r.id === runId));
    // A flat chain is one list: the version's row must be on a shown page. (A nested one is NEST_LIMIT deep at most.)
    if (isFlat(run)) await this.provider.showRow({ kind: 'forkedFrom', folder, runId }, forkedFromChildren(run).findIndex((v) => v.id === versionId));
    await this.revealSelected(this.provider.node({ kind: 'version', folder, runId, versionId }), { select: true, focus: false });
  }

  /** A run the filter hides (a fork just made, a source revealed) is shown by showing every run again. */
  private async unhide(folder: string, run: RunInfo): Promise<void> {
    if (this.provider.filterText === undefined || this.provider.runsOf(folder, run.project).some((r) => r.id === run.id)) return;
    await this.provider.setFilter(undefined);
    void vscode.window.setStatusBarMessage(vscode.l10n.t('Runs filter cleared to show {0}', labelText(run.name, 80)), 5000);
  }

  /**
   * Reveals and selects a row. A refresh of its parent that lands just after the reveal (a page grown
   * for it, an ingest) replaces the rows VS Code had selected, and the selection reaches this side by an
   * event that may come after the reveal's answer: so the reveal is made again until the row is selected,
   * for a few seconds at most (a busy machine answers slowly).
   */
  private async revealSelected(node: RunsNode, options: { select: true; focus: boolean; expand?: number }): Promise<void> {
    const id = nodeId(node);
    const deadline = Date.now() + REVEAL_SECONDS * 1000;
    for (let attempt = 1; ; attempt++) {
      await this.view.reveal(node, options);
      if (await this.selected(id, 400)) return;
      if (Date.now() > deadline) {
        this.log.debug(`reveal of ${id}: not selected after ${attempt} tries`);
        return;
      }
    }
  }

  /** Whether the row is selected now, or becomes so within `ms`. */
  private selected(id: string, ms: number): Promise<boolean> {
    if (this.view.selection.some((n) => nodeId(n) === id)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean): void => {
        clearTimeout(timer);
        listener.dispose();
        resolve(value);
      };
      const timer = setTimeout(() => done(false), ms);
      const listener = this.view.onDidChangeSelection((e) => {
        if (e.selection.some((n) => nodeId(n) === id)) done(true);
      });
    });
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
