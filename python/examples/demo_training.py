"""A simulated training session for the demo: a run that diverges, is rewound to just before the spike
with a lower learning rate, a fork that tries another schedule from step 300, a wider model for
comparison, and (with --live) a run that keeps training while you watch.

    RUNREWIND_DIR=demo/.runrewind PYTHONPATH=python python3 python/examples/demo_training.py
    RUNREWIND_DIR=demo/.runrewind PYTHONPATH=python python3 python/examples/demo_training.py --live
"""
import math
import random
import sys
import time

import runrewind

PROJECT = "mnist-demo"
STEPS = 600


FLOOR = 0.05


def level_at(step, lr, capacity=1.0):
    """The noise-free loss after `step` steps at a constant learning rate."""
    return FLOOR / capacity + (2.3 - FLOOR / capacity) * math.exp(-step * lr * 1.6 * capacity)


def train(run, start, end, lr, seed, level=None, diverge_at=None, capacity=1.0, delay=0.0):
    """Logs steps start..end-1 of a plausible training curve, continuing from the loss `level` reached
    at `start` (a rewind or fork carries on where its source was). Returns False if the loss blew up."""
    rng = random.Random(seed)
    floor = FLOOR / capacity
    level = level_at(start, lr, capacity) if level is None else level
    decay = math.exp(-lr * 1.6 * capacity)
    for step in range(start, end):
        level = floor + (level - floor) * decay
        loss = level + rng.gauss(0, 0.03) * level
        if diverge_at is not None and step >= diverge_at:
            loss = level * math.exp((step - diverge_at) / 6.0)
            if loss > 1e4:
                run.log({"train/loss": float("nan"), "train/acc": 0.1, "lr": lr}, step=step)
                return False
        acc = max(0.0, min(1.0, 1.0 - loss / 2.5 + rng.gauss(0, 0.004)))
        row = {
            "train/loss": loss,
            "train/acc": acc,
            "lr": lr * (0.5 * (1 + math.cos(math.pi * step / STEPS))),
            "throughput/samples_per_s": 2400 + rng.gauss(0, 60),
        }
        if step % 25 == 0:
            row["val/loss"] = loss * 1.08 + 0.02
            row["val/acc"] = acc * 0.985
        run.log(row, step=step)
        if delay:
            time.sleep(delay)
    return True


def main():
    if "--live" in sys.argv:
        run = runrewind.init(project=PROJECT, name="live-run", config={"lr": 2e-3, "width": 256})
        level = None
        while True:  # keeps training until the demo stops it
            start = run.step
            train(run, start, start + 50, 2e-3, seed=start, level=level, capacity=1.1, delay=0.2)
            level = level_at(start + 50, 2e-3, 1.1)

    baseline = runrewind.init(project=PROJECT, name="baseline", config={"lr": 3e-3, "width": 128, "optimizer": "adam"},
                              tags=["baseline"])
    ok = train(baseline, 0, STEPS, 3e-3, seed=1, diverge_at=420)
    baseline.finish(exit_code=0 if ok else 1)
    print("baseline %s diverged after step 420 (failed)" % baseline.id)

    # The loss spiked at 420: rewind to 400 and continue with a lower learning rate, same run id.
    rewound = runrewind.init(project=PROJECT, resume_from="%s?_step=400" % baseline.id, config={"lr": 1e-3})
    train(rewound, 401, STEPS, 1e-3, seed=2, level=level_at(401, 3e-3))
    rewound.finish()
    print("rewound %s to step 400 with lr=1e-3 (the diverged curve is archived under Forked From)" % rewound.id)

    # Try another schedule from step 300 without touching the baseline: a fork is a new run.
    fork = runrewind.init(project=PROJECT, name="lr-5e-4-from-300", fork_from="%s?_step=300" % baseline.id,
                          config={"lr": 5e-4})
    train(fork, 301, STEPS, 5e-4, seed=3, level=level_at(301, 3e-3))
    fork.finish()
    print("forked %s from %s at step 300" % (fork.id, baseline.id))

    wide = runrewind.init(project=PROJECT, name="wide-model", config={"lr": 2e-3, "width": 512, "optimizer": "adam"})
    train(wide, 0, STEPS, 2e-3, seed=4, capacity=1.3)
    wide.finish()
    print("logged %s (wider model) for comparison" % wide.id)


if __name__ == "__main__":
    main()
