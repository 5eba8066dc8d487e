// The one place that reads Run Rewind's settings, so defaults and bounds live together.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isServerSource } from './core/importers/sources';
import { parseServerSource, serverSource } from './core/importers/mlflowServer';
import { parseTrackingUri } from './core/sync/mlflowRest';
import { SETTINGS_SECTION, Setting } from './ids';

export const DEFAULT_LOG_DIRECTORY = '.runrewind';
const DEFAULT_POLL_MS = 2000;
const DEFAULT_HISTORY_ROWS = 5000;
/** Where other tools' logs usually are; missing folders cost a stat each. */
export const DEFAULT_SOURCES: readonly string[] = ['runs', 'lightning_logs', 'wandb', 'mlruns', 'mlflow.db', 'outputs', 'trainer_output'];

function section(scope?: vscode.ConfigurationScope): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
}

/**
 * Absolute log directory of a workspace folder. A relative setting is resolved against the folder; with
 * no folder open it is resolved against the home directory, which is where terminals then log too.
 */
export function logDirectoryFor(folder: vscode.WorkspaceFolder | undefined): string {
  const configured = section(folder).get<string>(Setting.LogDirectory, DEFAULT_LOG_DIRECTORY).trim() || DEFAULT_LOG_DIRECTORY;
  const expanded = configured.startsWith('~') ? path.join(os.homedir(), configured.slice(1)) : configured;
  if (path.isAbsolute(expanded)) return path.normalize(expanded);
  const base = folder && folder.uri.scheme === 'file' ? folder.uri.fsPath : os.homedir();
  return path.join(base, expanded);
}

/**
 * Folders (or globs) of a workspace folder where runs other tools logged are imported from, absolute.
 * Relative entries are resolved against the folder; with no folder open there are none (a window must
 * not walk the home directory).
 */
export function sourcesFor(folder: vscode.WorkspaceFolder | undefined): string[] {
  if (!folder || folder.uri.scheme !== 'file') return [];
  const configured = section(folder).get<unknown>(Setting.Sources, DEFAULT_SOURCES);
  const entries = Array.isArray(configured) ? configured.filter((e): e is string => typeof e === 'string' && e.trim() !== '') : [...DEFAULT_SOURCES];
  const out = entries.map((entry) => {
    const trimmed = entry.trim();
    // An http(s) entry is an MLflow tracking server whose runs are read over its REST API.
    if (isServerSource(trimmed)) return serverEntry(folder, trimmed);
    const expanded = trimmed.startsWith('~') ? path.join(os.homedir(), trimmed.slice(1)) : trimmed;
    return path.isAbsolute(expanded) ? path.normalize(expanded) : path.join(folder.uri.fsPath, expanded);
  });
  const server = mlflowServerShown(folder);
  if (server && !out.includes(server)) out.push(server);
  return out;
}

/** The MLflow server whose runs the Runs view shows (runRewind.mlflow.showServerRuns), if it does. */
export function mlflowServerShown(folder: vscode.WorkspaceFolder | undefined): string | undefined {
  if (!section(folder).get<boolean>(Setting.MlflowShowServerRuns, false)) return undefined;
  const uri = mlflowTrackingUri();
  return uri && serverAddress(uri) ? serverEntry(folder, uri) : undefined;
}

/** A server source as the store takes it: its address, limited to runRewind.mlflow.serverExperiments unless it names its own. */
function serverEntry(folder: vscode.WorkspaceFolder | undefined, uri: string): string {
  const { base, experiments } = parseServerSource(uri);
  const configured = section(folder).get<unknown>(Setting.MlflowServerExperiments, []);
  const names = Array.isArray(configured) ? configured.filter((e): e is string => typeof e === 'string' && e.trim() !== '').map((e) => e.trim()) : [];
  return serverSource(serverAddress(base) ?? base, experiments ?? names);
}

/** runRewind.mlflow.trackingUri as set (empty when it is not). */
export function mlflowTrackingUri(): string {
  return section().get<string>(Setting.MlflowTrackingUri, '').trim();
}

/** An http(s) address as the store names the server (no trailing slash, no credentials); undefined when it is no such address. */
function serverAddress(uri: string): string | undefined {
  try {
    return uri ? parseTrackingUri(uri) : undefined;
  } catch {
    return undefined;
  }
}

/** Milliseconds between polls of the log directory; 0 turns polling off. */
export function pollIntervalMs(): number {
  const value = section().get<number>(Setting.PollInterval, DEFAULT_POLL_MS);
  if (!Number.isFinite(value) || value <= 0) return 0;
  // Below this, polling would compete with the file watcher for no gain.
  return Math.max(250, Math.floor(value));
}

/** The metric shown beside each run; empty means the store's own choice. */
export function headlineMetric(): string {
  return section().get<string>(Setting.HeadlineMetric, '').trim();
}

export function injectTerminalEnvironment(): boolean {
  return section().get<boolean>(Setting.InjectTerminalEnvironment, true);
}

/** Whether terminals get Run Rewind's `wandb` package switch on PYTHONPATH (off unless asked for). */
export function wandbPackageSwitch(): boolean {
  return section().get<boolean>(Setting.WandbPackage, false);
}

/** Rows a history document shows (the most recent ones). */
export function historyMaxRows(): number {
  const value = section().get<number>(Setting.HistoryMaxRows, DEFAULT_HISTORY_ROWS);
  return Number.isFinite(value) && value >= 100 ? Math.min(Math.floor(value), 1_000_000) : DEFAULT_HISTORY_ROWS;
}

export function affects(event: vscode.ConfigurationChangeEvent, setting: Setting): boolean {
  return event.affectsConfiguration(`${SETTINGS_SECTION}.${setting}`);
}
