// Open Charts: one chart panel per folder store, overlaying every chosen run (archived versions by
// their immutable id, so the panel draws that exact version).
import * as vscode from 'vscode';
import { openCharts as openChartPanel } from '../panels/charts';
import { messageText } from '../userText';
import type { CommandContext, RunTarget } from './context';

export function openCharts(ctx: CommandContext, targets: readonly RunTarget[]): void {
  const byFolder = new Map<string, string[]>();
  for (const t of targets) {
    const entries = byFolder.get(t.folder) ?? [];
    entries.push(t.version.archived ? t.version.id : t.run.id);
    byFolder.set(t.folder, entries);
  }
  for (const [folder, entries] of byFolder) {
    try {
      openChartPanel(ctx.services, folder, entries);
    } catch (error) {
      void vscode.window.showErrorMessage(messageText(error instanceof Error ? error.message : String(error), 500));
    }
  }
}
