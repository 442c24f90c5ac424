"""``junto trace RUN_ID`` and ``junto runs``: what a recorded run did, and the recent runs.

``--html FILE`` writes the same as one self-contained page (see
:mod:`junto._trace_html`). The trace is a tree: the plan, each task's attempts (model, tier, tokens,
cost, latency), the checks of each attempt with their evidence, and the
aggregator's verdict. ``--json`` prints the whole record as one JSON object
(``junto runs --json``: one array).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from junto._exceptions import RunError
from junto.cli._app import app
from junto.cli._async import run_coroutine

if TYPE_CHECKING:  # the run records and the store: imported when a command reads them, not for --help
    from junto._runs import RunRecord, RunSummary
    from junto._tasks import Attempt, CheckResult, TaskResult
    from junto.graphs._store import RunStore

__all__ = ["load_record", "load_runs", "render_runs", "render_trace", "runs_command", "store_url", "trace_command"]

_T = TypeVar("_T")

_STATUS_STYLE = {"verified": "green", "unverified": "blue", "failed": "red", "skipped": "dim", "partial": "yellow"}


def store_url(config: Path | None) -> str | Path:
    """The run store named by ``[store] url`` in the configuration, else the default file."""
    from junto._config import load_config
    from junto._home import default_store_path

    return load_config(config).store.url or default_store_path()


async def _with_store(url: str | Path, use: Callable[[RunStore], Awaitable[_T]]) -> _T:
    from junto.graphs._store import store_for

    store: RunStore = store_for(url)
    await store.open()
    try:
        return await use(store)
    finally:
        await store.aclose()


async def load_record(run_id: str, *, url: str | Path) -> RunRecord:
    """The record of ``run_id`` (or of the one run whose id starts with it); raises :class:`~junto.RunError` when there is none."""

    async def get(store: RunStore) -> RunRecord | None:
        return await store.get_run(await store.resolve_run_id(run_id))

    record = await _with_store(url, get)
    if record is None:
        raise RunError(f"no run with id '{run_id}' in the run store", hint="`junto runs` lists the recent runs")
    return record


async def load_runs(*, url: str | Path, limit: int = 20, session_id: str | None = None) -> list[RunSummary]:
    async def listing(store: RunStore) -> list[RunSummary]:
        return await store.list_runs(session_id=session_id, limit=limit)

    return await _with_store(url, listing)


def _status(value: str) -> Text:
    return Text(value, style=_STATUS_STYLE.get(value, ""))


def _check_line(check: CheckResult) -> Text:
    mark, style = {True: ("✓", "green"), False: ("✗", "red"), None: ("?", "yellow")}[check.passed]
    line = Text.assemble((f"{mark} ", style), (check.name, "bold"), (f" ({check.source})", "dim"))
    if check.evidence:
        evidence = check.evidence if len(check.evidence) <= 400 else check.evidence[:400] + "…"
        line.append("\n" + evidence, style="dim")
    return line


def _attempt_line(attempt: Attempt) -> Text:
    u = attempt.usage
    line = Text.assemble(
        (f"attempt {attempt.number}", "bold"),
        f" {attempt.model} tier {attempt.tier}",
        (f"  {u.prompt_tokens}+{u.completion_tokens} tok · ${attempt.cost_usd:.4f} · {attempt.duration_s:.2f}s", "dim"),
    )
    if attempt.error:
        line.append(f"\nerror: {attempt.error}", style="red")
    return line


def _task_node(parent: Tree, result: TaskResult, instruction: str) -> None:
    head = Text.assemble((result.task_id, "bold"), (f" [{result.kind.value}] ", "dim"), _status(result.status.value))
    head.append(f"  {result.usage.total_tokens} tok · ${result.cost_usd:.4f} · {result.duration_s:.2f}s", style="dim")
    node = parent.add(head)
    if instruction:
        node.add(Text(instruction, style="italic"))
    if result.reason:
        node.add(Text(f"reason: {result.reason}", style="yellow"))
    for attempt in result.attempts:
        branch = node.add(_attempt_line(attempt))
        for check in attempt.checks:
            branch.add(_check_line(check))
    if not result.attempts:
        for check in result.checks:
            node.add(_check_line(check))
    output = result.output_text()
    if output:
        node.add(Text("output: " + (output if len(output) <= 300 else output[:300] + "…"), style="dim"))


def render_trace(record: RunRecord) -> RenderableType:
    """The trace of one run as a rich tree, then its answer."""
    r = record.result
    when = datetime.datetime.fromtimestamp(record.started_at).isoformat(timespec="seconds")
    title = Text.assemble(
        ("run ", "bold"), (r.run_id, "bold cyan"), "  ", _status(r.status.value), (f" ({r.exit_reason})", "dim")
    )
    title.append(f"\n{when} · {r.duration_s:.2f}s · {r.usage.tokens} tokens · ${r.usage.cost_usd:.4f}", style="dim")
    if r.session_id:
        title.append(f" · session {r.session_id}", style="dim")
    tree = Tree(title, guide_style="dim")
    tree.add(Text(f"task: {r.task}"))
    plan = tree.add(Text.assemble(("plan", "bold"), (f" ({record.plan_source})", "dim")))
    for i, errors in enumerate(record.plan_repairs, 1):
        plan.add(Text(f"repair {i}: " + "; ".join(errors), style="yellow"))
    instructions = {t.id: t.instruction for t in r.plan.tasks}
    for task in r.plan.tasks:
        result = r.results.get(task.id)
        if result is None:
            plan.add(Text.assemble((task.id, "bold"), " not run", style="dim"))
        else:
            _task_node(plan, result, instructions.get(task.id, ""))
    if record.aggregate is not None:
        a = record.aggregate
        consistent = {True: "consistent", False: "INCONSISTENT", None: "not checked"}[a.consistent]
        agg = tree.add(
            Text.assemble(
                ("aggregate", "bold"),
                f" {consistent}",
                # the tasks the answer is made from; its citations check reads the text's own [id] marks
                (f" · {a.revisions} revisions · from {', '.join(a.cited) or 'no task'}", "dim"),
            )
        )
        for check in a.checks:
            agg.add(_check_line(check))
    if record.error:
        tree.add(Text(f"error: {record.error}", style="red"))
    from rich.markdown import Markdown  # pygments and markdown-it: imported when an answer is shown

    parts: list[RenderableType] = [tree]
    if r.answer:
        parts.append(Panel(Markdown(r.answer), title="answer", border_style="dim"))
    return Group(*parts)


def render_runs(runs: list[RunSummary], *, full_ids: bool = False) -> RenderableType:
    """The runs as a table; ids show their first 12 characters (any unique prefix is accepted back) unless ``full_ids``.

    Every column but the task's is kept whole, at any width: a cut id could not be given to ``junto trace``.
    """
    sessions = any(run.session_id for run in runs)
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("run id", "started", "status", "time", "cost", *(("session",) if sessions else ()), "task"):
        task = column == "task"
        table.add_column(column, no_wrap=not task, overflow="fold", ratio=1 if task else None, min_width=12 if task else None)
    for run in runs:
        when = datetime.datetime.fromtimestamp(run.started_at).strftime("%m-%d %H:%M")
        status = _status(run.status.value)
        if run.exit_reason.value != "completed":
            status.append(f" ({run.exit_reason.value})", style="dim")
        task = run.task if len(run.task) <= 60 else run.task[:59] + "…"
        table.add_row(
            run.run_id if full_ids else run.run_id[:12],
            when,
            status,
            f"{run.duration_s:.1f}s",
            f"${run.cost_usd:.4f}",
            *((run.session_id or "",) if sessions else ()),
            task,
        )
    return table


@app.command(
    "trace",
    epilog=(
        "\b\nExamples:\n"
        "  junto trace 3f2a9c               the run whose id starts with 3f2a9c\n"
        "  junto trace 3f2a9c --json | jq .result.status"
    ),
)
def trace_command(
    run_id: str = typer.Argument(..., help="The run to show: its id or a unique prefix (see `junto runs`)."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole run record as one JSON object."),
    html_file: Path | None = typer.Option(
        None, "--html", help="Write the trace as one self-contained HTML page (plan graph, timeline, checks) to this file."
    ),
    config: Path | None = typer.Option(None, "--config", help="junto.toml to read the run store from."),
) -> None:
    """Show what a run did: plan, attempts, checks with evidence, model calls with tokens, cost and latency."""
    record = run_coroutine(load_record(run_id, url=store_url(config)))
    if html_file is not None:
        from junto._trace_html import render_html

        html_file.write_text(render_html(record), encoding="utf-8")
        typer.echo(f"wrote {html_file}")
        return
    if as_json:
        typer.echo(record.model_dump_json())
        return
    Console().print(render_trace(record))


@app.command("runs", epilog="\b\nExamples:\n  junto runs -n 5\n  junto runs --no-trunc --json | jq '.[0].run_id'")
def runs_command(
    limit: int = typer.Option(20, "--limit", "-n", min=1, help="How many runs, most recent first."),
    session: str | None = typer.Option(None, "--session", help="Only the runs of this session."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
    no_trunc: bool = typer.Option(False, "--no-trunc", help="Show whole run ids (any unique prefix is accepted anyway)."),
    config: Path | None = typer.Option(None, "--config", help="junto.toml to read the run store from."),
) -> None:
    """List recent runs."""
    runs = run_coroutine(load_runs(url=store_url(config), limit=limit, session_id=session))
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in runs]))
        return
    if not runs:
        Console().print('no runs recorded yet: try `junto run "..."`')
        return
    Console().print(render_runs(runs, full_ids=no_trunc))
