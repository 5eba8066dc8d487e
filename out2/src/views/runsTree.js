"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.RunsView = exports.RunsTreeProvider = void 0;
// The Runs view: folders (multi-root only) → projects → runs → Rewinds → archived versions, nested
// as deep as the rewinds go; forked runs point back at their source ("Forked From run@step"). Elements
// are interned by id so a change event names exactly the rows that changed, and selection and expansion
// survive refreshes. Every label and description carrying user text goes through labelText.
const path = __importStar(require("node:path"));
const vscode = __importStar(require("vscode"));
const format_1 = require("../format");
const userText_1 = require("../userText");
const ids_1 = require("../ids");
const runsModel_1 = require("./runsModel");
const nodes_1 = require("./nodes");
const tooltip_1 = require("./tooltip");
class RunsTreeProvider {
    model;
    stores;
    log;
    emitter = new vscode.EventEmitter();
    onDidChangeTreeData = this.emitter.event;
    interned = new Map();
    /** Folders the last listing of the roots showed (multi-root only). */
    shownFolders = new Set();
    disposables = [];
    constructor(model, stores, log) {
        this.model = model;
        this.stores = stores;
        this.log = log;
        this.disposables.push(this.emitter, model.onDidChange((c) => this.onModelChange(c)));
    }
    /** The one element object for a node's id: VS Code matches change events by object identity. */
    node(node) {
        const id = (0, nodes_1.nodeId)(node);
        const existing = this.interned.get(id);
        if (existing)
            return existing;
        this.interned.set(id, node);
        return node;
    }
    get multiRoot() {
        return this.stores.all.length > 1;
    }
    onModelChange(change) {
        const known = (n) => this.interned.get((0, nodes_1.nodeId)(n));
        if (change.scope === 'all') {
            // A folder without runs has no row in a multi-root tree: when it gains its first run or loses its
            // last, only a refresh of the roots adds or drops the row (VS Code ignores a refresh of an element
            // it does not show).
            const repaintFolder = this.multiRoot && change.folder && this.shownFolders.has(change.folder) && this.hasRows(change.folder);
            this.emitter.fire(repaintFolder ? known({ kind: 'folder', folder: change.folder }) : undefined);
            return;
        }
        const nodes = [];
        if (change.scope === 'projects') {
            for (const project of change.projects) {
                const n = known({ kind: 'project', folder: change.folder, project });
                if (!n)
                    return this.emitter.fire(undefined);
                nodes.push(n);
            }
        }
        for (const runId of change.runs) {
            const n = known({ kind: 'run', folder: change.folder, runId });
            // A run never shown needs no repaint: its project repaints it when expanded.
            if (n)
                nodes.push(n);
        }
        this.log.trace(`repaint ${nodes.length} row(s) of ${change.folder}`);
        if (nodes.length > 0)
            this.emitter.fire(nodes);
    }
    async getChildren(element) {
        if (!element)
            return this.roots();
        const data = this.model.get(element.folder);
        switch (element.kind) {
            case 'folder':
                return this.projectsOf(element.folder);
            case 'project':
                return (data?.projects.get(element.project) ?? []).map((r) => this.node({ kind: 'run', folder: element.folder, runId: r.id }));
            case 'run': {
                const run = data?.runs.get(element.runId);
                if (!run)
                    return [];
                const children = [];
                if ((0, nodes_1.isRewound)(run))
                    children.push(this.node({ kind: 'forkedFrom', folder: element.folder, runId: run.id }));
                if (run.forkedFrom)
                    children.push(this.node({ kind: 'forkSource', folder: element.folder, runId: run.id, source: run.forkedFrom }));
                return children;
            }
            case 'forkedFrom': {
                const run = data?.runs.get(element.runId);
                return run ? (0, nodes_1.forkedFromChildren)(run).map((v) => this.versionNode(element.folder, run, v)) : [];
            }
            case 'version': {
                const run = data?.runs.get(element.runId);
                return run ? (0, nodes_1.versionChildren)(run, element.versionId).map((v) => this.versionNode(element.folder, run, v)) : [];
            }
            default:
                return [];
        }
    }
    versionNode(folder, run, v) {
        return this.node({ kind: 'version', folder, runId: run.id, versionId: v.id });
    }
    async roots() {
        const stores = this.stores.all;
        const loaded = await Promise.all(stores.map((s) => this.model.load(s.key).then(() => s)));
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
    hasRows(folder) {
        return (this.model.get(folder)?.runs.size ?? 0) > 0 || this.model.error(folder) !== undefined;
    }
    projectsOf(folder) {
        const error = this.model.error(folder);
        const projects = [...(this.model.get(folder)?.projects.keys() ?? [])].map((project) => this.node({ kind: 'project', folder, project }));
        // A store that cannot start says so in the tree rather than leaving it mysteriously empty.
        return error ? [{ kind: 'message', folder, message: error }, ...projects] : projects;
    }
    getParent(element) {
        const data = this.model.get(element.folder);
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
                const successor = run ? (0, nodes_1.versionSuccessor)(run, element.versionId) : undefined;
                if (!run || !successor || successor.id === run.liveVersion || !successor.archived) {
                    return this.node({ kind: 'forkedFrom', folder: element.folder, runId: element.runId });
                }
                return this.versionNode(element.folder, run, successor);
            }
        }
    }
    getTreeItem(element) {
        const item = this.buildItem(element);
        item.id = (0, nodes_1.nodeId)(element);
        return item;
    }
    buildItem(element) {
        const data = this.model.get(element.folder);
        switch (element.kind) {
            case 'folder': {
                const store = this.stores.get(element.folder);
                const item = new vscode.TreeItem((0, userText_1.labelText)(store?.name ?? element.folder), vscode.TreeItemCollapsibleState.Expanded);
                item.iconPath = new vscode.ThemeIcon('root-folder');
                if (store) {
                    // The absolute path does not fit the row; inside the folder the setting's relative form does.
                    const relative = store.folder ? path.relative(store.folder.uri.fsPath, store.logDir) : '';
                    item.description = (0, userText_1.labelText)(relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : store.logDir);
                    item.tooltip = vscode.l10n.t('{0}: logs in {1}', (0, userText_1.singleLine)(store.name), (0, userText_1.singleLine)(store.logDir, 500));
                }
                item.contextValue = ids_1.ContextValue.Folder;
                return item;
            }
            case 'project': {
                const runs = data?.projects.get(element.project) ?? [];
                const item = new vscode.TreeItem((0, userText_1.labelText)(element.project), vscode.TreeItemCollapsibleState.Expanded);
                item.iconPath = new vscode.ThemeIcon('project');
                item.description = runs.length === 1 ? vscode.l10n.t('1 run') : vscode.l10n.t('{0} runs', runs.length);
                item.contextValue = ids_1.ContextValue.Project;
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
                item.contextValue = ids_1.ContextValue.ForkedFromGroup;
                return item;
            }
            case 'version':
                return this.versionItem(element, data?.runs.get(element.runId));
            case 'forkSource':
                return this.forkSourceItem(element);
            case 'message': {
                const item = new vscode.TreeItem((0, userText_1.labelText)(element.message, 500), vscode.TreeItemCollapsibleState.None);
                item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
                item.command = { command: ids_1.CommandId.ShowLog, title: vscode.l10n.t('Show Log') };
                item.contextValue = ids_1.ContextValue.Message;
                return item;
            }
        }
    }
    runItem(element, run) {
        if (!run)
            return new vscode.TreeItem(element.runId, vscode.TreeItemCollapsibleState.None);
        const hasChildren = (0, nodes_1.isRewound)(run) || run.forkedFrom !== null;
        const item = new vscode.TreeItem((0, userText_1.labelText)(run.name), hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.iconPath = (0, format_1.stateIcon)(run.state);
        const parts = [run.id];
        if (run.lastStep !== null)
            parts.push(vscode.l10n.t('step {0}', run.lastStep));
        if (run.headline)
            parts.push(`${run.headline.key} ${(0, format_1.formatNumber)(run.headline.value)}`);
        item.description = (0, userText_1.labelText)(parts.join(' · '));
        const flags = [run.state === 'running' ? ids_1.ContextFlag.Running : 'stopped'];
        if ((0, nodes_1.isRewound)(run))
            flags.push(ids_1.ContextFlag.Rewound);
        if (run.forkedFrom)
            flags.push(ids_1.ContextFlag.Forked);
        item.contextValue = [ids_1.ContextValue.Run, ...flags].join(':');
        item.accessibilityInformation = { label: `${(0, userText_1.singleLine)(run.name)}, ${run.id}, ${run.state}${run.lastStep !== null ? `, step ${run.lastStep}` : ''}` };
        return item;
    }
    versionItem(element, run) {
        const version = run?.versions.find((v) => v.id === element.versionId);
        const hasChildren = run ? (0, nodes_1.versionChildren)(run, element.versionId).length > 0 : false;
        const item = new vscode.TreeItem(element.versionId, hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('archive');
        const successor = run ? (0, nodes_1.versionSuccessor)(run, element.versionId) : undefined;
        const parts = [];
        if (version?.lastStep !== null && version?.lastStep !== undefined)
            parts.push(vscode.l10n.t('last step {0}', version.lastStep));
        if (successor?.branchStep !== null && successor?.branchStep !== undefined)
            parts.push(vscode.l10n.t('rewound to {0}', successor.branchStep));
        if (version?.archivedAt)
            parts.push((0, format_1.formatTime)(version.archivedAt));
        item.description = parts.join(' · ');
        item.contextValue = ids_1.ContextValue.ArchivedVersion;
        return item;
    }
    forkSourceItem(element) {
        const source = element.source;
        const found = this.model.find(source.run, element.folder);
        const name = found?.run.name ?? source.runName ?? source.run;
        const item = new vscode.TreeItem(vscode.l10n.t('Forked From {0}@{1}', (0, userText_1.labelText)(name), source.step), vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('repo-forked');
        item.description = source.runDeleted || !found ? vscode.l10n.t('{0} (deleted)', source.run) : source.version;
        item.contextValue = ids_1.ContextValue.ForkSource;
        if (found && !source.runDeleted) {
            item.command = { command: ids_1.CommandId.RevealSource, title: vscode.l10n.t('Reveal Source Run'), arguments: [element] };
            item.tooltip = vscode.l10n.t('Forked from run {0} (version {1}) at step {2}. Click to reveal it.', source.run, source.version, source.step);
        }
        return item;
    }
    async resolveTreeItem(item, element, token) {
        if (element.kind !== 'run' && element.kind !== 'version')
            return item;
        const run = this.model.run(element.folder, element.runId);
        const store = this.stores.get(element.folder);
        if (!run || !store)
            return item;
        try {
            const overview = await (await store.store()).getRun(element.kind === 'version' ? element.versionId : run.id);
            if (!token.isCancellationRequested)
                item.tooltip = (0, tooltip_1.runTooltip)(run, overview, element.kind === 'version' ? overview.version : undefined);
        }
        catch (error) {
            this.log.debug(`tooltip for ${run.id}: ${error instanceof Error ? error.message : String(error)}`);
            item.tooltip = (0, tooltip_1.runTooltip)(run);
        }
        return item;
    }
    dispose() {
        for (const d of this.disposables)
            d.dispose();
    }
}
exports.RunsTreeProvider = RunsTreeProvider;
/** The runs tree view and what the rest of the extension asks of it. */
class RunsView {
    stores;
    provider;
    view;
    disposables = [];
    constructor(stores, log) {
        this.stores = stores;
        const model = new runsModel_1.RunsModel(stores, log);
        this.provider = new RunsTreeProvider(model, stores, log);
        this.view = vscode.window.createTreeView(ids_1.ViewId.Runs, { treeDataProvider: this.provider, canSelectMany: true, showCollapseAll: true });
        this.disposables.push(model, this.provider, this.view, model.onDidChange(() => this.updateBadge()));
    }
    get model() {
        return this.provider.model;
    }
    /** Selected run nodes, for commands invoked from the palette while the tree has a selection. */
    get selection() {
        return this.view.selection;
    }
    /** Lists the folder again, then reveals and selects the run (or one of its versions). */
    async revealRun(folder, runId, options = {}) {
        await this.model.refresh(folder, [runId]);
        const node = this.provider.node({ kind: 'run', folder, runId });
        if (!this.model.run(folder, runId))
            return;
        await this.view.reveal(node, { select: true, focus: options.focus ?? false, expand: options.expand ? 1 : undefined });
    }
    async revealVersion(folder, runId, versionId) {
        await this.model.refresh(folder, [runId]);
        const run = this.model.run(folder, runId);
        if (!run)
            return;
        if (run.liveVersion === versionId)
            return this.revealRun(folder, runId);
        await this.view.reveal(this.provider.node({ kind: 'version', folder, runId, versionId }), { select: true, focus: false });
    }
    updateBadge() {
        let running = 0;
        for (const folder of this.stores.all) {
            for (const run of this.model.get(folder.key)?.runs.values() ?? [])
                if (run.state === 'running')
                    running++;
        }
        const tooltip = running === 1 ? vscode.l10n.t('1 run running') : vscode.l10n.t('{0} runs running', running);
        this.view.badge = running > 0 ? { value: running, tooltip } : undefined;
    }
    dispose() {
        for (const d of this.disposables)
            d.dispose();
    }
}
exports.RunsView = RunsView;
//# sourceMappingURL=runsTree.js.map