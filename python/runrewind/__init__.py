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
from ._run import Config, Run, Summary
from .errors import RunRewindError

__version__ = "0.1.0"
__all__ = ["init", "log", "finish", "run", "config", "summary", "Run", "Config", "Summary",
           "RunRewindError", "errors"]

#: The run started last by ``init`` and not finished yet, as ``wandb.run``.
run = None
#: ``run.config`` of that run (None before ``init``).
config = None
#: ``run.summary`` of that run (None before ``init``).
summary = None

_module = _sys.modules[__name__]


def init(project=None, entity=None, name=None, id=None, config=None, dir=None, tags=None, notes=None,
         resume=None, resume_from=None, fork_from=None, **kwargs):
    """Starts a run (see the README). ``entity`` is accepted for wandb compatibility and ignored."""
    new = _init(project=project, entity=entity, name=name, id=id, config=config, dir=dir, tags=tags,
                notes=notes, resume=resume, resume_from=resume_from, fork_from=fork_from, **kwargs)
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
