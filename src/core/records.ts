// Parse: one log line → a typed record of protocol.ts, or the RecordProblem that stops it. Every field
// check of every record type is here, and nothing here looks at the store: whether a record can be
// applied (its run exists, its step comes after the last one, it is the first record of its file) is
// apply.ts's question. An importer of another format builds the same typed records itself.
import { PROTOCOL_VERSION, RECORD_TYPES, parseLine } from './protocol';
import type { ForkRecord, LogRecord, OpRecord, RecordType, RowRecord, SourceRef, StartMode, StartRecord, WriterRecord } from './protocol';
import { MAX_NAME_LENGTH, RECORD_VERSION_ID_PATTERN, RUN_ID_PATTERN, isStep, recordName } from './runSpec';
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
export type ProblemKind = 'line' | 'deep' | 'newer' | 'field' | 'misplaced' | 'unstored';

/**
 * Record types of protocol 1.1 (docs/PROTOCOL.md: console output, system metrics, run metadata) that
 * the Python client writes and this store does not keep yet: skipped without a diagnostic, so a run
 * that printed is not a file full of warnings. The Python reader skips them the same way.
 */
export const UNSTORED_RECORD_TYPES: ReadonlySet<string> = new Set(['console', 'system', 'metadata']);

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
  if (UNSTORED_RECORD_TYPES.has(type)) return new RecordProblem('unstored', `a ${type} record (not stored yet)`, undefined, 'warning');
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
    tags: tagsOf(r.tags), notes: typeof r.notes === 'string' ? r.notes : undefined,
    pid: typeof r.pid === 'number' && Number.isInteger(r.pid) ? r.pid : undefined,
    host: typeof r.host === 'string' ? r.host : undefined,
    heartbeat: typeof r.heartbeat === 'number' && r.heartbeat > 0 ? r.heartbeat : undefined,
    source,
  };
}

function parseOp(type: RecordType, r: Record<string, unknown>, time: number): OpRecord | RecordProblem {
  if (type !== 'rename' && type !== 'delete' && type !== 'rewind' && type !== 'fork') {
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
  return record.type === 'rewind' || record.type === 'fork' || record.type === 'delete' || (record.type === 'rename' && typeof record.run === 'string');
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
