// Rewinding and forking, whichever way they were asked for (step prompt, selected step, caller with
// arguments): the same refusals, the same confirmation, then reveal the result and offer the snippet.
import * as vscode from 'vscode';
import { RunRewindError } from '../core/errors';
import { CommandId } from '../ids';
import { labelText, messageText } from '../userText';
import type { CommandContext, RunTarget } from './context';
import { resumeSnippet } from './snippet';
import { type LineageAction, stepRefusal } from './stepInput';

export interface LineageOptions {
  /** Ask before rewinding (default true). Callers that already asked, and tests, pass false. */
  readonly confirm?: boolean;
  /** For a fork: the new run's id and display name (generated when omitted). */
  readonly id?: string;
  readonly name?: string;
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
    }
  | { readonly ok: false; readonly reason: string };

export async function rewindOrFork(
  ctx: CommandContext,
  target: RunTarget,
  step: number,
  action: LineageAction,
  options: LineageOptions = {},
): Promise<LineageOutcome> {
  const { run, version, store, folder } = target;
  const refusal = stepRefusal(step, run, version, action);
  if (refusal) {
    void vscode.window.showErrorMessage(messageText(refusal, 500));
    return { ok: false, reason: refusal };
  }
  if (action === 'rewind' && options.confirm !== false) {
    const rewind = vscode.l10n.t('Rewind');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('Rewind {0} ({1}) to step {2}?', messageText(run.name), run.id, step),
      {
        modal: true,
        detail: vscode.l10n.t(
          'Steps after {0} leave the run. Its current version {1} is archived and stays browsable under Rewinds.',
          step,
          version.id,
        ),
      },
      rewind,
    );
    if (answer !== rewind) return { ok: false, reason: vscode.l10n.t('Cancelled.') };
  }

  let outcome: LineageOutcome;
  try {
    if (action === 'rewind') {
      const result = await store.rewind(run.id, step);
      outcome = { ok: true, action, folder, runId: result.run.id, version: result.version, archived: result.archived };
    } else {
      const source = version.archived ? version.id : run.id;
      const result = await store.fork(source, step, { id: options.id, name: options.name });
      outcome = { ok: true, action, folder, runId: result.run.id, version: result.version };
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
  const snippet = resumeSnippet({ run: found }, 'resume');
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
        );
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
