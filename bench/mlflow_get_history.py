"""The pull benchmark's baseline (bench/mlflowSync.ts): MLflow's own Python client reads every point of every
run of an experiment back with get_metric_history, one call per key, as a script reading a run would.

mlflow_get_history.py URI EXPERIMENT — prints {"points", "seconds"} as JSON. Run with the mlflow venv's
python (scripts/install-mlflow-server.sh). Import time is not counted.
"""
import json
import sys
import time

from mlflow.tracking import MlflowClient


def main():
    uri, experiment = sys.argv[1], sys.argv[2]
    client = MlflowClient(tracking_uri=uri)
    start = time.perf_counter()
    exp = client.get_experiment_by_name(experiment)
    points = 0
    for run in client.search_runs([exp.experiment_id]):
        for key in run.data.metrics:
            points += len(client.get_metric_history(run.info.run_id, key))
    print(json.dumps({"points": points, "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    main()
