// An MLflow tracking server as a source: its experiments and runs read over MLflow's REST API, never
// written, and shown like the runs of MLflow's file and SQLite stores (mlflow.ts, mlflowSqlite.ts): the
// experiment is the project, params the config, other non-system tags the run's tags, a nested run
// grouped under its parent's name, deleted runs left out, FINISHED/FAILED/KILLED finish a run.
//
// Importers are synchronous (they run inside the engine's transaction) and the network is not, so the
// work is split: `MlflowPuller.pull()` (awaited by the command line, run in the background by the
// worker) keeps a mirror of every run's points in memory, and `MlflowServerImporter` turns the mirror
// into rows as the other rewritten-whole sources do (snapshot.ts compares them with what was applied).
// A pull asks the server for its experiments and runs (a few paged requests), and only for runs whose
// status, params, tags or newest metric values changed asks for points: per key the steps after the
// newest one it has (metrics/get-history-bulk-interval), the whole history (metrics/get-history, paged)
// only for a key it has never read or a run resumed after it ended (which may log earlier steps again).
// A run our own sync pushed names its run in `runrewind.run_id`; it is left out when our log directory
// holds that run (the local logs are the truth, so it is not listed twice).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../api';
import { RUNS_DIR } from '../protocol';
import { MlflowRest } from '../sync/mlflowRest';
import type { MlflowAuth, MlflowRun, WireMetric } from '../sync/mlflowRest';
import type { ImportContext } from './index';
import type { FoundRun, Snapshot, Warn } from './snapshot';
import { SnapshotImporter } from './snapshot';
import { MetricRows } from './mlflow';
import { isServerSource } from './sources';

export const MLFLOW_SERVER_STATE = 'mlflow-server';
const PARENT_TAG = 'mlflow.parentRunId';
const NAME_TAG = 'mlflow.runName';
/** Tags our own sync adds (src/core/sync/mlflowSync.ts): bookkeeping, not the run's tags. */
const OUR_TAGS = 'runrewind.';
const OUR_RUN_TAG = 'runrewind.run_id';
const ENDED: ReadonlyMap<string, number> = new Map([['FINISHED', 0], ['FAILED', 1], ['KILLED', 1]]);
/** MLflow's cap on get-history-bulk-interval's max_results (MAX_RESULTS_PER_RUN in mlflow/server/handlers.py). */
const INTERVAL_MAX = 2500;
/** Requests for points in flight at once (as the sync's lanes, src/core/sync/mlflowSync.ts). */
const LANES = 4;
/** A run that keeps changing is written to the cache at most this often (a 1M-point run is some 30 MB). */
const CACHE_EVERY_MS = 60_000;
const CACHE_VERSION = 1;
/** A pull that takes longer than this is abandoned (what it read so far is kept). */
const PULL_TIMEOUT_MS = 10 * 60_000;
/** The separator between a server's address and a run's id in the run's key (`import_runs.dir`). */
const RUN_SEP = '#';

/** A key's points in (step, time) order: step, timestamp (ms), value. */
type Point = [number, number, number];

interface KeyMirror {
  readonly points: Point[];
  /** The newest value the server listed for the key when it was read (runs/search's `metrics`). */
  readonly latest: string;
  readonly lastStep: number;
}

interface RunMirror {
  readonly info: MlflowRun['info'];
  readonly experiment: string;
  readonly params: ReadonlyMap<string, string>;
  readonly tags: ReadonlyMap<string, string>;
  readonly keys: ReadonlyMap<string, KeyMirror>;
  /** Changes whenever anything the importer reads changed. */
  readonly stamp: string;
  /** Unix seconds of the newest thing the run logged (its newest point, or its end, or its start). */
  readonly mtime: number;
}

interface ServerMirror {
  readonly base: string;
  /** Only the experiments of these names; undefined: every one. */
  experiments: Set<string> | undefined;
  runs: Map<string, RunMirror>;
  /** What failed in the last pull, if it failed. */
  problem?: string;
  pulled: boolean;
  /**
   * Runs read back from the cache file of an earlier process: a base for the first pull to add to, never
   * shown before that pull succeeds (the store may already hold more than they do).
   */
  cached?: Map<string, RunMirror>;
  /** Runs changed since they were last written to the cache, and when each was last written (ms). */
  readonly unsaved: Set<string>;
  readonly savedAt: Map<string, number>;
}

/** What one pull did (the tests and the benchmark count requests and points). */
export interface PullResult {
  /** Runs whose content changed (new, or with new points, params, tags or status). */
  readonly changed: number;
  readonly requests: number;
  /** Of those, the requests for points (the rest list experiments and runs). */
  readonly historyRequests: number;
  /** Points downloaded. */
  readonly points: number;
  /** One line per server that could not be read (the mirror keeps what was read before). */
  readonly problems: readonly string[];
}

/** The runs of the tracking servers among the sources, mirrored in memory; `pull()` brings them up to date. */
export class MlflowPuller {
  private readonly servers = new Map<string, ServerMirror>();

  constructor(
    sources: readonly string[],
    private readonly auth: MlflowAuth = {},
    private readonly tokens: Readonly<Record<string, string>> = {},
    /** Where the mirror is kept between processes (beside the store's snapshot); none: memory only. */
    private readonly cacheDir?: string,
  ) {
    for (const source of sources) {
      if (!isServerSource(source)) continue;
      const { base, experiments } = parseServerSource(source);
      const known = this.servers.get(base);
      if (!known) this.servers.set(base, { base, experiments: experiments && new Set(experiments), runs: new Map(), pulled: false, unsaved: new Set(), savedAt: new Map() });
      // The same server named twice: the union of what each names (everything if one names no experiment).
      else if (known.experiments) known.experiments = experiments ? new Set([...known.experiments, ...experiments]) : undefined;
    }
  }

  get active(): boolean {
    return this.servers.size > 0;
  }

  /** The servers' addresses as the sources give them. */
  get bases(): string[] {
    return [...this.servers.keys()];
  }

  runsOf(base: string): ReadonlyMap<string, RunMirror> | undefined {
    return this.servers.get(base)?.runs;
  }

  /** The servers that could not be read in their last pull, as problems shown with the others. */
  problems(): Diagnostic[] {
    return [...this.servers.values()].filter((s) => s.problem).map((s) => ({ file: s.base, line: 0, severity: 'error' as const, message: s.problem! }));
  }

  /** Reads what changed on every server; a server that fails keeps what was read before and says why. */
  async pull(): Promise<PullResult> {
    let changed = 0;
    let requests = 0;
    let historyRequests = 0;
    let points = 0;
    const problems: string[] = [];
    for (const server of this.servers.values()) {
      const signal = AbortSignal.timeout(PULL_TIMEOUT_MS);
      let rest: MlflowRest | undefined;
      const counter = { points: 0, listing: 0 };
      try {
        const token = this.tokens[server.base];
        rest = new MlflowRest(server.base, token ? { ...this.auth, token } : this.auth, signal);
        if (!server.pulled) server.cached = await this.readCache(server.base);
        changed += await this.pullServer(server, rest, counter);
        server.cached = undefined;
        server.problem = undefined;
        await this.writeCache(server);
      } catch (error) {
        const why = signal.aborted ? `it did not answer within ${PULL_TIMEOUT_MS / 60_000} minutes` : (error as Error).message;
        server.problem = `the runs of the MLflow server ${server.base} could not be read (${why}); the Runs view shows what was read before${/\b40[13]\b/.test(why) ? '. Set its token with "Set MLflow Server Token…" (or MLFLOW_TRACKING_TOKEN)' : ''}`;
        problems.push(server.problem);
      }
      server.pulled = true;
      requests += rest?.requests ?? 0;
      historyRequests += Math.max(0, (rest?.requests ?? 0) - counter.listing);
      points += counter.points;
    }
    return { changed, requests, historyRequests, points, problems };
  }

  private async pullServer(server: ServerMirror, rest: MlflowRest, counter: { points: number; listing: number }): Promise<number> {
    const experiments = (await rest.searchExperiments()).filter((e) => !server.experiments || server.experiments.has(e.name));
    const names = new Map(experiments.map((e) => [e.experiment_id, e.name]));
    const runs = experiments.length > 0 ? await rest.searchRuns(experiments.map((e) => e.experiment_id)) : [];
    counter.listing = rest.requests;
    const next = new Map<string, RunMirror>();
    let changed = 0;
    for (const run of runs) {
      const id = run.info.run_id;
      if (run.info.lifecycle_stage && run.info.lifecycle_stage !== 'active') continue;
      const latest = new Map((run.data.metrics ?? []).map((m) => [m.key, m]));
      const params = new Map((run.data.params ?? []).map((p) => [p.key, p.value]));
      const tags = new Map((run.data.tags ?? []).map((t) => [t.key, t.value]));
      const experiment = names.get(run.info.experiment_id) ?? run.info.experiment_id;
      const stamp = JSON.stringify([run.info.status, run.info.end_time, run.info.run_name, experiment, [...params], [...tags], [...latest.values()].map(latestOf)]);
      const known = server.runs.get(id) ?? server.cached?.get(id);
      if (known?.stamp === stamp) {
        if (!server.runs.has(id)) changed++; // read from the cache: new to this process's store
        next.set(id, known);
        continue;
      }
      // A run resumed after it ended may log steps it had logged before: read it whole again.
      const resumed = known !== undefined && ENDED.has(known.info.status ?? '') && !ENDED.has(run.info.status ?? '');
      const keys = new Map<string, KeyMirror>();
      // Up to LANES keys at once: the server answers each request in its own worker.
      const queue = [...latest.keys()].sort();
      const lane = async (): Promise<void> => {
        for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
          const had = resumed ? undefined : known?.keys.get(key);
          keys.set(key, await this.pullKey(rest, id, key, latest.get(key)!, had, counter));
        }
      };
      await Promise.all(Array.from({ length: LANES }, lane));
      let mtime = (run.info.end_time ?? run.info.start_time ?? 0) / 1000;
      for (const m of latest.values()) mtime = Math.max(mtime, m.timestamp / 1000);
      next.set(id, { info: run.info, experiment, params, tags, keys, stamp, mtime });
      server.unsaved.add(id);
      changed++;
    }
    for (const id of [...server.savedAt.keys()]) if (!next.has(id)) server.unsaved.add(id);
    // Runs deleted on the server (or in a deleted experiment) leave the mirror; the store keeps what it showed.
    server.runs = next;
    return changed;
  }

  private cacheDirOf(base: string): string | undefined {
    return this.cacheDir && path.join(this.cacheDir, createHash('sha1').update(base).digest('hex').slice(0, 16));
  }

  /** The runs an earlier process wrote to the cache (unreadable files are skipped: they are only a cache). */
  private async readCache(base: string): Promise<Map<string, RunMirror> | undefined> {
    const dir = this.cacheDirOf(base);
    if (!dir) return undefined;
    let names: string[];
    try {
      names = await fs.promises.readdir(dir);
    } catch {
      return undefined;
    }
    const out = new Map<string, RunMirror>();
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      try {
        const run = fromCache(JSON.parse(await fs.promises.readFile(path.join(dir, name), 'utf8')) as CachedRun, base);
        if (run) out.set(run.info.run_id, run);
      } catch {
        // half-written by a process that died, or from another version: read from the server again
      }
    }
    return out;
  }

  /** Writes the runs that changed (each at most every CACHE_EVERY_MS) and removes those the server no longer lists. */
  private async writeCache(server: ServerMirror): Promise<void> {
    const dir = this.cacheDirOf(server.base);
    if (!dir || server.unsaved.size === 0) return;
    const now = Date.now();
    try {
      await fs.promises.mkdir(dir, { recursive: true });
      for (const id of [...server.unsaved]) {
        const file = path.join(dir, `${createHash('sha1').update(id).digest('hex').slice(0, 20)}.json`);
        const run = server.runs.get(id);
        if (!run) {
          await fs.promises.rm(file, { force: true });
        } else {
          if (now - (server.savedAt.get(id) ?? Number.NEGATIVE_INFINITY) < CACHE_EVERY_MS) continue;
          const temp = `${file}.${process.pid}.tmp`;
          await fs.promises.writeFile(temp, JSON.stringify(toCache(server.base, run)));
          await fs.promises.rename(temp, file);
        }
        server.savedAt.set(id, now);
        if (!run) server.savedAt.delete(id);
        server.unsaved.delete(id);
      }
    } catch {
      // A cache that cannot be written costs a download after the next start, nothing else.
    }
  }

  /** A key's points up to `newest` (the newest value runs/search listed), asking only for what `had` lacks. */
  private async pullKey(rest: MlflowRest, runId: string, key: string, newest: WireMetric, had: KeyMirror | undefined, counter: { points: number }): Promise<KeyMirror> {
    const latest = latestOf(newest);
    if (had?.latest === latest) return had;
    let points: Point[];
    if (had && newest.step > had.lastStep) {
      const added = await this.interval(rest, runId, key, had.lastStep + 1, newest.step, counter);
      points = had.points.concat(added);
    } else if (had && newest.step === had.lastStep) {
      // Another value at the newest step: that step again.
      const again = await this.interval(rest, runId, key, newest.step, newest.step, counter);
      points = had.points.filter((p) => p[0] < newest.step).concat(again);
    } else {
      const all = await rest.metricHistory(runId, key);
      counter.points += all.length;
      // Points logged after runs/search answered wait for the next pull, so every key is read to one moment.
      points = all.map(pointOf).filter((p) => p[0] <= newest.step).sort(byStepTime);
    }
    return { points, latest, lastStep: newest.step };
  }

  /** Every point of steps `from`..`to`: a range MLflow would sample (a full answer) is asked for in halves. */
  private async interval(rest: MlflowRest, runId: string, key: string, from: number, to: number, counter: { points: number }): Promise<Point[]> {
    const got = await rest.metricInterval(runId, key, from, to, INTERVAL_MAX);
    counter.points += got.length;
    if (got.length < INTERVAL_MAX) return got.map(pointOf).sort(byStepTime);
    if (from === to) {
      // More values at one step than one answer holds: the whole history, this step kept.
      const all = await rest.metricHistory(runId, key);
      counter.points += all.length;
      return all.map(pointOf).filter((p) => p[0] === from).sort(byStepTime);
    }
    const mid = Math.floor((from + to) / 2);
    return [...await this.interval(rest, runId, key, from, mid, counter), ...await this.interval(rest, runId, key, mid + 1, to, counter)];
  }
}

/** The importer: the puller's mirror as runs, through the same comparison as the other rewritten-whole sources. */
export class MlflowServerImporter extends SnapshotImporter {
  constructor(ctx: ImportContext, private readonly puller: MlflowPuller | undefined) {
    super(ctx, 'mlflow', 'MLflow server', 'mls', MLFLOW_SERVER_STATE);
  }

  protected override roots(): Iterable<string> {
    return this.puller?.bases ?? [];
  }

  protected override idSeed(dir: string): string {
    // The server's address and MLflow's run id: the same id whatever folder the workspace is in.
    const { base, runId } = splitKey(dir);
    return `${base}${RUN_SEP}${runId}`;
  }

  protected findRuns(base: string): FoundRun[] {
    const runs = this.puller?.runsOf(base);
    if (!runs) return [];
    const out: FoundRun[] = [];
    for (const [id, run] of runs) {
      if (this.ours(run)) continue;
      out.push({ dir: `${base}${RUN_SEP}${run.info.experiment_id}/${id}`, stamp: run.stamp, mtime: run.mtime, bytes: 0 });
    }
    return out;
  }

  /** A run our sync pushed whose run our log directory holds: shown once, from the local logs. */
  private ours(run: RunMirror): boolean {
    const local = run.tags.get(OUR_RUN_TAG);
    if (!local) return false;
    if (this.ctx.store.runs.has(local)) return true;
    try {
      return fs.statSync(path.join(this.ctx.logDir, RUNS_DIR, local)).isDirectory();
    } catch {
      return false;
    }
  }

  private runOf(dir: string): { base: string; run: RunMirror } | undefined {
    const { base, runId } = splitKey(dir);
    const run = this.puller?.runsOf(base)?.get(runId);
    return run ? { base, run } : undefined;
  }

  protected read(found: FoundRun, _warn: Warn): Snapshot | undefined {
    const known = this.runOf(found.dir);
    if (!known) return undefined;
    const { base, run } = known;
    const gathered = new MetricRows();
    // Keys in name order: a row's content (compared by snapshot.ts) must not depend on the order the server lists them in.
    for (const key of [...run.keys.keys()].sort()) {
      for (const [step, timestamp, value] of run.keys.get(key)!.points) {
        if (Number.isSafeInteger(step) && step >= 0) gathered.add(key, step, timestamp, value);
      }
    }
    const rows = gathered.rows();
    const config: Record<string, unknown> = {};
    for (const key of [...run.params.keys()].sort()) config[key] = run.params.get(key)!;
    const exitCode = ENDED.get(run.info.status ?? '');
    const end = run.info.end_time ? run.info.end_time / 1000 : run.mtime;
    return { file: runAddress(base, run.info.experiment_id, run.info.run_id), rows, config, mtime: run.mtime, ended: exitCode !== undefined, exitCode, endTime: end };
  }

  protected override startFields(state: { readonly dir: string }): { group?: string; tags?: string[]; name?: string; project?: string } {
    const known = this.runOf(state.dir);
    if (!known) return {};
    const { base, run } = known;
    const tags: string[] = [];
    for (const key of [...run.tags.keys()].sort()) {
      if (key.startsWith('mlflow.') || key.startsWith(OUR_TAGS)) continue;
      const value = run.tags.get(key)!;
      tags.push(value ? `${key}: ${value}` : key);
    }
    const parent = run.tags.get(PARENT_TAG);
    const parentRun = parent ? this.puller?.runsOf(base)?.get(parent) : undefined;
    const group = parent ? (parentRun ? nameOf(parentRun) : '') || parent : undefined;
    const name = nameOf(run);
    return { ...(group ? { group } : {}), ...(tags.length ? { tags } : {}), ...(name ? { name } : {}), project: run.experiment };
  }

  protected override originPath(dir: string): string {
    // MLflow's own page of the run, where the server's UI shows it.
    const { base, experimentId, runId } = splitKey(dir);
    return runAddress(base, experimentId, runId);
  }
}

/**
 * A server source: its address, and the experiments it is limited to by a fragment
 * `#experiment=NAME&experiment=OTHER` (what runRewind.mlflow.serverExperiments and the command line's
 * --experiment add; a fragment is never sent to the server).
 */
export function parseServerSource(source: string): { base: string; experiments: string[] | undefined } {
  const text = source.trim();
  const at = text.indexOf('#');
  const base = (at < 0 ? text : text.slice(0, at)).replace(/\/+$/, '');
  const names = at < 0 ? [] : new URLSearchParams(text.slice(at + 1)).getAll('experiment').filter((n) => n !== '');
  return { base, experiments: names.length > 0 ? names : undefined };
}

/** A server source limited to `experiments` (none: every experiment). */
export function serverSource(base: string, experiments: readonly string[]): string {
  if (experiments.length === 0) return base;
  const params = new URLSearchParams();
  for (const name of experiments) params.append('experiment', name);
  return `${base}#${params.toString()}`;
}

/** A run's mirror as its cache file holds it (non-finite values as MLflow's wire strings). */
interface CachedRun {
  readonly v: number;
  readonly base: string;
  readonly info: MlflowRun['info'];
  readonly experiment: string;
  readonly params: Array<[string, string]>;
  readonly tags: Array<[string, string]>;
  /** key, newest value when read, last step, then step, timestamp, value of every point. */
  readonly keys: Array<[string, string, number, Array<number | string>]>;
  readonly stamp: string;
  readonly mtime: number;
}

function toCache(base: string, run: RunMirror): CachedRun {
  const keys: CachedRun['keys'] = [];
  for (const [key, mirror] of run.keys) {
    const flat: Array<number | string> = [];
    for (const [step, timestamp, value] of mirror.points) flat.push(step, timestamp, Number.isFinite(value) ? value : Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity');
    keys.push([key, mirror.latest, mirror.lastStep, flat]);
  }
  return { v: CACHE_VERSION, base, info: run.info, experiment: run.experiment, params: [...run.params], tags: [...run.tags], keys, stamp: run.stamp, mtime: run.mtime };
}

function fromCache(data: CachedRun, base: string): RunMirror | undefined {
  if (data.v !== CACHE_VERSION || data.base !== base || typeof data.info?.run_id !== 'string') return undefined;
  const keys = new Map<string, KeyMirror>();
  for (const [key, latest, lastStep, flat] of data.keys) {
    const points: Point[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) points.push([Number(flat[i]), Number(flat[i + 1]), wireNumber(flat[i + 2])]);
    keys.set(key, { points, latest, lastStep });
  }
  return { info: data.info, experiment: data.experiment, params: new Map(data.params), tags: new Map(data.tags), keys, stamp: data.stamp, mtime: data.mtime };
}

function nameOf(run: RunMirror): string {
  return run.info.run_name || run.tags.get(NAME_TAG) || '';
}

function runAddress(base: string, experimentId: string, runId: string): string {
  return `${base}/#/experiments/${experimentId}/runs/${runId}`;
}

/** A run's key (`import_runs.dir`): `<server>#<experiment id>/<run id>`. */
function splitKey(dir: string): { base: string; experimentId: string; runId: string } {
  const at = dir.lastIndexOf(RUN_SEP);
  const [experimentId, runId] = dir.slice(at + 1).split('/');
  return { base: dir.slice(0, at), experimentId: experimentId ?? '', runId: runId ?? '' };
}

function latestOf(m: WireMetric): string {
  return `${m.step}:${m.timestamp}:${m.value}`;
}

function pointOf(m: WireMetric): Point {
  return [Number(m.step ?? 0), Number(m.timestamp ?? 0), wireNumber(m.value)];
}

/** Protobuf JSON's numbers: "NaN", "Infinity" and "-Infinity" are strings. */
function wireNumber(value: number | string | undefined): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return Number(value ?? Number.NaN);
}

function byStepTime(a: Point, b: Point): number {
  return a[0] - b[0] || a[1] - b[1];
}
