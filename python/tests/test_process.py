"""Whole processes: a killed writer, with-blocks, atexit, a full disk, the heartbeat, the seed scripts."""

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time

from runrewind import _logs
from tests.helpers import PYTHON_DIR, LogDirTest, log_files, records, rows

EXAMPLES = os.path.join(PYTHON_DIR, "examples")


class ProcessTest(LogDirTest):
    def python(self, code, env=None, check=True):
        full_env = dict(os.environ)
        full_env.pop("RUNREWIND_TEST_NO_THREAD", None)
        full_env["PYTHONPATH"] = PYTHON_DIR
        full_env["RUNREWIND_DIR"] = self.root
        full_env.update(env or {})
        proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=full_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        if check and proc.returncode != 0:
            self.fail("child failed (%d): %s" % (proc.returncode, proc.stderr.decode()))
        return proc

    def test_killed_writer_leaves_a_crashed_run_that_can_be_rewound(self):
        proc = self.python("""
            import os, signal, time, runrewind
            run = runrewind.init(project="kill", id="victim")
            for i in range(50):
                run.log({"metric": i})
            time.sleep(0.5)                       # a few heartbeats
            os.kill(os.getpid(), signal.SIGKILL)
        """, env={"RUNREWIND_HEARTBEAT": "0.1"}, check=False)
        self.assertEqual(proc.returncode, -signal.SIGKILL)
        (path,) = log_files(self.root, "victim")
        with open(path, "rb") as f:
            self.assertTrue(f.read().endswith(b"\n"))
        recs = records(path)
        types = [r["type"] for r in recs]
        self.assertNotIn("finish", types)
        self.assertIn("alive", types)
        self.assertEqual([s for s, _ in rows(path)], list(range(50)))
        state = _logs.read_state(self.root)
        v = state.live_version("victim")
        self.assertFalse(v.is_running(time.time(), v.writer.host, _logs.pid_alive))
        rewound = self.init(resume_from="victim?_step=20")
        rewound.finish()
        self.assertEqual(records(rewound.log_file)[0]["source"]["step"], 20)

    def test_silent_writer_is_crashed_after_four_heartbeats_seen_from_another_host(self):
        run = self.init(id="quiet")
        run.log({"a": 1})
        state = _logs.read_state(self.root)
        v = state.live_version("quiet")
        # From another host only the heartbeat tells: silent for four heartbeats is crashed.
        self.assertTrue(v.is_running(time.time(), "another-host", _logs.pid_alive))
        self.assertFalse(v.is_running(time.time() + 41, "another-host", _logs.pid_alive))

    def test_silent_writer_on_this_host_is_running_while_its_process_lives(self):
        # A writer stopped with SIGSTOP (or busy in native code) past four heartbeats is still running
        # on its own host: a rewind now would send its later rows to an archived version.
        run = self.init(id="paused")
        run.log({"a": 1})
        state = _logs.read_state(self.root)
        v = state.live_version("paused")
        later = time.time() + 41
        self.assertTrue(v.is_running(later, v.writer.host, _logs.pid_alive, _logs.process_start))
        self.assertFalse(v.is_running(later, v.writer.host, lambda pid: False, _logs.process_start))
        # A process that started after the writer's newest record is not the writer: its pid was reused.
        self.assertFalse(v.is_running(later, v.writer.host, _logs.pid_alive,
                                      lambda pid: v.writer.last_time + 60))

    def test_with_block(self):
        with self.init(id="ok") as run:
            run.log({"a": 1})
        self.assertEqual(records(run.log_file)[-1]["exit_code"], 0)
        with self.assertRaises(RuntimeError):
            with self.init(id="bad") as run:
                run.log({"a": 1})
                raise RuntimeError("diverged")
        recs = records(run.log_file)
        self.assertEqual((recs[-1]["type"], recs[-1]["exit_code"]), ("finish", 1))
        self.assertEqual(rows(run.log_file), [(0, {"a": 1})])

    def test_atexit_finishes_open_runs(self):
        self.python("""
            import runrewind
            run = runrewind.init(id="open")
            run.log({"a": 1}, commit=False)
        """)
        recs = records(log_files(self.root, "open")[0])
        self.assertEqual([r["type"] for r in recs], ["start", "row", "finish"])
        self.assertEqual(recs[-1]["exit_code"], 0)
        proc = self.python("""
            import runrewind
            run = runrewind.init(id="boom")
            run.log({"a": 1})
            raise SystemError("uncaught")
        """, check=False)
        self.assertNotEqual(proc.returncode, 0)
        recs = records(log_files(self.root, "boom")[0])
        self.assertEqual((recs[-1]["type"], recs[-1]["exit_code"]), ("finish", 1))

    def test_disk_full_is_a_warning_and_recovers(self):
        run = self.init()
        writer = run._writer
        real = writer._raw_write
        failures = [2]

        def flaky(fd, data):
            if failures[0] > 0:
                failures[0] -= 1
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(fd, data)

        run.log({"a": 0})
        writer._raw_write = flaky
        self.assertWarns_("No space left", run.log, {"a": 1})    # failure 1: kept in memory
        run.log({"a": 2})                                         # failure 2: the retry fails too
        self.assertEqual(rows(run.log_file), [(0, {"a": 0})])
        self.assertWarns_("works again", run.log, {"a": 3})       # the retry works: all three written
        run.log({"a": 4})
        run.finish()
        self.assertEqual(rows(run.log_file), [(i, {"a": i}) for i in range(5)])
        self.assertEqual(records(run.log_file)[-1]["type"], "finish")

    def test_disk_full_until_finish_loses_only_the_backlog(self):
        run = self.init()
        run.log({"a": 0})
        run._writer._raw_write = lambda fd, data: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full"))
        self.assertWarns_("full", run.log, {"a": 1})
        self.assertWarns_("lost", run.finish)
        self.assertEqual(rows(run.log_file), [(0, {"a": 0})])

    def test_heartbeat_thread_writes_alive_records(self):
        os.environ.pop("RUNREWIND_TEST_NO_THREAD")
        os.environ["RUNREWIND_HEARTBEAT"] = "0.05"
        run = self.init()
        self.assertEqual(records(run.log_file)[0]["heartbeat"], 0.05)
        time.sleep(0.3)
        run.finish()
        types = [r["type"] for r in records(run.log_file)]
        self.assertGreaterEqual(types.count("alive"), 2)
        self.assertEqual(types[-1], "finish")

    def run_example(self, name):
        env = dict(os.environ)
        env.pop("RUNREWIND_TEST_NO_THREAD", None)
        env.pop("PYTHONPATH", None)
        env["RUNREWIND_DIR"] = self.root
        proc = subprocess.run([sys.executable, os.path.join(EXAMPLES, name)], env=env, cwd=self.tmp,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        return proc

    def test_seed_rewind_script(self):
        self.run_example("seed_rewind.py")
        state = _logs.read_state(self.root)
        (run_id,) = state.runs
        first, second = log_files(self.root, run_id)
        self.assertEqual([s for s, _ in rows(first)], list(range(300)))
        got = rows(second)
        self.assertEqual([s for s, _ in got], list(range(201, 401)))
        self.assertEqual(got[0][1], {"metric": 200, "step": 200})
        self.assertEqual(got[1][1], {"additional_metric": 220.00000000000003, "step": 200})
        self.assertEqual(records(second)[0]["source"], {"run": run_id, "version": records(first)[0]["version"],
                                                        "step": 200})
        self.assertEqual(records(second)[0]["project"], "your_project_name")

    def test_seed_fork_script(self):
        self.run_example("seed_fork.py")
        state = _logs.read_state(self.root)
        self.assertEqual(len(state.runs), 2)
        fork = [r for r in state.runs.values() if state.versions[r.live].kind == "fork"][0]
        v = state.versions[fork.live]
        self.assertEqual((v.branch_step, v.last_step), (500, 1000))
