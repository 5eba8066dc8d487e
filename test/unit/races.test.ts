// The race stress test of issue 8: in every round, from separate processes and at once, two command-line
// rewinds of one run, two Python writers resuming one run with resume="must", a rewind racing a resume,
// and two command-line forks asking for the same id — while this process ingests incrementally; odd
// rounds give every process a host name of its own, as on a cluster sharing the log directory. After
// each round: one live version per run; every writer told it succeeded has all its rows visible; every
// loser was told; the incrementally cached store equals a rebuild; the Python reader agrees.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Engine } from '../../src/core/engine';
import { type Outcome, PYTHON_DIR, engineView, linearRun, openEngine, pythonView, runProcess, tempDir } from './helpers';

const ROUNDS = Number(process.env.RUNREWIND_RACE_ROUNDS ?? 50);
const CLI = path.join(__dirname, '..', '..', '..', 'bin', 'runrewind.js');
const STEP = 5;
const ROWS = 20;

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return runProcess(command, args, env);
}

/** Odd rounds play a cluster: every process on a host of its own, sharing the log directory. */
function hostOf(round: number, who: string): NodeJS.ProcessEnv {
  return round % 2 === 1 ? { RUNREWIND_TEST_HOST: `node-${who}` } : {};
}

function cli(dir: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<Outcome> {
  return run(process.execPath, [CLI, ...args, '--dir', dir, '--no-cache', '--json'], env);
}

// A training process that resumes a run, logs ROWS rows tagged with its own marker, and finishes; it
// prints what it was told: the version it writes to and its steps, or the error that refused it.
const RESUMER = `
import json, sys, time, runrewind
from runrewind.errors import RunRewindError
dir, run_id, marker = sys.argv[1], sys.argv[2], float(sys.argv[3])
try:
    run = runrewind.init(id=run_id, dir=dir, resume="must")
except RunRewindError as e:
    print(json.dumps({"ok": False, "code": e.code, "error": str(e)}))
    sys.exit(0)
time.sleep(0.3)  # still running while the other process of the race checks the run
steps = []
for i in range(${ROWS}):
    steps.append(run.step)
    run.log({"marker": marker, "i": i})
run.finish()
print(json.dumps({"ok": True, "version": run.version_id, "steps": steps}))
`;

function resume(dir: string, env: NodeJS.ProcessEnv, runId: string, marker: number): Promise<Outcome> {
  return run('python3', ['-c', RESUMER, dir, runId, String(marker)], { PYTHONPATH: PYTHON_DIR, RUNREWIND_HEARTBEAT: '1', ...env });
}

interface Told {
  readonly ok: boolean;
  readonly code?: string;
  readonly error?: string;
  readonly version?: string;
  readonly steps?: number[];
}

function toldByPython(o: Outcome): Told {
  assert.equal(o.code, 0, `the Python writer exited with ${o.code}: ${o.err}`);
  return JSON.parse(o.out) as Told;
}

/** A command-line outcome: ok with its JSON, or refused with exit code 1 and a message naming the run. */
function toldByCli(o: Outcome, runId: string): { ok: boolean; json?: { version: string; run: { id: string } }; error?: string } {
  if (o.code === 0) return { ok: true, json: JSON.parse(o.out) as { version: string; run: { id: string } } };
  assert.equal(o.code, 1, `a refusal exits 1: ${o.err}`);
  assert.match(o.err, new RegExp(runId), 'the refusal names the run');
  return { ok: false, error: o.err };
}

/** Every row a successful writer was told it logged is in the history of the version it wrote to. */
function assertRowsVisible(engine: Engine, told: Told, marker: number): number {
  const table = engine.history(told.version!, { keys: ['marker', 'i'] });
  const mine = table.rows.filter((r) => r.cells[0] === marker);
  assert.deepEqual(mine.map((r) => r.step), told.steps, `rows of writer ${marker} in ${told.version}`);
  assert.deepEqual(mine.map((r) => r.cells[1]), told.steps!.map((_, i) => i));
  return mine.length;
}

describe('races between processes (stress)', function () {
  this.timeout(30 * 60_000);

  it(`keeps one live version, every acknowledged row and one answer in every reader over ${ROUNDS} rounds`, async () => {
    let rowsChecked = 0;
    let losersTold = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // A fresh log directory per round keeps every round's cost the same.
      const dir = tempDir('rr-race-');
      const cached = await openEngine(dir);
      let polling = true;
      // The store this process keeps, fed incrementally while the races run, like the extension's.
      const poller = (async () => {
        while (polling) {
          cached.ingest();
          await new Promise((r) => setTimeout(r, 15));
        }
      })();
      try {
        const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((x) => `${x}${round}`);
        for (const id of [a, b, c, d]) linearRun(dir, 10, { run: id });
        const m1 = round * 10 + 1;
        const m2 = round * 10 + 2;
        const m3 = round * 10 + 3;
        const [rewind1, rewind2, resume1, resume2, raceRewind, raceResume, fork1, fork2] = await Promise.all([
          cli(dir, hostOf(round, '1'), 'rewind', a, '--step', String(STEP)),
          cli(dir, hostOf(round, '2'), 'rewind', a, '--step', String(STEP)),
          resume(dir, hostOf(round, '3'), b, m1),
          resume(dir, hostOf(round, '4'), b, m2),
          cli(dir, hostOf(round, '5'), 'rewind', c, '--step', String(STEP)),
          resume(dir, hostOf(round, '6'), c, m3),
          cli(dir, hostOf(round, '7'), 'fork', d, '--step', String(STEP), '--id', `f${round}`),
          cli(dir, hostOf(round, '8'), 'fork', d, '--step', String(STEP), '--id', `f${round}`),
        ]);
        polling = false;
        await poller;
        cached.ingest();
        const rebuilt = await openEngine(dir);
        rebuilt.ingest();
        const label = `round ${round}`;

        // Two rewinds of one run to one step: one wins, the other is told (nothing to rewind / busy).
        const r1 = toldByCli(rewind1, a);
        const r2 = toldByCli(rewind2, a);
        assert.equal([r1, r2].filter((r) => r.ok).length, 1, `${label}: exactly one rewind of ${a} succeeds`);
        const won = (r1.ok ? r1 : r2).json!;
        assert.equal(cached.getRun(a).liveVersion, won.version, label);
        assert.equal(cached.getRun(a).versions.length, 2, `${label}: one archived version, not an empty second one`);
        losersTold++;

        // Two resumes of one run: each is told; every acknowledged row is visible.
        const t1 = toldByPython(resume1);
        const t2 = toldByPython(resume2);
        assert.ok(t1.ok || t2.ok, `${label}: at least one resume of ${b} succeeds`);
        for (const [t, m] of [[t1, m1], [t2, m2]] as const) {
          if (t.ok) rowsChecked += assertRowsVisible(cached, t, m);
          else {
            assert.match(t.code!, /^(run-running|locked)$/, `${label}: ${t.error}`);
            losersTold++;
          }
        }
        assert.equal(cached.getRun(b).versions.length, 1, `${label}: a resume makes no new version`);

        // A rewind racing a resume: whoever comes second is told, or goes on from what the first left.
        const rr = toldByCli(raceRewind, c);
        const rs = toldByPython(raceResume);
        if (rs.ok) rowsChecked += assertRowsVisible(cached, rs, m3);
        else {
          assert.match(rs.code!, /^(run-running|locked)$/, `${label}: ${rs.error}`);
          losersTold++;
        }
        if (!rr.ok) {
          assert.match(rr.error!, /still running|busy/, label);
          losersTold++;
        }
        assert.ok(rr.ok || rs.ok, `${label}: the rewind or the resume of ${c} succeeds`);

        // Two forks asking for one id: one run, one refusal.
        const f1 = toldByCli(fork1, d);
        const f2 = toldByCli(fork2, d);
        assert.equal([f1, f2].filter((f) => f.ok).length, 1, `${label}: exactly one fork f${round} is made`);
        assert.match((f1.ok ? f2 : f1).error!, /already exists|busy/, label);
        losersTold++;
        assert.equal(cached.getRun(`f${round}`).lastStep, STEP);

        // Every reader: the same runs, live versions and last steps.
        const view = engineView(cached);
        assert.deepEqual(view, engineView(rebuilt), `${label}: the cached store equals a rebuild`);
        for (const id of [a, b, c]) assert.deepEqual(cached.history(id).rows, rebuilt.history(id).rows, `${label}: history of ${id}`);
        assert.deepEqual(pythonView(dir), view, `${label}: the Python reader agrees`);
        rebuilt.close();
      } finally {
        polling = false;
        await poller;
        cached.close();
      }
    }
    // Figures for the note.
    process.stdout.write(`      ${ROUNDS} rounds, ${rowsChecked} acknowledged rows checked, ${losersTold} losing writers told\n`);
  });
});
