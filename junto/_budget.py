"""One budget for a whole run: tokens, dollars, wall time and sandbox seconds.

Every model call reserves before it spends (``reserve``), then settles what it
really used; a reservation that would overspend raises
:class:`~junto.BudgetExceeded` before any call is made. Retries, escalations
and every task of a run share one :class:`BudgetTracker`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from pydantic import BaseModel, ConfigDict, Field

from junto._exceptions import BudgetExceeded, ModelError
from junto.models._types import Completion, Model, ModelRequest, ModelWrapper, StreamChunk, Usage

__all__ = ["Budget", "BudgetTracker", "BudgetedModel", "Spend"]


class Budget(BaseModel):
    """Limits for one run; ``None`` means unlimited."""

    model_config = ConfigDict(frozen=True)

    max_tokens: int | None = Field(default=None, ge=1)
    max_cost_usd: float | None = Field(default=None, ge=0.0)
    max_wall_s: float | None = Field(default=None, gt=0.0)
    max_sandbox_s: float | None = Field(default=None, gt=0.0)

    def overridden_by(self, other: Budget | None) -> Budget:
        """This budget with each limit ``other`` sets in place of its own (``None`` keeps this one)."""
        if other is None:
            return self
        return Budget(
            **{
                name: getattr(self, name) if getattr(other, name) is None else getattr(other, name)
                for name in Budget.model_fields
            }
        )


class Spend(BaseModel):
    """What a run has used so far."""

    tokens: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    sandbox_s: float = 0.0
    model_calls: int = 0
    wall_s: float = 0.0


class BudgetTracker:
    """Shared, concurrency-safe accounting against one :class:`Budget`."""

    def __init__(self, budget: Budget | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.budget = budget or Budget()
        self._clock = clock
        self._started = clock()
        self._spent = Spend()
        self._reserved_tokens = 0
        self._reserved_cost = 0.0
        self._lock = asyncio.Lock()
        self.exhausted: str | None = None

    @property
    def spent(self) -> Spend:
        return self._spent.model_copy(update={"wall_s": self._clock() - self._started})

    def remaining_wall_s(self) -> float | None:
        if self.budget.max_wall_s is None:
            return None
        return self.budget.max_wall_s - (self._clock() - self._started)

    def check(self) -> None:
        """Raise :class:`BudgetExceeded` if any limit is already reached."""
        b, s = self.budget, self._spent
        if b.max_wall_s is not None and self._clock() - self._started >= b.max_wall_s:
            self._exhaust("wall_time", f"wall-time budget of {b.max_wall_s:g} s is spent")
        if b.max_tokens is not None and s.tokens >= b.max_tokens:
            self._exhaust("tokens", f"token budget of {b.max_tokens} is spent")
        if b.max_cost_usd is not None and s.cost_usd >= b.max_cost_usd:
            self._exhaust("cost", f"cost budget of ${b.max_cost_usd:g} is spent")
        if b.max_sandbox_s is not None and s.sandbox_s >= b.max_sandbox_s:
            self._exhaust("sandbox_time", f"sandbox budget of {b.max_sandbox_s:g} s is spent")

    @asynccontextmanager
    async def reserve(self, *, tokens: int, cost_usd: float = 0.0) -> AsyncIterator[_Reservation]:
        """Hold ``tokens``/``cost_usd`` for one call; settle the real usage inside."""
        async with self._lock:
            self.check()
            b, s = self.budget, self._spent
            if b.max_tokens is not None and s.tokens + self._reserved_tokens + tokens > b.max_tokens:
                left = b.max_tokens - s.tokens - self._reserved_tokens
                self._exhaust(
                    "tokens", f"token budget of {b.max_tokens} would be exceeded ({left} left, call needs up to {tokens})"
                )
            if b.max_cost_usd is not None and s.cost_usd + self._reserved_cost + cost_usd > b.max_cost_usd:
                self._exhaust("cost", f"cost budget of ${b.max_cost_usd:g} would be exceeded")
            self._reserved_tokens += tokens
            self._reserved_cost += cost_usd
        reservation = _Reservation()
        try:
            yield reservation
        finally:
            async with self._lock:
                self._reserved_tokens -= tokens
                self._reserved_cost -= cost_usd
                self._add(reservation.usage, reservation.cost_usd, calls=reservation.calls)

    def charge_sandbox(self, seconds: float) -> None:
        self._spent.sandbox_s += max(seconds, 0.0)

    def record(self, usage: Usage, cost_usd: float) -> None:
        """Account a call made outside :meth:`reserve` (e.g. a stream)."""
        self._add(usage, cost_usd, calls=1)

    def _add(self, usage: Usage, cost_usd: float, *, calls: int) -> None:
        s = self._spent
        s.prompt_tokens += usage.prompt_tokens
        s.completion_tokens += usage.completion_tokens
        s.tokens += usage.total_tokens
        s.cost_usd += cost_usd
        s.model_calls += calls

    def _exhaust(self, resource: str, message: str) -> None:
        self.exhausted = resource
        raise BudgetExceeded(message, resource=resource)


class _Reservation:
    def __init__(self) -> None:
        self.usage = Usage()
        self.cost_usd = 0.0
        self.calls = 0

    def settle(self, usage: Usage, cost_usd: float) -> None:
        self.usage = self.usage + usage
        self.cost_usd += cost_usd
        self.calls += 1


class BudgetedModel(ModelWrapper):
    """A model whose every call is reserved against and charged to a tracker.

    A call that fails is charged the usage its :class:`~junto.ModelError`
    carries: tokens spent on answers that were then refused still count.

    The reservation is the prompt's size (4 characters a token, rounded up)
    plus ``max_tokens``: the most the call can use.
    """

    def __init__(self, model: Model, tracker: BudgetTracker, *, cost_per_token_usd: float = 0.0) -> None:
        super().__init__(model)
        self.tracker = tracker
        self.cost_per_token_usd = cost_per_token_usd

    def _estimate(self, request: ModelRequest) -> int:
        prompt = sum(len(m.content) for m in request.messages)
        return -(-prompt // 4) + request.max_tokens

    async def complete(self, request: ModelRequest) -> Completion:
        tokens = self._estimate(request)
        async with self.tracker.reserve(tokens=tokens, cost_usd=tokens * self.cost_per_token_usd) as held:
            try:
                completion = await self.model.complete(request)
            except ModelError as error:  # a failed call is charged what it spent (e.g. invalid structured tries)
                if error.usage is not None or error.cost_usd:
                    held.settle(error.usage or Usage(), error.cost_usd)
                raise
            held.settle(completion.usage, completion.cost_usd)
        return completion

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamChunk]:
        tokens = self._estimate(request)
        async with self.tracker.reserve(tokens=tokens, cost_usd=tokens * self.cost_per_token_usd) as held:
            async for chunk in self.model.stream(request):
                if chunk.usage is not None:
                    held.settle(chunk.usage, 0.0)
                yield chunk

    async def aclose(self) -> None:
        """Nothing to close: the wrapped model belongs to whoever made it."""
