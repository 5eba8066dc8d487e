// Issue 17's "done" scenario for a log directory shared by a cluster, played with real processes: each
// Python writer and command line is a host of its own (RUNREWIND_TEST_HOST) with a clock of its own
// (RUNREWIND_TEST_CLOCK_OFFSET). A run trained on host A (clock an hour ahead) is killed -9 mid-run,
// resumed on B, rewound twice on login node C (clock behind) while D (clock behind) trains another run,
// and forked on E; every viewer — this process's store fed incrementally throughout, a store rebuilt from
// the logs, the Python reader and the command line's list/show --json — sees one live version, the
// archived versions, the fork's source and branch step, and every row a writer was told it logged.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../../src/core/engine';
import { type CliRun, type Host, Trainer, cliJson, hostEnv, until } from './clusterHosts';
import { engineView, openEngine, pythonView, tempDir } from './helpers';

// What the Python client decides before it resumes or rewinds (as init does it: under a lock, whose
// file tells the file system's clock): is each run's live version running?
const PY_RUNNING = `
import json, sys
from runrewind import _lock, _logs
from runrewind._ids import ENV
ENV.refresh()
with _lock.RunLock(sys.argv[1], "probe", "probing", ENV.host, ENV.pid, _logs.pid_alive, clock=ENV.now) as held:
    s = _logs.read_state(sys.argv[1])
    now = ENV.now() + held.skew
out = {}
for rid, r in s.runs.items():
    out[rid] = s.versions[r.live].is_running(now, ENV.host, _logs.pid_alive, _logs.process_start)
print(json.dumps(out))
`;

function pythonRunning(dir: string, host: Host): Record<string, boolean> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  return JSON.parse(execFileSync('python3', ['-c', PY_RUNNING, dir], { env: hostEnv(host), encoding: 'utf8', timeout: 30_000 })) as Record<string, boolean>;
}

function state(engine: Engine, run: string): string {
  engine.ingest();
  return engine.getRun(run).state;
}

/** The rows of `marker`'s writer in a version's visible history. */
function rowsOf(engine: Engine, version: string, marker: number): number[] {
  return engine.history(version, { keys: ['writer'] }).rows.filter((r) => r.cells[0] === marker).map((r) => r.step);
}

describe('a log directory shared by a cluster', function () {
  this.timeout(5 * 60_000);

  const A: Host = { name: 'node-a', skew: 3600 };
  const B: Host = { name: 'node-b', skew: 0 };
  const C: Host = { name: 'login-c', skew: -90 };
  const D: Host = { name: 'node-d', skew: -120 };
  const E: Host = { name: 'node-e', skew: 600 };
  const F: Host = { name: 'viewer-f', skew: 45 };

  it('keeps a run trained on A, preempted, resumed on B, rewound on C and forked on E whole in every viewer', async () => {
    const dir = tempDir('rr-cluster-');
    const stop = path.join(tempDir('rr-cluster-stop-'), 'stop');
    const engine = await openEngine(dir);
    const children: Trainer[] = [];
    try {
      // Host A, its clock an hour ahead, trains "base" until it is killed.
      const a = new Trainer(dir, A, { init: { id: 'base' }, rows: -1, sleep: 0.02, marker: 1 });
      children.push(a);
      await until('A to log 30 rows', () => a.steps.length >= 30);
      assert.equal(state(engine, 'base'), 'running', 'a writer on another host that is writing is running');
      // Host D, its clock two minutes behind, trains "other" until told to stop.
      const d = new Trainer(dir, D, { init: { id: 'other' }, rows: -1, sleep: 0.05, stop, marker: 4 });
      children.push(d);
      await until('D to log 5 rows', () => d.steps.length >= 5);
      assert.equal(state(engine, 'other'), 'running', "a running writer whose clock is behind is running, not crashed");
      assert.equal(pythonRunning(dir, F).other, true, 'the Python reader on another host sees it running');
      const listed = await cliJson<CliRun[]>(dir, C, 'list');
      assert.equal(listed.find((r) => r.id === 'other')?.state, 'running', 'the command line on C sees it running');
      assert.equal(listed.find((r) => r.id === 'base')?.state, 'running');

      // Preemption: A is killed mid-run. From every other host it is crashed once its heartbeats stop,
      // though its records are dated an hour ahead.
      a.child.kill('SIGKILL');
      await a.exited;
      const aSteps = a.steps;
      await until('base to be shown crashed after A stopped', () => state(engine, 'base') === 'crashed');
      assert.equal(pythonRunning(dir, B).base, false, "B's client sees A's writer gone");

      // Host B resumes it (preempted jobs restart elsewhere with resume="must") and finishes.
      const b = new Trainer(dir, B, { init: { id: 'base', resume: 'must' }, rows: 20, marker: 2 });
      children.push(b);
      await b.finished();
      assert.equal(b.version, a.version, 'a resume continues the live version');
      assert.equal(b.steps[0], aSteps[aSteps.length - 1] + 1, "B continues after A's last acknowledged row");
      const v1 = a.version;

      // Login node C rewinds it (its clock behind) while D still trains.
      const k1 = aSteps[10];
      const r1 = await cliJson<{ version: string; archived: string }>(dir, C, 'rewind', 'base', '--step', String(k1));
      assert.equal(r1.archived, v1);
      const b2 = new Trainer(dir, B, { init: { id: 'base', resume: 'must' }, rows: 10, marker: 3 });
      children.push(b2);
      await b2.finished();
      assert.equal(b2.version, r1.version);
      assert.equal(b2.steps[0], k1 + 1);
      const k2 = k1 + 5;
      const r2 = await cliJson<{ version: string; archived: string }>(dir, C, 'rewind', 'base', '--step', String(k2));
      assert.equal(r2.archived, r1.version);
      assert.equal(state(engine, 'other'), 'running', 'D is still training');

      // Host E forks the live version, its clock ten minutes ahead.
      const e = new Trainer(dir, E, { init: { id: 'forked', fork_from: `base?_step=${k2 - 2}` }, rows: 5, marker: 5 });
      children.push(e);
      await e.finished();
      fs.writeFileSync(stop, '');
      await d.finished();

      // Every viewer sees the same whole picture.
      engine.ingest();
      const rebuilt = await openEngine(dir);
      rebuilt.ingest();
      assert.deepEqual(engineView(engine), engineView(rebuilt), 'the incremental store equals a rebuild');
      assert.deepEqual(pythonView(dir), engineView(rebuilt), 'the Python reader agrees');
      for (const store of [engine, rebuilt]) {
        const base = store.getRun('base');
        assert.equal(base.liveVersion, r2.version, 'one live version');
        assert.deepEqual(base.versions.filter((v) => !v.archived).map((v) => v.id), [r2.version]);
        assert.deepEqual(base.versions.filter((v) => v.archived).map((v) => v.id).sort(), [v1, r1.version].sort());
        // No lost rows: A's acknowledged rows then B's in the archived first version; each rewind keeps
        // the rows up to its step.
        assert.deepEqual(rowsOf(store, v1, 1), aSteps);
        assert.deepEqual(rowsOf(store, v1, 2), b.steps);
        assert.deepEqual(rowsOf(store, r1.version, 1), aSteps.filter((s) => s <= k1));
        assert.deepEqual(rowsOf(store, r1.version, 3), b2.steps);
        assert.deepEqual(rowsOf(store, r2.version, 3), b2.steps.filter((s) => s <= k2));
        const forked = store.getRun('forked');
        const from = forked.forkedFrom!;
        assert.deepEqual({ run: from.run, version: from.version, step: from.step }, { run: 'base', version: r2.version, step: k2 - 2 });
        assert.deepEqual(rowsOf(store, 'forked', 5), e.steps);
        assert.equal(e.steps[0], k2 - 1);
        assert.deepEqual(rowsOf(store, 'other', 4), d.steps);
        assert.equal(store.getRun('other').state, 'finished');
      }
      assert.equal(engine.getRun(v1).state, 'finished', "the archived version was finished by B's writer");

      const runs = await cliJson<CliRun[]>(dir, F, 'list');
      const base = runs.find((r) => r.id === 'base')!;
      assert.equal(base.version, r2.version);
      assert.deepEqual(base.versions.filter((v) => v.live).map((v) => v.id), [r2.version]);
      assert.deepEqual(base.versions.filter((v) => v.archived).map((v) => v.id).sort(), [v1, r1.version].sort());
      const shown = await cliJson<CliRun & { lineage: Array<{ run: string; version: string; step: number }> }>(dir, F, 'show', 'forked');
      assert.deepEqual(shown.forked_from, { run: 'base', version: r2.version, step: k2 - 2 });
      assert.deepEqual(shown.lineage[0], { run: 'base', version: r2.version, step: k2 - 2 }, 'the fork, then the rewinds behind its source');
      const history = await cliJson<Array<{ _step: number; writer?: number }>>(dir, F, 'history', v1, '--keys', 'writer', '--limit', '100000');
      assert.deepEqual(history.filter((r) => r.writer === 1).map((r) => r._step), aSteps, 'the command line has every row of A');
    } finally {
      for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
    }
  });

  it('tells a writer that stopped from one that runs, on this host by its pid and on another by its heartbeat', async () => {
    const dir = tempDir('rr-cluster-crash-');
    const engine = await openEngine(dir);
    const children: Trainer[] = [];
    try {
      // On this host (no test host name: the store's own), clock ahead: killed, it is crashed at once.
      const local = new Trainer(dir, { skew: 3600 }, { init: { id: 'local' }, rows: -1, sleep: 0.05, marker: 1 });
      // On another host, clock behind: crashed once its heartbeats stop, running until then.
      const behind = new Trainer(dir, { name: 'node-x', skew: -300 }, { init: { id: 'behind' }, rows: -1, sleep: 0.05, marker: 2 });
      // On another host, clock ahead: crashed once its heartbeats stop, not an hour later.
      const ahead = new Trainer(dir, { name: 'node-y', skew: 3600 }, { init: { id: 'ahead' }, rows: -1, sleep: 0.05, marker: 3 });
      children.push(local, behind, ahead);
      await until('every writer to log', () => children.every((c) => c.steps.length >= 5));
      for (const id of ['local', 'behind', 'ahead']) assert.equal(state(engine, id), 'running', `${id} is running`);
      const fromPython = pythonRunning(dir, { name: 'viewer', skew: 0 });
      assert.deepEqual(fromPython, { local: true, behind: true, ahead: true }, 'the Python reader on another host agrees');

      local.child.kill('SIGKILL');
      await local.exited;
      assert.equal(state(engine, 'local'), 'crashed', 'a writer on this host is judged by its pid, at once');

      for (const c of [behind, ahead]) {
        c.child.kill('SIGKILL');
        await c.exited;
      }
      await until('both remote writers to be crashed', () => state(engine, 'behind') === 'crashed' && state(engine, 'ahead') === 'crashed');
      assert.deepEqual(pythonRunning(dir, { name: 'viewer', skew: 0 }), { local: false, behind: false, ahead: false });
      const listed = await cliJson<CliRun[]>(dir, { name: 'viewer', skew: 0 }, 'list');
      assert.deepEqual(Object.fromEntries(listed.map((r) => [r.id, r.state])), { local: 'crashed', behind: 'crashed', ahead: 'crashed' });
    } finally {
      for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
    }
  });
});
