"""Writes the runs the `mlflow` stage's pull test (test/mlflow/pull.test.ts) reads from a real MLflow server,
with MLflow's own Python client. Run with the mlflow venv's python (scripts/install-mlflow-server.sh):

write_runs.py URI EXPERIMENT setup            a plain run (params, tags, NaN and infinities, a step logged
                                             twice), a parent run with a nested run, a deleted run, and a
                                             run left RUNNING; prints their run ids as JSON
write_runs.py URI more RUN_ID FROM TO         logs loss and acc at steps FROM..TO-1 to RUN_ID (still running)
write_runs.py URI finish RUN_ID               ends RUN_ID as FINISHED
write_runs.py URI resume RUN_ID FROM TO       marks RUN_ID RUNNING again and logs loss at steps FROM..TO-1
                                             again with other values (as start_run(run_id=...) would)
"""
import json
import math
import sys
import time

from mlflow.entities import Metric
from mlflow.tracking import MlflowClient


def row(step, now):
    return [Metric("loss", 1.0 / (step + 1), now, step), Metric("acc", step / 1000.0, now, step)]


def setup(client, name):
    exp = client.create_experiment(name)
    now = int(time.time() * 1000)
    plain = client.create_run(exp, run_name="plain", tags={"team": "vision", "empty": ""})
    pid = plain.info.run_id
    for key, value in {"lr": "0.001", "optimizer": "adam", "layers": "4"}.items():
        client.log_param(pid, key, value)
    for start in range(0, 300, 100):
        metrics = []
        for step in range(start, start + 100):
            value = math.nan if step == 5 else math.inf if step == 6 else -math.inf if step == 7 else step * 0.5
            metrics += [Metric("loss", 1.0 / (step + 1), now + step, step), Metric("odd", value, now + step, step)]
            if step % 10 == 0:
                metrics.append(Metric("val/loss", 2.0 / (step + 1), now + step, step))
        client.log_batch(pid, metrics=metrics)
    # A second value at a step already logged: MLflow keeps both, its charts show the later one.
    client.log_metric(pid, "loss", 42.0, timestamp=now + 1000, step=3)
    client.set_terminated(pid, "FINISHED")

    parent = client.create_run(exp, run_name="sweep")
    client.log_param(parent.info.run_id, "trials", "1")
    trial = client.create_run(exp, run_name="trial-1", tags={"mlflow.parentRunId": parent.info.run_id})
    client.log_batch(trial.info.run_id, metrics=[Metric("val_loss", 0.5 - step * 0.01, now + step, step) for step in range(10)])
    client.set_terminated(trial.info.run_id, "FINISHED")
    client.set_terminated(parent.info.run_id, "FAILED")

    dropped = client.create_run(exp, run_name="dropped")
    client.log_metric(dropped.info.run_id, "loss", 1.0, step=0)
    client.set_terminated(dropped.info.run_id, "FINISHED")
    client.delete_run(dropped.info.run_id)

    live = client.create_run(exp, run_name="live")
    client.log_batch(live.info.run_id, metrics=[m for step in range(50) for m in row(step, now + step)])
    print(json.dumps({"experiment_id": exp, "plain": pid, "sweep": parent.info.run_id, "trial": trial.info.run_id,
                      "dropped": dropped.info.run_id, "live": live.info.run_id}))


def main():
    uri, verb = sys.argv[1], sys.argv[2]
    client = MlflowClient(tracking_uri=uri)
    if verb == "setup":
        setup(client, sys.argv[3])
    elif verb == "more":
        run_id, start, stop = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
        now = int(time.time() * 1000)
        client.log_batch(run_id, metrics=[m for step in range(start, stop) for m in row(step, now + step)])
    elif verb == "resume":
        run_id, start, stop = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
        client.update_run(run_id, status="RUNNING")
        now = int(time.time() * 1000)
        client.log_batch(run_id, metrics=[Metric("loss", -1.0 - step, now + step, step) for step in range(start, stop)])
    elif verb == "finish":
        client.set_terminated(sys.argv[3], "FINISHED")
    else:
        raise SystemExit("unknown verb %r" % verb)


if __name__ == "__main__":
    main()
