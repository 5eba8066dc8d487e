// Lays out a branch diff (src/core/branchDiff.ts) as an aligned plain-text document: a header naming
// both sides and how they relate, the config keys that differ, then one line per metric with its value
// at the branch step, at the end and at its best on each side. Plain text in the editor is theme-native
// and copyable, and user text (names, keys, values) stays text: every cell is flattened to one line.
import * as vscode from 'vscode';
import type { BranchDiff, CellValue, DiffSide, MetricDiff, SummaryValue } from '../core/api';
import { formatCell, formatNumber } from '../format';
import { singleLine } from '../userText';

const MAX_CELL = 40;

function cell(value: CellValue | undefined): string {
  if (value === undefined) return '';
  const text = formatCell(value);
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}

function sideName(side: DiffSide): string {
  const name = singleLine(side.name, 60);
  return side.archived ? `${name} (${side.run}@${side.version}, ${vscode.l10n.t('archived')})` : `${name} (${side.run})`;
}

/** Aligned columns: numbers right-aligned where a whole column is numbers, text left-aligned. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const numeric = header.map((_, i) => i > 0 && rows.some((r) => r[i] !== '') && rows.every((r) => r[i] === '' || /^[-+]?[\d.e+]+$|^-?Infinity$|^NaN$/.test(r[i] ?? '')));
  const line = (values: readonly string[]): string =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)];
}

/** Right minus left, for two numbers. */
function delta(a: SummaryValue, b: SummaryValue): string {
  if (typeof a !== 'number' || typeof b !== 'number' || !Number.isFinite(a) || !Number.isFinite(b)) return '';
  const d = b - a;
  return d > 0 ? `+${formatNumber(d)}` : formatNumber(d);
}

function best(metric: MetricDiff, side: 0 | 1): string {
  const min = metric.min[side];
  const max = metric.max[side];
  if (metric.goal === 'min') return cell(min);
  if (metric.goal === 'max') return cell(max);
  if (min === null || max === null) return '';
  return min === max ? cell(min) : `${cell(min)} … ${cell(max)}`;
}

export function renderDiff(diff: BranchDiff): string {
  const left = sideName(diff.base);
  const right = sideName(diff.other);
  const lines: string[] = [];
  const head =
    diff.relation === 'fork'
      ? vscode.l10n.t('{0} is forked from {1} at step {2}.', right, left, diff.branchStep ?? '')
      : diff.relation === 'rewind'
        ? vscode.l10n.t('{0} is rewound from {1} at step {2}.', right, left, diff.branchStep ?? '')
        : diff.relation === 'shared'
          ? vscode.l10n.t('{0} and {1} share their history up to step {2}.', left, right, diff.branchStep ?? '')
          : vscode.l10n.t('{0} and {1} share no history.', left, right);
  lines.push(`# ${vscode.l10n.t('Compare')}: ${head}`);
  lines.push(`# ${vscode.l10n.t('Left: {0}, last step {1}. Right: {2}, last step {3}.', singleLine(diff.base.name, 60), diff.base.lastStep ?? '-', singleLine(diff.other.name, 60), diff.other.lastStep ?? '-')}`);
  lines.push('');

  const config = diff.config.length === 1 ? vscode.l10n.t('1 config key differs') : vscode.l10n.t('{0} config keys differ', diff.config.length);
  lines.push(`## ${config} (${vscode.l10n.t('{0} the same', diff.sameConfig)})`);
  if (diff.config.length > 0) {
    const mark = { added: '+', removed: '-', changed: '~' } as const;
    lines.push(
      ...table(
        ['', vscode.l10n.t('config key'), vscode.l10n.t('left'), vscode.l10n.t('right')],
        diff.config.map((c) => [mark[c.kind], singleLine(c.key, 80), cell(c.before), cell(c.after)]),
      ),
    );
  }
  lines.push('');

  lines.push(`## ${vscode.l10n.t('Summary metrics')} (${diff.metrics.length})`);
  if (diff.metrics.length > 0) {
    const at = diff.branchStep === null ? [] : [vscode.l10n.t('at step {0}', diff.branchStep)];
    const header = [vscode.l10n.t('metric'), vscode.l10n.t('best'), ...at, vscode.l10n.t('end: left'), vscode.l10n.t('end: right'), vscode.l10n.t('Δ end'), vscode.l10n.t('best: left'), vscode.l10n.t('best: right')];
    const goal = (m: MetricDiff): string => (m.goal === 'min' ? vscode.l10n.t('min') : m.goal === 'max' ? vscode.l10n.t('max') : vscode.l10n.t('min … max'));
    lines.push(
      ...table(
        header,
        diff.metrics.map((m) => [
          singleLine(m.key, 80),
          goal(m),
          ...(diff.branchStep === null ? [] : [cell(m.atBranch)]),
          cell(m.end[0]),
          cell(m.end[1]),
          delta(m.end[0], m.end[1]),
          best(m, 0),
          best(m, 1),
        ]),
      ),
    );
  }
  lines.push('');
  lines.push(`# ${vscode.l10n.t('Best is the lowest or highest point of each side\'s whole history (inherited steps included); the way a metric is better comes from define_metric or its name (loss, error: lower; acc, f1: higher), else both are shown.')}`);
  return `${lines.join('\n')}\n`;
}
