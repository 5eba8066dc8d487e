// What one chart draws for its lines, kept free of uPlot and the DOM so it can be tested in plain Node:
// each line's x (step, relative or wall time) and smoothed y, the value a line has at a hovered x, and
// which line a click picks.
import type { SeriesSegment } from '../../src/shared/protocol';
import type { XAxisMode } from '../../src/shared/protocol';
import type { LineSpec } from './lines';
import { EMA_START, type EmaState, emaState, floorIndex, type LinePoints, nearestIndex, smoothEma } from './series';

/** A line as drawn: what hover and click look at. */
export interface DrawnLine {
  readonly spec: LineSpec;
  readonly x: Float64Array;
  readonly steps: Float64Array;
  /** What is drawn (smoothed when smoothing is on). */
  readonly y: Float64Array;
  readonly raw: Float64Array;
  readonly segments: readonly SeriesSegment[];
  /** Where the smoothing stood before this line's first point (its inherited history), when smoothing. */
  readonly seed: EmaState;
}

export interface DrawSettings {
  readonly xAxis: XAxisMode;
  readonly smoothing: number;
  /** Start time (unix seconds) of each run, for the relative-time axis. */
  readonly startTimes: ReadonlyMap<string, number>;
}

/**
 * The drawn lines of a chart, in `lines` order; lines with no points (or no times on a time axis) are left
 * out. An archived line drawn from its branch step continues the smoothing of the line that holds its
 * history before that step, so a version's smoothed curve is the EMA of its whole visible history.
 */
export function buildDrawn(lines: readonly LineSpec[], data: ReadonlyMap<string, LinePoints>, settings: DrawSettings): DrawnLine[] {
  const specs = new Map(lines.map((l) => [l.version, l]));
  const done = new Map<string, DrawnLine | null>();
  const draw = (spec: LineSpec, depth: number): DrawnLine | null => {
    const known = done.get(spec.version);
    if (known !== undefined) return known;
    done.set(spec.version, null);
    const line = drawLine(spec, depth);
    done.set(spec.version, line);
    return line;
  };
  const drawLine = (spec: LineSpec, depth: number): DrawnLine | null => {
    const points = data.get(spec.version);
    if (!points || points.length === 0) return null;
    const v = points.view();
    let x: Float64Array | undefined = v.steps;
    if (settings.xAxis !== 'step') {
      if (!v.times) return null;
      x = v.times;
      if (settings.xAxis === 'relative') {
        const t0 = settings.startTimes.get(spec.runId) ?? v.times[0];
        x = v.times.map((t) => t - t0);
      }
    }
    let seed = EMA_START;
    const source = spec.inheritsFrom !== undefined && depth < 64 ? specs.get(spec.inheritsFrom) : undefined;
    if (settings.smoothing > 0 && source) {
      const before = draw(source, depth + 1);
      if (before) seed = emaState(before.raw, floorIndex(before.steps, before.steps.length, v.steps[0] - 1) + 1, settings.smoothing, before.seed);
    }
    const y = settings.smoothing > 0 ? smoothEma(v.values, settings.smoothing, seed) : v.values;
    return { spec, x, steps: v.steps, y, raw: v.values, segments: points.segments, seed };
  };
  const drawn: DrawnLine[] = [];
  for (const spec of lines) {
    const line = draw(spec, 0);
    if (line) drawn.push(line);
  }
  return drawn;
}

export interface PointValue {
  readonly y: number;
  readonly raw: number;
  readonly step: number;
}

/**
 * The value `line` has at `x` (the hover readout). Before an archived line's first point its value is
 * its inherited history's, which the line it branched into holds; outside a version's steps there is none.
 */
export function valueAt(drawn: readonly DrawnLine[], line: DrawnLine, x: number, axis: XAxisMode, depth = 0): PointValue | null {
  const n = line.x.length;
  if (n === 0 || !Number.isFinite(x)) return null;
  // On the step axis the readout names a whole step: compare at that step.
  const at = axis === 'step' ? Math.round(x) : x;
  if (at < line.x[0]) {
    const source = line.spec.inheritsFrom !== undefined && depth < 64 ? drawn.find((d) => d.spec.version === line.spec.inheritsFrom) : undefined;
    return source ? valueAt(drawn, source, x, axis, depth + 1) : null;
  }
  if (at > line.x[n - 1]) return null;
  const i = nearestIndex(line.x, n, at);
  return { y: line.y[i], raw: line.raw[i], step: line.steps[i] };
}

export interface PickCandidate {
  readonly line: DrawnLine;
  /** Index of the point in the line. */
  readonly i: number;
  /** Distance from the click in CSS pixels. */
  readonly d: number;
}

/**
 * How much nearer (CSS pixels) an archived curve must be than the live one to be picked. Where they
 * touch (at the branch step, or where they run together) a click means the live run: archived versions
 * cannot be rewound, and picking one by a pixel's difference surprised people.
 */
export const PREFER_LIVE_PX = 4;

/** The point a click picks among each line's nearest point: the nearest, but the live curve on a near tie. */
export function choosePick(candidates: readonly PickCandidate[]): PickCandidate | null {
  let best: PickCandidate | null = null;
  let live: PickCandidate | null = null;
  for (const c of candidates) {
    if (!best || c.d < best.d) best = c;
    if (!c.line.spec.archived && (!live || c.d < live.d)) live = c;
  }
  return live && best && live.d <= best.d + PREFER_LIVE_PX ? live : best;
}
