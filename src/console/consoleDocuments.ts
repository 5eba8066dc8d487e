// Run Console documents: what a run version printed, as a read-only text document per version that
// follows a training run live (issue 13). Inherited lines (printed by the version a rewind or fork
// branched from, up to its branch step) are marked; the cursor's line selects its step, as in a history
// document, and a step selected elsewhere (a chart, a history) moves an open console to its lines.
import * as vscode from 'vscode';
import type { StoreApi } from '../core/api';
import { historyMaxRows } from '../config';
import { CONSOLE_SCHEME } from '../ids';
import type { ComponentLogger } from '../logger';
import type { SelectedStep } from '../selection';
import type { Services } from '../services';
import type { HistoryAddress } from '../history/historyUri';
import { VersionDocuments } from '../history/versionDocuments';
import { lineOfStep, renderConsole, stepAtConsoleLine } from './consoleText';
import { consoleUri, parseConsoleUri } from './consoleUri';

export class ConsoleDocuments extends VersionDocuments {
  /** Set while this class moves a cursor, so the move does not select a step again. */
  private revealing = false;

  constructor(services: Services, log: ComponentLogger) {
    super(services, log, {
      scheme: CONSOLE_SCHEME,
      uri: consoleUri,
      parse: parseConsoleUri,
      what: 'console',
      notAnAddress: (uri) => vscode.l10n.t('This is not a Run Rewind console address: {0}', uri.toString()),
      folderGone: () => vscode.l10n.t('The workspace folder of this console is no longer open.'),
    });
    this._register(vscode.window.onDidChangeTextEditorSelection((e) => this.onCursor(e.textEditor, e.selections, e.kind)));
    this._register(services.selection.onDidChange((step) => this.reveal(step)));
  }

  async open(address: HistoryAddress, options: { readonly preview?: boolean } = {}): Promise<vscode.TextEditor> {
    const editor = await this.openDocument(address, options.preview ?? true);
    // At the selected step's lines when the step was picked on this version (a chart, a history);
    // otherwise where a training run's console grows: its end.
    const selected = this.services.selection.current;
    const line = selected && selected.folder === address.folder && selected.versionId === address.versionId ? lineOfStep(editor.document.getText(), selected.step) : undefined;
    this.moveCursor(editor, new vscode.Position(line ?? Math.max(0, editor.document.lineCount - 1), 0));
    return editor;
  }

  protected async render(store: StoreApi, address: HistoryAddress, token: vscode.CancellationToken): Promise<string> {
    const overview = await store.getRun(address.versionId);
    const run = this.services.runIndex.run(address.folder, address.runId) ?? overview;
    // The most recent lines, as many as a history shows rows.
    const page = await store.consoleLines(address.versionId, { offset: -historyMaxRows(), limit: historyMaxRows() });
    if (token.isCancellationRequested) return '';
    return renderConsole(run, overview.version, page, overview.lineage[0]);
  }

  private onCursor(editor: vscode.TextEditor, selections: readonly vscode.Selection[], kind: vscode.TextEditorSelectionChangeKind | undefined): void {
    const address = parseConsoleUri(editor.document.uri);
    const active = selections[0]?.active;
    if (!address || !active || this.revealing || kind === undefined) return;
    const step = stepAtConsoleLine(editor.document.lineAt(active.line).text, active.line);
    if (step === undefined) return;
    const run = this.services.runIndex.run(address.folder, address.runId);
    this.services.selection.set({
      folder: address.folder, runId: address.runId, versionId: address.versionId, step, source: 'console',
      archived: run !== undefined && run.liveVersion !== address.versionId,
    });
  }

  /** A step selected on a chart or in a history: open consoles of that version show its first line. */
  private reveal(step: SelectedStep | undefined): void {
    if (!step || step.source === 'console') return;
    for (const editor of vscode.window.visibleTextEditors) {
      const address = parseConsoleUri(editor.document.uri);
      if (!address || address.folder !== step.folder || address.versionId !== step.versionId) continue;
      const line = lineOfStep(editor.document.getText(), step.step);
      if (line !== undefined) this.moveCursor(editor, new vscode.Position(line, 0));
    }
  }

  private moveCursor(editor: vscode.TextEditor, at: vscode.Position): void {
    this.revealing = true;
    try {
      editor.selection = new vscode.Selection(at, at);
      editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    } finally {
      this.revealing = false;
    }
  }
}
