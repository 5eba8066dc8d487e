"""The differential corpus (corpus.py) under the real wandb (offline) and under Run Rewind, compared value
by value: history rows, summary, config, exit code, project, name, tags and what each script printed.
Every difference must be one of DEVIATIONS (each listed in the README with its reason), and every
deviation listed must still occur, so a fixed one is noticed.

The real wandb's results are cached in ~/.cache/runrewind/peers-reference-<hash>.json, keyed by this
folder's corpus, helpers and the pinned requirements, so a repeated run only runs Run Rewind's side;
RUNREWIND_PEERS_FRESH=1 runs the real wandb again."""

import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import tempfile
import unittest

import corpus
import peers

# (case, pattern of the difference's place, reason): the README's deviations table.
DEVIATIONS = [
    ("*", r"^run\d+\.name$", "generated-name"),
    ("lists_of_numbers", r"\.(history\[\d+\]|summary)\.(vec|pair|words)$", "lists-not-read"),
    ("numpy_scalars", r"\.(history\[1\]|summary)\.small_array$", "lists-not-read"),
    ("bools_strings_none", r"\.history\[0\]\.nothing$", "null-not-kept"),
    ("log_after_finish_is_ignored", r"^stdout$", "log-after-finish"),
    ("resume_allow_continues", r"^run0\.history\[(0\]\.a|2\])$", "offline-resume"),
    ("resume_must_of_a_missing_run", r"^(runs|stdout)$", "offline-resume"),
]
REFERENCE_INPUTS = ("corpus.py", "peers.py", os.path.join("..", "requirements-peers.txt"))


def reference_path():
    h = hashlib.sha256()
    for name in REFERENCE_INPUTS:
        with open(os.path.join(peers.HERE, name), "rb") as f:
            h.update(f.read())
    cache = os.environ.get("RUNREWIND_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "runrewind")
    return os.path.join(cache, "peers-reference-%s.json" % h.hexdigest()[:16])


def run_impl(impl, name, tmp):
    work = os.path.join(tmp, impl, name)
    proc = peers.run_script(impl, work, [os.path.join(peers.HERE, "corpus.py"), name])
    runs = peers.read_wandb(work) if impl == "wandb" else peers.read_runrewind(os.path.join(work, "logs"))
    return name, {"runs": runs, "stdout": proc.stdout.strip(), "returncode": proc.returncode,
                  "stderr": proc.stderr[-2000:]}


def run_all(impl, names, tmp):
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        return dict(pool.map(lambda n: run_impl(impl, n, tmp), names))


def case_differences(real, ours):
    diffs = []
    if len(real["runs"]) != len(ours["runs"]):
        diffs.append(("runs", len(real["runs"]), len(ours["runs"])))
    for i, (r, o) in enumerate(zip(real["runs"], ours["runs"])):
        for where, a, b in peers.differences(r, o):
            if where == "name" and a == "":
                where = "name"  # wandb offline leaves a run without name= unnamed
            elif where == "name":
                where = "name!"  # a given name must match exactly: never a deviation
            diffs.append(("run%d.%s" % (i, where), a, b))
    if real["stdout"] != ours["stdout"]:
        diffs.append(("stdout", real["stdout"], ours["stdout"]))
    return diffs


def compared_values(result):
    n = 0
    for r in result["runs"]:
        n += sum(len(row) for row in peers.normal_rows(r["history"]).values())
        n += len(peers.normal_summary(r["summary"])) + len(peers.normal_config(r["config"])) + 4
    return n


class DifferentialTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        names = list(corpus.CASES)
        cls.tmp = tempfile.mkdtemp(prefix="runrewind-corpus-")
        path = reference_path()
        reference = None
        if os.path.exists(path) and not os.environ.get("RUNREWIND_PEERS_FRESH"):
            with open(path) as f:
                reference = json.load(f)
        if reference is None or set(reference) != set(names):
            reference = run_all("wandb", names, cls.tmp)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path + ".tmp", "w") as f:
                json.dump(reference, f)
            os.replace(path + ".tmp", path)
        cls.reference = reference
        cls.ours = run_all("runrewind", names, cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_corpus_is_large_enough(self):
        self.assertGreaterEqual(len(corpus.CASES), 30)

    def test_every_case_agrees_or_differs_only_as_documented(self):
        unexplained = {}
        used = set()
        agreeing = 0
        values = 0
        for name in corpus.CASES:
            real, ours = self.reference[name], self.ours[name]
            values += compared_values(real)
            diffs = case_differences(real, ours)
            bad = []
            for d in diffs:
                hit = [i for i, (c, pattern, _) in enumerate(DEVIATIONS)
                       if (c == "*" or c == name) and re.search(pattern, d[0])]
                if hit:
                    used.update(hit)
                else:
                    bad.append(d)
            if bad:
                unexplained[name] = bad
            if not [d for d in diffs if not d[0].endswith(".name")]:
                agreeing += 1
        print("\ncorpus: %d cases, %d agree exactly with the real wandb (run names aside), %d values compared"
              % (len(corpus.CASES), agreeing, values))
        self.assertEqual(unexplained, {}, "differences from the real wandb that are neither fixed nor documented")
        unused = [DEVIATIONS[i] for i in range(len(DEVIATIONS)) if i not in used]
        self.assertEqual(unused, [], "documented deviations that no longer occur: remove them (and from the README)")

    def test_disabled_mode_writes_nothing(self):
        self.assertEqual(self.ours["disabled_mode_writes_nothing"]["runs"], [])
        self.assertEqual(self.reference["disabled_mode_writes_nothing"]["runs"], [])

    def test_failed_runs_have_the_same_exit_code(self):
        for name in ("uncaught_exception", "finish_with_exit_code", "context_manager_exception"):
            self.assertEqual([r["exit_code"] for r in self.ours[name]["runs"]],
                             [r["exit_code"] for r in self.reference[name]["runs"]], name)
            self.assertNotEqual(self.ours[name]["runs"][0]["exit_code"], 0, name)


if __name__ == "__main__":
    unittest.main()
