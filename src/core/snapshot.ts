// The persisted store: the SQLite bytes in an envelope that says which schema wrote them and carries an
// HMAC-SHA256 of the bytes under a key only this user has (snapshotKey), so a truncated, corrupt or
// planted file (a snapshot committed into a repository's log directory, say) is recognised before SQLite
// ever sees it, and the store is rebuilt from the logs instead. Written to a temporary file, synced, then
// renamed over the old one: a crash leaves the old or the new file, never a torn one.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const MAGIC = Buffer.from('RRSNAP\u0000\u0002', 'latin1');
const MAC_LENGTH = 32;
const HEADER = 8 + 4 + 4 + 8 + MAC_LENGTH;

let cachedKey: Buffer | undefined;

/**
 * The user's snapshot key: 32 random bytes in a file readable by this user only, made on first use
 * (`$RUNREWIND_SNAPSHOT_KEY` names another file). Where no such file can be kept, a key for this
 * process alone: snapshots are then never reused, which costs a rebuild, never a wrong store.
 *
 * Several stores start at once (one worker per workspace folder, several windows), so the file is
 * published whole: written under a name of its own, then hard-linked into place, which fails if another
 * process got there first — whose key every process then reads. Creating the key file itself with `wx`
 * and writing it afterwards let a second process read it empty, sign with a key of its own, and find its
 * snapshot "corrupt" on the next start.
 */
export function snapshotKey(): Buffer {
  if (cachedKey) return cachedKey;
  const configHome = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  const file = process.env.RUNREWIND_SNAPSHOT_KEY || path.join(configHome, 'runrewind', 'snapshot.key');
  const existing = readKey(file);
  if (existing) return (cachedKey = existing);
  const fresh = crypto.randomBytes(32);
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(temp, fresh, { flag: 'wx', mode: 0o600 });
    try {
      fs.linkSync(temp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Another process published its key first; a file too short to be a key (left by an older
      // version's race) is replaced, and whichever replacement lands is read back by everyone.
      if (!readKey(file)) fs.renameSync(temp, file);
    }
  } catch {
    return (cachedKey = fresh); // no place for a key
  } finally {
    fs.rmSync(temp, { force: true });
  }
  return (cachedKey = readKey(file) ?? fresh);
}

function readKey(file: string): Buffer | undefined {
  try {
    const key = fs.readFileSync(file);
    return key.length >= 32 ? key : undefined;
  } catch {
    return undefined;
  }
}

function mac(bytes: Uint8Array, schema: number): Buffer {
  return crypto.createHmac('sha256', snapshotKey()).update(String(schema)).update(bytes).digest();
}

export type SnapshotRead =
  | { readonly kind: 'ok'; readonly bytes: Uint8Array }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unusable'; readonly reason: string };

/** The snapshot file's head: magic, schema, length and the bytes' HMAC. */
function headerOf(schema: number, bytes: Uint8Array): Buffer {
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(schema, 8);
  header.writeBigUInt64LE(BigInt(bytes.byteLength), 16);
  mac(bytes, schema).copy(header, 24);
  return header;
}

function tempOf(file: string): string {
  return `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
}

export function writeSnapshot(file: string, schema: number, bytes: Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const header = headerOf(schema, bytes);
  const temp = tempOf(file);
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeSync(fd, header);
    let at = 0;
    while (at < bytes.byteLength) at += fs.writeSync(fd, bytes, at, Math.min(bytes.byteLength - at, 16 * 1024 * 1024));
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * writeSnapshot without holding the thread for the writing and syncing (the store worker goes on
 * answering meanwhile); the same file, written the same way.
 */
export async function writeSnapshotAsync(file: string, schema: number, bytes: Uint8Array): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const header = headerOf(schema, bytes);
  const temp = tempOf(file);
  const handle = await fs.promises.open(temp, 'w');
  try {
    await handle.writev([header, bytes]);
    await handle.sync();
    await handle.close();
    await fs.promises.rename(temp, file);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
}

export function readSnapshot(file: string, schema: number): SnapshotRead {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unusable', reason: `it cannot be read (${(error as Error).message})` };
  }
  if (data.length < HEADER || !data.subarray(0, 8).equals(MAGIC)) return { kind: 'unusable', reason: 'it is not a Run Rewind snapshot' };
  const written = data.readUInt32LE(8);
  if (written !== schema) return { kind: 'unusable', reason: `it was written with store schema ${written}, this version uses ${schema}` };
  const length = Number(data.readBigUInt64LE(16));
  if (data.length - HEADER !== length) return { kind: 'unusable', reason: `it is truncated (${data.length - HEADER} of ${length} bytes)` };
  const bytes = data.subarray(HEADER);
  if (!crypto.timingSafeEqual(mac(bytes, schema), data.subarray(24, 24 + MAC_LENGTH))) {
    return { kind: 'unusable', reason: 'its checksum does not match (the file is corrupt, or was not written by this user)' };
  }
  return { kind: 'ok', bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}
