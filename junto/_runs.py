"""Run results and run records: what a run produced, and what is kept of it.

:class:`RunResult` is what ``Junto.run`` returns and what ``--json`` prints:
exactly ``run_id, session_id, task, plan, results, answer, status,
exit_reason, usage, duration_s``. :class:`RunRecord` is what the store keeps:
the result plus where the plan came from, the aggregator's verdict and the
run's events (its trace).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

from junto._events import Event
from junto._exit import ExitReason
from junto._plan import Plan
from junto._tasks import CheckResult, Status, TaskKind, TaskResult
from junto.graphs._builder import CompiledGraph

__all__ = [
    "AggregateVerdict",
    "PlanSource",
    "RunPlan",
    "RunPlanTask",
    "RunRecord",
    "RunResult",
    "RunStatus",
    "RunSummary",
    "RunUsage",
    "run_status",
]

PlanSource = Literal["planner", "graph", "fallback"]


class RunStatus(str, enum.Enum):
    """How far a run's answer can be trusted."""

    VERIFIED = "verified"  # every task verified and the answer agrees with them
    UNVERIFIED = "unverified"  # nothing failed, but something could not be checked
    PARTIAL = "partial"  # some tasks failed or were skipped; the rest is kept
    FAILED = "failed"  # no answer: nothing usable came out


class RunPlanTask(BaseModel):
    id: str
    kind: TaskKind
    instruction: str
    depends_on: list[str] = Field(default_factory=list)


class RunPlan(BaseModel):
    tasks: list[RunPlanTask] = Field(default_factory=list)

    @classmethod
    def of(cls, plan: Plan) -> RunPlan:
        return cls(
            tasks=[
                RunPlanTask(id=t.id, kind=t.kind, instruction=t.instruction, depends_on=list(t.depends_on)) for t in plan.tasks
            ]
        )


class RunUsage(BaseModel):
    tokens: int = 0
    cost_usd: float = 0.0


class RunResult(BaseModel):
    """The outcome of one run, in the shape ``.to_json()`` and ``junto run --json`` print."""

    run_id: str
    session_id: str | None = None
    task: str
    plan: RunPlan = Field(default_factory=RunPlan)
    results: dict[str, TaskResult] = Field(default_factory=dict)
    answer: str = ""
    status: RunStatus = RunStatus.FAILED
    exit_reason: ExitReason = ExitReason.COMPLETED
    usage: RunUsage = Field(default_factory=RunUsage)
    duration_s: float = 0.0

    @property
    def completed(self) -> bool:
        return self.exit_reason is ExitReason.COMPLETED

    def to_json(self, *, indent: int | None = None) -> str:
        return self.model_dump_json(indent=indent)


class AggregateVerdict(BaseModel):
    """What the aggregator said about its own answer."""

    cited: list[str] = Field(default_factory=list)
    consistent: bool | None = None
    checks: list[CheckResult] = Field(default_factory=list)
    revisions: int = 0


class RunRecord(BaseModel):
    """A run as the store keeps it: the result plus its provenance and trace."""

    result: RunResult
    graph: CompiledGraph | None = Field(default=None, description="the graph as run, so an interrupted run resumes it")
    plan_source: PlanSource = "planner"
    plan_repairs: list[list[str]] = Field(default_factory=list)
    aggregate: AggregateVerdict | None = None
    replaced: list[TaskResult] = Field(
        default_factory=list, description="results of failed tasks that replanning replaced, in order"
    )
    error: str | None = None
    started_at: float = Field(default_factory=time.time)
    events: list[Event] = Field(default_factory=list)

    @property
    def run_id(self) -> str:
        return self.result.run_id

    @property
    def interrupted(self) -> bool:
        """Started and never finished (the process died, or the run was cancelled): it can be resumed."""
        return self.result.exit_reason.resumable and self.graph is not None

    def summary(self) -> RunSummary:
        r = self.result
        return RunSummary(
            run_id=r.run_id,
            session_id=r.session_id,
            task=r.task,
            status=r.status,
            exit_reason=r.exit_reason,
            started_at=self.started_at,
            duration_s=r.duration_s,
            cost_usd=r.usage.cost_usd,
        )


class RunSummary(BaseModel):
    """One line of a run listing."""

    run_id: str
    session_id: str | None = None
    task: str
    status: RunStatus
    exit_reason: ExitReason
    started_at: float
    duration_s: float = 0.0
    cost_usd: float = 0.0


def run_status(
    results: Iterable[TaskResult], *, answered: bool, consistent: bool | None = None, covered: bool = True
) -> RunStatus:
    """The overall status a run earns from its task results and the aggregator's verdict.

    ``covered`` says whether the tasks are shown to make up the whole request
    (a task graph the user gave, or a plan made of the request's own words:
    :func:`~junto._provenance.covers_request`). Without it, every task
    verified still leaves the answer unverified.
    """
    statuses = [r.status for r in results]
    if not any(s in (Status.VERIFIED, Status.UNVERIFIED) for s in statuses):
        return RunStatus.FAILED  # an answer written without one usable result is no answer
    if any(s in (Status.FAILED, Status.SKIPPED) for s in statuses) or consistent is False or not answered:
        return RunStatus.PARTIAL
    if covered and statuses and all(s is Status.VERIFIED for s in statuses):
        return RunStatus.VERIFIED
    return RunStatus.UNVERIFIED
