// TFRecord framing, as TensorFlow's record writer lays it out: per record, the data length (uint64,
// little-endian), the masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data.
// The reader walks a buffer of a file read from some offset, stops before a torn record (read again when
// the file has grown) and reports a record whose checksums do not match, then goes on with the next.
import { buf as crc32c } from 'crc-32/crc32c';

export const TFRECORD_HEADER = 12;
export const TFRECORD_FOOTER = 4;
/** A length beyond this is not a record but damage: the reader says so instead of waiting for it. */
export const MAX_TFRECORD = 256 * 1024 * 1024;

/** TensorFlow's mask: rotate right by 15 bits and add a constant, so a CRC of CRCs is not a CRC. */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

export interface FramedRecord {
  /** Offset of the record's header in the file. */
  readonly offset: number;
  /** The record's data (a view into the buffer read). */
  readonly data: Uint8Array;
  /** Where the data lies in the buffer framed: decoders read it there, without a reader per record. */
  readonly start: number;
  readonly end: number;
}

export interface FrameProblem {
  readonly offset: number;
  readonly message: string;
  /** True when nothing after `offset` can be framed (a damaged length): the rest of the file is not read. */
  readonly fatal: boolean;
}

export interface FrameResult {
  readonly records: FramedRecord[];
  readonly problems: FrameProblem[];
  /** Bytes of the buffer consumed: whole records (good or with a bad data checksum) only. */
  readonly consumed: number;
}

/** What visitRecords finds, in file order. */
export interface FrameVisitor {
  /** A whole record whose checksums match: its data is `bytes[start, end)` of the buffer visited. */
  record(offset: number, start: number, end: number, data: Uint8Array): void;
  problem(problem: FrameProblem): void;
}

/**
 * Visits the records in `buffer`, which holds the file's bytes from `fileOffset` on; returns the bytes
 * consumed. A record whose data checksum is wrong is a problem and skipped (its length was sound, so the
 * next record is found); a record whose length checksum is wrong stops the reading (nothing after it
 * can be framed). Records are handed over one by one rather than as a list: a block of small records
 * held as a list outlived the young generation and cost more to collect than to read.
 */
export function visitRecords(buffer: Uint8Array, fileOffset: number, visitor: FrameVisitor): number {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  // A view per record is most of framing's cost (a Buffer's subarray more so than a plain array's): the
  // length's 8 bytes are checked in one reused array, and the data is viewed through a plain array.
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const head = new Uint8Array(8);
  let at = 0;
  while (bytes.length - at >= TFRECORD_HEADER) {
    const low = view.getUint32(at, true);
    const high = view.getUint32(at + 4, true);
    const lengthCrc = view.getUint32(at + 8, true);
    for (let i = 0; i < 8; i++) head[i] = bytes[at + i];
    if (maskedCrc32c(head) !== lengthCrc) {
      visitor.problem({ offset: fileOffset + at, message: `the record at byte ${fileOffset + at} has a damaged length (its checksum does not match); the rest of the file is not read`, fatal: true });
      break;
    }
    const length = high * 0x1_0000_0000 + low;
    if (length > MAX_TFRECORD) {
      visitor.problem({ offset: fileOffset + at, message: `the record at byte ${fileOffset + at} says it is ${length} bytes long, more than ${MAX_TFRECORD}; the rest of the file is not read`, fatal: true });
      break;
    }
    const end = at + TFRECORD_HEADER + length + TFRECORD_FOOTER;
    if (end > bytes.length) break; // torn: the writer has not finished it yet
    const start = at + TFRECORD_HEADER;
    const data = bytes.subarray(start, start + length);
    if (maskedCrc32c(data) !== view.getUint32(end - TFRECORD_FOOTER, true)) {
      visitor.problem({ offset: fileOffset + at, message: `the record at byte ${fileOffset + at} is corrupt (its data checksum does not match); it is skipped`, fatal: false });
    } else {
      visitor.record(fileOffset + at, start, start + length, data);
    }
    at = end;
  }
  return at;
}

/** The records and problems of `buffer` as lists (visitRecords). */
export function frameRecords(buffer: Uint8Array, fileOffset: number): FrameResult {
  const records: FramedRecord[] = [];
  const problems: FrameProblem[] = [];
  const consumed = visitRecords(buffer, fileOffset, {
    record: (offset, start, end, data) => records.push({ offset, data, start, end }),
    problem: (problem) => problems.push(problem),
  });
  return { records, problems, consumed };
}

/** One framed record's bytes (for writers of test files and benchmarks). */
export function encodeRecordFrame(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(TFRECORD_HEADER + data.length + TFRECORD_FOOTER);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length >>> 0, true);
  view.setUint32(4, Math.floor(data.length / 0x1_0000_0000), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, TFRECORD_HEADER);
  view.setUint32(TFRECORD_HEADER + data.length, maskedCrc32c(data), true);
  return out;
}
