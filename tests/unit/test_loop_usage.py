"""What a failed model call spent is charged: on its attempt, in the task's usage and in the run's budget."""

from __future__ import annotations

import pytest
from junto.agents import AgentContext, Status, TaskKind, TaskSpec, TextOutput
from junto.agents._loop import CheckOutcome, Generation, run_checked
from pydantic import BaseModel

from junto._budget import Budget, BudgetTracker
from junto.models import Completion, FunctionModel, Message, ModelRequest, Price, Roster, Usage


class Word(BaseModel):
    word: str


async def _generate_structured(model, task, inputs, history) -> Generation:
    completion = await model.complete(ModelRequest(messages=[Message.user(task.instruction)], output_type=Word, max_tokens=20))
    return Generation(output=TextOutput(text=completion.parsed.word), completion=completion)


async def _never_checked(output, task, inputs, ctx) -> CheckOutcome:
    raise AssertionError("no output was produced, nothing to check")


async def test_a_structured_call_that_failed_shows_its_tokens_on_the_attempt_and_in_the_budget() -> None:
    invalid = Completion(text="not json", usage=Usage(prompt_tokens=100, completion_tokens=10))
    model = FunctionModel(lambda m, r: invalid, structured_repairs=2, price=Price(input_per_mtok=1.0))
    tracker = BudgetTracker(Budget(max_tokens=10_000))
    ctx = AgentContext(roster=Roster.single(model), budget=tracker)
    task = TaskSpec(id="t", kind=TaskKind.GENERAL, instruction="say a word", max_attempts=2)
    result = await run_checked(task, {}, ctx, generate=_generate_structured, check=_never_checked)
    assert result.status is Status.FAILED
    assert len(model.calls) == 6  # three tries per attempt
    assert [a.usage for a in result.attempts] == [Usage(prompt_tokens=300, completion_tokens=30)] * 2
    assert all(a.cost_usd == pytest.approx(300 / 1e6) and "did not produce valid Word" in a.error for a in result.attempts)
    assert result.usage.total_tokens == 660 and result.cost_usd == pytest.approx(600 / 1e6)
    assert tracker.spent.tokens == 660 and tracker.spent.cost_usd == pytest.approx(600 / 1e6)


async def test_a_failed_structured_call_counts_towards_the_token_limit() -> None:
    invalid = Completion(text="not json", usage=Usage(prompt_tokens=100, completion_tokens=10))
    model = FunctionModel(lambda m, r: invalid, structured_repairs=2)
    tracker = BudgetTracker(Budget(max_tokens=340))
    ctx = AgentContext(roster=Roster.single(model), budget=tracker)
    task = TaskSpec(id="t", kind=TaskKind.GENERAL, instruction="say a word", max_attempts=5)
    result = await run_checked(task, {}, ctx, generate=_generate_structured, check=_never_checked)
    assert len(result.attempts) == 1  # 330 spent + up to 23 for the next attempt > 340
    assert result.reason.startswith("budget") and tracker.exhausted == "tokens"
