"""One budget for a run: reserve before spend, concurrency-safe, typed exhaustion."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import BaseModel

from junto import Budget, BudgetExceeded, BudgetTracker, StructuredOutputError
from junto._budget import BudgetedModel
from junto.models import Completion, FunctionModel, Message, ModelRequest, Price, Usage


async def test_reserve_refuses_a_call_that_could_overspend() -> None:
    tracker = BudgetTracker(Budget(max_tokens=100))
    async with tracker.reserve(tokens=60) as held:
        held.settle(Usage(prompt_tokens=10, completion_tokens=20), 0.0)
    assert tracker.spent.tokens == 30
    with pytest.raises(BudgetExceeded) as caught:
        async with tracker.reserve(tokens=80):
            pass
    assert caught.value.resource == "tokens"
    assert tracker.exhausted == "tokens"
    assert tracker.spent.tokens == 30  # the refused call spent nothing


async def test_concurrent_reservations_never_exceed_the_limit() -> None:
    tracker = BudgetTracker(Budget(max_tokens=1000))
    admitted = 0

    async def call() -> None:
        nonlocal admitted
        try:
            async with tracker.reserve(tokens=100) as held:
                admitted += 1
                await asyncio.sleep(0.01)
                held.settle(Usage(completion_tokens=100), 0.0)
        except BudgetExceeded:
            pass

    await asyncio.gather(*(call() for _ in range(25)))
    assert admitted == 10
    assert tracker.spent.tokens == 1000


async def test_cost_and_wall_time_limits() -> None:
    now = [0.0]
    tracker = BudgetTracker(Budget(max_cost_usd=0.01, max_wall_s=5), clock=lambda: now[0])
    tracker.record(Usage(prompt_tokens=1), 0.02)
    with pytest.raises(BudgetExceeded) as caught:
        tracker.check()
    assert caught.value.resource == "cost"
    fresh = BudgetTracker(Budget(max_wall_s=5), clock=lambda: now[0])
    now[0] = 6.0
    with pytest.raises(BudgetExceeded) as caught:
        fresh.check()
    assert caught.value.resource == "wall_time"


async def test_sandbox_seconds_are_charged() -> None:
    tracker = BudgetTracker(Budget(max_sandbox_s=1.0))
    tracker.charge_sandbox(0.6)
    tracker.check()
    tracker.charge_sandbox(0.6)
    with pytest.raises(BudgetExceeded):
        tracker.check()


async def test_budgeted_model_charges_real_usage() -> None:
    tracker = BudgetTracker(Budget(max_tokens=10_000))
    model = BudgetedModel(FunctionModel(lambda m, r: "one two three"), tracker)
    completion = await model.complete(ModelRequest(messages=[Message.user("count to three")], max_tokens=20))
    assert completion.text == "one two three"
    assert tracker.spent.completion_tokens == 3
    assert tracker.spent.prompt_tokens == 3
    assert tracker.spent.model_calls == 1


async def test_budgeted_model_charges_a_structured_call_that_failed() -> None:
    class Answer(BaseModel):
        value: int

    tracker = BudgetTracker(Budget(max_tokens=350))
    price = Price(input_per_mtok=1.0, output_per_mtok=10.0)
    invalid = Completion(text='{"value": "many"}', usage=Usage(prompt_tokens=100, completion_tokens=10))
    model = BudgetedModel(FunctionModel(lambda m, r: invalid, structured_repairs=2, price=price), tracker)
    with pytest.raises(StructuredOutputError):
        await model.complete(ModelRequest(messages=[Message.user("a number")], output_type=Answer, max_tokens=20))
    spent = tracker.spent
    assert (spent.prompt_tokens, spent.completion_tokens, spent.tokens) == (300, 30, 330)
    assert spent.cost_usd == pytest.approx(3 * (100 + 100) / 1e6)
    assert spent.model_calls == 1
    with pytest.raises(BudgetExceeded):  # 330 spent + up to 21 for this call > 350
        await model.complete(ModelRequest(messages=[Message.user("hi")], max_tokens=20))


def test_a_budget_overridden_keeps_the_limits_the_other_leaves_unset() -> None:
    base = Budget(max_tokens=5, max_cost_usd=0.5)
    assert base.overridden_by(None) is base
    assert base.overridden_by(Budget()) == base
    assert base.overridden_by(Budget(max_tokens=100, max_wall_s=3)) == Budget(max_tokens=100, max_cost_usd=0.5, max_wall_s=3)


async def test_budgeted_model_refuses_before_calling() -> None:
    calls = []
    tracker = BudgetTracker(Budget(max_tokens=50))
    model = BudgetedModel(FunctionModel(lambda m, r: calls.append(1) or "x"), tracker)
    with pytest.raises(BudgetExceeded):
        await model.complete(ModelRequest(messages=[Message.user("hi")], max_tokens=100))
    assert calls == []
