"""Errors raised by ``runrewind.init`` when a request breaks the rules of DESIGN.md section 3.

Every error is a ``ValueError`` carrying a stable ``code`` (the same codes as the TypeScript core's
``src/core/errors.ts``), and is raised before anything is written to the log directory.
"""

__all__ = [
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


class RunRewindError(ValueError):
    """Base class. ``code`` is one of the core's error codes ('bad-spec', 'unknown-run', ...)."""

    code = "internal"

    def __init__(self, message, code=None):
        super().__init__(message)
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
