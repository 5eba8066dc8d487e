// The per-run critical section of docs/PROTOCOL.md ("Locks"): "read the logs, check, write the start or
// op record" runs while holding `locks/<run id>.lock`, a file created with O_EXCL. O_EXCL is atomic on
// local file systems and on NFSv3+ and the cluster file systems people share log directories on, so two
// processes on two hosts cannot both believe they hold it. A holder that died leaves the file behind:
// it is broken when its process is gone (same host) or when it is older than any critical section can
// take (any host). The Python client (python/runrewind/_lock.py) implements the same rules.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunRewindError } from './errors';
import { pidAlive } from './process';

export const LOCKS_DIR = 'locks';
/** A critical section is a directory listing, a read of new log lines and one small file: milliseconds. */
export const LOCK_STALE_SECONDS = 30;
/** How long a writer waits for another one's critical section before it gives up with an error. */
export const LOCK_TIMEOUT_SECONDS = 15;

export interface LockOwner {
  readonly host: string;
  readonly pid: number;
  /** Unix seconds when it was taken. */
  readonly time: number;
  /** What the holder is doing, for the message a waiting writer shows. */
  readonly what: string;
}

export interface LockOptions {
  readonly host?: string;
  readonly pid?: number;
  readonly timeoutSeconds?: number;
  readonly staleSeconds?: number;
  readonly pidAlive?: (pid: number) => boolean;
  readonly now?: () => number;
}

export function lockPath(logDir: string, runId: string): string {
  return path.join(logDir, LOCKS_DIR, `${runId}.lock`);
}

/** Runs `work` while holding the lock of `runId` in `logDir`. */
export function withRunLock<T>(logDir: string, runId: string, what: string, work: () => T, options: LockOptions = {}): T {
  const release = acquireRunLock(logDir, runId, what, options);
  try {
    return work();
  } finally {
    release();
  }
}

/** Takes the lock (waiting for another holder up to the timeout); returns the function that releases it. */
export function acquireRunLock(logDir: string, runId: string, what: string, options: LockOptions = {}): () => void {
  const now = options.now ?? ((): number => Date.now() / 1000);
  const host = options.host ?? os.hostname();
  const pid = options.pid ?? process.pid;
  const file = lockPath(logDir, runId);
  const content = JSON.stringify({ host, pid, time: now(), what } satisfies LockOwner);
  const deadline = Date.now() + (options.timeoutSeconds ?? LOCK_TIMEOUT_SECONDS) * 1000;
  let delay = 2;
  try {
    makeFolder(path.dirname(file));
  } catch (error) {
    throw new RunRewindError('io', `Cannot create the lock folder of run ${runId} in ${logDir}: ${(error as Error).message}`);
  }
  for (;;) {
    if (tryCreate(file, content)) {
      return () => releaseIfOurs(file, content);
    }
    const held = readLock(file);
    if (held !== undefined && isStale(held, host, options)) {
      breakStale(file, held.raw);
      continue;
    }
    if (Date.now() >= deadline) {
      const owner = held?.owner;
      const by = owner ? `pid ${owner.pid} on ${owner.host} (${owner.what}, since ${new Date(owner.time * 1000).toISOString()})` : 'another process';
      throw new RunRewindError('locked', `Run ${runId} is busy: ${by} is changing it. Nothing was written; try again when it is done (or remove ${file} if that process is gone).`);
    }
    sleep(delay);
    delay = Math.min(100, delay * 2);
  }
}

/**
 * Makes the locks folder, or leaves it to the next round: a Python client removes it (and a log folder it
 * made) when empty after releasing, so it can go between mkdir's steps (EEXIST, then ENOENT on its check);
 * tryCreate's ENOENT makes it again. A file where the folder should be is still an error.
 */
function makeFolder(folder: string): void {
  try {
    fs.mkdirSync(folder, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOENT') throw error;
    let stat: fs.Stats | undefined;
    try {
      stat = fs.lstatSync(folder);
    } catch {
      return; // gone again meanwhile
    }
    if (!stat.isDirectory()) throw error;
  }
}

function tryCreate(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o644);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'ENOENT') {
      // The folder went (a Python client removes it when empty after releasing): make it and retry.
      makeFolder(path.dirname(file));
      return false;
    }
    throw new RunRewindError('io', `Cannot create the lock file ${file}: ${(error as Error).message}`);
  }
  try {
    fs.writeSync(fd, content);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

interface HeldLock {
  readonly file: string;
  readonly raw: string;
  readonly owner: LockOwner | undefined;
  readonly mtime: number;
}

function readLock(file: string): HeldLock | undefined {
  try {
    const raw = fs.readFileSync(file, 'utf8');
    const mtime = fs.statSync(file).mtimeMs / 1000;
    let owner: LockOwner | undefined;
    try {
      const parsed = JSON.parse(raw) as Partial<LockOwner>;
      if (typeof parsed.host === 'string' && typeof parsed.pid === 'number' && typeof parsed.time === 'number') {
        owner = { host: parsed.host, pid: parsed.pid, time: parsed.time, what: typeof parsed.what === 'string' ? parsed.what : '' };
      }
    } catch {
      // written half, or by something else: judged by its age alone
    }
    return { file, raw, owner, mtime };
  } catch {
    return undefined; // released meanwhile
  }
}

function isStale(held: HeldLock, host: string, options: LockOptions): boolean {
  const staleAfter = options.staleSeconds ?? LOCK_STALE_SECONDS;
  const owner = held.owner;
  if (owner && owner.host === host && owner.pid !== process.pid && !(options.pidAlive ?? pidAlive)(owner.pid)) return true;
  // Ages from the file's own timestamp (the file server's clock), so a holder's skewed clock cannot
  // make a fresh lock look old; the recorded time is only a fallback. A lock that looks old by this
  // host's clock is aged again by the file server's (a probe file), so a host whose clock is ahead
  // never breaks a fresh lock.
  const age = (now: number): number => now - held.mtime;
  const looksStale = (a: number): boolean => a > staleAfter || (!owner && a > 5); // !owner: its holder died between creating and writing it
  const hostNow = options.now?.() ?? Date.now() / 1000;
  if (!looksStale(age(hostNow))) return false;
  return looksStale(age(fileSystemNow(path.dirname(held.file)) ?? hostNow));
}

/**
 * Now by the clock of the file system holding `dir` (unix seconds), read from the modification time of a
 * probe file made and removed there; undefined when it cannot be made. Modification times of files
 * written by other hosts are compared with this, never with this host's clock.
 */
export function fileSystemNow(dir: string): number | undefined {
  const probe = path.join(dir, `.clock-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  let fd: number;
  try {
    fd = fs.openSync(probe, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o644);
  } catch {
    return undefined;
  }
  try {
    return fs.fstatSync(fd).mtimeMs / 1000;
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
    fs.rmSync(probe, { force: true });
  }
}

/**
 * Removes a stale lock, but only the one that was judged stale: a second-level `.break` file (also
 * O_EXCL) makes sure two processes that both saw the stale lock do not remove a fresh one taken in
 * between by a third.
 */
function breakStale(file: string, raw: string): void {
  const breaker = `${file}.break`;
  if (!tryCreate(breaker, String(process.pid))) {
    try {
      if (Date.now() / 1000 - fs.statSync(breaker).mtimeMs / 1000 > LOCK_STALE_SECONDS) fs.rmSync(breaker, { force: true });
    } catch {
      // gone meanwhile
    }
    sleep(5);
    return;
  }
  try {
    if (readLock(file)?.raw === raw) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

function releaseIfOurs(file: string, content: string): void {
  try {
    if (fs.readFileSync(file, 'utf8') === content) fs.rmSync(file, { force: true });
  } catch {
    // already broken as stale by someone else: nothing to release
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
