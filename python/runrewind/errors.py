"""Errors raised by ``runrewind.init`` when a request breaks the rules of the rewind and fork rules (docs/ARCHITECTURE.md, "Rewind and fork"), and the
``wandb.errors`` classes integrations catch.

Every error is a ``ValueError`` carrying a stable ``code`` (the same codes as the TypeScript core's
``src/core/errors.ts``), and is raised before anything is written to the log directory.
"""

__all__ = [
    "Error",
    "CommError",
    "UsageError",
    "AuthenticationError",
    "UnsupportedError",
    "ConfigError",
    "RunRewindError",
    "BadSpecError",
    "BadIdError",
    "BadArgumentError",
    "ConflictingOptionsError",
    "UnknownRunError",
    "RunDeletedError",
    "UnknownVersionError",
    "StepOutOfRangeError",
    "NoHistoryError",
    "RunRunningError",
    "IdConflictError",
    "RunBusyError",
]


class Error(Exception):
    """``wandb.Error``: the base of every error the wandb API raises, so ``except wandb.Error`` catches
    Run Rewind's own refusals too."""

    def __init__(self, message="", context=None):
        super().__init__(message)
        self.message = message
        self.context = context


class CommError(Error):
    """wandb's network error. Nothing here talks to a network; kept so ``except`` clauses import."""

    def __init__(self, msg="", exc=None):
        super().__init__(msg)
        self.exc = exc


class UsageError(Error):
    """A wandb API called in a way it does not support (e.g. ``define_metric`` with a bad argument)."""


class AuthenticationError(CommError):
    """Never raised: there is no login."""


class UnsupportedError(UsageError):
    """A wandb feature that has no local meaning and cannot be imitated."""


class ConfigError(Error):
    """``wandb.sdk.lib.config_util.ConfigError``: a config value changed without ``allow_val_change``."""


class RunRewindError(ValueError, Error):
    """Base class. ``code`` is one of the core's error codes ('bad-spec', 'unknown-run', ...)."""

    code = "internal"

    def __init__(self, message, code=None):
        ValueError.__init__(self, message)
        self.message = message
        self.context = None
        if code is not None:
            self.code = code


class BadSpecError(RunRewindError):
    code = "bad-spec"


class BadIdError(RunRewindError):
    code = "bad-id"


class BadArgumentError(RunRewindError):
    code = "bad-argument"


class ConflictingOptionsError(RunRewindError):
    code = "conflicting-options"


class UnknownRunError(RunRewindError):
    code = "unknown-run"


class RunDeletedError(UnknownRunError):
    """The run exists in the logs but was deleted."""


class UnknownVersionError(RunRewindError):
    code = "unknown-version"


class StepOutOfRangeError(RunRewindError):
    code = "step-out-of-range"


class NoHistoryError(StepOutOfRangeError):
    code = "no-history"


class RunRunningError(RunRewindError):
    code = "run-running"


class IdConflictError(RunRewindError):
    code = "id-conflict"


class RunBusyError(RunRewindError):
    """Another process holds the run's lock (it is resuming, rewinding or forking it) past the timeout."""

    code = "locked"
