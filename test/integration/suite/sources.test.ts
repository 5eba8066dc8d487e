// Issue 15's "done": a workspace folder holding all five kinds of other tools' logs — TensorBoard event
// files, a W&B offline run, a Lightning CSVLogger version, a Hugging Face Trainer output and MLflow's
// SQLite store — opens with every run listed with its origin and charted, follows a run that grows, and
// a TensorBoard run is rewound and forked from the step selected on its chart.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LineageOutcome } from '../../../src/commands/lineage';
import { encodeWandbLog } from '../../../src/core/importers/wandbLog';
import { Db } from '../../../src/core/sqlite';
import { CommandId, InternalCommandId } from '../../../src/ids';
import type { ChartInspection } from '../../../src/panels/charts';
import { eventFile, scalarEvents } from '../../support/tfevents';
import { type RecordSpec, encodeWandbRecord, row } from '../../support/wandbRecords';
import { listedRun, showRunsViewAndStore, waitFor, workspaceDir } from './helpers';

const T0 = 1_700_000_000;

async function writeMlflowDb(file: string): Promise<void> {
  const db = await Db.open();
  db.exec(`
    CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name VARCHAR(256) NOT NULL UNIQUE, artifact_location VARCHAR(256), lifecycle_stage VARCHAR(32), creation_time BIGINT, last_update_time BIGINT);
    CREATE TABLE runs (run_uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(250), status VARCHAR(9), start_time BIGINT, end_time BIGINT, lifecycle_stage VARCHAR(20), experiment_id INTEGER);
    CREATE TABLE metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL, run_uuid VARCHAR(32) NOT NULL, step BIGINT NOT NULL DEFAULT 0, is_nan BOOLEAN NOT NULL DEFAULT 0);
    CREATE TABLE params (key VARCHAR(250) NOT NULL, value VARCHAR(8000) NOT NULL, run_uuid VARCHAR(32) NOT NULL);
    CREATE TABLE tags (key VARCHAR(250) NOT NULL, value VARCHAR(8000), run_uuid VARCHAR(32) NOT NULL);`);
  db.run("INSERT INTO experiments VALUES (1, 'mlflow-exp', '', 'active', 0, 0)");
  db.run("INSERT INTO runs VALUES ('0123456789abcdef', 'mlflow-run', 'FINISHED', ?, ?, 'active', 1)", [T0 * 1000, T0 * 1000 + 20_000]);
  for (let s = 0; s < 20; s++) db.run('INSERT INTO metrics VALUES (?, ?, ?, ?, ?, 0)', ['loss', 1 / (s + 1), T0 * 1000 + s, '0123456789abcdef', s]);
  db.run("INSERT INTO params VALUES ('lr', '0.01', '0123456789abcdef')");
  fs.writeFileSync(file, db.export());
  db.close();
}

async function chartOf(runId: string): Promise<ChartInspection> {
  await vscode.commands.executeCommand(CommandId.OpenCharts, { run: runId });
  return waitFor(async () => {
    const s = await vscode.commands.executeCommand<ChartInspection | undefined>(InternalCommandId.InspectChart);
    return s && s.entries.join() === runId && s.drawn.some((d) => d.key === 'loss' && d.points > 0) ? s : undefined;
  }, `the chart of ${runId}`, 30_000);
}

describe('runs other tools logged', () => {
  afterEach(async function () {
    const restore = (this as Mocha.Context & { restoreSources?: () => Thenable<void> }).restoreSources;
    if (restore) await restore();
  });

  it('lists and charts TensorBoard, W&B offline, Lightning, Hugging Face and MLflow runs of one folder; a TensorBoard run is rewound and forked from its chart', async function () {
    this.timeout(180_000);
    const api = await showRunsViewAndStore();
    const root = path.join(workspaceDir(), 'five-kinds');
    const past = new Date(Date.now() - 3_600_000);
    // TensorBoard: one run per folder of event files.
    const tb = path.join(root, 'tb', 'exp1');
    fs.mkdirSync(tb, { recursive: true });
    const tbFile = path.join(tb, `events.out.tfevents.${T0}.host.1.0`);
    fs.writeFileSync(tbFile, eventFile(scalarEvents(['loss'], 0, 40, (_t, s) => 1 / (s + 1))));
    // W&B offline.
    const wb = path.join(root, 'wandb', 'offline-run-20231114_221320-wbrun001');
    fs.mkdirSync(wb, { recursive: true });
    const records: RecordSpec[] = [
      { header: true },
      { run: { id: 'wbrun001', project: 'wandb-proj', name: 'wandb-run', start: T0 } },
      ...Array.from({ length: 15 }, (_, s): RecordSpec => ({ history: row(s, T0 + s, { loss: 2 / (s + 1) }) })),
      { exit: 0 },
    ];
    fs.writeFileSync(path.join(wb, 'run-wbrun001.wandb'), encodeWandbLog(records.map((r, i) => encodeWandbRecord(r, i + 1))));
    // Lightning CSVLogger.
    const pl = path.join(root, 'lightning_logs', 'version_0');
    fs.mkdirSync(pl, { recursive: true });
    fs.writeFileSync(path.join(pl, 'metrics.csv'), `epoch,step,loss\n${Array.from({ length: 12 }, (_, s) => `0,${s},${3 / (s + 1)}`).join('\n')}\n`);
    fs.writeFileSync(path.join(pl, 'hparams.yaml'), 'lr: 0.1\n');
    // Hugging Face Trainer output.
    const hf = path.join(root, 'trainer_output');
    fs.mkdirSync(hf, { recursive: true });
    fs.writeFileSync(path.join(hf, 'trainer_state.json'), JSON.stringify({ global_step: 50, max_steps: 50, log_history: Array.from({ length: 10 }, (_, i) => ({ step: (i + 1) * 5, loss: 4 / (i + 1) })) }));
    // MLflow's SQLite store.
    await writeMlflowDb(path.join(root, 'mlflow.db'));
    // Written an hour ago: finished runs, nothing held back for a writer still writing.
    const age = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) age(p);
        fs.utimesSync(p, past, past);
      }
    };
    age(root);

    // The source is added as a user would, and taken out again at the end (the next tests read the setting).
    const config = vscode.workspace.getConfiguration('runRewind', vscode.workspace.workspaceFolders![0]);
    const before = config.inspect<string[]>('sources')?.workspaceValue;
    this.test!.ctx!.restoreSources = (): Thenable<void> => config.update('sources', before, vscode.ConfigurationTarget.Workspace);
    assert.equal(await vscode.commands.executeCommand<string>(CommandId.AddLogFolder, 'five-kinds'), 'five-kinds');
    const folder = api.folders.all[0]!.key;
    const origins = await waitFor(async () => {
      const runs = [...(await api.runIndex.refresh(folder)).runs.values()].filter((r) => r.origin && r.origin.path.startsWith(root));
      return runs.length >= 5 && runs.every((r) => r.state === 'finished') ? runs : undefined;
    }, 'five imported runs, finished', 60_000);
    const byKind = new Map(origins.map((r) => [r.origin!.kind, r]));
    assert.deepEqual([...byKind.keys()].sort(), ['huggingface', 'lightning', 'mlflow', 'tensorboard', 'wandb']);
    assert.deepEqual(
      [...byKind.values()].map((r) => [r.origin!.label, r.lastStep]).sort(),
      [['Hugging Face', 50], ['Lightning CSV', 11], ['MLflow', 19], ['TensorBoard', 39], ['W&B offline', 14]],
    );
    // Every one charted, from its own values.
    for (const run of byKind.values()) {
      const chart = await chartOf(run.id);
      assert.ok(chart.drawn.find((d) => d.key === 'loss')!.points >= 10, `${run.origin!.label}: ${JSON.stringify(chart.drawn)}`);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }

    // Live: the TensorBoard writer goes on, and the run follows.
    const tbRun = byKind.get('tensorboard')!;
    fs.appendFileSync(tbFile, eventFile(scalarEvents(['loss'], 40, 60, (_t, s) => 1 / (s + 1))).subarray(eventFile([]).length));
    await waitFor(async () => (await listedRun(api, tbRun.id))?.lastStep === 59, 'the grown TensorBoard run', 30_000);

    // Rewind and fork it at a step picked on its chart (the toolbar's commands, answered without the dialog).
    await chartOf(tbRun.id);
    await vscode.commands.executeCommand(InternalCommandId.ActOnChart, { kind: 'selectStep', key: 'loss', runId: tbRun.id, step: 30 });
    await waitFor(() => api.services.selection.current?.step === 30, 'step 30 selected on the chart');
    const fork = (await vscode.commands.executeCommand(CommandId.ForkAtSelectedStep, { confirm: false })) as LineageOutcome;
    assert.ok(fork.ok, JSON.stringify(fork));
    const forked = await waitFor(() => listedRun(api, fork.runId), 'the fork listed');
    assert.deepEqual([forked.forkedFrom?.run, forked.forkedFrom?.step, forked.lastStep], [tbRun.id, 30, 30]);
    // A TensorBoard run is running while its files grow (a rewind is refused then, a fork is not); one
    // whose writer stopped long ago is finished.
    fs.utimesSync(tbFile, past, past);
    await waitFor(async () => (await listedRun(api, tbRun.id))?.state === 'finished', 'the TensorBoard run finished', 30_000);
    api.services.selection.set({ folder, runId: tbRun.id, versionId: (await listedRun(api, tbRun.id))!.liveVersion, step: 30, source: 'chart', archived: false });
    const rewind = (await vscode.commands.executeCommand(CommandId.RewindToSelectedStep, { confirm: false })) as LineageOutcome;
    assert.ok(rewind.ok, JSON.stringify(rewind));
    const rewound = await waitFor(async () => {
      const r = await listedRun(api, tbRun.id);
      return r && r.versions.length === 2 ? r : undefined;
    }, 'the TensorBoard run rewound');
    assert.equal(rewound.lastStep, 30);
    // The event files are untouched: the ops are in our log directory.
    assert.deepEqual(fs.readdirSync(tb), [`events.out.tfevents.${T0}.host.1.0`]);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
