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
import { LOG_EXTENSION, OPS_DIR, RUNS_DIR } from './protocol';
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
const READ_BLOCK = 8 * 1024 * 1024;
const MAX_LINE = 256 * 1024 * 1024;

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
  private readonly applier: RecordApplier<FileState>;

  constructor(
    private readonly db: Db,
    private readonly store: RunStore,
    readonly logDir: string,
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
    this.latest.clear();
    this.db.each('SELECT path, offset, line, version, status, run FROM files', [], (r) => {
      const state: FileState = { file: r[0] as string, origin: this.originOf(r[0] as string), offset: r[1] as number, line: r[2] as number, version: r[3] as string | null, run: r[5] as string | null, status: r[4] as FileStatus, dirty: false, seenPass: 0 };
      this.files.set(state.file, state);
      if (state.run !== null) this.noteApplied(state.run, state.file, 0);
    });
  }

  private originOf(file: string): RecordOrigin {
    return path.dirname(file) === this.opsDir ? 'ops' : 'writer';
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
          this.db.run('INSERT OR REPLACE INTO files (path, offset, line, version, status, run) VALUES (?,?,?,?,?,?)', [state.file, state.offset, state.line, state.version, state.status, state.run]);
          state.dirty = false;
        }
      }
      for (const id of this.store.takeChangedRuns()) result.changedRuns.add(id);
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
      // When a writer's file last grew, by the file system's clock: how a writer on another host is
      // judged alive (its own clock may be off). A refused or waiting file tells nothing about one.
      if (mtime !== undefined && state.origin === 'writer' && state.version !== null && (state.status === 'active' || state.status === 'done')) {
        this.store.modified(state.version, mtime);
      }
    }
  }

  private readOpen(state: FileState, budget: number, modified: (mtime: number) => void): boolean {
    let fd: number;
    try {
      // O_NONBLOCK: a FIFO planted in the log directory must not hang the reader in open().
      fd = fs.openSync(state.file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    } catch {
      return true; // deleted between listing and reading, or not readable now: tried again next pass
    }
    try {
      const stat = fs.fstatSync(fd);
      modified(stat.mtimeMs / 1000);
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

