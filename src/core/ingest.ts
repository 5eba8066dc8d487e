// Read: tails a log directory into the run store. Lists the files of runs/ and ops/ in apply order,
// reads each from the byte offset reached last time to its last complete line (a torn last line waits
// for its end; a file that shrank, a pipe or a device is refused), and hands each line to records.ts
// (parse) and apply.ts (apply). Offsets live in the store's own database, so a snapshot never disagrees
// with what it has read. A file that turns up after a later-sorting file of its run was applied throws
// LateFileError, so the engine reads everything again in order (claim).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from './api';
import { RecordApplier } from './apply';
import type { ApplySink, Outcome, RecordSource } from './apply';
import { logFs } from './logFs';
import { CHANGES_DIR, LOG_EXTENSION, OPS_DIR, QUIET_RECORD_TYPES, RUNS_DIR, markedRun } from './protocol';
import { RecordProblem, parseRecord } from './records';
import type { RecordOrigin } from './records';
import type { Db } from './sqlite';
import type { RunStore } from './store';

/**
 * active: read on every pass; pending: waits for a file that creates what it refers to; rejected: not
 * read (a diagnostic says why); done: its writer finished, or it is an applied ops file: never grows.
 */
type FileStatus = 'active' | 'pending' | 'rejected' | 'done';

interface FileState extends RecordSource {
  /** 'ops': one UI or command-line operation; 'writer': a writer's file. */
  readonly origin: RecordOrigin;
  offset: number;
  /** The last line read (applied, skipped or blank). */
  line: number;
  /** The run its first record applied to (a writer's run, an op's run); null until then. */
  run: string | null;
  status: FileStatus;
  /** Persisted state differs from the database. */
  dirty: boolean;
  /** The pass that first listed it (0: listed before this process loaded the store). */
  readonly seenPass: number;
  diagnostics?: number;
  /** When it was last opened (Date.now()) and its modification time then (ms, the file system's clock). */
  checkedAt?: number;
  mtimeMs?: number;
  /** The time of the last record read (the writer's clock), and the newest of those that are signs of life. */
  lastTime?: number;
  lifeTime?: number;
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

const MAX_DIAGNOSTICS_PER_FILE = 100;
/**
 * Run folders looked at per pass besides those a change marker or a new folder names: a directory of at
 * most this many runs is looked at whole on every pass; a bigger one over many passes, which finds the
 * files of writers that leave no change marker (older clients, hand-written files).
 */
const SWEEP_PER_PASS = 32;
/**
 * A store opened from its snapshot follows the change markers made up to this long before the newest file
 * it had read (writers on two hosts can make markers out of stamp order), not every run folder.
 */
const MARKER_CATCH_UP_MS = 10 * 60_000;
/**
 * An unfinished file of a crashed version that has not grown for this long (by its modification time)
 * is opened about every QUIET_CHECK_MS instead of on every pass, so a directory of many crashed runs does
 * not cost three calls per crashed run per poll. A running writer (alive by its pid on this host, or
 * writing at least an `alive` record every heartbeat) is never quiet.
 */
const QUIET_AFTER_MS = 60_000;
const QUIET_CHECK_MS = 30_000;
/** A folder modified this recently is read again even when its time did not change (coarse timestamps). */
const COARSE_MTIME_MS = 2000;
const READ_BLOCK = 8 * 1024 * 1024;
const MAX_LINE = 256 * 1024 * 1024;

export class LogIngester {
  private readonly files = new Map<string, FileState>();
  /** Files waiting for a run or version another file creates; reported, not persisted. */
  private readonly waiting = new Map<string, Diagnostic>();
  private readonly listings = new Map<string, { mtime: number; entries: string[] }>();
  /** The log files of each run folder, as last looked at: with the ops folder's, what listFiles answers. */
  private readonly runFiles = new Map<string, string[]>();
  /** Change markers already followed. */
  private readonly markersSeen = new Set<string>();
  /** Where the sweep of run folders goes on (an index into the runs folder's listing). */
  private sweepAt = 0;
  /** False until every run folder has been looked at once (not needed after a reload from the database). */
  private listed = false;
  /** After a reload: markers named before this (a stamp prefix) were followed before the store was saved. */
  private markerFloor: string | undefined;
  private sorted: string[] | undefined;
  /**
   * Every pass looks at every run folder and opens every unfinished file, as the reader did before change
   * markers and quiet files: the baseline bench/sharedDir.ts measures in the same run. Never set otherwise.
   */
  lookEverywhere = false;
  /** Per run, the latest file (in apply order) that applied a record to it, and the pass that did. */
  private readonly latest = new Map<string, { readonly path: string; readonly pass: number }>();
  private passNo = 0;
  private pass: PassResult | undefined;
  private readonly opsDir: string;
  private readonly applier: RecordApplier<FileState>;

  constructor(
    private readonly db: Db,
    private readonly store: RunStore,
    readonly logDir: string,
    /** Now by the log directory's file system clock, in unix seconds (folder times are by that clock). */
    private readonly fsNow: () => number = () => Date.now() / 1000,
  ) {
    this.opsDir = path.join(logDir, OPS_DIR);
    const sink: ApplySink<FileState> = {
      report: (state, severity, message) => this.report(state, state.line, severity, message),
      wait: (state, what) => {
        this.waiting.set(state.file, { file: state.file, line: state.line, severity: 'warning', message: `waiting for ${what}, which no log file read so far creates; the file is read again on the next pass` });
      },
      claim: (state, runId) => this.claim(state, runId),
      appended: (_state, points) => {
        const pass = this.pass!;
        pass.rows++;
        pass.points += points;
      },
    };
    this.applier = new RecordApplier(store, sink);
    this.reload();
  }

  reload(): void {
    this.files.clear();
    this.waiting.clear();
    this.listings.clear();
    this.runFiles.clear();
    this.markersSeen.clear();
    this.listed = false;
    this.markerFloor = undefined;
    this.sorted = undefined;
    this.latest.clear();
    this.db.each('SELECT path, offset, line, version, status, run FROM files', [], (r) => {
      const state: FileState = { file: r[0] as string, origin: this.originOf(r[0] as string), offset: r[1] as number, line: r[2] as number, version: r[3] as string | null, run: r[5] as string | null, status: r[4] as FileStatus, dirty: false, seenPass: 0 };
      this.files.set(state.file, state);
      if (state.run !== null) this.noteApplied(state.run, state.file, 0);
    });
    // A store that had read the directory (a snapshot, a rolled-back pass) knows its run folders' files:
    // it goes on from the markers made since, new run folders and the sweep, not a look at every folder.
    const runsDir = path.join(this.logDir, RUNS_DIR);
    let newest = '';
    for (const file of this.files.keys()) {
      const dir = path.dirname(file);
      if (path.dirname(dir) !== runsDir) continue;
      const list = this.runFiles.get(dir);
      if (list) list.push(file);
      else this.runFiles.set(dir, [file]);
      const name = path.basename(file);
      if (name > newest) newest = name;
    }
    if (this.runFiles.size > 0) {
      this.listed = true;
      this.markerFloor = String(Math.max(0, Number(newest.slice(0, 13)) - MARKER_CATCH_UP_MS)).padStart(13, '0');
    }
  }

  private originOf(file: string): RecordOrigin {
    return path.dirname(file) === this.opsDir ? 'ops' : 'writer';
  }

  /**
   * Files of the log directory in the order they must be applied. The ops folder is listed before the
   * runs folders: an op is written after the writer files it was checked against (under the run's
   * lock), so seeing the op means those files already exist when the runs folders are listed.
   *
   * A pass does not look at every run folder: the first one does (unless the store was saved with what it
   * had read); later ones look at the run folders that are new, those change markers name (a writer leaves
   * one per file it creates), and a few more of a sweep. Files already known are read by offset whatever
   * their folder. So a poll of 10,000 finished runs costs a few folder stats, not 10,000.
   */
  listFiles(): string[] {
    const ops = this.logFilesIn(path.join(this.logDir, OPS_DIR), false);
    const runsDir = path.join(this.logDir, RUNS_DIR);
    const runDirs = this.logFilesIn(runsDir, true);
    const full = this.lookEverywhere || !this.listed;
    const look = new Set<string>();
    if (full) {
      for (const dir of runDirs) look.add(dir);
      this.runFiles.clear();
      this.markMarkersSeen();
    } else {
      for (const dir of runDirs) if (!this.runFiles.has(dir)) look.add(dir);
      for (const run of this.newMarkedRuns()) look.add(path.join(runsDir, run));
      for (const dir of this.lookNext) look.add(dir);
      const sweep = Math.min(SWEEP_PER_PASS, runDirs.length);
      for (let i = 0; i < sweep; i++) look.add(runDirs[(this.sweepAt + i) % runDirs.length]);
      this.sweepAt = runDirs.length > 0 ? (this.sweepAt + sweep) % runDirs.length : 0;
    }
    this.lookNext.clear();
    this.listed = true;
    let changed = this.sorted === undefined || this.sorted.length === 0 || ops !== this.lastOps;
    this.lastOps = ops;
    for (const dir of look) {
      const before = this.runFiles.get(dir);
      const files = this.logFilesIn(dir, false);
      if (files.length === 0 && !this.listings.has(dir)) this.runFiles.delete(dir); // gone
      else this.runFiles.set(dir, files);
      if (files !== before) changed = true;
    }
    if (!changed) return this.sorted!;
    const found = [...ops];
    for (const files of this.runFiles.values()) found.push(...files);
    this.sorted = this.sorted ? resortForApply(this.sorted, found) : sortForApply(found);
    return this.sorted;
  }

  private lastOps: string[] | undefined;
  private readonly lookNext = new Set<string>();
  /** Runs whose files the next pass opens even when they are quiet. */
  private readonly readNext = new Set<string>();

  /**
   * Makes the next pass look at a run's folder and open each of its unfinished files (before a rewind
   * or fork checks the run against them: a writer that leaves no change marker, or came back after a
   * quiet spell, must not be missed).
   */
  lookAt(runId: string): void {
    this.lookNext.add(path.join(this.logDir, RUNS_DIR, runId));
    this.readNext.add(runId);
  }

  /** Run ids named by change markers not followed yet (none when the folder did not change). */
  private newMarkedRuns(): string[] {
    const runs: string[] = [];
    const floor = this.markerFloor;
    this.markerFloor = undefined;
    for (const name of this.markersIn()) {
      if (this.markersSeen.has(name)) continue;
      this.markersSeen.add(name);
      if (floor !== undefined && name < floor) continue;
      const run = markedRun(name);
      if (run !== undefined) runs.push(run);
    }
    return runs;
  }

  /** After a full listing every marker there is has been followed. */
  private markMarkersSeen(): void {
    this.markersSeen.clear();
    for (const name of this.markersIn()) this.markersSeen.add(name);
  }

  private markersIn(): string[] {
    const dir = path.join(this.logDir, CHANGES_DIR);
    return this.folderEntries(dir, (e) => e.isFile()).map((file) => path.basename(file));
  }

  /** The log files (or, for `dirs`, the subfolders) of a folder. */
  private logFilesIn(dir: string, dirs: boolean): string[] {
    return this.folderEntries(dir, (e) => (dirs ? e.isDirectory() : e.isFile() && e.name.endsWith(LOG_EXTENSION)));
  }

  /**
   * The entries of a folder that pass `keep`, as full paths. A folder's listing is reused (the same
   * array) while its modification time stays the same, so looking at an unchanged folder costs a stat,
   * not a readdir; a folder changed in the last two seconds is always read again, for file systems whose
   * timestamps are coarse.
   */
  private folderEntries(dir: string, keep: (e: fs.Dirent) => boolean): string[] {
    let mtime: number;
    try {
      mtime = logFs.stat(dir).mtimeMs;
    } catch {
      this.listings.delete(dir);
      return [];
    }
    const cached = this.listings.get(dir);
    if (cached && cached.mtime === mtime && this.fsNow() * 1000 - mtime > COARSE_MTIME_MS) return cached.entries;
    const entries = safeReaddir(dir).filter(keep).map((e) => path.join(dir, e.name));
    if (cached && sameList(cached.entries, entries)) {
      cached.mtime = mtime;
      return cached.entries;
    }
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
        if (state.status === 'active' && !(state.run !== null && this.readNext.has(state.run)) && this.quiet(state)) continue;
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
          this.db.run('INSERT OR REPLACE INTO files (path, offset, line, version, status, run) VALUES (?,?,?,?,?,?)', [state.file, state.offset, state.line, state.version, state.status, state.run]);
          state.dirty = false;
        }
      }
      for (const id of this.store.takeChangedRuns()) result.changedRuns.add(id);
      this.readNext.clear();
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
        total += Math.max(0, logFs.stat(file).size - (state?.offset ?? 0));
      } catch {
        // deleted meanwhile
      }
    }
    return total;
  }

  /**
   * Whether an active file can be left unopened this pass: its version is crashed, it has not grown for
   * QUIET_AFTER_MS, and it was opened less than its check interval ago (0.5 to 1.5 times QUIET_CHECK_MS,
   * spread by its name, so a directory of crashed runs costs a few of them a pass, not all at once).
   */
  private quiet(state: FileState): boolean {
    if (this.lookEverywhere || state.checkedAt === undefined || state.mtimeMs === undefined || state.version === null) return false;
    if (this.fsNow() * 1000 - state.mtimeMs < QUIET_AFTER_MS) return false;
    const version = this.store.versions.get(state.version);
    if (!version || this.store.stateOf(version) !== 'crashed') return false;
    return Date.now() - state.checkedAt < QUIET_CHECK_MS * (0.5 + spread(state.file));
  }

  /** Diagnostics for files that wait for another file. */
  waitingDiagnostics(): Diagnostic[] {
    return [...this.waiting.values()];
  }

  private stateOf(file: string): FileState {
    let state = this.files.get(file);
    if (!state) {
      state = { file, origin: this.originOf(file), offset: 0, line: 0, version: null, run: null, status: 'active', dirty: true, seenPass: this.passNo };
      this.files.set(file, state);
    }
    return state;
  }

  /** Reads a file's complete new lines within `budget` bytes; false when the budget stopped it. */
  private readFile(state: FileState, budget: number): boolean {
    let mtime: number | undefined;
    try {
      return this.readOpen(state, budget, (m) => (mtime = m));
    } finally {
      // When a writer last gave a sign of life, by the file system's clock: how a writer on another
      // host is judged alive (its own clock may be off). The file's modification time is when its last
      // record was written; the sign of life came as long before it as their times differ, both by the
      // writer's clock. A refused or waiting file tells nothing about its version's writer.
      if (mtime !== undefined && state.lastTime !== undefined && state.lifeTime !== undefined && state.version !== null && (state.status === 'active' || state.status === 'done')) {
        this.store.modified(state.version, mtime - Math.max(0, state.lastTime - state.lifeTime));
      }
    }
  }

  private readOpen(state: FileState, budget: number, modified: (mtime: number) => void): boolean {
    let fd: number;
    try {
      // O_NONBLOCK: a FIFO planted in the log directory must not hang the reader in open().
      fd = logFs.open(state.file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    } catch {
      return true; // deleted between listing and reading, or not readable now: tried again next pass
    }
    try {
      const stat = logFs.fstat(fd);
      modified(stat.mtimeMs / 1000);
      state.checkedAt = Date.now();
      state.mtimeMs = stat.mtimeMs;
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
        const read = logFs.read(fd, buffer, 0, length, state.offset);
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
      logFs.close(fd);
    }
  }

  private skipLongLine(fd: number, state: FileState, size: number): void {
    const buffer = Buffer.allocUnsafe(READ_BLOCK);
    let at = state.offset;
    while (at < size) {
      const read = logFs.read(fd, buffer, 0, Math.min(READ_BLOCK, size - at), at);
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
        state.line = lineNo;
        const outcome = this.applyLine(state, line);
        if (outcome === 'wait' || outcome === 'reject') {
          state.line = lineNo - 1;
          this.setStatus(state, outcome === 'wait' ? 'pending' : 'rejected');
          return -1;
        }
        // A writer's finish is its last record, an ops file holds one: what follows is not read.
        if (outcome === 'ended') this.setStatus(state, 'done');
      }
      state.line = lineNo;
      count++;
      if (state.status === 'done') {
        this.waiting.delete(state.file);
        if (state.origin === 'writer' && nl < text.length && text.slice(nl + 1).trim() !== '') {
          this.report(state, lineNo + 1, 'warning', `the writer finished on line ${lineNo}; the lines after its finish record are not read`);
        }
        return -1;
      }
      if (nl === text.length) break;
    }
    this.waiting.delete(state.file);
    return count;
  }

  private setStatus(state: FileState, status: FileStatus): void {
    state.status = status;
    state.dirty = true;
  }

  /** Parses one line and applies it: what the line asks of its file's status. */
  private applyLine(state: FileState, line: string): Outcome {
    const parsed = parseRecord(line, state.origin);
    if (!(parsed instanceof RecordProblem) && state.origin === 'writer' && Number.isFinite(parsed.time)) {
      state.lastTime = parsed.time;
      // The newest, as the store keeps lastSeen (python/runrewind/_logs.py does the same).
      if (!QUIET_RECORD_TYPES.has(parsed.type)) state.lifeTime = Math.max(state.lifeTime ?? parsed.time, parsed.time);
    }
    const version = state.version;
    const outcome = parsed instanceof RecordProblem ? this.applier.refuse(parsed, state) : this.applier.apply(parsed, state);
    if (state.version !== version) state.dirty = true;
    return outcome;
  }

  /**
   * Notes that `state`'s file applies to `runId`. Files are applied in stamp order, so a file first listed
   * after a later-sorting file of the same run was applied arrived late (a writer's clock behind, a
   * writer that took no lock): applying it now would give another result than a rebuild. LateFileError
   * makes the engine rebuild instead, so the cached store always equals a rebuild.
   */
  private claim(state: FileState, runId: string): void {
    const latest = this.latest.get(runId);
    if (latest && latest.path !== state.file && latest.pass < state.seenPass && applyOrder(latest.path, state.file) > 0) {
      throw new LateFileError(state.file, latest.path);
    }
    if (state.run !== runId) {
      state.run = runId;
      state.dirty = true;
    }
    this.noteApplied(runId, state.file, this.passNo);
  }

  private noteApplied(runId: string, file: string, pass: number): void {
    const latest = this.latest.get(runId);
    if (!latest || applyOrder(latest.path, file) < 0) this.latest.set(runId, { path: file, pass });
  }

  private report(state: FileState, line: number, severity: Diagnostic['severity'], message: string): void {
    state.diagnostics = (state.diagnostics ?? this.countDiagnostics(state.file)) + 1;
    if (state.diagnostics > MAX_DIAGNOSTICS_PER_FILE) return;
    if (state.diagnostics === MAX_DIAGNOSTICS_PER_FILE) message = `${message} (further problems in this file are not reported)`;
    const diagnostic: Diagnostic = { file: state.file, line, severity, message };
    this.db.run('INSERT INTO diagnostics (file, line, severity, message) VALUES (?,?,?,?)', [state.file, line, severity, message]);
    this.pass?.diagnostics.push(diagnostic);
  }

  private countDiagnostics(file: string): number {
    return (this.db.get('SELECT COUNT(*) FROM diagnostics WHERE file=?', [file])?.[0] as number) ?? 0;
  }
}

/** The order files are applied in: by file name (the stamp), then by path. */
export function applyOrder(a: string, b: string): number {
  return compareApply(path.basename(a), a, path.basename(b), b);
}

function compareApply(x: string, a: string, y: string, b: string): number {
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `files` in applyOrder, each name taken once: sorting 10,000 paths by applyOrder took each basename
 * again in every comparison (a quarter of a second after a fork at 10,000 runs).
 */
function sortForApply(files: readonly string[]): string[] {
  const keyed = files.map((file) => ({ name: path.basename(file), file }));
  keyed.sort((p, q) => compareApply(p.name, p.file, q.name, q.file));
  return keyed.map((k) => k.file);
}

/**
 * `files` in applyOrder, given the same list sorted before a few files came or went (a fork's op file
 * and run folder): the newcomers are put in place one by one, so a pass after a change costs a walk
 * over the list, not a sort of it. Many newcomers are sorted with the rest.
 */
export function resortForApply(previous: readonly string[], files: readonly string[]): string[] {
  const now = new Set(files);
  const kept = previous.filter((file) => now.has(file));
  const before = new Set(kept);
  const added = files.filter((file) => !before.has(file));
  if (added.length > 64) return sortForApply(files);
  for (const file of added) {
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (applyOrder(kept[mid], file) < 0) lo = mid + 1;
      else hi = mid;
    }
    kept.splice(lo, 0, file);
  }
  return kept;
}

/** A file arrived after a file that sorts after it was applied to the same run; see LogIngester.claim. */
export class LateFileError extends Error {
  constructor(readonly file: string, readonly after: string) {
    super(`${file} sorts before ${after}, which was applied first`);
  }
}

/** A number in [0, 1) from a file's name (FNV-1a), to spread checks of quiet files over time. */
function spread(file: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < file.length; i++) h = Math.imul(h ^ file.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 2 ** 32;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function safeReaddir(dir: string): fs.Dirent[] {
  try {
    return logFs.readdir(dir);
  } catch {
    return [];
  }
}

