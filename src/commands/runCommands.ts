// Commands that act on runs and archived versions: rewind, fork, copy ids and snippets, rename,
// delete, history, charts. Each accepts a tree element (plus the multi-selection), a run or version id,
// or nothing (then it asks), so menus, the palette, other commands and tests share one path.
import * as vscode from 'vscode';
import { RunRewindError } from '../core/errors';
import { MAX_NAME_LENGTH } from '../core/runSpec';
import type { ConsoleDocuments } from '../console/consoleDocuments';
import type { HistoryDocuments } from '../history/historyDocuments';
import { CommandId } from '../ids';
import { openCharts } from '../panels/charts';
import { labelText, messageText, stripBidi } from '../userText';
import { isRunsNode } from '../views/nodes';
import { type CommandContext, type RunTarget, resolveTarget, resolveTargets } from './context';
import { type LineageOptions, type LineageOutcome, checkpointOf, rewindOrFork } from './lineage';
import { type SnippetMode, resumeSnippet } from './snippet';
import type { LineageAction } from './stepInput';
import { promptStep } from './stepPrompt';
import { targetRefusal } from './stepInput';

export type SimpleOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export function registerRunCommands(ctx: CommandContext, history: HistoryDocuments, consoles: ConsoleDocuments): vscode.Disposable[] {
  const lineage = (action: LineageAction) => async (arg?: unknown, step?: unknown, options?: LineageOptions): Promise<LineageOutcome | undefined> => {
    const target = await resolveTarget(ctx, arg);
    if (!target) return undefined;
    const chosen = typeof step === 'number' ? step : await promptStep(target, action);
    if (chosen === undefined) return undefined;
    // A step picked in the prompt was the confirmation; a rewind with a step from elsewhere asks.
    return rewindOrFork(ctx, target, chosen, action, { confirm: typeof step === 'number', ...options });
  };

  return [
    vscode.commands.registerCommand(CommandId.RewindToStep, lineage('rewind')),
    vscode.commands.registerCommand(CommandId.ForkAtStep, lineage('fork')),
    vscode.commands.registerCommand(CommandId.CopyRunId, async (arg?: unknown, selected?: unknown) =>
      copy(await resolveTargets(ctx, arg, selected), (t) => t.run.id),
    ),
    vscode.commands.registerCommand(CommandId.CopyVersionId, async (arg?: unknown, selected?: unknown) =>
      copy(await resolveTargets(ctx, arg, selected), (t) => t.version.id),
    ),
    vscode.commands.registerCommand(CommandId.CopyResumeSnippet, (arg?: unknown, step?: unknown, mode?: SnippetMode) =>
      copyResumeSnippet(ctx, arg, step, mode),
    ),
    vscode.commands.registerCommand(CommandId.RenameRun, (arg?: unknown, name?: unknown) => renameRun(ctx, arg, name)),
    vscode.commands.registerCommand(CommandId.DeleteRun, (arg?: unknown, selected?: unknown, options?: { readonly confirm?: boolean }) =>
      deleteRuns(ctx, arg, selected, options),
    ),
    vscode.commands.registerCommand(CommandId.OpenHistory, async (arg?: unknown, selected?: unknown) => {
      const targets = await resolveTargets(ctx, arg, selected);
      for (const t of targets) await history.open({ folder: t.folder, runId: t.run.id, versionId: t.version.id }, { preview: targets.length === 1 });
    }),
    vscode.commands.registerCommand(CommandId.OpenConsole, async (arg?: unknown, selected?: unknown) => {
      const targets = await resolveTargets(ctx, arg, selected);
      for (const t of targets) await consoles.open({ folder: t.folder, runId: t.run.id, versionId: t.version.id }, { preview: targets.length === 1 });
    }),
    vscode.commands.registerCommand(CommandId.OpenCharts, async (arg?: unknown, selected?: unknown) =>
      // Archived versions by their immutable id, so the panel draws that exact version.
      openCharts(ctx.services, (await resolveTargets(ctx, arg, selected)).map((t) => ({ folder: t.folder, id: t.version.archived ? t.version.id : t.run.id }))),
    ),
    vscode.commands.registerCommand(CommandId.RevealSource, async (arg?: unknown) => {
      if (!isRunsNode(arg) || arg.kind !== 'forkSource') return;
      const source = ctx.services.runIndex.find(arg.source.run, arg.folder);
      if (source) await ctx.tree.revealRun(source.folder, source.run.id, { focus: true });
    }),
  ];
}

async function copy(targets: readonly RunTarget[], pick: (t: RunTarget) => string): Promise<string | undefined> {
  if (targets.length === 0) return undefined;
  const text = targets.map(pick).join('\n');
  await vscode.env.clipboard.writeText(text);
  vscode.window.setStatusBarMessage(vscode.l10n.t('Copied: {0}', labelText(text.replace(/\n/g, ', '), 300)), 3000);
  return text;
}

interface ModeItem extends vscode.QuickPickItem {
  readonly mode: SnippetMode;
}

async function copyResumeSnippet(ctx: CommandContext, arg: unknown, step: unknown, mode: SnippetMode | undefined): Promise<string | undefined> {
  const target = await resolveTarget(ctx, arg);
  if (!target) return undefined;
  let chosen = mode;
  if (!chosen) {
    const items: ModeItem[] = [];
    if (!target.version.archived) {
      items.push({
        mode: 'resume',
        label: vscode.l10n.t('Continue this run'),
        description: 'init(id=…, resume="must")',
        detail: vscode.l10n.t('Logs after step {0}. The line to use after a rewind or fork made here.', target.version.lastStep ?? '-'),
      });
      items.push({ mode: 'rewind', label: vscode.l10n.t('Rewind at a step'), description: 'init(resume_from="…?_step=N")', detail: vscode.l10n.t('The script rewinds the run itself, then logs from N+1.') });
    }
    items.push({ mode: 'fork', label: vscode.l10n.t('Fork at a step'), description: 'init(fork_from="…?_step=N")', detail: vscode.l10n.t('A new run that starts with this history up to N.') });
    chosen = (await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Which snippet?') }))?.mode;
    if (!chosen) return undefined;
  }
  let snippetStep: number | undefined;
  if (chosen !== 'resume') {
    snippetStep = typeof step === 'number' ? step : await promptStep(target, chosen);
    if (snippetStep === undefined) return undefined;
    const refusal = targetRefusal(target.run, target.version, chosen);
    if (refusal) {
      void vscode.window.showErrorMessage(messageText(refusal, 500));
      return undefined;
    }
  }
  // Resuming continues from the newest weights; a rewind or fork at N from the newest at or before N.
  const at = snippetStep ?? target.version.lastStep;
  const checkpoint = at === null ? undefined : await checkpointOf(ctx, target, at);
  const snippet = resumeSnippet(target, chosen, snippetStep, checkpoint);
  await vscode.env.clipboard.writeText(snippet);
  vscode.window.setStatusBarMessage(vscode.l10n.t('Copied: {0}', labelText(snippet, 300)), 4000);
  ctx.log.debug(`copied snippet ${snippet}`);
  return snippet;
}

async function renameRun(ctx: CommandContext, arg: unknown, name: unknown): Promise<SimpleOutcome | undefined> {
  const target = await resolveTarget(ctx, arg);
  if (!target) return undefined;
  const validate = (value: string): string | undefined =>
    value.trim() === '' ? vscode.l10n.t('A run name cannot be empty.') : value.trim().length > MAX_NAME_LENGTH ? vscode.l10n.t('Keep the name to {0} characters or fewer.', MAX_NAME_LENGTH) : undefined;
  const newName =
    typeof name === 'string'
      ? name
      : await vscode.window.showInputBox({
          title: vscode.l10n.t('Rename Run {0}', labelText(target.run.id)),
          // Editable text, not rendered: only the bidi controls that would reorder it on screen go.
          value: stripBidi(target.run.name),
          prompt: vscode.l10n.t('The display name; the run id {0} stays the same.', messageText(target.run.id)),
          validateInput: validate,
        });
  if (newName === undefined) return undefined;
  const refusal = validate(newName);
  if (refusal) {
    void vscode.window.showErrorMessage(refusal);
    return { ok: false, reason: refusal };
  }
  try {
    await target.store.rename(target.run.id, newName.trim());
  } catch (error) {
    return failed(ctx, error);
  }
  await ctx.tree.revealRun(target.folder, target.run.id);
  return { ok: true };
}

async function deleteRuns(
  ctx: CommandContext,
  arg: unknown,
  selected: unknown,
  options: { readonly confirm?: boolean } | undefined,
): Promise<SimpleOutcome | undefined> {
  // Menus pass (clicked, selection); programmatic callers may pass options second.
  const isOptions = typeof selected === 'object' && selected !== null && !Array.isArray(selected) && !isRunsNode(selected);
  const opts = isOptions ? (selected as { readonly confirm?: boolean }) : options;
  const all = await resolveTargets(ctx, arg, isOptions ? undefined : selected, vscode.l10n.t('Choose a run to delete'));
  // Deleting acts on whole runs; an archived version in the selection stands for nothing.
  const targets = all.filter((t, i) => !t.version.archived && all.findIndex((o) => o.run.id === t.run.id && o.folder === t.folder) === i);
  if (targets.length === 0) return undefined;
  if (opts?.confirm !== false) {
    const archived = targets.reduce((n, t) => n + t.run.versions.filter((v) => v.archived).length, 0);
    const del = vscode.l10n.t('Delete');
    const question =
      targets.length === 1
        ? vscode.l10n.t('Delete run {0} ({1})?', messageText(targets[0]?.run.name ?? ''), targets[0]?.run.id ?? '')
        : vscode.l10n.t('Delete {0} runs?', targets.length);
    const detail =
      archived === 1
        ? vscode.l10n.t('Its 1 archived version is deleted too. Runs forked from it keep their history. The log files stay on disk.')
        : archived > 0
          ? vscode.l10n.t('Their {0} archived versions are deleted too. Runs forked from them keep their history. The log files stay on disk.', archived)
          : vscode.l10n.t('Archived versions are deleted too. Runs forked from them keep their history. The log files stay on disk.');
    if ((await vscode.window.showWarningMessage(question, { modal: true, detail }, del)) !== del) {
      return { ok: false, reason: vscode.l10n.t('Cancelled.') };
    }
  }
  try {
    for (const t of targets) await t.store.deleteRun(t.run.id);
  } catch (error) {
    return failed(ctx, error);
  }
  for (const folder of new Set(targets.map((t) => t.folder))) await ctx.services.runIndex.refresh(folder);
  ctx.log.info(`deleted ${targets.map((t) => t.run.id).join(', ')}`);
  return { ok: true };
}

function failed(ctx: CommandContext, error: unknown): SimpleOutcome {
  const message = error instanceof RunRewindError ? error.message : String(error);
  if (!(error instanceof RunRewindError)) ctx.log.error(error instanceof Error ? error : message);
  void vscode.window.showErrorMessage(messageText(message, 500));
  return { ok: false, reason: message };
}
