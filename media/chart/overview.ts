// The Overview section: per run its ids (with copy buttons), state, times, tags, config and summary
// tables, and the Forked From chain with links — what W&B's Overview tab shows. All text via textContent.
// Laid out across the width (ids and facts, lineage, config, summary side by side) so the charts start
// on the first screen; numbers are written as everywhere else in the product (formatValue).
import type { RunOverview } from '../../src/shared/protocol';
import { formatDateTime } from '../../src/shared/dates';
import { button, clear, el } from './dom';
import { formatValue } from './format';

export interface OverviewEvents {
  copy(text: string, what: string): void;
  openVersion(runId: string, versionId: string): void;
  /** The branch diff of a fork or rewound version against its source (Compare with Source). */
  compareWithSource(versionId: string): void;
}

function time(seconds: number | null): string {
  if (seconds === null) return '–';
  // The same format as the Runs tree and its tooltips, in the webview's (VS Code's) language.
  return formatDateTime(seconds, navigator.language);
}

/** Flattens nested config into dotted keys, the way W&B's config table shows it. */
function flatten(value: unknown, prefix: string, out: [string, string][]): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.push([prefix, '{}']);
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  out.push([prefix, cellText(value)]);
}

/** A config or summary value as text: numbers by the product's formatter, strings as they are. */
export function cellText(value: unknown): string {
  if (typeof value === 'number') return formatValue(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

/** True for text that is one number (kept on one line: a number never wraps mid-digits). */
function isNumberText(text: string): boolean {
  return /^-?(\d[\d.]*(e[+-]?\d+)?|NaN|Infinity)$/.test(text);
}

function table(caption: string, rows: readonly [string, string][], className = ''): HTMLElement {
  if (rows.length === 0) return el('p', { className: 'muted', text: `${caption}: none` });
  const body = el('tbody');
  for (const [k, v] of rows) {
    // Keys stay on one line (cut with an ellipsis, whole in the tooltip) rather than break mid-word.
    // Numbers and short values (dates, states) on one line too; only long text wraps.
    const className = isNumberText(v) ? 'num' : v.length <= 32 ? 'short' : undefined;
    body.append(el('tr', {}, [el('th', { text: k, title: k, attrs: { scope: 'row' } }), el('td', { text: v, className, title: className ? v : undefined })]));
  }
  return el('table', { className: `kv ${className}`.trim() }, [el('caption', { text: caption }), body]);
}

function idRow(label: string, value: string, what: string, events: OverviewEvents): HTMLElement {
  return el('div', { className: 'id-row' }, [
    el('span', { className: 'label', text: label }),
    el('code', { text: value }),
    button(`Copy ${what}`, () => events.copy(value, what), { className: 'icon-button copy', text: 'Copy' }),
  ]);
}

function runCard(run: RunOverview, color: string, events: OverviewEvents): HTMLElement {
  const swatch = el('span', { className: 'swatch' });
  swatch.style.setProperty('--line-color', color);
  const version = run.version;
  const facts: [string, string][] = [
    ['Project', run.project],
    ['State', version.archived ? `${run.state} (this version is archived)` : run.state],
    ['Created', time(run.createdAt)],
    ['Updated', time(run.updatedAt)],
    ['Ended', time(version.endedAt)],
    ['Last step', run.lastStep === null ? '–' : String(run.lastStep)],
    ['Versions', String(run.versions.length)],
  ];
  if (run.tags.length > 0) facts.push(['Tags', run.tags.join(', ')]);
  if (run.notes) facts.push(['Notes', run.notes]);
  if (run.host) facts.push(['Host', run.pid !== null ? `${run.host} (pid ${run.pid})` : run.host]);
  // What the writer recorded about where it ran (the client's metadata record, W&B's run metadata).
  const meta = run.metadata;
  if (meta) {
    if (typeof meta.gpu === 'string' || typeof meta.gpu_count === 'number') facts.push(['GPU', [typeof meta.gpu_count === 'number' ? `${meta.gpu_count} ×` : '', typeof meta.gpu === 'string' ? meta.gpu : ''].join(' ').trim()]);
    if (typeof meta.python === 'string') facts.push(['Python', meta.python]);
    if (typeof meta.os === 'string') facts.push(['OS', meta.os]);
    if (typeof meta.command === 'string') facts.push(['Command', meta.command]);
  }

  const chain = el('ol', { className: 'lineage' });
  for (const link of run.lineage) {
    const name = link.runDeleted ? `${link.run} (deleted)` : (link.runName ?? link.run);
    const a = button(`Open ${name} version ${link.version}`, () => events.openVersion(link.run, link.version), {
      className: 'link',
      text: `${name} @ step ${link.step}`,
    });
    chain.append(el('li', {}, [a, el('span', { className: 'muted', text: ` ${link.run} · ${link.version}` })]));
  }

  const config: [string, string][] = [];
  flatten(run.config, '', config);
  const summary: [string, string][] = Object.entries(run.summary).map(([k, v]) => [k, cellText(v)]);

  return el('details', { className: 'run-card', attrs: { open: '' } }, [
    el('summary', {}, [swatch, el('span', { className: 'run-name', text: run.name }), el('span', { className: `state state-${run.state}`, text: run.state })]),
    el('div', { className: 'run-card-body' }, [
      el('div', { className: 'block' }, [
        idRow('Run id', run.id, 'run id', events),
        idRow('Version', version.id, 'version id', events),
        run.lineage.length > 0
          ? el('div', { className: 'forked-from' }, [
              el('h4', { text: 'Forked From' }),
              chain,
              button('Compare with Source', () => events.compareWithSource(version.id), { className: 'link compare-source', text: 'Compare with Source' }),
            ])
          : null,
      ]),
      el('div', { className: 'block' }, [table('Facts', facts, 'facts')]),
      el('div', { className: 'block' }, [table('Config', config)]),
      el('div', { className: 'block' }, [table('Summary', summary)]),
    ]),
  ]);
}

export class OverviewSection {
  private lastRendered = '';

  constructor(
    private readonly root: HTMLElement,
    private readonly events: OverviewEvents,
  ) {}

  /** Renders the cards; does nothing when the runs did not change (live runs update it often). */
  render(runs: readonly RunOverview[], colors: ReadonlyMap<string, string>, entries: readonly string[]): void {
    const signature = JSON.stringify(runs) + JSON.stringify([...colors]);
    if (signature === this.lastRendered) return;
    this.lastRendered = signature;
    clear(this.root);
    runs.forEach((run, i) => this.root.append(runCard(run, colors.get(entries[i] ?? run.id) ?? '#888888', this.events)));
  }

  text(): string {
    return this.root.textContent ?? '';
  }
}
