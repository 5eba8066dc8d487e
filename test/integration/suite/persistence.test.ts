// The store survives the extension host going away: stores close (saving snapshots) and start again
// from them, reading only what was appended meanwhile, with no run or row counted twice.
import * as assert from 'node:assert/strict';
import { listedRun, logRun, showRunsViewAndStore, uniqueId, waitFor } from './helpers';

describe('persistence', () => {
  it('reopens from the snapshot without re-reading the logs or duplicating rows', async function () {
    this.timeout(60_000);
    const api = await showRunsViewAndStore();
    const id = uniqueId('ps');
    // Past two full chunks of 1,024 points: their bytes are kept in the store's chunk files.
    logRun(id, 2500);
    await waitFor(() => listedRun(api, id), `${id} ingested`);
    const key = api.folders.all[0]?.key ?? '';
    const before = await api.runIndex.refresh(key);
    const historyBefore = await (await api.folders.all[0]!.store()).history('base01', { limit: 1 });
    const pointsBefore = await (await api.folders.all[0]!.store()).series(id, 'loss');
    assert.equal(pointsBefore.steps.length, 2500);

    await api.folders.reopen();
    const folder = api.folders.all[0];
    assert.ok(folder);
    assert.equal(folder.started, false);
    await folder.store();
    const first = folder.firstIngest;
    assert.ok(first);
    assert.equal(first.rows, 0, `the snapshot covered every row (read ${first.rows} rows, ${first.bytes} bytes)`);

    const after = await api.runIndex.refresh(key);
    assert.deepEqual([...after.runs.keys()].sort(), [...before.runs.keys()].sort());
    for (const [runId, r] of before.runs) {
      assert.equal(after.runs.get(runId)?.lastStep, r.lastStep, `${runId} last step`);
      assert.equal(after.runs.get(runId)?.versions.length, r.versions.length, `${runId} versions`);
    }
    const historyAfter = await (await folder.store()).history('base01', { limit: 1 });
    assert.equal(historyAfter.total, historyBefore.total, 'no duplicated rows');
    const pointsAfter = await (await folder.store()).series(id, 'loss');
    assert.deepEqual([...pointsAfter.steps], [...pointsBefore.steps]);
    assert.deepEqual([...pointsAfter.values], [...pointsBefore.values], 'every point read back from the chunk files');
  });
});
