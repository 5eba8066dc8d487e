// An MLflow tracking server's runs in the Runs view (runRewind.mlflow.showServerRuns) in the extension
// host: defined in the `mlflow` stage only, which starts a real server and sets MLFLOW_TEST_URI
// (scripts/test-mlflow.sh greps "MLflow Server"). A run made on the server is listed, charted, grows
// while the worker polls, and is forked from the step selected on its chart.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LineageOutcome } from '../../../src/commands/lineage';
import type { RunInfo } from '../../../src/core/api';
import { CommandId, InternalCommandId } from '../../../src/ids';
import type { ChartInspection } from '../../../src/panels/charts';
import { listedRun, showRunsViewAndStore, uniqueId, waitFor } from './helpers';

describe('Show MLflow Server Runs', () => {
  const uri = process.env.MLFLOW_TEST_URI;
  if (uri) it('lists a server\'s runs when runRewind.mlflow.showServerRuns is on: charted, followed as they grow, forked from the chart', async function () {
    this.timeout(180_000);
    const api = await showRunsViewAndStore();
    const rest = async <T>(endpoint: string, body: unknown): Promise<T> => {
      const answer = await fetch(`${uri}/api/2.0/mlflow/${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.ok(answer.ok, `${endpoint}: ${answer.status} ${await answer.clone().text()}`);
      return (await answer.json()) as T;
    };
    const now = Date.now();
    const points = (from: number, to: number): unknown[] => Array.from({ length: to - from }, (_, i) => ({ key: 'loss', value: 1 / (from + i + 1), timestamp: now + from + i, step: from + i }));
    const experiment = uniqueId('pull');
    const { experiment_id } = await rest<{ experiment_id: string }>('experiments/create', { name: experiment });
    const { run: created } = await rest<{ run: { info: { run_id: string } } }>('runs/create', { experiment_id, run_name: 'served', start_time: now });
    const runId = created.info.run_id;
    await rest('runs/log-batch', { run_id: runId, metrics: points(0, 30), params: [{ key: 'lr', value: '0.01' }] });

    // Turned on as a user would: the server's address, and the switch (taken back at the end).
    const global = vscode.workspace.getConfiguration('runRewind');
    const folderConfig = vscode.workspace.getConfiguration('runRewind', vscode.workspace.workspaceFolders![0]);
    const before = {
      uri: global.inspect<string>('mlflow.trackingUri')?.globalValue,
      show: folderConfig.inspect<boolean>('mlflow.showServerRuns')?.workspaceValue,
      experiments: folderConfig.inspect<string[]>('mlflow.serverExperiments')?.workspaceValue,
    };
    try {
      await global.update('mlflow.trackingUri', uri, vscode.ConfigurationTarget.Global);
      // This test's experiment only (the server holds the sync tests' too).
      await folderConfig.update('mlflow.serverExperiments', [experiment], vscode.ConfigurationTarget.Workspace);
      await folderConfig.update('mlflow.showServerRuns', true, vscode.ConfigurationTarget.Workspace);
      const folder = api.folders.all[0]!.key;
      const served = async (): Promise<RunInfo | undefined> => [...(await api.runIndex.refresh(api.folders.all[0]!.key)).runs.values()].find((r) => r.project === experiment);
      const run = await waitFor(async () => {
        const r = await served();
        return r?.lastStep === 29 ? r : undefined;
      }, 'the server\'s run listed', 60_000);
      assert.equal(run.name, 'served');
      assert.equal(run.origin?.kind, 'mlflow');
      assert.equal(run.origin?.path, `${uri}/#/experiments/${experiment_id}/runs/${runId}`);
      assert.equal(run.state, 'running');
      const others = [...(await api.runIndex.refresh(folder)).runs.values()].filter((r) => r.origin?.kind === 'mlflow' && r.project !== experiment);
      assert.deepEqual(others.map((r) => r.project), [], 'only the experiment runRewind.mlflow.serverExperiments names');

      await vscode.commands.executeCommand(CommandId.OpenCharts, { run: run.id });
      const chart = await waitFor(async () => {
        const s = await vscode.commands.executeCommand<ChartInspection | undefined>(InternalCommandId.InspectChart);
        return s && s.entries.join() === run.id && s.drawn.some((d) => d.key === 'loss' && d.points === 30) ? s : undefined;
      }, 'the chart of the server\'s run', 30_000);
      assert.ok(chart);

      // The run goes on on the server: the worker's next pull brings the new points.
      await rest('runs/log-batch', { run_id: runId, metrics: points(30, 50) });
      await waitFor(async () => (await listedRun(api, run.id))?.lastStep === 49 || undefined, 'the grown run', 60_000);

      await vscode.commands.executeCommand(InternalCommandId.ActOnChart, { kind: 'selectStep', key: 'loss', runId: run.id, step: 20 });
      await waitFor(() => api.services.selection.current?.step === 20, 'step 20 selected on the chart');
      const fork = (await vscode.commands.executeCommand(CommandId.ForkAtSelectedStep, { confirm: false })) as LineageOutcome;
      assert.ok(fork.ok, JSON.stringify(fork));
      const forked = await waitFor(() => listedRun(api, fork.runId), 'the fork listed');
      assert.deepEqual([forked.forkedFrom?.run, forked.forkedFrom?.step, forked.lastStep, forked.origin], [run.id, 20, 20, undefined]);

      await rest('runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
      await waitFor(async () => (await listedRun(api, run.id))?.state === 'finished' || undefined, 'the run finished on the server', 60_000);
      assert.ok(folder);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await folderConfig.update('mlflow.showServerRuns', before.show, vscode.ConfigurationTarget.Workspace);
      await folderConfig.update('mlflow.serverExperiments', before.experiments, vscode.ConfigurationTarget.Workspace);
      await global.update('mlflow.trackingUri', before.uri, vscode.ConfigurationTarget.Global);
    }
  });
});
