// What command handlers work with, and how their first argument — a tree element, a run or version
// id, or nothing (then a quick pick) — becomes the run and version they act on.
import * as vscode from 'vscode';
import type { RunInfo, StoreApi, VersionInfo } from '../core/api';
import type { ComponentLogger } from '../logger';
import type { Services } from '../services';
import { type RunsNode, isRunsNode, liveVersion } from '../views/nodes';
import type { RunsView } from '../views/runsTree';
import { labelText, messageText } from '../userText';

export interface CommandContext {
  /** The run index (services.runIndex) is where commands look runs up; the tree only shows them. */
  readonly services: Services;
  /** The Runs view: its selection (palette calls act on it) and revealing a run after a change. */
  readonly tree: RunsView;
  readonly log: ComponentLogger;
}

/** A run (or one of its archived versions) a command acts on. */
export interface RunTarget {
  readonly folder: string;
  readonly run: RunInfo;
  /** The live version for a run, the archived version for a version element. */
  readonly version: VersionInfo;
  readonly store: StoreApi;
}

/** What callers other than the tree may pass: a run id or version id, optionally with the folder key. */
export interface RunRef {
  readonly run: string;
  readonly folder?: string;
}

export type RunArg = RunsNode | RunRef | string | undefined;

function isRunRef(value: unknown): value is RunRef {
  return typeof value === 'object' && value !== null && typeof (value as { run?: unknown }).run === 'string';
}

/**
 * The targets of a command. Menus on a multi-selection pass (clicked, selected[]); a palette call passes
 * nothing and gets a run quick pick; programmatic callers pass an id. Unknown ids are refused with a
 * message, returning [].
 */
export async function resolveTargets(ctx: CommandContext, arg: unknown, selected?: unknown, placeHolder?: string): Promise<RunTarget[]> {
  const args: unknown[] = Array.isArray(selected) && selected.length > 0 ? selected : [arg];
  const targets: RunTarget[] = [];
  for (const a of args) {
    const t = await resolveTarget(ctx, a, placeHolder);
    if (t) targets.push(t);
  }
  return targets;
}

export async function resolveTarget(ctx: CommandContext, arg: unknown, placeHolder?: string): Promise<RunTarget | undefined> {
  if (arg === undefined) return pickRun(ctx, placeHolder);
  if (isRunsNode(arg)) {
    switch (arg.kind) {
      case 'run':
      case 'forkedFrom':
        return lookup(ctx, arg.runId, arg.folder);
      case 'version':
        return lookup(ctx, arg.versionId, arg.folder);
      case 'forkSource':
        return lookup(ctx, arg.source.version, arg.folder);
      default:
        return undefined;
    }
  }
  if (typeof arg === 'string') return lookup(ctx, arg);
  if (isRunRef(arg)) return lookup(ctx, arg.run, arg.folder);
  return undefined;
}

/** Finds a run or version id, listing the folders first if they were never listed. */
export async function lookup(ctx: CommandContext, runOrVersion: string, folder?: string): Promise<RunTarget | undefined> {
  const stores = folder ? [ctx.services.stores.get(folder)].filter((s) => s !== undefined) : ctx.services.stores.all;
  for (const s of stores) {
    const data = await ctx.services.runIndex.refresh(s.key);
    const runId = data.runs.has(runOrVersion) ? runOrVersion : data.versionToRun.get(runOrVersion);
    const run = runId ? data.runs.get(runId) : undefined;
    if (!run) continue;
    const version = run.versions.find((v) => v.id === runOrVersion) ?? liveVersion(run);
    if (!version) continue;
    return { folder: s.key, run, version, store: await s.store() };
  }
  void vscode.window.showErrorMessage(vscode.l10n.t('There is no run or version "{0}" in this workspace.', messageText(runOrVersion)));
  return undefined;
}

interface RunPickItem extends vscode.QuickPickItem {
  readonly folder: string;
  readonly runId: string;
}

async function pickRun(ctx: CommandContext, placeHolder?: string): Promise<RunTarget | undefined> {
  // A palette call while runs are selected in the tree acts on the first selected run.
  const selected = ctx.tree.selection.find((n) => n.kind === 'run' || n.kind === 'version');
  if (selected && ctx.tree.view.visible) return resolveTarget(ctx, selected);
  const items: RunPickItem[] = [];
  const multi = ctx.services.stores.all.length > 1;
  for (const s of ctx.services.stores.all) {
    const data = await ctx.services.runIndex.load(s.key);
    const runs = [...data.runs.values()].sort((a, b) => b.updatedAt - a.updatedAt);
    for (const run of runs) {
      items.push({
        // Label, description and detail all render $(icon): the project and folder name too.
        label: labelText(run.name, 120),
        description: labelText([run.id, run.project, multi ? s.name : undefined].filter(Boolean).join(' · '), 200),
        detail: run.lastStep !== null ? vscode.l10n.t('{0} · last step {1}', run.state, run.lastStep) : run.state,
        folder: s.key,
        runId: run.id,
      });
    }
  }
  if (items.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('There are no runs yet. Log one with the Run Rewind Python client.'));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, {
    placeHolder: placeHolder ?? vscode.l10n.t('Choose a run'),
    matchOnDescription: true,
  });
  return picked ? lookup(ctx, picked.runId, picked.folder) : undefined;
}
