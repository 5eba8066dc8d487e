// Run history documents: a read-only text document per version, kept current while its run trains,
// whose cursor line is the selected step — the keyboard and screen-reader way to pick a step.
import * as vscode from 'vscode';
import { historyMaxRows } from '../config';
import { HISTORY_SCHEME } from '../ids';
import { Disposable } from '../dispose';
import { type ComponentLogger, describe } from '../logger';
import type { Services } from '../services';
import { renderHistory, stepAtLine } from './historyTable';
import { type HistoryAddress, historyUri, parseHistoryUri } from './historyUri';

/** Open documents of a growing run are re-rendered at most this often. */
const REFRESH_MS = 1000;

export class HistoryDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly emitter = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.emitter.event;
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly services: Services,
    private readonly log: ComponentLogger,
  ) {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(HISTORY_SCHEME, this));
    this._register(services.stores.onDidChangeRuns((e) => this.onRunsChanged(e.folder, e.changedRuns)));
    this._register(vscode.window.onDidChangeTextEditorSelection((e) => this.onSelection(e.textEditor, e.selections)));
    this._register({ dispose: () => clearTimeout(this.timer) });
  }

  async open(address: HistoryAddress, options: { readonly preview?: boolean } = {}): Promise<vscode.TextEditor> {
    const run = this.services.runIndex.run(address.folder, address.runId);
    const title = run ? { runName: run.name, archived: run.liveVersion !== address.versionId } : undefined;
    const document = await vscode.workspace.openTextDocument(historyUri(address, title));
    return vscode.window.showTextDocument(document, { preview: options.preview ?? true });
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const address = parseHistoryUri(uri);
    if (!address) return vscode.l10n.t('This is not a Run Rewind history address: {0}', uri.toString());
    const folder = this.services.stores.get(address.folder);
    if (!folder) return vscode.l10n.t('The workspace folder of this history is no longer open.');
    try {
      const store = await folder.store();
      const overview = await store.getRun(address.versionId);
      const run = this.services.runIndex.run(address.folder, address.runId) ?? overview;
      const max = historyMaxRows();
      const total = (await store.history(address.versionId, { limit: 1 })).total;
      if (token.isCancellationRequested) return '';
      // The most recent rows: that is where a user looking for a step to rewind to usually is.
      const offset = Math.max(0, total - max);
      const table = await store.history(address.versionId, { offset, limit: max });
      return renderHistory(run, overview.version, table, overview.lineage[0]);
    } catch (error) {
      this.log.warn(`history of ${address.runId}@${address.versionId}: ${describe(error)}`);
      return `# ${describe(error)}\n`;
    }
  }

  private onRunsChanged(folder: string, runs: readonly string[]): void {
    const changed = new Set(runs);
    for (const doc of vscode.workspace.textDocuments) {
      const address = parseHistoryUri(doc.uri);
      if (address && address.folder === folder && changed.has(address.runId)) this.pending.add(doc.uri.toString());
    }
    if (this.pending.size > 0 && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        for (const uri of this.pending) this.emitter.fire(vscode.Uri.parse(uri));
        this.pending.clear();
      }, REFRESH_MS);
    }
  }

  private onSelection(editor: vscode.TextEditor, selections: readonly vscode.Selection[]): void {
    const address = parseHistoryUri(editor.document.uri);
    const active = selections[0]?.active;
    if (!address || !active) return;
    const step = stepAtLine(editor.document.lineAt(active.line).text, active.line);
    if (step === undefined) return;
    this.services.selection.set({ folder: address.folder, runId: address.runId, versionId: address.versionId, step, source: 'history' });
  }

}
