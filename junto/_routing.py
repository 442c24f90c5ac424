"""Routing learned from checks: which tier to start a task at, from what the run store says verifies.

Every task junto ran ended with a deterministic verdict, so the run store
holds labels: for each role, kind of task and a coarse feature of the
instruction (its length), which model got it verified, and at what cost.
:func:`learn_table` counts them; :class:`LearnedRouter` reads the table.

The rule, for a role with ``route = "learned"``: among the role's tiers
whose verified rate (tasks verified there / tasks tried there) reaches the
``target`` on at least ``min_tasks`` tasks, start at the one with the least
expected cost, counting what escalating from it would cost:
``E(s) = cost(s) + (1 - rate(s)) * E(s + 1)``. Ties go to the cheaper tier
in the configured order. No tier qualifies (a cold start, or no model good
enough): the configured order, from the task's own start tier. A share
``explore`` of tasks still starts at the cheapest tier, so the table keeps
learning when models change.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from junto._home import default_store_path
from junto._runs import RunRecord
from junto._tasks import Status
from junto.models._roster import RouteChoice, RoutePolicy
from junto.models._types import Role

__all__ = [
    "LearnedRouter",
    "RouteKey",
    "RouteRow",
    "RouteStats",
    "RouteTable",
    "instruction_size",
    "learn_table",
]

_SHORT_WORDS = 40


def instruction_size(instruction: str) -> str:
    """The instruction feature the table is split by: ``short`` or ``long``."""
    return "short" if len(instruction.split()) <= _SHORT_WORDS else "long"


@dataclass(frozen=True, slots=True, order=True)
class RouteKey:
    role: str
    kind: str
    size: str


@dataclass(slots=True)
class RouteStats:
    """One model's record on one key: tasks tried there, verified there, and what they cost there."""

    seen: int = 0
    verified: int = 0
    cost_usd: float = 0.0

    @property
    def rate(self) -> float:
        return self.verified / self.seen if self.seen else 0.0

    @property
    def mean_cost(self) -> float:
        return self.cost_usd / self.seen if self.seen else 0.0


@dataclass(frozen=True, slots=True)
class RouteRow:
    """A line of ``junto models routes``."""

    role: str
    kind: str
    size: str
    model: str
    seen: int
    verified_rate: float
    mean_cost_usd: float


@dataclass
class RouteTable:
    """Stats by key and model."""

    stats: dict[RouteKey, dict[str, RouteStats]] = field(default_factory=dict)

    def get(self, key: RouteKey, model: str) -> RouteStats:
        return self.stats.get(key, {}).get(model, RouteStats())

    def rows(self) -> list[RouteRow]:
        return [
            RouteRow(key.role, key.kind, key.size, model, s.seen, s.rate, s.mean_cost)
            for key in sorted(self.stats)
            for model, s in sorted(self.stats[key].items())
        ]

    def start_tier(self, key: RouteKey, tiers: Sequence[str], policy: RoutePolicy) -> int | None:
        """The learned starting tier for ``key`` among ``tiers`` (``None``: no tier qualifies)."""
        stats = [self.get(key, model) for model in tiers]
        expected = [0.0] * (len(tiers) + 1)
        for tier in range(len(tiers) - 1, -1, -1):
            s = stats[tier]
            expected[tier] = s.mean_cost + (1.0 - s.rate) * expected[tier + 1]
        qualified = [t for t, s in enumerate(stats) if s.seen >= policy.min_tasks and s.rate >= policy.target]
        if not qualified:
            return None
        return min(qualified, key=lambda t: (expected[t], t))


def learn_table(records: Iterable[RunRecord]) -> RouteTable:
    """Count, per role, kind, instruction size and model, the tasks tried, verified and their cost."""
    table = RouteTable()
    for record in records:
        result = record.result
        instructions = {task.id: task for task in result.plan.tasks}
        specs = {spec.id: spec for spec in record.graph.specs} if record.graph is not None else {}
        for task_id, task_result in result.results.items():
            if not task_result.attempts or task_id not in instructions:
                continue
            spec = specs.get(task_id)
            role = spec.model_role if spec is not None else task_result.kind.role
            key = RouteKey(role.value, task_result.kind.value, instruction_size(instructions[task_id].instruction))
            producer = None
            if task_result.status is Status.VERIFIED:
                producer = next(
                    (a.model for a in reversed(task_result.attempts) if a.output is not None and a.output == task_result.output),
                    None,
                )
            costs: dict[str, float] = {}
            for attempt in task_result.attempts:
                costs[attempt.model] = costs.get(attempt.model, 0.0) + attempt.cost_usd
            by_model = table.stats.setdefault(key, {})
            for model, cost in costs.items():
                stats = by_model.setdefault(model, RouteStats())
                stats.seen += 1
                stats.verified += model == producer
                stats.cost_usd += cost
    return table


class LearnedRouter:
    """Picks a task's starting tier from a :class:`RouteTable` learned from the run store.

    The table is read from ``store`` (a path or URL; ``None``: the default
    store) on first use and again every ``refresh_s`` seconds; ``table``
    gives one directly (tests, evaluation). ``rng`` decides exploration.
    """

    def __init__(
        self,
        policies: Mapping[Role, RoutePolicy],
        *,
        store: str | Path | None = None,
        table: RouteTable | None = None,
        rng: random.Random | None = None,
        refresh_s: float = 300.0,
        window: int = 5000,
    ) -> None:
        self.policies = {Role(role): policy for role, policy in policies.items()}
        self.store = store if store is not None else default_store_path()
        self.table = table
        self.rng = rng or random.Random()
        self.refresh_s = refresh_s
        self.window = window
        self._loaded_at = time.monotonic() if table is not None else None
        self.decisions: dict[str, int] = {"learned": 0, "explored": 0, "ordered": 0}
        self._lock: asyncio.Lock | None = None

    def learns(self, role: Role | str) -> bool:
        policy = self.policies.get(Role(role))
        return policy is not None and policy.route is RouteChoice.LEARNED

    def _stale(self) -> bool:
        return self.table is None or self._loaded_at is None or time.monotonic() - self._loaded_at > self.refresh_s

    async def load(self) -> RouteTable:
        """The table, read again from the store when it is older than ``refresh_s`` (one reader at a time)."""
        if self._stale():
            if self._lock is None:
                self._lock = asyncio.Lock()
            async with self._lock:
                if self._stale():  # the tasks that waited find it fresh
                    from junto._export import records_from_store

                    self.table = learn_table(await records_from_store(self.store, limit=self.window))
                    self._loaded_at = time.monotonic()
        assert self.table is not None
        return self.table

    async def start_tier(self, role: Role | str, kind: str, instruction: str, tiers: Sequence[str]) -> int | None:
        """The tier to start at, or ``None`` for the configured order."""
        policy = self.policies.get(Role(role))
        if policy is None or policy.route is not RouteChoice.LEARNED or len(tiers) < 2:
            return None
        if self.rng.random() < policy.explore:
            self.decisions["explored"] += 1
            return 0
        table = await self.load()
        tier = table.start_tier(RouteKey(Role(role).value, kind, instruction_size(instruction)), tiers, policy)
        self.decisions["ordered" if tier is None else "learned"] += 1
        return tier
