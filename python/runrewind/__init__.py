"""runrewind: a local, offline experiment tracker with the wandb API shape.

    import runrewind as wandb
    run = wandb.init(project="mnist", config={"lr": 1e-3})
    run.log({"loss": 0.5})
    run.finish()

Logs go to ``dir=``, ``$RUNREWIND_DIR`` or ``./.runrewind`` as JSON lines (docs/PROTOCOL.md); the
Run Rewind VS Code extension and command line read them.
"""

import sys as _sys

from . import errors
from ._init import init as _init
from ._artifacts import Artifact
from ._media import Audio, Histogram, Html, Image, Table, Video
from ._metrics import Metric
from ._run import Config, Run, Summary
from ._settings import Settings
from ._term import termerror, termlog, termsetup, termwarn
from ._wandb_compat import agent, login, require, setup, sweep, teardown
from .errors import Error, RunRewindError

__version__ = "0.1.0"
__all__ = ["init", "log", "finish", "run", "config", "summary", "Run", "Config", "Summary",
           "RunRewindError", "errors", "Error", "Settings", "define_metric", "termlog", "termwarn",
           "termerror", "login", "require", "save", "watch", "unwatch", "alert", "mark_preempting",
           "Metric", "util", "Image", "Histogram", "Table", "Audio", "Video", "Html", "plot", "plot_table", "Artifact",
           "log_artifact", "use_artifact", "log_model", "link_artifact"]

#: The run started last by ``init`` and not finished yet, as ``wandb.run``.
run = None
#: ``run.config`` of that run (None before ``init``).
config = None
#: ``run.summary`` of that run (None before ``init``).
summary = None

_module = _sys.modules[__name__]
#: init's arguments that are the wandb API's rather than this function's own.
_WANDB_KWARGS = ("group", "job_type", "mode", "settings", "reinit", "config_exclude_keys", "config_include_keys")


def init(project=None, entity=None, name=None, id=None, config=None, dir=None, tags=None, notes=None,
         resume=None, resume_from=None, fork_from=None, **kwargs):
    """Starts a run (see the README): wandb's ``init`` with rewind and fork. WANDB_* variables and
    ``settings=`` fill in what is not given; ``reinit`` decides what a second ``init`` while a run is
    active does (default: return that run, as wandb)."""
    return _start(dict(project=project, entity=entity, name=name, id=id, config=config, dir=dir, tags=tags,
                       notes=notes, resume=resume, resume_from=resume_from, fork_from=fork_from),
                  kwargs, dir_is_parent=False)


def _wandb_init(project=None, entity=None, name=None, id=None, config=None, dir=None, tags=None, notes=None,
                resume=None, resume_from=None, fork_from=None, **kwargs):
    """``init`` as the `wandb` package switch calls it: ``dir=`` has wandb's meaning (see
    _wandb_compat.log_directory)."""
    return _start(dict(project=project, entity=entity, name=name, id=id, config=config, dir=dir, tags=tags,
                       notes=notes, resume=resume, resume_from=resume_from, fork_from=fork_from),
                  kwargs, dir_is_parent=True)


def _start(args, kwargs, dir_is_parent):
    from ._wandb_compat import InitRequest, QUIET_KWARGS
    extra = dict((k, kwargs.pop(k)) for k in list(kwargs) if k in QUIET_KWARGS)
    req = InitRequest(args, extra, dir_is_parent)
    previous = _module.run
    if previous is not None and not previous._finished:
        if req.reinit in (True, "finish_previous"):
            for open_run in list(_run_module._open_runs) + [previous]:
                open_run.finish()
        elif req.reinit == "create_new":
            pass
        elif req.resume == "must":
            raise Error("Cannot resume a run while another run is active. You must either finish it using "
                        "run.finish(), or use reinit='create_new' when calling init().")
        else:
            termlog("init() called while a run is active and reinit is %r, so returning the previous run "
                    "(%s)." % (req.reinit, previous.id), repeat=False)
            return previous
    new = _init(_extras=req.extras(), **dict(req.init_args(), **kwargs))
    if req.reinit != "create_new" or _module.run is None or _module.run._finished:
        _module.run = new
        _module.config = new.config
        _module.summary = new.summary
    return new


def _forget(finished):
    if _module.run is finished:
        _module.run = None
        # Like wandb, config and summary stay readable after finish.


from . import _run as _run_module  # noqa: E402

_run_module._forget_hooks.append(_forget)


def _current(what):
    if _module.run is None:
        raise errors.RunRewindError("runrewind.%s() needs an active run: call runrewind.init() first" % what,
                                    code="bad-argument")
    return _module.run


def log(data, step=None, commit=None):
    """``runrewind.run.log(...)`` for the current run."""
    _current("log").log(data, step=step, commit=commit)


def finish(exit_code=None, quiet=None):
    """Finishes the current run, if there is one."""
    if _module.run is not None:
        _module.run.finish(exit_code=exit_code)


def define_metric(name, step_metric=None, step_sync=None, hidden=None, summary=None, goal=None,
                  overwrite=None, **kwargs):
    """``runrewind.run.define_metric(...)`` for the current run."""
    return _current("define_metric").define_metric(name, step_metric=step_metric, step_sync=step_sync,
                                                   hidden=hidden, summary=summary, goal=goal,
                                                   overwrite=overwrite, **kwargs)


def save(glob_str=None, base_path=None, policy="live"):
    return _current("save").save(glob_str, base_path=base_path, policy=policy)


def watch(models=None, criterion=None, log="gradients", log_freq=1000, idx=None, log_graph=False):
    return _current("watch").watch(models, criterion, log, log_freq, idx, log_graph)


def unwatch(models=None):
    return _current("unwatch").unwatch(models)


def alert(title, text, level=None, wait_duration=None):
    return _current("alert").alert(title, text, level, wait_duration)


def mark_preempting():
    return _current("mark_preempting").mark_preempting()


def log_artifact(*args, **kwargs):
    return _current("log_artifact").log_artifact(*args, **kwargs)


def use_artifact(*args, **kwargs):
    return _current("use_artifact").use_artifact(*args, **kwargs)


def link_artifact(*args, **kwargs):
    return _current("link_artifact").link_artifact(*args, **kwargs)


def log_model(*args, **kwargs):
    return _current("log_model").log_model(*args, **kwargs)


join = finish

from . import util  # noqa: E402
from . import plot  # noqa: E402
from .plot import plot_table  # noqa: E402,F401
from . import sdk  # noqa: E402,F401
