// Messages between StoreClient (the thread that owns the UI) and the store worker.
import type { Diagnostic, Progress, StoreApi } from './api';
import type { SerializedError } from './errors';

export type Method = keyof StoreApi;

export interface WorkerConfig {
  readonly logDir: string;
  readonly snapshotPath?: string;
  readonly wasmPath?: string;
  readonly headlineMetric?: string;
  /** Milliseconds after a change before the snapshot is written (default 2000). */
  readonly saveDelayMs?: number;
}

export interface Request {
  readonly id: number;
  readonly method: Method;
  readonly args: readonly unknown[];
}

export type Reply =
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: SerializedError };

export type StoreChangeReason = 'ingest' | 'rewind' | 'fork' | 'rename' | 'delete' | 'rebuild';

export interface StoreChange {
  readonly changedRuns: readonly string[];
  readonly reason: StoreChangeReason;
}

export type WorkerEvent =
  | { readonly kind: 'ready'; readonly note?: string }
  | { readonly kind: 'failed'; readonly error: SerializedError }
  | { readonly kind: 'changed'; readonly change: StoreChange }
  | { readonly kind: 'diagnostics'; readonly diagnostics: readonly Diagnostic[] }
  | { readonly kind: 'progress'; readonly progress: Progress }
  | { readonly kind: 'log'; readonly level: 'info' | 'warn' | 'error'; readonly message: string };

export type FromWorker = Reply | WorkerEvent;
