// The Run Rewind log protocol, version 1: the records training processes and the UI append to the log
// directory. docs/PROTOCOL.md is the user-facing description; this module is the executable one.
//
// Layout of a log directory:
//   runs/<run id>/<stamp>.jsonl   one file per writer process (one `init` of a client)
//   ops/<stamp>.jsonl             one file per operation made in the UI or the command line
//   changes/<stamp>.<run id>      an empty marker per writer file: tells polling readers where it is
// <stamp> is "<13-digit unix milliseconds>-<8 lowercase base-36 characters>"; readers apply files in
// stamp order, so a record only ever refers to runs and versions created by an earlier file.
//
// The types below are what writers write and what readers hand on: records.ts parses a line into one of
// them (a record read back carries `time` NaN when its line had none), apply.ts applies it to the store.

export const PROTOCOL_VERSION = 1;
export const RUNS_DIR = 'runs';
export const OPS_DIR = 'ops';
export const LOG_EXTENSION = '.jsonl';
/**
 * Change markers: a writer that creates `runs/<run id>/<stamp>.jsonl` also creates the empty file
 * `changes/<stamp>.<run id>`, so a reader polling a directory of 10,000 runs learns which run folder
 * has a new file from one folder instead of looking at every run folder (docs/PROTOCOL.md).
 */
export const CHANGES_DIR = 'changes';

/** The change marker of a writer file, relative to the log directory. */
export function changeMarker(stamp: string, runId: string): string {
  return `${CHANGES_DIR}/${stamp}.${runId}`;
}

/** The run id a change marker's name points to, or undefined for a name that is not one. */
export function markedRun(name: string): string | undefined {
  const dot = name.indexOf('.');
  const run = dot > 0 ? name.slice(dot + 1) : '';
  return /^[A-Za-z0-9_-]{1,64}$/.test(run) ? run : undefined;
}
/** Seconds between `alive` records that writers promise unless their start record says otherwise. */
export const DEFAULT_HEARTBEAT_SECONDS = 10;
/** A writer that stays silent this many heartbeats is taken for dead. */
export const HEARTBEAT_GRACE = 4;
/**
 * How far a writer's clock may be behind the file system's. A writer on another host whose newest sign of
 * life is older than this (plus its heartbeats) by its own record times is crashed whatever its file's
 * time says: a copy of old logs (a checkout, `cp`) dates its files now, and must not look running.
 */
export const MAX_CLOCK_SKEW_SECONDS = 24 * 3600;
/** A process on the writer's host that started this long after the writer's newest record is not it. */
export const PID_REUSE_SLACK_SECONDS = 2;

export type StartMode = 'new' | 'resume' | 'rewind' | 'fork';

export interface SourceRef {
  readonly run: string;
  readonly version: string;
  readonly step: number;
}

/** First record of every writer file. */
export interface StartRecord {
  readonly type: 'start';
  readonly protocol: number;
  readonly time: number;
  readonly run: string;
  /** The version this file's rows belong to: new for new/rewind/fork, the live one for resume. */
  readonly version: string;
  readonly mode: StartMode;
  readonly project?: string;
  readonly name?: string;
  readonly config?: Record<string, unknown>;
  readonly tags?: string[];
  readonly notes?: string;
  /** The run's group (wandb's `group=`); read on `new` and `fork` starts. */
  readonly group?: string;
  readonly pid?: number;
  readonly host?: string;
  readonly heartbeat?: number;
  /** rewind: the run's live version that is archived, and the branch step; fork: the source. */
  readonly source?: SourceRef;
}

export interface ConfigRecord {
  readonly type: 'config';
  readonly time: number;
  readonly config: Record<string, unknown>;
}

export type RowValue = number | string | boolean | null;

export interface RowRecord {
  readonly type: 'row';
  readonly time: number;
  readonly step: number;
  readonly data: Record<string, unknown>;
}

export interface SummaryRecord {
  readonly type: 'summary';
  readonly time: number;
  /** Explicit summary values; they win over the last logged value. null removes one. */
  readonly summary: Record<string, unknown>;
}

export interface AliveRecord {
  readonly type: 'alive';
  readonly time: number;
}

export interface FinishRecord {
  readonly type: 'finish';
  readonly time: number;
  readonly exit_code: number;
}

/** A writer renaming its own run (its `run` field, if any, is not read). */
export interface WriterRenameRecord {
  readonly type: 'rename';
  readonly time: number;
  readonly run?: string;
  readonly name: string;
}

/** Ops written by the UI and the command line (one record per ops file). */
export interface RewindRecord {
  readonly type: 'rewind';
  readonly time: number;
  readonly run: string;
  /** The version archived by the rewind (the run's live version when it was made). */
  readonly source: string;
  /** The new live version. */
  readonly version: string;
  readonly step: number;
  /** Merged over the archived version's config for the new version. */
  readonly config?: Record<string, unknown>;
}

export interface ForkRecord {
  readonly type: 'fork';
  readonly time: number;
  readonly run: string;
  readonly version: string;
  readonly project?: string;
  readonly name?: string;
  readonly config?: Record<string, unknown>;
  readonly tags?: string[];
  readonly notes?: string;
  readonly source: SourceRef;
}

export interface RenameRecord {
  readonly type: 'rename';
  readonly time: number;
  readonly run: string;
  readonly name: string;
}

/**
 * Edits a run's tags, notes or group after the fact (the runs table and the tree, as W&B users do):
 * each field given replaces the run's; `group: null` clears it. At least one field is given.
 */
export interface EditRecord {
  readonly type: 'edit';
  readonly time: number;
  readonly run: string;
  readonly tags?: readonly string[];
  readonly notes?: string;
  readonly group?: string | null;
}

export interface DeleteRecord {
  readonly type: 'delete';
  readonly time: number;
  readonly run: string;
}

export type ConsoleStream = 'stdout' | 'stderr';

/** One printed line: [time, stream, step pending when it ended, text without escapes]. */
export type ConsoleLineEntry = readonly [time: number, stream: ConsoleStream, step: number, text: string];

/** Lines the writer's process printed (revision 1.1), in the order printed. */
export interface ConsoleRecord {
  readonly type: 'console';
  readonly time: number;
  readonly lines: readonly ConsoleLineEntry[];
}

/** One sample of system metrics (revision 1.1): `system/…` keys against wall time, not steps. */
export interface SystemRecord {
  readonly type: 'system';
  readonly time: number;
  readonly data: Readonly<Record<string, number>>;
}

/** What a writer's process is (revision 1.1): every field optional; see docs/PROTOCOL.md. */
export interface RunMetadata {
  readonly host?: string;
  readonly os?: string;
  readonly python?: string;
  readonly python_implementation?: string;
  readonly executable?: string;
  readonly program?: string;
  readonly args?: readonly string[];
  readonly command?: string;
  readonly cwd?: string;
  readonly cpu_count?: number;
  readonly memory_total_bytes?: number;
  readonly gpu_count?: number;
  readonly gpu?: string;
  readonly gpus?: readonly { readonly name?: string; readonly memory_total_mb?: number }[];
  /** Fields a newer writer adds are kept as they were written. */
  readonly [field: string]: unknown;
}

export interface MetadataRecord {
  readonly type: 'metadata';
  readonly time: number;
  readonly metadata: RunMetadata;
}

/** The kinds of media a writer logs (revision 1.2); a reader keeps a kind it does not know as a file. */
export const MEDIA_KINDS = ['image', 'histogram', 'table', 'audio', 'video', 'html'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

/**
 * One logged media value (docs/PROTOCOL.md, `media`). Its file, when it has one, is
 * `media/<sha256[0..2]>/<sha256>.<format>` under the log directory: readers derive the path, records never name one.
 */
export interface MediaItem {
  readonly sha256?: string;
  readonly size?: number;
  readonly format?: string;
  readonly caption?: string;
  readonly width?: number;
  readonly height?: number;
  /** Histograms: n+1 ascending bin edges and n counts. */
  readonly bins?: readonly number[];
  readonly counts?: readonly number[];
  /** Tables: column names, row count, and the chart `wandb.plot.*` asked for. */
  readonly columns?: readonly string[];
  readonly rows?: number;
  readonly chart?: Readonly<Record<string, unknown>>;
  /** Fields a newer writer adds (and audio/video fields) are kept as written. */
  readonly [field: string]: unknown;
}

/** Media logged under `key` with the row of `step` (revision 1.2): one item, or several for a list. */
export interface MediaRecord {
  readonly type: 'media';
  readonly time: number;
  readonly step: number;
  readonly key: string;
  readonly kind: string;
  readonly items: readonly MediaItem[];
}

/** Where a media item's file is, relative to the log directory ('/'-separated), or undefined when it has none. */
export function mediaFile(item: MediaItem): string | undefined {
  if (typeof item.sha256 !== 'string' || typeof item.format !== 'string') return undefined;
  return `media/${item.sha256.slice(0, 2)}/${item.sha256}.${item.format}`;
}

export type ArtifactAction = 'log' | 'use' | 'link';

/** A run version logged, used or linked a version of an artifact (revision 1.2; docs/PROTOCOL.md `artifact`). */
export interface ArtifactRecord {
  readonly type: 'artifact';
  readonly time: number;
  readonly action: ArtifactAction;
  /** The version's last committed step when it happened; null before its first row. */
  readonly step: number | null;
  readonly name: string;
  /** `v0`, `v1`, … */
  readonly version: string;
  readonly artifact_type: string;
  readonly digest?: string;
  readonly size?: number;
  readonly files?: number;
  readonly aliases: readonly string[];
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly description?: string;
  /** For `use` and `link`: the run and run version that logged the artifact version. */
  readonly source_run?: string;
  readonly source_version?: string;
}

export type WriterRecord = StartRecord | ConfigRecord | RowRecord | SummaryRecord | AliveRecord | FinishRecord | WriterRenameRecord | ConsoleRecord | SystemRecord | MetadataRecord | MediaRecord | ArtifactRecord;
export type OpRecord = RewindRecord | ForkRecord | RenameRecord | DeleteRecord | EditRecord;
export type LogRecord = WriterRecord | OpRecord;
export type RecordType = LogRecord['type'];

export const RECORD_TYPES: ReadonlySet<string> = new Set<RecordType>([
  'start', 'config', 'row', 'summary', 'alive', 'finish', 'rewind', 'fork', 'rename', 'delete', 'console', 'system', 'metadata', 'media', 'artifact', 'edit',
]);
/** The record types a writer's file holds, and those an ops file holds ('rename' is both). */
/** Writer records that are not signs of life (docs/PROTOCOL.md, "Liveness"): the writer keeps writing `alive`. */
export const QUIET_RECORD_TYPES: ReadonlySet<string> = new Set<WriterRecord['type']>(['console', 'system', 'metadata', 'media', 'artifact']);
export const WRITER_RECORD_TYPES: ReadonlySet<string> = new Set<WriterRecord['type']>(['start', 'config', 'row', 'summary', 'alive', 'finish', 'rename', 'console', 'system', 'metadata', 'media', 'artifact']);
export const OP_RECORD_TYPES: ReadonlySet<string> = new Set<OpRecord['type']>(['rewind', 'fork', 'rename', 'delete', 'edit']);

/** Makes a file stamp that sorts by creation time. */
export function makeStamp(nowMs = Date.now()): string {
  return `${String(Math.floor(nowMs)).padStart(13, '0')}-${randomBase36(8)}`;
}

/** A new immutable version id. */
export function newVersionId(): string {
  return `v${randomBase36(12)}`;
}

/** A new run id: 8 random lowercase base-36 characters, as W&B makes them. */
export function newRunId(): string {
  return randomBase36(8);
}

function randomBase36(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(Math.random() * 36)];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding

/**
 * Serialises a record as one line (without the newline). Non-finite numbers are written bare, as
 * Python's json module writes them, so both writers produce the same bytes.
 */
export function encodeRecord(record: LogRecord | Record<string, unknown>): string {
  if (!hasNonFinite(record, 0)) return JSON.stringify(record);
  let nonFinite = false;
  const text = JSON.stringify(record, (_key, value: unknown) => {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      nonFinite = true;
      return Number.isNaN(value) ? NAN_TOKEN : value > 0 ? POS_INF_TOKEN : NEG_INF_TOKEN;
    }
    return value;
  });
  if (!nonFinite) return text;
  return text
    .split(`"${NAN_TOKEN}"`).join('NaN')
    .split(`"${POS_INF_TOKEN}"`).join('Infinity')
    .split(`"${NEG_INF_TOKEN}"`).join('-Infinity');
}

function hasNonFinite(value: unknown, depth: number): boolean {
  if (typeof value === 'number') return value - value !== 0;
  if (typeof value !== 'object' || value === null || depth > 64) return false;
  if (Array.isArray(value)) return value.some((v) => hasNonFinite(v, depth + 1));
  for (const key in value) if (hasNonFinite((value as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}

// Private-use characters that JSON.stringify leaves as they are; a user string equal to one of these
// tokens would be rewritten, so they are long and improbable.
const NAN_TOKEN = '\uE000rr-NaN\uE000';
const POS_INF_TOKEN = '\uE000rr-Inf\uE000';
const NEG_INF_TOKEN = '\uE000rr--Inf\uE000';

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * Parses one line. Fast path: JSON.parse. Lines with Python's bare NaN / Infinity / -Infinity fall back
 * to a strict parser that accepts those three tokens. Throws SyntaxError with a reason on bad input.
 */
export function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    if (!/NaN|Infinity/.test(line)) throw error;
    return new RelaxedJsonParser(line).parseDocument();
  }
}

class RelaxedJsonParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    const value = this.value(0);
    this.ws();
    if (this.pos !== this.text.length) this.fail('unexpected text after the JSON value');
    return value;
  }

  private value(depth: number): unknown {
    if (depth > 512) this.fail('nesting is too deep');
    this.ws();
    const c = this.text[this.pos];
    switch (c) {
      case '{': return this.object(depth);
      case '[': return this.array(depth);
      case '"': return this.string();
      case 't': return this.literal('true', true);
      case 'f': return this.literal('false', false);
      case 'n': return this.literal('null', null);
      case 'N': return this.literal('NaN', Number.NaN);
      case 'I': return this.literal('Infinity', Number.POSITIVE_INFINITY);
      case '-':
        if (this.text.startsWith('-Infinity', this.pos)) return this.literal('-Infinity', Number.NEGATIVE_INFINITY);
        return this.number();
      default:
        if (c !== undefined && c >= '0' && c <= '9') return this.number();
        return this.fail(c === undefined ? 'unexpected end of line' : `unexpected character ${JSON.stringify(c)}`);
    }
  }

  private object(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++;
    this.ws();
    if (this.text[this.pos] === '}') { this.pos++; return out; }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail('expected a property name');
      const key = this.string();
      this.ws();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      // defineProperty keeps keys such as "__proto__" as plain data, as JSON.parse does.
      Object.defineProperty(out, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.text[this.pos++];
      if (c === '}') return out;
      if (c !== ',') this.fail("expected ',' or '}'");
    }
  }

  private array(depth: number): unknown[] {
    const out: unknown[] = [];
    this.pos++;
    this.ws();
    if (this.text[this.pos] === ']') { this.pos++; return out; }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.text[this.pos++];
      if (c === ']') return out;
      if (c !== ',') this.fail("expected ',' or ']'");
    }
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (Number.isNaN(c)) this.fail('unterminated string');
      if (c === 0x22) break;
      if (c === 0x5c) this.pos++;
      else if (c < 0x20) this.fail('control character in string');
      this.pos++;
    }
    this.pos++;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  private number(): number {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!match) this.fail('bad number');
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`unexpected token at ${JSON.stringify(this.text.slice(this.pos, this.pos + 12))}`);
    this.pos += word.length;
    return value;
  }

  private ws(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.pos++;
    }
  }

  private fail(reason: string): never {
    throw new SyntaxError(`${reason} at column ${this.pos + 1}`);
  }
}
