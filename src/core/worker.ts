// The store worker: hosts the Engine off the extension host's main thread, so SQLite work, big ingests
// and snapshot writes never stall the editor. Big ingests are cut into slices so queries interleave.
import { setImmediate as yieldToQueue } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import type { IngestResult, Series } from './api';
import { Engine } from './engine';
import type { EngineIngestResult } from './engine';
import { serializeError } from './errors';
import type { FromWorker, Method, Request, StoreChangeReason, WorkerConfig } from './workerProtocol';

const SLICE_BYTES = 16 * 1024 * 1024;
const port = parentPort!;
const config = workerData as WorkerConfig;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

class WorkerHost {
  private ingesting: Promise<IngestResult> | undefined;
  private ingestAgain = false;
  private saveTimer: NodeJS.Timeout | undefined;
  private diagnosticsSignature = '';

  constructor(private readonly engine: Engine) {}

  async handle(request: Request): Promise<unknown> {
    const e = this.engine;
    const a = request.args;
    const method: Method = request.method;
    switch (method) {
      case 'ingest': return this.ingest();
      case 'listRuns': return e.listRuns();
      case 'getRun': return e.getRun(a[0] as string);
      case 'metricKeys': return e.metricKeys(a[0] as string);
      case 'series': return e.series(a[0] as string, a[1] as string, a[2] as never, a[3] as boolean);
      case 'downsample': return e.downsample(a[0] as string, a[1] as string, a[2] as number, a[3] as never, a[4] as boolean);
      case 'history': return e.history(a[0] as string, a[1] as never);
      case 'rewind': return this.mutate('rewind', () => e.rewind(a[0] as string, a[1] as number), (r) => [r.run.id]);
      case 'fork': return this.mutate('fork', () => e.fork(a[0] as string, a[1] as number, a[2] as never), (r) => [r.run.id]);
      case 'rename': return this.mutate('rename', () => e.rename(a[0] as string, a[1] as string), () => [a[0] as string]);
      case 'deleteRun': return this.mutate('delete', () => e.deleteRun(a[0] as string), () => [a[0] as string]);
      case 'diagnostics': return e.diagnostics();
      case 'rebuild': {
        post({ kind: 'progress', progress: { message: 'Rebuilding the store from the logs' } });
        const result = await e.rebuild();
        const all = e.listRuns().map((r) => r.id);
        this.changed({ changedRuns: all, reason: 'rebuild' }, result);
        return stripMore(result);
      }
      case 'save':
        this.saveNow();
        return undefined;
    }
  }

  /** One ingest at a time; calls made meanwhile are folded into one more pass after it. */
  ingest(): Promise<IngestResult> {
    if (this.ingesting) {
      this.ingestAgain = true;
      return this.ingesting;
    }
    const run = async (): Promise<IngestResult> => {
      const total = { changedRuns: new Set<string>(), rows: 0, points: 0, bytes: 0, diagnostics: [] as IngestResult['diagnostics'][number][] };
      let result: EngineIngestResult;
      // Measured only once an ingest turns out to need more than one slice: small ones cost nothing.
      let expected: number | undefined;
      do {
        this.ingestAgain = false;
        do {
          result = this.engine.ingest(SLICE_BYTES);
          for (const id of result.changedRuns) total.changedRuns.add(id);
          total.rows += result.rows;
          total.points += result.points;
          total.bytes += result.bytes;
          total.diagnostics.push(...result.diagnostics);
          if (result.more) {
            expected ??= total.bytes + this.engine.pendingBytes();
            const message = `Reading logs: ${(total.bytes / 1048576).toFixed(0)} of ${(expected / 1048576).toFixed(0)} MiB, ${total.points.toLocaleString('en-US')} points`;
            post({ kind: 'progress', progress: { message, fraction: Math.min(1, total.bytes / expected) } });
            await yieldToQueue();
          }
        } while (result.more);
      } while (this.ingestAgain);
      const merged: IngestResult = { ...total, changedRuns: [...total.changedRuns] };
      this.changed({ changedRuns: merged.changedRuns, reason: 'ingest' }, merged);
      return merged;
    };
    this.ingesting = run().finally(() => {
      this.ingesting = undefined;
    });
    return this.ingesting;
  }

  private mutate<T>(reason: StoreChangeReason, work: () => T, runs: (result: T) => string[]): T {
    const result = work();
    this.changed({ changedRuns: runs(result), reason }, undefined);
    return result;
  }

  private changed(change: { changedRuns: readonly string[]; reason: StoreChangeReason }, result: IngestResult | undefined): void {
    if (change.changedRuns.length > 0) post({ kind: 'changed', change });
    if (!result || result.diagnostics.length > 0 || change.reason !== 'ingest' || this.diagnosticsSignature !== '') this.sendDiagnostics();
    this.scheduleSave();
  }

  /** A store loaded from a snapshot already knows problems found before: tell the client at once. */
  sendKnownDiagnostics(): void {
    if (this.engine.diagnostics().length > 0) this.sendDiagnostics();
  }

  private sendDiagnostics(): void {
    const diagnostics = this.engine.diagnostics();
    const signature = `${diagnostics.length}:${diagnostics.map((d) => `${d.file}:${d.line}`).join('|').length}`;
    if (signature === this.diagnosticsSignature) return;
    this.diagnosticsSignature = diagnostics.length === 0 ? '' : signature;
    post({ kind: 'diagnostics', diagnostics });
  }

  private scheduleSave(): void {
    if (!this.engine.needsSave || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.saveNow(), config.saveDelayMs ?? 2000);
  }

  saveNow(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.engine.needsSave) return;
    try {
      const saved = this.engine.save();
      if (saved) post({ kind: 'log', level: 'info', message: `Saved the store snapshot (${(saved.bytes / 1048576).toFixed(1)} MiB)` });
    } catch (error) {
      post({ kind: 'log', level: 'error', message: `Could not save the store snapshot: ${(error as Error).message}` });
    }
  }
}

function transferables(value: unknown): ArrayBuffer[] {
  const series = value as Partial<Series> | undefined;
  if (!series || !(series.steps instanceof Float64Array) || !(series.values instanceof Float64Array)) return [];
  const buffers = [series.steps.buffer, series.values.buffer];
  if (series.times instanceof Float64Array) buffers.push(series.times.buffer);
  return [...new Set(buffers)] as ArrayBuffer[];
}

function stripMore(result: EngineIngestResult): IngestResult {
  const { more: _more, ...rest } = result;
  return rest;
}

async function main(): Promise<void> {
  let host: WorkerHost;
  try {
    const engine = await Engine.open(config);
    host = new WorkerHost(engine);
    post({ kind: 'ready', note: engine.startupNote });
    host.sendKnownDiagnostics();
  } catch (error) {
    post({ kind: 'failed', error: serializeError(error) });
    return;
  }
  port.on('message', (request: Request | { kind: 'close' }) => {
    if ('kind' in request) {
      host.saveNow();
      port.close();
      return;
    }
    Promise.resolve()
      .then(() => host.handle(request))
      .then(
        (result) => post({ kind: 'reply', id: request.id, ok: true, result }, transferables(result)),
        (error: unknown) => post({ kind: 'reply', id: request.id, ok: false, error: serializeError(error) }),
      );
  });
}

void main();
