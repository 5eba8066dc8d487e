"""Shared helpers of the runrewind tests."""

import glob
import json
import os
import shutil
import sys
import tempfile
import unittest
import warnings

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)

import runrewind  # noqa: E402
from runrewind._ids import ENV  # noqa: E402

TEST_ENV_KEYS = ("RUNREWIND_TEST_CLOCK", "RUNREWIND_TEST_SEED", "RUNREWIND_TEST_PID", "RUNREWIND_TEST_HOST",
                 "RUNREWIND_TEST_NO_THREAD", "RUNREWIND_HEARTBEAT", "RUNREWIND_DIR", "RUNREWIND_META",
                 "RUNREWIND_STATS", "RUNREWIND_CONSOLE", "WANDB_CONSOLE")


def records(path):
    """Every complete record of one log file."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    return [json.loads(line) for line in text.split("\n")[:-1]]


def log_files(root, run_id=None):
    pattern = os.path.join(root, "runs", run_id or "*", "*.jsonl")
    return sorted(glob.glob(pattern), key=os.path.basename)


def rows(path):
    return [(r["step"], r["data"]) for r in records(path) if r["type"] == "row"]


def tree(root):
    """Every path under root (to prove that nothing was created)."""
    out = []
    for base, dirs, files in os.walk(root):
        out.extend(os.path.join(base, n) for n in dirs + files)
    return sorted(out)


class LogDirTest(unittest.TestCase):
    """A fresh log directory per test, no heartbeat thread unless a test asks for one."""

    def setUp(self):
        self._saved_env = dict((k, os.environ.get(k)) for k in TEST_ENV_KEYS)
        for k in TEST_ENV_KEYS:
            os.environ.pop(k, None)
        os.environ["RUNREWIND_TEST_NO_THREAD"] = "1"
        # The metadata record and system samples depend on the machine and the clock; the tests of
        # test_console.py / test_system.py turn them on (the console stays on, as by default).
        os.environ["RUNREWIND_META"] = "off"
        os.environ["RUNREWIND_STATS"] = "off"
        self.tmp = tempfile.mkdtemp(prefix="runrewind-test-")
        self.root = os.path.join(self.tmp, "logs")
        self._runs = []

    def tearDown(self):
        for run in self._runs:
            if not run._finished:
                run._abandon()
        for k, v in self._saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        ENV.refresh()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def init(self, **kwargs):
        kwargs.setdefault("dir", self.root)
        kwargs.setdefault("project", "test")
        run = runrewind.init(**kwargs)
        self._runs.append(run)
        return run

    def finished_run(self, steps, **kwargs):
        run = self.init(**kwargs)
        for i in range(steps):
            run.log({"metric": i})
        run.finish()
        return run

    def assertWarns_(self, fragment, fn, *args, **kwargs):
        """Runs fn, returns its result, and asserts one warning message contains ``fragment``."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = fn(*args, **kwargs)
        messages = [str(w.message) for w in caught]
        self.assertTrue(any(fragment in m for m in messages), "no warning with %r in %r" % (fragment, messages))
        return result, messages
