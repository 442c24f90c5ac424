"""junto: a team of specialist models whose answers are checked by something other than a model."""

from typing import TYPE_CHECKING

from junto._lazy import lazy_exports
from junto._version import __version__

if TYPE_CHECKING:
    from junto._budget import Budget, BudgetTracker, Spend
    from junto._config import JuntoConfig, load_config
    from junto._exceptions import (
        BudgetExceeded,
        CheckError,
        ConfigError,
        GraphSetupError,
        JuntoError,
        MissingDependencyError,
        ModelAuthError,
        ModelConnectionError,
        ModelError,
        ModelHTTPError,
        ModelRateLimitError,
        ModelResponseError,
        ModelTimeoutError,
        RunError,
        SandboxError,
        SandboxFileError,
        SandboxImageMissing,
        SandboxLimitsError,
        SandboxTimeout,
        SandboxUnavailable,
        SetupError,
        StructuredOutputError,
    )
    from junto._exit import ExitReason
    from junto._junto import Junto
    from junto._otel import OtelExporter
    from junto._runs import RunRecord, RunResult, RunStatus
    from junto.graphs._builder import TaskGraph
    from junto.graphs._store import PostgresStore, RunStore, Session, SqliteStore, open_store

__all__ = [
    "Budget",
    "BudgetExceeded",
    "BudgetTracker",
    "CheckError",
    "ConfigError",
    "ExitReason",
    "GraphSetupError",
    "Junto",
    "JuntoConfig",
    "JuntoError",
    "MissingDependencyError",
    "ModelAuthError",
    "ModelConnectionError",
    "ModelError",
    "ModelHTTPError",
    "ModelRateLimitError",
    "ModelResponseError",
    "ModelTimeoutError",
    "OtelExporter",
    "PostgresStore",
    "RunError",
    "RunRecord",
    "RunResult",
    "RunStatus",
    "RunStore",
    "SandboxError",
    "SandboxFileError",
    "SandboxImageMissing",
    "SandboxLimitsError",
    "SandboxTimeout",
    "SandboxUnavailable",
    "Session",
    "SetupError",
    "Spend",
    "SqliteStore",
    "StructuredOutputError",
    "TaskGraph",
    "__version__",
    "load_config",
    "open_store",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    globals(),
    {
        "Budget": "junto._budget",
        "BudgetExceeded": "junto._exceptions",
        "BudgetTracker": "junto._budget",
        "CheckError": "junto._exceptions",
        "ConfigError": "junto._exceptions",
        "ExitReason": "junto._exit",
        "GraphSetupError": "junto._exceptions",
        "Junto": "junto._junto",
        "JuntoConfig": "junto._config",
        "JuntoError": "junto._exceptions",
        "MissingDependencyError": "junto._exceptions",
        "ModelAuthError": "junto._exceptions",
        "ModelConnectionError": "junto._exceptions",
        "ModelError": "junto._exceptions",
        "ModelHTTPError": "junto._exceptions",
        "ModelRateLimitError": "junto._exceptions",
        "ModelResponseError": "junto._exceptions",
        "ModelTimeoutError": "junto._exceptions",
        "OtelExporter": "junto._otel",
        "PostgresStore": "junto.graphs._store",
        "RunError": "junto._exceptions",
        "RunRecord": "junto._runs",
        "RunResult": "junto._runs",
        "RunStatus": "junto._runs",
        "RunStore": "junto.graphs._store",
        "SandboxError": "junto._exceptions",
        "SandboxFileError": "junto._exceptions",
        "SandboxImageMissing": "junto._exceptions",
        "SandboxLimitsError": "junto._exceptions",
        "SandboxTimeout": "junto._exceptions",
        "SandboxUnavailable": "junto._exceptions",
        "Session": "junto.graphs._store",
        "SetupError": "junto._exceptions",
        "Spend": "junto._budget",
        "SqliteStore": "junto.graphs._store",
        "StructuredOutputError": "junto._exceptions",
        "TaskGraph": "junto.graphs._builder",
        "load_config": "junto._config",
        "open_store": "junto.graphs._store",
    },
)
