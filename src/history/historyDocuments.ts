// Run history documents: a read-only text document per version, kept current while its run trains,
// whose cursor line is the selected step — the keyboard and screen-reader way to pick a step.
import * as vscode from 'vscode';
import type { StoreApi } from '../core/api';
import { historyMaxRows } from '../config';
import { HISTORY_SCHEME } from '../ids';
import type { ComponentLogger } from '../logger';
import type { Services } from '../services';
import { MAX_CELLS, MAX_COLUMNS } from './historyLimits';
import { renderHistory, stepAtLine } from './historyTable';
import { type HistoryAddress, historyUri, parseHistoryUri } from './historyUri';
import { VersionDocuments } from './versionDocuments';

export class HistoryDocuments extends VersionDocuments {
  constructor(services: Services, log: ComponentLogger) {
    super(services, log, {
      scheme: HISTORY_SCHEME,
      uri: historyUri,
      parse: parseHistoryUri,
      what: 'history',
      notAnAddress: (uri) => vscode.l10n.t('This is not a Run Rewind history address: {0}', uri.toString()),
      folderGone: () => vscode.l10n.t('The workspace folder of this history is no longer open.'),
    });
    this._register(vscode.window.onDidChangeTextEditorSelection((e) => this.onSelection(e.textEditor, e.selections)));
  }

  open(address: HistoryAddress, options: { readonly preview?: boolean } = {}): Promise<vscode.TextEditor> {
    return this.openDocument(address, options.preview ?? true);
  }

  protected async render(store: StoreApi, address: HistoryAddress, token: vscode.CancellationToken): Promise<string> {
    const overview = await store.getRun(address.versionId);
    const run = this.services.runIndex.run(address.folder, address.runId) ?? overview;
    const keys = await store.metricKeys(address.versionId);
    // A wide run (2,000 keys) shows its first keys by name, and as many rows as fit the cell budget:
    // its whole grid would be millions of cells built, sent and laid out as text.
    const columns = keys.length > MAX_COLUMNS ? keys.slice(0, MAX_COLUMNS).map((k) => k.key) : undefined;
    const max = Math.max(1, Math.min(historyMaxRows(), Math.floor(MAX_CELLS / Math.max(1, columns?.length ?? keys.length))));
    const total = (await store.history(address.versionId, { limit: 0, keys: [] })).total;
    if (token.isCancellationRequested) return '';
    // The most recent rows: that is where a user looking for a step to rewind to usually is.
    const offset = Math.max(0, total - max);
    const table = await store.history(address.versionId, { offset, limit: max, keys: columns });
    return renderHistory(run, overview.version, table, overview.lineage[0], keys.length);
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
