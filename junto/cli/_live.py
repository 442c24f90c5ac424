"""The live view of a run on a terminal: the plan as a tree, each task's state, the answer.

:func:`render` turns a :class:`~junto._view.RunView` (a run's state folded
from its events) into a rich renderable, and :func:`render_live` drives a
rich ``Live`` display from an event stream.

Nothing live is drawn when the console is not a terminal: ``render_live``
then only folds the events (and prints the final answer if asked).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from rich.console import Console, Group, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.text import Text
from rich.tree import Tree

from junto import _events as ev
from junto._view import Phase, RunView, TaskState, TaskView

__all__ = [
    "render",
    "render_answer",
    "render_live",
    "verification_summary",
]


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
        parts.append(
            Panel(Text(view.answer_text or "…"), title=f"answer ({view.aggregator or 'aggregator'})", border_style="dim")
        )
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
