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
exports.HEADER_LINES = void 0;
exports.renderHistory = renderHistory;
exports.stepAtLine = stepAtLine;
// Lays out a version's history as an aligned plain-text table: one step per line, so the line under
// the cursor names a step. Cells never contain line breaks (user strings are flattened). A version that
// branched from another (a rewind or a fork) gets a last column marking the rows it inherited and the
// branch step, so the table says where this version's own history starts.
const vscode = __importStar(require("vscode"));
const format_1 = require("../format");
const userText_1 = require("../userText");
/** Lines before the first row: two comment lines and the column header. */
exports.HEADER_LINES = 3;
const MAX_CELL = 40;
/**
 * `source` is where the version branched from (the nearest entry of its lineage), when it did: its
 * run name and step head the document and its rows are marked.
 */
function renderHistory(run, version, table, source) {
    const live = version.id === run.liveVersion;
    const shown = table.rows.length;
    const branch = version.branchStep;
    const head1 = `# ${(0, userText_1.singleLine)(run.name, 120)} · ${run.id} · ${version.id} · ${live ? vscode.l10n.t('live') : vscode.l10n.t('archived')}`;
    const steps = shown < table.total
        ? vscode.l10n.t('Showing steps {0} to {1} of {2} ({3} most recent rows); put the cursor on a row to select its step.', table.rows[0]?.step ?? '', table.rows[shown - 1]?.step ?? '', table.total, shown)
        : table.total === 1
            ? vscode.l10n.t('1 step; put the cursor on a row to select its step.')
            : vscode.l10n.t('{0} steps; put the cursor on a row to select its step.', table.total);
    const origin = branch !== null && source
        ? ` ${vscode.l10n.t('Steps up to {0} are inherited from {1}@{0} ({2}); this version logs from step {3}.', branch, (0, userText_1.singleLine)(source.runName ?? source.run, 80), source.version, branch + 1)}`
        : '';
    const head2 = `# ${steps}${origin}`;
    const marks = branch !== null;
    const inherited = vscode.l10n.t('inherited');
    const branchMark = vscode.l10n.t('inherited ◀ branch step');
    const columns = ['_step', '_time', ...table.columns, ...(marks ? [vscode.l10n.t('lineage')] : [])];
    const cells = table.rows.map((row) => [
        String(row.step),
        (0, format_1.formatTime)(row.time),
        ...row.cells.map((c) => {
            const text = (0, format_1.formatCell)(c);
            return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
        }),
        ...(marks ? [row.step === branch ? branchMark : row.step < branch ? inherited : ''] : []),
    ]);
    const widths = columns.map((c, i) => Math.max((0, userText_1.singleLine)(c, MAX_CELL).length, ...cells.map((r) => r[i]?.length ?? 0)));
    // Numbers right-aligned so digits line up; text left-aligned. The time and lineage columns are text.
    const numeric = columns.map((_, i) => i !== 1 && !(marks && i === columns.length - 1) && cells.every((r) => r[i] === '' || /^-?[\d.e+]+$|^-?Infinity$|^NaN$/.test(r[i] ?? '')));
    const line = (values) => values
        .map((v, i) => (numeric[i] ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd();
    const lines = [head1, head2, line(columns.map((c) => (0, userText_1.singleLine)(c, MAX_CELL)))];
    for (const r of cells)
        lines.push(line(r));
    return `${lines.join('\n')}\n`;
}
/** The step on a line of a rendered history, if the line is a row. */
function stepAtLine(text, line) {
    if (line < exports.HEADER_LINES)
        return undefined;
    const match = /^\s*(\d+)(\s|$)/.exec(text);
    return match ? Number(match[1]) : undefined;
}
//# sourceMappingURL=historyTable.js.map