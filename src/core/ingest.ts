// Reads a log directory incrementally into the run store: every file from the byte offset reached last
// time to its last complete line, records validated and applied in file-stamp order. Offsets live in the
// store's own database, so a snapshot never disagrees with what it has read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from './api';
import { LOG_EXTENSION, OPS_DIR, PROTOCOL_VERSION, RECORD_TYPES, RUNS_DIR, parseLine } from './protocol';
import { MAX_NAME_LENGTH, RUN_ID_PATTERN, recordName } from './runSpec';
import type { Db } from './sqlite';
import type { RunRow, RunStore, VersionRow } from './store';
import { MAX_RECORD_NESTING, isPlainObject, mergeConfig, nestedDeeperThan } from './values';

/**
 * active: read on every pass; pending: waits for a file that creates what it refers to; rejected: not
 * read (a diagnostic says why); done: its writer finished, or it is an applied ops file: never grows.
 */
type FileStatus = 'active' | 'pending' | 'rejected' | 'done';

interface FileState {
  readonly path: string;
  /** An ops file (one UI or command-line operation), not a writer's file. */
  readonly isOps: boolean;
  offset: number;
  line: number;
  version: string | null;
  /** The run its first record applied to (a writer's run, an op's run); null until then. */
  run: string | null;
  status: FileStatus;
  /** Persisted state differs from the database. */
  dirty: boolean;
  /** The pass that first listed it (0: listed before this process loaded the store). */
  readonly seenPass: number;
  warnedKeys?: Set<string>;
  diagnostics?: number;
}

export interface PassResult {
  readonly changedRuns: Set<string>;
  rows: number;
  points: number;
  bytes: number;
  readonly diagnostics: Diagnostic[];
  /** True when the byte budget ran out before every file was read. */
  more: boolean;
}

/** What a record asks of the store, or why it cannot be applied (yet). */
type Outcome = 'ok' | 'pending' | 'reject';

const MAX_DIAGNOSTICS_PER_FILE = 100;
const READ_BLOCK = 8 * 1024 * 1024;
const MAX_LINE = 256 * 1024 * 1024;
const VERSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

export class LogIngester {
  private readonly files = new Map<string, FileState>();
  /** Files waiting for a run or version another file creates; reported, not persisted. */
  private readonly waiting = new Map<string, Diagnostic>();
  private readonly listings = new Map<string, { mtime: number; entries: string[] }>();
  /** Per run, the latest file (in apply order) that applied a record to it, and the pass that did. */
  private readonly latest = new Map<string, { readonly path: string; readonly pass: number }>();
  private passNo = 0;
  private pass: PassResult | undefined;
  private readonly opsDir: string;

  constructor(
    private readonly db: Db,
    private readonly store: RunStore,
    readonly logDir: string,
  ) {
    this.opsDir = path.join(logDir, OPS_DIR);
    this.reload();
  }

  reload(): void {
    this.files.clear();
    this.waiting.clear();
    this.listings.clear();
    this.latest.clear();
    this.db.each('SELECT path, offset, line, version, status, run FROM files', [], (r) => {
      const state: FileState = { path: r[0] as string, isOps: this.isOpsFile(r[0] as string), offset: r[1] as number, line: r[2] as number, version: r[3] as string | null, run: r[5] as string | null, status: r[4] as FileStatus, dirty: false, seenPass: 0 };
      this.files.set(state.path, state);
      if (state.run !== null) this.noteApplied(state.run, state.path, 0);
    });
  }

  private isOpsFile(file: string): boolean {
    return path.dirname(file) === this.opsDir;
  }

  /**
   * Files of the log directory in the order they must be applied. The ops folder is listed before the
   * runs folders: an op is written after the writer files it was checked against (under the run's
   * lock), so seeing the op means those files already exist when the runs folders are listed.
   */
  listFiles(): string[] {
    const found: string[] = [];
    found.push(...this.logFilesIn(path.join(this.logDir, OPS_DIR), false));
    const runsDir = path.join(this.logDir, RUNS_DIR);
    for (const runDir of this.logFilesIn(runsDir, true)) found.push(...this.logFilesIn(runDir, false));
    return found.sort(applyOrder);
  }

  /**
   * The log files (or, for `dirs`, the subfolders) of a folder. A folder's listing is reused while its
   * modification time stays the same, so a pass over a thousand finished runs costs a stat per folder,
   * not a readdir; a folder changed in the last two seconds is always read again, for file systems
   * whose timestamps are coarse.
   */
  private logFilesIn(dir: string, dirs: boolean): string[] {
    let mtime: number;
    try {
      mtime = fs.statSync(dir).mtimeMs;
    } catch {
      this.listings.delete(dir);
      return [];
    }
    const cached = this.listings.get(dir);
    if (cached && cached.mtime === mtime && Date.now() - mtime > 2000) return cached.entries;
    const entries = safeReaddir(dir)
      .filter((e) => (dirs ? e.isDirectory() : e.isFile() && e.name.endsWith(LOG_EXTENSION)))
      .map((e) => path.join(dir, e.name));
    this.listings.set(dir, { mtime, entries });
    return entries;
  }

  /**
   * Reads what was appended since the last pass, up to about `maxBytes`. The caller owns the
   * transaction and flushes the store afterwards.
   */
  run(maxBytes = Number.POSITIVE_INFINITY): PassResult {
    const result: PassResult = { changedRuns: new Set(), rows: 0, points: 0, bytes: 0, diagnostics: [], more: false };
    this.pass = result;
    this.passNo++;
    try {
      const files = this.listFiles();
      const pending: FileState[] = [];
      for (const file of files) {
        if (result.bytes >= maxBytes) {
          result.more = true;
          break;
        }
        const state = this.stateOf(file);
        if (state.status === 'rejected' || state.status === 'done') continue;
        if (!this.readFile(state, maxBytes - result.bytes)) result.more = true;
        if (state.status === 'pending') pending.push(state);
      }
      // A file may wait for one created by a file that sorts after it (clocks drift): try once more.
      for (const state of pending) {
        state.status = 'active';
        this.readFile(state, Number.POSITIVE_INFINITY);
      }
      for (const state of this.files.values()) {
        if (state.dirty) {
          this.db.run('INSERT OR REPLACE INTO files (path, offset, line, version, status, run) VALUES (?,?,?,?,?,?)', [state.path, state.offset, state.line, state.version, state.status, state.run]);
          state.dirty = false;
        }
      }
      return result;
    } finally {
      this.pass = undefined;
    }
  }

  /** The newest stamp (unix ms) of any log file, so a new file can be made to sort after all of them. */
  maxStampMs(): number {
    let max = 0;
    for (const file of this.listFiles()) {
      const ms = Number(path.basename(file).slice(0, 13));
      if (Number.isSafeInteger(ms) && ms > max) max = ms;
    }
    return max;
  }

  /** Bytes appended to the log files that have not been read yet (for progress reports). */
  pendingBytes(): number {
    let total = 0;
    for (const file of this.listFiles()) {
      const state = this.files.get(file);
      if (state && (state.status === 'rejected' || state.status === 'done')) continue;
      try {
        total += Math.max(0, fs.statSync(file).size - (state?.offset ?? 0));
      } catch {
        // deleted meanwhile
      }
    }
    return total;
  }

  /** Diagnostics for files that wait for another file. */
  waitingDiagnostics(): Diagnostic[] {
    return [...this.waiting.values()];
  }

  private stateOf(file: string): FileState {
    let state = this.files.get(file);
    if (!state) {
      state = { path: file, isOps: this.isOpsFile(file), offset: 0, line: 0, version: null, run: null, status: 'active', dirty: true, seenPass: this.passNo };
      this.files.set(file, state);
    }
    return state;
  }

  /** Reads a file's complete new lines within `budget` bytes; false when the budget stopped it. */
  private readFile(state: FileState, budget: number): boolean {
    let fd: number;
    try {
      // O_NONBLOCK: a FIFO planted in the log directory must not hang the reader in open().
      fd = fs.openSync(state.path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    } catch {
      return true; // deleted between listing and reading, or not readable now: tried again next pass
    }
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) {
        this.report(state, state.line + 1, 'error', 'it is not a regular file (a pipe, a device or a folder); it is not read');
        this.setStatus(state, 'rejected');
        return true;
      }
      const size = stat.size;
      if (size < state.offset) {
        this.report(state, state.line + 1, 'error', `the file is shorter than the ${state.offset} bytes already read; log files are append-only, so it is no longer read`);
        this.setStatus(state, 'rejected');
        return true;
      }
      const blockFor = (): number => Math.max(1, Math.min(READ_BLOCK, size - state.offset, Math.max(budget, 4096)));
      let block = blockFor();
      while (state.offset < size && budget > 0) {
        const length = Math.min(block, size - state.offset);
        const buffer = Buffer.allocUnsafe(length);
        const read = fs.readSync(fd, buffer, 0, length, state.offset);
        // Fewer bytes than the size promised: the file shrank (or was replaced) while it was read.
        // Only the bytes read are looked at; the next pass sees its new size and says so.
        if (read <= 0) return true;
        const end = buffer.lastIndexOf(10, read - 1);
        if (end < 0) {
          if (state.offset + read >= size || read < length) return true; // a torn last line: read again when it is finished
          if (block >= MAX_LINE) {
            this.skipLongLine(fd, state, size);
            continue;
          }
          block *= 2;
          continue;
        }
        const consumed = this.consumeLines(state, buffer.toString('utf8', 0, end));
        // consumeLines stops early when a file has to wait for another one.
        if (consumed < 0) return true;
        state.offset += end + 1;
        state.dirty = true;
        budget -= end + 1;
        if (this.pass) this.pass.bytes += end + 1;
        block = blockFor();
      }
      return state.offset >= size || state.status !== 'active';
    } finally {
      fs.closeSync(fd);
    }
  }

  private skipLongLine(fd: number, state: FileState, size: number): void {
    const buffer = Buffer.allocUnsafe(READ_BLOCK);
    let at = state.offset;
    while (at < size) {
      const read = fs.readSync(fd, buffer, 0, Math.min(READ_BLOCK, size - at), at);
      if (read <= 0) return; // shrank meanwhile
      const nl = buffer.subarray(0, read).indexOf(10);
      if (nl >= 0 && nl < read) {
        state.line++;
        this.report(state, state.line, 'error', `the line is longer than ${MAX_LINE / 1024 / 1024} MiB; skipped`);
        state.offset = at + nl + 1;
        state.dirty = true;
        return;
      }
      at += read;
    }
    state.offset = size; // unreachable in practice: the caller only skips when a newline follows
  }

  /** Applies complete lines; returns -1 when the file must wait (nothing after its start applied). */
  private consumeLines(state: FileState, text: string): number {
    let start = 0;
    let count = 0;
    while (start <= text.length) {
      let nl = text.indexOf('\n', start);
      if (nl < 0) nl = text.length;
      const line = text.slice(start, nl);
      start = nl + 1;
      const lineNo = state.line + 1;
      if (line.trim() !== '') {
        const outcome = this.applyLine(state, line, lineNo);
        if (outcome === 'pending') {
          this.setStatus(state, 'pending');
          return -1;
        }
        if (outcome === 'reject') {
          this.setStatus(state, 'rejected');
          return -1;
        }
      }
      state.line = lineNo;
      count++;
      // A writer's finish is its last record: what follows it is not read, whichever block it is in.
      if (state.status === 'done') {
        this.waiting.delete(state.path);
        return -1;
      }
      if (nl === text.length) break;
    }
    this.waiting.delete(state.path);
    return count;
  }

  private setStatus(state: FileState, status: FileStatus): void {
    state.status = status;
    state.dirty = true;
  }

  private applyLine(state: FileState, line: string, lineNo: number): Outcome {
    let record: unknown;
    try {
      record = parseLine(line);
    } catch (error) {
      this.report(state, lineNo, 'error', `not a JSON line: ${(error as Error).message}`);
      return 'ok';
    }
    if (!isPlainObject(record)) {
      this.report(state, lineNo, 'error', 'a record must be a JSON object');
      return 'ok';
    }
    if (nestedDeeperThan(record, MAX_RECORD_NESTING)) {
      // Deeper than any config or metric dict needs; refused here, before anything recurses into it.
      if (record.type === 'start' && state.version === null) return this.rejectFile(state, lineNo, `the start record is nested more than ${MAX_RECORD_NESTING} levels deep`);
      this.report(state, lineNo, 'error', `the record is nested more than ${MAX_RECORD_NESTING} levels deep; it is skipped`);
      return 'ok';
    }
    const type = record.type;
    // The hot path: history rows.
    if (type === 'row' && state.version !== null) return this.applyRow(state, record, lineNo);
    if (typeof type !== 'string') {
      this.report(state, lineNo, 'error', 'the record has no "type"');
      return 'ok';
    }
    if (!RECORD_TYPES.has(type)) {
      this.report(state, lineNo, 'warning', `unknown record type ${JSON.stringify(type)}; skipped (written by a newer Run Rewind?)`);
      return 'ok';
    }
    const time = typeof record.time === 'number' && Number.isFinite(record.time) ? record.time : Number.NaN;
    if (state.isOps) {
      if (lineNo > 1) {
        this.report(state, lineNo, 'warning', 'an ops file holds one record; this one is skipped');
        return 'ok';
      }
      const outcome = this.applyOp(state, type, record, time, lineNo);
      if (outcome === 'ok') this.setStatus(state, 'done');
      return outcome;
    }
    if (state.version === null) {
      if (type !== 'start') {
        this.report(state, lineNo, 'error', `a writer file must begin with a "start" record, not ${JSON.stringify(type)}; the file is not read`);
        return 'reject';
      }
      return this.applyStart(state, record, time, lineNo);
    }
    const v = this.store.versions.get(state.version);
    if (!v) return 'ok';
    switch (type) {
      case 'start':
        this.report(state, lineNo, 'error', 'a second "start" record in one file; skipped (each init writes its own file)');
        return 'ok';
      case 'row':
        return this.applyRow(state, record, lineNo);
      case 'config':
        if (!isPlainObject(record.config)) return this.invalid(state, lineNo, '"config" must be an object');
        v.config = mergeConfig(v.config, record.config);
        break;
      case 'summary':
        if (!isPlainObject(record.summary)) return this.invalid(state, lineNo, '"summary" must be an object');
        v.summary = mergeConfig(v.summary, record.summary);
        break;
      case 'alive':
        break;
      case 'finish': {
        const code = record.exit_code;
        if (code !== undefined && (typeof code !== 'number' || !Number.isInteger(code))) return this.invalid(state, lineNo, '"exit_code" must be an integer');
        v.finished = true;
        v.exitCode = typeof code === 'number' ? code : 0;
        v.endedAt = Number.isNaN(time) ? v.endedAt : time;
        // A writer's finish is its last record: the file is not read again.
        this.setStatus(state, 'done');
        break;
      }
      case 'rename': {
        const run = this.store.runs.get(v.runId);
        const name = recordName(record.name);
        if (!run || name === undefined) return this.invalid(state, lineNo, `"name" must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`);
        run.name = name;
        this.touchRun(run, time);
        break;
      }
      default:
        this.report(state, lineNo, 'error', `a ${JSON.stringify(type)} record belongs in an ops file, not a writer file; skipped`);
        return 'ok';
    }
    this.seen(v, time);
    return 'ok';
  }

  private applyRow(state: FileState, record: Record<string, unknown>, lineNo: number): Outcome {
    const v = this.store.versions.get(state.version!);
    if (!v) return 'ok';
    const step = record.step;
    if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
      this.report(state, lineNo, 'error', `"step" must be a non-negative integer, got ${short(step)}; the row is skipped`);
      return 'ok';
    }
    if (v.lastStep !== null && step <= v.lastStep) {
      this.report(state, lineNo, 'error', `step ${step} is not after the last step ${v.lastStep} of run ${v.runId} (version ${v.id}); steps must increase, so the row is skipped`);
      return 'ok';
    }
    const data = record.data;
    if (!isPlainObject(data)) {
      this.report(state, lineNo, 'error', '"data" must be an object of metric values; the row is skipped');
      return 'ok';
    }
    const time = typeof record.time === 'number' ? record.time : Number.NaN;
    const points = this.store.appendRow(v, step, time, data, (message) => this.warnKey(state, lineNo, message));
    this.seen(v, time);
    const pass = this.pass!;
    pass.rows++;
    pass.points += points;
    pass.changedRuns.add(v.runId);
    return 'ok';
  }

  private warnKey(state: FileState, lineNo: number, message: string): void {
    state.warnedKeys ??= new Set();
    if (state.warnedKeys.has(message)) return;
    state.warnedKeys.add(message);
    this.report(state, lineNo, 'warning', message);
  }

  private seen(v: VersionRow, time: number): void {
    if (!Number.isNaN(time)) {
      if (v.lastSeen === null || time > v.lastSeen) v.lastSeen = time;
      if (time > v.updatedAt) v.updatedAt = time;
    }
    this.store.touchVersion(v);
    this.pass?.changedRuns.add(v.runId);
  }

  private touchRun(run: RunRow, time: number): void {
    if (!Number.isNaN(time) && time > run.updatedAt) run.updatedAt = time;
    this.store.touchRun(run);
    this.pass?.changedRuns.add(run.id);
  }

  private applyStart(state: FileState, r: Record<string, unknown>, time: number, lineNo: number): Outcome {
    const protocol = r.protocol;
    if (typeof protocol === 'number' && protocol > PROTOCOL_VERSION) {
      this.report(state, lineNo, 'error', `the file was written with log protocol ${protocol}; this Run Rewind reads protocol ${PROTOCOL_VERSION}. Update Run Rewind to read it`);
      return 'reject';
    }
    const runId = r.run;
    const versionId = r.version;
    const mode = r.mode;
    if (typeof runId !== 'string' || !RUN_ID_PATTERN.test(runId)) return this.rejectFile(state, lineNo, `"run" must be a run id (letters, digits, '_' and '-', 1 to 64 characters), got ${short(runId)}`);
    if (typeof versionId !== 'string' || !VERSION_ID.test(versionId)) return this.rejectFile(state, lineNo, `"version" must be a version id, got ${short(versionId)}`);
    if (mode !== 'new' && mode !== 'resume' && mode !== 'rewind' && mode !== 'fork') return this.rejectFile(state, lineNo, `"mode" must be "new", "resume", "rewind" or "fork", got ${short(mode)}`);
    this.claim(state, runId);
    const writer = {
      pid: typeof r.pid === 'number' && Number.isInteger(r.pid) ? r.pid : null,
      host: typeof r.host === 'string' ? r.host : null,
      heartbeat: typeof r.heartbeat === 'number' && r.heartbeat > 0 ? r.heartbeat : null,
    };
    const config = isPlainObject(r.config) ? r.config : undefined;
    const name = recordName(r.name);
    const project = recordName(r.project);
    let v: VersionRow;
    if (mode === 'resume') {
      const run = this.store.runs.get(runId);
      const existing = this.store.versions.get(versionId);
      if (!run || !existing) return this.wait(state, lineNo, `run ${runId} (version ${versionId})`);
      if (existing.runId !== runId) return this.rejectFile(state, lineNo, `version ${versionId} belongs to run ${existing.runId}, not ${runId}`);
      if (run.liveVersion !== versionId) return this.rejectFile(state, lineNo, `version ${versionId} of run ${runId} is archived (rewound); only the live version ${run.liveVersion} can be resumed`);
      v = existing;
      v.finished = false;
      v.exitCode = null;
      v.endedAt = null;
      if (config) v.config = mergeConfig(v.config, config);
      this.renameIfGiven(run, name, project, time);
    } else {
      if (this.store.versions.has(versionId)) return this.rejectFile(state, lineNo, `version ${versionId} already exists; every start needs a new version id`);
      const base = this.baseVersion(versionId, runId, mode, time);
      if (mode === 'new') {
        if (this.store.runs.has(runId)) return this.rejectFile(state, lineNo, `run ${runId} already exists; a writer continuing it must start with mode "resume"`);
        v = { ...base, config: config ?? {} };
        this.store.createRun(this.newRun(runId, versionId, project, name, time, r), v);
      } else {
        const source = this.sourceOf(r.source);
        if (typeof source === 'string') return this.rejectFile(state, lineNo, source);
        const sourceVersion = this.store.versions.get(source.version);
        if (!sourceVersion) return this.wait(state, lineNo, `version ${source.version} of run ${source.run}`);
        const made = mode === 'rewind'
          ? this.rewind(state, lineNo, runId, source, sourceVersion, base, config, time, name, project)
          : this.fork(state, lineNo, runId, versionId, source, sourceVersion, base, config, time, name, project, r);
        if (typeof made === 'string') return made;
        v = made;
      }
    }
    Object.assign(v, writer, { finished: false, exitCode: null, endedAt: null });
    v.lastSeen = Number.isNaN(time) ? v.lastSeen : time;
    state.version = v.id;
    state.dirty = true;
    this.seen(v, time);
    return 'ok';
  }

  private rewind(state: FileState, lineNo: number, runId: string, source: { run: string; version: string; step: number }, sourceVersion: VersionRow, base: VersionRow, config: Record<string, unknown> | undefined, time: number, name: string | undefined, project: string | undefined): VersionRow | Outcome {
    const run = this.store.runs.get(runId);
    if (!run) return this.wait(state, lineNo, `run ${runId}`);
    if (sourceVersion.runId !== runId) return this.rejectFile(state, lineNo, `a rewind of run ${runId} names version ${source.version}, which belongs to run ${sourceVersion.runId}`);
    if (run.deleted) return this.rejectFile(state, lineNo, `run ${runId} was deleted; it cannot be rewound`);
    if (run.liveVersion !== sourceVersion.id) {
      // Checked against a live version that another rewind or resume replaced first: the writer that
      // lost the race was told by the lock; a writer that took no lock loses here, in every reader alike.
      return this.rejectFile(state, lineNo, `this rewind of run ${runId} archives version ${sourceVersion.id}, but the run's live version is now ${run.liveVersion} (another rewind came first)`);
    }
    const live = this.store.versions.get(run.liveVersion);
    if (live && !live.archived) {
      live.archived = true;
      live.archivedAt = Number.isNaN(time) ? live.updatedAt : time;
      // An archived version never grows again: its writer, if any, has finished.
      this.store.touchVersion(live);
    }
    const v: VersionRow = { ...base, kind: 'rewind', parent: sourceVersion.id, branchStep: source.step, lastStep: source.step, config: mergeConfig(sourceVersion.config, config) };
    this.store.createVersion(v);
    run.liveVersion = v.id;
    this.renameIfGiven(run, name, project, time);
    this.touchRun(run, time);
    return v;
  }

  private fork(state: FileState, lineNo: number, runId: string, versionId: string, source: { run: string; version: string; step: number }, sourceVersion: VersionRow, base: VersionRow, config: Record<string, unknown> | undefined, time: number, name: string | undefined, project: string | undefined, r: Record<string, unknown>): VersionRow | Outcome {
    if (this.store.runs.has(runId)) return this.rejectFile(state, lineNo, `a fork must create a new run, but run ${runId} already exists`);
    const sourceRun = this.store.runs.get(sourceVersion.runId);
    const v: VersionRow = { ...base, kind: 'fork', parent: sourceVersion.id, branchStep: source.step, lastStep: source.step, config: mergeConfig(sourceVersion.config, config) };
    const run = this.newRun(runId, versionId, project ?? sourceRun?.project, name, time, r);
    this.store.createRun({ ...run, forkVersion: sourceVersion.id, forkRun: sourceVersion.runId, forkStep: source.step }, v);
    return v;
  }

  private applyOp(state: FileState, type: string, r: Record<string, unknown>, time: number, lineNo: number): Outcome {
    const runId = r.run;
    if (typeof runId !== 'string' || !RUN_ID_PATTERN.test(runId)) return this.rejectFile(state, lineNo, `"run" must be a run id, got ${short(runId)}`);
    this.claim(state, runId);
    switch (type) {
      case 'rename': {
        const run = this.store.runs.get(runId);
        if (!run) return this.wait(state, lineNo, `run ${runId}`);
        const name = recordName(r.name);
        if (name === undefined) return this.rejectFile(state, lineNo, `"name" must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`);
        run.name = name;
        this.touchRun(run, time);
        return 'ok';
      }
      case 'delete': {
        const run = this.store.runs.get(runId);
        if (!run) return this.wait(state, lineNo, `run ${runId}`);
        run.deleted = true;
        this.touchRun(run, time);
        return 'ok';
      }
      case 'rewind':
      case 'fork': {
        const versionId = r.version;
        if (typeof versionId !== 'string' || !VERSION_ID.test(versionId)) return this.rejectFile(state, lineNo, `"version" must be a version id, got ${short(versionId)}`);
        if (this.store.versions.has(versionId)) return this.rejectFile(state, lineNo, `version ${versionId} already exists`);
        const source = type === 'rewind'
          ? this.sourceOf({ run: runId, version: r.source, step: r.step })
          : this.sourceOf(r.source);
        if (typeof source === 'string') return this.rejectFile(state, lineNo, source);
        const sourceVersion = this.store.versions.get(source.version);
        if (!sourceVersion) return this.wait(state, lineNo, `version ${source.version}`);
        const base = this.baseVersion(versionId, runId, type, time);
        const config = isPlainObject(r.config) ? r.config : undefined;
        const made = type === 'rewind'
          ? this.rewind(state, lineNo, runId, source, sourceVersion, base, config, time, undefined, undefined)
          : this.fork(state, lineNo, runId, versionId, source, sourceVersion, base, config, time, recordName(r.name), recordName(r.project), r);
        if (typeof made === 'string') return made;
        // A version made without a training process has no writer: it is finished until resumed.
        made.finished = true;
        made.exitCode = 0;
        made.endedAt = Number.isNaN(time) ? null : time;
        made.lastSeen = Number.isNaN(time) ? null : time;
        this.seen(made, time);
        return 'ok';
      }
      default:
        this.report(state, lineNo, 'error', `a ${JSON.stringify(type)} record belongs in a writer file, not an ops file; skipped`);
        return 'ok';
    }
  }

  private baseVersion(id: string, runId: string, kind: VersionRow['kind'], time: number): VersionRow {
    const t = Number.isNaN(time) ? 0 : time;
    return {
      id, runId, kind, parent: null, branchStep: null, archived: false, archivedAt: null, createdAt: t, updatedAt: t, endedAt: null,
      finished: false, exitCode: null, pid: null, host: null, heartbeat: null, lastSeen: null, lastStep: null, ownLastStep: null, config: {}, summary: {},
    };
  }

  private newRun(id: string, liveVersion: string, project: string | undefined, name: string | undefined, time: number, r: Record<string, unknown>): Omit<RunRow, 'seq'> {
    const t = Number.isNaN(time) ? 0 : time;
    const tags = Array.isArray(r.tags) ? r.tags.filter((x): x is string => typeof x === 'string') : [];
    return {
      id, project: project ?? 'uncategorized', name: name ?? id, liveVersion, createdAt: t, updatedAt: t, tags,
      notes: typeof r.notes === 'string' ? r.notes : '', forkVersion: null, forkRun: null, forkStep: null, deleted: false,
    };
  }

  private renameIfGiven(run: RunRow, name: string | undefined, project: string | undefined, time: number): void {
    if (name !== undefined) run.name = name;
    if (project !== undefined) run.project = project;
    this.touchRun(run, time);
  }

  private sourceOf(value: unknown): { run: string; version: string; step: number } | string {
    if (!isPlainObject(value)) return '"source" must be an object {"run", "version", "step"}';
    const { run, version, step } = value;
    if (typeof run !== 'string' || !RUN_ID_PATTERN.test(run)) return `"source.run" must be a run id, got ${short(run)}`;
    if (typeof version !== 'string' || !VERSION_ID.test(version)) return `"source.version" must be a version id, got ${short(version)}`;
    if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) return `"source.step" must be a non-negative integer, got ${short(step)}`;
    return { run, version, step };
  }

  /**
   * Notes that `state`'s file applies to `runId`. Files are applied in stamp order, so a file first listed
   * after a later-sorting file of the same run was applied arrived late (a writer's clock behind, a
   * writer that took no lock): applying it now would give another result than a rebuild. LateFileError
   * makes the engine rebuild instead, so the cached store always equals a rebuild.
   */
  private claim(state: FileState, runId: string): void {
    const latest = this.latest.get(runId);
    if (latest && latest.path !== state.path && latest.pass < state.seenPass && applyOrder(latest.path, state.path) > 0) {
      throw new LateFileError(state.path, latest.path);
    }
    if (state.run !== runId) {
      state.run = runId;
      state.dirty = true;
    }
    this.noteApplied(runId, state.path, this.passNo);
  }

  private noteApplied(runId: string, file: string, pass: number): void {
    const latest = this.latest.get(runId);
    if (!latest || applyOrder(latest.path, file) < 0) this.latest.set(runId, { path: file, pass });
  }

  private wait(state: FileState, lineNo: number, what: string): Outcome {
    this.waiting.set(state.path, { file: state.path, line: lineNo, severity: 'warning', message: `waiting for ${what}, which no log file read so far creates; the file is read again on the next pass` });
    return 'pending';
  }

  private rejectFile(state: FileState, lineNo: number, message: string): Outcome {
    this.report(state, lineNo, 'error', `${message}; the records of this file are not applied`);
    return 'reject';
  }

  private invalid(state: FileState, lineNo: number, message: string): Outcome {
    this.report(state, lineNo, 'error', `${message}; the record is skipped`);
    return 'ok';
  }

  private report(state: FileState, line: number, severity: Diagnostic['severity'], message: string): void {
    state.diagnostics = (state.diagnostics ?? this.countDiagnostics(state.path)) + 1;
    if (state.diagnostics > MAX_DIAGNOSTICS_PER_FILE) return;
    if (state.diagnostics === MAX_DIAGNOSTICS_PER_FILE) message = `${message} (further problems in this file are not reported)`;
    const diagnostic: Diagnostic = { file: state.path, line, severity, message };
    this.db.run('INSERT INTO diagnostics (file, line, severity, message) VALUES (?,?,?,?)', [state.path, line, severity, message]);
    this.pass?.diagnostics.push(diagnostic);
  }

  private countDiagnostics(file: string): number {
    return (this.db.get('SELECT COUNT(*) FROM diagnostics WHERE file=?', [file])?.[0] as number) ?? 0;
  }
}

/** The order files are applied in: by file name (the stamp), then by path. */
export function applyOrder(a: string, b: string): number {
  const x = path.basename(a);
  const y = path.basename(b);
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

/** A file arrived after a file that sorts after it was applied to the same run; see LogIngester.claim. */
export class LateFileError extends Error {
  constructor(readonly file: string, readonly after: string) {
    super(`${file} sorts before ${after}, which was applied first`);
  }
}

function safeReaddir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}


function short(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
