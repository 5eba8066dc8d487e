// Loaded by bench/extension.ts as the extension host's "tests" module: measures the extension from
// inside the host, writes the figures to RUNREWIND_BENCH_FIGURES, then waits for the driver's on-screen
// measurement (RUNREWIND_BENCH_DONE) before letting the window close.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LogWriter } from '../../src/core/writer';
import type { RunRewindApi } from '../../src/extension';
import { EXTENSION_ID, ViewContainerId, ViewId } from '../../src/ids';
import type { RunsNode } from '../../src/views/nodes';

export interface HostFigures {
  readonly activationMs: number;
  readonly firstListingMs: number;
  readonly warmListingMs: number;
  readonly projectRuns: number;
  readonly expandProjectMs: number;
  readonly archived: number;
  readonly expandChainMs: number;
  readonly revealDeepestMs: number;
  readonly appendToTreeMs: number[];
  /** A fork made → its row built in the tree; and whether a full listing was needed for it. */
  readonly forkToTreeMs: number[];
  readonly forkFullListings: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension<RunRewindApi>(EXTENSION_ID);
  if (!ext) throw new Error('Run Rewind is not loaded');
  const api = ext.isActive ? ext.exports : await ext.activate();
  const provider = api.runs.provider;

  let t = performance.now();
  await vscode.commands.executeCommand(`workbench.view.extension.${ViewContainerId.Runs}`);
  let roots = await provider.getChildren();
  while (roots.length === 0) {
    await sleep(10);
    roots = await provider.getChildren();
  }
  const firstListingMs = performance.now() - t;

  const key = api.folders.all[0]?.key ?? '';
  t = performance.now();
  await api.runIndex.refresh(key);
  const warmListingMs = performance.now() - t;

  // Every project expanded: all 1,000 run rows built.
  t = performance.now();
  let projectRuns = 0;
  for (const project of roots) {
    const runs = await provider.getChildren(project);
    for (const r of runs) provider.getTreeItem(r);
    projectRuns += runs.length;
  }
  const expandProjectMs = performance.now() - t;

  const deepProject = roots.find((n) => n.kind === 'project' && n.project === 'a-deep');
  if (!deepProject) throw new Error('no a-deep project');
  t = performance.now();
  const [deep] = await provider.getChildren(deepProject);
  if (!deep) throw new Error('no deep run');
  let level: RunsNode[] = (await provider.getChildren(deep)).filter((n) => n.kind === 'forkedFrom');
  let archived = 0;
  let deepest: RunsNode | undefined;
  while (level.length > 0) {
    const next: RunsNode[] = [];
    for (const n of level) {
      provider.getTreeItem(n);
      if (n.kind === 'version') {
        archived++;
        deepest = n;
      }
      next.push(...(await provider.getChildren(n)));
    }
    level = next;
  }
  const expandChainMs = performance.now() - t;

  // The first version of the chain: nested, VS Code resolved every parent one by one; flat, one row.
  const first = api.runIndex.run(key, 'deep')?.versions.find((v) => v.parent === null);
  t = performance.now();
  if (first) await api.runs.revealVersion(key, 'deep', first.id);
  else if (deepest) await api.runs.view.reveal(deepest, { select: true, expand: false });
  const revealDeepestMs = performance.now() - t;
  const selected = api.runs.view.selection[0];
  if (first && !(selected?.kind === 'version' && selected.versionId === first.id)) throw new Error('revealing the first version did not select it');

  // A run that logs while the tree is open: time from the append to the item built with that step.
  const logDir = api.folders.all[0]?.logDir ?? path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '', '.runrewind');
  const writer = new LogWriter({ dir: logDir, run: 'live', project: '0-host', name: 'live', heartbeat: 5 });
  writer.log({ loss: 1 });
  const liveNode = (): RunsNode => provider.node({ kind: 'run', folder: key, runId: 'live' });
  while (!api.runIndex.run(key, 'live')) await sleep(10);
  const appendToTreeMs: number[] = [];
  for (let i = 0; i < 20; i++) {
    await sleep(200);
    const step = writer.step;
    const start = performance.now();
    writer.log({ loss: 1 / (step + 1) });
    while (!String(provider.getTreeItem(liveNode()).description).includes(`step ${step} `)) await sleep(2);
    appendToTreeMs.push(performance.now() - start);
  }
  writer.finish();

  // Forks of a run (new runs the index has not seen): time from the fork to its row in the tree.
  const store = await api.folders.all[0]!.store();
  const forkToTreeMs: number[] = [];
  const listingsBefore = api.runIndex.fullListings;
  for (let i = 0; i < 5; i++) {
    const id = `benchfork${i}`;
    const start = performance.now();
    await store.fork('live', 0, { id });
    while (!api.runIndex.run(key, id)) await sleep(2);
    provider.getTreeItem(provider.node({ kind: 'run', folder: key, runId: id }));
    forkToTreeMs.push(performance.now() - start);
  }
  const forkFullListings = api.runIndex.fullListings - listingsBefore;

  const figures: HostFigures = {
    activationMs: api.activationMs,
    firstListingMs,
    warmListingMs,
    projectRuns,
    expandProjectMs,
    archived,
    expandChainMs,
    revealDeepestMs,
    appendToTreeMs,
    forkToTreeMs,
    forkFullListings,
  };
  // Back to the top of the tree, showing the driver's run for its on-screen measurement.
  await vscode.commands.executeCommand(`workbench.actions.treeView.${ViewId.Runs}.collapseAll`);
  const screen = provider.node({ kind: 'run', folder: key, runId: 'screen' });
  if (api.runIndex.run(key, 'screen')) await api.runs.view.reveal(screen, { select: false });

  const out = process.env.RUNREWIND_BENCH_FIGURES;
  if (out) fs.writeFileSync(out, JSON.stringify(figures));
  const done = process.env.RUNREWIND_BENCH_DONE;
  const deadline = Date.now() + 120_000;
  while (done && !fs.existsSync(done) && Date.now() < deadline) await sleep(100);
}
