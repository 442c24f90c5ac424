"""GeneralSpecialist: plain answers, checked by constraints in the instruction and upstream facts, else unverified."""

from __future__ import annotations

from junto.agents import AgentContext, GeneralSpecialist, MathOutput, Status, TaskKind, TaskResult, TaskSpec, TextOutput

from junto.models import FunctionModel, Roster


def _run_with(*replies: str) -> tuple[FunctionModel, AgentContext]:
    queue = iter(replies)
    model = FunctionModel(lambda messages, request: next(queue))
    return model, AgentContext(roster=Roster.single(model))


def _task(instruction: str, **options) -> TaskSpec:
    return TaskSpec(id="g", kind=TaskKind.GENERAL, instruction=instruction, **options)


async def test_plain_question_is_unverified() -> None:
    model, ctx = _run_with("Paris.")
    result = await GeneralSpecialist().run(_task("What is the capital of France?"), {}, ctx)
    assert result.status is Status.UNVERIFIED
    assert isinstance(result.output, TextOutput) and result.output.kind == "general" and result.output.text == "Paris."
    assert "directly" in model.calls[0].messages[0].content


async def test_constraint_in_the_instruction_is_checked() -> None:
    model, ctx = _run_with("Paris is the capital. It is on the Seine.", "Paris is the capital of France.")
    result = await GeneralSpecialist().run(_task("What is the capital of France? Answer in one sentence."), {}, ctx)
    assert result.status is Status.VERIFIED
    assert result.attempts[0].checks[0].evidence == "2 sentences; allowed exactly 1"
    assert "sentences: 2 sentences; allowed exactly 1" in model.calls[1].messages[-1].content


async def test_upstream_fact_contradicted_fails() -> None:
    product = TaskResult(
        task_id="p", kind=TaskKind.MATH, status=Status.VERIFIED,
        output=MathOutput(answer="391", formalization={"kind": "evaluate", "expression": "17*23", "answer": "391"}),
    )  # fmt: skip
    _, ctx = _run_with("17*23 = 381, so the answer is 381.")
    result = await GeneralSpecialist().run(_task("Summarise the result.", depends_on=["p"], max_attempts=1), {"p": product}, ctx)
    assert result.status is Status.FAILED
    assert {c.name: c.passed for c in result.checks} == {"fact [p]": False, "contradictions": False}
