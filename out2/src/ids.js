"use strict";
// Every identifier Run Rewind shares with package.json — commands, views, context keys, settings —
// spelled once. package.json must use exactly these strings (test/integration/suite/manifest.test.ts
// checks that both sides agree).
Object.defineProperty(exports, "__esModule", { value: true });
exports.ContextFlag = exports.ContextValue = exports.HISTORY_SCHEME = exports.SETTINGS_SECTION = exports.Setting = exports.ContextKey = exports.InternalCommandId = exports.CommandId = exports.ViewId = exports.ViewContainerId = exports.EXTENSION_ID = void 0;
exports.EXTENSION_ID = 'runrewind.run-rewind';
var ViewContainerId;
(function (ViewContainerId) {
    ViewContainerId["Runs"] = "runRewind";
})(ViewContainerId || (exports.ViewContainerId = ViewContainerId = {}));
var ViewId;
(function (ViewId) {
    ViewId["Runs"] = "runRewind.runs";
})(ViewId || (exports.ViewId = ViewId = {}));
var CommandId;
(function (CommandId) {
    CommandId["RewindToStep"] = "runRewind.rewindToStep";
    CommandId["ForkAtStep"] = "runRewind.forkAtStep";
    CommandId["RewindToSelectedStep"] = "runRewind.rewindToSelectedStep";
    CommandId["ForkAtSelectedStep"] = "runRewind.forkAtSelectedStep";
    CommandId["OpenCharts"] = "runRewind.openCharts";
    CommandId["OpenHistory"] = "runRewind.openHistory";
    CommandId["CopyRunId"] = "runRewind.copyRunId";
    CommandId["CopyVersionId"] = "runRewind.copyVersionId";
    CommandId["CopyResumeSnippet"] = "runRewind.copyResumeSnippet";
    CommandId["RenameRun"] = "runRewind.renameRun";
    CommandId["DeleteRun"] = "runRewind.deleteRun";
    CommandId["Refresh"] = "runRewind.refresh";
    CommandId["RebuildStore"] = "runRewind.rebuildStore";
    CommandId["ShowLog"] = "runRewind.showLog";
    /** Tree-only: reveals the run a fork came from. */
    CommandId["RevealSource"] = "runRewind.revealSource";
    /** Status bar: what to do with the selected step. */
    CommandId["SelectedStepActions"] = "runRewind.selectedStepActions";
    CommandId["ClearSelectedStep"] = "runRewind.clearSelectedStep";
    /** Welcome view: writes and opens the first-run example script. */
    CommandId["CreateExample"] = "runRewind.createExample";
    CommandId["OpenSettings"] = "runRewind.openSettings";
    /** Chart panel: saves a chart as an image / its data as CSV (optional args: metric key, target path). */
    CommandId["ExportChartPng"] = "runRewind.exportChartPng";
    CommandId["ExportChartCsv"] = "runRewind.exportChartCsv";
})(CommandId || (exports.CommandId = CommandId = {}));
/** Registered but never contributed in package.json: the integration tests' window into chart panels. */
var InternalCommandId;
(function (InternalCommandId) {
    InternalCommandId["InspectChart"] = "runRewind.internal.inspectChart";
    InternalCommandId["ActOnChart"] = "runRewind.internal.actOnChart";
})(InternalCommandId || (exports.InternalCommandId = InternalCommandId = {}));
var ContextKey;
(function (ContextKey) {
    ContextKey["HasSelectedStep"] = "runRewind.hasSelectedStep";
    /** Set once the stores answered their first listing, so the welcome view does not flash while loading. */
    ContextKey["Loaded"] = "runRewind.loaded";
})(ContextKey || (exports.ContextKey = ContextKey = {}));
/** Settings, without the `runRewind.` section prefix (as `getConfiguration('runRewind')` wants them). */
var Setting;
(function (Setting) {
    Setting["LogDirectory"] = "logDirectory";
    Setting["InjectTerminalEnvironment"] = "terminal.injectEnvironment";
    Setting["PollInterval"] = "pollInterval";
    Setting["HeadlineMetric"] = "headlineMetric";
    Setting["HistoryMaxRows"] = "history.maxRows";
})(Setting || (exports.Setting = Setting = {}));
exports.SETTINGS_SECTION = 'runRewind';
/** URI scheme of the read-only run history documents. */
exports.HISTORY_SCHEME = 'runrewind-history';
/**
 * Tree item context values carry flags, matched in package.json with `viewItem =~ /…/`:
 * a run is `run` plus `:running` / `:rewound` / `:forked`; an archived version is `version:archived`.
 */
var ContextValue;
(function (ContextValue) {
    ContextValue["Project"] = "project";
    ContextValue["Folder"] = "folder";
    ContextValue["Run"] = "run";
    ContextValue["ArchivedVersion"] = "version:archived";
    ContextValue["ForkedFromGroup"] = "forkedFromGroup";
    ContextValue["ForkSource"] = "forkSource";
    ContextValue["Message"] = "message";
})(ContextValue || (exports.ContextValue = ContextValue = {}));
var ContextFlag;
(function (ContextFlag) {
    ContextFlag["Running"] = "running";
    ContextFlag["Rewound"] = "rewound";
    ContextFlag["Forked"] = "forked";
})(ContextFlag || (exports.ContextFlag = ContextFlag = {}));
//# sourceMappingURL=ids.js.map