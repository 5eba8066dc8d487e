// The chart panel's Media section: a card per media key (images, histograms, tables; audio, video and
// HTML as files VS Code opens), each with a step slider that follows the panel's selected step and
// selects the step it is moved to. A card has a row per run the panel shows: the run's live version, or
// the archived version the selection is on. Record text (captions, cells, keys) only goes in as text.
import type { ChartSelection, HistogramDistribution, MediaCardStats, MediaEntryView, MediaItemView, MediaKeyInfo, MediaRow } from '../../src/shared/protocol';
import { button, clear, el, lineSwatch } from './dom';
import type { LineSpec } from './lines';
import { shownVersions, stopIndex } from './mediaSteps';

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
      this.keysRequest = ++this.requests;
      this.events.queryKeys(this.keysRequest, versions);
    } else if (moved) {
      for (const card of this.cards.values()) this.ask(card);
    }
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
    clear(this.rowsRoot);
    if (error !== undefined) {
      this.rowsRoot.append(el('p', { className: 'notice error', text: `Could not load ${this.key}: ${error}` }));
      return;
    }
    rows.forEach((row, r) => {
      const line = lines.find((l) => l.version === row.version);
      this.rowsRoot.append(this.renderRow(row, r, line));
    });
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
    const rowEl = el('div', { className: 'media-row' }, [head, over, body]);
    rowEl.dataset.row = String(r);
    return rowEl;
  }

  private renderEntry(body: HTMLElement, version: string, entry: MediaEntryView): void {
    entry.items.forEach((item, i) => {
      if (item.src !== undefined) body.append(image(item, `${this.key} ${i + 1}`));
      else if (item.bins && item.counts) body.append(histogram(item.bins, item.counts, item.caption));
      else if (item.table) body.append(table(item.table, item.caption));
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
        const images = rowEl ? [...rowEl.querySelectorAll('img')].filter((img) => img.complete && img.naturalWidth > 0).length : 0;
        return {
          version: row.version,
          entryStep: row.entry?.step ?? null,
          inherited: row.entry?.inherited ?? false,
          captions: (row.entry?.items ?? []).flatMap((it) => (it.caption !== undefined ? [it.caption] : [])),
          images,
          bars: rowEl ? rowEl.querySelectorAll('.histogram-bar').length : 0,
          tableRows: rowEl ? rowEl.querySelectorAll('tbody tr').length : 0,
          files: rowEl ? rowEl.querySelectorAll('button.media-open').length : 0,
          distribution: row.distribution && rowEl?.querySelector('canvas.media-distribution') ? row.distribution.steps.length : 0,
        };
      }),
    };
  }
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

function table(t: NonNullable<MediaItemView['table']>, caption: string | undefined): HTMLElement {
  if (t.error) return el('p', { className: 'notice error', text: t.error });
  const head = el('tr', {}, t.columns.map((c) => el('th', { text: c, title: c })));
  const body = el('tbody', {}, t.rows.map((row) => el('tr', {}, row.map((cell) => el('td', { text: cell, title: cell })))));
  const note = t.total > t.rows.length ? `${t.rows.length} of ${t.total} rows` : `${t.total} rows`;
  return el('div', { className: 'media-table-wrap' }, [
    el('table', { className: 'media-table' }, [caption ? el('caption', { text: caption }) : null, el('thead', {}, [head]), body]),
    el('div', { className: 'muted media-table-note', text: note }),
  ]);
}

function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : String(Number(x.toPrecision(4)));
}
