// Wires the runs table into the extension: the Open Runs Table command (Runs view title bar, palette, a
// project's context menu), the serializer that restores a table after a reload (activated by
// onWebviewPanel:runRewind.runsTable), the memory of the last table's columns and sort per folder
// (workspaceState), and two commands the integration tests use to look into and act on the webview.
import * as vscode from 'vscode';
import { CommandId, InternalCommandId } from '../ids';
import type { FolderStore, Services } from '../services';
import { isTableViewState, TABLE_VIEW_TYPE, type TableSnapshot, type TableTestAction, type TableViewState } from '../shared/tableProtocol';
import { labelText } from '../userText';
import { isRunsNode } from '../views/nodes';
import { messageHtml } from './chartHtml';
import { RunsTablePanel, type TableMemory } from './tablePanel';

const MEMORY_KEY = 'runRewind.runsTable.state';

export interface TableInspection extends TableSnapshot {
  readonly title: string;
  readonly folder: string;
  readonly panels: number;
}

/** What Open Runs Table accepts: a project or folder of the Runs view, `{ folder?, project? }`, or nothing. */
interface TableArg {
  readonly folder?: string;
  readonly project?: string;
}

export function registerTables(services: Services, workspaceState: vscode.Memento): vscode.Disposable[] {
  const memory: TableMemory = {
    get: (folder) => {
      const all = workspaceState.get<Record<string, unknown>>(MEMORY_KEY) ?? {};
      const state = Object.prototype.hasOwnProperty.call(all, folder) ? all[folder] : undefined;
      return isTableViewState(state) ? state : undefined;
    },
    set: (state: TableViewState) => {
      const all = { ...(workspaceState.get<Record<string, unknown>>(MEMORY_KEY) ?? {}) };
      all[state.folder] = state;
      void workspaceState.update(MEMORY_KEY, all);
    },
  };
  return [
    vscode.window.registerWebviewPanelSerializer(TABLE_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        const folder = isTableViewState(state) ? services.stores.get(state.folder) : undefined;
        if (!isTableViewState(state) || !folder) {
          panel.webview.html = messageHtml(vscode.l10n.t('This runs table could not be restored: its folder is not open. Close it and run Open Runs Table again.'));
          return;
        }
        RunsTablePanel.revive(panel, services, memory, folder, state);
      },
    }),
    { dispose: () => RunsTablePanel.all.forEach((p) => p.dispose()) },
    vscode.commands.registerCommand(CommandId.OpenRunsTable, async (arg?: unknown) => {
      const target = tableArg(arg);
      const folder = target.folder !== undefined ? services.stores.get(target.folder) : await pickFolder(services);
      if (!folder) return undefined;
      // A project's table is the folder's table filtered to it: the filter says so and can be edited.
      const filter = target.project !== undefined ? `project = ${quote(target.project)}` : undefined;
      RunsTablePanel.createOrShow(services, memory, folder, filter);
      return folder.key;
    }),
    vscode.commands.registerCommand(InternalCommandId.InspectTable, async (): Promise<TableInspection | undefined> => {
      const panel = RunsTablePanel.active;
      if (!panel) return undefined;
      const snapshot = await panel.inspect();
      return { ...snapshot, title: panel.panel.title, folder: panel.folder.key, panels: RunsTablePanel.all.length };
    }),
    vscode.commands.registerCommand(InternalCommandId.ActOnTable, async (action: TableTestAction | { kind: 'refresh' } | HoldWholeTable) => {
      if (action.kind === 'holdWholeTable') {
        holdWholeTable(action);
        return;
      }
      const panel = RunsTablePanel.active;
      if (!panel) throw new Error('no runs table is open');
      if (action.kind === 'refresh') await panel.refreshNow();
      else await panel.perform(action);
    }),
  ];
}

/**
 * Tests: tables opened next send `firstRows` runs first and the whole table only once released
 * (`hold: false`), so a test can look at the first rows and act on them before the rest comes.
 */
interface HoldWholeTable {
  readonly kind: 'holdWholeTable';
  readonly hold: boolean;
  readonly firstRows?: number;
}

let release: (() => void) | undefined;

function holdWholeTable(action: HoldWholeTable): void {
  release?.();
  release = undefined;
  if (!action.hold) {
    RunsTablePanel.testHooks = {};
    return;
  }
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  RunsTablePanel.testHooks = { firstRows: action.firstRows, beforeWholeTable: () => held };
}

function tableArg(arg: unknown): TableArg {
  if (isRunsNode(arg)) {
    if (arg.kind === 'project') return { folder: arg.folder, project: arg.project };
    return { folder: arg.folder };
  }
  if (typeof arg === 'object' && arg !== null) {
    const { folder, project } = arg as { folder?: unknown; project?: unknown };
    return { folder: typeof folder === 'string' ? folder : undefined, project: typeof project === 'string' ? project : undefined };
  }
  return {};
}

/** A value in the query language, quoted so any project name reads back as itself. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

async function pickFolder(services: Services): Promise<FolderStore | undefined> {
  const all = services.stores.all;
  if (all.length <= 1) return all[0];
  const picked = await vscode.window.showQuickPick(
    all.map((s) => ({ label: labelText(s.name, 200), folder: s })),
    { placeHolder: vscode.l10n.t('The runs of which folder?') },
  );
  return picked?.folder;
}
