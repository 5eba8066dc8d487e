// Commands on the selected step (picked on a chart or a history line): rewind or fork there, with the
// same refusals and confirmation as the step prompt, and the status bar item's quick menu.
import * as vscode from 'vscode';
import { checkpointAtOrBefore, checkpointSpec } from '../core/checkpoints';
import { describe } from '../logger';
import { CommandId } from '../ids';
import { labelText } from '../userText';
import { type CommandContext, lookup } from './context';
import { type LineageOptions, type LineageOutcome, rewindOrFork } from './lineage';
import type { LineageAction } from './stepInput';

export function registerSelectionCommands(ctx: CommandContext): vscode.Disposable[] {
  const atSelected = (action: LineageAction) => async (options?: LineageOptions): Promise<LineageOutcome | undefined> => {
    const selected = ctx.services.selection.current;
    if (!selected) {
      const reason = vscode.l10n.t('No step is selected: click a point on a chart, or put the cursor on a row of a run history.');
      void vscode.window.showInformationMessage(reason);
      return { ok: false, reason };
    }
    const target = await lookup(ctx, selected.versionId, selected.folder);
    if (!target) return undefined;
    // Key bindings reach here with no argument or a non-options one; only a plain object is options.
    const opts = typeof options === 'object' && options !== null && !Array.isArray(options) ? options : {};
    return rewindOrFork(ctx, target, selected.step, action, opts);
  };

  // The status item marks a selected step that has a checkpoint and names the nearest one before it.
  const markCheckpoint = async (): Promise<void> => {
    const selected = ctx.services.selection.current;
    if (!selected) return;
    try {
      const store = ctx.services.stores.get(selected.folder);
      const artifacts = store ? await (await store.store()).artifacts(selected.versionId) : [];
      const c = checkpointAtOrBefore(artifacts, selected.step);
      ctx.services.selection.showCheckpoint(selected, c ? { artifact: checkpointSpec(c), step: c.step } : undefined);
    } catch (error) {
      ctx.log.debug(`checkpoint of the selected step: ${describe(error)}`);
    }
  };

  return [
    ctx.services.selection.onDidChange(() => void markCheckpoint()),
    vscode.commands.registerCommand(CommandId.RewindToSelectedStep, atSelected('rewind')),
    vscode.commands.registerCommand(CommandId.ForkAtSelectedStep, atSelected('fork')),
    vscode.commands.registerCommand(CommandId.ClearSelectedStep, () => ctx.services.selection.set(undefined)),
    vscode.commands.registerCommand(CommandId.SelectedStepActions, async () => {
      const selected = ctx.services.selection.current;
      if (!selected) return;
      // Run ids are [A-Za-z0-9_-] by protocol; labelText keeps a hand-written one inert in the quick pick.
      const at = labelText(`${selected.runId}@${selected.step}`);
      const items: (vscode.QuickPickItem & { readonly command: CommandId; readonly args: unknown[] })[] = [
        // An archived version cannot be rewound: only what the selection allows is offered.
        ...(selected.archived
          ? []
          : [{ label: `$(discard) ${vscode.l10n.t('Rewind Run to Selected Step')}`, description: at, command: CommandId.RewindToSelectedStep, args: [] }]),
        { label: `$(repo-forked) ${vscode.l10n.t('Fork Run at Selected Step')}`, description: at, command: CommandId.ForkAtSelectedStep, args: [] },
        {
          label: `$(clippy) ${vscode.l10n.t('Copy Resume Snippet')}`,
          description: `resume_from="${at.replace('@', '?_step=')}"`,
          command: CommandId.CopyResumeSnippet,
          args: [{ run: selected.versionId, folder: selected.folder }, selected.step, 'rewind'],
        },
        { label: `$(table) ${vscode.l10n.t('Open Run History')}`, command: CommandId.OpenHistory, args: [{ run: selected.versionId, folder: selected.folder }] },
        // The console of the version the step was picked on: it opens at that step's lines.
        { label: `$(terminal) ${vscode.l10n.t('Open Run Console')}`, command: CommandId.OpenConsole, args: [{ run: selected.versionId, folder: selected.folder }] },
        { label: `$(close) ${vscode.l10n.t('Clear Selected Step')}`, command: CommandId.ClearSelectedStep, args: [] },
      ];
      const picked = await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Selected step {0}', at) });
      if (picked) await vscode.commands.executeCommand(picked.command, ...picked.args);
    }),
  ];
}
