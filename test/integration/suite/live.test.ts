// Live ingestion: a training process appends lines while the view is open and the tree follows,
// repainting only the run that changed, keeping the selection.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunsNode } from '../../../src/views/nodes';
import { extensionApi, listedRun, logDir, logRun, runRow, showRunsViewAndStore, uniqueId, waitFor } from './helpers';

describe('live ingestion', () => {
  before(async () => {
    await showRunsViewAndStore();
  });

  it('shows a new run and its new steps within a second, repainting only that run', async () => {
    const api = await extensionApi();
    const id = uniqueId('lv');
    const writer = logRun(id, 3, { finish: false });
    try {
      const row = await waitFor(() => runRow(api, id), `${id} in the tree`, 5_000);
      assert.match(String(row.item.description), /step 2/);
      await api.runs.view.reveal(row.node, { select: true });

      const repainted: string[] = [];
      const subscription = api.runs.provider.onDidChangeTreeData((e) => {
        const nodes: (RunsNode | undefined)[] = Array.isArray(e) ? e : [e];
        for (const n of nodes) repainted.push(n ? `${n.kind}:${n.kind === 'run' ? n.runId : ''}` : 'root');
      });
      try {
        const appended = Date.now();
        writer.log({ loss: 0.5, acc: 0.9 });
        await waitFor(async () => /step 3/.test(String((await runRow(api, id))?.item.description)), 'step 3 in the tree', 5_000);
        const took = Date.now() - appended;
        assert.ok(took < 1500, `the tree followed in ${took} ms`);
      } finally {
        subscription.dispose();
      }
      assert.ok(!repainted.includes('root'), `no full repaint: ${repainted.join(', ')}`);
      assert.ok(repainted.includes(`run:${id}`), repainted.join(', '));
      assert.ok(api.runs.view.selection.some((n) => n.kind === 'run' && n.runId === id), 'the selection survived');
    } finally {
      writer.finish();
    }
    await waitFor(async () => (await listedRun(api, id))?.state === 'finished', `${id} finished`);
    const icon = (await runRow(api, id))?.item.iconPath as vscode.ThemeIcon;
    assert.equal(icon.id, 'pass');
  });

  it('notices a writer that died: the run becomes crashed', async function () {
    this.timeout(30_000);
    const api = await extensionApi();
    const id = uniqueId('dead');
    // A training process of its own, killed without a finish record: on this host its pid decides at
    // once (a writer that is only silent, say stopped with SIGSTOP, stays running while its process lives).
    const writerModule = path.join(__dirname, '..', '..', '..', 'src', 'core', 'writer.js');
    const script = `const { LogWriter } = require(${JSON.stringify(writerModule)});
const w = new LogWriter({ dir: ${JSON.stringify(logDir())}, run: ${JSON.stringify(id)}, project: 'tests', heartbeat: 1 });
w.log({ loss: 1 }); w.log({ loss: 0.5 }); process.stdout.write('ready'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => resolve());
        child.on('exit', (code) => reject(new Error(`the writer exited with ${code}`)));
      });
      await waitFor(async () => (await listedRun(api, id))?.state === 'running', `${id} running`);
    } finally {
      child.kill('SIGKILL');
    }
    await waitFor(async () => (await listedRun(api, id))?.state === 'crashed', `${id} crashed`, 15_000);
    await waitFor(async () => ((await runRow(api, id))?.item.iconPath as vscode.ThemeIcon | undefined)?.id === 'warning', 'the crashed icon');
  });
});
