"""``wandb.sdk.wandb_config``: the Config class."""

from .._run import Config  # noqa: F401
