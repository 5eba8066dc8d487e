"""The cost of ``runrewind.init()`` in a log directory of 10,000 runs on a slow shared file system (issue 17).

    python3 python/bench_init_shared.py [RUNS] [DELAY_MS]      (defaults 10000 and 5)

Every file system call of the client (``os.open``, ``os.stat``, ``os.listdir``, ``os.mkdir``, reads,
writes, ``open()``...: python/tests/fscount.py, the calls an LD_PRELOAD shim would see) is counted and made
DELAY_MS slower, a network file system's round trip. Prints calls and wall time of ``init()`` of a new run,
a resume, a rewind and a fork of a 100-step run, with the client of this tree, and as a baseline the same
calls of the client before claims (commit BEFORE, taken from git into a temp folder and run in a process
of its own; its calls are counted without the delay, which would take minutes, and the delay added as
calls x DELAY_MS). Generated data stays in a temp folder, removed at the end.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

BEFORE = "eaccb585286a9f59821f0b2aaa451f496e18e36b"  # the last commit whose init read every start record
PROJECTS = 10
OPS_PER_RUNS = 200  # one ops file (a rename made in the UI) per 200 runs

START = ('{"type": "start", "protocol": 1, "time": %d.0, "run": "%s", "version": "%s", "mode": "%s", %s'
         '"project": "proj%d", "name": "%s", "config": {"lr": 0.1}, "pid": 1, "host": "h", "heartbeat": 10}\n')
ROW = '{"type": "row", "time": %d.5, "step": %d, "data": {"loss": %.4f}}\n'
FINISH = '{"type": "finish", "time": %d.9, "exit_code": 0}\n'


def fill(root, runs):
    """``runs`` finished runs of 5 steps in PROJECTS projects (one in ten resumed once, in a second
    file), and a rename op per OPS_PER_RUNS runs: as the client and the extension write them."""
    t = 1700000000
    for r in range(runs):
        run_id = "r%05d" % r
        folder = os.path.join(root, "runs", run_id)
        os.makedirs(folder)
        version = "v%012d" % r
        with open(os.path.join(folder, "%013d-%08d.jsonl" % (t * 1000 + r, r)), "w") as f:
            f.write(START % (t, run_id, version, "new", "", r % PROJECTS, "run-%d" % r))
            f.write("".join(ROW % (t, s, 1.0 / (s + 1)) for s in range(5)))
            f.write(FINISH % t)
        if r % 10 == 0:
            with open(os.path.join(folder, "%013d-%08d.jsonl" % (t * 1000 + runs + r, r)), "w") as f:
                f.write(START % (t, run_id, version, "resume", "", r % PROJECTS, "run-%d" % r))
                f.write("".join(ROW % (t, s, 1.0 / (s + 1)) for s in range(5, 8)))
                f.write(FINISH % t)
    os.makedirs(os.path.join(root, "ops"))
    for i in range(runs // OPS_PER_RUNS):
        with open(os.path.join(root, "ops", "%013d-o%07d.jsonl" % (t * 1000 + 2 * runs + i, i)), "w") as f:
            f.write('{"type": "rename", "time": %d.0, "run": "r%05d", "name": "renamed %d"}\n' % (t, i * 7, i))


# Run in this process (after) and in a process of its own with the old client (before): prints JSON.
SCENARIO = r"""
import json, os, statistics, sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(1, sys.argv[2])
import runrewind
from tests.fscount import counting
root, delay, repeat = sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
os.environ.update(RUNREWIND_TEST_NO_THREAD="1", RUNREWIND_CONSOLE="off", RUNREWIND_STATS="off", RUNREWIND_META="off")
n = [0]
def new():
    return runrewind.init(dir=root, project="proj3", reinit="create_new")
def resume():
    return runrewind.init(dir=root, id="small", resume="must", reinit="create_new")
def rewind():
    return runrewind.init(dir=root, resume_from="small?_step=50", reinit="create_new")
def fork():
    return runrewind.init(dir=root, fork_from="small?_step=50", reinit="create_new")
out = {}
for what, fn in (("new run", new), ("resume", resume), ("rewind", rewind), ("fork", fork)):
    calls, times = [], []
    for _ in range(repeat):
        with counting(delay) as c:
            t0 = time.perf_counter()
            run = fn()
            times.append(time.perf_counter() - t0)
        calls.append(c.total)
        run.finish()
    out[what] = {"calls": int(statistics.median(calls)), "ms": statistics.median(times) * 1e3}
print(json.dumps(out))
"""


def small_run(root):
    """The run resumed, rewound and forked: 100 steps, made by this tree's client."""
    import runrewind
    os.environ.update(RUNREWIND_TEST_NO_THREAD="1", RUNREWIND_CONSOLE="off", RUNREWIND_STATS="off",
                      RUNREWIND_META="off")
    run = runrewind.init(dir=root, id="small", project="proj3")
    for i in range(100):
        run.log({"loss": 1.0 / (i + 1)})
    run.finish()


def scenario(client_dir, root, delay, repeat):
    proc = subprocess.run([sys.executable, "-c", SCENARIO, client_dir, HERE, root, str(delay), str(repeat)],
                          stdout=subprocess.PIPE, check=True)
    return json.loads(proc.stdout.decode("utf-8").strip().splitlines()[-1])


def old_client(tmp):
    """This repository's client at BEFORE, in a folder of its own; None without git or that commit."""
    target = os.path.join(tmp, "before")
    os.makedirs(target)
    try:
        archive = subprocess.run(["git", "archive", BEFORE, "runrewind"], cwd=HERE, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, check=True).stdout
        subprocess.run(["tar", "-x", "-C", target], input=archive, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return target


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    delay_ms = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
    tmp = tempfile.mkdtemp(prefix="rr-bench-init-shared-")
    try:
        root = os.path.join(tmp, "logs")
        t0 = time.perf_counter()
        fill(root, runs)
        small_run(root)  # also the directory's first init: it counts the runs once and makes names/
        print("%d runs (%d ops files) made in %.1f s; %g ms added to every file system call; load %.1f"
              % (runs, runs // OPS_PER_RUNS, time.perf_counter() - t0, delay_ms, os.getloadavg()[0]))
        from tests.fscount import counting
        import runrewind
        shutil.rmtree(os.path.join(root, "names"))
        with counting() as c:
            t0 = time.perf_counter()
            runrewind.init(dir=root, project="proj3", reinit="create_new").finish()
            seed_ms = (time.perf_counter() - t0) * 1e3
        after = scenario(HERE, root, delay_ms / 1e3, 5)
        before_client = old_client(tmp)
        before = scenario(before_client, root, 0.0, 1) if before_client else None
        print("%-9s %7s %12s %22s %7s" % ("init()", "calls", "ms", "before: calls, ms", "ratio"))
        for what, a in after.items():
            if before is not None:
                b = before[what]
                b_ms = b["ms"] + b["calls"] * delay_ms
                print("%-9s %7d %12.1f %9d %12.0f %6.0fx" % (what, a["calls"], a["ms"], b["calls"], b_ms, b_ms / a["ms"]))
            else:
                print("%-9s %7d %12.1f %22s" % (what, a["calls"], a["ms"], "(no git: not measured)"))
        print("the first init in a directory without names/ (it counts every run's start record once): "
              "%d calls, %.0f ms here, %.0f s with the delay" % (c.total, seed_ms, (seed_ms + c.total * delay_ms) / 1e3))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
