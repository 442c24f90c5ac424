"""A run's state, folded from its events: what the terminal view, the chat and the server show.

:class:`RunView` folds the typed events of :mod:`junto._events` into a
state model (``RunView.apply(event)``; ``RunView.from_events(events)``).
Rendering it is the surfaces' business (:mod:`junto.cli._live` for a
terminal, :mod:`junto.server` for HTTP).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, Field

from junto import _events as ev
from junto._exit import ExitReason
from junto._tasks import CheckResult, Status, TaskKind

__all__ = ["Phase", "RunView", "TaskState", "TaskView"]


class TaskState(str, enum.Enum):
    """Where a task of the plan stands, as the live view shows it."""

    WAITING = "waiting"
    RUNNING = "running"
    CHECKING = "checking"
    RETRYING = "retrying"
    ESCALATED = "escalated"
    VERIFIED = "verified"
    FAILED = "failed"
    UNVERIFIED = "unverified"
    SKIPPED = "skipped"

    @property
    def done(self) -> bool:
        return self in _FINAL


_FINAL = {TaskState.VERIFIED, TaskState.FAILED, TaskState.UNVERIFIED, TaskState.SKIPPED}


class Phase(str, enum.Enum):
    """The stage the run as a whole is in."""

    PLANNING = "planning"
    EXECUTING = "executing"
    AGGREGATING = "aggregating"
    FINISHED = "finished"


class TaskView(BaseModel):
    """One task of the plan and what is known of it so far."""

    id: str
    kind: TaskKind
    instruction: str = ""
    depends_on: list[str] = Field(default_factory=list)
    state: TaskState = TaskState.WAITING
    model: str | None = None
    tier: int = 0
    attempt: int = 0
    started_at: float | None = None
    finished_at: float | None = None
    tokens: int = 0
    candidates: int = 0  # candidates drawn so far (one ``TaskAttempt`` each)
    checks: list[CheckResult] = Field(default_factory=list)
    reason: str | None = None

    def elapsed(self, now: float | None = None) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at if self.finished_at is not None else (now if now is not None else time.time())
        return max(end - self.started_at, 0.0)


class RunView(BaseModel):
    """Everything the live view shows, folded from a run's events."""

    run_id: str = ""
    task: str = ""
    session_id: str | None = None
    phase: Phase = Phase.PLANNING
    plan_source: str | None = None
    plan_reason: str | None = None  # why the plan is a fallback
    repairs: list[list[str]] = Field(default_factory=list)
    tasks: dict[str, TaskView] = Field(default_factory=dict)
    started_at: float | None = None
    aggregator: str | None = None
    streamed: str = ""  # the answer as written so far; a revision starts it over
    stream_note: str | None = None  # why the answer being written replaced an earlier draft
    answer: str | None = None
    consistent: bool | None = None
    revisions: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    prompt_tokens: int = 0  # summed over the run's model calls (``ModelCalled``): what usage reports
    completion_tokens: int = 0
    status: str | None = None
    exit_reason: ExitReason | None = None
    duration_s: float | None = None

    @classmethod
    def from_events(cls, events: Iterable[ev.Event]) -> RunView:
        view = cls()
        for event in events:
            view.apply(event)
        return view

    @property
    def finished(self) -> bool:
        return self.phase is Phase.FINISHED

    @property
    def answer_text(self) -> str:
        """The final answer, or what has streamed of it so far."""
        return self.answer if self.answer is not None else self.streamed

    def by_state(self, *states: TaskState) -> list[str]:
        return [t.id for t in self.tasks.values() if t.state in states]

    def apply(self, event: ev.Event) -> None:
        """Fold one event into the view."""
        if event.run_id and not self.run_id:
            self.run_id = event.run_id
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)

    def _task(self, task_id: str, kind: TaskKind = TaskKind.GENERAL) -> TaskView:
        if task_id not in self.tasks:  # an event for a task the plan did not announce
            self.tasks[task_id] = TaskView(id=task_id, kind=kind)
        return self.tasks[task_id]


def _run_started(view: RunView, event: ev.RunStarted) -> None:
    view.task, view.session_id, view.started_at = event.task, event.session_id, event.at


def _plan_created(view: RunView, event: ev.PlanCreated) -> None:
    view.plan_source, view.plan_reason = event.source, event.reason
    view.phase = Phase.EXECUTING
    view.tasks = {
        t.id: TaskView(id=t.id, kind=t.kind, instruction=t.instruction, depends_on=list(t.depends_on)) for t in event.tasks
    }


def _plan_repaired(view: RunView, event: ev.PlanRepaired) -> None:
    view.repairs.append(list(event.errors))


def _plan_revised(view: RunView, event: ev.PlanRevised) -> None:
    """Replaced tasks leave the view (their failure is in the trace); kept ones keep their state."""
    kept = {tid: task for tid, task in view.tasks.items() if tid not in event.replaced}
    view.tasks = {
        t.id: kept.get(t.id) or TaskView(id=t.id, kind=t.kind, instruction=t.instruction, depends_on=list(t.depends_on))
        for t in event.tasks
    }
    view.phase = Phase.EXECUTING


def _task_started(view: RunView, event: ev.TaskStarted) -> None:
    task = view._task(event.task_id, event.kind)
    task.state, task.started_at = TaskState.RUNNING, event.at
    view.phase = Phase.EXECUTING


def _task_attempt(view: RunView, event: ev.TaskAttempt) -> None:
    task = view._task(event.task_id)
    if task.started_at is None:
        task.started_at = event.at
    escalated = task.model is not None and event.tier > task.tier
    task.model, task.tier, task.attempt = event.model, event.tier, event.attempt
    task.candidates += 1
    if escalated or task.state is TaskState.ESCALATED:
        task.state = TaskState.ESCALATED
    else:
        task.state = TaskState.RETRYING if event.attempt > 1 else TaskState.RUNNING


def _task_checked(view: RunView, event: ev.TaskChecked) -> None:
    task = view._task(event.task_id)
    task.state = TaskState.CHECKING
    task.checks.append(event.check)


def _task_escalated(view: RunView, event: ev.TaskEscalated) -> None:
    task = view._task(event.task_id)
    task.state, task.model, task.tier = TaskState.ESCALATED, event.to_model, event.tier


def _task_finished(view: RunView, event: ev.TaskFinished) -> None:
    task = view._task(event.task_id)
    task.state = TaskState(Status(event.status).value)
    task.tokens, task.reason = event.tokens, event.reason
    if task.started_at is None:
        task.started_at = event.at - event.duration_s
    task.finished_at = task.started_at + event.duration_s if event.duration_s else event.at


def _aggregate_started(view: RunView, event: ev.AggregateStarted) -> None:
    view.phase, view.aggregator, view.streamed = Phase.AGGREGATING, event.model, ""


def _aggregate_token(view: RunView, event: ev.AggregateToken) -> None:
    """A note in square brackets between blank lines (the aggregator revising) starts the answer over."""
    head, bracket, rest = event.text.partition("\n\n[")
    note, closed, after = rest.partition("]\n\n")
    if bracket and closed and not head:
        view.streamed, view.stream_note = after, note
    else:
        view.streamed += event.text


def _aggregate_finished(view: RunView, event: ev.AggregateFinished) -> None:
    view.answer, view.consistent, view.revisions = event.answer, event.consistent, event.revisions
    view.aggregator = event.written_by or view.aggregator


def _model_called(view: RunView, event: ev.ModelCalled) -> None:
    view.prompt_tokens += event.prompt_tokens
    view.completion_tokens += event.completion_tokens


def _budget_updated(view: RunView, event: ev.BudgetUpdated) -> None:
    view.tokens, view.cost_usd = event.tokens, event.cost_usd


def _run_finished(view: RunView, event: ev.RunFinished) -> None:
    view.phase, view.status, view.exit_reason = Phase.FINISHED, event.status, event.exit_reason
    view.duration_s = event.duration_s
    answer = event.summary.get("answer")
    if view.answer is None and isinstance(answer, str):
        view.answer = answer
    for task in view.tasks.values():
        if not task.state.done:
            task.state = TaskState.SKIPPED
            task.reason = task.reason or f"run ended ({event.exit_reason})"


# Each handler takes the event type it is filed under.
_HANDLERS: dict[type[ev.Event], Callable[[RunView, Any], None]] = {
    ev.RunStarted: _run_started,
    ev.PlanCreated: _plan_created,
    ev.PlanRepaired: _plan_repaired,
    ev.PlanRevised: _plan_revised,
    ev.TaskStarted: _task_started,
    ev.TaskAttempt: _task_attempt,
    ev.TaskChecked: _task_checked,
    ev.TaskEscalated: _task_escalated,
    ev.TaskFinished: _task_finished,
    ev.AggregateStarted: _aggregate_started,
    ev.AggregateToken: _aggregate_token,
    ev.AggregateFinished: _aggregate_finished,
    ev.ModelCalled: _model_called,
    ev.BudgetUpdated: _budget_updated,
    ev.RunFinished: _run_finished,
}
