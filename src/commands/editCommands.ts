// Edit Tags…, Edit Notes… and Set Group…: a run's tags, notes and group changed after the fact (an `edit`
// op record, docs/PROTOCOL.md), from the Runs view (one run or a multi-selection) and the runs table's
// context menu (its row, or every selected row when the row is one of them). With several runs, tags are
// edited as a set: the box shows the tags all of them share; removing one removes it from each, adding
// one adds it to each, and their other tags stay.
import * as vscode from 'vscode';
import { MAX_NAME_LENGTH, MAX_NOTES_LENGTH, MAX_TAG_LENGTH, MAX_TAGS } from '../core/runSpec';
import { CommandId } from '../ids';
import { describe } from '../logger';
import { RunsTablePanel } from '../panels/tablePanel';
import { TABLE_VIEW_TYPE } from '../shared/tableProtocol';
import { labelText, messageText, stripBidi } from '../userText';
import { type CommandContext, type RunRef, type RunTarget, resolveTargets } from './context';

export type EditOutcome = { readonly ok: true; readonly runs: readonly string[] } | { readonly ok: false; readonly reason: string };

type Field = 'tags' | 'notes' | 'group';

export function registerEditCommands(ctx: CommandContext): vscode.Disposable[] {
  const command = (field: Field) => async (arg?: unknown, selected?: unknown, value?: unknown): Promise<EditOutcome | undefined> => {
    const targets = uniqueRuns(await resolveTargets(ctx, ...argsOf(arg, selected)));
    if (targets.length === 0) return undefined;
    return edit(ctx, field, targets, value);
  };
  return [
    vscode.commands.registerCommand(CommandId.EditTags, command('tags')),
    vscode.commands.registerCommand(CommandId.EditNotes, command('notes')),
    vscode.commands.registerCommand(CommandId.SetGroup, command('group')),
  ];
}

/**
 * What a call names: the runs table's context menu passes its row's data (`{ webview, runId, selected }`:
 * the selected rows when the clicked one is among them), the table `{ folder, runs }`, the tree (clicked,
 * selected[]); anything else is a run for resolveTarget.
 */
function argsOf(arg: unknown, selected: unknown): [unknown, unknown] {
  if (typeof arg === 'object' && arg !== null) {
    const a = arg as { webview?: unknown; runId?: unknown; selected?: unknown; folder?: unknown; runs?: unknown };
    if (a.webview === TABLE_VIEW_TYPE && typeof a.runId === 'string') {
      const folder = RunsTablePanel.active?.folder.key;
      const chosen = Array.isArray(a.selected) && a.selected.includes(a.runId) ? a.selected.filter((r): r is string => typeof r === 'string') : [a.runId];
      return [undefined, chosen.map((run): RunRef => ({ run, folder }))];
    }
    if (typeof a.folder === 'string' && Array.isArray(a.runs)) {
      return [undefined, a.runs.filter((r): r is string => typeof r === 'string').map((run): RunRef => ({ run, folder: a.folder as string }))];
    }
  }
  return [arg, selected];
}

/** One target per run (an archived version's row edits its run). */
function uniqueRuns(targets: readonly RunTarget[]): RunTarget[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const key = `${t.folder}\u0000${t.run.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function splitTags(text: string): string[] {
  return [...new Set(text.split(',').map((t) => t.trim()).filter((t) => t !== ''))];
}

/** Notes in a one-line box: a line break is written `\n` (and a backslash `\\`). */
function notesToLine(notes: string): string {
  return notes.replace(/\\/g, '\\\\').replace(/\r?\n/g, '\\n');
}

function lineToNotes(line: string): string {
  return line.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

async function edit(ctx: CommandContext, field: Field, targets: readonly RunTarget[], given: unknown): Promise<EditOutcome | undefined> {
  const one = targets.length === 1 ? targets[0] : undefined;
  const who = one ? labelText(one.run.name, 80) : vscode.l10n.t('{0} runs', targets.length);
  let change: (t: RunTarget) => { tags?: string[]; notes?: string; group?: string | null };
  if (field === 'tags') {
    const shared = targets.slice(1).reduce((acc, t) => acc.filter((tag) => t.run.tags.includes(tag)), [...targets[0].run.tags]);
    const text = Array.isArray(given) ? given.join(',') : typeof given === 'string' ? given : await vscode.window.showInputBox({
      title: vscode.l10n.t('Edit Tags of {0}', who),
      value: stripBidi(shared.join(', ')),
      prompt: one ? vscode.l10n.t('Tags, separated by commas.') : vscode.l10n.t('The tags all of them share, separated by commas: one you remove goes from each run, one you add goes to each.'),
      validateInput: (v) => {
        const tags = splitTags(v);
        if (tags.some((t) => t.length > MAX_TAG_LENGTH)) return vscode.l10n.t('Keep each tag to {0} characters or fewer.', MAX_TAG_LENGTH);
        return tags.length > MAX_TAGS ? vscode.l10n.t('A run keeps at most {0} tags.', MAX_TAGS) : undefined;
      },
    });
    if (text === undefined) return undefined;
    const wanted = splitTags(text);
    const removed = new Set(shared.filter((t) => !wanted.includes(t)));
    change = (t) => ({ tags: [...t.run.tags.filter((tag) => !removed.has(tag)), ...wanted.filter((tag) => !t.run.tags.includes(tag))] });
  } else if (field === 'notes') {
    const same = targets.every((t) => t.run.notes === targets[0].run.notes) ? targets[0].run.notes : '';
    const line = typeof given === 'string' ? notesToLine(given) : await vscode.window.showInputBox({
      title: vscode.l10n.t('Edit Notes of {0}', who),
      value: stripBidi(notesToLine(same)),
      prompt: vscode.l10n.t('Notes about the run; write \\n for a line break.'),
      validateInput: (v) => (lineToNotes(v).length > MAX_NOTES_LENGTH ? vscode.l10n.t('Keep the notes to {0} characters or fewer.', MAX_NOTES_LENGTH) : undefined),
    });
    if (line === undefined) return undefined;
    const notes = lineToNotes(line);
    change = () => ({ notes });
  } else {
    let current = '';
    if (one) {
      try {
        current = (await one.store.runsTable({ runs: [one.run.id] })).rows[0]?.group ?? '';
      } catch {
        current = '';
      }
    }
    const text = given === null ? '' : typeof given === 'string' ? given : await vscode.window.showInputBox({
      title: vscode.l10n.t('Set Group of {0}', who),
      value: stripBidi(current),
      prompt: vscode.l10n.t('Runs of one group are grouped in the runs table (wandb\'s group=); empty: no group.'),
      validateInput: (v) => (v.trim().length > MAX_NAME_LENGTH ? vscode.l10n.t('Keep the group to {0} characters or fewer.', MAX_NAME_LENGTH) : undefined),
    });
    if (text === undefined) return undefined;
    const group = text.trim() === '' ? null : text.trim();
    change = () => ({ group });
  }
  const done: string[] = [];
  for (const t of targets) {
    try {
      await t.store.editRun(t.run.id, change(t));
      done.push(t.run.id);
    } catch (error) {
      const reason = describe(error);
      ctx.log.warn(`edit ${field} of ${t.run.id}: ${reason}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Could not edit {0}: {1}', messageText(t.run.name, 80), messageText(reason, 300)));
      return { ok: false, reason };
    }
  }
  return { ok: true, runs: done };
}
