// One workspace folder's run store: started on first use, then kept current by a file watcher on the
// log directory plus a polling fallback, with ingests coalesced so a chatty training script costs one
// ingest per burst rather than one per line.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Diagnostic, IngestResult, Progress, StoreApi } from '../core/api';
import { isServerSource } from '../core/importers/sources';
import { LOG_EXTENSION } from '../core/protocol';
import type { MlflowAuth } from '../core/sync/mlflowRest';
import { Disposable } from '../dispose';
import { type ComponentLogger, describe } from '../logger';
import type { FolderStore, RunsChangedEvent } from '../services';
import type { StartStore, StoreConnection } from './storeConnection';

/** Delay after a file event before ingesting, so a burst of appends becomes one ingest. */
const WATCH_DEBOUNCE_MS = 60;

export interface FolderStoreOptions {
  readonly key: string;
  readonly name: string;
  readonly folder: vscode.WorkspaceFolder | undefined;
  readonly logDir: string;
  /** Folders or globs of other tools' logs this store imports (absolute). */
  readonly sources: readonly string[];
  readonly snapshotPath: string | undefined;
  readonly start: StartStore;
  readonly log: ComponentLogger;
  readonly pollIntervalMs: () => number;
  readonly headlineMetric: () => string;
  /** Credentials for the MLflow servers among the sources, asked for when the store starts. */
  readonly mlflowCredentials?: () => Promise<{ readonly auth: MlflowAuth; readonly tokens: Readonly<Record<string, string>> }>;
}

export class FolderStoreImpl extends Disposable implements FolderStore {
  readonly key: string;
  readonly name: string;
  readonly folder: vscode.WorkspaceFolder | undefined;
  readonly logDir: string;
  readonly sources: readonly string[];

  private readonly changeEmitter = this._register(new vscode.EventEmitter<RunsChangedEvent>());
  private readonly diagnosticsEmitter = this._register(new vscode.EventEmitter<readonly Diagnostic[]>());
  readonly onDidChangeRuns = this.changeEmitter.event;
  /** Full current set of this store's diagnostics. */
  readonly onDidChangeDiagnostics = this.diagnosticsEmitter.event;

  private starting: Promise<StoreConnection> | undefined;
  private client: StoreConnection | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private ingesting: Promise<void> | undefined;
  private ingestAgain = false;
  private disposed = false;
  /** What the first ingest after start read; tells a snapshot reload (few bytes) from a full read. */
  firstIngest: IngestResult | undefined;

  constructor(private readonly options: FolderStoreOptions) {
    super();
    this.key = options.key;
    this.name = options.name;
    this.folder = options.folder;
    this.logDir = options.logDir;
    this.sources = options.sources;
  }

  get started(): boolean {
    return this.client !== undefined;
  }

  store(): Promise<StoreApi> {
    this.starting ??= this.start();
    return this.starting;
  }

  /** Ingests soon; bursts of calls collapse into one ingest, and one more after it if needed. */
  requestIngest(): void {
    if (!this.client || this.disposed || this.debounceTimer) return;
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      void this.ingestNow();
    }, WATCH_DEBOUNCE_MS);
  }

  /** Ingests now (or right after the ingest in flight) and resolves when the log directory was read. */
  async ingestNow(): Promise<void> {
    if (!this.client || this.disposed) return;
    if (this.ingesting) {
      this.ingestAgain = true;
      return this.ingesting;
    }
    const client = this.client;
    this.ingesting = (async () => {
      do {
        this.ingestAgain = false;
        try {
          await client.ingest();
        } catch (error) {
          this.options.log.error(`ingest of ${this.logDir} failed: ${describe(error)}`);
        }
      } while (this.ingestAgain && !this.disposed);
    })().finally(() => {
      this.ingesting = undefined;
    });
    return this.ingesting;
  }

  /** Drops the store and reads every log again, reporting the worker's progress. */
  async rebuild(onProgress?: (progress: Progress) => void): Promise<IngestResult> {
    this.starting ??= this.start();
    const client = await this.starting;
    const subscription = onProgress ? client.onProgress(onProgress) : undefined;
    try {
      await this.ingesting;
      return await client.rebuild();
    } finally {
      subscription?.dispose();
    }
  }

  /** Restarts polling with the current interval setting. */
  restartPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    const interval = this.options.pollIntervalMs();
    // Polling also notices writers that died: no file event ever tells us that.
    if (interval > 0 && this.client && !this.disposed) {
      this.pollTimer = setInterval(() => this.requestIngest(), interval);
    }
  }

  private async start(): Promise<StoreConnection> {
    const { log } = this.options;
    const started = Date.now();
    log.info(`starting the store for ${this.name}: logs ${this.logDir}${this.sources.length > 0 ? `, imports from ${this.sources.join(', ')}` : ''}, snapshot ${this.options.snapshotPath ?? '(memory only)'}`);
    if (this.options.snapshotPath) {
      await vscode.workspace.fs.createDirectory(vscode.Uri.file(path.dirname(this.options.snapshotPath)));
    }
    const credentials = this.sources.some(isServerSource) ? await this.options.mlflowCredentials?.() : undefined;
    const client = await this.options.start({
      logDir: this.logDir,
      sources: this.sources,
      mlflowAuth: credentials?.auth,
      mlflowTokens: credentials?.tokens,
      snapshotPath: this.options.snapshotPath,
      headlineMetric: this.options.headlineMetric() || undefined,
    });
    if (client.startupNote) log.info(`${this.name}: ${client.startupNote}`);
    if (this.disposed) {
      await client.dispose();
      throw new Error('the store was closed while it started');
    }
    this._register(
      client.onDidChange((e) => {
        log.debug(`${e.reason}: ${e.changedRuns.length} run(s) changed in ${this.name}`);
        this.changeEmitter.fire({ folder: this.key, changedRuns: e.changedRuns, reason: e.reason });
      }),
    );
    this._register(client.onDidChangeDiagnostics((d) => this.diagnosticsEmitter.fire(d)));
    this._register(client.onLog((line) => log[line.level](`worker (${this.name}): ${line.message}`)));
    this.firstIngest = await withIngestProgress(client, vscode.l10n.t('Run Rewind: reading logs of {0}', this.name), () => client.ingest());
    log.info(
      `store for ${this.name} ready in ${Date.now() - started} ms (first ingest: ${this.firstIngest.rows} rows, ${this.firstIngest.bytes} bytes)`,
    );
    // A worker that started from a snapshot only reports diagnostics when they change; the Problems
    // panel needs the ones it already knows too.
    this.diagnosticsEmitter.fire(await client.diagnostics());
    this.client = client;
    this.watch();
    this.restartPolling();
    return client;
  }

  private watch(): void {
    const folder = this.folder;
    const relative = folder ? path.relative(folder.uri.fsPath, this.logDir) : '';
    // Inside the folder the pattern rides on the workspace's own recursive watcher; outside, the
    // directory gets a watcher of its own.
    const pattern =
      folder && relative && !relative.startsWith('..') && !path.isAbsolute(relative)
        ? new vscode.RelativePattern(folder, `${relative.split(path.sep).join('/')}/**/*${LOG_EXTENSION}`)
        : new vscode.RelativePattern(vscode.Uri.file(this.logDir), `**/*${LOG_EXTENSION}`);
    const watcher = this._register(vscode.workspace.createFileSystemWatcher(pattern));
    this._register(watcher.onDidCreate(() => this.requestIngest()));
    this._register(watcher.onDidChange(() => this.requestIngest()));
    this._register(watcher.onDidDelete(() => this.requestIngest()));
  }

  /** Saves the snapshot and stops the worker. */
  async close(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    super.dispose();
    const client = this.client ?? (await this.starting?.catch(() => undefined));
    this.client = undefined;
    if (!client) return;
    try {
      await this.ingesting;
      await client.dispose();
    } catch (error) {
      this.options.log.error(`closing the store of ${this.name} failed: ${describe(error)}`);
    }
  }

  /** Closing is asynchronous (the snapshot is saved); dispose() starts it. */
  override dispose(): void {
    void this.close();
  }
}

/**
 * Runs a store task; if the worker reports progress (it does for large logs and rebuilds), shows a
 * notification with it until the task ends. Small ingests report nothing and show nothing.
 */
export async function withIngestProgress<T>(client: StoreConnection, title: string, task: () => Promise<T>): Promise<T> {
  let opened = false;
  let sink: vscode.Progress<{ message?: string; increment?: number }> | undefined;
  let latest: Progress | undefined;
  let reported = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const push = (): void => {
    if (!sink || !latest) return;
    const fraction = latest.fraction;
    // withProgress wants increments; the worker reports fractions.
    const increment = fraction === undefined ? undefined : Math.max(0, fraction * 100 - reported);
    if (fraction !== undefined) reported = Math.max(reported, fraction * 100);
    sink.report({ message: latest.message, increment });
  };
  const subscription = client.onProgress((p) => {
    latest = p;
    if (!opened) {
      opened = true;
      void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, (progress) => {
        sink = progress;
        push();
        return done;
      });
    } else {
      push();
    }
  });
  try {
    return await task();
  } finally {
    subscription.dispose();
    finish();
  }
}
