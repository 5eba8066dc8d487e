// Branch diff documents and their commands: Compare with Source (a fork or rewound run, or an archived
// version, against where it branched) and Compare Runs (any two runs or versions: two selected in the
// Runs view or the runs table, or two picked). Each opens a read-only document
// runrewind-diff:/<title>.diff?folder=…&a=…[&b=…], rendered from the store's branchDiff and rendered
// again while either side trains.
import * as vscode from 'vscode';
import type { CommandContext, RunTarget } from '../commands/context';
import { resolveTarget, resolveTargets } from '../commands/context';
import { Disposable } from '../dispose';
import { CommandId, DIFF_SCHEME } from '../ids';
import { LiveDocumentChanges } from '../liveDocuments';
import { describe } from '../logger';
import { fileNameText, labelText, messageText } from '../userText';
import { renderDiff } from './renderDiff';


export interface DiffAddress {
  readonly folder: string;
  /** A version id: the fork or rewind when `b` is absent, else the left side. */
  readonly a: string;
  readonly b?: string;
}

export function diffUri(address: DiffAddress, title: string): vscode.Uri {
  const params: Record<string, string> = { folder: address.folder, a: address.a };
  if (address.b !== undefined) params.b = address.b;
  return vscode.Uri.from({ scheme: DIFF_SCHEME, path: `/${fileNameText(title, 80)}.diff`, query: new URLSearchParams(params).toString() });
}

export function parseDiffUri(uri: vscode.Uri): DiffAddress | undefined {
  if (uri.scheme !== DIFF_SCHEME) return undefined;
  const p = new URLSearchParams(uri.query);
  const folder = p.get('folder');
  const a = p.get('a');
  const b = p.get('b') ?? undefined;
  return folder && a ? { folder, a, b } : undefined;
}

export class DiffDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changes = this._register(new LiveDocumentChanges());
  readonly onDidChange = this.changes.event;

  constructor(private readonly ctx: CommandContext) {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(DIFF_SCHEME, this));
    // A diff names versions, not runs: any change in its folder may change either side (cheap to render).
    this._register(ctx.services.stores.onDidChangeRuns((e) => this.changes.refresh((uri) => parseDiffUri(uri)?.folder === e.folder)));
    this._register(vscode.commands.registerCommand(CommandId.CompareWithSource, (arg?: unknown) => this.compareWithSource(arg)));
    this._register(vscode.commands.registerCommand(CommandId.CompareRuns, (arg?: unknown, selected?: unknown) => this.compareRuns(arg, selected)));
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const address = parseDiffUri(uri);
    if (!address) return vscode.l10n.t('This is not a Run Rewind comparison address: {0}', uri.toString());
    const folder = this.ctx.services.stores.get(address.folder);
    if (!folder) return vscode.l10n.t('The workspace folder of this comparison is no longer open.');
    try {
      const store = await folder.store();
      return renderDiff(await store.branchDiff(address.a, address.b));
    } catch (error) {
      this.ctx.log.warn(`comparison ${uri.query}: ${describe(error)}`);
      return `# ${describe(error)}\n`;
    }
  }

  /** Opens the comparison of `a` (a fork or rewind) with its source, or of `a` (left) with `b` (right). */
  async open(address: DiffAddress, title: string): Promise<vscode.TextEditor> {
    const document = await vscode.workspace.openTextDocument(diffUri(address, title));
    return vscode.window.showTextDocument(document, { preview: false });
  }

  /**
   * A fork or rewound run (its live version), or a version that branched, against its source; an
   * archived version that never branched (a run's first) against the version that rewound it.
   */
  private async compareWithSource(arg: unknown): Promise<vscode.TextEditor | undefined> {
    const target = await resolveTarget(this.ctx, arg, vscode.l10n.t('Compare which fork or rewound run with its source?'));
    if (!target) return undefined;
    const { version, run } = target;
    if (version.parent !== null && version.branchStep !== null) {
      return this.open({ folder: target.folder, a: version.id }, vscode.l10n.t('{0} vs source', title(target)));
    }
    const successor = run.versions.find((v) => v.parent === version.id && v.runId === run.id);
    if (successor) {
      return this.open({ folder: target.folder, a: version.id, b: successor.id }, vscode.l10n.t('{0} vs its rewind', title(target)));
    }
    void vscode.window.showErrorMessage(
      vscode.l10n.t('{0} is neither a fork nor a rewind: it has no source to compare with. Select it and another run, then Compare Runs.', messageText(run.name, 100)),
    );
    return undefined;
  }

  /** Two runs or versions: the tree's selection, `{ folder, runs: [a, b] }`, or two picked from a list. */
  private async compareRuns(arg: unknown, selected: unknown): Promise<vscode.TextEditor | undefined> {
    let targets: RunTarget[];
    const pair = pairArg(arg);
    if (pair) targets = await resolveTargets(this.ctx, undefined, pair.runs.map((run) => ({ run, folder: pair.folder })));
    else if (Array.isArray(selected) && selected.length > 0) targets = await resolveTargets(this.ctx, arg, selected);
    else if (arg !== undefined) targets = await resolveTargets(this.ctx, arg);
    else targets = await this.treeSelection();
    if (targets.length !== 2) {
      const picked = await this.pickTwo(targets);
      if (!picked) return undefined;
      targets = picked;
    }
    const [a, b] = targets;
    if (a.folder !== b.folder) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Runs of two workspace folders cannot be compared: their logs are in different stores.'));
      return undefined;
    }
    const left = a.version.archived ? a.version.id : a.run.liveVersion;
    const right = b.version.archived ? b.version.id : b.run.liveVersion;
    if (left === right) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Pick two different runs or versions to compare.'));
      return undefined;
    }
    return this.open({ folder: a.folder, a: left, b: right }, vscode.l10n.t('{0} vs {1}', title(a), title(b)));
  }

  /** A palette call with two runs or versions selected in the Runs view compares them. */
  private async treeSelection(): Promise<RunTarget[]> {
    const nodes = this.ctx.tree.selection.filter((n) => n.kind === 'run' || n.kind === 'version');
    return nodes.length === 2 && this.ctx.tree.view.visible ? resolveTargets(this.ctx, undefined, nodes) : [];
  }

  /** Two runs picked from every folder's runs (the ones already chosen ticked). */
  private async pickTwo(chosen: readonly RunTarget[]): Promise<RunTarget[] | undefined> {
    interface Item extends vscode.QuickPickItem {
      readonly folder: string;
      readonly id: string;
    }
    const items: Item[] = [];
    const ticked = new Set(chosen.map((t) => `${t.folder}\u0000${t.run.id}`));
    for (const s of this.ctx.services.stores.all) {
      const data = await this.ctx.services.runIndex.load(s.key);
      for (const run of [...data.runs.values()].sort((x, y) => y.updatedAt - x.updatedAt)) {
        items.push({ label: labelText(run.name, 120), description: labelText(`${run.id} · ${run.project}`, 200), folder: s.key, id: run.id, picked: ticked.has(`${s.key}\u0000${run.id}`) });
      }
    }
    const picked = await vscode.window.showQuickPick(items, { canPickMany: true, placeHolder: vscode.l10n.t('Pick two runs to compare') });
    if (!picked) return undefined;
    if (picked.length !== 2) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Compare Runs compares two runs; {0} were picked.', picked.length));
      return undefined;
    }
    return resolveTargets(this.ctx, undefined, picked.map((p) => ({ run: p.id, folder: p.folder })));
  }
}

function title(t: RunTarget): string {
  return t.version.archived ? `${t.run.name} ${t.version.id}` : t.run.name;
}

function pairArg(arg: unknown): { folder: string; runs: [string, string] } | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const { folder, runs } = arg as { folder?: unknown; runs?: unknown };
  if (typeof folder !== 'string' || !Array.isArray(runs) || runs.length !== 2 || !runs.every((r) => typeof r === 'string')) return undefined;
  return { folder, runs: [runs[0] as string, runs[1] as string] };
}
