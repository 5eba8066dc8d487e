// What a part of the extension (a panel, a command, a view) gets to work with: the log, the step
// selection, the run store of each workspace folder and the run index over them. extension.ts builds
// one `Services` in activate(); views, commands, documents and panels receive it rather than reaching
// for a global (docs/ARCHITECTURE.md draws who holds what).
//
//   const folder = services.stores.get(selected.folder);          // or stores.all[0], stores.forUri(uri)
//   const store = await folder.store();                           // starts + ingests on first use
//   const series = await store.downsample(version, 'loss', 800);
//   const run = services.runIndex.run(folder.key, runId);         // the last listing, no store call
//   this._register(folder.onDidChangeRuns((e) => { if (e.changedRuns.includes(run)) redraw(); }));
//   const log = services.logger.for('charts'); log.info('…');
import type * as vscode from 'vscode';
import type { StoreApi } from './core/api';
import type { StoreChange } from './core/workerProtocol';
import type { Logger } from './logger';
import type { StepSelection } from './selection';
import type { RunIndex } from './workspace/runIndex';

/** A store change (its reason is the worker's StoreChangeReason: one type) and the folder it came from. */
export interface RunsChangedEvent extends StoreChange {
  /** Key of the folder store that changed. */
  readonly folder: string;
}

/** The run store of one workspace folder (or of the window, when no folder is open). */
export interface FolderStore {
  /** Stable key: the workspace folder's uri string, or `window` when no folder is open. */
  readonly key: string;
  /** The folder's name, for labels. */
  readonly name: string;
  readonly folder: vscode.WorkspaceFolder | undefined;
  /** Absolute path of the log directory this store ingests. */
  readonly logDir: string;
  /**
   * The store, started on first use and ingested once before it resolves; later calls return the same
   * one. Rejects with a RunRewindError when the store cannot start.
   */
  store(): Promise<StoreApi>;
  /** Fires after runs changed: new rows, states, renames, rewinds, forks, deletes, rebuilds. */
  readonly onDidChangeRuns: vscode.Event<RunsChangedEvent>;
}

export interface FolderStores {
  /** One per workspace folder, in folder order; one `window` store when no folder is open. */
  readonly all: readonly FolderStore[];
  get(key: string): FolderStore | undefined;
  /** The store of the workspace folder containing `uri`, else the first one. */
  forUri(uri: vscode.Uri | undefined): FolderStore | undefined;
  /** Fires when any folder store's runs change. */
  readonly onDidChangeRuns: vscode.Event<RunsChangedEvent>;
  /** Fires when workspace folders or the log directory setting changed (stores were replaced). */
  readonly onDidChangeFolders: vscode.Event<void>;
}

export interface Services {
  readonly logger: Logger;
  readonly stores: FolderStores;
  readonly selection: StepSelection;
  /** Every folder's run listing: what the tree shows and commands look runs up in. */
  readonly runIndex: RunIndex;
  readonly extensionUri: vscode.Uri;
}
