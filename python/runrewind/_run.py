"""The Run object and the writer behind it: one append-only JSON-lines file per process."""

import collections
import json
import os
import sys
import threading
import time
import warnings

from . import _logs, _media, _metrics, _values
from ._ids import ENV, MAX_RECORD_NESTING
from ._wandb_compat import RunMixin
from .errors import BadArgumentError, ConfigError, Error

_dumps = json.dumps
# Times are written with microsecond precision: '%.6f' costs half of repr() on the hot path.
_ROW = '{"type": "row", "time": %.6f, "step": %d, "data": %s}\n'
_PLAIN = _values.PLAIN
_NUMERIC = _values.NUMERIC
FSYNC_INTERVAL = 5.0
MAX_BACKLOG_BYTES = 64 * 1024 * 1024


class _Writer(object):
    """Appends whole lines to one file. Each record is one ``os.write`` (the file is unbuffered, so
    nothing waits in a user-space buffer); an OSError keeps the line in a bounded in-memory backlog
    that is retried before the next write, and is reported as a warning, never raised."""

    _raw_write = staticmethod(os.write)

    def __init__(self, path, fd, heartbeat, clock):
        self.path = path
        self.fd = fd
        self.heartbeat = heartbeat
        self.clock = clock
        self.lock = threading.Lock()
        self.backlog = collections.deque()
        self.backlog_bytes = 0
        self.failing = False
        self.dropped = 0
        self.last_time = clock()
        self.writes = 0
        self.closed = False
        self._stop = threading.Event()
        self._thread = None
        self.periodic = []

    def start_thread(self):
        self._thread = threading.Thread(target=self._beat, name="runrewind-heartbeat", daemon=True)
        self._thread.start()

    def every(self, interval, fn):
        """Runs ``fn()`` about every ``interval`` seconds in the heartbeat thread (console flushes,
        system samples); returns the task for ``cancel``."""
        task = [time.monotonic() + interval, interval, fn]
        self.periodic.append(task)
        return task

    def cancel(self, task):
        try:
            self.periodic.remove(task)
        except ValueError:
            pass

    def write_aside(self, line):
        """Writes a console, system or metadata record: not a sign of life, so the heartbeat still
        writes `alive` for readers that skip those records."""
        self.write(line, self.last_time)

    def write(self, line, t):
        # No lock while the backlog is empty: each line is one os.write on an O_APPEND file, which the
        # kernel never interleaves with the heartbeat thread's write. The lock guards the backlog.
        data = line.encode("utf-8")
        self.last_time = t
        self.writes += 1
        if not self.backlog and not self.closed:
            try:
                n = self._raw_write(self.fd, data)
            except OSError as e:
                with self.lock:
                    self._queue(data)
                    self._fail(e)
                return
            if n == len(data):
                return
            data = data[n:]
        with self.lock:
            if self.closed:
                return
            self._queue(data)
            self._drain()

    def _queue(self, data):
        if self.backlog_bytes + len(data) > MAX_BACKLOG_BYTES:
            self.dropped += 1
            if self.dropped == 1:
                warnings.warn("runrewind: %s is still not writable and %d MB are waiting in memory; "
                              "newer records are dropped until it recovers"
                              % (self.path, MAX_BACKLOG_BYTES // (1024 * 1024)), RuntimeWarning, stacklevel=4)
            return
        self.backlog.append(data)
        self.backlog_bytes += len(data)

    def _drain(self):
        """Writes the backlog in order; stops at the first error. Call with the lock held."""
        backlog = self.backlog
        while backlog:
            data = backlog[0]
            try:
                n = self._raw_write(self.fd, data)
            except OSError as e:
                self._fail(e)
                return False
            self.backlog_bytes -= n
            if n == len(data):
                backlog.popleft()
            else:
                backlog[0] = data[n:]
        if self.failing:
            self.failing = False
            warnings.warn("runrewind: writing to %s works again; nothing was lost%s"
                          % (self.path, "" if not self.dropped else
                             " except %d records dropped while memory was full" % self.dropped),
                          RuntimeWarning, stacklevel=4)
        return True

    def _fail(self, error):
        if not self.failing:
            self.failing = True
            warnings.warn("runrewind: cannot write to %s (%s); keeping records in memory and retrying "
                          "on the next write" % (self.path, error), RuntimeWarning, stacklevel=4)

    def sync(self):
        try:
            os.fsync(self.fd)
        except OSError:
            pass

    def _beat(self):
        synced = 0
        hb = self.heartbeat
        wait = min(hb, FSYNC_INTERVAL)
        last_sync = self.clock()
        base_wait = wait
        if self.periodic:
            wait = self._run_periodic(base_wait)
        while not self._stop.wait(wait):
            if self.periodic:
                wait = self._run_periodic(base_wait)
            now = self.clock()
            if now - self.last_time >= hb:
                self.write('{"type": "alive", "time": %r}\n' % now, now)
            elif self.backlog:
                with self.lock:
                    if not self.closed:
                        self._drain()
            if self.writes != synced and now - last_sync >= FSYNC_INTERVAL:
                synced = self.writes
                last_sync = now
                self.sync()

    def _run_periodic(self, base_wait):
        now = time.monotonic()
        for task in list(self.periodic):
            if now >= task[0]:
                task[0] = now + task[1]
                try:
                    task[2]()
                except Exception:  # a failed sample or flush must never stop the heartbeat
                    pass
        return max(0.01, min([base_wait] + [task[0] - time.monotonic() for task in self.periodic]))

    def stop_thread(self):
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)

    def close(self):
        self.stop_thread()
        with self.lock:
            if self.closed:
                return
            if self.backlog and not self._drain():
                warnings.warn("runrewind: %d records could not be written to %s and are lost"
                              % (len(self.backlog), self.path), RuntimeWarning, stacklevel=3)
            self.closed = True
            self.sync()
            try:
                os.close(self.fd)
            except OSError:
                pass


class Config(object):
    """The run's config: attribute and item access; every change is written as a `config` record."""

    def __init__(self, run, values):
        object.__setattr__(self, "_run", run)
        object.__setattr__(self, "_items", dict(values))

    def update(self, d=None, allow_val_change=None, **kwargs):
        values = {}
        if d is not None:
            values.update(_as_dict(d))
        values.update(kwargs)
        if not values:
            return
        # As wandb: keys lose leading and trailing '-' (argparse names), and changing a value needs
        # allow_val_change=True.
        values = _json_ready(dict((k.strip("-") if isinstance(k, str) else k, v) for k, v in values.items()),
                             "config.update(...)")
        if not allow_val_change:
            items = self._items
            for k, v in values.items():
                if k in items and items[k] != v and not (v != v and items[k] != items[k]):
                    raise ConfigError('Attempted to change value of key "%s" from %s to %s\nIf you really '
                                      'want to do this, pass allow_val_change=True to config.update()'
                                      % (k, items[k], v))
        self._items.update(values)
        self._run._record("config", values)

    def persist(self):
        """wandb re-sends the whole config; every change here is already written."""

    setdefaults = None  # set below

    def __setitem__(self, key, value):
        self.update({key: value})

    def __setattr__(self, key, value):
        if key.startswith("_"):
            object.__setattr__(self, key, value)
        else:
            self.update({key: value})

    def update_locked(self, d, user=None, _allow_val_change=None):
        self.update(d, allow_val_change=True)

    def _as_dict(self):
        return self._items

    def __getitem__(self, key):
        return self._items[key]

    def __getattr__(self, key):
        if key.startswith("__"):
            raise AttributeError(key)
        try:
            return self._items[key]
        except KeyError:
            raise AttributeError("config has no key %r" % key)

    def __contains__(self, key):
        return key in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    def get(self, key, default=None):
        return self._items.get(key, default)

    def keys(self):
        return self._items.keys()

    def items(self):
        return self._items.items()

    def values(self):
        return self._items.values()

    def as_dict(self):
        return dict(self._items)

    def __repr__(self):
        return "Config(%r)" % (self._items,)

    def _setdefaults(self, d):
        missing = dict((k, v) for k, v in _as_dict(d).items() if k not in self._items)
        if missing:
            self.update(missing)


Config.setdefaults = Config._setdefaults


class Summary(object):
    """The run's summary: the last logged value of every key, with explicit values on top. Setting a
    key writes a `summary` record; deleting one writes null (back to the last logged value)."""

    def __init__(self, run):
        self._run = run
        self._logged = {}
        self._explicit = {}
        # define_metric's aggregates: "key.min": v, and "key": None for a raw value they replace.
        self._metric = {}

    def update(self, d=None, **kwargs):
        values = {}
        if d is not None:
            values.update(_as_dict(d))
        values.update(kwargs)
        if not values:
            return
        values = _values.flatten(values, self._run._warned)
        self._explicit.update(values)
        self._run._record("summary", values)

    def __setitem__(self, key, value):
        self.update({key: value})

    def __delitem__(self, key):
        if key not in self._explicit and key not in self._logged:
            raise KeyError(key)
        self._explicit.pop(key, None)
        self._run._record("summary", {key: None})

    def _merged(self):
        out = dict(self._logged)
        if self._metric:
            for k, v in self._metric.items():
                if v is None:
                    out.pop(k, None)
                else:
                    out[k] = v
        out.update(self._explicit)
        return out

    def __getitem__(self, key):
        if key in self._explicit:
            return self._explicit[key]
        if self._metric and key in self._metric:
            value = self._metric[key]
            if value is None:
                raise KeyError(key)
            return value
        return self._logged[key]

    def _as_dict(self):
        return self._merged()

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError:
            raise AttributeError("summary has no key %r" % key)

    def __contains__(self, key):
        return key in self._merged()

    def __iter__(self):
        return iter(self._merged())

    def __len__(self):
        return len(self._merged())

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def keys(self):
        return self._merged().keys()

    def items(self):
        return self._merged().items()

    def values(self):
        return self._merged().values()

    def __repr__(self):
        return "Summary(%r)" % (self._merged(),)


def _as_dict(d):
    if isinstance(d, dict):
        return d
    if hasattr(d, "items"):
        return dict(d.items())
    if hasattr(d, "__dict__"):  # argparse.Namespace and the like
        return dict((k, v) for k, v in vars(d).items() if not k.startswith("_"))
    raise TypeError("expected a dict, got %s" % type(d).__name__)


def _json_ready(d, what="config"):
    """``d`` as JSON data, or BadArgumentError naming what is wrong (never a RecursionError into the
    training loop): readers refuse records nested more than MAX_RECORD_NESTING levels."""
    try:
        data = json.loads(json.dumps(d, default=_values.jsonable))
    except RecursionError:
        data = None
    except (TypeError, ValueError) as e:
        raise BadArgumentError("%s cannot be written as JSON: %s" % (what, e))
    if data is None or _logs._too_deep(data, MAX_RECORD_NESTING - 1):
        raise BadArgumentError("%s is nested more than %d levels deep (or refers to itself); readers refuse "
                               "such records, so nothing was written" % (what, MAX_RECORD_NESTING - 1))
    return data


class Run(RunMixin):
    """One `init` ... `finish` of a run, writing to its own file in the log directory."""

    def __init__(self, root, run_id, version_id, mode, project, name, config, next_step, writer,
                 tags, notes, source, extras=None):
        self._root = root
        self._id = run_id
        self._version = version_id
        self._mode = mode
        self._project = project
        self._name = name
        self._writer = writer
        self._write = writer.write
        self._clock = writer.clock
        self._step = next_step
        self._pending = None
        self._warned = set()
        self._finished = False
        self._tags = tuple(tags or ())
        self._notes = notes or ""
        self._source = source
        self.config = Config(self, config)
        self.summary = Summary(self)
        self._summary_logged = self.summary._logged
        self._summary_explicit = self.summary._explicit
        # define_metric's definitions; None keeps log() on its fast path until the first one.
        self._metrics = None
        self._start_time = writer.last_time
        self._starting_step = next_step
        # Stop functions of the console capture and the system sampler (``closer(abandon)``).
        self._closers = []
        if extras:
            self._entity = extras.get("entity") or ""
            self._group = extras.get("group")
            self._job_type = extras.get("job_type")
            self._settings_obj = extras.get("settings")
            self._wandb_mode = extras.get("mode") or "offline"
            self._disabled = self._wandb_mode == "disabled"

    # --- identity -------------------------------------------------------------------------------

    @property
    def id(self):
        return self._id

    @property
    def version_id(self):
        """The immutable id of the version this process writes."""
        return self._version

    immutable_id = version_id

    @property
    def project(self):
        return self._project

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        value = str(value)
        self._name = value
        self._record_fields('"rename", "time": %r, "run": %s, "name": %s',
                            (_dumps(self._id), _dumps(value)))

    @property
    def display_name(self):
        return self._name

    @display_name.setter
    def display_name(self, value):
        self.name = value

    @property
    def tags(self):
        return self._tags

    @tags.setter
    def tags(self, value):
        # Kept for this process; the log protocol records tags in the start record only.
        self._tags = (value,) if isinstance(value, str) else tuple(str(t) for t in (value or ()))

    @property
    def notes(self):
        return self._notes

    @notes.setter
    def notes(self, value):
        self._notes = "" if value is None else str(value)

    @property
    def log_dir(self):
        """The log directory this run writes to."""
        return self._root

    @property
    def log_file(self):
        """The log file this process writes (None for a disabled run)."""
        return self._writer.path

    @property
    def step(self):
        """The step the next `log` writes to."""
        return self._step

    @property
    def resumed(self):
        return self._mode == "resume"

    @property
    def forked_from(self):
        """``{"run", "version", "step"}`` for a rewind or fork, else None."""
        return dict(self._source) if self._source else None

    # (name, "vN", step) of the checkpoint init found (_artifacts.find_checkpoint), and its Artifact.
    _checkpoint_ref = None
    _checkpoint_art = None

    @property
    def checkpoint(self):
        """After a rewind or fork at N (``resume_from``/``fork_from``) or a resume: the newest checkpoint
        at or before N (or the last step) as an Artifact — an artifact of type model or checkpoint, or one
        logged with ``metadata={"step": N}`` — so a script reloads the weights that match the history it
        continues: ``run.checkpoint.download()``. Its ``step`` is the step it holds. None when there is
        none. Reading it records nothing; ``run.use_artifact(run.checkpoint)`` records the use."""
        if self._checkpoint_ref is None:
            return None
        if self._checkpoint_art is None:
            from . import _artifacts
            name, version, step = self._checkpoint_ref
            try:
                art = _artifacts.resolve(self._root, "%s:%s" % (name, version))
            except Error as e:
                warnings.warn("runrewind: checkpoint %s:%s is gone from %s (%s)" % (name, version, self._root, e),
                              RuntimeWarning, stacklevel=2)
                return None
            art.step = step
            self._checkpoint_art = art
        return self._checkpoint_art

    # --- logging --------------------------------------------------------------------------------

    def log(self, data, step=None, commit=None):
        """Logs a dict of values to the history. See the README for the step rules (they are W&B's)."""
        if self._finished:
            warnings.warn("runrewind: log() on run %s after finish() is ignored" % self._id,
                          RuntimeWarning, stacklevel=2)
            return
        if step is None and commit is None and self._pending is None and type(data) is dict \
                and self._metrics is None and not self._summary_explicit:
            # Hot path: a plain dict of plain values or numpy scalars, committed at once.
            row = data
            for k, v in data.items():
                t = type(v)
                if t in _PLAIN:
                    continue
                conv = _NUMERIC.get(t) or _values.numeric_converter(t, v)
                if conv is None:
                    break
                if row is data:
                    row = dict(data)
                row[k] = conv(v)
            else:
                try:
                    body = _dumps(row)
                except (TypeError, ValueError):
                    pass
                else:
                    t = self._clock()
                    s = self._step
                    self._write(_ROW % (t, s, body), t)
                    self._step = s + 1
                    self._summary_logged.update(row)
                    return
        self._log_slow(data, step, commit)

    def _log_slow(self, data, step, commit):
        try:
            values = _values.flatten(_as_dict(data), self._warned) if data is not None else {}
        except TypeError as e:
            warnings.warn("runrewind: log() needs a dict, got %s; ignored (%s)" % (type(data).__name__, e),
                          RuntimeWarning, stacklevel=3)
            return
        if step is not None:
            s = _values.scalar(step)
            if isinstance(s, bool) or not isinstance(s, (int, float)) or s != s or s < 0 \
                    or float(s) != int(s):
                warnings.warn("runrewind: log(step=%r) on run %s: the step must be a non-negative "
                              "integer; the data is dropped" % (step, self._id), RuntimeWarning, stacklevel=3)
                return
            s = int(s)
            if s < self._step:
                warnings.warn("runrewind: log(step=%d) on run %s is dropped: steps must increase and the "
                              "current step is %d (log without step=, or with step >= %d)"
                              % (s, self._id, self._step, self._step), RuntimeWarning, stacklevel=3)
                return
            if s > self._step:
                if self._pending is not None:
                    self._commit()
                self._step = s
            if commit is None:
                commit = False
        elif commit is None:
            commit = True
        if values:
            media = [k for k, v in values.items() if not type(v) in _PLAIN and _media.is_media(v)]
            if media:
                self._log_media(values, media)
        if self._pending is None:
            self._pending = values
        else:
            self._pending.update(values)
        if commit:
            self._commit()

    def _log_media(self, values, keys):
        """Stores the media of a logged dict (content-addressed, docs/PROTOCOL.md `media`) and writes one
        `media` record per key at the pending step; the keys leave the row. Never raises into the loop."""
        root = None if self._disabled else self._root
        for key in keys:
            value = values.pop(key)
            try:
                kind, items = _media.items_of(value, root)
                line = _media.media_record(self._clock(), self._step, key, kind, items)
            except Exception as e:  # a full disk or an odd value: warn once per key, keep training
                _values._warn_once(self._warned, key, "its media could not be stored (%s)" % e)
                continue
            self._writer.write_aside(line)

    def _commit(self):
        data = self._pending if self._pending is not None else {}
        self._pending = None
        changes = self._metrics.on_row(data) if self._metrics is not None else None
        t = self._clock()
        s = self._step
        try:
            body = _dumps(data, default=_values.jsonable)
        except (TypeError, ValueError) as e:  # e.g. a circular structure: never raise into the loop
            warnings.warn("runrewind: step %d of run %s could not be encoded (%s); written empty"
                          % (s, self._id, e), RuntimeWarning, stacklevel=4)
            body = "{}"
        self._write(_ROW % (t, s, body), t)
        self._step = s + 1
        self._summary_logged.update(data)
        explicit = self._summary_explicit
        if explicit:
            # As wandb: a logged value replaces an explicit summary value of the same key (the store
            # keeps explicit values on top, so it is told the new one).
            for k in data:
                if k in explicit:
                    if changes is None:
                        changes = {}
                    changes[k] = data[k]
                    explicit[k] = data[k]
        if changes:
            self.summary._metric.update(dict((k, v) for k, v in changes.items() if k not in explicit))
            self._record("summary", changes)

    def define_metric(self, name, step_metric=None, step_sync=None, hidden=None, summary=None, goal=None,
                      overwrite=None, **kwargs):
        """wandb's define_metric: ``step_metric`` (filled into rows that lack it, unless
        ``step_sync=False``), ``summary`` ("min,max,mean,first,last,best,none"; ``best`` with ``goal``),
        glob names ending in ``*``. Summaries are written as ``name.min`` ... keys of the run summary."""
        if self._metrics is None:
            self._metrics = _metrics.Metrics()
        metric = self._metrics.define(name, step_metric=step_metric, step_sync=step_sync, hidden=hidden,
                                      summary=summary, goal=goal, overwrite=overwrite, seed=self._summary_logged)
        seeded = dict((k, v) for k, v in self._metrics.seeded.items())
        if seeded:
            self._metrics.seeded.clear()
            self.summary._metric.update(seeded)
            self._record("summary", seeded)
        return metric

    def _record(self, kind, values):
        body = _dumps(values, default=_values.jsonable)
        t = self._clock()
        self._write('{"type": "%s", "time": %r, "%s": %s}\n' % (kind, t, kind, body), t)

    def _record_fields(self, fmt, args):
        t = self._clock()
        self._write(("{\"type\": " + fmt + "}\n") % ((t,) + args), t)

    # --- ending ---------------------------------------------------------------------------------

    def finish(self, exit_code=None, quiet=None):
        """Commits the pending row, writes `finish` and closes the file. Safe to call twice."""
        if self._finished:
            return
        self._finished = True
        try:
            if self._pending is not None:
                self._commit()
            try:
                self._finish_files()
            except Exception as e:  # never lose the finish record
                warnings.warn("runrewind: the run's saved files could not be kept: %s" % e, RuntimeWarning, stacklevel=2)
            self._stop_extras(False)
            code = 0 if exit_code is None else int(exit_code)
            self._record_fields('"finish", "time": %r, "exit_code": %d', (code,))
        finally:
            self._writer.close()
            _forget(self)

    def _abandon(self):
        """Test hook: stop writing without a finish, as a killed process would."""
        self._finished = True
        self._stop_extras(True)
        self._writer.close()
        _forget(self)

    def _stop_extras(self, abandon):
        """The console's last lines and the last system sample are written before `finish`."""
        closers, self._closers = self._closers, []
        if closers:
            self._writer.stop_thread()
        for closer in closers:
            try:
                closer(abandon)
            except Exception as e:  # pragma: no cover - never lose the finish record
                warnings.warn("runrewind: %s" % e, RuntimeWarning, stacklevel=3)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.finish(exit_code=1 if exc_type is not None else 0)
        return False

    def __repr__(self):
        return "<runrewind.Run %s (%s) version %s step %d>" % (self._id, self._name, self._version, self._step)


_open_runs = []
_forget_hooks = []


def _forget(run):
    try:
        _open_runs.remove(run)
    except ValueError:
        pass
    for hook in _forget_hooks:
        hook(run)


_failed = [False]


def _excepthook_wrapper(previous):
    def hook(exc_type, exc, tb):
        _failed[0] = True
        previous(exc_type, exc, tb)
    return hook


def _at_exit():
    code = 1 if _failed[0] else 0
    for run in list(_open_runs):
        try:
            run.finish(exit_code=code)
        except Exception as e:  # pragma: no cover - best effort at shutdown
            sys.stderr.write("runrewind: could not finish run %s: %s\n" % (run.id, e))
