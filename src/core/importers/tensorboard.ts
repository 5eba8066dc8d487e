// TensorBoard event files as runs: every folder holding `*tfevents*` files under a source is one run (as
// TensorBoard names runs), its files read in name order (their names start with the writer's start time)
// and tailed by offset. Events become the records our own logs hold: scalars (simple_value, or rank-0
// tensors of the `scalars` plugin) merged by step into rows (a tag on its own step axis, behind the
// rows already applied, keeps its own step order: RecordSource.keySteps), text into console lines, the hparams
// plugin's session into config. A file whose first step goes back to or below the steps read so far is
// a restarted writer: a rewind of the run at the step before it, so the old curve is kept as an archived
// version instead of being purged as TensorBoard does. Histograms, images and audio become media records
// (images and audio stored once, by content, under our log directory's media/ folder).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunOrigin } from '../api';
import type { RecordSource } from '../apply';
import { imageFormat, storeMediaFile } from '../mediaStore';
import type { ConsoleLineEntry, LogRecord, MediaItem, MediaRecord } from '../protocol';
import { PROTOCOL_VERSION } from '../protocol';
import { MAX_MEDIA_ITEMS } from '../records';
import type { ImportContext, ImportPass, Importer } from './index';
import { ListingCache } from './listing';
import { sourceRoots } from './sources';
import { EventReader } from './tfevents';
import type { TfEvent, TfValue } from './tfevents';
import { MAX_TFRECORD, TFRECORD_FOOTER, TFRECORD_HEADER, visitRecords } from './tfrecord';

export const TENSORBOARD_KIND = 'tensorboard';
/**
 * The stage's default hold (ImportContext.holdSeconds), which the rewritten-whole sources use. Event files
 * no longer hold their newest step: a tag of that step read later joins it through RecordSource.keySteps
 * (its own steps still increase), so a step is in the store on the pass that reads it.
 */
export const HOLD_SECONDS = 2;
/** A run whose files have not grown for this long is finished (TensorBoard files have no end record). */
export const FINISH_IDLE_SECONDS = 90;
/** The heartbeat imported runs promise: they stay running for four of them after their files last grew. */
const IMPORT_HEARTBEAT = 30;
const READ_BLOCK = 8 * 1024 * 1024;
const FLUSH_ROWS = 64;
const MAX_DEPTH = 24;

interface Row {
  step: number;
  time: number;
  data: Record<string, number>;
}

interface FileState {
  offset: number;
  /** Records read (the number diagnostics give as the "line"). */
  records: number;
  status: 'active' | 'rejected';
  /** Its first step has been seen (restarts are told by a file's first step). */
  started: boolean;
  /** Values skipped: negative steps (late), and kinds not imported yet. */
  late: number;
  skipped: number;
  /** Tags and kinds already warned about in this file. */
  warned: string[];
}

interface RunState {
  readonly run: string;
  readonly dir: string;
  readonly project: string;
  readonly name: string;
  /** The version records go to; null before the first start and after a finish. */
  version: string | null;
  files: Record<string, FileState>;
  /** The newest step's row when a pass stopped within a file (its budget ran out), persisted with the offsets. */
  held: Row | null;
}

interface Live {
  readonly state: RunState;
  /** Rows read and not applied yet, by step (the held row among them). */
  readonly pending: Map<number, Row>;
  dirty: boolean;
  /** The source rows of the open version are applied as (sourceFor). */
  rows?: RecordSource;
}

export class TensorBoardImporter implements Importer {
  private readonly runs = new Map<string, Live>();
  private readonly listings = new ListingCache();
  private readonly originMap = new Map<string, RunOrigin>();

  constructor(private readonly ctx: ImportContext) {
    this.reload();
  }

  reload(): void {
    this.runs.clear();
    this.listings.clear();
    this.originMap.clear();
    this.ctx.db.each('SELECT dir, state FROM import_runs WHERE kind=?', [TENSORBOARD_KIND], (r) => {
      const state = JSON.parse(r[1] as string) as RunState;
      const pending = new Map<number, Row>();
      if (state.held) pending.set(state.held.step, state.held);
      this.runs.set(r[0] as string, { state, pending, dirty: false });
      this.originMap.set(state.run, { kind: TENSORBOARD_KIND, label: 'TensorBoard', path: state.dir });
    });
  }

  origins(): ReadonlyMap<string, RunOrigin> {
    return this.originMap;
  }

  pendingBytes(): number {
    let total = 0;
    for (const live of this.runs.values()) {
      for (const [name, file] of Object.entries(live.state.files)) {
        if (file.status !== 'active') continue;
        try {
          total += Math.max(0, fs.statSync(path.join(live.state.dir, name)).size - file.offset);
        } catch {
          // gone meanwhile
        }
      }
    }
    return total;
  }

  run(sources: readonly string[], budget: number, pass: ImportPass): void {
    const seen = new Set<string>();
    try {
      for (const root of sourceRoots(sources, this.ctx.skip)) {
        for (const [dir, files] of this.runDirs(root)) {
          if (seen.has(dir)) continue;
          seen.add(dir);
          if (budget - pass.bytes <= 0) {
            pass.more = true;
            return;
          }
          this.readRun(this.liveOf(root, dir), files, budget - pass.bytes, pass);
        }
      }
    } finally {
      for (const [dir, live] of this.runs) {
        if (!live.dirty) continue;
        this.ctx.db.run('INSERT OR REPLACE INTO import_runs (dir, kind, run, state) VALUES (?,?,?,?)', [dir, TENSORBOARD_KIND, live.state.run, JSON.stringify(live.state)]);
        live.dirty = false;
      }
    }
  }

  private liveOf(root: string, dir: string): Live {
    let live = this.runs.get(dir);
    if (!live) {
      const rel = path.relative(this.ctx.base, dir).split(path.sep).join('/');
      const run = `tb-${createHash('sha1').update(`${TENSORBOARD_KIND}\n${rel}`).digest('hex').slice(0, 16)}`;
      const name = dir === root ? path.basename(root) : path.relative(root, dir).split(path.sep).join('/');
      const state: RunState = { run, dir, project: path.basename(root), name, version: null, files: {}, held: null };
      live = { state, pending: new Map(), dirty: true };
      this.runs.set(dir, live);
      this.originMap.set(run, { kind: TENSORBOARD_KIND, label: 'TensorBoard', path: dir });
    }
    return live;
  }

  /** Folders under `root` that hold event files, each with its event files in name order. */
  private runDirs(root: string): Map<string, string[]> {
    const out = new Map<string, string[]>();
    const walk = (dir: string, depth: number): void => {
      const listing = this.listings.get(dir);
      if (!listing) return;
      // TensorBoard's own test for an event file: "tfevents" in its name.
      const events = listing.files.filter((f) => f.includes('tfevents'));
      if (events.length > 0) out.set(dir, events.map((e) => path.join(dir, e)));
      if (depth >= MAX_DEPTH) return;
      for (const sub of listing.dirs) {
        const next = path.join(dir, sub);
        if (!this.ctx.skip(next)) walk(next, depth + 1);
      }
    };
    walk(root, 0);
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Reading one run

  private readRun(live: Live, files: readonly string[], budget: number, pass: ImportPass): void {
    const { state } = live;
    const run = this.ctx.store.runs.get(state.run);
    // The run's live version was replaced here (a rewind made in Run Rewind): what the files add
    // continues the live version, as a resumed writer would.
    if (state.version !== null && run && run.liveVersion !== state.version) {
      state.version = null;
      live.dirty = true;
    }
    let newest = 0;
    let read = 0;
    for (const file of files) {
      const name = path.basename(file);
      let fileState = state.files[name];
      if (!fileState) {
        fileState = { offset: 0, records: 0, status: 'active', started: false, late: 0, skipped: 0, warned: [] };
        state.files[name] = fileState;
        live.dirty = true;
      }
      if (fileState.status !== 'active') continue;
      const result = this.readFile(live, file, fileState, budget - read, pass);
      read += result.bytes;
      newest = Math.max(newest, result.mtime);
      if (!result.done) {
        this.flush(live, true);
        pass.more = true;
        return;
      }
    }
    const idle = this.ctx.now() - newest;
    this.flush(live, false);
    if (state.version === null) return;
    const version = this.ctx.store.versions.get(state.version);
    if (read > 0 && version && (version.lastSeen === null || version.lastSeen < newest)) this.applyRecord(live, files[files.length - 1], 0, { type: 'alive', time: newest });
    if (idle >= FINISH_IDLE_SECONDS && live.pending.size === 0) {
      this.applyRecord(live, files[files.length - 1], 0, { type: 'finish', time: newest, exit_code: 0 });
      state.version = null;
      live.dirty = true;
    }
  }

  /** Reads a file's whole new records within `budget`; done is false when the budget stopped it. */
  private readFile(live: Live, file: string, fileState: FileState, budget: number, pass: ImportPass): { bytes: number; mtime: number; done: boolean } {
    let fd: number;
    try {
      fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    } catch {
      return { bytes: 0, mtime: 0, done: true };
    }
    let bytes = 0;
    try {
      const stat = fs.fstatSync(fd);
      const mtime = stat.mtimeMs / 1000;
      if (!stat.isFile()) {
        this.reject(live, file, fileState, 'it is not a regular file (a pipe, a device or a folder); it is not read');
        return { bytes, mtime, done: true };
      }
      const size = stat.size;
      if (size < fileState.offset) {
        this.reject(live, file, fileState, `the file is shorter than the ${fileState.offset} bytes already read; event files are append-only, so it is no longer read`);
        return { bytes, mtime, done: true };
      }
      let block = Math.min(READ_BLOCK, size - fileState.offset);
      // One buffer for the whole file (grown only for a record longer than a block): a block per read
      // left blocks for the collector, and a gigabyte's worth of them raised the peak memory by as many.
      // Nothing keeps a view into it past its record (images are stored as they are read).
      let buffer = Buffer.allocUnsafe(block);
      while (fileState.offset < size) {
        if (bytes >= budget) return { bytes, mtime, done: false };
        const length = Math.min(block, size - fileState.offset);
        if (buffer.length < length) buffer = Buffer.allocUnsafe(length);
        const got = fs.readSync(fd, buffer, 0, length, fileState.offset);
        if (got <= 0) break;
        const view = new Uint8Array(buffer.buffer, buffer.byteOffset, got);
        const reader = new EventReader(view);
        const consumed = visitRecords(view, fileState.offset, {
          record: (offset, start, end) => {
            fileState.records++;
            let event: TfEvent;
            try {
              event = reader.decode(start, end);
            } catch (error) {
              this.ctx.report(file, fileState.records, 'error', `the record at byte ${offset} is not a TensorBoard event (${(error as Error).message}); it is skipped`);
              return;
            }
            this.onEvent(live, file, fileState, event);
            // Rows are applied as they complete (a newer step has been read), not a block's worth at a
            // time: held for a whole block they outlived the young generation and cost more to collect.
            if (live.pending.size >= FLUSH_ROWS) this.flush(live, true);
          },
          problem: (problem) => {
            if (!problem.fatal) fileState.records++;
            this.ctx.report(file, fileState.records + (problem.fatal ? 1 : 0), 'error', problem.message);
            if (problem.fatal) fileState.status = 'rejected';
          },
        });
        fileState.offset += consumed;
        bytes += consumed;
        pass.bytes += consumed;
        live.dirty = true;
        if (fileState.status !== 'active') break;
        this.flush(live, true);
        if (consumed === 0) {
          // A record longer than the block: read a block that holds it, if the file has it whole yet.
          if (got < TFRECORD_HEADER) break;
          const need = TFRECORD_HEADER + buffer.readUInt32LE(0) + buffer.readUInt32LE(4) * 0x1_0000_0000 + TFRECORD_FOOTER;
          if (need > MAX_TFRECORD + TFRECORD_HEADER + TFRECORD_FOOTER || fileState.offset + need > size || need <= got) break;
          block = need;
          continue;
        }
        block = Math.min(READ_BLOCK, size - fileState.offset);
      }
      return { bytes, mtime, done: true };
    } finally {
      fs.closeSync(fd);
    }
  }

  private reject(live: Live, file: string, fileState: FileState, message: string): void {
    this.ctx.report(file, fileState.records + 1, 'error', message);
    fileState.status = 'rejected';
    live.dirty = true;
  }

  // -------------------------------------------------------------------------------------------
  // Events to records

  private onEvent(live: Live, file: string, fileState: FileState, event: TfEvent): void {
    if (event.values.length === 0) return;
    const { step } = event;
    const time = event.wallTime;
    // Scalars are counted here and written straight into their step's row below: PyTorch writes one
    // event per scalar, so a row object per event was garbage made a million times.
    let scalars = 0;
    let lines: ConsoleLineEntry[] | undefined;
    let media: MediaRecord[] | undefined;
    for (const value of event.values) {
      switch (value.kind) {
        case 'scalar':
          scalars++;
          break;
        case 'text':
          for (const text of value.text ?? []) {
            for (const line of text.split(/\r?\n/)) (lines ??= []).push([time, 'stdout', Math.max(0, step), `${value.tag}: ${line}`]);
          }
          break;
        case 'hparams':
          if (value.hparams) {
            this.open(live, file, fileState, time, null);
            this.applyRecord(live, file, fileState.records, { type: 'config', time, config: value.hparams });
          }
          break;
        case 'histogram':
        case 'image':
        case 'audio': {
          const record = this.mediaOf(value, step, time);
          if (record) (media ??= []).push(record);
          else {
            fileState.skipped++;
            this.warnOnce(live, file, fileState, `empty:${value.kind}`, `the ${value.kind} "${value.tag}" at step ${step} holds nothing to show (no data, or edges that do not ascend); it is skipped`);
          }
          break;
        }
        default:
          fileState.skipped++;
          this.warnOnce(live, file, fileState, `kind:${value.kind}`, `the ${value.kind} "${value.tag}" at step ${step} is not imported (Run Rewind does not keep ${value.kind === 'tensor' ? 'tensors other than scalars' : `${value.kind} data`} yet); further ones in this file are counted, not reported`);
      }
    }
    if (scalars === 0 && !lines && !media) return;
    if (step < 0 || !Number.isSafeInteger(step)) {
      fileState.late++;
      this.warnOnce(live, file, fileState, 'negative', `step ${step} is negative; Run Rewind keeps steps from 0, so the values are skipped`);
      return;
    }
    this.open(live, file, fileState, time, step);
    if (lines) this.applyRecord(live, file, fileState.records, { type: 'console', time, lines });
    for (const record of media ?? []) this.applyRecord(live, file, fileState.records, record);
    if (scalars === 0) return;
    let row = live.pending.get(step);
    if (!row) {
      if (step <= this.committedStep(live)) {
        // A step before rows already applied: a tag on its own step axis (per-epoch validation beside
        // the global step). Applied now; each tag keeps its own step order (RecordSource.keySteps).
        const data: Record<string, number> = {};
        for (const value of event.values) if (value.kind === 'scalar') data[value.tag] = value.value!;
        if (live.state.version !== null) this.ctx.applier.apply({ type: 'row', time, step, data }, this.sourceFor(live));
        return;
      }
      row = { step, time, data: {} };
      live.pending.set(step, row);
    }
    for (const value of event.values) if (value.kind === 'scalar') row.data[value.tag] = value.value!;
  }

  /** A histogram, image or audio value as the media record the Python client would write for it. */
  private mediaOf(value: TfValue, step: number, time: number): MediaRecord | undefined {
    let items: MediaItem[] = [];
    if (value.kind === 'histogram' && value.histogram) {
      items = [{ bins: [...value.histogram.bins], counts: [...value.histogram.counts] }];
    } else if (value.kind === 'image' && value.images) {
      items = value.images.map((image) => ({
        ...storeMediaFile(this.ctx.logDir, image.bytes, imageFormat(image.bytes)),
        ...(image.width ? { width: image.width } : {}),
        ...(image.height ? { height: image.height } : {}),
      }));
    } else if (value.kind === 'audio' && value.audio) {
      items = value.audio.map((clip) => ({
        ...storeMediaFile(this.ctx.logDir, clip.bytes, clip.contentType === 'audio/mpeg' ? 'mp3' : 'wav'),
        ...(clip.sampleRate ? { sample_rate: clip.sampleRate } : {}),
        ...(clip.sampleRate && clip.frames ? { duration: clip.frames / clip.sampleRate } : {}),
      }));
    }
    if (items.length === 0 || !value.tag || step < 0 || !Number.isSafeInteger(step)) return undefined;
    return { type: 'media', time, step, key: value.tag, kind: value.kind, items: items.slice(0, MAX_MEDIA_ITEMS) };
  }

  /**
   * Makes sure the run has an open version for records of `file`: a new run for its first file, a
   * rewind when a file's first step goes back (a restarted writer), a resume after a finish.
   */
  private open(live: Live, file: string, fileState: FileState, time: number, step: number | null): void {
    const { state } = live;
    const run = this.ctx.store.runs.get(state.run);
    const firstStep = step !== null && !fileState.started;
    if (firstStep) {
      fileState.started = true;
      live.dirty = true;
    }
    if (!run) {
      this.start(live, file, { mode: 'new', version: versionId(state.run, path.basename(file)), time });
      return;
    }
    if (firstStep && step !== null && step <= this.lastStep(live)) {
      this.flush(live, false);
      this.start(live, file, { mode: 'rewind', version: versionId(state.run, path.basename(file)), time, source: { run: state.run, version: run.liveVersion, step: step - 1 } });
      return;
    }
    if (state.version === null) this.start(live, file, { mode: 'resume', version: run.liveVersion, time });
  }

  private start(live: Live, file: string, how: { mode: 'new' | 'resume' | 'rewind'; version: string; time: number; source?: { run: string; version: string; step: number } }): void {
    const { state } = live;
    const source: RecordSource = { file, origin: 'writer', line: 0, version: null };
    const outcome = this.ctx.applier.apply({
      type: 'start', protocol: PROTOCOL_VERSION, time: how.time, run: state.run, version: how.version, mode: how.mode,
      project: state.project, name: state.name, heartbeat: IMPORT_HEARTBEAT, source: how.source,
    }, source);
    state.version = outcome === 'ok' ? source.version : null;
    live.dirty = true;
  }

  /** Applies rows read so far in step order; with `keepNewest`, the newest step's row stays held. */
  private flush(live: Live, keepNewest: boolean): void {
    const { pending, state } = live;
    if (pending.size === 0) {
      if (state.held) {
        state.held = null;
        live.dirty = true;
      }
      return;
    }
    let steps = [...pending.keys()];
    let ordered = true;
    for (let i = 1; i < steps.length && ordered; i++) ordered = steps[i - 1] < steps[i];
    if (!ordered) steps = steps.sort((a, b) => a - b);
    const keep = keepNewest ? steps[steps.length - 1] : undefined;
    const source = state.version === null ? undefined : this.sourceFor(live);
    for (const step of steps) {
      if (step === keep) continue;
      const row = pending.get(step)!;
      pending.delete(step);
      if (source) this.ctx.applier.apply({ type: 'row', time: row.time, step, data: row.data }, source);
    }
    state.held = keep === undefined ? null : pending.get(keep)!;
    live.dirty = true;
  }

  /** The source rows are applied as: one per version, so the applier's once-per-key warnings are once. */
  private sourceFor(live: Live): RecordSource {
    if (live.rows?.version !== live.state.version) live.rows = { file: live.state.dir, origin: 'writer', line: 0, version: live.state.version, keySteps: true };
    return live.rows;
  }

  private applyRecord(live: Live, file: string, line: number, record: LogRecord): void {
    if (live.state.version === null) return;
    this.ctx.applier.apply(record, { file, origin: 'writer', line, version: live.state.version });
  }

  /** The last step applied to the open version (-1 before any). */
  private committedStep(live: Live): number {
    const version = live.state.version === null ? undefined : this.ctx.store.versions.get(live.state.version);
    return version?.lastStep ?? -1;
  }

  /** The newest step read: applied or pending. */
  private lastStep(live: Live): number {
    let last = -1;
    const run = this.ctx.store.runs.get(live.state.run);
    const version = run ? this.ctx.store.versions.get(run.liveVersion) : undefined;
    if (version?.lastStep !== null && version?.lastStep !== undefined) last = version.lastStep;
    for (const step of live.pending.keys()) if (step > last) last = step;
    return last;
  }

  private warnOnce(live: Live, file: string, fileState: FileState, key: string, message: string): void {
    if (fileState.warned.includes(key)) return;
    if (fileState.warned.length < 200) fileState.warned.push(key);
    live.dirty = true;
    this.ctx.report(file, fileState.records, 'warning', message);
  }
}

/** The version a file starts: the same id on every reader and every rebuild, so ops can name it. */
export function versionId(run: string, fileName: string): string {
  return `v${createHash('sha1').update(`${run}\n${fileName}`).digest('hex').slice(0, 12)}`;
}
