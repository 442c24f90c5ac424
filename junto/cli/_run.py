"""``junto run TASK`` and ``junto graph run FILE.py[:NAME]``.

Both consume the run's event stream. On a terminal (without ``--json``) it
drives the live view of :mod:`junto.cli._live`: the plan as a tree, each
task's state, model, time and tokens, then the answer as Markdown and a
verification summary. Without a terminal the events are printed line by
line. With ``--json``, stdout holds exactly one JSON object: the run result,
or ``{"error": ..., "type": ...}``.

Exit status: 0 when the run completed (whatever the verification outcome),
2 for usage and configuration errors, 130 when Ctrl-C stopped it (running
tasks are cancelled, the sandbox is removed, the run is recorded as
``cancelled``), 1 otherwise.
"""

from __future__ import annotations

import asyncio
import json
import runpy
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from junto import _events as ev
from junto._budget import Budget
from junto._exceptions import ConfigError, JuntoError, RunError, SetupError
from junto._junto import Junto
from junto._runs import RunResult
from junto._view import RunView
from junto.cli._app import app
from junto.cli._live import render_live
from junto.graphs._builder import CompiledGraph, TaskGraph

__all__ = ["graph_app", "load_graph", "make_junto"]

graph_app = typer.Typer(help="Run task graphs defined in Python.", no_args_is_help=True)
app.add_typer(graph_app, name="graph")

_GRACE_S = 10.0  # beyond --timeout, for the aggregator to finish before the hard stop
_INTERRUPTED = 130  # the shell's code for a process stopped by Ctrl-C

_JSON = typer.Option(False, "--json", help="Print exactly one JSON object: the run result.")
_CONFIG = typer.Option(None, "--config", help="Path of junto.toml (default: ./junto.toml, then built-in defaults).")
_BUDGET_USD = typer.Option(None, "--budget-usd", min=0.0, help="Stop starting new work once this many dollars are spent.")
_BUDGET_TOKENS = typer.Option(None, "--budget-tokens", min=1, help="Stop starting new work once this many tokens are used.")
_TIMEOUT = typer.Option(None, "--timeout", min=0.1, help="Wall-clock budget of the run, in seconds.")
_REPLAN = typer.Option(
    0, "--replan", min=0, help="Let the planner replace failed tasks (and those after them) up to N times; the rest stays."
)
_SAMPLES = typer.Option(
    None,
    "--samples",
    min=1,
    max=32,
    help="Candidates each specialist draws per round, for every role (default: junto.toml's [samples], else 1).",
)


@app.command("run")
def run_command(
    task: str = typer.Argument(..., help="The task, in plain words."),
    as_json: bool = _JSON,
    session: str | None = typer.Option(None, "--session", help="Continue this session: earlier answers are context."),
    config: Path | None = _CONFIG,
    budget_usd: float | None = _BUDGET_USD,
    budget_tokens: int | None = _BUDGET_TOKENS,
    timeout: float | None = _TIMEOUT,
    replan: int = _REPLAN,
    samples: int | None = _SAMPLES,
) -> None:
    """Plan TASK, run it with the specialists, and print the checked answer."""
    budget = _budget(budget_usd, budget_tokens, timeout)
    outcome = _execute(task, session=session, config=config, budget=budget, as_json=as_json, replans=replan, samples=samples)
    _finish(outcome, as_json=as_json)


@graph_app.command("run")
def graph_run_command(
    target: str = typer.Argument(..., metavar="FILE.py[:NAME]", help="A Python file defining a TaskGraph (NAME: which one)."),
    as_json: bool = _JSON,
    config: Path | None = _CONFIG,
    budget_usd: float | None = _BUDGET_USD,
    budget_tokens: int | None = _BUDGET_TOKENS,
    timeout: float | None = _TIMEOUT,
    replan: int = _REPLAN,
    samples: int | None = _SAMPLES,
) -> None:
    """Run the TaskGraph defined in FILE.py (the first one found, or NAME) without the planner."""
    budget = _budget(budget_usd, budget_tokens, timeout)
    try:
        graph = load_graph(target)
    except SetupError as error:
        _finish(error, as_json=as_json)
        return
    _finish(
        _execute(graph, session=None, config=config, budget=budget, as_json=as_json, replans=replan, samples=samples),
        as_json=as_json,
    )


def load_graph(target: str) -> TaskGraph | CompiledGraph:
    """The TaskGraph named by ``FILE.py[:NAME]``; raises :class:`~junto.ConfigError`."""
    path_text, _, name = target.partition(":") if ":" in Path(target).name else (target, "", "")
    path = Path(path_text)
    if not path.is_file():
        raise ConfigError(f"no such file: {path}", hint="give the path of a Python file that builds a TaskGraph")
    try:
        namespace = runpy.run_path(str(path), run_name="__junto_graph__")
    except Exception as error:  # the user's file: report, don't crash
        raise ConfigError(f"{path} failed to load: {type(error).__name__}: {error}") from error
    graphs = {k: v for k, v in namespace.items() if isinstance(v, (TaskGraph, CompiledGraph)) and not k.startswith("_")}
    if name:
        if name not in namespace:
            raise ConfigError(f"{path} defines no '{name}'", hint=f"graphs found: {', '.join(graphs) or 'none'}")
        if name not in graphs:
            raise ConfigError(f"'{name}' in {path} is a {type(namespace[name]).__name__}, not a TaskGraph")
        return graphs[name]
    if not graphs:
        raise ConfigError(f"{path} defines no TaskGraph", hint="assign one at module level, e.g. graph = TaskGraph()")
    return next(iter(graphs.values()))


def _budget(usd: float | None, tokens: int | None, timeout: float | None) -> Budget:
    return Budget(max_cost_usd=usd, max_tokens=tokens, max_wall_s=timeout)


def make_junto(config: Path | None, *, budget: Budget, max_replans: int = 0, samples: int | None = None) -> Junto:
    """The Junto a command runs with: roster, store, sandbox limits, ``[budget]`` and ``[samples]`` from ``junto.toml``; what the flags set wins."""
    overrides = {} if samples is None else {"samples": samples}
    return Junto.from_config(config, budget=budget, max_replans=max_replans, **overrides)


class _Cancelled:
    """The run was stopped by Ctrl-C (and recorded as cancelled)."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id


def _execute(
    task: str | TaskGraph | CompiledGraph,
    *,
    session: str | None,
    config: Path | None,
    budget: Budget,
    as_json: bool,
    replans: int = 0,
    samples: int | None = None,
) -> RunResult | RunView | JuntoError | _Cancelled:
    console = Console(highlight=False)
    live = not as_json and console.is_terminal
    printer = None if as_json or live else _Printer(typer.echo)
    run_id = uuid.uuid4().hex

    async def go(junto: Junto) -> RunResult | RunView:
        try:
            if live:
                return await render_live(junto.stream(task, session=session, run_id=run_id), console)
            on_event = printer.show if printer is not None else None
            return await junto.run(task, session=session, run_id=run_id, on_event=on_event)
        finally:
            await junto.aclose()  # also removes the sandbox containers this run started

    async def bounded() -> RunResult | RunView:
        junto = make_junto(config, budget=budget, max_replans=replans, samples=samples)
        wall = junto.budget.max_wall_s  # --timeout, else [budget] wall_s
        limit = wall + _GRACE_S if wall is not None else None
        try:
            return await asyncio.wait_for(go(junto), timeout=limit)
        except TimeoutError:
            raise RunError(f"the run did not finish within {limit:g} s and was stopped") from None

    try:
        return asyncio.run(bounded())
    except JuntoError as error:
        return error
    except KeyboardInterrupt:  # asyncio.run cancelled the run first: it is recorded as cancelled
        return _Cancelled(run_id)


def _finish(outcome: RunResult | RunView | JuntoError | _Cancelled, *, as_json: bool) -> None:
    if isinstance(outcome, _Cancelled):
        if as_json:
            hint = f"junto trace {outcome.run_id} shows what finished"
            typer.echo(
                json.dumps({"error": "the run was cancelled", "type": "Cancelled", "hint": hint, "run_id": outcome.run_id})
            )
        else:
            Console(stderr=True, highlight=False).print(
                f"[yellow]run cancelled[/]: recorded as {outcome.run_id} with the tasks that finished"
                f" (see [cyan]junto trace {outcome.run_id}[/])"
            )
        raise typer.Exit(_INTERRUPTED)
    if isinstance(outcome, JuntoError):
        code = 2 if isinstance(outcome, SetupError) else 1
        if as_json:
            typer.echo(json.dumps({"error": outcome.message, "type": type(outcome).__name__, "hint": outcome.hint}))
            raise typer.Exit(code)
        from junto.cli._app import error_exit

        error_exit(outcome)
        return
    if isinstance(outcome, RunView):
        raise typer.Exit(0 if outcome.exit_reason == "completed" else 1)
    if as_json:
        typer.echo(outcome.to_json())
    raise typer.Exit(0 if outcome.completed else 1)


class _Printer:
    """Plain, line-by-line rendering of a run's events."""

    def __init__(self, echo: Callable[..., Any]) -> None:
        self.echo = echo
        self.streaming = False

    def show(self, event: ev.Event) -> None:
        if isinstance(event, (ev.PlanCreated, ev.PlanRevised)):
            head = (
                f"plan ({event.source}):"
                if isinstance(event, ev.PlanCreated)
                else f"plan revised, replacing {', '.join(event.replaced)}:"
            )
            self.echo(head)
            for t in event.tasks:
                after = f" after {', '.join(t.depends_on)}" if t.depends_on else ""
                self.echo(f"  {t.id} [{t.kind.value}]{after}: {_short(t.instruction)}")
        elif isinstance(event, ev.TaskFinished):
            reason = f" - {event.reason}" if event.reason else ""
            self.echo(f"{event.task_id}: {event.status.value} ({event.duration_s:.1f}s){reason}")
        elif isinstance(event, ev.AggregateStarted):
            self.echo("\nanswer:")
        elif isinstance(event, ev.AggregateToken):
            self.echo(event.text, nl=False)
            self.streaming = True
        elif isinstance(event, ev.AggregateFinished) and self.streaming:
            self.echo("")
        elif isinstance(event, ev.RunFinished):
            error = event.summary.get("error")
            tail = f"; {error}" if error else ""
            self.echo(f"\n{event.status} ({event.exit_reason}, {event.duration_s:.1f}s){tail}")


def _short(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
