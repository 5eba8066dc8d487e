// Addresses of run history documents: runrewind-history:/<run>@<version>.history?folder=…&run=…&version=…
// The path is only what the editor tab shows; the query carries what the provider reads.
import * as vscode from 'vscode';
import { HISTORY_SCHEME } from '../ids';

export interface HistoryAddress {
  readonly folder: string;
  readonly runId: string;
  readonly versionId: string;
}

export function historyUri(address: HistoryAddress): vscode.Uri {
  const query = new URLSearchParams({ folder: address.folder, run: address.runId, version: address.versionId }).toString();
  return vscode.Uri.from({ scheme: HISTORY_SCHEME, path: `/${address.runId}@${address.versionId}.history`, query });
}

export function parseHistoryUri(uri: vscode.Uri): HistoryAddress | undefined {
  if (uri.scheme !== HISTORY_SCHEME) return undefined;
  const params = new URLSearchParams(uri.query);
  const folder = params.get('folder');
  const runId = params.get('run');
  const versionId = params.get('version');
  return folder && runId && versionId ? { folder, runId, versionId } : undefined;
}
