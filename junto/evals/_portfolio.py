"""Choosing a stack by measurement: each candidate model as each specialist, on the user's own suite.

``junto eval SUITE --models a,b,c`` runs every item once per model, with
that model in every role: an item whose parts are all of one domain (math,
code, writing) goes straight to that domain's specialist as a one-task graph
(the model *as the specialist*, checked as junto checks it); an item that
spans domains goes through the whole ensemble. Items are scored by the
suite's checks, as every ``junto eval`` does.

Per domain and model it reports accuracy (scored right), verified rate (junto
said verified), mean cost, tokens and latency; then, for each role, the
recommended tier order: models by cost (then latency), cheapest first, each
kept only if it is more accurate than every cheaper one, stopping at the
first that reaches the quality ``target``. That is written as a ``[roles]``
section to paste into junto.toml.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from junto._exceptions import MissingDependencyError
from junto._tasks import TaskKind
from junto.evals._items import CodePart, EvalItem, MathPart, TextPart
from junto.evals._runner import Answer, Outcome
from junto.models._types import Role

__all__ = [
    "DomainStats",
    "RoleChoice",
    "SpecialistSystem",
    "domain_of",
    "portfolio_table",
    "evaluate_portfolio",
    "recommend_roles",
    "roles_toml",
    "run_portfolio",
    "summarize_portfolio",
    "write_portfolio_plot",
]

COMPOSITE = "composite"
_ROLE_OF_DOMAIN = {TaskKind.MATH.value: Role.MATH, TaskKind.CODE.value: Role.CODE, TaskKind.WRITING.value: Role.WRITING}


def domain_of(item: EvalItem) -> str:
    """``math``, ``code`` or ``writing`` when every part of the item is of that domain, else ``composite``."""
    kinds = {
        TaskKind.MATH if isinstance(p, MathPart) else TaskKind.CODE if isinstance(p, CodePart) else TaskKind.WRITING
        for p in item.parts
        if isinstance(p, (MathPart, CodePart, TextPart))
    }
    return next(iter(kinds)).value if len(kinds) == 1 else COMPOSITE


class SpecialistSystem:
    """One model in every role of a Junto: a one-domain item goes to its specialist, others to the ensemble."""

    def __init__(self, junto: Any, *, name: str) -> None:
        self.junto = junto
        self.name = name

    async def answer(self, item: EvalItem) -> Answer:
        from junto.graphs import TaskGraph

        domain = domain_of(item)
        if domain == COMPOSITE:
            result = await self.junto.run(item.prompt)
        else:
            graph = TaskGraph(name=item.id)
            graph.task(TaskKind(domain), item.prompt, id="answer")
            result = await self.junto.run(graph)
        return Answer.of_run(result)


@dataclass(frozen=True, slots=True)
class DomainStats:
    """One model on one domain of the suite."""

    domain: str
    model: str
    items: int
    accuracy: float
    verified_rate: float
    cost_usd: float  # mean per item
    tokens: float  # mean per item
    latency_s: float  # mean per item
    errors: int


def summarize_portfolio(outcomes: Sequence[Outcome], items: Sequence[EvalItem], models: Sequence[str]) -> list[DomainStats]:
    """Stats per domain (in order of first appearance) and model (in the order given)."""
    domains = {item.id: domain_of(item) for item in items}
    order = list(dict.fromkeys(domains.values()))
    stats = []
    for domain in order:
        for model in models:
            mine = [o for o in outcomes if o.system == model and domains.get(o.item_id) == domain]
            if not mine:
                continue
            n = len(mine)
            stats.append(
                DomainStats(
                    domain=domain,
                    model=model,
                    items=n,
                    accuracy=sum(o.correct for o in mine) / n,
                    verified_rate=sum(bool(o.verified) for o in mine) / n,
                    cost_usd=sum(o.cost_usd for o in mine) / n,
                    tokens=sum(o.tokens for o in mine) / n,
                    latency_s=sum(o.latency_s for o in mine) / n,
                    errors=sum(o.error is not None for o in mine),
                )
            )
    return stats


@dataclass(frozen=True, slots=True)
class RoleChoice:
    role: Role
    tiers: list[str]
    reached: bool
    notes: list[str]


def recommend_roles(stats: Sequence[DomainStats], *, target: float) -> list[RoleChoice]:
    """For each role with a domain in the suite: the cheapest tier order that reaches ``target`` accuracy."""
    choices = []
    for domain, role in _ROLE_OF_DOMAIN.items():
        candidates = sorted((s for s in stats if s.domain == domain), key=lambda s: (s.cost_usd, s.latency_s))
        if not candidates:
            continue
        tiers: list[DomainStats] = []
        for s in candidates:
            if tiers and s.accuracy <= tiers[-1].accuracy:
                continue  # costs more and does no better than a cheaper tier
            tiers.append(s)
            if s.accuracy >= target:
                break
        notes = [f"{s.model}: {s.accuracy:.0%} right, {s.verified_rate:.0%} verified, ${s.cost_usd:.5f}/item" for s in tiers]
        choices.append(RoleChoice(role, [s.model for s in tiers], tiers[-1].accuracy >= target, notes))
    return choices


def roles_toml(choices: Sequence[RoleChoice], *, target: float, command: str) -> str:
    lines = [f"# recommended by: {command}", f"# quality target: {target:.0%} of items scored right, per domain", "[roles]"]
    for choice in choices:
        tiers = ", ".join(f'"{name}"' for name in choice.tiers)
        reached = "" if choice.reached else "  # target not reached by any model"
        lines.append(f"{choice.role.value} = [{tiers}]{reached}")
        lines += [f"#   {note}" for note in choice.notes]
    return "\n".join(lines) + "\n"


def portfolio_table(stats: Sequence[DomainStats]) -> str:
    rows = [
        "| domain | model | items | accuracy | verified | cost/item | tokens/item | latency/item | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in stats:
        rows.append(
            f"| {s.domain} | {s.model} | {s.items} | {s.accuracy:.1%} | {s.verified_rate:.1%} | ${s.cost_usd:.5f} "
            f"| {s.tokens:.0f} | {s.latency_s:.1f} s | {s.errors} |"
        )
    return "\n".join(rows) + "\n"


def write_portfolio_plot(path: Path, stats: Sequence[DomainStats]) -> Path:
    """Accuracy and verified rate per domain and model (bars); accuracy against cost and against latency (points)."""
    try:
        import matplotlib
    except ImportError:
        raise MissingDependencyError("plots of `junto eval --models`", "eval") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    domains = list(dict.fromkeys(s.domain for s in stats))
    models = list(dict.fromkeys(s.model for s in stats))
    fig, ((accuracy, verified), (by_cost, by_latency)) = plt.subplots(2, 2, figsize=(11, 8))
    width = 0.8 / max(len(models), 1)
    for i, model in enumerate(models):
        mine = {s.domain: s for s in stats if s.model == model}
        where = [x + i * width for x in range(len(domains))]
        accuracy.bar(where, [mine[d].accuracy * 100 if d in mine else math.nan for d in domains], width, label=model)
        verified.bar(where, [mine[d].verified_rate * 100 if d in mine else math.nan for d in domains], width, label=model)
        points = list(mine.values())
        by_cost.scatter([s.cost_usd for s in points], [s.accuracy * 100 for s in points], label=model, s=60)
        by_latency.scatter([s.latency_s for s in points], [s.accuracy * 100 for s in points], label=model, s=60)
    for axes, title in ((accuracy, "Accuracy by domain (%)"), (verified, "Verified by domain (%)")):
        axes.set_xticks([x + width * (len(models) - 1) / 2 for x in range(len(domains))], domains)
        axes.set_ylim(0, 105)
        axes.set_title(title)
        axes.legend()
    for axes, label, what in ((by_cost, "US$ per item", "cost"), (by_latency, "seconds per item", "latency")):
        axes.set_xlabel(label)
        axes.set_ylabel("accuracy (%)")
        axes.set_title(f"Accuracy vs {what} (a point per domain)")
        axes.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


async def evaluate_portfolio(
    items: Sequence[EvalItem],
    *,
    config: Any,
    models: Sequence[str],
    target: float,
    out: Path,
    concurrency: int,
    command: str,
) -> tuple[list[DomainStats], str]:
    """Run the suite once per model (resumable in ``out``); write portfolio.md, roles.toml and portfolio.png."""
    import contextlib

    from junto._junto import Junto
    from junto.evals._runner import run_suite
    from junto.models._roster import Roster

    out.mkdir(parents=True, exist_ok=True)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(config.aclose)  # the models built below, closed last
        sandbox = None
        if any(isinstance(p, CodePart) for item in items for p in item.parts):
            from junto.sandbox import DockerSandbox

            sandbox = await stack.enter_async_context(DockerSandbox.start(limits=config.sandbox))
        systems = []
        for name in models:
            model = config.build_model(name)
            junto = await stack.enter_async_context(
                Junto.start(
                    roster=Roster.single(model),
                    sandbox=sandbox,
                    store=out / "runs.db",
                    budget=config.budget.to_budget(),
                    checkpoints=False,
                )
            )
            systems.append(SpecialistSystem(junto, name=name))
        outcomes = await run_suite(items, systems, sandbox=sandbox, out_dir=out, concurrency=concurrency)
    stats = summarize_portfolio(outcomes, items, models)
    roles = roles_toml(recommend_roles(stats, target=target), target=target, command=command)
    (out / "portfolio.md").write_text(f"`{command}`\n\n{portfolio_table(stats)}\n```toml\n{roles}```\n", encoding="utf-8")
    (out / "roles.toml").write_text(roles, encoding="utf-8")
    write_portfolio_plot(out / "portfolio.png", stats)
    return stats, roles


async def run_portfolio(
    items: Sequence[EvalItem],
    config_path: Path | None,
    models: Sequence[str],
    target: float,
    out: Path,
    concurrency: int,
    command: str,
) -> None:
    """``junto eval SUITE --models a,b``: evaluate, print the table and the recommended ``[roles]``."""
    import sys

    from junto._config import load_config
    from junto._exceptions import ConfigError

    config = load_config(config_path)
    unknown = [name for name in models if name not in config.model_names()]
    if len(models) < 1 or unknown:
        known = ", ".join(config.model_names())
        raise ConfigError(f"--models names no model called {', '.join(unknown) or '(none)'}", hint=f"models defined: {known}")
    stats, roles = await evaluate_portfolio(
        items, config=config, models=models, target=target, out=out, concurrency=concurrency, command=command
    )
    sys.stdout.write(portfolio_table(stats) + "\n" + roles)
    sys.stderr.write(f"table, plot and roles.toml in {out}/\n")
