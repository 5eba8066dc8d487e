"""``init``: validates a request against the log directory, then opens the run's writer file."""

import atexit
import json
import os
import re
import sys
import warnings

from . import _artifacts, _console, _lock, _logs, _names, _run, _system, _values, _wandb_compat
from ._ids import ENV, RUN_ID_RE, VERSION_ID_RE
from .errors import (BadArgumentError, BadIdError, BadSpecError, ConflictingOptionsError,
                     IdConflictError, NoHistoryError, RunDeletedError, RunRunningError,
                     StepOutOfRangeError, UnknownRunError, UnknownVersionError)

PROTOCOL = 1
# Additions readers of protocol 1 skip (docs/PROTOCOL.md, "Versions"): 1 = console, system and metadata;
# 2 = media.
PROTOCOL_MINOR = 2
_DIGITS = re.compile(r"[0-9]+")
EXAMPLE = "'abc123?_step=200'"
_IGNORED_WARNED = set()
_hooks_installed = [False]


def parse_spec(spec, option):
    """``"<run>?_step=<N>"`` -> (run, N); anything else raises BadSpecError showing the expected form."""
    if not isinstance(spec, str):
        raise BadSpecError("%s must be a string like %s, got %s" % (option, EXAMPLE, type(spec).__name__))
    target, q, query = spec.partition("?")
    if not q or not target:
        raise BadSpecError("%s=%r must name a run and a step, like %s=%s" % (option, spec, option, EXAMPLE))
    if not RUN_ID_RE.fullmatch(target):
        raise BadSpecError("%s=%r: %r is not a run id (letters, digits, '_' and '-', 1 to 64 characters); "
                           "expected a form like %s" % (option, spec, target, EXAMPLE))
    name, eq, value = query.partition("=")
    if name != "_step" or not eq:
        raise BadSpecError("%s=%r: only '_step' is accepted after '?', like %s"
                           % (option, spec, EXAMPLE))
    return target, _wandb_compat.spec_step(value, option, spec, EXAMPLE)


def _resume_mode(resume):
    if resume is None or resume is False:
        return None
    if resume is True or resume == "allow" or resume == "auto":
        return "allow"
    if resume in ("must", "never"):
        return resume
    raise BadArgumentError("resume=%r is not one of 'allow', 'must', 'never' or True" % (resume,))


def _mark_change(root, stamp, run_id):
    """``changes/<stamp>.<run id>``: tells readers polling a big shared log directory which run folder has
    a new file, so they need not look at every one (docs/PROTOCOL.md, "Change markers")."""
    folder = os.path.join(root, "changes")
    marker = os.path.join(folder, "%s.%s" % (stamp, run_id))
    try:
        try:
            fd = os.open(marker, os.O_WRONLY | os.O_CREAT, 0o644)
        except FileNotFoundError:  # the first marker of the directory (one call, not three, after it)
            os.makedirs(folder, exist_ok=True)
            fd = os.open(marker, os.O_WRONLY | os.O_CREAT, 0o644)
        os.close(fd)
    except OSError:
        pass  # readers find the file later, on their sweep of the run folders


class _Unlocked(object):
    """In place of the run lock for a new run with a generated id: creating its folder claims the id (no
    one else can know it), so nothing needs excluding and the lock's round trips are saved."""
    skew = 0.0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _claim_folder(root, run_id):
    """Creates ``runs/<run id>/`` for a new generated id; False when it exists (the id is taken)."""
    folder = os.path.join(root, "runs", run_id)
    try:
        os.mkdir(folder)
    except FileExistsError:
        return False
    except FileNotFoundError:
        os.makedirs(os.path.join(root, "runs"), exist_ok=True)
        try:
            os.mkdir(folder)
        except FileExistsError:
            return False
    return True


def _read_for(root, resume_from, fork_from, id):
    """What ``init`` reads of the log directory: the runs it names, their lineage and the ops files
    (``_logs.read_around``), not every run's start record. Where that cannot say (a version id to find,
    a run that is not there, so that the error can say what the id is), every start record as before."""
    if resume_from is not None:
        target = parse_spec(resume_from, "resume_from")[0]
        state = _logs.read_around(root, [target])
        if target in state.runs:
            return state
        return _logs.read_state(root, target)
    if fork_from is not None:
        target = parse_spec(fork_from, "fork_from")[0]
        names = [target] if id is None else [target, id]
        state = _logs.read_around(root, names, [target])
        if target in state.runs or target in state.versions:
            return state
        return _logs.read_state(root, target)
    return _logs.read_around(root, [id])


def _heartbeat():
    text = os.environ.get("RUNREWIND_HEARTBEAT")
    if text:
        try:
            hb = float(text)
            if hb > 0:
                return int(hb) if hb.is_integer() else hb
        except ValueError:
            pass
        warnings.warn("runrewind: RUNREWIND_HEARTBEAT=%r is not a positive number; using 10" % text,
                      RuntimeWarning, stacklevel=3)
    return 10


def _check_step(state, version, step, run_label, option, spec):
    last = version.last_step
    if last is None:
        raise NoHistoryError("%s=%r: %s has no logged steps yet, so there is no step %d to start from; "
                             "log at least one step first, or start a new run"
                             % (option, spec, run_label, step))
    if step > last:
        raise StepOutOfRangeError("%s=%r: step %d is beyond the last step of %s (%d); use a step between "
                                  "0 and %d, e.g. '%s?_step=%d'"
                                  % (option, spec, step, run_label, last, last, spec.partition("?")[0], last))


def init(project=None, entity=None, name=None, id=None, config=None, dir=None, tags=None, notes=None,
         resume=None, resume_from=None, fork_from=None, _extras=None, **ignored):
    """Starts (or resumes, rewinds, forks) a run and returns it. Nothing is written if the request is
    invalid: a RunRewindError explains what is wrong and how to fix it. ``_extras``: the wandb fields
    runrewind.init resolved (group, job_type, entity, settings, mode)."""
    ENV.refresh()
    if _extras is not None and _extras.get("mode") == "disabled":
        return _disabled_run(project, name, id, config, tags, notes, _extras)
    for key in ignored:
        if key not in _IGNORED_WARNED:
            _IGNORED_WARNED.add(key)
            warnings.warn("runrewind: init(%s=...) is accepted for wandb compatibility and ignored" % key,
                          RuntimeWarning, stacklevel=2)
    if id is not None and (not isinstance(id, str) or not RUN_ID_RE.fullmatch(id)):
        raise BadIdError("init(id=%r): a run id uses letters, digits, '_' and '-', 1 to 64 characters"
                         % (id,))
    if project is not None:
        project = str(project)
    if name is not None:
        name = str(name)
    mode_resume = _resume_mode(resume)
    given = [o for o, v in (("resume", mode_resume), ("resume_from", resume_from), ("fork_from", fork_from))
             if v is not None]
    if len(given) > 1:
        raise ConflictingOptionsError(
            "init(): %s are mutually exclusive; use resume_from to rewind a run, fork_from to branch a new "
            "run, or resume to continue one" % " and ".join(given))
    config = _run._as_dict(config) if config is not None else {}
    config = _run._json_ready(config, "init(config=...)")
    if tags is not None:
        tags = [str(t) for t in tags] if not isinstance(tags, str) else [tags]
    if notes is not None:
        notes = str(notes)

    root = os.path.abspath(dir or os.environ.get("RUNREWIND_DIR") or ".runrewind")
    # The critical section of docs/PROTOCOL.md ("Locks"): the log directory is read, the request checked
    # and the writer file created while no other process can do the same to this run, so of two writers
    # racing to resume, rewind or fork one run, the loser is told here and writes nothing.
    generated_id = None
    if resume_from is not None:
        lock_id = parse_spec(resume_from, "resume_from")[0]
    elif id is not None:
        lock_id = id
    else:
        lock_id = generated_id = ENV.run_id()
    what = ("rewinding it" if resume_from is not None else "forking it" if fork_from is not None
            else "resuming it" if mode_resume is not None else "starting it")
    # A new run with a generated id reads nothing of other runs (its folder claims the id, names/ its
    # number): the cost of init follows the run it touches, not the directory (issue 12).
    fresh = generated_id is not None and fork_from is None
    lock = (_Unlocked() if fresh
            else _lock.RunLock(root, lock_id, what, ENV.host, ENV.pid, _logs.pid_alive, clock=ENV.now))
    with lock as held:
        state = _logs.LogState() if fresh else _read_for(root, resume_from, fork_from, id)
        # Liveness is judged by files' modification times: now by the file system's clock.
        now = ENV.now() + held.skew

        source = None
        inherited = {}
        # Where run.checkpoint is looked for: (version, step), the history the new version continues.
        checkpoint_at = None
        if resume_from is not None:
            target, step = parse_spec(resume_from, "resume_from")
            run = state.runs.get(target)
            if run is None:
                if target in state.versions:
                    v = state.versions[target]
                    raise UnknownRunError(
                        "resume_from=%r: %s is an immutable version id (of run %s), not a run; rewind the run "
                        "with resume_from='%s?_step=%d', or branch from that exact version with fork_from=%r"
                        % (resume_from, target, v.run, v.run, step, resume_from))
                raise UnknownRunError("resume_from=%r: there is no run %s in %s; check the run id (and dir=)"
                                      % (resume_from, target, root))
            if run.deleted:
                raise RunDeletedError("resume_from=%r: run %s was deleted and cannot be rewound; fork from one "
                                      "of its versions or start a new run" % (resume_from, target))
            if id is not None and id != target:
                raise IdConflictError(
                    "init(id=%r, resume_from=%r): a rewind keeps the run id, so id must be %r or left out; to "
                    "start a new run %s from step %d of %s use fork_from=%r"
                    % (id, resume_from, target, id, step, target, resume_from))
            live = state.versions[run.live]
            _check_step(state, live, step, "run %s" % target, "resume_from", resume_from)
            if live.is_running(now, ENV.host, _logs.pid_alive, _logs.process_start):
                raise RunRunningError(
                    "resume_from=%r: run %s is still running (its writer, pid %s on %s, is alive), and a run that "
                    "is not in a terminal state cannot be rewound to step %d; finish or stop it first, or use "
                    "fork_from=%r to branch a new run" % (resume_from, target, live.writer.pid,
                                                          live.writer.host, step, resume_from))
            mode, run_id, version_id = "rewind", target, None
            source = {"run": target, "version": live.id, "step": step}
            checkpoint_at = (live.id, step)
            next_step = step + 1
            inherited = dict(state.config_of(run.id))
            old_run = run
        elif fork_from is not None:
            target, step = parse_spec(fork_from, "fork_from")
            if target in state.versions:
                v = state.versions[target]
                label = "version %s of run %s" % (target, v.run)
            elif target in state.runs:
                v = state.versions[state.runs[target].live]
                label = "run %s" % target
            elif VERSION_ID_RE.fullmatch(target):
                raise UnknownVersionError("fork_from=%r: there is no run or version %s in %s; check the id "
                                          "(and dir=)" % (fork_from, target, root))
            else:
                raise UnknownRunError("fork_from=%r: there is no run %s in %s; check the run id (and dir=)"
                                      % (fork_from, target, root))
            src_run = state.runs[v.run]
            if src_run.deleted:
                raise RunDeletedError("fork_from=%r: run %s was deleted; it cannot be forked at step %d"
                                      % (fork_from, v.run, step))
            _check_step(state, v, step, label, "fork_from", fork_from)
            if id is not None and id == v.run:
                raise IdConflictError(
                    "init(id=%r, fork_from=%r): a fork is a new run and needs a new id; to continue run %s from "
                    "step %d under the same id, rewind it with resume_from='%s?_step=%d'"
                    % (id, fork_from, id, step, id, step))
            if id is not None and id in state.runs:
                raise IdConflictError("init(id=%r, fork_from=%r): run %s already exists; leave id out for a new "
                                      "generated id, or choose another" % (id, fork_from, id))
            mode, run_id, version_id = "fork", id, None
            source = {"run": v.run, "version": v.id, "step": step}
            checkpoint_at = (v.id, step)
            next_step = step + 1
            inherited = dict(v.config)
            if project is None:
                project = src_run.project
            old_run = None
        else:
            run = state.runs.get(id) if id is not None else None
            if run is not None:
                if mode_resume in ("allow", "must"):
                    if run.deleted:
                        raise RunDeletedError("init(id=%r, resume=%r): run %s was deleted and cannot be "
                                              "resumed; start a new run with another id" % (id, resume, id))
                    live = state.versions[run.live]
                    if live.is_running(now, ENV.host, _logs.pid_alive, _logs.process_start):
                        raise RunRunningError(
                            "init(id=%r, resume=%r): run %s is still being written by pid %s on %s; two writers "
                            "cannot share a version — wait for it to finish, or fork it with fork_from='%s?_step=N'"
                            % (id, resume, id, live.writer.pid, live.writer.host, id))
                    mode, run_id, version_id = "resume", id, live.id
                    last = live.last_step
                    next_step = 0 if last is None else last + 1
                    if last is not None:
                        checkpoint_at = (live.id, last)
                    inherited = dict(state.config_of(run.id))
                    old_run = run
                else:
                    extra = "" if mode_resume is None else " with resume='never'"
                    raise IdConflictError(
                        "init(id=%r)%s: run %s already exists; pass resume='allow' (or 'must') to continue it, "
                        "resume_from='%s?_step=N' to rewind it, fork_from='%s?_step=N' to branch from it, or "
                        "another id" % (id, extra, id, id, id))
            else:
                if mode_resume == "must":
                    if id is None:
                        raise BadArgumentError("init(resume='must') needs id= of the run to continue")
                    raise UnknownRunError("init(id=%r, resume='must'): there is no run %s in %s to resume; "
                                          "check the id (and dir=), or use resume='allow' to create it"
                                          % (id, id, root))
                mode, run_id, version_id = "new", id, None
                next_step = 0
                old_run = None

        # Everything is valid: from here on, write.
        claimed = None
        if run_id is None:
            run_id = generated_id
            while run_id in state.runs or not _claim_folder(root, run_id):
                run_id = ENV.run_id()
            claimed = os.path.join(root, "runs", run_id)
        if version_id is None:
            version_id = ENV.version_id()
            while version_id in state.versions:
                version_id = ENV.version_id()
        if mode in ("new", "fork"):
            if project is None:
                project = "uncategorized"
            # Every new run claims its number, named or not, so the claims count the project's runs.
            try:
                number = _names.claim(root, project, run_id)
            except BaseException:
                if claimed is not None:
                    try:
                        os.rmdir(claimed)
                    except OSError:
                        pass
                raise
            if name is None:
                name = ENV.run_name(number)
            shown_name, shown_project = name, project
        else:
            shown_name = name if name is not None else old_run.name
            shown_project = project if project is not None else old_run.project
        heartbeat = _heartbeat()
        clock = ENV.clock
        t = clock()
        stamp = ENV.stamp(t, state.max_stamp_ms)
        folder = os.path.join(root, "runs", run_id)
        if claimed is None:
            os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, stamp + ".jsonl")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)

        start = [("type", "start"), ("protocol", PROTOCOL), ("protocol_minor", PROTOCOL_MINOR), ("time", t),
                 ("run", run_id), ("version", version_id), ("mode", mode)]
        if source is not None:
            start.append(("source", source))
        if project is not None:
            start.append(("project", project))
        if name is not None:
            start.append(("name", name))
        start.append(("config", config))
        if tags is not None or mode in ("new", "fork"):
            start.append(("tags", tags or []))
        if notes is not None or mode in ("new", "fork"):
            start.append(("notes", notes or ""))
        start += _wandb_compat.start_fields(_extras)
        start += [("pid", ENV.pid), ("host", ENV.host), ("heartbeat", heartbeat)]
        line = json.dumps(dict(start)) + "\n"
        try:
            data = line.encode("utf-8")
            written = os.write(fd, data)
            if written != len(data):
                os.write(fd, data[written:])
        except OSError:
            os.close(fd)
            raise
        _mark_change(root, stamp, run_id)

    writer = _run._Writer(path, fd, heartbeat, clock)
    writer.last_time = t
    merged = inherited
    merged.update(config)
    run = _run.Run(root, run_id, version_id, mode, shown_project, shown_name, merged, next_step, writer,
                   tags, notes, source, _extras)
    if checkpoint_at is not None:
        try:
            run._checkpoint_ref = _artifacts.find_checkpoint(root, state, checkpoint_at[0], checkpoint_at[1])
        except Exception as e:  # the run starts without it rather than not at all
            warnings.warn("runrewind: the run's checkpoints could not be read: %s" % e, RuntimeWarning, stacklevel=2)
        try:
            from . import _files
            run._files_base = _files.inherited(root, state, checkpoint_at[0], checkpoint_at[1])
        except Exception as e:
            warnings.warn("runrewind: the run's saved files could not be read: %s" % e, RuntimeWarning, stacklevel=2)
    _start_recording(run, writer, _extras if _extras is not None else _wandb_compat.capture_options())
    if ENV.thread:
        writer.start_thread()
    _run._open_runs.append(run)
    if not _hooks_installed[0]:
        _hooks_installed[0] = True
        atexit.register(_run._at_exit)
        sys.excepthook = _run._excepthook_wrapper(sys.excepthook)
    return run


def _start_recording(run, writer, options):
    """The metadata record, the system sampler and the console capture (docs/PROTOCOL.md), as
    ``options`` (from _wandb_compat.capture_options) ask; the run stops them before its finish."""
    run._capture_options = dict((k, options.get(k)) for k in ("console", "stats_interval", "meta"))
    stop = _system.start(run, writer, options.get("stats_interval"), options.get("meta"), ENV.thread)
    if stop is not None:
        run._closers.append(stop)
    if options.get("console", "auto") != "off":
        stop = _console.start(run, writer, options.get("console", "auto"), ENV.thread)
        if stop is not None:
            run._closers.insert(0, stop)
            if ENV.thread:
                writer.every(_console.FLUSH_INTERVAL, _console.flush_all)


def _disabled_run(project, name, id, config, tags, notes, extras):
    """mode="disabled": a run that accepts every call and writes nothing, as wandb's."""
    config = _run._json_ready(_run._as_dict(config), "init(config=...)") if config is not None else {}
    writer = _wandb_compat.NullWriter(ENV.clock)
    writer.last_time = ENV.clock()
    run_id = id if isinstance(id, str) and id else ENV.run_id()
    return _run.Run(None, run_id, ENV.version_id(), "disabled", str(project or "uncategorized"),
                    str(name) if name is not None else "dummy-%s" % run_id, config, 0, writer, tags, notes,
                    None, extras)
