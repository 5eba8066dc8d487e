// Queries: what the UI and the command line read from the run store — visible histories assembled
// from a version's lineage, series (whole or min/max downsampled), history tables, metric keys,
// summaries, headlines and run overviews. Read-only: store.ts holds the state and its verbs. One file
// (about 530 lines) because every query walks the same lineage segments over the same chunks; what a run
// recorded besides metrics (console, system metrics, metadata) is in recordingQueries.ts.
import type { CellValue, ForkedFrom, HistoryQuery, HistoryTable, MetricKey, RunInfo, RunOverview, Series, SeriesSegment, StepRange, SummaryValue, VersionInfo } from './api';
import { RecordingQueries } from './recordingQueries';
import { Entry, MARK_BLOCK, ChunkReader, type TimedChunk, SUMMARY_BLOCK, Summary, float64Of, lowerBound, markedSummary, stepsOf, upperBound } from './chunks';
import { CHUNK_SIZE } from './schema';
import { compareKeys } from '../shared/keys';
import { downsampleM4 } from './downsample';
import type { Row } from './sqlite';
import { KeyKind } from './seriesAppender';
import type { RunRow, RunStore, VersionRow } from './store';
import { define } from './values';

/** A part of a visible history: rows of `version` with from <= step <= to. */
type Segment = SeriesSegment;

export interface ChunkVisitor {
  (steps: Float64Array, values: Float64Array, start: number, end: number): void;
}

type Run = Readonly<RunRow>;
type Version = Readonly<VersionRow>;
/** A key's last value in a visible history, and its step. */
type Found = { step: number; value: SummaryValue };

export class RunQueries {
  /** Console lines, system metrics and metadata: their own tables, their own module. */
  readonly recordings: RecordingQueries;

  constructor(private readonly store: RunStore) {
    this.recordings = new RecordingQueries(store);
  }

  // -------------------------------------------------------------------------------------------
  // Lineage

  /** The versions whose rows make up `version`'s visible history, oldest first, empty ones left out. */
  segments(version: string): Segment[] {
    return this.store.segments(version);
  }

  /** The lineage segments of a visible history that overlap [lo, hi], each with its clipped range. */
  private clipped(version: string, lo: number, hi: number): [Segment, number, number][] {
    const out: [Segment, number, number][] = [];
    for (const seg of this.segments(version)) {
      const a = Math.max(lo, seg.from);
      const b = Math.min(hi, seg.to);
      if (a <= b) out.push([seg, a, b]);
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Series and history

  /** Visits the stored chunks of one key's visible history within [lo, hi], in step order. */
  forEachPoint(version: string, keyId: number, lo: number, hi: number, visit: ChunkVisitor): void {
    for (const [seg, a, b] of this.clipped(version, lo, hi)) {
      const span = this.pointSpan(seg.version, keyId, a, b);
      if (span) this.visitChunks(POINTS_BETWEEN, [seg.version, keyId, span[0], span[1]], a, b, visit);
    }
  }

  /** Visits the step index (steps and times) of a visible history within [lo, hi]. */
  forEachStep(version: string, lo: number, hi: number, visit: ChunkVisitor): void {
    for (const [seg, a, b] of this.clipped(version, lo, hi)) {
      const span = this.stepSpan(seg.version, a, b);
      if (span) this.visitChunks(STEPS_BETWEEN, [seg.version, span[0], span[1]], a, b, visit);
    }
  }

  /** Visits the chunks a query returns (first_step, n, steps and a Float64 blob), each cut to [a, b]. */
  private visitChunks(sql: string, params: Row, a: number, b: number, visit: ChunkVisitor): void {
    this.store.db.each(sql, params, (r) => {
      const steps = stepsOf(r[1] as Uint8Array | null, r[0] as number, r[2] as number);
      const start = lowerBound(steps, a);
      const end = upperBound(steps, b);
      if (end > start) visit(steps, float64Of(r[3] as Uint8Array), start, end);
    });
  }

  /**
   * The first and last chunk of a version's points of a key that overlap [a, b]: two lookups in the
   * last-step index (steps ascend chunk after chunk), not a walk from the first chunk.
   */
  private pointSpan(version: string, keyId: number, a: number, b: number): [number, number] | undefined {
    return span(this.store.db.get(POINT_AT, [version, keyId, a]), () => this.store.db.get(POINT_AT, [version, keyId, finiteOr(b)]), () => this.store.db.get(POINT_LAST, [version, keyId]), b);
  }

  /** The first and last chunk of a version's step index that overlap [a, b]. */
  private stepSpan(version: string, a: number, b: number): [number, number] | undefined {
    return span(this.store.db.get(STEP_AT, [version, a]), () => this.store.db.get(STEP_AT, [version, finiteOr(b)]), () => this.store.db.get(STEP_LAST, [version]), b);
  }

  series(version: string, key: string, range: StepRange | undefined, withTimes: boolean): Series {
    this.store.requireVersion(version);
    const keyId = this.store.lookupKey(key);
    const pieces: Piece[] = [];
    const counter = new NonFiniteCounter();
    const [lo, hi] = bounds(range);
    if (keyId !== undefined) {
      this.forEachPoint(version, keyId, lo, hi, (s, v, a, b) => {
        pieces.push([s, v, a, b]);
        counter.add(v, a, b);
      });
    }
    const [steps, values] = concat(pieces);
    return this.finishSeries(version, key, steps, values, steps.length, true, counter, withTimes);
  }

  /**
   * Min/max downsampling in one pass: the step extent comes from index lookups; each chunk inside one
   * bucket is taken from its summary (point_summaries, SUMMARY_BLOCK chunks to a row), and only the
   * chunks a bucket edge, the range or a lineage cut splits — and the last, unsealed one — are read,
   * one at a time and let go, and of those only the blocks of 64 points that are cut are visited point
   * by point (the others from the chunk's marks). So the cost follows the buckets drawn and memory holds
   * only the answer. A range small enough to come back whole is read again as points.
   */
  downsample(version: string, key: string, buckets: number, range: StepRange | undefined, withTimes: boolean): Series {
    this.store.requireVersion(version);
    const keyId = this.store.lookupKey(key);
    const [lo, hi] = bounds(range);
    const extent = keyId === undefined ? undefined : this.extent(version, keyId, lo, hi);
    if (keyId === undefined || !extent) return this.series(version, key, range, withTimes);
    const counter = new NonFiniteCounter();
    const db = this.store.db;
    // Chunks read as points are read into buffers kept for this call: each is let go before the next.
    const reader = new ChunkReader(db);
    const block = new Float64Array(Summary.Length);
    const result = downsampleM4(buckets, extent[0], extent[1], (visit, whole, fits) => {
      for (const [seg, a, b] of this.clipped(version, lo, hi)) {
        const span = this.pointSpan(seg.version, keyId, a, b);
        if (!span) continue;
        const [c0, c1] = span;
        // First the span's summaries, and from them the chunks to read as points: those a bucket edge,
        // the range or a lineage cut splits, and those without an entry (the unsealed last one, a gap).
        const summaries: Float64Array[] = [];
        const bases: number[] = [];
        const cut: number[] = [];
        let next = c0;
        db.each(SUMMARY_BLOCKS, [seg.version, keyId, Math.floor(c0 / SUMMARY_BLOCK), Math.floor(c1 / SUMMARY_BLOCK)], (r) => {
          const base = (r[0] as number) * SUMMARY_BLOCK;
          const data = float64Of(r[1] as Uint8Array);
          summaries.push(data);
          bases.push(base);
          const entries = Math.floor(data.length / Entry.Length);
          for (let i = Math.max(0, c0 - base); i < entries && base + i <= c1; i++) {
            const o = i * Entry.Length;
            if (data[o + Entry.N] === 0) continue;
            const chunk = base + i;
            while (next < chunk) cut.push(next++);
            next = chunk + 1;
            const first = data[o + Entry.First];
            const last = data[o + Entry.Last];
            if (!(first >= a && last <= b && fits(first, last))) cut.push(chunk);
          }
        });
        while (next <= c1) cut.push(next++);
        // Then everything in step order: the whole chunks before each cut one from their summaries.
        let s = 0;
        let i = bases.length > 0 ? Math.max(0, c0 - bases[0]) : 0;
        const wholeBefore = (limit: number): void => {
          for (; s < summaries.length; s++, i = 0) {
            const data = summaries[s];
            const base = bases[s];
            const entries = Math.floor(data.length / Entry.Length);
            for (; i < entries; i++) {
              const chunk = base + i;
              if (chunk >= limit || chunk > c1) return;
              const o = i * Entry.Length;
              const n = data[o + Entry.N];
              const first = data[o + Entry.First];
              const last = data[o + Entry.Last];
              const m = o + Entry.Summary;
              // A cut chunk is not taken (fits says no, or the range cuts it): it comes as points.
              if (n === 0 || !(first >= a && last <= b) || !whole(first, last, n, data, m)) continue;
              counter.nan += data[m + Summary.NaN];
              counter.posInf += data[m + Summary.PosInf];
              counter.negInf += data[m + Summary.NegInf];
            }
          }
        };
        reader.each(seg.version, keyId, cut, (chunk, { steps, values, marks }) => {
          wholeBefore(chunk);
          const start = lowerBound(steps, a);
          const end = upperBound(steps, b);
          if (end <= start) return;
          if (!marks) {
            counter.add(values, start, end);
            visit(steps, values, start, end);
            return;
          }
          // A marked chunk goes block by block: a block inside one bucket (and the range) from its
          // marks, the one a bucket edge or the range cuts from its points.
          for (let k = start - (start % MARK_BLOCK); k < end; k += MARK_BLOCK) {
            const e = Math.min(k + MARK_BLOCK, steps.length);
            const from = Math.max(k, start);
            const to = Math.min(e, end);
            if (from === k && to === e && whole(steps[k], steps[e - 1], e - k, markedSummary(marks, k / MARK_BLOCK, steps, values, block), 0)) {
              counter.nan += block[Summary.NaN];
              counter.posInf += block[Summary.PosInf];
              counter.negInf += block[Summary.NegInf];
              continue;
            }
            counter.add(values, from, to);
            visit(steps, values, from, to);
          }
        });
        wholeBefore(Number.POSITIVE_INFINITY);
      }
    });
    if (result.total <= buckets * 4) return this.series(version, key, range, withTimes);
    return this.finishSeries(version, key, result.steps, result.values, result.total, false, counter, withTimes);
  }

  /** First and last step of one key's visible history within [lo, hi], from the chunk index. */
  private extent(version: string, keyId: number, lo: number, hi: number): [number, number] | undefined {
    let first: number | undefined;
    let last: number | undefined;
    for (const [seg, a, b] of this.clipped(version, lo, hi)) {
      const span = this.pointSpan(seg.version, keyId, a, b);
      if (!span) continue;
      const head = this.store.db.get(POINT_STEPS, [seg.version, keyId, span[0]]);
      const tail = this.store.db.get(POINT_STEPS, [seg.version, keyId, span[1]]);
      if (!head || !tail) continue;
      const hs = stepsOf(head[1] as Uint8Array | null, head[0] as number, head[2] as number);
      const ts = stepsOf(tail[1] as Uint8Array | null, tail[0] as number, tail[2] as number);
      const i = lowerBound(hs, a);
      const j = upperBound(ts, b) - 1;
      if (i >= hs.length || j < 0 || hs[i] > ts[j]) continue;
      first ??= hs[i];
      last = ts[j];
    }
    return first === undefined || last === undefined ? undefined : [first, last];
  }

  private finishSeries(version: string, key: string, steps: Float64Array, values: Float64Array, total: number, exact: boolean, counter: NonFiniteCounter, withTimes: boolean): Series {
    const segments = this.segments(version);
    const series: Series = { version, key, steps, values, total, exact, segments, nonFinite: { nan: counter.nan, posInf: counter.posInf, negInf: counter.negInf } };
    return withTimes ? { ...series, times: this.timesOf(version, steps) } : series;
  }

  /**
   * Wall times of the given (sorted) steps of a version's visible history; NaN where unknown. Each
   * step's chunk is found in the last-step index and read once for all the given steps it holds, so a
   * downsampled answer reads a chunk or two per bucket, not every chunk between its ends.
   */
  timesOf(version: string, steps: Float64Array): Float64Array {
    const out = new Float64Array(steps.length).fill(Number.NaN);
    if (steps.length === 0) return out;
    const reader = new ChunkReader(this.store.db);
    for (const [seg, a, b] of this.clipped(version, steps[0], steps[steps.length - 1])) {
      let i = lowerBound(steps, a);
      const end = upperBound(steps, b);
      // The chunk ends at or after steps[i]: it takes steps[i] and any after it up to its last step.
      const take = (c: TimedChunk): void => {
        const first = c.first;
        const s = c.steps;
        if (!s) {
          const last = first + c.n - 1;
          for (; i < end && steps[i] <= last; i++) {
            const j = steps[i] - first;
            if (j >= 0 && Number.isInteger(j)) out[i] = c.timeAt(j);
          }
          return;
        }
        for (let j = 0; i < end; i++) {
          j = lowerBound(s, steps[i], j);
          if (j === s.length) break;
          if (s[j] === steps[i]) out[i] = c.timeAt(j);
        }
      };
      const span = i < end ? this.stepSpan(seg.version, steps[i], steps[end - 1]) : undefined;
      if (span && end - i < span[1] - span[0] + 1) {
        // Fewer steps than chunks (a downsampled answer): their chunks found in one statement.
        reader.eachStepChunkAt(seg.version, Array.from(steps.subarray(i, end)), take);
        continue;
      }
      // Many steps to a chunk (a whole series): the chunks walked one after another.
      while (i < end) {
        const before = i;
        const c = reader.stepChunkAt(seg.version, steps[i]);
        if (!c) break;
        take(c);
        if (i === before) break;
      }
    }
    return out;
  }

  /**
   * Number of rows of a version with a step below `x` (or at most `x` when `through`): one lookup in
   * the last-step index, since chunk c holds rows c*CHUNK_SIZE onwards (schema.ts CHUNK_SIZE).
   */
  private rank(version: string, x: number, through: boolean): number {
    const c = Number.isFinite(x) ? this.store.db.get(STEP_RANK_AT, [version, x]) : undefined;
    if (!c) {
      const last = this.store.db.get(STEP_LAST, [version]);
      return last ? (last[0] as number) * CHUNK_SIZE + (last[1] as number) : 0;
    }
    const steps = stepsOf(c[3] as Uint8Array | null, c[1] as number, c[2] as number);
    return (c[0] as number) * CHUNK_SIZE + (through ? upperBound(steps, x) : lowerBound(steps, x));
  }

  /** Number of steps in a visible history within [lo, hi]: two index lookups per lineage segment. */
  countSteps(version: string, lo = 0, hi = Number.POSITIVE_INFINITY): number {
    let count = 0;
    for (const [seg, a, b] of this.clipped(version, lo, hi)) count += Math.max(0, this.rank(seg.version, b, true) - this.rank(seg.version, a, false));
    return count;
  }

  /**
   * Steps and times of the rows offset..offset+limit-1 of a visible history within [lo, hi]: each
   * lineage segment's rows are counted from the index, and the page's chunks are found by row number
   * and read alone.
   */
  private stepPage(version: string, lo: number, hi: number, offset: number, limit: number): [number[], number[]] {
    const steps: number[] = [];
    const times: number[] = [];
    let skip = offset;
    for (const [seg, a, b] of this.clipped(version, lo, hi)) {
      if (steps.length >= limit) break;
      const from = this.rank(seg.version, a, false);
      const to = this.rank(seg.version, b, true);
      if (skip >= to - from) {
        skip -= Math.max(0, to - from);
        continue;
      }
      const row = from + skip;
      skip = 0;
      const end = Math.min(to, row + limit - steps.length);
      this.store.db.each(STEPS_BETWEEN, [seg.version, Math.floor(row / CHUNK_SIZE), Math.floor((end - 1) / CHUNK_SIZE)], (r) => {
        const base = (r[4] as number) * CHUNK_SIZE;
        const s = stepsOf(r[1] as Uint8Array | null, r[0] as number, r[2] as number);
        const t = float64Of(r[3] as Uint8Array);
        for (let j = Math.max(row, base) - base, stop = Math.min(end, base + s.length) - base; j < stop; j++) {
          steps.push(s[j]);
          times.push(t[j]);
        }
      });
    }
    return [steps, times];
  }

  /** The keys of a visible history with their point counts, sorted by name. */
  metricKeys(version: string): MetricKey[] {
    this.store.requireVersion(version);
    const keys = new Map<number, { points: number; numeric: boolean }>();
    for (const seg of this.segments(version)) {
      const stats = this.store.db.all('SELECT key, points, last_step, last_kind FROM version_keys WHERE version=?', [seg.version]);
      for (const r of stats) {
        const keyId = r[0] as number;
        let points = r[1] as number;
        if ((r[2] as number) > seg.to) points = this.countPoints(seg.version, keyId, seg.to);
        if (points === 0) continue;
        const entry = keys.get(keyId) ?? { points: 0, numeric: false };
        entry.points += points;
        entry.numeric ||= (r[3] as number) !== KeyKind.String || this.hasNumbers(seg.version, keyId);
        keys.set(keyId, entry);
      }
    }
    return [...keys].map(([id, e]) => ({ key: this.store.keyName(id), points: e.points, numeric: e.numeric })).sort((a, b) => compareKeys(a.key, b.key));
  }

  private countPoints(version: string, keyId: number, cap: number): number {
    let count = 0;
    this.store.db.each('SELECT first_step, last_step, n, steps FROM point_chunks WHERE version=? AND key=? AND first_step<=?', [version, keyId, cap], (r) => {
      if ((r[1] as number) <= cap) count += r[2] as number;
      else count += upperBound(stepsOf(r[3] as Uint8Array | null, r[0] as number, r[2] as number), cap);
    });
    const text = this.store.db.get('SELECT COUNT(*) FROM text_values WHERE version=? AND key=? AND step<=?', [version, keyId, cap]);
    return count + ((text?.[0] as number) ?? 0);
  }

  private hasNumbers(version: string, keyId: number): boolean {
    return this.store.db.get('SELECT 1 FROM point_chunks WHERE version=? AND key=? LIMIT 1', [version, keyId]) !== undefined;
  }

  /** The last value of every key in a visible history, with the version's explicit summary on top. */
  summary(version: string): Record<string, SummaryValue> {
    const v = this.store.requireVersion(version);
    const found = this.lastValues(v).values;
    const out: Record<string, SummaryValue> = {};
    const names = [...found.keys()].map((id) => this.store.keyName(id)).sort(compareKeys);
    for (const name of names) define(out, name, found.get(this.store.lookupKey(name)!)!.value);
    for (const key of Object.keys(v.summary)) {
      const value = v.summary[key];
      if (value === null) delete out[key];
      else define(out, key, toSummaryValue(value));
    }
    return out;
  }

  /**
   * The last value of every key in a version's visible history at or before `step` (a branch diff's
   * values at the branch step): the stored version whose rows the history shows at `step` is found in
   * the lineage, and its inherited values are overlaid with its own rows up to `step`.
   */
  valuesAt(version: string, step: number): Record<string, SummaryValue> {
    this.store.requireVersion(version);
    const segment = this.segments(version).filter((s) => s.from <= step).pop();
    const out: Record<string, SummaryValue> = {};
    if (!segment) return out;
    const anchor = this.store.requireVersion(segment.version);
    const values = new Map(this.inherited(anchor));
    this.overlayOwn(values, anchor, step);
    const names = [...values.keys()].map((id) => this.store.keyName(id)).sort(compareKeys);
    for (const name of names) define(out, name, values.get(this.store.lookupKey(name)!)!.value);
    return out;
  }

  /**
   * The last value (and its step) of every key in a version's visible history, and the keys the version
   * logs itself that are not text. What the version inherits is kept by the store per version, so this
   * costs the version's own keys at any rewind depth: one statement, then the inherited map copied.
   */
  private lastValues(v: Version): { values: Map<number, Found>; own: Set<number> } {
    const values = new Map(this.inherited(v));
    const own = new Set<number>();
    this.overlayOwn(values, v, Number.POSITIVE_INFINITY, own);
    return { values, own };
  }

  /**
   * What a version inherits: the last value of every key in its parent's visible history up to its
   * branch step. Computed from the nearest ancestor whose inheritance is kept, oldest first, each from
   * the one before: a segment's keys are read once per chain, not once per query.
   */
  private inherited(v: Version): ReadonlyMap<number, Found> {
    const kept = this.store.inheritedOf<Found>(v.id);
    if (kept) return kept;
    // Walk up: each step names the version whose rows up to `cap` the one below inherits ("anchor").
    const chain: [version: Version, anchor: Version | undefined, cap: number][] = [];
    const seen = new Set<string>();
    let at: Version | undefined = v;
    while (at && !seen.has(at.id) && !this.store.inheritedOf(at.id)) {
      seen.add(at.id);
      if (at.parent === null || at.branchStep === null) {
        chain.push([at, undefined, 0]);
        break;
      }
      const cap: number = at.branchStep;
      // Versions branched at or after `cap` show none of their own rows at `cap`: their parent's do.
      let anchor = this.store.versions.get(at.parent);
      while (anchor && anchor.parent !== null && anchor.branchStep !== null && cap <= anchor.branchStep && !seen.has(anchor.id)) {
        seen.add(anchor.id);
        anchor = this.store.versions.get(anchor.parent);
      }
      chain.push([at, anchor, cap]);
      at = anchor;
    }
    // Computed here are read from here: the store may let the oldest go while the chain is made.
    const made = new Map<string, ReadonlyMap<number, Found>>();
    for (let i = chain.length - 1; i >= 0; i--) {
      const [version, anchor, cap] = chain[i];
      const values = new Map<number, Found>();
      if (anchor) {
        for (const [key, found] of made.get(anchor.id) ?? this.store.inheritedOf<Found>(anchor.id) ?? []) values.set(key, found);
        this.overlayOwn(values, anchor, cap);
      }
      made.set(version.id, values);
      this.store.keepInherited(version.id, values);
    }
    return made.get(v.id) ?? new Map();
  }

  /** Sets in `values` the last value at or before `cap` of each key `v` logs itself (later steps win over inherited ones). */
  private overlayOwn(values: Map<number, Found>, v: Version, cap: number, own?: Set<number>): void {
    let cut = false;
    for (const r of this.store.db.all('SELECT key, last_step, last_kind, last_num, last_text, last_nan FROM version_keys WHERE version=?', [v.id])) {
      const keyId = r[0] as number;
      if (own && r[2] !== KeyKind.String) own.add(keyId);
      if ((r[1] as number) <= cap) values.set(keyId, { step: r[1] as number, value: statValue(r) });
      else cut = true;
    }
    if (cut) this.overlayCut(values, v.id, cap);
  }

  /**
   * For each key whose last own row is past `cap`: its last value at or before `cap` — the last point of
   * the chunk that holds it, or a later text value. One statement for all of a version's keys (a rewind
   * usually cuts every key its source logged).
   */
  private overlayCut(values: Map<number, Found>, version: string, cap: number): void {
    const sql = `SELECT k.key, k.last_kind, p.first_step, p.n, p.steps, p.vals, t.step, t.value
      FROM version_keys k
      LEFT JOIN point_chunks p ON p.version=k.version AND p.key=k.key
        AND p.chunk=(SELECT chunk FROM point_chunks WHERE version=k.version AND key=k.key AND first_step<=? ORDER BY chunk DESC LIMIT 1)
      LEFT JOIN text_values t ON t.version=k.version AND t.key=k.key
        AND t.step=(SELECT step FROM text_values WHERE version=k.version AND key=k.key AND step<=? ORDER BY step DESC LIMIT 1)
      WHERE k.version=? AND k.last_step>?`;
    this.store.db.each(sql, [cap, cap, version, cap], (r) => {
      let best: Found | undefined;
      if (r[2] !== null) {
        const steps = stepsOf(r[4] as Uint8Array | null, r[2] as number, r[3] as number);
        const i = upperBound(steps, cap) - 1;
        if (i >= 0) {
          const value = float64Of(r[5] as Uint8Array)[i];
          best = { step: steps[i], value: r[1] === KeyKind.Boolean ? value !== 0 : value };
        }
      }
      if (r[6] !== null && (!best || (r[6] as number) > best.step)) best = { step: r[6] as number, value: r[7] as string };
      if (best) values.set(r[0] as number, best);
    });
  }

  /**
   * The headline metric of a version: `preferred` (the user's setting) if its history has it; else a key
   * with "loss" in it, one the version logs itself before an inherited one; else a key the version logs
   * itself; else any key of its history. A fork that only logs `metric` shows `metric`, not a key it
   * merely inherited and will never update.
   */
  headline(version: string, preferred?: string): { key: string; value: number } | null {
    return this.store.memoHeadline(version, () => this.computeHeadline(version, preferred));
  }

  private computeHeadline(version: string, preferred?: string): { key: string; value: number } | null {
    const { values, own } = this.lastValues(this.store.requireVersion(version));
    const numbers = new Map<string, number>();
    for (const [keyId, found] of values) if (typeof found.value === 'number') numbers.set(this.store.keyName(keyId), found.value);
    if (numbers.size === 0) return null;
    const ownNames = new Set([...own].map((id) => this.store.keyName(id)));
    const names = [...numbers.keys()].sort(compareKeys);
    const loss = (n: string): boolean => /loss/i.test(n);
    const key =
      (preferred && numbers.has(preferred) ? preferred : undefined) ??
      names.find((n) => loss(n) && ownNames.has(n)) ??
      names.find(loss) ??
      names.find((n) => ownNames.has(n)) ??
      names[0];
    return { key, value: numbers.get(key)! };
  }

  history(version: string, query: HistoryQuery = {}): HistoryTable {
    this.store.requireVersion(version);
    const [lo, hi] = bounds(query.range);
    const total = this.countSteps(version, lo, hi);
    const limit = Math.max(0, Math.min(query.limit ?? total, total));
    let offset = query.offset ?? 0;
    if (offset < 0) offset = Math.max(0, total + offset);
    const [steps, times] = this.stepPage(version, lo, hi, offset, limit);
    const columns = query.keys ? [...query.keys] : this.metricKeys(version).map((k) => k.key);
    const cells: CellValue[][] = steps.map(() => new Array<CellValue>(columns.length).fill(null));
    if (steps.length > 0) {
      const pageLo = steps[0];
      const pageHi = steps[steps.length - 1];
      columns.forEach((column, c) => {
        const keyId = this.store.lookupKey(column);
        if (keyId === undefined) return;
        const booleans = this.booleanVersions(version, keyId);
        this.forEachPoint(version, keyId, pageLo, pageHi, (s, v, a, b) => {
          let i = lowerBound(steps, s[a]);
          for (let j = a; j < b; j++) {
            while (i < steps.length && steps[i] < s[j]) i++;
            if (steps[i] === s[j]) cells[i][c] = booleans ? v[j] !== 0 : v[j];
          }
        });
        for (const [seg, a, b] of this.clipped(version, pageLo, pageHi)) {
          this.store.db.each('SELECT step, value FROM text_values WHERE version=? AND key=? AND step>=? AND step<=?', [seg.version, keyId, a, finiteOr(b)], (r) => {
            const i = lowerBound(steps, r[0] as number);
            if (steps[i] === r[0]) cells[i][c] = r[1] as string;
          });
        }
      });
    }
    return { version, columns, total, rows: steps.map((step, i) => ({ step, time: times[i], cells: cells[i] })) };
  }

  /** A key reads back as booleans only when every segment of the lineage that holds it logged booleans alone. */
  private booleanVersions(version: string, keyId: number): boolean {
    let booleans = false;
    for (const seg of this.segments(version)) {
      const r = this.store.db.get('SELECT last_kind FROM version_keys WHERE version=? AND key=?', [seg.version, keyId]);
      if (!r) continue;
      if (r[0] !== KeyKind.Boolean) return false;
      booleans = true;
    }
    return booleans;
  }

  // -------------------------------------------------------------------------------------------
  // Runs as the UI sees them


  versionInfo(v: Version): VersionInfo {
    return {
      id: v.id, runId: v.runId, archived: v.archived, kind: v.kind, parent: v.parent, branchStep: v.branchStep,
      state: this.store.stateOf(v), exitCode: v.exitCode, createdAt: v.createdAt, updatedAt: v.updatedAt, endedAt: v.endedAt,
      lastStep: v.lastStep, archivedAt: v.archivedAt,
    };
  }

  versionsOf(runId: string): Version[] {
    const run = this.store.runs.get(runId);
    const all = [...(this.store.versionsOfRun(runId) ?? [])];
    return all.sort((a, b) => {
      if (run && a.id === run.liveVersion) return -1;
      if (run && b.id === run.liveVersion) return 1;
      return (b.archivedAt ?? b.createdAt) - (a.archivedAt ?? a.createdAt) || b.createdAt - a.createdAt;
    });
  }

  runInfo(run: Run, headlineKey?: string): RunInfo {
    const live = this.store.requireVersion(run.liveVersion);
    const versions = this.versionsOf(run.id).map((v) => this.versionInfo(v));
    return {
      id: run.id, project: run.project, name: run.name, state: this.store.stateOf(live), liveVersion: run.liveVersion,
      createdAt: run.createdAt, updatedAt: Math.max(run.updatedAt, live.updatedAt), lastStep: live.lastStep,
      headline: this.headline(live.id, headlineKey), forkedFrom: this.forkedFrom(run), tags: run.tags, notes: run.notes, versions,
    };
  }

  forkedFrom(run: Run): ForkedFrom | null {
    if (run.forkVersion === null || run.forkRun === null || run.forkStep === null) return null;
    return this.refTo(run.forkRun, run.forkVersion, run.forkStep);
  }

  private refTo(runId: string, version: string, step: number): ForkedFrom {
    const source = this.store.runs.get(runId);
    return { run: runId, version, step, runName: source?.name, runDeleted: source ? source.deleted : true };
  }

  overview(run: Run, version: Version, headlineKey?: string): RunOverview {
    const info = this.runInfo(run, headlineKey);
    const lineage: ForkedFrom[] = [];
    let v: Version | undefined = version;
    const seen = new Set<string>();
    while (v && v.parent !== null && v.branchStep !== null && !seen.has(v.id)) {
      seen.add(v.id);
      const parent = this.store.versions.get(v.parent);
      if (!parent) break;
      lineage.push(this.refTo(parent.runId, parent.id, v.branchStep));
      v = parent;
    }
    return {
      ...info,
      state: this.store.stateOf(version),
      lastStep: version.lastStep,
      config: version.config,
      summary: this.summary(version.id),
      version: this.versionInfo(version),
      lineage,
      host: version.host,
      pid: version.pid,
      metadata: this.recordings.metadata(version.id),
    };
  }

}

// The chunk lookups above. *_AT finds the first chunk whose last step is at or after a step (the
// last-step index, schema 8); *_BETWEEN reads chunks by number.
const POINT_AT = 'SELECT chunk, first_step FROM point_chunks WHERE version=? AND key=? AND last_step>=? ORDER BY last_step LIMIT 1';
const POINT_LAST = 'SELECT MAX(chunk) FROM point_chunks WHERE version=? AND key=?';
const POINTS_BETWEEN = 'SELECT first_step, steps, n, vals FROM point_chunks WHERE version=? AND key=? AND chunk BETWEEN ? AND ? ORDER BY chunk';
const POINT_STEPS = 'SELECT first_step, steps, n FROM point_chunks WHERE version=? AND key=? AND chunk=?';
const SUMMARY_BLOCKS = 'SELECT block, data FROM point_summaries WHERE version=? AND key=? AND block BETWEEN ? AND ? ORDER BY block';
const STEP_AT = 'SELECT chunk, first_step FROM step_chunks WHERE version=? AND last_step>=? ORDER BY last_step LIMIT 1';
const STEP_RANK_AT = 'SELECT chunk, first_step, n, steps FROM step_chunks WHERE version=? AND last_step>=? ORDER BY last_step LIMIT 1';
const STEP_LAST = 'SELECT chunk, n FROM step_chunks WHERE version=? ORDER BY chunk DESC LIMIT 1';
const STEPS_BETWEEN = 'SELECT first_step, steps, n, times, chunk FROM step_chunks WHERE version=? AND chunk BETWEEN ? AND ? ORDER BY chunk';

/**
 * The chunks overlapping [a, b], given the first chunk ending at or after a and (asked only then) the
 * first ending at or after b, and the last chunk: [first, last] chunk numbers, or undefined.
 */
function span(atA: Row | undefined, atB: () => Row | undefined, last: () => Row | undefined, b: number): [number, number] | undefined {
  if (!atA) return undefined;
  const c0 = atA[0] as number;
  const r = atB();
  let c1: number;
  if (r) c1 = (r[1] as number) <= b ? (r[0] as number) : (r[0] as number) - 1;
  else c1 = last()?.[0] as number;
  return c1 >= c0 ? [c0, c1] : undefined;
}

type Piece = [steps: Float64Array, values: Float64Array, start: number, end: number];

function concat(pieces: readonly Piece[]): [Float64Array, Float64Array] {
  let total = 0;
  for (const [, , a, b] of pieces) total += b - a;
  const steps = new Float64Array(total);
  const values = new Float64Array(total);
  let at = 0;
  for (const [s, v, a, b] of pieces) {
    steps.set(s.subarray(a, b), at);
    values.set(v.subarray(a, b), at);
    at += b - a;
  }
  return [steps, values];
}

class NonFiniteCounter {
  nan = 0;
  posInf = 0;
  negInf = 0;
  add(values: Float64Array, start: number, end: number): void {
    for (let i = start; i < end; i++) {
      const x = values[i];
      if (x - x === 0) continue;
      if (x !== x) this.nan++;
      else if (x > 0) this.posInf++;
      else this.negInf++;
    }
  }
}

/** A version_keys row's last value (the row's columns from `key, last_step, last_kind, last_num, last_text, last_nan`). */
export function statValue(r: Row): SummaryValue {
  return lastValueOf(r[2] as KeyKind, r[5] === 1, r[3] as number | null, r[4] as string | null);
}

/** A last value from version_keys' columns: text, NaN, a boolean kept as 0/1, or a number. */
export function lastValueOf(kind: KeyKind, nan: boolean, num: number | null, text: string | null): SummaryValue {
  if (kind === KeyKind.String) return text;
  if (nan) return Number.NaN;
  if (kind === KeyKind.Boolean) return num !== 0;
  return num;
}

export function toSummaryValue(value: unknown): SummaryValue {
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  return JSON.stringify(value);
}

export function bounds(range: StepRange | undefined): [number, number] {
  return [range?.from ?? 0, range?.to ?? Number.POSITIVE_INFINITY];
}

/** SQLite compares fine with +Infinity as REAL, but binding a JS Infinity is clearer as a big integer. */
function finiteOr(x: number): number {
  return Number.isFinite(x) ? x : Number.MAX_SAFE_INTEGER;
}

