"""The test-time compute curve on HumanEval: junto's submitted answer against tokens, from `junto eval` runs.

    .venv/bin/python benchmarks/humaneval_ttc.py RUN_DIR... [--out benchmarks/results/eval/humaneval-ttc]

Each RUN_DIR is the ``--out`` of one ``junto eval humaneval`` run (the model
alone, and junto with 1 and more candidates). Only the items every system
answered are compared. For each system it prints the share of submitted
answers that pass HumanEval's own tests, tokens per item, and how the
verified answers fared on those tests.

For junto's systems it also reads every candidate junto drew from the run
store the eval kept (``runs.db``) and runs each against the official tests
in the sandbox:

- coverage: items where at least one candidate passes (what a perfect
  chooser could have submitted);
- the candidates the checks verified, and how many of those pass;
- the same for the code checks as they are now (every candidate is checked
  again against the item's prompt), so a change to the checks is measured on
  the same candidates;
- the same again with each round's candidates held to each other, as the
  code specialist now holds them (the rivals step).

It writes ``table.md``, ``candidates.jsonl`` and ``ttc.png`` to ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from _common import report_header
from junto.agents._code import CodeSpecialist
from junto.agents._loop import judge_status
from junto.graphs._store import open_store
from junto.sandbox import DockerSandbox, SandboxLimits
from junto.tools import check_code

from junto._tasks import AgentContext, Attempt, CheckResult, CodeOutput, Status, TaskKind, TaskSpec
from junto.evals import load_outcomes, load_suite
from junto.evals._items import EvalItem
from junto.evals._scoring import score_answer
from junto.models import FunctionModel, Roster


@dataclass
class Row:
    system: str
    items: int = 0
    right: int = 0
    tokens: int = 0
    verified_right: int = 0
    verified_wrong: int = 0
    candidates: int = 0
    read: int = 0  # items whose candidates were read from the run store (the candidate columns count only these)
    covered: int = 0  # items where some candidate passes the official tests
    candidates_verified: int = 0
    candidates_verified_pass: int = 0
    rechecked_verified: int = 0  # verified by today's checks (run again here on every candidate)
    rechecked_verified_pass: int = 0
    held_verified: int = 0  # verified by today's checks once each round's candidates are held to each other
    held_verified_pass: int = 0
    passing_candidates: int = 0
    per_item: dict[str, list[bool]] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        return self.right / self.items if self.items else 0.0

    @property
    def tokens_per_item(self) -> float:
        return self.tokens / self.items if self.items else 0.0


async def _candidates(run_dir: Path, items: dict[str, EvalItem]) -> dict[str, list[tuple[int, int, str, bool]]]:
    """item id -> (round, candidate, code, verified) for every candidate junto drew with code."""
    by_prompt = {item.prompt: item_id for item_id, item in items.items()}
    found: dict[str, list[tuple[int, int, str, bool]]] = defaultdict(list)
    store_path = run_dir / "runs.db"
    if not store_path.exists():
        return found
    async with open_store(store_path) as store:
        for summary in await store.list_runs(limit=100_000):
            item_id = by_prompt.get(summary.task)
            record = await store.get_run(summary.run_id) if item_id else None
            if record is None or item_id is None:
                continue
            for result in record.result.results.values():
                for attempt in result.attempts:
                    if isinstance(attempt.output, CodeOutput) and attempt.output.code.strip():
                        verified = judge_status(attempt.checks) is Status.VERIFIED
                        found[item_id].append((attempt.round, attempt.candidate, attempt.output.code, verified))
    return found


async def _checks_now(sandbox: DockerSandbox, item: EvalItem, code: str) -> list[CheckResult]:
    """The code specialist's checks as they are now, of ``code`` against the item's prompt."""
    return (await check_code(sandbox, code, instruction=item.prompt)).checks


async def _held(sandbox: DockerSandbox, item: EvalItem, round_: list[Attempt]) -> dict[int, bool]:
    """Whether each candidate of one round stays verified once held to the others, as the code specialist holds them."""
    task = TaskSpec(id=item.id, kind=TaskKind.CODE, instruction=item.prompt)
    ctx = AgentContext(roster=Roster.single(FunctionModel(lambda messages, request: "")), sandbox=sandbox)
    held = await CodeSpecialist().hold(round_, task, ctx)
    return {a.candidate: judge_status(a.checks) is Status.VERIFIED for a in held}


async def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/eval/humaneval-ttc"))
    args = parser.parse_args(argv)
    suite = {item.id: item for item in load_suite("humaneval")}
    outcomes = {run: load_outcomes(run) for run in args.runs}
    systems: dict[str, tuple[Path, dict[str, object]]] = {}
    for run, found in outcomes.items():
        for outcome in found:
            systems.setdefault(outcome.system, (run, {}))[1][outcome.item_id] = outcome
    common = sorted(set.intersection(*(set(answers) for _, answers in systems.values())), key=lambda i: int(i.split("/")[1]))
    rows: list[Row] = []
    lines_out: list[str] = []
    async with DockerSandbox.start(limits=SandboxLimits(), pool_size=2) as sandbox:
        for system, (run, answers) in systems.items():
            row = Row(system)
            for item_id in common:
                outcome = answers[item_id]
                row.items += 1
                row.right += bool(outcome.correct)
                row.tokens += outcome.tokens
                if outcome.verified:
                    row.verified_right += bool(outcome.correct)
                    row.verified_wrong += not outcome.correct
            if system.startswith("junto"):
                drawn = await _candidates(run, {i: suite[i] for i in common})
                for item_id in common:
                    passes = []
                    rounds: dict[int, list[tuple[Attempt, bool]]] = defaultdict(list)
                    for round_, candidate, code, verified in drawn.get(item_id, []):
                        scores = await score_answer(suite[item_id], f"```python\n{code}\n```", sandbox=sandbox)
                        passed = all(s.passed for s in scores)
                        passes.append(passed)
                        row.candidates += 1
                        row.passing_candidates += passed
                        row.candidates_verified += verified
                        row.candidates_verified_pass += verified and passed
                        checks = await _checks_now(sandbox, suite[item_id], code)
                        now = judge_status(checks) is Status.VERIFIED
                        row.rechecked_verified += now
                        row.rechecked_verified_pass += now and passed
                        output = CodeOutput(code=code, tests="")
                        attempt = Attempt(number=len(passes), model=system, tier=0, round=round_, candidate=candidate)
                        rounds[round_].append((attempt.model_copy(update={"output": output, "checks": checks}), passed))
                        lines_out.append(
                            json.dumps(
                                {
                                    "system": system,
                                    "item_id": item_id,
                                    "round": round_,
                                    "candidate": candidate,
                                    "verified": verified,
                                    "passes_official_tests": passed,
                                    "verified_by_todays_checks": now,
                                }
                            )
                        )
                    for held in rounds.values():
                        still = await _held(sandbox, suite[item_id], [a for a, _ in held])
                        row.held_verified += sum(still[a.candidate] for a, _ in held)
                        row.held_verified_pass += sum(still[a.candidate] and passed for a, passed in held)
                    row.read += item_id in drawn
                    row.covered += any(passes)
                    row.per_item[item_id] = passes
            rows.append(row)
    rows.sort(key=lambda r: (not r.system.startswith("single"), r.tokens_per_item))
    report = _table(rows, common, argv)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "table.md").write_text(report, encoding="utf-8")
    (args.out / "candidates.jsonl").write_text("".join(line + "\n" for line in lines_out), encoding="utf-8")
    _plot(rows, args.out / "ttc.png")
    return report


def _table(rows: list[Row], common: list[str], argv: list[str] | None) -> str:
    head = [
        *report_header(__file__, argv),
        f"items: {len(common)} answered by every system ({common[0]} to {common[-1]})" if common else "items: none in common",
        "",
        "| system | items | submitted answer passes | tokens/item | verified, pass | verified, FAIL | candidates | "
        "candidates that pass | coverage (some candidate passes) | verified candidates that pass | "
        "verified by today's checks, that pass | the same, each round's candidates held to each other |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        drawn = r.system.startswith("junto")
        head.append(
            f"| {r.system} | {r.items} | {r.right} ({r.accuracy:.1%}) | {r.tokens_per_item:.0f} | "
            + (f"{r.verified_right} | {r.verified_wrong} | " if drawn else "n/a | n/a | ")
            + (
                f"{r.candidates} | {r.passing_candidates} | {r.covered} ({_share(r.covered, r.read)}{_of(r)}) | "
                f"{r.candidates_verified_pass} of {r.candidates_verified} | "
                f"{r.rechecked_verified_pass} of {r.rechecked_verified} | {r.held_verified_pass} of {r.held_verified} |"
                if drawn
                else "n/a | n/a | n/a | n/a | n/a | n/a |"
            )
        )
    unread = [r.system for r in rows if r.system.startswith("junto") and r.read < r.items]
    if unread:
        head += [
            "",
            "Candidate columns count only the items whose runs are in the run's store (runs.db); "
            f"for {', '.join(unread)} some were not kept, and coverage is of the items read.",
        ]
    return "\n".join(head) + "\n"


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"


def _of(row: Row) -> str:
    return "" if row.read == row.items else f" of {row.read} items read"


def _plot(rows: list[Row], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    fig, ax = plt.subplots(figsize=(6, 4))
    junto = [r for r in rows if r.system.startswith("junto")]
    # clip_on=False: a system at 0% is drawn whole on the axis, not cut in half by it
    ax.plot(
        [r.tokens_per_item for r in junto],
        [100 * r.accuracy for r in junto],
        "o-",
        label="junto, submitted answer",
        clip_on=False,
    )
    read = [r for r in junto if r.read == r.items]  # coverage only where every item's candidates were read
    if read:  # no line, no legend entry
        ax.plot(
            [r.tokens_per_item for r in read],
            [100 * r.covered / r.items if r.items else 0 for r in read],
            "s--",
            label="junto, coverage (some candidate passes)",
            clip_on=False,
        )
    for r in junto:
        ax.annotate(r.system, (r.tokens_per_item, 100 * r.accuracy), textcoords="offset points", xytext=(4, 4), fontsize=8)
    for r in rows:
        if not r.system.startswith("junto"):
            ax.plot([r.tokens_per_item], [100 * r.accuracy], "k^", label=f"{r.system} (the model alone)", clip_on=False)
    ax.set_xscale("log")
    # labels at 1, 2 and 5 of each decade, written out (300, 1000, 2000), and none on the other minor ticks
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("tokens per item (log)")
    ax.set_ylabel("% of items passing HumanEval's tests")
    ax.set_ylim(bottom=0)  # a pass rate: from none, so the gaps between systems are not magnified
    ax.set_title("HumanEval: test-time compute, embedded model")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    print(asyncio.run(main()))
