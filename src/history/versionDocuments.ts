// A read-only text document per run version that follows its run while it trains: the base of the run
// history and Run Console documents. It serves its URI scheme's content, opens a version under its
// run's name, and re-renders the open documents of runs that changed, at most once a second.
import * as vscode from 'vscode';
import type { StoreApi } from '../core/api';
import { Disposable } from '../dispose';
import { LiveDocumentChanges } from '../liveDocuments';
import { type ComponentLogger, describe } from '../logger';
import type { Services } from '../services';
import type { HistoryAddress } from './historyUri';

/** Open documents of a growing run are re-rendered at most this often. */

/** How a kind of version document is addressed and what it says when it cannot show anything. */
export interface VersionDocumentKind {
  readonly scheme: string;
  readonly uri: (address: HistoryAddress, title?: { readonly runName: string; readonly archived: boolean }) => vscode.Uri;
  readonly parse: (uri: vscode.Uri) => HistoryAddress | undefined;
  /** For the output log: "history", "console". */
  readonly what: string;
  readonly notAnAddress: (uri: vscode.Uri) => string;
  readonly folderGone: () => string;
}

export abstract class VersionDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changes = this._register(new LiveDocumentChanges());
  readonly onDidChange = this.changes.event;

  constructor(
    protected readonly services: Services,
    protected readonly log: ComponentLogger,
    protected readonly kind: VersionDocumentKind,
  ) {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(kind.scheme, this));
    this._register(services.stores.onDidChangeRuns((e) => {
      const changed = new Set(e.changedRuns);
      this.changes.refresh((uri) => {
        const address = kind.parse(uri);
        return address !== undefined && address.folder === e.folder && changed.has(address.runId);
      });
    }));
  }

  /** What the document of `address` shows. */
  protected abstract render(store: StoreApi, address: HistoryAddress, token: vscode.CancellationToken): Promise<string>;

  /** Opens the document of a version, titled with its run's name. */
  protected async openDocument(address: HistoryAddress, preview: boolean): Promise<vscode.TextEditor> {
    const run = this.services.runIndex.run(address.folder, address.runId);
    const title = run ? { runName: run.name, archived: run.liveVersion !== address.versionId } : undefined;
    const document = await vscode.workspace.openTextDocument(this.kind.uri(address, title));
    return vscode.window.showTextDocument(document, { preview });
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const address = this.kind.parse(uri);
    if (!address) return this.kind.notAnAddress(uri);
    const folder = this.services.stores.get(address.folder);
    if (!folder) return this.kind.folderGone();
    try {
      return await this.render(await folder.store(), address, token);
    } catch (error) {
      this.log.warn(`${this.kind.what} of ${address.runId}@${address.versionId}: ${describe(error)}`);
      return `# ${describe(error)}\n`;
    }
  }
}
