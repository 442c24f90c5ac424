"""One budget for a run: reserve before spend, concurrency-safe, typed exhaustion."""

from __future__ import annotations

import asyncio

import pytest

from junto import Budget, BudgetExceeded, BudgetTracker
from junto._budget import BudgetedModel
from junto.models import FunctionModel, Message, ModelRequest, Usage


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


async def test_budgeted_model_refuses_before_calling() -> None:
    calls = []
    tracker = BudgetTracker(Budget(max_tokens=50))
    model = BudgetedModel(FunctionModel(lambda m, r: calls.append(1) or "x"), tracker)
    with pytest.raises(BudgetExceeded):
        await model.complete(ModelRequest(messages=[Message.user("hi")], max_tokens=100))
    assert calls == []
