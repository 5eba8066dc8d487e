"""MLflow's SQLite store (``sqlite:///mlflow.db``, MLflow's default backend since 3.7) written by the real
MLflow client and read by Run Rewind's command line with ``--source mlflow.db``, compared value by value
with what MLflow's own client reads back: every metric point with its step, params, tags, the status, a
nested run grouped under its parent, a deleted run left out, NaN. Run with the full mlflow's Python
(scripts/install-mlflow-server.sh prints it): ``python -m unittest discover -s python/tests/mlflowdb``."""

import json
import math
import os
import shutil
import subprocess
import tempfile
import unittest

import mlflow
from mlflow.tracking import MlflowClient

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CLI = os.path.join(ROOT, "bin", "runrewind.js")


def cli(logs, db, *args):
    out = subprocess.run(["node", CLI] + list(args) + ["--dir", logs, "--source", db, "--no-cache", "--json"],
                         capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise AssertionError("runrewind %s failed: %s%s" % (" ".join(args), out.stdout, out.stderr))
    return json.loads(out.stdout)


def number(value):
    return float(value) if not isinstance(value, str) else {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[value]


class MlflowSqliteImportTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="runrewind-mlflowdb-")
        self.db = os.path.join(self.tmp, "mlflow.db")
        self.logs = os.path.join(self.tmp, "logs")
        mlflow.set_tracking_uri("sqlite:///" + self.db)

    def tearDown(self):
        mlflow.set_tracking_uri(None)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_runs_written_by_mlflow_read_as_mlflow_reads_them(self):
        mlflow.set_experiment("vision")
        with mlflow.start_run(run_name="parent") as parent:
            mlflow.log_params({"lr": 0.001, "optimizer": "adam", "layers": 4})
            mlflow.set_tags({"team": "vision"})
            for step in range(120):
                mlflow.log_metrics({"loss": 1.0 / (step + 1), "acc": step / 120.0}, step=step)
            mlflow.log_metric("loss", math.nan, step=120)
            mlflow.log_metric("spike", math.inf, step=5)
            with mlflow.start_run(run_name="trial-1", nested=True) as child:
                for step in range(10):
                    mlflow.log_metric("val_loss", 0.5 - step * 0.01, step=step)
        with mlflow.start_run(run_name="dropped") as dropped:
            mlflow.log_metric("loss", 1.0, step=0)
        MlflowClient().delete_run(dropped.info.run_id)
        with mlflow.start_run(run_name="crashed") as failed:
            mlflow.log_metric("loss", 3.0, step=0)
        MlflowClient().set_terminated(failed.info.run_id, status="FAILED")

        client = MlflowClient()
        runs = {r["name"]: r for r in cli(self.logs, self.db, "list")}
        self.assertEqual(sorted(runs), ["crashed", "parent", "trial-1"])
        for name in runs:
            self.assertEqual(runs[name]["project"], "vision")
        self.assertEqual(runs["crashed"]["state"], "failed")
        self.assertEqual(runs["parent"]["state"], "finished")
        for name, mine in (("parent", parent), ("trial-1", child)):
            info = client.get_run(mine.info.run_id)
            shown = cli(self.logs, self.db, "show", runs[name]["id"])
            self.assertEqual(shown["config"], info.data.params)
            tags = sorted("%s: %s" % (k, v) for k, v in info.data.tags.items() if not k.startswith("mlflow."))
            self.assertEqual(sorted(shown.get("tags", [])), tags)
            history = cli(self.logs, self.db, "history", runs[name]["id"])
            for key in info.data.metrics:
                theirs = {}
                for m in client.get_metric_history(mine.info.run_id, key):
                    theirs[m.step] = m.value  # the last logged at a step, as a row holds it
                ours = {row["_step"]: number(row[key]) for row in history if key in row}
                self.assertEqual(sorted(ours), sorted(theirs), key)
                for step, value in theirs.items():
                    self.assertTrue(value == ours[step] or (math.isnan(value) and math.isnan(ours[step])),
                                    "%s at step %d: ours %r, MLflow %r" % (key, step, ours[step], value))
        table = cli(self.logs, self.db, "list", "--filter", "group = 'parent'")
        self.assertEqual([r["name"] for r in table], ["trial-1"])

        # A run resumed later logs more: read as what follows, the database untouched by reading.
        with open(self.db, "rb") as f:
            before = f.read()
        cli(self.logs, self.db, "list")
        with open(self.db, "rb") as f:
            self.assertEqual(f.read(), before)
        with mlflow.start_run(run_id=parent.info.run_id):
            for step in range(121, 130):
                mlflow.log_metric("loss", 0.01, step=step)
        again = {r["name"]: r for r in cli(self.logs, self.db, "list")}
        self.assertEqual(again["parent"]["last_step"], 129)


if __name__ == "__main__":
    unittest.main()
