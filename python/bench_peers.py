"""Benchmark: the cost of one log() of 4 and of 100 scalars in Run Rewind, the real wandb (offline),
TensorBoard's SummaryWriter.add_scalar (one call per scalar) and mlflow.log_metrics (local file store),
measured in the same process, printed as ratios to Run Rewind's.

    <peers venv>/bin/python python/bench_peers.py [calls]     (default 2,000; `npm run bench` runs it)

The peers' venv comes from scripts/install-python-peers.sh. Nothing here reaches the network. Each
figure is the median of 3 rounds; asserts nothing (README, "Benchmarks": figures, never timed assertions).
"""

import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.update({"WANDB_MODE": "offline", "WANDB_SILENT": "true", "WANDB_CONSOLE": "off",
                   "WANDB_DISABLE_GIT": "true", "MLFLOW_ALLOW_FILE_STORE": "true"})

import runrewind  # noqa: E402


def payload(width, i):
    return dict(("metric_%03d" % k, (i * 0.001 + k) % 7.0) for k in range(width))


def timed_logs(run, width, n):
    """Seconds that ``n`` calls of ``run.log`` with ``width`` scalars take (payloads made beforehand)."""
    data = [payload(width, i) for i in range(n)]
    t0 = time.perf_counter()
    for d in data:
        run.log(d)
    elapsed = time.perf_counter() - t0
    run.finish()
    return elapsed


def bench_runrewind(tmp, width, n):
    return timed_logs(runrewind.init(project="bench", dir=os.path.join(tmp, "rr"), reinit="create_new"), width, n)


def bench_wandb(tmp, width, n):
    import wandb
    run = wandb.init(project="bench", dir=tmp, settings=wandb.Settings(x_disable_stats=True, console="off"),
                     reinit="create_new")
    return timed_logs(run, width, n)


def bench_tensorboard(tmp, width, n):
    from torch.utils.tensorboard import SummaryWriter
    w = SummaryWriter(os.path.join(tmp, "tb-%d" % width))
    data = [payload(width, i) for i in range(n)]
    t0 = time.perf_counter()
    for i, d in enumerate(data):
        for k, v in d.items():
            w.add_scalar(k, v, i)
    elapsed = time.perf_counter() - t0
    w.close()
    return elapsed


def bench_mlflow(tmp, width, n):
    import mlflow
    mlflow.set_tracking_uri("file://" + os.path.join(tmp, "mlruns"))
    data = [payload(width, i) for i in range(n)]
    with mlflow.start_run():
        t0 = time.perf_counter()
        for i, d in enumerate(data):
            mlflow.log_metrics(d, step=i)
        elapsed = time.perf_counter() - t0
    return elapsed


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    tools = [("runrewind run.log()", bench_runrewind), ("wandb run.log() (offline)", bench_wandb),
             ("tensorboard add_scalar per key", bench_tensorboard), ("mlflow.log_metrics (file store)", bench_mlflow)]
    tmp = tempfile.mkdtemp(prefix="runrewind-bench-peers-")
    try:
        print("log() cost against the real peers: %d calls per round, median of 3 rounds (Python %s)"
              % (n, sys.version.split()[0]))
        for width in (4, 100):
            results = {}
            for name, fn in tools:
                # mlflow's file store writes one file per metric per call: fewer calls keep it bearable.
                calls = n if "mlflow" not in name else max(50, n // 10)
                rounds = [fn(tmp, width, calls) / calls for _ in range(3)]
                results[name] = statistics.median(rounds)
            ours = results["runrewind run.log()"]
            print("  %d scalars per call:" % width)
            for name, _ in tools:
                print("    %-34s %10.1f us/call   %7.1fx Run Rewind's" % (name, results[name] * 1e6, results[name] / ours))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
