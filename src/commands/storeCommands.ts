// Commands on the stores themselves: refresh, rebuild from the logs, the log, the first-run example.
import * as vscode from 'vscode';
import { CommandId, EXTENSION_ID } from '../ids';
import { describe } from '../logger';
import type { FolderStoresImpl } from '../workspace/folderStores';
import { labelText, messageText } from '../userText';
import type { CommandContext } from './context';
import { EXAMPLE_FILE, exampleScript } from './example';

export function registerStoreCommands(ctx: CommandContext, folders: FolderStoresImpl): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandId.Refresh, async () => {
      await Promise.all(
        folders.all.map(async (f) => {
          await f.store().catch(() => undefined);
          await f.ingestNow();
          await ctx.services.runIndex.refresh(f.key);
        }),
      );
    }),
    vscode.commands.registerCommand(CommandId.RebuildStore, () =>
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Run Rewind: rebuilding the store from the logs') },
        async (progress) => {
          for (const f of folders.all) {
            progress.report({ message: labelText(f.name) });
            try {
              const result = await f.rebuild((p) => progress.report({ message: labelText(`${f.name}: ${p.message}`, 300) }));
              ctx.log.info(`rebuilt ${f.name}: ${result.rows} rows from ${result.bytes} bytes`);
            } catch (error) {
              ctx.log.error(`rebuild of ${f.name} failed: ${describe(error)}`);
              void vscode.window.showErrorMessage(vscode.l10n.t('Rebuilding the store of {0} failed: {1}', messageText(f.name), messageText(describe(error), 500)));
            }
            await ctx.services.runIndex.refresh(f.key);
          }
        },
      ),
    ),
    vscode.commands.registerCommand(CommandId.ShowLog, () => ctx.services.logger.show()),
    vscode.commands.registerCommand(CommandId.OpenSettings, () =>
      vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${EXTENSION_ID}`),
    ),
    vscode.commands.registerCommand(CommandId.CreateExample, async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      const content = exampleScript();
      if (!folder) {
        const doc = await vscode.workspace.openTextDocument({ language: 'python', content });
        await vscode.window.showTextDocument(doc);
        return;
      }
      const uri = vscode.Uri.joinPath(folder.uri, EXAMPLE_FILE);
      try {
        await vscode.workspace.fs.stat(uri);
      } catch {
        await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
      }
      await vscode.window.showTextDocument(uri);
      const run = vscode.l10n.t('Run in Terminal');
      const answer = await vscode.window.showInformationMessage(
        vscode.l10n.t('{0} logs a run to this workspace. Run it in a VS Code terminal — the Run Rewind client is already on its PYTHONPATH.', EXAMPLE_FILE),
        run,
      );
      if (answer === run) {
        const terminal = vscode.window.createTerminal({ name: 'Run Rewind', cwd: folder.uri });
        terminal.show();
        terminal.sendText(`python3 ${EXAMPLE_FILE}`);
      }
    }),
  ];
}
