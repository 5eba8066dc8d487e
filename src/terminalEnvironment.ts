// Terminals opened in VS Code log to this workspace with no install step: RUNREWIND_DIR points at the
// log directory of the terminal's folder (the first folder's when it has none) and the bundled Python
// client is on PYTHONPATH.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { affects, injectTerminalEnvironment, logDirectoryFor, wandbPackageSwitch } from './config';
import { Setting } from './ids';
import { Disposable } from './dispose';
import type { ComponentLogger } from './logger';

export const RUNREWIND_DIR = 'RUNREWIND_DIR';
const PYTHONPATH = 'PYTHONPATH';

export class TerminalEnvironment extends Disposable {
  /** Folders given a scoped RUNREWIND_DIR: scoped collections are not cleared with the global one. */
  private scopedFolders: readonly vscode.WorkspaceFolder[] = [];

  constructor(
    readonly collection: vscode.GlobalEnvironmentVariableCollection,
    private readonly pythonDir: string,
    private readonly log: ComponentLogger,
  ) {
    super();
    this.update();
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.update()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, Setting.LogDirectory) || affects(e, Setting.InjectTerminalEnvironment) || affects(e, Setting.WandbPackage)) this.update();
      }),
    );
  }

  update(): void {
    this.collection.clear();
    for (const folder of this.scopedFolders) this.collection.getScoped({ workspaceFolder: folder }).clear();
    this.scopedFolders = [];
    if (!injectTerminalEnvironment()) {
      this.log.info('terminal environment off');
      return;
    }
    const logDir = logDirectoryFor(vscode.workspace.workspaceFolders?.[0]);
    this.collection.description = new vscode.MarkdownString(
      vscode.l10n.t('Run Rewind: `RUNREWIND_DIR` is this workspace\'s log directory and its Python client is on `PYTHONPATH`, so `import runrewind` works with no install. Turn off with the setting `runRewind.terminal.injectEnvironment`.'),
    );
    this.collection.replace(RUNREWIND_DIR, logDir);
    // Prepending keeps the user's PYTHONPATH; an installed runrewind still loses to ours, the version
    // that matches this extension's protocol.
    // The `wandb` package switch goes first, so it wins over an installed wandb only while the setting is on.
    const shim = wandbPackageSwitch() ? `${path.join(this.pythonDir, 'wandb-shim')}${path.delimiter}` : '';
    this.collection.prepend(PYTHONPATH, `${shim}${this.pythonDir}${path.delimiter}`);
    this.log.info(`terminals: ${RUNREWIND_DIR}=${logDir}, ${PYTHONPATH} += ${shim}${this.pythonDir}`);
    // In a multi-root window, a terminal opened in a folder logs to that folder's directory.
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length > 1) {
      for (const folder of folders) {
        const folderDir = logDirectoryFor(folder);
        this.collection.getScoped({ workspaceFolder: folder }).replace(RUNREWIND_DIR, folderDir);
        this.log.info(`terminals in ${folder.name}: ${RUNREWIND_DIR}=${folderDir}`);
      }
      this.scopedFolders = folders;
    }
  }
}
