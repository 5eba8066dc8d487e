// Commands on an artifact row of the Runs view: reveal its manifest (in the Explorer when it is inside
// the workspace, else in the operating system's file manager) and copy its path.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CommandId } from '../ids';
import { labelText } from '../userText';
import { type ArtifactNode, isRunsNode } from '../views/nodes';
import type { CommandContext } from './context';

function artifactOf(arg: unknown): ArtifactNode | undefined {
  return isRunsNode(arg) && arg.kind === 'artifact' ? arg : undefined;
}

export function registerArtifactCommands(ctx: CommandContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandId.RevealArtifact, async (arg?: unknown): Promise<string | undefined> => {
      const node = artifactOf(arg);
      if (!node) return undefined;
      const uri = vscode.Uri.file(node.use.manifestFile);
      const inside = (vscode.workspace.workspaceFolders ?? []).some((f) => {
        const rel = path.relative(f.uri.fsPath, uri.fsPath);
        return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
      });
      // The Explorer only shows workspace files; a log directory elsewhere opens in the file manager.
      const command = inside ? 'revealInExplorer' : 'revealFileInOS';
      ctx.log.debug(`${command} ${uri.fsPath}`);
      await vscode.commands.executeCommand(command, uri);
      return uri.fsPath;
    }),
    vscode.commands.registerCommand(CommandId.CopyArtifactPath, async (arg?: unknown): Promise<string | undefined> => {
      const node = artifactOf(arg);
      if (!node) return undefined;
      await vscode.env.clipboard.writeText(node.use.manifestFile);
      vscode.window.setStatusBarMessage(vscode.l10n.t('Copied: {0}', labelText(node.use.manifestFile, 300)), 3000);
      return node.use.manifestFile;
    }),
  ];
}
