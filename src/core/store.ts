// The run store: runs, versions with copy-on-write lineage, and chunked series in sql.js. It knows
// nothing of log files (ingest.ts feeds it) or threads (engine.ts and worker.ts wrap it).
import type { CellValue, ForkedFrom, HistoryQuery, HistoryTable, MetricKey, RunInfo, RunOverview, RunState, Series, SeriesSegment, StepRange, SummaryValue, VersionInfo, VersionKind } from './api';
import { Tail, encodeChunk, float64Of, lowerBound, stepsOf, upperBound } from './chunks';
import { downsampleM4 } from './downsample';
import { DEFAULT_HEARTBEAT_SECONDS, HEARTBEAT_GRACE, PID_REUSE_SLACK_SECONDS, encodeRecord, parseLine } from './protocol';
import { CHUNK_SIZE } from './schema';
import type { Db, Row } from './sqlite';
import { define, isPlainObject } from './values';

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

/** Key kinds in version_keys. */
const enum KeyKind {
  Number = 0,
  Boolean = 1,
  String = 2,
}

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

/** A part of a visible history: rows of `version` with from <= step <= to. */
interface Segment extends SeriesSegment {}

export interface Liveness {
  readonly now: () => number;
  readonly host: string;
  readonly pidAlive: (pid: number) => boolean;
  /** When a process started (unix seconds), where the platform tells. */
  readonly processStart?: (pid: number) => number | undefined;
}

export interface ChunkVisitor {
  (steps: Float64Array, values: Float64Array, start: number, end: number): void;
}

export class RunStore {
  readonly runs = new Map<string, RunRow>();
  readonly versions = new Map<string, VersionRow>();
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
    this.runs.clear();
    this.versions.clear();
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
      this.runs.set(run.id, run);
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
      this.versions.set(v.id, v);
      this.indexVersion(v);
    });
    this.db.each('SELECT id, name FROM keys', [], (r) => {
      this.keyIds.set(r[1] as string, r[0] as number);
      this.keyNames.set(r[0] as number, r[1] as string);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Mutations (inside a transaction owned by the caller)

  createRun(run: Omit<RunRow, 'seq'>, version: VersionRow): void {
    const row: RunRow = { ...run, seq: this.nextSeq++ };
    this.runs.set(row.id, row);
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
    this.versions.set(v.id, v);
    this.indexVersion(v);
    this.db.run('INSERT INTO versions (id, run_id, kind, parent, branch_step, created_at, updated_at) VALUES (?,?,?,?,?,?,?)', [v.id, v.runId, v.kind, v.parent, v.branchStep, v.createdAt, v.updatedAt]);
    this.dirtyVersions.add(v.id);
  }

  touchRun(run: RunRow): void {
    this.dirtyRuns.add(run.id);
  }

  touchVersion(v: VersionRow): void {
    this.dirtyVersions.add(v.id);
  }

  /** Appends one history row to a version. Returns the number of points stored. */
  appendRow(v: VersionRow, step: number, time: number, data: Record<string, unknown>, warn: (message: string) => void): number {
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
    this.dirtyVersions.add(v.id);
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
      const v = this.versions.get(id);
      if (!v) continue;
      this.db.run('UPDATE versions SET archived=?, archived_at=?, updated_at=?, ended_at=?, finished=?, exit_code=?, pid=?, host=?, heartbeat=?, last_seen=?, last_step=?, own_last_step=?, config=?, summary=? WHERE id=?', [
        v.archived ? 1 : 0, v.archivedAt, v.updatedAt, v.endedAt, v.finished ? 1 : 0, v.exitCode, v.pid, v.host, v.heartbeat, v.lastSeen,
        v.lastStep, v.ownLastStep, stringifyJson(v.config), stringifyJson(v.summary), v.id,
      ]);
    }
    this.dirtyVersions.clear();
    for (const id of this.dirtyRuns) {
      const r = this.runs.get(id);
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
  stateOf(v: VersionRow): RunState {
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
  // Lineage

  /** The versions whose rows make up `version`'s visible history, oldest first, empty ones left out. */
  segments(version: string): Segment[] {
    const out: Segment[] = [];
    let cap = Number.POSITIVE_INFINITY;
    let v = this.versions.get(version);
    const seen = new Set<string>();
    while (v && !seen.has(v.id)) {
      seen.add(v.id);
      const from = v.parent !== null && v.branchStep !== null ? v.branchStep + 1 : 0;
      if (from <= cap) out.push({ version: v.id, runId: v.runId, from, to: cap });
      if (v.parent === null || v.branchStep === null) break;
      cap = Math.min(cap, v.branchStep);
      v = this.versions.get(v.parent);
    }
    return out.reverse();
  }

  /** The lineage segments of a visible history that overlap [lo, hi], each with its clipped range. */
  private clipped(version: string, lo: number, hi: number): [Segment, number, number][] {
    const out: [Segment, number, number][] = [];
    for (const seg of this.segments(version)) {
      const a = Math.max(lo, seg.from);
      const b = Math.min(hi, seg.to);
      if (a <= b) out.push([seg, a, b]);
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Queries

  keyName(id: number): string {
    return this.keyNames.get(id) ?? `#${id}`;
  }

  lookupKey(name: string): number | undefined {
    return this.keyIds.get(name);
  }

  /** Visits the stored chunks of one key's visible history within [lo, hi], in step order. */
  forEachPoint(version: string, keyId: number, lo: number, hi: number, visit: ChunkVisitor): void {
    for (const [seg, a, b] of this.clipped(version, lo, hi)) {
      this.db.each('SELECT first_step, n, steps, vals FROM point_chunks WHERE version=? AND key=? AND last_step>=? AND first_step<=? ORDER BY chunk', [seg.version, keyId, a, finiteOr(b)], (r) => {
        const first = r[0] as number;
        const n = r[1] as number;
        const steps = stepsOf(r[2] as Uint8Array | null, first, n);
        const start = lowerBound(steps, a);
        const end = upperBound(steps, b);
        if (end > start) visit(steps, float64Of(r[3] as Uint8Array), start, end);
      });
    }
  }

  series(version: string, key: string, range: StepRange | undefined, withTimes: boolean): Series {
    this.requireVersion(version);
    const keyId = this.keyIds.get(key);
    const pieces: Piece[] = [];
    const counter = new NonFiniteCounter();
    const [lo, hi] = bounds(range);
    if (keyId !== undefined) {
      this.forEachPoint(version, keyId, lo, hi, (s, v, a, b) => {
        pieces.push([s, v, a, b]);
        counter.add(v, a, b);
      });
    }
    const [steps, values] = concat(pieces);
    return this.finishSeries(version, key, steps, values, steps.length, true, counter, withTimes);
  }

  /**
   * Min/max downsampling in one pass over the stored chunks: the step extent comes from two index
   * lookups, and the points seen are kept by reference, so a range small enough comes back whole.
   */
  downsample(version: string, key: string, buckets: number, range: StepRange | undefined, withTimes: boolean): Series {
    this.requireVersion(version);
    const keyId = this.keyIds.get(key);
    const [lo, hi] = bounds(range);
    const extent = keyId === undefined ? undefined : this.extent(version, keyId, lo, hi);
    if (keyId === undefined || !extent) return this.series(version, key, range, withTimes);
    const pieces: Piece[] = [];
    const counter = new NonFiniteCounter();
    const result = downsampleM4(buckets, extent[0], extent[1], (visit) =>
      this.forEachPoint(version, keyId, lo, hi, (s, v, a, b) => {
        pieces.push([s, v, a, b]);
        counter.add(v, a, b);
        visit(s, v, a, b);
      }),
    );
    if (result.total <= buckets * 4) {
      const [steps, values] = concat(pieces);
      return this.finishSeries(version, key, steps, values, steps.length, true, counter, withTimes);
    }
    return this.finishSeries(version, key, result.steps, result.values, result.total, false, counter, withTimes);
  }

  /** First and last step of one key's visible history within [lo, hi], from the chunk index. */
  private extent(version: string, keyId: number, lo: number, hi: number): [number, number] | undefined {
    let first: number | undefined;
    let last: number | undefined;
    for (const [seg, a, b] of this.clipped(version, lo, hi)) {
      const head = this.db.get('SELECT first_step, n, steps FROM point_chunks WHERE version=? AND key=? AND last_step>=? ORDER BY chunk LIMIT 1', [seg.version, keyId, a]);
      const tail = this.db.get('SELECT first_step, n, steps FROM point_chunks WHERE version=? AND key=? AND first_step<=? ORDER BY chunk DESC LIMIT 1', [seg.version, keyId, finiteOr(b)]);
      if (!head || !tail) continue;
      const hs = stepsOf(head[2] as Uint8Array | null, head[0] as number, head[1] as number);
      const ts = stepsOf(tail[2] as Uint8Array | null, tail[0] as number, tail[1] as number);
      const i = lowerBound(hs, a);
      const j = upperBound(ts, b) - 1;
      if (i >= hs.length || j < 0 || hs[i] > ts[j]) continue;
      first ??= hs[i];
      last = ts[j];
    }
    return first === undefined || last === undefined ? undefined : [first, last];
  }

  private finishSeries(version: string, key: string, steps: Float64Array, values: Float64Array, total: number, exact: boolean, counter: NonFiniteCounter, withTimes: boolean): Series {
    const segments = this.segments(version);
    const series: Series = { version, key, steps, values, total, exact, segments, nonFinite: { nan: counter.nan, posInf: counter.posInf, negInf: counter.negInf } };
    return withTimes ? { ...series, times: this.timesOf(version, steps) } : series;
  }

  /** Wall times of the given (sorted) steps of a version's visible history; NaN where unknown. */
  timesOf(version: string, steps: Float64Array): Float64Array {
    const out = new Float64Array(steps.length).fill(Number.NaN);
    if (steps.length === 0) return out;
    const lo = steps[0];
    const hi = steps[steps.length - 1];
    let i = 0;
    this.forEachStep(version, lo, hi, (s, t, a, b) => {
      for (let j = a; j < b && i < steps.length; j++) {
        while (i < steps.length && steps[i] < s[j]) i++;
        if (i < steps.length && steps[i] === s[j]) out[i++] = t[j];
      }
    });
    return out;
  }

  /** Visits the step index (steps and times) of a visible history within [lo, hi]. */
  forEachStep(version: string, lo: number, hi: number, visit: ChunkVisitor): void {
    for (const [seg, a, b] of this.clipped(version, lo, hi)) {
      this.db.each('SELECT first_step, n, steps, times FROM step_chunks WHERE version=? AND last_step>=? AND first_step<=? ORDER BY chunk', [seg.version, a, finiteOr(b)], (r) => {
        const first = r[0] as number;
        const n = r[1] as number;
        const steps = stepsOf(r[2] as Uint8Array | null, first, n);
        const start = lowerBound(steps, a);
        const end = upperBound(steps, b);
        if (end > start) visit(steps, float64Of(r[3] as Uint8Array), start, end);
      });
    }
  }

  /** Number of steps in a visible history, within [lo, hi]. */
  countSteps(version: string, lo = 0, hi = Number.POSITIVE_INFINITY): number {
    let count = 0;
    for (const [seg, a, b] of this.clipped(version, lo, hi)) {
      this.db.each('SELECT first_step, last_step, n, steps FROM step_chunks WHERE version=? AND last_step>=? AND first_step<=? ORDER BY chunk', [seg.version, a, finiteOr(b)], (r) => {
        const first = r[0] as number;
        const last = r[1] as number;
        const n = r[2] as number;
        if (first >= a && last <= b) count += n;
        else {
          const steps = stepsOf(r[3] as Uint8Array | null, first, n);
          count += upperBound(steps, b) - lowerBound(steps, a);
        }
      });
    }
    return count;
  }

  /** The keys of a visible history with their point counts, sorted by name. */
  metricKeys(version: string): MetricKey[] {
    this.requireVersion(version);
    const keys = new Map<number, { points: number; numeric: boolean }>();
    for (const seg of this.segments(version)) {
      const stats = this.db.all('SELECT key, points, last_step, last_kind FROM version_keys WHERE version=?', [seg.version]);
      for (const r of stats) {
        const keyId = r[0] as number;
        let points = r[1] as number;
        if ((r[2] as number) > seg.to) points = this.countPoints(seg.version, keyId, seg.to);
        if (points === 0) continue;
        const entry = keys.get(keyId) ?? { points: 0, numeric: false };
        entry.points += points;
        entry.numeric ||= (r[3] as number) !== KeyKind.String || this.hasNumbers(seg.version, keyId);
        keys.set(keyId, entry);
      }
    }
    return [...keys].map(([id, e]) => ({ key: this.keyName(id), points: e.points, numeric: e.numeric })).sort((a, b) => compareKeys(a.key, b.key));
  }

  private countPoints(version: string, keyId: number, cap: number): number {
    let count = 0;
    this.db.each('SELECT first_step, last_step, n, steps FROM point_chunks WHERE version=? AND key=? AND first_step<=?', [version, keyId, cap], (r) => {
      if ((r[1] as number) <= cap) count += r[2] as number;
      else count += upperBound(stepsOf(r[3] as Uint8Array | null, r[0] as number, r[2] as number), cap);
    });
    const text = this.db.get('SELECT COUNT(*) FROM text_values WHERE version=? AND key=? AND step<=?', [version, keyId, cap]);
    return count + ((text?.[0] as number) ?? 0);
  }

  private hasNumbers(version: string, keyId: number): boolean {
    return this.db.get('SELECT 1 FROM point_chunks WHERE version=? AND key=? LIMIT 1', [version, keyId]) !== undefined;
  }

  /** The last value of every key in a visible history, with the version's explicit summary on top. */
  summary(version: string): Record<string, SummaryValue> {
    const v = this.requireVersion(version);
    const found = new Map<number, { step: number; value: SummaryValue }>();
    for (const seg of this.segments(version)) {
      for (const r of this.db.all('SELECT key, last_step, last_kind, last_num, last_text, last_nan FROM version_keys WHERE version=?', [seg.version])) {
        const keyId = r[0] as number;
        let entry: { step: number; value: SummaryValue } | undefined;
        if ((r[1] as number) <= seg.to) entry = { step: r[1] as number, value: statValue(r) };
        else entry = this.valueAtOrBefore(seg.version, keyId, seg.to);
        if (entry) found.set(keyId, entry); // later segments hold later steps
      }
    }
    const out: Record<string, SummaryValue> = {};
    const names = [...found.keys()].map((id) => this.keyName(id)).sort(compareKeys);
    for (const name of names) define(out, name, found.get(this.keyIds.get(name)!)!.value);
    for (const key of Object.keys(v.summary)) {
      const value = v.summary[key];
      if (value === null) delete out[key];
      else define(out, key, toSummaryValue(value));
    }
    return out;
  }

  private valueAtOrBefore(version: string, keyId: number, cap: number): { step: number; value: SummaryValue } | undefined {
    let best: { step: number; value: SummaryValue } | undefined;
    const chunk = this.db.get('SELECT first_step, n, steps, vals FROM point_chunks WHERE version=? AND key=? AND first_step<=? ORDER BY chunk DESC LIMIT 1', [version, keyId, cap]);
    if (chunk) {
      const steps = stepsOf(chunk[2] as Uint8Array | null, chunk[0] as number, chunk[1] as number);
      const i = upperBound(steps, cap) - 1;
      if (i >= 0) {
        const kind = this.db.get('SELECT last_kind FROM version_keys WHERE version=? AND key=?', [version, keyId]);
        const value = float64Of(chunk[3] as Uint8Array)[i];
        best = { step: steps[i], value: kind?.[0] === KeyKind.Boolean ? value !== 0 : value };
      }
    }
    const text = this.db.get('SELECT step, value FROM text_values WHERE version=? AND key=? AND step<=? ORDER BY step DESC LIMIT 1', [version, keyId, cap]);
    if (text && (!best || (text[0] as number) > best.step)) best = { step: text[0] as number, value: text[1] as string };
    return best;
  }

  /**
   * The headline metric of a version: `preferred` (the user's setting) if its history has it; else a key
   * with "loss" in it, one the version logs itself before an inherited one; else a key the version logs
   * itself; else any key of its history. A fork that only logs `metric` shows `metric`, not a key it
   * merely inherited and will never update.
   */
  headline(version: string, preferred?: string): { key: string; value: number } | null {
    let found = this.headlines.get(version);
    if (found === undefined) {
      found = this.computeHeadline(version, preferred);
      this.headlines.set(version, found);
    }
    return found;
  }

  private computeHeadline(version: string, preferred?: string): { key: string; value: number } | null {
    const segs = this.segments(version);
    const keysOf = (v: string): string[] =>
      this.db.all('SELECT key FROM version_keys WHERE version=? AND last_kind<>2', [v]).map((r) => this.keyName(r[0] as number));
    const own = new Set(keysOf(version));
    const all = new Set<string>();
    for (const seg of segs) for (const k of keysOf(seg.version)) all.add(k);
    if (all.size === 0) return null;
    const names = [...all].sort(compareKeys);
    const loss = (n: string): boolean => /loss/i.test(n);
    const key =
      (preferred && all.has(preferred) ? preferred : undefined) ??
      names.find((n) => loss(n) && own.has(n)) ??
      names.find(loss) ??
      names.find((n) => own.has(n)) ??
      names[0];
    const keyId = this.keyIds.get(key)!;
    for (let i = segs.length - 1; i >= 0; i--) {
      const found = this.valueAtOrBefore(segs[i].version, keyId, segs[i].to);
      if (found && typeof found.value === 'number') return { key, value: found.value };
    }
    return null;
  }

  history(version: string, query: HistoryQuery = {}): HistoryTable {
    this.requireVersion(version);
    const [lo, hi] = bounds(query.range);
    const total = this.countSteps(version, lo, hi);
    const limit = Math.max(0, Math.min(query.limit ?? total, total));
    let offset = query.offset ?? 0;
    if (offset < 0) offset = Math.max(0, total + offset);
    // Collect the page's steps and times.
    const steps: number[] = [];
    const times: number[] = [];
    let index = 0;
    this.forEachStep(version, lo, hi, (s, t, a, b) => {
      const n = b - a;
      if (index + n <= offset || steps.length >= limit) {
        index += n;
        return;
      }
      for (let j = a; j < b && steps.length < limit; j++, index++) {
        if (index < offset) continue;
        steps.push(s[j]);
        times.push(t[j]);
      }
    });
    const columns = query.keys ? [...query.keys] : this.metricKeys(version).map((k) => k.key);
    const cells: CellValue[][] = steps.map(() => new Array<CellValue>(columns.length).fill(null));
    if (steps.length > 0) {
      const pageLo = steps[0];
      const pageHi = steps[steps.length - 1];
      columns.forEach((column, c) => {
        const keyId = this.keyIds.get(column);
        if (keyId === undefined) return;
        const booleans = this.booleanVersions(version, keyId);
        this.forEachPoint(version, keyId, pageLo, pageHi, (s, v, a, b) => {
          let i = lowerBound(steps, s[a]);
          for (let j = a; j < b; j++) {
            while (i < steps.length && steps[i] < s[j]) i++;
            if (steps[i] === s[j]) cells[i][c] = booleans ? v[j] !== 0 : v[j];
          }
        });
        for (const [seg, a, b] of this.clipped(version, pageLo, pageHi)) {
          this.db.each('SELECT step, value FROM text_values WHERE version=? AND key=? AND step>=? AND step<=?', [seg.version, keyId, a, finiteOr(b)], (r) => {
            const i = lowerBound(steps, r[0] as number);
            if (steps[i] === r[0]) cells[i][c] = r[1] as string;
          });
        }
      });
    }
    return { version, columns, total, rows: steps.map((step, i) => ({ step, time: times[i], cells: cells[i] })) };
  }

  /** A key reads back as booleans only when every segment of the lineage that holds it logged booleans alone. */
  private booleanVersions(version: string, keyId: number): boolean {
    let booleans = false;
    for (const seg of this.segments(version)) {
      const r = this.db.get('SELECT last_kind FROM version_keys WHERE version=? AND key=?', [seg.version, keyId]);
      if (!r) continue;
      if (r[0] !== KeyKind.Boolean) return false;
      booleans = true;
    }
    return booleans;
  }

  // -------------------------------------------------------------------------------------------
  // Runs as the UI sees them

  requireVersion(id: string): VersionRow {
    const v = this.versions.get(id);
    if (!v) throw new Error(`unknown version ${id}`);
    return v;
  }

  versionInfo(v: VersionRow): VersionInfo {
    return {
      id: v.id, runId: v.runId, archived: v.archived, kind: v.kind, parent: v.parent, branchStep: v.branchStep,
      state: this.stateOf(v), exitCode: v.exitCode, createdAt: v.createdAt, updatedAt: v.updatedAt, endedAt: v.endedAt,
      lastStep: v.lastStep, archivedAt: v.archivedAt,
    };
  }

  versionsOf(runId: string): VersionRow[] {
    const run = this.runs.get(runId);
    const all = [...(this.versionsByRun.get(runId) ?? [])];
    return all.sort((a, b) => {
      if (run && a.id === run.liveVersion) return -1;
      if (run && b.id === run.liveVersion) return 1;
      return (b.archivedAt ?? b.createdAt) - (a.archivedAt ?? a.createdAt) || b.createdAt - a.createdAt;
    });
  }

  runInfo(run: RunRow, headlineKey?: string): RunInfo {
    const live = this.requireVersion(run.liveVersion);
    const versions = this.versionsOf(run.id).map((v) => this.versionInfo(v));
    return {
      id: run.id, project: run.project, name: run.name, state: this.stateOf(live), liveVersion: run.liveVersion,
      createdAt: run.createdAt, updatedAt: Math.max(run.updatedAt, live.updatedAt), lastStep: live.lastStep,
      headline: this.headline(live.id, headlineKey), forkedFrom: this.forkedFrom(run), tags: run.tags, notes: run.notes, versions,
    };
  }

  forkedFrom(run: RunRow): ForkedFrom | null {
    if (run.forkVersion === null || run.forkRun === null || run.forkStep === null) return null;
    return this.refTo(run.forkRun, run.forkVersion, run.forkStep);
  }

  private refTo(runId: string, version: string, step: number): ForkedFrom {
    const source = this.runs.get(runId);
    return { run: runId, version, step, runName: source?.name, runDeleted: source ? source.deleted : true };
  }

  overview(run: RunRow, version: VersionRow, headlineKey?: string): RunOverview {
    const info = this.runInfo(run, headlineKey);
    const lineage: ForkedFrom[] = [];
    let v: VersionRow | undefined = version;
    const seen = new Set<string>();
    while (v && v.parent !== null && v.branchStep !== null && !seen.has(v.id)) {
      seen.add(v.id);
      const parent = this.versions.get(v.parent);
      if (!parent) break;
      lineage.push(this.refTo(parent.runId, parent.id, v.branchStep));
      v = parent;
    }
    return {
      ...info,
      state: this.stateOf(version),
      lastStep: version.lastStep,
      config: version.config,
      summary: this.summary(version.id),
      version: this.versionInfo(version),
      lineage,
      host: version.host,
      pid: version.pid,
    };
  }
}

type Piece = [steps: Float64Array, values: Float64Array, start: number, end: number];

function concat(pieces: readonly Piece[]): [Float64Array, Float64Array] {
  let total = 0;
  for (const [, , a, b] of pieces) total += b - a;
  const steps = new Float64Array(total);
  const values = new Float64Array(total);
  let at = 0;
  for (const [s, v, a, b] of pieces) {
    steps.set(s.subarray(a, b), at);
    values.set(v.subarray(a, b), at);
    at += b - a;
  }
  return [steps, values];
}

class NonFiniteCounter {
  nan = 0;
  posInf = 0;
  negInf = 0;
  add(values: Float64Array, start: number, end: number): void {
    for (let i = start; i < end; i++) {
      const x = values[i];
      if (x - x === 0) continue;
      if (x !== x) this.nan++;
      else if (x > 0) this.posInf++;
      else this.negInf++;
    }
  }
}

function statValue(r: Row): SummaryValue {
  const kind = r[2] as KeyKind;
  if (kind === KeyKind.String) return r[4] as string;
  if (r[5] === 1) return Number.NaN;
  const n = r[3] as number | null;
  if (kind === KeyKind.Boolean) return n !== 0;
  return n;
}

function toSummaryValue(value: unknown): SummaryValue {
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  return JSON.stringify(value);
}

export function bounds(range: StepRange | undefined): [number, number] {
  return [range?.from ?? 0, range?.to ?? Number.POSITIVE_INFINITY];
}

/** SQLite compares fine with +Infinity as REAL, but binding a JS Infinity is clearer as a big integer. */
function finiteOr(x: number): number {
  return Number.isFinite(x) ? x : Number.MAX_SAFE_INTEGER;
}

/** Keys sort naturally: "layer2" before "layer10", sections by prefix. */
export function compareKeys(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
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
