// What a part of the extension (a panel, a command, a view) gets to work with: the log, the step
// selection, and the run store of each workspace folder. extension.ts builds one `Services` in
// activate(); panels receive it as a constructor argument rather than reaching for a global.
//
//   const folder = services.stores.get(selected.folder);          // or stores.all[0], stores.forUri(uri)
//   const store = await folder.store();                           // starts + ingests on first use
//   const series = await store.downsample(version, 'loss', 800);
//   context.subscriptions.push(folder.onDidChangeRuns((e) => { if (e.changedRuns.includes(run)) redraw(); }));
//   const log = services.logger.for('charts'); log.info('…');
import type * as vscode from 'vscode';
import type { StoreApi, StoreChangeReason } from './core/api';
import type { Logger } from './logger';
import type { StepSelection } from './selection';

export type RunsChangeReason = StoreChangeReason;

export interface RunsChangedEvent {
  /** Key of the folder store that changed. */
  readonly folder: string;
  readonly changedRuns: readonly string[];
  readonly reason: RunsChangeReason;
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
  readonly extensionUri: vscode.Uri;
}
