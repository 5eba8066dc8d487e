// How numbers, times and states are written in the tree, prompts, tooltips and history documents (user
// text goes through ./userText, per surface).
import * as vscode from 'vscode';
import type { CellValue, RunState } from './core/api';
import { formatDateTime } from './shared/dates';
import { singleLine } from './userText';

export { singleLine } from './userText';

/** Compact but faithful: integers as they are, others to 6 significant digits. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return value.toExponential(4).replace(/\.?0+e/, 'e');
  return String(Number(value.toPrecision(6)));
}

export function formatCell(value: CellValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return singleLine(value);
}

/** Local wall time to the second, in VS Code's display language: the one date format of the UI. */
export function formatTime(unixSeconds: number | null | undefined): string {
  return formatDateTime(unixSeconds, vscode.env.language);
}

export function stateLabel(state: RunState): string {
  switch (state) {
    case 'running':
      return vscode.l10n.t('running');
    case 'finished':
      return vscode.l10n.t('finished');
    case 'failed':
      return vscode.l10n.t('failed');
    case 'crashed':
      return vscode.l10n.t('crashed');
  }
}

export function stateIcon(state: RunState): vscode.ThemeIcon {
  switch (state) {
    case 'running':
      return new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue'));
    case 'finished':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'crashed':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  }
}

/** A Python string literal for `text` (JSON string escapes are valid Python). */
export function pythonString(text: string): string {
  return JSON.stringify(text);
}
