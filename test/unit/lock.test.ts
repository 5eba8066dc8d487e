// The per-run lock of docs/PROTOCOL.md ("Locks") shared by this process and Python clients in one log
// folder: a Python client removes the empty locks folder when it releases, and a lock taken here at that
// moment must still be taken (mkdir saw the folder, then it was gone: ENOENT on its check).
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { acquireRunLock } from '../../src/core/lock';
import { PYTHON_DIR, tempDir } from './helpers';

const PYTHON_LOCKER = `
import os, sys
from runrewind import _lock, _logs
i = 0
while not os.path.exists(sys.argv[3]):
    with _lock.RunLock(sys.argv[1], 'py%s-%d' % (sys.argv[2], i), 'testing', 'this-host', os.getpid(), _logs.pid_alive, timeout=10):
        pass
    if i == 0:
        print('started', flush=True)
    i += 1
print('ok')
`;

interface Locker {
  readonly started: Promise<void>;
  readonly done: Promise<{ code: number; out: string; err: string }>;
}

/** A Python client that takes and releases locks of runs of its own until the stop file exists. */
function pythonLocker(dir: string, n: number, stop: string): Locker {
  let started!: () => void;
  const startedP = new Promise<void>((resolve) => (started = resolve));
  const done = new Promise<{ code: number; out: string; err: string }>((resolve, reject) => {
    const child = spawn('python3', ['-c', PYTHON_LOCKER, dir, String(n), stop], {
      env: { ...process.env, PYTHONPATH: PYTHON_DIR },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('started')) started();
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      started();
      resolve({ code: code ?? -1, out, err });
    });
  });
  return { started: startedP, done };
}

describe('run lock', () => {
  it('is taken here while Python clients release locks and remove the empty folder at once', async function () {
    this.timeout(120_000);
    const dir = tempDir('rr-lock-');
    fs.mkdirSync(dir, { recursive: true });
    const stop = path.join(tempDir('rr-lock-stop-'), 'stop');
    const pythons = [0, 1, 2].map((n) => pythonLocker(dir, n, stop));
    // This lock waits synchronously: the Python clients are looping before this loop holds the thread.
    await Promise.all(pythons.map((p) => p.started));
    const failures: string[] = [];
    for (let i = 0; i < 3000; i++) {
      try {
        acquireRunLock(dir, `node-${i}`, 'testing', { timeoutSeconds: 10 })();
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    fs.writeFileSync(stop, '');
    const outcomes = await Promise.all(pythons.map((p) => p.done));
    assert.deepEqual(outcomes.map((o) => [o.code, o.out.trim().split('\n').pop(), o.err.trim().slice(-300)]), [[0, 'ok', ''], [0, 'ok', ''], [0, 'ok', '']]);
    assert.deepEqual(failures.slice(0, 3), [], `${failures.length} of 3000 locks failed`);
    assert.ok(!fs.existsSync(path.join(dir, 'locks', 'node-2999.lock')), 'released');
  });
});

describe('a lock and a host whose clock is off', () => {
  it('is not broken as stale by a host whose clock is an hour ahead, in either client; an old one is', () => {
    const dir = tempDir('rr-lock-skew-');
    // A fresh lock held by a process on another host.
    const file = path.join(dir, 'locks', 'run1.lock');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ host: 'node-a', pid: 1, time: Date.now() / 1000, what: 'resuming it' }));
    const ahead = (): number => Date.now() / 1000 + 3600;
    assert.throws(() => acquireRunLock(dir, 'run1', 'rewinding it', { host: 'login-c', timeoutSeconds: 0.3, now: ahead }), /busy: pid 1 on node-a/);
    const py = spawnSync('python3', ['-c', `
import sys, time
from runrewind import _lock, _logs
from runrewind.errors import RunBusyError
try:
    with _lock.RunLock(sys.argv[1], "run1", "resuming it", "node-b", 2, _logs.pid_alive, timeout=0.3, clock=lambda: time.time() + 3600):
        print("taken")
except RunBusyError:
    print("busy")
`, dir], { env: { ...process.env, PYTHONPATH: PYTHON_DIR }, encoding: 'utf8' });
    assert.equal(py.stdout.trim(), 'busy', py.stderr);
    assert.ok(fs.existsSync(file), 'the fresh lock is still there');
    // The same lock, old by the file system's clock, is broken by both.
    fs.utimesSync(file, Date.now() / 1000 - 120, Date.now() / 1000 - 120);
    acquireRunLock(dir, 'run1', 'rewinding it', { host: 'login-c', timeoutSeconds: 0.3, now: ahead })();
  });
});
