// Pushes runs to an MLflow tracking server (issue 17): each version of a run becomes an MLflow run (MLflow
// never overwrites a metric, and a rewind would have to), with its config as params, its tags, lineage
// and status as tags and run fields, and its whole visible history — inherited rows included — as
// metrics, its system metrics as system/… metrics, and its console, media, saved files and logged artifacts
// as run artifacts (mlflowUploads.ts). Resumable and idempotent: what is missing is worked out from the
// server's own answer, so a sync killed at any point and run again sends every point and file exactly once.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as posix from 'node:path/posix';
import type { MetricKey, RunInfo, RunOverview, RunState, Series, StepRange, SystemMetrics, VersionInfo } from '../api';
import { RunRewindError } from '../errors';
import { type KeyValue, type MlflowAuth, MlflowHttpError, MlflowRest, type MlflowRun, type WireMetric, parseTrackingUri } from './mlflowRest';
import {
  KeyMap, MAX_BATCH_REQUEST_BYTES, MAX_ENTITIES_PER_BATCH, MAX_EXPERIMENT_NAME_LENGTH, MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH, MAX_TAG_VALUE_LENGTH,
  mlflowKey, mlflowLength, planParams, tagValue, validMlflowKey, wireValue,
} from './mlflowNames';
import { type PlannedFile, type UploadSource, artifactProxyUrl, planUploads, uploadBody } from './mlflowUploads';

type Awaitable<T> = T | Promise<T>;

/** What the sync reads: the in-thread Engine (command line) or the worker's StoreClient (extension). */
export interface SyncSource extends UploadSource {
  listRuns(): Awaitable<RunInfo[]>;
  getRun(runOrVersion: string): Awaitable<RunOverview>;
  metricKeys(version: string): Awaitable<MetricKey[]>;
  series(version: string, key: string, range?: StepRange, withTimes?: boolean): Awaitable<Series>;
  systemMetrics(version: string): Awaitable<SystemMetrics>;
}

export interface SyncProgress {
  readonly message: string;
  /** 0..1 over the versions to sync. */
  readonly fraction: number;
  readonly pointsSent: number;
  /** Files uploaded so far, and their bytes. */
  readonly filesUploaded: number;
  readonly bytesUploaded: number;
}

export interface SyncOptions {
  /** The tracking server's http(s) address. */
  readonly uri: string;
  /** Every version goes to this experiment; default: its run's project. */
  readonly experiment?: string;
  /** Run ids or immutable version ids; default every run. Their ancestors (a fork's source) come along. */
  readonly runs?: readonly string[];
  /** The sync state file (syncStatePath). */
  readonly statePath: string;
  readonly auth?: MlflowAuth;
  readonly signal?: AbortSignal;
  readonly progress?: (progress: SyncProgress) => void;
  /** Called after each batch the server accepted, before the state file records it (tests kill here). */
  readonly afterBatch?: (batches: number) => void;
  readonly fetch?: typeof fetch;
  /** log-batch requests in flight at once for one version (keys dealt to lanes); default DEFAULT_CONCURRENCY. */
  readonly concurrency?: number;
  /**
   * Bytes of files this sync uploads at most (default DEFAULT_MAX_UPLOAD_BYTES; 0 uploads none). Files over
   * it wait for the next sync, with a warning; a version is complete only when all of its files are up.
   */
  readonly maxUploadBytes?: number;
  /** Called as the bytes of upload number `upload` (1, 2, …) go out (tests kill mid-upload); streams every body. */
  readonly uploadTap?: (upload: number, sent: number, size: number) => void;
}

/** What one sync uploads at most unless told: enough for media and small checkpoints, not a surprise terabyte. */
export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

/** A tracking server runs requests side by side (threads, workers): a few lanes keep it busy. */
export const DEFAULT_CONCURRENCY = 4;

export interface SyncedVersion {
  readonly run: string;
  readonly version: string;
  readonly archived: boolean;
  readonly experiment: string;
  readonly experimentId: string;
  readonly mlflowRunId: string;
  /** Points sent by this sync. */
  readonly points: number;
  /** Files uploaded by this sync, and their bytes. */
  readonly files: number;
  readonly bytes: number;
  /** Nothing had changed since the last sync: no request was made for it. */
  readonly unchanged: boolean;
}

export interface SyncResult {
  readonly uri: string;
  readonly versions: readonly SyncedVersion[];
  /** MLflow runs this sync created. */
  readonly created: number;
  readonly points: number;
  readonly params: number;
  readonly tags: number;
  /** Files uploaded, and their bytes. */
  readonly files: number;
  readonly bytes: number;
  /** runs/log-batch requests. */
  readonly batches: number;
  /** Every request, reads included. */
  readonly requests: number;
  readonly warnings: readonly string[];
}

/** Tags the sync sets on every MLflow run; `runrewind.version_id` finds a run again without the state file. */
export const TAG = {
  run: 'runrewind.run_id',
  version: 'runrewind.version_id',
  kind: 'runrewind.version_kind',
  archived: 'runrewind.archived',
  state: 'runrewind.state',
  project: 'runrewind.project',
  name: 'runrewind.run_name',
  parentVersion: 'runrewind.parent_version',
  branchStep: 'runrewind.branch_step',
  sourceRun: 'runrewind.source_run',
  forkedFrom: 'runrewind.forked_from',
  tags: 'runrewind.tags',
  renamedMetrics: 'runrewind.renamed_metrics',
  renamedParams: 'runrewind.renamed_params',
  splitParams: 'runrewind.split_params',
  truncatedParams: 'runrewind.truncated_params',
  changedParams: 'runrewind.changed_params',
  summaryPrefix: 'runrewind.summary.',
  parentRun: 'mlflow.parentRunId',
  note: 'mlflow.note.content',
  loggedArtifacts: 'mlflow.loggedArtifacts',
} as const;

const STATUS: Record<RunState, string> = { running: 'RUNNING', finished: 'FINISHED', failed: 'FAILED', crashed: 'KILLED' };

/** Where the sync state for one server lives: the log directory's cache folder, one file per server. */
export function syncStatePath(logDir: string, uri: string): string {
  const base = parseTrackingUri(uri).replace(/\/\/[^/@]*@/, '//');
  return path.join(logDir, '.cache', `mlflow-sync-${createHash('sha256').update(base).digest('hex').slice(0, 16)}.json`);
}

interface VersionState {
  /** The MLflow run id. */
  run: string;
  experiment: string;
  /** What the version looked like when it was last synced whole. */
  fingerprint?: string;
  complete: boolean;
  /** The files the server has: artifact path → `sha256:size` of its content. */
  uploaded?: Record<string, string>;
}

interface SyncState {
  format: 1;
  uri: string;
  experiments: Record<string, string>;
  versions: Record<string, VersionState>;
}

function loadState(file: string, uri: string, warnings: string[]): SyncState {
  const empty: SyncState = { format: 1, uri, experiments: {}, versions: {} };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return empty;
  }
  try {
    const state = JSON.parse(text) as SyncState;
    if (state.format === 1 && state.uri === uri && typeof state.versions === 'object' && typeof state.experiments === 'object') return state;
  } catch {
    // fall through: the server is asked instead
  }
  warnings.push(`the sync state ${file} could not be read; the server was asked what it has instead`);
  return empty;
}

function saveState(file: string, state: SyncState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state));
  fs.renameSync(tmp, file);
}

/** One version to sync, with what it needs from its run. */
interface Item {
  readonly run: RunInfo;
  readonly version: VersionInfo;
}

/** A batch under MLflow's limits: counts and request bytes. */
class Batch {
  metrics: WireMetric[] = [];
  params: KeyValue[] = [];
  tags: KeyValue[] = [];
  bytes = 64;

  private entities(): number {
    return this.metrics.length + this.params.length + this.tags.length;
  }

  fits(kind: 'metric' | 'param' | 'tag', bytes: number): boolean {
    if (this.entities() >= MAX_ENTITIES_PER_BATCH || this.bytes + bytes > MAX_BATCH_REQUEST_BYTES * 0.9) return false;
    if (kind === 'metric') return this.metrics.length < MAX_METRICS_PER_BATCH;
    return (kind === 'param' ? this.params.length : this.tags.length) < MAX_PARAMS_TAGS_PER_BATCH;
  }

  get empty(): boolean {
    return this.entities() === 0;
  }
}

function entryBytes(key: string, value: string): number {
  return Buffer.byteLength(JSON.stringify({ key, value })) + 1;
}

/** An answer that leaves open whether the server stored the request (it is then asked before anything is sent again). */
function ambiguous(error: unknown): boolean {
  if (error instanceof MlflowHttpError) return error.status >= 500;
  return error instanceof RunRewindError && error.code === 'io';
}

export async function syncToMlflow(source: SyncSource, options: SyncOptions): Promise<SyncResult> {
  return new MlflowSync(source, options).run();
}

class MlflowSync {
  private readonly rest: MlflowRest;
  private readonly uri: string;
  private readonly warnings: string[] = [];
  private state!: SyncState;
  private created = 0;
  private points = 0;
  private params = 0;
  private tags = 0;
  private batches = 0;
  private files = 0;
  private bytes = 0;
  /** Uploads begun (the test hook's numbering). */
  private started = 0;
  /** Bytes this sync may still upload. */
  private budget: number;
  private lastSave = 0;
  private done = 0;
  private total = 0;

  constructor(
    private readonly source: SyncSource,
    private readonly options: SyncOptions,
  ) {
    this.rest = new MlflowRest(options.uri, options.auth, options.signal, options.fetch);
    this.uri = this.rest.base;
    this.budget = Math.max(0, options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES);
    if (options.experiment !== undefined) {
      const name = options.experiment.trim();
      if (name === '') throw new RunRewindError('bad-argument', 'the MLflow experiment name is empty');
      if (mlflowLength(name) > MAX_EXPERIMENT_NAME_LENGTH) throw new RunRewindError('bad-argument', `the MLflow experiment name is longer than ${MAX_EXPERIMENT_NAME_LENGTH} characters`);
    }
  }

  async run(): Promise<SyncResult> {
    const items = await this.select();
    this.state = loadState(this.options.statePath, this.uri, this.warnings);
    this.total = items.length;
    const versions: SyncedVersion[] = [];
    try {
      for (const item of items) {
        this.options.signal?.throwIfAborted();
        versions.push(await this.syncVersion(item));
        this.done++;
      }
    } finally {
      saveState(this.options.statePath, this.state);
    }
    return { uri: this.uri, versions, created: this.created, points: this.points, params: this.params, tags: this.tags, files: this.files, bytes: this.bytes, batches: this.batches, requests: this.rest.requests, warnings: this.warnings };
  }

  /** The versions to sync, every parent before its children: the selected runs' versions and their ancestors. */
  private async select(): Promise<Item[]> {
    const runs = await this.source.listRuns();
    const byVersion = new Map<string, Item>();
    for (const run of runs) for (const version of run.versions) byVersion.set(version.id, { run, version });
    const chosen = new Map<string, Item>();
    const wanted = this.options.runs && this.options.runs.length > 0 ? this.options.runs : runs.map((r) => r.id);
    for (const id of wanted) {
      const run = runs.find((r) => r.id === id);
      const items = run ? run.versions.map((version) => ({ run, version })) : byVersion.has(id) ? [byVersion.get(id)!] : [];
      if (items.length === 0) throw new RunRewindError('unknown-run', `no run or version ${JSON.stringify(id)} to sync (runrewind list shows the runs)`);
      for (const item of items) {
        // Its ancestors too, so mlflow.parentRunId names a run the server has and a chain is whole.
        for (let it: Item | undefined = item; it && !chosen.has(it.version.id); it = it.version.parent ? byVersion.get(it.version.parent) : undefined) {
          chosen.set(it.version.id, it);
          if (it.version.parent && !byVersion.has(it.version.parent)) this.warnings.push(`${it.version.id}: its parent version ${it.version.parent} is not among the runs (deleted?); it is synced without mlflow.parentRunId`);
        }
      }
    }
    const depth = (item: Item): number => {
      let d = 0;
      for (let p = item.version.parent; p && chosen.has(p) && d < 100_000; p = chosen.get(p)!.version.parent) d++;
      return d;
    };
    const depths = new Map([...chosen.values()].map((i) => [i.version.id, depth(i)]));
    return [...chosen.values()].sort((a, b) => depths.get(a.version.id)! - depths.get(b.version.id)! || a.version.createdAt - b.version.createdAt || (a.version.id < b.version.id ? -1 : 1));
  }

  private report(message: string, within = 0): void {
    this.options.progress?.({ message, fraction: this.total === 0 ? 1 : Math.min(1, (this.done + within) / this.total), pointsSent: this.points, filesUploaded: this.files, bytesUploaded: this.bytes });
  }

  private experimentName(item: Item): string {
    const name = this.options.experiment?.trim() || item.run.project || 'Default';
    return mlflowLength(name) > MAX_EXPERIMENT_NAME_LENGTH ? [...name].slice(0, MAX_EXPERIMENT_NAME_LENGTH).join('') : name;
  }

  /** Asked of the server once per sync (an experiment deleted or renamed there since is noticed). */
  private readonly experiments = new Map<string, string>();

  private async experimentId(name: string): Promise<string> {
    const known = this.experiments.get(name);
    if (known !== undefined) return known;
    let found = await this.rest.getExperimentByName(name);
    if (!found) {
      try {
        await this.rest.createExperiment(name);
      } catch (error) {
        // Another sync made it meanwhile: use theirs.
        if (!(error instanceof MlflowHttpError && error.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw error;
      }
      found = await this.rest.getExperimentByName(name);
      if (!found) throw new RunRewindError('io', `the MLflow server ${this.uri} created the experiment ${JSON.stringify(name)} but does not find it`);
    }
    if (found.experiment.lifecycle_stage === 'deleted') {
      throw new RunRewindError('bad-argument', `the MLflow experiment ${JSON.stringify(name)} is deleted on ${this.uri}: restore it there (mlflow experiments restore) or sync into another one (--experiment NAME)`);
    }
    this.experiments.set(name, found.experiment.experiment_id);
    this.state.experiments[name] = found.experiment.experiment_id;
    return found.experiment.experiment_id;
  }

  private runName(item: Item): string {
    return item.version.archived ? `${item.run.name} (archived ${item.version.id})` : item.run.name;
  }

  private async syncVersion(item: Item): Promise<SyncedVersion> {
    const { run, version } = item;
    const overview = await this.source.getRun(version.id);
    const experiment = this.experimentName(item);
    const parentRun = version.parent ? this.state.versions[version.parent]?.run : undefined;
    const uploads = this.options.maxUploadBytes !== 0;
    // Console lines, system samples, media and artifact records are no signs of life (they leave
    // updatedAt as it was): their counts tell whether the version has new ones.
    const system = await this.source.systemMetrics(version.id);
    const metricKeys = (await this.source.metricKeys(version.id)).filter((k) => k.numeric);
    const recorded = uploads ? [
      (await this.source.consoleLines(version.id, { offset: 0, limit: 0 })).total,
      (await this.source.mediaKeys(version.id)).map((k) => [k.key, k.steps, k.lastStep]),
      (await this.source.artifacts(version.id)).length,
    ] : null;
    // The points of each key, not updatedAt: a running writer's heartbeats (on any host, by any clock) move
    // that and are nothing the server gets; a row another host appends moves both.
    const fingerprint = createHash('sha256').update(JSON.stringify([
      run.name, run.project, run.tags, run.notes, experiment, version.state, version.archived, version.lastStep, metricKeys.map((k) => [k.key, k.points]), version.endedAt,
      overview.config, overview.summary, parentRun ?? null, 'files-1', system.samples, recorded,
    ], (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))).digest('hex');
    const known = this.state.versions[version.id];
    if (known?.complete && known.fingerprint === fingerprint) {
      return { run: run.id, version: version.id, archived: version.archived, experiment, experimentId: known.experiment, mlflowRunId: known.run, points: 0, files: 0, bytes: 0, unchanged: true };
    }
    this.report(`${run.name} (${version.archived ? `archived ${version.id}` : run.id}) → ${experiment}`);
    const experimentId = await this.experimentId(experiment);
    let remote = known && known.experiment === experimentId ? await this.rest.getRun(known.run) : undefined;
    if (remote && remote.info.lifecycle_stage === 'deleted') remote = undefined;
    const createdBefore = this.created;
    if (!remote) remote = await this.findOrCreate(item, experimentId);
    const fresh = this.created > createdBefore;
    // What the state says the server has of this MLflow run's files stays (another run's does not).
    const uploaded = known && known.run === remote.info.run_id ? known.uploaded ?? {} : {};
    this.state.versions[version.id] = { run: remote.info.run_id, experiment: experimentId, complete: false, uploaded };
    saveState(this.options.statePath, this.state);
    const before = this.points;
    const filesBefore = this.files;
    const bytesBefore = this.bytes;
    let complete = true;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.push(item, overview, remote, parentRun, system, metricKeys);
        if (uploads) complete = await this.upload(item, remote, fresh, uploaded);
        break;
      } catch (error) {
        // The server may have stored the batch whose answer was lost: ask it again, send what it lacks.
        if (!ambiguous(error) || attempt >= 3 || this.options.signal?.aborted) throw error;
        remote = (await this.rest.getRun(remote.info.run_id)) ?? remote;
      }
    }
    this.state.versions[version.id] = { run: remote.info.run_id, experiment: experimentId, fingerprint, complete, uploaded };
    saveState(this.options.statePath, this.state);
    return { run: run.id, version: version.id, archived: version.archived, experiment, experimentId, mlflowRunId: remote.info.run_id, points: this.points - before, files: this.files - filesBefore, bytes: this.bytes - bytesBefore, unchanged: false };
  }

  /**
   * The MLflow run of a version: one an earlier sync made (found by its version tag, so a sync killed
   * between runs/create and writing the state file does not make a second one), else a new one.
   */
  private async findOrCreate(item: Item, experimentId: string): Promise<MlflowRun> {
    const found = await this.rest.searchByTag(experimentId, TAG.version, item.version.id);
    if (found.length > 0) {
      const oldest = [...found].sort((a, b) => (a.info.start_time ?? 0) - (b.info.start_time ?? 0))[0];
      if (found.length > 1) this.warnings.push(`${item.version.id}: ${found.length} MLflow runs carry its version tag; synced into ${oldest.info.run_id}`);
      return (await this.rest.getRun(oldest.info.run_id)) ?? oldest;
    }
    const run = await this.rest.createRun({
      experiment_id: experimentId,
      start_time: Math.round(item.version.createdAt * 1000),
      run_name: this.runName(item),
      tags: [{ key: TAG.version, value: item.version.id }, { key: TAG.run, value: item.run.id }],
    });
    this.created++;
    return run;
  }

  /**
   * Uploads the version's files the server lacks; `uploaded` (the state's record of what it has) grows as
   * they go. A file neither the state nor the server's listing has with its size goes (again: a PUT
   * replaces a file cut short by a killed sync). False when some wait for a later sync (over the budget,
   * or missing locally).
   */
  private async upload(item: Item, remote: MlflowRun, fresh: boolean, uploaded: Record<string, string>): Promise<boolean> {
    const { run, version } = item;
    const runId = remote.info.run_id;
    const planned = await planUploads(this.source, version.id, this.warnings);
    let missing = planned.filter((f) => uploaded[f.path] !== f.id);
    if (missing.length === 0) return true;
    const root = artifactProxyUrl(this.uri, runId, remote.info.artifact_uri);
    if (!fresh) {
      // Files a sync stopped before it recorded them: one listing per folder says what arrived whole.
      const listings = new Map<string, Map<string, number>>();
      for (const f of missing) {
        const dir = posix.dirname(f.path) === '.' ? '' : posix.dirname(f.path);
        if (uploaded[f.path] !== undefined || listings.has(dir)) continue;
        const files = await this.rest.listArtifacts(runId, dir);
        listings.set(dir, new Map(files.filter((e) => !e.is_dir).map((e) => [posix.basename(e.path), Number(e.file_size ?? -1)])));
      }
      missing = missing.filter((f) => {
        // A file recorded with another content (a console that grew) goes again whatever its size.
        if (uploaded[f.path] !== undefined) return true;
        const dir = posix.dirname(f.path) === '.' ? '' : posix.dirname(f.path);
        if (listings.get(dir)?.get(posix.basename(f.path)) !== f.size) return true;
        uploaded[f.path] = f.id;
        return false;
      });
    }
    const queue: PlannedFile[] = [];
    let over = 0;
    let overBytes = 0;
    let absent = 0;
    for (const f of missing) {
      if (f.file !== undefined) {
        let size = -1;
        try {
          size = fs.statSync(f.file).size;
        } catch {
          // counted below
        }
        if (size !== f.size) {
          absent++;
          this.warnings.push(`${version.id}: ${f.file} (for ${f.path}) is ${size < 0 ? 'missing' : `${size} bytes, not ${f.size}`}; not uploaded`);
          continue;
        }
      }
      if (f.size > this.budget) {
        over++;
        overBytes += f.size;
        continue;
      }
      this.budget -= f.size;
      queue.push(f);
    }
    if (over > 0) {
      this.warnings.push(`${version.id}: ${over} file${over === 1 ? '' : 's'} (${megabytes(overBytes)}) not uploaded: over this sync's upload budget (--max-upload-mb, the setting runRewind.mlflow.maxUploadMB); the next sync sends them, or raise it`);
    }
    let next = 0;
    let stopped = false;
    const lane = async (): Promise<void> => {
      while (!stopped && next < queue.length) {
        this.options.signal?.throwIfAborted();
        const f = queue[next++];
        const number = ++this.started;
        this.report(`${run.name}: uploading ${f.path} (${next} of ${queue.length})`, 0.99);
        const tap = this.options.uploadTap;
        const url = `${root}/${f.path.split('/').map(encodeURIComponent).join('/')}`;
        await this.rest.putArtifact(url, () => uploadBody(f, tap ? (sent) => tap(number, sent, f.size) : undefined), f.file !== undefined ? `${f.path} (from ${f.file})` : f.path);
        this.files++;
        this.bytes += f.size;
        uploaded[f.path] = f.id;
        if (Date.now() - this.lastSave > 1000) {
          this.lastSave = Date.now();
          saveState(this.options.statePath, this.state);
        }
      }
    };
    const lanes = Math.max(1, Math.min(this.options.concurrency ?? DEFAULT_CONCURRENCY, queue.length));
    const settled = await Promise.allSettled(Array.from({ length: lanes }, () => lane().catch((error: unknown) => {
      stopped = true;
      throw error;
    })));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;

    // Tables listed as MLflow's log_table lists them, so its UI finds them.
    const tables = planned.filter((f) => f.table && uploaded[f.path] === f.id).map((f) => ({ path: f.path, type: 'table' }));
    if (tables.length > 0) {
      const had = (remote.data.tags ?? []).find((t) => t.key === TAG.loggedArtifacts)?.value;
      let list: Array<{ path: string; type: string }> = [];
      try {
        list = had ? JSON.parse(had) as typeof list : [];
      } catch {
        // not ours to read: replaced
      }
      const known = new Set(list.map((e) => e.path));
      const value = JSON.stringify([...list, ...tables.filter((t) => !known.has(t.path))]);
      if (value !== had) {
        if (mlflowLength(value) <= MAX_TAG_VALUE_LENGTH) await this.rest.logBatch(runId, [], [], [{ key: TAG.loggedArtifacts, value }]);
        else this.warnings.push(`${version.id}: ${tables.length} tables are too many for the tag ${TAG.loggedArtifacts}; they are uploaded but not listed there`);
      }
    }
    return over === 0 && absent === 0;
  }

  /** Sends what the server's copy of the run lacks: params, tags, metric points, then its status. */
  private async push(item: Item, overview: RunOverview, remote: MlflowRun, parentRun: string | undefined, system: SystemMetrics, metricKeys: readonly MetricKey[]): Promise<void> {
    const { run, version } = item;
    const runId = remote.info.run_id;
    const serverParams = new Map((remote.data.params ?? []).map((p) => [p.key, p.value]));
    const serverTags = new Map((remote.data.tags ?? []).map((t) => [t.key, t.value]));
    const latest = new Map((remote.data.metrics ?? []).map((m) => [m.key, m]));

    const plan = planParams(overview.config);
    const params: KeyValue[] = [];
    const changed: string[] = [];
    for (const [key, value] of plan.params) {
      const have = serverParams.get(key);
      if (have === undefined) params.push({ key, value });
      else if (have !== value) changed.push(key);
    }
    if (changed.length > 0) this.warnings.push(`${version.id}: MLflow keeps a param's first value; config ${changed.join(', ')} changed since it was synced (the new values are in the tag ${TAG.changedParams})`);

    const historyKeys = new Set(metricKeys.map((k) => k.key));
    // Names MLflow takes as they are first, so a renamed key never takes the name of a key that needs none.
    const keys = new KeyMap();
    for (const k of metricKeys) if (validMlflowKey(k.key)) keys.key(k.key);
    for (const k of metricKeys) keys.key(k.key);
    for (const series of system.series) if (!historyKeys.has(series.key)) keys.key(series.key);
    const summaryMetrics: WireMetric[] = [];
    const summaryTags: Record<string, string> = {};
    const stepOfSummary = version.lastStep ?? 0;
    for (const [key, value] of Object.entries(overview.summary)) {
      if (historyKeys.has(key) || value === null) continue;
      if (typeof value === 'number') {
        const mk = keys.key(key);
        const have = latest.get(mk);
        // An explicit summary value (define_metric's loss.min, best_acc): a point at the last step, again only when it changed.
        if (!have || !sameValue(have.value, value)) summaryMetrics.push({ key: mk, value: wireValue(value), timestamp: Math.round(version.updatedAt * 1000), step: stepOfSummary });
      } else {
        summaryTags[`${TAG.summaryPrefix}${mlflowKey(key)}`] = String(value);
      }
    }

    const desired: Record<string, string> = {
      [TAG.run]: run.id,
      [TAG.version]: version.id,
      [TAG.kind]: version.kind,
      [TAG.archived]: String(version.archived),
      [TAG.state]: version.state,
      [TAG.project]: run.project,
      [TAG.name]: run.name,
      ...summaryTags,
    };
    if (version.parent !== null) {
      const parentRunId = overview.lineage[0]?.run;
      desired[TAG.parentVersion] = version.parent;
      if (version.branchStep !== null) desired[TAG.branchStep] = String(version.branchStep);
      if (parentRunId !== undefined) desired[TAG.sourceRun] = parentRunId;
      if (version.kind === 'fork' && parentRunId !== undefined) desired[TAG.forkedFrom] = `${parentRunId}@${version.branchStep}`;
      if (parentRun !== undefined) desired[TAG.parentRun] = parentRun;
    }
    if (run.notes) desired[TAG.note] = run.notes;
    if (run.tags.length > 0) {
      desired[TAG.tags] = JSON.stringify(run.tags);
      // As MLflow tags of their own (empty values), so the server's search and UI see them.
      for (const t of run.tags) if (!mlflowKey(t).startsWith('mlflow.')) desired[mlflowKey(t)] = '';
    }
    if (Object.keys(keys.renamed).length > 0) desired[TAG.renamedMetrics] = JSON.stringify(keys.renamed);
    if (Object.keys(plan.keys.renamed).length > 0) desired[TAG.renamedParams] = JSON.stringify(plan.keys.renamed);
    if (Object.keys(plan.split).length > 0) desired[TAG.splitParams] = JSON.stringify(plan.split);
    if (plan.truncated.length > 0) desired[TAG.truncatedParams] = JSON.stringify(plan.truncated);
    if (changed.length > 0) {
      const now = Object.fromEntries(plan.params.filter(([k]) => changed.includes(k)));
      desired[TAG.changedParams] = JSON.stringify({ ...JSON.parse(serverTags.get(TAG.changedParams) ?? '{}') as Record<string, string>, ...now });
    }
    const tags: KeyValue[] = [];
    for (const [key, raw] of Object.entries(desired)) {
      const value = tagValue(raw);
      if (serverTags.get(key) !== value) tags.push({ key, value });
    }

    // Params, tags and summary values first; then every key's missing points in step order. Keys are dealt
    // to `lanes` that send at once, each its own batches one after another: a key lives in one lane, so
    // its points still reach the server in step order, a batch whole or not at all.
    // How far through the version: points sent over the points it has (a resumed version starts part-way).
    const versionPoints = Math.max(1, metricKeys.reduce((n, k) => n + k.points, 0));
    const pointsBefore = this.points;
    const within = (): number => Math.min(0.99, (this.points - pointsBefore) / versionPoints);
    const send = async (sent: Batch): Promise<void> => {
      await this.rest.logBatch(runId, sent.metrics, sent.params, sent.tags);
      this.batches++;
      this.points += sent.metrics.length;
      this.params += sent.params.length;
      this.tags += sent.tags.length;
      this.options.afterBatch?.(this.batches);
      this.report(`${run.name}: ${sent.metrics.length > 0 ? sent.metrics[sent.metrics.length - 1].key : 'params and tags'}`, within());
      if (Date.now() - this.lastSave > 1000) {
        this.lastSave = Date.now();
        saveState(this.options.statePath, this.state);
      }
    };
    const sender = (): { add: (kind: 'metric' | 'param' | 'tag', entry: WireMetric | KeyValue, bytes: number) => Promise<void>; flush: () => Promise<void> } => {
      let batch = new Batch();
      const flush = async (): Promise<void> => {
        if (batch.empty) return;
        const sent = batch;
        batch = new Batch();
        await send(sent);
      };
      const add = async (kind: 'metric' | 'param' | 'tag', entry: WireMetric | KeyValue, bytes: number): Promise<void> => {
        if (!batch.fits(kind, bytes)) await flush();
        if (kind === 'metric') batch.metrics.push(entry as WireMetric);
        else (kind === 'param' ? batch.params : batch.tags).push(entry as KeyValue);
        batch.bytes += bytes;
      };
      return { add, flush };
    };
    const first = sender();
    for (const p of params) await first.add('param', p, entryBytes(p.key, p.value));
    for (const t of tags) await first.add('tag', t, entryBytes(t.key, t.value));
    for (const m of summaryMetrics) await first.add('metric', m, Buffer.byteLength(m.key) + 60);
    await first.flush();
    const fallbackTime = Math.round(version.createdAt * 1000);
    // One lane failing stops the others at their next key (what they sent stays: the server is asked next time).
    let stopped = false;
    const lane = async (index: number, lanes: number): Promise<void> => {
      try {
        await laneKeys(index, lanes);
      } catch (error) {
        stopped = true;
        throw error;
      }
    };
    const laneKeys = async (index: number, lanes: number): Promise<void> => {
      const out = sender();
      for (let i = index; i < metricKeys.length && !stopped; i += lanes) {
        this.options.signal?.throwIfAborted();
        const local = metricKeys[i].key;
        const key = keys.key(local);
        const have = latest.get(key);
        // The server's newest step of the key: every point up to it arrived.
        const range: StepRange | undefined = have ? { from: Number(have.step) + 1 } : undefined;
        const series = await this.source.series(version.id, local, range, true);
        const keyBytes = Buffer.byteLength(key) + 60;
        for (let j = 0; j < series.steps.length; j++) {
          const t = series.times?.[j];
          await out.add('metric', { key, value: wireValue(series.values[j]), timestamp: t !== undefined && Number.isFinite(t) ? Math.round(t * 1000) : fallbackTime, step: series.steps[j] }, keyBytes);
        }
        this.report(`${run.name}: ${local}`, within());
      }
      await out.flush();
    };
    const lanes = Math.max(1, Math.min(this.options.concurrency ?? DEFAULT_CONCURRENCY, metricKeys.length));
    const settled = await Promise.allSettled(Array.from({ length: lanes }, (_, i) => lane(i, lanes)));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;

    // System metrics (kept apart from the history, against wall time): system/… metrics whose step is the
    // sample's index, as MLflow's own system metrics monitor logs them; the server's newest step again says
    // what it has.
    const out = sender();
    for (const series of system.series) {
      this.options.signal?.throwIfAborted();
      if (historyKeys.has(series.key)) {
        this.warnings.push(`${version.id}: the system metric ${series.key} has the name of a history key; only the history's points were sent`);
        continue;
      }
      const key = keys.key(series.key);
      const have = latest.get(key);
      const keyBytes = Buffer.byteLength(key) + 60;
      for (let j = have ? Number(have.step) + 1 : 0; j < series.values.length; j++) {
        const t = series.times[j];
        await out.add('metric', { key, value: wireValue(series.values[j]), timestamp: Number.isFinite(t) ? Math.round(t * 1000) : fallbackTime, step: j }, keyBytes);
      }
    }
    await out.flush();

    const status = STATUS[version.state];
    const update: { run_id: string; status?: string; end_time?: number; run_name?: string } = { run_id: runId };
    if (remote.info.status !== status) update.status = status;
    const end = version.endedAt !== null && version.state !== 'running' ? Math.round(version.endedAt * 1000) : undefined;
    if (end !== undefined && Number(remote.info.end_time ?? -1) !== end) update.end_time = end;
    if (remote.info.run_name !== this.runName(item)) update.run_name = this.runName(item);
    if (Object.keys(update).length > 1) {
      // runs/update with a status but no end time stamps the server's clock: always give ours when known.
      if (update.status && end !== undefined) update.end_time = end;
      await this.rest.updateRun(update);
    }
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/** Whether the server's stored value is the local one (it keeps ±Infinity as ±1.7976931348623157e308). */
function sameValue(remote: number | string, local: number): boolean {
  const r = typeof remote === 'string' ? Number(remote) : remote;
  if (Number.isNaN(local)) return Number.isNaN(r);
  if (!Number.isFinite(local)) return Math.abs(r) >= Number.MAX_VALUE && Math.sign(r) === Math.sign(local);
  return r === local;
}
