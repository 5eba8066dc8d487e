// Addresses of Run Console documents: runrewind-console:/<title>.runconsole?folder=…&run=…&version=…
// The same address as a history document (a version of a run in a workspace folder) under its own
// scheme; the `.runconsole` ending gives the document its language, and so its colours.
import * as vscode from 'vscode';
import type { HistoryAddress, HistoryTitle } from '../history/historyUri';
import { historyTitle } from '../history/historyUri';
import { CONSOLE_SCHEME } from '../ids';

export function consoleUri(address: HistoryAddress, title?: HistoryTitle): vscode.Uri {
  const query = new URLSearchParams({ folder: address.folder, run: address.runId, version: address.versionId }).toString();
  return vscode.Uri.from({ scheme: CONSOLE_SCHEME, path: `/${historyTitle(address, title)}.runconsole`, query });
}

export function parseConsoleUri(uri: vscode.Uri): HistoryAddress | undefined {
  if (uri.scheme !== CONSOLE_SCHEME) return undefined;
  const params = new URLSearchParams(uri.query);
  const folder = params.get('folder');
  const runId = params.get('run');
  const versionId = params.get('version');
  return folder && runId && versionId ? { folder, runId, versionId } : undefined;
}
