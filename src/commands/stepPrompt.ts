// The step prompt of Rewind/Fork: a quick pick of the logged steps with their values, most recent
// first, paged so a run with a million steps costs one small query, that also takes a typed step and
// shows in place why a typed step cannot be used.
import * as vscode from 'vscode';
import type { HistoryRow } from '../core/api';
import { type Checkpoint, checkpointSpec, checkpoints, newestAtOrBefore } from '../core/checkpoints';
import { DisposableStore } from '../dispose';
import { formatCell } from '../format';
import { describe } from '../logger';
import { labelText } from '../userText';
import type { RunTarget } from './context';
import { type LineageAction, stepRefusal, targetRefusal } from './stepInput';

const PAGE = 200;
/** Values shown beside each step; the headline first. */
const SHOWN_KEYS = 4;
/** Checkpoints offered above the logged steps, newest first. */
const SHOWN_CHECKPOINTS = 5;

interface StepItem extends vscode.QuickPickItem {
  readonly step?: number;
  /** The typed-step item; `refusal` set when it cannot be used. */
  readonly typed?: { readonly step?: number; readonly refusal?: string };
  readonly earlier?: boolean;
}

export async function promptStep(target: RunTarget, action: LineageAction): Promise<number | undefined> {
  const { run, version, store } = target;
  const picker = vscode.window.createQuickPick<StepItem>();
  const label = version.archived ? `${run.name} (${version.id})` : run.name;
  picker.title =
    action === 'rewind'
      ? vscode.l10n.t('Rewind {0} to Step', labelText(label, 120))
      : vscode.l10n.t('Fork {0} at Step', labelText(label, 120));
  picker.placeholder =
    version.lastStep === null
      ? ''
      : vscode.l10n.t('Type a step from 0 to {0}, or pick a logged step', version.lastStep);
  picker.matchOnDescription = false;
  const disposables = new DisposableStore();
  disposables.add(picker);

  const blocked = targetRefusal(run, version, action);
  let loaded: StepItem[] = [];
  let loadedFrom = 0;
  // The run's checkpoints: offered first, and marked on the steps they belong to (issue 14).
  let marks: Checkpoint[] = [];
  const verb = (step: number): string =>
    action === 'rewind' ? vscode.l10n.t('Rewind to step {0}', step) : vscode.l10n.t('Fork at step {0}', step);

  const render = (): void => {
    if (blocked) {
      picker.items = [{ label: `$(error) ${labelText(blocked, 500)}`, alwaysShow: true }];
      return;
    }
    const value = picker.value.trim();
    const typed: StepItem[] = [];
    if (value) {
      const refusal = stepRefusal(value, run, version, action);
      typed.push(
        refusal
          ? { label: `$(error) ${labelText(refusal, 500)}`, alwaysShow: true, typed: { refusal } }
          : {
              label: stepLabel(Number(value)),
              description: typedDescription(Number(value)),
              alwaysShow: true,
              typed: { step: Number(value) },
            },
      );
    }
    const earlier: StepItem[] =
      loadedFrom > 0 ? [{ label: `$(ellipsis) ${vscode.l10n.t('Earlier steps…')}`, alwaysShow: true, earlier: true }] : [];
    const usable = marks.filter((c) => !stepRefusal(c.step, run, version, action)).reverse().slice(0, SHOWN_CHECKPOINTS);
    const offered: StepItem[] =
      usable.length === 0
        ? []
        : [
            { label: vscode.l10n.t('Checkpoints'), kind: vscode.QuickPickItemKind.Separator },
            ...usable.map((c) => ({
              label: `$(package) ${vscode.l10n.t('{0} — checkpoint {1} at step {2}', verb(c.step), labelText(checkpointSpec(c), 200), c.step)}`,
              description: labelText(c.type, 60),
              step: c.step,
            })),
            { label: vscode.l10n.t('Logged steps'), kind: vscode.QuickPickItemKind.Separator },
          ];
    picker.items = [...typed, ...offered, ...loaded.map(marked), ...earlier];
  };

  const typedDescription = (step: number): string => {
    const base = action === 'rewind' ? vscode.l10n.t('Rewind to this step') : vscode.l10n.t('Fork at this step');
    if (marks.length === 0) return base;
    const c = newestAtOrBefore(marks, step);
    return c
      ? vscode.l10n.t('{0} — checkpoint {1} at step {2}', base, labelText(checkpointSpec(c), 200), c.step)
      : vscode.l10n.t('{0} — no checkpoint at or before it', base);
  };

  const marked = (item: StepItem): StepItem => {
    const here = item.step === undefined ? [] : marks.filter((c) => c.step === item.step);
    if (here.length === 0) return item;
    const names = here.map((c) => checkpointSpec(c)).join(', ');
    return { ...item, description: `$(package) ${labelText(names, 200)}${item.description ? ` · ${item.description}` : ''}` };
  };

  const loadPage = async (keys: readonly string[], total: number): Promise<void> => {
    const offset = Math.max(0, (loadedFrom || total) - PAGE);
    const table = await store.history(version.id, { offset, limit: (loadedFrom || total) - offset, keys });
    const columns = table.columns;
    const items = [...table.rows].reverse().map((row) => stepItem(row, columns));
    loaded = [...loaded, ...items];
    loadedFrom = offset;
  };

  const result = new Promise<number | undefined>((resolve) => {
    disposables.add(picker.onDidChangeValue(() => render()));
    disposables.add(
      picker.onDidAccept(async () => {
        const item = picker.selectedItems[0] ?? picker.activeItems[0];
        if (!item || blocked) return;
        if (item.earlier) {
          picker.busy = true;
          try {
            await loadPage(keys, total);
          } finally {
            picker.busy = false;
          }
          render();
          return;
        }
        // A refused typed step keeps the prompt open: the reason is already on screen.
        const step = item.typed ? item.typed.step : item.step;
        if (step === undefined) return;
        resolve(step);
        picker.hide();
      }),
    );
    disposables.add(picker.onDidHide(() => resolve(undefined)));
  });

  let keys: readonly string[] = [];
  let total = 0;
  picker.busy = !blocked;
  render();
  picker.show();
  if (!blocked) {
    try {
      marks = checkpoints(await store.artifacts(version.id));
      keys = await shownKeys(target);
      total = (await store.history(version.id, { limit: 1 })).total;
      await loadPage(keys, total);
    } catch (error) {
      picker.items = [{ label: `$(error) ${labelText(describe(error), 500)}`, alwaysShow: true }];
    }
    picker.busy = false;
    render();
  }
  try {
    return await result;
  } finally {
    disposables.dispose();
  }
}

/** The row's step as W&B names it (`_step`), apart from any logged key called "step". */
function stepLabel(step: number): string {
  return `_step ${step}`;
}

function stepItem(row: HistoryRow, columns: readonly string[]): StepItem {
  const values = columns
    .map((key, i) => [key, row.cells[i] ?? null] as const)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${formatCell(v)}`);
  return {
    label: stepLabel(row.step),
    // One line per step: a dense list is what finding the spike before a divergence needs. Values are
    // `key=value`, so a logged key named "step" never reads like the row's `_step` label.
    description: labelText(values.join(' · '), 300),
    step: row.step,
  };
}

async function shownKeys(target: RunTarget): Promise<string[]> {
  const keys = (await target.store.metricKeys(target.version.id)).filter((k) => k.numeric).map((k) => k.key);
  const headline = target.run.headline?.key;
  const ordered = headline && keys.includes(headline) ? [headline, ...keys.filter((k) => k !== headline)] : keys;
  return ordered.slice(0, SHOWN_KEYS);
}
