"""The shared specialist loop: status honesty, retries, escalation, budget."""

from __future__ import annotations

import pytest
from junto.agents import AgentContext, CheckResult, Status, TaskKind, TaskSpec, TextOutput
from junto.agents._loop import CheckOutcome, Generation, judge_status, render_feedback, run_checked

from junto._budget import Budget, BudgetTracker
from junto._events import TaskAttempt, TaskChecked, TaskEscalated
from junto._exceptions import ModelConnectionError
from junto._tasks import Spec
from junto.models import FunctionModel, Message, ModelRequest, RetryPolicy, Roster


def _spec(**options) -> TaskSpec:
    return TaskSpec(id="t", kind=TaskKind.GENERAL, instruction="say the magic word", **options)


async def _generate(model, task, inputs, history):
    completion = await model.complete(ModelRequest(messages=[Message.user(task.instruction + render_feedback(history))]))
    return Generation(output=TextOutput(text=completion.text), completion=completion)


def _word_check(word: str):
    async def check(output, task, inputs, ctx):
        ok = word in output.text
        return CheckOutcome(
            checks=[
                CheckResult(name="has-word", passed=ok, evidence=f"looked for {word!r} in {output.text!r}", spec=Spec.INSTRUCTION)
            ]
        )

    return check


def test_judge_status_ignores_judges_and_undecided() -> None:
    judge = CheckResult(name="judge", passed=True, source="judge", spec=Spec.USER)
    undecided = CheckResult(name="x", passed=None, spec=Spec.USER)
    assert judge_status([judge, undecided]) is Status.UNVERIFIED
    assert judge_status([judge, CheckResult(name="y", passed=True, spec=Spec.USER)]) is Status.VERIFIED
    assert (
        judge_status([CheckResult(name="y", passed=True, spec=Spec.USER), CheckResult(name="z", passed=False)]) is Status.FAILED
    )
    assert judge_status([]) is Status.UNVERIFIED


@pytest.mark.parametrize("spec", list(Spec))
def test_a_part_of_an_independent_specification_left_undecided_keeps_the_answer_unverified(spec: Spec) -> None:
    passed = CheckResult(name="words", passed=True, spec=Spec.INSTRUCTION)
    undecided = CheckResult(name="language", passed=None, spec=spec)
    # the language asked for could not be told: the word count alone does not verify the text
    assert judge_status([passed, undecided]) is (Status.VERIFIED if spec is Spec.MODEL else Status.UNVERIFIED)
    assert judge_status([undecided, CheckResult(name="m", passed=False)]) is Status.FAILED


@pytest.mark.parametrize("spec", list(Spec))
def test_only_a_specification_the_model_did_not_write_verifies(spec: Spec) -> None:
    passed = CheckResult(name="check", passed=True, spec=spec)
    assert judge_status([passed]) is (Status.UNVERIFIED if spec is Spec.MODEL else Status.VERIFIED)
    assert CheckResult(name="default", passed=True).spec is Spec.MODEL  # a check that does not say confirms nothing
    # a failure against any specification, the model's own included, fails the attempt
    assert (
        judge_status([CheckResult(name="u", passed=True, spec=Spec.USER), CheckResult(name="m", passed=False, spec=spec)])
        is Status.FAILED
    )


async def test_what_a_check_reads_from_a_planner_written_instruction_is_the_models_specification() -> None:
    model = FunctionModel(lambda m, r: "please")
    written = _spec(instruction_source=Spec.MODEL)
    result = await run_checked(
        written, {}, AgentContext(roster=Roster.single(model)), generate=_generate, check=_word_check("please")
    )
    assert result.status is Status.UNVERIFIED
    assert result.checks[0].spec is Spec.MODEL and "planner model's words" in result.checks[0].evidence


async def test_retry_with_feedback_then_verified() -> None:
    replies = iter(["nope", "please"])
    model = FunctionModel(lambda messages, request: next(replies))
    events = []
    ctx = AgentContext(roster=Roster.single(model), emit=events.append)
    result = await run_checked(_spec(max_attempts=3), {}, ctx, generate=_generate, check=_word_check("please"))
    assert result.status is Status.VERIFIED
    assert result.output.text == "please"
    assert len(result.attempts) == 2
    assert "has-word" in model.calls[1].messages[0].content  # the first failure was fed back
    assert [type(e) for e in events].count(TaskAttempt) == 2
    assert [type(e) for e in events].count(TaskChecked) == 2


async def test_escalates_to_next_tier_and_records_models() -> None:
    weak = FunctionModel(lambda m, r: "nope", name="weak")
    strong = FunctionModel(lambda m, r: "please", name="strong")
    events = []
    ctx = AgentContext(roster=Roster(default=[weak, strong]), emit=events.append)
    result = await run_checked(_spec(max_attempts=2), {}, ctx, generate=_generate, check=_word_check("please"))
    assert result.status is Status.VERIFIED
    assert result.models_used == ["weak", "strong"]
    assert [a.tier for a in result.attempts] == [0, 0, 1]
    assert any(isinstance(e, TaskEscalated) and e.to_model == "strong" for e in events)


async def test_failed_after_all_tiers_keeps_best_output() -> None:
    model = FunctionModel(lambda m, r: "nope")
    ctx = AgentContext(roster=Roster(default=[model, model]))
    result = await run_checked(_spec(max_attempts=2), {}, ctx, generate=_generate, check=_word_check("please"))
    assert result.status is Status.FAILED
    assert len(result.attempts) == 4
    assert result.output is not None and result.output.text == "nope"
    assert "4 attempt" in result.reason


async def test_no_deterministic_check_is_unverified_without_retry() -> None:
    model = FunctionModel(lambda m, r: "hello")

    async def judge_only(output, task, inputs, ctx):
        return CheckOutcome(checks=[CheckResult(name="judge", passed=True, source="judge")])

    result = await run_checked(
        _spec(max_attempts=3), {}, AgentContext(roster=Roster.single(model)), generate=_generate, check=judge_only
    )
    assert result.status is Status.UNVERIFIED
    assert len(result.attempts) == 1


async def test_the_output_checked_is_the_output_kept() -> None:
    model = FunctionModel(lambda m, r: "381")

    async def disagree(output, task, inputs, ctx):
        return CheckOutcome(
            checks=[CheckResult(name="sympy", passed=False, evidence="the answer 381 is not the value", spec=Spec.INSTRUCTION)]
        )

    result = await run_checked(
        _spec(max_attempts=1), {}, AgentContext(roster=Roster.single(model)), generate=_generate, check=disagree
    )
    assert result.output.text == "381"
    assert result.status is Status.FAILED


async def test_model_errors_are_recorded_not_raised() -> None:
    def refuse(messages, request):
        raise ModelConnectionError("connection refused: http://127.0.0.1:9/v1")

    model = FunctionModel(refuse, retry=RetryPolicy(max_attempts=1))
    result = await run_checked(
        _spec(max_attempts=2), {}, AgentContext(roster=Roster.single(model)), generate=_generate, check=_word_check("x")
    )
    assert result.status is Status.FAILED
    assert all("connection refused" in a.error for a in result.attempts)
    assert len(result.attempts) == 2


async def test_budget_stops_the_loop_and_keeps_attempts() -> None:
    model = FunctionModel(lambda m, r: "nope " * 50)
    tracker = BudgetTracker(Budget(max_tokens=700))
    ctx = AgentContext(roster=Roster.single(model), budget=tracker)
    result = await run_checked(_spec(max_attempts=10), {}, ctx, generate=_generate, check=_word_check("please"))
    assert result.status is Status.FAILED
    assert result.reason.startswith("budget")
    assert 1 <= len(result.attempts) < 10
    assert tracker.spent.tokens <= 700
