// Markdown tooltips of runs and archived versions: ids, state, times, lineage, config and summary —
// W&B's Overview tab in a hover. All user text is escaped; the markdown is never trusted.
import * as vscode from 'vscode';
import type { RunInfo, RunOverview, VersionInfo } from '../core/api';
import { escapeMarkdown, formatNumber, formatTime, stateLabel } from '../format';

const MAX_ENTRIES = 24;

export function runTooltip(run: RunInfo, overview?: RunOverview, version?: VersionInfo): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = false;
  md.supportHtml = false;
  const v = version ?? overview?.version;
  const archived = v?.archived ?? false;
  md.appendMarkdown(`**${escapeMarkdown(run.name)}**`);
  if (archived) md.appendMarkdown(` — ${escapeMarkdown(vscode.l10n.t('archived version'))}`);
  md.appendMarkdown('\n\n');

  const rows: [string, string][] = [
    [vscode.l10n.t('Run ID'), code(run.id)],
    [vscode.l10n.t('Immutable ID'), code(v?.id ?? run.liveVersion)],
    [vscode.l10n.t('Project'), escapeMarkdown(run.project)],
    [vscode.l10n.t('State'), escapeMarkdown(stateText(v ?? run))],
    [vscode.l10n.t('Last step'), String(v?.lastStep ?? run.lastStep ?? '—')],
    [vscode.l10n.t('Created'), escapeMarkdown(formatTime(v?.createdAt ?? run.createdAt))],
    [vscode.l10n.t('Updated'), escapeMarkdown(formatTime(v?.updatedAt ?? run.updatedAt))],
  ];
  if (v?.endedAt) rows.push([vscode.l10n.t('Ended'), escapeMarkdown(formatTime(v.endedAt))]);
  if (v?.archivedAt) rows.push([vscode.l10n.t('Archived'), escapeMarkdown(formatTime(v.archivedAt))]);
  if (overview?.host) rows.push([vscode.l10n.t('Host'), escapeMarkdown(`${overview.host}${overview.pid ? ` (pid ${overview.pid})` : ''}`)]);
  if (run.tags.length > 0) rows.push([vscode.l10n.t('Tags'), escapeMarkdown(run.tags.join(', '))]);
  const lineage = overview?.lineage ?? (run.forkedFrom ? [run.forkedFrom] : []);
  if (lineage.length > 0) {
    rows.push([
      vscode.l10n.t('Forked From'),
      lineage.map((f) => `${escapeMarkdown(f.runName ?? f.run)}@${f.step} ${code(f.version)}`).join(' ← '),
    ]);
  }
  md.appendMarkdown(table(rows, ['', '']));
  if (run.notes) md.appendMarkdown(`\n\n${escapeMarkdown(run.notes, 500)}`);

  if (overview) {
    section(md, vscode.l10n.t('Config'), Object.entries(overview.config).map(([k, value]) => [k, configValue(value)]));
    section(
      md,
      vscode.l10n.t('Summary'),
      Object.entries(overview.summary).map(([k, value]) => [k, typeof value === 'number' ? formatNumber(value) : String(value)]),
    );
  }
  return md;
}

function stateText(v: { readonly state: RunInfo['state']; readonly exitCode?: number | null }): string {
  const label = stateLabel(v.state);
  return v.exitCode !== undefined && v.exitCode !== null && v.state !== 'running' ? `${label} (exit ${v.exitCode})` : label;
}

function section(md: vscode.MarkdownString, title: string, entries: [string, string][]): void {
  if (entries.length === 0) return;
  entries.sort(([a], [b]) => a.localeCompare(b));
  const shown = entries.slice(0, MAX_ENTRIES).map(([k, v]): [string, string] => [escapeMarkdown(k, 60), escapeMarkdown(v, 80)]);
  md.appendMarkdown(`\n\n**${escapeMarkdown(title)}**\n\n`);
  md.appendMarkdown(table(shown, [vscode.l10n.t('key'), vscode.l10n.t('value')]));
  if (entries.length > MAX_ENTRIES) {
    md.appendMarkdown(`\n\n${escapeMarkdown(vscode.l10n.t('…and {0} more', entries.length - MAX_ENTRIES))}`);
  }
}

/** Cells are escaped by the caller; the table only lays them out. */
function table(rows: readonly (readonly [string, string])[], header: readonly [string, string]): string {
  const lines = [`| ${header[0] || ' '} | ${header[1] || ' '} |`, '|---|---|'];
  for (const [a, b] of rows) lines.push(`| ${a} | ${b} |`);
  return lines.join('\n');
}

/** Ids match [A-Za-z0-9_-] by protocol, but a backtick-free check keeps a hostile one inert anyway. */
function code(id: string): string {
  return /^[A-Za-z0-9_-]+$/.test(id) ? `\`${id}\`` : escapeMarkdown(id);
}

function configValue(value: unknown): string {
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
