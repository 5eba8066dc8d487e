// Wires the chart panel into the extension: opening panels for runs, the serializer that restores panels
// after a reload (activated by onWebviewPanel:runRewind.charts), the export commands, and two commands
// the integration tests use to look into and act on the webview.
import * as vscode from 'vscode';
import { CommandId, InternalCommandId } from '../ids';
import type { Services } from '../services';
import { CHART_VIEW_TYPE, type ChartSnapshot, type ExportKind, isChartViewState, type TestAction } from '../shared/protocol';
import { messageText } from '../userText';
import { exportChart } from './chartExport';
import { messageHtml } from './chartHtml';
import { ChartPanel } from './chartPanel';

/** What a panel draws of a run: the run itself (its live version) or one archived version, by its immutable id. */
export interface ChartEntry {
  /** Key of the folder store the run lives in. */
  readonly folder: string;
  /** A run id, or an archived version's immutable id (the panel then draws that exact version). */
  readonly id: string;
}

/**
 * Opens (or reveals) one chart panel per folder store, overlaying every entry of that folder. A folder
 * that is not open is refused with a message naming it; the other folders' panels still open.
 */
export function openCharts(services: Services, entries: readonly ChartEntry[]): ChartPanel[] {
  const byFolder = new Map<string, string[]>();
  for (const e of entries) {
    const list = byFolder.get(e.folder) ?? [];
    if (!list.includes(e.id)) list.push(e.id);
    byFolder.set(e.folder, list);
  }
  const panels: ChartPanel[] = [];
  for (const [key, ids] of byFolder) {
    const folder = services.stores.get(key);
    if (!folder) {
      void vscode.window.showErrorMessage(messageText(`no run store for ${key}`, 500));
      continue;
    }
    panels.push(ChartPanel.createOrShow(services, folder, ids));
  }
  return panels;
}

export interface ChartInspection extends ChartSnapshot {
  readonly title: string;
  readonly folder: string;
  readonly entries: readonly string[];
  readonly panels: number;
}

export function registerCharts(services: Services): vscode.Disposable[] {
  return [
    vscode.window.registerWebviewPanelSerializer(CHART_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        const folder = isChartViewState(state) ? services.stores.get(state.folder) : undefined;
        if (!isChartViewState(state) || !folder || state.runs.length === 0) {
          panel.webview.html = messageHtml(vscode.l10n.t('This chart panel could not be restored: its runs are not in an open workspace folder. Close it and open the charts from the Runs view.'));
          return;
        }
        ChartPanel.revive(panel, services, folder, state);
      },
    }),
    { dispose: () => ChartPanel.all.forEach((p) => p.dispose()) },
    vscode.commands.registerCommand(CommandId.ExportChartPng, (key?: unknown, target?: unknown) => exportActive('png', key, target)),
    vscode.commands.registerCommand(CommandId.ExportChartCsv, (key?: unknown, target?: unknown) => exportActive('csv', key, target)),
    vscode.commands.registerCommand(InternalCommandId.InspectChart, async (): Promise<ChartInspection | undefined> => {
      const panel = ChartPanel.active;
      if (!panel) return undefined;
      const snapshot = await panel.inspect();
      return { ...snapshot, title: panel.panel.title, folder: panel.folder.key, entries: panel.shownEntries, panels: ChartPanel.all.length };
    }),
    vscode.commands.registerCommand(InternalCommandId.ActOnChart, async (action: TestAction) => {
      const panel = ChartPanel.active;
      if (!panel) throw new Error('no chart panel is open');
      await panel.perform(action);
    }),
  ];
}

/** Saves a chart of the active panel: to `target` when given (a path or uri), else where the user picks. */
async function exportActive(kind: ExportKind, key: unknown, target: unknown): Promise<vscode.Uri | undefined> {
  const panel = ChartPanel.active;
  if (!panel) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a chart panel first (Run Rewind: Open Charts).'));
    return undefined;
  }
  return exportChart(panel, kind, key, target);
}
