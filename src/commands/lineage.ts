// Rewinding and forking, whichever way they were asked for (step prompt, selected step, caller with
// arguments): the same refusals, the same confirmation, then reveal the result and offer the snippet.
import * as vscode from 'vscode';
import { type Checkpoint, checkpointAtOrBefore, checkpointSpec } from '../core/checkpoints';
import { RunRewindError } from '../core/errors';
import { CommandId } from '../ids';
import { labelText, messageText } from '../userText';
import type { CommandContext, RunTarget } from './context';
import { resumeSnippet } from './snippet';
import { type LineageAction, stepRefusal, targetRefusal } from './stepInput';

export interface LineageOptions {
  /** Ask before rewinding (default true). Callers that already asked, and tests, pass false. */
  readonly confirm?: boolean;
  /** For a fork: the new run's id and display name (generated when omitted). */
  readonly id?: string;
  readonly name?: string;
  /** Go to the newest checkpoint at or before the step instead of the step itself (refused when there is none). */
  readonly toCheckpoint?: boolean;
}

/** The checkpoint a rewind or fork loads: named in the confirmation, the notification and the snippet. */
export interface OutcomeCheckpoint {
  readonly name: string;
  readonly artifactVersion: string;
  readonly step: number;
}

export type LineageOutcome =
  | {
      readonly ok: true;
      readonly action: LineageAction;
      readonly folder: string;
      /** The rewound run, or the new run made by the fork. */
      readonly runId: string;
      /** The new live version. */
      readonly version: string;
      /** For a rewind: the version it archived. */
      readonly archived?: string;
      /** The step it went to (a checkpoint's, when it went to one). */
      readonly step: number;
      /** The newest checkpoint at or before that step, if the run logged one. */
      readonly checkpoint?: OutcomeCheckpoint;
    }
  | { readonly ok: false; readonly reason: string };

export async function rewindOrFork(
  ctx: CommandContext,
  target: RunTarget,
  requested: number,
  action: LineageAction,
  options: LineageOptions = {},
): Promise<LineageOutcome> {
  const { run, version, store, folder } = target;
  let step = requested;
  // With toCheckpoint the step is an upper bound: the last step itself is a fine one to search back from.
  const blocked = stepRefusal(step, run, version, options.toCheckpoint ? 'fork' : action) ?? targetRefusal(run, version, action);
  if (blocked) {
    void vscode.window.showErrorMessage(messageText(blocked, 500));
    return { ok: false, reason: blocked };
  }
  let checkpoint = await checkpointOf(ctx, target, step);
  if (options.toCheckpoint) {
    if (!checkpoint) {
      const reason = vscode.l10n.t('Run {0} has no checkpoint at or before step {1}: log one with run.log_artifact(artifact) (type "model" or "checkpoint") or run.log_model(path).', run.id, step);
      void vscode.window.showErrorMessage(reason);
      return { ok: false, reason };
    }
    step = checkpoint.step;
  }
  const refusal = stepRefusal(step, run, version, action);
  if (refusal) {
    void vscode.window.showErrorMessage(messageText(refusal, 500));
    return { ok: false, reason: refusal };
  }
  if (action === 'rewind' && options.confirm !== false) {
    const rewind = vscode.l10n.t('Rewind');
    const archived = vscode.l10n.t('Steps after {0} leave the run. Its current version {1} is archived and stays browsable under Rewinds.', step, version.id);
    const spec = checkpoint ? checkpointSpec(checkpoint) : '';
    if (checkpoint && checkpoint.step < step) {
      // Two clicks from the chart: the step with no checkpoint, or the checkpoint's step just before it.
      const toCheckpoint = vscode.l10n.t('Rewind to Checkpoint Step {0}', checkpoint.step);
      const toStep = vscode.l10n.t('Rewind to Step {0}', step);
      const answer = await vscode.window.showWarningMessage(
        vscode.l10n.t('Rewind {0} ({1}) to step {2}?', messageText(run.name), run.id, step),
        {
          modal: true,
          detail: `${vscode.l10n.t('Step {0} has no checkpoint. The newest checkpoint before it is {1} at step {2}: rewinding to step {2} continues from those weights with the history that produced them.', step, spec, checkpoint.step)}\n\n${archived}`,
        },
        toCheckpoint,
        toStep,
      );
      if (answer === toCheckpoint) {
        step = checkpoint.step;
      } else if (answer !== toStep) {
        return { ok: false, reason: vscode.l10n.t('Cancelled.') };
      }
    } else {
      const question = checkpoint
        ? vscode.l10n.t('Rewind {0} ({1}) to step {2} — checkpoint {3} at step {2}?', messageText(run.name), run.id, step, spec)
        : vscode.l10n.t('Rewind {0} ({1}) to step {2}?', messageText(run.name), run.id, step);
      const detail = checkpoint ? `${archived}\n\n${vscode.l10n.t('The resume snippet loads checkpoint {0}.', spec)}` : archived;
      const answer = await vscode.window.showWarningMessage(question, { modal: true, detail }, rewind);
      if (answer !== rewind) return { ok: false, reason: vscode.l10n.t('Cancelled.') };
    }
  }
  if (action === 'fork' && options.confirm !== false && !options.toCheckpoint && checkpoint && checkpoint.step < step) {
    // A fork from a step with no checkpoint starts without weights for it: offer the checkpoint's step.
    const spec = checkpointSpec(checkpoint);
    const toCheckpoint = vscode.l10n.t('Fork at Checkpoint Step {0}', checkpoint.step);
    const toStep = vscode.l10n.t('Fork at Step {0}', step);
    const answer = await vscode.window.showInformationMessage(
      vscode.l10n.t('Fork {0} ({1}) at step {2}?', messageText(run.name), run.id, step),
      {
        modal: true,
        detail: vscode.l10n.t('Step {0} has no checkpoint. The newest checkpoint before it is {1} at step {2}: a fork at step {2} starts from those weights with the history that produced them.', step, spec, checkpoint.step),
      },
      toCheckpoint,
      toStep,
    );
    if (answer === toCheckpoint) step = checkpoint.step;
    else if (answer !== toStep) return { ok: false, reason: vscode.l10n.t('Cancelled.') };
  }
  if (checkpoint && checkpoint.step > step) checkpoint = undefined;

  let outcome: LineageOutcome;
  try {
    if (action === 'rewind') {
      const result = await store.rewind(run.id, step);
      outcome = { ok: true, action, folder, runId: result.run.id, version: result.version, archived: result.archived, step, checkpoint: outcomeCheckpoint(checkpoint) };
    } else {
      const source = version.archived ? version.id : run.id;
      const result = await store.fork(source, step, { id: options.id, name: options.name });
      outcome = { ok: true, action, folder, runId: result.run.id, version: result.version, step, checkpoint: outcomeCheckpoint(checkpoint) };
    }
  } catch (error) {
    // The store's errors name the run and step; they are the message the user needs.
    const message = error instanceof RunRewindError ? error.message : vscode.l10n.t('{0} failed: {1}', action, String(error));
    if (!(error instanceof RunRewindError)) ctx.log.error(error instanceof Error ? error : message);
    // Store errors quote run names: they are user text like any other.
    void vscode.window.showErrorMessage(messageText(message, 500));
    return { ok: false, reason: message };
  }

  ctx.log.info(`${action} ${run.id}@${step} → run ${outcome.runId}, version ${outcome.version}`);
  await ctx.tree.revealRun(folder, outcome.runId, { expand: action === 'rewind' });
  void offerNext(ctx, outcome, run.name, step);
  return outcome;
}

/**
 * The notification after a rewind or fork; not awaited, so the command finishes at once. Non-modal
 * messages render `[label](command:…)` as links with command access: every name goes through messageText.
 */
async function offerNext(ctx: CommandContext, outcome: LineageOutcome & { ok: true }, sourceName: string, step: number): Promise<void> {
  const found = ctx.services.runIndex.run(outcome.folder, outcome.runId);
  if (!found) return;
  const snippet = resumeSnippet({ run: found }, 'resume', undefined, outcome.checkpoint);
  const loaded = outcome.checkpoint
    ? ` ${vscode.l10n.t('The resume snippet also loads checkpoint {0} (step {1}).', checkpointSpec(outcome.checkpoint), outcome.checkpoint.step)}`
    : '';
  const message =
    outcome.action === 'rewind'
      ? vscode.l10n.t(
          'Rewound {0} to step {1}; the previous version is archived under Rewinds. To keep training this run, start your script with init(id="{2}", resume="must") — it continues from step {3}.',
          messageText(sourceName),
          step,
          found.id,
          step + 1,
        )
      : vscode.l10n.t(
          'Forked {0}@{1} into the new run {2} ({3}). To train it, start your script with init(id="{3}", resume="must").',
          messageText(sourceName),
          step,
          messageText(found.name),
          found.id,
        ) + loaded;
  const copy = vscode.l10n.t('Copy Resume Snippet');
  const charts = vscode.l10n.t('Open Charts');
  const answer = await vscode.window.showInformationMessage(message, copy, charts);
  if (answer === copy) {
    await vscode.env.clipboard.writeText(snippet);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Copied: {0}', labelText(snippet, 300)), 4000);
  } else if (answer === charts) {
    await vscode.commands.executeCommand(CommandId.OpenCharts, { run: found.id, folder: outcome.folder });
  }
}

/** The newest checkpoint at or before `step` in the target version's artifacts; none when they cannot be read. */
export async function checkpointOf(ctx: CommandContext, target: RunTarget, step: number): Promise<Checkpoint | undefined> {
  try {
    return checkpointAtOrBefore(await target.store.artifacts(target.version.id), step);
  } catch (error) {
    // A rewind does not need the checkpoint: it goes on, the snippet without the load line.
    ctx.log.warn(`artifacts of ${target.version.id} could not be read: ${String(error)}`);
    return undefined;
  }
}

function outcomeCheckpoint(c: Checkpoint | undefined): OutcomeCheckpoint | undefined {
  return c ? { name: c.name, artifactVersion: c.artifactVersion, step: c.step } : undefined;
}
