// Sync to MLflow Server… and Set MLflow Server Token…: the extension's side of src/core/sync (issue 17).
// The server's address is the runRewind.mlflow.trackingUri setting; its token lives in VS Code's secret
// storage, never in settings or logs.
import * as vscode from 'vscode';
import { RunRewindError } from '../core/errors';
import { authFromEnvironment, parseTrackingUri } from '../core/sync/mlflowRest';
import { type SyncResult, syncStatePath, syncToMlflow } from '../core/sync/mlflowSync';
import { CommandId, SETTINGS_SECTION, Setting } from '../ids';
import { describe } from '../logger';
import { messageText } from '../userText';
import { isRunsNode } from '../views/nodes';
import { type CommandContext, resolveTargets } from './context';

/** The SecretStorage key of the MLflow server token. */
export const MLFLOW_TOKEN_SECRET = 'runRewind.mlflow.token';

/** What tests and scripts may pass instead of a tree element: the server, the experiment, the runs. */
interface SyncArgs {
  readonly uri?: string;
  readonly experiment?: string;
  /** Run or version ids; default every run of every folder. */
  readonly runs?: readonly string[];
}

/** What the command resolves to (tests read it): one result per folder synced. */
export interface SyncCommandResult {
  readonly uri: string;
  readonly folders: ReadonlyArray<{ readonly folder: string; readonly result: SyncResult }>;
}

function isSyncArgs(value: unknown): value is SyncArgs {
  return typeof value === 'object' && value !== null && !isRunsNode(value) && ('uri' in value || 'runs' in value || 'experiment' in value);
}

function uriProblem(text: string): string | undefined {
  try {
    parseTrackingUri(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export function registerMlflowCommands(ctx: CommandContext, secrets: vscode.SecretStorage): vscode.Disposable[] {
  const log = ctx.log;

  /** The tracking URI: given, else the setting, else asked for (and then kept in the setting). */
  async function trackingUri(given: string | undefined): Promise<string | undefined> {
    if (given) return given;
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const set = config.get<string>(Setting.MlflowTrackingUri, '').trim();
    if (set) return set;
    const typed = await vscode.window.showInputBox({
      title: vscode.l10n.t('MLflow Tracking Server'),
      prompt: vscode.l10n.t('The address of the MLflow tracking server, kept in the setting runRewind.mlflow.trackingUri'),
      placeHolder: 'http://127.0.0.1:5000',
      ignoreFocusOut: true,
      validateInput: (text) => (text.trim() === '' ? undefined : uriProblem(text)),
    });
    if (!typed?.trim()) return undefined;
    await config.update(Setting.MlflowTrackingUri, typed.trim(), vscode.ConfigurationTarget.Global);
    return typed.trim();
  }

  async function sync(arg?: unknown, selected?: unknown): Promise<SyncCommandResult | undefined> {
    const args: SyncArgs = isSyncArgs(arg) ? arg : {};
    // From the Runs view: the runs (or archived versions) clicked or selected, by folder.
    const chosen = new Map<string, string[]>();
    if (arg !== undefined && !isSyncArgs(arg)) {
      for (const t of await resolveTargets(ctx, arg, selected)) {
        const ids = chosen.get(t.folder) ?? [];
        ids.push(t.version.archived ? t.version.id : t.run.id);
        chosen.set(t.folder, ids);
      }
      if (chosen.size === 0) return undefined;
    }
    const uri = await trackingUri(args.uri);
    if (!uri) return undefined;
    const problem = uriProblem(uri);
    if (problem) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Cannot sync to MLflow: {0}', messageText(problem, 500)));
      return undefined;
    }
    const token = await secrets.get(MLFLOW_TOKEN_SECRET);
    const auth = { ...authFromEnvironment(), ...(token ? { token } : {}) };
    const maxUploadMB = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<number>(Setting.MlflowMaxUploadMB, 2048);
    const maxUploadBytes = Number.isFinite(maxUploadMB) && maxUploadMB >= 0 ? Math.round(maxUploadMB * 1024 ** 2) : undefined;
    const folders = ctx.services.stores.all.filter((f) => chosen.size === 0 || chosen.has(f.key));
    const base = parseTrackingUri(uri);
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Syncing runs to {0}', messageText(base, 200)), cancellable: true },
      async (progress, cancel) => {
        const abort = new AbortController();
        const listener = cancel.onCancellationRequested(() => abort.abort());
        const done: Array<{ folder: string; result: SyncResult }> = [];
        let reported = 0;
        try {
          for (const [i, folder] of folders.entries()) {
            const store = await folder.store();
            let runs = chosen.get(folder.key);
            if (args.runs) {
              // Ids a caller names may live in another folder: sync here only the ones this folder has.
              const here = new Set((await store.listRuns()).flatMap((r) => [r.id, ...r.versions.map((v) => v.id)]));
              runs = args.runs.filter((id) => here.has(id));
              if (runs.length === 0) continue;
            }
            const result = await syncToMlflow(store, {
              uri, experiment: args.experiment, runs, auth, signal: abort.signal, maxUploadBytes,
              statePath: syncStatePath(folder.logDir, uri),
              progress: (p) => {
                const total = ((i + p.fraction) / folders.length) * 100;
                const sent = p.filesUploaded > 0
                  ? vscode.l10n.t('{0} points sent, {1} files uploaded', p.pointsSent.toLocaleString(vscode.env.language), p.filesUploaded.toLocaleString(vscode.env.language))
                  : vscode.l10n.t('{0} points sent', p.pointsSent.toLocaleString(vscode.env.language));
                // The upload phase says so in the message itself ("name: uploading media/…/3_0.png (4 of 20)").
                progress.report({ message: messageText(`${p.message} · ${sent}`, 200), increment: Math.max(0, total - reported) });
                reported = Math.max(reported, total);
              },
            });
            for (const w of result.warnings) log.warn(`sync ${folder.name}: ${w}`);
            log.info(`synced ${folder.name} to ${result.uri}: ${result.versions.length} versions, ${result.points} points in ${result.batches} batches, ${result.files} files (${result.bytes} bytes) uploaded, ${result.created} MLflow runs created`);
            done.push({ folder: folder.key, result });
          }
        } catch (error) {
          if (abort.signal.aborted) {
            void vscode.window.showWarningMessage(vscode.l10n.t('Sync to MLflow cancelled. Run it again to send the rest: nothing is sent twice.'));
            return { uri: base, folders: done };
          }
          log.error(`sync to ${base} failed: ${describe(error)}`);
          const setToken = vscode.l10n.t('Set MLflow Server Token…');
          const denied = error instanceof RunRewindError && /answered 40[13]/.test(error.message);
          void vscode.window.showErrorMessage(vscode.l10n.t('Sync to MLflow failed: {0}', messageText(describe(error), 600)), ...(denied ? [setToken] : [])).then((answer) => {
            if (answer === setToken) void vscode.commands.executeCommand(CommandId.SetMlflowToken);
          });
          return undefined;
        } finally {
          listener.dispose();
        }
        const versions = done.reduce((n, d) => n + d.result.versions.length, 0);
        const points = done.reduce((n, d) => n + d.result.points, 0);
        const created = done.reduce((n, d) => n + d.result.created, 0);
        const open = vscode.l10n.t('Open MLflow');
        const count = (n: number): string => n.toLocaleString(vscode.env.language);
        const text = versions === 1
          ? vscode.l10n.t('Synced 1 version to {0}: {1} points sent, {2} MLflow runs created.', messageText(base, 200), count(points), count(created))
          : vscode.l10n.t('Synced {0} versions to {1}: {2} points sent, {3} MLflow runs created.', count(versions), messageText(base, 200), count(points), count(created));
        void vscode.window.showInformationMessage(text, open).then((answer) => {
          if (answer === open) void vscode.env.openExternal(vscode.Uri.parse(base));
        });
        return { uri: base, folders: done };
      },
    );
  }

  return [
    vscode.commands.registerCommand(CommandId.SyncToMlflow, sync),
    vscode.commands.registerCommand(CommandId.SetMlflowToken, async (given?: unknown): Promise<boolean> => {
      const token = typeof given === 'string' ? given : await vscode.window.showInputBox({
        title: vscode.l10n.t('MLflow Server Token'),
        prompt: vscode.l10n.t('Sent as a bearer token (as MLFLOW_TRACKING_TOKEN) and kept in VS Code\'s secret storage. Leave it empty to remove the token.'),
        password: true,
        ignoreFocusOut: true,
      });
      if (token === undefined) return false;
      if (token.trim() === '') {
        await secrets.delete(MLFLOW_TOKEN_SECRET);
        void vscode.window.showInformationMessage(vscode.l10n.t('The MLflow server token was removed.'));
      } else {
        await secrets.store(MLFLOW_TOKEN_SECRET, token.trim());
        void vscode.window.showInformationMessage(vscode.l10n.t('The MLflow server token is kept in VS Code\'s secret storage.'));
      }
      log.info(token.trim() === '' ? 'MLflow token removed' : 'MLflow token stored');
      return true;
    }),
  ];
}
