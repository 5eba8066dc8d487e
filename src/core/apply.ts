// Apply: a typed record (from records.ts, or from an importer of another format) and the run store →
// applied, waiting for another source, or refusing its whole source. Every rule of what a record does to
// runs and versions is here, carried out through the store's verbs; python/runrewind/_logs.py applies
// the same rules (keep the two in step).
//
// A source is one stream of records: a writer's file (a start record, then records for the version it
// made or resumed) or an ops file (one op record). An importer makes a RecordSource per imported run,
// calls `apply(record, source)` for each record it builds, and gets the same checks and diagnostics.
import type { Diagnostic } from './api';
import { OP_RECORD_TYPES, WRITER_RECORD_TYPES } from './protocol';
import type { LogRecord, OpRecord, RecordType, RowRecord, SourceRef, StartRecord } from './protocol';
import { isOpRecord } from './records';
import type { RecordOrigin, RecordProblem } from './records';
import type { RunRow, RunStore, VersionRow } from './store';
import { mergeConfig } from './values';

export interface RecordSource {
  /** Names the source in diagnostics: a log file's path, or what an importer read. */
  readonly file: string;
  readonly origin: RecordOrigin;
  /** 1-based number of the record being applied (its line in a log file), for diagnostics. */
  line: number;
  /** The version a writer's records go to, set by its start record; null before it (and for ops). */
  version: string | null;
  /**
   * Each key keeps its own step order, as in TensorBoard's files, where every tag has its own steps (a
   * per-epoch value beside per-batch ones): a row for a step before the version's last keeps the values
   * of the keys whose own points all come before it. Our own logs keep one step order per run.
   */
  readonly keySteps?: boolean;
}

/**
 * ok: applied, or skipped with a diagnostic; the source goes on. ended: the source is complete (a
 * writer's finish, an ops file's op); nothing after it is applied. wait: needs a run or version that no
 * source applied so far creates; apply the same record again later. reject: none of the source's
 * records are applied (a diagnostic says why).
 */
export type Outcome = 'ok' | 'ended' | 'wait' | 'reject';

/** What the applier tells its caller besides the outcome. */
export interface ApplySink<S extends RecordSource> {
  /** A problem with the record at `source.line`. */
  report(source: S, severity: Diagnostic['severity'], message: string): void;
  /** Why the source waits (see Outcome). */
  wait(source: S, what: string): void;
  /** The source applies to run `runId` (the log reader checks apply order here; LogIngester.claim). */
  claim(source: S, runId: string): void;
  /** A history row was appended with `points` values. */
  appended(source: S, points: number): void;
}

export class RecordApplier<S extends RecordSource = RecordSource> {
  /** Key warnings already given per source: a key logged a million times as a list warns once. */
  private readonly warned = new WeakMap<S, Set<string>>();

  constructor(
    private readonly store: RunStore,
    private readonly sink: ApplySink<S>,
  ) {}

  /** Applies one typed record of `source`. The caller owns the transaction and flushes the store. */
  apply(record: LogRecord, source: S): Outcome {
    // The hot path: history rows of a started writer.
    if (record.type === 'row' && source.version !== null && source.origin === 'writer') return this.applyRow(record, source.version, source);
    const admitted = this.admit(record.type, source);
    if (admitted !== undefined) return admitted;
    if (source.origin === 'ops') {
      if (!isOpRecord(record)) return this.reject(source, `a ${JSON.stringify(record.type)} op must name its run`);
      const outcome = this.applyOp(record, source);
      return outcome === 'ok' ? 'ended' : outcome;
    }
    if (record.type === 'start') return this.applyStart(record, source);
    const version = source.version;
    if (version === null || !this.store.versions.has(version)) return 'ok';
    return this.applyToVersion(record, version, source);
  }

  /**
   * What becomes of a line that did not parse (records.ts): skipped with a diagnostic, or, where its
   * source cannot go on without it (a writer's start, an op), the source is refused.
   */
  refuse(problem: RecordProblem, source: S): Outcome {
    if (problem.kind === 'line') {
      this.sink.report(source, problem.severity, problem.reason);
      return 'ok';
    }
    if (problem.kind === 'deep') {
      if (problem.type === 'start' && source.version === null) return this.reject(source, `the start record is ${problem.reason}`);
      this.sink.report(source, 'error', `the record is ${problem.reason}; it is skipped`);
      return 'ok';
    }
    const admitted = problem.type === undefined ? undefined : this.admit(problem.type, source);
    if (admitted !== undefined) return admitted;
    if (problem.kind === 'newer') {
      this.sink.report(source, 'error', problem.reason);
      return 'reject';
    }
    if (problem.type === 'start' || source.origin === 'ops') return this.reject(source, problem.reason);
    this.sink.report(source, 'error', `${problem.reason}; ${problem.type === 'row' ? 'the row' : 'the record'} is skipped`);
    return 'ok';
  }

  /** The rules of where a record type may stand; undefined when this one may be applied here. */
  private admit(type: RecordType, source: S): Outcome | undefined {
    if (source.origin === 'ops') {
      if (source.line > 1) {
        this.sink.report(source, 'warning', 'an ops file holds one record; this one is skipped');
        return 'ok';
      }
      if (!OP_RECORD_TYPES.has(type)) {
        this.sink.report(source, 'error', `a ${JSON.stringify(type)} record belongs in a writer file, not an ops file; skipped`);
        return 'ended';
      }
      return undefined;
    }
    if (source.version === null) {
      if (type === 'start') return undefined;
      this.sink.report(source, 'error', `a writer file must begin with a "start" record, not ${JSON.stringify(type)}; the file is not read`);
      return 'reject';
    }
    if (type === 'start') {
      this.sink.report(source, 'error', 'a second "start" record in one file; skipped (each init writes its own file)');
      return 'ok';
    }
    if (!WRITER_RECORD_TYPES.has(type)) {
      this.sink.report(source, 'error', `a ${JSON.stringify(type)} record belongs in an ops file, not a writer file; skipped`);
      return 'ok';
    }
    return undefined;
  }

  private applyToVersion(record: LogRecord, version: string, source: S): Outcome {
    let outcome: Outcome = 'ok';
    switch (record.type) {
      case 'row':
        return this.applyRow(record, version, source);
      case 'config':
        this.store.mergeConfig(version, record.config);
        break;
      case 'summary':
        this.store.mergeSummary(version, record.summary);
        break;
      case 'alive':
        break;
      // Console, system and metadata records are not signs of life (docs/PROTOCOL.md, Liveness): a
      // writer that only prints still writes `alive` records, so they do not touch lastSeen.
      case 'console':
        this.store.appendConsole(version, record.lines);
        return 'ok';
      case 'system':
        this.store.appendSystem(version, record.time, record.data);
        return 'ok';
      case 'media':
        // Media are history (copy-on-write by step, as console lines) but, like them, not signs of life.
        this.store.appendMedia(version, record);
        return 'ok';
      case 'artifact':
        // An artifact version belongs to the run version that logged it (it stays there across a rewind).
        this.store.appendArtifact(version, record);
        return 'ok';
      case 'metadata':
        // A version's metadata is its newest writer file's: files are applied in stamp order.
        this.store.setMetadata(version, record.metadata);
        return 'ok';
      case 'finish':
        this.store.finishWriter(version, record.exit_code, record.time);
        // A writer's finish is its last record: nothing after it is applied.
        outcome = 'ended';
        break;
      case 'rename': {
        const runId = this.store.versions.get(version)!.runId;
        this.store.rename(runId, record.name, undefined, record.time);
        break;
      }
      default:
        return 'ok'; // a start (admitted only first) or an op (admitted only in ops files)
    }
    this.store.seen(version, record.time);
    return outcome;
  }

  private applyRow(record: RowRecord, version: string, source: S): Outcome {
    const v = this.store.versions.get(version);
    if (!v) return 'ok';
    const step = record.step;
    if (v.lastStep !== null && step <= v.lastStep) {
      if (source.keySteps) return this.applyEarlierRow(record, v, source);
      this.sink.report(source, 'error', `step ${step} is not after the last step ${v.lastStep} of run ${v.runId} (version ${v.id}); steps must increase, so the row is skipped`);
      return 'ok';
    }
    const points = this.store.appendRow(version, step, record.time, record.data, (message) => this.warnKey(source, message));
    this.sink.appended(source, points);
    return 'ok';
  }

  /** A row of a source whose keys keep their own step order, for a step before the version's last. */
  private applyEarlierRow(record: RowRecord, v: Readonly<VersionRow>, source: S): Outcome {
    const step = record.step;
    // A version's own points start after its branch step: before it, the history is its parent's.
    if (v.branchStep !== null && step <= v.branchStep) {
      this.warnKey(source, `values logged for a step at or before step ${v.branchStep}, where version ${v.id} branched from its parent, are skipped (that history is the parent's)`);
      return 'ok';
    }
    const refused: string[] = [];
    const points = this.store.appendEarlier(v.id, step, record.data, (message) => this.warnKey(source, message), refused);
    for (const key of refused) this.warnKey(source, `${JSON.stringify(key)} was logged for a step at or before one already read for it; each key's own steps must increase, so such values are skipped (reported once per key)`);
    if (points > 0) this.sink.appended(source, points);
    return 'ok';
  }

  private warnKey(source: S, message: string): void {
    let warned = this.warned.get(source);
    if (!warned) {
      warned = new Set();
      this.warned.set(source, warned);
    }
    if (warned.has(message)) return;
    warned.add(message);
    this.sink.report(source, 'warning', message);
  }

  private applyStart(r: StartRecord, source: S): Outcome {
    this.sink.claim(source, r.run);
    const { time } = r;
    if (r.mode === 'resume') {
      const run = this.store.runs.get(r.run);
      const existing = this.store.versions.get(r.version);
      if (!run || !existing) return this.wait(source, `run ${r.run} (version ${r.version})`);
      if (existing.runId !== r.run) return this.reject(source, `version ${r.version} belongs to run ${existing.runId}, not ${r.run}`);
      if (run.liveVersion !== r.version) return this.reject(source, `version ${r.version} of run ${r.run} is archived (rewound); only the live version ${run.liveVersion} can be resumed`);
      if (r.config) this.store.mergeConfig(r.version, r.config);
      this.store.rename(r.run, r.name, r.project, time);
    } else {
      if (this.store.versions.has(r.version)) return this.reject(source, `version ${r.version} already exists; every start needs a new version id`);
      const base = baseVersion(r.version, r.run, r.mode, time);
      if (r.mode === 'new') {
        if (this.store.runs.has(r.run)) return this.reject(source, `run ${r.run} already exists; a writer continuing it must start with mode "resume"`);
        this.store.createRun(newRun(r.run, r.version, r.project, r.name, time, r.tags, r.notes, r.group), { ...base, config: r.config ?? {} });
      } else {
        const from = r.source;
        if (!from) return this.reject(source, '"source" must be an object {"run", "version", "step"}');
        const sourceVersion = this.store.versions.get(from.version);
        if (!sourceVersion) return this.wait(source, `version ${from.version} of run ${from.run}`);
        const made = r.mode === 'rewind'
          ? this.rewind(source, r.run, from, sourceVersion, base, r.config, time, r.name, r.project)
          : this.fork(source, r.run, from, sourceVersion, base, r.config, time, r.name, r.project, r.tags, r.notes, r.group);
        if (made !== 'ok') return made;
      }
    }
    this.store.startWriter(r.version, { pid: r.pid ?? null, host: r.host ?? null, heartbeat: r.heartbeat ?? null }, time);
    source.version = r.version;
    this.store.seen(r.version, time);
    return 'ok';
  }

  /** A rewind archives the run's live version; applied only while `from` is still that live version. */
  private rewind(source: S, runId: string, from: SourceRef, sourceVersion: Readonly<VersionRow>, base: VersionRow, config: Record<string, unknown> | undefined, time: number, name: string | undefined, project: string | undefined): Outcome {
    const run = this.store.runs.get(runId);
    if (!run) return this.wait(source, `run ${runId}`);
    if (sourceVersion.runId !== runId) return this.reject(source, `a rewind of run ${runId} names version ${from.version}, which belongs to run ${sourceVersion.runId}`);
    if (run.deleted) return this.reject(source, `run ${runId} was deleted; it cannot be rewound`);
    if (run.liveVersion !== sourceVersion.id) {
      // Checked against a live version that another rewind or resume replaced first: the writer that
      // lost the race was told by the lock; a writer that took no lock loses here, in every reader alike.
      return this.reject(source, `this rewind of run ${runId} archives version ${sourceVersion.id}, but the run's live version is now ${run.liveVersion} (another rewind came first)`);
    }
    const live = this.store.versions.get(run.liveVersion);
    // An archived version never grows again: its writer, if any, has finished.
    if (live && !live.archived) this.store.archive(live.id, time);
    this.store.createVersion({ ...base, kind: 'rewind', parent: sourceVersion.id, branchStep: from.step, lastStep: from.step, config: mergeConfig(sourceVersion.config, config) });
    this.store.setLive(runId, base.id, time);
    this.store.rename(runId, name, project, time);
    return 'ok';
  }

  private fork(source: S, runId: string, from: SourceRef, sourceVersion: Readonly<VersionRow>, base: VersionRow, config: Record<string, unknown> | undefined, time: number, name: string | undefined, project: string | undefined, tags: readonly string[] | undefined, notes: string | undefined, group?: string): Outcome {
    if (this.store.runs.has(runId)) return this.reject(source, `a fork must create a new run, but run ${runId} already exists`);
    const sourceRun = this.store.runs.get(sourceVersion.runId);
    const v: VersionRow = { ...base, kind: 'fork', parent: sourceVersion.id, branchStep: from.step, lastStep: from.step, config: mergeConfig(sourceVersion.config, config) };
    const run = newRun(runId, base.id, project ?? sourceRun?.project, name, time, tags, notes, group ?? sourceRun?.group ?? undefined);
    this.store.createRun({ ...run, forkVersion: sourceVersion.id, forkRun: sourceVersion.runId, forkStep: from.step }, v);
    return 'ok';
  }

  private applyOp(r: OpRecord, source: S): Outcome {
    this.sink.claim(source, r.run);
    const { time } = r;
    switch (r.type) {
      case 'rename':
        if (!this.store.runs.has(r.run)) return this.wait(source, `run ${r.run}`);
        this.store.rename(r.run, r.name, undefined, time);
        return 'ok';
      case 'delete':
        if (!this.store.runs.has(r.run)) return this.wait(source, `run ${r.run}`);
        this.store.markDeleted(r.run, time);
        return 'ok';
      case 'edit':
        if (!this.store.runs.has(r.run)) return this.wait(source, `run ${r.run}`);
        this.store.editRun(r.run, r, time);
        return 'ok';
      case 'rewind':
      case 'fork': {
        if (this.store.versions.has(r.version)) return this.reject(source, `version ${r.version} already exists`);
        const from: SourceRef = r.type === 'rewind' ? { run: r.run, version: r.source, step: r.step } : r.source;
        const sourceVersion = this.store.versions.get(from.version);
        if (!sourceVersion) return this.wait(source, `version ${from.version}`);
        const base = baseVersion(r.version, r.run, r.type, time);
        const made = r.type === 'rewind'
          ? this.rewind(source, r.run, from, sourceVersion, base, r.config, time, undefined, undefined)
          : this.fork(source, r.run, from, sourceVersion, base, r.config, time, r.name, r.project, r.tags, r.notes);
        if (made !== 'ok') return made;
        // A version made without a training process has no writer: it is finished until resumed.
        this.store.finishWriter(r.version, 0, time);
        this.store.seen(r.version, time);
        return 'ok';
      }
    }
  }

  private wait(source: S, what: string): Outcome {
    this.sink.wait(source, what);
    return 'wait';
  }

  private reject(source: S, message: string): Outcome {
    this.sink.report(source, 'error', `${message}; the records of this file are not applied`);
    return 'reject';
  }
}

function baseVersion(id: string, runId: string, kind: VersionRow['kind'], time: number): VersionRow {
  const t = Number.isNaN(time) ? 0 : time;
  return {
    id, runId, kind, parent: null, branchStep: null, archived: false, archivedAt: null, createdAt: t, updatedAt: t, endedAt: null,
    finished: false, exitCode: null, pid: null, host: null, heartbeat: null, lastSeen: null, lastModified: null, lastStep: null, ownLastStep: null, config: {}, summary: {},
  };
}

function newRun(id: string, liveVersion: string, project: string | undefined, name: string | undefined, time: number, tags: readonly string[] | undefined, notes: string | undefined, group?: string): Omit<RunRow, 'seq'> {
  const t = Number.isNaN(time) ? 0 : time;
  return {
    id, project: project ?? 'uncategorized', name: name ?? id, liveVersion, createdAt: t, updatedAt: t, tags: [...(tags ?? [])],
    notes: notes ?? '', group: group ?? null, forkVersion: null, forkRun: null, forkStep: null, deleted: false,
  };
}
