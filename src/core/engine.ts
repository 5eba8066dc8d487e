// The engine: one log directory's store, its ingest, lineage operations and snapshot, all synchronous.
// The command line and unit tests use it directly; the extension runs it in a worker (worker.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ArtifactUse, BranchDiff, RunEdit, ConsolePage, ConsoleQuery, Diagnostic, MediaEntry, MediaKeyInfo, ForkOptions, HistoryQuery, HistoryTable, IngestResult, LineageResult, MetricKey, RunInfo, RunOverview, RunsTable, RunsTableQuery, Series, StepRange, SyncStoreApi, SystemMetrics } from './api';
import type { RunMetadata } from './protocol';
import { RunRewindError } from './errors';
import { addReferencesOfFiles, collectReferences } from './gc';
import type { GcReferences } from './gc';
import { ImportStage } from './importers';
import { MlflowPuller } from './importers/mlflowServer';
import type { PullResult } from './importers/mlflowServer';
import type { MlflowAuth } from './sync/mlflowRest';
import { LateFileError, LogIngester } from './ingest';
import { planFork, planRewind, resolveSource } from './lineage';
import { claimRunNumber } from './runNumbers';
import { fileSystemNow, withRunLock } from './lock';
import { pidAlive, processStartTime } from './process';
import { LOG_EXTENSION, OPS_DIR, RUNS_DIR, encodeRecord, makeStamp } from './protocol';
import { MAX_NAME_LENGTH, MAX_NOTES_LENGTH, editTags, recordName, validRunName, validateRunId } from './runSpec';
import type { OpRecord } from './protocol';
import { SCHEMA_VERSION, clearData, migrate } from './schema';
import { ChunkFiles } from './chunkFiles';
import { Db } from './sqlite';
import { readSnapshot, writeSnapshot, writeSnapshotAsync } from './snapshot';
import { MediaQueries } from './mediaQueries';
import { RunQueries } from './queries';
import { type FilterOf, RunsTableQueries, orderOf } from './runsTable';
import { branchDiff } from './branchDiff';
import { QueryError, type RunQuery, parseQuery } from '../shared/runQuery';
import type { PackedTable } from '../shared/tablePacking';
import { RunStore } from './store';
import type { Liveness } from './store';

export interface EngineOptions {
  /** The log directory to read (and to write ops records to). */
  readonly logDir: string;
  /** Where the store is persisted; omitted keeps it in memory only. */
  readonly snapshotPath?: string;
  readonly wasmPath?: string;
  /** Clock and process checks, for tests of crash detection. */
  readonly liveness?: Partial<Liveness>;
  /** Headline metric preferred in run listings. */
  readonly headlineMetric?: string;
  /**
   * Folders (absolute paths, or globs with `*`, `?` and `**`) where runs of other tools are imported
   * from: TensorBoard event files (src/core/importers). Read where they are, never written.
   */
  readonly sources?: readonly string[];
  /**
   * Seconds an imported run's newest step is held after its file last grew, for the rest of its values
   * to arrive (default 2). The command line reads once and passes 0: it shows every step read.
   */
  readonly importHoldSeconds?: number;
  /** Credentials for the MLflow tracking servers among the sources (the command line's come from the environment). */
  readonly mlflowAuth?: MlflowAuth;
  /** Tokens for some of those servers, by address (VS Code's stored token for runRewind.mlflow.trackingUri); they win over mlflowAuth's. */
  readonly mlflowTokens?: Readonly<Record<string, string>>;
}

export interface EngineIngestResult extends IngestResult {
  /** True when a byte budget stopped the pass early; call again to go on. */
  readonly more: boolean;
}

const SKEW_CHECK_MS = 10 * 60_000;
const SKEW_RETRY_MS = 60_000;

/** The store of one log directory, answered in this thread: the synchronous form of StoreApi. */
export class Engine implements SyncStoreApi {
  private store: RunStore;
  private queries: RunQueries;
  private media: MediaQueries;
  private ingester: LogIngester;
  private importer: ImportStage;
  /** The tracking servers among the sources: their runs are read by `pull()`, outside the ingest's transaction. */
  private readonly puller: MlflowPuller;
  /** The runs table's rows, kept per version until an ingest changes their run. */
  private tables: RunsTableQueries;
  private readonly liveness: Liveness;
  /** This host's clock (unix seconds): the times and stamps of the ops it writes. */
  private readonly clock: () => number;
  /** The log directory's file system clock minus this host's, measured now and then (fileSystemNow). */
  private fileSystemSkew = 0;
  private skewCheckedAt = Number.NEGATIVE_INFINITY;
  private dirty = false;
  private readonly lastStates = new Map<string, string>();
  /** Finished live versions whose state was judged (see stateChanges). */
  private readonly settled = new Set<string>();
  /** Why the snapshot was not used at start, if it was not. */
  startupNote: string | undefined;

  private constructor(
    private db: Db,
    readonly options: EngineOptions,
  ) {
    // RUNREWIND_TEST_CLOCK_OFFSET (tests only, as in the Python client): a host whose clock is off.
    const skew = Number(process.env.RUNREWIND_TEST_CLOCK_OFFSET) || 0;
    this.clock = options.liveness?.now ?? ((): number => Date.now() / 1000 + skew);
    this.liveness = {
      // Liveness compares files' modification times (the file system's clock) with now: by that clock.
      now: options.liveness?.now ?? ((): number => this.clock() + this.fileSystemSkew),
      // RUNREWIND_TEST_HOST (tests only, as in the Python client) plays a host of a cluster sharing the logs.
      host: options.liveness?.host ?? (process.env.RUNREWIND_TEST_HOST || os.hostname()),
      pidAlive: options.liveness?.pidAlive ?? pidAlive,
      processStart: options.liveness?.processStart ?? processStartTime,
    };
    this.store = new RunStore(db, this.liveness);
    this.queries = new RunQueries(this.store);
    this.media = new MediaQueries(this.store, options.logDir);
    this.tables = new RunsTableQueries(this.store, this.queries);
    this.ingester = new LogIngester(db, this.store, options.logDir, () => Date.now() / 1000 + this.fileSystemSkew);
    this.puller = new MlflowPuller(options.sources ?? [], options.mlflowAuth, options.mlflowTokens, options.snapshotPath && `${options.snapshotPath}.mlflow`);
    this.importer = this.newImportStage();
  }

  private newImportStage(): ImportStage {
    return new ImportStage(this.db, this.store, this.options.sources ?? [], this.options.logDir, this.liveness.now, this.options.importHoldSeconds, this.puller);
  }

  /** True when a source is an MLflow tracking server: `pull()` then reads it (the next ingest shows what it read). */
  get pulls(): boolean {
    return this.puller.active;
  }

  /**
   * Reads what changed on the MLflow tracking servers among the sources into memory; the next `ingest()`
   * applies it. Never throws for a server that cannot be read: its problem is in `diagnostics()` until a
   * pull succeeds, and what was read before stays.
   */
  pull(): Promise<PullResult> {
    return this.puller.pull();
  }

  get logDir(): string {
    return this.options.logDir;
  }

  /** Opens the store: from its snapshot when it is sound, else empty (the next ingest rebuilds it). */
  static async open(options: EngineOptions): Promise<Engine> {
    let note: string | undefined;
    if (options.snapshotPath) {
      const snapshot = readSnapshot(options.snapshotPath, SCHEMA_VERSION);
      if (snapshot.kind === 'ok') {
        try {
          const db = await Db.open(options.wasmPath, snapshot.bytes);
          db.chunkFiles = new ChunkFiles(options.snapshotPath);
          if (migrate(db)) {
            const problem = db.chunkFiles.attach(db);
            if (!problem) {
              db.get('SELECT COUNT(*) FROM runs');
              return new Engine(db, options);
            }
            note = `the snapshot was not used: ${problem}`;
          } else note = 'the snapshot was written by a newer Run Rewind';
          db.chunkFiles.close();
          db.close();
        } catch (error) {
          note = `the snapshot could not be opened (${(error as Error).message})`;
        }
      } else if (snapshot.kind === 'unusable') {
        note = `the snapshot was not used: ${snapshot.reason}`;
      }
    }
    const db = await Engine.emptyDb(options);
    const engine = new Engine(db, options);
    if (note) engine.startupNote = `${note}; the store is rebuilt from the logs`;
    if (note) engine.dirty = true;
    return engine;
  }

  /**
   * A new, empty store: in memory only, or with chunk files beside the snapshot (`files`: the ones of
   * the store it replaces, emptied; their files go at the next save).
   */
  private static async emptyDb(options: EngineOptions, files?: ChunkFiles): Promise<Db> {
    const db = await Db.open(options.wasmPath);
    files?.reset();
    if (options.snapshotPath) db.chunkFiles = files ?? new ChunkFiles(options.snapshotPath);
    migrate(db);
    return db;
  }

  /** Reads new log lines. `maxBytes` bounds the work of one call (the worker slices big ingests). */
  ingest(maxBytes?: number): EngineIngestResult {
    try {
      return this.ingestPass(maxBytes);
    } catch (error) {
      if (!(error instanceof LateFileError)) throw error;
      // A file arrived after files that sort after it: read everything again in order, as a rebuild
      // would, rather than apply it out of order (see LogIngester.claim).
      this.lateRebuilds++;
      this.db.transaction(() => clearData(this.db));
      this.db.chunkFiles?.reset();
      this.store.reload();
      this.tables.clear();
      this.ingester.reload();
      this.importer.reload();
      this.lastStates.clear();
      this.settled.clear();
      this.dirty = true;
      const result = this.ingestPass(maxBytes);
      return { ...result, changedRuns: [...new Set([...result.changedRuns, ...this.store.runs.keys()])] };
    }
  }

  /** When an ingest last read new bytes of other tools' logs (the worker follows them closely then). */
  sourcesGrewAt = Number.NEGATIVE_INFINITY;

  /** How many times a late file made the store read every log again (tests and the output log). */
  lateRebuilds = 0;

  private ingestPass(maxBytes?: number): EngineIngestResult {
    this.measureSkew();
    try {
      const result = this.db.transaction(() => {
        // Imported runs first: an op of our log directory may rewind or fork one of them.
        const imported = this.importer.run(maxBytes);
        if (imported.bytes > 0) this.sourcesGrewAt = Date.now();
        const pass = this.ingester.run(maxBytes === undefined ? undefined : Math.max(0, maxBytes - imported.bytes));
        pass.rows += imported.rows;
        pass.points += imported.points;
        pass.bytes += imported.bytes;
        pass.more ||= imported.more;
        pass.diagnostics.unshift(...imported.diagnostics);
        this.store.flush();
        return pass;
      });
      for (const id of this.stateChanges()) result.changedRuns.add(id);
      this.tables.invalidate(result.changedRuns);
      if (result.rows > 0 || result.changedRuns.size > 0 || result.diagnostics.length > 0) this.dirty = true;
      return { changedRuns: [...result.changedRuns], rows: result.rows, points: result.points, bytes: result.bytes, diagnostics: result.diagnostics, more: result.more };
    } catch (error) {
      // The transaction rolled back; caches may hold what it undid, so read them again.
      this.store.reload();
      this.tables.clear();
      this.ingester.reload();
      this.importer.reload();
      throw error;
    }
  }

  /**
   * How far the log directory's file system clock is from this host's, every ten minutes (a minute after
   * a failure: a folder not made yet, or read-only), so a viewer whose clock is off still judges writers
   * on other hosts by their files' modification times correctly.
   */
  private measureSkew(): void {
    if (this.options.liveness?.now || Date.now() - this.skewCheckedAt < SKEW_CHECK_MS) return;
    const fsNow = fileSystemNow(this.options.logDir);
    if (fsNow === undefined) {
      this.skewCheckedAt = Date.now() - SKEW_CHECK_MS + SKEW_RETRY_MS;
      return;
    }
    this.fileSystemSkew = fsNow - this.clock();
    this.skewCheckedAt = Date.now();
  }

  /** Bytes of log not read yet. */
  pendingBytes(): number {
    return this.ingester.pendingBytes() + this.importer.pendingBytes();
  }

  /**
   * Runs whose state changed since the last call (for instance a writer that died). A finished version's
   * state never changes by itself (a resume or a rewind makes its run change anyway), so it is judged
   * once: a pass over 10,000 finished runs costs a lookup each.
   */
  private stateChanges(): string[] {
    const changed: string[] = [];
    for (const run of this.store.runs.values()) {
      const live = this.store.versions.get(run.liveVersion);
      if (!live || (live.finished && this.settled.has(live.id))) continue;
      const state = this.store.stateOf(live);
      const before = this.lastStates.get(run.id);
      if (before !== undefined && before !== state) changed.push(run.id);
      this.lastStates.set(run.id, state);
      if (live.finished) {
        this.store.release(live.id);
        this.settled.add(live.id);
      }
    }
    return changed;
  }

  /** The runs (not deleted) in creation order; only those of `only` when given. */
  listRuns(only?: readonly string[]): RunInfo[] {
    const ids = only && new Set(only);
    return [...this.store.runs.values()]
      .filter((run) => !run.deleted && (!ids || ids.has(run.id)))
      .sort((a, b) => a.seq - b.seq)
      .map((run) => this.withOrigin(this.queries.runInfo(run, this.options.headlineMetric)));
  }

  getRun(runOrVersion: string): RunOverview {
    const { run, version } = resolveSource(this.store, runOrVersion);
    return this.withOrigin(this.queries.overview(run, version, this.options.headlineMetric));
  }

  /** An imported run says where it is read from. */
  private withOrigin<T extends RunInfo>(info: T): T {
    const origin = this.importer.originOf(info.id);
    return origin ? { ...info, origin } : info;
  }

  metricKeys(version: string): MetricKey[] {
    return this.queries.metricKeys(this.versionId(version));
  }

  series(version: string, key: string, range?: StepRange, withTimes = false): Series {
    return this.queries.series(this.versionId(version), key, range, withTimes);
  }

  downsample(version: string, key: string, buckets: number, range?: StepRange, withTimes = false): Series {
    if (!Number.isInteger(buckets) || buckets < 1 || buckets > 100_000) throw new RunRewindError('bad-argument', `buckets must be an integer from 1 to 100000, got ${buckets}`);
    return this.queries.downsample(this.versionId(version), key, buckets, range, withTimes);
  }

  history(version: string, query?: HistoryQuery): HistoryTable {
    return this.queries.history(this.versionId(version), query);
  }

  runsTable(query?: RunsTableQuery): RunsTable {
    return this.tables.table(this.tableQuery(query), this.filterOf(query));
  }

  /**
   * The ids of the runs (in creation order) a filter matches, as `runsTable({ filter })` lists them,
   * reading only the cells the query names: what `runrewind list --filter` asks.
   */
  matchingRuns(filter: string): string[] {
    return this.tables.matching(this.filterOf({ filter }) ?? ((): RunQuery => parseQuery('')));
  }

  packedRunsTable(query?: RunsTableQuery): PackedTable {
    return this.tables.packed(this.tableQuery(query), this.filterOf(query));
  }

  private tableQuery(query: RunsTableQuery | undefined): RunsTableQuery {
    if (query?.runs !== undefined && (!Array.isArray(query.runs) || query.runs.some((r) => typeof r !== 'string'))) {
      throw new RunRewindError('bad-argument', 'the runs of a runs table query must be a list of run ids');
    }
    if (query?.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 1_000_000)) {
      throw new RunRewindError('bad-argument', `the limit of a runs table query must be an integer from 1 to 1000000, got ${String(query.limit)}`);
    }
    const sort = query?.sort;
    if (sort !== undefined) {
      if (typeof sort !== 'object' || sort === null || typeof sort.column !== 'string' || typeof sort.descending !== 'boolean') throw new RunRewindError('bad-argument', 'the sort of a runs table query must be { column, descending }');
      if (query?.limit === undefined) throw new RunRewindError('bad-argument', 'a runs table query takes a sort only with a limit (the table sorts its rows itself)');
      orderOf(sort);
    }
    return query ?? {};
  }

  /** The query of a table's filter, parsed against the table's keys (none: every row). */
  private filterOf(query: RunsTableQuery | undefined): FilterOf | undefined {
    const text = query?.filter;
    if (!text?.trim()) return undefined;
    return (keys) => {
      try {
        return parseQuery(text, keys);
      } catch (error) {
        if (error instanceof QueryError) throw new RunRewindError('bad-argument', `The filter ${JSON.stringify(text)} is not a query: ${error.message} (at column ${error.start + 1})`);
        throw error;
      }
    };
  }

  branchDiff(version: string, other?: string): BranchDiff {
    if (other !== undefined && typeof other !== 'string') throw new RunRewindError('bad-argument', 'the other side of a branch diff must be a run or version id');
    return branchDiff(this.store, this.queries, this.tables, this.versionId(version), other === undefined ? undefined : this.versionId(other));
  }

  /** The whole table computed row by row with nothing cached: the benchmark's baseline. */
  runsTableUncached(): RunsTable {
    return this.tables.rowByRowTable();
  }

  consoleLines(version: string, query?: ConsoleQuery): ConsolePage {
    for (const [name, value] of [['offset', query?.offset], ['limit', query?.limit]] as const) {
      if (value !== undefined && !Number.isSafeInteger(value)) throw new RunRewindError('bad-argument', `the console's ${name} must be an integer, got ${value}`);
    }
    if (query?.limit !== undefined && query.limit < 0) throw new RunRewindError('bad-argument', `the console's limit must not be negative, got ${query.limit}`);
    return this.queries.recordings.consoleLines(this.versionId(version), query);
  }

  systemMetrics(version: string): SystemMetrics {
    return this.queries.recordings.systemMetrics(this.versionId(version));
  }

  metadata(version: string): RunMetadata | null {
    return this.queries.recordings.metadata(this.versionId(version));
  }

  mediaKeys(version: string): MediaKeyInfo[] {
    return this.media.mediaKeys(this.versionId(version));
  }

  mediaSteps(version: string, key: string): number[] {
    return this.media.mediaSteps(this.versionId(version), mediaKey(key));
  }

  mediaAt(version: string, key: string, step: number): MediaEntry | null {
    if (!Number.isSafeInteger(step) || step < 0) throw new RunRewindError('bad-argument', `a media step must be a non-negative integer, got ${step}`);
    return this.media.mediaAt(this.versionId(version), mediaKey(key), step);
  }

  mediaEntries(version: string, key: string, range?: StepRange, limit?: number): MediaEntry[] {
    for (const [name, value] of [['range.from', range?.from], ['range.to', range?.to], ['limit', limit]] as const) {
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) throw new RunRewindError('bad-argument', `the media ${name} must be a non-negative integer, got ${value}`);
    }
    return this.media.mediaEntries(this.versionId(version), mediaKey(key), range, limit);
  }

  artifacts(version: string): ArtifactUse[] {
    return this.media.artifacts(this.versionId(version));
  }

  artifactRecords(name: string, artifactVersion: string): ArtifactUse[] {
    if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,128}$/.test(name)) throw new RunRewindError('bad-argument', `an artifact name is 1 to 128 letters, digits, '_', '-' and '.', got ${JSON.stringify(name)}`);
    if (typeof artifactVersion !== 'string' || !/^v\d+$/.test(artifactVersion)) throw new RunRewindError('bad-argument', `an artifact version is v0, v1, …, got ${JSON.stringify(artifactVersion)}`);
    return this.media.artifactRecords(name, artifactVersion);
  }

  /**
   * What `runrewind gc` must keep (src/core/gc.ts): the artifact versions and media files of every run
   * not deleted and of the versions they inherit from; files newer than the oldest running run's start
   * (or than `now`) are kept too, as a writer stores a file before the record that names it.
   */
  gcReferences(now: number = Date.now() / 1000): GcReferences {
    const running = this.listRuns().filter((run) => run.state === 'running').map((run) => run.createdAt);
    const refs = collectReferences(this.db, Math.min(now, ...running));
    // Files the store could not read (in part) and run folders it does not know are read as text, so
    // what their runs name is kept all the same; a deleted run's files are not.
    const runsDir = path.join(this.options.logDir, RUNS_DIR);
    const unsure = new Set(this.diagnostics().filter((d) => d.severity === 'error').map((d) => d.file));
    let folders: string[] = [];
    try {
      folders = fs.readdirSync(runsDir);
    } catch {
      // No runs folder: nothing to read.
    }
    for (const id of folders) {
      if (this.store.runs.has(id)) continue;
      try {
        for (const f of fs.readdirSync(path.join(runsDir, id))) unsure.add(path.join(runsDir, id, f));
      } catch {
        // Not a folder.
      }
    }
    const deleted = [...this.store.runs.values()].filter((r) => r.deleted).map((r) => path.join(runsDir, r.id) + path.sep);
    const files = [...unsure].filter((f) => f.startsWith(runsDir + path.sep) && !deleted.some((d) => f.startsWith(d)));
    return files.length > 0 ? addReferencesOfFiles(refs, files) : refs;
  }

  /** A version id, or the live version of a run id. */
  private versionId(target: string): string {
    if (this.store.versions.has(target)) return target;
    const run = this.store.runs.get(target);
    if (run) return run.liveVersion;
    throw new RunRewindError('unknown-version', `There is no run or version ${JSON.stringify(target)}.`);
  }

  rewind(runId: string, step: number): LineageResult {
    return this.locked(runId, `rewinding it to step ${step}`, () => {
      this.ingest();
      const record = planRewind(this.store, runId, step, this.clock());
      this.applyOp(record);
      const run = this.store.runs.get(runId)!;
      return { run: this.queries.runInfo(run, this.options.headlineMetric), version: record.version, archived: record.source };
    });
  }

  fork(source: string, step: number, options: ForkOptions = {}): LineageResult {
    this.ingest();
    // The lock is the new run's: two forks asking for the same id cannot both make it.
    const id = options.id ?? planFork(this.store, source, step, options, this.clock()).run;
    return this.locked(id, `forking it from ${source} at step ${step}`, () => {
      this.ingest();
      const number = (project: string, inStore: number): number => claimRunNumber(this.options.logDir, project, id, inStore);
      const record = planFork(this.store, source, step, { ...options, id, number }, this.clock());
      this.applyOp(record);
      const run = this.store.runs.get(record.run)!;
      return { run: this.queries.runInfo(run, this.options.headlineMetric), version: record.version };
    });
  }

  rename(runId: string, name: string): void {
    this.locked(runId, 'renaming it', () => {
      this.ingest();
      const run = this.store.runs.get(runId);
      if (!run || run.deleted) throw new RunRewindError('unknown-run', `Cannot rename run ${runId}: there is no such run.`);
      const trimmed = validRunName(name);
      this.applyOp({ type: 'rename', time: this.clock(), run: runId, name: trimmed });
    });
  }

  editRun(runId: string, change: RunEdit): void {
    if (typeof change !== 'object' || change === null) throw new RunRewindError('bad-argument', 'An edit must give tags, notes or group.');
    const record: { tags?: string[]; notes?: string; group?: string | null } = {};
    if (change.tags !== undefined) {
      const tags = editTags(change.tags);
      if ('problem' in tags) throw new RunRewindError('bad-argument', `Cannot set these tags: ${tags.problem}.`);
      record.tags = tags.tags;
    }
    if (change.notes !== undefined) {
      if (typeof change.notes !== 'string' || change.notes.length > MAX_NOTES_LENGTH) throw new RunRewindError('bad-argument', `Notes must be text of at most ${MAX_NOTES_LENGTH} characters.`);
      record.notes = change.notes;
    }
    if (change.group !== undefined) {
      const group = change.group === null || (typeof change.group === 'string' && change.group.trim() === '') ? null : recordName(change.group);
      if (group === undefined) throw new RunRewindError('bad-argument', `A group must be 1 to ${MAX_NAME_LENGTH} characters (empty clears it).`);
      record.group = group;
    }
    if (Object.keys(record).length === 0) throw new RunRewindError('bad-argument', 'An edit must give tags, notes or group.');
    this.locked(runId, 'editing it', () => {
      this.ingest();
      const run = this.store.runs.get(runId);
      if (!run || run.deleted) throw new RunRewindError('unknown-run', `Cannot edit run ${runId}: there is no such run.`);
      this.applyOp({ type: 'edit', time: Date.now() / 1000, run: runId, ...record });
    });
  }

  deleteRun(runId: string): void {
    this.locked(runId, 'deleting it', () => {
      this.ingest();
      const run = this.store.runs.get(runId);
      if (!run || run.deleted) throw new RunRewindError('unknown-run', `Cannot delete run ${runId}: there is no such run.`);
      this.applyOp({ type: 'delete', time: this.clock(), run: runId });
    });
  }

  /** The per-run critical section of docs/PROTOCOL.md: read, check and write while no one else can. */
  private locked<T>(runId: string, what: string, work: () => T): T {
    validateRunId(runId);
    // The check reads the run's folder whole, not only what change markers named: a writer that leaves
    // none (an older client) must not be missed by the check that it is not running.
    this.ingester.lookAt(runId);
    return withRunLock(this.options.logDir, runId, what, work, { host: this.liveness.host, pidAlive: this.liveness.pidAlive });
  }

  /**
   * Writes an op record as its own file (whole, then renamed into place) and reads it in. Its stamp
   * sorts after every file read so far, so every reader applies it after what it was checked against,
   * whatever the clocks of the hosts that wrote those files say.
   */
  private applyOp(record: OpRecord): void {
    const dir = path.join(this.options.logDir, OPS_DIR);
    const stamp = makeStamp(Math.max(Math.floor(this.clock() * 1000), this.ingester.maxStampMs() + 1));
    const file = path.join(dir, `${stamp}${LOG_EXTENSION}`);
    const temp = `${file}.tmp`;
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(temp, `${encodeRecord(record)}\n`, { flush: true });
      fs.renameSync(temp, file);
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw new RunRewindError('io', `Cannot write to the log directory ${this.options.logDir}: ${(error as Error).message}`);
    }
    const result = this.ingest();
    const problem = result.diagnostics.find((d) => d.file === file && d.severity === 'error');
    if (problem) throw new RunRewindError('internal', `The ${record.type} was written but not applied: ${problem.message}`);
  }

  diagnostics(): Diagnostic[] {
    const stored = this.db.all('SELECT file, line, severity, message FROM diagnostics ORDER BY file, line').map((r) => ({
      file: r[0] as string, line: r[1] as number, severity: r[2] as Diagnostic['severity'], message: r[3] as string,
    }));
    return [...stored, ...this.ingester.waitingDiagnostics(), ...this.puller.problems()];
  }

  /** Drops everything and reads every log again. */
  async rebuild(): Promise<EngineIngestResult> {
    const db = await Engine.emptyDb(this.options, this.db.chunkFiles);
    this.db.close();
    this.db = db;
    this.store = new RunStore(db, this.liveness);
    this.queries = new RunQueries(this.store);
    this.media = new MediaQueries(this.store, this.options.logDir);
    this.tables = new RunsTableQueries(this.store, this.queries);
    this.ingester = new LogIngester(db, this.store, this.options.logDir, () => Date.now() / 1000 + this.fileSystemSkew);
    this.importer = this.newImportStage();
    this.lastStates.clear();
    this.settled.clear();
    this.startupNote = undefined;
    const result = this.ingest();
    this.dirty = true;
    return result;
  }

  get needsSave(): boolean {
    return this.dirty && this.options.snapshotPath !== undefined;
  }

  /**
   * Makes the chunk files durable, exports the database (blocks this thread; small, as the chunks'
   * bytes are in the files) and writes the snapshot atomically; then deletes chunk files no snapshot
   * names any more (those of a store rebuilt since the last save).
   */
  save(): { bytes: number } | undefined {
    if (!this.options.snapshotPath) return undefined;
    const files = this.db.chunkFiles;
    files?.sync(this.db);
    const bytes = this.db.export();
    writeSnapshot(this.options.snapshotPath, SCHEMA_VERSION, bytes);
    this.dirty = false;
    files?.sweep(this.db);
    return { bytes: bytes.byteLength };
  }

  /**
   * The same save, holding this thread only for the export: the chunk files are synced and the
   * snapshot written by the returned `finish`, while the store goes on answering (the worker's saves).
   * What changes meanwhile makes the store dirty again, for the next save.
   */
  beginSave(): { bytes: number; finish(): Promise<void> } | undefined {
    if (!this.options.snapshotPath) return undefined;
    const snapshotPath = this.options.snapshotPath;
    const db = this.db;
    const files = db.chunkFiles;
    const durable = files?.recordForSync(db);
    const generation = files?.generation;
    const bytes = db.export();
    this.dirty = false;
    return {
      bytes: bytes.byteLength,
      finish: async () => {
        try {
          await durable?.();
          await writeSnapshotAsync(snapshotPath, SCHEMA_VERSION, bytes);
        } catch (error) {
          this.dirty = true;
          throw error;
        }
        // Not after a rebuild meanwhile: the files the new snapshot names would look unnamed.
        if (files && this.db === db && files.generation === generation) files.sweep(db);
      },
    };
  }

  close(): void {
    this.db.chunkFiles?.close();
    this.db.close();
  }
}

function mediaKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw new RunRewindError('bad-argument', `a media key must be a non-empty string, got ${JSON.stringify(key)}`);
  return key;
}
