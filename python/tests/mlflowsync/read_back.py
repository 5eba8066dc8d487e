"""Reads everything an MLflow tracking server holds back with MLflow's own client (MlflowClient), as JSON.

The `mlflow` test stage (test/mlflow/) compares it value by value with the runs Run Rewind synced. Run with
the mlflow venv's python (scripts/install-mlflow-server.sh): read_back.py URI [EXPERIMENT…] > out.json (only
the experiments named, when any are). Non-finite metric
values are written as the strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers).
"""
import json
import math
import sys

from mlflow.entities import ViewType
from mlflow.tracking import MlflowClient


def number(value):
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def main():
    client = MlflowClient(tracking_uri=sys.argv[1])
    out = {"experiments": []}
    names = set(sys.argv[2:])
    for exp in client.search_experiments(view_type=ViewType.ALL):
        if names and exp.name not in names:
            continue
        runs = []
        for run in client.search_runs([exp.experiment_id], run_view_type=ViewType.ALL, max_results=50000):
            metrics = {}
            for key in sorted(run.data.metrics):
                history = client.get_metric_history(run.info.run_id, key)
                metrics[key] = [[m.step, m.timestamp, number(m.value)] for m in sorted(history, key=lambda m: (m.step, m.timestamp))]
            runs.append({
                "run_id": run.info.run_id,
                "run_name": run.info.run_name,
                "status": run.info.status,
                "start_time": run.info.start_time,
                "end_time": run.info.end_time,
                "lifecycle_stage": run.info.lifecycle_stage,
                "params": run.data.params,
                "tags": run.data.tags,
                "metrics": metrics,
            })
        out["experiments"].append({"experiment_id": exp.experiment_id, "name": exp.name, "lifecycle_stage": exp.lifecycle_stage, "runs": runs})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
