// Lays out a version's history as an aligned plain-text table: one step per line, so the line under
// the cursor names a step. Cells never contain line breaks (user strings are flattened). A version that
// branched from another (a rewind or a fork) gets a last column marking the rows it inherited and the
// branch step, so the table says where this version's own history starts.
import * as vscode from 'vscode';
import type { ForkedFrom, HistoryTable, RunInfo, VersionInfo } from '../core/api';
import { formatCell, formatTime } from '../format';
import { singleLine } from '../userText';

/** Lines before the first row: two comment lines and the column header. */
export const HEADER_LINES = 3;
const MAX_CELL = 40;

/**
 * `source` is where the version branched from (the nearest entry of its lineage), when it did: its
 * run name and step head the document and its rows are marked. `keyCount` is how many keys the history
 * has, when the table shows fewer (a wide run): the header says which are shown and how to see others.
 */
export function renderHistory(run: RunInfo, version: VersionInfo, table: HistoryTable, source?: ForkedFrom, keyCount?: number): string {
  const live = version.id === run.liveVersion;
  const shown = table.rows.length;
  const branch = version.branchStep;
  const head1 = `# ${singleLine(run.name, 120)} · ${run.id} · ${version.id} · ${live ? vscode.l10n.t('live') : vscode.l10n.t('archived')}`;
  const steps =
    shown < table.total
      ? vscode.l10n.t('Showing steps {0} to {1} of {2} ({3} most recent rows); put the cursor on a row to select its step.', table.rows[0]?.step ?? '', table.rows[shown - 1]?.step ?? '', table.total, shown)
      : table.total === 1
        ? vscode.l10n.t('1 step; put the cursor on a row to select its step.')
        : vscode.l10n.t('{0} steps; put the cursor on a row to select its step.', table.total);
  const origin =
    branch !== null && source
      ? ` ${vscode.l10n.t('Steps up to {0} are inherited from {1}@{0} ({2}); this version logs from step {3}.', branch, singleLine(source.runName ?? source.run, 80), source.version, branch + 1)}`
      : '';
  const cut =
    keyCount !== undefined && keyCount > table.columns.length
      ? ` ${vscode.l10n.t('Showing the first {0} of {1} keys by name; for the others: runrewind history {2} --keys KEY1,KEY2 (or pick them in the chart panel).', table.columns.length, keyCount, run.id)}`
      : '';
  const head2 = `# ${steps}${origin}${cut}`;

  const marks = branch !== null;
  const inherited = vscode.l10n.t('inherited');
  const branchMark = vscode.l10n.t('inherited ◀ branch step');
  const columns = ['_step', '_time', ...table.columns, ...(marks ? [vscode.l10n.t('lineage')] : [])];
  const cells: string[][] = table.rows.map((row) => [
    String(row.step),
    formatTime(row.time),
    ...row.cells.map((c) => {
      const text = formatCell(c);
      return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
    }),
    ...(marks ? [row.step === branch ? branchMark : row.step < branch ? inherited : ''] : []),
  ]);
  const widths = columns.map((c, i) => Math.max(singleLine(c, MAX_CELL).length, ...cells.map((r) => r[i]?.length ?? 0)));
  // Numbers right-aligned so digits line up; text left-aligned. The time and lineage columns are text.
  const numeric = columns.map(
    (_, i) => i !== 1 && !(marks && i === columns.length - 1) && cells.every((r) => r[i] === '' || /^-?[\d.e+]+$|^-?Infinity$|^NaN$/.test(r[i] ?? '')),
  );
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const lines = [head1, head2, line(columns.map((c) => singleLine(c, MAX_CELL)))];
  for (const r of cells) lines.push(line(r));
  return `${lines.join('\n')}\n`;
}

/** The step on a line of a rendered history, if the line is a row. */
export function stepAtLine(text: string, line: number): number | undefined {
  if (line < HEADER_LINES) return undefined;
  const match = /^\s*(\d+)(\s|$)/.exec(text);
  return match ? Number(match[1]) : undefined;
}
