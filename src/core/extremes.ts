// The lowest and highest finite point of each numeric key over a version's visible history (what the runs
// table's min and max columns show), and the lineage segments that history is made of. The store keeps
// the answer per version in key_extremes (schema 11): the appender widens it point by point, and a
// version whose history it cannot follow that way (a rewind or fork inheriting its source's rows up to
// the branch step, a value replaced within one row) is computed here again from the stored chunks: a
// sealed chunk by its summary (point_summaries), the last chunk by its own min and max, and only a chunk
// a lineage cut crosses (or one holding ±Infinity) from its points. The migration to schema 11 fills
// the table with the same function.
import type { SeriesSegment as Segment } from './api';
import { Entry, SUMMARY_BLOCK, Summary, float64Of, stepsOf } from './chunks';
import { CHUNK_SIZE } from './schema';
import type { Db, Row } from './sqlite';

/** Lowest and highest finite point per key id; a key with none is absent. */
export type Extremes = Map<number, [number, number]>;

/** The lineage fields the segments are made from. */
export interface LineageRow {
  readonly id: string;
  readonly runId: string;
  readonly parent: string | null;
  readonly branchStep: number | null;
}

/**
 * The versions whose rows make up `version`'s visible history, oldest first, empty ones left out: the
 * version's own rows after its branch step, then each ancestor's up to the smallest branch step below it.
 */
export function lineageSegments(lookup: (id: string) => LineageRow | undefined, version: string): Segment[] {
  const out: Segment[] = [];
  let cap = Number.POSITIVE_INFINITY;
  let v = lookup(version);
  const seen = new Set<string>();
  while (v && !seen.has(v.id)) {
    seen.add(v.id);
    const from = v.parent !== null && v.branchStep !== null ? v.branchStep + 1 : 0;
    if (from <= cap) out.push({ version: v.id, runId: v.runId, from, to: cap });
    if (v.parent === null || v.branchStep === null) break;
    cap = Math.min(cap, v.branchStep);
    v = lookup(v.parent);
  }
  return out.reverse();
}

/** What a stored piece of one key's points says about its extremes, and which steps it covers. */
interface Extent {
  readonly key: number;
  readonly chunk: number;
  readonly first: number;
  readonly last: number;
  /** Lowest and highest finite point; lo > hi when it has none. */
  readonly lo: number;
  readonly hi: number;
  /** False when lo/hi cannot be used (a chunk holding ±Infinity): its points are read. */
  readonly exact: boolean;
}

/** Extents already read, by version: a migration over a rewind chain reads each ancestor once. */
export type ExtentCache = Map<string, Extent[]>;

/** The stored pieces of one version's own points (sealed chunks' summaries and the last chunks). */
function extentsOf(db: Db, version: string, cache?: ExtentCache): Extent[] {
  const kept = cache?.get(version);
  if (kept) return kept;
  const out: Extent[] = [];
  db.each('SELECT key, block, data FROM point_summaries WHERE version=?', [version], (r: Row) => {
    const key = r[0] as number;
    const base = (r[1] as number) * SUMMARY_BLOCK;
    const data = float64Of(r[2] as Uint8Array);
    for (let i = 0; i + 1 <= data.length / Entry.Length; i++) {
      const o = i * Entry.Length;
      if (data[o + Entry.N] === 0) continue;
      const m = o + Entry.Summary;
      // The first finite step is NaN when no point of the chunk is finite.
      const any = data[m + Summary.FirstStep] === data[m + Summary.FirstStep];
      out.push({ key, chunk: base + i, first: data[o + Entry.First], last: data[o + Entry.Last], lo: any ? data[m + Summary.MinVal] : 1, hi: any ? data[m + Summary.MaxVal] : 0, exact: true });
    }
  });
  // vmin/vmax sit after the value blob: read only for the last, small chunk, never a sealed one's.
  db.each('SELECT key, chunk, first_step, last_step, vmin, vmax FROM point_chunks WHERE version=? AND n < ?', [version, CHUNK_SIZE], (r: Row) => {
    const lo = r[4] as number | null;
    const hi = r[5] as number | null;
    const none = lo === null || hi === null;
    const exact = none || (Number.isFinite(lo) && Number.isFinite(hi));
    out.push({ key: r[0] as number, chunk: r[1] as number, first: r[2] as number, last: r[3] as number, lo: none ? 1 : lo, hi: none ? 0 : hi, exact });
  });
  cache?.set(version, out);
  return out;
}

/** Lowest and highest finite point per key of the history these segments make, from the stored chunks. */
export function extremesOfSegments(db: Db, segments: readonly Segment[], cache?: ExtentCache): Extremes {
  const out: Extremes = new Map();
  const note = (key: number, lo: number, hi: number): void => {
    const seen = out.get(key);
    if (!seen) out.set(key, [lo, hi]);
    else {
      if (lo < seen[0]) seen[0] = lo;
      if (hi > seen[1]) seen[1] = hi;
    }
  };
  for (const seg of segments) {
    for (const e of extentsOf(db, seg.version, cache)) {
      if (e.first > seg.to || e.last < seg.from) continue;
      if (e.exact && e.first >= seg.from && e.last <= seg.to) {
        if (e.lo <= e.hi) note(e.key, e.lo, e.hi);
        continue;
      }
      const p = db.get('SELECT first_step, n, steps, vals FROM point_chunks WHERE version=? AND key=? AND chunk=?', [seg.version, e.key, e.chunk]);
      if (!p) continue;
      const steps = stepsOf(p[2] as Uint8Array | null, p[0] as number, p[1] as number);
      const values = float64Of(p[3] as Uint8Array);
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < steps.length; i++) {
        const v = values[i];
        if (steps[i] < seg.from || steps[i] > seg.to || v - v !== 0) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (lo <= hi) note(e.key, lo, hi);
    }
  }
  return out;
}

/**
 * A version's extremes as key_extremes stores them: one row per version, its keys as Float64 triples
 * (key, lo, hi), so a table of 10,000 runs reads 10,000 small blobs, not a row per key.
 */
export function encodeExtremes(extremes: Extremes): Uint8Array {
  const data = new Float64Array(extremes.size * 3);
  let o = 0;
  for (const [key, [lo, hi]] of extremes) {
    data[o++] = key;
    data[o++] = lo;
    data[o++] = hi;
  }
  return new Uint8Array(data.buffer);
}

export function decodeExtremes(blob: Uint8Array): Extremes {
  const data = float64Of(blob);
  const out: Extremes = new Map();
  for (let o = 0; o + 2 < data.length; o += 3) out.set(data[o], [data[o + 1], data[o + 2]]);
  return out;
}

/** Replaces what key_extremes holds for a version. */
export function storeExtremes(db: Db, version: string, extremes: Extremes): void {
  if (extremes.size === 0) db.run('DELETE FROM key_extremes WHERE version=?', [version]);
  else db.run('INSERT OR REPLACE INTO key_extremes (version, data) VALUES (?,?)', [version, encodeExtremes(extremes)]);
}

/** What key_extremes holds for a version. */
export function readExtremes(db: Db, version: string): Extremes {
  const row = db.get('SELECT data FROM key_extremes WHERE version=?', [version]);
  return row ? decodeExtremes(row[0] as Uint8Array) : new Map();
}

/** Schema 11's migration: every version's extremes computed from its stored chunks. */
export function fillExtremes(db: Db): void {
  const versions = new Map<string, LineageRow>();
  db.each('SELECT id, run_id, parent, branch_step FROM versions', [], (r: Row) => {
    versions.set(r[0] as string, { id: r[0] as string, runId: r[1] as string, parent: r[2] as string | null, branchStep: r[3] as number | null });
  });
  const cache: ExtentCache = new Map();
  for (const id of versions.keys()) storeExtremes(db, id, extremesOfSegments(db, lineageSegments((v) => versions.get(v), id), cache));
}
