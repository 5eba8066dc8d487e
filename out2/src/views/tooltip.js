"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.runTooltip = runTooltip;
exports.topMetrics = topMetrics;
// Markdown tooltips of runs and archived versions: ids, state, times, lineage and the top metrics — short
// enough to fit a hover; the chart panel's overview has everything. User text goes through
// markdownText; the markdown is never trusted and renders no HTML and no icons.
const vscode = __importStar(require("vscode"));
const format_1 = require("../format");
const userText_1 = require("../userText");
/** Metrics the tooltip shows: the headline first, then losses, then the rest by name. */
const TOP_METRICS = 5;
function runTooltip(run, overview, version) {
    const md = new vscode.MarkdownString(undefined, false);
    md.isTrusted = false;
    md.supportHtml = false;
    const v = version ?? overview?.version;
    const archived = v?.archived ?? false;
    md.appendMarkdown(`**${(0, userText_1.markdownText)(run.name)}**`);
    if (archived)
        md.appendMarkdown(` — ${(0, userText_1.markdownText)(vscode.l10n.t('archived version'))}`);
    md.appendMarkdown('\n\n');
    const rows = [
        [vscode.l10n.t('Run ID'), code(run.id)],
        [vscode.l10n.t('Immutable ID'), code(v?.id ?? run.liveVersion)],
        [vscode.l10n.t('Project'), (0, userText_1.markdownText)(run.project)],
        [vscode.l10n.t('State'), (0, userText_1.markdownText)(stateText(v ?? run))],
        [vscode.l10n.t('Last step'), String(v?.lastStep ?? run.lastStep ?? '—')],
        // The run's creation, as the overview shows it; a version made by a rewind or resume has its own start.
        [vscode.l10n.t('Created'), (0, userText_1.markdownText)((0, format_1.formatTime)(run.createdAt))],
    ];
    if (v && v.createdAt !== run.createdAt)
        rows.push([vscode.l10n.t('This version since'), (0, userText_1.markdownText)((0, format_1.formatTime)(v.createdAt))]);
    const ended = v ? v.endedAt : null;
    if (ended)
        rows.push([vscode.l10n.t('Ended'), (0, userText_1.markdownText)((0, format_1.formatTime)(ended))]);
    else
        rows.push([vscode.l10n.t('Updated'), (0, userText_1.markdownText)((0, format_1.formatTime)(v?.updatedAt ?? run.updatedAt))]);
    if (v?.archivedAt)
        rows.push([vscode.l10n.t('Archived'), (0, userText_1.markdownText)((0, format_1.formatTime)(v.archivedAt))]);
    if (run.tags.length > 0)
        rows.push([vscode.l10n.t('Tags'), (0, userText_1.markdownText)(run.tags.join(', '), 80)]);
    const lineage = overview?.lineage ?? (run.forkedFrom ? [run.forkedFrom] : []);
    if (lineage.length > 0) {
        rows.push([
            vscode.l10n.t('Forked From'),
            lineage.map((f) => `${(0, userText_1.markdownText)(f.runName ?? f.run, 60)}@${f.step} ${code(f.version)}`).join(' ← '),
        ]);
    }
    md.appendMarkdown(table(rows, ['', '']));
    // A hover is at most half the window high: one line of metrics, a line of notes, and a pointer to
    // the chart panel's overview, which has the rest.
    if (overview) {
        const metrics = topMetrics(overview.summary, run.headline?.key);
        if (metrics.length > 0) {
            const line = metrics.map(([k, value]) => `${(0, userText_1.markdownText)(k, 40)} ${(0, userText_1.markdownText)(value, 24)}`).join(' · ');
            md.appendMarkdown(`\n\n**${(0, userText_1.markdownText)(vscode.l10n.t('Top metrics:'))}** ${line}`);
        }
    }
    if (run.notes)
        md.appendMarkdown(`\n\n${(0, userText_1.markdownText)(run.notes, 120)}`);
    if (overview)
        md.appendMarkdown(`\n\n*${(0, userText_1.markdownText)(vscode.l10n.t('Every summary metric and config value is in the overview: Open Charts.'))}*`);
    return md;
}
/** The summary entries a hover has room for, numbers first: the headline, losses, then by name. */
function topMetrics(summary, headline) {
    const entries = Object.entries(summary).filter(([k]) => !k.startsWith('_'));
    const rank = ([k, value]) => k === headline ? 0 : typeof value === 'number' && /loss/i.test(k) ? 1 : typeof value === 'number' ? 2 : 3;
    entries.sort((a, b) => rank(a) - rank(b) || a[0].localeCompare(b[0]));
    return entries.slice(0, TOP_METRICS).map(([k, value]) => [k, typeof value === 'number' ? (0, format_1.formatNumber)(value) : String(value)]);
}
function stateText(v) {
    const label = (0, format_1.stateLabel)(v.state);
    return v.exitCode !== undefined && v.exitCode !== null && v.state !== 'running' ? `${label} (exit ${v.exitCode})` : label;
}
/** Cells are escaped by the caller; the table only lays them out. */
function table(rows, header) {
    const lines = [`| ${header[0] || ' '} | ${header[1] || ' '} |`, '|---|---|'];
    for (const [a, b] of rows)
        lines.push(`| ${a} | ${b} |`);
    return lines.join('\n');
}
/** Ids match [A-Za-z0-9_-] by protocol, but a backtick-free check keeps a hostile one inert anyway. */
function code(id) {
    return /^[A-Za-z0-9_-]+$/.test(id) ? `\`${id}\`` : (0, userText_1.markdownText)(id);
}
//# sourceMappingURL=tooltip.js.map