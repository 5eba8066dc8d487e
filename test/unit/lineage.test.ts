// Rewind and fork semantics (docs/ARCHITECTURE.md, Rewind and fork), and every refusal leaving logs and store as they were.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunRewindError } from '../../src/core/errors';
import type { Engine } from '../../src/core/engine';
import { linearRun, openEngine, snapshotTree, tempDir, writer } from './helpers';

function refused(engine: Engine, dir: string, code: string, pattern: RegExp, action: () => unknown): void {
  const before = snapshotTree(dir);
  const runsBefore = JSON.stringify(engine.listRuns());
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof RunRewindError, `expected a RunRewindError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
  assert.deepEqual(snapshotTree(dir), before, 'the log directory changed');
  assert.equal(JSON.stringify(engine.listRuns()), runsBefore, 'the store changed');
}

describe('rewind', () => {
  it('keeps the run id, archives the live version and shares its rows up to the step', async () => {
    const dir = tempDir();
    const w = linearRun(dir, 300, { config: { lr: 0.1, batch: 32 } });
    const engine = await openEngine(dir);
    engine.ingest();
    const { version, archived } = engine.rewind(w.run, 200);
    assert.equal(archived, w.version);
    const run = engine.getRun(w.run);
    assert.equal(run.liveVersion, version);
    assert.equal(run.lastStep, 200);
    assert.deepEqual(run.config, { lr: 0.1, batch: 32 });
    assert.equal(run.summary.metric, 200, 'summary recomputed from the new history');
    assert.deepEqual(run.versions.map((v) => [v.id, v.archived]), [[version, false], [w.version, true]]);
    const archivedOverview = engine.getRun(w.version);
    assert.equal(archivedOverview.summary.metric, 299, 'the archived version keeps its own summary');
    assert.equal(engine.history(version).total, 201);
    assert.equal(engine.history(w.version).total, 300);
  });

  it('merges the config of a resume_from writer on top and continues at N + 1', async () => {
    const dir = tempDir();
    const w = linearRun(dir, 10, { config: { lr: 0.1, batch: 32 } });
    const engine = await openEngine(dir);
    engine.ingest();
    const next = writer(dir, { run: w.run, mode: 'rewind', source: { run: w.run, version: w.version, step: 4 }, config: { lr: 0.01 } });
    assert.equal(next.step, 5);
    next.log({ metric: -5 });
    next.finish();
    engine.ingest();
    const run = engine.getRun(w.run);
    assert.deepEqual(run.config, { lr: 0.01, batch: 32 });
    assert.deepEqual([...engine.series(run.liveVersion, 'metric').values], [0, 1, 2, 3, 4, -5]);
  });

  it('chains: each archived version remembers where it came from', async () => {
    const dir = tempDir();
    const w = linearRun(dir, 50);
    const engine = await openEngine(dir);
    engine.ingest();
    const first = engine.rewind(w.run, 40);
    const second = engine.rewind(w.run, 20);
    const run = engine.getRun(w.run);
    assert.equal(run.liveVersion, second.version);
    assert.deepEqual(run.lineage.map((l) => [l.version, l.step]), [[first.version, 20], [w.version, 40]]);
    const byId = new Map(run.versions.map((v) => [v.id, v]));
    assert.equal(byId.get(second.version)!.parent, first.version);
    assert.equal(byId.get(first.version)!.parent, w.version);
    assert.equal(byId.get(first.version)!.archived, true);
    assert.equal(engine.history(second.version).total, 21);
  });

  it('refuses a running run, an unknown run, a step beyond the end, a negative step and an empty run', async () => {
    const dir = tempDir();
    const done = linearRun(dir, 10);
    const running = writer(dir);
    running.log({ metric: 1 });
    const empty = writer(dir);
    empty.finish();
    const engine = await openEngine(dir);
    engine.ingest();
    refused(engine, dir, 'run-running', new RegExp(`rewind run ${running.run} to step 0: it is still running`), () => engine.rewind(running.run, 0));
    refused(engine, dir, 'unknown-run', /no run "nope"/, () => engine.rewind('nope', 1));
    refused(engine, dir, 'step-out-of-range', new RegExp(`rewind run ${done.run} to step 10: its last step is 9`), () => engine.rewind(done.run, 10));
    refused(engine, dir, 'bad-step', /non-negative integer/, () => engine.rewind(done.run, -1));
    refused(engine, dir, 'bad-step', /non-negative integer/, () => engine.rewind(done.run, 1.5));
    refused(engine, dir, 'no-history', /no logged steps/, () => engine.rewind(empty.run, 0));
    refused(engine, dir, 'unknown-run', /version id; rewind takes a run id/, () => engine.rewind(done.version, 1));
    running.finish();
  });

  it('treats a crashed writer as terminal: it can be rewound', async () => {
    const dir = tempDir();
    const w = writer(dir, { clock: () => 1000 });
    for (let i = 0; i < 5; i++) w.log({ metric: i });
    w.abandon();
    const engine = await openEngine(dir, { liveness: { now: () => 1000 + 3600 } });
    engine.ingest();
    assert.equal(engine.listRuns()[0].state, 'crashed');
    assert.equal(engine.rewind(w.run, 2).run.lastStep, 2);
  });

  it('sees a writer whose process is gone on this host as crashed at once', async () => {
    const dir = tempDir();
    const w = writer(dir);
    w.log({ metric: 1 });
    w.abandon();
    const alive = await openEngine(dir, { liveness: { pidAlive: () => true } });
    alive.ingest();
    assert.equal(alive.listRuns()[0].state, 'running');
    const dead = await openEngine(dir, { liveness: { pidAlive: () => false } });
    dead.ingest();
    assert.equal(dead.listRuns()[0].state, 'crashed');
  });
});

describe('fork', () => {
  it('makes a new run with the source rows up to the step and records where it came from', async () => {
    const dir = tempDir();
    const w = linearRun(dir, 100, { project: 'vision', config: { lr: 1 } });
    const engine = await openEngine(dir);
    engine.ingest();
    const { run, version } = engine.fork(w.run, 60, { id: 'branch-a', name: 'try lr' });
    assert.equal(run.id, 'branch-a');
    assert.equal(run.name, 'try lr');
    assert.equal(run.project, 'vision');
    assert.deepEqual(run.forkedFrom && [run.forkedFrom.run, run.forkedFrom.version, run.forkedFrom.step], [w.run, w.version, 60]);
    assert.equal(run.lastStep, 60);
    assert.deepEqual(engine.getRun('branch-a').config, { lr: 1 });
    const f = writer(dir, { run: 'branch-a', version, mode: 'resume', lastStep: 60 });
    f.log({ metric: 1000 });
    f.finish();
    engine.ingest();
    const s = engine.series('branch-a', 'metric');
    assert.equal(s.total, 62);
    assert.equal(s.values[60], 60);
    assert.equal(s.steps[61], 61);
    assert.equal(s.values[61], 1000);
    assert.deepEqual(s.segments.map((x) => [x.version, x.from, x.to]), [[w.version, 0, 60], [version, 61, Infinity]]);
    assert.equal(engine.getRun(w.run).lastStep, 99, 'the source is untouched');
  });

  it('forks from an exact archived version by its immutable id', async () => {
    const dir = tempDir();
    const w = linearRun(dir, 30);
    const engine = await openEngine(dir);
    engine.ingest();
    engine.rewind(w.run, 10);
    const { run } = engine.fork(w.version, 25);
    assert.equal(run.forkedFrom?.version, w.version);
    assert.equal(engine.series(run.id, 'metric').total, 26);
  });

  it('may fork a running run', async () => {
    const dir = tempDir();
    const w = writer(dir);
    for (let i = 0; i < 10; i++) w.log({ metric: i });
    const engine = await openEngine(dir);
    engine.ingest();
    assert.equal(engine.listRuns()[0].state, 'running');
    const { run } = engine.fork(w.run, 5);
    assert.equal(engine.series(run.id, 'metric').total, 6);
    w.log({ metric: 10 });
    w.finish();
    engine.ingest();
    assert.equal(engine.series(run.id, 'metric').total, 6, 'later source rows do not leak into the fork');
  });

  it('refuses the source id, an existing id, a bad id, a step beyond the end and an unknown source', async () => {
    const dir = tempDir();
    const w = linearRun(dir, 10);
    const other = linearRun(dir, 3);
    const engine = await openEngine(dir);
    engine.ingest();
    refused(engine, dir, 'id-conflict', new RegExp(`resume_from="${w.run}\\?_step=5"`), () => engine.fork(w.run, 5, { id: w.run }));
    refused(engine, dir, 'id-conflict', /already exists/, () => engine.fork(w.run, 5, { id: other.run }));
    refused(engine, dir, 'bad-id', /not valid/, () => engine.fork(w.run, 5, { id: 'has space' }));
    refused(engine, dir, 'step-out-of-range', /its last step is 9/, () => engine.fork(w.run, 11));
    refused(engine, dir, 'unknown-run', /no run or version "ghost"/, () => engine.fork('ghost', 1));
  });
});

describe('rename and delete', () => {
  it('renames and hides deleted runs while forks keep their inherited history', async () => {
    const dir = tempDir();
    const w = linearRun(dir, 20);
    const engine = await openEngine(dir);
    engine.ingest();
    const { run: fork } = engine.fork(w.run, 10);
    engine.rename(w.run, '  baseline  ');
    assert.equal(engine.getRun(w.run).name, 'baseline');
    engine.deleteRun(w.run);
    assert.deepEqual(engine.listRuns().map((r) => r.id), [fork.id]);
    assert.equal(engine.series(fork.id, 'metric').total, 11);
    assert.equal(engine.getRun(fork.id).forkedFrom?.runDeleted, true);
    refused(engine, dir, 'unknown-run', /deleted/, () => engine.rewind(w.run, 1));
    refused(engine, dir, 'bad-argument', /1 to 1000/, () => engine.rename(fork.id, '   '));
  });

  it('records every operation in the log directory, so a rebuild gives the same runs', async () => {
    const dir = tempDir();
    const w = linearRun(dir, 40);
    const engine = await openEngine(dir);
    engine.ingest();
    engine.rewind(w.run, 30);
    engine.fork(w.run, 20, { id: 'f1' });
    engine.rename('f1', 'renamed');
    const doomed = linearRun(dir, 2);
    engine.ingest();
    engine.deleteRun(doomed.run);
    const before = JSON.stringify(engine.listRuns());
    assert.equal(fs.readdirSync(path.join(dir, 'ops')).length, 4);
    await engine.rebuild();
    assert.equal(JSON.stringify(engine.listRuns()), before);
    const fresh = await openEngine(dir);
    fresh.ingest();
    assert.equal(JSON.stringify(fresh.listRuns()), before);
  });
});
