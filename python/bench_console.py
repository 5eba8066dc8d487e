"""Benchmark: the console capture's cost per printed line, and the system sampler's own CPU cost.

    python3 python/bench_console.py [lines]        (default 100,000)

Each figure comes from a child process printing ``lines`` lines in a tight ``print`` loop to the same
output — a pseudo-terminal drained by this process (as a terminal), a pipe, and /dev/null — once with
the console off (the bare print) and once per capture mode. It also prints a child's lines written by a
subprocess straight to fd 1, checks that every line reached the log, and times the system sampler.
Prints the figures plainly; it asserts nothing (README, "Benchmarks": figures, never timed assertions).
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

CHILD = r"""
import os, sys, time
import runrewind
n = int(sys.argv[1])
run = runrewind.init(project="bench")
t0 = time.perf_counter()
for i in range(n):
    print("step", i, "loss", 0.5)
    if i % 100 == 99:
        run.log({"loss": 0.5})
sys.stdout.flush()
elapsed = time.perf_counter() - t0
with open(os.environ["BENCH_RESULT"], "w") as f:
    f.write(repr(elapsed))
run.finish()
"""

SUBPROCESS_CHILD = r"""
import os, subprocess, sys, time
import runrewind
n = int(sys.argv[1])
run = runrewind.init(project="bench")
t0 = time.perf_counter()
subprocess.run([sys.executable, "-c", "import sys\nfor i in range(%d): sys.stdout.write('sub %%d\\n' %% i)" % n])
elapsed = time.perf_counter() - t0
with open(os.environ["BENCH_RESULT"], "w") as f:
    f.write(repr(elapsed))
run.finish()
"""


def _drain(fd, sink):
    while True:
        try:
            data = os.read(fd, 1 << 16)
        except OSError:
            break
        if not data:
            break
        sink[0] += len(data)


def child(code, n, target, console, tmp):
    """Runs one child; returns (seconds in its loop, console lines in its log)."""
    root = tempfile.mkdtemp(dir=tmp)
    result = os.path.join(root, "result")
    env = dict(os.environ, PYTHONPATH=HERE, RUNREWIND_DIR=os.path.join(root, "logs"), RUNREWIND_CONSOLE=console,
               RUNREWIND_STATS="off", BENCH_RESULT=result)
    env.pop("PYTHONUNBUFFERED", None)
    reader = None
    if target == "pty":
        master, slave = os.openpty()
        out, closers = slave, [slave]
    elif target == "pipe":
        master, slave = os.pipe()
        out, closers = slave, [slave]
    else:
        master = None
        out = os.open(os.devnull, os.O_WRONLY)
        closers = [out]
    received = [0]
    if master is not None:
        reader = threading.Thread(target=_drain, args=(master, received))
        reader.start()
    proc = subprocess.Popen([sys.executable, "-c", code, str(n)], stdout=out, stderr=out, env=env)
    for fd in closers:
        os.close(fd)
    proc.wait()
    if reader is not None:
        reader.join()
        os.close(master)
    with open(result) as f:
        elapsed = float(f.read())
    lines = 0
    for path in glob.glob(os.path.join(root, "logs", "runs", "*", "*.jsonl")):
        with open(path) as f:
            for line in f:
                rec = json.loads(line)
                if rec["type"] == "console":
                    lines += len(rec["lines"])
    return elapsed, lines


def sampler_cost(samples=300):
    from runrewind import _system
    sampler = _system.Sampler(nvml=_system.Nvml.load())
    keys = sampler.sample()
    t0 = time.thread_time()
    for _ in range(samples):
        sampler.sample()
    per = (time.thread_time() - t0) / samples
    sampler.close()
    return per, sorted(keys)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    tmp = tempfile.mkdtemp(prefix="runrewind-bench-console-")
    try:
        print("console capture: %d lines of print(\"step\", i, \"loss\", 0.5), run.log every 100 lines" % n)
        print("%-10s %-9s %12s %10s %8s %s" % ("output", "console", "ns/line", "extra ns", "ratio", "lines recorded"))
        for target in ("pty", "pipe", "devnull"):
            base = None
            for console in ("off", "wrap", "auto"):
                best = None
                for _ in range(3):
                    elapsed, lines = child(CHILD, n, target, console, tmp)
                    best = elapsed if best is None else min(best, elapsed)
                per = best / n * 1e9
                if base is None:
                    base = per
                print("%-10s %-9s %12.0f %10.0f %8.2f %s" % (target, console, per, per - base, per / base,
                                                            "-" if console == "off" else "%d/%d" % (lines, n)))
        print()
        print("a subprocess writing %d lines to fd 1 (captured by the fd reader in 'auto')" % n)
        for target in ("pty", "pipe"):
            base = None
            for console in ("off", "auto"):
                elapsed, lines = child(SUBPROCESS_CHILD, n, target, console, tmp)
                base = base or elapsed
                print("%-10s %-9s %10.3f s %8.2f %s" % (target, console, elapsed, elapsed / base,
                                                         "-" if console == "off" else "%d/%d lines" % (lines, n)))
        print()
        per, keys = sampler_cost()
        print("system sampler: %.0f us CPU per sample (%d keys); %.4f%% of one core at the default 10 s "
              "interval, %.3f%% at 1 s" % (per * 1e6, len(keys), per / 10.0 * 100, per / 1.0 * 100))
        print("keys: %s" % ", ".join(keys))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
