// Run Console documents: what a run version printed, as a read-only text document per version that
// follows a training run live (issue 13). Inherited lines (printed by the version a rewind or fork
// branched from, up to its branch step) are marked; the cursor's line selects its step, as in a history
// document, and a step selected elsewhere (a chart, a history) moves an open console to its lines.
import * as vscode from 'vscode';
import { historyMaxRows } from '../config';
import { Disposable } from '../dispose';
import { CONSOLE_SCHEME } from '../ids';
import { type ComponentLogger, describe } from '../logger';
import type { SelectedStep } from '../selection';
import type { Services } from '../services';
import type { HistoryAddress } from '../history/historyUri';
import { lineOfStep, renderConsole, stepAtConsoleLine } from './consoleText';
import { consoleUri, parseConsoleUri } from './consoleUri';

/** Open consoles of a run that prints are re-rendered at most this often. */
const REFRESH_MS = 1000;

export class ConsoleDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly emitter = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.emitter.event;
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** Set while this class moves a cursor, so the move does not select a step again. */
  private revealing = false;

  constructor(
    private readonly services: Services,
    private readonly log: ComponentLogger,
  ) {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(CONSOLE_SCHEME, this));
    this._register(services.stores.onDidChangeRuns((e) => this.onRunsChanged(e.folder, e.changedRuns)));
    this._register(vscode.window.onDidChangeTextEditorSelection((e) => this.onCursor(e.textEditor, e.selections, e.kind)));
    this._register(services.selection.onDidChange((step) => this.reveal(step)));
    this._register({ dispose: () => clearTimeout(this.timer) });
  }

  async open(address: HistoryAddress, options: { readonly preview?: boolean } = {}): Promise<vscode.TextEditor> {
    const run = this.services.runIndex.run(address.folder, address.runId);
    const title = run ? { runName: run.name, archived: run.liveVersion !== address.versionId } : undefined;
    const document = await vscode.workspace.openTextDocument(consoleUri(address, title));
    const editor = await vscode.window.showTextDocument(document, { preview: options.preview ?? true });
    // Where a training run's console grows: its end.
    const end = new vscode.Position(Math.max(0, document.lineCount - 1), 0);
    this.moveCursor(editor, end);
    return editor;
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const address = parseConsoleUri(uri);
    if (!address) return vscode.l10n.t('This is not a Run Rewind console address: {0}', uri.toString());
    const folder = this.services.stores.get(address.folder);
    if (!folder) return vscode.l10n.t('The workspace folder of this console is no longer open.');
    try {
      const store = await folder.store();
      const overview = await store.getRun(address.versionId);
      const run = this.services.runIndex.run(address.folder, address.runId) ?? overview;
      // The most recent lines, as many as a history shows rows.
      const page = await store.consoleLines(address.versionId, { offset: -historyMaxRows(), limit: historyMaxRows() });
      if (token.isCancellationRequested) return '';
      return renderConsole(run, overview.version, page, overview.lineage[0]);
    } catch (error) {
      this.log.warn(`console of ${address.runId}@${address.versionId}: ${describe(error)}`);
      return `# ${describe(error)}\n`;
    }
  }

  private onRunsChanged(folder: string, runs: readonly string[]): void {
    const changed = new Set(runs);
    for (const doc of vscode.workspace.textDocuments) {
      const address = parseConsoleUri(doc.uri);
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
