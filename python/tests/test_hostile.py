"""Issue 8 from the client's side: ids matched whole, deep config refused with a clear error, the per-run
lock that tells the loser of a race at once, and a reader that never hangs on a planted FIFO."""

import json
import os
import subprocess
import sys
import threading
import time

from runrewind import _lock, _logs, errors
from tests.helpers import PYTHON_DIR, LogDirTest, log_files, tree


def deep(levels):
    d = 1
    for _ in range(levels):
        d = {"a": d}
    return d


class HostileInputTest(LogDirTest):
    def test_an_id_with_a_trailing_newline_is_refused(self):
        # `$` matches before a final newline: the run went to runs/abc\n/ and was never listed.
        for bad in ("abc\n", "abc\n\n", "\nabc", "ab c", "abc\r"):
            before = tree(self.tmp)
            with self.assertRaises(errors.BadIdError):
                self.init(id=bad)
            self.assertEqual(tree(self.tmp), before)
        run = self.finished_run(3)
        for spec in ("%s\n?_step=1" % run.id, "%s?_step=1\n2" % run.id):
            with self.assertRaises(errors.BadSpecError):
                self.init(resume_from=spec)

    def test_deep_config_is_a_clear_error_not_a_recursion_error(self):
        run = self.init(id="deepcfg")
        with self.assertRaises(errors.BadArgumentError) as ctx:
            run.config.update({"model": deep(5000)})
        self.assertIn("nested more than", str(ctx.exception))
        with self.assertRaises(errors.BadArgumentError):
            run.config.update({"model": deep(120)})
        run.config.update({"model": deep(50)})  # deep, but within what readers accept
        loop = {}
        loop["self"] = loop
        with self.assertRaises(errors.BadArgumentError):
            run.config.update({"loop": loop})
        run.log({"m": 1})
        run.finish()
        with self.assertRaises(errors.BadArgumentError):
            self.init(id="deepinit", config={"x": deep(5000)})

    def test_reader_skips_fifos_and_devices(self):
        run = self.finished_run(3)
        fifo_dir = os.path.join(self.root, "runs", "fifo")
        os.makedirs(fifo_dir)
        os.mkfifo(os.path.join(fifo_dir, "0000000000009-aaaaaaaa.jsonl"))
        zero_dir = os.path.join(self.root, "runs", "zero")
        os.makedirs(zero_dir)
        os.symlink("/dev/zero", os.path.join(zero_dir, "0000000000009-bbbbbbbb.jsonl"))
        done = []
        t = threading.Thread(target=lambda: done.append(_logs.read_state(self.root)), daemon=True)
        t.start()
        t.join(10)
        self.assertTrue(done, "read_state returned")
        self.assertEqual(sorted(done[0].runs), [run.id])


class LockTest(LogDirTest):
    def lock(self, run_id, **kw):
        return _lock.RunLock(self.root, run_id, "testing", "this-host", os.getpid(), _logs.pid_alive, **kw)

    def test_a_held_lock_makes_the_other_writer_wait_then_fail_with_who_holds_it(self):
        run = self.finished_run(5, id="busy")
        with self.lock("busy"):
            before = tree(self.tmp)
            t0 = time.monotonic()
            with self.assertRaises(errors.RunBusyError) as ctx:
                _lock.RunLock(self.root, "busy", "rewinding it", "this-host", os.getpid() + 1, _logs.pid_alive,
                              timeout=0.3).__enter__()
            self.assertGreaterEqual(time.monotonic() - t0, 0.3)
            self.assertIn("run busy is busy", str(ctx.exception))
            self.assertIn("pid %d" % os.getpid(), str(ctx.exception))
            self.assertEqual(tree(self.tmp), before)
        # Released: the next one goes ahead.
        rewound = self.init(resume_from="%s?_step=2" % run.id)
        rewound.finish()

    def test_a_lock_left_by_a_dead_process_is_broken(self):
        os.makedirs(os.path.join(self.root, "locks"))
        path = _lock.lock_path(self.root, "orphan")
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        with open(path, "w") as f:
            json.dump({"host": "this-host", "pid": dead.pid, "time": time.time(), "what": "resuming it"}, f)
        with self.lock("orphan", timeout=1):
            with open(path) as f:
                self.assertEqual(json.load(f)["pid"], os.getpid())
        self.assertFalse(os.path.exists(path))

    def test_a_lock_older_than_any_critical_section_is_broken_from_another_host(self):
        os.makedirs(os.path.join(self.root, "locks"))
        path = _lock.lock_path(self.root, "old")
        with open(path, "w") as f:
            json.dump({"host": "other-host", "pid": 1, "time": 0, "what": "forking it"}, f)
        old = time.time() - _lock.STALE_SECONDS - 5
        os.utime(path, (old, old))
        with self.lock("old", timeout=1):
            pass
        # A fresh lock of another host is respected: no pid check across hosts.
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump({"host": "other-host", "pid": 1, "time": time.time(), "what": "forking it"}, f)
        with self.assertRaises(errors.RunBusyError):
            with self.lock("old", timeout=0.2):
                pass

    def test_two_processes_resuming_one_run_at_once_one_is_told(self):
        run = self.finished_run(5, id="twice")
        script = ("import sys, time, runrewind\n"
                  "from runrewind.errors import RunRewindError\n"
                  "try:\n"
                  "    r = runrewind.init(id='twice', dir=sys.argv[1], resume='must')\n"
                  "except RunRewindError as e:\n"
                  "    print('refused', e.code); sys.exit(0)\n"
                  "time.sleep(1.0)\n"
                  "r.log({'m': 1}); r.finish(); print('ok')\n")
        env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
        env.pop("RUNREWIND_TEST_NO_THREAD", None)
        procs = [subprocess.Popen([sys.executable, "-c", script, self.root], stdout=subprocess.PIPE, env=env,
                                  universal_newlines=True) for _ in range(2)]
        outs = sorted(p.communicate(timeout=60)[0].strip() for p in procs)
        self.assertEqual(outs, ["ok", "refused run-running"])
        self.assertEqual(len(log_files(self.root, run.id)), 2, "the loser wrote no file")

    def test_locks_of_different_runs_taken_and_released_at_once_never_fail(self):
        # A releasing process removes the empty locks folder; another process that had just found it there
        # (mkdir: "exists") then saw no folder, and init failed with FileExistsError (races CI, 1 in 3
        # under load). Four processes lock and release runs of their own in one root, 400 times each.
        script = ("import os, sys\n"
                  "from runrewind import _lock, _logs\n"
                  "for i in range(400):\n"
                  "    with _lock.RunLock(sys.argv[1], 'r%s-%d' % (sys.argv[2], i), 'testing', 'this-host',\n"
                  "                       os.getpid(), _logs.pid_alive, timeout=10):\n"
                  "        pass\n"
                  "print('ok')\n")
        env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
        procs = [subprocess.Popen([sys.executable, "-c", script, self.root, str(n)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env, universal_newlines=True) for n in range(4)]
        results = [p.communicate(timeout=120) for p in procs]
        self.assertEqual([(out.strip(), err.strip()[-300:]) for out, err in results], [("ok", "")] * 4)
        self.assertFalse(os.path.exists(os.path.join(self.root, "locks")), "the last release removed the folder")
