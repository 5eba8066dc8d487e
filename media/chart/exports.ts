// A chart's exports, whichever way they were asked for — a card's PNG/CSV button or "Export Chart as
// PNG/CSV" — since the host asks the webview for both: the PNG of what the chart drew, and the line
// requests of its CSV, which are the requests the chart itself draws from (zoom included).
import type { ChartZoom, LineRequest } from '../../src/shared/protocol';
import { type LoadedPoints, type RequestedLine, shownRequests } from './zoom';

/** What an export needs of the app. */
export interface ExportHost {
  /** Resolves when `key`'s chart has drawn with data; rejects when the chart is not in the grid. */
  whenDrawn(key: string): Promise<void>;
  toPng(key: string): string | undefined;
  zoom(): ChartZoom | null;
  lines(): readonly RequestedLine[];
  fullPoints(key: string): ReadonlyMap<string, LoadedPoints> | undefined;
  startTimes(): ReadonlyMap<string, number>;
}

/** The chart of `key` as a PNG data URL, once it has drawn. */
export async function exportPng(host: ExportHost, key: string): Promise<string> {
  await host.whenDrawn(key);
  const png = host.toPng(key);
  if (!png) throw new Error(`the chart of ${key} has not drawn`);
  return png;
}

/** The lines a CSV of `key` holds: what the chart shows. A time-axis zoom needs the chart's points first. */
export async function exportLines(host: ExportHost, key: string): Promise<LineRequest[]> {
  const zoom = host.zoom();
  if (zoom && zoom.axis !== 'step' && !host.fullPoints(key)) await host.whenDrawn(key);
  return shownRequests(zoom, host.lines(), host.fullPoints(key), host.startTimes());
}
