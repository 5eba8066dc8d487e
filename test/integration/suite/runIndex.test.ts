// The run index follows a change by reading only the runs it names — a new run, a fork, a delete, a
// rename that its forks show — and ends up exactly where a full listing would put it, with the tree
// showing it; only a rebuild lists everything again (issue 12: costs that follow the change, not the
// 10,000 runs listed).
import * as assert from 'node:assert/strict';
import type { FolderRuns } from '../../../src/workspace/runIndex';
import { logRun, runRow, showRunsViewAndStore, uniqueId, waitFor } from './helpers';

/** What a listing says, in order: per project its run ids, and every run's row as the tree shows it. */
function shapeOf(data: FolderRuns): unknown {
  return {
    projects: [...data.projects].map(([project, runs]) => [project, runs.map((r) => r.id)]),
    runs: [...data.runs.values()].map((r) => [r.id, r.name, r.project, r.state, r.lastStep, r.forkedFrom, r.origin]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    versions: [...data.versionToRun].sort(([a], [b]) => a.localeCompare(b)),
  };
}

describe('run index', () => {
  it('adds a new run and a fork, removes a deleted run and updates its forks, all without listing every run', async function () {
    this.timeout(60_000);
    const api = await showRunsViewAndStore();
    const folder = api.folders.all[0]!;
    const key = folder.key;
    const store = await folder.store();
    await api.runIndex.refresh(key);
    const listings = api.runIndex.fullListings;

    // A new run in a new project (the set of projects changes) and one beside an existing run.
    const project = uniqueId('idx');
    const source = uniqueId('src');
    const other = uniqueId('oth');
    logRun(source, 30, { project });
    await waitFor(() => api.runIndex.get(key)?.runs.has(source), `${source} indexed`);
    logRun(other, 10, { project });
    await waitFor(() => api.runIndex.get(key)?.runs.has(other), `${other} indexed`);

    // A fork of it, then a rename of the source, which the fork's "Forked From" shows.
    const fork = uniqueId('frk');
    await store.fork(source, 12, { id: fork });
    await waitFor(() => api.runIndex.get(key)?.runs.has(fork), `${fork} indexed`);
    assert.ok(await waitFor(() => runRow(api, fork), `${fork} in the tree`));
    await store.rename(source, 'renamed source');
    await waitFor(() => api.runIndex.get(key)?.runs.get(fork)?.forkedFrom?.runName === 'renamed source', 'the fork shows its source\'s new name');

    // The source deleted: it leaves the index and the tree; the fork says its source was deleted.
    await store.deleteRun(source);
    await waitFor(() => !api.runIndex.get(key)?.runs.has(source), `${source} gone from the index`);
    await waitFor(() => api.runIndex.get(key)?.runs.get(fork)?.forkedFrom?.runDeleted === true, 'the fork knows its source was deleted');
    await waitFor(async () => (await runRow(api, source)) === undefined, `${source} gone from the tree`);
    assert.equal(api.runIndex.fullListings, listings, 'no full listing for any of these changes');

    // Where the changes left the index is where a full listing puts it.
    const followed = shapeOf(api.runIndex.get(key)!);
    const listed = shapeOf(await api.runIndex.refresh(key));
    assert.equal(api.runIndex.fullListings, listings + 1);
    assert.deepEqual(followed, listed);
  });
});
