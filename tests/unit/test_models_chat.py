"""ChatModel's shared machinery, FunctionModel and FallbackModel, on test doubles."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import BaseModel

from junto import ConfigError, ModelConnectionError, ModelHTTPError, StructuredOutputError
from junto.models import (
    Completion,
    FallbackModel,
    FunctionModel,
    Message,
    ModelRequest,
    Price,
    RetryPolicy,
    Usage,
)


class Answer(BaseModel):
    value: int


def ask(**options) -> ModelRequest:
    return ModelRequest(messages=[Message.user("what is 2+3?")], **options)


class Sleeps(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_retry_delay_grows_caps_and_honours_retry_after() -> None:
    policy = RetryPolicy(initial_delay_s=1.0, multiplier=2.0, max_delay_s=5.0, jitter=0.0)
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]
    assert policy.delay(1, retry_after=3.0) == 3.0
    assert policy.delay(1, retry_after=600.0) == 5.0  # never longer than max_delay_s


def test_retry_jitter_stays_in_its_band() -> None:
    policy = RetryPolicy(initial_delay_s=1.0, jitter=0.25)
    delays = {policy.delay(1) for _ in range(50)}
    assert all(0.75 <= d <= 1.25 for d in delays) and len(delays) > 1


def test_which_errors_are_retried() -> None:
    assert RetryPolicy.is_retryable(ModelHTTPError("x", status_code=503))
    assert RetryPolicy.is_retryable(ModelConnectionError("x"))
    assert not RetryPolicy.is_retryable(ModelHTTPError("x", status_code=400))


def test_price_cost() -> None:
    price = Price(input_per_mtok=0.15, output_per_mtok=0.6)
    assert price.cost(Usage(prompt_tokens=1_000_000, completion_tokens=500_000)) == pytest.approx(0.45)


async def test_completion_cost_comes_from_price_and_usage() -> None:
    def reply(messages, request):
        return Completion(text="5", usage=Usage(prompt_tokens=2000, completion_tokens=1000))

    model = FunctionModel(reply, price=Price(input_per_mtok=1.0, output_per_mtok=2.0))
    completion = await model.complete(ask())
    assert completion.cost_usd == pytest.approx(0.004)


async def test_function_model_records_calls_and_streams_words() -> None:
    model = FunctionModel(lambda messages, request: f"you said {messages[-1].content}", name="echo")
    completion = await model.complete(ask())
    assert completion.text == "you said what is 2+3?" and completion.model == "echo"
    chunks = [chunk async for chunk in model.stream(ask())]
    assert "".join(c.text for c in chunks) == "you said what is 2+3?"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 5
    assert len(model.calls) == 2


async def test_structured_output_repairs_then_validates() -> None:
    replies = iter(["five", '{"value": 5}'])
    model = FunctionModel(lambda messages, request: next(replies))
    completion = await model.complete(ask(output_type=Answer))
    assert completion.parsed == Answer(value=5)
    repair_prompt = model.calls[1].messages[-1].content
    assert "not valid JSON" in repair_prompt and '"value"' in repair_prompt


async def test_a_reply_cut_off_at_max_tokens_is_asked_for_again_shorter_not_shown_back() -> None:
    cut = '{"value": 5, "note": "on and on and on'
    replies = iter([Completion(text=cut, finish_reason="length"), Completion(text='{"value": 5}', finish_reason="stop")])
    model = FunctionModel(lambda messages, request: next(replies))
    completion = await model.complete(ask(output_type=Answer, max_tokens=40))
    assert completion.parsed == Answer(value=5)
    second = model.calls[1].messages
    assert all(cut not in m.content for m in second)  # the model does not go on from where it ran out
    assert "limit of 40 tokens" in second[-1].content and "short" in second[-1].content


async def test_a_reply_always_cut_off_names_the_token_limit_in_the_error() -> None:
    model = FunctionModel(lambda m, r: Completion(text='{"value": ', finish_reason="length"), structured_repairs=1)
    with pytest.raises(StructuredOutputError, match="cut off at the limit of 40 tokens"):
        await model.complete(ask(output_type=Answer, max_tokens=40))
    assert len(model.calls) == 2


async def test_structured_output_that_never_validates_raises() -> None:
    model = FunctionModel(lambda messages, request: '{"value": "many"}', structured_repairs=2)
    with pytest.raises(StructuredOutputError) as caught:
        await model.complete(ask(output_type=Answer))
    assert caught.value.last_output == '{"value": "many"}'
    assert len(model.calls) == 3


def spending(*replies: str | Exception, name: str = "function", **options) -> FunctionModel:
    """Replies in turn, each using 100 prompt and 10 completion tokens; an exception is raised instead."""
    queue = iter(replies)

    def reply(messages, request):
        answer = next(queue)
        if isinstance(answer, Exception):
            raise answer
        return Completion(text=answer, usage=Usage(prompt_tokens=100, completion_tokens=10))

    return FunctionModel(reply, name=name, retry=RetryPolicy(max_attempts=1), **options)


async def test_structured_output_error_carries_the_usage_and_cost_of_every_try() -> None:
    price = Price(input_per_mtok=1.0, output_per_mtok=10.0)
    model = spending(*['{"value": "many"}'] * 3, structured_repairs=2, price=price)
    with pytest.raises(StructuredOutputError) as caught:
        await model.complete(ask(output_type=Answer))
    assert caught.value.usage == Usage(prompt_tokens=300, completion_tokens=30)
    assert caught.value.cost_usd == pytest.approx(3 * (100 * 1.0 + 10 * 10.0) / 1e6)


async def test_an_error_on_a_repair_try_carries_the_usage_of_the_tries_before() -> None:
    model = spending("five", ModelConnectionError("down"), structured_repairs=2)
    with pytest.raises(ModelConnectionError) as caught:
        await model.complete(ask(output_type=Answer))
    assert caught.value.usage == Usage(prompt_tokens=100, completion_tokens=10)


async def test_fallback_answer_includes_what_the_failed_models_spent() -> None:
    weak = spending("nope", name="weak", structured_repairs=0, price=Price(input_per_mtok=1.0))
    strong = spending('{"value": 5}', name="strong", price=Price(input_per_mtok=1.0))
    completion = await FallbackModel([weak, strong]).complete(ask(output_type=Answer))
    assert completion.parsed == Answer(value=5)
    assert completion.usage == Usage(prompt_tokens=200, completion_tokens=20)
    assert completion.cost_usd == pytest.approx(200 / 1e6)
    both_fail = FallbackModel(
        [spending("nope", name="a", structured_repairs=0), spending("nope", name="b", structured_repairs=0)]
    )
    with pytest.raises(StructuredOutputError) as caught:
        await both_fail.complete(ask(output_type=Answer))
    assert caught.value.usage == Usage(prompt_tokens=200, completion_tokens=20)


async def test_concurrency_cap_limits_calls_in_flight() -> None:
    in_flight = peak = 0

    async def reply(messages, request):
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return "ok"

    model = FunctionModel(reply, concurrency=2)
    await asyncio.gather(*(model.complete(ask()) for _ in range(7)))
    assert peak == 2


def failing(error: Exception, name: str) -> FunctionModel:
    def reply(messages, request):
        raise error

    return FunctionModel(reply, name=name, retry=RetryPolicy(max_attempts=1))


async def test_fallback_moves_on_after_a_model_error() -> None:
    down = failing(ModelConnectionError("down"), "remote")
    backup = FunctionModel(lambda messages, request: "from backup", name="backup")
    chain = FallbackModel([down, backup])
    completion = await chain.complete(ask())
    assert completion.text == "from backup" and completion.model == "backup"
    assert chain.name == "remote | backup"


async def test_fallback_moves_on_after_structured_output_error() -> None:
    weak = FunctionModel(lambda messages, request: "nope", name="weak", structured_repairs=0)
    strong = FunctionModel(lambda messages, request: '{"value": 5}', name="strong")
    completion = await FallbackModel([weak, strong]).complete(ask(output_type=Answer))
    assert completion.parsed == Answer(value=5)


async def test_fallback_raises_the_last_error_when_all_fail() -> None:
    chain = FallbackModel(
        [failing(ModelConnectionError("first down"), "a"), failing(ModelHTTPError("second", status_code=500), "b")]
    )
    with pytest.raises(ModelHTTPError) as caught:
        await chain.complete(ask())
    assert isinstance(caught.value.__context__, ModelConnectionError)


async def test_fallback_does_not_swallow_other_errors() -> None:
    chain = FallbackModel([failing(ValueError("a bug"), "a"), FunctionModel(lambda m, r: "unused", name="b")])
    with pytest.raises(ValueError):
        await chain.complete(ask())


async def test_fallback_stream_switches_before_the_first_chunk() -> None:
    chain = FallbackModel([failing(ModelConnectionError("down"), "a"), FunctionModel(lambda m, r: "hello world", name="b")])
    chunks = [chunk async for chunk in chain.stream(ask())]
    assert "".join(c.text for c in chunks) == "hello world"


def test_fallback_needs_a_model() -> None:
    with pytest.raises(ConfigError):
        FallbackModel([])
