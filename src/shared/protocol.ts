// Messages between the chart panel's host side (src/panels) and its webview (media/chart), imported by
// both. Each direction is a union of `{ type: … }` messages; a handler map keyed by `type` makes a
// missing handler a compile error, and every message from the webview is validated before the host uses it.
// The webview imports only src/shared: the store's types it needs are re-exported here (a unit test,
// test/unit/chartImports.test.ts, checks that media/ never reaches into src/core).
import { RUN_ID_PATTERN } from './runIds';
import type { MediaKeyInfo, MetricKey, RunOverview, Series, StepRange, SystemMetrics } from '../core/api';

export type { MediaKeyInfo, MetricKey, RunOverview, Series, SeriesSegment, StepRange, SystemMetrics, SystemSeries, VersionInfo } from '../core/api';

/** The panel's view type: `onWebviewPanel:<this>` activates the extension to restore it. */
export const CHART_VIEW_TYPE = 'runRewind.charts';

export type XAxisMode = 'step' | 'relative' | 'wall';

/** The step picked on a chart (or elsewhere, when it concerns a run of this panel). */
export interface ChartSelection {
  readonly runId: string;
  readonly versionId: string;
  readonly step: number;
}

/** Zoom on the x axis, in the units of `axis`. */
export interface ChartZoom {
  readonly axis: XAxisMode;
  readonly min: number;
  readonly max: number;
}

/** What the webview keeps with setState; the serializer restores the panel from it after a reload. */
export interface ChartViewState {
  readonly version: 1;
  /** Store key of the workspace folder the runs live in. */
  readonly folder: string;
  /** Run ids (or immutable version ids) shown, in legend order. */
  readonly runs: readonly string[];
  readonly filter: string;
  readonly zoom: ChartZoom | null;
  /** EMA weight in [0, 0.999]; 0 is off. */
  readonly smoothing: number;
  readonly logScale: boolean;
  readonly xAxis: XAxisMode;
  readonly selection: ChartSelection | null;
  /** Collapsed sections (`prefix/`), and '#overview' when the overview is collapsed. */
  readonly collapsed: readonly string[];
  /** How far the panel is scrolled (CSS px): a hidden tab's webview is rebuilt when shown again. */
  readonly scrollY?: number;
  /** Whether the System section draws archived versions' samples beside the live ones. */
  readonly systemArchived?: boolean;
}

/** One line the webview wants: a version's visible history, optionally only a step range. */
export interface LineRequest {
  readonly version: string;
  readonly range?: StepRange;
}

/** One line's points: the store's series (typed arrays, structured-cloned by postMessage, never JSON
 * arrays of numbers) for the range that was asked. */
export interface LineData extends Omit<Series, 'key'> {
  readonly range?: StepRange;
}

/** Points appended to a line while its run is logging. */
export interface LineAppend {
  readonly version: string;
  readonly key: string;
  readonly steps: Float64Array;
  readonly values: Float64Array;
  readonly times?: Float64Array;
}

/** One drawn chart as the webview reports it. */
export interface ChartDrawnStats {
  readonly key: string;
  readonly lines: number;
  readonly points: number;
  readonly dashed: number;
  /** The y axis tick labels last drawn. */
  readonly yTicks: readonly string[];
  /** The hover readout: `label: value` per line, after the step it is shown for. */
  readonly readout: readonly string[];
  /** The marks drawn inside the plot, left to right: `rewind 150`, `fork 120`, `ckpt 200`. */
  readonly marks: readonly string[];
}

/** One chart of the System section as the webview reports it. */
export interface SystemDrawnStats {
  readonly key: string;
  readonly lines: number;
  readonly points: number;
  readonly dashed: number;
}

/** A media item as the webview gets it: what it shows, never a path (the host opens files itself). */
export interface MediaItemView {
  readonly caption?: string;
  readonly format?: string;
  readonly width?: number;
  readonly height?: number;
  /** Images: the file as a webview URI (under the log directory's media/ folder, built from sha256 and format). */
  readonly src?: string;
  /** Histograms: n+1 bin edges and n counts. */
  readonly bins?: readonly number[];
  readonly counts?: readonly number[];
  /** Tables: the first rows of the file, every cell as text. */
  readonly table?: MediaTableView;
  /** Tables made by `wandb.plot.*`: the chart to draw from the table's columns. */
  readonly chart?: MediaChartHint;
  /** The item has a file the host can open with VS Code (audio, video, html, kinds this version does not draw). */
  readonly file: boolean;
}

/** A table's chart hint as the webview draws it: `x` and `y` name columns (`y` absent for a histogram). */
export interface MediaChartHint {
  readonly type: 'line' | 'scatter' | 'bar' | 'histogram';
  readonly x: string;
  readonly y?: string;
  /** Lines split by this column's value (wandb.plot.line's stroke, line_series' keys). */
  readonly stroke?: string;
  readonly title?: string;
}

export interface MediaTableView {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Rows in the file (more than `rows` holds when it was cut). */
  readonly total: number;
  /** Why the file could not be read ('' when it could). */
  readonly error: string;
}

/** What a version shows for a media key at a step (the store's mediaAt). */
export interface MediaEntryView {
  readonly step: number;
  readonly kind: string;
  /** Logged by an ancestor before the branch step of a rewind or fork. */
  readonly inherited: boolean;
  /** The version that logged it. */
  readonly loggedBy: string;
  readonly items: readonly MediaItemView[];
}

/** One version's row of a media card: its steps with this key, and its entry at the asked step. */
export interface MediaRow {
  readonly version: string;
  readonly steps: readonly number[];
  readonly entry: MediaEntryView | null;
  /** A histogram key's distribution over steps (TensorBoard's and W&B's view), when the key is a histogram. */
  readonly distribution?: HistogramDistribution;
  /** An image key's strip: the first image of each step around the entry's (at most MEDIA_STRIP_STEPS, in step order). */
  readonly strip?: readonly MediaStripItem[];
}

/** One thumbnail of an image strip: a step's first image. */
export interface MediaStripItem {
  readonly step: number;
  /** The image as a webview URI, as MediaItemView.src. */
  readonly src: string;
  readonly caption?: string;
  readonly width?: number;
  readonly height?: number;
  /** Images the step logged (the strip shows the first). */
  readonly count: number;
}

/**
 * Histograms over steps as a grid: `steps.length` columns (at most DISTRIBUTION_COLUMNS, sampled evenly
 * over the logged steps) × `bins` rows of equal width from `lo` to `hi`; `density` is row-major by column,
 * each column's share of its largest cell (0..1, to three decimals).
 */
export interface HistogramDistribution {
  readonly steps: readonly number[];
  readonly lo: number;
  readonly hi: number;
  readonly bins: number;
  readonly density: readonly number[];
}

/** One media card as the webview reports it. */
export interface MediaCardStats {
  readonly key: string;
  readonly kind: string;
  /** The slider's stops (the union of the rows' steps) and the step it stands on (null before an answer). */
  readonly steps: readonly number[];
  readonly step: number | null;
  readonly rows: readonly {
    readonly version: string;
    /** The step of the entry shown (null: none), whether it is inherited, its captions. */
    readonly entryStep: number | null;
    readonly inherited: boolean;
    readonly captions: readonly string[];
    /** Images whose file the webview has loaded (decoded, with a size). */
    readonly images: number;
    readonly bars: number;
    readonly tableRows: number;
    /** Points (or bars) the table's chart drew (0: no chart). */
    readonly chartPoints: number;
    readonly files: number;
    /** Columns (steps) of the histogram distribution drawn (0: none). */
    readonly distribution: number;
    /** The steps of the image strip's thumbnails, and the one marked as shown (null: no strip). */
    readonly strip: readonly number[];
    readonly stripCurrent: number | null;
  }[];
}

/** What the webview reports about itself when asked (tests and diagnostics). */
export interface ChartSnapshot {
  readonly state: ChartViewState;
  /** Keys with a chart in the grid after filtering, in display order. */
  readonly charts: readonly string[];
  /** Charts that have drawn data, with the number of points and lines drawn. */
  readonly drawn: readonly ChartDrawnStats[];
  readonly legend: readonly string[];
  /** What the toolbar offers for the selected step. */
  readonly toolbar: { readonly selection: string; readonly rewind: boolean; readonly fork: boolean; readonly rewindTitle: string };
  readonly overviewText: string;
  readonly buckets: number;
  /** The notice shown at the top (a refusal, an error), '' when none. */
  readonly notice: string;
  /** Elements user data could have smuggled in (img, inline handlers): always 0. */
  readonly injected: number;
  /** The System section: whether it is shown, whether archived versions are asked for, its charts in order. */
  readonly system: { readonly shown: boolean; readonly archived: boolean; readonly charts: readonly SystemDrawnStats[] };
  /** The Media section: whether it is shown, and its cards in order. */
  readonly media: {
    readonly shown: boolean;
    readonly cards: readonly MediaCardStats[];
    /** The media keys asked for since the panel opened (once per change of the runs shown or of the store). */
    readonly keysAsked: number;
  };
}

/** Actions tests ask the webview to perform through the same code paths as the mouse and keyboard. */
export type TestAction =
  | { readonly kind: 'selectStep'; readonly key: string; readonly runId: string; readonly step: number; readonly versionId?: string }
  /** Moves the hover cursor of `key`'s chart to `x` (null: off the chart), as the mouse does. */
  | { readonly kind: 'hover'; readonly key: string; readonly x: number | null }
  | { readonly kind: 'key'; readonly key: 'ArrowLeft' | 'ArrowRight'; /** Presses in one go, as a held key repeats. */ readonly times?: number }
  | { readonly kind: 'setFilter'; readonly filter: string }
  | { readonly kind: 'zoom'; readonly min: number; readonly max: number }
  | { readonly kind: 'resetZoom' }
  | { readonly kind: 'setSmoothing'; readonly smoothing: number }
  | { readonly kind: 'setLogScale'; readonly logScale: boolean }
  | { readonly kind: 'setXAxis'; readonly xAxis: XAxisMode }
  | { readonly kind: 'toolbar'; readonly command: PanelCommand }
  /** Clicks a card's PNG or CSV button. */
  | { readonly kind: 'exportButton'; readonly key: string; readonly format: ExportKind }
  /** Ticks or clears the System section's "archived versions" box, as a click does. */
  | { readonly kind: 'setSystemArchived'; readonly on: boolean }
  /** Moves a media card's slider to its `index`-th stop, as dragging it does. */
  | { readonly kind: 'mediaSlider'; readonly key: string; readonly index: number }
  /** Clicks the Open button of a media card's item (row `row`, item `item`). */
  | { readonly kind: 'openMedia'; readonly key: string; readonly row: number; readonly item: number };

export type PanelCommand = 'rewind' | 'fork';

// ---- host → webview ------------------------------------------------------------------------------

export type ToWebview =
  | {
      readonly type: 'init';
      readonly folder: string;
      readonly folderName: string;
      readonly runs: readonly RunOverview[];
      readonly keys: readonly MetricKey[];
      readonly selection: ChartSelection | null;
      /** View settings to start from when the webview has no state of its own. */
      readonly state: ChartViewState;
    }
  | { readonly type: 'runs'; readonly runs: readonly RunOverview[]; readonly keys: readonly MetricKey[] }
  | {
      readonly type: 'series';
      readonly inReplyTo: number;
      readonly key: string;
      readonly lines: readonly LineData[];
      readonly error?: string;
    }
  | {
      readonly type: 'append';
      readonly items: readonly LineAppend[];
      /** Versions that grew by more than an append carries: the webview asks for them again. */
      readonly stale: readonly string[];
    }
  /** The answer to a systemQuery: each asked version's own samples, in the order asked. */
  | { readonly type: 'system'; readonly inReplyTo: number; readonly metrics: readonly SystemMetrics[]; readonly error?: string }
  /** The answer to a mediaKeysQuery: the media keys of the asked versions together. */
  | { readonly type: 'mediaKeys'; readonly inReplyTo: number; readonly keys: readonly MediaKeyInfo[]; readonly error?: string }
  /** The answer to a mediaQuery: one row per asked version, in the order asked. */
  | { readonly type: 'media'; readonly inReplyTo: number; readonly key: string; readonly rows: readonly MediaRow[]; readonly error?: string }
  | { readonly type: 'selection'; readonly selection: ChartSelection | null }
  | { readonly type: 'exportPngRequest'; readonly requestId: number; readonly key: string }
  /** Asks for the lines an export of `key` covers: what the chart shows, zoom included. */
  | { readonly type: 'exportLinesRequest'; readonly requestId: number; readonly key: string }
  | { readonly type: 'inspectRequest'; readonly requestId: number }
  | { readonly type: 'testAction'; readonly requestId: number; readonly action: TestAction }
  | { readonly type: 'notice'; readonly kind: 'info' | 'error'; readonly message: string };

// ---- webview → host ------------------------------------------------------------------------------

export type FromWebview =
  | { readonly type: 'ready'; readonly width: number; readonly state: ChartViewState | null }
  | {
      readonly type: 'query';
      readonly requestId: number;
      readonly key: string;
      readonly lines: readonly LineRequest[];
      readonly buckets: number;
      readonly withTimes: boolean;
    }
  /** Asks for the system samples of versions the panel shows (its live and archived lines). */
  | { readonly type: 'systemQuery'; readonly requestId: number; readonly versions: readonly string[] }
  /** Asks for the media keys of the versions the Media section shows. */
  | { readonly type: 'mediaKeysQuery'; readonly requestId: number; readonly versions: readonly string[] }
  /** Asks for one media key at `step` (null: the newest) in each of `versions`. */
  | { readonly type: 'mediaQuery'; readonly requestId: number; readonly key: string; readonly step: number | null; readonly versions: readonly string[] }
  /** Opens item `index` of `key`'s entry at `step` of `version` with VS Code (audio, video, HTML). */
  | { readonly type: 'openMedia'; readonly version: string; readonly key: string; readonly step: number; readonly index: number }
  | { readonly type: 'select'; readonly selection: ChartSelection | null }
  | { readonly type: 'moveSelection'; readonly direction: 1 | -1 }
  | { readonly type: 'runCommand'; readonly command: PanelCommand }
  | { readonly type: 'copy'; readonly text: string; readonly what: string }
  | { readonly type: 'openVersion'; readonly runId: string; readonly versionId: string }
  /** The overview's Compare with Source: a branch diff of one of the panel's versions. */
  | { readonly type: 'compareWithSource'; readonly versionId: string }
  /** A card's PNG or CSV button: the host exports it exactly as "Export Chart as PNG/CSV" does. */
  | { readonly type: 'export'; readonly kind: ExportKind; readonly key: string }
  | { readonly type: 'stateChanged'; readonly state: ChartViewState }
  | { readonly type: 'error'; readonly message: string }
  | WebviewReply;

export type ExportKind = 'png' | 'csv';

/** The webview's answers to the host's requests; `error` says why there is no answer. */
export type WebviewReply =
  | { readonly type: 'exportPngResult'; readonly inReplyTo: number; readonly dataUrl: string; readonly error?: string }
  | { readonly type: 'exportLinesResult'; readonly inReplyTo: number; readonly lines: readonly LineRequest[]; readonly error?: string }
  | { readonly type: 'inspectResult'; readonly inReplyTo: number; readonly snapshot: ChartSnapshot }
  | { readonly type: 'testActionDone'; readonly inReplyTo: number; readonly error?: string };

// ---- handler maps --------------------------------------------------------------------------------

/** One handler per message type; leaving one out does not compile. */
export type MessageHandlers<M extends { readonly type: string }> = {
  readonly [K in M['type']]: (message: Extract<M, { readonly type: K }>) => void | Promise<void>;
};

export function dispatch<M extends { readonly type: string }>(handlers: MessageHandlers<M>, message: M): void | Promise<void> {
  const handler = handlers[message.type as M['type']] as (m: M) => void | Promise<void>;
  return handler(message);
}

// ---- validation of what the webview sends ---------------------------------------------------------

export type Check = (value: unknown) => boolean;

export const MAX_TEXT = 1_000_000;
export const MAX_DATA_URL = 64 * 1024 * 1024;

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isText = (max = MAX_TEXT): Check => (v) => typeof v === 'string' && v.length <= max;
export const isId: Check = (v) => typeof v === 'string' && RUN_ID_PATTERN.test(v);
export const isInt: Check = (v) => typeof v === 'number' && Number.isSafeInteger(v);
export const isStep: Check = (v) => isInt(v) && (v as number) >= 0;
export const isFiniteNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
export const isBool: Check = (v) => typeof v === 'boolean';
export const oneOf = (...values: readonly unknown[]): Check => (v) => values.includes(v);
export const optional = (check: Check): Check => (v) => v === undefined || check(v);
export const nullable = (check: Check): Check => (v) => v === null || check(v);
export const arrayOf = (check: Check, max: number): Check => (v) => Array.isArray(v) && v.length <= max && v.every(check);
export const shape = (fields: Record<string, Check>): Check => (v) =>
  isObject(v) && Object.entries(fields).every(([name, check]) => check(v[name]));

const isRange = shape({ from: optional(isStep), to: optional(isStep) });
const isLineRequest = shape({ version: isId, range: optional(isRange) });
const isSelection = shape({ runId: isId, versionId: isId, step: isStep });
const isXAxis = oneOf('step', 'relative', 'wall');
const isZoom: Check = (v) => shape({ axis: isXAxis, min: isFiniteNumber, max: isFiniteNumber })(v) && (v as ChartZoom).min < (v as ChartZoom).max;

export const isChartViewState: (v: unknown) => v is ChartViewState = (v): v is ChartViewState =>
  shape({
    version: oneOf(1),
    folder: isText(4096),
    runs: arrayOf(isId, 64),
    filter: isText(1000),
    zoom: nullable(isZoom),
    smoothing: (s) => isFiniteNumber(s) && (s as number) >= 0 && (s as number) < 1,
    logScale: isBool,
    xAxis: isXAxis,
    selection: nullable(isSelection),
    collapsed: arrayOf(isText(1000), 10_000),
    scrollY: optional((y) => isFiniteNumber(y) && (y as number) >= 0),
    systemArchived: optional(isBool),
  })(v);

const isSnapshot = shape({
  state: isChartViewState,
  charts: arrayOf(isText(), 100_000),
  drawn: arrayOf(
    shape({ key: isText(), lines: isInt, points: isInt, dashed: isInt, yTicks: arrayOf(isText(1000), 1000), readout: arrayOf(isText(), 10_000), marks: arrayOf(isText(1000), 10_000) }),
    100_000,
  ),
  legend: arrayOf(isText(), 10_000),
  toolbar: shape({ selection: isText(), rewind: isBool, fork: isBool, rewindTitle: isText() }),
  overviewText: isText(),
  buckets: isInt,
  notice: isText(),
  injected: isInt,
  system: shape({
    shown: isBool,
    archived: isBool,
    charts: arrayOf(shape({ key: isText(), lines: isInt, points: isInt, dashed: isInt }), 10_000),
  }),
  media: shape({
    shown: isBool,
    cards: arrayOf(
      shape({
        key: isText(),
        kind: isText(100),
        steps: arrayOf(isStep, 1_000_000),
        step: nullable(isStep),
        rows: arrayOf(
          shape({
            version: isId, entryStep: nullable(isStep), inherited: isBool, captions: arrayOf(isText(), 10_000),
            images: isInt, bars: isInt, tableRows: isInt, files: isInt,
          }),
          1024,
        ),
      }),
      10_000,
    ),
  }),
});

const fromWebviewChecks: { readonly [K in FromWebview['type']]: Record<string, Check> } = {
  ready: { width: (v) => isFiniteNumber(v) && (v as number) >= 0, state: nullable(isChartViewState) },
  query: {
    requestId: isInt,
    key: isText(10_000),
    lines: arrayOf(isLineRequest, 1024),
    buckets: (v) => isInt(v) && (v as number) >= 1 && (v as number) <= 100_000,
    withTimes: isBool,
  },
  systemQuery: { requestId: isInt, versions: arrayOf(isId, 1024) },
  mediaKeysQuery: { requestId: isInt, versions: arrayOf(isId, 1024) },
  mediaQuery: { requestId: isInt, key: isText(10_000), step: nullable(isStep), versions: arrayOf(isId, 1024) },
  openMedia: { version: isId, key: isText(10_000), step: isStep, index: (v) => isInt(v) && (v as number) >= 0 },
  select: { selection: nullable(isSelection) },
  moveSelection: { direction: oneOf(1, -1) },
  runCommand: { command: oneOf('rewind', 'fork') },
  copy: { text: isText(100_000), what: isText(100) },
  openVersion: { runId: isId, versionId: isId },
  compareWithSource: { versionId: isId },
  export: { kind: oneOf('png', 'csv'), key: isText(10_000) },
  exportPngResult: {
    inReplyTo: isInt,
    // Empty with an error; else a PNG data URL and nothing else.
    dataUrl: (v) => v === '' || (typeof v === 'string' && v.length <= MAX_DATA_URL && v.startsWith('data:image/png;base64,')),
    error: optional(isText(10_000)),
  },
  exportLinesResult: { inReplyTo: isInt, lines: arrayOf(isLineRequest, 1024), error: optional(isText(10_000)) },
  stateChanged: { state: isChartViewState },
  inspectResult: { inReplyTo: isInt, snapshot: isSnapshot },
  testActionDone: { inReplyTo: isInt, error: optional(isText(10_000)) },
  error: { message: isText(10_000) },
};

/** True when `value` is a well-formed message from the webview; anything else is dropped by the host. */
export function isFromWebview(value: unknown): value is FromWebview {
  if (!isObject(value) || typeof value.type !== 'string') return false;
  if (!Object.prototype.hasOwnProperty.call(fromWebviewChecks, value.type)) return false;
  const checks = fromWebviewChecks[value.type as FromWebview['type']];
  return shape(checks)(value);
}

const toWebviewTypes: { readonly [K in ToWebview['type']]: true } = {
  init: true,
  runs: true,
  series: true,
  append: true,
  system: true,
  mediaKeys: true,
  media: true,
  selection: true,
  exportPngRequest: true,
  exportLinesRequest: true,
  inspectRequest: true,
  testAction: true,
  notice: true,
};

/** The webview trusts its host, but still ignores messages that are not ours (other frames, extensions). */
export function isToWebview(value: unknown): value is ToWebview {
  return isObject(value) && typeof value.type === 'string' && Object.prototype.hasOwnProperty.call(toWebviewTypes, value.type);
}

/** A fresh view state for a panel showing `runs` of `folder`. */
export function defaultViewState(folder: string, runs: readonly string[]): ChartViewState {
  return {
    version: 1,
    folder,
    runs: [...runs],
    filter: '',
    zoom: null,
    smoothing: 0,
    logScale: false,
    xAxis: 'step',
    selection: null,
    collapsed: [],
  };
}
