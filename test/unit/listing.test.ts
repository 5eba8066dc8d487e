// How the store polls a big shared log directory (issue 17): after the first listing, a pass looks at
// the folders that changed (a new run folder, the folder a writer's change marker names, a few of a
// sweep), not at every run folder; files are still found whoever wrote them. Counted through logFs, the
// one module the reader's file system calls go through.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { countLogFs } from '../support/logFsCounter';
import { makeStamp } from '../../src/core/protocol';
import { linearRun, openEngine, tempDir, writer } from './helpers';

const RUNS = 200;

/** Dates every folder of the log directory a minute back, past the reader's window for coarse timestamps. */
function ageFolders(dir: string): void {
  const old = Date.now() / 1000 - 60;
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
    fs.utimesSync(d, old, old);
  };
  walk(dir);
}

describe('polling a big log directory', () => {
  it('costs a pass what changed, not a look at every run folder, and still finds every new file', async () => {
    const dir = tempDir('rr-listing-');
    const versions: string[] = [];
    // Started an hour ago (their file stamps and change markers say so).
    for (let i = 0; i < RUNS; i++) versions.push(linearRun(dir, 3, { run: `r${i}`, stamp: makeStamp(Date.now() - 3600_000 + i) }).version);
    const live = writer(dir, { run: 'running', stamp: makeStamp(Date.now() - 3000_000) });
    live.log({ metric: 1 });
    // Three writers that died an hour ago (no finish): their files are quiet.
    const crashed = ['c0', 'c1', 'c2'].map((run) => {
      const w = writer(dir, { run, stamp: makeStamp(Date.now() - 3000_000) });
      for (let i = 0; i < 3; i++) w.log({ metric: i });
      const hourAgo = Date.now() / 1000 - 3600;
      fs.utimesSync(w.file, hourAgo, hourAgo);
      return w;
    });
    ageFolders(dir);
    // A viewer on another host than the writers': it judges them by their files' times.
    const snapshotPath = path.join(tempDir('rr-listing-snap-'), 'store.rrsnap');
    const engine = await openEngine(dir, { liveness: { host: 'viewer' }, snapshotPath });
    assert.equal(engine.listRuns().length, 0);
    const first = countLogFs(() => engine.ingest());
    assert.equal(first.result.changedRuns.length, RUNS + 4);
    assert.ok(first.ops >= 2 * RUNS, `the first listing looks at every run folder (${first.ops} calls)`);

    // Nothing changed: folder stats of ops/, runs/ and changes/, a sweep of 32 run folders, and the one
    // running file opened, looked at and closed; the quiet files of the crashed runs are left for a while.
    // Before, every run folder was looked at and every unfinished file opened: 2 + 204 + 4 × 3.
    const idle = countLogFs(() => engine.ingest());
    assert.deepEqual(idle.result.changedRuns, []);
    assert.equal(idle.byCall.open, 1, 'only the running file is opened');
    assert.ok(idle.ops <= 3 + 32 + 3, `an idle pass made ${idle.ops} calls: ${JSON.stringify(idle.byCall)}`);

    // A crashed writer that comes back (a stopped process, a node back from a partition): its quiet file
    // is not opened on every pass, but a rewind of its run reads it first, and is refused.
    assert.equal(engine.getRun('c0').state, 'crashed');
    crashed[0].log({ metric: 3 });
    assert.deepEqual(engine.ingest().changedRuns, [], 'a quiet file is not opened on every pass');
    assert.throws(() => engine.rewind('c0', 1), /still running/, 'the rewind saw the writer write again');
    assert.equal(engine.getRun('c0').lastStep, 3);

    // A row appended to the running run: found by its offset, with no more folder looks.
    live.log({ metric: 2 });
    const append = countLogFs(() => engine.ingest());
    assert.deepEqual(append.result.changedRuns, ['running']);
    // (c0's file, written a moment ago, is opened on every pass again until it has been quiet a while.)
    assert.ok(append.ops <= 3 + 32 + 4 + 3, `an append cost ${append.ops} calls: ${JSON.stringify(append.byCall)}`);

    // A writer resumes a finished run in its existing folder and leaves its change marker: the next pass
    // reads it (the folder's stat and listing, the file), whichever folder the sweep is at.
    const resumed = writer(dir, { run: 'r150', version: versions[150], mode: 'resume', lastStep: 2 });
    resumed.log({ metric: 3 });
    resumed.finish();
    assert.ok(fs.readdirSync(path.join(dir, 'changes')).some((m) => m.endsWith('.r150')), 'the writer left a change marker');
    const marked = countLogFs(() => engine.ingest());
    assert.deepEqual(marked.result.changedRuns, ['r150']);
    assert.equal(engine.getRun('r150').lastStep, 3);
    assert.ok(marked.ops <= 3 + 1 + 2 + 32 + 4 + 3 + 3, `a marked file cost ${marked.ops} calls: ${JSON.stringify(marked.byCall)}`);

    // A writer that leaves no marker (an older client, a file written by hand): found by the sweep within
    // a round of it over the run folders.
    const unmarked = writer(dir, { run: 'r20', version: versions[20], mode: 'resume', lastStep: 2 });
    unmarked.log({ metric: 3 });
    unmarked.finish();
    for (const m of fs.readdirSync(path.join(dir, 'changes'))) if (m.endsWith('.r20')) fs.rmSync(path.join(dir, 'changes', m));
    let passes = 0;
    while (engine.getRun('r20').lastStep !== 3) {
      engine.ingest();
      passes++;
      assert.ok(passes <= Math.ceil((RUNS + 1) / 32) + 1, 'the sweep finds it within one round');
    }

    // A new run folder is seen from the runs folder's listing.
    linearRun(dir, 2, { run: 'fresh' });
    assert.ok(engine.ingest().changedRuns.includes('fresh'));

    // And the store is the same as a rebuild's.
    const rebuilt = await openEngine(dir, { liveness: { host: 'viewer' } });
    rebuilt.ingest();
    const view = (e: typeof engine): string[] => e.listRuns().map((r) => `${r.id}:${r.lastStep}:${r.state}`).sort();
    assert.deepEqual(view(engine), view(rebuilt));

    // Reopened from its snapshot, the store goes on from what it had read: the markers made since, new
    // run folders and the sweep, not a look at every run folder.
    engine.save();
    engine.close();
    const resumedLater = writer(dir, { run: 'r60', version: versions[60], mode: 'resume', lastStep: 2 });
    resumedLater.log({ metric: 3 });
    resumedLater.finish();
    const reopened = await openEngine(dir, { liveness: { host: 'viewer' }, snapshotPath });
    assert.equal(reopened.startupNote, undefined, 'the snapshot was used');
    const again = countLogFs(() => reopened.ingest());
    assert.deepEqual(again.result.changedRuns, ['r60']);
    assert.ok(again.ops < 100, `the first pass after reopening made ${again.ops} calls: ${JSON.stringify(again.byCall)}`);
    assert.deepEqual(view(reopened), view(await (async () => {
      const fresh = await openEngine(dir, { liveness: { host: 'viewer' } });
      fresh.ingest();
      return fresh;
    })()));
    live.finish();
  });
});
