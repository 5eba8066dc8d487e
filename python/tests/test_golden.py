"""The committed golden log directories are exactly what the library writes, and expected.json holds the
values the rewind and fork rules (docs/ARCHITECTURE.md, "Rewind and fork") gives for the seed scripts."""

import json
import math
import os
import shutil
import tempfile
import unittest

from tests import make_golden

GOLDEN = make_golden.DEFAULT_OUT


def _all_files(root):
    out = {}
    for base, _, files in os.walk(root):
        for n in files:
            if n == "README.md" and base == root:
                continue
            path = os.path.join(base, n)
            with open(path, "rb") as f:
                out[os.path.relpath(path, root)] = f.read()
    return out


class GoldenTest(unittest.TestCase):
    def test_regenerated_files_are_byte_equal_to_the_committed_ones(self):
        tmp = tempfile.mkdtemp(prefix="runrewind-golden-")
        try:
            make_golden.generate(tmp)
            fresh, committed = _all_files(tmp), _all_files(GOLDEN)
            self.assertEqual(sorted(fresh), sorted(committed),
                             "run `python3 python/tests/make_golden.py` and commit test/fixtures/golden")
            for rel in sorted(fresh):
                self.assertEqual(fresh[rel], committed[rel], "%s differs from the committed file" % rel)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def load(self, name):
        with open(os.path.join(GOLDEN, name, "expected.json")) as f:
            return json.load(f)

    def test_seed_rewind_values(self):
        (run,) = self.load("seed_rewind")["runs"]
        live, archived = run["versions"]
        self.assertEqual((live["kind"], live["parent"], live["branch_step"], live["archived"]),
                         ("rewind", archived["id"], 200, False))
        self.assertTrue(archived["archived"])
        self.assertEqual(archived["last_step"], 299)
        self.assertEqual([r["metric"] for r in archived["history"]], list(range(300)))
        history = run["history"]
        self.assertEqual([r["_step"] for r in history], list(range(401)))
        for s in range(201):
            self.assertEqual(history[s]["metric"], s)
        for n, i in enumerate(range(200, 300)):
            metric_row, extra_row = history[201 + 2 * n], history[202 + 2 * n]
            want = i if i < 250 else i + (2 * math.sin(i / 3.0))
            self.assertEqual((metric_row["metric"], metric_row["step"]), (want, i))
            self.assertEqual((extra_row["additional_metric"], extra_row["step"]), (i * 1.1, i))
            self.assertNotIn("additional_metric", metric_row)
        self.assertEqual(run["summary"], {"metric": 299 + 2 * math.sin(299 / 3.0), "additional_metric": 299 * 1.1,
                                          "step": 299})
        self.assertEqual(run["state"], "finished")
        self.assertEqual(run["config"], {})
        self.assertIsNone(run["forked_from"])

    def test_fork_values(self):
        runs = self.load("fork")["runs"]
        fork = [r for r in runs if r["forked_from"]][0]
        source = [r for r in runs if not r["forked_from"]][0]
        self.assertEqual(fork["forked_from"], {"run": source["id"], "version": source["live_version"], "step": 250})
        self.assertEqual(fork["history"][:251], source["history"][:251])
        self.assertEqual([r["metric"] for r in fork["history"][251:]], [i * 3 for i in range(250, 300)])
        self.assertEqual(fork["history"][-1]["_step"], 300)
        self.assertEqual(fork["config"], {"lr": 0.01})

    def test_values_and_crashed(self):
        (run,) = self.load("values")["runs"]
        h = run["history"]
        self.assertEqual((h[1]["nan"], h[1]["inf"], h[1]["ninf"]), ("NaN", "Infinity", "-Infinity"))
        self.assertNotIn("none", h[0])
        self.assertEqual([r["_step"] for r in h], [0, 1, 2, 3, 4, 10])
        self.assertEqual(run["summary"]["best"], 0.125)
        self.assertNotIn("gone", run["summary"])
        (crash,) = self.load("crashed")["runs"]
        self.assertEqual((crash["state"], crash["last_step"]), ("crashed", 19))


if __name__ == "__main__":
    unittest.main()
