"""What the math checker verifies when the answer is known to be right, and when it is known to be wrong.

    .venv/bin/python benchmarks/math_oracle.py [--out benchmarks/results/math_oracle.txt]

No model is called. For every question of the shipped math suites, the math
specialist gets a stand-in model that answers:

- *right*: the suite's reference answer (with a formalisation that says
  nothing, "0"): how many right answers can be verified at all, i.e. how
  often the instruction states its whole question (the share the checker
  can confirm; the rest stays unverified or fails the stand-in's empty
  formalisation, as it should);
- *zero*: "0" to everything: every "verified" here is false unless the
  reference answer is 0.

Honesty is not bought by verifying nothing: the first figure says how much
a right answer can earn; the second must be zero false verified.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

from _common import command, write_report
from junto.agents import AgentContext, MathSpecialist, Status, TaskKind, TaskSpec
from junto.tools import compare_answers

from junto.evals import MathPart, load_suite
from junto.models import FunctionModel, Roster

SUITES = ("math-heldout", "math")


def _reply(answer: str) -> str:
    return json.dumps({"kind": "evaluate", "expression": "0", "variable": "x", "point": None, "answer": answer, "work": ""})


async def _status(specialist: MathSpecialist, prompt: str, answer: str) -> Status:
    model = FunctionModel(lambda messages, request: _reply(answer))
    task = TaskSpec(id="m", kind=TaskKind.MATH, instruction=prompt, max_attempts=1)
    return (await specialist.run(task, {}, AgentContext(roster=Roster.single(model)))).status


async def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/math_oracle.txt"))
    args = parser.parse_args(argv)
    specialist = MathSpecialist(timeout_s=10.0)
    lines = [f"command: {command(__file__, ['--out', str(args.out)])}", ""]
    lines.append(
        f"{'suite':<14}{'items':>6}  {'right answer: verified / unverified / failed':<46}{'answer 0: verified (of which right)':>36}"
    )
    for suite in SUITES:
        items = load_suite(suite)
        right: Counter[str] = Counter()
        zero_verified = zero_right = 0
        for item in items:
            (part,) = item.parts
            assert isinstance(part, MathPart)
            right[(await _status(specialist, item.prompt, part.expected)).value] += 1
            if await _status(specialist, item.prompt, "0") is Status.VERIFIED:
                zero_verified += 1
                zero_right += compare_answers("0", part.expected).equivalent is True
        share = right["verified"] / len(items)
        counts = f"{right['verified']} ({share:.0%}) / {right['unverified']} / {right['failed']}"
        lines.append(f"{suite:<14}{len(items):>6}  {counts:<46}{f'{zero_verified} ({zero_right})':>36}")
    report = "\n".join(lines) + "\n"
    write_report(report, args.out)
    return report


if __name__ == "__main__":
    sys.stdout.write(asyncio.run(main()))
