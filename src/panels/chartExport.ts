// Saving a chart: "Export Chart as PNG/CSV" from the palette or the editor title, and a card's own PNG and
// CSV buttons, all go through `exportChart`. The PNG is what the webview drew; the CSV holds the points,
// at full resolution, of exactly the lines the chart shows — the webview says which (zoom included), so
// every way of exporting a chart writes the same file.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunRewindError } from '../core/errors';
import type { ExportKind } from '../shared/protocol';
import { labelText } from '../userText';
import type { ChartPanel } from './chartPanel';

/**
 * Exports the chart of `key` (asked for with a quick pick when not given) of `panel`: to `target` when
 * given (a path or uri), else where the user picks. Returns where it was written.
 */
export async function exportChart(panel: ChartPanel, kind: ExportKind, key: unknown, target: unknown): Promise<vscode.Uri | undefined> {
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
  const bytes = kind === 'png' ? decodePng(await panel.png(metric)) : new TextEncoder().encode(await panel.csv(metric, await panel.exportLines(metric)));
  await vscode.workspace.fs.writeFile(uri, bytes);
  panel.log.info(`exported ${metric} as ${kind} to ${uri.fsPath}`);
  vscode.window.setStatusBarMessage(vscode.l10n.t('Saved {0}', path.basename(uri.fsPath)), 4000);
  return uri;
}

export function decodePng(dataUrl: string): Uint8Array {
  const prefix = 'data:image/png;base64,';
  if (!dataUrl.startsWith(prefix)) throw new Error('the chart export is not a PNG');
  const bytes = Buffer.from(dataUrl.slice(prefix.length), 'base64');
  if (bytes.length < 8 || bytes.readUInt32BE(0) !== 0x89504e47) throw new Error('the chart export is not a PNG');
  return new Uint8Array(bytes);
}

/** A file name from a metric key: path separators and reserved characters replaced. */
export function safeFileName(key: string): string {
  const name = key.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 120);
  return name.length > 0 ? name : 'chart';
}
