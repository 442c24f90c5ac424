"""Drawing several candidates from one model: diverse on purpose, reproducible.

Candidate 0 is the specialist's own request (usually greedy). Every further
candidate is drawn at a higher temperature with its own seed, from a fixed
schedule, so a run with the same models and samples draws the same
candidates again. :class:`SampledModel` applies one candidate's setting to
every request a specialist sends, so specialists need not know they are
being sampled.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from junto.models._types import Completion, Model, ModelRequest, StreamChunk

__all__ = ["Sampling", "SampledModel", "schedule"]

# Temperatures for candidates 1, 2, ...: spread between focused and adventurous, cycling.
_TEMPERATURES = (0.7, 0.9, 0.5, 1.0)


@dataclass(frozen=True)
class Sampling:
    """How one candidate is drawn: ``None`` keeps what the specialist asked for."""

    index: int
    temperature: float | None = None
    seed: int | None = None

    def apply(self, request: ModelRequest) -> ModelRequest:
        if self.temperature is None:
            return request
        return request.model_copy(update={"temperature": self.temperature, "seed": self.seed})


def schedule(samples: int) -> list[Sampling]:
    """The settings of ``samples`` candidates: the specialist's own request first, then the temperature schedule."""
    return [Sampling(0)] + [Sampling(i, _TEMPERATURES[(i - 1) % len(_TEMPERATURES)], seed=i) for i in range(1, samples)]


class SampledModel:
    """``model`` with one candidate's :class:`Sampling` applied to every request."""

    def __init__(self, model: Model, sampling: Sampling) -> None:
        self.model = model
        self.sampling = sampling

    @property
    def name(self) -> str:
        return self.model.name

    async def complete(self, request: ModelRequest) -> Completion:
        return await self.model.complete(self.sampling.apply(request))

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamChunk]:
        async for chunk in self.model.stream(self.sampling.apply(request)):
            yield chunk

    async def aclose(self) -> None:
        """Nothing to close: the wrapped model belongs to whoever made it."""
