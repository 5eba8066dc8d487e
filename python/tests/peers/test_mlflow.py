"""MLflow's file store written by the real `mlflow` (mlflow-skinny 3.x in the peers venv; the file store
is refused there unless MLFLOW_ALLOW_FILE_STORE=true, which this test sets), imported by Run Rewind through
its command line (`--source mlruns`), and checked against `MlflowClient.get_metric_history`: every point
(the last value of a key at a step, since a row holds one), run names, experiments as projects, params as
config, user tags, the status (a failed run), a nested run grouped under its parent (not forked), and a
run resumed with `start_run(run_id=...)` that logs earlier steps again (a rewind here)."""

import json
import math
import os
import shutil
import tempfile
import unittest

os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"

import peers

import mlflow
from mlflow.tracking import MlflowClient


def same(a, b):
    return (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)) or a == b


class MlflowImportTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="runrewind-mlflow-")
        self.logs = os.path.join(self.tmp, "logs")
        os.makedirs(self.logs)
        self.root = os.path.join(self.tmp, "mlruns")
        mlflow.set_tracking_uri("file:" + self.root)
        self.client = MlflowClient("file:" + self.root)

    def tearDown(self):
        mlflow.set_tracking_uri(None)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def runs(self, cache=False):
        listed = json.loads(peers.cli_sources(self.logs, [self.root], "list", "--json", cache=cache))
        return {os.path.basename(r["origin"]["path"]): r for r in listed}

    def history(self, run, version=None, cache=False):
        args = ["history", run, "--json"] + (["--version", version] if version else [])
        rows = json.loads(peers.cli_sources(self.logs, [self.root], *args, cache=cache))
        return {r["_step"]: ({k: peers.json_number(v) for k, v in r.items() if not k.startswith("_")}, r["_timestamp"]) for r in rows}

    def oracle(self, run_id):
        """{step: ({key: last value}, first timestamp in seconds)} from MlflowClient.get_metric_history."""
        out = {}
        for key in self.client.get_run(run_id).data.metrics:
            for m in self.client.get_metric_history(run_id, key):
                values, t = out.get(m.step, ({}, math.inf))
                values[key] = m.value
                out[m.step] = (values, min(t, m.timestamp / 1000))
        return out

    def assert_same(self, ours, expected):
        self.assertEqual(sorted(ours), sorted(expected))
        for step, (values, t) in expected.items():
            mine, mine_t = ours[step]
            self.assertEqual(sorted(mine), sorted(values), step)
            for key in values:
                self.assertTrue(same(mine[key], values[key]), "%s at %d: ours %r, MLflow %r" % (key, step, mine[key], values[key]))
            self.assertAlmostEqual(mine_t, t, places=3)

    def test_runs_params_tags_nested_and_failed(self):
        mlflow.set_experiment("tiny experiment")
        with mlflow.start_run(run_name="sweep") as parent:
            mlflow.log_params({"lr": 0.01, "optimizer": "adam", "layers": 3})
            mlflow.set_tag("team", "vision")
            for step in range(120):
                mlflow.log_metrics({"loss": 1 / (step + 1), "acc/top1": step / 120, "acc/top5": min(1.0, step / 60)}, step=step)
                if step % 10 == 0:
                    mlflow.log_metric("val_loss", 2 / (step + 1) if step != 40 else math.nan, step=step)
            mlflow.log_metric("spike", math.inf, step=7)
            mlflow.log_metric("loss", 0.123, step=50)  # a second value at a logged step: MLflow keeps both
            with mlflow.start_run(run_name="trial-1", nested=True) as child:
                mlflow.log_param("lr", 0.1)
                for step in range(5):
                    mlflow.log_metric("loss", 0.5 - step / 100, step=step)
        with mlflow.start_run(run_name="broken") as failed:
            mlflow.log_metric("loss", 1.0, step=0)
        self.client.set_terminated(failed.info.run_id, status="FAILED")
        runs = self.runs()
        self.assertEqual(sorted(runs), sorted([parent.info.run_id, child.info.run_id, failed.info.run_id]))
        self.assertIn("MLflow", peers.cli_sources(self.logs, [self.root], "list"))
        p = runs[parent.info.run_id]
        self.assertEqual((p["origin"]["kind"], p["name"], p["project"], p["state"]), ("mlflow", "sweep", "tiny experiment", "finished"))
        self.assertEqual(p["tags"], ["team: vision"])
        self.assert_same(self.history(p["id"]), self.oracle(parent.info.run_id))
        shown = json.loads(peers.cli_sources(self.logs, [self.root], "show", p["id"], "--json"))
        self.assertEqual(shown["config"], self.client.get_run(parent.info.run_id).data.params)
        c = runs[child.info.run_id]
        # A nested run is not a fork of its parent: its own history from step 0, no Forked From.
        self.assertEqual((c["name"], c["forked_from"]), ("trial-1", None))
        self.assert_same(self.history(c["id"]), self.oracle(child.info.run_id))
        self.assertEqual(runs[failed.info.run_id]["state"], "failed")

    def test_resumed_run_logging_earlier_steps_is_a_rewind(self):
        with mlflow.start_run(run_name="resumable") as run:
            for step in range(30):
                mlflow.log_metric("loss", 1.0 + step, step=step)
        first = self.oracle(run.info.run_id)
        self.runs(cache=True)
        # Resumed from a checkpoint at step 19: steps 20.. are logged again.
        with mlflow.start_run(run_id=run.info.run_id):
            for step in range(20, 40):
                mlflow.log_metric("loss", 100.0 + step, step=step)
        r = self.runs(cache=True)[run.info.run_id]
        archived = [v for v in r["versions"] if v["archived"]]
        live = [v for v in r["versions"] if v["live"]][0]
        self.assertEqual(len(archived), 1)
        self.assertEqual(live["branch_step"], 19)
        self.assert_same(self.history(r["id"], archived[0]["id"], cache=True), first)
        # MLflow's history has both values at steps 20..29; the live version shows the resumed run's.
        self.assert_same(self.history(r["id"], cache=True), self.oracle(run.info.run_id))
        self.assertEqual(self.history(r["id"], cache=True)[25][0]["loss"], 125.0)


if __name__ == "__main__":
    unittest.main()
