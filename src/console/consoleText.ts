// Lays out a version's console as plain text: a two-line header naming the run, the version and where
// inherited lines come from, then one printed line per line — its step, time and stream in fixed columns,
// a bar (│ its own, ┆ inherited from an ancestor), and the text — so the line under the cursor names a
// step, as in a history document.
import * as vscode from 'vscode';
import type { ConsolePage, ForkedFrom, RunInfo, VersionInfo } from '../core/api';
import { singleLine } from '../userText';

export const CONSOLE_HEADER_LINES = 2;
/** What separates the columns from the text: a version's own line, and one inherited from an ancestor. */
export const OWN_BAR = '│';
export const INHERITED_BAR = '┆';
const MAX_TEXT = 2000;

export function renderConsole(run: RunInfo, version: VersionInfo, page: ConsolePage, source?: ForkedFrom): string {
  const live = version.id === run.liveVersion;
  const head1 = `# ${singleLine(run.name, 120)} · ${run.id} · ${version.id} · ${live ? vscode.l10n.t('live') : vscode.l10n.t('archived')} · ${vscode.l10n.t('console')}`;
  const shown = page.lines.length;
  const count =
    page.total === 0
      ? vscode.l10n.t('Nothing printed yet.')
      : shown < page.total
        ? vscode.l10n.t('Showing the last {0} of {1} lines; put the cursor on a line to select its step.', shown, page.total)
        : page.total === 1
          ? vscode.l10n.t('1 line; put the cursor on a line to select its step.')
          : vscode.l10n.t('{0} lines; put the cursor on a line to select its step.', page.total);
  const branch = version.branchStep;
  const origin =
    branch !== null && source
      ? ` ${vscode.l10n.t('Lines marked {0} were printed by {1} up to step {2} ({3}) and are inherited.', INHERITED_BAR, singleLine(source.runName ?? source.run, 80), branch, source.version)}`
      : '';
  const width = Math.max(1, ...page.lines.map((l) => String(l.step).length));
  const lines = [head1, `# ${count}${origin}`];
  for (const l of page.lines) {
    const stream = l.stream === 'stderr' ? 'err' : 'out';
    const text = l.text.length > MAX_TEXT ? `${l.text.slice(0, MAX_TEXT - 1)}…` : l.text;
    // The text as printed, but one document line per console line (the writer split them already).
    lines.push(`${String(l.step).padStart(width)}  ${clock(l.time)}  ${stream} ${l.inherited ? INHERITED_BAR : OWN_BAR} ${text.replace(/[\r\n\u2028\u2029]/g, ' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The step on a line of a rendered console, if the line is a printed line. */
export function stepAtConsoleLine(text: string, line: number): number | undefined {
  if (line < CONSOLE_HEADER_LINES) return undefined;
  const match = /^\s*(\d+)  \d\d:\d\d:\d\d  (out|err) [│┆]/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** The first document line showing `step`, if any. */
export function lineOfStep(document: string, step: number): number | undefined {
  const lines = document.split('\n');
  for (let i = CONSOLE_HEADER_LINES; i < lines.length; i++) if (stepAtConsoleLine(lines[i] ?? '', i) === step) return i;
  return undefined;
}

/** Local wall time to the second: the date is in the history and the overview. */
function clock(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return Number.isFinite(unixSeconds) ? `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}` : '--:--:--';
}
