// Writes TensorBoard event files byte for byte as TensorFlow's record writer lays them out, for unit
// tests (hand-built cases: tensors, corrupt checksums, torn records) and the import benchmark. The
// real writers (torch's SummaryWriter) are exercised by python/tests/peers/test_tensorboard.py.
import * as fs from 'node:fs';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { encodeRecordFrame, maskedCrc32c } from '../../src/core/importers/tfrecord';

export type ValueSpec =
  | { readonly tag: string; readonly simple: number }
  | { readonly tag: string; readonly tensorFloat: number; readonly plugin?: string; readonly asContent?: 'float' | 'double' }
  | { readonly tag: string; readonly text: string }
  | { readonly tag: string; readonly hparams: Record<string, number | string | boolean> }
  | { readonly tag: string; readonly histogram: true }
  /** A HistogramProto as TF1 and PyTorch write it: bucket i holds values up to limits[i]. */
  | { readonly tag: string; readonly histo: { readonly min: number; readonly max: number; readonly limits: readonly number[]; readonly buckets: readonly number[] } }
  /** The histograms plugin's tensor: rows of (left, right, count). */
  | { readonly tag: string; readonly histoTensor: readonly (readonly [number, number, number])[] }
  /** A Summary.Image (TF1, PyTorch's add_image). */
  | { readonly tag: string; readonly image: Uint8Array; readonly width: number; readonly height: number }
  /** The images plugin's tensor: [width, height, image…] as strings. */
  | { readonly tag: string; readonly imageTensor: readonly Uint8Array[]; readonly width: number; readonly height: number }
  /** A Summary.Audio. */
  | { readonly tag: string; readonly audio: Uint8Array; readonly sampleRate: number; readonly frames: number };

export interface EventSpec {
  readonly wallTime: number;
  readonly step: number;
  readonly fileVersion?: string;
  readonly values?: readonly ValueSpec[];
}

export function encodeEvent(e: EventSpec): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, 1).double(e.wallTime);
  w.tag(2, 0).int64(e.step);
  if (e.fileVersion !== undefined) w.tag(3, 2).string(e.fileVersion);
  if (e.values && e.values.length > 0) {
    w.tag(5, 2).fork();
    for (const v of e.values) {
      w.tag(1, 2).fork();
      w.tag(1, 2).string(v.tag);
      if ('simple' in v) w.tag(2, 5).float(v.simple);
      else if ('tensorFloat' in v) {
        metadata(w, v.plugin ?? 'scalars');
        w.tag(8, 2).fork();
        w.tag(1, 0).int32(v.asContent === 'double' ? 2 : 1);
        w.tag(2, 2).fork().join();
        if (v.asContent === 'double') {
          const b = new Uint8Array(8);
          new DataView(b.buffer).setFloat64(0, v.tensorFloat, true);
          w.tag(4, 2).bytes(b);
        } else if (v.asContent === 'float') {
          const b = new Uint8Array(4);
          new DataView(b.buffer).setFloat32(0, v.tensorFloat, true);
          w.tag(4, 2).bytes(b);
        } else {
          w.tag(5, 2).fork().float(v.tensorFloat).join();
        }
        w.join();
      } else if ('text' in v) {
        metadata(w, 'text');
        w.tag(8, 2).fork();
        w.tag(1, 0).int32(7);
        w.tag(8, 2).bytes(new TextEncoder().encode(v.text));
        w.join();
      } else if ('hparams' in v) {
        w.tag(9, 2).fork();
        w.tag(1, 2).fork().tag(1, 2).string('hparams');
        const content = new BinaryWriter();
        content.tag(1, 0).int32(0);
        content.tag(3, 2).fork();
        for (const [key, value] of Object.entries(v.hparams)) {
          content.tag(1, 2).fork().tag(1, 2).string(key).tag(2, 2).fork();
          if (typeof value === 'number') content.tag(2, 1).double(value);
          else if (typeof value === 'string') content.tag(3, 2).string(value);
          else content.tag(4, 0).bool(value);
          content.join().join();
        }
        content.join();
        w.tag(2, 2).bytes(content.finish());
        w.join().join();
      } else if ('histo' in v) {
        w.tag(5, 2).fork().tag(1, 1).double(v.histo.min).tag(2, 1).double(v.histo.max).tag(3, 1).double(v.histo.buckets.reduce((a, b) => a + b, 0));
        w.tag(6, 2).fork();
        for (const l of v.histo.limits) w.double(l);
        w.join().tag(7, 2).fork();
        for (const b of v.histo.buckets) w.double(b);
        w.join().join();
      } else if ('histoTensor' in v) {
        metadata(w, 'histograms');
        w.tag(8, 2).fork();
        w.tag(1, 0).int32(2);
        w.tag(2, 2).fork().tag(2, 2).fork().tag(1, 0).int64(v.histoTensor.length).join().tag(2, 2).fork().tag(1, 0).int64(3).join().join();
        const b = new Uint8Array(v.histoTensor.length * 24);
        const view = new DataView(b.buffer);
        v.histoTensor.forEach((row, i) => row.forEach((x, j) => view.setFloat64((i * 3 + j) * 8, x, true)));
        w.tag(4, 2).bytes(b);
        w.join();
      } else if ('image' in v) {
        w.tag(4, 2).fork().tag(1, 0).int32(v.height).tag(2, 0).int32(v.width).tag(3, 0).int32(3).tag(4, 2).bytes(v.image).join();
      } else if ('imageTensor' in v) {
        metadata(w, 'images');
        w.tag(8, 2).fork();
        w.tag(1, 0).int32(7);
        w.tag(8, 2).bytes(new TextEncoder().encode(String(v.width)));
        w.tag(8, 2).bytes(new TextEncoder().encode(String(v.height)));
        for (const image of v.imageTensor) w.tag(8, 2).bytes(image);
        w.join();
      } else if ('audio' in v) {
        w.tag(6, 2).fork().tag(1, 5).float(v.sampleRate).tag(2, 0).int64(1).tag(3, 0).int64(v.frames).tag(4, 2).bytes(v.audio).tag(5, 2).string('audio/wav').join();
      } else {
        w.tag(5, 2).fork().tag(1, 1).double(0).join();
      }
      w.join();
    }
    w.join();
  }
  return w.finish();
}

function metadata(w: BinaryWriter, plugin: string): void {
  w.tag(9, 2).fork().tag(1, 2).fork().tag(1, 2).string(plugin).join().join();
}

/** A whole event file: the file_version event, then `events`, each framed. */
export function eventFile(events: readonly EventSpec[], wallTime = 1_700_000_000): Buffer {
  const parts = [encodeRecordFrame(encodeEvent({ wallTime, step: 0, fileVersion: 'brain.Event:2' }))];
  for (const e of events) parts.push(encodeRecordFrame(encodeEvent(e)));
  return Buffer.concat(parts);
}

/** Events logging `tags` at steps from..to-1, one event per value as PyTorch writes them. */
export function scalarEvents(tags: readonly string[], from: number, to: number, value: (tag: string, step: number) => number, wallTime = 1_700_000_000): EventSpec[] {
  const out: EventSpec[] = [];
  for (let step = from; step < to; step++) {
    for (const tag of tags) out.push({ wallTime: wallTime + step, step, values: [{ tag, simple: value(tag, step) }] });
  }
  return out;
}

/**
 * Writes an event file of scalars until it holds at least `bytes` bytes or `maxSteps` steps, as PyTorch lays them out (the
 * file_version event, then one event per value, `tags` at steps 0, 1, 2, …), framed here byte by byte
 * into one reused block rather than through the protobuf writer: fast enough for files of a gigabyte
 * (tests of bounded memory, the import benchmark). Returns the steps and points written.
 */
export function writeScalarFile(file: string, bytes: number, tags: readonly string[], value: (tag: number, step: number) => number, wallTime = 1_700_000_000, maxSteps = Number.POSITIVE_INFINITY): { steps: number; points: number; bytes: number } {
  const encoder = new TextEncoder();
  const tagBytes = tags.map((t) => encoder.encode(t));
  if (tagBytes.some((t) => t.length > 100)) throw new Error('tags of at most 100 bytes');
  const block = Buffer.allocUnsafe(8 * 1024 * 1024);
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const fd = fs.openSync(file, 'w');
  let used = 0;
  let written = 0;
  let points = 0;
  let step = 0;
  try {
    const first = encodeRecordFrame(encodeEvent({ wallTime, step: 0, fileVersion: 'brain.Event:2' }));
    block.set(first);
    used = first.length;
    const head = new Uint8Array(8);
    while (written + used < bytes && step < maxSteps) {
      for (let t = 0; t < tagBytes.length; t++) {
        const tag = tagBytes[t];
        // Event{1: wall_time, 2: step, 5: Summary{1: Value{1: tag, 2: simple_value}}}
        const valueLength = 2 + tag.length + 5;
        const summaryLength = 2 + valueLength;
        let stepLength = 1;
        for (let s = step; s >= 0x80; s = Math.floor(s / 0x80)) stepLength++;
        const length = 9 + 1 + stepLength + 2 + summaryLength;
        if (used + 16 + length > block.length) {
          fs.writeSync(fd, block, 0, used);
          written += used;
          used = 0;
        }
        const at = used;
        view.setUint32(at, length, true);
        view.setUint32(at + 4, 0, true);
        head.set(block.subarray(at, at + 8));
        view.setUint32(at + 8, maskedCrc32c(head), true);
        let o = at + 12;
        block[o++] = 0x09;
        view.setFloat64(o, wallTime + step / 100, true);
        o += 8;
        block[o++] = 0x10;
        for (let s = step; ; s = Math.floor(s / 0x80)) {
          if (s < 0x80) {
            block[o++] = s;
            break;
          }
          block[o++] = (s % 0x80) | 0x80;
        }
        block[o++] = 0x2a;
        block[o++] = summaryLength;
        block[o++] = 0x0a;
        block[o++] = valueLength;
        block[o++] = 0x0a;
        block[o++] = tag.length;
        block.set(tag, o);
        o += tag.length;
        block[o++] = 0x15;
        view.setFloat32(o, value(t, step), true);
        o += 4;
        view.setUint32(o, maskedCrc32c(block.subarray(at + 12, o)), true);
        used = o + 4;
        points++;
      }
      step++;
    }
    fs.writeSync(fd, block, 0, used);
    written += used;
  } finally {
    fs.closeSync(fd);
  }
  return { steps: step, points, bytes: written };
}
