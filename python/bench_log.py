"""Benchmark: time per ``run.log()`` of 4 scalars against a bare ``json.dumps`` + ``write`` loop.

    python3 python/bench_log.py [calls]        (default 1,000,000)

Prints the figures plainly; it asserts nothing (README, "Benchmarks": figures, never timed assertions). The baseline writes the same
dict with ``json.dumps`` to a buffered file; a second baseline also flushes every line, as the protocol
asks every writer to do.
"""

import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import runrewind  # noqa: E402


def bare(path, n, flush):
    dumps = json.dumps
    with open(path, "w") as f:
        write = f.write
        t0 = time.perf_counter()
        for i in range(n):
            write(dumps({"loss": 0.5, "acc": 0.9, "lr": 0.001, "epoch": i}) + "\n")
            if flush:
                f.flush()
        return time.perf_counter() - t0


def client(root, n, numpy=None):
    run = runrewind.init(project="bench", dir=root, reinit="create_new")
    log = run.log
    if numpy is None:
        t0 = time.perf_counter()
        for i in range(n):
            log({"loss": 0.5, "acc": 0.9, "lr": 0.001, "epoch": i})
    else:
        # What a training loop hands over: numpy scalars (a loss from .mean(), an int64 counter).
        f32, i64 = numpy.float32, numpy.int64
        loss, acc, lr = f32(0.5), f32(0.9), f32(0.001)
        t0 = time.perf_counter()
        for i in range(n):
            log({"loss": loss, "acc": acc, "lr": lr, "epoch": i64(i)})
    elapsed = time.perf_counter() - t0
    run.finish()
    return elapsed


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    tmp = tempfile.mkdtemp(prefix="runrewind-bench-")
    try:
        base = bare(os.path.join(tmp, "bare.jsonl"), n, False)
        base_flush = bare(os.path.join(tmp, "bare-flush.jsonl"), n, True)
        ours = client(os.path.join(tmp, "logs"), n)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    per = lambda s: s / n * 1e6  # noqa: E731
    print("runrewind log() benchmark: %d calls of 4 scalars (Python %s)" % (n, sys.version.split()[0]))
    print("  bare json.dumps + write           %8.3f us/call" % per(base))
    print("  bare json.dumps + write + flush   %8.3f us/call" % per(base_flush))
    print("  runrewind run.log()               %8.3f us/call" % per(ours))
    print("  ratio vs bare write               %8.2fx (target <= 2x)" % (ours / base))
    print("  ratio vs bare write + flush       %8.2fx" % (ours / base_flush))
    try:
        import numpy
    except ImportError:
        print("  numpy scalars: numpy is not installed here (run it with the peers venv: npm run bench peers)")
        return
    # Alternating rounds, the best of each: on a shared machine a single long run of either measures
    # the neighbours as much as the code.
    tmp = tempfile.mkdtemp(prefix="runrewind-bench-")
    rounds, plain, with_numpy = 7, float("inf"), float("inf")
    try:
        for r in range(rounds):
            plain = min(plain, client(os.path.join(tmp, "plain%d" % r), n // rounds) * rounds)
            with_numpy = min(with_numpy, client(os.path.join(tmp, "numpy%d" % r), n // rounds, numpy) * rounds)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("  run.log() of plain floats         %8.3f us/call (best of 7 rounds)" % per(plain))
    print("  run.log() of numpy scalars        %8.3f us/call (numpy %s)" % (per(with_numpy), numpy.__version__))
    print("  ratio numpy vs plain              %8.2fx (target <= 1.5x)" % (with_numpy / plain))


if __name__ == "__main__":
    main()
