// The hosts of a cluster sharing one log directory, played by real processes on this machine: each
// Python writer and command line gets a host name (RUNREWIND_TEST_HOST) and a clock (RUNREWIND_TEST_CLOCK_OFFSET)
// of its own. Shared by test/unit/cluster.test.ts and the mlflow stage's test/mlflow/clusterSync.test.ts.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { type Outcome, runProcess, PYTHON_DIR } from './helpers';

export const CLI = path.join(__dirname, '..', '..', '..', 'bin', 'runrewind.js');
/**
 * Heartbeat of every writer: a writer on another host is crashed after 4 × 2 s of silence (long enough
 * that a writer slowed down by a busy machine is not taken for dead).
 */
export const HEARTBEAT = '2';
/** How long a state may take to be seen; a deadline for a condition, not a timing assertion. */
export const DEADLINE_MS = 30_000;

// A training process: init as told, print what it was told (its version), then one JSON line per row
// after log() returned (so every printed step is acknowledged), until `rows` rows or the stop file; then,
// given a hold file, it stays alive (heartbeats only) until that file exists, and finishes.
const TRAINER = `
import json, os, sys, time, runrewind
dir, spec = sys.argv[1], json.loads(sys.argv[2])
run = runrewind.init(dir=dir, **{"project": "cluster", **spec["init"]})
print(json.dumps({"version": run.version_id, "id": run.id}), flush=True)
i = 0
while spec["rows"] < 0 or i < spec["rows"]:
    if spec.get("stop") and os.path.exists(spec["stop"]):
        break
    step = run.step
    run.log({"loss": 1.0 / (step + 1), "writer": spec["marker"]})
    print(json.dumps({"step": step}), flush=True)
    i += 1
    time.sleep(spec.get("sleep", 0))
while spec.get("hold") and not os.path.exists(spec["hold"]):
    time.sleep(0.05)
run.finish()
print(json.dumps({"done": True}), flush=True)
`;

export interface Host {
  readonly name?: string;
  /** Seconds this host's clock is ahead (negative: behind). */
  readonly skew: number;
  /** More of the host's environment (a job script's exports). */
  readonly env?: NodeJS.ProcessEnv;
}

export function hostEnv(host: Host): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: PYTHON_DIR, RUNREWIND_HEARTBEAT: HEARTBEAT, ...host.env, RUNREWIND_TEST_CLOCK_OFFSET: String(host.skew) };
  delete env.RUNREWIND_TEST_HOST;
  if (host.name) env.RUNREWIND_TEST_HOST = host.name;
  return env;
}

/** A training process and the lines it printed. */
export class Trainer {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: Array<{ version?: string; step?: number; done?: boolean }> = [];
  err = '';
  readonly exited: Promise<number | null>;

  constructor(dir: string, host: Host, spec: object) {
    this.child = spawn('python3', ['-c', TRAINER, dir, JSON.stringify(spec)], { env: hostEnv(host) });
    let pending = '';
    this.child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        this.lines.push(JSON.parse(pending.slice(0, nl)) as Trainer['lines'][number]);
        pending = pending.slice(nl + 1);
      }
    });
    this.child.stderr.on('data', (d: Buffer) => (this.err += d.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  get version(): string {
    return this.lines[0].version!;
  }

  /** The steps log() returned from. */
  get steps(): number[] {
    return this.lines.filter((l) => l.step !== undefined).map((l) => l.step!);
  }

  async finished(): Promise<void> {
    const code = await this.exited;
    assert.equal(code, 0, `the trainer failed: ${this.err}`);
  }
}

export async function until<T>(what: string, probe: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) assert.fail(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function cli(dir: string, host: Host, ...args: string[]): Promise<Outcome> {
  return runProcess(process.execPath, [CLI, ...args, '--dir', dir, '--no-cache', '--json'], hostEnv(host), true);
}

export async function cliJson<T>(dir: string, host: Host, ...args: string[]): Promise<T> {
  const o = await cli(dir, host, ...args);
  assert.equal(o.code, 0, `runrewind ${args.join(' ')} failed: ${o.err}`);
  return JSON.parse(o.out) as T;
}

export interface CliRun {
  id: string;
  version: string;
  state: string;
  forked_from: { run: string; version: string; step: number } | null;
  versions: Array<{ id: string; live: boolean; archived: boolean; state: string; parent: string | null; branch_step: number | null; last_step: number | null }>;
}
