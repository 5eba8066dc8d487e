"""Shared helpers of the `peers` stage: run a script under the real wandb (offline) or under Run Rewind
through the `wandb` package switch, and read back what each recorded in one comparable shape."""

import glob
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
PYTHON_DIR = os.path.join(REPO, "python")
SHIM_DIR = os.path.join(PYTHON_DIR, "wandb-shim")
CLI = os.path.join(REPO, "bin", "runrewind.js")
# Keys whose values are wall-clock measurements, different in every run.
TIMING = ("_runtime", "_timestamp", "runtime", "per_second", "train_runtime", "total_flos")


def base_env(workdir):
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("WANDB_") or k.startswith("RUNREWIND_"):
            del env[k]
    env.update({"WANDB_MODE": "offline", "WANDB_SILENT": "true", "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1", "WANDB_DISABLE_GIT": "true", "WANDB_CONSOLE": "off",
                "TOKENIZERS_PARALLELISM": "false", "PYTHONHASHSEED": "0", "HOME": env.get("HOME", workdir),
                "WANDB_CONFIG_DIR": os.path.join(workdir, ".wandb-config"),
                "WANDB_CACHE_DIR": os.path.join(workdir, ".wandb-cache"),
                "WANDB_DATA_DIR": os.path.join(workdir, ".wandb-data")})
    env.pop("PYTHONPATH", None)
    return env


def run_script(impl, workdir, argv, timeout=300, extra_env=None):
    """Runs ``python argv...`` in ``workdir`` with ``import wandb`` resolving to the real wandb
    (impl "wandb") or to Run Rewind (impl "runrewind", logs in workdir/logs). Returns the process."""
    os.makedirs(workdir, exist_ok=True)
    env = base_env(workdir)
    if impl == "runrewind":
        env["PYTHONPATH"] = os.pathsep.join([SHIM_DIR, PYTHON_DIR])
        env["RUNREWIND_DIR"] = os.path.join(workdir, "logs")
        env["RUNREWIND_HEARTBEAT"] = "10"
    else:
        env["WANDB_DIR"] = workdir
    if extra_env:
        env.update(extra_env)
    return subprocess.run([sys.executable] + list(argv), cwd=workdir, env=env, capture_output=True, text=True,
                          timeout=timeout)


# --- the real wandb's offline run files ---------------------------------------------------------------

def _records(path):
    """The records of a .wandb file (a LevelDB-style log: 7-byte header, 32 KiB blocks, chunked records)."""
    with open(path, "rb") as f:
        data = f.read()
    ident = struct.unpack("<4s", data[:4])[0]
    if ident != b":W&B":
        raise ValueError("%s is not a wandb transaction log" % path)
    pos, buf = 7, b""
    while pos + 7 <= len(data):
        left = 32768 - pos % 32768
        if left < 7:
            pos += left
            continue
        _crc, n, kind = struct.unpack("<IHB", data[pos:pos + 7])
        if kind == 0 and n == 0:
            pos += left
            continue
        chunk = data[pos + 7:pos + 7 + n]
        pos += 7 + n
        if kind == 1:
            yield chunk
        elif kind == 2:
            buf = chunk
        elif kind == 3:
            buf += chunk
        elif kind == 4:
            yield buf + chunk
            buf = b""


def _set_nested(d, keys, value):
    for k in keys[:-1]:
        d = d.setdefault(k, {})
        if not isinstance(d, dict):
            return
    d[keys[-1]] = value


def _started(path):
    """When a run file's writer started: its run record's start time, then the file's last write. Folder
    names only have the second (`offline-run-20261130_031500-<id>`), so two runs of one second sorted by
    name came in the order of their random ids, and a resumed run could be read before its first writer."""
    from wandb.proto import wandb_internal_pb2 as pb
    start = 0.0
    for data in _records(path):
        r = pb.Record()
        r.ParseFromString(data)
        if r.WhichOneof("record_type") == "run":
            start = r.run.start_time.seconds + r.run.start_time.nanos / 1e9
            break
    return (start, os.stat(path).st_mtime_ns, path)


def read_wandb(workdir):
    """Every run the real wandb wrote under workdir/wandb, in the order they started: a list of
    {id, project, name, tags, notes, config, history, summary, exit_code}. A resumed run's files add up."""
    from wandb.proto import wandb_internal_pb2 as pb
    runs = {}
    order = []
    files = sorted(glob.glob(os.path.join(workdir, "wandb", "offline-run-*", "run-*.wandb")), key=_started)
    for path in files:
        for data in _records(path):
            r = pb.Record()
            r.ParseFromString(data)
            kind = r.WhichOneof("record_type")
            if kind == "run":
                run_id = r.run.run_id
                if run_id not in runs:
                    runs[run_id] = {"id": run_id, "config": {}, "history": [], "summary": {}, "exit_code": None}
                    order.append(run_id)
                cur = runs[run_id]
                cur.update(project=r.run.project, name=r.run.display_name, tags=list(r.run.tags), notes=r.run.notes,
                           group=r.run.run_group, job_type=r.run.job_type)
                for item in r.run.config.update:
                    cur["config"][item.key] = json.loads(item.value_json)
            elif kind == "config":
                for item in r.config.update:
                    cur["config"][item.key] = json.loads(item.value_json)
                for item in r.config.remove:
                    cur["config"].pop(item.key, None)
            elif kind == "history":
                row = {}
                for item in r.history.item:
                    key = item.key or ".".join(item.nested_key)
                    row[key] = json.loads(item.value_json)
                cur["history"].append(row)
            elif kind == "summary":
                for item in r.summary.update:
                    keys = list(item.nested_key) or [item.key]
                    _set_nested(cur["summary"], keys, json.loads(item.value_json))
                for item in r.summary.remove:
                    keys = list(item.nested_key) or [item.key]
                    d = cur["summary"]
                    for k in keys[:-1]:
                        d = d.get(k, {})
                    if isinstance(d, dict):
                        d.pop(keys[-1], None)
            elif kind == "exit":
                cur["exit_code"] = r.exit.exit_code
    return [runs[i] for i in order]


# --- Run Rewind, read back through its command line -------------------------------------------------

def cli(logdir, *args):
    out = subprocess.run(["node", CLI] + list(args) + ["--dir", logdir, "--no-cache"], capture_output=True,
                         text=True, timeout=120)
    if out.returncode != 0:
        raise AssertionError("runrewind %s failed: %s%s" % (" ".join(args), out.stdout, out.stderr))
    return out.stdout


def cli_sources(logdir, sources, *args, cache=False):
    """The command line over other tools' logs: ``--source`` each of ``sources`` beside ``--dir logdir``."""
    argv = ["node", CLI] + list(args) + ["--dir", logdir]
    for s in sources:
        argv += ["--source", s]
    if not cache:
        argv.append("--no-cache")
    out = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise AssertionError("runrewind %s failed: %s%s" % (" ".join(args), out.stdout, out.stderr))
    return out.stdout


def json_number(v):
    """A number of our JSON output: NaN and the infinities come as strings."""
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(v, v) if isinstance(v, str) else v


class ImportTest(unittest.TestCase):
    """A test of one importer: a temporary folder with our log directory (`logs`) and the other tool's
    folder (`root`, named SOURCE), read back through the command line with `--source root`."""

    maxDiff = None
    SOURCE = "runs"

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="runrewind-import-")
        self.logs = os.path.join(self.tmp, "logs")
        os.makedirs(self.logs)
        self.root = os.path.join(self.tmp, self.SOURCE)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def runs(self, cache=False):
        """Imported runs by the folder they are read from."""
        listed = json.loads(cli_sources(self.logs, [self.root], "list", "--json", cache=cache))
        return {r["origin"]["path"]: r for r in listed}

    def rows(self, run, version=None, cache=False):
        """The history of a run (or one of its versions) as our JSON rows."""
        args = ["history", run, "--json"] + (["--version", version] if version else [])
        return json.loads(cli_sources(self.logs, [self.root], *args, cache=cache))

    def values_by_step(self, run, version=None, cache=False):
        """{step: {key: value}} of a run's history, NaN and infinities as floats."""
        return {r["_step"]: {k: json_number(v) for k, v in r.items() if not k.startswith("_")}
                for r in self.rows(run, version, cache)}


def read_runrewind(logdir):
    """Every run in a Run Rewind log directory, oldest first, in read_wandb's shape."""
    if not os.path.isdir(logdir):
        return []
    listed = json.loads(cli(logdir, "list", "--json"))
    runs = []
    for info in sorted(listed, key=lambda r: r["created_at"]):
        shown = json.loads(cli(logdir, "show", info["id"], "--json"))
        history = json.loads(cli(logdir, "history", info["id"], "--json"))
        live = [v for v in shown["versions"] if v["live"]][0]
        runs.append({"id": info["id"], "project": shown["project"], "name": shown["name"], "tags": shown["tags"],
                     "notes": shown["notes"], "config": shown["config"], "history": history,
                     "summary": shown["summary"], "exit_code": live["exit_code"], "state": shown["state"]})
    return runs


# --- one comparable shape ---------------------------------------------------------------------------

_NONFINITE = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}


def flatten(d, prefix="", out=None):
    out = {} if out is None else out
    for k, v in d.items():
        key = prefix + str(k)
        if isinstance(v, dict):
            flatten(v, key + ".", out)
        else:
            out[key] = v
    return out


def _timing(key):
    return any(t in key for t in TIMING)


def normal_value(v):
    if isinstance(v, str) and v in _NONFINITE:
        return _NONFINITE[v]
    if isinstance(v, float) and v.is_integer() and abs(v) < 2 ** 53:
        return int(v)
    if isinstance(v, list):
        return [normal_value(x) for x in v]
    return v


def normal_rows(history):
    """{step: {key: value}} without timing keys."""
    out = {}
    for row in history:
        step = int(row["_step"])
        out[step] = dict((k, normal_value(v)) for k, v in flatten(row).items()
                         if not k.startswith("_") and not _timing(k))
    return out


def normal_summary(summary):
    return dict((k, normal_value(v)) for k, v in flatten(summary).items()
                if not k.startswith("_") and not _timing(k))


def normal_config(config):
    return dict((k, v) for k, v in config.items() if k != "_wandb")


def same(a, b):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
            and not isinstance(b, bool):
        return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) == type(b) and a == b


def differences(real, ours):
    """Every difference between two runs as (where, real value, our value) tuples; where is
    "history[step].key", "summary.key", "config.key", "exit_code", "project", "name", "tags"."""
    diffs = []
    for field in ("project", "name", "tags", "exit_code"):
        if not same(real.get(field), ours.get(field)):
            diffs.append((field, real.get(field), ours.get(field)))
    ra, oa = normal_rows(real["history"]), normal_rows(ours["history"])
    for step in sorted(set(ra) | set(oa)):
        r, o = ra.get(step), oa.get(step)
        if r is None or o is None:
            diffs.append(("history[%d]" % step, r, o))
            continue
        for key in sorted(set(r) | set(o)):
            if key not in r or key not in o or not same(r[key], o[key]):
                diffs.append(("history[%d].%s" % (step, key), r.get(key, "<missing>"), o.get(key, "<missing>")))
    rs, os_ = normal_summary(real["summary"]), normal_summary(ours["summary"])
    for key in sorted(set(rs) | set(os_)):
        if key not in rs or key not in os_ or not same(rs[key], os_[key]):
            diffs.append(("summary." + key, rs.get(key, "<missing>"), os_.get(key, "<missing>")))
    rc, oc = normal_config(real["config"]), normal_config(ours["config"])
    for key in sorted(set(rc) | set(oc)):
        if key not in rc or key not in oc or not same(rc[key], oc[key]):
            diffs.append(("config." + key, rc.get(key, "<missing>"), oc.get(key, "<missing>")))
    return diffs
