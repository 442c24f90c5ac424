"""FallbackModel: the next model answers when one fails.

Each model in the chain keeps its own retries; the chain moves on only once
a model has given up. It moves on for every :class:`~junto.ModelError`,
*including* :class:`~junto.StructuredOutputError`: a model that could not
produce the requested shape after its repairs says nothing about the next
one, which may well manage. Setup errors (a missing extra, a bad config) are
not model failures and surface at once. A stream falls back only until its
first chunk has been yielded; after that a failure is the caller's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from junto._exceptions import ConfigError, ModelError
from junto.models._types import Completion, Model, ModelRequest, StreamChunk, Usage

__all__ = ["FallbackModel"]


class FallbackModel:
    """A :class:`~junto.models.Model` that tries ``models`` in order until one answers."""

    def __init__(self, models: Sequence[Model], *, name: str | None = None) -> None:
        if not models:
            raise ConfigError("FallbackModel needs at least one model")
        self.models = list(models)
        self._name = name or " | ".join(model.name for model in self.models)

    @property
    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"FallbackModel({[model.name for model in self.models]!r})"

    async def complete(self, request: ModelRequest) -> Completion:
        """The first answer; its usage and cost include what the models that failed before it spent."""
        failure: ModelError | None = None
        spent, cost = Usage(), 0.0
        for model in self.models:
            try:
                completion = await model.complete(request)
            except ModelError as error:
                spent, cost = spent + (error.usage or Usage()), cost + error.cost_usd
                if failure is not None:
                    error.__context__ = failure
                failure = error
                continue
            if failure is None:
                return completion
            return completion.model_copy(update={"usage": spent + completion.usage, "cost_usd": cost + completion.cost_usd})
        assert failure is not None
        failure.usage, failure.cost_usd = spent, cost
        raise failure

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamChunk]:
        failure: ModelError | None = None
        for model in self.models:
            started = False
            try:
                async for chunk in model.stream(request):
                    started = True
                    yield chunk
                return
            except ModelError as error:
                if started:
                    raise
                if failure is not None:
                    error.__context__ = failure
                failure = error
        assert failure is not None
        raise failure

    async def aclose(self) -> None:
        for model in self.models:
            await model.aclose()
