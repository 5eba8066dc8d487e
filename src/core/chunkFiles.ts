// Where a persisted store keeps the bytes of its sealed chunks: append-only files beside the snapshot,
// so the SQLite database holds only where each chunk is (a few MB at 50M points, not 500) and saving,
// opening and the memory of a big store follow the database, not the history. A full chunk never
// changes again (the appender rewrites only the last, partial one, which stays in its row), so its
// bytes are written once, here, and read back by position.
//
// Each process that appends writes a file of its own (two windows on one folder, or the command line
// beside the extension, never share a file being written), named in the database with the length that
// was durable when the snapshot was saved. A snapshot names every file it reads; a file no snapshot
// names is left over from a store that was rebuilt, or from a window whose snapshot lost to another's,
// and is deleted once it is an hour old.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunRewindError } from './errors';
import type { Db } from './sqlite';

/** Files not named by the store and untouched for this long are deleted (another process's file is touched as it appends). */
const STALE_MS = 60 * 60_000;
const SUFFIX = '.chunks';

interface ChunkFile {
  readonly id: number;
  readonly name: string;
  fd: number | undefined;
  /** Bytes written (by this process for the file it writes; as recorded for the others). */
  length: number;
}

/** The chunk files of a store whose rows name one (a row naming a file in a store without them is corrupt). */
export function chunkFilesOf(db: Db): ChunkFiles {
  if (!db.chunkFiles) throw new Error('a chunk is in a chunk file, but this store has none');
  return db.chunkFiles;
}

export class ChunkFiles {
  private readonly files = new Map<number, ChunkFile>();
  /** The file this process appends to, made on the first append. */
  private writing: ChunkFile | undefined;
  private synced = 0;
  /** Counts resets: a save that began before one must not sweep after it. */
  generation = 0;
  /** Files this process made or opened: never anyone else's, so deleted as soon as no snapshot names them. */
  private readonly own = new Set<string>();

  /** `snapshotPath`: the store's snapshot; the files are named after it, in its folder. */
  constructor(private readonly snapshotPath: string) {}

  /**
   * Opens the files a database loaded from the snapshot names. Returns what is wrong, if anything (a
   * file missing or shorter than when the snapshot was saved): the snapshot cannot be used then.
   */
  attach(db: Db): string | undefined {
    this.reset();
    for (const row of db.all('SELECT id, name, length FROM chunk_files')) {
      const [id, name, length] = row as [number, string, number];
      const file = this.pathOf(name);
      let size: number;
      try {
        size = fs.statSync(file).size;
      } catch {
        return `its chunk file ${file} is missing`;
      }
      if (size < length) return `its chunk file ${file} is shorter (${size} bytes) than when the snapshot was saved (${length})`;
      this.files.set(id, { id, name, fd: undefined, length });
      this.own.add(name);
    }
    return undefined;
  }

  /** Forgets every file (the store's chunks were all dropped): the next append starts a new file. */
  reset(): void {
    this.generation++;
    for (const file of this.files.values()) if (file.fd !== undefined) fs.closeSync(file.fd);
    this.files.clear();
    this.writing = undefined;
    this.synced = 0;
  }

  /** Appends the parts (null ones skipped) as one stretch of bytes; returns where they are. */
  append(parts: readonly (Uint8Array | null)[]): { file: number; at: number } {
    const file = this.writing ?? this.startFile();
    const at = file.length;
    for (const part of parts) {
      if (!part) continue;
      let done = 0;
      while (done < part.byteLength) done += fs.writeSync(file.fd!, part, done, part.byteLength - done, file.length + done);
      file.length += part.byteLength;
    }
    return { file: file.id, at };
  }

  /** The bytes at `at`, `length` long, of a file. */
  read(id: number, at: number, length: number): Uint8Array {
    return this.readInto(id, at, new Uint8Array(length));
  }

  /** The bytes at `at` of a file into `into` (filled whole): for readers that reuse one buffer. */
  readInto(id: number, at: number, into: Uint8Array): Uint8Array {
    const file = this.files.get(id);
    if (!file) throw new RunRewindError('internal', `The store names chunk file #${id}, which it does not have; run "Rebuild Store"`);
    const fd = this.fdOf(file);
    const length = into.byteLength;
    let done = 0;
    while (done < length) {
      const n = fs.readSync(fd, into, done, length - done, at + done);
      if (n === 0) throw new RunRewindError('internal', `The store's chunk file ${this.pathOf(file.name)} ends before byte ${at + length}; run "Rebuild Store"`);
      done += n;
    }
    return into;
  }

  /**
   * Makes what was appended durable and records each file's length in the database: called just before
   * the database is exported into the snapshot, which must never name bytes a crash could lose.
   */
  sync(db: Db): void {
    const file = this.record(db);
    if (!file) return;
    fs.fsyncSync(file.fd!);
    this.synced = Math.max(this.synced, file.length);
  }

  /**
   * The same in two halves, for a save that does not hold the thread: records the lengths now (before
   * the export) and returns what makes them durable (before the snapshot is written). The file is
   * synced through a handle of its own, so a store rebuilt meanwhile (which closes its files) does not
   * get in the way.
   */
  recordForSync(db: Db): () => Promise<void> {
    const file = this.record(db);
    if (!file) return async () => undefined;
    const name = this.pathOf(file.name);
    const length = file.length;
    return async () => {
      const handle = await fs.promises.open(name, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (this.writing === file) this.synced = Math.max(this.synced, length);
    };
  }

  /** Writes the file being appended to into chunk_files; returns it when it has bytes not yet synced. */
  private record(db: Db): ChunkFile | undefined {
    const file = this.writing;
    if (!file) return undefined;
    db.run('INSERT OR REPLACE INTO chunk_files (id, name, length) VALUES (?,?,?)', [file.id, file.name, file.length]);
    return file.length > this.synced ? file : undefined;
  }

  /**
   * Deletes this store's chunk files that the database does not name: at once for files this process
   * had, after an hour for others (another window's may still be in use; see the file's head).
   */
  sweep(db: Db): void {
    const named = new Set(db.all('SELECT name FROM chunk_files').map((r) => r[0] as string));
    if (this.writing) named.add(this.writing.name);
    const dir = path.dirname(this.snapshotPath);
    const prefix = `${path.basename(this.snapshotPath)}.`;
    let entries: string[];
    try {
      entries = fs.readdirSync(dir);
    } catch {
      return;
    }
    const now = Date.now();
    for (const entry of entries) {
      if (!entry.startsWith(prefix) || !entry.endsWith(SUFFIX)) continue;
      const name = entry.slice(prefix.length, -SUFFIX.length);
      if (named.has(name)) continue;
      const file = path.join(dir, entry);
      try {
        if (!this.own.has(name) && now - fs.statSync(file).mtimeMs < STALE_MS) continue;
        fs.rmSync(file, { force: true });
        this.own.delete(name);
      } catch {
        // In use elsewhere (Windows) or gone already: the next sweep tries again.
      }
    }
  }

  close(): void {
    this.reset();
  }

  private startFile(): ChunkFile {
    let id = 1;
    for (const known of this.files.keys()) id = Math.max(id, known + 1);
    const name = crypto.randomBytes(8).toString('hex');
    fs.mkdirSync(path.dirname(this.snapshotPath), { recursive: true });
    const fd = fs.openSync(this.pathOf(name), 'wx+');
    const file: ChunkFile = { id, name, fd, length: 0 };
    this.files.set(id, file);
    this.own.add(name);
    this.writing = file;
    this.synced = 0;
    return file;
  }

  private fdOf(file: ChunkFile): number {
    file.fd ??= fs.openSync(this.pathOf(file.name), 'r');
    return file.fd;
  }

  private pathOf(name: string): string {
    return `${this.snapshotPath}.${name}${SUFFIX}`;
  }
}
