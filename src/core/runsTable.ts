// The runs table (issue 16): one row per run and per archived version, with the run's facts, its config
// flattened to dotted keys and, per summary metric, the last value and the lowest and highest point of
// the visible history. Min and max come from the summaries stored beside each point chunk (chunks.ts
// `Summary`), so a long history costs one small blob per 1,024 points; only a chunk a lineage cut crosses,
// or one stored before summaries existed, has its points read.
import type { CellValue, MetricStats, RunsTable, RunsTableQuery, RunsTableRow } from './api';
import { Summary, float64Of, stepsOf } from './chunks';
import { compareKeys } from '../shared/keys';
import type { RunQueries } from './queries';
import type { RunRow, RunStore, VersionRow } from './store';
import { define, forEachLeaf } from './values';

type Run = Readonly<RunRow>;
type Version = Readonly<VersionRow>;

export class RunsTableQueries {
  constructor(
    private readonly store: RunStore,
    private readonly queries: RunQueries,
  ) {}

  /** Every run (not deleted) in creation order, with its archived versions as child rows. */
  table(query: RunsTableQuery = {}): RunsTable {
    const runs = [...this.store.runs.values()].filter((r) => !r.deleted && (query.project === undefined || r.project === query.project)).sort((a, b) => a.seq - b.seq);
    const configKeys = new Set<string>();
    const summaryKeys = new Set<string>();
    const rows: RunsTableRow[] = [];
    for (const run of runs) {
      const live = this.store.versions.get(run.liveVersion);
      if (!live) continue;
      const archived = this.queries.versionsOf(run.id).filter((v) => v.id !== live.id).map((v) => this.row(run, v, []));
      const row = this.row(run, live, archived);
      for (const r of [row, ...archived]) {
        for (const key of Object.keys(r.config)) configKeys.add(key);
        for (const key of Object.keys(r.summary)) summaryKeys.add(key);
      }
      rows.push(row);
    }
    return { rows, configKeys: [...configKeys].sort(compareKeys), summaryKeys: [...summaryKeys].sort(compareKeys), total: rows.length };
  }

  private row(run: Run, version: Version, versions: RunsTableRow[]): RunsTableRow {
    const live = !version.archived;
    const end = version.endedAt ?? version.lastSeen ?? version.updatedAt;
    return {
      id: run.id,
      version: version.id,
      archived: version.archived,
      name: run.name,
      state: this.store.stateOf(version),
      project: run.project,
      group: run.group ?? null,
      tags: run.tags,
      notes: run.notes,
      createdAt: live ? run.createdAt : version.createdAt,
      duration: Math.max(0, end - version.createdAt),
      lastStep: version.lastStep,
      forkedFrom: live ? this.queries.forkedFrom(run) : null,
      parent: version.parent,
      branchStep: version.branchStep,
      config: flatConfig(version.config),
      summary: this.summaryStats(version.id),
      versions,
    };
  }

  /** The summary of a version (last values, explicit ones on top) with min and max of each numeric key. */
  summaryStats(version: string): Record<string, MetricStats> {
    const last = this.queries.summary(version);
    const extremes = this.extremes(version);
    const out: Record<string, MetricStats> = {};
    for (const key of Object.keys(last)) {
      const value = last[key];
      const keyId = this.store.lookupKey(key);
      const found = typeof value === 'boolean' || keyId === undefined ? undefined : extremes.get(keyId);
      define(out, key, { last: value, min: found ? found[0] : null, max: found ? found[1] : null } satisfies MetricStats);
    }
    return out;
  }

  /**
   * Lowest and highest finite point per key of a version's visible history: each lineage segment's chunks
   * are taken from their stored summaries when they lie inside the segment, else read point by point.
   */
  extremes(version: string): Map<number, [number, number]> {
    const out = new Map<number, [number, number]>();
    const note = (key: number, lo: number, hi: number): void => {
      const seen = out.get(key);
      if (!seen) out.set(key, [lo, hi]);
      else {
        if (lo < seen[0]) seen[0] = lo;
        if (hi > seen[1]) seen[1] = hi;
      }
    };
    const db = this.store.db;
    for (const seg of this.queries.segments(version)) {
      const to = Number.isFinite(seg.to) ? seg.to : Number.MAX_SAFE_INTEGER;
      db.each('SELECT key, chunk, first_step, last_step, n, summary FROM point_chunks WHERE version=? AND first_step<=? AND last_step>=?', [seg.version, to, seg.from], (r) => {
        const key = r[0] as number;
        const first = r[2] as number;
        const last = r[3] as number;
        const summary = r[5] as Uint8Array | null;
        if (summary && first >= seg.from && last <= seg.to) {
          const m = float64Of(summary);
          // The first step is NaN when no point of the chunk is finite.
          if (m[Summary.FirstStep] === m[Summary.FirstStep]) note(key, m[Summary.MinVal], m[Summary.MaxVal]);
          return;
        }
        const p = db.get('SELECT steps, vals FROM point_chunks WHERE version=? AND key=? AND chunk=?', [seg.version, key, r[1] as number])!;
        const steps = stepsOf(p[0] as Uint8Array | null, first, r[4] as number);
        const values = float64Of(p[1] as Uint8Array);
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        for (let i = 0; i < steps.length; i++) {
          const v = values[i];
          if (steps[i] < seg.from || steps[i] > seg.to || v - v !== 0) continue;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        if (lo <= hi) note(key, lo, hi);
      });
    }
    return out;
  }
}

/** Config flattened to dotted keys (as W&B's table shows nested config); arrays and other values as JSON text. */
export function flatConfig(config: Record<string, unknown>): Record<string, CellValue> {
  const out: Record<string, CellValue> = {};
  forEachLeaf(config, (key, value) => define(out, key, cellOf(value)));
  return out;
}

function cellOf(value: unknown): CellValue {
  if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value === undefined) return null;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

