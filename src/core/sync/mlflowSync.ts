// Pushes runs to an MLflow tracking server (issue 17): each version of a run becomes an MLflow run (MLflow
// never overwrites a metric, and a rewind would have to), with its config as params, its tags, lineage
// and status as tags and run fields, and its whole visible history — inherited rows included — as
// metrics. Resumable and idempotent: what is missing is worked out from the server's own answer, so a sync
// killed at any point and run again sends every point exactly once.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MetricKey, RunInfo, RunOverview, RunState, Series, StepRange, VersionInfo } from '../api';
import { RunRewindError } from '../errors';
import { type KeyValue, type MlflowAuth, MlflowHttpError, MlflowRest, type MlflowRun, type WireMetric, parseTrackingUri } from './mlflowRest';
import {
  KeyMap, MAX_BATCH_REQUEST_BYTES, MAX_ENTITIES_PER_BATCH, MAX_EXPERIMENT_NAME_LENGTH, MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH,
  mlflowKey, mlflowLength, planParams, tagValue, validMlflowKey, wireValue,
} from './mlflowNames';

type Awaitable<T> = T | Promise<T>;

/** What the sync reads: the in-thread Engine (command line) or the worker's StoreClient (extension). */
export interface SyncSource {
  listRuns(): Awaitable<RunInfo[]>;
  getRun(runOrVersion: string): Awaitable<RunOverview>;
  metricKeys(version: string): Awaitable<MetricKey[]>;
  series(version: string, key: string, range?: StepRange, withTimes?: boolean): Awaitable<Series>;
}

export interface SyncProgress {
  readonly message: string;
  /** 0..1 over the versions to sync. */
  readonly fraction: number;
  readonly pointsSent: number;
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
}

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
  private lastSave = 0;
  private done = 0;
  private total = 0;

  constructor(
    private readonly source: SyncSource,
    private readonly options: SyncOptions,
  ) {
    this.rest = new MlflowRest(options.uri, options.auth, options.signal, options.fetch);
    this.uri = this.rest.base;
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
    return { uri: this.uri, versions, created: this.created, points: this.points, params: this.params, tags: this.tags, batches: this.batches, requests: this.rest.requests, warnings: this.warnings };
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
    this.options.progress?.({ message, fraction: this.total === 0 ? 1 : Math.min(1, (this.done + within) / this.total), pointsSent: this.points });
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
    const fingerprint = createHash('sha256').update(JSON.stringify([
      run.name, run.project, run.tags, run.notes, experiment, version.state, version.archived, version.lastStep, version.updatedAt, version.endedAt,
      overview.config, overview.summary, parentRun ?? null,
    ], (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))).digest('hex');
    const known = this.state.versions[version.id];
    if (known?.complete && known.fingerprint === fingerprint) {
      return { run: run.id, version: version.id, archived: version.archived, experiment, experimentId: known.experiment, mlflowRunId: known.run, points: 0, unchanged: true };
    }
    this.report(`${run.name} (${version.archived ? `archived ${version.id}` : run.id}) → ${experiment}`);
    const experimentId = await this.experimentId(experiment);
    let remote = known && known.experiment === experimentId ? await this.rest.getRun(known.run) : undefined;
    if (remote && remote.info.lifecycle_stage === 'deleted') remote = undefined;
    if (!remote) remote = await this.findOrCreate(item, experimentId);
    this.state.versions[version.id] = { run: remote.info.run_id, experiment: experimentId, complete: false };
    saveState(this.options.statePath, this.state);
    const before = this.points;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.push(item, overview, remote, parentRun);
        break;
      } catch (error) {
        // The server may have stored the batch whose answer was lost: ask it again, send what it lacks.
        if (!ambiguous(error) || attempt >= 3 || this.options.signal?.aborted) throw error;
        remote = (await this.rest.getRun(remote.info.run_id)) ?? remote;
      }
    }
    this.state.versions[version.id] = { run: remote.info.run_id, experiment: experimentId, fingerprint, complete: true };
    saveState(this.options.statePath, this.state);
    return { run: run.id, version: version.id, archived: version.archived, experiment, experimentId, mlflowRunId: remote.info.run_id, points: this.points - before, unchanged: false };
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

  /** Sends what the server's copy of the run lacks: params, tags, metric points, then its status. */
  private async push(item: Item, overview: RunOverview, remote: MlflowRun, parentRun: string | undefined): Promise<void> {
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

    const metricKeys = (await this.source.metricKeys(version.id)).filter((k) => k.numeric);
    const historyKeys = new Set(metricKeys.map((k) => k.key));
    // Names MLflow takes as they are first, so a renamed key never takes the name of a key that needs none.
    const keys = new KeyMap();
    for (const k of metricKeys) if (validMlflowKey(k.key)) keys.key(k.key);
    for (const k of metricKeys) keys.key(k.key);
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

/** Whether the server's stored value is the local one (it keeps ±Infinity as ±1.7976931348623157e308). */
function sameValue(remote: number | string, local: number): boolean {
  const r = typeof remote === 'string' ? Number(remote) : remote;
  if (Number.isNaN(local)) return Number.isNaN(r);
  if (!Number.isFinite(local)) return Math.abs(r) >= Number.MAX_VALUE && Math.sign(r) === Math.sign(local);
  return r === local;
}
