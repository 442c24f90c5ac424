"""The live view of a run on a terminal: the plan as a tree, each task's state, the answer.

Two layers, kept apart so the first can be tested without a terminal:

- :class:`RunView` folds the typed events of :mod:`junto._events` into a
  state model (``RunView.apply(event)``; ``RunView.from_events(events)``);
- :func:`render` turns a :class:`RunView` into a rich renderable, and
  :func:`render_live` drives a rich ``Live`` display from an event stream.

Nothing live is drawn when the console is not a terminal: ``render_live``
then only folds the events (and prints the final answer if asked).
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import AsyncIterator, Iterable

from pydantic import BaseModel, Field
from rich.console import Console, Group, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.text import Text
from rich.tree import Tree

from junto import _events as ev
from junto._tasks import CheckResult, Status, TaskKind

__all__ = [
    "Phase",
    "RunView",
    "TaskState",
    "TaskView",
    "render",
    "render_answer",
    "render_live",
    "verification_summary",
]


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
    repairs: list[list[str]] = Field(default_factory=list)
    tasks: dict[str, TaskView] = Field(default_factory=dict)
    started_at: float | None = None
    aggregator: str | None = None
    streamed: str = ""
    answer: str | None = None
    consistent: bool | None = None
    revisions: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    status: str | None = None
    exit_reason: str | None = None
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
    view.plan_source = event.source
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
    view.streamed += event.text


def _aggregate_finished(view: RunView, event: ev.AggregateFinished) -> None:
    view.answer, view.consistent, view.revisions = event.answer, event.consistent, event.revisions


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


_HANDLERS = {
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
    ev.BudgetUpdated: _budget_updated,
    ev.RunFinished: _run_finished,
}

# ---------------------------------------------------------------- rendering

_STYLE = {
    TaskState.WAITING: ("·", "dim"),
    TaskState.RUNNING: ("▶", "cyan"),
    TaskState.CHECKING: ("?", "yellow"),
    TaskState.RETRYING: ("↻", "yellow"),
    TaskState.ESCALATED: ("⇧", "magenta"),
    TaskState.VERIFIED: ("✓", "green"),
    TaskState.FAILED: ("✗", "red"),
    TaskState.UNVERIFIED: ("~", "blue"),
    TaskState.SKIPPED: ("-", "dim"),
}


def _task_line(task: TaskView, now: float | None) -> Text:
    mark, style = _STYLE[task.state]
    line = Text.assemble((f"{mark} ", style), (task.id, "bold"), (f" [{task.kind.value}] ", "dim"), (task.state.value, style))
    details = []
    if task.model:
        details.append(task.model + (f" tier {task.tier}" if task.tier else ""))
    if task.attempt > 1:
        details.append(f"attempt {task.attempt}")
    elapsed = task.elapsed(now)
    if elapsed is not None:
        details.append(f"{elapsed:.1f}s")
    if task.tokens:
        details.append(f"{task.tokens} tok")
    if details:
        line.append("  " + " · ".join(details), style="dim")
    if task.reason and task.state in (TaskState.FAILED, TaskState.SKIPPED, TaskState.UNVERIFIED):
        line.append(f"\n  {task.reason}", style="dim italic")
    return line


def _plan_tree(view: RunView, now: float | None) -> Tree:
    title = Text.assemble(("plan", "bold"), (f" ({view.plan_source})" if view.plan_source else "", "dim"))
    tree = Tree(title, guide_style="dim")
    nodes: dict[str, Tree] = {}
    for task in view.tasks.values():  # plan order: a task's first dependency is already placed
        parent = next((nodes[d] for d in task.depends_on if d in nodes), tree)
        nodes[task.id] = parent.add(_task_line(task, now))
    return tree


def render(view: RunView, *, now: float | None = None) -> RenderableType:
    """The view of a run in progress: the plan tree, then the answer streaming."""
    parts: list[RenderableType] = []
    if view.phase is Phase.PLANNING:
        repairs = f" (repair {len(view.repairs)})" if view.repairs else ""
        parts.append(Text(f"planning…{repairs}", style="cyan"))
    else:
        parts.append(_plan_tree(view, now))
    if view.phase is Phase.AGGREGATING or (view.finished and view.answer_text):
        parts.append(Panel(Text(view.answer_text or "…"), title=f"answer ({view.aggregator or 'aggregator'})", border_style="dim"))
    footer = f"{view.tokens} tokens" + (f" · ${view.cost_usd:.4f}" if view.cost_usd else "")
    if view.started_at is not None and not view.finished:
        footer += f" · {max((now or time.time()) - view.started_at, 0.0):.1f}s"
    parts.append(Text(footer, style="dim"))
    return Group(*parts)


def verification_summary(view: RunView) -> Text:
    """One line per outcome: which tasks were verified and which were not."""
    text = Text()
    for state in (TaskState.VERIFIED, TaskState.UNVERIFIED, TaskState.FAILED, TaskState.SKIPPED):
        ids = view.by_state(state)
        if ids:
            mark, style = _STYLE[state]
            text.append(f"{mark} {state.value}: ", style=style)
            text.append(", ".join(ids) + "\n")
    if view.consistent is False:
        text.append("✗ the answer disagrees with the verified results\n", style="red")
    status = view.status or "unknown"
    text.append(f"run {view.run_id} {status}", style="bold")
    text.append(f" ({view.exit_reason})" if view.exit_reason else "", style="dim")
    if view.duration_s is not None:
        text.append(f" in {view.duration_s:.1f}s", style="dim")
    text.append(f" · {view.tokens} tokens", style="dim")
    return text


def render_answer(view: RunView) -> RenderableType:
    """The finished run: the answer as Markdown and the verification summary."""
    parts: list[RenderableType] = [_plan_tree(view, None)]
    if view.answer_text:
        parts.append(Panel(Markdown(view.answer_text), title="answer", border_style="green"))
    parts.append(verification_summary(view))
    return Group(*parts)


async def render_live(
    events: AsyncIterator[ev.Event],
    console: Console,
    *,
    view: RunView | None = None,
    final: bool = True,
    refresh_per_second: float = 8.0,
) -> RunView:
    """Consume ``events``, drawing the live view on a terminal; return the folded view.

    On a terminal the live region shows the plan and streaming answer, then
    (with ``final``) the answer as Markdown and the verification summary are
    printed. Without a terminal nothing is drawn while the run goes; ``final``
    still prints the answer and summary as plain text.
    """
    view = view if view is not None else RunView()
    if not console.is_terminal:
        async for event in events:
            view.apply(event)
    else:
        from rich.live import Live

        with Live(render(view), console=console, refresh_per_second=refresh_per_second, transient=True) as live:

            async def tick() -> None:  # elapsed times go on between events; drawn on the loop, never mid-update
                while True:
                    await asyncio.sleep(1.0 / refresh_per_second)
                    live.update(render(view))

            ticker = asyncio.create_task(tick())
            try:
                async for event in events:
                    view.apply(event)
                    live.update(render(view))
            finally:
                ticker.cancel()
                live.update(render(view))
    if final:
        console.print(render_answer(view))
    return view
