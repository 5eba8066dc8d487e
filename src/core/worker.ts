// The store worker: hosts the Engine off the extension host's main thread, so SQLite work, big ingests
// and snapshot writes never stall the editor. Big ingests are cut into slices so queries interleave.
import { setImmediate as yieldToQueue } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { invoke } from '../shared/rpc';
import type { Handlers } from '../shared/rpc';
import type { IngestResult, Series, StoreApi, StoreChangeReason } from './api';
import { Engine } from './engine';
import type { EngineIngestResult } from './engine';
import { serializeError } from './errors';
import type { FromWorker, Request, WorkerConfig } from './workerProtocol';

const SLICE_BYTES = 16 * 1024 * 1024;
/**
 * The least time between two pulls of the MLflow servers among the sources (an ingest starts one), and
 * how many times a pull's own duration the next one waits at least (a big or slow server is asked less often).
 */
const PULL_INTERVAL_MS = 5000;
const PULL_SPACING = 10;

/**
 * Other tools' log files are not watched (a workspace watcher misses files in folders made after it
 * started): while one grew in the last FOLLOW_WINDOW_MS, the worker reads the sources again every
 * FOLLOW_MS by itself, so a line a TensorBoard writer flushes is on the chart within a second, not on the
 * next poll (2 s by default). Quiet sources cost nothing more.
 */
const FOLLOW_MS = 400;
const FOLLOW_WINDOW_MS = 10_000;
const port = parentPort!;
const config = workerData as WorkerConfig;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

class WorkerHost {
  private ingesting: Promise<IngestResult> | undefined;
  private ingestAgain = false;
  private saveTimer: NodeJS.Timeout | undefined;
  /** When the store first changed after the last save. */
  private dirtySince: number | undefined;
  /** How long the last save held the worker (what the save budget weighs). */
  private lastSaveMs = 0;
  private saving: Promise<void> | undefined;
  /** Snapshots written, for tests. */
  saves = 0;
  private diagnosticsSignature = '';
  private pulling = false;
  private nextPullMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly engine: Engine) {}

  /**
   * Reads the MLflow servers among the sources in the background (never delaying the log directory's
   * ingest on the network), at most every PULL_INTERVAL_MS; what it read is applied by one more ingest.
   */
  private pullSoon(): void {
    if (!this.engine.pulls || this.pulling || Date.now() < this.nextPullMs) return;
    this.pulling = true;
    const started = Date.now();
    const done = (): void => {
      this.pulling = false;
      this.nextPullMs = Date.now() + Math.max(PULL_INTERVAL_MS, PULL_SPACING * (Date.now() - started));
    };
    const problemsBefore = this.engine.diagnostics().length;
    void this.engine.pull().then((result) => {
      done();
      if (result.changed > 0) void this.ingest();
      else if (this.engine.diagnostics().length !== problemsBefore) this.sendDiagnostics();
    }, done);
  }

  /** One handler per StoreApi method, each with that method's own parameters (see src/shared/rpc.ts). */
  readonly handlers: Handlers<StoreApi> = {
    ingest: () => this.ingest(),
    listRuns: () => this.engine.listRuns(),
    getRun: (runOrVersion) => this.engine.getRun(runOrVersion),
    metricKeys: (version) => this.engine.metricKeys(version),
    series: (version, key, range, withTimes) => this.engine.series(version, key, range, withTimes),
    downsample: (version, key, buckets, range, withTimes) => this.engine.downsample(version, key, buckets, range, withTimes),
    history: (version, query) => this.engine.history(version, query),
    runsTable: (query) => this.engine.runsTable(query),
    packedRunsTable: (query) => this.engine.packedRunsTable(query),
    branchDiff: (version, other) => this.engine.branchDiff(version, other),
    consoleLines: (version, query) => this.engine.consoleLines(version, query),
    systemMetrics: (version) => this.engine.systemMetrics(version),
    metadata: (version) => this.engine.metadata(version),
    mediaKeys: (version) => this.engine.mediaKeys(version),
    mediaSteps: (version, key) => this.engine.mediaSteps(version, key),
    mediaAt: (version, key, step) => this.engine.mediaAt(version, key, step),
    mediaEntries: (version, key, range, limit) => this.engine.mediaEntries(version, key, range, limit),
    artifacts: (version) => this.engine.artifacts(version),
    artifactRecords: (name, artifactVersion) => this.engine.artifactRecords(name, artifactVersion),
    rewind: (run, step) => this.mutate('rewind', () => this.engine.rewind(run, step), (r) => [r.run.id]),
    fork: (source, step, options) => this.mutate('fork', () => this.engine.fork(source, step, options), (r) => [r.run.id]),
    rename: (run, name) => this.mutate('rename', () => this.engine.rename(run, name), () => [run]),
    editRun: (run, change) => this.mutate('edit', () => this.engine.editRun(run, change), () => [run]),
    deleteRun: (run) => this.mutate('delete', () => this.engine.deleteRun(run), () => [run]),
    diagnostics: () => this.engine.diagnostics(),
    rebuild: async () => {
      post({ kind: 'progress', progress: { message: 'Rebuilding the store from the logs' } });
      const result = await this.engine.rebuild();
      const all = this.engine.listRuns().map((r) => r.id);
      this.changed({ changedRuns: all, reason: 'rebuild' }, result);
      return stripMore(result);
    },
    save: () => this.saveNow(),
  };

  /** One ingest at a time; calls made meanwhile are folded into one more pass after it. */
  ingest(): Promise<IngestResult> {
    this.pullSoon();
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
      this.followSources();
    });
    return this.ingesting;
  }

  private followTimer: NodeJS.Timeout | undefined;

  /** See FOLLOW_MS. */
  private followSources(): void {
    if (this.followTimer || Date.now() - this.engine.sourcesGrewAt > FOLLOW_WINDOW_MS) return;
    this.followTimer = setTimeout(() => {
      this.followTimer = undefined;
      void this.ingest();
    }, FOLLOW_MS);
    this.followTimer.unref();
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

  /**
   * When to write the snapshot. The logs are the truth and the snapshot only saves reading them again,
   * so it is written when it pays: after the store has been quiet for `saveDelayMs`, and while a run
   * trains without pause at most once per `maxSaveIntervalMs` and never more often than 200 times the
   * time the last save held the worker (its export: milliseconds, as the chunks' bytes are in chunk
   * files; the writing goes on while the worker answers).
   * Closing the store saves what is left (StoreClient.dispose).
   */
  private scheduleSave(): void {
    if (!this.engine.needsSave) return;
    const now = Date.now();
    this.dirtySince ??= now;
    const quiet = config.saveDelayMs ?? 10_000;
    const budget = Math.max(config.maxSaveIntervalMs ?? 300_000, 200 * this.lastSaveMs);
    const due = Math.min(now + quiet, this.dirtySince + Math.max(quiet, budget));
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.saveNow(), Math.max(0, due - now));
  }

  /** Saves now (the running save first, if one is on its way). */
  saveNow(): Promise<void> {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    const next = (this.saving ?? Promise.resolve()).then(() => this.saveOnce());
    this.saving = next;
    void next.finally(() => {
      if (this.saving === next) this.saving = undefined;
    });
    return next;
  }

  /**
   * The export holds the worker (a few ms: the chunks' bytes are in chunk files, not the database);
   * syncing and writing the snapshot do not, so queries are answered while they go on.
   */
  private async saveOnce(): Promise<void> {
    if (!this.engine.needsSave) return;
    try {
      const started = Date.now();
      const pending = this.engine.beginSave();
      if (!pending) return;
      const heldMs = Date.now() - started;
      await pending.finish();
      this.lastSaveMs = heldMs;
      this.dirtySince = undefined;
      this.saves++;
      post({ kind: 'log', level: 'trace', message: `Saved the store snapshot (${(pending.bytes / 1048576).toFixed(1)} MiB; the worker held ${heldMs} ms, written in ${Date.now() - started} ms)` });
      if (this.engine.needsSave) this.scheduleSave();
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
  port.on('message', (request: Request) => {
    invoke(host.handlers, request)
      .then(
        (result) => post({ kind: 'reply', id: request.id, ok: true, result }, transferables(result)),
        (error: unknown) => post({ kind: 'reply', id: request.id, ok: false, error: serializeError(error) }),
      );
  });
}

void main();
