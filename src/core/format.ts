// Plain-data views of the store's answers for JSON, CSV and text output (command line, exports).
// NaN and infinities become the strings "NaN", "Infinity" and "-Infinity" in JSON.
import { writeCsv } from '../shared/csv';
import type { CellValue, HistoryTable, RunInfo, RunOverview, VersionInfo } from './api';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Deep copy with non-finite numbers spelled as strings; anything else JSON-safe as is. */
export function toJson(value: unknown): Json {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) Object.defineProperty(out, key, { value: toJson(v), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return null;
}

export function versionJson(v: VersionInfo, liveVersion: string): Json {
  return toJson({
    id: v.id, live: v.id === liveVersion, archived: v.archived, kind: v.kind, parent: v.parent, branch_step: v.branchStep,
    state: v.state, exit_code: v.exitCode, last_step: v.lastStep, created_at: v.createdAt, archived_at: v.archivedAt, ended_at: v.endedAt,
  });
}

export function runJson(run: RunInfo): Json {
  return toJson({
    id: run.id, version: run.liveVersion, name: run.name, project: run.project, state: run.state, last_step: run.lastStep,
    created_at: run.createdAt, updated_at: run.updatedAt, headline: run.headline, tags: run.tags, notes: run.notes,
    forked_from: run.forkedFrom ? { run: run.forkedFrom.run, version: run.forkedFrom.version, step: run.forkedFrom.step } : null,
    versions: run.versions.map((v) => versionJson(v, run.liveVersion)),
    ...(run.origin ? { origin: { kind: run.origin.kind, path: run.origin.path } } : {}),
  });
}

export function overviewJson(run: RunOverview): Json {
  const base = runJson(run) as { [key: string]: Json };
  return {
    ...base,
    state: run.state,
    shown_version: run.version.id,
    last_step: run.lastStep,
    config: toJson(run.config),
    summary: toJson(run.summary),
    lineage: run.lineage.map((l) => toJson({ run: l.run, version: l.version, step: l.step })),
    host: run.host,
    pid: run.pid,
  };
}

/** One object per step: `_step`, `_timestamp`, then each column that has a value at that step. */
export function historyJson(table: HistoryTable): Json[] {
  return table.rows.map((row) => {
    const out: { [key: string]: Json } = { _step: row.step, _timestamp: toJson(row.time) };
    table.columns.forEach((column, i) => {
      const cell = row.cells[i];
      if (cell !== null) Object.defineProperty(out, column, { value: toJson(cell), enumerable: true, writable: true, configurable: true });
    });
    return out;
  });
}

/** The history as CSV, through the product's one CSV writer (src/shared/csv.ts) and its formula guard. */
export function historyCsv(table: HistoryTable): string {
  return writeCsv(['_step', '_timestamp', ...table.columns], table.rows.map((row) => [row.step, row.time, ...row.cells]));
}

export function cellText(value: CellValue | number): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : String(value);
  return String(value);
}

/** Fixed-width text table; user text is printed as text (control characters made visible). */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  const all = [header, ...rows].map((r) => r.map(clean));
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return `${all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n')}\n`;
}

/**
 * Text for a terminal: control characters (C0 but newline and tab, DEL, C1) and bidirectional overrides
 * are written as `\uXXXX`, so a run name or key cannot move the cursor, retitle the terminal, hide text or
 * reorder a line. Inside JSON strings the same escape is valid JSON for the same character.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
