"""WritingSpecialist with FunctionModel: evidence goes back, status is honest, a judge never verifies."""

from __future__ import annotations

import json

from junto.agents import (
    AgentContext,
    CodeOutput,
    MathOutput,
    Status,
    TaskKind,
    TaskResult,
    TaskSpec,
    TextOutput,
    WritingSpecialist,
)
from junto.tools import WritingConstraints

from junto._tasks import Spec
from junto.models import FunctionModel, Roster
from junto.models._types import Role

SEA_40 = " ".join(["The sea is wide and blue and calm today."] * 4)  # 36 words
SEA_20 = "The sea is wide and blue. Waves roll in slowly and gulls cry over the warm sand near the old harbour."  # 21 words


def _task(instruction: str, **options) -> TaskSpec:
    return TaskSpec(id="w1", kind=TaskKind.WRITING, instruction=instruction, **options)


def _writer(*replies: str) -> FunctionModel:
    queue = iter(replies)
    return FunctionModel(lambda messages, request: next(queue), name="writer")


def _judge(passed: bool, critique: str = "reads well") -> FunctionModel:
    return FunctionModel(lambda messages, request: json.dumps({"passed": passed, "critique": critique}), name="judge")


def _roster(writer: FunctionModel, judge: FunctionModel | None = None) -> Roster:
    roles = {Role.WRITING: [writer]}
    if judge is not None:
        roles[Role.JUDGE] = [judge]
    return Roster(roles)


async def test_too_long_then_within_bounds_is_verified() -> None:
    writer = _writer(SEA_40, SEA_20)
    result = await WritingSpecialist().run(_task("Write about 20 words about the sea."), {}, AgentContext(roster=_roster(writer)))
    assert result.status is Status.VERIFIED
    assert isinstance(result.output, TextOutput) and result.output.kind == "writing" and result.output.text == SEA_20
    assert len(result.attempts) == 2
    first = result.attempts[0].checks[0]
    assert (first.name, first.passed, first.evidence) == ("words", False, "36 words; allowed 16-24")
    assert "words: 16-24" in writer.calls[0].messages[-1].content  # the constraint is spelled out
    assert "words: 36 words; allowed 16-24" in writer.calls[1].messages[-1].content  # the evidence went back
    assert result.checks[0].evidence == "21 words; allowed 16-24; the text meets the one constraint the instruction states"


async def test_always_too_long_fails_with_reason() -> None:
    writer = _writer(SEA_40, SEA_40)
    result = await WritingSpecialist().run(_task("Write about 20 words about the sea."), {}, AgentContext(roster=_roster(writer)))
    assert result.status is Status.FAILED
    assert "2 attempt" in (result.reason or "")


async def test_no_constraint_and_no_fact_is_unverified_after_one_attempt() -> None:
    writer = _writer(SEA_20)
    result = await WritingSpecialist().run(_task("Write something about the sea."), {}, AgentContext(roster=_roster(writer)))
    assert result.status is Status.UNVERIFIED
    assert result.checks == [] and len(result.attempts) == 1


async def test_judge_pass_alone_does_not_verify() -> None:
    judge = _judge(True)
    result = await WritingSpecialist(judge=True).run(
        _task("Write something about the sea."), {}, AgentContext(roster=_roster(_writer(SEA_20), judge))
    )
    assert result.status is Status.UNVERIFIED
    (check,) = result.checks
    assert (check.name, check.passed, check.source) == ("judge", True, "judge")
    assert check.evidence == "judge: reads well"
    assert judge.calls[0].output_type is not None and judge.calls[0].output_type.__name__ == "JudgeVerdict"


async def test_judge_failure_does_not_fail_a_text_that_meets_constraints() -> None:
    result = await WritingSpecialist(judge=True).run(
        _task("Write about 20 words about the sea."),
        {},
        AgentContext(roster=_roster(_writer(SEA_20), _judge(False, "too plain"))),
    )
    assert result.status is Status.VERIFIED
    assert [c.source for c in result.checks] == ["deterministic", "judge"]
    assert result.checks[-1].passed is False and len(result.attempts) == 1


async def test_judge_is_off_by_default_and_undecided_when_it_cannot_answer() -> None:
    judge = FunctionModel(lambda messages, request: "not json at all", name="judge")
    off = await WritingSpecialist().run(
        _task("Write about 20 words about the sea."), {}, AgentContext(roster=_roster(_writer(SEA_20), judge))
    )
    assert judge.calls == [] and all(c.source == "deterministic" for c in off.checks)
    on = await WritingSpecialist(judge=True).run(
        _task("Write about 20 words about the sea."), {}, AgentContext(roster=_roster(_writer(SEA_20), judge))
    )
    assert on.status is Status.VERIFIED
    assert on.checks[-1].source == "judge" and on.checks[-1].passed is None


async def test_upstream_fact_missing_then_stated() -> None:
    roots = TaskResult(task_id="roots", kind=TaskKind.MATH, status=Status.VERIFIED, output=MathOutput(answer="{2, 3}"))
    writer = _writer("The equation has a root at 2.", "The equation has the roots 2 and 3.")
    task = _task("Explain the roots of x^2 - 5x + 6 = 0 to a student.", depends_on=["roots"])
    result = await WritingSpecialist().run(task, {"roots": roots}, AgentContext(roster=_roster(writer)))
    assert result.status is Status.VERIFIED
    assert result.attempts[0].checks[0].evidence == "does not state 3; [roots] verified {2, 3}"
    assert "Verified facts to state exactly as written:\n- [roots] {2, 3}" in writer.calls[0].messages[-1].content


async def test_user_constraints_win_over_the_instruction() -> None:
    task = _task("Write about 100 words about the sea.", constraints=WritingConstraints(min_words=15, max_words=25))
    result = await WritingSpecialist().run(task, {}, AgentContext(roster=_roster(_writer(SEA_20))))
    assert result.status is Status.VERIFIED
    assert result.checks[0].evidence == "21 words; allowed 15-25; the text meets the one constraint the user gave"
    assert result.checks[0].spec is Spec.USER


async def test_verified_code_must_be_named_and_its_code_is_not_a_fact_to_copy() -> None:
    code = TaskResult(
        task_id="impl", kind=TaskKind.CODE, status=Status.VERIFIED,
        output=CodeOutput(code="def add(a, b):\n    return a + b", entry_point="add"),
    )  # fmt: skip
    writer = _writer("This function sums two numbers.", "The function add() sums two numbers.")
    result = await WritingSpecialist().run(
        _task("Document the function in one sentence."), {"impl": code}, AgentContext(roster=_roster(writer))
    )
    assert result.status is Status.VERIFIED
    assert [c.evidence for c in result.attempts[0].checks if c.passed is False] == [
        "does not name add(), the verified code of [impl]"
    ]
    prompt = writer.calls[0].messages[-1].content
    assert "- [impl] the function add()" in prompt
    assert "- [impl] def add" not in prompt


def _demo_inputs() -> dict[str, TaskResult]:
    math = TaskResult(task_id="math", kind=TaskKind.MATH, status=Status.VERIFIED, output=MathOutput(answer="36"))
    code = TaskResult(
        task_id="code", kind=TaskKind.CODE, status=Status.UNVERIFIED,
        output=CodeOutput(code="def percent_of(p, total):\n    return p * total / 100\n", entry_point="percent_of"),
    )  # fmt: skip
    return {"math": math, "code": code}


async def test_a_writer_that_prints_its_prompt_back_fails_though_the_fact_and_length_pass() -> None:
    parrot = FunctionModel(lambda messages, request: messages[-1].content, name="parrot")
    task = _task("Explain the result in at most 80 words.", depends_on=["math", "code"], max_attempts=2)
    result = await WritingSpecialist().run(task, _demo_inputs(), AgentContext(roster=_roster(parrot)))
    assert result.status is Status.FAILED
    answers = result.checks[0]
    assert (answers.name, answers.passed, answers.spec) == ("answers", False, Spec.INSTRUCTION)
    assert "repeats the prompt's label" in answers.evidence
    assert {c.name: c.passed for c in result.checks[1:]} == {
        "words": True,
        "fact [math]": True,
    }  # they alone would have verified it


async def test_a_restated_instruction_is_sent_back_and_a_real_answer_verified() -> None:
    echo = "Sure! The task is to explain the result in at most 80 words."
    answer = "Fifteen percent of 240 is 36: one percent is 2.4, and fifteen of those make 36."
    writer = _writer(echo, answer)
    task = _task("Explain the result in at most 80 words.", depends_on=["math"])
    result = await WritingSpecialist().run(task, {"math": _demo_inputs()["math"]}, AgentContext(roster=_roster(writer)))
    assert result.status is Status.VERIFIED and len(result.attempts) == 2
    assert result.attempts[0].checks[0].name == "answers"
    assert "answers: the text restates the prompt instead of answering it" in writer.calls[1].messages[-1].content
    assert [c.name for c in result.checks] == ["words", "fact [math]"]
    assert result.checks[0].evidence.endswith("; the text meets the one constraint the instruction states")


async def test_judge_approval_verifies_nothing_even_of_an_echo() -> None:
    instruction = "Write a short poem about the autumn rain."
    result = await WritingSpecialist(judge=True).run(
        _task(instruction, max_attempts=1), {}, AgentContext(roster=_roster(_writer(instruction), _judge(True, "perfect")))
    )
    assert result.status is Status.FAILED
    judge = result.checks[-1]
    assert (judge.source, judge.passed, judge.confirms) == ("judge", True, False)


async def test_naming_a_verified_function_alone_does_not_verify_a_text() -> None:
    code = TaskResult(
        task_id="code", kind=TaskKind.CODE, status=Status.VERIFIED,
        output=CodeOutput(code="def percent_of(p, total):\n    return p * total / 100\n", entry_point="percent_of"),
    )  # fmt: skip
    writer = _writer("percent_of() returns the square root of its first argument.")
    result = await WritingSpecialist().run(
        _task("Describe the function.", depends_on=["code"]), {"code": code}, AgentContext(roster=_roster(writer))
    )
    assert result.status is Status.UNVERIFIED  # named, as asked; what the text says about it was never checked
    (check,) = result.checks
    assert (check.name, check.passed, check.spec) == ("fact [code]", True, Spec.MODEL)
