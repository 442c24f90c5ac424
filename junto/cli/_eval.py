"""`junto eval`: the ensemble against a single model, scored by checks."""

from __future__ import annotations

import contextlib
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from junto.cli._app import app
from junto.cli._async import run_coroutine
from junto.cli._batch import RAY_OPTION_HELP, engine_address

if TYPE_CHECKING:
    from rich.console import Console

    from junto._config import JuntoConfig
    from junto.evals import EvalItem, Outcome, RouteOutcome, System

__all__ = ["ensemble_name", "eval_command", "spread"]


def spread(items: list[EvalItem], limit: int | None) -> list[EvalItem]:
    """The first ``limit`` items, taken in turn from each category so a short run covers them all."""
    if limit is None or limit >= len(items):
        return list(items)
    by_category: dict[str, list[EvalItem]] = {}
    for item in items:
        by_category.setdefault(item.category, []).append(item)
    queues = list(by_category.values())
    chosen: list[EvalItem] = []
    while len(chosen) < limit:
        for queue in queues:
            if queue and len(chosen) < limit:
                chosen.append(queue.pop(0))
    return chosen


def ensemble_name(config: JuntoConfig, samples: int | None = None) -> str:
    """junto's system name in an evaluation: ``junto-sN`` when its specialists draw N candidates a round, else ``junto``.

    N is what they draw: ``samples`` (``--samples``) for every role, else each
    role's ``[samples]``, else the ``samples`` of the model it starts on (or
    that model kind's default). A role drawing another number than most is
    named with its own (``junto-s1-code-s4``). One candidate everywhere, not
    asked for with ``--samples``, is plain ``junto``.
    """
    from junto._tasks import TaskKind

    counts = {kind.role: config.with_samples(samples).samples_for(kind.role) for kind in TaskKind}  # the specialists' roles
    if samples is None and set(counts.values()) == {1}:
        return "junto"
    most = max(sorted(set(counts.values())), key=list(counts.values()).count)  # a tie: the fewest
    others = "".join(f"-{role.value}-s{count}" for role, count in counts.items() if count != most)
    return f"junto-s{most}{others}"


@app.command("eval", epilog="\b\nExample:\n  junto eval humaneval --limit 20 --out results/humaneval")
def eval_command(
    suite: str = typer.Argument(
        ...,
        help="humaneval, math, math-heldout, composite, ifeval-heldout, ifeval-heldout-2, ifeval-heldout-3, ifeval-heldout-4, route-heldout, route-heldout-2, route-heldout-3, route-heldout-4, route-heldout-5, code-heldout, or the path of a JSONL suite.",
    ),
    config: Path | None = typer.Option(None, "--config", help="junto.toml to use (default: search order)."),
    baseline: str | None = typer.Option(
        None,
        "--baseline",
        help="Model name from junto.toml for the single-model baseline (default: the general role's first model).",
    ),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first N items."),
    concurrency: int = typer.Option(1, "--concurrency", min=1, max=64, help="Items answered at once."),
    out: Path = typer.Option(
        Path("eval-results"), "--out", help="Folder for outcomes.jsonl, summary and plots; re-running resumes."
    ),
    systems: str = typer.Option(
        "both",
        "--systems",
        help="both, junto or baseline; for a routing suite: both (all routers) or a comma list of shortcut, planner-model, junto.",
    ),
    rescore_only: bool = typer.Option(
        False, "--rescore", help="Score the answers already in --out again (after a scoring change); no model is called."
    ),
    samples: int | None = typer.Option(
        None,
        "--samples",
        min=1,
        max=32,
        help="Candidates junto's specialists draw per round, over junto.toml's (the system is named junto-sN after the number drawn).",
    ),
    models: str | None = typer.Option(
        None,
        "--models",
        help="Compare these junto.toml models (comma list) as every specialist, per domain; writes a recommended [roles].",
    ),
    target: float = typer.Option(
        0.8, "--target", min=0.0, max=1.0, help="With --models: the accuracy a role's tiers must reach."
    ),
    ray: str | None = typer.Option(None, "--ray", help=RAY_OPTION_HELP + " Runs junto's side there.", metavar="ADDRESS"),
) -> None:
    """Run SUITE through the junto ensemble and through one model, and compare.

    A routing suite (route-heldout) scores plans, not answers: see junto.evals._routing.
    """
    command = (
        "junto eval " + " ".join(shlex.quote(a) for a in sys.argv[2:]) if sys.argv[1:2] == ["eval"] else "junto eval " + suite
    )
    if models:
        from junto.evals._portfolio import run_portfolio

        names = [name.strip() for name in models.split(",") if name.strip()]
        run_coroutine(run_portfolio(spread(_load(suite), limit), config, names, target, out, concurrency, command))
        return
    if _routing(suite):
        run_coroutine(_route(suite, config, limit, concurrency, out, systems, command))
        return
    if systems not in ("both", "junto", "baseline"):
        raise typer.BadParameter("--systems must be both, junto or baseline")
    address = engine_address(ray, config)
    run_coroutine(_eval(suite, config, baseline, limit, concurrency, out, systems, command, rescore_only, samples, address))


def _load(suite: str) -> list[EvalItem]:
    from junto.evals import load_suite

    return load_suite(suite)


def _routing(suite: str) -> bool:
    from junto.evals import is_routing_suite, load_suite

    return suite != "humaneval" and is_routing_suite(load_suite(suite))


async def _route(
    suite: str, config_path: Path | None, limit: int | None, concurrency: int, out: Path, systems: str, command: str
) -> None:
    from rich.console import Console

    from junto._config import load_config
    from junto.evals import ROUTERS, evaluate_routing, load_suite

    routers = ROUTERS if systems == "both" else tuple(name.strip() for name in systems.split(","))
    if set(routers) - set(ROUTERS):
        raise typer.BadParameter(f"--systems for a routing suite: both or a comma list of {', '.join(ROUTERS)}")
    console = Console(stderr=True)

    def done(outcome: RouteOutcome) -> None:
        got = "none" if outcome.kinds is None else "+".join(k.value for k in outcome.kinds)
        console.print(f"{'ok ' if outcome.correct else 'no '} {outcome.router:<14} {outcome.item_id:<12} {got}", highlight=False)

    items = spread(load_suite(suite), limit)
    config = load_config(config_path)
    roster = config.build_roster()
    try:
        await evaluate_routing(
            items,
            roster=roster,
            out_dir=out,
            suite=suite,
            command=command,
            routers=routers,
            concurrency=concurrency,
            on_done=done,
        )
    finally:
        await config.aclose()
    sys.stdout.write((out / "summary.md").read_text(encoding="utf-8"))


async def _eval(
    suite: str,
    config_path: Path | None,
    baseline_name: str | None,
    limit: int | None,
    concurrency: int,
    out: Path,
    systems: str,
    command: str,
    rescore_only: bool = False,
    samples: int | None = None,
    ray_address: str | None = None,
) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from junto._config import load_config
    from junto.evals import (
        BaselineSystem,
        EnsembleSystem,
        load_suite,
        rescore,
        run_command,
        run_suite,
    )
    from junto.models import Role
    from junto.sandbox import DockerSandbox
    from junto.scale import open_ensemble

    console = Console(stderr=True)
    items = spread(load_suite(suite), limit)
    config = load_config(config_path)
    if rescore_only:
        async with DockerSandbox.start(limits=config.sandbox) as sandbox:
            wanted = {item.id for item in items}
            outcomes = [o for o in await rescore(items, sandbox=sandbox, out_dir=out) if o.item_id in wanted]
        ran = run_command(out)
        _report(out, suite, outcomes, ran or command, console, rescored_with=command if ran else None)
        return
    config = config.with_samples(samples)
    roster = config.build_roster()
    out.mkdir(parents=True, exist_ok=True)
    sandboxed = DockerSandbox.start(limits=config.sandbox)
    budget = config.budget.to_budget()
    sampling = samples or config.samples or None
    async with (
        contextlib.AsyncExitStack() as stack,  # the models this command built are closed last
        sandboxed as sandbox,
        open_ensemble(
            ray_address,
            config=config,
            store=str(out / "runs.db"),
            slots=concurrency,
            roster=roster,
            sandbox=sandbox,
            budget=budget,
            samples=sampling,
        ) as junto,
    ):
        stack.push_async_callback(config.aclose)  # the roster's models and a --baseline model
        chosen: list[System] = []
        if systems in ("both", "junto"):
            chosen.append(EnsembleSystem(junto, name=ensemble_name(config, samples)))
        if systems in ("both", "baseline"):
            model = config.build_model(baseline_name) if baseline_name else roster.first(Role.GENERAL)
            chosen.append(BaselineSystem(model))
        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
        with Progress(*columns, console=console, transient=False, disable=not console.is_terminal) as progress:
            bar = progress.add_task(f"{suite}: {len(items)} items x {len(chosen)} systems", total=len(items) * len(chosen))
            done_before = len(items) * len(chosen)

            def advance(outcome: Outcome) -> None:
                progress.advance(bar)
                if not console.is_terminal:
                    mark = "ok " if outcome.correct else "no "
                    console.print(f"{mark} {outcome.system:<24} {outcome.item_id}", highlight=False)

            outcomes = await run_suite(items, chosen, sandbox=sandbox, out_dir=out, concurrency=concurrency, on_done=advance)
            progress.update(bar, completed=done_before)
    _report(out, suite, outcomes, command, console)


def _report(
    out: Path, suite: str, outcomes: list[Outcome], command: str, console: Console, *, rescored_with: str | None = None
) -> None:
    from rich.console import Console

    from junto.evals import honesty_table, markdown_table, summarize, write_plots, write_summary

    summaries = summarize(outcomes)
    write_summary(out, suite, summaries, command=command, rescored_with=rescored_with)
    write_plots(out, outcomes, summaries)
    Console().print(markdown_table(summaries) + honesty_table(summaries), highlight=False, markup=False)
    console.print(f"outcomes, summary and plots in {out}/", highlight=False)
