"""The MLflow import benchmark's writer and baseline (bench/importers.ts): MLflow's own client logs one run
of KEYS keys × STEPS steps into a tracking URI (a file store `file:…/mlruns` or SQLite `sqlite:///…/mlflow.db`),
and reads every key back with MlflowClient.get_metric_history, timed.

mlflow_import_baseline.py write URI KEYS STEPS T0 — logs with log_batch (1,000 metrics a call); prints
{"run_id", "points", "seconds"}. Key k at step s is math.sin(s / 100 + k) * (k + 1), at T0 + s / 1000 s.
With a file store (`file:` URI) only the first batch goes through log_batch, which opens and appends to a
metric file per value (about 100 s for a million here); the rest is appended to the same files in the
same `timestamp value step` lines, as the file store writes them. `mlflow migrate-filestore` makes the
SQLite store from it (MLflow's own code writing the database; log_batch into SQLite is slower still).
mlflow_import_baseline.py read URI RUN_ID — prints {"points", "seconds"}: get_metric_history of every key.
Run with the mlflow venv's python (scripts/install-mlflow-server.sh). Import time is not counted.
"""
import json
import math
import os
import sys
import time

from mlflow.tracking import MlflowClient

from mlflow_log_batch import log_points


def write(uri, keys, steps, t0):
    client = MlflowClient(tracking_uri=uri)
    start = time.perf_counter()
    experiment_id = client.create_experiment("import-bench")
    run = client.create_run(experiment_id, run_name="bench")
    # A file store: the first 1,000 points through log_batch, the rest appended as it writes them.
    stop = (lambda points: points >= 1000) if uri.startswith("file:") else None
    at, points = log_points(client, run.info.run_id, keys, steps, t0, stop=stop)
    if at < steps:
        append_lines(uri, run, keys, at, steps, t0)
        points += (steps - at) * keys
    client.set_terminated(run.info.run_id)
    print(json.dumps({"run_id": run.info.run_id, "points": points, "seconds": time.perf_counter() - start}))


def append_lines(uri, run, keys, first, steps, t0):
    metrics = os.path.join(run.info.artifact_uri.replace("file://", "").rsplit("/artifacts", 1)[0], "metrics")
    for k in range(keys):
        with open(os.path.join(metrics, f"key_{k}"), "a") as f:
            f.write("".join("%s %s %s\n" % (int(round((t0 + s / 1000) * 1000)), math.sin(s / 100 + k) * (k + 1), s) for s in range(first, steps)))


def read(uri, run_id):
    client = MlflowClient(tracking_uri=uri)
    start = time.perf_counter()
    keys = client.get_run(run_id).data.metrics.keys()
    points = sum(len(client.get_metric_history(run_id, key)) for key in keys)
    print(json.dumps({"points": points, "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    else:
        read(sys.argv[2], sys.argv[3])
