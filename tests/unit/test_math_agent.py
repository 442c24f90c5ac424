"""MathSpecialist with a FunctionModel: feedback, retries, escalation, and a status that follows the verification contract."""

from __future__ import annotations

import json

from junto.agents import AgentContext, MathOutput, MathSpecialist, Status, TaskKind, TaskSpec

from junto.models import FunctionModel, Roster

TRAIN = "A train travels at 60 km/h for 2.5 hours. How many km does it go?"
BOXES = "Evaluate 7*(12 + 5)."


def _reply(expression: str, answer: str, kind: str = "evaluate", **extra) -> str:
    return json.dumps(
        {"kind": kind, "expression": expression, "variable": "x", "point": None, "answer": answer, "work": "", **extra}
    )


def _task(instruction: str, **options) -> TaskSpec:
    return TaskSpec(id="m1", kind=TaskKind.MATH, instruction=instruction, **options)


async def test_a_word_problem_gets_evidence_then_a_computed_unverified_answer() -> None:
    replies = iter([_reply("60*2", "120"), _reply("60*2.5", "150")])
    model = FunctionModel(lambda messages, request: next(replies))
    result = await MathSpecialist().run(_task(TRAIN, max_attempts=3), {}, AgentContext(roster=Roster.single(model)))
    # nothing the instruction states can confirm a word problem's formalisation: consistent, not verified
    assert result.status is Status.UNVERIFIED
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
    weak = FunctionModel(lambda m, r: _reply("7*(12 + 5)", "89"), name="weak")
    strong = FunctionModel(lambda m, r: _reply("7*(12 + 5)", "119"), name="strong")
    result = await MathSpecialist().run(_task(BOXES, max_attempts=1), {}, AgentContext(roster=Roster(default=[weak, strong])))
    assert result.status is Status.VERIFIED
    assert result.models_used == ["weak", "strong"]
    assert [a.tier for a in result.attempts] == [0, 1]


async def test_wrong_arithmetic_fails_and_is_never_replaced_by_sympys_value() -> None:
    model = FunctionModel(lambda m, r: _reply("7*(12 + 5)", "89"))
    result = await MathSpecialist().run(_task(BOXES, max_attempts=2), {}, AgentContext(roster=Roster.single(model)))
    assert result.status is Status.FAILED
    assert result.output.answer == "89"
    assert "119" not in model.calls[1].messages[-1].content  # the retry is told it is wrong, not what is right
    assert "not the value of the instruction's" in model.calls[1].messages[-1].content


async def test_a_wrong_formalisation_of_a_stated_expression_does_not_matter_a_wrong_answer_does() -> None:
    model = FunctionModel(lambda m, r: _reply("7+12+5", "24"))
    result = await MathSpecialist().run(_task(BOXES, max_attempts=1), {}, AgentContext(roster=Roster.single(model)))
    assert result.status is Status.FAILED
    right = FunctionModel(lambda m, r: _reply("7+12+5", "119"))
    result = await MathSpecialist().run(_task(BOXES, max_attempts=1), {}, AgentContext(roster=Roster.single(right)))
    assert result.status is Status.VERIFIED  # sympy checked the instruction's own expression


async def test_a_users_expected_answer_verifies_a_word_problem() -> None:
    model = FunctionModel(lambda m, r: _reply("60*2.5", "150"))
    result = await MathSpecialist().run(_task(TRAIN, expected="150"), {}, AgentContext(roster=Roster.single(model)))
    assert result.status is Status.VERIFIED
    assert {c.name: c.spec.value for c in result.checks if c.passed}["expected"] == "user"


async def test_expected_mismatch_fails() -> None:
    model = FunctionModel(lambda m, r: _reply("17*23", "391"))
    result = await MathSpecialist().run(
        _task("Compute 17*23.", expected="390", max_attempts=1), {}, AgentContext(roster=Roster.single(model))
    )
    assert result.status is Status.FAILED
    expected = [c for c in result.checks if c.name == "expected"]
    assert expected and expected[0].passed is False


async def test_kind_other_is_unverified_not_verified() -> None:
    model = FunctionModel(lambda m, r: _reply("n", "a proof", kind="other"))
    result = await MathSpecialist().run(
        _task("Prove that there are infinitely many primes."), {}, AgentContext(roster=Roster.single(model))
    )
    assert result.status is Status.UNVERIFIED
    assert len(result.attempts) == 1


async def test_unparsable_json_is_recorded_as_an_error() -> None:
    model = FunctionModel(lambda m, r: "the answer is 391")
    result = await MathSpecialist().run(_task("Compute 17*23.", max_attempts=1), {}, AgentContext(roster=Roster.single(model)))
    assert result.status is Status.FAILED
    assert result.attempts[0].error


async def test_the_kind_the_instruction_names_is_hinted_and_its_question_checked() -> None:
    """A small model labels everything 'evaluate'; the wording asks for the bigger root, and only that root passes."""
    seen: list[str] = []

    def reply(messages, request) -> str:
        seen.append(messages[-1].content)
        return _reply("x^2 + 7*x + 10 = 0", "-5")

    task = _task("Which is the bigger root of x^2 + 7*x + 10 = 0?", max_attempts=1)
    result = await MathSpecialist().run(task, {}, AgentContext(roster=Roster.single(FunctionModel(reply))))
    assert "The task asks for kind: solve." in seen[0]
    assert result.status is Status.FAILED and result.output.answer == "-5"
