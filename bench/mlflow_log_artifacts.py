"""The upload benchmark's baseline (bench/mlflowUploads.ts): MLflow's own Python client uploads a folder
of files with log_artifacts into a new run of a new experiment, through the same server's artifact proxy.

mlflow_log_artifacts.py URI EXPERIMENT DIR ARTIFACT_PATH — prints {"files", "bytes", "seconds"} as JSON.
Run with the mlflow venv's python (scripts/install-mlflow-server.sh). Import time is not counted.
"""
import json
import os
import sys
import time

from mlflow.tracking import MlflowClient


def main():
    uri, experiment, folder, artifact_path = sys.argv[1:5]
    files = [os.path.join(d, f) for d, _, names in os.walk(folder) for f in names]
    size = sum(os.path.getsize(f) for f in files)
    client = MlflowClient(tracking_uri=uri)
    start = time.perf_counter()
    experiment_id = client.create_experiment(experiment)
    run = client.create_run(experiment_id, run_name="baseline")
    client.log_artifacts(run.info.run_id, folder, artifact_path)
    client.set_terminated(run.info.run_id)
    print(json.dumps({"files": len(files), "bytes": size, "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    main()
