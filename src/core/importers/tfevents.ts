// TensorBoard's Event and Summary messages, decoded with @bufbuild/protobuf's wire reader from our own
// minimal schema: only the fields we read, by the field numbers TensorFlow publishes (event.proto,
// summary.proto, tensor.proto, tensor_shape.proto, types.proto; the hparams plugin's plugin_data.proto;
// google/protobuf/struct.proto). Unknown fields are skipped, as protobuf readers do.
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/** What a Summary.Value is, as far as the importer cares. */
export type TfValueKind = 'scalar' | 'text' | 'hparams' | 'histogram' | 'image' | 'audio' | 'tensor' | 'other';

export interface TfValue {
  readonly tag: string;
  readonly kind: TfValueKind;
  /** scalar: the number (simple_value, or a rank-0 tensor of the `scalars` plugin). */
  readonly value?: number;
  /** text: the strings of the tensor, in order. */
  readonly text?: readonly string[];
  /** hparams: the session's hyperparameters. */
  readonly hparams?: Record<string, unknown>;
  /** histogram: bucket edges (n+1, ascending) and counts (n), as TensorBoard's buckets give them. */
  readonly histogram?: TfHistogram;
  /** image: the encoded images (one for Summary.Image, several for the `images` plugin's tensor). */
  readonly images?: readonly TfImage[];
  /** audio: the encoded clips. */
  readonly audio?: readonly TfAudio[];
  /** The plugin named in the value's metadata, if any. */
  readonly plugin?: string;
}

export interface TfHistogram {
  readonly bins: readonly number[];
  readonly counts: readonly number[];
}

export interface TfImage {
  readonly bytes: Uint8Array;
  readonly width?: number;
  readonly height?: number;
}

export interface TfAudio {
  readonly bytes: Uint8Array;
  readonly sampleRate?: number;
  readonly frames?: number;
  readonly contentType?: string;
}

export interface TfEvent {
  readonly wallTime: number;
  readonly step: number;
  readonly fileVersion?: string;
  readonly values: readonly TfValue[];
  /** SessionLog.status (1 START, 2 STOP, 3 CHECKPOINT), when the event is a session log. */
  readonly sessionStatus?: number;
}

// Field numbers (event.proto): Event.
const EVENT_WALL_TIME = 1;
const EVENT_STEP = 2;
const EVENT_FILE_VERSION = 3;
const EVENT_SUMMARY = 5;
const EVENT_SESSION_LOG = 7;
// summary.proto: Summary.value; Summary.Value; SummaryMetadata; SummaryMetadata.PluginData.
const SUMMARY_VALUE = 1;
const VALUE_TAG = 1;
const VALUE_SIMPLE = 2;
const VALUE_IMAGE = 4;
const VALUE_HISTO = 5;
const VALUE_AUDIO = 6;
const VALUE_TENSOR = 8;
const VALUE_METADATA = 9;
// summary.proto: HistogramProto, Summary.Image, Summary.Audio.
const HISTO_MIN = 1;
const HISTO_MAX = 2;
const HISTO_BUCKET_LIMIT = 6;
const HISTO_BUCKET = 7;
const IMAGE_HEIGHT = 1;
const IMAGE_WIDTH = 2;
const IMAGE_ENCODED = 4;
const AUDIO_SAMPLE_RATE = 1;
const AUDIO_LENGTH_FRAMES = 3;
const AUDIO_ENCODED = 4;
const AUDIO_CONTENT_TYPE = 5;
const METADATA_PLUGIN_DATA = 1;
const PLUGIN_NAME = 1;
const PLUGIN_CONTENT = 2;
// tensor.proto / tensor_shape.proto / types.proto.
const TENSOR_DTYPE = 1;
const TENSOR_SHAPE = 2;
const TENSOR_CONTENT = 4;
const TENSOR_FLOAT_VAL = 5;
const TENSOR_DOUBLE_VAL = 6;
const TENSOR_INT_VAL = 7;
const TENSOR_STRING_VAL = 8;
const TENSOR_INT64_VAL = 10;
const TENSOR_BOOL_VAL = 11;
const TENSOR_HALF_VAL = 13;
const SHAPE_DIM = 2;
const DIM_SIZE = 1;
const DT_FLOAT = 1;
const DT_DOUBLE = 2;
const DT_INT32 = 3;
const DT_UINT8 = 4;
const DT_INT16 = 5;
const DT_INT8 = 6;
const DT_STRING = 7;
const DT_INT64 = 9;
const DT_BOOL = 10;
const DT_HALF = 19;
// The hparams plugin: HParamsPluginData.session_start_info, SessionStartInfo.hparams (a map).
const HPARAMS_SESSION_START = 3;
const SESSION_START_HPARAMS = 1;
// google/protobuf/struct.proto: Value, ListValue, Struct.
const PB_NUMBER = 2;
const PB_STRING = 3;
const PB_BOOL = 4;
const PB_STRUCT = 5;
const PB_LIST = 6;

const utf8 = new TextDecoder('utf-8');
// Read once: the wire module's exports are getters, and these are compared for every field read.
const { Varint: VARINT, Bit64: BIT64, Bit32: BIT32, LengthDelimited: LEN } = WireType;

/** The end of a length-delimited field starting at the reader's position, checked against `end`. */
function fieldEnd(r: BinaryReader, end: number): number {
  const length = r.uint32();
  const fieldEnd = r.pos + length;
  if (fieldEnd > end) throw new Error('premature end of message');
  return fieldEnd;
}

/** Throws unless the message that should end at `end` did (a field ran past it). */
function ended(r: BinaryReader, end: number): void {
  if (r.pos !== end) throw new Error('premature end of message');
}

/** Decodes one Event; throws Error with a reason on malformed bytes. */
export function decodeEvent(bytes: Uint8Array): TfEvent {
  return new EventReader(bytes).decode(0, bytes.length);
}

/**
 * Decodes the events framed in one buffer. PyTorch writes one event per scalar, so a file is mostly
 * events of a few dozen bytes: a reader (and a view) per event and per nested message was most of the
 * import's time. The hot path (Event, its Summary, their Values) is read in place by one reader over the
 * buffer, each message bounded by its end; rarer nested messages get their own reader.
 */
export class EventReader {
  private readonly r: BinaryReader;

  constructor(bytes: Uint8Array) {
    this.r = new BinaryReader(bytes);
  }

  /** The Event in `bytes[start, end)`; throws Error with a reason on malformed bytes. */
  decode(start: number, end: number): TfEvent {
    const r = this.r;
    r.pos = start;
    let wallTime = Number.NaN;
    let step = 0;
    let fileVersion: string | undefined;
    let values: TfValue[] = [];
    let sessionStatus: number | undefined;
    while (r.pos < end) {
      const [field, wire] = r.tag();
      if (field === EVENT_WALL_TIME && wire === BIT64) wallTime = r.double();
      else if (field === EVENT_STEP && wire === VARINT) step = Number(r.int64());
      else if (field === EVENT_FILE_VERSION && wire === LEN) fileVersion = r.string();
      else if (field === EVENT_SUMMARY && wire === LEN) {
        const summary = decodeSummary(r, fieldEnd(r, end));
        values = values.length === 0 ? summary : values.concat(summary);
      } else if (field === EVENT_SESSION_LOG && wire === LEN) sessionStatus = decodeSessionStatus(r.bytes());
      else r.skip(wire, field);
    }
    ended(r, end);
    return { wallTime, step, fileVersion, values, sessionStatus };
  }
}

function decodeSessionStatus(bytes: Uint8Array): number {
  const r = new BinaryReader(bytes);
  let status = 0;
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === VARINT) status = r.int32();
    else r.skip(wire, field);
  }
  return status;
}

function decodeSummary(r: BinaryReader, end: number): TfValue[] {
  const out: TfValue[] = [];
  while (r.pos < end) {
    const [field, wire] = r.tag();
    if (field === SUMMARY_VALUE && wire === LEN) out.push(decodeValue(r, fieldEnd(r, end)));
    else r.skip(wire, field);
  }
  ended(r, end);
  return out;
}

function decodeValue(r: BinaryReader, end: number): TfValue {
  let tag = '';
  let simple: number | undefined;
  let kind: TfValueKind = 'other';
  let plugin: string | undefined;
  let pluginContent: Uint8Array | undefined;
  let tensor: Uint8Array | undefined;
  let histogram: TfHistogram | undefined;
  let image: TfImage | undefined;
  let audio: TfAudio | undefined;
  while (r.pos < end) {
    const [field, wire] = r.tag();
    if (field === VALUE_TAG && wire === LEN) tag = r.string();
    else if (field === VALUE_SIMPLE && wire === BIT32) simple = r.float();
    else if (field === VALUE_METADATA && wire === LEN) [plugin, pluginContent] = decodeMetadata(r.bytes());
    else if (field === VALUE_TENSOR && wire === LEN) tensor = r.bytes();
    else if (field === VALUE_HISTO && wire === LEN) { kind = 'histogram'; histogram = decodeHistogram(r.bytes()); }
    else if (field === VALUE_IMAGE && wire === LEN) { kind = 'image'; image = decodeImage(r.bytes()); }
    else if (field === VALUE_AUDIO && wire === LEN) { kind = 'audio'; audio = decodeAudio(r.bytes()); }
    else r.skip(wire, field);
  }
  ended(r, end);
  if (simple !== undefined) return { tag, kind: 'scalar', value: simple, plugin };
  if (plugin === 'hparams') {
    const hparams = pluginContent ? decodeHparams(pluginContent) : undefined;
    return { tag, kind: 'hparams', hparams, plugin };
  }
  if (tensor !== undefined) {
    const t = decodeTensor(tensor);
    if (plugin === 'text' || (plugin === undefined && t.dtype === DT_STRING)) return { tag, kind: 'text', text: t.strings, plugin };
    if (plugin === 'histograms') return { tag, kind: 'histogram', histogram: histogramOfTensor(t), plugin };
    // The images plugin's tensor: [width, height, image, image, …] as strings.
    if (plugin === 'images') {
      const width = Number(utf8.decode(t.raw[0] ?? new Uint8Array()));
      const height = Number(utf8.decode(t.raw[1] ?? new Uint8Array()));
      const images = t.raw.slice(2).map((bytes) => ({ bytes, width: Number.isSafeInteger(width) && width > 0 ? width : undefined, height: Number.isSafeInteger(height) && height > 0 ? height : undefined }));
      return { tag, kind: 'image', images, plugin };
    }
    // The audio plugin's tensor: [k, 2] strings of (encoded clip, label).
    if (plugin === 'audio') return { tag, kind: 'audio', audio: t.raw.filter((_, i) => i % 2 === 0).map((bytes) => ({ bytes })), plugin };
    if (t.rank === 0 && t.numbers.length === 1) return { tag, kind: 'scalar', value: t.numbers[0], plugin };
    return { tag, kind: 'tensor', plugin };
  }
  if (histogram) return { tag, kind, histogram, plugin };
  if (image) return { tag, kind, images: [image], plugin };
  if (audio) return { tag, kind, audio: [audio], plugin };
  return { tag, kind, plugin };
}

/** Repeated doubles, packed or one by one. */
function readDoubles(r: BinaryReader, wire: WireType, into: number[]): void {
  if (wire !== LEN) {
    into.push(r.double());
    return;
  }
  const end = r.uint32() + r.pos;
  while (r.pos < end) into.push(r.double());
}

/**
 * A HistogramProto (TF1 summaries and PyTorch's add_histogram): bucket i holds the values up to
 * bucket_limit[i], from the limit before it (or the minimum, for the first). Empty buckets at both ends
 * are dropped (TensorFlow's default limits run to ±1.8e308), so the edges are the data's own.
 */
function decodeHistogram(bytes: Uint8Array): TfHistogram | undefined {
  const r = new BinaryReader(bytes);
  let min = Number.NaN;
  let max = Number.NaN;
  const limits: number[] = [];
  const buckets: number[] = [];
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === HISTO_MIN && wire === BIT64) min = r.double();
    else if (field === HISTO_MAX && wire === BIT64) max = r.double();
    else if (field === HISTO_BUCKET_LIMIT) readDoubles(r, wire, limits);
    else if (field === HISTO_BUCKET) readDoubles(r, wire, buckets);
    else r.skip(wire, field);
  }
  const n = Math.min(limits.length, buckets.length);
  let first = 0;
  while (first < n && !(buckets[first] > 0)) first++;
  let last = n - 1;
  while (last >= first && !(buckets[last] > 0)) last--;
  if (first > last) return undefined;
  const edges: number[] = [first > 0 ? limits[first - 1] : Number.isFinite(min) ? Math.min(min, limits[0]) : limits[0]];
  const counts: number[] = [];
  for (let i = first; i <= last; i++) {
    edges.push(limits[i]);
    counts.push(buckets[i]);
  }
  if (Number.isFinite(max) && edges[edges.length - 1] > max && max >= edges[edges.length - 2]) edges[edges.length - 1] = max;
  return tidyHistogram(edges, counts);
}

/** The histograms plugin's tensor: k rows of (left edge, right edge, count). */
function histogramOfTensor(t: DecodedTensor): TfHistogram | undefined {
  const k = Math.floor(t.numbers.length / 3);
  if (k === 0) return undefined;
  const edges: number[] = [t.numbers[0]];
  const counts: number[] = [];
  for (let i = 0; i < k; i++) {
    edges.push(t.numbers[i * 3 + 1]);
    counts.push(t.numbers[i * 3 + 2]);
  }
  return tidyHistogram(edges, counts);
}

/** Most buckets a histogram keeps (the media record's limit); more are merged in equal groups. */
export const MAX_TF_HISTOGRAM_BINS = 512;

/**
 * Edges ascending and finite, counts finite and non-negative, at most MAX_TF_HISTOGRAM_BINS buckets; one
 * bucket of no width (every value equal) is drawn one wide around its value.
 */
function tidyHistogram(edges: number[], counts: number[]): TfHistogram | undefined {
  if (counts.length === 0 || edges.length !== counts.length + 1) return undefined;
  if (!edges.every(Number.isFinite) || !counts.every((c) => Number.isFinite(c) && c >= 0)) return undefined;
  for (let i = 1; i < edges.length; i++) if (edges[i] < edges[i - 1]) return undefined;
  if (counts.length === 1 && edges[0] === edges[1]) return { bins: [edges[0] - 0.5, edges[0] + 0.5], counts };
  if (counts.length <= MAX_TF_HISTOGRAM_BINS) return { bins: edges, counts };
  const group = Math.ceil(counts.length / MAX_TF_HISTOGRAM_BINS);
  const bins: number[] = [edges[0]];
  const merged: number[] = [];
  for (let i = 0; i < counts.length; i += group) {
    let sum = 0;
    for (let j = i; j < Math.min(counts.length, i + group); j++) sum += counts[j];
    merged.push(sum);
    bins.push(edges[Math.min(counts.length, i + group)]);
  }
  return { bins, counts: merged };
}

function decodeImage(bytes: Uint8Array): TfImage | undefined {
  const r = new BinaryReader(bytes);
  let width: number | undefined;
  let height: number | undefined;
  let encoded: Uint8Array | undefined;
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === IMAGE_HEIGHT && wire === VARINT) height = r.int32();
    else if (field === IMAGE_WIDTH && wire === VARINT) width = r.int32();
    else if (field === IMAGE_ENCODED && wire === LEN) encoded = r.bytes();
    else r.skip(wire, field);
  }
  return encoded && encoded.length > 0 ? { bytes: encoded, width, height } : undefined;
}

function decodeAudio(bytes: Uint8Array): TfAudio | undefined {
  const r = new BinaryReader(bytes);
  let sampleRate: number | undefined;
  let frames: number | undefined;
  let encoded: Uint8Array | undefined;
  let contentType: string | undefined;
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === AUDIO_SAMPLE_RATE && wire === BIT32) sampleRate = r.float();
    else if (field === AUDIO_LENGTH_FRAMES && wire === VARINT) frames = Number(r.int64());
    else if (field === AUDIO_ENCODED && wire === LEN) encoded = r.bytes();
    else if (field === AUDIO_CONTENT_TYPE && wire === LEN) contentType = r.string();
    else r.skip(wire, field);
  }
  return encoded && encoded.length > 0 ? { bytes: encoded, sampleRate, frames, contentType } : undefined;
}

function decodeMetadata(bytes: Uint8Array): [string | undefined, Uint8Array | undefined] {
  const r = new BinaryReader(bytes);
  let name: string | undefined;
  let content: Uint8Array | undefined;
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === METADATA_PLUGIN_DATA && wire === LEN) {
      const p = new BinaryReader(r.bytes());
      while (p.pos < p.len) {
        const [f, w] = p.tag();
        if (f === PLUGIN_NAME && w === LEN) name = p.string();
        else if (f === PLUGIN_CONTENT && w === LEN) content = p.bytes();
        else p.skip(w, f);
      }
    } else r.skip(wire, field);
  }
  return [name, content];
}

interface DecodedTensor {
  readonly dtype: number;
  readonly rank: number;
  readonly numbers: number[];
  readonly strings: string[];
  /** The strings' bytes (images and audio are strings of encoded bytes). */
  readonly raw: Uint8Array[];
}

function decodeTensor(bytes: Uint8Array): DecodedTensor {
  const r = new BinaryReader(bytes);
  let dtype = 0;
  let rank = 0;
  let content: Uint8Array | undefined;
  const numbers: number[] = [];
  const strings: string[] = [];
  const raw: Uint8Array[] = [];
  // Repeated scalars may come packed (one length-delimited run) or one by one; both are read.
  const repeated = (wire: WireType, read: () => number): void => {
    if (wire !== LEN) {
      numbers.push(read());
      return;
    }
    const end = r.uint32() + r.pos;
    while (r.pos < end) numbers.push(read());
  };
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    switch (field) {
      case TENSOR_DTYPE: dtype = r.int32(); break;
      case TENSOR_SHAPE: rank = decodeRank(r.bytes()); break;
      case TENSOR_CONTENT: content = r.bytes(); break;
      case TENSOR_FLOAT_VAL: repeated(wire, () => r.float()); break;
      case TENSOR_DOUBLE_VAL: repeated(wire, () => r.double()); break;
      case TENSOR_INT_VAL: repeated(wire, () => r.int32()); break;
      case TENSOR_INT64_VAL: repeated(wire, () => Number(r.int64())); break;
      case TENSOR_BOOL_VAL: repeated(wire, () => (r.bool() ? 1 : 0)); break;
      case TENSOR_HALF_VAL: repeated(wire, () => halfToNumber(r.int32())); break;
      case TENSOR_STRING_VAL: raw.push(r.bytes()); break;
      default: r.skip(wire, field);
    }
  }
  if (content && content.length > 0) numbers.push(...fromContent(dtype, content));
  // Text is decoded only when the tensor is text; image bytes are not UTF-8.
  if (dtype === DT_STRING) for (const bytes of raw) strings.push(utf8.decode(bytes));
  return { dtype, rank, numbers, strings, raw };
}

function decodeRank(bytes: Uint8Array): number {
  const r = new BinaryReader(bytes);
  let rank = 0;
  let ones = true;
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === SHAPE_DIM && wire === LEN) {
      rank++;
      const d = new BinaryReader(r.bytes());
      let size = 0;
      while (d.pos < d.len) {
        const [f, w] = d.tag();
        if (f === DIM_SIZE && w === VARINT) size = Number(d.int64());
        else d.skip(w, f);
      }
      if (size !== 1) ones = false;
    } else r.skip(wire, field);
  }
  // A tensor of shape [1] or [1, 1] holds one number as well as a rank-0 one does.
  return ones ? 0 : rank;
}

function fromContent(dtype: number, content: Uint8Array): number[] {
  const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
  const out: number[] = [];
  const each = (size: number, read: (at: number) => number): void => {
    for (let at = 0; at + size <= content.length; at += size) out.push(read(at));
  };
  switch (dtype) {
    case DT_FLOAT: each(4, (at) => view.getFloat32(at, true)); break;
    case DT_DOUBLE: each(8, (at) => view.getFloat64(at, true)); break;
    case DT_INT32: each(4, (at) => view.getInt32(at, true)); break;
    case DT_INT64: each(8, (at) => Number(view.getBigInt64(at, true))); break;
    case DT_INT16: each(2, (at) => view.getInt16(at, true)); break;
    case DT_INT8: each(1, (at) => view.getInt8(at)); break;
    case DT_UINT8: each(1, (at) => view.getUint8(at)); break;
    case DT_BOOL: each(1, (at) => (view.getUint8(at) ? 1 : 0)); break;
    case DT_HALF: each(2, (at) => halfToNumber(view.getUint16(at, true))); break;
    default: break;
  }
  return out;
}

/** IEEE 754 half precision bits to a number. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** The hyperparameters of a SessionStartInfo, or undefined for the plugin's other messages. */
function decodeHparams(bytes: Uint8Array): Record<string, unknown> | undefined {
  const r = new BinaryReader(bytes);
  let out: Record<string, unknown> | undefined;
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === HPARAMS_SESSION_START && wire === LEN) {
      out = {};
      const s = new BinaryReader(r.bytes());
      while (s.pos < s.len) {
        const [f, w] = s.tag();
        if (f === SESSION_START_HPARAMS && w === LEN) {
          const [key, value] = decodeMapEntry(s.bytes(), 0);
          Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
        } else s.skip(w, f);
      }
    } else r.skip(wire, field);
  }
  return out;
}

function decodeMapEntry(bytes: Uint8Array, depth: number): [string, unknown] {
  const r = new BinaryReader(bytes);
  let key = '';
  let value: unknown = null;
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === LEN) key = r.string();
    else if (field === 2 && wire === LEN) value = decodePbValue(r.bytes(), depth + 1);
    else r.skip(wire, field);
  }
  return [key, value];
}

/** google.protobuf.Value as JSON; nesting is cut at 32 levels. */
function decodePbValue(bytes: Uint8Array, depth: number): unknown {
  if (depth > 32) return null;
  const r = new BinaryReader(bytes);
  let value: unknown = null;
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === PB_NUMBER && wire === BIT64) value = r.double();
    else if (field === PB_STRING && wire === LEN) value = r.string();
    else if (field === PB_BOOL && wire === VARINT) value = r.bool();
    else if (field === PB_STRUCT && wire === LEN) {
      const struct: Record<string, unknown> = {};
      const s = new BinaryReader(r.bytes());
      while (s.pos < s.len) {
        const [f, w] = s.tag();
        if (f === 1 && w === LEN) {
          const [k, v] = decodeMapEntry(s.bytes(), depth + 1);
          Object.defineProperty(struct, k, { value: v, enumerable: true, writable: true, configurable: true });
        } else s.skip(w, f);
      }
      value = struct;
    } else if (field === PB_LIST && wire === LEN) {
      const list: unknown[] = [];
      const l = new BinaryReader(r.bytes());
      while (l.pos < l.len) {
        const [f, w] = l.tag();
        if (f === 1 && w === LEN) list.push(decodePbValue(l.bytes(), depth + 1));
        else l.skip(w, f);
      }
      value = list;
    } else r.skip(wire, field);
  }
  return value;
}
