// StoreClient: the store as the extension sees it. Every call is answered by the Engine in a worker
// thread; the caller's thread only posts messages and receives (transferred) results.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ArtifactUse, BranchDiff, RunEdit, ConsolePage, ConsoleQuery, Diagnostic, MediaEntry, MediaKeyInfo, ForkOptions, HistoryQuery, HistoryTable, IngestResult, LineageResult, MetricKey, Progress, RunInfo, RunOverview, RunsTable, RunsTableQuery, Series, StepRange, StoreApi, SystemMetrics } from './api';
import type { RunMetadata } from './protocol';
import { PendingReplies, methodCall } from '../shared/rpc';
import type { PackedTable } from '../shared/tablePacking';
import type { ArgsOf, MethodName, ResultOf } from '../shared/rpc';
import { RunRewindError, deserializeError } from './errors';
import type { FromWorker, StoreChange, WorkerConfig } from './workerProtocol';
import type { LogLevel } from './workerProtocol';
import type { MlflowAuth } from './sync/mlflowRest';

export type { StoreChange } from './api';

export interface StoreClientOptions {
  /** Absolute path of the log directory to ingest. */
  readonly logDir: string;
  /** Absolute path of the persisted snapshot; omitted keeps the store in memory. */
  readonly snapshotPath?: string;
  /** The worker script; default: worker.js beside this file (dist/ in the bundle). */
  readonly workerScript?: string;
  /** sql-wasm.wasm; default: beside the worker script. */
  readonly wasmPath?: string;
  readonly headlineMetric?: string;
  /** Folders or globs of other tools' logs to import (EngineOptions.sources). */
  readonly sources?: readonly string[];
  /** Credentials for the MLflow servers among the sources (EngineOptions.mlflowAuth, mlflowTokens). */
  readonly mlflowAuth?: MlflowAuth;
  readonly mlflowTokens?: Readonly<Record<string, string>>;
  readonly saveDelayMs?: number;
  readonly maxSaveIntervalMs?: number;
}

export interface Subscription {
  dispose(): void;
}

type Listener<T> = (value: T) => void;

class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();
  on(listener: Listener<T>): Subscription {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
}

export interface LogMessage {
  readonly level: LogLevel;
  readonly message: string;
}

export class StoreClient implements StoreApi {
  private readonly replies = new PendingReplies();
  private stopped: Error | undefined;
  private readonly changes = new Emitter<StoreChange>();
  private readonly diagnosticChanges = new Emitter<readonly Diagnostic[]>();
  private readonly progress = new Emitter<Progress>();
  private readonly logs = new Emitter<LogMessage>();
  /** Why the snapshot was not used at start, if it was not. */
  startupNote: string | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly logDir: string,
  ) {}

  static start(options: StoreClientOptions): Promise<StoreClient> {
    const script = options.workerScript ?? path.join(__dirname, 'worker.js');
    const config: WorkerConfig = {
      logDir: options.logDir,
      snapshotPath: options.snapshotPath,
      wasmPath: options.wasmPath ?? path.join(path.dirname(script), 'sql-wasm.wasm'),
      headlineMetric: options.headlineMetric,
      sources: options.sources,
      mlflowAuth: options.mlflowAuth,
      mlflowTokens: options.mlflowTokens,
      saveDelayMs: options.saveDelayMs,
      maxSaveIntervalMs: options.maxSaveIntervalMs,
    };
    const worker = new Worker(script, { workerData: config });
    const client = new StoreClient(worker, options.logDir);
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(new RunRewindError('internal', `The store worker could not start: ${error.message}`));
      worker.once('error', onError);
      worker.on('message', (message: FromWorker) => {
        if (message.kind === 'ready') {
          worker.off('error', onError);
          client.startupNote = message.note;
          worker.on('error', (error) => client.stop(error));
          worker.on('exit', (code) => client.stop(new Error(`the store worker exited (code ${code})`)));
          resolve(client);
        } else if (message.kind === 'failed') {
          reject(deserializeError(message.error));
          void worker.terminate();
        } else {
          client.receive(message);
        }
      });
    });
  }

  onDidChange(listener: Listener<StoreChange>): Subscription {
    return this.changes.on(listener);
  }

  /** The full current set of diagnostics, whenever it changes. */
  onDidChangeDiagnostics(listener: Listener<readonly Diagnostic[]>): Subscription {
    return this.diagnosticChanges.on(listener);
  }

  onProgress(listener: Listener<Progress>): Subscription {
    return this.progress.on(listener);
  }

  onLog(listener: Listener<LogMessage>): Subscription {
    return this.logs.on(listener);
  }

  private receive(message: FromWorker): void {
    switch (message.kind) {
      case 'reply':
        if (message.ok) this.replies.settle(message.id, message.result);
        else this.replies.reject(message.id, deserializeError(message.error));
        return;
      case 'changed': return this.changes.fire(message.change);
      case 'diagnostics': return this.diagnosticChanges.fire(message.diagnostics);
      case 'progress': return this.progress.fire(message.progress);
      case 'log': return this.logs.fire({ level: message.level, message: message.message });
      default:
    }
  }

  private stop(reason: Error): void {
    if (this.stopped) return;
    this.stopped = new RunRewindError('internal', `The store stopped: ${reason.message}`);
    this.replies.rejectAll(this.stopped);
  }

  /** Calls `method` in the worker with exactly its StoreApi parameters; resolves with its result. */
  private call<M extends MethodName<StoreApi>>(method: M, ...args: ArgsOf<StoreApi[M]>): Promise<ResultOf<StoreApi[M]>> {
    if (this.stopped) return Promise.reject(this.stopped);
    return this.replies.request((id) => this.worker.postMessage(methodCall<StoreApi, M>(id, method, args)));
  }

  ingest(): Promise<IngestResult> { return this.call('ingest'); }
  listRuns(): Promise<RunInfo[]> { return this.call('listRuns'); }
  getRun(runOrVersion: string): Promise<RunOverview> { return this.call('getRun', runOrVersion); }
  metricKeys(version: string): Promise<MetricKey[]> { return this.call('metricKeys', version); }
  series(version: string, key: string, range?: StepRange, withTimes?: boolean): Promise<Series> { return this.call('series', version, key, range, withTimes); }
  downsample(version: string, key: string, buckets: number, range?: StepRange, withTimes?: boolean): Promise<Series> { return this.call('downsample', version, key, buckets, range, withTimes); }
  history(version: string, query?: HistoryQuery): Promise<HistoryTable> { return this.call('history', version, query); }
  runsTable(query?: RunsTableQuery): Promise<RunsTable> { return this.call('runsTable', query); }
  packedRunsTable(query?: RunsTableQuery): Promise<PackedTable> { return this.call('packedRunsTable', query); }
  branchDiff(version: string, other?: string): Promise<BranchDiff> { return this.call('branchDiff', version, other); }
  consoleLines(version: string, query?: ConsoleQuery): Promise<ConsolePage> { return this.call('consoleLines', version, query); }
  systemMetrics(version: string): Promise<SystemMetrics> { return this.call('systemMetrics', version); }
  metadata(version: string): Promise<RunMetadata | null> { return this.call('metadata', version); }
  mediaKeys(version: string): Promise<MediaKeyInfo[]> { return this.call('mediaKeys', version); }
  mediaSteps(version: string, key: string): Promise<number[]> { return this.call('mediaSteps', version, key); }
  mediaAt(version: string, key: string, step: number): Promise<MediaEntry | null> { return this.call('mediaAt', version, key, step); }
  mediaEntries(version: string, key: string, range?: StepRange, limit?: number): Promise<MediaEntry[]> { return this.call('mediaEntries', version, key, range, limit); }
  artifacts(version: string): Promise<ArtifactUse[]> { return this.call('artifacts', version); }
  artifactRecords(name: string, artifactVersion: string): Promise<ArtifactUse[]> { return this.call('artifactRecords', name, artifactVersion); }
  rewind(run: string, step: number): Promise<LineageResult> { return this.call('rewind', run, step); }
  fork(source: string, step: number, options?: ForkOptions): Promise<LineageResult> { return this.call('fork', source, step, options); }
  rename(run: string, name: string): Promise<void> { return this.call('rename', run, name); }
  editRun(run: string, edit: RunEdit): Promise<void> { return this.call('editRun', run, edit); }
  deleteRun(run: string): Promise<void> { return this.call('deleteRun', run); }
  diagnostics(): Promise<Diagnostic[]> { return this.call('diagnostics'); }
  rebuild(): Promise<IngestResult> { return this.call('rebuild'); }
  save(): Promise<void> { return this.call('save'); }

  /** Saves the snapshot and stops the worker. */
  async dispose(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.save();
    } finally {
      this.stop(new Error('disposed'));
      await this.worker.terminate();
    }
  }
}
