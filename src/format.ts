// How numbers, times and user text are written in the tree, prompts, tooltips and history documents.
import type { CellValue, RunState } from './core/api';
import * as vscode from 'vscode';
import { formatNumber } from './shared/format';

// One number format for the host and the chart webview: it lives in src/shared so both can import it.
export { formatNumber } from './shared/format';

export function formatCell(value: CellValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return singleLine(value);
}

/** Local wall time, to the second, sortable. */
export function formatTime(unixSeconds: number | null | undefined): string {
  if (unixSeconds === null || unixSeconds === undefined || !Number.isFinite(unixSeconds)) return '';
  const d = new Date(unixSeconds * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Collapses line breaks and control characters so user text cannot break a one-line layout. */
export function singleLine(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Escapes user text for markdown: every ASCII punctuation character that markdown or HTML could read
 * as syntax, so names like `[x](command:…)` or `<img>` show as typed and never act.
 */
export function escapeMarkdown(text: string, max = 200): string {
  return singleLine(text, max).replace(/[\\`*_{}[\]()#+\-.!|<>~&:"'=]/g, '\\$&');
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
