"""MathSpecialist with a FunctionModel: feedback, retries, escalation, correction, honest status."""

from __future__ import annotations

import json

from junto.agents import AgentContext, MathOutput, MathSpecialist, Status, TaskKind, TaskSpec

from junto.models import FunctionModel, Roster

TRAIN = "A train travels at 60 km/h for 2.5 hours. How many km does it go?"


def _reply(expression: str, answer: str, kind: str = "evaluate", **extra) -> str:
    return json.dumps({"kind": kind, "expression": expression, "variable": "x", "point": None, "answer": answer, "work": "", **extra})


def _task(instruction: str, **options) -> TaskSpec:
    return TaskSpec(id="m1", kind=TaskKind.MATH, instruction=instruction, **options)


async def test_wrong_formalization_gets_evidence_then_verified() -> None:
    replies = iter([_reply("60*2", "120"), _reply("60*2.5", "150")])
    model = FunctionModel(lambda messages, request: next(replies))
    result = await MathSpecialist().run(_task(TRAIN, max_attempts=3), {}, AgentContext(roster=Roster.single(model)))
    assert result.status is Status.VERIFIED
    assert isinstance(result.output, MathOutput) and result.output.answer == "150"
    assert len(result.attempts) == 2
    assert result.attempts[0].checks[0].passed is False
    second_prompt = model.calls[1].messages[-1].content
    assert "mentions 2.5" in second_prompt  # the failed check's evidence was fed back
    assert model.calls[0].output_type is not None and model.calls[0].output_type.__name__ == "MathAnswer"


async def test_always_wrong_fails_with_attempts_recorded() -> None:
    model = FunctionModel(lambda messages, request: _reply("60*2", "120"))
    result = await MathSpecialist().run(_task(TRAIN, max_attempts=2), {}, AgentContext(roster=Roster.single(model)))
    assert result.status is Status.FAILED
    assert len(result.attempts) == 2
    assert all(any(c.passed is False for c in a.checks) for a in result.attempts)
    assert "2 attempt" in (result.reason or "")


async def test_escalates_to_second_tier() -> None:
    weak = FunctionModel(lambda m, r: _reply("60*2", "120"), name="weak")
    strong = FunctionModel(lambda m, r: _reply("60 * 2.5", "150"), name="strong")
    result = await MathSpecialist().run(_task(TRAIN, max_attempts=1), {}, AgentContext(roster=Roster(default=[weak, strong])))
    assert result.status is Status.VERIFIED
    assert result.models_used == ["weak", "strong"]
    assert [a.tier for a in result.attempts] == [0, 1]


async def test_wrong_arithmetic_is_corrected_by_sympy() -> None:
    model = FunctionModel(lambda m, r: _reply("17*23", "381"))
    result = await MathSpecialist().run(_task("Compute 17*23."), {}, AgentContext(roster=Roster.single(model)))
    assert result.status is Status.VERIFIED
    assert result.output.answer == "391"
    assert result.output.formalization["model_answer"] == "381"
    evidence = " ".join(c.evidence for c in result.checks)
    assert "model said 381, sympy computes 391 from 17*23; using 391" in evidence
    assert len(result.attempts) == 1


async def test_instruction_expression_wins_over_a_wrong_formalization() -> None:
    model = FunctionModel(lambda m, r: _reply("17+23", "40"))
    result = await MathSpecialist().run(_task("What is 17 * 23?", expected="391"), {}, AgentContext(roster=Roster.single(model)))
    assert result.status is Status.VERIFIED
    assert result.output.answer == "391"
    assert {c.name: c.passed for c in result.checks}["expected"] is True


async def test_expected_mismatch_fails() -> None:
    model = FunctionModel(lambda m, r: _reply("17*23", "391"))
    result = await MathSpecialist().run(_task("Compute 17*23.", expected="390", max_attempts=1), {}, AgentContext(roster=Roster.single(model)))
    assert result.status is Status.FAILED
    expected = [c for c in result.checks if c.name == "expected"]
    assert expected and expected[0].passed is False


async def test_kind_other_is_unverified_not_verified() -> None:
    model = FunctionModel(lambda m, r: _reply("n", "a proof", kind="other"))
    result = await MathSpecialist().run(_task("Prove that there are infinitely many primes."), {}, AgentContext(roster=Roster.single(model)))
    assert result.status is Status.UNVERIFIED
    assert len(result.attempts) == 1


async def test_unparsable_json_is_recorded_as_an_error() -> None:
    model = FunctionModel(lambda m, r: "the answer is 391")
    result = await MathSpecialist().run(_task("Compute 17*23.", max_attempts=1), {}, AgentContext(roster=Roster.single(model)))
    assert result.status is Status.FAILED
    assert result.attempts[0].error


async def test_a_claim_is_checked_as_the_kind_the_instruction_asks_for() -> None:
    """A small model labels everything 'evaluate'; the wording says 'larger root', so it is solved, and only that root is the answer."""
    seen: list[str] = []

    def reply(messages, request) -> str:
        seen.append(messages[-1].content)
        return _reply("x^2 + 7*x + 10 = 0", "-5")

    task = _task("What is the larger root of x^2 + 7*x + 10 = 0?")
    result = await MathSpecialist().run(task, {}, AgentContext(roster=Roster.single(FunctionModel(reply))))
    assert "The task asks for kind: solve." in seen[0]
    assert result.status is Status.VERIFIED and result.output.answer == "-2"
    checks = {c.name: c for c in result.checks}
    assert checks["kind"].passed is None and "labelled 'evaluate'" in checks["kind"].evidence
    assert "the largest of the roots {-5, -2}" in checks["sympy:solve"].evidence
