// Shared by the integration tests: the extension's API, the fixture workspace, waiting for the
// tree, and writing logs the way a training process does.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunInfo } from '../../../src/core/api';
import { LogWriter } from '../../../src/core/writer';
import type { RunRewindApi } from '../../../src/extension';
import { EXTENSION_ID, InternalCommandId, ViewContainerId } from '../../../src/ids';
import type { ChartInspection } from '../../../src/panels/charts';
import type { TableInspection } from '../../../src/panels/tables';
import type { TestAction } from '../../../src/shared/protocol';
import type { TableTestAction } from '../../../src/shared/tableProtocol';
import type { RunsNode } from '../../../src/views/nodes';

export async function extensionApi(): Promise<RunRewindApi> {
  const ext = vscode.extensions.getExtension<RunRewindApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  return ext.isActive ? ext.exports : ext.activate();
}

export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri.fsPath;
}

export function logDir(): string {
  return path.join(workspaceDir(), '.runrewind');
}

export async function showRunsView(): Promise<void> {
  await vscode.commands.executeCommand(`workbench.view.extension.${ViewContainerId.Runs}`);
}

/** Shows the Runs view (which starts the stores) and waits until the first folder's store answers. */
export async function showRunsViewAndStore(): Promise<Awaited<ReturnType<typeof extensionApi>>> {
  await showRunsView();
  const api = await extensionApi();
  await waitFor(() => api.folders.all[0]?.started, 'the store to start once the view is shown', 20_000);
  return api;
}

export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface ShownItem {
  readonly node: RunsNode;
  readonly item: vscode.TreeItem;
}

/** Children of a tree element as VS Code would show them. */
export async function children(api: RunRewindApi, node?: RunsNode): Promise<ShownItem[]> {
  const provider = api.runs.provider;
  const nodes = await provider.getChildren(node);
  return nodes.map((n) => ({ node: n, item: provider.getTreeItem(n) }));
}

export function label(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

/** The run's row, found through the tree the way a user would (root → project → run). */
export async function runRow(api: RunRewindApi, runId: string): Promise<ShownItem | undefined> {
  for (const project of await children(api)) {
    for (const row of await children(api, project.node)) {
      if (row.node.kind === 'run' && row.node.runId === runId) return row;
    }
  }
  return undefined;
}

/** The run as the store lists it now. */
export async function listedRun(api: RunRewindApi, runId: string): Promise<RunInfo | undefined> {
  const folder = api.folders.all[0];
  assert.ok(folder);
  const data = await api.runIndex.refresh(folder.key);
  return data.runs.get(runId);
}

/** A finished run with `steps` rows of a simple curve, logged as a training script would. */
export function logRun(runId: string, steps: number, options: { project?: string; name?: string; finish?: boolean } = {}): LogWriter {
  const writer = new LogWriter({ dir: logDir(), run: runId, project: options.project ?? 'tests', name: options.name ?? runId, heartbeat: options.finish === false ? 1 : 0, config: { lr: 0.01 } });
  for (let s = 0; s < steps; s++) writer.log({ loss: 1 / (s + 1), acc: s / steps });
  if (options.finish !== false) writer.finish();
  return writer;
}

export function uniqueId(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2, 8)}`;
}

/** What the active chart panel reports about itself (its test hook), or a failed assertion when none is open. */
export async function inspectChart(): Promise<ChartInspection> {
  const shown = await vscode.commands.executeCommand<ChartInspection | undefined>(InternalCommandId.InspectChart);
  assert.ok(shown, 'a chart panel is open');
  return shown;
}

/** Does what a person does in the active chart panel, through the webview's own code paths. */
export async function actOnChart(action: TestAction): Promise<void> {
  await vscode.commands.executeCommand(InternalCommandId.ActOnChart, action);
}

/** What the active runs table reports about itself, or a failed assertion when none is open. */
export async function inspectTable(): Promise<TableInspection> {
  const shown = await vscode.commands.executeCommand<TableInspection | undefined>(InternalCommandId.InspectTable);
  assert.ok(shown, 'a runs table is open');
  return shown;
}

/** Does what a person does in the active runs table. */
export async function actOnTable(action: TableTestAction): Promise<void> {
  await vscode.commands.executeCommand(InternalCommandId.ActOnTable, action);
}
