"""The `wandb` package switch: an importable `wandb` that is Run Rewind, so an unchanged script (or a
framework's wandb integration) logs to the workspace. Optional: on PYTHONPATH when the setting
`runRewind.terminal.wandbPackage` is on, or installed with `pip install ./python/wandb-shim`.

Every name resolves to the `runrewind` module of the same name; `wandb.init(dir=D)` keeps wandb's meaning
of D (a parent folder, losing to $RUNREWIND_DIR). See the README's "Use it with your framework".
"""

import importlib
import pkgutil
import sys

try:
    import runrewind as _rr
except ImportError as e:  # pragma: no cover - a broken install
    raise ImportError("this `wandb` is Run Rewind's package switch and needs the `runrewind` client on the path "
                      "(pip install ./python, or the VS Code setting runRewind.terminal.wandbPackage)") from e

#: The wandb API version Run Rewind follows (integrations compare it with their minimum).
__version__ = "0.31.0"
#: What this package really is.
__runrewind_version__ = _rr.__version__


def _alias_submodules():
    # `import wandb.sdk.lib.telemetry` must find the very module objects runrewind uses, so state
    # (the current run, config errors raised and caught) is shared, never duplicated.
    for info in pkgutil.walk_packages(_rr.__path__, "runrewind."):
        tail = info.name[len("runrewind."):]
        if tail.startswith("_"):
            continue
        module = importlib.import_module(info.name)
        sys.modules["wandb." + tail] = module


_alias_submodules()

from runrewind import errors, sdk, util  # noqa: E402,F401
from runrewind import env, integration, wandb_run  # noqa: E402,F401
from runrewind._wandb_compat import wandb_init as init  # noqa: E402,F401


def __getattr__(name):
    # run, config and summary change at each init: read them from runrewind every time.
    try:
        return getattr(_rr, name)
    except AttributeError:
        raise AttributeError("module 'wandb' (Run Rewind) has no attribute %r" % name) from None


def __dir__():
    return sorted(set(globals()) | set(dir(_rr)))
