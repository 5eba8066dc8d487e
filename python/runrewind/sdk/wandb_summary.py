"""``wandb.sdk.wandb_summary``: the Summary class."""

from .._run import Summary  # noqa: F401
