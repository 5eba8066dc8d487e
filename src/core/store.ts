// The run store: runs, versions with copy-on-write lineage, and chunked series in sql.js — the state,
// backed by the schema of schema.ts, and the verbs that change it. Its maps are read-only outside it:
// every change goes through a verb (apply.ts calls them), and each verb notes the run it changed.
// Reading histories back is queries.ts's job. It knows nothing of log files (ingest.ts reads them) or
// threads (engine.ts and worker.ts wrap it).
import type { RunState, SeriesSegment, VersionKind } from './api';
import { fillExtremes, lineageSegments } from './extremes';
import { FILL_EXTREMES } from './schema';
import type { ArtifactRecord, ConsoleLineEntry, MediaRecord, RunMetadata } from './protocol';
import { DEFAULT_HEARTBEAT_SECONDS, HEARTBEAT_GRACE, MAX_CLOCK_SKEW_SECONDS, PID_REUSE_SLACK_SECONDS, encodeRecord, parseLine } from './protocol';
import { SeriesAppender } from './seriesAppender';
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
  /** wandb's `group=`, from the start record that made the run (a fork's: its source's unless it names one). */
  group: string | null;
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
  /**
   * When the version's writer last gave a sign of life, by the file system's clock (from its file's
   * modification time, unix seconds): how a writer on another host is judged, whatever its own clock
   * says. Null until its file is read.
   */
  lastModified: number | null;
  /** max(own last step, branch step): the version's step counter. */
  lastStep: number | null;
  ownLastStep: number | null;
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
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
  private readonly dirtyRuns = new Set<string>();
  private readonly dirtyVersions = new Set<string>();
  /** The chunked series of the versions being appended to, and the metric key names. */
  private readonly series: SeriesAppender;
  private readonly versionsByRun = new Map<string, VersionRow[]>();
  /** Headline per version; dropped whenever the version or one of its ancestors changes. */
  private readonly headlines = new Map<string, { key: string; value: number } | null>();
  /**
   * What each version inherits (queries.ts: the last value of every key up to its branch step), kept so
   * that reading a version costs its own keys, not its depth. Dropped when the version or an ancestor
   * changes (an ancestor's rows up to a branch step are settled once both are ingested, but a rebuild
   * may read a rewind's start before the end of its source's file). Least recently made first: trimmed
   * to MEMO_BUDGET values.
   */
  private readonly inherited = new Map<string, ReadonlyMap<number, unknown>>();
  private inheritedSize = 0;
  /** Child versions by parent id (rewinds and forks), to drop what descendants inherited. */
  private readonly children = new Map<string, string[]>();
  private nextSeq = 0;
  /** Next console line and system sample number per version, read from the database on first use. */
  private readonly consoleSeq = new Map<string, number>();
  private readonly systemSeq = new Map<string, number>();
  private readonly mediaSeq = new Map<string, number>();
  private readonly artifactSeq = new Map<string, number>();

  constructor(
    readonly db: Db,
    private readonly liveness: Liveness,
  ) {
    this.series = new SeriesAppender(db, (version) => this.segments(version));
    this.reload();
  }

  /** Drops every cache and reads runs, versions and keys back from the database. */
  reload(): void {
    this.runRows.clear();
    this.versionRows.clear();
    this.changedRuns.clear();
    this.dirtyRuns.clear();
    this.dirtyVersions.clear();
    this.series.reload();
    this.versionsByRun.clear();
    this.headlines.clear();
    this.inherited.clear();
    this.inheritedSize = 0;
    this.children.clear();
    this.consoleSeq.clear();
    this.systemSeq.clear();
    this.mediaSeq.clear();
    this.artifactSeq.clear();
    this.nextSeq = 0;
    // A store just migrated to schema 11: its extremes, computed once from the stored chunks.
    if (this.db.get('SELECT 1 FROM meta WHERE key=?', [FILL_EXTREMES])) {
      this.db.transaction(() => {
        fillExtremes(this.db);
        this.db.run('DELETE FROM meta WHERE key=?', [FILL_EXTREMES]);
      });
    }
    this.db.each('SELECT id, seq, project, name, live_version, created_at, updated_at, tags, notes, fork_version, fork_run, fork_step, deleted, run_group FROM runs', [], (r) => {
      const run: RunRow = {
        id: r[0] as string, seq: r[1] as number, project: r[2] as string, name: r[3] as string,
        liveVersion: r[4] as string, createdAt: r[5] as number, updatedAt: r[6] as number,
        tags: parseJsonArray(r[7]), notes: r[8] as string, forkVersion: r[9] as string | null,
        forkRun: r[10] as string | null, forkStep: r[11] as number | null, deleted: r[12] === 1, group: r[13] as string | null,
      };
      this.runRows.set(run.id, run);
      this.nextSeq = Math.max(this.nextSeq, run.seq + 1);
    });
    this.db.each('SELECT id, run_id, kind, parent, branch_step, archived, archived_at, created_at, updated_at, ended_at, finished, exit_code, pid, host, heartbeat, last_seen, last_step, own_last_step, config, summary, last_modified FROM versions', [], (r) => {
      const v: VersionRow = {
        id: r[0] as string, runId: r[1] as string, kind: r[2] as VersionKind, parent: r[3] as string | null,
        branchStep: r[4] as number | null, archived: r[5] === 1, archivedAt: r[6] as number | null,
        createdAt: r[7] as number, updatedAt: r[8] as number, endedAt: r[9] as number | null,
        finished: r[10] === 1, exitCode: r[11] as number | null, pid: r[12] as number | null,
        host: r[13] as string | null, heartbeat: r[14] as number | null, lastSeen: r[15] as number | null,
        lastStep: r[16] as number | null, ownLastStep: r[17] as number | null,
        config: parseJsonObject(r[18]), summary: parseJsonObject(r[19]), lastModified: r[20] as number | null,
      };
      this.versionRows.set(v.id, v);
      this.indexVersion(v);
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
    this.db.run('INSERT INTO runs (id, seq, project, name, live_version, created_at, updated_at, tags, notes, fork_version, fork_run, fork_step, deleted, run_group) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)', [
      row.id, row.seq, row.project, row.name, row.liveVersion, row.createdAt, row.updatedAt, JSON.stringify(row.tags), row.notes,
      row.forkVersion, row.forkRun, row.forkStep, row.deleted ? 1 : 0, row.group,
    ]);
    this.createVersion(version);
  }

  private indexVersion(v: VersionRow): void {
    const list = this.versionsByRun.get(v.runId);
    if (list) list.push(v);
    else this.versionsByRun.set(v.runId, [v]);
    if (v.parent !== null) {
      const siblings = this.children.get(v.parent);
      if (siblings) siblings.push(v.id);
      else this.children.set(v.parent, [v.id]);
    }
  }

  createVersion(v: VersionRow): void {
    const row = { ...v };
    this.versionRows.set(row.id, row);
    this.indexVersion(row);
    this.db.run('INSERT INTO versions (id, run_id, kind, parent, branch_step, created_at, updated_at) VALUES (?,?,?,?,?,?,?)', [row.id, row.runId, row.kind, row.parent, row.branchStep, row.createdAt, row.updatedAt]);
    // A rewind or fork starts with its source's rows up to the branch step: their extremes are its own.
    if (row.parent !== null) this.series.recomputeExtremes(row.id);
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

  /** Replaces the tags, notes or group an edit gives (a null group clears it). */
  editRun(runId: string, edit: { readonly tags?: readonly string[]; readonly notes?: string; readonly group?: string | null }, time: number): void {
    const run = this.run(runId);
    if (edit.tags !== undefined) run.tags = [...edit.tags];
    if (edit.notes !== undefined) run.notes = edit.notes;
    if (edit.group !== undefined) run.group = edit.group;
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
    // The new writer's file has not been looked at yet: until it is, its records' times tell.
    v.lastModified = null;
    this.versionChanged(v);
  }

  /**
   * The reader looked at a writer file of the version: `mtime` is when its writer last gave a sign of
   * life, by the file system's clock (unix seconds). Only liveness reads it, so it changes no run (no
   * repaint for a heartbeat).
   */
  modified(versionId: string, mtime: number): void {
    const v = this.versionRows.get(versionId);
    if (!v || v.finished || !Number.isFinite(mtime)) return;
    if (v.lastModified === null || mtime > v.lastModified) {
      v.lastModified = mtime;
      this.dirtyVersions.add(v.id);
    }
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
    this.noteSeen(this.version(versionId), time);
  }

  private noteSeen(v: VersionRow, time: number): void {
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

  /**
   * Appends one history row to a version, and notes its time as the writer's newest record (as `seen`
   * does; one lookup for both, on the hottest path). Returns the number of points stored.
   */
  appendRow(versionId: string, step: number, time: number, data: Record<string, unknown>, warn: (message: string) => void): number {
    const v = this.version(versionId);
    const points = this.series.append(v.id, step, time, data, warn);
    v.ownLastStep = step;
    v.lastStep = step;
    this.noteSeen(v, time);
    return points;
  }

  /**
   * Appends a row's values for a step before the version's last to the keys whose own steps are all
   * before it (SeriesAppender.appendEarlier); the version's last step and its step index stay as they
   * are. Keys refused are named in `refused`. Returns the number of points stored.
   */
  appendEarlier(versionId: string, step: number, data: Record<string, unknown>, warn: (message: string) => void, refused: string[]): number {
    const v = this.version(versionId);
    const points = this.series.appendEarlier(v.id, step, data, warn, refused);
    if (points > 0) this.versionChanged(v);
    return points;
  }

  /**
   * Appends printed lines to a version's console, numbered on from its last one, in as few statements
   * as it takes (a batch of lines is one record; a million lines are a thousand records).
   */
  appendConsole(versionId: string, lines: readonly ConsoleLineEntry[]): void {
    const v = this.version(versionId);
    let seq = this.consoleSeq.get(v.id) ?? nextSeqOf(this.db, 'console_lines', v.id);
    for (let at = 0; at < lines.length; at += CONSOLE_BATCH) {
      const n = Math.min(CONSOLE_BATCH, lines.length - at);
      const params: (string | number)[] = new Array<string | number>(n * 6);
      for (let i = 0; i < n; i++) {
        const [time, stream, step, text] = lines[at + i];
        const o = i * 6;
        params[o] = v.id;
        params[o + 1] = seq++;
        params[o + 2] = step;
        params[o + 3] = time;
        params[o + 4] = stream === 'stderr' ? 1 : 0;
        params[o + 5] = text;
      }
      this.db.run(consoleInsert(n), params);
    }
    this.consoleSeq.set(v.id, seq);
    this.versionChanged(v);
  }

  /** Appends one system sample to a version (never inherited: each version keeps its own). */
  appendSystem(versionId: string, time: number, data: Readonly<Record<string, number>>): void {
    const v = this.version(versionId);
    const seq = this.systemSeq.get(v.id) ?? nextSeqOf(this.db, 'system_samples', v.id);
    this.db.run('INSERT INTO system_samples (version, seq, time, data) VALUES (?,?,?,?)', [v.id, seq, time, encodeRecord(data)]);
    this.systemSeq.set(v.id, seq + 1);
    this.versionChanged(v);
  }

  /** Appends one media record to a version (its items as JSON; the files stay in the log directory). */
  appendMedia(versionId: string, record: MediaRecord): void {
    const v = this.version(versionId);
    const seq = this.mediaSeq.get(v.id) ?? nextSeqOf(this.db, 'media', v.id);
    this.db.run('INSERT INTO media (version, seq, step, key, kind, time, items) VALUES (?,?,?,?,?,?,?)', [v.id, seq, record.step, record.key, record.kind, Number.isFinite(record.time) ? record.time : null, encodeRecord(record.items as unknown as Record<string, unknown>)]);
    this.mediaSeq.set(v.id, seq + 1);
    this.versionChanged(v);
  }

  /** Notes that a version logged, used or linked an artifact version. */
  appendArtifact(versionId: string, record: ArtifactRecord): void {
    const v = this.version(versionId);
    const seq = this.artifactSeq.get(v.id) ?? nextSeqOf(this.db, 'artifacts', v.id);
    this.db.run('INSERT INTO artifacts (version, seq, step, action, name, artifact_version, record) VALUES (?,?,?,?,?,?,?)', [v.id, seq, record.step, record.action, record.name, record.version, encodeRecord(record)]);
    this.artifactSeq.set(v.id, seq + 1);
    this.versionChanged(v);
  }

  /** Sets a version's metadata: the newest writer file's record replaces an older one. */
  setMetadata(versionId: string, metadata: RunMetadata): void {
    const v = this.version(versionId);
    this.db.run('INSERT OR REPLACE INTO version_metadata (version, metadata) VALUES (?,?)', [v.id, encodeRecord(metadata)]);
    this.versionChanged(v);
  }

  /** Writes every partial chunk, key statistic, run and version that changed. */
  flush(): void {
    this.series.flush();
    this.forgetDerived(this.dirtyVersions);
    for (const id of this.dirtyVersions) {
      const v = this.versionRows.get(id);
      if (!v) continue;
      this.db.run('UPDATE versions SET archived=?, archived_at=?, updated_at=?, ended_at=?, finished=?, exit_code=?, pid=?, host=?, heartbeat=?, last_seen=?, last_step=?, own_last_step=?, config=?, summary=?, last_modified=? WHERE id=?', [
        v.archived ? 1 : 0, v.archivedAt, v.updatedAt, v.endedAt, v.finished ? 1 : 0, v.exitCode, v.pid, v.host, v.heartbeat, v.lastSeen,
        v.lastStep, v.ownLastStep, stringifyJson(v.config), stringifyJson(v.summary), v.lastModified, v.id,
      ]);
    }
    this.dirtyVersions.clear();
    for (const id of this.dirtyRuns) {
      const r = this.runRows.get(id);
      if (!r) continue;
      this.db.run('UPDATE runs SET project=?, name=?, live_version=?, updated_at=?, tags=?, notes=?, deleted=?, run_group=? WHERE id=?', [
        r.project, r.name, r.liveVersion, r.updatedAt, JSON.stringify(r.tags), r.notes, r.deleted ? 1 : 0, r.group, r.id,
      ]);
    }
    this.dirtyRuns.clear();
  }

  /**
   * Drops the headlines of changed versions and of every version descending from one, and what those
   * descendants inherit. What a changed version inherits itself stays: it comes from its ancestors (a
   * training run's live version changes with every row; its thousand ancestors do not).
   */
  private forgetDerived(changed: ReadonlySet<string>): void {
    const pending: [id: string, below: boolean][] = [...changed].map((id) => [id, false]);
    const seen = new Set<string>();
    while (pending.length > 0) {
      const [id, below] = pending.pop()!;
      this.headlines.delete(id);
      if (below) {
        if (seen.has(id)) continue;
        seen.add(id);
        const kept = this.inherited.get(id);
        if (kept) {
          this.inheritedSize -= kept.size;
          this.inherited.delete(id);
        }
      }
      for (const child of this.children.get(id) ?? []) if (!seen.has(child)) pending.push([child, true]);
    }
  }

  /** Forgets the in-memory tails of a version that will not grow (its writer finished). */
  release(version: string): void {
    this.series.release(version);
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
    // From another host: when its file last grew, by the file system's clock (the writer's clock may be
    // hours ahead or behind), against now by the same clock (Liveness.now corrects this host's skew).
    const heartbeat = v.heartbeat ?? DEFAULT_HEARTBEAT_SECONDS;
    const now = this.liveness.now();
    const window = HEARTBEAT_GRACE * heartbeat;
    if (now - v.lastSeen > window + MAX_CLOCK_SKEW_SECONDS) return 'crashed';
    return now - (v.lastModified ?? v.lastSeen) > window ? 'crashed' : 'running';
  }

  // -------------------------------------------------------------------------------------------
  // Lookups for queries.ts and lineage.ts

  requireVersion(id: string): Readonly<VersionRow> {
    const v = this.versionRows.get(id);
    if (!v) throw new Error(`unknown version ${id}`);
    return v;
  }

  /**
   * The parts of a version's step-stamped records (console lines, media, artifacts) as copy-on-write by
   * step makes them, newest first: the version itself with every record (cap Infinity), then each ancestor
   * with the records whose step is <= the smallest branch step below it (docs/PROTOCOL.md, console and
   * media under rewind and fork). Unlike the metric segments, an ancestor is never left out for its step
   * range: such a record's step is when it happened, not a row of the history.
   */
  inheritedParts(version: string): { readonly version: string; readonly cap: number }[] {
    const out: { version: string; cap: number }[] = [];
    let cap = Number.POSITIVE_INFINITY;
    let v = this.versionRows.get(version);
    const seen = new Set<string>();
    while (v && !seen.has(v.id)) {
      seen.add(v.id);
      out.push({ version: v.id, cap });
      if (v.parent === null || v.branchStep === null) break;
      cap = Math.min(cap, v.branchStep);
      v = this.versionRows.get(v.parent);
    }
    return out;
  }

  /** The versions whose rows make up a version's visible history, oldest first (extremes.ts). */
  segments(version: string): SeriesSegment[] {
    return lineageSegments((id) => this.versionRows.get(id), version);
  }

  /** The versions of a run, in the order they were made. */
  versionsOfRun(runId: string): readonly Readonly<VersionRow>[] {
    return this.versionsByRun.get(runId) ?? [];
  }

  keyName(id: number): string {
    return this.series.keyName(id);
  }

  lookupKey(name: string): number | undefined {
    return this.series.lookupKey(name);
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

  /** What a version inherits from its lineage (see `inherited`), if it is kept. */
  inheritedOf<T>(version: string): ReadonlyMap<number, T> | undefined {
    return this.inherited.get(version) as ReadonlyMap<number, T> | undefined;
  }

  /** Keeps what a version inherits until it or an ancestor changes, within MEMO_BUDGET values in all. */
  keepInherited<T>(version: string, values: ReadonlyMap<number, T>): void {
    const old = this.inherited.get(version);
    if (old) {
      this.inheritedSize -= old.size;
      this.inherited.delete(version);
    }
    this.inherited.set(version, values);
    this.inheritedSize += values.size;
    for (const [id, kept] of this.inherited) {
      if (this.inheritedSize <= MEMO_BUDGET || id === version) break;
      this.inheritedSize -= kept.size;
      this.inherited.delete(id);
    }
  }
}

/**
 * Inherited values kept in memory in all (about 100 bytes each): a run of 50 keys rewound 1,000 times
 * fits 20 times over; a chain too wide and deep to fit keeps its newest versions, and an evicted one is
 * computed again from its nearest kept ancestor.
 */
const MEMO_BUDGET = 1_000_000;

/** Console lines per INSERT statement: 6 parameters each, well under SQLite's limit of 32,766. */
const CONSOLE_BATCH = 256;
const consoleInserts = new Map<number, string>();

function consoleInsert(n: number): string {
  let sql = consoleInserts.get(n);
  if (sql === undefined) {
    sql = `INSERT INTO console_lines (version, seq, step, time, stream, text) VALUES ${new Array<string>(n).fill('(?,?,?,?,?,?)').join(',')}`;
    consoleInserts.set(n, sql);
  }
  return sql;
}

function nextSeqOf(db: Db, table: 'console_lines' | 'system_samples' | 'media' | 'artifacts', version: string): number {
  const row = db.get(`SELECT MAX(seq) FROM ${table} WHERE version=?`, [version]);
  return row && typeof row[0] === 'number' ? row[0] + 1 : 0;
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

