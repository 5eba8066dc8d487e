// Every identifier Run Rewind shares with package.json — commands, views, context keys, settings —
// spelled once. package.json must use exactly these strings (test/unit/manifest.test.ts checks that both
// sides agree).

export const EXTENSION_ID = 'runrewind.run-rewind';

export enum ViewContainerId {
  Runs = 'runRewind',
}

export enum ViewId {
  Runs = 'runRewind.runs',
}

export enum CommandId {
  RewindToStep = 'runRewind.rewindToStep',
  ForkAtStep = 'runRewind.forkAtStep',
  RewindToSelectedStep = 'runRewind.rewindToSelectedStep',
  ForkAtSelectedStep = 'runRewind.forkAtSelectedStep',
  OpenCharts = 'runRewind.openCharts',
  OpenHistory = 'runRewind.openHistory',
  OpenConsole = 'runRewind.openConsole',
  CopyRunId = 'runRewind.copyRunId',
  CopyVersionId = 'runRewind.copyVersionId',
  CopyResumeSnippet = 'runRewind.copyResumeSnippet',
  RenameRun = 'runRewind.renameRun',
  DeleteRun = 'runRewind.deleteRun',
  Refresh = 'runRewind.refresh',
  RebuildStore = 'runRewind.rebuildStore',
  ShowLog = 'runRewind.showLog',
  /** Tree-only: reveals the run a fork came from. */
  RevealSource = 'runRewind.revealSource',
  RevealArtifact = 'runRewind.revealArtifact',
  CopyArtifactPath = 'runRewind.copyArtifactPath',
  /** Status bar: what to do with the selected step. */
  SelectedStepActions = 'runRewind.selectedStepActions',
  ClearSelectedStep = 'runRewind.clearSelectedStep',
  /** Welcome view: writes and opens the first-run example script. */
  CreateExample = 'runRewind.createExample',
  OpenSettings = 'runRewind.openSettings',
  /** Chart panel: saves a chart as an image / its data as CSV (optional args: metric key, target path). */
  ExportChartPng = 'runRewind.exportChartPng',
  ExportChartCsv = 'runRewind.exportChartCsv',
  /** The runs table of a folder (optional arg: a project or folder of the Runs view, or { folder, project }). */
  OpenRunsTable = 'runRewind.openRunsTable',
  /** A fork, rewound run or archived version against its source at the branch step (a branch diff document). */
  CompareWithSource = 'runRewind.compareWithSource',
  /** Any two runs or versions (tree multi-selection, `{ folder, runs: [a, b] }`, or picked). */
  CompareRuns = 'runRewind.compareRuns',
  /** A run's tags, notes or group (an `edit` op): tree (multi-selection), the runs table's context menu. */
  EditTags = 'runRewind.editTags',
  EditNotes = 'runRewind.editNotes',
  SetGroup = 'runRewind.setGroup',
  /** The Runs view shows only the runs a query (the runs table's language) matches; ClearRunsFilter shows all again. */
  FilterRuns = 'runRewind.filterRuns',
  ClearRunsFilter = 'runRewind.clearRunsFilter',
  /** Adds a folder of another tool's logs (TensorBoard) to runRewind.sources. */
  AddLogFolder = 'runRewind.addLogFolder',
  /** Pushes runs to the MLflow tracking server of runRewind.mlflow.trackingUri (optional args: a run, or { uri, experiment, runs }). */
  SyncToMlflow = 'runRewind.syncToMlflow',
  /** Keeps the MLflow server's token in SecretStorage (optional arg: the token; empty removes it). */
  SetMlflowToken = 'runRewind.setMlflowToken',
}

/** Registered but never contributed in package.json: the integration tests' window into chart panels. */
export enum InternalCommandId {
  InspectChart = 'runRewind.internal.inspectChart',
  ActOnChart = 'runRewind.internal.actOnChart',
  InspectTable = 'runRewind.internal.inspectTable',
  ActOnTable = 'runRewind.internal.actOnTable',
  /** The runs tree's "Show more…" row: the next page of a long list. */
  ShowMore = 'runRewind.internal.showMore',
  /** A "used by" row under an artifact: reveals the run version that used it. */
  RevealArtifactUser = 'runRewind.internal.revealArtifactUser',
}

export enum ContextKey {
  HasSelectedStep = 'runRewind.hasSelectedStep',
  /** The selected step is on an archived version: it can be forked from, not rewound. */
  SelectedStepArchived = 'runRewind.selectedStepArchived',
  /** Set once the stores answered their first listing (the run index), so the welcome view does not flash while loading. */
  Loaded = 'runRewind.loaded',
  /** The Runs view is filtered (its title bar offers Clear Filter). */
  RunsFiltered = 'runRewind.runsFiltered',
}

/** Settings, without the `runRewind.` section prefix (as `getConfiguration('runRewind')` wants them). */
export enum Setting {
  LogDirectory = 'logDirectory',
  InjectTerminalEnvironment = 'terminal.injectEnvironment',
  WandbPackage = 'terminal.wandbPackage',
  PollInterval = 'pollInterval',
  HeadlineMetric = 'headlineMetric',
  HistoryMaxRows = 'history.maxRows',
  Sources = 'sources',
  MlflowTrackingUri = 'mlflow.trackingUri',
  MlflowShowServerRuns = 'mlflow.showServerRuns',
  MlflowServerExperiments = 'mlflow.serverExperiments',
  MlflowMaxUploadMB = 'mlflow.maxUploadMB',
}

export const SETTINGS_SECTION = 'runRewind';

/** URI scheme of the read-only run history documents. */
export const HISTORY_SCHEME = 'runrewind-history';

/** URI scheme of the read-only branch diff documents. */
export const DIFF_SCHEME = 'runrewind-diff';

/** URI scheme of the read-only Run Console documents. */
export const CONSOLE_SCHEME = 'runrewind-console';

/**
 * Tree item context values carry flags, matched in package.json with `viewItem =~ /…/`:
 * a run is `run` plus `:running` / `:rewound` / `:forked`; an archived version is `version:archived`.
 */
export enum ContextValue {
  Project = 'project',
  Folder = 'folder',
  Run = 'run',
  ArchivedVersion = 'version:archived',
  ForkedFromGroup = 'forkedFromGroup',
  ForkSource = 'forkSource',
  Message = 'message',
  More = 'more',
  ArtifactsGroup = 'artifacts',
  Artifact = 'artifact',
  ArtifactUser = 'artifactUser',
}

export enum ContextFlag {
  Running = 'running',
  Rewound = 'rewound',
  Forked = 'forked',
}
