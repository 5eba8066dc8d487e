// Markdown tooltips of runs and archived versions: ids, state, times, lineage and the top metrics — short
// enough to fit a hover; the chart panel's overview has everything. User text goes through
// markdownText; the markdown is never trusted and renders no HTML and no icons.
import * as vscode from 'vscode';
import type { RunInfo, RunOverview, SummaryValue, VersionInfo } from '../core/api';
import { formatNumber, formatTime, stateLabel } from '../format';
import { markdownText } from '../userText';

/** Metrics the tooltip shows: the headline first, then losses, then the rest by name. */
const TOP_METRICS = 5;

export function runTooltip(run: RunInfo, overview?: RunOverview, version?: VersionInfo, artifacts?: { readonly count: number; readonly checkpoints: number }): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.supportHtml = false;
  const v = version ?? overview?.version;
  const archived = v?.archived ?? false;
  md.appendMarkdown(`**${markdownText(run.name)}**`);
  if (archived) md.appendMarkdown(` — ${markdownText(vscode.l10n.t('archived version'))}`);
  md.appendMarkdown('\n\n');

  const rows: [string, string][] = [
    [vscode.l10n.t('Run ID'), code(run.id)],
    [vscode.l10n.t('Immutable ID'), code(v?.id ?? run.liveVersion)],
    [vscode.l10n.t('Project'), markdownText(run.project)],
    [vscode.l10n.t('State'), markdownText(stateText(v ?? run))],
    [vscode.l10n.t('Last step'), String(v?.lastStep ?? run.lastStep ?? '—')],
    // The run's creation, as the overview shows it; a version made by a rewind or resume has its own start.
    [vscode.l10n.t('Created'), markdownText(formatTime(run.createdAt))],
  ];
  if (v && v.createdAt !== run.createdAt) rows.push([vscode.l10n.t('This version since'), markdownText(formatTime(v.createdAt))]);
  const ended = v ? v.endedAt : null;
  if (ended) rows.push([vscode.l10n.t('Ended'), markdownText(formatTime(ended))]);
  else rows.push([vscode.l10n.t('Updated'), markdownText(formatTime(v?.updatedAt ?? run.updatedAt))]);
  if (v?.archivedAt) rows.push([vscode.l10n.t('Archived'), markdownText(formatTime(v.archivedAt))]);
  if (run.origin) rows.push([vscode.l10n.t('Imported from'), `${markdownText(run.origin.label)} ${code(run.origin.path)}`]);
  if (run.tags.length > 0) rows.push([vscode.l10n.t('Tags'), markdownText(run.tags.join(', '), 80)]);
  const lineage = overview?.lineage ?? (run.forkedFrom ? [run.forkedFrom] : []);
  if (lineage.length > 0) {
    rows.push([
      vscode.l10n.t('Forked From'),
      lineage.map((f) => `${markdownText(f.runName ?? f.run, 60)}@${f.step} ${code(f.version)}`).join(' ← '),
    ]);
  }
  if (artifacts && artifacts.count > 0) {
    const text = artifacts.count === 1 ? vscode.l10n.t('1 artifact') : vscode.l10n.t('{0} artifacts', artifacts.count);
    rows.push([vscode.l10n.t('Artifacts'), markdownText(artifacts.checkpoints > 0 ? vscode.l10n.t('{0}, {1} checkpoint(s)', text, artifacts.checkpoints) : text)]);
  }
  md.appendMarkdown(table(rows, ['', '']));

  // A hover is at most half the window high: one line of metrics, a line of notes, and a pointer to
  // the chart panel's overview, which has the rest.
  if (overview) {
    const metrics = topMetrics(overview.summary, run.headline?.key);
    if (metrics.length > 0) {
      const line = metrics.map(([k, value]) => `${markdownText(k, 40)} ${markdownText(value, 24)}`).join(' · ');
      md.appendMarkdown(`\n\n**${markdownText(vscode.l10n.t('Top metrics:'))}** ${line}`);
    }
  }
  if (run.notes) md.appendMarkdown(`\n\n${markdownText(run.notes, 120)}`);
  if (overview) md.appendMarkdown(`\n\n*${markdownText(vscode.l10n.t('Every summary metric and config value is in the overview: Open Charts.'))}*`);
  return md;
}

/** The summary entries a hover has room for, numbers first: the headline, losses, then by name. */
export function topMetrics(
  summary: Readonly<Record<string, SummaryValue>>,
  headline: string | undefined,
): [string, string][] {
  const entries = Object.entries(summary).filter(([k]) => !k.startsWith('_'));
  const rank = ([k, value]: [string, SummaryValue]): number =>
    k === headline ? 0 : typeof value === 'number' && /loss/i.test(k) ? 1 : typeof value === 'number' ? 2 : 3;
  entries.sort((a, b) => rank(a) - rank(b) || a[0].localeCompare(b[0]));
  return entries.slice(0, TOP_METRICS).map(([k, value]): [string, string] => [k, typeof value === 'number' ? formatNumber(value) : String(value)]);
}

function stateText(v: { readonly state: RunInfo['state']; readonly exitCode?: number | null }): string {
  const label = stateLabel(v.state);
  return v.exitCode !== undefined && v.exitCode !== null && v.state !== 'running' ? `${label} (exit ${v.exitCode})` : label;
}

/** Cells are escaped by the caller; the table only lays them out. */
function table(rows: readonly (readonly [string, string])[], header: readonly [string, string]): string {
  const lines = [`| ${header[0] || ' '} | ${header[1] || ' '} |`, '|---|---|'];
  for (const [a, b] of rows) lines.push(`| ${a} | ${b} |`);
  return lines.join('\n');
}

/** Ids match [A-Za-z0-9_-] by protocol, but a backtick-free check keeps a hostile one inert anyway. */
function code(id: string): string {
  return /^[A-Za-z0-9_-]+$/.test(id) ? `\`${id}\`` : markdownText(id);
}
