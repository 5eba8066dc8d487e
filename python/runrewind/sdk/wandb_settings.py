"""``wandb.sdk.wandb_settings``: the Settings class."""

from .._settings import Settings  # noqa: F401
