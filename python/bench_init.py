"""The cost of ``runrewind.init()`` against the size of the log directory (issue 12).

    python3 python/bench_init.py [MB]        (default 1000: a 1 GB directory, made in a temp folder)

Prints, for a new run, a resume and a rewind of a small run, and a fork of it: the median time of
``init()`` in a small directory and in one that also holds MB megabytes of other runs' logs, and the
time a whole read of that directory takes (what every init paid before). Generated data never enters
the repository; the temp folder is removed at the end.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import runrewind  # noqa: E402
from runrewind import _logs  # noqa: E402

ROW = '{"type": "row", "time": %.6f, "step": %d, "data": {"loss": %.6f, "acc": %.6f, "lr": 0.001}}\n'


def fill(root, megabytes, runs=100):
    """Writes ``runs`` finished runs totalling about ``megabytes`` MB, as the client writes them."""
    per_run = megabytes * 1024 * 1024 // runs
    for r in range(runs):
        run_id = "big%05d" % r
        folder = os.path.join(root, "runs", run_id)
        os.makedirs(folder)
        with open(os.path.join(folder, "%013d-%08d.jsonl" % (1700000000000 + r, r)), "w") as f:
            f.write('{"type": "start", "protocol": 1, "time": 1.0, "run": "%s", "version": "vbig%09d", '
                    '"mode": "new", "project": "big", "config": {}, "pid": 1, "host": "h", "heartbeat": 10}\n'
                    % (run_id, r))
            written, step, chunk = 0, 0, []
            while written < per_run:
                line = ROW % (2.0 + step, step, 1.0 / (step + 1), step * 1e-6)
                chunk.append(line)
                written += len(line)
                step += 1
                if len(chunk) >= 10000:
                    f.write("".join(chunk))
                    chunk = []
            f.write("".join(chunk))
            f.write('{"type": "finish", "time": 9.0, "exit_code": 0}\n')


def timed(fn, repeat=9):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def scenario(root):
    """Median seconds of init() for a new run, a resume, a rewind and a fork of a 100-step run."""
    os.environ["RUNREWIND_TEST_NO_THREAD"] = "1"
    small = runrewind.init(dir=root, id="small", project="p", reinit="create_new")
    for i in range(100):
        small.log({"loss": i})
    small.finish()
    counter = [0]

    def new():
        counter[0] += 1
        runrewind.init(dir=root, id="new%d" % counter[0], project="p", reinit="create_new").finish()

    def resume():
        runrewind.init(dir=root, id="small", resume="must", reinit="create_new").finish()

    def rewind():
        runrewind.init(dir=root, resume_from="small?_step=50", reinit="create_new").finish()

    def fork():
        counter[0] += 1
        runrewind.init(dir=root, fork_from="small?_step=50", id="fork%d" % counter[0], reinit="create_new").finish()

    return [(name, timed(fn)) for name, fn in (("new run", new), ("resume", resume), ("rewind", rewind),
                                                 ("fork", fork))]


def main():
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    tmp = tempfile.mkdtemp(prefix="rr-bench-init-")
    try:
        small_root = os.path.join(tmp, "small")
        big_root = os.path.join(tmp, "big")
        t0 = time.perf_counter()
        fill(big_root, megabytes)
        made = time.perf_counter() - t0
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(big_root) for f in fs)
        print("a directory of %.0f MB of other runs' logs, made in %.1f s" % (size / 1e6, made))
        base = dict(scenario(small_root))
        big = scenario(big_root)
        t0 = time.perf_counter()
        _logs.read_state(big_root)
        whole = time.perf_counter() - t0
        print("%-10s %14s %18s %8s" % ("init()", "small dir", "with %.0f MB" % (size / 1e6), "ratio"))
        for name, seconds in big:
            print("%-10s %11.1f ms %15.1f ms %7.2fx" % (name, base[name] * 1e3, seconds * 1e3, seconds / base[name]))
        print("reading every file whole (what each init did before): %.0f ms" % (whole * 1e3))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
