"""Roster: which models serve each role, weakest tier first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from junto._exceptions import ConfigError
from junto.models._types import Model, Role

__all__ = ["Roster"]


class Roster:
    """Models by role, as escalation tiers (``tiers(role)[0]`` is tried first).

    A role with no models of its own falls back to ``default``.
    """

    def __init__(self, roles: Mapping[Role, Sequence[Model]] | None = None, *, default: Sequence[Model] = ()) -> None:
        self._roles = {Role(role): list(models) for role, models in (roles or {}).items() if models}
        self._default = list(default)
        if not self._default and not self._roles:
            raise ConfigError("a Roster needs at least one model")

    @classmethod
    def single(cls, model: Model) -> Roster:
        """Every role served by one model."""
        return cls(default=[model])

    def tiers(self, role: Role | str) -> list[Model]:
        models = self._roles.get(Role(role)) or self._default
        if not models:
            raise ConfigError(f"no model is configured for role '{Role(role).value}'", key=f"roles.{Role(role).value}")
        return list(models)

    def first(self, role: Role | str) -> Model:
        return self.tiers(role)[0]

    def strongest(self, role: Role | str) -> Model:
        return self.tiers(role)[-1]

    def all_models(self) -> list[Model]:
        seen: dict[str, Model] = {}
        for models in [*self._roles.values(), self._default]:
            for model in models:
                seen.setdefault(model.name, model)
        return list(seen.values())
