// What one chart draws for its lines, kept free of uPlot and the DOM so it can be tested in plain Node:
// each line's x (step, relative or wall time) and smoothed y, the value a line has at a hovered x, and
// which line a click picks.
import type { SeriesSegment } from '../../src/core/api';
import type { XAxisMode } from '../../src/shared/protocol';
import type { LineSpec } from './lines';
import { type LinePoints, nearestIndex, smoothEma } from './series';

/** A line as drawn: what hover and click look at. */
export interface DrawnLine {
  readonly spec: LineSpec;
  readonly x: Float64Array;
  readonly steps: Float64Array;
  /** What is drawn (smoothed when smoothing is on). */
  readonly y: Float64Array;
  readonly raw: Float64Array;
  readonly segments: readonly SeriesSegment[];
}

export interface DrawSettings {
  readonly xAxis: XAxisMode;
  readonly smoothing: number;
  /** Start time (unix seconds) of each run, for the relative-time axis. */
  readonly startTimes: ReadonlyMap<string, number>;
}

/** The drawn lines of a chart, in `lines` order; lines with no points (or no times on a time axis) are left out. */
export function buildDrawn(lines: readonly LineSpec[], data: ReadonlyMap<string, LinePoints>, settings: DrawSettings): DrawnLine[] {
  const drawn: DrawnLine[] = [];
  for (const spec of lines) {
    const points = data.get(spec.version);
    if (!points || points.length === 0) continue;
    const v = points.view();
    let x: Float64Array | undefined = v.steps;
    if (settings.xAxis !== 'step') {
      if (!v.times) continue;
      x = v.times;
      if (settings.xAxis === 'relative') {
        const t0 = settings.startTimes.get(spec.runId) ?? v.times[0];
        x = v.times.map((t) => t - t0);
      }
    }
    const y = settings.smoothing > 0 ? smoothEma(v.values, settings.smoothing) : v.values;
    drawn.push({ spec, x, steps: v.steps, y, raw: v.values, segments: points.segments });
  }
  return drawn;
}

export interface PointValue {
  readonly y: number;
  readonly raw: number;
  readonly step: number;
}

/** The value `line` has at `x` (the hover readout). */
export function valueAt(_drawn: readonly DrawnLine[], line: DrawnLine, x: number, _axis: XAxisMode): PointValue | null {
  const n = line.x.length;
  const i = nearestIndex(line.x, n, x);
  if (i < 0) return null;
  return { y: line.y[i], raw: line.raw[i], step: line.steps[i] };
}

export interface PickCandidate {
  readonly line: DrawnLine;
  /** Index of the point in the line. */
  readonly i: number;
  /** Distance from the click in CSS pixels. */
  readonly d: number;
}

/** The point a click picks among each line's nearest point. */
export function choosePick(candidates: readonly PickCandidate[]): PickCandidate | null {
  let best: PickCandidate | null = null;
  for (const c of candidates) if (!best || c.d < best.d) best = c;
  return best;
}
