// Sources whose files are rewritten whole (Lightning's metrics.csv, Hugging Face's trainer_state.json):
// each pass reads a run's current content as rows by step and compares it with what was applied before,
// by content, not by offset. Content that keeps the rows applied so far appends what follows them;
// content that differs from them (a writer restarted from a checkpoint, a file rewritten from an earlier
// step) is a rewind at the last step both agree on, so the old rows stay as an archived version. What was
// applied is kept as prefix hashes (one per MARK_EVERY rows) and the last row, in `import_runs`.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunOrigin } from '../api';
import type { RecordSource } from '../apply';
import type { LogRecord, RowValue } from '../protocol';
import { PROTOCOL_VERSION } from '../protocol';
import type { ImportContext, ImportPass, Importer } from './index';
import { ListingCache } from './listing';
import type { DirListing } from './listing';
import { sourceRoots } from './sources';

/** A run whose files have not changed for this long is finished (these files have no end record). */
export const FINISH_IDLE_SECONDS = 90;
/** The heartbeat imported runs promise: they stay running for four of them after their files last changed. */
export const IMPORT_HEARTBEAT = 30;
const MARK_EVERY = 256;
const MAX_DEPTH = 24;

export interface SnapshotRow {
  readonly step: number;
  readonly time: number;
  readonly data: Record<string, RowValue>;
}

/** A checkpoint folder of the run (Hugging Face's `checkpoint-N/`), recorded as an artifact at its step. */
export interface SnapshotCheckpoint {
  readonly step: number;
  readonly path: string;
  readonly time: number;
}

/** A run's content as its files hold it now. */
export interface Snapshot {
  /** The file read (diagnostics and record sources name it). */
  readonly file: string;
  /** One row per step, steps increasing. */
  readonly rows: readonly SnapshotRow[];
  readonly config?: Record<string, unknown>;
  /** Explicit summary values (totals a writer reports once, not as history). */
  readonly summary?: Record<string, unknown>;
  readonly checkpoints?: readonly SnapshotCheckpoint[];
  /** Unix seconds: the newest modification time of what was read. */
  readonly mtime: number;
  /** The writer said it ended (nothing will follow): the run is finished once all rows are applied. */
  readonly ended?: boolean;
  /** With `ended`: how it ended (0 unless the writer said it failed) and when (unix seconds). */
  readonly exitCode?: number;
  readonly endTime?: number;
}

/** A run folder found under a source, with what tells whether its files changed since the last pass. */
export interface FoundRun {
  readonly dir: string;
  /** Changes whenever what `read` would return may have changed (names, sizes, modification times). */
  readonly stamp: string;
  /** Unix seconds: the newest modification time of the run's files. */
  readonly mtime: number;
  /** Bytes `read` reads (the pass's budget counts them). */
  readonly bytes: number;
}

/** Reports a problem once per run and key (a warning, with the file it is in). */
export type Warn = (file: string, key: string, message: string) => void;

interface SnapState {
  readonly run: string;
  readonly dir: string;
  readonly project: string;
  readonly name: string;
  /** The version rows go to; null before the first start and after a finish. */
  version: string | null;
  /** Rows of the content applied (or inherited by a rewind) on the live line. */
  applied: number;
  /** [rows, sha1 of the first `rows` rows] every MARK_EVERY rows, then for applied - 1. */
  marks: Array<[number, string]>;
  /** Short hashes of the rows before the last applied one, up to MARK_EVERY of them: where content parts, to the row. */
  tail: string[];
  /** The last applied row (its step may still gain values in a later save; those are late). */
  last: SnapshotRow | null;
  /** Versions started because the content was rewritten (their ids count them). */
  rewrites: number;
  configHash: string;
  summaryHash?: string;
  /** Checkpoint steps recorded on the live line. */
  sent: number[];
  stamp: string;
  /** The content's newest row, held until its file has been still for the hold time. */
  held: boolean;
  warned: string[];
}

/**
 * What every rewritten-whole source shares: finding runs (cached folder listings), the state in
 * `import_runs`, versions, the comparison of content with what was applied, holding, finishing.
 */
export abstract class SnapshotImporter implements Importer {
  private readonly runs = new Map<string, SnapState>();
  private readonly listings = new ListingCache();
  private readonly originMap = new Map<string, RunOrigin>();
  private readonly dirty = new Set<SnapState>();

  /**
   * `idPrefix`: run ids are `<prefix>-<hash of the folder's path relative to the workspace folder>`.
   * `stateKind`: the importer's rows in `import_runs` (two importers of one origin, MLflow's file and
   * SQLite stores, keep theirs apart).
   */
  constructor(
    protected readonly ctx: ImportContext,
    private readonly kind: RunOrigin['kind'],
    private readonly label: string,
    private readonly idPrefix: string,
    private readonly stateKind: string = kind,
  ) {
    this.reload();
  }

  /** The path an imported run is shown as read from (its folder, unless the importer says otherwise). */
  protected originPath(dir: string): string {
    return dir;
  }

  /** What `findRuns` is called with: the folders (or files) the sources name. */
  protected roots(sources: readonly string[]): Iterable<string> {
    return sourceRoots(sources, this.ctx.skip);
  }

  /** What a run's id is derived from: its folder's path relative to the workspace folder, the same on every reader. */
  protected idSeed(dir: string): string {
    return path.relative(this.ctx.base, dir).split(path.sep).join('/');
  }

  /** The run folders under `root` (walked with `listing`). */
  protected abstract findRuns(root: string): FoundRun[];
  /** The run's content now; undefined when it cannot be read (reported). */
  protected abstract read(run: FoundRun, warn: Warn): Snapshot | undefined;

  reload(): void {
    this.runs.clear();
    this.listings.clear();
    this.originMap.clear();
    this.dirty.clear();
    this.ctx.db.each('SELECT state FROM import_runs WHERE kind=?', [this.stateKind], (r) => {
      const state = JSON.parse(r[0] as string) as SnapState;
      this.runs.set(state.dir, state);
      this.originMap.set(state.run, { kind: this.kind, label: this.label, path: this.originPath(state.dir) });
    });
  }

  origins(): ReadonlyMap<string, RunOrigin> {
    return this.originMap;
  }

  pendingBytes(): number {
    return 0;
  }

  run(sources: readonly string[], budget: number, pass: ImportPass): void {
    const seen = new Set<string>();
    try {
      for (const root of this.roots(sources)) {
        for (const found of this.findRuns(root)) {
          if (seen.has(found.dir)) continue;
          seen.add(found.dir);
          if (budget - pass.bytes <= 0) {
            pass.more = true;
            return;
          }
          this.sync(this.stateOf(root, found.dir), found, pass);
        }
      }
    } finally {
      for (const state of this.dirty) {
        this.ctx.db.run('INSERT OR REPLACE INTO import_runs (dir, kind, run, state) VALUES (?,?,?,?)', [`${this.stateKind}:${state.dir}`, this.stateKind, state.run, JSON.stringify(state)]);
      }
      this.dirty.clear();
    }
  }

  private stateOf(root: string, dir: string): SnapState {
    let state = this.runs.get(dir);
    if (!state) {
      const run = `${this.idPrefix}-${createHash('sha1').update(`${this.kind}\n${this.idSeed(dir)}`).digest('hex').slice(0, 16)}`;
      const name = dir === root ? path.basename(root) : path.relative(root, dir).split(path.sep).join('/');
      state = { run, dir, project: path.basename(root), name, version: null, applied: 0, marks: [], tail: [], last: null, rewrites: 0, configHash: '', sent: [], stamp: '', held: false, warned: [] };
      this.runs.set(dir, state);
      this.dirty.add(state);
      this.originMap.set(run, { kind: this.kind, label: this.label, path: this.originPath(dir) });
    }
    return state;
  }

  /** A folder's cached listing (listing.ts). */
  protected listing(dir: string): DirListing | undefined {
    return this.listings.get(dir);
  }

  /** Walks `root` depth-first; `visit` returns true for a run folder (not walked into). */
  protected walk(root: string, visit: (dir: string, listing: DirListing) => boolean): void {
    const go = (dir: string, depth: number): void => {
      const listing = this.listing(dir);
      if (!listing) return;
      if (visit(dir, listing) || depth >= MAX_DEPTH) return;
      for (const sub of listing.dirs) {
        const next = path.join(dir, sub);
        if (!this.ctx.skip(next)) go(next, depth + 1);
      }
    };
    go(root, 0);
  }

  private warnOnce(state: SnapState, file: string, key: string, message: string): void {
    if (state.warned.includes(key)) return;
    if (state.warned.length < 200) state.warned.push(key);
    this.dirty.add(state);
    this.ctx.report(file, 0, 'warning', message);
  }

  // -------------------------------------------------------------------------------------------
  // Content against what was applied

  private sync(state: SnapState, found: FoundRun, pass: ImportPass): void {
    const run = this.ctx.store.runs.get(state.run);
    // The live version was replaced here (a rewind made in Run Rewind): what the files add continues
    // the new live version, as a resumed writer would.
    if (state.version !== null && run && run.liveVersion !== state.version) {
      state.version = null;
      this.dirty.add(state);
    }
    const idle = this.ctx.now() - found.mtime;
    if (found.stamp !== state.stamp || state.held) {
      const snapshot = this.read(found, (file, key, message) => this.warnOnce(state, file, key, message));
      pass.bytes += found.bytes;
      if (!snapshot) return;
      if (this.apply(state, snapshot, idle)) {
        state.stamp = found.stamp;
        this.dirty.add(state);
      }
    }
    if (state.version === null) return;
    const version = this.ctx.store.versions.get(state.version);
    if (version && (version.lastSeen === null || version.lastSeen < found.mtime) && found.mtime > 0) this.record(state, state.dir, { type: 'alive', time: found.mtime });
    if (!state.held && idle >= FINISH_IDLE_SECONDS) this.finish(state, found.mtime);
  }

  /** Applies `snapshot`; false when it must be read again later (a rewrite that may be half-written). */
  private apply(state: SnapState, snapshot: Snapshot, idle: number): boolean {
    const { rows } = snapshot;
    const matched = this.matched(state, rows);
    const fresh = idle >= this.ctx.holdSeconds;
    let from = state.applied;
    if (matched < state.applied) {
      // The content no longer holds what was applied. A writer rewriting the file may be half-way
      // through: act only on content that has been still for the hold time.
      // Content with no rows yet (a writer that removed the file and has not saved again) waits.
      if (!fresh || rows.length === 0) return false;
      const liveStep = this.liveLastStep(state);
      const branch = matched > 0 ? rows[matched - 1].step : rows.length > 0 ? rows[0].step - 1 : -1;
      if (matched === 0 && rows.length > 0 && rows[0].step > liveStep) {
        // A restarted writer that goes on past what was read continues the run.
      } else {
        this.rewind(state, snapshot, branch, rows[0]?.time ?? snapshot.mtime);
      }
      from = matched;
      this.remember(state, rows, matched);
    } else if (matched > 0 && state.last) {
      // Values a later save added to the last applied step: a row cannot grow once applied.
      const now = rows[matched - 1];
      const late = Object.keys(now.data).filter((k) => !(k in state.last!.data));
      if (late.length > 0) this.warnOnce(state, snapshot.file, `late:${now.step}:${late.join(',')}`, `${late.map((k) => `"${k}"`).join(', ')} at step ${now.step} came after that step was read; a step's row is shown as first read, so these values are skipped`);
    }
    this.ensureOpen(state, snapshot);
    const configHash = snapshot.config ? createHash('sha1').update(JSON.stringify(snapshot.config)).digest('hex') : '';
    if (snapshot.config && configHash !== state.configHash) {
      this.record(state, snapshot.file, { type: 'config', time: snapshot.mtime, config: snapshot.config });
      state.configHash = configHash;
    }
    const summaryHash = snapshot.summary ? createHash('sha1').update(JSON.stringify(snapshot.summary)).digest('hex') : '';
    if (snapshot.summary && summaryHash !== state.summaryHash) {
      this.record(state, snapshot.file, { type: 'summary', time: snapshot.mtime, summary: snapshot.summary });
      state.summaryHash = summaryHash;
    }
    // The newest row may still gain values (a step's other metrics in the same save): held until still.
    const hold = !snapshot.ended && !fresh && rows.length > from;
    const until = hold ? rows.length - 1 : rows.length;
    for (let i = from; i < until; i++) {
      const row = rows[i];
      this.checkpoints(state, snapshot, row.step - 1);
      // Steps a rewind made here already passed (the live line was cut back) are not after its last step.
      if (row.step > this.liveLastStep(state)) this.record(state, snapshot.file, { type: 'row', time: row.time, step: row.step, data: row.data });
      else this.warnOnce(state, snapshot.file, 'behind', `step ${row.step} is not after the last step ${this.liveLastStep(state)} of the run's live version (rewound in Run Rewind); rows up to it are skipped`);
    }
    if (until > from) this.remember(state, rows, until);
    state.held = hold;
    this.checkpoints(state, snapshot, hold ? this.liveLastStep(state) : Number.POSITIVE_INFINITY);
    if (snapshot.ended && !hold) this.finish(state, snapshot.endTime ?? snapshot.mtime, snapshot.exitCode ?? 0);
    return true;
  }

  /** How many leading rows of `rows` are what was applied (all applied rows when the content keeps them). */
  private matched(state: SnapState, rows: readonly SnapshotRow[]): number {
    if (state.applied === 0) return 0;
    const hash = createHash('sha1');
    let good = 0;
    let at = 0;
    for (const [count, digest] of state.marks) {
      if (count > rows.length) break;
      for (; at < count; at++) hash.update(rowKey(rows[at]));
      if (hash.copy().digest('hex') !== digest) break;
      good = count;
    }
    if (good < state.applied - 1) {
      // Where within the last rows they part: the tail's row hashes tell to the row.
      const tailStart = state.applied - 1 - state.tail.length;
      if (good < tailStart) return good;
      for (let i = good; i < state.applied - 1; i++) {
        if (i >= rows.length || rowHash(rows[i]) !== state.tail[i - tailStart]) return i;
      }
      return state.applied - 1;
    }
    // Every row but the last agrees: the last must hold every value it had (it may have gained some).
    const last = rows[state.applied - 1];
    const had = state.last;
    if (!last || !had || last.step !== had.step) return good;
    for (const [key, value] of Object.entries(had.data)) {
      if (!sameValue(last.data[key], value)) return good;
    }
    return state.applied;
  }

  /** Sets the marks and the tail for the first `applied` rows of `rows`. */
  private remember(state: SnapState, rows: readonly SnapshotRow[], applied: number): void {
    const marks: Array<[number, string]> = [];
    const hash: Hash = createHash('sha1');
    for (let i = 0; i < applied - 1; i++) {
      hash.update(rowKey(rows[i]));
      if ((i + 1) % MARK_EVERY === 0) marks.push([i + 1, hash.copy().digest('hex')]);
    }
    if (applied - 1 > 0 && (applied - 1) % MARK_EVERY !== 0) marks.push([applied - 1, hash.copy().digest('hex')]);
    state.applied = applied;
    state.last = applied > 0 ? rows[applied - 1] : null;
    state.marks = marks;
    state.tail = rows.slice(Math.max(0, applied - 1 - MARK_EVERY), Math.max(0, applied - 1)).map(rowHash);
  }

  private liveLastStep(state: SnapState): number {
    const run = this.ctx.store.runs.get(state.run);
    const version = run ? this.ctx.store.versions.get(run.liveVersion) : undefined;
    return version?.lastStep ?? -1;
  }

  private ensureOpen(state: SnapState, snapshot: Snapshot): void {
    const run = this.ctx.store.runs.get(state.run);
    const time = snapshot.rows[0]?.time ?? snapshot.mtime;
    if (!run) this.start(state, snapshot.file, { mode: 'new', version: versionOf(state.run, 0), time });
    else if (state.version === null) this.start(state, snapshot.file, { mode: 'resume', version: run.liveVersion, time: snapshot.mtime });
  }

  private rewind(state: SnapState, snapshot: Snapshot, step: number, time: number): void {
    const run = this.ctx.store.runs.get(state.run);
    if (!run) return;
    state.rewrites++;
    this.start(state, snapshot.file, { mode: 'rewind', version: versionOf(state.run, state.rewrites), time, source: { run: state.run, version: run.liveVersion, step } });
    state.sent = state.sent.filter((s) => s <= step);
  }

  private start(state: SnapState, file: string, how: { mode: 'new' | 'resume' | 'rewind'; version: string; time: number; source?: { run: string; version: string; step: number } }): void {
    const source: RecordSource = { file, origin: 'writer', line: 0, version: null };
    const outcome = this.ctx.applier.apply({
      type: 'start', protocol: PROTOCOL_VERSION, time: how.time, run: state.run, version: how.version, mode: how.mode,
      project: state.project, name: state.name, heartbeat: IMPORT_HEARTBEAT, source: how.source, ...this.startFields(state),
      // A resume keeps the run's group and tags (a start only sets them on a new run).
    }, source);
    state.version = outcome === 'ok' ? source.version : null;
    this.dirty.add(state);
  }

  /** Extra start fields of a new run (a group, tags). */
  protected startFields(_state: { readonly dir: string }): { group?: string; tags?: string[]; name?: string; project?: string } {
    return {};
  }

  /** Records the checkpoints at or before `upTo` not recorded yet on the live line. */
  private checkpoints(state: SnapState, snapshot: Snapshot, upTo: number): void {
    for (const checkpoint of snapshot.checkpoints ?? []) {
      if (checkpoint.step > upTo || state.sent.includes(checkpoint.step)) continue;
      state.sent.push(checkpoint.step);
      // Its step is the checkpoint's own (the training state at step N), so a rewind before N does not inherit it.
      this.record(state, snapshot.file, {
        type: 'artifact', time: checkpoint.time, action: 'log', step: checkpoint.step,
        name: `${state.name.split('/').pop() ?? 'run'}-checkpoint`, version: `v${checkpoint.step}`, artifact_type: 'model',
        aliases: [path.basename(checkpoint.path)], metadata: { path: checkpoint.path, step: checkpoint.step },
      });
    }
  }

  private finish(state: SnapState, time: number, exitCode = 0): void {
    if (state.version === null) return;
    this.record(state, state.dir, { type: 'finish', time, exit_code: exitCode });
    state.version = null;
    this.dirty.add(state);
  }

  private record(state: SnapState, file: string, record: LogRecord): void {
    if (state.version === null) return;
    this.ctx.applier.apply(record, { file, origin: 'writer', line: 0, version: state.version });
  }
}

/** The version a run's n-th writer (0: the first, then each rewrite) starts: the same id on every reader. */
export function versionOf(run: string, n: number): string {
  return `v${createHash('sha1').update(`${run}\n${n}`).digest('hex').slice(0, 12)}`;
}

function rowKey(row: SnapshotRow): string {
  return `${row.step}\t${JSON.stringify(row.data, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}\n`;
}

function rowHash(row: SnapshotRow): string {
  return createHash('sha1').update(rowKey(row)).digest('hex').slice(0, 10);
}

function sameValue(a: RowValue | undefined, b: RowValue): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

/** A number as Python writes one (`repr`: `nan`, `inf`, `-inf`, `1e-05`), else undefined. */
export function pythonNumber(text: string): number | undefined {
  // The common case first (a plain decimal, nothing to trim): a million metric values read one by one.
  if (PLAIN_NUMBER.test(text)) return Number(text);
  const t = text.trim();
  if (t === '') return undefined;
  switch (t.toLowerCase()) {
    case 'nan': case '+nan': case '-nan': return Number.NaN;
    case 'inf': case '+inf': case 'infinity': case '+infinity': return Number.POSITIVE_INFINITY;
    case '-inf': case '-infinity': return Number.NEGATIVE_INFINITY;
  }
  if (!PLAIN_NUMBER.test(t)) return undefined;
  return Number(t);
}

const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Unix seconds of a file's modification, 0 when it is gone. */
export function mtimeOf(file: string): number {
  try {
    return fs.statSync(file).mtimeMs / 1000;
  } catch {
    return 0;
  }
}
