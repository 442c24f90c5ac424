"""The live view of a run on a terminal: the plan as a tree, each task's state, then the answer once.

:func:`render` turns a :class:`~junto._view.RunView` (a run's state folded
from its events) into a rich renderable, and :func:`render_live` drives a
rich ``Live`` display from an event stream. While the run goes, the tree
shows each task's kind, model, candidates, checks and state, and the budget
spent; the answer streams below it as it is written (a revision starts it
over). When the run ends the tree stays with every task's final state, then
the answer is printed once, then a table of the tasks with the evidence
behind each verified one. Drafts, rejected revisions and failed outputs are
never printed as the answer: ``junto trace`` has them.

Nothing live is drawn when the console is not a terminal: ``render_live``
then only folds the events (and prints the final answer if asked).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from junto import _events as ev
from junto._tasks import Spec
from junto._view import Phase, RunView, TaskState, TaskView

__all__ = [
    "render",
    "render_answer",
    "render_live",
    "short_id",
    "task_table",
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
_SHORT_ID = 12  # characters of a run id shown; any unique prefix is accepted back


def short_id(run_id: str) -> str:
    """The first characters of ``run_id``, enough to name it to every command that takes one."""
    return run_id[:_SHORT_ID]


def _checks_summary(task: TaskView) -> str:
    passed = sum(1 for c in task.checks if c.passed is True)
    failed = sum(1 for c in task.checks if c.passed is False)
    if not task.checks:
        return ""
    return f"checks {passed}✓ {failed}✗" + (
        f" {len(task.checks) - passed - failed}?" if passed + failed < len(task.checks) else ""
    )


def _task_line(task: TaskView, now: float | None) -> Text:
    mark, style = _STYLE[task.state]
    line = Text.assemble((f"{mark} ", style), (task.id, "bold"), (f" [{task.kind.value}] ", "dim"), (task.state.value, style))
    details = []
    if task.model:
        details.append(task.model + (f" tier {task.tier}" if task.tier else ""))
    if task.candidates > 1:
        details.append(f"{task.candidates} candidates")
    checks = _checks_summary(task)
    if checks:
        details.append(checks)
    elapsed = task.elapsed(now)
    if elapsed is not None:
        details.append(f"{elapsed:.1f}s")
    if task.tokens:
        details.append(f"{task.tokens} tok")
    if len(task.depends_on) > 1:
        details.append("after " + ", ".join(task.depends_on))
    if details:
        line.append("  " + " · ".join(details), style="dim")
    if task.reason and task.state in (TaskState.FAILED, TaskState.SKIPPED, TaskState.UNVERIFIED):
        line.append(f"\n  {task.reason}", style="dim italic")
    return line


def _plan_tree(view: RunView, now: float | None) -> Tree:
    title = Text.assemble(("plan", "bold"), (f" ({view.plan_source})" if view.plan_source else "", "dim"))
    if view.plan_reason:
        title.append(f": {view.plan_reason}", style="yellow")
    tree = Tree(title, guide_style="dim")
    nodes: dict[str, Tree] = {}
    for task in view.tasks.values():  # plan order: a task's dependency is already placed
        # Under its one dependency; a task that waits for several sits at the top and names them.
        parent = nodes.get(task.depends_on[0], tree) if len(task.depends_on) == 1 else tree
        nodes[task.id] = parent.add(_task_line(task, now))
    return tree


def _footer(view: RunView, now: float | None) -> Text:
    tokens = max(view.tokens, view.prompt_tokens + view.completion_tokens)  # model calls count as they return
    footer = f"{tokens} tokens" + (f" · ${view.cost_usd:.4f}" if view.cost_usd else "")
    if view.started_at is not None and not view.finished:
        footer += f" · {max((now or time.time()) - view.started_at, 0.0):.1f}s"
    return Text(footer, style="dim")


def render(view: RunView, *, now: float | None = None) -> RenderableType:
    """The view of a run in progress: the plan tree, the answer as it is written, the budget spent.

    Once the run has finished only the tree and the budget remain: the answer
    is printed once, after it, by :func:`render_answer`.
    """
    parts: list[RenderableType] = []
    if view.phase is Phase.PLANNING:
        repairs = f" (repair {len(view.repairs)})" if view.repairs else ""
        parts.append(Text(f"planning…{repairs}", style="cyan"))
    else:
        parts.append(_plan_tree(view, now))
    if view.phase is Phase.AGGREGATING:
        body = Text(view.streamed or "…")
        if view.stream_note:
            body = Text.assemble((f"({view.stream_note})\n", "dim italic"), body)
        parts.append(Panel(body, title=f"writing the answer ({view.aggregator or 'aggregator'})", border_style="dim"))
    parts.append(_footer(view, now))
    return Group(*parts)


def _evidence(task: TaskView) -> str:
    """What backs a task's status, in one short line."""
    if task.state is TaskState.VERIFIED:
        passed = [c for c in task.checks if c.passed is True]
        # what verified it: checks against a specification the model did not write (the last of each name)
        confirmed = {c.name: c for c in passed if c.spec is not Spec.MODEL} or {c.name: c for c in passed}
        text = "; ".join(f"{c.name}: {c.evidence}" if c.evidence else c.name for c in confirmed.values())
    else:
        text = task.reason or ("no check could decide" if task.state is TaskState.UNVERIFIED else "")
    line = " ".join(text.split())
    return line if len(line) <= 160 else line[:159] + "…"


def task_table(view: RunView) -> Table:
    """One row per task: its kind, final status and the evidence behind it (or why it failed)."""
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("task", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("evidence", overflow="fold", ratio=1)
    for task in view.tasks.values():
        mark, style = _STYLE[task.state]
        table.add_row(task.id, task.kind.value, Text(f"{mark} {task.state.value}", style=style), _evidence(task))
    return table


def verification_summary(view: RunView) -> Text:
    """The run in one line: its id, status, exit reason, time and spend, and where the full trace is."""
    text = Text()
    if view.consistent is False:
        text.append("✗ the answer disagrees with the verified results\n", style="red")
    status = view.status or "unknown"
    text.append(f"run {short_id(view.run_id)} {status}", style="bold")
    text.append(f" ({view.exit_reason.value})" if view.exit_reason else "", style="dim")
    if view.duration_s is not None:
        text.append(f" in {view.duration_s:.1f}s", style="dim")
    text.append(f" · {view.tokens} tokens", style="dim")
    if view.cost_usd:
        text.append(f" · ${view.cost_usd:.4f}", style="dim")
    if view.run_id:
        text.append("\nattempts, drafts and evidence: ", style="dim")
        text.append(f"junto trace {short_id(view.run_id)}", style="cyan")
    return text


def render_answer(view: RunView) -> RenderableType:
    """The finished run after its tree: the answer once, the task table, the one-line summary."""
    from rich.markdown import Markdown  # pygments and markdown-it: imported when an answer is shown

    parts: list[RenderableType] = []
    if view.answer_text:
        parts.append(Panel(Markdown(view.answer_text), title="answer", border_style="green"))
    else:
        parts.append(Text("no answer", style="red"))
    if view.tasks:
        parts.append(task_table(view))
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

    On a terminal the live region shows the plan and the answer being
    written; when the run ends the tree stays with the final states and (with
    ``final``) the answer, task table and summary are printed once. Without a
    terminal nothing is drawn while the run goes; ``final`` still prints the
    answer and summary as plain text.
    """
    view = view if view is not None else RunView()
    if not console.is_terminal:
        async for event in events:
            view.apply(event)
        if final:
            console.print(_plan_tree(view, None))
    else:
        from rich.live import Live

        with Live(render(view), console=console, refresh_per_second=refresh_per_second, transient=False) as live:

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
                if view.phase is Phase.AGGREGATING:  # stopped while writing: the half-written answer is not the answer
                    view.phase = Phase.FINISHED
                live.update(render(view), refresh=True)
    if final:
        console.print(render_answer(view))
    return view
