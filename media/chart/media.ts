// The chart panel's Media section: a card per media key (images, histograms, tables; audio, video and
// HTML as files VS Code opens), each with a step slider that follows the panel's selected step and
// selects the step it is moved to. A card has a row per run the panel shows: the run's live version, or
// the archived version the selection is on. Record text (captions, cells, keys) only goes in as text.
import type { ChartSelection, HistogramDistribution, MediaCardStats, MediaChartHint, MediaEntryView, MediaItemView, MediaKeyInfo, MediaRow, MediaStripItem, MediaTableView } from '../../src/shared/protocol';
import { button, clear, el, lineSwatch } from './dom';
import { type LineSpec, PALETTE } from './lines';
import { compareCells, shownVersions, stopIndex } from './mediaSteps';

export interface MediaEvents {
  queryKeys(requestId: number, versions: readonly string[]): void;
  query(requestId: number, key: string, step: number | null, versions: readonly string[]): void;
  /** The slider of a card was moved to `step`; `version` is its first row's version. */
  select(step: number, version: string): void;
  open(version: string, key: string, step: number, index: number): void;
}

/** Images this section made: the snapshot's count of smuggled elements leaves them out. */
export const ownImages = new WeakSet<Element>();

export class MediaSection {
  private readonly grid = el('div', { className: 'grid media-grid' });
  private readonly cards = new Map<string, MediaCard>();
  private keys: readonly MediaKeyInfo[] = [];
  private shown: LineSpec[] = [];
  private step: number | null = null;
  private requests = 0;
  private keysRequest = 0;
  private context = '';
  private keysPending = false;
  /** Key questions sent (the snapshot's, for tests). */
  keysAsked = 0;

  constructor(
    readonly details: HTMLDetailsElement,
    content: HTMLElement,
    private readonly events: MediaEvents,
  ) {
    content.append(this.grid);
    details.hidden = true;
  }

  get isShown(): boolean {
    return !this.details.hidden;
  }

  /**
   * Takes the panel's lines and selection. `changed`: the store changed (a live run logged more), so
   * the keys and every card are asked again even when the versions and step are the same.
   */
  update(lines: readonly LineSpec[], selection: ChartSelection | null, changed: boolean): void {
    this.shown = shownVersions(lines, selection);
    const versions = this.shown.map((l) => l.version);
    const context = versions.join(',');
    const step = selection?.step ?? null;
    const moved = step !== this.step;
    this.step = step;
    if (changed || context !== this.context) {
      this.context = context;
      this.askKeys();
    } else if (moved) {
      for (const card of this.cards.values()) this.ask(card);
    }
  }

  /**
   * Asks for the keys once for every update of one task: opening the panel updates the section twice
   * (the selection shown, then the runs), which asked twice, the first answer thrown away.
   */
  private askKeys(): void {
    this.keysRequest = ++this.requests;
    if (this.keysPending) return;
    this.keysPending = true;
    queueMicrotask(() => {
      this.keysPending = false;
      this.keysAsked++;
      this.events.queryKeys(this.keysRequest, this.shown.map((l) => l.version));
    });
  }

  setKeys(inReplyTo: number, keys: readonly MediaKeyInfo[]): void {
    if (inReplyTo !== this.keysRequest) return;
    this.keys = keys;
    this.details.hidden = keys.length === 0;
    const title = this.details.querySelector('.section-title');
    if (title) title.textContent = `Media (${keys.length})`;
    const wanted = new Set(keys.map((k) => k.key));
    for (const [key, card] of this.cards) {
      if (!wanted.has(key)) {
        card.root.remove();
        this.cards.delete(key);
      }
    }
    for (const info of keys) {
      let card = this.cards.get(info.key);
      if (!card) {
        card = new MediaCard(info.key, this.events);
        this.cards.set(info.key, card);
      }
      card.kind = info.kind;
      this.grid.append(card.root);
      this.ask(card);
    }
  }

  setRows(inReplyTo: number, key: string, rows: readonly MediaRow[], error: string | undefined): void {
    const card = this.cards.get(key);
    if (!card || card.request !== inReplyTo) return;
    card.show(rows, this.shown, this.step, error);
  }

  stats(): MediaCardStats[] {
    return this.keys.flatMap((k) => {
      const card = this.cards.get(k.key);
      return card ? [card.stats()] : [];
    });
  }

  card(key: string): MediaCard | undefined {
    return this.cards.get(key);
  }

  private ask(card: MediaCard): void {
    card.request = ++this.requests;
    this.events.query(card.request, card.key, this.step, this.shown.map((l) => l.version));
  }
}

export class MediaCard {
  readonly root: HTMLElement;
  readonly slider: HTMLInputElement;
  kind = '';
  request = 0;
  private readonly stepLabel = el('span', { className: 'media-step' });
  private readonly rowsRoot = el('div', { className: 'media-rows' });
  private stops: number[] = [];
  private rows: readonly MediaRow[] = [];
  private shownStep: number | null = null;
  /** The selected step the card was asked for (null: none, the newest is shown). */
  private askedStep: number | null = null;

  constructor(
    readonly key: string,
    private readonly events: MediaEvents,
  ) {
    this.slider = el('input', { className: 'media-slider', attrs: { type: 'range', min: '0', max: '0', step: '1', value: '0', 'aria-label': `${key}: step` } });
    this.slider.addEventListener('input', () => this.moved());
    const header = el('div', { className: 'card-header' }, [el('h3', { className: 'card-title', text: key, title: key })]);
    const sliderRow = el('div', { className: 'media-slider-row' }, [this.slider, this.stepLabel]);
    this.root = el('div', { className: 'card media-card', attrs: { role: 'figure', 'aria-label': key } }, [header, sliderRow, this.rowsRoot]);
    this.root.dataset.mediaKey = key;
  }

  /** The slider's stop under `index` selects that step (the panel's selection then moves every card). */
  moved(): void {
    const step = this.stops[Number(this.slider.value)];
    const first = this.rows[0];
    if (step === undefined || !first) return;
    this.shownStep = step;
    this.label();
    this.events.select(step, first.version);
  }

  show(rows: readonly MediaRow[], lines: readonly LineSpec[], step: number | null, error: string | undefined): void {
    this.rows = rows;
    this.askedStep = step;
    const all = new Set<number>();
    for (const row of rows) for (const s of row.steps) all.add(s);
    this.stops = [...all].sort((a, b) => a - b);
    const index = stopIndex(this.stops, step);
    this.slider.max = String(Math.max(0, this.stops.length - 1));
    this.slider.value = String(index);
    // One stop has nothing to slide to: only the step label is shown.
    this.slider.disabled = this.stops.length <= 1;
    this.slider.hidden = this.stops.length <= 1;
    this.shownStep = this.stops.length > 0 ? this.stops[index] : null;
    this.label();
    // A thumbnail chosen from the keyboard selects its step, which redraws the rows: the focus goes to
    // the strip's new current thumbnail, so arrow keys and Tab go on from there.
    const active = document.activeElement;
    const refocus = active instanceof HTMLElement && active.classList.contains('media-strip-thumb') && this.rowsRoot.contains(active) ? (active.closest<HTMLElement>('.media-row')?.dataset.row ?? null) : null;
    clear(this.rowsRoot);
    if (error !== undefined) {
      this.rowsRoot.append(el('p', { className: 'notice error', text: `Could not load ${this.key}: ${error}` }));
      return;
    }
    rows.forEach((row, r) => {
      const line = lines.find((l) => l.version === row.version);
      this.rowsRoot.append(this.renderRow(row, r, line));
    });
    if (refocus !== null) this.rowsRoot.querySelector<HTMLElement>(`.media-row[data-row="${refocus}"] .media-strip-thumb[aria-current="step"]`)?.focus();
  }

  private label(): void {
    const n = this.stops.length;
    const step = this.shownStep;
    // Nothing at or before the selected step: the first entry after it is shown, and said to be later.
    const later = step !== null && this.askedStep !== null && step > this.askedStep ? `after the selected step ${this.askedStep}` : '';
    const position = n > 1 ? `${Number(this.slider.value) + 1} of ${n}` : '';
    const note = [position, later].filter(Boolean).join(', ');
    this.stepLabel.textContent = step === null ? 'no steps' : `step ${step}${note ? ` (${note})` : ''}`;
    this.slider.setAttribute('aria-valuetext', step === null ? 'no steps' : `step ${step}`);
  }

  private renderRow(row: MediaRow, r: number, line: LineSpec | undefined): HTMLElement {
    const entry = row.entry;
    const what = entry === null ? 'nothing logged' : entry.step === this.shownStep ? '' : `shows step ${entry.step}`;
    const version = line?.archived ? `archived ${row.version}` : 'live';
    const inherited = entry?.inherited ? `inherited from ${entry.loggedBy}` : '';
    const head = el('div', { className: 'media-row-head' }, [
      line ? lineSwatch(line) : null,
      el('span', { className: 'media-run', text: line?.runName ?? row.version, title: `${line?.runId ?? ''} · ${row.version}` }),
      el('span', { className: 'muted', text: [version, inherited, what].filter(Boolean).join(' · ') }),
    ]);
    const body = el('div', { className: 'media-row-body' });
    if (entry) this.renderEntry(body, row.version, entry);
    const over = row.distribution ? distribution(row.distribution, line?.color ?? 'currentColor', this.shownStep, (step) => this.events.select(step, row.version)) : null;
    const strip = row.strip && row.strip.length > 1 ? this.renderStrip(row.strip, entry?.step ?? null, row.version) : null;
    const rowEl = el('div', { className: 'media-row' }, [head, over, strip, body]);
    rowEl.dataset.row = String(r);
    return rowEl;
  }

  /**
   * The image strip: the first image of each step around the shown one, that step marked; a thumbnail
   * (a button: Tab, Enter, Space; the arrow keys move between them) selects its step.
   */
  private renderStrip(strip: readonly MediaStripItem[], current: number | null, version: string): HTMLElement {
    const thumbs = strip.map((t) => {
      const more = t.count > 1 ? ` (the first of ${t.count} images)` : '';
      const label = `step ${t.step}${t.caption ? `: ${t.caption}` : ''}${more}`;
      const img = el('img', { attrs: { src: t.src, alt: '' } });
      ownImages.add(img);
      if ((t.height ?? 0) > 0 && (t.height ?? 0) < 48) img.classList.add('pixelated');
      const b = button(label, () => this.events.select(t.step, version), { className: 'media-strip-thumb', text: '', title: label });
      b.append(img, el('span', { className: 'media-strip-step', text: String(t.step) }));
      b.dataset.step = String(t.step);
      if (t.step === current) b.setAttribute('aria-current', 'step');
      return b;
    });
    const root = el('div', { className: 'media-strip', attrs: { role: 'group', 'aria-label': `${this.key}: steps ${strip[0].step} to ${strip[strip.length - 1].step}` } }, thumbs);
    root.addEventListener('keydown', (e) => {
      const at = thumbs.indexOf(e.target as HTMLButtonElement);
      if (at < 0) return;
      const to = e.key === 'ArrowLeft' ? at - 1 : e.key === 'ArrowRight' ? at + 1 : e.key === 'Home' ? 0 : e.key === 'End' ? thumbs.length - 1 : -2;
      if (to === -2) return;
      // Not the panel's own arrow keys (they move the selected step through the chart's steps).
      e.preventDefault();
      e.stopPropagation();
      thumbs[Math.max(0, Math.min(thumbs.length - 1, to))].focus();
    });
    // The shown step's thumbnail in view, the strip scrolled rather than the page.
    requestAnimationFrame(() => {
      const mark = root.querySelector<HTMLElement>('[aria-current="step"]');
      if (mark) root.scrollLeft = Math.max(0, mark.offsetLeft - (root.clientWidth - mark.offsetWidth) / 2);
    });
    return root;
  }

  private renderEntry(body: HTMLElement, version: string, entry: MediaEntryView): void {
    entry.items.forEach((item, i) => {
      if (item.src !== undefined) body.append(image(item, `${this.key} ${i + 1}`));
      else if (item.bins && item.counts) body.append(histogram(item.bins, item.counts, item.caption));
      else if (item.table) body.append(table(item.table, item.caption, item.chart));
      else if (item.file) {
        const name = `${entry.kind} (${item.format ?? 'file'})${item.caption ? `: ${item.caption}` : ''}`;
        const open = button(`Open ${name} with VS Code`, () => this.events.open(version, this.key, entry.step, i), { className: 'media-open', text: `Open ${name}` });
        open.dataset.item = String(i);
        body.append(open);
      } else {
        body.append(el('span', { className: 'muted', text: `${entry.kind}${item.caption ? `: ${item.caption}` : ''} (nothing to show)` }));
      }
    });
    body.classList.toggle('images', entry.items.some((it) => it.src !== undefined));
  }

  /** The Open button of item `item` in row `row`. */
  openButton(row: number, item: number): HTMLButtonElement | undefined {
    return this.rowsRoot.querySelector<HTMLButtonElement>(`.media-row[data-row="${row}"] button.media-open[data-item="${item}"]`) ?? undefined;
  }

  stats(): MediaCardStats {
    const rowEls = [...this.rowsRoot.querySelectorAll<HTMLElement>('.media-row')];
    return {
      key: this.key,
      kind: this.kind,
      steps: this.stops,
      step: this.shownStep,
      rows: this.rows.map((row, r) => {
        const rowEl = rowEls[r];
        const images = rowEl ? [...rowEl.querySelectorAll<HTMLImageElement>('img.media-image')].filter((img) => img.complete && img.naturalWidth > 0).length : 0;
        return {
          version: row.version,
          entryStep: row.entry?.step ?? null,
          inherited: row.entry?.inherited ?? false,
          captions: (row.entry?.items ?? []).flatMap((it) => (it.caption !== undefined ? [it.caption] : [])),
          images,
          bars: rowEl ? rowEl.querySelectorAll('.histogram-bar').length : 0,
          tableRows: rowEl ? rowEl.querySelectorAll('tbody tr').length : 0,
          chartPoints: rowEl ? Number(rowEl.querySelector<HTMLElement>('canvas.media-table-chart')?.dataset.points ?? 0) : 0,
          files: rowEl ? rowEl.querySelectorAll('button.media-open').length : 0,
          distribution: row.distribution && rowEl?.querySelector('canvas.media-distribution') ? row.distribution.steps.length : 0,
          strip: rowEl ? [...rowEl.querySelectorAll<HTMLElement>('.media-strip-thumb')].map((b) => Number(b.dataset.step)) : [],
          stripCurrent: stepOf(rowEl?.querySelector<HTMLElement>('.media-strip-thumb[aria-current="step"]')),
        };
      }),
    };
  }
}

function stepOf(thumb: HTMLElement | null | undefined): number | null {
  return thumb?.dataset.step !== undefined ? Number(thumb.dataset.step) : null;
}

/** Small images are drawn larger, pixel for pixel (a 28×28 digit is unreadable at its own size). */
function image(item: MediaItemView, alt: string): HTMLElement {
  const img = el('img', { className: 'media-image', attrs: { src: item.src ?? '', alt: item.caption ?? alt } });
  ownImages.add(img);
  const h = item.height ?? 0;
  if (h > 0 && h < 96) {
    img.classList.add('pixelated');
    img.style.height = `${Math.min(160, h * Math.floor(160 / h))}px`;
  }
  return el('figure', { className: 'media-figure' }, [img, item.caption ? el('figcaption', { text: item.caption, title: item.caption }) : null]);
}

function histogram(bins: readonly number[], counts: readonly number[], caption: string | undefined): HTMLElement {
  const max = Math.max(1, ...counts);
  const bars = el('div', { className: 'histogram', attrs: { role: 'img', 'aria-label': `histogram of ${counts.length} bins from ${fmt(bins[0])} to ${fmt(bins[bins.length - 1])}` } });
  counts.forEach((count, i) => {
    const bar = el('div', { className: 'histogram-bar', title: `[${fmt(bins[i])}, ${fmt(bins[i + 1])}): ${count}` });
    bar.style.height = `${(100 * count) / max}%`;
    bars.append(bar);
  });
  const axis = el('div', { className: 'histogram-axis muted' }, [el('span', { text: fmt(bins[0]) }), el('span', { text: `max ${max}` }), el('span', { text: fmt(bins[bins.length - 1]) })]);
  return el('figure', { className: 'media-histogram' }, [bars, axis, caption ? el('figcaption', { text: caption }) : null]);
}

const DIST_WIDTH = 480;
const DIST_HEIGHT = 120;
const DIST_AXIS = 14;

/**
 * Histograms over steps: one column per step (older left), one row per value band (larger values up),
 * each cell as opaque as its share of its column's largest cell, in the run's colour; the shown step
 * marked. A click selects the step of the column under it.
 */
function distribution(d: HistogramDistribution, color: string, shownStep: number | null, select: (step: number) => void): HTMLElement {
  const canvas = el('canvas', { className: 'media-distribution', attrs: { role: 'img', 'aria-label': `distribution over ${d.steps.length} steps, values ${fmt(d.lo)} to ${fmt(d.hi)}` } });
  const ratio = Math.max(1, Math.round(window.devicePixelRatio || 1));
  canvas.width = DIST_WIDTH * ratio;
  canvas.height = (DIST_HEIGHT + DIST_AXIS) * ratio;
  canvas.style.aspectRatio = `${DIST_WIDTH} / ${DIST_HEIGHT + DIST_AXIS}`;
  const ctx = canvas.getContext('2d');
  const n = d.steps.length;
  const colW = DIST_WIDTH / n;
  const rowH = DIST_HEIGHT / d.bins;
  if (ctx) {
    ctx.scale(ratio, ratio);
    ctx.fillStyle = color;
    for (let c = 0; c < n; c++) {
      for (let r = 0; r < d.bins; r++) {
        const v = d.density[c * d.bins + r];
        if (!(v > 0)) continue;
        ctx.globalAlpha = 0.12 + 0.88 * v;
        ctx.fillRect(c * colW, DIST_HEIGHT - (r + 1) * rowH, Math.max(colW, 1), rowH);
      }
    }
    ctx.globalAlpha = 1;
    const shown = shownStep === null ? -1 : nearest(d.steps, shownStep);
    if (shown >= 0) {
      ctx.strokeStyle = getComputedStyle(document.body).getPropertyValue('--vscode-editor-foreground') || '#888';
      ctx.lineWidth = 1;
      const x = Math.min(DIST_WIDTH - 0.5, (shown + 0.5) * colW);
      ctx.beginPath();
      ctx.moveTo(x, 0);
      ctx.lineTo(x, DIST_HEIGHT);
      ctx.stroke();
    }
    ctx.fillStyle = getComputedStyle(document.body).getPropertyValue('--vscode-descriptionForeground') || '#888';
    ctx.font = `10px ${getComputedStyle(document.body).fontFamily}`;
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    ctx.fillText(`step ${d.steps[0]}`, 0, DIST_HEIGHT + 2);
    ctx.textAlign = 'right';
    ctx.fillText(`step ${d.steps[n - 1]}`, DIST_WIDTH, DIST_HEIGHT + 2);
  }
  canvas.title = `Values ${fmt(d.lo)} (bottom) to ${fmt(d.hi)} (top) over steps ${d.steps[0]}–${d.steps[n - 1]}; click a step to select it`;
  canvas.addEventListener('click', (e) => {
    const rect = canvas.getBoundingClientRect();
    const c = Math.floor(((e.clientX - rect.left) / rect.width) * n);
    const step = d.steps[Math.min(n - 1, Math.max(0, c))];
    if (step !== undefined) select(step);
  });
  return el('figure', { className: 'media-distribution-figure' }, [canvas]);
}

/** Index of the value in ascending `values` nearest to `x`. */
function nearest(values: readonly number[], x: number): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) if (best < 0 || Math.abs(values[i] - x) < Math.abs(values[best] - x)) best = i;
  return best;
}

/** Rows a table card shows at once; the pager moves through the rest. */
const TABLE_PAGE = 20;


/**
 * A table card: its chart when wandb.plot.* gave it one, then the rows a page at a time; a header sorts
 * by its column (again: the other way), stably, numbers as numbers.
 */
function table(t: NonNullable<MediaItemView['table']>, caption: string | undefined, chart: MediaChartHint | undefined): HTMLElement {
  if (t.error) return el('p', { className: 'notice error', text: t.error });
  let sortBy = -1;
  let descending = false;
  let page = 0;
  let order = t.rows.map((_, i) => i);
  const pages = Math.max(1, Math.ceil(t.rows.length / TABLE_PAGE));
  const body = el('tbody');
  const heads = t.columns.map((c, i) => {
    const th = el('th', { attrs: { scope: 'col', 'aria-sort': 'none' } });
    th.append(button(`Sort by ${c}`, () => sort(i), { className: 'media-table-sort', text: c, title: `${c}: sort (again: the other way)` }));
    return th;
  });
  const note = el('span', { className: 'muted media-table-note' });
  const prev = button('Previous rows', () => go(page - 1), { className: 'media-table-page', text: '‹' });
  const next = button('Next rows', () => go(page + 1), { className: 'media-table-page', text: '›' });
  const sort = (column: number): void => {
    descending = sortBy === column ? !descending : false;
    sortBy = column;
    order = t.rows.map((_, i) => i).sort((a, b) => compareCells(t.rows[a][column] ?? '', t.rows[b][column] ?? '') * (descending ? -1 : 1) || a - b);
    heads.forEach((th, i) => th.setAttribute('aria-sort', i !== column ? 'none' : descending ? 'descending' : 'ascending'));
    go(0);
  };
  const go = (to: number): void => {
    page = Math.min(pages - 1, Math.max(0, to));
    clear(body);
    for (const i of order.slice(page * TABLE_PAGE, (page + 1) * TABLE_PAGE)) body.append(el('tr', {}, t.rows[i].map((cell) => el('td', { text: cell, title: cell }))));
    const first = t.rows.length === 0 ? 0 : page * TABLE_PAGE + 1;
    const last = Math.min(t.rows.length, (page + 1) * TABLE_PAGE);
    const cut = t.total > t.rows.length ? ` (the first ${t.rows.length} of ${t.total} read)` : '';
    note.textContent = `rows ${first}–${last} of ${t.rows.length}${cut}`;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  };
  go(0);
  const pager = el('div', { className: 'media-table-pager' }, [prev, note, next]);
  prev.hidden = next.hidden = pages <= 1;
  // The chart and the pager stay in view; only a page of wide or tall rows scrolls.
  return el('div', { className: 'media-table-card' }, [
    chart ? tableChart(t, chart) : null,
    el('div', { className: 'media-table-wrap' }, [el('table', { className: 'media-table' }, [caption ? el('caption', { text: caption }) : null, el('thead', {}, [el('tr', {}, heads)]), body])]),
    pager,
  ]);
}

const TCHART_W = 480;
const TCHART_H = 200;
const TCHART_PAD = 22;
/** Room left of the plot for the y axis' numbers. */
const TCHART_LEFT = 50;

/** The chart a table's hint names, drawn from every row read: lines (split by `stroke`), points, bars, or a histogram of x. */
function tableChart(t: MediaTableView, hint: MediaChartHint): HTMLElement {
  const col = (name: string | undefined): number => (name === undefined ? -1 : t.columns.indexOf(name));
  const xi = col(hint.x);
  const yi = col(hint.y);
  const si = col(hint.stroke);
  const canvas = el('canvas', { className: 'media-table-chart' });
  const ratio = Math.max(1, Math.round(window.devicePixelRatio || 1));
  canvas.width = TCHART_W * ratio;
  canvas.height = TCHART_H * ratio;
  canvas.style.aspectRatio = `${TCHART_W} / ${TCHART_H}`;
  const ctx = canvas.getContext('2d');
  const style = getComputedStyle(document.body);
  const fg = style.getPropertyValue('--vscode-descriptionForeground') || '#888';
  let points = 0;
  let label = '';
  if (ctx) {
    ctx.scale(ratio, ratio);
    ctx.font = `10px ${style.fontFamily}`;
    ctx.fillStyle = fg;
    const w = TCHART_W - TCHART_LEFT - TCHART_PAD;
    const h = TCHART_H - 2 * TCHART_PAD;
    const L = TCHART_LEFT;
    const axes = (x0: string, x1: string, y0: string, y1: string): void => {
      ctx.globalAlpha = 1;
      ctx.fillStyle = fg;
      ctx.strokeStyle = fg;
      ctx.beginPath();
      ctx.moveTo(L, TCHART_PAD);
      ctx.lineTo(L, TCHART_PAD + h);
      ctx.lineTo(L + w, TCHART_PAD + h);
      ctx.stroke();
      ctx.textBaseline = 'top';
      ctx.textAlign = 'left';
      ctx.fillText(x0, L, TCHART_PAD + h + 3);
      ctx.textAlign = 'right';
      ctx.fillText(x1, L + w, TCHART_PAD + h + 3);
      ctx.fillText(y1, L - 3, TCHART_PAD, L - 4);
      ctx.textBaseline = 'bottom';
      ctx.fillText(y0, L - 3, TCHART_PAD + h, L - 4);
    };
    if (hint.type === 'bar' && xi >= 0 && yi >= 0) {
      const bars = t.rows.map((r) => ({ name: r[xi] ?? '', v: Number(r[yi]) })).filter((b) => Number.isFinite(b.v)).slice(0, 100);
      const max = Math.max(0, ...bars.map((b) => b.v));
      const min = Math.min(0, ...bars.map((b) => b.v));
      const span = max - min || 1;
      const bw = w / Math.max(1, bars.length);
      bars.forEach((b, i) => {
        ctx.fillStyle = PALETTE[0];
        const top = TCHART_PAD + h - ((Math.max(b.v, 0) - min) / span) * h;
        const bottom = TCHART_PAD + h - ((Math.min(b.v, 0) - min) / span) * h;
        ctx.fillRect(L + i * bw + 1, top, Math.max(1, bw - 2), Math.max(1, bottom - top));
      });
      points = bars.length;
      axes(bars[0]?.name ?? '', bars[bars.length - 1]?.name ?? '', fmt(min), fmt(max));
      label = `bar chart of ${hint.y} by ${hint.x}`;
    } else if (hint.type === 'histogram' && xi >= 0) {
      const values = t.rows.map((r) => Number(r[xi])).filter(Number.isFinite);
      const lo = Math.min(...values);
      const hi = Math.max(...values);
      const bins = 20;
      const counts = new Array<number>(bins).fill(0);
      for (const v of values) counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo || 1)) * bins))]++;
      const max = Math.max(1, ...counts);
      counts.forEach((c, i) => {
        ctx.fillStyle = PALETTE[0];
        ctx.fillRect(L + (i * w) / bins + 1, TCHART_PAD + h - (c / max) * h, Math.max(1, w / bins - 2), (c / max) * h);
      });
      points = values.length;
      if (values.length > 0) axes(fmt(lo), fmt(hi), '0', String(max));
      label = `histogram of ${hint.x}`;
    } else if (xi >= 0 && yi >= 0) {
      const groups = new Map<string, { x: number; y: number }[]>();
      for (const r of t.rows) {
        const x = Number(r[xi]);
        const y = Number(r[yi]);
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        const g = si >= 0 ? r[si] ?? '' : '';
        let list = groups.get(g);
        if (!list) groups.set(g, (list = []));
        list.push({ x, y });
        points++;
      }
      const all = [...groups.values()].flat();
      const x0 = Math.min(...all.map((p) => p.x));
      const x1 = Math.max(...all.map((p) => p.x));
      const y0 = Math.min(...all.map((p) => p.y));
      const y1 = Math.max(...all.map((p) => p.y));
      const px = (x: number): number => L + ((x - x0) / (x1 - x0 || 1)) * w;
      const py = (y: number): number => TCHART_PAD + h - ((y - y0) / (y1 - y0 || 1)) * h;
      [...groups.values()].forEach((list, g) => {
        const color = PALETTE[g % PALETTE.length];
        ctx.strokeStyle = color;
        ctx.fillStyle = color;
        if (hint.type === 'scatter') {
          for (const p of list) ctx.fillRect(px(p.x) - 1.5, py(p.y) - 1.5, 3, 3);
          return;
        }
        list.sort((a, b) => a.x - b.x);
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        list.forEach((p, i) => (i === 0 ? ctx.moveTo(px(p.x), py(p.y)) : ctx.lineTo(px(p.x), py(p.y))));
        ctx.stroke();
      });
      if (all.length > 0) axes(fmt(x0), fmt(x1), fmt(y0), fmt(y1));
      // Several series: their names in their colours, top right.
      if (groups.size > 1) {
        ctx.textAlign = 'right';
        ctx.textBaseline = 'top';
        let right = L + w;
        for (const [g, name] of [...groups.keys()].entries()) {
          if (g >= 8) break;
          const text = name.slice(0, 40);
          ctx.fillStyle = PALETTE[g % PALETTE.length];
          ctx.fillText(text, right, 4);
          right -= ctx.measureText(text).width + 12;
        }
      }
      label = `${hint.type} chart of ${hint.y} against ${hint.x}${groups.size > 1 ? `, ${groups.size} series by ${hint.stroke}` : ''}`;
    }
  }
  canvas.dataset.points = String(points);
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  canvas.title = label;
  return el('figure', { className: 'media-table-chart-figure' }, [hint.title ? el('figcaption', { text: hint.title, title: hint.title }) : null, canvas]);
}

function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : String(Number(x.toPrecision(4)));
}
