// The step the user picked in the editor — on a chart or on a line of a run's history document. One
// selection for the whole window: it drives the "Selected Step" commands, their key bindings and menus
// (through context keys) and the "run@step" status bar item.
import * as vscode from 'vscode';
import { CommandId, ContextKey } from './ids';
import { labelText, singleLine } from './userText';

export interface SelectedStep {
  /** The store the run lives in: its workspace folder uri string, or the store key when no folder is open. */
  readonly folder: string;
  readonly runId: string;
  /** The immutable version the step was picked on (possibly archived). */
  readonly versionId: string;
  readonly step: number;
  readonly source: 'chart' | 'history' | 'console';
  /** True when `versionId` is an archived version (it can be forked from, not rewound); said in the status bar. */
  readonly archived?: boolean;
}

export function sameStep(a: SelectedStep | undefined, b: SelectedStep | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.folder === b.folder && a.runId === b.runId && a.versionId === b.versionId && a.step === b.step && a.source === b.source && !!a.archived === !!b.archived;
}

/** The checkpoint nearest at or before a selected step (issue 14): the status item marks a step that has one. */
export interface StepCheckpoint {
  /** `name:vN` */
  readonly artifact: string;
  readonly step: number;
}

export class StepSelection implements vscode.Disposable {
  private selected: SelectedStep | undefined;
  private readonly emitter = new vscode.EventEmitter<SelectedStep | undefined>();
  private readonly statusItem: vscode.StatusBarItem;

  /** Fires after the selection changed (not when it is set to an equal value). */
  readonly onDidChange: vscode.Event<SelectedStep | undefined> = this.emitter.event;

  constructor() {
    this.statusItem = vscode.window.createStatusBarItem('runRewind.selectedStep', vscode.StatusBarAlignment.Left, 50);
    this.statusItem.name = vscode.l10n.t('Run Rewind: Selected Step');
    this.statusItem.command = CommandId.SelectedStepActions;
    void vscode.commands.executeCommand('setContext', ContextKey.HasSelectedStep, false);
    void vscode.commands.executeCommand('setContext', ContextKey.SelectedStepArchived, false);
  }

  get current(): SelectedStep | undefined {
    return this.selected;
  }

  set(step: SelectedStep | undefined): void {
    if (sameStep(step, this.selected)) return;
    this.selected = step;
    void vscode.commands.executeCommand('setContext', ContextKey.HasSelectedStep, step !== undefined);
    // Disables Rewind Run to Selected Step (palette, editor title, key binding): an archived version cannot be rewound.
    void vscode.commands.executeCommand('setContext', ContextKey.SelectedStepArchived, step?.archived === true);
    if (step) {
      if (step.archived) {
        // Name the archived version: "run@step" alone reads as the live run, which is what a rewind acts on.
        this.statusItem.text = `$(debug-step-over) ${labelText(step.runId, 60)}@${step.step} (${vscode.l10n.t('archived {0}', singleLine(step.versionId))})`;
        this.statusItem.tooltip = vscode.l10n.t(
          'Selected step {0} of archived version {2} of run {1}. Click to fork here (an archived version cannot be rewound).',
          step.step,
          singleLine(step.runId),
          singleLine(step.versionId),
        );
      } else {
        this.statusItem.text = `$(debug-step-over) ${labelText(step.runId, 60)}@${step.step}`;
        this.statusItem.tooltip = vscode.l10n.t(
          'Selected step {0} of run {1} (version {2}). Click to rewind or fork here.',
          step.step,
          singleLine(step.runId),
          singleLine(step.versionId),
        );
      }
      this.baseTooltip = typeof this.statusItem.tooltip === 'string' ? this.statusItem.tooltip : '';
      this.checkpoint = undefined;
      this.statusItem.show();
    } else {
      this.statusItem.hide();
    }
    this.emitter.fire(step);
  }

  private baseTooltip = '';
  private checkpoint: StepCheckpoint | undefined;

  /** The checkpoint at or before `step`, once looked up: a step that has one is marked, the nearest named. */
  showCheckpoint(step: SelectedStep, checkpoint: StepCheckpoint | undefined): void {
    if (!sameStep(step, this.selected)) return;
    this.checkpoint = checkpoint;
    const text = this.statusItem.text.replace(/ \$\(save\)$/, '');
    this.statusItem.text = checkpoint?.step === step.step ? `${text} $(save)` : text;
    const note = !checkpoint
      ? ''
      : checkpoint.step === step.step
        ? vscode.l10n.t('Checkpoint {0} holds this step.', singleLine(checkpoint.artifact))
        : vscode.l10n.t('No checkpoint at this step; the newest before it is {0} at step {1}.', singleLine(checkpoint.artifact), checkpoint.step);
    this.statusItem.tooltip = note ? `${this.baseTooltip}\n${note}` : this.baseTooltip;
  }

  /** What the status item says about checkpoints (tests). */
  get shownCheckpoint(): { readonly text: string; readonly checkpoint: StepCheckpoint | undefined } {
    return { text: this.statusItem.text, checkpoint: this.checkpoint };
  }

  dispose(): void {
    this.statusItem.dispose();
    this.emitter.dispose();
  }
}
