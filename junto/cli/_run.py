"""``junto run TASK``, ``junto graph run FILE.py[:NAME]`` and ``junto resume RUN``.

All consume the run's event stream. On a terminal (without ``--json``) it
drives the live view of :mod:`junto.cli._live`: the plan as a tree, each
task's kind, model, candidates, checks and state, the budget spent; then the
answer once, a table of the tasks with their evidence, and the run id.
Without a terminal the plan, each task's outcome, the answer (once) and the
run id are printed line by line. With ``--json``, stdout holds exactly one
JSON object: the run result, or ``{"error": ..., "type": ...}``.

The exit status follows the run's outcome (:mod:`junto.cli._codes`): 0
verified or completed, 3 partial, 4 failed, 5 stopped by the budget, 130
cancelled (Ctrl-C: running tasks are cancelled, the sandbox is removed, the
run is recorded and can be resumed), 2 usage and configuration errors, 1
otherwise.
"""

from __future__ import annotations

import asyncio
import json
import runpy
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from junto._exceptions import ConfigError, JuntoError, RunError, SetupError
from junto.cli._app import app
from junto.cli._async import run_coroutine
from junto.cli._codes import EXIT_CODES_HELP, ExitCode, exit_code

if TYPE_CHECKING:  # imported when a run starts: `junto --help` pays for none of it
    from junto import _events as ev
    from junto._budget import Budget
    from junto._junto import Junto
    from junto._runs import RunResult
    from junto._view import RunView
    from junto.graphs._builder import CompiledGraph, TaskGraph

__all__ = ["graph_app", "load_graph", "make_junto"]

graph_app = typer.Typer(
    help="Run task graphs defined in Python.", no_args_is_help=True, epilog="\b\nExample:\n  junto graph run pipeline.py:graph"
)
app.add_typer(graph_app, name="graph")

_GRACE_S = 10.0  # beyond --timeout, for the aggregator to finish before the hard stop

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
    help="Candidates each specialist draws per round, for every role (default: junto.toml's [samples], else its first model's samples, else 1).",
)


_RUN_EXAMPLES = (
    "\b\nExamples:\n"
    '  junto run "Compute 17*23. Then write a Python function multiply(a, b). Explain the result in 60 words."\n'
    '  junto run --json "Solve x^2 - 5x + 6 = 0" | jq .status\n'
    '  junto run --budget-tokens 5000 --timeout 120 "..."   stop starting new work past 5000 tokens or 2 minutes\n'
    "\n" + EXIT_CODES_HELP
)


@app.command("run", epilog=_RUN_EXAMPLES)
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


@app.command(
    "resume",
    epilog="\b\nExample:\n  junto resume 3f2a9c     finish run 3f2a9c... (any unique prefix of its id)\n\n" + EXIT_CODES_HELP,
)
def resume_command(
    run_id: str = typer.Argument(..., help="The run to finish: its id or a unique prefix (see `junto runs`)."),
    as_json: bool = _JSON,
    config: Path | None = _CONFIG,
    budget_usd: float | None = _BUDGET_USD,
    budget_tokens: int | None = _BUDGET_TOKENS,
    timeout: float | None = _TIMEOUT,
) -> None:
    """Finish a run that was cancelled or whose process died: verified tasks are not run again."""
    from junto.cli._trace import load_record, store_url

    try:
        record = run_coroutine(load_record(run_id, url=store_url(config)))
    except JuntoError as error:
        _finish(error, as_json=as_json)
        return
    if not record.interrupted:
        _finish(
            RunError(
                f"run {record.run_id} is not interrupted: it ended {record.result.exit_reason.value}",
                hint=f"`junto trace {record.run_id[:12]}` shows it",
            ),
            as_json=as_json,
        )
        return
    budget = _budget(budget_usd, budget_tokens, timeout)
    outcome = _execute(
        record.result.task,
        session=record.result.session_id,
        config=config,
        budget=budget,
        as_json=as_json,
        run_id=record.run_id,
    )
    _finish(outcome, as_json=as_json)


@graph_app.command(
    "run",
    epilog="\b\nExample:\n  junto graph run examples/pipeline.py:graph --json\n\n" + EXIT_CODES_HELP,
)
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
    from junto.graphs._builder import CompiledGraph, TaskGraph

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
    from junto._budget import Budget

    return Budget(max_cost_usd=usd, max_tokens=tokens, max_wall_s=timeout)


def make_junto(config: Path | None, *, budget: Budget, max_replans: int = 0, samples: int | None = None) -> Junto:
    """The Junto a command runs with: roster, store, sandbox limits, ``[budget]`` and ``[samples]`` from ``junto.toml``; what the flags set wins."""
    from junto._junto import Junto

    overrides = {} if samples is None else {"samples": samples}
    return Junto.from_config(config, budget=budget, max_replans=max_replans, **overrides)


class _Cancelled:
    """The run was stopped by Ctrl-C or SIGTERM (``code`` says which) and recorded as cancelled."""

    def __init__(self, run_id: str, code: ExitCode = ExitCode.CANCELLED) -> None:
        self.run_id = run_id
        self.code = code


def _execute(
    task: str | TaskGraph | CompiledGraph,
    *,
    session: str | None,
    config: Path | None,
    budget: Budget,
    as_json: bool,
    replans: int = 0,
    samples: int | None = None,
    run_id: str | None = None,
) -> RunResult | RunView | JuntoError | _Cancelled:
    from rich.console import Console

    from junto.cli._live import render_live

    console = Console(highlight=False)
    live = not as_json and console.is_terminal
    printer = None if as_json or live else _Printer(typer.echo)
    run_id = run_id or uuid.uuid4().hex

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
        return run_coroutine(bounded())
    except JuntoError as error:
        return error
    except KeyboardInterrupt:  # asyncio.run cancelled the run first: it is recorded as cancelled
        return _Cancelled(run_id)
    except SystemExit as stop:  # SIGTERM: asyncio.run cancelled the run on the way out, as for Ctrl-C
        if stop.code != ExitCode.TERMINATED:
            raise
        return _Cancelled(run_id, ExitCode.TERMINATED)


def _finish(outcome: RunResult | RunView | JuntoError | _Cancelled, *, as_json: bool) -> None:
    from junto._view import RunView

    if isinstance(outcome, _Cancelled):
        short = outcome.run_id[:12]
        hint = f"`junto resume {short}` finishes it; `junto trace {short}` shows what finished"
        if as_json:
            typer.echo(
                json.dumps({"error": "the run was cancelled", "type": "Cancelled", "hint": hint, "run_id": outcome.run_id})
            )
        else:
            why = "cancelled" if outcome.code is ExitCode.CANCELLED else "stopped by SIGTERM"
            typer.echo(f"run {why}: recorded as {outcome.run_id} with the tasks that finished; {hint}", err=True)
        raise typer.Exit(outcome.code)
    if isinstance(outcome, JuntoError):
        code = ExitCode.USAGE if isinstance(outcome, SetupError) else ExitCode.ERROR
        if as_json:
            typer.echo(json.dumps({"error": outcome.message, "type": type(outcome).__name__, "hint": outcome.hint}))
            raise typer.Exit(code)
        from junto.cli._app import error_exit

        error_exit(outcome)
        return
    if isinstance(outcome, RunView):
        raise typer.Exit(exit_code(outcome.status, outcome.exit_reason))
    if as_json:
        typer.echo(outcome.to_json())
    raise typer.Exit(exit_code(outcome.status, outcome.exit_reason))


class _Printer:
    """Plain, line-by-line rendering of a run's events: the plan, each task's outcome, the answer once, the run id."""

    def __init__(self, echo: Callable[..., Any]) -> None:
        self.echo = echo
        self.answer: str | None = None

    def show(self, event: ev.Event) -> None:
        from junto import _events as ev

        if isinstance(event, ev.RunStarted):
            self.echo(f"run {event.run_id}")
        elif isinstance(event, (ev.PlanCreated, ev.PlanRevised)):
            if isinstance(event, ev.PlanCreated):
                self.echo(f"plan ({event.source}):" + (f" {event.reason}" if event.reason else ""))
            else:
                self.echo(f"plan revised, replacing {', '.join(event.replaced)}:")
            for t in event.tasks:
                after = f" after {', '.join(t.depends_on)}" if t.depends_on else ""
                self.echo(f"  {t.id} [{t.kind.value}]{after}: {_short(t.instruction)}")
        elif isinstance(event, ev.TaskFinished):
            reason = f" - {event.reason}" if event.reason else ""
            self.echo(f"{event.task_id}: {event.status.value} ({event.duration_s:.1f}s){reason}")
        elif isinstance(event, ev.AggregateFinished):
            self.answer = event.answer
        elif isinstance(event, ev.RunFinished):
            answer = self.answer if self.answer is not None else event.summary.get("answer")
            if answer:
                self.echo("\nanswer:\n" + str(answer).strip())
            error = event.summary.get("error")
            tail = f"; {error}" if error else ""
            self.echo(f"\nrun {event.run_id} {event.status} ({event.exit_reason.value}, {event.duration_s:.1f}s){tail}")
            self.echo(f"trace: junto trace {event.run_id[:12]}")


def _short(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
