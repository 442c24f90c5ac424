"""Whether several candidates keep the stated examples honest: the rivals check against a held-out table.

    .venv/bin/python benchmarks/code_rivals.py [--table junto/evals/data/code_rivals_heldout.jsonl] [--out FILE]

Each line of the table is ``{"id", "instruction", "entry_point",
"candidates": [{"code", "correct", "note"}], "hidden_tests"}``: a coding
request that states a few examples, and several candidates for it, as a
sampled model draws them; every candidate passes every stated example, and
``hidden_tests`` decide which are right. The table was written and committed
before the rivals check existed, by an author who did not read the checks.

Each request is one round of the code specialist: every candidate is checked
by :func:`junto.tools.code.check_code` in the hardened Docker sandbox (the
examples and the variants check, no user tests), then the round is settled
as the specialist's loop settles it (``CodeSpecialist.settle``: the
candidates held to each other, then the answer chosen), and each status is
decided by :func:`junto.agents._loop.judge_status`. The report counts
candidates verified, right and wrong, before and after the rivals step, and
what the round submits, with the rivals step and without it.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path

from _common import ROOT, hidden_failures, table_main
from junto.agents._code import CodeSpecialist
from junto.agents._loop import judge_status
from junto.sandbox import Sandbox
from junto.tools.code import check_code

from junto._config import load_config
from junto._tasks import AgentContext, Attempt, CodeOutput, Status, TaskKind, TaskSpec
from junto.models import FunctionModel, Roster

DEFAULT_TABLE = ROOT / "junto" / "evals" / "data" / "code_rivals_heldout.jsonl"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "code_rivals.txt"
UNDECIDED = "examples decide"


@dataclass(frozen=True)
class Candidate:
    code: str
    correct: bool
    note: str


@dataclass(frozen=True)
class Request:
    id: str
    instruction: str
    entry_point: str
    candidates: list[Candidate]
    hidden_tests: str


@dataclass(frozen=True)
class Outcome:
    request: Request
    index: int
    before: Status  # after its own checks (examples and the variants check)
    after: Status  # after the round's candidates were held to each other
    why: str  # the examples decide check's evidence, if any
    submitted: bool  # the round's answer
    submitted_before: bool  # the round's answer without the rivals step

    @property
    def candidate(self) -> Candidate:
        return self.request.candidates[self.index]


def load_requests(path: Path = DEFAULT_TABLE) -> list[Request]:
    """The table's requests, each checked to have the table's fields with their types."""
    requests: list[Request] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)
        try:
            candidates = [
                Candidate(code=c["code"], correct=bool(c["correct"]), note=c.get("note", "")) for c in row["candidates"]
            ]
            requests.append(
                Request(
                    id=row["id"],
                    instruction=row["instruction"],
                    entry_point=row["entry_point"],
                    candidates=candidates,
                    hidden_tests=row["hidden_tests"],
                )
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"{path.name}:{number}: not a request with candidates ({error})") from error
    return requests


async def run_round(sandbox: Sandbox, request: Request) -> list[Outcome]:
    """The request's candidates checked, then held to each other, as one round of the code specialist."""
    task = TaskSpec(id=request.id, kind=TaskKind.CODE, instruction=request.instruction, entry_point=request.entry_point)
    attempts = []
    for index, candidate in enumerate(request.candidates):
        verification = await check_code(sandbox, candidate.code, instruction=request.instruction, entry_point=request.entry_point)
        output = CodeOutput(code=candidate.code, tests="", entry_point=request.entry_point)
        attempts.append(
            Attempt(number=index + 1, model="table", tier=0, round=1, candidate=index, output=output, checks=verification.checks)
        )
    specialist = CodeSpecialist()
    ctx = AgentContext(roster=Roster.single(FunctionModel(lambda messages, request: "")), sandbox=sandbox)
    settled = await specialist.settle(attempts, task, ctx)
    held, chosen = settled.held, settled.chosen
    chosen_before = (await specialist.settle(attempts, task, ctx, hold=False)).chosen
    return [
        Outcome(
            request=request,
            index=a.candidate,
            before=judge_status(a.checks),
            after=judge_status(h.checks),
            why=next((c.evidence for c in h.checks if c.name == UNDECIDED), ""),
            submitted=chosen is not None and a.candidate == chosen.candidate,
            submitted_before=chosen_before is not None and a.candidate == chosen_before.candidate,
        )
        for a, h in zip(attempts, held, strict=True)
    ]


def report(outcomes: list[Outcome], *, header: list[str]) -> str:
    right = [o for o in outcomes if o.candidate.correct]
    wrong = [o for o in outcomes if not o.candidate.correct]

    def count(group: list[Outcome], *, after: bool) -> int:
        return sum(1 for o in group if (o.after if after else o.before) is Status.VERIFIED)

    def share(part: int, whole: int) -> str:
        return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else f"{part}/0"

    rows = []
    for label, after in (("each candidate alone (variants check)", False), ("held to the round's rivals", True)):
        rv, wv = count(right, after=after), count(wrong, after=after)
        rows.append(f"{label:40s} {rv:>18d} {wv:>16d} {len(right) - rv:>20d}   precision {share(rv, rv + wv)}")
    answers = []
    for label, after in (("without the rivals step", False), ("with the rivals step", True)):
        submitted = [o for o in outcomes if (o.submitted if after else o.submitted_before)]
        right_ones = sum(o.candidate.correct for o in submitted)
        verified = [o for o in submitted if (o.after if after else o.before) is Status.VERIFIED]
        false = sum(not o.candidate.correct for o in verified)
        answers.append(
            f"  {label:24s} right {share(right_ones, len(submitted))}; verified {len(verified)}, of them WRONG {false}"
        )
    requests = {o.request.id for o in outcomes}
    lines = [
        *header,
        "",
        f"requests: {len(requests)}; candidates: {len(outcomes)} (correct {len(right)}, wrong {len(wrong)})",
        "",
        f"{'':40s} {'verified, correct':>18s} {'verified, WRONG':>16s} {'correct, unverified':>20s}",
        *rows,
        "",
        "the round's submitted answer (a verified candidate first, then the one most candidates behave like):",
        *answers,
    ]
    sections = [
        ("WRONG code still verified (a false verified)", [o for o in wrong if o.after is Status.VERIFIED], True),
        (
            "correct code the rivals step left unverified",
            [o for o in right if o.before is Status.VERIFIED and o.after is not Status.VERIFIED],
            False,
        ),
        (
            "wrong code the rivals step left unverified",
            [o for o in wrong if o.before is Status.VERIFIED and o.after is not Status.VERIFIED],
            False,
        ),
    ]
    for title, group, hidden in sections:
        lines += ["", f"{title}: {len(group)}"]
        for o in group:
            lines.append(f"  {o.request.id} #{o.index} {o.request.entry_point}: {o.candidate.note}")
            if o.why:
                lines.append(f"      {o.why[:300]}")
            if hidden:
                lines.append(
                    f"      fails hidden: {'; '.join(hidden_failures(o.candidate.code, o.request.hidden_tests)) or 'none'}"
                )
    return "\n".join(lines) + "\n"


async def measure(requests: list[Request]) -> list[Outcome]:
    """Every request as one round, in turn, on one sandbox built as junto builds it."""
    from junto.sandbox import DockerSandbox

    async with DockerSandbox.start(limits=load_config().sandbox) as sandbox:
        return [outcome for request in requests for outcome in await run_round(sandbox, request)]


def main(argv: list[str] | None = None) -> int:
    return table_main(
        __file__,
        argv,
        doc=__doc__ or "",
        table=DEFAULT_TABLE,
        out=DEFAULT_OUT,
        method="each request: its candidates checked by check_code in the hardened sandbox (no user tests), "
        "then held to each other by the code specialist's rivals step; status by judge_status",
        measure=lambda table: list(asyncio.run(measure(load_requests(table)))),
        report=report,
    )


if __name__ == "__main__":
    raise SystemExit(main())
