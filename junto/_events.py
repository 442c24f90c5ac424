"""Typed events a run emits, in order, as it goes.

Consumers (the live CLI view, the server's SSE stream, traces) switch on the
class or on ``type``. Every event carries the run id and a timestamp.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from junto._exit import ExitReason
from junto._plan import PlanTask
from junto._tasks import CheckResult, Status, TaskKind
from junto.models._types import Message

__all__ = [
    "AggregateFinished",
    "AggregateStarted",
    "AggregateToken",
    "BudgetUpdated",
    "Event",
    "ModelCalled",
    "PlanCreated",
    "PlanRepaired",
    "PlanRevised",
    "RunFinished",
    "RunStarted",
    "SandboxRan",
    "TaskAttempt",
    "TaskChecked",
    "TaskEscalated",
    "TaskFinished",
    "TaskStarted",
]


class _Base(BaseModel):
    run_id: str = ""
    at: float = Field(default_factory=time.time)


class RunStarted(_Base):
    type: Literal["run_started"] = "run_started"
    task: str
    session_id: str | None = None


class PlanCreated(_Base):
    type: Literal["plan_created"] = "plan_created"
    tasks: list[PlanTask]
    source: Literal["planner", "graph", "fallback"] = "planner"
    reason: str | None = None  # why the plan is a fallback, in one line


class PlanRepaired(_Base):
    type: Literal["plan_repaired"] = "plan_repaired"
    attempt: int
    errors: list[str]


class PlanRevised(_Base):
    """Tasks that failed (and those after them) were replaced; ``tasks`` is the whole plan now."""

    type: Literal["plan_revised"] = "plan_revised"
    replaced: list[str]
    tasks: list[PlanTask]


class TaskStarted(_Base):
    type: Literal["task_started"] = "task_started"
    task_id: str
    kind: TaskKind


class TaskAttempt(_Base):
    type: Literal["task_attempt"] = "task_attempt"
    task_id: str
    attempt: int
    model: str
    tier: int


class TaskChecked(_Base):
    type: Literal["task_checked"] = "task_checked"
    task_id: str
    attempt: int
    check: CheckResult


class TaskEscalated(_Base):
    type: Literal["task_escalated"] = "task_escalated"
    task_id: str
    from_model: str
    to_model: str
    tier: int


class TaskFinished(_Base):
    type: Literal["task_finished"] = "task_finished"
    task_id: str
    status: Status
    attempts: int = 0
    tokens: int = 0
    duration_s: float = 0.0
    reason: str | None = None


class AggregateStarted(_Base):
    type: Literal["aggregate_started"] = "aggregate_started"
    model: str


class AggregateToken(_Base):
    type: Literal["aggregate_token"] = "aggregate_token"
    text: str


class AggregateFinished(_Base):
    type: Literal["aggregate_finished"] = "aggregate_finished"
    answer: str
    consistent: bool | None = None
    revisions: int = 0
    written_by: str = ""  # the model that wrote it, or e.g. "task t1" when a one-task plan's output is the answer


class ModelCalled(_Base):
    """One call to a model, emitted when it returns (or fails): ``at`` is its end, ``started_at`` its start.

    ``task_id`` and ``attempt`` name the task and candidate the call was made
    for (empty for the planner's and the aggregator's calls). ``messages``
    and ``output`` are kept in memory for observers that are asked to export
    them; they are never stored with the run's record.
    """

    type: Literal["model_called"] = "model_called"
    role: str
    model: str
    provider: str = ""
    started_at: float
    duration_s: float
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    temperature: float | None = None
    max_tokens: int | None = None
    error: str | None = None
    error_type: str | None = None  # the ModelError subclass, e.g. ModelRateLimitError
    deployment: str | None = None  # the replica that answered, for a model with deployments
    failovers: list[str] = Field(default_factory=list)  # "replica: ErrorType" for each replica that failed first
    task_id: str = ""
    attempt: int = 0
    messages: list[Message] = Field(default_factory=list, exclude=True, repr=False)
    output: str = Field(default="", exclude=True, repr=False)


class SandboxRan(_Base):
    """One sandbox run, emitted when it ends; attributed like :class:`ModelCalled`."""

    type: Literal["sandbox_ran"] = "sandbox_ran"
    started_at: float
    duration_s: float
    exit_code: int | None = None
    timed_out: bool = False
    error: str | None = None
    task_id: str = ""
    attempt: int = 0


class BudgetUpdated(_Base):
    type: Literal["budget_updated"] = "budget_updated"
    tokens: int
    cost_usd: float
    sandbox_s: float = 0.0


class RunFinished(_Base):
    type: Literal["run_finished"] = "run_finished"
    status: str
    exit_reason: ExitReason
    duration_s: float = 0.0
    summary: dict[str, Any] = Field(default_factory=dict)


Event = Annotated[
    RunStarted
    | PlanCreated
    | PlanRepaired
    | PlanRevised
    | TaskStarted
    | TaskAttempt
    | TaskChecked
    | TaskEscalated
    | TaskFinished
    | AggregateStarted
    | AggregateToken
    | AggregateFinished
    | ModelCalled
    | SandboxRan
    | BudgetUpdated
    | RunFinished,
    Field(discriminator="type"),
]
