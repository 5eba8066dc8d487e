// The importer stage: runs other tools logged (TensorBoard event files, and later W&B offline runs,
// MLflow, Lightning CSVs…) read where they are, never modified, and turned into the same typed records
// our JSONL parser produces, applied by the same RecordApplier (apply.ts). Each importer finds its runs
// under the configured sources, tails its files by offset and keeps how far it read in `import_runs`,
// in the store's own database, so a snapshot never disagrees with what it imported. The engine runs the
// stage before the log reader in every pass, so an op in our log directory that rewinds or forks an
// imported run finds it (docs/ARCHITECTURE.md, "Adding a source").
import * as path from 'node:path';
import type { Diagnostic, RunOrigin } from '../api';
import { RecordApplier } from '../apply';
import type { ApplySink, RecordSource } from '../apply';
import type { Db } from '../sqlite';
import type { RunStore } from '../store';
import { SKIPPED_DIR_NAMES } from './sources';
import { HuggingFaceImporter } from './huggingface';
import { LightningCsvImporter } from './lightning';
import { MlflowImporter } from './mlflow';
import { MlflowSqliteImporter } from './mlflowSqlite';
import { MlflowServerImporter } from './mlflowServer';
import type { MlflowPuller } from './mlflowServer';
import { HOLD_SECONDS, TensorBoardImporter } from './tensorboard';
import { WandbOfflineImporter } from './wandbOffline';

export interface ImportPass {
  rows: number;
  points: number;
  bytes: number;
  more: boolean;
  readonly diagnostics: Diagnostic[];
}

/** What every importer gets from the stage. */
export interface ImportContext {
  readonly db: Db;
  readonly store: RunStore;
  readonly applier: RecordApplier<RecordSource>;
  /** Unix seconds (the engine's clock, so tests can move it). */
  readonly now: () => number;
  /** Seconds the newest step of a run is held after its file last grew (its other values may follow). */
  readonly holdSeconds: number;
  /** Run ids are made from paths relative to this folder (the log directory's parent: the workspace folder). */
  readonly base: string;
  /** Our log directory: media files other tools embed in their logs are stored under its media/ folder. */
  readonly logDir: string;
  /** Folders never walked into when looking for runs (our own log directory among them). */
  readonly skip: (dir: string) => boolean;
  /** A problem at `line` (a record number) of `file`; capped per file as the log reader caps them. */
  report(file: string, line: number, severity: Diagnostic['severity'], message: string): void;
}

/** One kind of source. */
export interface Importer {
  /** Reads what is new under the sources, within `budget` bytes; adds what it did to `pass`. */
  run(sources: readonly string[], budget: number, pass: ImportPass): void;
  /** Forgets in-memory state and reads it back from the database (after a rollback or a clear). */
  reload(): void;
  /** Where each imported run comes from, by run id. */
  origins(): ReadonlyMap<string, RunOrigin>;
  /** Bytes appended to known files and not read yet. */
  pendingBytes(): number;
}

const MAX_DIAGNOSTICS_PER_FILE = 100;

export class ImportStage {
  private readonly importers: Importer[];
  private pass: ImportPass | undefined;
  private readonly diagnosticCounts = new Map<string, number>();

  constructor(
    private readonly db: Db,
    store: RunStore,
    private readonly sources: readonly string[],
    logDir: string,
    now: () => number,
    holdSeconds = HOLD_SECONDS,
    /** The tracking servers among the sources, mirrored by the engine's pulls (mlflowServer.ts). */
    puller?: MlflowPuller,
  ) {
    const sink: ApplySink<RecordSource> = {
      report: (source, severity, message) => context.report(source.file, source.line, severity, message),
      // An importer makes every run and version it refers to itself, so waiting cannot happen; say so if it does.
      wait: (source, what) => context.report(source.file, source.line, 'warning', `waiting for ${what}`),
      claim: () => undefined,
      appended: (_source, points) => {
        if (!this.pass) return;
        this.pass.rows++;
        this.pass.points += points;
      },
    };
    const ownLogs = path.resolve(logDir);
    const context: ImportContext = {
      db, store, now, holdSeconds,
      applier: new RecordApplier(store, sink),
      base: path.dirname(ownLogs),
      logDir: ownLogs,
      skip: (dir) => SKIPPED_DIR_NAMES.has(path.basename(dir)) || path.resolve(dir) === ownLogs,
      report: (file, line, severity, message) => this.report(file, line, severity, message),
    };
    this.importers = [new TensorBoardImporter(context), new WandbOfflineImporter(context), new LightningCsvImporter(context), new HuggingFaceImporter(context), new MlflowImporter(context), new MlflowSqliteImporter(context), new MlflowServerImporter(context, puller)];
  }

  get active(): boolean {
    return this.sources.length > 0;
  }

  run(maxBytes = Number.POSITIVE_INFINITY): ImportPass {
    const pass: ImportPass = { rows: 0, points: 0, bytes: 0, more: false, diagnostics: [] };
    if (!this.active) return pass;
    this.pass = pass;
    try {
      for (const importer of this.importers) {
        if (pass.bytes >= maxBytes) {
          pass.more = true;
          break;
        }
        importer.run(this.sources, maxBytes - pass.bytes, pass);
      }
      return pass;
    } finally {
      this.pass = undefined;
    }
  }

  reload(): void {
    this.diagnosticCounts.clear();
    for (const importer of this.importers) importer.reload();
  }

  originOf(runId: string): RunOrigin | undefined {
    for (const importer of this.importers) {
      const origin = importer.origins().get(runId);
      if (origin) return origin;
    }
    return undefined;
  }

  pendingBytes(): number {
    let total = 0;
    for (const importer of this.importers) total += importer.pendingBytes();
    return total;
  }

  private report(file: string, line: number, severity: Diagnostic['severity'], message: string): void {
    let count = this.diagnosticCounts.get(file) ?? ((this.db.get('SELECT COUNT(*) FROM diagnostics WHERE file=?', [file])?.[0] as number) ?? 0);
    count++;
    this.diagnosticCounts.set(file, count);
    if (count > MAX_DIAGNOSTICS_PER_FILE) return;
    if (count === MAX_DIAGNOSTICS_PER_FILE) message = `${message} (further problems in this file are not reported)`;
    this.db.run('INSERT INTO diagnostics (file, line, severity, message) VALUES (?,?,?,?)', [file, line, severity, message]);
    this.pass?.diagnostics.push({ file, line, severity, message });
  }
}
