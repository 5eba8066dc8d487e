"""Writes the golden log directories shared by the Python and TypeScript tests.

    python3 python/tests/make_golden.py [out_dir]      (default: test/fixtures/golden)

Each scenario is run with a fake clock, seeded ids, a fixed pid and host (see runrewind/_ids.py), so the
files are the same bytes on every machine. Beside each log directory, ``expected.json`` is computed by
the small replay below, which reads the files with ``json`` only and shares no code with the library.
Its schema is described in test/fixtures/golden/README.md.
"""

import glob
import json
import math
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.dirname(HERE)
REPO = os.path.dirname(PYTHON_DIR)
DEFAULT_OUT = os.path.join(REPO, "test", "fixtures", "golden")
sys.path.insert(0, PYTHON_DIR)

import runrewind  # noqa: E402
from runrewind._ids import ENV  # noqa: E402

SCENARIOS = []


def scenario(seed, start):
    def register(fn):
        SCENARIOS.append((fn.__name__, seed, start, fn))
        return fn
    return register


class Item(object):
    """A numpy/torch-like scalar: only ``.item()``."""

    def __init__(self, v):
        self.v = v

    def item(self):
        return self.v


def seed_script(d):
    """The seed document's rewind script (run1 300 steps, rewind at 200, the spike loop)."""
    run1 = runrewind.init(project="your_project_name", entity="your_entity_name", dir=d)
    for i in range(300):
        run1.log({"metric": i})
    run1.finish()
    run2 = runrewind.init(project="your_project_name", entity="your_entity_name", dir=d,
                          resume_from=f"{run1.id}?_step=200")
    for i in range(200, 300):
        if i < 250:
            run2.log({"metric": i, "step": i})
        else:
            subtle_spike = i + (2 * math.sin(i / 3.0))
            run2.log({"metric": subtle_spike, "step": i})
        run2.log({"additional_metric": i * 1.1, "step": i})
    run2.finish()
    return run1, run2


@scenario(seed=1, start=1732600000.0)
def seed_rewind(d):
    seed_script(d)


@scenario(seed=2, start=1732610000.0)
def fork(d):
    _, run2 = seed_script(d)
    forked = runrewind.init(project="your_project_name", dir=d, fork_from=f"{run2.id}?_step=250",
                            config={"lr": 0.01}, name="spike-fork")
    for i in range(250, 300):
        forked.log({"metric": i * 3})
    forked.finish()


@scenario(seed=3, start=1732620000.0)
def values(d):
    run = runrewind.init(project="values", id="values01", name="every-kind", dir=d,
                         config={"lr": 0.001, "layers": [64, 32], "opt": {"name": "adam", "beta": 0.9}},
                         tags=["golden"], notes="every value kind")
    run.log({"int": 1, "float": 0.5, "true": True, "false": False, "text": "warmup", "none": None})
    run.log({"nan": float("nan"), "inf": float("inf"), "ninf": float("-inf"), "int": 2})
    run.log({"nested": {"a": 1, "b": {"c": 2.5}}, "np": Item(0.25), "np_int": Item(7), "np_bool": Item(False)})
    run.log({"list": [[1, 2]], "image": object(), "float": 1e-300, "big": 9007199254740991})
    run.log({"part": 1}, commit=False)
    run.log({"more": 2})
    run.log({"at": 10}, step=10)
    run.log({"at2": 11}, step=10)
    run.log({"late": 1}, step=3)          # smaller than the current step: dropped
    run.log({"float": -2.5e-7, "text": "done", "int": float("nan")})
    run.config.update({"batch": 32})
    run.summary["best"] = 0.125
    run.summary.update({"note": "ok", "nanval": float("nan")})
    run.summary["gone"] = 1
    del run.summary["gone"]
    run.name = "every-kind-renamed"
    run.finish()


@scenario(seed=4, start=1732630000.0)
def crashed(d):
    run = runrewind.init(project="crash", id="crashed1", dir=d)
    for i in range(20):
        run.log({"loss": 1.0 / (i + 1)})
    t = ENV.clock()
    run._writer.write('{"type": "alive", "time": %r}\n' % t, t)
    run.log({"loss": 0.01}, commit=False)   # pending, never committed: the process "dies" here
    run._abandon()


@scenario(seed=5, start=1732640000.0)
def chain(d):
    """Rewind, rewind again, fork an archived version, resume a finished run, a failed run."""
    a = runrewind.init(project="chain", id="chain001", config={"lr": 1}, dir=d)
    for i in range(10):
        a.log({"x": i})
    a.finish()
    b = runrewind.init(dir=d, resume_from="chain001?_step=5", config={"lr": 2})
    for i in range(6, 12):
        b.log({"x": 100 + i})
    b.finish()
    c = runrewind.init(dir=d, resume_from="chain001?_step=8")
    c.finish()                                  # no rows: last step 8 through lineage
    f = runrewind.init(dir=d, id="chainfork", fork_from="%s?_step=7" % a.version_id, config={"lr": 5})
    f.log({"y": 1})
    f.finish()
    r = runrewind.init(dir=d, id="chain001", resume="must")
    r.log({"x": 9000})
    r.finish(exit_code=3)


class _FakeNvml(object):
    """One GPU with fixed readings that change per sample (the golden files cannot depend on a GPU)."""

    def __init__(self):
        self.n = 0

    def devices(self):
        return [{"name": "NVIDIA Golden GPU", "memory_total_mb": 24576.0}]

    def sample(self, data):
        self.n += 1
        data.update({"system/gpu.0.utilization_percent": 50.0 + self.n, "system/gpu.0.memory_used_mb": 1024.0 * self.n,
                     "system/gpu.0.memory_percent": round(100.0 * self.n / 24, 2),
                     "system/gpu.0.temperature_c": 60.0 + self.n, "system/gpu.0.power_w": 100.5 + self.n})

    def close(self):
        pass


def _fake_counters():
    """/proc-like counters 10 s apart: 25% of a core, 40% of the system, growing disk and network."""
    n = [0]

    def read():
        i = n[0]
        n[0] += 1
        return {"wall": 10.0 * i, "proc_cpu": 2.5 * i, "rss": (256 + 16 * i) * 1024 * 1024,
                "sys_cpu": (400 * i, 1000 * i), "mem": (16 * 1024 ** 3, (12 - i) * 1024 ** 3),
                "disk": (4096 * i * i, 8192 * i), "net": (1000 * i, 3000 * i)}
    return read


GOLDEN_METADATA = {
    "host": "golden-host", "os": "Linux-golden-x86_64", "python": "3.12.0", "python_implementation": "CPython",
    "executable": "/usr/bin/python3", "program": "train.py", "args": ["--lr", "0.1"],
    "command": "python3 train.py --lr 0.1", "cwd": "/home/golden/project", "cpu_count": 8,
    "memory_total_bytes": 17179869184, "gpu_count": 1, "gpu": "NVIDIA Golden GPU",
    "gpus": [{"name": "NVIDIA Golden GPU", "memory_total_mb": 24576.0}],
}


@scenario(seed=6, start=1732650000.0)
def console(d):
    """Console lines and system records through a rewind and a fork (see README.md)."""
    import io
    from runrewind import _system
    saved = (sys.stdout, sys.stderr, _system._test_counters, _system._test_metadata, _system.load_nvml)
    sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
    _system._test_metadata = lambda: dict(GOLDEN_METADATA)
    _system.load_nvml = _FakeNvml
    settings = {"x_disable_meta": False, "x_disable_stats": False, "console": "auto"}
    try:
        _system._test_counters = _fake_counters()
        a = runrewind.init(project="console", id="console1", dir=d, settings=settings)
        print("loading data")                                   # before the first step: step 0
        for i in range(6):
            if i == 3:
                sys.stdout.write("\rbatch 1/3")                  # a progress bar: its final state
                sys.stdout.write("\rbatch 2/3")
                sys.stdout.write("\rbatch 3/3\n")
            print("step %d loss %.2f" % (i, 1.0 / (i + 1)))
            a.log({"loss": 1.0 / (i + 1)})
            if i == 1:
                print("checkpoint saved", flush=True)           # a flush: a record of its own
            if i == 2:
                a._system_sample()
        sys.stderr.write("\x1b[33mwarning:\x1b[0m\tlr is high\n")  # after the last step: step 6
        print("na\u00efve \u2713 done")
        a._system_sample()
        a.finish()

        _system._test_counters = _fake_counters()
        b = runrewind.init(dir=d, resume_from="console1?_step=3", settings=settings)
        print("rewound at 3")                                   # before its first step: step 4
        for i in range(4, 8):
            print("step %d again" % i)
            b.log({"loss": 0.5 / (i + 1)})
        b._system_sample()
        b.finish()

        _system._test_counters = _fake_counters()
        f = runrewind.init(dir=d, id="consolefork", fork_from="console1?_step=5", settings=settings)
        print("forked")
        f.log({"loss": 0.01})
        sys.stderr.write("Traceback (most recent call last):\n  File \"train.py\", line 9, in <module>\n"
                         "RuntimeError: CUDA out of memory\n")
        f._system_sample()
        f.finish(exit_code=1)
    finally:
        sys.stdout, sys.stderr, _system._test_counters, _system._test_metadata, _system.load_nvml = saved


def generate(out_dir, names=None):
    """Runs every scenario into ``out_dir/<name>/`` (replacing it) and writes its expected.json."""
    saved = dict(os.environ)
    try:
        for name, seed, start, fn in SCENARIOS:
            if names and name not in names:
                continue
            d = os.path.join(out_dir, name)
            shutil.rmtree(os.path.join(d, "runs"), ignore_errors=True)
            shutil.rmtree(os.path.join(d, "ops"), ignore_errors=True)
            os.makedirs(d, exist_ok=True)
            os.environ.update({"RUNREWIND_TEST_CLOCK": "%r:0.25" % start, "RUNREWIND_TEST_SEED": str(seed),
                               "RUNREWIND_TEST_PID": "4242", "RUNREWIND_TEST_HOST": "golden-host",
                               "RUNREWIND_TEST_NO_THREAD": "1", "RUNREWIND_META": "off",
                               "RUNREWIND_STATS": "off"})
            for key in ("RUNREWIND_HEARTBEAT", "RUNREWIND_CONSOLE", "WANDB_CONSOLE"):
                os.environ.pop(key, None)
            ENV._signature = None
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fn(d)
            with open(os.path.join(d, "expected.json"), "w") as f:
                f.write(json.dumps(expected(d), indent=1) + "\n")
    finally:
        os.environ.clear()
        os.environ.update(saved)
        ENV._signature = None
        ENV.refresh()


# ------------------------------------------------------------------------------------------------
# The independent replay: the rewind and fork rules (docs/ARCHITECTURE.md, "Rewind and fork") and docs/PROTOCOL.md applied to the files.

def _files(d):
    paths = glob.glob(os.path.join(d, "runs", "*", "*.jsonl")) + glob.glob(os.path.join(d, "ops", "*.jsonl"))
    return sorted(paths, key=lambda p: (os.path.basename(p), p))


def _read(path):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    return [json.loads(line) for line in text.split("\n")[:-1] if line]


def _flat(data, prefix="", out=None):
    out = {} if out is None else out
    for k, v in data.items():
        if isinstance(v, dict):
            _flat(v, prefix + k + ".", out)
        else:
            out[prefix + k] = v
    return out


def _cell(v):
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if v != v else ("Infinity" if v > 0 else "-Infinity")
    return v


def expected(d):
    runs, versions, order = {}, {}, []
    extras = False
    for path in _files(d):
        recs = _read(path)
        writer_version = None
        for rec in recs:
            kind = rec["type"]
            if kind == "start":
                mode, rid, vid = rec["mode"], rec["run"], rec["version"]
                if mode in ("new", "fork"):
                    config = {}
                    if mode == "fork":
                        config.update(runs[versions[rec["source"]["version"]]["run"]]["config"])
                    config.update(rec.get("config") or {})
                    runs[rid] = {"id": rid, "project": rec.get("project", "uncategorized"),
                                 "name": rec.get("name", rid), "live": vid, "config": config,
                                 "forked_from": dict(rec["source"]) if mode == "fork" else None,
                                 "versions": []}
                    order.append(rid)
                else:
                    run = runs[rid]
                    run["config"].update(rec.get("config") or {})
                    for field in ("project", "name"):
                        if field in rec:
                            run[field] = rec[field]
                if mode == "resume":
                    v = versions[vid]
                else:
                    parent = rec["source"]["version"] if mode in ("rewind", "fork") else None
                    if mode == "rewind":
                        versions[runs[rid]["live"]]["archived"] = True
                        runs[rid]["live"] = vid
                    v = {"id": vid, "run": rid, "kind": mode, "parent": parent,
                         "branch_step": rec["source"]["step"] if parent else None,
                         "archived": False, "rows": [], "explicit": {}, "state": "crashed", "exit_code": None,
                         "console": [], "system": [], "metadata": None}
                    versions[vid] = v
                    runs[rid]["versions"].append(vid)
                v["state"], v["exit_code"] = "crashed", None   # until this writer finishes
                writer_version = v
            elif kind == "console":
                extras = True
                writer_version["console"] += [{"time": t, "stream": stream, "step": step, "text": text,
                                               "version": writer_version["id"]}
                                              for t, stream, step, text in rec["lines"]]
            elif kind == "system":
                extras = True
                writer_version["system"].append({"time": rec["time"], "data": rec["data"]})
            elif kind == "metadata":
                extras = True
                writer_version["metadata"] = rec["metadata"]
            elif kind == "row":
                writer_version["rows"].append((rec["step"], rec["time"], _flat(rec["data"])))
            elif kind == "config":
                runs[writer_version["run"]]["config"].update(rec["config"])
            elif kind == "summary":
                writer_version["explicit"].update(rec["summary"])
            elif kind == "finish":
                code = rec["exit_code"]
                writer_version["state"] = "finished" if code == 0 else "failed"
                writer_version["exit_code"] = code
            elif kind == "rename":
                runs[rec["run"]]["name"] = rec["name"]
            elif kind == "delete":
                runs[rec["run"]]["deleted"] = True

    def history(vid):
        v = versions[vid]
        rows = []
        if v["parent"] is not None:
            rows = [r for r in history(v["parent"]) if r[0] <= v["branch_step"]]
        return rows + sorted(v["rows"])

    def table(vid):
        out = []
        for step, t, data in history(vid):
            row = {"_step": step, "_timestamp": t}
            row.update((k, _cell(x)) for k, x in data.items() if x is not None)
            out.append(row)
        return out

    def summary(vid):
        s = {}
        for _, _, data in history(vid):
            for k, x in data.items():
                if x is not None:
                    s[k] = x
        for k, x in versions[vid]["explicit"].items():
            if x is None:
                s.pop(k, None)
            else:
                s[k] = x
        return dict((k, _cell(x)) for k, x in sorted(s.items()))

    def console(vid):
        """The version's console: its parent's lines printed at steps <= the branch step (inherited),
        then its own, in the order written."""
        v = versions[vid]
        lines = []
        if v["parent"] is not None:
            lines = [dict(line, inherited=True) for line in console(v["parent"])
                     if line["step"] <= v["branch_step"]]
        return lines + [dict(line, inherited=False) for line in v["console"]]

    def last_step(vid):
        h = history(vid)
        return h[-1][0] if h else None

    out = []
    for rid in sorted(order):
        run = runs[rid]
        live = run["live"]
        ids = [live] + [x for x in reversed(run["versions"]) if x != live]
        out.append({
            "id": rid,
            "project": run["project"],
            "name": run["name"],
            "state": versions[live]["state"],
            "live_version": live,
            "deleted": bool(run.get("deleted")),
            "config": run["config"],
            "summary": summary(live),
            "forked_from": run["forked_from"],
            "last_step": last_step(live),
            "history": table(live),
            "versions": [{
                "id": vid,
                "archived": versions[vid]["archived"],
                "kind": versions[vid]["kind"],
                "parent": versions[vid]["parent"],
                "branch_step": versions[vid]["branch_step"],
                "state": versions[vid]["state"],
                "exit_code": versions[vid]["exit_code"],
                "last_step": last_step(vid),
                "summary": summary(vid),
                "history": table(vid) if vid != live else None,
            } for vid in ids],
        })
    if extras:
        # Console, system and metadata records (protocol 1.1), only where a folder has them.
        for run in out:
            for entry in run["versions"]:
                v = versions[entry["id"]]
                entry["console"] = console(entry["id"])
                entry["system"] = v["system"]
                entry["metadata"] = v["metadata"]
    return {"protocol": 1, "runs": out}


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    generate(target)
    print("golden log directories written to %s" % target)
