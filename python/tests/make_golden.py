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
            os.environ.pop("RUNREWIND_HEARTBEAT", None)
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
# The independent replay: DESIGN.md section 3 and docs/PROTOCOL.md applied to the files.

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
                         "archived": False, "rows": [], "explicit": {}, "state": "crashed", "exit_code": None}
                    versions[vid] = v
                    runs[rid]["versions"].append(vid)
                v["state"], v["exit_code"] = "crashed", None   # until this writer finishes
                writer_version = v
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
    return {"protocol": 1, "runs": out}


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    generate(target)
    print("golden log directories written to %s" % target)
