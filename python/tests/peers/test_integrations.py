"""Real framework integrations end to end on CPU with `import wandb` resolved to Run Rewind (the package
switch): transformers.Trainer(report_to="wandb"), Lightning's WandbLogger, accelerate's
Accelerator(log_with="wandb"). Each trains a few steps; the run is read back through the command line and
checked (config, history keys and values, summary, final state), and compared value by value with what the
real wandb (offline) recorded for the same script (cached like the corpus reference)."""

import hashlib
import json
import os
import shutil
import tempfile
import unittest

import peers

SCRIPTS = os.path.join(peers.HERE, "scripts")
# Paths differ between the two runs' folders; everything else must be equal.
PATH_KEYS = ("output_dir", "logging_dir", "_name_or_path")


def reference(script, out_dir):
    h = hashlib.sha256()
    for p in (os.path.join(SCRIPTS, script), os.path.join(peers.HERE, "peers.py"),
              os.path.join(peers.HERE, "..", "requirements-peers.txt")):
        with open(p, "rb") as f:
            h.update(f.read())
    cache = os.environ.get("RUNREWIND_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "runrewind")
    path = os.path.join(cache, "peers-integration-%s-%s.json" % (script[:-3], h.hexdigest()[:16]))
    if os.path.exists(path) and not os.environ.get("RUNREWIND_PEERS_FRESH"):
        with open(path) as f:
            return json.load(f)
    work = tempfile.mkdtemp(prefix="runrewind-real-")
    try:
        proc = peers.run_script("wandb", work, [os.path.join(SCRIPTS, script), out_dir])
        if proc.returncode != 0:
            raise AssertionError("%s under the real wandb failed:\n%s" % (script, proc.stderr[-3000:]))
        runs = peers.read_wandb(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    os.makedirs(cache, exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump(runs, f)
    os.replace(path + ".tmp", path)
    return runs


class IntegrationTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="runrewind-int-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def train(self, script):
        out_dir = os.path.join(self.tmp, "out")
        proc = peers.run_script("runrewind", os.path.join(self.tmp, "work"), [os.path.join(SCRIPTS, script), out_dir])
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        runs = peers.read_runrewind(os.path.join(self.tmp, "work", "logs"))
        self.assertEqual(len(runs), 1, "one run expected in the workspace's log directory")
        run = runs[0]
        self.assertIn("RUN_ID " + run["id"], proc.stdout)
        self.assertEqual(run["state"], "finished")
        self.assertEqual(run["exit_code"], 0)
        real = reference(script, out_dir)
        self.assertEqual(len(real), 1)
        for r in (real[0], run):
            for k in PATH_KEYS:
                r["config"].pop(k, None)
        self.assertEqual(peers.differences(real[0], run), [], "differences from the real wandb")
        return run

    def rows(self, run):
        return [dict((k, v) for k, v in row.items() if not k.startswith("_")) for row in run["history"]]

    def test_transformers_trainer(self):
        run = self.train("hf_trainer.py")
        self.assertEqual((run["project"], run["name"]), ("huggingface", "tiny-bert"))
        config = run["config"]
        self.assertEqual((config["learning_rate"], config["hidden_size"], config["num_train_epochs"]), (0.001, 16, 2))
        self.assertGreater(config["model/num_parameters"], 0)
        rows = self.rows(run)
        train = [r for r in rows if "train/loss" in r]
        self.assertEqual([r["train/global_step"] for r in train], [2, 4, 6, 8, 10, 12])
        evals = [r for r in rows if "eval/loss" in r]
        self.assertEqual([r["train/global_step"] for r in evals], [6, 12])  # step_sync filled it in
        self.assertEqual(run["summary"]["eval/loss"], evals[-1]["eval/loss"])
        self.assertEqual(run["summary"]["train/loss"], train[-1]["train/loss"])
        self.assertIn("train_loss", run["summary"])  # the Trainer's explicit summary values

    def test_lightning_wandb_logger(self):
        run = self.train("lightning_wandb.py")
        self.assertEqual((run["project"], run["name"]), ("lightning-demo", "two-layer"))
        self.assertEqual((run["config"]["lr"], run["config"]["hidden"]), (0.05, 8))
        rows = self.rows(run)
        self.assertTrue(all("trainer/global_step" in r for r in rows))
        train = [r for r in rows if "train/loss" in r]
        self.assertEqual([r["trainer/global_step"] for r in train], [1, 3, 5, 7, 9, 11, 13, 15])
        self.assertEqual(len([r for r in rows if "val/loss" in r]), 2)
        self.assertEqual(run["summary"]["train/loss"], train[-1]["train/loss"])

    def test_accelerate_tracker(self):
        run = self.train("accelerate_wandb.py")
        self.assertEqual((run["project"], run["name"], run["tags"]), ("accelerate-demo", "acc-run", ["cpu"]))
        self.assertEqual(run["config"], {"lr": 0.05, "epochs": 3, "hidden": 8})
        steps = [row["_step"] for row in run["history"]]
        self.assertEqual(steps, list(range(12)))
        self.assertEqual([r["epoch"] for r in self.rows(run)], [0] * 4 + [1] * 4 + [2] * 4)
        self.assertEqual(run["summary"]["train_loss"], self.rows(run)[-1]["train_loss"])


if __name__ == "__main__":
    unittest.main()
