"""Reads the artifacts of MLflow runs back with MLflow's own client, as JSON: for each run id, every file
under its artifact root (MlflowClient.list_artifacts, walked) with its listed size, and the SHA-256 and
size of the bytes MlflowClient.download_artifacts fetched, plus the text of files under 64 KiB.

The `mlflow` test stage (test/mlflow/uploads.test.ts) compares them with what was logged. Run with the mlflow
venv's python: read_artifacts.py URI RUN_ID… > out.json
"""
import hashlib
import json
import os
import sys
import tempfile

from mlflow.tracking import MlflowClient


def walk(client, run_id, path, out):
    for info in client.list_artifacts(run_id, path):
        if info.is_dir:
            walk(client, run_id, info.path, out)
        else:
            out.append(info)


def main():
    client = MlflowClient(tracking_uri=sys.argv[1])
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        for run_id in sys.argv[2:]:
            infos = []
            walk(client, run_id, None, infos)
            files = {}
            for info in infos:
                local = client.download_artifacts(run_id, info.path, os.path.join(tmp, run_id))
                with open(local, "rb") as f:
                    data = f.read()
                entry = {"listed_size": info.file_size, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                if len(data) < 65536:
                    entry["text"] = data.decode("utf-8", "replace")
                files[info.path] = entry
            result[run_id] = files
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
