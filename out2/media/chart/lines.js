"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.assignColors = assignColors;
exports.buildLines = buildLines;
exports.buildMarks = buildMarks;
exports.lineSignature = lineSignature;
exports.labelRows = labelRows;
/** Distinct, colour-blind friendly hues (W&B-like), readable on light and dark backgrounds. */
const PALETTE = [
    '#3b82f6', '#f97316', '#10b981', '#e11d48', '#8b5cf6', '#eab308',
    '#06b6d4', '#ec4899', '#84cc16', '#a16207', '#6366f1', '#14b8a6',
];
/** Hash of a string into [0, n): stable across sessions and panels. */
function hashIndex(text, n) {
    let h = 2166136261;
    for (let i = 0; i < text.length; i++) {
        h ^= text.charCodeAt(i);
        h = Math.imul(h, 16777619);
    }
    return (h >>> 0) % n;
}
/** One colour per entry: hashed from its id, moved to the next free colour on a clash within the panel. */
function assignColors(entries) {
    const used = new Set();
    const colors = new Map();
    for (const entry of entries) {
        let i = hashIndex(entry, PALETTE.length);
        for (let tries = 0; tries < PALETTE.length && used.has(i); tries++)
            i = (i + 1) % PALETTE.length;
        used.add(i);
        colors.set(entry, PALETTE[i]);
    }
    return colors;
}
function shortVersion(id) {
    return id.length > 9 ? id.slice(0, 9) : id;
}
/** The step an archived version's replacement branched at (the smallest, when several did). */
function branchOf(archived, versions) {
    let best;
    for (const v of versions) {
        if (v.parent === archived.id && v.branchStep !== null && (best === undefined || v.branchStep < best))
            best = v.branchStep;
    }
    return best;
}
function buildLines(entries, runs) {
    const colors = assignColors(entries);
    const lines = [];
    for (const entry of entries) {
        const run = runs.get(entry);
        if (!run)
            continue;
        const color = colors.get(entry) ?? PALETTE[0];
        if (entry !== run.id) {
            // A single (possibly archived) version opened on its own.
            lines.push({
                version: run.version.id,
                runId: run.id,
                runName: run.name,
                entry,
                archived: run.version.archived,
                color,
                from: undefined,
                label: `${run.name} @ ${shortVersion(run.version.id)}${run.version.archived ? ' (archived)' : ''}`,
            });
            continue;
        }
        lines.push({ version: run.liveVersion, runId: run.id, runName: run.name, entry, archived: false, color, from: undefined, label: run.name });
        for (const v of run.versions) {
            if (!v.archived)
                continue;
            lines.push({
                version: v.id,
                runId: run.id,
                runName: run.name,
                entry,
                archived: true,
                color,
                from: branchOf(v, run.versions),
                label: `${run.name} · archived ${shortVersion(v.id)}`,
            });
        }
    }
    return lines;
}
function buildMarks(entries, runs, lines) {
    const marks = [];
    const colorOf = (entry) => lines.find((l) => l.entry === entry)?.color ?? PALETTE[0];
    for (const entry of entries) {
        const run = runs.get(entry);
        if (!run || entry !== run.id)
            continue;
        for (const v of run.versions) {
            if (v.kind === 'rewind' && v.branchStep !== null) {
                marks.push({ step: v.branchStep, kind: 'rewind', runId: run.id, color: colorOf(entry), version: run.liveVersion });
            }
        }
        if (run.forkedFrom) {
            marks.push({ step: run.forkedFrom.step, kind: 'fork', runId: run.id, color: colorOf(entry), version: run.liveVersion });
        }
    }
    return marks;
}
/** A signature of what lines exist, to tell "the points grew" from "the lines changed". */
function lineSignature(lines) {
    return lines.map((l) => `${l.version}:${l.from ?? ''}`).join('|');
}
/**
 * Rows for branch-mark labels placed left to right (sorted by x): each goes on the first of `rows`
 * rows where it starts at least `gap` after the previous label on that row ends; -1 when none has
 * room (the label is left out; the plot's tooltip lists every mark).
 */
function labelRows(labels, gap, rows = 2) {
    const ends = new Array(rows).fill(-Infinity);
    return labels.map(({ x, width }) => {
        const row = ends.findIndex((end) => x >= end + gap);
        if (row >= 0)
            ends[row] = x + width;
        return row;
    });
}
//# sourceMappingURL=lines.js.map