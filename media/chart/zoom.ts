// Which steps of each line a chart asks the host for: the whole line, or the step range a zoom covers.
// A zoom is in the x axis's units (steps, seconds since the run started, or wall time); the host answers
// in steps, so a zoom on a time axis goes through each line's own times. Pure (no DOM), unit-tested in
// test/unit/chartZoom.test.ts. The same requests serve drawing and every export, so a CSV holds exactly
// the lines the chart shows.
import type { ChartZoom, LineRequest } from '../../src/shared/protocol';

/** What a request needs to know of a drawn line. */
export interface RequestedLine {
  readonly version: string;
  readonly runId: string;
  /** The first step the line is drawn from (an archived version starts at its branch step). */
  readonly from: number | undefined;
}

/** The points of a line already loaded for the whole range: its steps and, on a time axis, times. */
export interface LoadedPoints {
  readonly length: number;
  view(): { readonly steps: Float64Array; readonly times: Float64Array | undefined };
}

/** Room left around a zoom on each side, as a fraction of its width: the line runs off the plot's edges. */
export const ZOOM_PADDING = 0.01;

/** Every line whole: from its first drawn step when it has one. */
export function fullRequests(lines: readonly RequestedLine[]): LineRequest[] {
  return lines.map((l) => (l.from !== undefined ? { version: l.version, range: { from: l.from } } : { version: l.version }));
}

/**
 * Step ranges per line covering `zoom` (padded by ZOOM_PADDING), never before a line's first drawn step.
 * On a time axis each line's loaded times (`full`, its points for the whole range) say which steps fall
 * in the zoom, one point beyond each end included so the line reaches the edges; `relative` times count
 * from the run's start (`startTimes`). Returns null when a time-axis zoom needs `full` and it has not
 * come yet. A line with no step in the zoom is left out.
 */
export function zoomRequests(
  zoom: ChartZoom,
  lines: readonly RequestedLine[],
  full: ReadonlyMap<string, LoadedPoints> | undefined,
  startTimes: ReadonlyMap<string, number>,
): LineRequest[] | null {
  const pad = (zoom.max - zoom.min) * ZOOM_PADDING;
  const requests: LineRequest[] = [];
  for (const l of lines) {
    let from: number;
    let to: number;
    if (zoom.axis === 'step') {
      from = Math.max(0, Math.floor(zoom.min - pad));
      to = Math.max(0, Math.ceil(zoom.max + pad));
    } else {
      if (!full) return null;
      const points = full.get(l.version);
      if (!points) continue;
      const v = points.view();
      const t0 = zoom.axis === 'relative' ? (startTimes.get(l.runId) ?? 0) : 0;
      let lo = -1;
      let hi = -1;
      for (let i = 0; i < points.length; i++) {
        const t = (v.times?.[i] ?? NaN) - t0;
        if (t >= zoom.min - pad && lo < 0) lo = Math.max(0, i - 1);
        if (t <= zoom.max + pad) hi = Math.min(points.length - 1, i + 1);
      }
      if (lo < 0 || hi < lo) continue;
      from = v.steps[lo];
      to = v.steps[hi];
    }
    if (l.from !== undefined) from = Math.max(from, l.from);
    if (to >= from) requests.push({ version: l.version, range: { from, to } });
  }
  return requests;
}

/** The lines a chart shows, as requests: the zoomed ranges when zoomed and known, else every line whole. */
export function shownRequests(
  zoom: ChartZoom | null,
  lines: readonly RequestedLine[],
  full: ReadonlyMap<string, LoadedPoints> | undefined,
  startTimes: ReadonlyMap<string, number>,
): LineRequest[] {
  return (zoom ? zoomRequests(zoom, lines, full, startTimes) : null) ?? fullRequests(lines);
}
