"""How the server is bound and limited, and the rule that guards a public bind."""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, ConfigDict, Field

from junto._budget import Budget
from junto._exceptions import ConfigError

__all__ = ["ServerSettings", "cap_budget", "is_loopback"]


class ServerSettings(BaseModel):
    """Options of ``junto serve``.

    ``api_key``, when set, is required (``Authorization: Bearer KEY``) on every
    endpoint. Without one the server only binds a loopback address.
    ``budget_ceiling`` caps every run's budget, whatever a request asks for.
    """

    model_config = ConfigDict(frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    api_key: str | None = Field(default=None, repr=False)
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    max_concurrent_runs: int = Field(default=4, ge=1)
    budget_ceiling: Budget = Field(default_factory=lambda: Budget(max_tokens=200_000, max_wall_s=600.0))
    keep_runs: int = Field(default=200, ge=1, description="finished runs kept in memory for GET /v1/runs/{id}")

    def check_bind(self) -> None:
        """Refuse a non-loopback bind without an API key."""
        if not is_loopback(self.host) and not self.api_key:
            raise ConfigError(
                f"refusing to listen on {self.host} without an API key: anyone who can reach it could spend your budget",
                key="host",
                hint="set JUNTO_API_KEY to a secret, or bind 127.0.0.1",
            )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def cap_budget(requested: Budget | None, ceiling: Budget) -> Budget:
    """``requested`` with each limit lowered to the ceiling's (an absent limit takes the ceiling's)."""
    requested = requested or Budget()
    capped = {}
    for name in Budget.model_fields:
        mine, cap = getattr(requested, name), getattr(ceiling, name)
        capped[name] = cap if mine is None else (mine if cap is None else min(mine, cap))
    return Budget(**capped)
