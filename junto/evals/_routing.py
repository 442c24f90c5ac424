"""Routing: does the plan of a task hold the task kinds the task needs?

An item of a routing suite has one ``route`` part: the sorted set of kinds
(math, code, writing, general) a right plan holds. A plan is scored on the
set of its tasks' kinds only, by exact match: how the task is split, and
how many tasks of one kind there are, do not count.

Three routers answer the same items:

- ``shortcut``: the planner's keyword shortcut alone, no model. It either
  decides (its one-task plan's kind) or defers to the model ("none"), and a
  deferral is never right; so besides its accuracy, the share of items it
  decided and its accuracy where it decided are reported.
- ``planner-model``: the planner with the shortcut switched off: the planner
  model plans every item (with its repairs, and its fallback when no valid
  plan comes).
- ``junto``: the planner as junto runs it, shortcut first, model otherwise.

Where the shortcut defers, ``junto`` asks the planner model exactly what
``planner-model`` asked it. At temperature 0 the answer is fixed by the
request, so such a repeated call is answered once and replayed
(:class:`ReplayingModel`): the plans are the ones junto would make, and the
model's time is spent once (junto's latency on those items is not measured).

Outcomes are appended to ``outcomes.jsonl`` as they come; a second run with
the same folder skips the (item, router) pairs already there.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from junto._exceptions import ConfigError, ModelError
from junto._plan import PlanOutcome
from junto._tasks import AgentContext, TaskKind
from junto.agents._planner import Planner
from junto.evals._items import EvalItem, RoutePart
from junto.models._roster import Roster
from junto.models._types import Completion, Model, ModelRequest, Role, StreamChunk

__all__ = [
    "ROUTERS",
    "PlannerRouter",
    "ReplayingModel",
    "RouteOutcome",
    "Routed",
    "Router",
    "RouterSummary",
    "ShortcutRouter",
    "evaluate_routing",
    "is_routing_suite",
    "load_route_outcomes",
    "replaying",
    "routers_for",
    "routing_markdown",
    "run_routing",
    "summarize_routing",
    "write_routing_summary",
]

OUTCOMES = "outcomes.jsonl"
ROUTERS = ("shortcut", "planner-model", "junto")

How = Literal["shortcut", "model", "fallback", "deferred", "error"]


class Routed(BaseModel):
    """What one router made of one task: the kinds of its plan, or ``None`` when it deferred or failed."""

    kinds: list[TaskKind] | None
    how: How
    reason: str | None = None
    tokens: int = 0


class RouteOutcome(BaseModel):
    """One item routed by one router, and whether the kind set was right."""

    item_id: str
    router: str
    category: str
    expected: list[TaskKind]
    kinds: list[TaskKind] | None = Field(description="the plan's kinds, sorted; None: the router deferred or failed")
    correct: bool
    how: How
    reason: str | None = None
    tokens: int = 0
    latency_s: float = 0.0

    @property
    def decided(self) -> bool:
        return self.kinds is not None


class Router(Protocol):
    name: str

    async def route(self, task: str) -> Routed: ...


class ReplayingModel:
    """A model that answers a request it has answered before with the same completion (or error), at temperature 0 only."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.replayed = 0
        self._answers: dict[str, Completion | ModelError] = {}

    @property
    def name(self) -> str:
        return self.model.name

    async def complete(self, request: ModelRequest) -> Completion:
        if request.temperature != 0.0:
            return await self.model.complete(request)
        key = json.dumps(
            [
                [m.model_dump(mode="json") for m in request.messages],
                request.max_tokens,
                request.stop,
                request.seed,
                request.json_schema(),
            ],
            sort_keys=True,
        )
        if key in self._answers:
            self.replayed += 1
        else:
            try:
                self._answers[key] = await self.model.complete(request)
            except ModelError as error:
                self._answers[key] = error
        answer = self._answers[key]
        if isinstance(answer, ModelError):
            raise answer
        return answer

    def stream(self, request: ModelRequest) -> AsyncIterator[StreamChunk]:
        return self.model.stream(request)

    async def aclose(self) -> None:
        """Nothing to close: the wrapped model belongs to whoever made it."""


def replaying(roster: Roster) -> Roster:
    """``roster`` with each model wrapped once in a :class:`ReplayingModel` (a model serving several roles stays one)."""
    wrapped: dict[int, ReplayingModel] = {}

    def wrap(models: Sequence[Model]) -> list[Model]:
        return [wrapped.setdefault(id(m), ReplayingModel(m)) for m in models]

    roles = {}
    for role in Role:
        try:
            roles[role] = wrap(roster.tiers(role))
        except ConfigError:
            continue
    return Roster(roles)


def _kinds(outcome: PlanOutcome) -> list[TaskKind]:
    return sorted({task.kind for task in outcome.plan.tasks}, key=lambda kind: kind.value)


class ShortcutRouter:
    """The planner's keyword shortcut alone: its kind when it decides, "none" when it leaves the task to the model."""

    def __init__(self, planner: Planner, *, name: str = "shortcut") -> None:
        self.planner = planner
        self.name = name

    async def route(self, task: str) -> Routed:
        outcome = self.planner.shortcut_plan(task)
        if outcome is None:
            return Routed(kinds=None, how="deferred")
        return Routed(kinds=_kinds(outcome), how="shortcut", reason=outcome.reason)


class PlannerRouter:
    """A planner as it plans in a run: the kinds of the plan it returns, with how the plan was reached."""

    def __init__(self, planner: Planner, roster: Roster, *, name: str) -> None:
        self.planner = planner
        self.roster = roster
        self.name = name

    async def route(self, task: str) -> Routed:
        outcome = await self.planner.plan(task, AgentContext(roster=self.roster))
        if outcome.source == "fallback":
            how: How = "fallback"
        else:
            how = "model" if outcome.model is not None else "shortcut"
        return Routed(kinds=_kinds(outcome), how=how, reason=outcome.reason, tokens=outcome.usage.total_tokens)


def is_routing_suite(items: Sequence[EvalItem]) -> bool:
    """Whether every item is scored on its plan's kinds (one ``route`` part each)."""
    return bool(items) and all(len(item.parts) == 1 and isinstance(item.parts[0], RoutePart) for item in items)


def _expected(item: EvalItem) -> list[TaskKind]:
    (part,) = item.parts
    if not isinstance(part, RoutePart):
        raise ValueError(f"item {item.id!r} has no route part")
    return part.kinds


async def _one(router: Router, item: EvalItem) -> RouteOutcome:
    expected = _expected(item)
    started = time.perf_counter()
    try:
        routed = await router.route(item.prompt)
    except Exception as error:  # noqa: BLE001 - one failing item is an outcome, not the end of the run
        routed = Routed(kinds=None, how="error", reason=f"{type(error).__name__}: {error}")
    return RouteOutcome(
        item_id=item.id,
        router=router.name,
        category=item.category,
        expected=expected,
        kinds=routed.kinds,
        correct=routed.kinds == expected,
        how=routed.how,
        reason=routed.reason,
        tokens=routed.tokens,
        latency_s=time.perf_counter() - started,
    )


def load_route_outcomes(out_dir: Path) -> list[RouteOutcome]:
    path = out_dir / OUTCOMES
    if not path.exists():
        return []
    return [RouteOutcome.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


async def run_routing(
    items: Sequence[EvalItem],
    routers: Sequence[Router],
    *,
    out_dir: Path | None = None,
    concurrency: int = 1,
    on_done: Callable[[RouteOutcome], None] | None = None,
) -> list[RouteOutcome]:
    """Route every item with every router; outcomes in item order, router order. Resumes from ``out_dir``.

    Work is done item by item, the items the shortcut defers first (there both model routers ask the model).
    """
    done = {(o.item_id, o.router): o for o in load_route_outcomes(out_dir)} if out_dir is not None else {}
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    gate = asyncio.Semaphore(concurrency)
    write = asyncio.Lock()

    async def work(router: Router, item: EvalItem) -> None:
        async with gate:
            outcome = await _one(router, item)
        done[(item.id, router.name)] = outcome
        if out_dir is not None:
            async with write:
                with (out_dir / OUTCOMES).open("a", encoding="utf-8") as handle:
                    handle.write(outcome.model_dump_json() + "\n")
        if on_done is not None:
            on_done(outcome)

    await asyncio.gather(*(work(r, i) for i in _model_first(items) for r in routers if (i.id, r.name) not in done))
    return [done[(i.id, r.name)] for i in items for r in routers]


def _model_first(items: Sequence[EvalItem]) -> list[EvalItem]:
    """The items the shortcut leaves to the model first: a run cut short has junto's routing complete before the rest."""
    shortcut = Planner()
    return sorted(items, key=lambda item: shortcut.shortcut_plan(item.prompt) is not None)


class RouterSummary(BaseModel):
    """One router over a suite: exact kind-set accuracy, overall and per category, and how its plans were made."""

    router: str
    items: int
    correct: int
    accuracy: float
    decided: int = Field(description="items the router gave a plan for (the shortcut defers the others)")
    decided_share: float
    accuracy_where_decided: float | None
    how: dict[str, int] = Field(description="items by how the plan was reached: shortcut, model, fallback, deferred, error")
    by_category: dict[str, tuple[int, int]] = Field(description="category -> (right, items)")
    decided_by_category: dict[str, tuple[int, int]] = Field(description="category -> (right where decided, decided)")
    tokens_per_item: float
    latency_p50_s: float


def summarize_routing(outcomes: Sequence[RouteOutcome]) -> list[RouterSummary]:
    by_router: dict[str, list[RouteOutcome]] = {}
    for outcome in outcomes:
        by_router.setdefault(outcome.router, []).append(outcome)
    summaries = []
    for router, rows in by_router.items():
        decided = [o for o in rows if o.decided]
        categories = sorted({o.category for o in rows})
        how: dict[str, int] = {}
        for o in rows:
            how[o.how] = how.get(o.how, 0) + 1
        right = sum(o.correct for o in rows)
        summaries.append(
            RouterSummary(
                router=router,
                items=len(rows),
                correct=right,
                accuracy=right / len(rows),
                decided=len(decided),
                decided_share=len(decided) / len(rows),
                accuracy_where_decided=sum(o.correct for o in decided) / len(decided) if decided else None,
                how=dict(sorted(how.items())),
                by_category={
                    c: (sum(o.correct for o in rows if o.category == c), sum(o.category == c for o in rows)) for c in categories
                },
                decided_by_category={
                    c: (sum(o.correct for o in decided if o.category == c), sum(o.category == c for o in decided))
                    for c in categories
                },
                tokens_per_item=sum(o.tokens for o in rows) / len(rows),
                latency_p50_s=statistics.median(o.latency_s for o in rows),
            )
        )
    return summaries


def _share(right: int, total: int) -> str:
    return f"{right / total:.1%} ({right}/{total})" if total else "n/a"


def _named(kinds: Sequence[TaskKind] | None) -> str:
    return "none" if kinds is None else "+".join(kind.value for kind in kinds)


def routing_markdown(summaries: Sequence[RouterSummary], outcomes: Sequence[RouteOutcome], *, suite: str, command: str) -> str:
    """The summary page: the routers side by side, per category, and the shortcut's wrong decisions."""
    lines = [
        f"# {suite}: routing",
        "",
        f"`{command}`",
        "",
        "A plan is right when the set of its tasks' kinds equals the item's. The shortcut either decides or defers "
        '("none", never right); "decided" is the share of items it planned without a model.',
        "",
        "Where the shortcut defers, junto asks the planner model what planner-model asked it; at temperature 0 that call "
        "is made once and its answer replayed, so junto's latency on those items is not measured.",
        "",
        "| router | items | right (exact kind set) | decided | right where decided | plans: shortcut / model / fallback | tokens/item | p50 latency |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in summaries:
        where = _share(round((s.accuracy_where_decided or 0) * s.decided), s.decided)
        made = " / ".join(str(s.how.get(key, 0)) for key in ("shortcut", "model", "fallback"))
        errors = f", {s.how['error']} errors" if s.how.get("error") else ""
        lines.append(
            f"| {s.router} | {s.items} | {_share(s.correct, s.items)} | {s.decided_share:.1%} | {where} | {made}{errors} | "
            f"{s.tokens_per_item:.0f} | {s.latency_p50_s:.2f} s |"
        )
    categories = sorted({c for s in summaries for c in s.by_category})
    lines += ["", "## By category (right / items)", "", "| category | " + " | ".join(s.router for s in summaries) + " |"]
    lines.append("|---|" + "---:|" * len(summaries))
    for c in categories:
        lines.append(f"| {c} | " + " | ".join(_share(*s.by_category.get(c, (0, 0))) for s in summaries) + " |")
    shortcut = next((s for s in summaries if s.router == "shortcut"), None)
    if shortcut is not None:
        lines += [
            "",
            "## The shortcut where it decided (right / decided)",
            "",
            "| category | decided | right where decided |",
            "|---|---:|---:|",
        ]
        for c in categories:
            right, decided = shortcut.decided_by_category.get(c, (0, 0))
            items = shortcut.by_category.get(c, (0, 0))[1]
            lines.append(f"| {c} | {decided}/{items} | {_share(right, decided)} |")
        wrong = [o for o in outcomes if o.router == "shortcut" and o.decided and not o.correct]
        lines += ["", f"Wrong shortcut decisions: {len(wrong)}", ""]
        lines += [f"- {o.item_id} ({o.category}): {_named(o.kinds)}, should be {_named(o.expected)}" for o in wrong]
    return "\n".join(lines) + "\n"


def write_routing_summary(out_dir: Path, suite: str, outcomes: Sequence[RouteOutcome], *, command: str) -> list[RouterSummary]:
    """summary.json and summary.md in ``out_dir``; returns the summaries."""
    summaries = summarize_routing(outcomes)
    out_dir.mkdir(parents=True, exist_ok=True)
    record = {"suite": suite, "command": command, "routers": [s.model_dump() for s in summaries]}
    (out_dir / "summary.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    (out_dir / "summary.md").write_text(routing_markdown(summaries, outcomes, suite=suite, command=command), encoding="utf-8")
    return summaries


def routers_for(names: Sequence[str], roster: Roster, *, replay: bool = True) -> list[Router]:
    """The routers named (from :data:`ROUTERS`), the model ones planning with ``roster`` (its repeated calls replayed)."""
    unknown = sorted(set(names) - set(ROUTERS))
    if unknown:
        raise ValueError(f"unknown router {unknown[0]!r}: use {', '.join(ROUTERS)}")
    if replay:
        roster = replaying(roster)
    made: dict[str, Router] = {
        "shortcut": ShortcutRouter(Planner()),
        "planner-model": PlannerRouter(Planner(shortcut=False), roster, name="planner-model"),
        "junto": PlannerRouter(Planner(), roster, name="junto"),
    }
    return [made[name] for name in ROUTERS if name in names]


async def evaluate_routing(
    items: Sequence[EvalItem],
    *,
    roster: Roster,
    out_dir: Path,
    suite: str,
    command: str,
    routers: Sequence[str] = ROUTERS,
    concurrency: int = 1,
    on_done: Callable[[RouteOutcome], None] | None = None,
) -> list[RouterSummary]:
    """Route ``items`` with the named routers, write outcomes.jsonl, summary.json and summary.md to ``out_dir``."""
    chosen = routers_for(routers, roster)
    outcomes = await run_routing(items, chosen, out_dir=out_dir, concurrency=concurrency, on_done=on_done)
    return write_routing_summary(out_dir, suite, outcomes, command=command)
