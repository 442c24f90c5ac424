"""MathSpecialist end to end with the embedded local model: the verification record must be honest."""

from __future__ import annotations

import pytest
from junto.agents import AgentContext, MathOutput, MathSpecialist, Status, TaskKind, TaskSpec
from junto.agents._loop import judge_status
from junto.tools import compare_answers

from junto.models import ChatModel, Roster

pytestmark = [pytest.mark.model, pytest.mark.slow]

TASKS = [
    ("Compute 17*23.", "391"),
    ("Solve x^2 - 5x + 6 = 0 for x.", "{2, 3}"),
]


@pytest.mark.parametrize(("instruction", "truth"), TASKS, ids=["arithmetic", "quadratic"])
async def test_local_model_result_is_honest(local_model: ChatModel, instruction: str, truth: str) -> None:
    task = TaskSpec(id="m", kind=TaskKind.MATH, instruction=instruction, max_attempts=2)
    result = await MathSpecialist(timeout_s=20).run(task, {}, AgentContext(roster=Roster.single(local_model)))

    print(f"\n{instruction!r}: {result.status.value}, answer {result.output_text()!r}, {len(result.attempts)} attempt(s)")
    assert result.attempts, "the model was never asked"
    assert result.status is not Status.SKIPPED
    # the status is what the recorded checks earn
    if result.output is not None:
        chosen = next(a for a in result.attempts if a.output == result.output)
        assert result.status is judge_status(chosen.checks)
    if result.status is Status.VERIFIED:
        assert isinstance(result.output, MathOutput)
        assert compare_answers(result.output.answer, truth, timeout_s=20).equivalent is True
        assert any(c.passed for c in result.checks if c.name.startswith("sympy:"))
    # every attempt that produced output recorded the formalisation it was checked against
    for attempt in result.attempts:
        if attempt.output is not None:
            assert attempt.output.formalization is not None and attempt.output.formalization.answer == attempt.output.answer
