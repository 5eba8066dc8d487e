"""``wandb.sdk.wandb_metric``: what define_metric returns."""

from .._metrics import Metric  # noqa: F401
