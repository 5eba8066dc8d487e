"""``wandb.sdk``: the submodules integrations import by their full names."""

from . import lib, wandb_config, wandb_metric, wandb_run, wandb_settings, wandb_summary  # noqa: F401
from .wandb_run import Run  # noqa: F401
from .wandb_settings import Settings  # noqa: F401
