// How the chart writes values, ticks, x positions and branch marks: values with the product's one number
// formatter (src/shared/format.ts, the same as the tree, prompts and history documents).
import type { XAxisMode } from '../../src/shared/protocol';
import { formatNumber } from '../../src/shared/format';
import type { BranchMark } from './lines';

/** A value in the readout, on an axis or in the overview. */
export function formatValue(v: number): string {
  return formatNumber(v);
}

/**
 * Labels for the y axis ticks. uPlot passes null for ticks it keeps but does not label (the log
 * scale's minor ticks): those get no text.
 */
export function tickLabels(splits: readonly (number | null)[]): string[] {
  return splits.map((v) => (v === null || v === undefined ? '' : formatValue(v)));
}

export function formatDuration(seconds: number): string {
  const s = Math.abs(seconds);
  const sign = seconds < 0 ? '-' : '';
  if (s < 60) return `${sign}${Number(s.toPrecision(3))}s`;
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
  return `${sign}${Math.floor(s / 3600)}h${Math.round((s % 3600) / 60)}m`;
}

/** The text beside a mark: "fork 120", "rewind 150", "ckpt 200". */
export function markLabel(mark: Pick<BranchMark, 'kind' | 'step'>): string {
  return `${mark.kind === 'checkpoint' ? 'ckpt' : mark.kind} ${mark.step}`;
}

export function formatX(x: number, axis: XAxisMode): string {
  if (axis === 'step') return `step ${Math.round(x)}`;
  if (axis === 'relative') return formatDuration(x);
  return new Date(x * 1000).toLocaleString();
}
