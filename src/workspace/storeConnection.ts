// The store as the extension holds it: the StoreApi plus the events and lifetime of the worker-backed
// client. Kept as an interface so the one place that starts a worker is `startStoreClient`.
import type { LogLevel } from '../core/workerProtocol';
import type { Diagnostic, Progress, StoreApi } from '../core/api';
import { StoreClient } from '../core/client';
import type { StoreChange } from '../core/workerProtocol';
import type { MlflowAuth } from '../core/sync/mlflowRest';

export interface Unsubscribe {
  dispose(): void;
}

export interface StoreConnection extends StoreApi {
  readonly logDir: string;
  onDidChange(listener: (e: StoreChange) => void): Unsubscribe;
  /** Always the full current set. */
  onDidChangeDiagnostics(listener: (diagnostics: readonly Diagnostic[]) => void): Unsubscribe;
  onProgress(listener: (progress: Progress) => void): Unsubscribe;
  /** The worker's own log lines. */
  onLog(listener: (line: { readonly level: LogLevel; readonly message: string }) => void): Unsubscribe;
  /** Why the snapshot was not used at start, if it was not. */
  readonly startupNote: string | undefined;
  /** Saves the snapshot and stops the worker. */
  dispose(): Promise<void>;
}

export interface StartStoreOptions {
  readonly logDir: string;
  readonly snapshotPath?: string;
  /** The metric each run's headline shows; omitted lets the store choose. */
  readonly headlineMetric?: string;
  /** Folders or globs of other tools' logs to import, absolute. */
  readonly sources?: readonly string[];
  /** Credentials for the MLflow servers among the sources. */
  readonly mlflowAuth?: MlflowAuth;
  readonly mlflowTokens?: Readonly<Record<string, string>>;
}

export type StartStore = (options: StartStoreOptions) => Promise<StoreConnection>;

/** Starts the worker thread beside the bundle (dist/worker.js, dist/sql-wasm.wasm). */
export const startStoreClient: StartStore = (options) => StoreClient.start(options);
