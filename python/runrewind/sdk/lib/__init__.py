"""``wandb.sdk.lib``: ``RunDisabled`` (a disabled run is a Run here, as in wandb 0.19 and later)."""

from .._compat_types import RunDisabled  # noqa: F401
from . import config_util, runid, telemetry  # noqa: F401
