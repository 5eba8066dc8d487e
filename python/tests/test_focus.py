"""``init`` reads whole only the run it acts on (issue 12): for that run, the focused reader must give
exactly what reading every file gives."""

import os
import time

from runrewind import _logs
from tests.helpers import PYTHON_DIR, LogDirTest

GOLDEN = os.path.join(os.path.dirname(PYTHON_DIR), "test", "fixtures", "golden")


def describe(state, run_id):
    run = state.runs[run_id]
    out = {"live": run.live, "deleted": run.deleted, "project": run.project, "versions": {}}
    for vid in run.versions:
        v = state.versions[vid]
        w = v.writer
        out["versions"][vid] = (v.kind, v.parent, v.branch_step, v.last_step, v.archived, sorted(v.config.items()),
                                None if w is None else (w.pid, w.host, w.last_time, w.finished, w.exit_code))
    return out


class FocusTest(LogDirTest):
    def check(self, root):
        full = _logs.read_state(root)
        self.assertTrue(full.runs, root)
        for run_id in full.runs:
            for focus in [run_id] + list(full.runs[run_id].versions):
                focused = _logs.read_state(root, focus)
                self.assertEqual(describe(focused, run_id), describe(full, run_id), "%s focused on %s" % (root, focus))
                self.assertEqual(sorted(focused.runs), sorted(full.runs))
                self.assertEqual(sorted(focused.versions), sorted(full.versions))
                self.assertEqual(focused.max_stamp_ms, full.max_stamp_ms)
        headers = _logs.read_state(root, None)
        self.assertEqual(sorted(headers.runs), sorted(full.runs))
        self.assertEqual(dict((r, x.project) for r, x in headers.runs.items()),
                         dict((r, x.project) for r, x in full.runs.items()))

    def test_golden_directories(self):
        for name in sorted(os.listdir(GOLDEN)):
            if os.path.isdir(os.path.join(GOLDEN, name, "runs")):
                self.check(os.path.join(GOLDEN, name))

    def test_rewinds_forks_resumes_and_a_running_writer(self):
        base = self.finished_run(30, id="base", config={"lr": 1})
        r = self.init(resume_from="base?_step=20", config={"lr": 2})
        r.log({"metric": 1})
        r.finish()
        f = self.init(fork_from="base?_step=10", id="fork", config={"b": 3})
        f.log({"metric": 2})
        f.finish()
        old = _logs.read_state(self.root).runs["base"].versions[0]
        g = self.init(fork_from="%s?_step=25" % old, id="fromold")
        g.finish()
        again = self.init(id="base", resume="must")
        again.log({"metric": 3})
        live = self.init(id="other", reinit="create_new")
        live.log({"metric": 1})
        self.check(self.root)
        live.finish()
        again.finish()
        self.assertEqual(base.id, "base")

    def test_a_new_run_reads_no_rows_of_other_runs(self):
        big = self.init(id="big")
        for i in range(20000):
            big.log({"a": i, "b": i * 0.5})
        big.finish()
        t0 = time.perf_counter()
        state = _logs.read_state(self.root, None)
        headers = time.perf_counter() - t0
        self.assertEqual(state.versions[state.runs["big"].live].own_last, None, "no row of big was read")
        self.assertEqual(_logs.read_state(self.root, "big").live_version("big").last_step, 19999)
        self.assertGreater(headers, 0)


class ReadsTest(LogDirTest):
    def test_a_resume_opens_each_other_file_once(self):
        # On a shared file system every open is a round trip: a resume beside 40 other runs opens each of
        # their files once (for its start record), not once per pass of the focused reader.
        for i in range(40):
            self.finished_run(2, id="r%d" % i)
        self.finished_run(3, id="target")
        opened = []
        real = os.open

        def counting(path, *args, **kwargs):
            opened.append(path)
            return real(path, *args, **kwargs)

        os.open = counting
        try:
            state = _logs.read_state(self.root, "target")
        finally:
            os.open = real
        self.assertEqual(state.live_version("target").last_step, 2)
        logs = [p for p in opened if p.endswith(".jsonl") and os.sep + "target" + os.sep not in p]
        self.assertEqual(len(logs), 40)
        self.assertEqual(len(set(logs)), 40)
