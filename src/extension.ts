// Run Rewind's entry point. activate() only wires things together: no store starts and no log is read
// until the Runs view is shown or a command needs a store. docs/ARCHITECTURE.md draws the parts.
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { type CommandContext } from './commands/context';
import { registerArtifactCommands } from './commands/artifactCommands';
import { registerMlflowCommands } from './commands/mlflowCommands';
import { registerRunCommands } from './commands/runCommands';
import { registerSelectionCommands } from './commands/selectionCommands';
import { registerSourceCommands } from './commands/sourceCommands';
import { registerStoreCommands } from './commands/storeCommands';
import { ConsoleDocuments } from './console/consoleDocuments';
import { HistoryDocuments } from './history/historyDocuments';
import { Logger } from './logger';
import { registerCharts } from './panels/charts';
import { registerTables } from './panels/tables';
import { DiffDocuments } from './diff/diffDocuments';
import { registerEditCommands } from './commands/editCommands';
import { StepSelection } from './selection';
import type { Services } from './services';
import { TerminalEnvironment } from './terminalEnvironment';
import { RunsView } from './views/runsTree';
import { FolderStoresImpl } from './workspace/folderStores';
import { RunIndex } from './workspace/runIndex';
import { startStoreClient } from './workspace/storeConnection';

/** What activate() returns: the extension's parts, for tests and benchmarks in the extension host. */
export interface RunRewindApi {
  readonly services: Services;
  readonly folders: FolderStoresImpl;
  /** The run index the tree, commands, history documents and chart panels share (also services.runIndex). */
  readonly runIndex: RunIndex;
  /** The Runs view: it renders the run index. */
  readonly runs: RunsView;
  readonly history: HistoryDocuments;
  readonly consoles: ConsoleDocuments;
  readonly terminals: TerminalEnvironment;
  /** Milliseconds activate() took. */
  readonly activationMs: number;
}

let shutdown: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): RunRewindApi {
  const started = performance.now();
  const logger = new Logger('Run Rewind');
  context.subscriptions.push(logger);

  const selection = new StepSelection();
  // Per workspace storage; the global one when no workspace is open. Snapshots are keyed per folder.
  const folders = new FolderStoresImpl(context.storageUri ?? context.globalStorageUri, logger, startStoreClient, context.secrets);
  const runIndex = new RunIndex(folders, logger.for('tree'));
  const services: Services = { logger, stores: folders, selection, runIndex, extensionUri: context.extensionUri };
  const runs = new RunsView(runIndex, folders, logger.for('tree'));
  const history = new HistoryDocuments(services, logger.for('history'));
  const consoles = new ConsoleDocuments(services, logger.for('console'));
  const terminals = new TerminalEnvironment(context.environmentVariableCollection, path.join(context.extensionPath, 'python'), logger.for('terminal'));
  const ctx: CommandContext = { services, tree: runs, log: logger.for('commands') };

  context.subscriptions.push(
    selection,
    folders,
    runIndex,
    runs,
    history,
    consoles,
    terminals,
    ...registerRunCommands(ctx, history, consoles),
    ...registerSelectionCommands(ctx),
    ...registerArtifactCommands(ctx),
    ...registerStoreCommands(ctx, folders),
    ...registerSourceCommands(ctx),
    ...registerMlflowCommands(ctx, context.secrets),
    ...registerCharts(services),
    ...registerTables(services, context.workspaceState),
    new DiffDocuments(ctx),
    ...registerEditCommands(ctx),
  );
  shutdown = () => folders.shutdown();

  const activationMs = performance.now() - started;
  logger.for('activate').info(`activated in ${activationMs.toFixed(1)} ms`);
  return { services, folders, runIndex, runs, history, consoles, terminals, activationMs };
}

/** Saves every store's snapshot before the host goes away. */
export async function deactivate(): Promise<void> {
  await shutdown?.();
  shutdown = undefined;
}
