"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.queryLines = queryLines;
exports.versionsOf = versionsOf;
exports.keysOf = keysOf;
exports.appendsSince = appendsSince;
exports.csvCell = csvCell;
exports.toCsv = toCsv;
/** A typed array that owns exactly its bytes, so postMessage does not ship a larger backing buffer. */
function compact(a) {
    return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}
function toLineData(series, range) {
    return {
        version: series.version,
        steps: compact(series.steps),
        values: compact(series.values),
        ...(series.times ? { times: compact(series.times) } : {}),
        total: series.total,
        exact: series.exact,
        segments: series.segments,
        nonFinite: series.nonFinite,
        ...(range ? { range } : {}),
    };
}
async function queryLines(store, key, lines, buckets, withTimes) {
    return Promise.all(lines.map(async (line) => toLineData(await store.downsample(line.version, key, buckets, line.range, withTimes), line.range)));
}
/** Every version a panel's runs can draw: live and archived versions, and versions opened on their own. */
function versionsOf(runs) {
    const out = new Set();
    for (const run of runs) {
        out.add(run.version.id);
        for (const v of run.versions)
            out.add(v.id);
    }
    return out;
}
/** The union of the metric keys of every version drawn, sorted by key. */
async function keysOf(store, versions) {
    const merged = new Map();
    const lists = await Promise.all([...versions].map((v) => store.metricKeys(v)));
    for (const list of lists) {
        for (const k of list) {
            const seen = merged.get(k.key);
            merged.set(k.key, seen ? { key: k.key, points: Math.max(seen.points, k.points), numeric: seen.numeric || k.numeric } : k);
        }
    }
    return [...merged.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
const APPEND_LIMIT = 5000;
/** The points a live version logged after `afterStep`, per key, read from its history in one call. */
async function appendsSince(store, version, afterStep, withTimes) {
    const table = await store.history(version, { range: { from: afterStep + 1 }, limit: APPEND_LIMIT });
    const items = [];
    const n = table.rows.length;
    table.columns.forEach((key, c) => {
        const steps = [];
        const values = [];
        const times = [];
        for (const row of table.rows) {
            const v = row.cells[c];
            if (typeof v !== 'number' || !Number.isFinite(v))
                continue;
            steps.push(row.step);
            values.push(v);
            times.push(row.time);
        }
        if (steps.length === 0)
            return;
        items.push({
            version,
            key,
            steps: Float64Array.from(steps),
            values: Float64Array.from(values),
            ...(withTimes ? { times: Float64Array.from(times) } : {}),
        });
    });
    return { items, overflow: table.total > n, lastStep: n > 0 ? table.rows[n - 1].step : afterStep };
}
/** A CSV cell: quoted when needed, and text that a spreadsheet would run as a formula made inert. */
function csvCell(text) {
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
/** One row per step, one column per line (empty where a line has no value at that step). */
function toCsv(lines) {
    const stepSet = new Set();
    for (const l of lines)
        for (const s of l.series.steps)
            stepSet.add(s);
    const steps = [...stepSet].sort((a, b) => a - b);
    const columns = lines.map((l) => {
        const m = new Map();
        l.series.steps.forEach((s, i) => m.set(s, l.series.values[i]));
        return m;
    });
    const out = [['step', ...lines.map((l) => csvCell(l.label))].join(',')];
    for (const step of steps) {
        const cells = columns.map((m) => {
            const v = m.get(step);
            return v === undefined ? '' : Number.isNaN(v) ? 'NaN' : String(v);
        });
        out.push([String(step), ...cells].join(','));
    }
    return out.join('\n') + '\n';
}
//# sourceMappingURL=chartData.js.map