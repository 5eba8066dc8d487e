// Parse: one log line → a typed record of protocol.ts, or the RecordProblem that stops it. Every field
// check of every record type is here, and nothing here looks at the store: whether a record can be
// applied (its run exists, its step comes after the last one, it is the first record of its file) is
// apply.ts's question. An importer of another format builds the same typed records itself.
import { PROTOCOL_VERSION, RECORD_TYPES, parseLine } from './protocol';
import type { ArtifactRecord, ConsoleLineEntry, ConsoleRecord, ForkRecord, LogRecord, MediaItem, MediaRecord, MetadataRecord, OpRecord, RunMetadata, RecordType, RowRecord, SourceRef, StartMode, StartRecord, SystemRecord, WriterRecord } from './protocol';
import { MAX_NAME_LENGTH, MAX_NOTES_LENGTH, RECORD_VERSION_ID_PATTERN, RUN_ID_PATTERN, editTags, isStep, recordName } from './runSpec';
import { MAX_RECORD_NESTING, isPlainObject, nestedDeeperThan } from './values';

/** Where a record was read: a writer's file (a start record, then its records) or an ops file (one op). */
export type RecordOrigin = 'writer' | 'ops';

/**
 * Why a line is not a record this reader can apply. `reason` says what is wrong and not what becomes of
 * the record: apply.ts decides that from where the record stands (RecordApplier.refuse).
 */
export class RecordProblem {
  constructor(
    readonly kind: ProblemKind,
    readonly reason: string,
    /** The record's type, when it names a known one. */
    readonly type?: RecordType,
    readonly severity: 'error' | 'warning' = 'error',
  ) {}
}

/**
 * line: not a record at all (not JSON, not an object, no or an unknown type), skipped with `reason` as
 * its message; deep: nested deeper than MAX_RECORD_NESTING; newer: written with a newer protocol;
 * field: a field of a `type` record is wrong; misplaced: a `type` that does not belong in this file.
 */
export type ProblemKind = 'line' | 'deep' | 'newer' | 'field' | 'misplaced';

export type ParsedRecord = WriterRecord | OpRecord | RecordProblem;

/** Parses one line of a writer's file or an ops file. */
export function parseRecord(line: string, origin: RecordOrigin): ParsedRecord {
  let value: unknown;
  try {
    value = parseLine(line);
  } catch (error) {
    return new RecordProblem('line', `not a JSON line: ${(error as Error).message}`);
  }
  if (!isPlainObject(value)) return new RecordProblem('line', 'a record must be a JSON object');
  return parseObject(value, origin);
}

/** Checks a decoded JSON object as a record of a writer's file or an ops file. */
export function parseObject(r: Record<string, unknown>, origin: RecordOrigin): ParsedRecord {
  const type = r.type;
  if (nestedDeeperThan(r, MAX_RECORD_NESTING)) {
    // Deeper than any config or metric dict needs; refused here, before anything recurses into it.
    return new RecordProblem('deep', `nested more than ${MAX_RECORD_NESTING} levels deep`, knownType(type));
  }
  // The hot path: history rows.
  if (type === 'row' && origin === 'writer') return parseRow(r);
  if (typeof type !== 'string') return new RecordProblem('line', 'the record has no "type"');
  if (!RECORD_TYPES.has(type)) return new RecordProblem('line', `unknown record type ${JSON.stringify(type)}; skipped (written by a newer Run Rewind?)`, undefined, 'warning');
  const known = type as RecordType;
  const time = typeof r.time === 'number' && Number.isFinite(r.time) ? r.time : Number.NaN;
  return origin === 'ops' ? parseOp(known, r, time) : parseWriterRecord(known, r, time);
}

function parseWriterRecord(type: RecordType, r: Record<string, unknown>, time: number): ParsedRecord {
  switch (type) {
    case 'start': return parseStart(r, time);
    case 'row': return parseRow(r);
    case 'config':
      if (!isPlainObject(r.config)) return new RecordProblem('field', '"config" must be an object', type);
      return { type, time, config: r.config };
    case 'summary':
      if (!isPlainObject(r.summary)) return new RecordProblem('field', '"summary" must be an object', type);
      return { type, time, summary: r.summary };
    case 'alive':
      return { type, time };
    case 'finish': {
      const code = r.exit_code;
      if (code !== undefined && (typeof code !== 'number' || !Number.isInteger(code))) return new RecordProblem('field', '"exit_code" must be an integer', type);
      return { type, time, exit_code: typeof code === 'number' ? code : 0 };
    }
    case 'rename': {
      // A writer renames its own run: its "run" field is not read.
      const name = recordName(r.name);
      if (name === undefined) return new RecordProblem('field', NAME_RULE, type);
      return { type, time, name };
    }
    case 'console': return parseConsole(r, time);
    case 'system': return parseSystem(r, time);
    case 'metadata': return parseMetadata(r, time);
    case 'media': return parseMedia(r, time);
    case 'artifact': return parseArtifact(r, time);
    default:
      return new RecordProblem('misplaced', `a ${JSON.stringify(type)} record belongs in an ops file, not a writer file`, type);
  }
}

function parseRow(r: Record<string, unknown>): RowRecord | RecordProblem {
  const step = r.step;
  if (!isStep(step)) return new RecordProblem('field', `"step" must be a non-negative integer, got ${short(step)}`, 'row');
  const data = r.data;
  if (!isPlainObject(data)) return new RecordProblem('field', '"data" must be an object of metric values', 'row');
  // A row's time is taken as written (the store compares it with NaN only).
  return { type: 'row', time: typeof r.time === 'number' ? r.time : Number.NaN, step, data };
}

/** Longest console line text a reader keeps (writers cut lines at 65,536 characters). */
export const MAX_CONSOLE_TEXT = 65_536;

/**
 * A console record's lines, each [time, stream, step, text] (docs/PROTOCOL.md, `console`). One bad
 * entry refuses the record, naming the entry: a writer that gets one wrong gets them all wrong.
 */
function parseConsole(r: Record<string, unknown>, time: number): ConsoleRecord | RecordProblem {
  const lines = r.lines;
  if (!Array.isArray(lines)) return new RecordProblem('field', `"lines" must be an array of [time, stream, step, text], got ${short(lines)}`, 'console');
  const out: ConsoleLineEntry[] = new Array<ConsoleLineEntry>(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const entry: unknown = lines[i];
    const where = `"lines[${i}]"`;
    if (!Array.isArray(entry) || entry.length !== 4) return new RecordProblem('field', `${where} must be an array [time, stream, step, text], got ${short(entry)}`, 'console');
    const [t, stream, step, text] = entry as unknown[];
    if (typeof t !== 'number' || !Number.isFinite(t)) return new RecordProblem('field', `${where} time must be a finite number of unix seconds, got ${short(t)}`, 'console');
    if (stream !== 'stdout' && stream !== 'stderr') return new RecordProblem('field', `${where} stream must be "stdout" or "stderr", got ${short(stream)}`, 'console');
    if (!isStep(step)) return new RecordProblem('field', `${where} step must be a non-negative integer, got ${short(step)}`, 'console');
    if (typeof text !== 'string') return new RecordProblem('field', `${where} text must be a string, got ${short(text)}`, 'console');
    if (text.length > MAX_CONSOLE_TEXT) return new RecordProblem('field', `${where} text is ${text.length} characters long; writers cut lines at ${MAX_CONSOLE_TEXT}`, 'console');
    out[i] = [t, stream, step, text];
  }
  return { type: 'console', time, lines: out };
}

/** A system sample: `system/…` keys with numbers (NaN and infinities included); null is no value. */
function parseSystem(r: Record<string, unknown>, time: number): SystemRecord | RecordProblem {
  if (!Number.isFinite(time)) return new RecordProblem('field', `"time" must be a finite number of unix seconds (system metrics are plotted against it), got ${short(r.time)}`, 'system');
  const data = r.data;
  if (!isPlainObject(data)) return new RecordProblem('field', `"data" must be an object of "system/…" keys and numbers, got ${short(data)}`, 'system');
  const out: Record<string, number> = {};
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (!key.startsWith('system/') || key.length > MAX_NAME_LENGTH) return new RecordProblem('field', `"data" key ${short(key)} must start with "system/" and be at most ${MAX_NAME_LENGTH} characters`, 'system');
    if (value === null) continue;
    if (typeof value !== 'number') return new RecordProblem('field', `"data" value of ${short(key)} must be a number, got ${short(value)}`, 'system');
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return { type: 'system', time, data: out };
}

const METADATA_STRINGS = ['host', 'os', 'python', 'python_implementation', 'executable', 'program', 'command', 'cwd', 'gpu'] as const;
const METADATA_COUNTS = ['cpu_count', 'memory_total_bytes', 'gpu_count'] as const;

/** The writer's process: known fields are checked; unknown ones (a newer writer's) are kept as written. */
function parseMetadata(r: Record<string, unknown>, time: number): MetadataRecord | RecordProblem {
  const m = r.metadata;
  if (!isPlainObject(m)) return new RecordProblem('field', `"metadata" must be an object, got ${short(m)}`, 'metadata');
  for (const field of METADATA_STRINGS) {
    if (m[field] !== undefined && typeof m[field] !== 'string') return new RecordProblem('field', `"metadata.${field}" must be a string, got ${short(m[field])}`, 'metadata');
  }
  for (const field of METADATA_COUNTS) {
    if (m[field] !== undefined && !isStep(m[field])) return new RecordProblem('field', `"metadata.${field}" must be a non-negative integer, got ${short(m[field])}`, 'metadata');
  }
  if (m.args !== undefined && !(Array.isArray(m.args) && m.args.every((a) => typeof a === 'string'))) return new RecordProblem('field', `"metadata.args" must be an array of strings, got ${short(m.args)}`, 'metadata');
  if (m.gpus !== undefined) {
    if (!Array.isArray(m.gpus)) return new RecordProblem('field', `"metadata.gpus" must be an array of {"name", "memory_total_mb"}, got ${short(m.gpus)}`, 'metadata');
    for (let i = 0; i < m.gpus.length; i++) {
      const gpu: unknown = m.gpus[i];
      if (!isPlainObject(gpu) || (gpu.name !== undefined && typeof gpu.name !== 'string') || (gpu.memory_total_mb !== undefined && typeof gpu.memory_total_mb !== 'number')) {
        return new RecordProblem('field', `"metadata.gpus[${i}]" must be {"name": string, "memory_total_mb": number}, got ${short(gpu)}`, 'metadata');
      }
    }
  }
  return { type: 'metadata', time, metadata: m as RunMetadata };
}

/** Most items one media record holds (wandb keeps at most 108 images per key and step). */
export const MAX_MEDIA_ITEMS = 1000;
/** Most bins of a histogram (wandb's limit). */
export const MAX_HISTOGRAM_BINS = 512;
const SHA256 = /^[0-9a-f]{64}$/;
const MEDIA_FORMAT = /^[a-z0-9]{1,16}$/;
const KIND_NEEDS_FILE = new Set(['image', 'table', 'audio', 'html']);

/**
 * A media record (revision 1.2): every field a reader relies on is checked, so a file path derived from
 * `sha256` and `format` can never leave the log directory. One bad item refuses the record, naming it.
 */
function parseMedia(r: Record<string, unknown>, time: number): MediaRecord | RecordProblem {
  const fail = (reason: string): RecordProblem => new RecordProblem('field', reason, 'media');
  const { step, key, kind, items } = r;
  if (!isStep(step)) return fail(`"step" must be a non-negative integer, got ${short(step)}`);
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_NAME_LENGTH) return fail(`"key" must be a non-empty string of at most ${MAX_NAME_LENGTH} characters, got ${short(key)}`);
  if (typeof kind !== 'string' || !MEDIA_FORMAT.test(kind)) return fail(`"kind" must be a media kind such as "image", "histogram" or "table", got ${short(kind)}`);
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_MEDIA_ITEMS) return fail(`"items" must be an array of 1 to ${MAX_MEDIA_ITEMS} objects, got ${short(items)}`);
  const out: MediaItem[] = new Array<MediaItem>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    const where = `"items[${i}]"`;
    if (!isPlainObject(item)) return fail(`${where} must be an object, got ${short(item)}`);
    const hasFile = item.sha256 !== undefined || item.format !== undefined;
    if (hasFile || KIND_NEEDS_FILE.has(kind)) {
      if (typeof item.sha256 !== 'string' || !SHA256.test(item.sha256)) return fail(`${where}.sha256 must be 64 lowercase hex digits, got ${short(item.sha256)}`);
      if (typeof item.format !== 'string' || !MEDIA_FORMAT.test(item.format)) return fail(`${where}.format must be 1 to 16 lowercase letters and digits (a file extension), got ${short(item.format)}`);
    }
    for (const field of ['size', 'width', 'height', 'rows'] as const) {
      if (item[field] !== undefined && !isStep(item[field])) return fail(`${where}.${field} must be a non-negative integer, got ${short(item[field])}`);
    }
    if (item.caption !== undefined && item.caption !== null && typeof item.caption !== 'string') return fail(`${where}.caption must be a string, got ${short(item.caption)}`);
    if (item.columns !== undefined && !(Array.isArray(item.columns) && item.columns.every((c) => typeof c === 'string'))) return fail(`${where}.columns must be an array of strings, got ${short(item.columns)}`);
    if (item.chart !== undefined && !isPlainObject(item.chart)) return fail(`${where}.chart must be an object, got ${short(item.chart)}`);
    if (kind === 'histogram') {
      const { bins, counts } = item;
      if (!isNumbers(counts) || counts.length === 0 || counts.length > MAX_HISTOGRAM_BINS) return fail(`${where}.counts must be an array of 1 to ${MAX_HISTOGRAM_BINS} numbers, got ${short(counts)}`);
      if (!isNumbers(bins) || bins.length !== counts.length + 1) return fail(`${where}.bins must be an array of ${counts.length + 1} numbers (one more than counts), got ${short(bins)}`);
    }
    out[i] = item as MediaItem;
  }
  return { type: 'media', time, step, key, kind, items: out };
}

const ARTIFACT_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const ARTIFACT_VERSION = /^v(0|[1-9]\d{0,8})$/;
const ALIAS = /^[^\s:/]{1,128}$/;

/** An artifact record (revision 1.2): which artifact version a run version logged, used or linked. */
function parseArtifact(r: Record<string, unknown>, time: number): ArtifactRecord | RecordProblem {
  const fail = (reason: string): RecordProblem => new RecordProblem('field', reason, 'artifact');
  const { action, step, name, version, artifact_type: artifactType, aliases } = r;
  if (action !== 'log' && action !== 'use' && action !== 'link') return fail(`"action" must be "log", "use" or "link", got ${short(action)}`);
  if (step !== null && step !== undefined && !isStep(step)) return fail(`"step" must be a non-negative integer or null, got ${short(step)}`);
  if (typeof name !== 'string' || !ARTIFACT_NAME.test(name)) return fail(`"name" must be 1 to 128 letters, digits, '_', '-' and '.', got ${short(name)}`);
  if (typeof version !== 'string' || !ARTIFACT_VERSION.test(version)) return fail(`"version" must be v0, v1, …, got ${short(version)}`);
  if (typeof artifactType !== 'string' || artifactType.length === 0 || artifactType.length > MAX_NAME_LENGTH) return fail(`"artifact_type" must be a non-empty string, got ${short(artifactType)}`);
  if (aliases !== undefined && !(Array.isArray(aliases) && aliases.every((a) => typeof a === 'string' && ALIAS.test(a)))) return fail(`"aliases" must be an array of aliases (no spaces, ':' or '/'), got ${short(aliases)}`);
  for (const field of ['size', 'files'] as const) {
    if (r[field] !== undefined && !isStep(r[field])) return fail(`"${field}" must be a non-negative integer, got ${short(r[field])}`);
  }
  for (const field of ['digest', 'description'] as const) {
    if (r[field] !== undefined && r[field] !== null && typeof r[field] !== 'string') return fail(`"${field}" must be a string, got ${short(r[field])}`);
  }
  if (r.metadata !== undefined && r.metadata !== null && !isPlainObject(r.metadata)) return fail(`"metadata" must be an object, got ${short(r.metadata)}`);
  const sourceRun = r.source_run;
  const sourceVersion = r.source_version;
  if (sourceRun !== undefined && sourceRun !== null && (typeof sourceRun !== 'string' || !RUN_ID_PATTERN.test(sourceRun))) return fail(`"source_run" must be a run id, got ${short(sourceRun)}`);
  if (sourceVersion !== undefined && sourceVersion !== null && (typeof sourceVersion !== 'string' || !RECORD_VERSION_ID_PATTERN.test(sourceVersion))) return fail(`"source_version" must be a version id, got ${short(sourceVersion)}`);
  return {
    type: 'artifact', time, action, step: isStep(step) ? step : null, name, version, artifact_type: artifactType,
    digest: typeof r.digest === 'string' ? r.digest : undefined, size: isStep(r.size) ? r.size : undefined, files: isStep(r.files) ? r.files : undefined,
    aliases: (aliases as string[] | undefined) ?? [], metadata: isPlainObject(r.metadata) ? r.metadata : undefined,
    description: typeof r.description === 'string' ? r.description : undefined,
    source_run: typeof sourceRun === 'string' ? sourceRun : undefined, source_version: typeof sourceVersion === 'string' ? sourceVersion : undefined,
  };
}

function isNumbers(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number');
}

function parseStart(r: Record<string, unknown>, time: number): StartRecord | RecordProblem {
  const protocol = r.protocol;
  if (typeof protocol === 'number' && protocol > PROTOCOL_VERSION) {
    return new RecordProblem('newer', `the file was written with log protocol ${protocol}; this Run Rewind reads protocol ${PROTOCOL_VERSION}. Update Run Rewind to read it`, 'start');
  }
  const run = r.run;
  const version = r.version;
  const mode = r.mode;
  if (typeof run !== 'string' || !RUN_ID_PATTERN.test(run)) return new RecordProblem('field', `"run" must be a run id (letters, digits, '_' and '-', 1 to 64 characters), got ${short(run)}`, 'start');
  if (typeof version !== 'string' || !RECORD_VERSION_ID_PATTERN.test(version)) return new RecordProblem('field', `"version" must be a version id, got ${short(version)}`, 'start');
  if (!isStartMode(mode)) return new RecordProblem('field', `"mode" must be "new", "resume", "rewind" or "fork", got ${short(mode)}`, 'start');
  let source: SourceRef | undefined;
  if (mode === 'rewind' || mode === 'fork') {
    const parsed = sourceOf(r.source);
    if (typeof parsed === 'string') return new RecordProblem('field', parsed, 'start');
    source = parsed;
  }
  return {
    type: 'start', protocol: typeof protocol === 'number' ? protocol : PROTOCOL_VERSION, time, run, version, mode,
    project: recordName(r.project), name: recordName(r.name), config: isPlainObject(r.config) ? r.config : undefined,
    tags: tagsOf(r.tags), notes: typeof r.notes === 'string' ? r.notes : undefined, group: recordName(r.group),
    pid: typeof r.pid === 'number' && Number.isInteger(r.pid) ? r.pid : undefined,
    host: typeof r.host === 'string' ? r.host : undefined,
    heartbeat: typeof r.heartbeat === 'number' && r.heartbeat > 0 ? r.heartbeat : undefined,
    source,
  };
}

function parseOp(type: RecordType, r: Record<string, unknown>, time: number): OpRecord | RecordProblem {
  if (type !== 'rename' && type !== 'delete' && type !== 'rewind' && type !== 'fork' && type !== 'edit') {
    return new RecordProblem('misplaced', `a ${JSON.stringify(type)} record belongs in a writer file, not an ops file`, type);
  }
  const run = r.run;
  if (typeof run !== 'string' || !RUN_ID_PATTERN.test(run)) return new RecordProblem('field', `"run" must be a run id, got ${short(run)}`, type);
  switch (type) {
    case 'rename': {
      const name = recordName(r.name);
      if (name === undefined) return new RecordProblem('field', NAME_RULE, type);
      return { type, time, run, name };
    }
    case 'delete':
      return { type, time, run };
    case 'edit': {
      const out: { tags?: string[]; notes?: string; group?: string | null } = {};
      if (r.tags !== undefined) {
        const tags = editTags(r.tags);
        if ('problem' in tags) return new RecordProblem('field', tags.problem, type);
        out.tags = tags.tags;
      }
      if (r.notes !== undefined) {
        if (typeof r.notes !== 'string' || r.notes.length > MAX_NOTES_LENGTH) return new RecordProblem('field', `"notes" must be a string of at most ${MAX_NOTES_LENGTH} characters`, type);
        out.notes = r.notes;
      }
      if (r.group !== undefined) {
        const group = r.group === null ? null : recordName(r.group);
        if (group === undefined) return new RecordProblem('field', `"group" must be null or a non-empty string of at most ${MAX_NAME_LENGTH} characters`, type);
        out.group = group;
      }
      if (Object.keys(out).length === 0) return new RecordProblem('field', 'an edit must give "tags", "notes" or "group"', type);
      return { type, time, run, ...out };
    }
    case 'rewind':
    case 'fork': {
      const version = r.version;
      if (typeof version !== 'string' || !RECORD_VERSION_ID_PATTERN.test(version)) return new RecordProblem('field', `"version" must be a version id, got ${short(version)}`, type);
      // A rewind names its run's archived version and step flat; a fork names its source as an object.
      const source = sourceOf(type === 'rewind' ? { run, version: r.source, step: r.step } : r.source);
      if (typeof source === 'string') return new RecordProblem('field', source, type);
      const config = isPlainObject(r.config) ? r.config : undefined;
      if (type === 'rewind') return { type, time, run, source: source.version, version, step: source.step, config };
      const fork: ForkRecord = {
        type, time, run, version, source, config, project: recordName(r.project), name: recordName(r.name),
        tags: tagsOf(r.tags), notes: typeof r.notes === 'string' ? r.notes : undefined,
      };
      return fork;
    }
  }
}

const NAME_RULE = `"name" must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`;

function isStartMode(value: unknown): value is StartMode {
  return value === 'new' || value === 'resume' || value === 'rewind' || value === 'fork';
}

function sourceOf(value: unknown): SourceRef | string {
  if (!isPlainObject(value)) return '"source" must be an object {"run", "version", "step"}';
  const { run, version, step } = value;
  if (typeof run !== 'string' || !RUN_ID_PATTERN.test(run)) return `"source.run" must be a run id, got ${short(run)}`;
  if (typeof version !== 'string' || !RECORD_VERSION_ID_PATTERN.test(version)) return `"source.version" must be a version id, got ${short(version)}`;
  if (!isStep(step)) return `"source.step" must be a non-negative integer, got ${short(step)}`;
  return { run, version, step };
}

function tagsOf(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : undefined;
}

function knownType(value: unknown): RecordType | undefined {
  return typeof value === 'string' && RECORD_TYPES.has(value) ? (value as RecordType) : undefined;
}

/** True for a record of an ops file (a rename there names its run). */
export function isOpRecord(record: LogRecord): record is OpRecord {
  return record.type === 'rewind' || record.type === 'fork' || record.type === 'delete' || record.type === 'edit' || (record.type === 'rename' && typeof record.run === 'string');
}

/** A value as a diagnostic quotes it: JSON, cut at 60 characters. */
export function short(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
