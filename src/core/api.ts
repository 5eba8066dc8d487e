// The shapes the store answers with, and the interface the extension and the command line use.
// Everything here survives structured cloning (worker_threads), including NaN and ±Infinity.

import type { ConsoleStream, MediaItem, RunMetadata } from './protocol';
import type { PackedTable } from '../shared/tablePacking';
export type { ConsoleStream, MediaItem, RunMetadata } from './protocol';

export type RunState = 'running' | 'finished' | 'failed' | 'crashed';
export type VersionKind = 'new' | 'rewind' | 'fork';

export interface ForkedFrom {
  readonly run: string;
  readonly version: string;
  readonly step: number;
  /** The source run's display name, when the run still exists. */
  readonly runName?: string;
  readonly runDeleted?: boolean;
}

export interface VersionInfo {
  /** Immutable version id. */
  readonly id: string;
  readonly runId: string;
  readonly archived: boolean;
  readonly kind: VersionKind;
  /** The version this one branched from: the archived version of a rewind, or a fork's source. */
  readonly parent: string | null;
  /** Rows of `parent` with `_step <= branchStep` are part of this version's history. */
  readonly branchStep: number | null;
  readonly state: RunState;
  readonly exitCode: number | null;
  /** Unix seconds. */
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly endedAt: number | null;
  /** Last step of the visible history (through lineage), null when nothing was logged. */
  readonly lastStep: number | null;
  /** When this version was archived (unix seconds), for archived versions. */
  readonly archivedAt: number | null;
}

export interface Headline {
  readonly key: string;
  readonly value: number;
}

export interface RunInfo {
  readonly id: string;
  readonly project: string;
  readonly name: string;
  readonly state: RunState;
  /** The live version's immutable id. */
  readonly liveVersion: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly lastStep: number | null;
  readonly headline: Headline | null;
  readonly forkedFrom: ForkedFrom | null;
  readonly tags: readonly string[];
  readonly notes: string;
  /** Live version first, then archived versions, newest first. */
  readonly versions: readonly VersionInfo[];
  /** Where an imported run is read from (src/core/importers); absent for the runs of our own logs. */
  readonly origin?: RunOrigin;
}

/** The tool that logged an imported run, and the folder it is read from (never modified). */
export interface RunOrigin {
  readonly kind: 'tensorboard' | 'wandb' | 'lightning' | 'huggingface' | 'mlflow';
  /** What the tool is called ("TensorBoard", "W&B offline"); not translated. */
  readonly label: string;
  readonly path: string;
}

export type SummaryValue = number | string | boolean | null;

export interface RunOverview extends RunInfo {
  readonly config: Record<string, unknown>;
  /** Summary of the live (or requested) version, recomputed from its visible history. */
  readonly summary: Record<string, SummaryValue>;
  /** The version the overview describes (live unless a version id was asked for). */
  readonly version: VersionInfo;
  /** Chain of versions this one came from, nearest first (rewinds and forks). */
  readonly lineage: readonly ForkedFrom[];
  readonly host: string | null;
  readonly pid: number | null;
  /**
   * What the version's newest writer file says about its process (host, Python, command, GPUs; see
   * docs/PROTOCOL.md `metadata`); null when no writer recorded it (revision 1.0, or turned off).
   */
  readonly metadata?: RunMetadata | null;
  /** Steps the version has a checkpoint for (src/core/checkpoints.ts), when the asker wants them marked (the chart panel). */
  readonly checkpoints?: readonly CheckpointMark[];
}

/** A checkpoint as a chart marks it: its step and the artifact (`name:vN`). */
export interface CheckpointMark {
  readonly step: number;
  readonly artifact: string;
}

/** One line a version's Run Console shows. */
export interface ConsoleLine {
  /** When the line ended (unix seconds). */
  readonly time: number;
  readonly stream: ConsoleStream;
  /** The step pending when it was printed (the next row's _step). */
  readonly step: number;
  /** As a terminal shows it: escape sequences and control characters but tab already removed by the writer. */
  readonly text: string;
  /** The version that printed it. */
  readonly version: string;
  /** Printed by an ancestor (the parent of a rewind or fork, up to its branch step): shown marked. */
  readonly inherited: boolean;
}

export interface ConsoleQuery {
  /** First line of the page; negative counts from the end (-100: the last 100 lines). */
  readonly offset?: number;
  readonly limit?: number;
}

export interface ConsolePage {
  readonly version: string;
  /** Lines the version shows in all (inherited ones included). */
  readonly total: number;
  /** Index of the page's first line among them. */
  readonly offset: number;
  readonly lines: readonly ConsoleLine[];
}

/** One system metric of one version, against wall time (times ascending as written). */
export interface SystemSeries {
  readonly key: string;
  /** Unix seconds: the x of the chart's System section. */
  readonly times: Float64Array;
  readonly values: Float64Array;
}

export interface SystemMetrics {
  readonly version: string;
  /** One series per `system/…` key the version's own samples hold, in compareKeys order. */
  readonly series: readonly SystemSeries[];
  /** Number of samples. */
  readonly samples: number;
}

/** A media key of a version's visible history (its own media and its ancestors' up to the branch step). */
export interface MediaKeyInfo {
  readonly key: string;
  /** The kind of its newest entry (`image`, `histogram`, `table`, …). */
  readonly kind: string;
  /** Steps with an entry. */
  readonly steps: number;
  readonly firstStep: number;
  readonly lastStep: number;
}

/** A media item as a query returns it: the record's fields, and its file's absolute path when it has one. */
export interface MediaFileItem extends MediaItem {
  /** Absolute path of the item's file under the log directory (docs/PROTOCOL.md, `media`). */
  readonly file?: string;
}

/** What a version shows for one media key at one step. */
export interface MediaEntry {
  readonly key: string;
  readonly step: number;
  readonly kind: string;
  /** Unix seconds, NaN when the record had none. */
  readonly time: number;
  readonly items: readonly MediaFileItem[];
  /** The version that logged it. */
  readonly version: string;
  /** Logged by an ancestor (the parent of a rewind or fork, up to its branch step). */
  readonly inherited: boolean;
}

/** An artifact version a run version logged, used or linked (docs/PROTOCOL.md, `artifact`). */
export interface ArtifactUse {
  readonly action: 'log' | 'use' | 'link';
  readonly name: string;
  /** `v0`, `v1`, … */
  readonly artifactVersion: string;
  readonly type: string;
  readonly aliases: readonly string[];
  readonly digest: string | null;
  readonly size: number | null;
  readonly files: number | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The recording version's last committed step then; null before its first row. */
  readonly step: number | null;
  /** The run version whose log holds the record. */
  readonly recordedBy: string;
  /** Recorded by an ancestor, up to the branch step (a rewind keeps the checkpoints logged before it). */
  readonly inherited: boolean;
  /** For use and link: the run version that logged the artifact version. */
  readonly sourceVersion: string | null;
  /** The manifest of the artifact version, `<log dir>/artifacts/<name>/<vN>.json`. */
  readonly manifestFile: string;
}

export interface MetricKey {
  readonly key: string;
  /** Number of points in the visible history with a numeric value. */
  readonly points: number;
  readonly numeric: boolean;
}

export interface StepRange {
  /** Inclusive bounds; omitted means open. */
  readonly from?: number;
  readonly to?: number;
}

export interface Series {
  readonly version: string;
  readonly key: string;
  readonly steps: Float64Array;
  readonly values: Float64Array;
  /** Wall time (unix seconds) of each point, when asked for. */
  readonly times?: Float64Array;
  /** Number of points of the series in the asked range before any downsampling. */
  readonly total: number;
  /** True when every point in the range is present (no downsampling happened). */
  readonly exact: boolean;
  /** For lineage rendering: the step where each ancestor's part ends, nearest ancestor last. */
  readonly segments: readonly SeriesSegment[];
  /** Counts of NaN / +Infinity / -Infinity values in the range (they are not drawn). */
  readonly nonFinite: { readonly nan: number; readonly posInf: number; readonly negInf: number };
}

/** The part of a visible history that comes from one version. */
export interface SeriesSegment {
  readonly version: string;
  readonly runId: string;
  /** Inclusive step range this version contributes. */
  readonly from: number;
  readonly to: number;
}

export type CellValue = number | string | boolean | null;

export interface HistoryTable {
  readonly version: string;
  readonly columns: readonly string[];
  readonly rows: readonly HistoryRow[];
  /** Total number of steps in the visible history. */
  readonly total: number;
}

export interface HistoryRow {
  readonly step: number;
  readonly time: number;
  /** One cell per column; null where the step has no value for that key. */
  readonly cells: readonly CellValue[];
}

export interface HistoryQuery {
  readonly keys?: readonly string[];
  readonly offset?: number;
  readonly limit?: number;
  readonly range?: StepRange;
}

/** One summary metric of a table row: the summary's value, and the lowest and highest finite point of
 * the key's visible history (null when it has none: a string or boolean key, or an explicit summary value). */
export interface MetricStats {
  readonly last: SummaryValue;
  readonly min: number | null;
  readonly max: number | null;
}

/** One row of the runs table: a run (its live version), or one of its archived versions. */
export interface RunsTableRow {
  /** The run id. */
  readonly id: string;
  /** The immutable id of the version the row describes (the live one for a run's row). */
  readonly version: string;
  readonly archived: boolean;
  readonly name: string;
  readonly state: RunState;
  readonly project: string;
  /** The run's group (wandb's `group=`), null when none was given. */
  readonly group: string | null;
  readonly tags: readonly string[];
  readonly notes: string;
  /** Unix seconds: when the run was created (an archived version's row: when that version started). */
  readonly createdAt: number;
  /** Seconds the version ran: from its start to its end, or to its newest record while it runs. */
  readonly duration: number | null;
  readonly lastStep: number | null;
  /** Where a fork came from (run rows); null otherwise. */
  readonly forkedFrom: ForkedFrom | null;
  /** The version this one branched from and the step (rewinds and forks), else null. */
  readonly parent: string | null;
  readonly branchStep: number | null;
  /** Config flattened to dotted keys; arrays as JSON text. */
  readonly config: Record<string, CellValue>;
  readonly summary: Record<string, MetricStats>;
  /** A run row's archived versions, newest first (rows themselves, with no children). */
  readonly versions: readonly RunsTableRow[];
}

export interface RunsTable {
  readonly rows: readonly RunsTableRow[];
  /** Every flattened config key and every summary key of the rows (archived ones too), in compareKeys order. */
  readonly configKeys: readonly string[];
  readonly summaryKeys: readonly string[];
  /** Rows (runs) before the filter was applied. */
  readonly total: number;
}

export interface RunsTableQuery {
  /** Only runs of this project. */
  readonly project?: string;
  /** A runs query (src/shared/runQuery.ts): only runs it matches; a malformed one is refused. */
  readonly filter?: string;
  /** Only these runs (a live update asks for the runs a change named; a deleted one is left out). */
  readonly runs?: readonly string[];
  /**
   * Only the first this many runs (a table's first screenful): in creation order, or the first the
   * filter matches in `sort`'s order, as the table shows them; `total` still counts every run.
   */
  readonly limit?: number;
  /** With a limit: the order the first runs are taken in (a table column's id, e.g. `summary.loss.min`). */
  readonly sort?: { readonly column: string; readonly descending: boolean };
}

/** One side of a branch diff: a run's live version or an archived version. */
export interface DiffSide {
  readonly run: string;
  readonly version: string;
  readonly name: string;
  readonly archived: boolean;
  readonly state: RunState;
  readonly lastStep: number | null;
}

/** A flattened config key whose value differs: `before` is the base's, `after` the other side's (absent: no such key). */
export interface ConfigChange {
  readonly key: string;
  readonly kind: 'added' | 'removed' | 'changed';
  readonly before?: CellValue;
  readonly after?: CellValue;
}

/** Which way a metric is better: said by define_metric (a `KEY.min` / `KEY.max` summary) or by its name. */
export type MetricGoal = 'min' | 'max';

/** One summary metric on both sides: [base, other] pairs. */
export interface MetricDiff {
  readonly key: string;
  /** Null when unknown: then both min and max are worth showing. */
  readonly goal: MetricGoal | null;
  /** The value at the branch step (shared by both sides); null when they share no history or the key had none yet. */
  readonly atBranch: SummaryValue;
  readonly end: readonly [SummaryValue, SummaryValue];
  readonly min: readonly [number | null, number | null];
  readonly max: readonly [number | null, number | null];
}

/**
 * What changed between two versions — a fork or rewind against its source at the branch step, or any
 * two runs: config differences (flattened keys) and each metric at the branch step, at the end and at its best.
 */
export interface BranchDiff {
  /** The source (left). */
  readonly base: DiffSide;
  /** The fork, rewind or second run (right). */
  readonly other: DiffSide;
  /** How the two relate: other is a fork or a rewind of base, they share history, or none. */
  readonly relation: 'fork' | 'rewind' | 'shared' | 'unrelated';
  /** Last step of the history both show (a branch step), null when they share none. */
  readonly branchStep: number | null;
  readonly config: readonly ConfigChange[];
  /** Config keys equal on both sides. */
  readonly sameConfig: number;
  /** Every summary key of either side, in key order. */
  readonly metrics: readonly MetricDiff[];
}

export interface Diagnostic {
  /** Absolute path of the log file. */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export interface IngestResult {
  /** Runs whose data or state changed in this pass. */
  readonly changedRuns: readonly string[];
  readonly rows: number;
  readonly points: number;
  readonly bytes: number;
  /** Diagnostics found in this pass. */
  readonly diagnostics: readonly Diagnostic[];
}

/** What Edit Tags / Notes / Group change: each field given replaces the run's; `group: null` clears it. */
export interface RunEdit {
  readonly tags?: readonly string[];
  readonly notes?: string;
  readonly group?: string | null;
}

export interface ForkOptions {
  readonly id?: string;
  readonly name?: string;
}

export interface LineageResult {
  readonly run: RunInfo;
  /** The new version's immutable id. */
  readonly version: string;
  /** For a rewind: the version that was archived. */
  readonly archived?: string;
}

export interface Progress {
  readonly message: string;
  /** 0..1 when known. */
  readonly fraction?: number;
}

/** Why runs changed: new log lines, or an operation made through the store. */
export type StoreChangeReason = 'ingest' | 'rewind' | 'fork' | 'rename' | 'edit' | 'delete' | 'rebuild';

export interface StoreChange {
  readonly changedRuns: readonly string[];
  readonly reason: StoreChangeReason;
}

/**
 * The store as the rest of the product sees it. `Engine` implements it synchronously in-thread (the
 * command line, unit tests); `StoreClient` implements it through the worker thread (the extension).
 */
export interface StoreApi {
  /** Reads whatever was appended to the log directory since the last call. */
  ingest(): Promise<IngestResult>;
  listRuns(): Promise<RunInfo[]>;
  /** A run by run id or immutable version id (then the overview describes that version). */
  getRun(runOrVersion: string): Promise<RunOverview>;
  metricKeys(version: string): Promise<MetricKey[]>;
  /** Every point of one key's visible history in a step range. */
  series(version: string, key: string, range?: StepRange, withTimes?: boolean): Promise<Series>;
  /** The same, min/max downsampled to at most `buckets` buckets (at most 4 points each, in step order). */
  downsample(version: string, key: string, buckets: number, range?: StepRange, withTimes?: boolean): Promise<Series>;
  history(version: string, query?: HistoryQuery): Promise<HistoryTable>;
  /** The runs table: one row per run with its archived versions, config and summary with min/max. */
  runsTable(query?: RunsTableQuery): Promise<RunsTable>;
  /** The same table as columns (src/shared/tablePacking.ts): what the table panel sends its webview whole. */
  packedRunsTable(query?: RunsTableQuery): Promise<PackedTable>;
  /** A branch diff: `version` against `other`, or (without it) a fork or rewind against its source at the branch step. */
  branchDiff(version: string, other?: string): Promise<BranchDiff>;
  /** The lines a version's console shows: its parent's up to the branch step (inherited), then its own. */
  consoleLines(version: string, query?: ConsoleQuery): Promise<ConsolePage>;
  /** A version's own system samples (never inherited), one series per key against wall time. */
  systemMetrics(version: string): Promise<SystemMetrics>;
  /** The newest writer file's metadata record of a version, or null. */
  metadata(version: string): Promise<RunMetadata | null>;
  /** The media keys of a version's visible history (inherited up to branch steps, as the scalars). */
  mediaKeys(version: string): Promise<MediaKeyInfo[]>;
  /** The steps with an entry for one media key, ascending (a slider's stops). */
  mediaSteps(version: string, key: string): Promise<number[]>;
  /** One media key's entry at `step`, else at the nearest step before it, else the first after it; null when the key has none. */
  mediaAt(version: string, key: string, step: number): Promise<MediaEntry | null>;
  /** One media key's entries in a step range, in step order (a histogram over steps), at most `limit` (default 10,000). */
  mediaEntries(version: string, key: string, range?: StepRange, limit?: number): Promise<MediaEntry[]>;
  /** The artifact versions a version logged, used or linked, its ancestors' up to the branch step included, in step order. */
  artifacts(version: string): Promise<ArtifactUse[]>;
  /** The run versions that recorded one artifact version: who logged it first, then who used or linked it. */
  artifactRecords(name: string, artifactVersion: string): Promise<ArtifactUse[]>;
  rewind(run: string, step: number): Promise<LineageResult>;
  fork(source: string, step: number, options?: ForkOptions): Promise<LineageResult>;
  rename(run: string, name: string): Promise<void>;
  /** Edits a run's tags, notes or group (an `edit` op record). */
  editRun(run: string, edit: RunEdit): Promise<void>;
  deleteRun(run: string): Promise<void>;
  /** Every diagnostic currently known, by file. */
  diagnostics(): Promise<Diagnostic[]>;
  /** Drops the store and reads every log again. */
  rebuild(): Promise<IngestResult>;
  /** Writes the snapshot now (normally debounced). */
  save(): Promise<void>;
}

/**
 * StoreApi answered in the caller's thread (Engine): each method returns its result itself, except
 * rebuild, which opens a new database (sql.js loads WebAssembly asynchronously).
 */
export type SyncStoreApi = {
  [M in Exclude<keyof StoreApi, 'rebuild'>]: (...args: Parameters<StoreApi[M]>) => Awaited<ReturnType<StoreApi[M]>>;
} & Pick<StoreApi, 'rebuild'>;
