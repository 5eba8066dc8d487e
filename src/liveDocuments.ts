// Read-only documents that follow the store (history, console, metadata, branch diffs): their content
// provider's change event, fired for the open documents a store change touches, at most once a second
// however many changes come meanwhile (a training run appends many times a second).
import * as vscode from 'vscode';
import { Disposable } from './dispose';

const REFRESH_MS = 1000;

export class LiveDocumentChanges extends Disposable {
  private readonly emitter = this._register(new vscode.EventEmitter<vscode.Uri>());
  /** The provider's onDidChange. */
  readonly event = this.emitter.event;
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor() {
    super();
    this._register({ dispose: () => clearTimeout(this.timer) });
  }

  /** Refreshes, within REFRESH_MS, every open document `touched` picks. */
  refresh(touched: (uri: vscode.Uri) => boolean): void {
    for (const doc of vscode.workspace.textDocuments) if (touched(doc.uri)) this.pending.add(doc.uri.toString());
    if (this.pending.size === 0 || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const uri of this.pending) this.emitter.fire(vscode.Uri.parse(uri));
      this.pending.clear();
    }, REFRESH_MS);
  }
}
