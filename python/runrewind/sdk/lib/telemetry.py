"""``wandb.sdk.lib.telemetry``: integrations set feature flags in a context; nothing is sent anywhere."""


class _Sink(object):
    """Accepts any attribute chain and assignment: ``tel.feature.keras = True``."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        child = _Sink()
        object.__setattr__(self, name, child)
        return child

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)

    def __call__(self, *args, **kwargs):
        return self


class context(object):  # noqa: N801 - wandb's name
    def __init__(self, run=None, obj=None):
        self._sink = _Sink()

    def __enter__(self):
        return self._sink

    def __exit__(self, *exc):
        return False


class TelemetryRecord(_Sink):
    pass
