// The grid of chart cards, grouped into collapsible sections by key prefix, plus the legend above it.
// A card is made once per key and kept (its chart survives filtering); the app is told when a card
// comes near the viewport, when a section is opened or closed, and when a card's export button is hit.
import type { ExportKind, RunOverview } from '../../src/shared/protocol';
import { button, clear, el, lineSwatch } from './dom';
import { filterKeys, sectionsOf } from './grid';
import type { LineSpec } from './lines';

export interface SectionEvents {
  /** A section (`#overview`, or a key prefix) was opened or closed by the user. */
  toggled(id: string, open: boolean): void;
  /** A card entered or left the viewport's margin. */
  visible(key: string, visible: boolean): void;
  export(kind: ExportKind, key: string): void;
  /** The grid's width changed (the panel was resized): charts may need a new width. */
  resized(): void;
}

export interface Card {
  readonly card: HTMLElement;
  readonly body: HTMLElement;
}

export class Sections {
  private readonly cards = new Map<string, Card>();
  private readonly visibility: IntersectionObserver;
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly root: HTMLElement,
    private readonly events: SectionEvents,
  ) {
    this.visibility = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const key = (entry.target as HTMLElement).dataset.key;
        if (key !== undefined) events.visible(key, entry.isIntersecting);
      }
    }, { rootMargin: '300px' });
    // Only width matters to the charts; heights change with every readout and would re-layout uPlot.
    let observedWidth = 0;
    new ResizeObserver((entries) => {
      const width = Math.round(entries[entries.length - 1].contentRect.width);
      if (width === observedWidth) return;
      observedWidth = width;
      this.resizedSoon();
    }).observe(root);
  }

  /** Tells of a resize once the resizing paused. */
  resizedSoon(): void {
    clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(() => this.events.resized(), 100);
  }

  /** A card's width before it is laid out: the grid's columns of about 450 px, 12 px apart. */
  estimateWidth(): number {
    const width = Math.max(200, document.body.clientWidth - 32);
    const columns = Math.max(1, Math.floor((width + 12) / 452));
    return Math.floor((width - (columns - 1) * 12) / columns) - 2;
  }

  /** A collapsible section (a `<details>`), open unless `collapsed`. */
  section(id: string, title: string, content: HTMLElement, collapsed: boolean): HTMLDetailsElement {
    const details = el('details', { className: 'section', attrs: collapsed ? {} : { open: '' } }, [
      el('summary', {}, [el('span', { className: 'section-title', text: title })]),
      content,
    ]);
    details.dataset.section = id;
    details.addEventListener('toggle', () => this.events.toggled(id, details.open));
    return details;
  }

  /**
   * Lays out a card per numeric key the filter keeps, by section. Returns the keys shown, in display
   * order, and why the filter could not be used ('' when it could).
   */
  render(numeric: readonly string[], filter: string, collapsed: readonly string[]): { readonly shown: string[]; readonly filterError: string } {
    const { keys, error } = filterKeys(numeric, filter);
    const sections = sectionsOf(keys);
    clear(this.root);
    if (numeric.length === 0) {
      this.root.append(el('p', { className: 'muted', text: 'No numeric metrics logged yet.' }));
      return { shown: [], filterError: error };
    }
    if (keys.length === 0) this.root.append(el('p', { className: 'muted', text: `No metric matches “${filter}”.` }));
    for (const section of sections) {
      const grid = el('div', { className: 'grid' });
      for (const key of section.keys) grid.append(this.cardFor(key).card);
      this.root.append(this.section(section.name, `${section.name} (${section.keys.length})`, grid, collapsed.includes(section.name)));
    }
    return { shown: sections.flatMap((s) => s.keys), filterError: error };
  }

  /** The card of `key`, if it was ever laid out. */
  card(key: string): Card | undefined {
    return this.cards.get(key);
  }

  private cardFor(key: string): Card {
    const existing = this.cards.get(key);
    if (existing) return existing;
    const body = el('div', { className: 'card-body' });
    const title = el('h3', { className: 'card-title', text: key, title: key });
    // The host exports exactly as "Export Chart as PNG/CSV" does: one path, the same file.
    const actions = el('div', { className: 'card-actions' }, [
      button(`Export ${key} as PNG`, () => this.events.export('png', key), { className: 'icon-button', text: 'PNG', attrs: { 'data-export': 'png' } }),
      button(`Export ${key} data as CSV`, () => this.events.export('csv', key), { className: 'icon-button', text: 'CSV', attrs: { 'data-export': 'csv' } }),
    ]);
    const card = el('div', { className: 'card', attrs: { role: 'figure', 'aria-label': key } }, [el('div', { className: 'card-header' }, [title, actions]), body]);
    card.dataset.key = key;
    const entry = { card, body };
    this.cards.set(key, entry);
    this.visibility.observe(card);
    return entry;
  }
}

/** The legend: a swatch and label per line, and what dashed and dotted mean when there are such lines. */
export function renderLegend(root: HTMLElement, lines: readonly LineSpec[], runs: Iterable<RunOverview>): void {
  clear(root);
  for (const line of lines) {
    root.append(el('span', { className: 'legend-item', title: `${line.runId} · ${line.version}` }, [lineSwatch(line), el('span', { text: line.label })]));
  }
  const hasFork = [...runs].some((r) => r.forkedFrom !== null);
  const hasArchived = lines.some((l) => l.archived);
  if (hasArchived || hasFork) {
    const hint = [hasArchived ? 'dashed: archived versions (before a rewind), each its own dash, drawn from the rewind step' : '', hasFork ? 'dotted: history inherited from the fork source' : '']
      .filter(Boolean)
      .join(' · ');
    root.append(el('span', { className: 'legend-hint muted', text: hint }));
  }
}
