"""Drawing several candidates from one model: diverse on purpose, reproducible.

Candidates differ in two ways. A specialist may word its request in more
than one :class:`~junto._tasks.PromptForm`: its own prompt (a reply format,
tests to write) and the plain instruction, as a person would ask it, which a
small model often answers better. The first candidate of each form is the
request as the specialist words it (usually greedy); every further
candidate is drawn at a higher temperature with its own seed, the forms
taking turns, from a fixed schedule, so a run with the same models and
samples draws the same candidates again. The temperatures are the model's
own when it names some (:func:`temperatures_of`: ``sample_temperatures`` in
``junto.toml``, or the embedded model's measured ones), else
:data:`TEMPERATURES`. :class:`SampledModel` applies one candidate's
setting to every request a specialist sends, so specialists need not know
they are being sampled.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from junto._tasks import PromptForm
from junto.models._types import Completion, Model, ModelRequest, StreamChunk

__all__ = ["TEMPERATURES", "Sampling", "SampledModel", "schedule", "temperatures_of"]

# Temperatures for candidates 1, 2, ... of a model that names none: spread between focused and adventurous,
# cycling. A generic choice for models junto has not measured; a small model may do far better lower
# (see junto.models._local.SAMPLE_TEMPERATURES).
TEMPERATURES = (0.7, 0.9, 0.5, 1.0)


@dataclass(frozen=True)
class Sampling:
    """How one candidate is drawn: ``None`` keeps what the specialist asked for."""

    index: int
    temperature: float | None = None
    seed: int | None = None
    form: PromptForm = PromptForm.OWN

    def apply(self, request: ModelRequest) -> ModelRequest:
        if self.temperature is None:
            return request
        return request.model_copy(update={"temperature": self.temperature, "seed": self.seed})


def schedule(
    samples: int, temperatures: Sequence[float] = TEMPERATURES, forms: Sequence[PromptForm] = (PromptForm.OWN,)
) -> list[Sampling]:
    """The settings of ``samples`` candidates: each of ``forms`` as the specialist words it, then ``temperatures`` in turn."""
    if not temperatures:
        raise ValueError("a sampling schedule needs at least one temperature")
    if not forms:
        raise ValueError("a sampling schedule needs at least one prompt form")
    first = [Sampling(i, form=form) for i, form in enumerate(forms[:samples])]
    later = range(len(first), samples)
    return first + [
        Sampling(i, temperatures[(i - len(forms)) % len(temperatures)], seed=i, form=forms[i % len(forms)]) for i in later
    ]


def temperatures_of(model: Model) -> Sequence[float]:
    """The temperatures ``model`` draws later candidates at: its ``sample_temperatures`` when it names some, else :data:`TEMPERATURES`."""
    own: Sequence[float] | None = getattr(model, "sample_temperatures", None)
    return own or TEMPERATURES


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
