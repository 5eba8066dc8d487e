// The run store: runs, versions with copy-on-write lineage, and chunked series in sql.js — the state,
// backed by the schema of schema.ts, and the verbs that change it. Its maps are read-only outside it:
// every change goes through a verb (apply.ts calls them), and each verb notes the run it changed.
// Reading histories back is queries.ts's job. It knows nothing of log files (ingest.ts reads them) or
// threads (engine.ts and worker.ts wrap it).
import type { RunState, VersionKind } from './api';
import { Tail, encodeChunk, float64Of, stepsOf } from './chunks';
import { DEFAULT_HEARTBEAT_SECONDS, HEARTBEAT_GRACE, PID_REUSE_SLACK_SECONDS, encodeRecord, parseLine } from './protocol';
import { CHUNK_SIZE } from './schema';
import type { Db } from './sqlite';
import { isPlainObject, mergeConfig } from './values';

export interface RunRow {
  id: string;
  seq: number;
  project: string;
  name: string;
  liveVersion: string;
  createdAt: number;
  updatedAt: number;
  tags: string[];
  notes: string;
  forkVersion: string | null;
  forkRun: string | null;
  forkStep: number | null;
  deleted: boolean;
}

export interface VersionRow {
  id: string;
  runId: string;
  kind: VersionKind;
  parent: string | null;
  branchStep: number | null;
  archived: boolean;
  archivedAt: number | null;
  createdAt: number;
  updatedAt: number;
  endedAt: number | null;
  finished: boolean;
  exitCode: number | null;
  pid: number | null;
  host: string | null;
  heartbeat: number | null;
  lastSeen: number | null;
  /** max(own last step, branch step): the version's step counter. */
  lastStep: number | null;
  ownLastStep: number | null;
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
}

/** Key kinds in version_keys (queries.ts reads them back). */
export const KeyKind = { Number: 0, Boolean: 1, String: 2 } as const;
export type KeyKind = (typeof KeyKind)[keyof typeof KeyKind];

interface KeyStat {
  points: number;
  lastStep: number;
  lastKind: KeyKind;
  lastNum: number | null;
  lastText: string | null;
  dirty: boolean;
}

/** One key of one version while it is being appended to: found with a single map lookup per point. */
interface SeriesState {
  readonly keyId: number;
  tail: Tail | undefined;
  stat: KeyStat | undefined;
}

export interface Liveness {
  readonly now: () => number;
  readonly host: string;
  readonly pidAlive: (pid: number) => boolean;
  /** When a process started (unix seconds), where the platform tells. */
  readonly processStart?: (pid: number) => number | undefined;
}

/** What a writer's start record says about its process. */
export interface WriterInfo {
  readonly pid: number | null;
  readonly host: string | null;
  readonly heartbeat: number | null;
}

export class RunStore {
  private readonly runRows = new Map<string, RunRow>();
  private readonly versionRows = new Map<string, VersionRow>();
  /** Runs by id; change them through the verbs below. */
  readonly runs: ReadonlyMap<string, Readonly<RunRow>> = this.runRows;
  /** Versions by id; change them through the verbs below. */
  readonly versions: ReadonlyMap<string, Readonly<VersionRow>> = this.versionRows;
  /** Runs changed by a verb since takeChangedRuns last ran. */
  private readonly changedRuns = new Set<string>();
  private readonly keyIds = new Map<string, number>();
  private readonly keyNames = new Map<number, string>();
  private readonly dirtyRuns = new Set<string>();
  private readonly dirtyVersions = new Set<string>();
  private readonly stepTails = new Map<string, Tail>();
  private readonly pointTails = new Map<string, Map<number, Tail>>();
  private readonly stats = new Map<string, Map<number, KeyStat>>();
  private readonly appending = new Map<string, Map<string, SeriesState>>();
  private readonly versionsByRun = new Map<string, VersionRow[]>();
  /** Headline per version; dropped whenever the version changes (its ancestors' rows up to the branch step never do). */
  private readonly headlines = new Map<string, { key: string; value: number } | null>();
  private nextSeq = 0;

  constructor(
    readonly db: Db,
    private readonly liveness: Liveness,
  ) {
    this.reload();
  }

  /** Drops every cache and reads runs, versions and keys back from the database. */
  reload(): void {
    this.runRows.clear();
    this.versionRows.clear();
    this.changedRuns.clear();
    this.keyIds.clear();
    this.keyNames.clear();
    this.dirtyRuns.clear();
    this.dirtyVersions.clear();
    this.stepTails.clear();
    this.pointTails.clear();
    this.stats.clear();
    this.appending.clear();
    this.versionsByRun.clear();
    this.headlines.clear();
    this.nextSeq = 0;
    this.db.each('SELECT id, seq, project, name, live_version, created_at, updated_at, tags, notes, fork_version, fork_run, fork_step, deleted FROM runs', [], (r) => {
      const run: RunRow = {
        id: r[0] as string, seq: r[1] as number, project: r[2] as string, name: r[3] as string,
        liveVersion: r[4] as string, createdAt: r[5] as number, updatedAt: r[6] as number,
        tags: parseJsonArray(r[7]), notes: r[8] as string, forkVersion: r[9] as string | null,
        forkRun: r[10] as string | null, forkStep: r[11] as number | null, deleted: r[12] === 1,
      };
      this.runRows.set(run.id, run);
      this.nextSeq = Math.max(this.nextSeq, run.seq + 1);
    });
    this.db.each('SELECT id, run_id, kind, parent, branch_step, archived, archived_at, created_at, updated_at, ended_at, finished, exit_code, pid, host, heartbeat, last_seen, last_step, own_last_step, config, summary FROM versions', [], (r) => {
      const v: VersionRow = {
        id: r[0] as string, runId: r[1] as string, kind: r[2] as VersionKind, parent: r[3] as string | null,
        branchStep: r[4] as number | null, archived: r[5] === 1, archivedAt: r[6] as number | null,
        createdAt: r[7] as number, updatedAt: r[8] as number, endedAt: r[9] as number | null,
        finished: r[10] === 1, exitCode: r[11] as number | null, pid: r[12] as number | null,
        host: r[13] as string | null, heartbeat: r[14] as number | null, lastSeen: r[15] as number | null,
        lastStep: r[16] as number | null, ownLastStep: r[17] as number | null,
        config: parseJsonObject(r[18]), summary: parseJsonObject(r[19]),
      };
      this.versionRows.set(v.id, v);
      this.indexVersion(v);
    });
    this.db.each('SELECT id, name FROM keys', [], (r) => {
      this.keyIds.set(r[1] as string, r[0] as number);
      this.keyNames.set(r[0] as number, r[1] as string);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Verbs (inside a transaction owned by the caller). Times are unix seconds, NaN when unknown.

  /** Runs changed by verbs since the last call; clears the list. */
  takeChangedRuns(): string[] {
    const ids = [...this.changedRuns];
    this.changedRuns.clear();
    return ids;
  }

  createRun(run: Omit<RunRow, 'seq'>, version: VersionRow): void {
    const row: RunRow = { ...run, seq: this.nextSeq++ };
    this.runRows.set(row.id, row);
    this.db.run('INSERT INTO runs (id, seq, project, name, live_version, created_at, updated_at, tags, notes, fork_version, fork_run, fork_step, deleted) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)', [
      row.id, row.seq, row.project, row.name, row.liveVersion, row.createdAt, row.updatedAt, JSON.stringify(row.tags), row.notes,
      row.forkVersion, row.forkRun, row.forkStep, row.deleted ? 1 : 0,
    ]);
    this.createVersion(version);
  }

  private indexVersion(v: VersionRow): void {
    const list = this.versionsByRun.get(v.runId);
    if (list) list.push(v);
    else this.versionsByRun.set(v.runId, [v]);
  }

  createVersion(v: VersionRow): void {
    const row = { ...v };
    this.versionRows.set(row.id, row);
    this.indexVersion(row);
    this.db.run('INSERT INTO versions (id, run_id, kind, parent, branch_step, created_at, updated_at) VALUES (?,?,?,?,?,?,?)', [row.id, row.runId, row.kind, row.parent, row.branchStep, row.createdAt, row.updatedAt]);
    this.versionChanged(row);
  }

  /** Archives a version (a rewind replaced it): it never grows again. */
  archive(versionId: string, time: number): void {
    const v = this.version(versionId);
    if (v.archived) return;
    v.archived = true;
    v.archivedAt = Number.isNaN(time) ? v.updatedAt : time;
    this.versionChanged(v);
  }

  /** Makes `versionId` its run's live version. */
  setLive(runId: string, versionId: string, time: number): void {
    const run = this.run(runId);
    run.liveVersion = versionId;
    this.touchRun(run, time);
  }

  /** Renames a run and/or moves it to another project; touches it even when neither is given. */
  rename(runId: string, name: string | undefined, project: string | undefined, time: number): void {
    const run = this.run(runId);
    if (name !== undefined) run.name = name;
    if (project !== undefined) run.project = project;
    this.touchRun(run, time);
  }

  markDeleted(runId: string, time: number): void {
    const run = this.run(runId);
    run.deleted = true;
    this.touchRun(run, time);
  }

  /** Merges config keys over a version's config (top-level keys win). */
  mergeConfig(versionId: string, config: Record<string, unknown> | undefined): void {
    const v = this.version(versionId);
    v.config = mergeConfig(v.config, config);
    this.versionChanged(v);
  }

  /** Merges explicit summary values over a version's (null removes one when read back). */
  mergeSummary(versionId: string, summary: Record<string, unknown>): void {
    const v = this.version(versionId);
    v.summary = mergeConfig(v.summary, summary);
    this.versionChanged(v);
  }

  /** A writer process starts (or resumes) writing to a version: it is unfinished until its finish. */
  startWriter(versionId: string, writer: WriterInfo, time: number): void {
    const v = this.version(versionId);
    v.pid = writer.pid;
    v.host = writer.host;
    v.heartbeat = writer.heartbeat;
    v.finished = false;
    v.exitCode = null;
    v.endedAt = null;
    if (!Number.isNaN(time)) v.lastSeen = time;
    this.versionChanged(v);
  }

  /** A version's writer finished (or a version made without one, by an op, was made finished). */
  finishWriter(versionId: string, exitCode: number, time: number): void {
    const v = this.version(versionId);
    v.finished = true;
    v.exitCode = exitCode;
    if (!Number.isNaN(time)) v.endedAt = time;
    this.versionChanged(v);
  }

  /** A record of a version's writer was read: its newest record time decides liveness. */
  seen(versionId: string, time: number): void {
    const v = this.version(versionId);
    if (!Number.isNaN(time)) {
      if (v.lastSeen === null || time > v.lastSeen) v.lastSeen = time;
      if (time > v.updatedAt) v.updatedAt = time;
    }
    this.versionChanged(v);
  }

  private touchRun(run: RunRow, time: number): void {
    if (!Number.isNaN(time) && time > run.updatedAt) run.updatedAt = time;
    this.dirtyRuns.add(run.id);
    this.changedRuns.add(run.id);
  }

  private versionChanged(v: VersionRow): void {
    this.dirtyVersions.add(v.id);
    this.changedRuns.add(v.runId);
  }

  private run(id: string): RunRow {
    const run = this.runRows.get(id);
    if (!run) throw new Error(`unknown run ${id}`);
    return run;
  }

  private version(id: string): VersionRow {
    const v = this.versionRows.get(id);
    if (!v) throw new Error(`unknown version ${id}`);
    return v;
  }

  /** Appends one history row to a version. Returns the number of points stored. */
  appendRow(versionId: string, step: number, time: number, data: Record<string, unknown>, warn: (message: string) => void): number {
    const v = this.version(versionId);
    this.pushStep(v.id, step, time);
    let series = this.appending.get(v.id);
    if (!series) {
      series = new Map();
      this.appending.set(v.id, series);
    }
    const of = (key: string): SeriesState => series.get(key) ?? this.startSeries(v.id, series, key);
    let points = 0;
    const visit = (record: Record<string, unknown>, prefix: string, depth: number): void => {
      for (const name of Object.keys(record)) {
        const value = record[name];
        const key = prefix === '' ? name : `${prefix}.${name}`;
        switch (typeof value) {
          case 'number':
            this.pushPoint(v.id, of(key), step, value, KeyKind.Number);
            points++;
            break;
          case 'boolean':
            this.pushPoint(v.id, of(key), step, value ? 1 : 0, KeyKind.Boolean);
            points++;
            break;
          case 'string':
            this.pushText(v.id, of(key), step, value);
            points++;
            break;
          case 'object':
            if (value === null) break;
            if (isPlainObject(value) && depth < 32) {
              visit(value, key, depth + 1);
              break;
            }
            warn(`the value of ${JSON.stringify(key)} is ${Array.isArray(value) ? 'an array' : 'an object'}; only numbers, booleans and strings are kept`);
            break;
          default:
            warn(`the value of ${JSON.stringify(key)} is ${typeof value}; only numbers, booleans and strings are kept`);
        }
      }
    };
    visit(data, '', 0);
    v.ownLastStep = step;
    v.lastStep = step;
    this.versionChanged(v);
    return points;
  }

  private pushStep(version: string, step: number, time: number): void {
    let tail = this.stepTails.get(version);
    if (!tail) {
      tail = this.loadTail('SELECT chunk, first_step, n, steps, times FROM step_chunks WHERE version=? ORDER BY chunk DESC LIMIT 1', [version]);
      this.stepTails.set(version, tail);
    }
    tail.push(step, time);
    if (tail.length >= CHUNK_SIZE) {
      this.writeStepChunk(version, tail);
      tail.advance();
    }
  }

  private startSeries(version: string, series: Map<string, SeriesState>, key: string): SeriesState {
    const keyId = this.keyId(key);
    const state: SeriesState = { keyId, tail: this.pointTails.get(version)?.get(keyId), stat: this.statsOf(version).get(keyId) };
    series.set(key, state);
    return state;
  }

  private pushPoint(version: string, series: SeriesState, step: number, value: number, kind: KeyKind): void {
    let tail = series.tail;
    if (!tail) {
      tail = this.loadTail('SELECT chunk, first_step, n, steps, vals FROM point_chunks WHERE version=? AND key=? ORDER BY chunk DESC LIMIT 1', [version, series.keyId]);
      let tails = this.pointTails.get(version);
      if (!tails) {
        tails = new Map();
        this.pointTails.set(version, tails);
      }
      tails.set(series.keyId, tail);
      series.tail = tail;
    }
    const n = tail.length;
    const stat = series.stat;
    if (n > 0 && tail.steps[n - 1] === step) {
      // The same key twice in one row (say "a.b" and {"a": {"b": …}}): the later value wins.
      tail.vals[n - 1] = value;
      tail.dirty = true;
    } else {
      tail.push(step, value);
      if (stat) stat.points++;
    }
    if (!stat) {
      series.stat = { points: 1, lastStep: step, lastKind: kind, lastNum: value, lastText: null, dirty: true };
      this.statsOf(version).set(series.keyId, series.stat);
    } else {
      stat.lastStep = step;
      // A key that has held a number stays numeric: a boolean logged to it reads back as 1 or 0, and
      // the numbers before it are not turned into booleans (3.5, 0.0, true is 3.5, 0, 1).
      stat.lastKind = kind === KeyKind.Boolean && stat.lastKind === KeyKind.Number ? KeyKind.Number : kind;
      stat.lastNum = value;
      stat.lastText = null;
      stat.dirty = true;
    }
    if (tail.length >= CHUNK_SIZE) {
      this.writePointChunk(version, series.keyId, tail);
      tail.advance();
    }
  }

  private pushText(version: string, series: SeriesState, step: number, value: string): void {
    this.db.run('INSERT OR REPLACE INTO text_values (version, key, step, value) VALUES (?,?,?,?)', [version, series.keyId, step, value]);
    const stat = series.stat;
    if (!stat) {
      series.stat = { points: 1, lastStep: step, lastKind: KeyKind.String, lastNum: null, lastText: value, dirty: true };
      this.statsOf(version).set(series.keyId, series.stat);
    } else {
      if (stat.lastStep !== step) stat.points++;
      stat.lastStep = step;
      stat.lastKind = KeyKind.String;
      stat.lastNum = null;
      stat.lastText = value;
      stat.dirty = true;
    }
  }

  private loadTail(sql: string, params: (string | number)[]): Tail {
    const row = this.db.get(sql, params);
    if (!row) return new Tail(0);
    const [chunk, first, n, steps, vals] = row as [number, number, number, Uint8Array | null, Uint8Array];
    if (n >= CHUNK_SIZE) return new Tail(chunk + 1);
    const tail = new Tail(chunk);
    const s = stepsOf(steps, first, n);
    const v = float64Of(vals);
    for (let i = 0; i < n; i++) {
      tail.steps.push(s[i]);
      tail.vals.push(v[i]);
    }
    return tail;
  }

  private statsOf(version: string): Map<number, KeyStat> {
    let stats = this.stats.get(version);
    if (!stats) {
      stats = new Map();
      this.db.each('SELECT key, points, last_step, last_kind, last_num, last_text, last_nan FROM version_keys WHERE version=?', [version], (r) => {
        stats!.set(r[0] as number, {
          points: r[1] as number, lastStep: r[2] as number, lastKind: r[3] as KeyKind,
          lastNum: r[6] === 1 ? Number.NaN : (r[4] as number | null), lastText: r[5] as string | null, dirty: false,
        });
      });
      this.stats.set(version, stats);
    }
    return stats;
  }

  keyId(name: string): number {
    let id = this.keyIds.get(name);
    if (id === undefined) {
      id = this.keyIds.size + 1;
      this.db.run('INSERT INTO keys (id, name) VALUES (?, ?)', [id, name]);
      this.keyIds.set(name, id);
      this.keyNames.set(id, name);
    }
    return id;
  }

  private writeStepChunk(version: string, tail: Tail): void {
    const c = encodeChunk(tail.steps, tail.vals);
    this.db.run('INSERT OR REPLACE INTO step_chunks (version, chunk, first_step, last_step, n, steps, times) VALUES (?,?,?,?,?,?,?)', [version, tail.chunk, c.first, c.last, c.n, c.steps, c.vals]);
    tail.dirty = false;
  }

  private writePointChunk(version: string, keyId: number, tail: Tail): void {
    const c = encodeChunk(tail.steps, tail.vals);
    this.db.run('INSERT OR REPLACE INTO point_chunks (version, key, chunk, first_step, last_step, n, steps, vals, vmin, vmax) VALUES (?,?,?,?,?,?,?,?,?,?)', [version, keyId, tail.chunk, c.first, c.last, c.n, c.steps, c.vals, c.vmin, c.vmax]);
    tail.dirty = false;
  }

  /** Writes every partial chunk, key statistic, run and version that changed. */
  flush(): void {
    for (const [version, tail] of this.stepTails) if (tail.dirty && tail.length > 0) this.writeStepChunk(version, tail);
    for (const [version, tails] of this.pointTails) {
      for (const [keyId, tail] of tails) if (tail.dirty && tail.length > 0) this.writePointChunk(version, keyId, tail);
    }
    for (const [version, stats] of this.stats) {
      for (const [keyId, s] of stats) {
        if (!s.dirty) continue;
        const nan = s.lastNum !== null && Number.isNaN(s.lastNum);
        this.db.run('INSERT OR REPLACE INTO version_keys (version, key, points, last_step, last_kind, last_num, last_text, last_nan) VALUES (?,?,?,?,?,?,?,?)', [
          version, keyId, s.points, s.lastStep, s.lastKind, nan ? null : s.lastNum, s.lastText, nan ? 1 : 0,
        ]);
        s.dirty = false;
      }
    }
    for (const id of this.dirtyVersions) {
      this.headlines.delete(id);
      const v = this.versionRows.get(id);
      if (!v) continue;
      this.db.run('UPDATE versions SET archived=?, archived_at=?, updated_at=?, ended_at=?, finished=?, exit_code=?, pid=?, host=?, heartbeat=?, last_seen=?, last_step=?, own_last_step=?, config=?, summary=? WHERE id=?', [
        v.archived ? 1 : 0, v.archivedAt, v.updatedAt, v.endedAt, v.finished ? 1 : 0, v.exitCode, v.pid, v.host, v.heartbeat, v.lastSeen,
        v.lastStep, v.ownLastStep, stringifyJson(v.config), stringifyJson(v.summary), v.id,
      ]);
    }
    this.dirtyVersions.clear();
    for (const id of this.dirtyRuns) {
      const r = this.runRows.get(id);
      if (!r) continue;
      this.db.run('UPDATE runs SET project=?, name=?, live_version=?, updated_at=?, tags=?, notes=?, deleted=? WHERE id=?', [
        r.project, r.name, r.liveVersion, r.updatedAt, JSON.stringify(r.tags), r.notes, r.deleted ? 1 : 0, r.id,
      ]);
    }
    this.dirtyRuns.clear();
  }

  /** Forgets the in-memory tails of a version that will not grow (its writer finished). */
  release(version: string): void {
    this.stepTails.delete(version);
    this.pointTails.delete(version);
    this.stats.delete(version);
    this.appending.delete(version);
  }

  // -------------------------------------------------------------------------------------------
  // State

  /**
   * docs/PROTOCOL.md, "alive": on the writer's own host its process decides — alive is running even when
   * it has been silent (stopped with SIGSTOP, or busy in native code), unless the process started after
   * the writer's newest record (its pid was reused). From another host only the heartbeat can tell.
   */
  stateOf(v: Readonly<VersionRow>): RunState {
    if (v.finished) return v.exitCode === 0 || v.exitCode === null ? 'finished' : 'failed';
    if (v.lastSeen === null) return 'crashed';
    if (v.pid !== null && v.host === this.liveness.host) {
      if (!this.liveness.pidAlive(v.pid)) return 'crashed';
      const started = this.liveness.processStart?.(v.pid);
      return started !== undefined && started > v.lastSeen + PID_REUSE_SLACK_SECONDS ? 'crashed' : 'running';
    }
    const heartbeat = v.heartbeat ?? DEFAULT_HEARTBEAT_SECONDS;
    return this.liveness.now() - v.lastSeen > HEARTBEAT_GRACE * heartbeat ? 'crashed' : 'running';
  }

  // -------------------------------------------------------------------------------------------
  // Lookups for queries.ts and lineage.ts

  requireVersion(id: string): Readonly<VersionRow> {
    const v = this.versionRows.get(id);
    if (!v) throw new Error(`unknown version ${id}`);
    return v;
  }

  /** The versions of a run, in the order they were made. */
  versionsOfRun(runId: string): readonly Readonly<VersionRow>[] {
    return this.versionsByRun.get(runId) ?? [];
  }

  keyName(id: number): string {
    return this.keyNames.get(id) ?? `#${id}`;
  }

  lookupKey(name: string): number | undefined {
    return this.keyIds.get(name);
  }

  /** The headline of a version, computed once and kept until the version changes. */
  memoHeadline<T extends { key: string; value: number } | null>(version: string, compute: () => T): T {
    let found = this.headlines.get(version) as T | undefined;
    if (found === undefined) {
      found = compute();
      this.headlines.set(version, found);
    }
    return found;
  }
}

function parseJsonArray(value: unknown): string[] {
  try {
    const parsed: unknown = JSON.parse(String(value));
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

/** Config and summary columns hold JSON with bare NaN and infinities, as the logs do. */
function parseJsonObject(value: unknown): Record<string, unknown> {
  try {
    const parsed = parseLine(String(value));
    return isPlainObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

function stringifyJson(value: Record<string, unknown>): string {
  return encodeRecord(value);
}

