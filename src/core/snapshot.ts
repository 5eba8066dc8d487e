// The persisted store: the SQLite bytes in an envelope that says which schema wrote them and carries a
// SHA-1 of the bytes, so a truncated or corrupt file is recognised before SQLite ever sees it. Written
// to a temporary file, synced, then renamed over the old one: a crash leaves the old or the new file,
// never a torn one.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const MAGIC = Buffer.from('RRSNAP\u0000\u0001', 'latin1');
const HEADER = 8 + 4 + 4 + 8 + 20;

export type SnapshotRead =
  | { readonly kind: 'ok'; readonly bytes: Uint8Array }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unusable'; readonly reason: string };

export function writeSnapshot(file: string, schema: number, bytes: Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(schema, 8);
  header.writeBigUInt64LE(BigInt(bytes.byteLength), 16);
  crypto.createHash('sha1').update(bytes).digest().copy(header, 24);
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
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
  fs.renameSync(temp, file);
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
  const digest = crypto.createHash('sha1').update(bytes).digest();
  if (!digest.equals(data.subarray(24, 44))) return { kind: 'unusable', reason: 'its checksum does not match (the file is corrupt)' };
  return { kind: 'ok', bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}
