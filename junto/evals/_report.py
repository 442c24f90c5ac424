"""Summaries, tables and plots of an evaluation's outcomes."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from junto._exceptions import MissingDependencyError
from junto.evals._runner import Outcome

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["HONESTY", "SystemSummary", "honesty_table", "markdown_table", "summarize", "write_plots", "write_summary"]

HONESTY = ("verified-right", "verified-wrong", "right-unverified", "wrong")


class SystemSummary(BaseModel):
    system: str
    items: int
    accuracy: float  # items with every part correct
    part_accuracy: float
    verified_rate: float | None  # share of the ensemble's tasks that a check verified
    # answers as a whole: verified and right, verified and WRONG (a false verified), right but unverified, wrong
    honesty: dict[str, int] | None = None
    errors: int
    tokens_per_item: float
    cost_usd: float
    latency_p50_s: float
    latency_p95_s: float
    by_category: dict[str, float]


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summarize(outcomes: Sequence[Outcome]) -> list[SystemSummary]:
    by_system: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_system[outcome.system].append(outcome)
    summaries = []
    for system, rows in by_system.items():
        parts = [p for o in rows for p in o.parts]
        verified = [o for o in rows if o.total_tasks]
        categories: dict[str, list[bool]] = defaultdict(list)
        for o in rows:
            categories[o.category].append(o.correct)
        judged = [o.honesty for o in rows if o.honesty is not None]
        honesty = {k: judged.count(k) for k in HONESTY} if judged else None
        summaries.append(
            SystemSummary(
                system=system,
                items=len(rows),
                accuracy=sum(o.correct for o in rows) / len(rows),
                part_accuracy=(sum(p.passed for p in parts) / len(parts)) if parts else 0.0,
                verified_rate=(
                    sum(o.verified_tasks or 0 for o in verified) / sum(o.total_tasks or 0 for o in verified) if verified else None
                ),
                honesty=honesty,
                errors=sum(1 for o in rows if o.error),
                tokens_per_item=statistics.fmean(o.tokens for o in rows),
                cost_usd=sum(o.cost_usd for o in rows),
                latency_p50_s=_percentile([o.latency_s for o in rows], 0.5),
                latency_p95_s=_percentile([o.latency_s for o in rows], 0.95),
                by_category={c: sum(v) / len(v) for c, v in sorted(categories.items())},
            )
        )
    return summaries


def markdown_table(summaries: Sequence[SystemSummary]) -> str:
    head = "| system | items | accuracy | part accuracy | verified tasks | tokens/item | cost (USD) | p50 latency | p95 latency | errors |"
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    rows = [head, rule]
    for s in summaries:
        verified = "n/a" if s.verified_rate is None else f"{s.verified_rate:.0%}"
        rows.append(
            f"| {s.system} | {s.items} | {s.accuracy:.1%} | {s.part_accuracy:.1%} | {verified} | "
            f"{s.tokens_per_item:.0f} | {s.cost_usd:.4f} | {s.latency_p50_s:.1f} s | {s.latency_p95_s:.1f} s | {s.errors} |"
        )
    return "\n".join(rows) + "\n"


def honesty_table(summaries: Sequence[SystemSummary]) -> str:
    """What each verifying system's "verified" was worth: the false-verified count beside the share of right answers verified."""
    head = "| system | verified, right | verified, WRONG | right, unverified | wrong | right answers verified |"
    rows = [head, "|---|---:|---:|---:|---:|---:|"]
    for s in summaries:
        if s.honesty is None:
            continue
        h = s.honesty
        right = h["verified-right"] + h["right-unverified"]
        share = f"{h['verified-right'] / right:.0%}" if right else "n/a"
        rows.append(
            f"| {s.system} | {h['verified-right']} | {h['verified-wrong']} | {h['right-unverified']} | {h['wrong']} | {share} |"
        )
    return "\n".join(rows) + "\n" if len(rows) > 2 else ""


def write_summary(
    out_dir: Path, suite: str, summaries: Sequence[SystemSummary], *, command: str, rescored_with: str | None = None
) -> Path:
    """summary.json and summary.md: the table, the command that ran the suite and the one that scored it again, if any."""
    record = {"suite": suite, "command": command, "rescored_with": rescored_with, "systems": [s.model_dump() for s in summaries]}
    (out_dir / "summary.json").write_text(json.dumps(record, indent=2) + "\n")
    how = f"`{command}`" + (f", answers scored again with `{rescored_with}`" if rescored_with else "")
    path = out_dir / "summary.md"
    honesty = honesty_table(summaries)
    honesty = f'\nWhat "verified" was worth (answers as a whole):\n\n{honesty}' if honesty else ""
    path.write_text(f"# {suite}\n\n{how}\n\n{markdown_table(summaries)}{honesty}")
    return path


def run_command(out_dir: Path) -> str | None:
    """The command that ran the suite whose results are in ``out_dir`` (from its summary.json), if known."""
    try:
        command = json.loads((out_dir / "summary.json").read_text())["command"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return command if isinstance(command, str) else None


def write_plots(out_dir: Path, outcomes: Sequence[Outcome], summaries: Sequence[SystemSummary]) -> list[Path]:
    """accuracy_vs_cost.png, latency.png, by_category.png."""
    try:
        import matplotlib
    except ImportError:
        raise MissingDependencyError("plots of `junto eval`", "eval") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    fig, ax = plt.subplots(figsize=(5, 4))
    for s in summaries:
        ax.scatter([s.tokens_per_item], [s.accuracy * 100], s=80, label=s.system)
        ax.annotate(s.system, (s.tokens_per_item, s.accuracy * 100), textcoords="offset points", xytext=(6, 6))
    ax.set_xlabel("tokens per item (cost)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title("Accuracy vs cost")
    ax.grid(alpha=0.3)
    paths.append(_save(fig, out_dir / "accuracy_vs_cost.png"))

    fig, ax = plt.subplots(figsize=(5, 4))
    names = [s.system for s in summaries]
    ax.boxplot([[o.latency_s for o in outcomes if o.system == name] for name in names])
    ax.set_xticks(range(1, len(names) + 1), names)
    ax.set_ylabel("seconds per item")
    ax.set_title("Latency per item")
    ax.grid(alpha=0.3, axis="y")
    paths.append(_save(fig, out_dir / "latency.png"))

    fig, ax = plt.subplots(figsize=(6, 4))
    categories = sorted({c for s in summaries for c in s.by_category})
    width = 0.8 / max(len(summaries), 1)
    for i, s in enumerate(summaries):
        xs = [j + i * width for j in range(len(categories))]
        ax.bar(xs, [s.by_category.get(c, 0) * 100 for c in categories], width=width, label=s.system)
    ax.set_xticks([j + width * (len(summaries) - 1) / 2 for j in range(len(categories))], categories)
    ax.set_ylabel("accuracy (%)")
    ax.set_title("Accuracy by category")
    ax.legend()
    ax.grid(alpha=0.3, axis="y")
    paths.append(_save(fig, out_dir / "by_category.png"))
    return paths


def _save(fig: Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path
