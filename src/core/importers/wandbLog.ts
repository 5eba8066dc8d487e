// The framing of W&B's run files (`run-<id>.wandb`, its "datastore"): LevelDB's log format with W&B's
// own header and checksum. After a 7-byte header (":W&B", the magic 0xBEE1 little-endian, version 0) the
// file is a run of 32 KiB blocks holding physical records: CRC-32 (uint32 LE), length (uint16 LE), type
// (FULL 1, FIRST 2, MIDDLE 3, LAST 4), data. A logical record longer than what is left of a block is
// split FIRST, MIDDLE…, LAST across blocks; fewer than 7 bytes left at a block's end are zero padding.
// Unlike LevelDB (masked CRC-32C) the checksum is the plain zlib CRC-32 of the type byte followed by the
// data. The reader walks a buffer read from some offset, stops before a record not wholly written yet
// (read again when the file has grown) and reports damage, then goes on with what it can still frame.
import { buf as crc32 } from 'crc-32';

export const WANDB_HEADER_LENGTH = 7;
export const WANDB_BLOCK = 32 * 1024;
export const WANDB_RECORD_HEADER = 7;
export const WANDB_MAGIC = 0xbee1;
export const WANDB_VERSION = 0;

export const FULL = 1;
export const FIRST = 2;
export const MIDDLE = 3;
export const LAST = 4;

/** The CRC of each type byte alone: the seed the data's CRC continues from. */
const TYPE_SEEDS = [0, 1, 2, 3, 4].map((t) => crc32(new Uint8Array([t])));

/** W&B's checksum of a physical record: CRC-32 over the type byte, then the data. */
export function wandbChecksum(type: number, data: Uint8Array): number {
  const seed = type >= 0 && type < TYPE_SEEDS.length ? TYPE_SEEDS[type] : crc32(new Uint8Array([type]));
  return crc32(data, seed) >>> 0;
}

/** Checks the file header; returns why it is not a W&B run file, or undefined when it is one. */
export function checkWandbHeader(bytes: Uint8Array): string | undefined {
  if (bytes.length < WANDB_HEADER_LENGTH) return 'it is shorter than the 7-byte header of a W&B run file';
  const ident = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  const magic = bytes[4] | (bytes[5] << 8);
  if (ident !== ':W&B' || magic !== WANDB_MAGIC) return 'it does not start with the header of a W&B run file (":W&B" and magic 0xBEE1)';
  if (bytes[6] !== WANDB_VERSION) return `its header says format version ${bytes[6]}; only version ${WANDB_VERSION} is known`;
  return undefined;
}

export interface WandbFrame {
  /** Offset in the file of the logical record's first physical record. */
  readonly offset: number;
  readonly data: Uint8Array;
}

export interface WandbFrameProblem {
  readonly offset: number;
  readonly message: string;
}

export interface WandbFrameResult {
  readonly records: WandbFrame[];
  readonly problems: WandbFrameProblem[];
  /** Bytes of the buffer consumed: up to the end of the last whole logical record (or damage skipped). */
  readonly consumed: number;
}

/**
 * Frames the logical records in `buffer`, the file's bytes from `fileOffset` on (at least past the
 * header, and at a physical record's start). A physical record whose checksum does not match is skipped
 * with a problem, and so is the logical record it was part of; a header whose length runs past its block
 * makes the rest of that block unreadable, so the reader goes on at the next block. Either way the records
 * after the damage are kept.
 */
export function frameWandbLog(buffer: Uint8Array, fileOffset: number): WandbFrameResult {
  const records: WandbFrame[] = [];
  const problems: WandbFrameProblem[] = [];
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let at = 0;
  /** Where `at` may be committed: not inside a logical record whose end has not been read. */
  let safe = 0;
  let chainStart = -1;
  let chain: Uint8Array[] = [];
  const dropChain = (why: string): void => {
    if (chainStart < 0) return;
    problems.push({ offset: fileOffset + chainStart, message: `the record at byte ${fileOffset + chainStart} ${why}; it is skipped` });
    chainStart = -1;
    chain = [];
  };
  while (at < buffer.length) {
    const abs = fileOffset + at;
    const left = WANDB_BLOCK - (abs % WANDB_BLOCK);
    if (left < WANDB_RECORD_HEADER) {
      if (buffer.length - at < left) break; // the padding is not all written yet
      at += left;
      if (chainStart < 0) safe = at;
      continue;
    }
    if (buffer.length - at < WANDB_RECORD_HEADER) break; // torn header
    const checksum = view.getUint32(at, true);
    const length = view.getUint16(at + 4, true);
    const type = buffer[at + 6];
    if (type === 0 && length === 0 && checksum === 0) {
      // Zeros: a writer's padding of the rest of the block (LevelDB's preallocated "zero type").
      if (buffer.length - at < left) break;
      at += left;
      if (chainStart < 0) safe = at;
      continue;
    }
    if (WANDB_RECORD_HEADER + length > left) {
      // A length no writer can have written: the header is damaged, and so is everything to the block's end.
      if (buffer.length - at < left) break; // reported once the block is whole, so it is reported once
      dropChain('is cut short by damage later in the file');
      problems.push({ offset: abs, message: `the record header at byte ${abs} is damaged (its length ${length} runs past its 32 KiB block); the ${left} bytes to the end of the block are skipped` });
      at += left;
      safe = at;
      continue;
    }
    const end = at + WANDB_RECORD_HEADER + length;
    if (end > buffer.length) break; // torn: the writer has not finished it yet
    const data = buffer.subarray(at + WANDB_RECORD_HEADER, end);
    if (wandbChecksum(type, data) !== checksum) {
      dropChain('lost a part to damage');
      problems.push({ offset: abs, message: `the record at byte ${abs} is corrupt (its CRC-32 does not match); it is skipped` });
      at = end;
      safe = at;
      continue;
    }
    switch (type) {
      case FULL:
        dropChain('has no last part');
        records.push({ offset: abs, data });
        at = end;
        safe = at;
        break;
      case FIRST:
        dropChain('has no last part');
        chainStart = at;
        chain = [data];
        at = end;
        break;
      case MIDDLE:
      case LAST:
        if (chainStart < 0) {
          problems.push({ offset: abs, message: `the record part at byte ${abs} (${type === MIDDLE ? 'a middle' : 'a last'} part) has no first part; it is skipped` });
          at = end;
          safe = at;
          break;
        }
        chain.push(data);
        at = end;
        if (type === LAST) {
          records.push({ offset: fileOffset + chainStart, data: concat(chain) });
          chainStart = -1;
          chain = [];
          safe = at;
        }
        break;
      default:
        dropChain('has no last part');
        problems.push({ offset: abs, message: `the record at byte ${abs} has an unknown type ${type}; it is skipped` });
        at = end;
        safe = at;
    }
  }
  return { records, problems, consumed: safe };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A whole W&B run file's bytes for the given logical records, laid out as W&B's writer lays them out
 * (for tests and benchmarks): the header, then records split across 32 KiB blocks.
 */
export function encodeWandbLog(records: readonly Uint8Array[], header = true): Uint8Array {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const push = (bytes: Uint8Array): void => {
    chunks.push(bytes);
    offset += bytes.length;
  };
  if (header) push(new Uint8Array([0x3a, 0x57, 0x26, 0x42, WANDB_MAGIC & 0xff, WANDB_MAGIC >> 8, WANDB_VERSION]));
  for (const record of records) {
    let at = 0;
    let first = true;
    do {
      let left = WANDB_BLOCK - (offset % WANDB_BLOCK);
      if (left < WANDB_RECORD_HEADER) {
        push(new Uint8Array(left));
        left = WANDB_BLOCK;
      }
      const take = Math.min(record.length - at, left - WANDB_RECORD_HEADER);
      const last = at + take === record.length;
      const type = first && last ? FULL : first ? FIRST : last ? LAST : MIDDLE;
      const data = record.subarray(at, at + take);
      const physical = new Uint8Array(WANDB_RECORD_HEADER + take);
      const view = new DataView(physical.buffer);
      view.setUint32(0, wandbChecksum(type, data), true);
      view.setUint16(4, take, true);
      physical[6] = type;
      physical.set(data, WANDB_RECORD_HEADER);
      push(physical);
      at += take;
      first = false;
    } while (at < record.length);
  }
  return concat(chunks);
}
