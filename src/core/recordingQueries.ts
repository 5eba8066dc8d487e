// Queries of what a run recorded besides its metrics (protocol 1.1): console lines, system metrics and run
// metadata. They live in their own tables (schema.ts), never in the chunks metric queries read, so a
// million console lines cost nothing to a chart. Read-only, like queries.ts.
import type { ConsoleLine, ConsolePage, ConsoleQuery, SystemMetrics, SystemSeries } from './api';
import { parseLine } from './protocol';
import type { RunMetadata } from './protocol';
import type { RunStore } from './store';
import { compareKeys } from '../shared/keys';
import { isPlainObject } from './values';

export class RecordingQueries {
  constructor(private readonly store: RunStore) {}


  /** The parts of a version's console, oldest first (RunStore.inheritedParts). */
  private consoleParts(version: string): { version: string; cap: number }[] {
    return this.store.inheritedParts(version).reverse();
  }

  /** A page of the lines a version's console shows, in file, record and line order (never re-sorted). */
  consoleLines(version: string, query: ConsoleQuery = {}): ConsolePage {
    this.store.requireVersion(version);
    const parts = this.consoleParts(version).map((part) => ({ ...part, count: this.countConsole(part.version, part.cap) }));
    const total = parts.reduce((sum, part) => sum + part.count, 0);
    let offset = query.offset ?? 0;
    if (offset < 0) offset = Math.max(0, total + offset);
    offset = Math.min(offset, total);
    let want = Math.max(0, Math.min(query.limit ?? total, total - offset));
    const lines: ConsoleLine[] = [];
    let skip = offset;
    for (const part of parts) {
      if (want === 0) break;
      if (skip >= part.count) {
        skip -= part.count;
        continue;
      }
      const inherited = part.version !== version;
      const take = Math.min(want, part.count - skip);
      // A version's own lines are numbered 0, 1, … so its pages are found by key; an inherited part
      // (lines up to a step) is skipped through the step index.
      const rows = Number.isFinite(part.cap)
        ? this.store.db.all('SELECT time, stream, step, text FROM console_lines WHERE version=? AND step<=? ORDER BY seq LIMIT ? OFFSET ?', [part.version, part.cap, take, skip])
        : this.store.db.all('SELECT time, stream, step, text FROM console_lines WHERE version=? AND seq>=? ORDER BY seq LIMIT ?', [part.version, skip, take]);
      for (const r of rows) {
        lines.push({ time: r[0] as number, stream: r[1] === 1 ? 'stderr' : 'stdout', step: r[2] as number, text: r[3] as string, version: part.version, inherited });
      }
      want -= rows.length;
      skip = 0;
    }
    return { version, total, offset, lines };
  }

  private countConsole(version: string, cap: number): number {
    const row = Number.isFinite(cap)
      ? this.store.db.get('SELECT COUNT(*) FROM console_lines WHERE version=? AND step<=?', [version, cap])
      : this.store.db.get('SELECT COALESCE(MAX(seq) + 1, 0) FROM console_lines WHERE version=?', [version]);
    return (row?.[0] as number | undefined) ?? 0;
  }

  /** A version's own system samples as one series per key against wall time; never inherited. */
  systemMetrics(version: string): SystemMetrics {
    this.store.requireVersion(version);
    const columns = new Map<string, { times: number[]; values: number[] }>();
    let samples = 0;
    this.store.db.each('SELECT time, data FROM system_samples WHERE version=? ORDER BY seq', [version], (r) => {
      samples++;
      const time = r[0] as number;
      let data: unknown;
      try {
        data = parseLine(r[1] as string);
      } catch {
        return;
      }
      if (!isPlainObject(data)) return;
      for (const key of Object.keys(data)) {
        const value = data[key];
        if (typeof value !== 'number') continue;
        let column = columns.get(key);
        if (!column) {
          column = { times: [], values: [] };
          columns.set(key, column);
        }
        column.times.push(time);
        column.values.push(value);
      }
    });
    const series: SystemSeries[] = [...columns.keys()].sort(compareKeys).map((key) => {
      const column = columns.get(key)!;
      return { key, times: Float64Array.from(column.times), values: Float64Array.from(column.values) };
    });
    return { version, series, samples };
  }

  /** The metadata of a version's newest writer file that recorded one, or null. */
  metadata(version: string): RunMetadata | null {
    const row = this.store.db.get('SELECT metadata FROM version_metadata WHERE version=?', [version]);
    if (!row) return null;
    try {
      const parsed = parseLine(row[0] as string);
      return isPlainObject(parsed) ? (parsed as RunMetadata) : null;
    } catch {
      return null;
    }
  }
}
