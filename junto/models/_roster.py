"""Roster: which models serve each role, weakest tier first, and how a role picks the tier a task starts at."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from junto._exceptions import ConfigError
from junto.models._types import Model, Role

__all__ = ["RouteChoice", "RoutePolicy", "Roster", "TierRouter"]


class RouteChoice(str, enum.Enum):
    """How a role picks its starting tier."""

    ORDERED = "ordered"  # the configured order: cheapest tier first, escalating
    LEARNED = "learned"


class RoutePolicy(BaseModel):
    """``[routing.ROLE]``: how a role picks the tier a task starts at."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    route: RouteChoice = RouteChoice.ORDERED
    target: float = Field(default=0.8, gt=0.0, le=1.0)
    """The verified rate a tier must reach on its own to be a starting tier."""
    explore: float = Field(default=0.1, ge=0.0, le=1.0)
    """The share of tasks that start at the cheapest tier whatever the table says."""
    min_tasks: int = Field(default=10, ge=1)
    """Tasks a tier must have been tried on before its rate counts."""


@runtime_checkable
class TierRouter(Protocol):
    """Chooses the tier a task starts at (``None``: the configured order)."""

    async def start_tier(self, role: Role | str, kind: str, instruction: str, tiers: Sequence[str]) -> int | None: ...


class Roster:
    """Models by role, as escalation tiers (``tiers(role)[0]`` is tried first).

    A role with no models of its own falls back to ``default``.
    """

    def __init__(
        self,
        roles: Mapping[Role, Sequence[Model]] | None = None,
        *,
        default: Sequence[Model] = (),
        router: TierRouter | None = None,
    ) -> None:
        self._roles = {Role(role): list(models) for role, models in (roles or {}).items() if models}
        self._default = list(default)
        self.router = router
        if not self._default and not self._roles:
            raise ConfigError("a Roster needs at least one model")

    @classmethod
    def single(cls, model: Model) -> Roster:
        """Every role served by one model."""
        return cls(default=[model])

    def models(self) -> list[Model]:
        """Every model the roster holds, each once."""
        seen: dict[int, Model] = {}
        for model in [*self._default, *(m for models in self._roles.values() for m in models)]:
            seen.setdefault(id(model), model)
        return list(seen.values())

    async def aclose(self) -> None:
        """Close every model (their connections, a server they started); each can be used again later."""
        for model in self.models():
            await model.aclose()

    def tiers(self, role: Role | str) -> list[Model]:
        models = self._roles.get(Role(role)) or self._default
        if not models:
            raise ConfigError(f"no model is configured for role '{Role(role).value}'", key=f"roles.{Role(role).value}")
        return list(models)

    async def start_tier(self, role: Role | str, *, kind: str, instruction: str, default: int = 0) -> int:
        """The tier a task starts at: ``default`` (the task's own), unless a router learned better.

        A task that names its own start tier (``default > 0``) keeps it.
        """
        if self.router is None or default > 0:
            return default
        chosen = await self.router.start_tier(role, kind, instruction, [model.name for model in self.tiers(role)])
        return default if chosen is None else chosen

    def first(self, role: Role | str) -> Model:
        return self.tiers(role)[0]

    def samples(self, role: Role | str) -> int | None:
        """Candidates per round the model ``role`` starts on (its first tier) asks for (``None``: it does not say)."""
        return _samples_of(self.first(role))

    def strongest(self, role: Role | str) -> Model:
        return self.tiers(role)[-1]

    def all_models(self) -> list[Model]:
        seen: dict[str, Model] = {}
        for models in [*self._roles.values(), self._default]:
            for model in models:
                seen.setdefault(model.name, model)
        return list(seen.values())


def _samples_of(model: Model) -> int | None:
    """``model.samples`` when it is a :class:`~junto.models._types.SampleDefault`, else ``None``.

    What ``isinstance(model, SampleDefault)`` tests (the attribute is there),
    without typing's protocol check, which lists the protocol's members again
    on every call; a run asks once for every round of every task.
    """
    samples: int | None = getattr(model, "samples", None)
    return samples
