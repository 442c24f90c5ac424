"""How the server is bound and limited (defaults, ``[server]`` and ``[budget]``, flags), and the rule that guards a public bind."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from junto._budget import Budget
from junto._exceptions import ConfigError

if TYPE_CHECKING:
    from junto._config import JuntoConfig

__all__ = ["API_KEY_ENV", "ServerSettings", "cap_budget", "is_loopback", "server_settings"]

API_KEY_ENV = "JUNTO_API_KEY"


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


def server_settings(
    config: JuntoConfig,
    *,
    api_key: str | None = None,
    host: str | None = None,
    port: int | None = None,
    max_runs: int | None = None,
    max_body: int | None = None,
    budget_tokens: int | None = None,
    budget_usd: float | None = None,
    timeout: float | None = None,
) -> ServerSettings:
    """The server's settings: the defaults, overridden by ``[server]`` and ``[budget]``, then by each flag given."""
    flags = {"host": host, "port": port, "max_concurrent_runs": max_runs, "max_body_bytes": max_body}
    options = config.server.model_dump(exclude_none=True) | {name: value for name, value in flags.items() if value is not None}
    ceiling = (
        ServerSettings()
        .budget_ceiling.overridden_by(config.budget.to_budget())
        .overridden_by(Budget(max_tokens=budget_tokens, max_cost_usd=budget_usd, max_wall_s=timeout))
    )
    return ServerSettings(**options, api_key=api_key, budget_ceiling=ceiling)
