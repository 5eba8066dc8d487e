// One run store per workspace folder (multi-root works), kept in step with the folders and the log
// directory setting, plus the Problems panel entries for malformed log lines.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Diagnostic } from '../core/api';
import { affects, headlineMetric, logDirectoryFor, mlflowTrackingUri, pollIntervalMs, sourcesFor } from '../config';
import { MLFLOW_TOKEN_SECRET } from '../commands/mlflowCommands';
import { isServerSource } from '../core/importers/sources';
import { authFromEnvironment, parseTrackingUri } from '../core/sync/mlflowRest';
import type { MlflowAuth } from '../core/sync/mlflowRest';
import { Setting } from '../ids';
import { Disposable } from '../dispose';
import type { Logger } from '../logger';
import type { FolderStores, RunsChangedEvent } from '../services';
import { FolderStoreImpl } from './folderStore';
import type { StartStore } from './storeConnection';

/** Key of the store used when no folder is open. */
export const WINDOW_STORE_KEY = 'window';

export class FolderStoresImpl extends Disposable implements FolderStores {
  private stores: FolderStoreImpl[] = [];
  private readonly runsEmitter = this._register(new vscode.EventEmitter<RunsChangedEvent>());
  private readonly foldersEmitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeRuns = this.runsEmitter.event;
  readonly onDidChangeFolders = this.foldersEmitter.event;

  private readonly problems = this._register(vscode.languages.createDiagnosticCollection('runRewind'));
  private readonly problemFiles = new Map<FolderStoreImpl, vscode.Uri[]>();
  /** Our subscriptions to each store's events, dropped when the store closes. */
  private readonly perStore = new Map<FolderStoreImpl, vscode.Disposable>();
  private readonly log;

  /**
   * @param storageDir where snapshots live: the workspace's storage, or the global one with no workspace.
   */
  constructor(
    private readonly storageDir: vscode.Uri | undefined,
    logger: Logger,
    private readonly start: StartStore,
    /** Where Set MLflow Server Token… keeps the token the stores that show a server's runs send. */
    private readonly secrets?: vscode.SecretStorage,
  ) {
    super();
    this.log = logger.for('store');
    this.sync();
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.sync()));
    if (secrets) {
      // A store sends the token it started with: those that read a server start again with the new one.
      this._register(secrets.onDidChange((e) => {
        if (e.key === MLFLOW_TOKEN_SECRET) void this.reopen((s) => s.sources.some(isServerSource));
      }));
    }
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, Setting.LogDirectory) || affects(e, Setting.Sources) || affects(e, Setting.MlflowTrackingUri) || affects(e, Setting.MlflowShowServerRuns) || affects(e, Setting.MlflowServerExperiments)) this.sync();
        if (affects(e, Setting.PollInterval)) for (const s of this.stores) s.restartPolling();
        // The store computes headlines as it ingests; a new metric means starting it again (cheap:
        // the snapshot is saved on close and reloaded).
        if (affects(e, Setting.HeadlineMetric)) void this.reopen();
      }),
    );
  }

  get all(): readonly FolderStoreImpl[] {
    return this.stores;
  }

  get(key: string): FolderStoreImpl | undefined {
    return this.stores.find((s) => s.key === key);
  }

  forUri(uri: vscode.Uri | undefined): FolderStoreImpl | undefined {
    const folder = uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
    return (folder && this.get(folder.uri.toString())) ?? this.stores[0];
  }

  /** Closes every store (or those `which` picks), saving snapshots, and opens them again: what a window reload does. */
  async reopen(which: (store: FolderStoreImpl) => boolean = () => true): Promise<void> {
    const old = this.stores.filter(which);
    if (old.length === 0) return;
    this.stores = this.stores.filter((s) => !old.includes(s));
    await Promise.all(old.map((s) => this.close(s)));
    this.sync();
  }

  /** What a store that reads an MLflow server sends: the environment's credentials and the stored token for runRewind.mlflow.trackingUri. */
  private async mlflowCredentials(): Promise<{ auth: MlflowAuth; tokens: Record<string, string> }> {
    const token = await this.secrets?.get(MLFLOW_TOKEN_SECRET);
    let server: string | undefined;
    try {
      server = parseTrackingUri(mlflowTrackingUri());
    } catch {
      // no server set: the token belongs to none
    }
    return { auth: authFromEnvironment(), tokens: token && server ? { [server]: token } : {} };
  }

  /** Saves every snapshot and stops every worker. */
  async shutdown(): Promise<void> {
    const old = this.stores;
    this.stores = [];
    await Promise.all(old.map((s) => this.close(s)));
  }

  private sync(): void {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const wanted = folders.length > 0
      ? folders.map((f) => ({ key: f.uri.toString(), name: f.name, folder: f as vscode.WorkspaceFolder | undefined, logDir: logDirectoryFor(f), sources: sourcesFor(f) }))
      : [{ key: WINDOW_STORE_KEY, name: vscode.l10n.t('Window'), folder: undefined, logDir: logDirectoryFor(undefined), sources: [] as string[] }];
    const next: FolderStoreImpl[] = [];
    let changed = wanted.length !== this.stores.length;
    for (const w of wanted) {
      const existing = this.stores.find((s) => s.key === w.key && s.logDir === w.logDir && s.sources.join('\n') === w.sources.join('\n'));
      if (existing) {
        next.push(existing);
        continue;
      }
      changed = true;
      const store = new FolderStoreImpl({
        ...w,
        snapshotPath: this.snapshotPath(w.key, w.logDir, w.sources),
        start: this.start,
        log: this.log,
        pollIntervalMs,
        headlineMetric,
        mlflowCredentials: () => this.mlflowCredentials(),
      });
      this.perStore.set(
        store,
        vscode.Disposable.from(
          store.onDidChangeRuns((e) => this.runsEmitter.fire(e)),
          store.onDidChangeDiagnostics((d) => this.showProblems(store, d)),
        ),
      );
      next.push(store);
    }
    const removed = this.stores.filter((s) => !next.includes(s));
    this.stores = next;
    for (const s of removed) void this.close(s);
    if (changed || removed.length > 0) {
      this.log.info(`stores: ${next.map((s) => `${s.name} → ${s.logDir}`).join(', ')}`);
      this.foldersEmitter.fire();
    }
  }

  private snapshotPath(key: string, logDir: string, sources: readonly string[]): string | undefined {
    if (!this.storageDir || this.storageDir.scheme !== 'file') return undefined;
    // Keyed by folder and log directory, so changing the setting never mixes two directories' runs.
    // Imported sources too: a snapshot holds what its sources imported. Without sources the key is as before.
    const hash = createHash('sha256').update(`${key}\n${logDir}${sources.length > 0 ? `\n${sources.join('\n')}` : ''}`).digest('hex').slice(0, 16);
    return path.join(this.storageDir.fsPath, `store-${hash}.sqlite`);
  }

  private async close(store: FolderStoreImpl): Promise<void> {
    this.perStore.get(store)?.dispose();
    this.perStore.delete(store);
    this.showProblems(store, []);
    this.problemFiles.delete(store);
    await store.close();
  }

  private showProblems(store: FolderStoreImpl, diagnostics: readonly Diagnostic[]): void {
    for (const uri of this.problemFiles.get(store) ?? []) this.problems.delete(uri);
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const d of diagnostics) {
      const line = Math.max(0, d.line - 1);
      const diagnostic = new vscode.Diagnostic(
        new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER),
        d.message,
        d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
      );
      diagnostic.source = 'Run Rewind';
      const list = byFile.get(d.file) ?? [];
      list.push(diagnostic);
      byFile.set(d.file, list);
    }
    const uris: vscode.Uri[] = [];
    for (const [file, list] of byFile) {
      // A tracking server's problem is shown under its address, not as a file.
      const uri = isServerSource(file) ? vscode.Uri.parse(file) : vscode.Uri.file(file);
      uris.push(uri);
      this.problems.set(uri, list);
    }
    this.problemFiles.set(store, uris);
  }

  override dispose(): void {
    void this.shutdown();
    for (const d of this.perStore.values()) d.dispose();
    super.dispose();
  }
}
