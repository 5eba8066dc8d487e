// Sync to MLflow Server… and Set MLflow Server Token… in the extension host. The token test needs no
// server (a stand-in that refuses, recording what it was sent); the sync test runs when the `mlflow`
// stage started a real MLflow server (MLFLOW_TEST_URI) and is skipped otherwise.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import type { SyncCommandResult } from '../../../src/commands/mlflowCommands';
import { CommandId } from '../../../src/ids';
import { extensionApi, listedRun, logRun, showRunsViewAndStore, uniqueId, waitFor } from './helpers';

async function run<T>(command: CommandId, ...args: unknown[]): Promise<T> {
  return (await vscode.commands.executeCommand(command, ...args)) as T;
}

describe('Sync to MLflow Server', () => {
  before(async () => {
    await showRunsViewAndStore();
  });

  it('keeps the token in secret storage and sends it as a bearer token; a refusal fails the sync', async () => {
    const api = await extensionApi();
    const id = uniqueId('mlt');
    logRun(id, 5);
    await waitFor(() => listedRun(api, id), `${id} ingested`);
    const seen: string[] = [];
    const standIn = http.createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_code: 'UNAUTHENTICATED', message: 'no' }));
    });
    await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
    const uri = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`;
    try {
      assert.equal(await run<boolean>(CommandId.SetMlflowToken, 'tok-ext'), true);
      assert.equal(await run<SyncCommandResult | undefined>(CommandId.SyncToMlflow, { uri, runs: [id] }), undefined);
      assert.equal(seen[0], 'Bearer tok-ext');
      assert.equal(await run<boolean>(CommandId.SetMlflowToken, ''), true);
      assert.equal(await run<SyncCommandResult | undefined>(CommandId.SyncToMlflow, { uri, runs: [id] }), undefined);
      assert.equal(seen[1], '', 'no token once it was removed');
    } finally {
      await new Promise<void>((resolve) => standIn.close(() => resolve()));
    }
  });

  // Against a real server: defined in the mlflow stage, which starts one and sets MLFLOW_TEST_URI
  // (scripts/test.sh); the other stages have no server and so no such test.
  const uri = process.env.MLFLOW_TEST_URI;
  if (uri) it('pushes a run and its rewind to a real MLflow server, its console as output.log, and a second sync sends nothing', async function () {
    this.timeout(120_000);
    const api = await extensionApi();
    const id = uniqueId('mls');
    const writer = logRun(id, 40, { finish: false });
    // Two console lines: one printed before step 20 (the rewind keeps it), one after.
    const now = Date.now() / 1000;
    fs.appendFileSync(writer.file, `${JSON.stringify({ type: 'console', time: now, lines: [[now, 'stdout', 10, 'early line'], [now, 'stderr', 30, 'late line']] })}\n`);
    writer.finish();
    await waitFor(() => listedRun(api, id), `${id} ingested`);
    await run(CommandId.RewindToStep, id, 20, { confirm: false });
    await waitFor(async () => ((await listedRun(api, id))?.versions.length ?? 0) === 2 || undefined, `${id} rewound`);
    const experiment = uniqueId('ext');
    const first = await run<SyncCommandResult>(CommandId.SyncToMlflow, { uri: uri!, experiment, runs: [id] });
    assert.ok(first, 'the sync finished');
    const result = first.folders[0].result;
    // Two versions: the archived one (40 rows × 2 keys) and the live one, which shares its first 21 rows.
    assert.deepEqual(result.versions.map((v) => v.archived).sort(), [false, true]);
    assert.equal(result.points, 80 + 42);
    assert.equal(result.files, 2, 'an output.log for each version');
    for (const v of result.versions) {
      const text = await (await fetch(`${uri}/get-artifact?path=output.log&run_uuid=${v.mlflowRunId}`)).text();
      assert.equal(text, v.archived ? 'early line\nlate line\n' : 'early line\n');
    }
    const search = await fetch(`${uri}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${experiment}`);
    const { experiment: exp } = (await search.json()) as { experiment: { experiment_id: string } };
    const runs = await fetch(`${uri}/api/2.0/mlflow/runs/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experiment_ids: [exp.experiment_id] }) });
    const found = ((await runs.json()) as { runs: Array<{ data: { tags: Array<{ key: string; value: string }> } }> }).runs;
    assert.deepEqual(found.map((r) => r.data.tags.find((t) => t.key === 'runrewind.run_id')?.value), [id, id]);
    const again = await run<SyncCommandResult>(CommandId.SyncToMlflow, { uri: uri!, experiment, runs: [id] });
    assert.equal(again.folders[0].result.points, 0);
    assert.equal(again.folders[0].result.files, 0);
    assert.equal(again.folders[0].result.requests, 0);
  });
});
