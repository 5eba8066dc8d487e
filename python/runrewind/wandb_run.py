"""``wandb.wandb_run``: the Run class under its old import path (Lightning imports it from here)."""

from ._run import Run  # noqa: F401
