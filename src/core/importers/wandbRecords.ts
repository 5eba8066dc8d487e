// W&B's `Record` message (wandb_internal.proto), decoded with @bufbuild/protobuf's wire reader from our
// own minimal schema: only the kinds and fields the importer reads, by the field numbers W&B publishes
// (Record, RunRecord, BranchPoint, HistoryRecord/Item, SummaryRecord/Item, ConfigRecord/Item,
// StatsRecord/Item, OutputRecord, OutputRawRecord, RunExitRecord, EnvironmentRecord;
// google/protobuf/timestamp.proto). Unknown fields are skipped, as protobuf readers do; a record of a kind
// not read here is returned as `other` with its field number, for the importer to count.
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/** A key of a history, summary or config item: `key`, or the path `nested_key` gives. */
export interface WbItem {
  readonly path: readonly string[];
  /** True when the item named its key by `nested_key` (W&B's own summary of history uses it). */
  readonly nested: boolean;
  readonly json: string;
}

export interface WbBranchPoint {
  readonly run: string;
  readonly value: number;
  readonly metric: string;
}

export interface WbRun {
  readonly kind: 'run';
  readonly runId: string;
  readonly entity: string;
  readonly project: string;
  readonly displayName: string;
  readonly notes: string;
  readonly tags: readonly string[];
  readonly group: string;
  readonly jobType: string;
  readonly config: readonly WbItem[];
  /** Unix seconds; NaN when the record has none. */
  readonly startTime: number;
  readonly startingStep: number;
  readonly resumed: boolean;
  readonly forked: boolean;
  readonly branchPoint?: WbBranchPoint;
}

export interface WbHistory {
  readonly kind: 'history';
  readonly items: readonly WbItem[];
  /** HistoryRecord.step, when the writer set it. */
  readonly step?: number;
}

export interface WbSummary {
  readonly kind: 'summary';
  readonly update: readonly WbItem[];
  readonly remove: readonly WbItem[];
}

export interface WbConfig {
  readonly kind: 'config';
  readonly update: readonly WbItem[];
  readonly remove: readonly WbItem[];
}

export interface WbStats {
  readonly kind: 'stats';
  readonly time: number;
  readonly items: readonly WbItem[];
}

export interface WbOutput {
  readonly kind: 'output';
  /** output_raw (what the process wrote, in pieces) or output (whole lines). */
  readonly raw: boolean;
  readonly stream: 'stdout' | 'stderr';
  readonly time: number;
  readonly text: string;
}

export interface WbExit {
  readonly kind: 'exit';
  readonly exitCode: number;
  readonly runtime: number;
}

export interface WbEnvironment {
  readonly kind: 'environment';
  readonly fields: Readonly<Record<string, string | number | readonly string[]>>;
}

export interface WbOther {
  readonly kind: 'other';
  /** The Record field that holds it (0: none, a record of control data only). */
  readonly field: number;
}

export type WbRecord = WbRun | WbHistory | WbSummary | WbConfig | WbStats | WbOutput | WbExit | WbEnvironment | WbOther;

// Record's `record_type` fields (wandb_internal.proto).
const R_HISTORY = 2;
const R_SUMMARY = 3;
const R_OUTPUT = 4;
const R_CONFIG = 5;
const R_STATS = 7;
const R_OUTPUT_RAW = 13;
const R_RUN = 17;
const R_EXIT = 18;
const R_ENVIRONMENT = 26;
/** The fields of Record outside its `record_type` oneof (num, control, uuid, _info). */
const R_NOT_A_KIND = new Set([1, 16, 19, 200]);

/** What each other `record_type` field is, for the importer's counts and warnings. */
export const WANDB_RECORD_NAMES: Readonly<Record<number, string>> = {
  6: 'files', 8: 'artifact', 9: 'tbrecord', 10: 'alert', 11: 'telemetry', 12: 'metric', 20: 'final',
  21: 'header', 22: 'footer', 23: 'preempting', 24: 'noop_link_artifact', 25: 'use_artifact', 27: 'output_logger', 100: 'request',
};

const utf8 = new TextDecoder('utf-8');

/** Decodes one Record; throws Error with a reason on malformed bytes. */
export function decodeWandbRecord(bytes: Uint8Array): WbRecord {
  const r = new BinaryReader(bytes);
  let out: WbRecord | undefined;
  let other = 0;
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (wire !== WireType.LengthDelimited || R_NOT_A_KIND.has(field)) {
      r.skip(wire, field);
      continue;
    }
    switch (field) {
      case R_RUN: out = decodeRun(r.bytes()); break;
      case R_HISTORY: out = decodeHistory(r.bytes()); break;
      case R_SUMMARY: out = { kind: 'summary', ...decodeUpdates(r.bytes()) }; break;
      case R_CONFIG: out = { kind: 'config', ...decodeUpdates(r.bytes()) }; break;
      case R_STATS: out = decodeStats(r.bytes()); break;
      case R_OUTPUT: out = decodeOutput(r.bytes(), false); break;
      case R_OUTPUT_RAW: out = decodeOutput(r.bytes(), true); break;
      case R_EXIT: out = decodeExit(r.bytes()); break;
      case R_ENVIRONMENT: out = decodeEnvironment(r.bytes()); break;
      default:
        other = field;
        r.skip(wire, field);
    }
  }
  return out ?? { kind: 'other', field: other };
}

function decodeRun(bytes: Uint8Array): WbRun {
  const r = new BinaryReader(bytes);
  let runId = '', entity = '', project = '', displayName = '', notes = '', group = '', jobType = '';
  const tags: string[] = [];
  let config: WbItem[] = [];
  let startTime = Number.NaN;
  let startingStep = 0;
  let resumed = false, forked = false;
  let branchPoint: WbBranchPoint | undefined;
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (wire === WireType.LengthDelimited) {
      switch (field) {
        case 1: runId = r.string(); continue;
        case 2: entity = r.string(); continue;
        case 3: project = r.string(); continue;
        case 4: config = config.concat(decodeUpdates(r.bytes()).update); continue;
        case 6: group = r.string(); continue;
        case 7: jobType = r.string(); continue;
        case 8: displayName = r.string(); continue;
        case 9: notes = r.string(); continue;
        case 10: tags.push(r.string()); continue;
        case 17: startTime = decodeTimestamp(r.bytes()); continue;
        case 23: branchPoint = decodeBranchPoint(r.bytes()); continue;
      }
    } else if (wire === WireType.Varint) {
      switch (field) {
        case 14: startingStep = Number(r.int64()); continue;
        case 18: resumed = r.bool(); continue;
        case 22: forked = r.bool(); continue;
      }
    }
    r.skip(wire, field);
  }
  return { kind: 'run', runId, entity, project, displayName, notes, tags, group, jobType, config, startTime, startingStep, resumed, forked, branchPoint };
}

function decodeBranchPoint(bytes: Uint8Array): WbBranchPoint {
  const r = new BinaryReader(bytes);
  let run = '', metric = '';
  let value = 0;
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WireType.LengthDelimited) run = r.string();
    else if (field === 2 && wire === WireType.Bit64) value = r.double();
    else if (field === 3 && wire === WireType.LengthDelimited) metric = r.string();
    else r.skip(wire, field);
  }
  return { run, value, metric };
}

function decodeHistory(bytes: Uint8Array): WbHistory {
  const r = new BinaryReader(bytes);
  const items: WbItem[] = [];
  let step: number | undefined;
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WireType.LengthDelimited) items.push(decodeItem(r.bytes()));
    else if (field === 2 && wire === WireType.LengthDelimited) step = decodeStepNum(r.bytes());
    else r.skip(wire, field);
  }
  return { kind: 'history', items, step };
}

function decodeStepNum(bytes: Uint8Array): number {
  const r = new BinaryReader(bytes);
  let num = 0;
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WireType.Varint) num = Number(r.int64());
    else r.skip(wire, field);
  }
  return num;
}

/** SummaryRecord and ConfigRecord share their shape: update (1) and remove (2), repeated items. */
function decodeUpdates(bytes: Uint8Array): { update: WbItem[]; remove: WbItem[] } {
  const r = new BinaryReader(bytes);
  const update: WbItem[] = [];
  const remove: WbItem[] = [];
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WireType.LengthDelimited) update.push(decodeItem(r.bytes()));
    else if (field === 2 && wire === WireType.LengthDelimited) remove.push(decodeItem(r.bytes()));
    else r.skip(wire, field);
  }
  return { update, remove };
}

/** HistoryItem, SummaryItem, ConfigItem and StatsItem: key (1), nested_key (2, repeated), value_json (16). */
function decodeItem(bytes: Uint8Array): WbItem {
  const r = new BinaryReader(bytes);
  let key = '';
  const nested: string[] = [];
  let json = '';
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WireType.LengthDelimited) key = r.string();
    else if (field === 2 && wire === WireType.LengthDelimited) nested.push(r.string());
    else if (field === 16 && wire === WireType.LengthDelimited) json = r.string();
    else r.skip(wire, field);
  }
  return { path: nested.length > 0 ? nested : [key], nested: nested.length > 0, json };
}

function decodeStats(bytes: Uint8Array): WbStats {
  const r = new BinaryReader(bytes);
  let time = Number.NaN;
  const items: WbItem[] = [];
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 2 && wire === WireType.LengthDelimited) time = decodeTimestamp(r.bytes());
    else if (field === 3 && wire === WireType.LengthDelimited) items.push(decodeItem(r.bytes()));
    else r.skip(wire, field);
  }
  return { kind: 'stats', time, items };
}

function decodeOutput(bytes: Uint8Array, raw: boolean): WbOutput {
  const r = new BinaryReader(bytes);
  let stream: 'stdout' | 'stderr' = 'stdout';
  let time = Number.NaN;
  let text = '';
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    // OutputType: STDERR 0, STDOUT 1.
    if (field === 1 && wire === WireType.Varint) stream = r.int32() === 0 ? 'stderr' : 'stdout';
    else if (field === 2 && wire === WireType.LengthDelimited) time = decodeTimestamp(r.bytes());
    else if (field === 3 && wire === WireType.LengthDelimited) text = utf8.decode(r.bytes());
    else r.skip(wire, field);
  }
  return { kind: 'output', raw, stream, time, text };
}

function decodeExit(bytes: Uint8Array): WbExit {
  const r = new BinaryReader(bytes);
  let exitCode = 0, runtime = 0;
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WireType.Varint) exitCode = r.int32();
    else if (field === 2 && wire === WireType.Varint) runtime = r.int32();
    else r.skip(wire, field);
  }
  return { kind: 'exit', exitCode, runtime };
}

/** The few EnvironmentRecord fields Run Rewind's run metadata has a place for. */
function decodeEnvironment(bytes: Uint8Array): WbEnvironment {
  const r = new BinaryReader(bytes);
  const fields: Record<string, string | number | string[]> = {};
  const args: string[] = [];
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (wire === WireType.LengthDelimited) {
      const name = ({ 1: 'os', 2: 'python', 6: 'program', 11: 'cwd', 12: 'host', 14: 'executable', 18: 'gpu' } as Record<number, string>)[field];
      if (name) {
        fields[name] = r.string();
        continue;
      }
      if (field === 5) {
        args.push(r.string());
        continue;
      }
    } else if (wire === WireType.Varint) {
      if (field === 16) {
        fields.cpu_count = r.uint32();
        continue;
      }
      if (field === 19) {
        fields.gpu_count = r.uint32();
        continue;
      }
    }
    r.skip(wire, field);
  }
  if (args.length > 0) fields.args = args;
  return { kind: 'environment', fields };
}

/** google.protobuf.Timestamp as unix seconds. */
function decodeTimestamp(bytes: Uint8Array): number {
  const r = new BinaryReader(bytes);
  let seconds = 0, nanos = 0;
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WireType.Varint) seconds = Number(r.int64());
    else if (field === 2 && wire === WireType.Varint) nanos = r.int32();
    else r.skip(wire, field);
  }
  return seconds + nanos / 1e9;
}

/**
 * A value_json as a value: JSON, plus the bare NaN, Infinity and -Infinity that Python's json module
 * writes (W&B's writers write them so). Returns undefined when it is neither.
 */
export function parseValueJson(json: string): { value: unknown } | undefined {
  const t = json.trim();
  if (t === 'NaN') return { value: Number.NaN };
  if (t === 'Infinity') return { value: Number.POSITIVE_INFINITY };
  if (t === '-Infinity') return { value: Number.NEGATIVE_INFINITY };
  try {
    return { value: JSON.parse(t) };
  } catch {
    if (/\b(NaN|Infinity)\b/.test(t)) {
      try {
        // Inside lists and objects: the bare words outside strings become markers, then numbers again.
        return { value: JSON.parse(t.replace(/("(?:[^"\\]|\\.)*")|-?Infinity|NaN/g, (m, str: string | undefined) => (str ? str : `{"__wbNumber":"${m}"}`)), (_k, v: unknown) => (v && typeof v === 'object' && '__wbNumber' in v ? Number((v as { __wbNumber: string }).__wbNumber) : v)) };
      } catch {
        return undefined;
      }
    }
    return undefined;
  }
}
