"""Logs the runs the `mlflow` test stage syncs, with the real Python client (standard library only).

make_runs.py DIR PROJECT lineage   a plain run, a run rewound once (an archived version) and a fork of it,
                                  with nested config, a value over MLflow's param limit, keys MLflow
                                  refuses, NaN and infinities, strings, booleans and explicit summary values
make_runs.py DIR PROJECT big N     one run of 5 keys x N steps (the interrupted-sync test)
make_runs.py DIR PROJECT more RUN N   N more rows of RUN's live version (resume="must")
make_runs.py DIR PROJECT files MB  a run with console lines, system samples, images, a histogram, a table,
                                  saved files (run.save) and a logged artifact (one file of MB megabytes),
                                  rewound at step 2 and forked at step 3 (the uploads test)
"""
import math
import os
import random
import sys

import runrewind


def lineage(d, project):
    plain = runrewind.init(dir=d, project=project, id=f"{project}-plain", name="plain", config={"lr": 0.01, "epochs": 3}, tags=["plain"])
    for step in range(50):
        plain.log({"loss": 1.0 / (step + 1), "flag": step % 2 == 0, "phase": "warm" if step < 10 else "main"})
    plain.finish()

    base = runrewind.init(dir=d, project=project, id=f"{project}-base", name="baseline", notes="first try",
                          config={"lr": 0.001, "opt": {"name": "adam", "betas": [0.9, 0.99]}, "long": "x" * 6000 + "y" * 6000 + "z" * 7,
                                  "bad key(1)": True, "none": None},
                          tags=["baseline", "team a"])
    for step in range(300):
        value = float("nan") if step == 5 else float("inf") if step == 6 else float("-inf") if step == 7 else step * 0.5
        base.log({"loss": 1.0 / (step + 1), "acc": 1 - math.exp(-step / 50), "odd(key)": value, "val/loss": 2.0 / (step + 1)})
    base.summary["best_acc"] = 0.97
    base.summary["note"] = "kept"
    base.finish()

    rewound = runrewind.init(dir=d, project=project, resume_from=f"{project}-base?_step=200")
    for step in range(201, 260):
        rewound.log({"loss": 0.5 / step, "acc": 0.9})
    rewound.finish()

    fork = runrewind.init(dir=d, project=project, id=f"{project}-fork", fork_from=f"{project}-base?_step=250", config={"lr": 0.0005})
    for step in range(251, 280):
        fork.log({"loss": 0.001 * step})
    fork.finish(exit_code=1)


def big(d, project, n):
    run = runrewind.init(dir=d, project=project, id=f"{project}-big", name="big")
    for step in range(n):
        run.log({"a": step, "b": step * 2.0, "c": math.sin(step), "d": 1.0 / (step + 1), "e": -step})
    run.finish()


def more(d, project, run_id, n):
    run = runrewind.init(dir=d, project=project, id=run_id, resume="must")
    for _ in range(n):
        run.log({"loss": 0.25, "extra": 1.0})
    run.finish()


# The console captured and system metrics sampled when the test says so (the thread never fires in time).
SETTINGS = runrewind.Settings(console="wrap", x_disable_stats=False, x_stats_sampling_interval=3600.0)


def _image(seed):
    rng = random.Random(seed)
    return runrewind.Image([[[rng.randrange(256) for _ in range(3)] for _ in range(8)] for _ in range(6)], caption="img %d" % seed)


def files(d, project, mb):
    run = runrewind.init(dir=d, project=project, id=f"{project}-media", name="media", settings=SETTINGS)
    for step in range(5):
        print("epoch %d: loss %.3f ünï" % (step, 1.0 / (step + 1)))
        run._system_sample()
        run.log({"loss": 1.0 / (step + 1), "samples": [_image(step), _image(step + 100)], "weights": runrewind.Histogram([0.1 * step, 0.2, 0.3, 0.5])})
        if step == 1:
            with open(os.path.join(run.dir, "notes.txt"), "w") as f:
                f.write("saved at step 1\n")
            run.save(os.path.join(run.dir, "notes.txt"), policy="now")
        if step == 3:
            run.log({"preds": runrewind.Table(columns=["x", "y"], data=[[1, 2.5], [2, "b"]])})
            art = runrewind.Artifact("model-%s" % project, type="model")
            with art.new_file("weights.bin", mode="wb") as f:
                f.write(random.Random(7).randbytes(int(mb * 1024 * 1024)))
            with art.new_file("sub dir/config.json") as f:
                f.write('{"layers": 3}')
            run.log_artifact(art)
    run.finish()

    rewound = runrewind.init(dir=d, project=project, resume_from=f"{project}-media?_step=2", settings=SETTINGS)
    print("after the rewind")
    rewound.log({"loss": 0.1, "samples": [_image(500)]})
    rewound.finish()

    fork = runrewind.init(dir=d, project=project, id=f"{project}-mfork", fork_from=f"{project}-media?_step=3", settings=SETTINGS)
    print("in the fork")
    fork.log({"loss": 0.2, "samples": [_image(900)]})
    fork.finish()


if __name__ == "__main__":
    kind = sys.argv[3]
    if kind == "lineage":
        lineage(sys.argv[1], sys.argv[2])
    elif kind == "big":
        big(sys.argv[1], sys.argv[2], int(sys.argv[4]))
    elif kind == "files":
        files(sys.argv[1], sys.argv[2], float(sys.argv[4]))
    elif kind == "more":
        more(sys.argv[1], sys.argv[2], sys.argv[4], int(sys.argv[5]))
    else:
        sys.exit(f"unknown kind {kind}")
