// A TypeScript writer of the log protocol: used by tests, benchmarks and Node training scripts.
// It writes; it does not validate rewinds and forks against existing logs (the engine's rewind/fork
// and the Python client do that).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_HEARTBEAT_SECONDS, LOG_EXTENSION, PROTOCOL_VERSION, RUNS_DIR, changeMarker, encodeRecord, makeStamp, newRunId, newVersionId } from './protocol';
import type { LogRecord, SourceRef, StartMode } from './protocol';
import { RunRewindError } from './errors';
import { VERSION_ID_PATTERN, validateRunId } from './runSpec';

export interface WriterOptions {
  /** The log directory (`.runrewind`). */
  readonly dir: string;
  readonly run?: string;
  readonly version?: string;
  readonly mode?: StartMode;
  readonly project?: string;
  readonly name?: string;
  readonly config?: Record<string, unknown>;
  readonly tags?: string[];
  readonly notes?: string;
  readonly group?: string;
  readonly source?: SourceRef;
  /** Seconds between alive records; 0 writes none (a test or benchmark that finishes quickly). */
  readonly heartbeat?: number;
  /** Clock in unix seconds, for deterministic files. */
  readonly clock?: () => number;
  /** File stamp, for deterministic files. */
  readonly stamp?: string;
  /** Buffer lines in memory and write them in blocks (benchmarks). Call flush() or finish(). */
  readonly buffered?: boolean;
  /** Step of the last row already in the version (resume), so log() continues after it. */
  readonly lastStep?: number;
}

export class LogWriter {
  readonly run: string;
  readonly version: string;
  readonly file: string;
  private readonly fd: number;
  private readonly clock: () => number;
  private readonly buffered: boolean;
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private next: number;
  private finished = false;

  constructor(options: WriterOptions) {
    // The run id becomes a folder name: only a valid id may, never `../x` or an absolute path.
    this.run = validateRunId(options.run ?? newRunId(), 'LogWriter run id');
    this.version = options.version ?? newVersionId();
    if (!VERSION_ID_PATTERN.test(this.version)) throw new RunRewindError('bad-id', `LogWriter version id ${JSON.stringify(this.version)} is not valid: 'v' and 6 to 32 lowercase letters or digits`);
    this.clock = options.clock ?? (() => Date.now() / 1000);
    this.buffered = options.buffered ?? false;
    const dir = path.join(options.dir, RUNS_DIR, this.run);
    fs.mkdirSync(dir, { recursive: true });
    const stamp = options.stamp ?? makeStamp();
    this.file = path.join(dir, `${stamp}${LOG_EXTENSION}`);
    this.fd = fs.openSync(this.file, 'a');
    const heartbeat = options.heartbeat ?? DEFAULT_HEARTBEAT_SECONDS;
    const mode = options.mode ?? 'new';
    this.next = options.source && (mode === 'rewind' || mode === 'fork') ? options.source.step + 1 : options.lastStep !== undefined ? options.lastStep + 1 : 0;
    const start: Record<string, unknown> = {
      type: 'start', protocol: PROTOCOL_VERSION, time: this.clock(), run: this.run, version: this.version, mode,
      pid: process.pid, host: os.hostname(), heartbeat: heartbeat > 0 ? heartbeat : DEFAULT_HEARTBEAT_SECONDS,
    };
    for (const key of ['project', 'name', 'config', 'tags', 'notes', 'group', 'source'] as const) if (options[key] !== undefined) start[key] = options[key];
    this.write(start);
    markChange(options.dir, stamp, this.run);
    if (heartbeat > 0) {
      this.timer = setInterval(() => this.write({ type: 'alive', time: this.clock() }), heartbeat * 1000);
      this.timer.unref();
    }
  }

  /** The step the next log() without a step writes to. */
  get step(): number {
    return this.next;
  }

  /** Writes one history row at `step` (default: the next step). */
  log(data: Record<string, unknown>, step = this.next): void {
    this.write({ type: 'row', time: this.clock(), step, data });
    this.next = step + 1;
  }

  config(update: Record<string, unknown>): void {
    this.write({ type: 'config', time: this.clock(), config: update });
  }

  summary(update: Record<string, unknown>): void {
    this.write({ type: 'summary', time: this.clock(), summary: update });
  }

  rename(name: string): void {
    this.write({ type: 'rename', time: this.clock(), run: this.run, name });
  }

  /** Writes raw text (tests: torn and malformed lines). */
  writeRaw(text: string): void {
    this.flush();
    fs.writeSync(this.fd, text);
  }

  finish(exitCode = 0): void {
    if (this.finished) return;
    this.write({ type: 'finish', time: this.clock(), exit_code: exitCode });
    this.flush();
    fs.fsyncSync(this.fd);
    this.close();
    this.finished = true;
  }

  /** Stops writing without a finish record, as a killed process would. */
  abandon(): void {
    this.flush();
    this.close();
    this.finished = true;
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    fs.writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.bufferedBytes = 0;
  }

  private write(record: LogRecord | Record<string, unknown>): void {
    const line = `${encodeRecord(record)}\n`;
    if (!this.buffered) {
      fs.writeSync(this.fd, line);
      return;
    }
    this.buffer.push(line);
    this.bufferedBytes += line.length;
    if (this.bufferedBytes > 4 * 1024 * 1024) this.flush();
  }

  private close(): void {
    if (this.timer) clearInterval(this.timer);
    fs.closeSync(this.fd);
  }
}

/** Leaves the change marker of a new writer file (docs/PROTOCOL.md); readers find the file without it too, later. */
function markChange(dir: string, stamp: string, runId: string): void {
  const marker = path.join(dir, changeMarker(stamp, runId));
  try {
    fs.mkdirSync(path.dirname(marker), { recursive: true });
    fs.closeSync(fs.openSync(marker, 'a'));
  } catch {
    // a read-only or full folder: polling readers find the file on their sweep of the run folders
  }
}
