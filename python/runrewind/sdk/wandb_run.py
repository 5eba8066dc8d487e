"""``wandb.sdk.wandb_run``: the Run class."""

from .._run import Run  # noqa: F401
