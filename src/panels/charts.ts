// Wires the chart panel into the extension: the serializer that restores panels after a reload
// (activated by onWebviewPanel:runRewind.charts), the export commands, opening panels for runs, and
// two commands the integration tests use to look into and act on the webview.
import * as vscode from 'vscode';
import { RunRewindError } from '../core/errors';
import { CommandId, InternalCommandId } from '../ids';
import type { Services } from '../services';
import { labelText } from '../userText';
import { CHART_VIEW_TYPE, type ChartSnapshot, isChartViewState, type TestAction } from '../shared/protocol';
import { ChartPanel, safeFileName } from './chartPanel';
import { messageHtml } from './chartHtml';

/** Opens (or reveals) the chart panel for these runs (run ids or immutable version ids) of a folder store. */
export function openCharts(services: Services, folderKey: string, runs: readonly string[]): ChartPanel {
  const folder = services.stores.get(folderKey);
  if (!folder) throw new RunRewindError('bad-argument', `no run store for ${folderKey}`);
  if (runs.length === 0) throw new RunRewindError('bad-argument', 'no run to chart');
  return ChartPanel.createOrShow(services, folder, [...new Set(runs)]);
}

export interface ChartInspection extends ChartSnapshot {
  readonly title: string;
  readonly folder: string;
  readonly entries: readonly string[];
  readonly panels: number;
}

export function registerCharts(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
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
    vscode.commands.registerCommand(CommandId.ExportChartPng, (key?: unknown, target?: unknown) => exportChart(services, 'png', key, target)),
    vscode.commands.registerCommand(CommandId.ExportChartCsv, (key?: unknown, target?: unknown) => exportChart(services, 'csv', key, target)),
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
  );
}

/** Saves a chart of the active panel: to `target` when given (a path or uri), else where the user picks. */
async function exportChart(services: Services, kind: 'png' | 'csv', key: unknown, target: unknown): Promise<vscode.Uri | undefined> {
  const panel = ChartPanel.active;
  if (!panel) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a chart panel first (Run Rewind: Open Charts).'));
    return undefined;
  }
  let metric = typeof key === 'string' ? key : undefined;
  if (metric === undefined) {
    // Keys are user text: a quick pick label renders $(icon), so each is shown through labelText.
    const items = panel.metricKeys.map((k) => ({ label: labelText(k), key: k }));
    metric = (await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Which chart?') }))?.key;
    if (metric === undefined) return undefined;
  }
  if (!panel.metricKeys.includes(metric)) throw new RunRewindError('bad-argument', `no chart for metric ${JSON.stringify(metric)} in this panel`);
  let uri = target instanceof vscode.Uri ? target : typeof target === 'string' ? vscode.Uri.file(target) : undefined;
  if (!uri) {
    const base = panel.folder.folder?.uri ?? vscode.Uri.file(panel.folder.logDir);
    uri = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(base, `${safeFileName(metric)}.${kind}`),
      filters: kind === 'png' ? { 'PNG image': ['png'] } : { CSV: ['csv'] },
    });
    if (!uri) return undefined;
  }
  const bytes = kind === 'png' ? await panel.png(metric) : new TextEncoder().encode(await panel.csv(metric));
  await vscode.workspace.fs.writeFile(uri, bytes);
  services.logger.for('charts').info(`exported ${metric} as ${kind} to ${uri.fsPath}`);
  return uri;
}
