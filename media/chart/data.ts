// The chart webview's points: per chart, the lines' points over their whole range and, while zoomed,
// over the zoom at full resolution; asked of the host (request/reply), dropped when an answer comes
// for lines or a zoom that changed meanwhile, grown by live appends, and fetched again when appends
// or a wider chart make a fresh downsample worth it.
import type { ChartZoom, LineAppend, LineRequest, ToWebview, XAxisMode } from '../../src/shared/protocol';
import { PendingReplies } from '../../src/shared/rpc';
import type { LineSpec } from './lines';
import { LinePoints } from './series';
import { type RequestedLine, fullRequests, zoomRequests } from './zoom';

export type Points = Map<string, LinePoints>;
type SeriesReply = Extract<ToWebview, { type: 'series' }>;

/** Points per line beyond which live appends trigger a fresh downsample (a few per pixel at most). */
const POINTS_PER_BUCKET_LIMIT = 8;
/** A chart is fetched again at most this often (live appends can ask many times a second). */
const REFETCH_INTERVAL_MS = 1000;

/** What the cache needs of the app. */
export interface DataHost {
  /** The x axis and zoom now, or null before the init. */
  view(): { readonly xAxis: XAxisMode; readonly zoom: ChartZoom | null } | null;
  lines(): readonly LineSpec[];
  /** Changes when the drawn lines change (a rewind, a fork): answers for older lines are dropped. */
  linesSignature(): string;
  /** The plot width of `key`'s chart in CSS px (the buckets to ask for), or undefined when it has no chart. */
  plotWidth(key: string): number | undefined;
  startTimes(): ReadonlyMap<string, number>;
  postQuery(requestId: number, key: string, lines: LineRequest[], buckets: number, withTimes: boolean): void;
  /** Points arrived for `key` (`zoom`: the zoomed range's). */
  loaded(key: string, kind: 'full' | 'zoom'): void;
  failed(key: string, error: string): void;
}

export class ChartData {
  private readonly full = new Map<string, Points>();
  private readonly zoomed = new Map<string, Points>();
  private readonly refetchAt = new Map<string, number>();
  /** The host's answers to our queries. */
  readonly replies = new PendingReplies();

  constructor(private readonly host: DataHost) {}

  /** The points to draw for `key`: the zoomed ones while zoomed (once they came), else the whole range. */
  points(key: string, zoomed: boolean): Points | undefined {
    return (zoomed ? this.zoomed.get(key) : undefined) ?? this.full.get(key);
  }

  hasFull(key: string): boolean {
    return this.full.has(key);
  }

  hasZoomed(key: string): boolean {
    return this.zoomed.has(key);
  }

  /** The whole-range points of `key`, which a time-axis zoom needs to find its steps. */
  fullPoints(key: string): Points | undefined {
    return this.full.get(key);
  }

  /** Forgets every chart's points (`zoomOnly`: only the zoomed ones). */
  clear(zoomOnly = false): void {
    this.zoomed.clear();
    if (!zoomOnly) this.full.clear();
  }

  /** Asks the host for a chart's lines: the whole range if not loaded, and the zoomed range when zoomed. */
  request(key: string): void {
    const view = this.host.view();
    const buckets = this.host.plotWidth(key);
    if (!view || buckets === undefined) return;
    const withTimes = view.xAxis !== 'step';
    const lines: readonly RequestedLine[] = this.host.lines();
    if (!this.full.has(key)) void this.query(key, 'full', fullRequests(lines), buckets, withTimes);
    if (view.zoom) {
      const zoom = zoomRequests(view.zoom, lines, this.full.get(key), this.host.startTimes());
      if (zoom) void this.query(key, 'zoom', zoom, buckets, withTimes);
    }
  }

  /** Fetches a chart again from scratch (at most once a second). */
  refetch(key: string): void {
    const now = Date.now();
    if ((this.refetchAt.get(key) ?? 0) > now - REFETCH_INTERVAL_MS) return;
    this.refetchAt.set(key, now);
    this.full.delete(key);
    this.zoomed.delete(key);
    this.request(key);
  }

  /** Adds live points; returns the charts that grew (to redraw). */
  append(items: readonly LineAppend[], stale: readonly string[]): Set<string> {
    const grown = new Set<string>();
    for (const item of items) {
      const line = this.full.get(item.key)?.get(item.version);
      if (!line) {
        if (this.full.get(item.key)) this.refetch(item.key);
        continue;
      }
      if (line.append(item.steps, item.values, item.times) > 0) {
        grown.add(item.key);
        const width = this.host.plotWidth(item.key);
        if (width !== undefined && line.length > POINTS_PER_BUCKET_LIMIT * width) this.refetch(item.key);
      }
    }
    if (stale.length > 0) {
      for (const [key, points] of this.full) if (stale.some((v) => points.has(v))) this.refetch(key);
    }
    return grown;
  }

  private async query(key: string, kind: 'full' | 'zoom', lines: LineRequest[], buckets: number, withTimes: boolean): Promise<void> {
    const asked = this.signature(kind);
    const reply = await this.replies.request<SeriesReply>((id) => this.host.postQuery(id, key, lines, buckets, withTimes));
    // Lines, axis or zoom changed while the host worked: this answer is for a chart no longer shown.
    if (asked !== this.signature(kind)) return;
    if (reply.error) {
      this.host.failed(key, reply.error);
      return;
    }
    const points: Points = new Map();
    for (const line of reply.lines) points.set(line.version, new LinePoints(line));
    if (kind === 'full') {
      this.full.set(key, points);
      // A time-axis zoom needs the whole range's times first to know which steps to ask for.
      const zoom = this.host.view()?.zoom;
      if (zoom && zoom.axis !== 'step' && !this.zoomed.has(key)) this.request(key);
    } else {
      this.zoomed.set(key, points);
    }
    this.host.loaded(key, kind);
  }

  private signature(kind: 'full' | 'zoom'): string {
    const view = this.host.view();
    const zoom = kind === 'zoom' && view?.zoom ? `${view.zoom.axis}:${view.zoom.min}:${view.zoom.max}` : '';
    return `${this.host.linesSignature()}|${view?.xAxis !== 'step'}|${zoom}`;
  }
}
