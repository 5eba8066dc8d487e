// Shared set-up for unit tests: temporary log directories and engines over them.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/core/engine';
import type { EngineOptions } from '../../src/core/engine';
import { LogWriter } from '../../src/core/writer';
import type { WriterOptions } from '../../src/core/writer';

export function tempDir(prefix = 'rr-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function openEngine(logDir: string, options: Partial<EngineOptions> = {}): Promise<Engine> {
  return Engine.open({ logDir, ...options });
}

/** A writer with no heartbeat timer, so tests end cleanly. */
export function writer(dir: string, options: Omit<WriterOptions, 'dir'> = {}): LogWriter {
  return new LogWriter({ dir, heartbeat: 0, ...options });
}

/** Logs `metric = i` for steps 0..n-1 and finishes. */
export function linearRun(dir: string, n: number, options: Omit<WriterOptions, 'dir'> = {}): LogWriter {
  const w = writer(dir, options);
  for (let i = 0; i < n; i++) w.log({ metric: i });
  w.finish();
  return w;
}

/** Every file under a directory with its bytes, to show that a refused operation wrote nothing. */
export function snapshotTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p, 'utf8'));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** What every reader must agree on: per run, its live version, name, project and each version's state. */
export interface ReaderView {
  [run: string]: { live: string; name: string; project: string; versions: { [version: string]: { archived: boolean; lastStep: number | null; parent: string | null; branchStep: number | null } } };
}

export function engineView(engine: Engine): ReaderView {
  const out: ReaderView = {};
  for (const run of engine.listRuns()) {
    const versions: ReaderView[string]['versions'] = {};
    for (const v of run.versions) versions[v.id] = { archived: v.archived, lastStep: v.lastStep, parent: v.parent, branchStep: v.branchStep };
    out[run.id] = { live: run.liveVersion, name: run.name, project: run.project, versions };
  }
  return out;
}

const PYTHON_VIEW = `
import json, sys
from runrewind import _logs
s = _logs.read_state(sys.argv[1])
out = {}
for rid, r in s.runs.items():
    if r.deleted:
        continue
    out[rid] = {"live": r.live, "name": r.name, "project": r.project, "versions": {
        vid: {"archived": s.versions[vid].archived, "lastStep": s.versions[vid].last_step,
              "parent": s.versions[vid].parent, "branchStep": s.versions[vid].branch_step}
        for vid in r.versions}}
print(json.dumps(out))
`;

/** The same view as the Python client's reader (python/runrewind/_logs.py) sees the directory. */
export function pythonView(logDir: string): ReaderView {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  const text = execFileSync('python3', ['-c', PYTHON_VIEW, logDir], { env: { ...process.env, PYTHONPATH: PYTHON_DIR }, encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(text) as ReaderView;
}

export const PYTHON_DIR = path.join(__dirname, '..', '..', '..', 'python');

/**
 * Runs a Python script with the client on the path, in the log directory `dir` (also its working
 * folder), with no console capture, system metrics or metadata; returns what it printed, trimmed.
 */
export function runPython(dir: string, script: string): string {
  return execFileSync('python3', ['-c', script], {
    cwd: dir,
    env: { ...process.env, PYTHONPATH: PYTHON_DIR, RUNREWIND_DIR: dir, RUNREWIND_CONSOLE: 'off', RUNREWIND_STATS: 'off', RUNREWIND_META: 'off', RUNREWIND_TEST_NO_THREAD: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  }).trim();
}

/** What a child process printed and how it ended. */
export interface Outcome {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `command` with `args` (the environment plus `env`) and resolves with what it printed when it ends. */
export function runProcess(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, replaceEnv = false): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: replaceEnv ? env : { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}
