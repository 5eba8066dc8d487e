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


def main():
    uri, experiment, keys, steps, t0 = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    client = MlflowClient(tracking_uri=uri)
    start = time.perf_counter()
    experiment_id = client.create_experiment(experiment)
    run = client.create_run(experiment_id, run_name="baseline")
    batch = []
    points = 0
    for s in range(steps):
        stamp = int(round((t0 + s / 1000) * 1000))
        for k in range(keys):
            batch.append(Metric(f"key_{k}", math.sin(s / 100 + k) * (k + 1), stamp, s))
            if len(batch) == 1000:
                client.log_batch(run.info.run_id, metrics=batch)
                points += len(batch)
                batch = []
    if batch:
        client.log_batch(run.info.run_id, metrics=batch)
        points += len(batch)
    client.set_terminated(run.info.run_id)
    print(json.dumps({"points": points, "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    main()
