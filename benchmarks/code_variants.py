"""Whether a code's stated examples decide it: the variants check against a held-out table of right and wrong code.

    .venv/bin/python benchmarks/code_variants.py [--table junto/evals/data/code_variants_heldout.jsonl] [--out FILE]

Each line of the table is ``{"id", "instruction", "entry_point", "code",
"correct", "hidden_tests", "note"}``: a coding request that states a few
examples, a candidate that passes every one of them, whether it does what the
request asks (decided by ``hidden_tests``), and how it is wrong. The table was
written and committed before this measurement, and before its author read the
variants check's operators.

Each item is checked by :func:`junto.tools.code.check_code` (the code
specialist's own check, with the instruction and the entry point, no user
tests) in the hardened Docker sandbox, built from the configuration as junto
builds it (``DockerSandbox.start(limits=load_config().sandbox)``), and its
status is decided by :func:`junto.agents._loop.judge_status`, the verification
contract. "Examples alone" is the status the same checks would earn without
the variants check: the ``examples decide`` check dropped and the examples
check's specification put back to the instruction's. A correct code verified
is a verified answer; a wrong code verified is a false verified, which the
check exists to prevent; a correct code left unverified is coverage lost.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path

from _common import ROOT, hidden_failures, table_main
from junto.agents._loop import judge_status
from junto.sandbox import Sandbox
from junto.tools.code import CodeVerification, check_code

from junto._config import load_config
from junto._tasks import CheckResult, Spec, Status

DEFAULT_TABLE = ROOT / "junto" / "evals" / "data" / "code_variants_heldout.jsonl"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "code_variants.txt"
FIELDS = ("id", "instruction", "entry_point", "code", "correct", "hidden_tests", "note")
UNDECIDED = "examples decide"  # the check tools/code/_check.py adds when a variant passes the examples and differs


@dataclass(frozen=True)
class Item:
    id: str
    instruction: str
    entry_point: str
    code: str
    correct: bool
    hidden_tests: str
    note: str


@dataclass(frozen=True)
class Outcome:
    item: Item
    status: Status  # with the variants check, as junto decides it
    alone: Status  # the same checks without the variants check
    why: str  # the examples decide check's evidence ("" when there is none), or the failed check's
    tests_s: float  # sandbox seconds of the test run
    variants_s: float  # sandbox seconds of the variants run


def load_items(path: Path = DEFAULT_TABLE) -> list[Item]:
    """The table's items, each line checked to have exactly the table's fields with their types."""
    items: list[Item] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)
        if sorted(row) != sorted(FIELDS):
            raise ValueError(f"{path.name}:{number}: fields {sorted(row)}, expected {sorted(FIELDS)}")
        if not isinstance(row["correct"], bool) or not all(isinstance(row[f], str) for f in FIELDS if f != "correct"):
            raise ValueError(f"{path.name}:{number}: correct must be a bool and every other field a string")
        items.append(Item(**row))
    return items


def without_variants(checks: list[CheckResult]) -> list[CheckResult]:
    """The checks as they were before the variants check weakened them: what the examples alone would earn."""
    if not any(c.name == UNDECIDED for c in checks):
        return checks
    return [c.model_copy(update={"spec": Spec.INSTRUCTION}) if c.name == "examples" else c for c in checks if c.name != UNDECIDED]


def outcome(item: Item, verification: CodeVerification) -> Outcome:
    checks = verification.checks
    undecided = next((c.evidence for c in checks if c.name == UNDECIDED), "")
    failed = next((f"{c.name}: {c.evidence}" for c in checks if c.passed is False), "")
    return Outcome(
        item=item,
        status=judge_status(checks),
        alone=judge_status(without_variants(checks)),
        why=undecided or failed,
        tests_s=verification.report.duration_s,
        variants_s=verification.extra_s,
    )


async def check_item(sandbox: Sandbox, item: Item) -> Outcome:
    """The item checked as the code specialist checks code: the instruction's examples and the entry point, no user tests."""
    verification = await check_code(sandbox, item.code, instruction=item.instruction, entry_point=item.entry_point)
    return outcome(item, verification)


def report(outcomes: list[Outcome], *, header: list[str]) -> str:
    right = [o for o in outcomes if o.item.correct]
    wrong = [o for o in outcomes if not o.item.correct]

    def verified(group: list[Outcome], *, alone: bool = False) -> list[Outcome]:
        return [o for o in group if (o.alone if alone else o.status) is Status.VERIFIED]

    def share(part: int, whole: int) -> str:
        return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else f"{part}/0"

    right_alone, wrong_alone = verified(right, alone=True), verified(wrong, alone=True)
    right_now, wrong_now = verified(right), verified(wrong)
    unexpected = [o for o in outcomes if o.alone is not Status.VERIFIED]  # every code passes its examples
    tests_s = sum(o.tests_s for o in outcomes)
    variants_s = sum(o.variants_s for o in outcomes)
    lines = [
        *header,
        "",
        f"items: {len(outcomes)}  (correct {len(right)}, wrong {len(wrong)})",
        "",
        f"{'':34s} {'verified, correct':>18s} {'verified, WRONG':>16s} {'correct, unverified':>20s}",
        f"{'examples alone':34s} {len(right_alone):>18d} {len(wrong_alone):>16d} {len(right) - len(right_alone):>20d}",
        f"{'with the variants check':34s} {len(right_now):>18d} {len(wrong_now):>16d} {len(right) - len(right_now):>20d}",
        "",
        f"wrong code verified: examples alone {share(len(wrong_alone), len(wrong))}, "
        f"with the variants check {share(len(wrong_now), len(wrong))}",
        f"correct code still verified with the variants check: {share(len(right_now), len(right))} "
        f"(of those the examples alone verified: {share(len(right_now), len(right_alone))})",
        f"precision of verified: examples alone {share(len(right_alone), len(right_alone) + len(wrong_alone))}, "
        f"with the variants check {share(len(right_now), len(right_now) + len(wrong_now))}",
        f"sandbox time: {tests_s + variants_s:.1f} s in all, {tests_s:.1f} s running the examples, "
        f"{variants_s:.1f} s running variants ({variants_s / max(len(outcomes), 1):.2f} s an item)",
    ]
    if unexpected:
        lines += ["", f"not verified even by the examples alone (every code passes its examples): {len(unexpected)}"]
        lines += [f"  {o.item.id} {o.item.entry_point}: {o.alone.value}; {o.why[:300]}" for o in unexpected]
    sections = [
        ("WRONG code verified (a false verified)", wrong_now, True),
        (
            "correct code left unverified by the variants check",
            [o for o in right_alone if o.status is not Status.VERIFIED],
            False,
        ),
        ("wrong code left unverified by the variants check", [o for o in wrong_alone if o.status is not Status.VERIFIED], False),
    ]
    for title, group, hidden in sections:
        lines += ["", f"{title}: {len(group)}"]
        for o in group:
            lines.append(f"  {o.item.id} {o.item.entry_point}: {o.item.note}")
            if o.why:
                lines.append(f"      {o.why}")
            if hidden:
                lines.extend(f"      fails hidden: {failure}" for failure in hidden_failures(o.item.code, o.item.hidden_tests))
    return "\n".join(lines) + "\n"


async def measure(items: list[Item]) -> list[Outcome]:
    """Every item checked in turn on one sandbox, as junto builds it from the configuration."""
    from junto.sandbox import DockerSandbox

    config = load_config()
    async with DockerSandbox.start(limits=config.sandbox) as sandbox:
        return [await check_item(sandbox, item) for item in items]


def main(argv: list[str] | None = None) -> int:
    return table_main(
        __file__,
        argv,
        doc=__doc__ or "",
        table=DEFAULT_TABLE,
        out=DEFAULT_OUT,
        method="each item, one at a time: check_code(sandbox, code, instruction=..., entry_point=...) in the hardened "
        "sandbox, no user tests; status by judge_status",
        measure=lambda table: list(asyncio.run(measure(load_items(table)))),
        report=report,
    )


if __name__ == "__main__":
    raise SystemExit(main())
