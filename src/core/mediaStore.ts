// Writing a media file the way every writer does (docs/PROTOCOL.md, `media`): named by the SHA-256 of its
// bytes under the log directory's media/ folder, written to a temporary name and renamed, stored once
// however often it is logged. Importers use it for media other tools embed in their logs (TensorBoard's
// images and audio), so the chart panel shows them like the Python client's.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mediaFile } from './protocol';

export interface StoredMedia {
  readonly sha256: string;
  readonly size: number;
  readonly format: string;
}

/** Stores `bytes` as a media file of `format` (an extension: png, wav…) under `logDir`; returns its item fields. */
export function storeMediaFile(logDir: string, bytes: Uint8Array, format: string): StoredMedia {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const stored = { sha256, size: bytes.byteLength, format };
  const file = path.join(logDir, ...mediaFile(stored)!.split('/'));
  try {
    if (fs.statSync(file).size === bytes.byteLength) return stored;
  } catch {
    // not there yet
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  fs.writeFileSync(temp, bytes);
  fs.renameSync(temp, file);
  return stored;
}

/** The format of an encoded image, from its first bytes (TensorBoard does not say it). */
export function imageFormat(bytes: Uint8Array): string {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpg';
  if (bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46) return 'gif';
  if (bytes[0] === 0x52 && bytes[1] === 0x49 && bytes[2] === 0x46 && bytes[3] === 0x46 && bytes[8] === 0x57) return 'webp';
  return 'png';
}
