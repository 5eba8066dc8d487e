// Addresses of Run Console documents: runrewind-console:/<title>.runconsole?folder=…&run=…&version=…
// The same address as a history document under its own scheme; the `.runconsole` ending gives the
// document its language, and so its colours.
import type * as vscode from 'vscode';
import { type HistoryAddress, type HistoryTitle, parseVersionUri, versionUri } from '../history/historyUri';
import { CONSOLE_SCHEME } from '../ids';

export function consoleUri(address: HistoryAddress, title?: HistoryTitle): vscode.Uri {
  return versionUri(CONSOLE_SCHEME, '.runconsole', address, title);
}

export function parseConsoleUri(uri: vscode.Uri): HistoryAddress | undefined {
  return parseVersionUri(uri, CONSOLE_SCHEME);
}
