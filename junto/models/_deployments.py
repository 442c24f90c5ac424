"""A roster's deployments as they stand now, as JSON: what ``junto serve`` answers at ``GET /v1/deployments``.

``junto models list --server URL`` reads it back and prints it. It holds
what the balancer of each model knows (see ``_balance.py``): per
deployment its state, requests in flight over its cap, moving averages of
latency, calls and errors, and the last error. Models with one endpoint
are listed with no deployments. No key is in it: a base URL loses any
user, password, query and fragment, and the keys the deployments send
(:class:`~junto.models.Credentialed`), the passwords their URLs carry and
the ``secrets`` given are replaced in error texts (a server may echo a key
in an error body)::

    {"object": "junto.deployments",
     "roles": {"planner": ["fast", "strong"], ...},
     "models": [{"name": "fast", "strategy": "least_busy",
                 "deployments": [{"name": "gpu-a", "base_url": "http://10.0.0.1:8000/v1",
                                  "state": "healthy", "in_flight": 1, "concurrency": 8,
                                  "calls": 52, "errors": 0, "latency_s": 0.41, ...}]}]}
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Final, Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from pydantic import BaseModel, Field

from junto._exceptions import JuntoError
from junto.models._chat import ChatModel
from junto.models._replicas import ReplicaBackend, ReplicaStatus
from junto.models._roster import Roster
from junto.models._types import Credentialed, Role

__all__ = ["DEPLOYMENTS_OBJECT", "ModelDeployments", "RosterDeployments", "public_url"]

DEPLOYMENTS_OBJECT: Final = "junto.deployments"
_REDACTED = "[redacted]"


class ModelDeployments(BaseModel):
    """One model of the roster: its balancing strategy and its deployments (none: one endpoint, no balancer)."""

    name: str
    strategy: str | None = None
    deployments: list[ReplicaStatus] = Field(default_factory=list)


class RosterDeployments(BaseModel):
    """Every model of a roster, with the live state of its deployments, and the models each role uses."""

    object: Literal["junto.deployments"]
    roles: dict[str, list[str]]
    models: list[ModelDeployments]

    @classmethod
    def of(cls, roster: Roster | None, *, secrets: Iterable[str] = ()) -> RosterDeployments:
        """The state of ``roster``'s models now; ``secrets`` (keys) never appear in it."""
        if roster is None:
            return cls(object=DEPLOYMENTS_OBJECT, roles={}, models=[])
        roles: dict[str, list[str]] = {}
        for role in Role:
            try:
                roles[role.value] = [model.name for model in roster.tiers(role)]
            except JuntoError:
                continue  # no model serves this role
        hidden = [s for s in secrets if s]
        models = []
        for model in roster.models():
            backend = model.backend if isinstance(model, ChatModel) else None
            if not isinstance(backend, ReplicaBackend):
                models.append(ModelDeployments(name=model.name))
                continue
            statuses = backend.status()
            keys = [k for r in backend.replicas if isinstance(r.backend, Credentialed) for k in r.backend.credentials()]
            passwords = [p for s in statuses for p in _passwords(s.base_url)]
            redact = sorted({*hidden, *keys, *passwords}, key=len, reverse=True)
            shown = [
                dataclasses.replace(s, base_url=public_url(s.base_url), last_error=_redacted(s.last_error, redact))
                for s in statuses
            ]
            models.append(ModelDeployments(name=model.name, strategy=backend.strategy.name, deployments=shown))
        return cls(object=DEPLOYMENTS_OBJECT, roles=roles, models=models)


def public_url(url: str | None) -> str | None:
    """``url`` without user, password, query or fragment: the parts that may carry a credential."""
    if url is None:
        return None
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def _passwords(url: str | None) -> set[str]:
    """The password ``url`` carries, as written and decoded (an error text may quote either)."""
    password = urlsplit(url).password if url else None
    return {password, unquote(password)} if password else set()


def _redacted(text: str | None, secrets: list[str]) -> str | None:
    if text is None:
        return None
    for secret in secrets:
        text = text.replace(secret, _REDACTED)
    return text
