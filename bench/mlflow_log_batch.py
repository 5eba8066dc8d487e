"""The sync benchmark's baseline (bench/mlflowSync.ts): MLflow's own Python client logs the same points
with log_batch, 1,000 metrics a request (the server's limit), into a new run of a new experiment.

mlflow_log_batch.py URI EXPERIMENT KEYS STEPS T0 — prints {"points", "seconds"} as JSON. The points are
the ones the benchmark's run logs: key k at step s is math.sin(s / 100 + k) * (k + 1), at T0 + s / 1000 s.
Run with the mlflow venv's python (scripts/install-mlflow-server.sh). Import time is not counted.
"""
import json
import math
import sys
import time

from mlflow.entities import Metric
from mlflow.tracking import MlflowClient


def log_points(client, run_id, keys, steps, t0, first=0, stop=None):
    """Logs the benchmark's points of steps first.. with log_batch, 1,000 metrics a request; returns the
    step it stopped at (``stop(points)`` true after a request) and how many points it sent."""
    batch = []
    points = 0
    for s in range(first, steps):
        stamp = int(round((t0 + s / 1000) * 1000))
        for k in range(keys):
            batch.append(Metric(f"key_{k}", math.sin(s / 100 + k) * (k + 1), stamp, s))
            if len(batch) == 1000:
                client.log_batch(run_id, metrics=batch)
                points += len(batch)
                batch = []
        if stop is not None and not batch and stop(points):
            return s + 1, points
    if batch:
        client.log_batch(run_id, metrics=batch)
        points += len(batch)
    return steps, points


def main():
    uri, experiment, keys, steps, t0 = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    client = MlflowClient(tracking_uri=uri)
    start = time.perf_counter()
    experiment_id = client.create_experiment(experiment)
    run = client.create_run(experiment_id, run_name="baseline")
    _, points = log_points(client, run.info.run_id, keys, steps, t0)
    client.set_terminated(run.info.run_id)
    print(json.dumps({"points": points, "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    main()
