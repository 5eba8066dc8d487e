// Which versions the Media section's cards show and where a card's slider stands: pure functions (no
// DOM), so the unit tests run them in Node.
import type { ChartSelection } from '../../src/shared/protocol';
import type { LineSpec } from './lines';

/** The versions a card shows, one per panel entry: the selected version of its run, else its live one. */
export function shownVersions(lines: readonly LineSpec[], selection: ChartSelection | null): LineSpec[] {
  const byEntry = new Map<string, LineSpec[]>();
  for (const line of lines) byEntry.set(line.entry, [...(byEntry.get(line.entry) ?? []), line]);
  const out: LineSpec[] = [];
  for (const entryLines of byEntry.values()) {
    const selected = selection ? entryLines.find((l) => l.runId === selection.runId && l.version === selection.versionId) : undefined;
    out.push(selected ?? entryLines.find((l) => !l.archived) ?? entryLines[0]);
  }
  return out;
}

/** The index of the last stop at or before `step` (the first stop when every stop is after it). */
export function stopIndex(stops: readonly number[], step: number | null): number {
  if (stops.length === 0) return 0;
  if (step === null) return stops.length - 1;
  let lo = 0;
  let hi = stops.length - 1;
  if (stops[0] > step) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (stops[mid] <= step) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * A table card's sort order of two text cells: as numbers when both are (numbers before text), else as
 * text in natural order (`run2` before `run10`); empty cells are text, so they sort after the numbers.
 */
export function compareCells(a: string, b: string): number {
  const x = a.trim() === '' ? NaN : Number(a);
  const y = b.trim() === '' ? NaN : Number(b);
  if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
  if (Number.isFinite(x) !== Number.isFinite(y)) return Number.isFinite(x) ? -1 : 1;
  return collator.compare(a, b);
}
