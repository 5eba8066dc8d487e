"""``wandb.sdk.lib.runid``."""

from ...util import generate_id  # noqa: F401
