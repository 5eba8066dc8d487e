"""The wandb API around a Run Rewind run: init's wandb arguments and WANDB_* variables, the log directory
a framework's ``dir=`` maps to, ``mode="disabled"``, and the Run attributes and methods integrations call.
What has no local meaning (upload, login, alerts, watching gradients) is a quiet, documented no-op."""

import fnmatch
import glob as _glob
import os
import re
import shutil
import tempfile
import threading

from . import _term
from ._settings import INIT_FIELDS, Settings, as_settings
from .errors import BadArgumentError, BadSpecError, Error, UsageError

# init() keywords of the real wandb that Run Rewind reads, or accepts quietly because they have no
# local meaning (anything else still gets the "accepted and ignored" warning).
QUIET_KWARGS = frozenset((
    "anonymous", "force", "magic", "sync_tensorboard", "monitor_gym", "save_code", "tensorboard",
    "allow_val_change", "job_type", "group", "mode", "settings", "reinit", "config_exclude_keys",
    "config_include_keys",
))
MODES = ("online", "offline", "disabled", "shared", "dryrun", "run")
REINIT = (True, False, "default", "return_previous", "finish_previous", "create_new")
_TRUE = ("1", "true", "yes", "on")


class InitRequest(object):
    """init's arguments after WANDB_* variables and ``settings=`` filled in what was not given."""

    def __init__(self, args, extra, dir_is_parent):
        settings = as_settings(extra.pop("settings", None))
        given = settings.given()
        env = os.environ
        self.settings = settings

        def pick(name, envvar):
            value = args.get(name)
            if value is None:
                value = extra.get(name)
            if value is None:
                for setting, arg in INIT_FIELDS.items():
                    if arg == name and given.get(setting) is not None:
                        value = given[setting]
                        break
            if value is None and envvar:
                text = env.get(envvar)
                if text:
                    value = text
            return value

        self.project = pick("project", "WANDB_PROJECT")
        self.entity = pick("entity", "WANDB_ENTITY")
        self.name = pick("name", "WANDB_NAME")
        self.notes = pick("notes", "WANDB_NOTES")
        tags = pick("tags", "WANDB_TAGS")
        if isinstance(tags, str) and args.get("tags") is None and not given.get("run_tags"):
            tags = [t.strip() for t in tags.split(",") if t.strip()]
        self.tags = tags
        self.group = pick("group", "WANDB_RUN_GROUP")
        self.job_type = pick("job_type", "WANDB_JOB_TYPE")
        self.id = pick("id", "WANDB_RUN_ID")
        self.resume = pick("resume", "WANDB_RESUME")
        if isinstance(self.resume, str) and self.resume.lower() in _TRUE:
            self.resume = True
        self.resume_from = pick("resume_from", None)
        self.fork_from = pick("fork_from", None)
        self.reinit = pick("reinit", None)
        if self.reinit is None:
            self.reinit = "default"
        if self.reinit not in REINIT:
            raise BadArgumentError("init(reinit=%r): use 'default', 'return_previous', 'finish_previous', "
                                   "'create_new' or a bool" % (self.reinit,))
        mode = pick("mode", "WANDB_MODE")
        if env.get("WANDB_DISABLED", "").lower() in _TRUE and args.get("mode") is None and not given.get("mode"):
            mode = "disabled"
        if mode is not None and mode not in MODES:
            raise BadArgumentError("init(mode=%r): use 'online', 'offline', 'disabled' or 'shared' (every mode "
                                   "but 'disabled' logs locally)" % (mode,))
        self.mode = mode or "offline"
        self.disabled = self.mode == "disabled"
        self.config = args.get("config")
        exclude = extra.get("config_exclude_keys")
        include = extra.get("config_include_keys")
        if exclude and include:
            raise UsageError("init(): expected at most one of config_exclude_keys and config_include_keys")
        if (exclude or include) and self.config is not None:
            from ._run import _as_dict
            items = _as_dict(self.config)
            if include:
                items = dict((k, v) for k, v in items.items() if k in include)
            if exclude:
                items = dict((k, v) for k, v in items.items() if k not in exclude)
            self.config = items
        self.dir = log_directory(args.get("dir") or given.get("root_dir"), dir_is_parent)
        self.capture = capture_options(given)

    def init_args(self):
        return dict(project=self.project, entity=self.entity, name=self.name, id=self.id, config=self.config,
                    dir=self.dir, tags=self.tags, notes=self.notes, resume=self.resume,
                    resume_from=self.resume_from, fork_from=self.fork_from)

    def extras(self):
        return dict(self.capture, group=_text(self.group), job_type=_text(self.job_type),
                    entity=_text(self.entity) or "", settings=self.settings, mode=self.mode)


CONSOLE_MODES = {"auto": "auto", "redirect": "redirect", "wrap": "wrap", "wrap_raw": "wrap", "wrap_emu": "wrap",
                 "off": "off"}
DEFAULT_STATS_INTERVAL = 10.0
_OFF = ("0", "off", "false", "no")


def capture_options(given=None, env=None):
    """What init records besides the metrics: ``console`` ("auto", "wrap", "redirect" or "off"),
    ``stats_interval`` (seconds between system samples, None for none) and ``meta`` (write the metadata
    record). Explicit settings win, then RUNREWIND_CONSOLE / RUNREWIND_STATS / RUNREWIND_META, then
    WANDB_CONSOLE, then the defaults (console "auto", a sample every 10 s, metadata on)."""
    given = given or {}
    env = os.environ if env is None else env
    console = given.get("console")
    where = "settings(console=%r)" % (console,)
    if console is None:
        for name in ("RUNREWIND_CONSOLE", "WANDB_CONSOLE"):
            if env.get(name):
                console, where = env[name].strip().lower(), "%s=%r" % (name, env[name])
                break
    if console is None:
        mode = "auto"
    elif isinstance(console, bool):
        mode = "auto" if console else "off"
    else:
        mode = CONSOLE_MODES.get(str(console).lower())
        if mode is None:
            warn_once("console:%s" % where, "%s is not one of %s; using 'auto'"
                      % (where, ", ".join(sorted(CONSOLE_MODES))))
            mode = "auto"

    interval = DEFAULT_STATS_INTERVAL
    disabled = given.get("x_disable_stats")
    if disabled is None:
        disabled = given.get("_disable_stats")
    rate = given.get("x_stats_sampling_interval")
    text = env.get("RUNREWIND_STATS", "").strip().lower()
    if disabled is None and rate is None and text:
        if text in _OFF:
            disabled = True
        elif text not in ("1", "on", "true", "yes"):
            rate = text
    if rate is not None:
        try:
            interval = max(0.1, float(rate))
            if interval != interval or interval == float("inf"):
                raise ValueError(rate)
        except (TypeError, ValueError):
            warn_once("stats:%r" % (rate,), "the system metrics interval %r is not a number of seconds; "
                      "using %g" % (rate, DEFAULT_STATS_INTERVAL))
            interval = DEFAULT_STATS_INTERVAL
    if disabled:
        interval = None

    meta = given.get("x_disable_meta")
    if meta is None:
        meta = given.get("_disable_meta")
    if meta is None:
        meta = env.get("RUNREWIND_META", "").strip().lower() in _OFF
    return {"console": mode, "stats_interval": interval, "meta": not meta}


def start_fields(extras):
    """Extra start-record fields (readers ignore fields they do not know; they keep the values in the log)."""
    if not extras:
        return []
    return [(k, extras[k]) for k in ("group", "job_type") if extras.get(k)]


def _text(v):
    return None if v is None else str(v)


def log_directory(dir, dir_is_parent):
    """The log directory of a run.

    ``runrewind.init(dir=D)``: D is the log directory. ``wandb.init(dir=D)`` (the wandb package switch):
    as in wandb, D is where the tracker's own folder goes, and ``$RUNREWIND_DIR`` (set in VS Code's
    terminals) wins over it, so a framework's default ``dir="."`` still logs where the Runs view looks.
    Without either, ``$WANDB_DIR/.runrewind``, then ``./.runrewind``."""
    env = os.environ
    if dir is not None:
        dir = os.fspath(dir)
    if dir and not dir_is_parent:
        return os.path.abspath(os.path.expanduser(dir))
    if env.get("RUNREWIND_DIR"):
        return os.path.abspath(env["RUNREWIND_DIR"])
    if dir:
        return os.path.abspath(os.path.join(os.path.expanduser(dir), ".runrewind"))
    if env.get("WANDB_DIR"):
        return os.path.abspath(os.path.join(os.path.expanduser(env["WANDB_DIR"]), ".runrewind"))
    return os.path.abspath(".runrewind")


# ASCII digits only (\d would take other scripts' digits), matched whole (no trailing newline).
_NUMBER = re.compile(r"[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[0-9]+")


def spec_step(text, option, spec, example):
    """The step of a run spec. As wandb's parser, a number in any form is read ('200', '200.0', '2e2');
    Run Rewind then needs it to name a step: a whole number, not negative."""
    text = text.strip(" \t")
    if _INTEGER.fullmatch(text):
        return int(text)
    if _NUMBER.fullmatch(text):
        value = float(text)
        if value == int(value):
            return int(value)
        raise BadSpecError("%s=%r: step %s is not a whole number; steps are integers, like %s"
                           % (option, spec, text, example))
    raise BadSpecError("%s=%r: the step must be a non-negative integer, like %s" % (option, spec, example))


class NullWriter(object):
    """The writer of a disabled run: accepts every record and writes nothing."""

    path = None
    heartbeat = 0

    def __init__(self, clock):
        self.clock = clock
        self.last_time = 0.0

    def write(self, line, t):
        pass

    def write_aside(self, line):
        pass

    def start_thread(self):
        pass

    def sync(self):
        pass

    def close(self):
        pass


_warned_once = set()


def warn_once(key, message):
    if key not in _warned_once:
        _warned_once.add(key)
        _term.termwarn(message)


class RunMixin(object):
    """The part of wandb's Run that is about naming, settings and no-op services. Run sets the fields
    read here (``_entity``, ``_group``, ``_job_type``, ``_settings_obj``, ``_start_time``,
    ``_starting_step``, ``_disabled``, ``_root``, ``_id``)."""

    _entity = ""
    _group = None
    _job_type = None
    _settings_obj = None
    _start_time = 0.0
    _starting_step = 0
    _disabled = False
    _files_dir = None
    _saved = None  # _files.SavedFiles once run.save is called
    _files_base = None  # the files a rewind, fork or resume inherited (_files.inherited)
    _wandb_mode = "offline"

    @property
    def entity(self):
        return self._entity

    @property
    def group(self):
        return self._group or ""

    @property
    def job_type(self):
        return self._job_type or ""

    @property
    def start_time(self):
        """When init started the run (unix seconds)."""
        return self._start_time

    @property
    def starting_step(self):
        """The step of the first row this process logs."""
        return self._starting_step

    @property
    def offline(self):
        # Like wandb's offline mode: nothing is synced anywhere.
        return not self._disabled

    @property
    def disabled(self):
        return self._disabled

    @property
    def settings(self):
        s = Settings(**(self._settings_obj.given() if self._settings_obj is not None else {}))
        s.update(mode=self._wandb_mode, project=self._project, entity=self._entity, run_id=self._id,
                 run_name=self._name, run_group=self._group, run_job_type=self._job_type,
                 run_tags=tuple(self.tags), run_notes=self.notes, root_dir=self._root,
                 files_dir=self.dir, offline=not self._disabled, disabled=self._disabled,
                 _offline=not self._disabled, _noop=self._disabled)
        capture = getattr(self, "_capture_options", None)
        if capture:
            s.update(console=capture["console"], x_disable_stats=capture["stats_interval"] is None,
                     x_disable_meta=not capture["meta"])
            if capture["stats_interval"] is not None:
                s.update(x_stats_sampling_interval=capture["stats_interval"])
        return s

    @property
    def url(self):
        """None, as for wandb's offline runs: the run lives in the workspace, not at an address."""
        return None

    def get_url(self):
        return None

    def get_project_url(self):
        return None

    def get_sweep_url(self):
        return None

    @property
    def sweep_id(self):
        return None

    @property
    def path(self):
        """``entity/project/id`` as wandb's (the entity left out when there is none)."""
        return "/".join(p for p in (self._entity, self._project, self._id) if p)

    def project_name(self):
        return self._project

    @property
    def dir(self):
        """This run version's own files directory (``<log dir>/files/<run id>/<version id>``), created on
        first use: what ``wandb.save`` copies and what callbacks write to ``run.dir/model.h5`` stays apart
        per run and per rewind; everything in it is kept with the version at finish (docs/PROTOCOL.md)."""
        path = self._version_dir()
        try:
            os.makedirs(path, exist_ok=True)
        except OSError:
            pass
        return path

    def _version_dir(self):
        if self._files_dir is None:
            if self._disabled or self._root is None:
                self._files_dir = tempfile.mkdtemp(prefix="runrewind-disabled-")
            else:
                self._files_dir = os.path.join(self._root, "files", self._id, self._version)
        return self._files_dir

    # --- wandb services with no local meaning ---------------------------------------------------

    def _label(self, *args, **kwargs):
        """wandb's telemetry label for integrations; nothing to record."""

    def _attach_id(self):
        return None

    def save(self, glob_str=None, base_path=None, policy="live"):
        """Keeps the files ``glob_str`` matches with this run version, as wandb's: copied into ``run.dir``
        at their path relative to ``base_path`` (default: the glob's folder if it is absolute, else the
        working directory), stored once per content and recorded as the next version of the run's
        ``run-files`` artifact. ``policy``: "now" copies at once, "end" at finish, "live" at once and
        again at finish if the file changed. Returns the paths in ``run.dir``."""
        if glob_str is None:
            return []
        if self._disabled:
            return []
        return self._saved_files().save(glob_str, base_path, policy)

    def _saved_files(self):
        from . import _files
        if self._saved is None:
            self._saved = _files.SavedFiles(self, self._files_base)
        return self._saved

    def _finish_files(self):
        """At finish: "live" and "end" files copied, and run.dir recorded if it changed (run.finish)."""
        if self._disabled or (self._saved is None and not os.path.isdir(self._version_dir())):
            return
        self._saved_files().finish()

    def restore(self, name, run_path=None, replace=False, root=None):
        """A saved file opened for reading: from ``run.dir``, else the copy this version inherited from
        the history it was rewound or forked from."""
        from . import _artifacts
        path = os.path.join(root or self.dir, name)
        if not os.path.exists(path) and root is None:
            entry = (self._files_base or {}).get(str(name).replace(os.sep, "/"))
            if entry is not None:
                path = _artifacts.object_path(self._root, entry["sha256"])
        return open(path) if os.path.exists(path) else None

    def alert(self, title, text, level=None, wait_duration=None):
        """Prints the alert (wandb sends it by mail or Slack)."""
        _term.termwarn("alert: %s: %s" % (title, text))

    def mark_preempting(self):
        """wandb tells its server the run may be preempted; a local run needs nothing."""

    def watch(self, models=None, criterion=None, log="gradients", log_freq=1000, idx=None, log_graph=False):
        """Gradient and parameter histograms are media, which Run Rewind does not chart yet: a no-op."""
        warn_once("watch", "run.watch() records nothing in Run Rewind (gradient histograms are not charted)")

    def unwatch(self, models=None):
        pass

    def log_code(self, root=".", name=None, include_fn=None, exclude_fn=None):
        return None

    def pin_config_keys(self, keys):
        pass

    def status(self):
        return None

    def _placeholder(self, what):
        warn_once(what, "run.%s() is not supported by Run Rewind yet; nothing was recorded" % what)

    def log_artifact(self, artifact_or_path=None, name=None, type=None, aliases=None, tags=None, **kwargs):
        """Stores the artifact's files (content-addressed, once per content) as its next version and
        records it with this run version at the current step (docs/PROTOCOL.md, `artifact`)."""
        from . import _artifacts
        art = artifact_or_path
        if not isinstance(art, _artifacts.Artifact):
            if art is None:
                raise BadArgumentError("log_artifact() needs an Artifact or a path")
            path = os.fspath(art)
            art = _artifacts.Artifact(name or _artifact_name(path), type or "unspecified")
            if os.path.isdir(path):
                art.add_dir(path)
            else:
                art.add_file(path)
        if self._disabled:
            return art
        t = self._clock()
        doc = art._commit(self._root, self._id, self._version, self._done_step(), aliases, t)
        given = _artifacts._aliases(aliases)
        self._writer.write_aside(_artifacts.record("log", art, self._done_step(), t, aliases=given,
                                                   extra={"new": doc.get("run_version") == self._version and doc.get("created") == t}))
        return art

    def use_artifact(self, artifact_or_name=None, type=None, aliases=None, use_as=None, **kwargs):
        """The logged version ``artifact_or_name`` names (``name``, ``name:vN``, ``name:alias``), recorded as
        used by this run version; ``.download()`` gives its files."""
        from . import _artifacts
        if self._disabled:
            raise Error("use_artifact() in a disabled run: there is no log directory to read artifacts from")
        if isinstance(artifact_or_name, _artifacts.Artifact):
            art = artifact_or_name
            if art.version is None:
                art = self.log_artifact(art, aliases=aliases)
        else:
            art = _artifacts.resolve(self._root, artifact_or_name, type=type)
        t = self._clock()
        self._writer.write_aside(_artifacts.record("use", art, self._done_step(), t))
        return art

    def link_artifact(self, artifact=None, target_path=None, aliases=None, **kwargs):
        """wandb links into a registry on its server; here the link is recorded with its aliases."""
        from . import _artifacts
        if self._disabled or not isinstance(artifact, _artifacts.Artifact) or artifact.version is None:
            return None
        t = self._clock()
        self._writer.write_aside(_artifacts.record("link", artifact, self._done_step(), t, aliases=_artifacts._aliases(aliases),
                                                   extra={"target": str(target_path)}))
        return artifact

    def _done_step(self):
        """The step an artifact belongs to: the last committed row's (the state a checkpoint holds), so a
        rewind to that step keeps it; None before the first row."""
        return self._step - 1 if self._step > 0 else None

    def log_model(self, path=None, name=None, aliases=None, **kwargs):
        return self.log_artifact(path, name=name, type="model", aliases=aliases)

    def use_model(self, name=None):
        return self.use_artifact(name).download()

    def link_model(self, path=None, registered_model_name=None, name=None, aliases=None, **kwargs):
        art = self.log_model(path, name=name, aliases=aliases)
        return self.link_artifact(art, registered_model_name, aliases=aliases)

    def upsert_artifact(self, *args, **kwargs):
        self._placeholder("upsert_artifact")

    def finish_artifact(self, *args, **kwargs):
        self._placeholder("finish_artifact")

    def display(self, height=420, hidden=False):
        return False

    def to_html(self, height=420, hidden=False):
        return ""


def _artifact_name(path):
    base = re.sub(r"[^A-Za-z0-9_.-]", "-", os.path.basename(os.path.normpath(path)))[:128]
    return base or "artifact"


def matches(pattern, key):
    return fnmatch.fnmatchcase(key, pattern)


# --- module-level pieces ----------------------------------------------------------------------------

_login_lock = threading.Lock()


def login(anonymous=None, key=None, relogin=None, host=None, force=None, timeout=None, verify=False,
          referrer=None, **kwargs):
    """Nothing to log in to: returns True, as wandb does when it is already logged in."""
    return True


def require(requirement=None, experiment=None):
    """wandb.require("service") and friends: feature switches of the real client; nothing to switch."""


def setup(settings=None):
    return None


def teardown(exit_code=None):
    return None


def sweep(sweep=None, entity=None, project=None, prior_runs=None):
    raise Error("wandb.sweep() needs the W&B server; Run Rewind is local and has no sweeps")


def agent(sweep_id=None, function=None, entity=None, project=None, count=None):
    raise Error("wandb.agent() needs the W&B server; Run Rewind is local and has no sweeps")


def wandb_init(*args, **kwargs):
    """``wandb.init`` of the package switch (python/wandb-shim)."""
    import runrewind
    return runrewind._wandb_init(*args, **kwargs)
