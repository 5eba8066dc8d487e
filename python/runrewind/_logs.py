"""A small reader of the log directory, enough for ``init`` to validate a request before it writes.

It applies the records of docs/PROTOCOL.md in file stamp order and keeps, per run: project, name, live
version, versions, config, deleted; per version: parent, branch step, own last step, archived, and its
latest writer (to tell running from crashed). Rows are not kept; a row line is only looked at for its
step, without a full JSON parse when the writer used the usual key order.
"""

import json
import os
import re

from . import _ids

HEARTBEAT_GRACE = 4
DEFAULT_HEARTBEAT = 10.0

# `{"type": "row", "time": 1.5, "step": 12, ...` as Python writes it, or without spaces as JS does;
# any other key order takes the full JSON parse.
_ROW_PREFIXES = ('{"type": "row"', '{"type":"row"')
_ROW_HEAD_RE = re.compile(r'\{"type": ?"row", ?"time": ?(-?[0-9][0-9.eE+-]*), ?"step": ?(\d+),')


class Writer(object):
    __slots__ = ("path", "pid", "host", "heartbeat", "last_time", "finished", "exit_code")

    def __init__(self, path, start):
        self.path = path
        self.pid = start.get("pid")
        self.host = start.get("host")
        hb = start.get("heartbeat")
        self.heartbeat = float(hb) if isinstance(hb, (int, float)) and hb > 0 else DEFAULT_HEARTBEAT
        self.last_time = _num(start.get("time"))
        self.finished = False
        self.exit_code = None


class Version(object):
    __slots__ = ("id", "run", "kind", "parent", "branch_step", "own_last", "archived", "writer")

    def __init__(self, vid, run, kind, parent=None, branch_step=None):
        self.id = vid
        self.run = run
        self.kind = kind
        self.parent = parent
        self.branch_step = branch_step
        self.own_last = None
        self.archived = False
        self.writer = None

    @property
    def last_step(self):
        """Last step of the visible history through lineage, None when there is none."""
        if self.own_last is not None:
            return self.own_last
        return self.branch_step

    def is_running(self, now, host, pid_alive):
        w = self.writer
        if w is None or w.finished:
            return False
        if w.host != host or not isinstance(w.pid, int) or not pid_alive(w.pid):
            return False
        return w.last_time is not None and now - w.last_time < HEARTBEAT_GRACE * w.heartbeat


class Run(object):
    __slots__ = ("id", "project", "name", "live", "versions", "config", "deleted")

    def __init__(self, rid, project, name, live, config):
        self.id = rid
        self.project = project
        self.name = name
        self.live = live
        self.versions = [live]
        self.config = dict(config) if isinstance(config, dict) else {}
        self.deleted = False


class LogState(object):
    def __init__(self):
        self.runs = {}
        self.versions = {}
        self.max_stamp_ms = 0

    def live_version(self, run_id):
        return self.versions[self.runs[run_id].live]


def pid_alive(pid):
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except (ProcessLookupError, OSError):
        return False
    return True


def _num(v):
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _list_files(root):
    """(stamp, path) of every log file, in the order readers apply them."""
    dirs = [os.path.join(root, "ops")]
    runs = os.path.join(root, "runs")
    try:
        dirs.extend(os.path.join(runs, e) for e in os.listdir(runs))
    except OSError:
        pass
    files = []
    for d in dirs:
        try:
            names = os.listdir(d)
        except OSError:
            continue
        files.extend((n[:-6], os.path.join(d, n)) for n in names if n.endswith(".jsonl"))
    files.sort()
    return files


def read_state(root):
    """Reads every log file under ``root`` (which may not exist) into a LogState."""
    state = LogState()
    for stamp, path in _list_files(root):
        m = _ids.STAMP_RE.match(stamp)
        if m:
            state.max_stamp_ms = max(state.max_stamp_ms, int(m.group(1)))
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            continue
        end = data.rfind(b"\n")
        if end < 0:
            continue
        text = data[:end].decode("utf-8", "replace")
        _apply_file(state, path, text.split("\n"))
    return state


def _apply_file(state, path, lines):
    writer = None
    version = None
    for line in lines:
        if not line:
            continue
        if version is not None and line.startswith(_ROW_PREFIXES):
            m = _ROW_HEAD_RE.match(line)
            if m:
                step = int(m.group(2))
                if version.own_last is None or step > version.own_last:
                    version.own_last = step
                writer.last_time = float(m.group(1))
                continue
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if not isinstance(rec, dict):
            continue
        kind = rec.get("type")
        if writer is not None:
            t = _num(rec.get("time"))
            if t is not None:
                writer.last_time = t
        if kind == "start":
            if writer is not None:
                continue  # a second start is refused by readers
            version = _apply_start(state, rec)
            if version is None:
                return  # refers to something unknown (or broken): the file is not applied
            writer = Writer(path, rec)
            version.writer = writer
        elif kind == "row":
            if version is None:
                continue
            step = rec.get("step")
            if isinstance(step, int) and not isinstance(step, bool):
                if version.own_last is None or step > version.own_last:
                    version.own_last = step
        elif kind == "finish":
            if writer is not None:
                writer.finished = True
                code = rec.get("exit_code")
                writer.exit_code = code if isinstance(code, int) else 0
        elif kind == "config":
            if version is not None and isinstance(rec.get("config"), dict):
                run = state.runs.get(version.run)
                if run is not None:
                    run.config.update(rec["config"])
        elif kind == "rename":
            run = state.runs.get(rec.get("run"))
            if run is not None and isinstance(rec.get("name"), str):
                run.name = rec["name"]
        elif kind == "delete":
            run = state.runs.get(rec.get("run"))
            if run is not None:
                run.deleted = True
        elif kind == "rewind" and writer is None:
            src = rec.get("source")
            run = state.runs.get(rec.get("run"))
            step = rec.get("step")
            if run is None or src != run.live or not isinstance(rec.get("version"), str) \
                    or not isinstance(step, int):
                continue
            _rewind(state, run, rec["version"], step)
        elif kind == "fork" and writer is None:
            _fork(state, rec)


def _rewind(state, run, new_vid, step):
    old = state.versions[run.live]
    old.archived = True
    v = Version(new_vid, run.id, "rewind", old.id, step)
    state.versions[new_vid] = v
    run.versions.append(new_vid)
    run.live = new_vid
    return v


def _fork(state, rec):
    rid, vid, src = rec.get("run"), rec.get("version"), rec.get("source")
    if not isinstance(rid, str) or not isinstance(vid, str) or rid in state.runs or vid in state.versions:
        return None
    if not isinstance(src, dict) or src.get("version") not in state.versions:
        return None
    step = src.get("step")
    if not isinstance(step, int):
        return None
    source_version = state.versions[src["version"]]
    source_run = state.runs.get(source_version.run)
    config = dict(source_run.config) if source_run is not None else {}
    if isinstance(rec.get("config"), dict):
        config.update(rec["config"])
    v = Version(vid, rid, "fork", source_version.id, step)
    state.versions[vid] = v
    state.runs[rid] = Run(rid, rec.get("project") or "uncategorized", rec.get("name") or rid, vid, config)
    return v


def _apply_start(state, rec):
    mode, rid, vid = rec.get("mode"), rec.get("run"), rec.get("version")
    if not isinstance(rid, str) or not isinstance(vid, str):
        return None
    run = state.runs.get(rid)
    if mode == "new":
        if run is not None or vid in state.versions:
            return None
        v = Version(vid, rid, "new")
        state.versions[vid] = v
        state.runs[rid] = Run(rid, rec.get("project") or "uncategorized", rec.get("name") or rid, vid,
                              rec.get("config"))
        return v
    if mode == "fork":
        return _fork(state, rec)
    if run is None:
        return None
    if mode == "resume":
        if vid != run.live:
            return None
        v = state.versions[vid]
    elif mode == "rewind":
        src = rec.get("source")
        if not isinstance(src, dict) or src.get("version") != run.live or vid in state.versions:
            return None
        step = src.get("step")
        if not isinstance(step, int):
            return None
        v = _rewind(state, run, vid, step)
    else:
        return None
    if isinstance(rec.get("name"), str):
        run.name = rec["name"]
    if isinstance(rec.get("project"), str):
        run.project = rec["project"]
    if isinstance(rec.get("config"), dict):
        run.config.update(rec["config"])
    return v
