// StoreClient: the engine behind a worker thread, as the extension uses it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreClient } from '../../src/core/client';
import type { StoreChange } from '../../src/core/client';
import { RunRewindError } from '../../src/core/errors';
import { defaultWasmPath } from '../../src/core/sqlite';
import { eventFile, scalarEvents } from '../support/tfevents';
import { linearRun, tempDir, writer } from './helpers';

const workerScript = path.join(__dirname, '..', '..', 'src', 'core', 'worker.js');

function start(logDir: string, snapshotPath?: string): Promise<StoreClient> {
  return StoreClient.start({ logDir, snapshotPath, workerScript, wasmPath: defaultWasmPath(), saveDelayMs: 50 });
}

describe('StoreClient (worker thread)', () => {
  it('answers queries, moves series as typed arrays and reports changes', async () => {
    const dir = tempDir();
    const w = writer(dir);
    for (let i = 0; i < 3000; i++) w.log({ loss: i === 7 ? Number.NaN : 1 / (i + 1) });
    const client = await start(dir);
    const changes: StoreChange[] = [];
    client.onDidChange((change) => changes.push(change));
    const result = await client.ingest();
    assert.equal(result.rows, 3000);
    assert.deepEqual(changes, [{ changedRuns: [w.run], reason: 'ingest' }]);
    const series = await client.series(w.run, 'loss');
    assert.ok(series.values instanceof Float64Array);
    assert.equal(series.values.length, 3000);
    assert.ok(Number.isNaN(series.values[7]));
    const ds = await client.downsample(w.run, 'loss', 100);
    assert.ok(ds.steps.length <= 400);
    w.log({ loss: 0 });
    w.finish();
    const again = await client.ingest();
    assert.equal(again.rows, 1);
    assert.equal((await client.listRuns())[0].state, 'finished');
    await client.dispose();
  });

  it('rejects with the engine\'s error code and message', async () => {
    const dir = tempDir();
    const w = linearRun(dir, 5);
    const client = await start(dir);
    await client.ingest();
    await assert.rejects(client.rewind(w.run, 9), (error: unknown) => error instanceof RunRewindError && error.code === 'step-out-of-range' && /last step is 4/.test(error.message));
    const fork = await client.fork(w.run, 2);
    const changes: StoreChange[] = [];
    client.onDidChange((c) => changes.push(c));
    await client.rename(fork.run.id, 'renamed');
    assert.deepEqual(changes, [{ changedRuns: [fork.run.id], reason: 'rename' }]);
    await client.dispose();
    await assert.rejects(client.listRuns(), /store stopped/);
  });

  it('sends the full set of diagnostics when it changes', async () => {
    const dir = tempDir();
    const w = writer(dir);
    w.writeRaw('garbage\n');
    w.finish();
    const client = await start(dir);
    const seen = new Promise<readonly { line: number }[]>((resolve) => client.onDidChangeDiagnostics(resolve));
    await client.ingest();
    assert.deepEqual((await seen).map((d) => d.line), [2]);
    await client.dispose();
  });

  it('persists its snapshot on dispose and reloads it on the next start', async () => {
    const dir = tempDir();
    const snapshot = path.join(tempDir(), 'nested', 'store.rrsnap');
    const w = linearRun(dir, 2000);
    const first = await start(dir, snapshot);
    await first.ingest();
    await first.rewind(w.run, 100);
    await first.dispose();
    assert.ok(fs.statSync(snapshot).size > 0);
    const second = await start(dir, snapshot);
    assert.equal(second.startupNote, undefined);
    assert.equal((await second.ingest()).rows, 0);
    assert.equal((await second.getRun(w.run)).lastStep, 100);
    await second.dispose();
  });
});

describe('StoreClient restarted from a snapshot', () => {
  it('sends the diagnostics the snapshot already holds right after it starts', async () => {
    const dir = tempDir();
    const snapshot = path.join(tempDir(), 'store.rrsnap');
    const w = writer(dir);
    w.writeRaw('garbage\n');
    w.finish();
    const first = await start(dir, snapshot);
    await first.ingest();
    await first.dispose();
    const second = await start(dir, snapshot);
    const diagnostics = await new Promise<readonly { line: number }[]>((resolve) => second.onDidChangeDiagnostics(resolve));
    assert.deepEqual(diagnostics.map((d) => d.line), [2]);
    await second.dispose();
  });
});

describe('StoreClient progress', () => {
  it('reports the fraction read while it ingests a log bigger than one slice', async () => {
    const dir = tempDir();
    const w = writer(dir, { buffered: true });
    for (let i = 0; i < 400_000; i++) w.log({ loss: 1 / (i + 1), acc: i / 400_000, note: 'padding-padding-padding' });
    w.finish();
    const client = await start(dir);
    const seen: { message: string; fraction?: number }[] = [];
    client.onProgress((p) => seen.push(p));
    const result = await client.ingest();
    assert.equal(result.rows, 400_000);
    assert.ok(seen.length >= 2, `${seen.length} progress reports`);
    const fractions = seen.map((p) => p.fraction ?? -1);
    assert.ok(fractions.every((f, i) => f > 0 && f <= 1 && (i === 0 || f >= fractions[i - 1])), fractions.join(', '));
    assert.match(seen[0].message, /Reading logs: \d+ of \d+ MiB/);
    await client.dispose();
  });
});

describe('StoreClient snapshot saves', () => {
  it('saves after a quiet period, at most once per interval while a run trains, and at trace level', async function () {
    this.timeout(60_000);
    const dir = tempDir();
    const snapshotPath = path.join(tempDir(), 'store.rrsnap');
    const client = await StoreClient.start({ logDir: dir, snapshotPath, workerScript, wasmPath: defaultWasmPath(), saveDelayMs: 150, maxSaveIntervalMs: 500 });
    const saves: string[] = [];
    client.onLog((line) => {
      if (/Saved the store snapshot/.test(line.message)) saves.push(line.level);
    });
    const w = writer(dir);
    const started = Date.now();
    // A run that trains without pause: a new row every 30 ms for 2 s, each read at once.
    while (Date.now() - started < 2000) {
      w.log({ loss: Math.random() });
      await client.ingest();
      await new Promise((r) => setTimeout(r, 30));
    }
    const during = saves.length;
    const elapsed = Date.now() - started;
    // Before: one save per 2 s delay after every change (here one per 150 ms, ~13). Now: one per 500 ms.
    assert.ok(during <= Math.ceil(elapsed / 500) + 1, `${during} saves in ${elapsed} ms of training`);
    assert.ok(during >= 1, 'a run that never pauses is still saved');
    w.finish();
    await client.ingest();
    for (let i = 0; i < 100 && saves.length === during; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(saves.length, during + 1, 'saved once the store went quiet');
    assert.deepEqual([...new Set(saves)], ['trace'], 'saves are logged at trace level');
    await client.dispose();
    const reopened = await StoreClient.start({ logDir: dir, snapshotPath, workerScript, wasmPath: defaultWasmPath() });
    assert.equal(reopened.startupNote, undefined);
    assert.equal((await reopened.listRuns())[0].state, 'finished');
    await reopened.dispose();
  });
});

describe('StoreClient following other tools\' logs', function () {
  this.timeout(60_000);

  it('reads a growing TensorBoard file again by itself while it grows, with no poll asking', async () => {
    const dir = tempDir();
    const tb = path.join(tempDir(), 'tb', 'run1');
    fs.mkdirSync(tb, { recursive: true });
    const file = path.join(tb, 'events.out.tfevents.1700000000.host.1.0');
    fs.writeFileSync(file, eventFile(scalarEvents(['loss'], 0, 5, (_t, s) => 1 / (s + 1))));
    const client = await StoreClient.start({ logDir: dir, sources: [path.dirname(tb)], workerScript, wasmPath: defaultWasmPath() });
    try {
      await client.ingest();
      const [run] = await client.listRuns();
      assert.ok(run, 'the TensorBoard run is listed');
      // The writer flushes more steps; nobody calls ingest() again (the extension's poll is 2 s away).
      const more = eventFile(scalarEvents(['loss'], 5, 9, (_t, s) => 1 / (s + 1)));
      const firstEvent = eventFile([]).length;
      fs.appendFileSync(file, more.subarray(firstEvent));
      let lastStep: number | null = null;
      for (let i = 0; i < 200 && lastStep !== 8; i++) {
        await new Promise((r) => setTimeout(r, 50));
        lastStep = (await client.getRun(run.id)).lastStep;
      }
      assert.equal(lastStep, 8, 'the worker read the new steps of a source that grew a moment ago');
    } finally {
      await client.dispose();
    }
  });
});
