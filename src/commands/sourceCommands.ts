// Add Log Folder…: adds a folder of another tool's logs (TensorBoard event files) to the workspace
// folder's runRewind.sources, so its runs are imported (read where they are, never written).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_SOURCES } from '../config';
import { CommandId, SETTINGS_SECTION, Setting } from '../ids';
import { messageText } from '../userText';
import type { CommandContext } from './context';

/**
 * With `target` (a folder path; for tests and scripts) no dialog is shown. Returns the entry written to
 * the setting, or undefined when nothing was added.
 */
export function registerSourceCommands(ctx: CommandContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandId.AddLogFolder, async (target?: unknown): Promise<string | undefined> => {
      const folders = vscode.workspace.workspaceFolders ?? [];
      if (folders.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Open a folder first: log folders are added to a workspace folder\'s settings.'));
        return undefined;
      }
      let chosen: vscode.Uri | undefined;
      if (typeof target === 'string' && target !== '') {
        chosen = vscode.Uri.file(path.resolve(folders[0].uri.fsPath, target));
      } else {
        const picked = await vscode.window.showOpenDialog({
          canSelectFiles: false, canSelectFolders: true, canSelectMany: false,
          defaultUri: folders[0].uri,
          openLabel: vscode.l10n.t('Add Log Folder'),
          title: vscode.l10n.t('A folder of TensorBoard logs (event files at any depth)'),
        });
        chosen = picked?.[0];
      }
      if (!chosen) return undefined;
      const folder = vscode.workspace.getWorkspaceFolder(chosen) ?? folders[0];
      const relative = path.relative(folder.uri.fsPath, chosen.fsPath);
      // Inside the folder the entry is relative, so the setting travels with the workspace.
      const entry = relative === '' ? '.' : !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : chosen.fsPath;
      const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, folder);
      const inspected = config.inspect<string[]>(Setting.Sources);
      const current = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? [...DEFAULT_SOURCES];
      if (current.includes(entry)) {
        void vscode.window.showInformationMessage(vscode.l10n.t('{0} is already a log folder of {1}.', messageText(entry), messageText(folder.name)));
        return entry;
      }
      const target2 = (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Workspace;
      await config.update(Setting.Sources, [...current, entry], target2);
      ctx.log.info(`added log folder ${entry} to ${folder.name}`);
      return entry;
    }),
  ];
}
