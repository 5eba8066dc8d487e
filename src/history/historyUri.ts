// Addresses of run history documents: runrewind-history:/<title>.history?folder=…&run=…&version=…
// (Run Console documents use the same form under their own scheme: src/console/consoleUri.ts.)
// The path is only what the editor tab shows (the run's name, so a tab says whose history it is); the
// query carries what the provider reads.
import * as vscode from 'vscode';
import { HISTORY_SCHEME } from '../ids';
import { fileNameText } from '../userText';

export interface HistoryAddress {
  readonly folder: string;
  readonly runId: string;
  readonly versionId: string;
}

/** What the tab names: the run, and the version when it is an archived one. */
export interface HistoryTitle {
  readonly runName: string;
  readonly archived: boolean;
}

export function historyTitle(address: HistoryAddress, title?: HistoryTitle): string {
  if (!title) return `${address.runId}@${address.versionId}`;
  const name = fileNameText(title.runName, 60);
  return title.archived ? `${name} (${address.runId}@${address.versionId})` : `${name} (${address.runId})`;
}

export function historyUri(address: HistoryAddress, title?: HistoryTitle): vscode.Uri {
  return versionUri(HISTORY_SCHEME, '.history', address, title);
}

export function parseHistoryUri(uri: vscode.Uri): HistoryAddress | undefined {
  return parseVersionUri(uri, HISTORY_SCHEME);
}

/** The address of a document about one run version (a history, a console) under `scheme`. */
export function versionUri(scheme: string, ending: string, address: HistoryAddress, title?: HistoryTitle): vscode.Uri {
  const query = new URLSearchParams({ folder: address.folder, run: address.runId, version: address.versionId }).toString();
  return vscode.Uri.from({ scheme, path: `/${historyTitle(address, title)}${ending}`, query });
}

export function parseVersionUri(uri: vscode.Uri, scheme: string): HistoryAddress | undefined {
  if (uri.scheme !== scheme) return undefined;
  const params = new URLSearchParams(uri.query);
  const folder = params.get('folder');
  const runId = params.get('run');
  const versionId = params.get('version');
  return folder && runId && versionId ? { folder, runId, versionId } : undefined;
}
