"""junto: a team of specialist models whose answers are checked by something other than a model."""

# First: the sandbox, which the configuration and the run API import, reads junto.__version__.
__version__ = "0.1.0"

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
from junto._junto import Junto
from junto._runs import RunRecord, RunResult, RunStatus
from junto.graphs._builder import TaskGraph
from junto.graphs._store import PostgresStore, RunStore, Session, SqliteStore, open_store

__all__ = [
    "Budget",
    "BudgetExceeded",
    "BudgetTracker",
    "CheckError",
    "ConfigError",
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
