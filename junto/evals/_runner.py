"""Run a suite through the ensemble and through a single-model baseline, resumably.

Every item's outcome is appended to ``outcomes.jsonl`` in the output folder
as soon as it is scored; a second run with the same folder skips what is
already there.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, Field

from junto._exit import ExitReason
from junto._runs import RunResult, RunStatus
from junto._tasks import Status
from junto.evals._items import EvalItem
from junto.evals._scoring import PartScore, score_answer
from junto.models._types import Message, Model, ModelRequest
from junto.sandbox._types import Sandbox

if TYPE_CHECKING:
    from junto._junto import Junto

__all__ = ["Answer", "BaselineSystem", "EnsembleSystem", "Outcome", "System", "load_outcomes", "rescore", "run_suite"]

OUTCOMES = "outcomes.jsonl"


class Answer(BaseModel):
    text: str
    tokens: int = 0
    cost_usd: float = 0.0
    verified_tasks: int | None = None  # None: the system does not verify
    total_tasks: int | None = None
    verified: bool | None = None  # the answer as a whole was verified; None: the system does not verify
    error: str | None = None

    @classmethod
    def of_run(cls, result: RunResult) -> Answer:
        """What a junto run answered, with its verification and, when it could not proceed, why."""
        return cls(
            text=result.answer or "",
            tokens=result.usage.tokens,
            cost_usd=result.usage.cost_usd,
            verified_tasks=sum(1 for r in result.results.values() if r.status is Status.VERIFIED),
            total_tasks=len(result.results),
            verified=result.status is RunStatus.VERIFIED,
            error=f"the run stopped: {result.exit_reason.value}" if result.exit_reason is ExitReason.FAILED else None,
        )


class Outcome(BaseModel):
    """One item answered by one system, and how it scored."""

    item_id: str
    system: str
    category: str
    correct: bool
    parts: list[PartScore] = Field(default_factory=list)
    verified_tasks: int | None = None
    total_tasks: int | None = None
    verified: bool | None = None  # the system said its answer was verified (None: it does not verify)
    tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    error: str | None = None
    answer: str = ""

    @property
    def honesty(self) -> str | None:
        """``verified-right``, ``verified-wrong`` (a false verified), ``right-unverified`` or ``wrong``; None without a verdict."""
        if self.verified is None:
            return None
        if self.verified:
            return "verified-right" if self.correct else "verified-wrong"
        return "right-unverified" if self.correct else "wrong"


class System(Protocol):
    name: str

    async def answer(self, item: EvalItem) -> Answer: ...


class BaselineSystem:
    """One prompt, one answer, from one model: what the ensemble must beat."""

    def __init__(self, model: Model, *, max_tokens: int = 512, name: str | None = None) -> None:
        self.model = model
        self.max_tokens = max_tokens
        self.name = name or f"single:{model.name}"

    async def answer(self, item: EvalItem) -> Answer:
        request = ModelRequest(messages=[Message.user(item.prompt)], max_tokens=self.max_tokens)
        completion = await self.model.complete(request)
        return Answer(text=completion.text, tokens=completion.usage.total_tokens, cost_usd=completion.cost_usd)


class EnsembleSystem:
    """The junto ensemble: planner, checked specialists, aggregator."""

    def __init__(self, junto: Junto, *, name: str = "junto") -> None:
        self.junto = junto
        self.name = name

    async def answer(self, item: EvalItem) -> Answer:
        return Answer.of_run(await self.junto.run(item.prompt))


def load_outcomes(out_dir: Path) -> list[Outcome]:
    path = out_dir / OUTCOMES
    if not path.exists():
        return []
    outcomes = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            outcomes.append(Outcome.model_validate_json(line))
    return outcomes


async def _one(system: System, item: EvalItem, sandbox: Sandbox | None) -> Outcome:
    started = time.perf_counter()
    try:
        answer = await system.answer(item)
    except Exception as error:  # a system that errors scores zero on that item, and the run goes on
        return Outcome(
            item_id=item.id,
            system=system.name,
            category=item.category,
            correct=False,
            latency_s=time.perf_counter() - started,
            error=f"{type(error).__name__}: {error}"[:500],
        )
    latency = time.perf_counter() - started
    parts = await score_answer(item, answer.text, sandbox=sandbox)
    return Outcome(
        item_id=item.id,
        system=system.name,
        category=item.category,
        correct=bool(parts) and all(p.passed for p in parts),
        parts=parts,
        verified_tasks=answer.verified_tasks,
        total_tasks=answer.total_tasks,
        verified=answer.verified,
        tokens=answer.tokens,
        cost_usd=answer.cost_usd,
        latency_s=latency,
        error=answer.error,
        answer=answer.text[:4000],
    )


async def run_suite(
    items: Sequence[EvalItem],
    systems: Sequence[System],
    *,
    sandbox: Sandbox | None,
    out_dir: Path,
    concurrency: int = 1,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Answer and score every (system, item) pair not already in ``out_dir`` (``sandbox``: needed for code parts)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    done = {(o.system, o.item_id) for o in load_outcomes(out_dir)}
    todo = [(s, i) for i in items for s in systems if (s.name, i.id) not in done]
    gate = asyncio.Semaphore(max(concurrency, 1))
    write_lock = asyncio.Lock()
    path = out_dir / OUTCOMES

    async def work(system: System, item: EvalItem) -> None:
        async with gate:
            outcome = await _one(system, item, sandbox)
        async with write_lock:
            with path.open("a", encoding="utf-8") as handle:
                handle.write(outcome.model_dump_json() + "\n")
        if on_done is not None:
            on_done(outcome)

    await asyncio.gather(*(work(s, i) for s, i in todo))
    wanted = {i.id for i in items}
    names = {s.name for s in systems}
    return [o for o in load_outcomes(out_dir) if o.item_id in wanted and o.system in names]


async def rescore(items: Sequence[EvalItem], *, sandbox: Sandbox, out_dir: Path) -> list[Outcome]:
    """Score the stored answers again (after a scoring fix), without calling any model.

    Outcomes that errored keep their score of zero; the file is rewritten in place.
    """
    by_id = {item.id: item for item in items}
    rescored = []
    for outcome in load_outcomes(out_dir):
        item = by_id.get(outcome.item_id)
        if item is not None and outcome.error is None:
            parts = await score_answer(item, outcome.answer, sandbox=sandbox)
            outcome = outcome.model_copy(update={"parts": parts, "correct": bool(parts) and all(p.passed for p in parts)})
        rescored.append(outcome)
    (out_dir / OUTCOMES).write_text("".join(o.model_dump_json() + "\n" for o in rescored), encoding="utf-8")
    return rescored
