"""junto: a team of specialist models whose answers are checked by something other than a model."""

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

__version__ = "0.1.0"

# After __version__: the run API pulls in the sandbox, which reads junto.__version__.
from junto._junto import Junto  # noqa: E402
from junto._runs import RunRecord, RunResult, RunStatus  # noqa: E402
from junto.graphs._builder import TaskGraph  # noqa: E402
from junto.graphs._store import PostgresStore, RunStore, Session, SqliteStore, open_store  # noqa: E402

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
