// A stand-in for the extension host of the runs table, for its benchmark (bench/table.ts): loads beside
// the table's own webview bundle in a plain page and answers `ready` with the `init` message the real
// engine produced (fetched as the JSON text the host would send, parsed and posted when asked, as VS Code
// delivers it; with first rows, their `firstRows` message before it, the host's way for a view of the
// first runs), then times sort, filter and scrolling through the webview's own code. The baseline is
// the same rows drawn as one plain HTML <table>, sorted and filtered with the same comparator and query.
// Not part of the extension: bundled only by bench/table.ts.
import { compareValues, type FieldValue, fieldOfId, fieldValue, type RunsTableRow } from '../../src/shared/runFields';
import { parseQuery } from '../../src/shared/runQuery';
import type { FromTableWebview, RunsTable, TableTestAction, ToTableWebview } from '../../src/shared/tableProtocol';
import { unpackTable } from '../../src/shared/tablePacking';
import { cellText, columnOf } from '../table/columns';

export interface FrameFigures {
  frames: number;
  p50: number;
  p95: number;
  max: number;
  /** Frames that took more than 1.5 intervals of 60 Hz (25 ms). */
  slow: number;
}

interface OpenFigures {
  /** Script start → ready message. */
  bootMs: number;
  /** With first rows: script start → the first frame painted with them; their message parsed and posted. */
  firstPaintMs?: number;
  firstDeliverMs?: number;
  /** The host's message parsed and delivered (JSON.parse and postMessage). */
  deliverMs: number;
  /** Script start → the first frame painted with rows. */
  paintMs: number;
  rows: number;
}

declare global {
  interface Window {
    acquireVsCodeApi(): { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };
    tableHarness: TableHarness;
    openAt: number;
  }
}

/**
 * The host's message as VS Code delivers it to a webview: the JSON, its typed arrays sent beside it as
 * buffers (bench/table.ts encodeMessage puts `{ $typed: [type, offset, length] }` in their place).
 */
function decodeMessage(json: string, bin: ArrayBuffer): ToTableWebview {
  return JSON.parse(json, (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || !('$typed' in value)) return value;
    const [type, offset, length] = (value as { $typed: [string, number, number] }).$typed;
    const bytes = bin.slice(offset, offset + length);
    return type === 'Float64Array' ? new Float64Array(bytes) : new Uint8Array(bytes);
  }) as ToTableWebview;
}

/** Resolves after the next frame has been painted. */
function painted(): Promise<number> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()))));
}

function summarize(intervals: number[]): FrameFigures {
  const s = [...intervals].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
  return { frames: s.length, p50: at(0.5), p95: at(0.95), max: s[s.length - 1] ?? 0, slow: s.filter((d) => d > 25).length };
}

/** Scrolls an element by `dy`/`dx` pixels a frame for `ms`, and reports the intervals between frames. */
function scrollFrames(target: HTMLElement, dy: number, dx: number, ms: number): Promise<FrameFigures> {
  return new Promise((resolve) => {
    const intervals: number[] = [];
    let last = 0;
    let start = 0;
    const tick = (t: number): void => {
      if (start === 0) start = t;
      else intervals.push(t - last);
      last = t;
      if (t - start >= ms) {
        resolve(summarize(intervals));
        return;
      }
      target.scrollTop += dy;
      target.scrollLeft += dx;
      // Reading layout forces what the scroll costs into this frame, as a user's scroll would paint it.
      void target.scrollTop;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

export class TableHarness {
  private state: unknown;
  private requestId = 1;
  private readonly waiting = new Map<number, () => void>();
  private readyAt = 0;
  private deliverMs = 0;
  private opened: Promise<void>;
  private markOpened: () => void = () => undefined;

  private firstPaintAt = 0;
  private firstDeliverMs = 0;

  constructor(
    private readonly initText: string,
    private readonly initBin: ArrayBuffer,
    /** The `firstRows` message sent ahead of `init` (as the host does for a view of the first runs), if any. */
    private readonly first?: { readonly text: string; readonly bin: ArrayBuffer },
  ) {
    this.opened = new Promise((resolve) => {
      this.markOpened = resolve;
    });
  }

  api(): { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void } {
    return {
      postMessage: (m) => this.receive(m as FromTableWebview),
      getState: () => this.state,
      setState: (s) => {
        this.state = s;
      },
    };
  }

  private receive(m: FromTableWebview): void {
    if (m.type === 'ready') {
      this.readyAt = performance.now();
      // Registered now, after the webview's own listener: it runs once the webview has handled init.
      const seen = (e: MessageEvent): void => {
        if ((e.data as ToTableWebview).type !== 'init') return;
        window.removeEventListener('message', seen);
        this.markOpened();
      };
      window.addEventListener('message', seen);
      if (this.first) void this.sendFirst(this.first);
      else this.sendInit();
    } else if (m.type === 'testActionDone') {
      if (m.error) throw new Error(m.error);
      this.waiting.get(m.inReplyTo)?.();
      this.waiting.delete(m.inReplyTo);
    }
  }

  private sendInit(): void {
    const t0 = performance.now();
    const message = decodeMessage(this.initText, this.initBin);
    window.postMessage(message, '*');
    this.deliverMs = performance.now() - t0;
  }

  /** The first rows, then (once they are painted: the host is still reading the rest) the whole table. */
  private async sendFirst(first: { readonly text: string; readonly bin: ArrayBuffer }): Promise<void> {
    const handled = new Promise<void>((resolve) => {
      const seen = (e: MessageEvent): void => {
        if ((e.data as ToTableWebview).type !== 'firstRows') return;
        window.removeEventListener('message', seen);
        resolve();
      };
      window.addEventListener('message', seen);
    });
    const t0 = performance.now();
    window.postMessage(decodeMessage(first.text, first.bin), '*');
    this.firstDeliverMs = performance.now() - t0;
    await handled;
    this.firstPaintAt = await painted();
    this.sendInit();
  }

  async open(): Promise<OpenFigures> {
    await this.opened;
    const at = await painted();
    const first = this.first ? { firstPaintMs: this.firstPaintAt - window.openAt, firstDeliverMs: this.firstDeliverMs } : {};
    return { bootMs: this.readyAt - window.openAt, deliverMs: this.deliverMs, paintMs: at - window.openAt, rows: document.querySelectorAll('.grid-row').length, ...first };
  }

  /** A test action through the webview's own code (the same as a click), timed to the frame after it. */
  async act(action: TableTestAction): Promise<number> {
    const id = this.requestId++;
    const done = new Promise<void>((resolve) => this.waiting.set(id, resolve));
    const t0 = performance.now();
    window.postMessage({ type: 'testAction', requestId: id, action } satisfies ToTableWebview, '*');
    await done;
    return (await painted()) - t0;
  }

  scroll(dy: number, dx: number, ms: number): Promise<FrameFigures> {
    const grid = document.querySelector<HTMLElement>('.grid')!;
    grid.scrollTop = 0;
    grid.scrollLeft = 0;
    return scrollFrames(grid, dy, dx, ms);
  }

  get matched(): number {
    return Number(/\d[\d,.]*/.exec(document.querySelector('.count')?.textContent ?? '')?.[0].replace(/[,.]/g, '') ?? -1);
  }
}

/** The baseline: every row and column as one plain <table>, as a page without virtualisation draws it. */
export class PlainTable {
  private readonly container: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private rows: { row: RunsTableRow; tr: HTMLTableRowElement }[] = [];
  private table: RunsTable | undefined;

  constructor(
    private readonly initText: string,
    private readonly initBin: ArrayBuffer,
    /** The columns drawn (all 200 of 10,000 rows took Chromium past 11 GB): the message's when none. */
    private readonly only: readonly string[] | undefined,
  ) {
    this.container = document.createElement('div');
    this.container.className = 'plain';
    const table = document.createElement('table');
    this.body = document.createElement('tbody');
    table.append(document.createElement('thead'), this.body);
    this.container.append(table);
    document.getElementById('root')!.append(this.container);
  }

  async open(): Promise<OpenFigures> {
    const t0 = performance.now();
    const message = decodeMessage(this.initText, this.initBin) as Extract<ToTableWebview, { type: 'init' }>;
    const deliverMs = performance.now() - t0;
    this.table = unpackTable(message.table);
    const columns = (this.only ?? message.state.columns ?? []).map((id) => columnOf(id, message.strings)!).filter(Boolean);
    const head = this.container.querySelector('thead')!;
    const htr = document.createElement('tr');
    for (const c of columns) {
      const th = document.createElement('th');
      th.textContent = c.label;
      htr.append(th);
    }
    head.append(htr);
    const locale = message.locale;
    for (const row of this.table.rows) {
      const tr = document.createElement('tr');
      for (const c of columns) {
        const td = document.createElement('td');
        td.textContent = cellText(c, fieldValue(row, c.field), locale);
        tr.append(td);
      }
      this.body.append(tr);
      this.rows.push({ row, tr });
    }
    const at = await painted();
    return { bootMs: 0, deliverMs, paintMs: at - t0, rows: this.rows.length };
  }

  /** Sorts with the webview's comparator and puts the rows in that order. */
  async sort(column: string): Promise<number> {
    const t0 = performance.now();
    const field = fieldOfId(column)!;
    const keyed: [FieldValue, number, HTMLTableRowElement][] = this.rows.map((r, i) => [fieldValue(r.row, field), i, r.tr]);
    keyed.sort((a, b) => (a[0] === null || b[0] === null ? (a[0] === b[0] ? a[1] - b[1] : a[0] === null ? 1 : -1) : compareValues(a[0], b[0]) || a[1] - b[1]));
    this.body.append(...keyed.map((k) => k[2]));
    return (await painted()) - t0;
  }

  /** Hides the rows the query does not match. */
  async filter(text: string): Promise<number> {
    const t0 = performance.now();
    const query = parseQuery(text, this.table);
    for (const r of this.rows) r.tr.hidden = !query.matches(r.row);
    return (await painted()) - t0;
  }

  scroll(dy: number, dx: number, ms: number): Promise<FrameFigures> {
    this.container.scrollTop = 0;
    this.container.scrollLeft = 0;
    return scrollFrames(this.container, dy, dx, ms);
  }
}

/** Called by the page: fetches the host's message, then starts the table webview (or the plain table). */
export async function startPage(kind: 'grid' | 'plain', script: string, plainColumns?: readonly string[], withFirstRows = false): Promise<void> {
  const text = await (await fetch('init.json')).text();
  const bin = await (await fetch('init.bin')).arrayBuffer();
  const first = withFirstRows ? { text: await (await fetch('first.json')).text(), bin: await (await fetch('first.bin')).arrayBuffer() } : undefined;
  window.openAt = performance.now();
  if (kind === 'plain') {
    (window as unknown as { plainTable: PlainTable }).plainTable = new PlainTable(text, bin, plainColumns);
    return;
  }
  const harness = new TableHarness(text, bin, first);
  window.tableHarness = harness;
  window.acquireVsCodeApi = () => harness.api();
  const el = document.createElement('script');
  el.src = script;
  document.body.append(el);
}

(window as unknown as { startPage: typeof startPage }).startPage = startPage;
