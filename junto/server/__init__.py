"""The HTTP server (``junto serve``): OpenAI-compatible chat completions and the native run API.

Needs the ``server`` extra (FastAPI, uvicorn); ``create_app`` and ``serve``
import it on first use and raise :class:`~junto.MissingDependencyError`
naming the extra when it is missing.
"""

from __future__ import annotations

from typing import Any

from junto._exceptions import MissingDependencyError
from junto.server._registry import RunHost
from junto.server._settings import ServerSettings, cap_budget, is_loopback

__all__ = ["RunHost", "RunRecords", "ServerSettings", "StoreRecords", "cap_budget", "create_app", "is_loopback", "serve"]

_LAZY = {"RunRecords", "StoreRecords", "create_app", "serve"}
_SERVER_PACKAGES = {"fastapi", "starlette", "uvicorn", "anyio"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'junto.server' has no attribute '{name}'")
    try:
        from junto.server import _app
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] in _SERVER_PACKAGES:
            raise MissingDependencyError("junto serve", "server") from error
        raise
    return getattr(_app, name)
