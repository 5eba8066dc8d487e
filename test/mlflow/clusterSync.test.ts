// Issue 17's "done" sentence end to end, on the MLflow server: a run trained on one host, rewound on
// another and forked on a third, then synced from yet other hosts to a real MLflow server on PostgreSQL.
// Every writer and command line is a process playing a host of its own, with its own clock
// (test/unit/clusterHosts.ts); the server is read back with MLflow's own Python client and compared with
// the local store value by value, and later syncs from other hosts send only what is new, then nothing.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../../src/core/engine';
import { CLI, type Host, Trainer, cliJson, hostEnv, until } from '../unit/clusterHosts';
import { runProcess } from '../unit/helpers';
import { PYTHON, ROOT, URI, type ServerRun, assertServerHasEverything, experiment, serverSuite } from './serverHelpers';

/** This run of the tests' project (so experiment): a server kept between runs never mixes them. */
const PROJECT = `cluster${Date.now().toString(36)}`;

/** Every host's job environment: no system samples, so the points a sync sends are the rows logged. */
const JOB = { RUNREWIND_STATS: 'off' };
const A: Host = { name: 'node-a', skew: 3600, env: JOB };
const B: Host = { name: 'node-b', skew: 0, env: JOB };
const C: Host = { name: 'login-c', skew: -90, env: JOB };
const D: Host = { name: 'node-d', skew: -120, env: JOB };
const E: Host = { name: 'node-e', skew: 600, env: JOB };
/** The hosts the syncs run from: none of them wrote anything, each with its clock off another way. */
const F: Host = { name: 'viewer-f', skew: 45 };
const G: Host = { name: 'ci-g', skew: -300 };
const H: Host = { name: 'laptop-h', skew: 1800 };

interface SyncJson {
  versions: Array<{ run: string; version: string; archived: boolean; mlflow_run_id: string; points: number; files: number; unchanged: boolean }>;
  created: number;
  points: number;
  files: number;
  batches: number;
  requests: number;
  warnings: string[];
}

async function syncFrom(host: Host, dir: string): Promise<SyncJson> {
  // The command line's store snapshot (DIR/.cache) is used as a user's would be: made on one host, read on the next.
  const o = await runProcess(process.execPath, [CLI, 'sync', '--dir', dir, '--mlflow', URI, '--json'], hostEnv(host), true);
  assert.equal(o.code, 0, `runrewind sync on ${host.name} failed: ${o.err}`);
  return JSON.parse(o.out) as SyncJson;
}

/** Each MLflow run's output.log as MlflowClient downloads it. */
function consoleLogs(...runIds: string[]): Record<string, string | undefined> {
  const r = spawnSync(PYTHON, [path.join(ROOT, 'python', 'tests', 'mlflowsync', 'read_artifacts.py'), URI, ...runIds], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, `read_artifacts.py failed: ${r.stderr}`);
  const files = JSON.parse(r.stdout) as Record<string, Record<string, { text?: string }>>;
  return Object.fromEntries(runIds.map((id) => [id, files[id]['output.log']?.text]));
}

/** The steps of a server run's `writer` metric that carry `marker` (which host's job logged them). */
function stepsOf(run: ServerRun, marker: number): number[] {
  return run.metrics.writer.filter((p) => p[2] === marker).map((p) => p[0]);
}

describe('a cluster-trained, rewound and forked run on the MLflow server (synced from other hosts)', function () {
  this.timeout(300_000);
  const root = serverSuite('rr-mlflow-cluster-');

  it('trained on A (killed -9, resumed on B), rewound on C, forked on E: one MLflow run per version with its lineage, history, params and console; later syncs send only the new points, then nothing; a writer still running is RUNNING there, its heartbeats are nothing new', async function () {
    const dir = path.join(root(), 'logs');
    const engine = await Engine.open({ logDir: dir });
    const children: Trainer[] = [];
    const train = (host: Host, spec: object): Trainer => {
      const t = new Trainer(dir, host, spec);
      children.push(t);
      return t;
    };
    const stateOf = (run: string): string => {
      engine.ingest();
      return engine.getRun(run).state;
    };
    try {
      // A (an hour ahead) trains "base"; D (behind) trains "lost". Both nodes die (kill -9); only base is resumed.
      const config = { lr: 0.01, layers: 3, opt: { name: 'sgd', momentum: 0.9 } };
      const a = train(A, { init: { id: 'base', name: 'baseline', project: PROJECT, config }, rows: -1, sleep: 0.02, marker: 1 });
      const d = train(D, { init: { id: 'lost', project: PROJECT, config: { lr: 0.1 } }, rows: -1, sleep: 0.02, marker: 4 });
      await until('A and D to log', () => a.steps.length >= 30 && d.steps.length >= 10);
      for (const t of [a, d]) {
        t.child.kill('SIGKILL');
        await t.exited;
      }
      await until('both to be crashed (their heartbeats stopped)', () => stateOf('base') === 'crashed' && stateOf('lost') === 'crashed');
      const b = train(B, { init: { id: 'base', project: PROJECT, resume: 'must' }, rows: 20, marker: 2 });
      await b.finished();
      const v1 = a.version;
      assert.equal(b.version, v1);

      // C rewinds it from the command line and trains the rewound version further.
      const k1 = a.steps[10];
      const rewound = await cliJson<{ version: string; archived: string }>(dir, C, 'rewind', 'base', '--step', String(k1));
      assert.equal(rewound.archived, v1);
      const v2 = rewound.version;
      const c = train(C, { init: { id: 'base', project: PROJECT, resume: 'must' }, rows: 15, marker: 3 });
      await c.finished();
      assert.equal(c.version, v2);
      assert.equal(c.steps[0], k1 + 1);

      // E forks it from the command line and trains the fork.
      const k2 = k1 + 6;
      const forked = await cliJson<{ run: { id: string }; version: string }>(dir, E, 'fork', 'base', '--step', String(k2), '--id', 'forked');
      const e = train(E, { init: { id: 'forked', project: PROJECT, resume: 'must' }, rows: 8, marker: 5 });
      await e.finished();
      assert.equal(e.version, forked.version);
      assert.equal(e.steps[0], k2 + 1);

      // The first sync, from F: every version, each one MLflow run.
      const first = await syncFrom(F, dir);
      assert.equal(first.created, 4, 'v1 (archived), v2 (live), the fork, the crashed run');
      assert.deepEqual(first.warnings, []);
      const server = await assertServerHasEverything(dir, PROJECT);
      const [old, live, fork, lost] = [v1, v2, forked.version, d.version].map((v) => server.get(v)!);

      // Lineage: the rewound version under its archived one, the fork under the version it forked.
      assert.deepEqual([old.tags['runrewind.archived'], live.tags['runrewind.archived'], fork.tags['runrewind.archived']], ['true', 'false', 'false']);
      assert.equal(old.run_name, `baseline (archived ${v1})`);
      assert.equal(old.tags['mlflow.parentRunId'], undefined);
      assert.equal(live.tags['mlflow.parentRunId'], old.run_id);
      assert.deepEqual([live.tags['runrewind.run_id'], live.tags['runrewind.version_id'], live.tags['runrewind.source_run'], live.tags['runrewind.parent_version'], live.tags['runrewind.branch_step']], ['base', v2, 'base', v1, String(k1)]);
      assert.equal(fork.tags['mlflow.parentRunId'], live.run_id);
      assert.deepEqual([fork.tags['runrewind.run_id'], fork.tags['runrewind.version_id'], fork.tags['runrewind.source_run'], fork.tags['runrewind.parent_version'], fork.tags['runrewind.branch_step'], fork.tags['runrewind.forked_from']], ['forked', forked.version, 'base', v2, String(k2), `base@${k2}`]);
      assert.deepEqual([old.status, live.status, fork.status, lost.status], ['FINISHED', 'FINISHED', 'FINISHED', 'KILLED']);

      // Every row each host's job was told it logged, where it belongs (the store agreed above, point for point).
      assert.deepEqual(stepsOf(old, 1), a.steps, "A's acknowledged rows, though A was killed");
      assert.deepEqual(stepsOf(old, 2), b.steps);
      assert.deepEqual(stepsOf(live, 1), a.steps.filter((s) => s <= k1), 'the rewind inherits up to its step, included');
      assert.deepEqual(stepsOf(live, 2), []);
      assert.deepEqual(stepsOf(live, 3), c.steps);
      assert.deepEqual(stepsOf(fork, 1), a.steps.filter((s) => s <= k1));
      assert.deepEqual(stepsOf(fork, 3), c.steps.filter((s) => s <= k2), 'the fork inherits up to its step, included');
      assert.deepEqual(stepsOf(fork, 5), e.steps);
      assert.deepEqual(fork.metrics.loss.slice(0, k2 + 1), live.metrics.loss.slice(0, k2 + 1), 'inherited points as the source has them');
      assert.deepEqual(stepsOf(lost, 4), d.steps);

      // Params = config, inherited by the rewind and the fork.
      const params = { lr: '0.01', layers: '3', 'opt.name': 'sgd', 'opt.momentum': '0.9' };
      assert.deepEqual([old.params, live.params, fork.params, lost.params], [params, params, params, { lr: '0.1' }]);
      engine.ingest();
      for (const [version, run] of [[v1, old], [v2, live], [forked.version, fork]] as const) {
        assert.deepEqual(engine.getRun(version).config, config, `${version}'s config`);
        assert.deepEqual(run.params, params);
      }

      // The console each version shows locally is its output.log: A's and B's lines in v1, A's up to the
      // rewind then C's in v2, and the fork's inherited lines then E's.
      const assertConsoles = (runs: Map<string, ServerRun>): Record<string, string> => {
        const logs = consoleLogs(...[...runs.values()].map((r) => r.run_id));
        const out: Record<string, string> = {};
        engine.ingest();
        for (const [version, run] of runs) {
          const local = engine.consoleLines(version, { offset: 0, limit: 1_000_000 }).lines.map((l) => `${l.text}\n`).join('');
          assert.ok(local.length > 0, `${version} printed`);
          assert.equal(logs[run.run_id], local, `${version}'s output.log is its console`);
          out[version] = local;
        }
        return out;
      };
      const consoles = assertConsoles(server);
      const times = (text: string, line: string): number => text.split('\n').filter((l) => l === line).length;
      const started = (version: string, id: string): string => `{"version": "${version}", "id": "${id}"}`;
      const logged = (step: number): string => `{"step": ${step}}`;
      assert.deepEqual([times(consoles[v1], started(v1, 'base')), times(consoles[v1], logged(b.steps[b.steps.length - 1]))], [2, 1], 'A started it, B resumed and finished it');
      assert.deepEqual([times(consoles[v2], started(v1, 'base')), times(consoles[v2], started(v2, 'base')), times(consoles[v2], logged(b.steps[0]))], [1, 1, 0], "A's start inherited, not B's rows, C's resume");
      assert.deepEqual([started(v1, 'base'), started(v2, 'base'), started(forked.version, 'forked')].map((l) => times(consoles[forked.version], l)), [1, 1, 1], "the fork's inherited lines, then E's");
      assert.equal(times(consoles[forked.version], logged(c.steps[c.steps.length - 1])), 0, "C's rows after the fork's step are not the fork's");
      // More rows: A and E resume their runs at once, then C the rewound run again.
      const a2 = train(A, { init: { id: 'base', project: PROJECT, resume: 'must' }, rows: 6, marker: 6 });
      const e2 = train(E, { init: { id: 'forked', project: PROJECT, resume: 'must' }, rows: 5, marker: 8 });
      await a2.finished();
      await e2.finished();
      const c2 = train(C, { init: { id: 'base', project: PROJECT, resume: 'must' }, rows: 4, marker: 7 });
      await c2.finished();
      assert.deepEqual([a2.version, c2.version, e2.version], [v2, v2, forked.version]);

      // The second sync, from G: exactly the new points (loss and writer of each new row), into the same MLflow runs.
      const second = await syncFrom(G, dir);
      assert.deepEqual(second.warnings, []);
      assert.equal(second.created, 0);
      assert.deepEqual(second.versions.filter((v) => !v.unchanged).map((v) => v.version).sort(), [v2, forked.version].sort(), 'the archived and the crashed versions are unchanged');
      const sent = Object.fromEntries(second.versions.map((v) => [v.version, v.points]));
      assert.deepEqual(sent, { [v1]: 0, [v2]: 2 * (6 + 4), [forked.version]: 2 * 5, [d.version]: 0 });
      assert.equal(second.points, 30);
      assert.equal(second.files, 2, "the two grown consoles go again, nothing else");
      const after = await assertServerHasEverything(dir, PROJECT);
      for (const [version, run] of server) assert.equal(after.get(version)!.run_id, run.run_id, `${version} is still the same MLflow run`);
      assert.deepEqual(stepsOf(after.get(v2)!, 6), a2.steps);
      assert.deepEqual(stepsOf(after.get(v2)!, 7), c2.steps);
      assert.deepEqual(stepsOf(after.get(forked.version)!, 8), e2.steps);
      assert.deepEqual(stepsOf(after.get(forked.version)!, 6), [], "rows the source logged after the fork are not the fork's");
      assert.equal(after.get(forked.version)!.metrics.loss.length, k2 + 1 + 8 + 5);
      assertConsoles(after);

      // The third sync, from H: nothing new, nothing asked of the server.
      const third = await syncFrom(H, dir);
      assert.deepEqual({ points: third.points, files: third.files, requests: third.requests, created: third.created }, { points: 0, files: 0, requests: 0, created: 0 });
      assert.ok(third.versions.every((v) => v.unchanged));

      // E resumes the fork once more and stays alive after 3 rows. A sync from F meanwhile sends those rows
      // with the status RUNNING; E's heartbeats alone are nothing new (a sync from G asks nothing); once E
      // finishes, a sync from H sends only the status and end time.
      const hold = path.join(root(), 'hold');
      const e3 = train(E, { init: { id: 'forked', project: PROJECT, resume: 'must' }, rows: 3, marker: 9, hold });
      await until("E's 3 rows, E seen running", () => e3.steps.length === 3 && stateOf('forked') === 'running' && engine.getRun('forked').lastStep === e3.steps[2]);
      const running = await syncFrom(F, dir);
      assert.deepEqual(running.versions.filter((v) => !v.unchanged).map((v) => v.version), [forked.version]);
      assert.deepEqual({ points: running.points, created: running.created, files: running.files }, { points: 2 * 3, created: 0, files: 1 });
      const whileRunning = await assertServerHasEverything(dir, PROJECT);
      assert.equal(whileRunning.get(forked.version)!.status, 'RUNNING');
      assert.equal(whileRunning.get(forked.version)!.end_time, after.get(forked.version)!.end_time, 'the end time of its last finish stays while it runs (MLflow cannot clear one)');
      assert.deepEqual(stepsOf(whileRunning.get(forked.version)!, 9), e3.steps);
      const seenAt = engine.getRun(forked.version).version.updatedAt;
      await until('a heartbeat of E after that sync', () => stateOf('forked') === 'running' && engine.getRun(forked.version).version.updatedAt > seenAt);
      const quiet = await syncFrom(G, dir);
      assert.deepEqual({ points: quiet.points, files: quiet.files, requests: quiet.requests }, { points: 0, files: 0, requests: 0 }, 'a heartbeat is nothing new for the server');
      assert.ok(quiet.versions.every((v) => v.unchanged));
      fs.writeFileSync(hold, '');
      await e3.finished();
      const done = await syncFrom(H, dir);
      assert.deepEqual(done.versions.filter((v) => !v.unchanged).map((v) => v.version), [forked.version]);
      assert.deepEqual({ points: done.points, files: done.files, created: done.created }, { points: 0, files: 0, created: 0 });
      const end = await assertServerHasEverything(dir, PROJECT);
      assert.equal(end.get(forked.version)!.status, 'FINISHED');
      const last = await syncFrom(G, dir);
      assert.deepEqual({ points: last.points, files: last.files, requests: last.requests }, { points: 0, files: 0, requests: 0 });
      assert.equal(experiment(PROJECT).runs.length, 4);
    } finally {
      for (const t of children) if (t.child.exitCode === null) t.child.kill('SIGKILL');
      engine.close();
    }
  });
});
