"""``init`` costs what the run it touches costs, not what the log directory holds (issues 12 and 17): a
new run reads nothing of the others (its folder claims the id, ``names/`` its number); a resume, rewind
or fork reads its run, that run's lineage and the ops files. Calls are counted here, never timed."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from runrewind import _logs, _names
from tests.fscount import counting
from tests.helpers import PYTHON_DIR, LogDirTest, log_files, records

GOLDEN = os.path.join(os.path.dirname(PYTHON_DIR), "test", "fixtures", "golden")


def number(name):
    return int(name.rsplit("-", 1)[1])


def expected_number(root, project):
    """What init numbered a new run of ``project`` before claims: one more than the runs it holds."""
    return 1 + _names.counts(_logs.read_state(root, None)).get(project, 0)


def starts(root):
    return [records(path)[0] for path in log_files(root)]


class CallsTest(LogDirTest):
    def directory(self, runs):
        """A log directory of ``runs`` finished runs in two projects, and a run "small" to resume and fork."""
        self.root = os.path.join(self.tmp, "logs%d" % runs)
        for i in range(runs):
            self.finished_run(2, id="r%d" % i, project="p" if i % 2 else "q")
        self.finished_run(5, id="small", project="p")

    def finished_run(self, steps, **kwargs):
        run = self.init(**kwargs)
        for i in range(steps):
            run.log({"loss": i})
        run.finish()
        return run

    def calls(self, **kwargs):
        with counting() as c:
            run = self.init(**kwargs)
        run.finish()
        return c.by_call

    def test_calls_do_not_grow_with_the_runs_of_the_directory(self):
        made = {}
        for runs in (4, 40):
            self.directory(runs)
            made[runs] = {
                "new": self.calls(project="p"),
                "new, another project": self.calls(project="z"),
                "resume": self.calls(id="small", resume="must"),
                "rewind": self.calls(resume_from="small?_step=3"),
                "fork": self.calls(fork_from="small?_step=2"),
                "fork with an id": self.calls(fork_from="small?_step=2", id="f%d" % runs),
            }
        for what in made[4]:
            self.assertEqual(made[40][what], made[4][what], what)
        if os.environ.get("RUNREWIND_TEST_SHOW_CALLS"):
            print(json.dumps(made[40], indent=1, sort_keys=True))
        # A handful: no listing of runs/, no file of another run opened.
        new = made[40]["new"]
        self.assertNotIn("scandir", new)
        self.assertEqual(new.get("listdir"), 1, new)  # the project's claims
        self.assertLessEqual(sum(new.values()), 12, new)

    def test_a_new_run_opens_no_file_of_another_run(self):
        self.directory(10)
        opened = []
        real = os.open

        def spy(path, *args, **kwargs):
            opened.append(path)
            return real(path, *args, **kwargs)

        os.open = spy
        try:
            self.init(project="p").finish()
        finally:
            os.open = real
        self.assertFalse([p for p in opened if p.endswith(".jsonl") and "/runs/r" in p], opened)


class ClaimTest(LogDirTest):
    def test_a_taken_folder_makes_init_generate_another_id(self):
        os.environ["RUNREWIND_TEST_SEED"] = "7"
        first = self.init(project="p")
        first.finish()
        second = self.init(project="p", reinit="create_new")  # the same seed draws first.id again
        second.finish()
        self.assertNotEqual(second.id, first.id)
        self.assertEqual(sorted(r["run"] for r in starts(self.root)), sorted([first.id, second.id]))
        self.assertEqual([number(first.name), number(second.name)], [1, 2])

    def test_a_failed_claim_leaves_no_folder(self):
        real = _names.claim

        def broken(*args):
            raise OSError("no space left")

        _names.claim = broken
        try:
            with self.assertRaises(OSError):
                self.init(project="p")
        finally:
            _names.claim = real
        self.assertEqual(os.listdir(os.path.join(self.root, "runs")), [])


class NamesTest(LogDirTest):
    def check_new(self, project, **kwargs):
        want = expected_number(self.root, project)
        run = self.init(project=project, **kwargs)
        run.log({"loss": 1})
        run.finish()
        if "name" not in kwargs:
            self.assertEqual(number(run.name), want, "%s in %s" % (run.name, project))
        return run

    def test_a_sequence_of_inits_numbers_runs_as_counting_them_did(self):
        first = self.check_new("p")
        self.check_new("p")
        self.check_new("q")
        self.check_new("p", name="named")  # counted all the same
        self.check_new("p")
        self.check_new("p", id="explicit")
        want = expected_number(self.root, "p")
        fork = self.init(fork_from="%s?_step=0" % first.id, project=None)
        fork.finish()
        self.assertEqual(number(fork.name), want, "a fork takes its source's project")
        self.init(id="explicit", resume="must", project=None).finish()
        self.check_new("p")  # a resume is no new run
        self.check_new("q")
        self.check_new("fresh project")
        # A directory without names/ (written by an older client): counted from the logs, then claimed.
        shutil.rmtree(os.path.join(self.root, "names"))
        self.check_new("p")
        self.check_new("q")
        self.check_new("p")
        # A resume that moves a run to another project: counting would give the next run of "p" the
        # number of one it already holds; a claimed number is never given twice.
        self.init(id="explicit", resume="must", project="elsewhere").finish()
        taken = [number(r.name) for r in _logs.read_state(self.root).runs.values()
                 if r.project == "p" and r.name != "named"]
        counted = expected_number(self.root, "p")
        moved = self.init(project="p")
        moved.finish()
        self.assertLessEqual(counted, max(taken), "counting gives a number a run of p holds")
        self.assertEqual(number(moved.name), max(taken) + 1)
        # Every name is different and the store's reader shows the names init returned.
        state = _logs.read_state(self.root)
        names = [r.name for r in state.runs.values()]
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual(sorted(names), sorted(rec["name"] for rec in starts(self.root) if rec["mode"] in ("new", "fork")))

    def test_old_directories_get_the_numbers_counting_gives(self):
        for name in sorted(os.listdir(GOLDEN)):
            src = os.path.join(GOLDEN, name)
            if not os.path.isdir(os.path.join(src, "runs")):
                continue
            self.root = os.path.join(self.tmp, name)
            shutil.copytree(src, self.root, ignore=shutil.ignore_patterns("names"))
            projects = sorted(set(r.project for r in _logs.read_state(self.root).runs.values()))
            for project in projects + ["brand new"]:
                self.check_new(project)
                self.check_new(project)


WORKER = r"""
import os, sys, time
sys.path.insert(0, sys.argv[1])
import runrewind
go = os.path.join(sys.argv[2], "go")
while not os.path.exists(go):
    time.sleep(0.001)
for _ in range(int(sys.argv[3])):
    runrewind.init(dir=sys.argv[2], project="p").finish()
"""


class ConcurrentTest(LogDirTest):
    def race(self, processes, each):
        env = dict(os.environ, RUNREWIND_CONSOLE="off")
        procs = [subprocess.Popen([sys.executable, "-c", WORKER, PYTHON_DIR, self.root, str(each)], env=env)
                 for _ in range(processes)]
        open(os.path.join(self.root, "go"), "w").close()
        for p in procs:
            self.assertEqual(p.wait(timeout=120), 0)

    def test_inits_at_once_get_different_ids_and_numbers(self):
        for i in range(3):
            self.init(project="p", id="old%d" % i).finish()
        # As an older client left it: the racers also race to count the logs and make names/.
        shutil.rmtree(os.path.join(self.root, "names"))
        self.race(6, 4)
        made = [rec for rec in starts(self.root) if rec["run"].startswith("old") is False]
        self.assertEqual(len(made), 24)
        self.assertEqual(len(set(rec["run"] for rec in made)), 24)
        self.assertEqual(sorted(number(rec["name"]) for rec in made), list(range(4, 28)))
        self.assertEqual([n for n in os.listdir(self.root) if n.startswith(".names")], [], "no seed folder left")


class AroundTest(LogDirTest):
    """``_logs.read_around`` reaches, for the runs it reads, what reading every file reaches."""

    def op(self, stamp_ms, record):
        folder = os.path.join(self.root, "ops")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "%013d-op%06d.jsonl" % (stamp_ms, stamp_ms % 1000000)), "w") as f:
            f.write(json.dumps(record) + "\n")

    def test_runs_made_and_changed_by_ops(self):
        from tests.test_focus import describe
        base = self.init(id="base", project="p")
        for i in range(30):
            base.log({"loss": i})
        base.finish()
        other = self.init(id="other", project="p")
        other.log({"loss": 1})
        other.finish()
        state = _logs.read_state(self.root)
        old_live = state.runs["base"].live
        # As the extension writes them: a rewind of base, a fork of the version it archived (a run
        # with no folder), a rename of that fork, a fork of the fork, a delete of "other".
        t = int(state.max_stamp_ms) + 1000
        self.op(t, {"type": "rewind", "time": 1.0, "run": "base", "source": old_live, "version": "vrewound00001", "step": 20})
        self.op(t + 1, {"type": "fork", "time": 1.0, "run": "opfork", "version": "vopfork000001", "project": "p",
                        "name": "from ops", "source": {"run": "base", "version": old_live, "step": 10}})
        self.op(t + 2, {"type": "rename", "time": 1.0, "run": "opfork", "name": "renamed"})
        self.op(t + 3, {"type": "fork", "time": 1.0, "run": "grandchild", "version": "vgrand0000001",
                        "source": {"run": "opfork", "version": "vopfork000001", "step": 5}})
        self.op(t + 4, {"type": "delete", "time": 1.0, "run": "other"})
        for n, run_id in ((3, "opfork"), (4, "grandchild")):  # the numbers the extension claims for its forks
            with open(os.path.join(self.root, "names", _names.project_key("p"), str(n)), "w") as f:
                f.write(run_id)
        resumed = self.init(id="opfork", resume="must", project=None)
        resumed.log({"loss": 2})
        resumed.finish()
        self.assertEqual(resumed.name, "renamed")
        self.assertEqual(resumed.step, 12)
        want = expected_number(self.root, "p")
        forked = self.init(fork_from="grandchild?_step=5", project=None)
        forked.finish()
        self.assertEqual(number(forked.name), want)
        full = _logs.read_state(self.root)
        self.assertEqual(number(forked.name), 5, "base, other, opfork, grandchild (a resume is none), this")
        for run_id in full.runs:
            around = _logs.read_around(self.root, [run_id])
            self.assertEqual(describe(around, run_id), describe(full, run_id), run_id)
            self.assertEqual(around.runs[run_id].name, full.runs[run_id].name)
            self.assertEqual(around.runs[run_id].deleted, full.runs[run_id].deleted)
        with self.assertRaises(Exception) as caught:
            self.init(id="other", resume="must", project=None)
        self.assertIn("deleted", str(caught.exception))

    def test_golden_directories(self):
        from tests.test_focus import describe
        for name in sorted(os.listdir(GOLDEN)):
            root = os.path.join(GOLDEN, name)
            if not os.path.isdir(os.path.join(root, "runs")):
                continue
            full = _logs.read_state(root)
            for run_id in full.runs:
                around = _logs.read_around(root, [run_id])
                self.assertEqual(describe(around, run_id), describe(full, run_id), "%s: %s" % (name, run_id))
                self.assertEqual(around.runs[run_id].name, full.runs[run_id].name)


if __name__ == "__main__":
    unittest.main()
