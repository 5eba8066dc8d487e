"""A small reader of the log directory, enough for ``init`` to validate a request before it writes.

It applies the records of docs/PROTOCOL.md in file stamp order with the same rules as the store's reader
(field checks: src/core/records.ts; apply rules: src/core/apply.ts; file order: src/core/ingest.ts), so
both reach the same runs, live versions and last steps from the same files: the same id and step checks,
a file that must begin with ``start``, ops files of one record, a rewind applied only while its source is
still the live version, files that wait for a run another file creates tried again after the others. Per
run it keeps project, name, live version and deleted; per version: parent, branch step, own last step,
archived, config, and its latest writer (to tell running from crashed). Rows are not kept; a row line is
only looked at for its step, without a full JSON parse when the writer used the usual key order.
"""

import json
import os
import re
import stat as _stat

from . import _ids

HEARTBEAT_GRACE = 4
# How far a writer's clock may be behind the file system's (src/core/protocol.ts MAX_CLOCK_SKEW_SECONDS):
# older signs of life than that are a copy of old logs, whatever the copy's file times say.
MAX_CLOCK_SKEW = 24 * 3600.0
DEFAULT_HEARTBEAT = 10.0
PID_REUSE_SLACK = 2.0
MAX_SAFE_INTEGER = 2 ** 53 - 1
_KNOWN = frozenset(("start", "config", "row", "summary", "alive", "finish", "rewind", "fork", "rename",
                    "delete", "edit"))
_WAIT = object()
_ALL = object()

# `{"type": "row", "time": 1.5, "step": 12, "data": {` as Python writes it, or without spaces as JS does;
# any other key order takes the full JSON parse.
_ROW_PREFIXES = ('{"type": "row"', '{"type":"row"')
# Console, system and metadata records (protocol 1.1) and media (1.2) say nothing about steps or lineage:
# skipped unparsed, as any record of a type this reader does not apply (a run may print a million lines).
_SKIP_PREFIXES = tuple('{"type":%s"%s"' % (space, kind) for kind in ("console", "system", "metadata", "media", "artifact")
                       for space in (" ", ""))
_ARTIFACT_PREFIXES = ('{"type": "artifact"', '{"type":"artifact"')
_ROW_HEAD_RE = re.compile(r'\{"type": ?"row", ?"time": ?(-?[0-9][0-9.eE+-]*), ?"step": ?(\d{1,16}), ?"data": ?\{')


class Writer(object):
    __slots__ = ("path", "pid", "host", "heartbeat", "last_time", "finished", "exit_code", "mtime")

    def __init__(self, path, start):
        self.path = path
        pid = start.get("pid")
        self.pid = pid if _is_int(pid) else None
        host = start.get("host")
        self.host = host if isinstance(host, str) else None
        hb = start.get("heartbeat")
        self.heartbeat = float(hb) if _is_num(hb) and hb > 0 else DEFAULT_HEARTBEAT
        self.last_time = _num(start.get("time"))
        self.finished = False
        self.exit_code = None
        # When the file last grew, by the file system's clock (None when unknown): what tells a writer
        # on another host alive, whatever its own clock says.
        self.mtime = None

    def seen(self, t):
        # The newest record time, as the store keeps it (a record with an older time changes nothing).
        if t is not None and (self.last_time is None or t > self.last_time):
            self.last_time = t


class Version(object):
    __slots__ = ("id", "run", "kind", "parent", "branch_step", "own_last", "archived", "writer", "config",
                 "logged")

    def __init__(self, vid, run, kind, parent=None, branch_step=None, config=None):
        self.id = vid
        self.run = run
        self.kind = kind
        self.parent = parent
        self.branch_step = branch_step
        self.own_last = None
        self.archived = False
        self.writer = None
        self.config = dict(config) if isinstance(config, dict) else {}
        # The artifacts this version logged (``artifact`` records, action "log"), in log order, when its
        # files were read whole: what a rewind's checkpoint is looked up in.
        self.logged = []

    @property
    def last_step(self):
        """Last step of the visible history through lineage, None when there is none."""
        if self.own_last is not None:
            return self.own_last
        return self.branch_step

    def is_running(self, now, host, pid_alive, process_start=None):
        """The store's rule (src/core/store.ts ``stateOf``): on the writer's own host its process decides
        (a stopped or busy writer is still running, unless its pid was reused by a younger process);
        from another host, a writer whose file has not grown for four heartbeats has crashed — by the
        file's modification time, so ``now`` must be the file system's clock (see ``_lock.RunLock.skew``)."""
        w = self.writer
        if w is None or w.finished or w.last_time is None:
            return False
        if w.pid is not None and w.host == host:
            if not pid_alive(w.pid):
                return False
            started = process_start(w.pid) if process_start is not None else None
            return started is None or started <= w.last_time + PID_REUSE_SLACK
        window = HEARTBEAT_GRACE * w.heartbeat
        if now - w.last_time > window + MAX_CLOCK_SKEW:
            return False
        last = w.mtime if w.mtime is not None else w.last_time
        return now - last <= window


class Run(object):
    __slots__ = ("id", "project", "name", "live", "versions", "deleted")

    def __init__(self, rid, project, name, live):
        self.id = rid
        self.project = project
        self.name = name
        self.live = live
        self.versions = [live]
        self.deleted = False


class LogState(object):
    def __init__(self):
        self.runs = {}
        self.versions = {}
        self.max_stamp_ms = 0

    def live_version(self, run_id):
        return self.versions[self.runs[run_id].live]

    def config_of(self, run_id):
        """The run's config as its live version holds it."""
        return self.live_version(run_id).config


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


_BOOT_TIME = []


def process_start(pid):
    """When process ``pid`` started (unix seconds, Linux), or None where that cannot be known."""
    try:
        if not _BOOT_TIME:
            with open("/proc/stat", "rb") as f:
                for line in f:
                    if line.startswith(b"btime "):
                        _BOOT_TIME.append(int(line.split()[1]))
                        break
                else:
                    _BOOT_TIME.append(None)
        if _BOOT_TIME[0] is None:
            return None
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read()
        fields = data[data.rindex(b")") + 2:].split()
        return _BOOT_TIME[0] + int(fields[19]) / float(os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _num(v):
    return float(v) if _is_num(v) else None


def _step(v):
    return v if _is_int(v) and 0 <= v <= MAX_SAFE_INTEGER else None


def _run_id(v):
    return v if isinstance(v, str) and _ids.RUN_ID_RE.fullmatch(v) else None


def _version_id(v):
    return v if isinstance(v, str) and _ids.RECORD_VERSION_RE.fullmatch(v) else None


def _name(v):
    if not isinstance(v, str):
        return None
    v = v.strip()
    return v if 0 < len(v) <= _ids.MAX_NAME_LENGTH else None


def _too_deep(value, limit=_ids.MAX_RECORD_NESTING):
    """True when dicts and lists nest more than ``limit`` levels (iterative: any depth is safe)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth >= limit:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


def _list_files(root):
    """(name, path) of every log file, in the order readers apply them (ops listed first, as the store
    lists them: see src/core/ingest.ts)."""
    dirs = [os.path.join(root, "ops")]
    runs = os.path.join(root, "runs")
    try:
        dirs.extend(os.path.join(runs, e) for e in sorted(os.listdir(runs)))
    except OSError:
        pass
    files = []
    for d in dirs:
        try:
            names = os.listdir(d)
        except OSError:
            continue
        files.extend((n, os.path.join(d, n)) for n in names if n.endswith(".jsonl"))
    files.sort()
    return files


class _Lines(list):
    """A file's complete lines, with its modification time when it was read."""
    __slots__ = ("mtime",)


def _read_lines(path):
    """The complete lines of a regular file (a ``_Lines``), or None. Never blocks on a FIFO, never reads
    a device."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not _stat.S_ISREG(st.st_mode):
            return None
        chunks = []
        left = st.st_size
        while left > 0:
            chunk = os.read(fd, min(left, 16 * 1024 * 1024))
            if not chunk:
                break  # shrank while read
            chunks.append(chunk)
            left -= len(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    end = data.rfind(b"\n")
    lines = _Lines(data[:end].decode("utf-8", "replace").split("\n") if end >= 0 else ())
    lines.mtime = st.st_mtime
    return lines


def read_state(root, focus=_ALL):
    """Reads the log files under ``root`` (which may not exist) into a LogState.

    ``focus`` is what ``init`` is about to act on: a run id, a version id, or None (a new run). Only the
    files of that run are read whole; of every other writer file only the ``start`` record is read, which
    is all the checks of ``init`` need of other runs (that they exist, their versions and projects). So
    the cost of ``init`` follows the run it touches, not the size of the log directory. Without
    ``focus`` every file is read whole (tests compare that with the store).
    """
    files = _list_files(root)
    if focus is _ALL:
        return _read(root, files, None)
    # What the first pass read (start records, ops files) serves the second: on a shared file system at
    # 10,000 runs each read is a round trip, and a resume read every start record twice.
    read = {}
    state = _read(root, files, frozenset(), read)
    run = focus if focus in state.runs else state.versions[focus].run if focus in state.versions else None
    if run is None:
        return state
    return _read(root, files, frozenset((run,)), read)


def _read(root, files, whole, read=None):
    """Applies ``files`` in order: all of each file when ``whole`` is None or names the file's run,
    else the lines up to its first record (its start). ``read`` keeps what was read of each file (its
    whole lines for an ops file, its head and run for a writer's) for another pass."""
    if read is None:
        read = {}
    ops_dir = os.path.join(root, "ops")
    entries = []
    for name, path in files:
        is_ops = os.path.dirname(path) == ops_dir
        if whole is None:
            lines = _read_lines(path)
        elif is_ops:
            if path not in read:
                read[path] = _read_lines(path)
            lines = read[path]
        else:
            if path not in read:
                read[path] = _read_head(path)
            lines, run = read[path]
            if run in whole:
                lines = _read_lines(path)
        entries.append((name, path, lines, is_ops))
    return _apply_files(entries)


def _apply_files(entries):
    """A LogState from ``(name, path, lines, is_ops)`` in apply order (``lines`` None: not readable)."""
    state = LogState()
    waiting = []
    for name, path, lines, is_ops in entries:
        m = _ids.STAMP_RE.fullmatch(name[:-6])
        if m:
            state.max_stamp_ms = max(state.max_stamp_ms, int(m.group(1)))
        if lines is None:
            continue
        if _apply_file(state, path, lines, is_ops) is _WAIT:
            waiting.append((path, lines, is_ops))
    # A file may wait for one that sorts after it (clocks drift): tried once more, as the store does.
    for path, lines, is_ops in waiting:
        _apply_file(state, path, lines, is_ops)
    return state


def _folder_files(folder):
    """(name, path) of the log files of one folder; none when it cannot be listed."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [(n, os.path.join(folder, n)) for n in names if n.endswith(".jsonl")]


def _first_record(lines):
    for line in lines or ():
        if line.strip():
            rec = _parse(line)
            if rec is not None and rec is not _DEEP and "_deep" not in rec and rec.get("type") in _KNOWN:
                return rec
    return None


def _source_run(rec):
    src = rec.get("source") if rec is not None else None
    return _run_id(src.get("run")) if isinstance(src, dict) else None


def read_around(root, run_ids, whole=None):
    """A LogState of the runs ``run_ids`` and of what they depend on, without looking at any other run.

    Reads the ops files, the files of each of ``run_ids`` (whole for the runs in ``whole``, which
    defaults to ``run_ids``; the start records only for the others), then the start records of each run
    a start or an op of those runs forks or rewinds from, and so on up their lineage: everything the
    store's rules need to reach, for these runs, what a read of every file reaches. A run's files are
    those in its folder, ``runs/<run id>/``, where writers put them. The cost follows the runs asked
    about and their ancestors, not the size of the log directory (issue 12): a handful of file system
    calls per run instead of five per run of the directory. Other runs are simply absent from the
    state; ``max_stamp_ms`` is the newest stamp of the files read."""
    runs = set(run_ids)
    whole = frozenset(runs if whole is None else whole)
    ops = _folder_files(os.path.join(root, "ops"))
    read = {}
    for _, path in ops:
        read[path] = _read_lines(path)
    listed = {}
    while True:
        files = list(ops)
        for run in sorted(runs):
            if run not in listed:
                listed[run] = _folder_files(os.path.join(root, "runs", run))
                for _, path in listed[run]:
                    read[path] = _read_lines(path) if run in whole else _read_head(path)[0]
            files.extend(listed[run])
        files.sort()
        ops_set = set(p for _, p in ops)
        more = set()
        for _, path in files:
            lines = read[path]
            if path in ops_set:
                rec = _parse(lines[0]) if lines and lines[0].strip() else None
                if not isinstance(rec, dict) or rec is _DEEP or rec.get("type") != "fork" \
                        or _run_id(rec.get("run")) not in runs:
                    continue
            else:
                rec = _first_record(lines)
                if rec is None or rec.get("type") != "start":
                    continue
            src = _source_run(rec)
            if src is not None and src not in runs:
                more.add(src)
        if not more:
            ops_dir = os.path.join(root, "ops")
            return _apply_files([(n, p, read[p], os.path.dirname(p) == ops_dir) for n, p in files])
        runs |= more


def _read_head(path):
    """The complete lines of a writer file up to and including its first record, and the run that record
    names; (None, None) for what is not a regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None, None
    try:
        if not _stat.S_ISREG(os.fstat(fd).st_mode):
            return None, None
        data = b""
        lines = []
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return lines, None  # no complete record (yet)
            data += chunk
            while True:
                end = data.find(b"\n")
                if end < 0:
                    break
                line = data[:end].decode("utf-8", "replace")
                data = data[end + 1:]
                lines.append(line)
                if line.strip():
                    rec = _parse(line)
                    if rec is not None and (rec is _DEEP or "_deep" in rec or rec.get("type") in _KNOWN):
                        run = rec.get("run") if rec is not _DEEP else None
                        return lines, run if isinstance(run, str) else None
    except OSError:
        return None, None
    finally:
        os.close(fd)


_DEEP = {"type": None}
_START_HEAD_RE = re.compile(r'\s*\{\s*"type"\s*:\s*"start"')


def _parse(line):
    """A record dict, None for a line that is not one, or a too-deep record (as _too_deep judges)."""
    try:
        rec = json.loads(line)
    except ValueError:
        return None
    except RecursionError:
        # Deeper than the parser's stack: a record readers refuse as too deep (the store's parser
        # reads it, then refuses it the same way). Its type, as writers put it first.
        return {"type": "start", "_deep": True} if _START_HEAD_RE.match(line) else _DEEP
    return rec if isinstance(rec, dict) else None


def _apply_file(state, path, lines, is_ops):
    if is_ops:
        # One record per ops file, on its first line.
        rec = _parse(lines[0]) if lines and lines[0].strip() else None
        if rec is None or rec is _DEEP or "_deep" in rec or rec.get("type") not in _KNOWN or _too_deep(rec):
            return None
        return _apply_op(state, rec)
    writer = None
    version = None
    for line in lines:
        if not line.strip():
            continue
        if version is not None and line.startswith(_ROW_PREFIXES):
            m = _ROW_HEAD_RE.match(line)
            if m and line.count("{") + line.count("[") <= _ids.MAX_RECORD_NESTING:
                try:
                    t = float(m.group(1))
                except ValueError:
                    t = None
                if t is not None:
                    if _row(version, int(m.group(2))):
                        writer.seen(t)
                    continue
        if version is not None and line.startswith(_SKIP_PREFIXES):
            if line.startswith(_ARTIFACT_PREFIXES):
                _artifact(version, line)
            continue
        rec = _parse(line)
        if rec is None:
            continue
        deep = rec is _DEEP or "_deep" in rec or _too_deep(rec)
        if deep:
            if rec.get("type") == "start" and version is None:
                return None  # a start nested too deep: the file is refused
            continue
        kind = rec.get("type")
        if not isinstance(kind, str) or kind not in _KNOWN:
            continue
        if version is None:
            if kind != "start":
                return None  # a writer file must begin with start: not applied
            version = _apply_start(state, rec)
            if version is None or version is _WAIT:
                return version
            writer = Writer(path, rec)
            version.writer = writer
            continue
        if version.id not in state.versions:
            continue
        if kind == "start":
            continue  # a second start is refused by readers
        if kind == "row":
            step = _step(rec.get("step"))
            if step is None or not isinstance(rec.get("data"), dict) or not _row(version, step):
                continue
        elif kind == "config":
            if not isinstance(rec.get("config"), dict):
                continue
            version.config.update(rec["config"])
        elif kind == "summary":
            if not isinstance(rec.get("summary"), dict):
                continue
        elif kind == "finish":
            code = rec.get("exit_code")
            if code is not None and not _is_int(code):
                continue
            writer.finished = True
            writer.exit_code = code if code is not None else 0
            writer.seen(_num(rec.get("time")))
            break  # a writer's finish is its last record: the file is not read further
        elif kind == "rename":
            name = _name(rec.get("name"))
            run = state.runs.get(version.run)
            if name is None or run is None:
                continue
            run.name = name
        elif kind != "alive":
            continue  # an op record in a writer file is skipped
        writer.seen(_num(rec.get("time")))
    _note_modified(writer, lines)
    return None


_TIME_RE = re.compile(r'"time": ?(-?[0-9][0-9.eE+-]*)')


def _note_modified(writer, lines):
    """Sets ``writer.mtime``: when its last sign of life was written, by the file system's clock — the
    file's modification time (when its last record was written) less how much later than the sign of
    life that record came, both by the writer's clock (src/core/ingest.ts does the same)."""
    mtime = getattr(lines, "mtime", None)
    if writer is None or mtime is None or writer.last_time is None:
        return
    last = None
    for line in reversed(lines):
        if line.strip():
            m = _TIME_RE.search(line[:200])
            if m:
                try:
                    last = float(m.group(1))
                except ValueError:
                    pass
            break
    writer.mtime = mtime - max(0.0, last - writer.last_time) if last is not None else mtime


def _artifact(version, line):
    """Keeps a logged artifact's name, version, type, step and metadata step (checkpoints, docs/PROTOCOL.md)."""
    rec = _parse(line)
    if rec is None or rec is _DEEP or "_deep" in rec or rec.get("action") != "log":
        return
    name, av, kind = rec.get("name"), rec.get("version"), rec.get("artifact_type")
    if not (isinstance(name, str) and isinstance(av, str) and isinstance(kind, str)):
        return
    step = rec.get("step")
    meta = rec.get("metadata")
    meta_step = meta.get("step") if isinstance(meta, dict) else None
    version.logged.append((name, av, kind, step if _is_int(step) and step >= 0 else None,
                           meta_step if _is_int(meta_step) and meta_step >= 0 else None))


def read_runs(root, run_ids):
    """Every file of the runs ``run_ids`` read whole (with the start records of their ancestors)."""
    return read_around(root, run_ids)


def _row(version, step):
    """Applies a row's step; False when readers refuse it (not after the version's last step)."""
    last = version.last_step
    if last is None or step > last:
        version.own_last = step
        return True
    return False


def _source(value):
    if not isinstance(value, dict):
        return None
    run, vid, step = _run_id(value.get("run")), _version_id(value.get("version")), _step(value.get("step"))
    if run is None or vid is None or step is None:
        return None
    return run, vid, step


def _rewind(state, run, new_vid, source_vid, step, config):
    """Archives the run's live version; only applied while ``source_vid`` is still that live version."""
    if run.deleted or source_vid != run.live or new_vid in state.versions:
        return None
    old = state.versions[run.live]
    old.archived = True
    merged = dict(old.config)
    if isinstance(config, dict):
        merged.update(config)
    v = Version(new_vid, run.id, "rewind", old.id, step, merged)
    state.versions[new_vid] = v
    run.versions.append(new_vid)
    run.live = new_vid
    return v


def _fork(state, rid, vid, src, config, name, project):
    if rid in state.runs or vid in state.versions:
        return None
    source_version = state.versions.get(src[1])
    if source_version is None:
        return _WAIT
    merged = dict(source_version.config)
    if isinstance(config, dict):
        merged.update(config)
    source_run = state.runs.get(source_version.run)
    if project is None:
        project = source_run.project if source_run is not None else None
    v = Version(vid, rid, "fork", source_version.id, src[2], merged)
    state.versions[vid] = v
    state.runs[rid] = Run(rid, project or "uncategorized", name or rid, vid)
    return v


def _apply_op(state, rec):
    kind = rec.get("type")
    rid = _run_id(rec.get("run"))
    if rid is None:
        return None
    if kind in ("rename", "delete", "edit"):
        run = state.runs.get(rid)
        if run is None:
            return _WAIT
        if kind == "edit":
            # Tags, notes and group (an edit op, docs/PROTOCOL.md) say nothing about steps or lineage,
            # which is all this reader keeps: the run only has to exist, as the store's reader requires.
            return None
        if kind == "delete":
            run.deleted = True
        else:
            name = _name(rec.get("name"))
            if name is not None:
                run.name = name
        return None
    if kind not in ("rewind", "fork"):
        return None
    vid = _version_id(rec.get("version"))
    if vid is None or vid in state.versions:
        return None
    config = rec.get("config") if isinstance(rec.get("config"), dict) else None
    if kind == "rewind":
        src = _source({"run": rid, "version": rec.get("source"), "step": rec.get("step")})
        if src is None:
            return None
        if src[1] not in state.versions:
            return _WAIT
        run = state.runs.get(rid)
        if run is None:
            return _WAIT
        _rewind(state, run, vid, src[1], src[2], config)
        return None
    src = _source(rec.get("source"))
    if src is None:
        return None
    result = _fork(state, rid, vid, src, config, _name(rec.get("name")), _name(rec.get("project")))
    return _WAIT if result is _WAIT else None


def _apply_start(state, rec):
    """The version a writer file's rows go to, None when the file is refused, _WAIT when it refers to
    something no file read so far creates."""
    protocol = rec.get("protocol")
    if _is_num(protocol) and protocol > 1:
        return None
    rid, vid, mode = _run_id(rec.get("run")), _version_id(rec.get("version")), rec.get("mode")
    if rid is None or vid is None or mode not in ("new", "resume", "rewind", "fork"):
        return None
    config = rec.get("config") if isinstance(rec.get("config"), dict) else None
    name, project = _name(rec.get("name")), _name(rec.get("project"))
    run = state.runs.get(rid)
    if mode == "resume":
        v = state.versions.get(vid)
        if run is None or v is None:
            return _WAIT
        if v.run != rid or run.live != vid:
            return None
        if config:
            v.config.update(config)
    elif mode == "new":
        if run is not None or vid in state.versions:
            return None
        v = Version(vid, rid, "new", config=config)
        state.versions[vid] = v
        state.runs[rid] = Run(rid, project or "uncategorized", name or rid, vid)
        return v
    else:
        if vid in state.versions:
            return None
        src = _source(rec.get("source"))
        if src is None:
            return None
        if mode == "fork":
            return _fork(state, rid, vid, src, config, name, project)
        source_version = state.versions.get(src[1])
        if source_version is None or run is None:
            return _WAIT
        if source_version.run != rid:
            return None
        v = _rewind(state, run, vid, src[1], src[2], config)
        if v is None:
            return None
    if name is not None:
        run.name = name
    if project is not None:
        run.project = project
    return v
