"""Choosing a deployment: the replicas of one model, their health, and the strategies that pick one.

A :class:`Replica` is one deployment of a model (a server, or a key) plus
what the balancer knows about it right now: requests in flight, moving
averages of latency, and its health. A :class:`Strategy` picks one replica
among those that can take a request; it is the small interface here, with
:class:`FunctionStrategy` as its test double.

Health, per replica::

    healthy --(429, 5xx, timeout, malformed answer)--> cooling down --(probe ok)--> healthy
    healthy --(connection refused)-----------------> down --------(probe ok)--> healthy

A replica that failed leaves the rotation for a cooldown (``Retry-After``
when the server gave one, else an exponential backoff on consecutive
failures, capped); when the cooldown is over it rejoins only after an active
probe (``GET /models``) succeeds. A failed probe starts a longer cooldown.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from junto._exceptions import (
    ModelAuthError,
    ModelConnectionError,
    ModelError,
    ModelHTTPError,
    ModelResponseError,
    ModelTimeoutError,
)
from junto.models._types import Backend

__all__ = [
    "BalanceStrategy",
    "FunctionStrategy",
    "HealthPolicy",
    "LatencyAware",
    "LeastBusy",
    "Replica",
    "ReplicaState",
    "Strategy",
    "Weighted",
    "fails_over",
    "strategy_for",
]

# Moving averages weigh the newest observation this much.
_EWMA_ALPHA = 0.3
# The answer length the latency-aware strategy assumes when it weighs decoding speed.
_EXPECTED_TOKENS = 128


class ReplicaState(str, enum.Enum):
    """Where a replica stands."""

    HEALTHY = "healthy"
    COOLING = "cooling down"
    DOWN = "down"


class BalanceStrategy(str, enum.Enum):
    """The strategies ``junto.toml`` can name (``strategy = "least_busy"``)."""

    LEAST_BUSY = "least_busy"
    LATENCY = "latency"
    WEIGHTED = "weighted"


class HealthPolicy(BaseModel):
    """How long a failed replica stays out, and how it is probed before it rejoins."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cooldown_s: float = Field(default=1.0, ge=0.0)
    """The first cooldown; each further consecutive failure doubles it."""
    max_cooldown_s: float = Field(default=60.0, ge=0.0)
    probe_timeout_s: float = Field(default=5.0, gt=0.0)

    def cooldown(self, failures: int, retry_after: float | None = None) -> float:
        """Seconds out of rotation after ``failures`` consecutive failures (``Retry-After`` wins)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_cooldown_s)
        return min(self.cooldown_s * 2.0 ** max(failures - 1, 0), self.max_cooldown_s)


def fails_over(error: ModelError) -> bool:
    """Whether another deployment may succeed where this one failed.

    Unreachable, slow, overloaded, broken or refusing this deployment's key:
    yes. A request the server refused as such (400, 404, 422): no, every
    replica would refuse it the same way.
    """
    if isinstance(error, (ModelConnectionError, ModelTimeoutError, ModelResponseError, ModelAuthError)):
        return True
    if isinstance(error, ModelHTTPError):
        return error.status_code in (408, 409, 425, 429) or error.status_code >= 500
    return False


@dataclass(eq=False)
class Replica:
    """One deployment of a model and what the balancer knows of it now."""

    name: str
    backend: Backend
    concurrency: int = 4
    weight: float = 1.0
    base_url: str | None = None  # where it is, as configured: shown by `junto models list`
    in_flight: int = 0
    state: ReplicaState = ReplicaState.HEALTHY
    cooldown_until: float = 0.0
    failures: int = 0  # consecutive
    last_error: str | None = None
    last_error_type: str | None = None
    ttft_s: float | None = None  # moving average: time to first token (streamed calls)
    latency_s: float | None = None  # moving average: whole call
    tokens_per_s: float | None = None  # moving average: decoding speed
    calls: int = 0
    errors: int = 0
    probe_s: float | None = None  # the last successful probe's round trip
    probing: bool = False
    chosen_at: int = 0  # sequence number of the last time it was chosen
    current_weight: float = 0.0  # smooth weighted round-robin

    def can_take(self) -> bool:
        return self.state is ReplicaState.HEALTHY and self.in_flight < self.concurrency

    def record_success(self, *, latency_s: float, ttft_s: float | None, tokens: int) -> None:
        """A call that answered: ``ttft_s`` is known for streams only (a whole answer has no first token)."""
        self.calls += 1
        self.failures = 0
        self.latency_s = _ewma(self.latency_s, latency_s)
        decoding = latency_s
        if ttft_s is not None:
            self.ttft_s = _ewma(self.ttft_s, ttft_s)
            decoding = latency_s - ttft_s if latency_s - ttft_s > 1e-3 else latency_s
        if tokens > 0 and decoding > 0:
            self.tokens_per_s = _ewma(self.tokens_per_s, tokens / decoding)

    def record_failure(self, error: ModelError, *, now: float, policy: HealthPolicy) -> None:
        self.calls += 1
        self.errors += 1
        self.failures += 1
        self.last_error = error.message[:300]
        self.last_error_type = type(error).__name__
        self.state = ReplicaState.DOWN if isinstance(error, ModelConnectionError) else ReplicaState.COOLING
        self.cooldown_until = now + policy.cooldown(self.failures, error.retry_after)

    def expected_s(self) -> float:
        """The latency-aware strategy's estimate of a new request's time here (0: not measured yet)."""
        if self.latency_s is None:
            return 0.0
        estimate = self.latency_s  # whole answers: their latency; streams: first token plus decoding
        if self.ttft_s is not None and self.tokens_per_s:
            estimate = self.ttft_s + _EXPECTED_TOKENS / self.tokens_per_s
        return estimate * (1.0 + self.in_flight / self.concurrency)


def _ewma(old: float | None, new: float) -> float:
    return new if old is None else (1 - _EWMA_ALPHA) * old + _EWMA_ALPHA * new


class Strategy:
    """Picks one of the replicas that can take a request now (``candidates`` is never empty)."""

    name: ClassVar[str] = "custom"  # as `junto models list` shows it

    def choose(self, candidates: Sequence[Replica]) -> Replica:  # pragma: no cover - interface
        raise NotImplementedError


class LeastBusy(Strategy):
    """Fewest requests in flight for its concurrency; ties go to the one chosen longest ago."""

    name = BalanceStrategy.LEAST_BUSY.value

    def choose(self, candidates: Sequence[Replica]) -> Replica:
        return min(candidates, key=lambda r: (r.in_flight / r.concurrency, r.in_flight, r.chosen_at))


class LatencyAware(Strategy):
    """Lowest expected time: moving averages of time to first token and tokens/s, scaled by load.

    A replica not measured yet is tried first, so that every one gets measured.
    """

    name = BalanceStrategy.LATENCY.value

    def choose(self, candidates: Sequence[Replica]) -> Replica:
        return min(candidates, key=lambda r: (r.expected_s(), r.in_flight, r.chosen_at))


class Weighted(Strategy):
    """Shares of traffic in proportion to ``weight`` (smooth weighted round-robin, as nginx does it)."""

    name = BalanceStrategy.WEIGHTED.value

    def choose(self, candidates: Sequence[Replica]) -> Replica:
        total = 0.0
        best: Replica | None = None
        for replica in candidates:
            replica.current_weight += replica.weight
            total += replica.weight
            if best is None or replica.current_weight > best.current_weight:
                best = replica
        assert best is not None
        best.current_weight -= total
        return best


class FunctionStrategy(Strategy):
    """A test double: ``function(candidates)`` picks."""

    name = "function"

    def __init__(self, function: Callable[[Sequence[Replica]], Replica]) -> None:
        self.function = function
        self.seen: list[list[str]] = []

    def choose(self, candidates: Sequence[Replica]) -> Replica:
        self.seen.append([r.name for r in candidates])
        return self.function(candidates)


def strategy_for(kind: BalanceStrategy | str) -> Strategy:
    """The strategy a configuration names."""
    return {
        BalanceStrategy.LEAST_BUSY: LeastBusy,
        BalanceStrategy.LATENCY: LatencyAware,
        BalanceStrategy.WEIGHTED: Weighted,
    }[BalanceStrategy(kind)]()
