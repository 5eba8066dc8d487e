"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.DEFAULT_LOG_DIRECTORY = void 0;
exports.logDirectoryFor = logDirectoryFor;
exports.pollIntervalMs = pollIntervalMs;
exports.headlineMetric = headlineMetric;
exports.injectTerminalEnvironment = injectTerminalEnvironment;
exports.historyMaxRows = historyMaxRows;
exports.affects = affects;
// The one place that reads Run Rewind's settings, so defaults and bounds live together.
const os = __importStar(require("node:os"));
const path = __importStar(require("node:path"));
const vscode = __importStar(require("vscode"));
const ids_1 = require("./ids");
exports.DEFAULT_LOG_DIRECTORY = '.runrewind';
const DEFAULT_POLL_MS = 2000;
const DEFAULT_HISTORY_ROWS = 5000;
function section(scope) {
    return vscode.workspace.getConfiguration(ids_1.SETTINGS_SECTION, scope);
}
/**
 * Absolute log directory of a workspace folder. A relative setting is resolved against the folder; with
 * no folder open it is resolved against the home directory, which is where terminals then log too.
 */
function logDirectoryFor(folder) {
    const configured = section(folder).get(ids_1.Setting.LogDirectory, exports.DEFAULT_LOG_DIRECTORY).trim() || exports.DEFAULT_LOG_DIRECTORY;
    const expanded = configured.startsWith('~') ? path.join(os.homedir(), configured.slice(1)) : configured;
    if (path.isAbsolute(expanded))
        return path.normalize(expanded);
    const base = folder && folder.uri.scheme === 'file' ? folder.uri.fsPath : os.homedir();
    return path.join(base, expanded);
}
/** Milliseconds between polls of the log directory; 0 turns polling off. */
function pollIntervalMs() {
    const value = section().get(ids_1.Setting.PollInterval, DEFAULT_POLL_MS);
    if (!Number.isFinite(value) || value <= 0)
        return 0;
    // Below this, polling would compete with the file watcher for no gain.
    return Math.max(250, Math.floor(value));
}
/** The metric shown beside each run; empty means the store's own choice. */
function headlineMetric() {
    return section().get(ids_1.Setting.HeadlineMetric, '').trim();
}
function injectTerminalEnvironment() {
    return section().get(ids_1.Setting.InjectTerminalEnvironment, true);
}
/** Rows a history document shows (the most recent ones). */
function historyMaxRows() {
    const value = section().get(ids_1.Setting.HistoryMaxRows, DEFAULT_HISTORY_ROWS);
    return Number.isFinite(value) && value >= 100 ? Math.min(Math.floor(value), 1_000_000) : DEFAULT_HISTORY_ROWS;
}
function affects(event, setting) {
    return event.affectsConfiguration(`${ids_1.SETTINGS_SECTION}.${setting}`);
}
//# sourceMappingURL=config.js.map