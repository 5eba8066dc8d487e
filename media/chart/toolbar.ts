// The panel's toolbar: key filter, smoothing, log scale, x axis, the selected step and the
// Rewind / Fork to Selected Step buttons (they run the same commands as the palette).
import type { ChartSelection, PanelCommand, XAxisMode } from '../../src/shared/protocol';
import { button, el } from './dom';

export interface ToolbarEvents {
  filter(text: string): void;
  smoothing(value: number): void;
  logScale(on: boolean): void;
  xAxis(mode: XAxisMode): void;
  command(command: PanelCommand): void;
  resetZoom(): void;
}

export class Toolbar {
  readonly root: HTMLElement;
  private readonly filterInput: HTMLInputElement;
  private readonly filterError: HTMLElement;
  private readonly smoothingInput: HTMLInputElement;
  private readonly smoothingValue: HTMLOutputElement;
  private readonly logInput: HTMLInputElement;
  private readonly xAxisSelect: HTMLSelectElement;
  private readonly selectionLabel: HTMLElement;
  private readonly rewindButton: HTMLButtonElement;
  private readonly forkButton: HTMLButtonElement;
  private readonly resetButton: HTMLButtonElement;
  private filterTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(events: ToolbarEvents) {
    this.filterInput = el('input', {
      className: 'filter',
      attrs: { type: 'search', placeholder: 'Filter metrics (text or /regex/)', 'aria-label': 'Filter metrics', spellcheck: 'false' },
    });
    this.filterInput.addEventListener('input', () => {
      clearTimeout(this.filterTimer);
      this.filterTimer = setTimeout(() => events.filter(this.filterInput.value), 120);
    });
    this.filterError = el('span', { className: 'filter-error', attrs: { role: 'status' } });

    this.smoothingInput = el('input', {
      attrs: { type: 'range', min: '0', max: '0.99', step: '0.01', value: '0', 'aria-label': 'Smoothing' },
    });
    this.smoothingValue = el('output', { className: 'smoothing-value', text: '0' });
    this.smoothingInput.addEventListener('input', () => {
      const v = Number(this.smoothingInput.value);
      this.smoothingValue.textContent = v.toFixed(2);
      events.smoothing(v);
    });

    this.logInput = el('input', { attrs: { type: 'checkbox', 'aria-label': 'Log scale' } });
    this.logInput.addEventListener('change', () => events.logScale(this.logInput.checked));

    this.xAxisSelect = el('select', { attrs: { 'aria-label': 'X axis' } }, [
      el('option', { text: 'Step', attrs: { value: 'step' } }),
      el('option', { text: 'Relative time', attrs: { value: 'relative' } }),
      el('option', { text: 'Wall time', attrs: { value: 'wall' } }),
    ]);
    this.xAxisSelect.addEventListener('change', () => events.xAxis(this.xAxisSelect.value as XAxisMode));

    this.resetButton = button('Reset zoom', () => events.resetZoom(), { className: 'reset-zoom' });
    this.selectionLabel = el('span', { className: 'selection-label', attrs: { role: 'status' } });
    this.rewindButton = button('Rewind to Selected Step', () => events.command('rewind'), {
      className: 'primary rewind',
      title: 'Rewind Run to Selected Step',
    });
    this.forkButton = button('Fork at Selected Step', () => events.command('fork'), {
      className: 'fork',
      title: 'Fork Run at Selected Step',
    });

    this.root = el('div', { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Chart options' } }, [
      el('div', { className: 'group' }, [this.filterInput, this.filterError]),
      el('label', { className: 'group' }, [el('span', { text: 'Smoothing' }), this.smoothingInput, this.smoothingValue]),
      el('label', { className: 'group' }, [this.logInput, el('span', { text: 'Log scale' })]),
      el('label', { className: 'group' }, [el('span', { text: 'X axis' }), this.xAxisSelect]),
      this.resetButton,
      el('div', { className: 'group selection' }, [this.selectionLabel, this.rewindButton, this.forkButton]),
    ]);
  }

  show(values: { filter: string; smoothing: number; logScale: boolean; xAxis: XAxisMode; zoomed: boolean }): void {
    if (document.activeElement !== this.filterInput) this.filterInput.value = values.filter;
    this.smoothingInput.value = String(values.smoothing);
    this.smoothingValue.textContent = values.smoothing.toFixed(2);
    this.logInput.checked = values.logScale;
    this.xAxisSelect.value = values.xAxis;
    this.resetButton.disabled = !values.zoomed;
  }

  showFilterError(message: string): void {
    this.filterError.textContent = message;
    this.filterInput.classList.toggle('invalid', message.length > 0);
  }

  /** What the selection part offers (tests and diagnostics). */
  describe(): { selection: string; rewind: boolean; fork: boolean; rewindTitle: string } {
    return {
      selection: this.selectionLabel.textContent ?? '',
      rewind: !this.rewindButton.disabled,
      fork: !this.forkButton.disabled,
      rewindTitle: this.rewindButton.title,
    };
  }

  /**
   * Shows the selected step, naming the version when it is an archived one, and offers only what that
   * selection allows: an archived version cannot be rewound (it can be forked).
   */
  showSelection(selection: ChartSelection | null, run: { readonly name: string; readonly versions: readonly { readonly id: string; readonly archived: boolean }[] } | undefined): void {
    const archived = selection !== null && (run?.versions.find((v) => v.id === selection.versionId)?.archived ?? false);
    this.selectionLabel.textContent = selectionText(selection, run?.name, archived);
    this.rewindButton.disabled = selection === null || archived;
    this.rewindButton.title = archived
      ? `Version ${selection?.versionId ?? ''} is archived and cannot be rewound: fork from it, or select the live curve`
      : 'Rewind Run to Selected Step';
    this.forkButton.disabled = selection === null;
  }
}

/** The toolbar's words for a selection: `run@step`, and the version when it is an archived one. */
export function selectionText(selection: ChartSelection | null, runName: string | undefined, archived: boolean): string {
  if (!selection) return 'Click a chart to select a step';
  const at = `${runName ?? selection.runId}@${selection.step}`;
  return archived ? `${at} · archived ${selection.versionId}` : at;
}
