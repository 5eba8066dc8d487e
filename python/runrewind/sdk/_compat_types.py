"""Types integrations test runs against with isinstance."""

from .._run import Run


class RunDisabled(Run):
    """Never instantiated: ``mode="disabled"`` returns a Run whose ``disabled`` is True. Lightning
    checks ``isinstance(run, (Run, RunDisabled))``; every run passes through the first."""
