// Messages between StoreClient (the thread that owns the UI) and the store worker: method calls of
// StoreApi (src/shared/rpc.ts types each call's arguments by its method), replies, and events.
import type { MethodCall } from '../shared/rpc';
import type { Diagnostic, Progress, StoreApi, StoreChange } from './api';
import type { SerializedError } from './errors';
import type { MlflowAuth } from './sync/mlflowRest';

export type { StoreChange, StoreChangeReason } from './api';

export interface WorkerConfig {
  readonly logDir: string;
  readonly snapshotPath?: string;
  readonly wasmPath?: string;
  readonly headlineMetric?: string;
  /** Folders or globs of other tools' logs to import (EngineOptions.sources). */
  readonly sources?: readonly string[];
  /** Credentials for the MLflow servers among the sources (EngineOptions.mlflowAuth, mlflowTokens). */
  readonly mlflowAuth?: MlflowAuth;
  readonly mlflowTokens?: Readonly<Record<string, string>>;
  /** Milliseconds of quiet after a change before the snapshot is written (default 10,000). */
  readonly saveDelayMs?: number;
  /** While changes never stop, the longest a change waits to be saved (default 300,000; see worker.ts). */
  readonly maxSaveIntervalMs?: number;
}

/** A call of one StoreApi method with exactly that method's parameters. */
export type Request = MethodCall<StoreApi>;

export type Reply =
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: SerializedError };

export type WorkerEvent =
  | { readonly kind: 'ready'; readonly note?: string }
  | { readonly kind: 'failed'; readonly error: SerializedError }
  | { readonly kind: 'changed'; readonly change: StoreChange }
  | { readonly kind: 'diagnostics'; readonly diagnostics: readonly Diagnostic[] }
  | { readonly kind: 'progress'; readonly progress: Progress }
  | { readonly kind: 'log'; readonly level: LogLevel; readonly message: string };

export type FromWorker = Reply | WorkerEvent;

/** Levels of the worker's log lines, as the output channel has them. */
export type LogLevel = 'trace' | 'info' | 'warn' | 'error';
