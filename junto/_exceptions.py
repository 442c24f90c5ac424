"""Every error junto raises, in one tree.

    JuntoError
    ├── SetupError                  wrong before anything ran; fix and retry
    │   ├── ConfigError             junto.toml or an option is invalid
    │   ├── GraphSetupError         a task graph or plan does not compile
    │   └── MissingDependencyError  an optional extra is not installed
    ├── ModelError                  a model call failed (and carries what it spent)
    │   ├── ModelConnectionError    the server could not be reached
    │   ├── ModelTimeoutError       the call took longer than its timeout
    │   ├── ModelHTTPError          the server answered with an error status
    │   │   ├── ModelAuthError      401/403: the key is missing or wrong
    │   │   └── ModelRateLimitError 429 after every retry
    │   ├── ModelResponseError      the answer was malformed (bad JSON, cut stream)
    │   └── StructuredOutputError   the answer never matched the output type
    ├── SandboxError                the sandbox could not run the code
    │   ├── SandboxUnavailable      no Docker engine answers
    │   ├── SandboxImageMissing     the runtime image is not built
    │   ├── SandboxLimitsError      SandboxLimits are invalid
    │   ├── SandboxTimeout          the sandbox itself did not answer in time
    │   └── SandboxFileError        a file going in or out was refused
    ├── CheckError                  a checker could not decide (bad input, time limit)
    ├── BudgetExceeded              the run's budget is spent (a control-flow signal)
    └── RunError                    a run failed as a whole (store, cancelled, ...)

Exceptions carry data, not side effects: they never log. Third-party errors
(httpx, docker, sympy) are translated into the most specific class here at the
boundary of the adapter that met them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from junto.models._types import Usage

__all__ = [
    "BudgetExceeded",
    "CheckError",
    "ConfigError",
    "GraphSetupError",
    "JuntoError",
    "MissingDependencyError",
    "ModelAuthError",
    "ModelConnectionError",
    "ModelError",
    "ModelHTTPError",
    "ModelRateLimitError",
    "ModelResponseError",
    "ModelTimeoutError",
    "RunError",
    "SandboxError",
    "SandboxFileError",
    "SandboxImageMissing",
    "SandboxLimitsError",
    "SandboxTimeout",
    "SandboxUnavailable",
    "SetupError",
    "StructuredOutputError",
]


class JuntoError(Exception):
    """Base of every error junto raises.

    ``hint`` says what to do about it; the CLI prints it under the message.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class SetupError(JuntoError):
    """Something is wrong before anything ran."""


class ConfigError(SetupError):
    """junto.toml, an environment variable or an option is invalid."""

    def __init__(self, message: str, *, key: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.key = key


class GraphSetupError(SetupError):
    """A task graph or a plan does not compile."""

    def __init__(self, message: str, *, tasks: list[str] | None = None, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.tasks = tasks or []
        self.errors = errors or [message]


class MissingDependencyError(SetupError):
    """An optional extra is needed but not installed."""

    def __init__(self, feature: str, extra: str) -> None:
        super().__init__(
            f"{feature} needs the '{extra}' extra",
            hint=f"pip install 'junto[{extra}]'",
        )
        self.feature = feature
        self.extra = extra


class ModelError(JuntoError):
    """A model call failed.

    ``usage`` and ``cost_usd`` are what the call spent before it failed
    (``None``: nothing known to be spent), so that a budget and a trace can
    charge it whatever the outcome. ``retry_after`` is how long the server
    asked to wait before trying again (``None``: it did not say).
    """

    retry_after: float | None = None

    def __init__(
        self,
        message: str,
        *,
        model: str | None = None,
        hint: str | None = None,
        usage: Usage | None = None,
        cost_usd: float = 0.0,
    ) -> None:
        super().__init__(message, hint=hint)
        self.model = model
        self.usage = usage
        self.cost_usd = cost_usd


class ModelConnectionError(ModelError):
    """The model server could not be reached."""


class ModelTimeoutError(ModelError):
    """The model call took longer than its timeout."""


class ModelHTTPError(ModelError):
    """The model server answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: str = "",
        model: str | None = None,
        retry_after: float | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, model=model, hint=hint)
        self.status_code = status_code
        self.body = body
        self.retry_after = retry_after


class ModelAuthError(ModelHTTPError):
    """401 or 403: the API key is missing or wrong."""


class ModelRateLimitError(ModelHTTPError):
    """429 persisted through every retry."""


class ModelResponseError(ModelError):
    """The answer was malformed: bad JSON, a cut stream, missing fields."""


class StructuredOutputError(ModelError):
    """The model's answer never validated against the requested output type."""

    def __init__(
        self,
        message: str,
        *,
        model: str | None = None,
        last_output: str = "",
        errors: str = "",
        usage: Usage | None = None,
        cost_usd: float = 0.0,
    ) -> None:
        super().__init__(message, model=model, usage=usage, cost_usd=cost_usd)
        self.last_output = last_output
        self.errors = errors


class SandboxError(JuntoError):
    """The sandbox could not run the code (not: the code failed)."""


class SandboxUnavailable(SandboxError):
    """No Docker engine answers."""


class SandboxImageMissing(SandboxError):
    """The sandbox runtime image is not built."""


class SandboxLimitsError(SandboxError):
    """SandboxLimits hold an invalid value; ``problems`` maps each field at fault to what is wrong with it."""

    def __init__(self, message: str, *, problems: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or {}


class SandboxTimeout(SandboxError):
    """The engine itself did not answer in time (the program's own timeout is a result, not an error)."""


class SandboxFileError(SandboxError):
    """A file going into or out of the sandbox was refused."""


class CheckError(JuntoError):
    """A checker could not decide: unparsable input, a time limit, unsafe input."""


class BudgetExceeded(JuntoError):
    """The run's budget is spent. Raised before a call that would overspend."""

    def __init__(self, message: str, *, resource: str) -> None:
        super().__init__(message)
        self.resource = resource


class RunError(JuntoError):
    """A run failed as a whole."""
