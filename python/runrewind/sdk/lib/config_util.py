"""``wandb.sdk.lib.config_util``: ``ConfigError``, raised when a config value changes without allow_val_change."""

from ...errors import ConfigError  # noqa: F401
