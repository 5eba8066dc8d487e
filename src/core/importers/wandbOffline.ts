// W&B runs read where wandb wrote them: every `offline-run-<stamp>-<id>/run-<id>.wandb` (and the
// `run-<stamp>-<id>` folders of online runs) under a source is one writer of W&B run <id>, tailed by
// offset. Its records become ours: the run record a start (new; a rewind when it carries a branch point
// on its own run, which `resume_from` writes; a fork when the branch point names another run, which
// `fork_from` writes; a resume when the run is known already), history rows, explicit summary values,
// config updates, stats as system samples, output as console lines, the environment as run metadata,
// exit as the finish. W&B shows a rewind or fork only after a sync to its cloud; here it is shown from
// the files. Other kinds of records are counted and skipped.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunOrigin } from '../api';
import type { RecordSource } from '../apply';
import type { ConsoleLineEntry, LogRecord, SourceRef } from '../protocol';
import { PROTOCOL_VERSION } from '../protocol';
import { RUN_ID_PATTERN } from '../runSpec';
import { define, forEachLeaf, isPlainObject } from '../values';
import type { ImportContext, ImportPass, Importer } from './index';
import { ListingCache } from './listing';
import { sourceRoots } from './sources';
import { WANDB_HEADER_LENGTH, checkWandbHeader, frameWandbLog } from './wandbLog';
import { WANDB_RECORD_NAMES, decodeWandbRecord, parseValueJson } from './wandbRecords';
import type { WbItem, WbRecord, WbRun } from './wandbRecords';

export const WANDB_KIND = 'wandb';
/** A W&B run folder: `offline-run-` or `run-`, the writer's start (YYYYMMDD_HHMMSS), the run id. */
const FOLDER = /^(offline-)?run-(\d{8}_\d{6})-(.+)$/;
/** W&B's writer records liveness in its files only by growing them; this is what imported runs promise. */
const IMPORT_HEARTBEAT = 30;
const READ_BLOCK = 8 * 1024 * 1024;
const MAX_RECORD = 256 * 1024 * 1024;
const MAX_DEPTH = 12;
/** A console line longer than this (a progress bar never ending its line) is cut into lines of it. */
const MAX_PARTIAL_LINE = 64 * 1024;
/** Record kinds skipped without a word: they hold nothing Run Rewind shows. */
const QUIET_KINDS = new Set(['header', 'footer', 'final', 'telemetry', 'files', 'metric', 'request', 'other', 'preempting', 'output_logger', 'noop_link_artifact']);
/** History keys W&B adds to every row: the step and time are the row's own; the runtime is derived. */
const ROW_TIME_KEYS = new Set(['_step', '_timestamp', '_runtime']);

interface FolderState {
  readonly dir: string;
  readonly file: string;
  readonly wandbId: string;
  readonly run: string;
  offset: number;
  /** Logical records read (the number diagnostics give as the "line"). */
  records: number;
  status: 'active' | 'finished' | 'rejected';
  /** The run record was read and its start applied. */
  started: boolean;
  /** The version records go to; null before the start, after the exit, or after an op replaced it. */
  version: string | null;
  nextStep: number;
  lastTime: number;
  /** Output not ended by a newline yet, per stream, and when it was written. */
  partial: { stdout: string; stderr: string; time: number };
  metadata: Record<string, unknown>;
  skipped: Record<string, number>;
  warned: string[];
}

interface Live {
  readonly state: FolderState;
  dirty: boolean;
  /** Console lines read and not applied yet. */
  lines: ConsoleLineEntry[];
}

interface Found {
  readonly dir: string;
  readonly file: string;
  readonly wandbId: string;
  readonly stamp: string;
  readonly offline: boolean;
}

/** Our id of W&B run `wandbId`: `wb-<id>` (kept apart from Run Rewind's own ids), a hash if that is not an id. */
export function wandbRunId(wandbId: string): string {
  const id = `wb-${wandbId}`;
  return RUN_ID_PATTERN.test(id) ? id : `wb-${createHash('sha1').update(wandbId).digest('hex').slice(0, 16)}`;
}

/** The version a folder's writer starts: the same on every reader and rebuild, so ops can name it. */
export function wandbVersionId(run: string, folderName: string): string {
  return `v${createHash('sha1').update(`${WANDB_KIND}\n${run}\n${folderName}`).digest('hex').slice(0, 12)}`;
}

type Outcome = 'done' | 'budget' | 'deferred';

export class WandbOfflineImporter implements Importer {
  private readonly folders = new Map<string, Live>();
  private readonly listings = new ListingCache();
  private readonly originMap = new Map<string, RunOrigin>();
  /** The writers found in the current pass, for telling a fork's missing source from one not read yet. */
  private found: readonly Found[] = [];

  constructor(private readonly ctx: ImportContext) {
    this.reload();
  }

  reload(): void {
    this.folders.clear();
    this.listings.clear();
    this.originMap.clear();
    this.ctx.db.each('SELECT dir, state FROM import_runs WHERE kind=?', [WANDB_KIND], (r) => {
      const state = JSON.parse(r[1] as string) as FolderState;
      this.folders.set(r[0] as string, { state, dirty: false, lines: [] });
      this.noteOrigin(state.run, state.dir);
    });
  }

  origins(): ReadonlyMap<string, RunOrigin> {
    return this.originMap;
  }

  pendingBytes(): number {
    let total = 0;
    for (const { state } of this.folders.values()) {
      if (state.status !== 'active') continue;
      try {
        total += Math.max(0, fs.statSync(state.file).size - state.offset);
      } catch {
        // gone meanwhile
      }
    }
    return total;
  }

  run(sources: readonly string[], budget: number, pass: ImportPass): void {
    const found = new Map<string, Found>();
    for (const root of sourceRoots(sources, this.ctx.skip)) {
      for (const f of this.find(root)) if (!found.has(f.dir)) found.set(f.dir, f);
    }
    // Writers in the order they started, so a run's first writer comes before its rewinds and a fork's
    // source before the fork (one started in the same second waits below for its source).
    const ordered = [...found.values()].sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
    this.found = ordered;
    try {
      let waiting: Found[] = [];
      for (const f of ordered) {
        if (budget - pass.bytes <= 0) {
          pass.more = true;
          return;
        }
        const outcome = this.readFolder(this.liveOf(f), budget - pass.bytes, pass);
        if (outcome === 'budget') {
          pass.more = true;
          return;
        }
        if (outcome === 'deferred') waiting.push(f);
      }
      // Once more for writers whose source came later in the list; what still waits is tried next pass.
      for (let round = 0; round < 4 && waiting.length > 0; round++) {
        const again: Found[] = [];
        for (const f of waiting) if (this.readFolder(this.liveOf(f), budget - pass.bytes, pass) === 'deferred') again.push(f);
        if (again.length === waiting.length) break;
        waiting = again;
      }
    } finally {
      for (const [dir, live] of this.folders) {
        this.flushLines(live);
        if (!live.dirty) continue;
        this.ctx.db.run('INSERT OR REPLACE INTO import_runs (dir, kind, run, state) VALUES (?,?,?,?)', [dir, WANDB_KIND, live.state.run, JSON.stringify(live.state)]);
        live.dirty = false;
      }
    }
  }

  private noteOrigin(run: string, dir: string): void {
    if (this.originMap.has(run)) return;
    const offline = FOLDER.exec(path.basename(dir))?.[1] !== undefined;
    this.originMap.set(run, { kind: WANDB_KIND, label: offline ? 'W&B offline' : 'W&B', path: dir });
  }

  private liveOf(f: Found): Live {
    let live = this.folders.get(f.dir);
    if (!live) {
      const state: FolderState = {
        dir: f.dir, file: f.file, wandbId: f.wandbId, run: wandbRunId(f.wandbId), offset: 0, records: 0, status: 'active',
        started: false, version: null, nextStep: 0, lastTime: Number.NaN, partial: { stdout: '', stderr: '', time: Number.NaN },
        metadata: {}, skipped: {}, warned: [],
      };
      live = { state, dirty: true, lines: [] };
      this.folders.set(f.dir, live);
      this.noteOrigin(state.run, f.dir);
    }
    return live;
  }

  /** W&B run folders under `root` (a `wandb/` folder, or anything above one). */
  private find(root: string): Found[] {
    const out: Found[] = [];
    const walk = (dir: string, depth: number): void => {
      const listing = this.listings.get(dir);
      if (!listing) return;
      const match = FOLDER.exec(path.basename(dir));
      if (match) {
        const id = match[3];
        const file = `run-${id}.wandb`;
        if (listing.fileSet.has(file)) {
          out.push({ dir, file: path.join(dir, file), wandbId: id, stamp: match[2], offline: match[1] !== undefined });
          return; // a run folder's files/, logs/ and tmp/ hold no other runs
        }
      }
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
  // Reading one writer's file

  private readFolder(live: Live, budget: number, pass: ImportPass): Outcome {
    const { state } = live;
    if (state.status !== 'active') return 'done';
    let fd: number;
    try {
      fd = fs.openSync(state.file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    } catch {
      return 'done';
    }
    let bytes = 0;
    try {
      const stat = fs.fstatSync(fd);
      const mtime = stat.mtimeMs / 1000;
      if (!stat.isFile()) {
        this.reject(live, 'it is not a regular file (a pipe, a device or a folder); it is not read');
        return 'done';
      }
      const size = stat.size;
      if (size < state.offset) {
        this.reject(live, `the file is shorter than the ${state.offset} bytes already read; W&B run files are append-only, so it is no longer read`);
        return 'done';
      }
      if (state.offset === 0) {
        if (size < WANDB_HEADER_LENGTH) return 'done';
        const header = Buffer.alloc(WANDB_HEADER_LENGTH);
        fs.readSync(fd, header, 0, WANDB_HEADER_LENGTH, 0);
        const wrong = checkWandbHeader(header);
        if (wrong) {
          this.reject(live, `${wrong}; it is not read`);
          return 'done';
        }
        state.offset = WANDB_HEADER_LENGTH;
        live.dirty = true;
      }
      let block = Math.min(READ_BLOCK, size - state.offset);
      let outcome: Outcome = 'done';
      while (state.offset < size) {
        if (bytes >= budget) return 'budget';
        const length = Math.min(block, size - state.offset);
        const buffer = Buffer.allocUnsafe(length);
        const got = fs.readSync(fd, buffer, 0, length, state.offset);
        if (got <= 0) break;
        const framed = frameWandbLog(buffer.subarray(0, got), state.offset);
        let consumedTo = state.offset + framed.consumed;
        for (const problem of framed.problems) this.ctx.report(state.file, state.records + 1, 'error', problem.message);
        for (const record of framed.records) {
          let decoded: WbRecord;
          try {
            decoded = decodeWandbRecord(record.data);
          } catch (error) {
            state.records++;
            this.ctx.report(state.file, state.records, 'error', `the record at byte ${record.offset} is not a W&B record (${(error as Error).message}); it is skipped`);
            continue;
          }
          if (decoded.kind === 'run' && !state.started && this.mustWait(live, decoded)) {
            // Read again from this record when its source is known.
            consumedTo = record.offset;
            outcome = 'deferred';
            break;
          }
          state.records++;
          this.onRecord(live, decoded, mtime);
          if (state.status !== 'active') {
            consumedTo = state.offset + framed.consumed;
            break;
          }
        }
        const advanced = consumedTo - state.offset;
        bytes += advanced;
        pass.bytes += advanced;
        state.offset = consumedTo;
        live.dirty = true;
        this.flushLines(live);
        if (outcome === 'deferred' || state.status !== 'active') break;
        if (advanced === 0) {
          // A logical record longer than the block read: read a bigger one if the file has more.
          if (got < length || state.offset + block >= size || block >= MAX_RECORD) break;
          block = Math.min(block * 2, MAX_RECORD);
          continue;
        }
        block = Math.min(READ_BLOCK, size - state.offset);
      }
      if (bytes > 0 && state.version !== null) {
        const version = this.ctx.store.versions.get(state.version);
        if (version && (version.lastSeen === null || version.lastSeen < mtime)) this.apply(live, { type: 'alive', time: mtime });
      }
      return outcome;
    } finally {
      fs.closeSync(fd);
    }
  }

  private reject(live: Live, message: string): void {
    this.ctx.report(live.state.file, live.state.records + 1, 'error', message);
    live.state.status = 'rejected';
    live.dirty = true;
  }

  /**
   * True when a run record's branch point names a run not in the store yet whose first writer is here
   * and has not been read: this writer is read after it.
   */
  private mustWait(live: Live, run: WbRun): boolean {
    const bp = run.branchPoint;
    if (!bp || !bp.run || (bp.metric !== '' && bp.metric !== '_step')) return false;
    if (this.ctx.store.runs.has(wandbRunId(bp.run))) return false;
    const unread = this.found.some((f) => {
      if (f.wandbId !== bp.run || f.dir === live.state.dir) return false;
      const other = this.folders.get(f.dir)?.state;
      return !other || (other.status === 'active' && !other.started);
    });
    if (!unread) return false;
    this.warnOnce(live, `wait:${bp.run}`, 'warning', `this writer ${bp.run === run.runId ? 'rewinds' : 'forks'} W&B run ${bp.run}, whose own files have not been read yet; it is read after them`);
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Records to ours

  private onRecord(live: Live, record: WbRecord, mtime: number): void {
    const { state } = live;
    switch (record.kind) {
      case 'run':
        if (!state.started) this.start(live, record, mtime);
        return;
      case 'history':
        this.onHistory(live, record.items, record.step, mtime);
        return;
      case 'summary':
        this.onSummary(live, record.update, record.remove, mtime);
        return;
      case 'config': {
        const config = configOf(record.update);
        if (Object.keys(config).length > 0 && this.open(live, mtime)) this.apply(live, { type: 'config', time: this.timeOf(state, mtime), config });
        if (record.remove.length > 0) this.count(live, 'config removal', 'a config key removed by the writer stays in the config here (Run Rewind merges config updates)');
        return;
      }
      case 'stats': {
        const data: Record<string, number> = {};
        for (const item of record.items) {
          const parsed = parseValueJson(item.json);
          if (parsed && typeof parsed.value === 'number') define(data, `system/${item.path.join('.')}`, parsed.value);
        }
        const time = Number.isFinite(record.time) ? record.time : this.timeOf(state, mtime);
        if (Object.keys(data).length > 0 && this.open(live, mtime)) this.apply(live, { type: 'system', time, data });
        return;
      }
      case 'output':
        if (Number.isFinite(record.time)) state.lastTime = record.time;
        if (this.open(live, mtime)) this.onOutput(live, record.stream, record.raw ? record.text : `${record.text}\n`, this.timeOf(state, mtime));
        return;
      case 'environment':
        Object.assign(state.metadata, record.fields);
        if (this.open(live, mtime)) this.apply(live, { type: 'metadata', time: this.timeOf(state, mtime), metadata: { ...state.metadata } });
        return;
      case 'exit':
        if (state.version === null && !this.open(live, mtime)) return;
        this.endPartialLines(live);
        this.flushLines(live);
        this.apply(live, { type: 'finish', time: this.timeOf(state, mtime), exit_code: record.exitCode });
        state.version = null;
        state.status = 'finished';
        live.dirty = true;
        return;
      case 'other': {
        const name = WANDB_RECORD_NAMES[record.field] ?? (record.field === 0 ? 'other' : `field ${record.field}`);
        if (QUIET_KINDS.has(name)) {
          state.skipped[name] = (state.skipped[name] ?? 0) + 1;
          live.dirty = true;
        } else {
          this.count(live, name, `W&B "${name}" records are not imported`);
        }
      }
    }
  }

  /** The start a writer's run record makes: a new run, a rewind, a fork or a resume. */
  private start(live: Live, run: WbRun, mtime: number): void {
    const { state } = live;
    state.started = true;
    live.dirty = true;
    const time = Number.isFinite(run.startTime) ? run.startTime : mtime;
    state.lastTime = time;
    const existing = this.ctx.store.runs.get(state.run);
    const version = wandbVersionId(state.run, path.basename(state.dir));
    const config = configOf(run.config);
    const named = run.displayName !== '' ? run.displayName : undefined;
    const base = {
      type: 'start' as const, protocol: PROTOCOL_VERSION, time, run: state.run, project: run.project || 'uncategorized',
      heartbeat: IMPORT_HEARTBEAT, config,
    };
    let bp = run.branchPoint && run.branchPoint.run ? run.branchPoint : undefined;
    if (bp && bp.metric !== '' && bp.metric !== '_step') {
      this.warnOnce(live, 'metric', 'warning', `this writer branches W&B run ${bp.run} at ${bp.metric}=${bp.value}; Run Rewind branches runs at a _step, so it is read as a plain start`);
      bp = undefined;
    }
    if (bp && (!Number.isSafeInteger(bp.value) || bp.value < 0)) {
      this.warnOnce(live, 'step', 'warning', `this writer branches W&B run ${bp.run} at step ${bp.value}, which is not a step; it is read as a plain start`);
      bp = undefined;
    }
    if (bp) {
      const sourceRun = wandbRunId(bp.run);
      const from = this.ctx.store.runs.get(sourceRun);
      if (!from) {
        this.warnOnce(live, 'source', 'warning', `this writer ${bp.run === run.runId ? 'rewinds' : 'forks'} W&B run ${bp.run} at step ${bp.value}, whose files are not under the sources; it is shown as a ${existing ? 'continuation' : 'new run'}`);
      } else {
        const source: SourceRef = { run: sourceRun, version: from.liveVersion, step: bp.value };
        if (bp.run === run.runId) {
          // resume_from: a rewind of the run's live version, archived, the new one branching at the step.
          if (this.startWith(live, { ...base, version, mode: 'rewind', name: named, source })) state.nextStep = bp.value + 1;
          return;
        }
        if (!existing) {
          // fork_from: a new run sharing the source's history up to the step.
          if (this.startWith(live, { ...base, version, mode: 'fork', name: named ?? run.runId, tags: [...run.tags], notes: run.notes || undefined, group: run.group || undefined, source })) state.nextStep = bp.value + 1;
          return;
        }
      }
    }
    if (existing) {
      // A resumed W&B run (resume="allow"/"must"): the live version goes on.
      if (this.startWith(live, { ...base, version: existing.liveVersion, mode: 'resume', name: named })) state.nextStep = this.nextStepOf(existing.liveVersion);
      return;
    }
    if (this.startWith(live, { ...base, version, mode: 'new', name: named ?? run.runId, tags: [...run.tags], notes: run.notes || undefined, group: run.group || undefined })) state.nextStep = Math.max(0, run.startingStep);
  }

  private startWith(live: Live, record: LogRecord & { type: 'start' }): boolean {
    const { state } = live;
    const source: RecordSource = { file: state.file, origin: 'writer', line: state.records, version: null };
    const outcome = this.ctx.applier.apply(record, source);
    state.version = outcome === 'ok' ? source.version : null;
    live.dirty = true;
    return state.version !== null;
  }

  /**
   * Makes sure records have a version to go to: after an op of ours replaced the version this writer
   * wrote (a rewind made in Run Rewind), what it adds continues the run's live version, as a resumed
   * writer would. False when there is none (no run record yet, or the writer has exited).
   */
  private open(live: Live, mtime: number): boolean {
    const { state } = live;
    if (!state.started) {
      this.count(live, 'before run', 'records before the writer\'s run record cannot be placed; they are skipped');
      return false;
    }
    if (state.status !== 'active') return false;
    const run = this.ctx.store.runs.get(state.run);
    if (!run) return false;
    if (state.version !== null && run.liveVersion === state.version) return true;
    const time = this.timeOf(state, mtime);
    if (this.startWith(live, { type: 'start', protocol: PROTOCOL_VERSION, time, run: state.run, version: run.liveVersion, mode: 'resume', heartbeat: IMPORT_HEARTBEAT })) {
      state.nextStep = Math.max(state.nextStep, this.nextStepOf(run.liveVersion));
      return true;
    }
    return false;
  }

  private nextStepOf(versionId: string): number {
    const v = this.ctx.store.versions.get(versionId);
    return v?.lastStep === null || v?.lastStep === undefined ? 0 : v.lastStep + 1;
  }

  private onHistory(live: Live, items: readonly WbItem[], recordStep: number | undefined, mtime: number): void {
    const { state } = live;
    let step: number | undefined;
    let time: number | undefined;
    const data: Record<string, unknown> = {};
    let values = 0;
    for (const item of items) {
      const key = item.path.join('.');
      const parsed = parseValueJson(item.json);
      if (!parsed) {
        this.count(live, `unreadable:${key}`, `the history value of "${key}" is not JSON (${short(item.json)}); it is skipped`);
        continue;
      }
      if (key === '_step') {
        if (typeof parsed.value === 'number') step = parsed.value;
        continue;
      }
      if (key === '_timestamp') {
        if (typeof parsed.value === 'number' && Number.isFinite(parsed.value)) time = parsed.value;
        continue;
      }
      if (ROW_TIME_KEYS.has(key) || key.startsWith('_wandb')) continue;
      if (isPlainObject(parsed.value) && typeof parsed.value._type === 'string') {
        this.count(live, `media:${parsed.value._type}`, `"${key}" is W&B media (${parsed.value._type}); media of W&B runs are not imported yet, so it is skipped`);
        continue;
      }
      define(data, key, parsed.value);
      values++;
    }
    step ??= recordStep ?? state.nextStep;
    if (!Number.isSafeInteger(step) || step < 0) {
      this.count(live, 'step', `a history row has step ${step}, which is not a step; it is skipped`);
      return;
    }
    if (time !== undefined) state.lastTime = time;
    live.dirty = true;
    if (values === 0 && step < state.nextStep) return;
    if (!this.open(live, mtime)) return;
    this.flushLines(live);
    this.apply(live, { type: 'row', time: this.timeOf(state, mtime), step, data });
    state.nextStep = Math.max(state.nextStep, step + 1);
  }

  /**
   * Explicit summary values only. W&B's writer also records the summary it derives from history after
   * every row, under `nested_key`: those are left to the store, which derives the same from the rows —
   * except objects without a `_type` under `nested_key`, which are `define_metric` aggregates
   * (`{"min": …}`), kept as `loss.min` as Run Rewind's own client keeps them.
   */
  private onSummary(live: Live, update: readonly WbItem[], remove: readonly WbItem[], mtime: number): void {
    const summary: Record<string, unknown> = {};
    for (const item of update) {
      if (item.path[0].startsWith('_')) continue;
      const parsed = parseValueJson(item.json);
      if (!parsed) continue;
      const key = item.path.join('.');
      if (item.nested) {
        if (isPlainObject(parsed.value) && !('_type' in parsed.value)) {
          for (const [k, v] of Object.entries(parsed.value)) define(summary, `${key}.${k}`, v);
        }
        continue;
      }
      if (isPlainObject(parsed.value)) {
        // A dict set as a summary value: its leaves, dotted, as W&B shows them (media objects left out).
        if (typeof parsed.value._type !== 'string') forEachLeaf(parsed.value, (k, v) => define(summary, `${key}.${k}`, v));
        continue;
      }
      define(summary, key, parsed.value);
    }
    for (const item of remove) {
      if (!item.nested && !item.path[0].startsWith('_')) define(summary, item.path.join('.'), null);
    }
    if (Object.keys(summary).length > 0 && this.open(live, mtime)) this.apply(live, { type: 'summary', time: this.timeOf(live.state, mtime), summary });
  }

  /** Output comes in the pieces the process wrote: lines are made of them, as a terminal shows them. */
  private onOutput(live: Live, stream: 'stdout' | 'stderr', text: string, time: number): void {
    const { state } = live;
    let pending = state.partial[stream] + text;
    let at = pending.indexOf('\n');
    while (at >= 0) {
      this.pushLine(live, stream, pending.slice(0, at), time);
      pending = pending.slice(at + 1);
      at = pending.indexOf('\n');
    }
    while (pending.length > MAX_PARTIAL_LINE) {
      this.pushLine(live, stream, pending.slice(0, MAX_PARTIAL_LINE), time);
      pending = pending.slice(MAX_PARTIAL_LINE);
    }
    state.partial[stream] = pending;
    state.partial.time = time;
    live.dirty = true;
  }

  private pushLine(live: Live, stream: 'stdout' | 'stderr', line: string, time: number): void {
    // A carriage return rewrites the line (progress bars): what stays is what was written after the last one.
    const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
    const cr = trimmed.lastIndexOf('\r');
    live.lines.push([time, stream, live.state.nextStep, cr >= 0 ? trimmed.slice(cr + 1) : trimmed]);
  }

  private endPartialLines(live: Live): void {
    const { partial } = live.state;
    for (const stream of ['stdout', 'stderr'] as const) {
      if (partial[stream] !== '') this.pushLine(live, stream, partial[stream], partial.time);
      partial[stream] = '';
    }
  }

  private flushLines(live: Live): void {
    if (live.lines.length === 0) return;
    const lines = live.lines;
    live.lines = [];
    if (live.state.version === null) return;
    this.apply(live, { type: 'console', time: lines[lines.length - 1][0], lines });
  }

  private apply(live: Live, record: LogRecord): void {
    const { state } = live;
    if (state.version === null) return;
    this.ctx.applier.apply(record, { file: state.file, origin: 'writer', line: state.records, version: state.version });
  }

  private timeOf(state: FolderState, mtime: number): number {
    return Number.isFinite(state.lastTime) ? state.lastTime : mtime;
  }

  /** Counts a skipped thing; the first of each kind in a file is reported. */
  private count(live: Live, kind: string, message: string): void {
    const { state } = live;
    state.skipped[kind] = (state.skipped[kind] ?? 0) + 1;
    live.dirty = true;
    this.warnOnce(live, kind, 'warning', `${message} (further ones in this file are counted, not reported)`);
  }

  private warnOnce(live: Live, key: string, severity: 'warning', message: string): void {
    const { state } = live;
    if (state.warned.includes(key)) return;
    if (state.warned.length < 200) state.warned.push(key);
    live.dirty = true;
    this.ctx.report(state.file, state.records, severity, message);
  }
}

/** Config items as a config object: `_wandb` (W&B's own bookkeeping) left out, nested keys nested. */
function configOf(items: readonly WbItem[]): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const item of items) {
    if (item.path[0] === '_wandb') continue;
    const parsed = parseValueJson(item.json);
    if (!parsed) continue;
    let target = config;
    for (const key of item.path.slice(0, -1)) {
      if (!isPlainObject(target[key])) define(target, key, {});
      target = target[key] as Record<string, unknown>;
    }
    define(target, item.path[item.path.length - 1], parsed.value);
  }
  return config;
}

function short(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
