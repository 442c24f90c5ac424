"""The Model contract, run on every implementation (OpenAI-compatible, Anthropic, FunctionModel, fallback, embedded).

What a caller relies on: a completion has text and usage whose parts add up
to its total; a stream's pieces join to what ``complete`` answers and its
last chunk carries the finish reason and the usage; structured output comes
back parsed and valid or raises ``StructuredOutputError`` charged with every
try; and every failure is one of junto's ``ModelError`` classes, never an
``httpx`` error. Implementations and their scripts are in ``_models.py``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from junto._exceptions import JuntoError, ModelError, ModelHTTPError, StructuredOutputError
from junto.models import Completion, Message, Model, ModelRequest, StreamChunk, Usage, parse_structured
from tests.conformance._models import EXPECTED, IMPLEMENTATIONS, Capability, Fault, ModelImpl, Script

REPLY = "Four, since 2 + 2 = 4."
# Short and near-certain, so that the embedded model answers it the same way twice at temperature 0.
REQUEST = ModelRequest(
    messages=[Message.system("You are a calculator. Reply with the number only."), Message.user("2 + 2 =")], max_tokens=6, seed=7
)


class Measure(BaseModel):
    answer: int
    unit: str


STRUCTURED = ModelRequest(
    messages=[Message.user("How long is a marathon, in whole kilometres? Reply as JSON.")],
    max_tokens=32,
    output_type=Measure,
    seed=7,
)
VALID = '{"answer": 42, "unit": "km"}'


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "impl" not in metafunc.fixturenames:
        return
    needed = getattr(metafunc.function, "requires", None)
    if "fault" in metafunc.fixturenames:
        wanted = getattr(metafunc.function, "faults", None) or list(Fault)
        pairs = [(impl, fault) for impl in IMPLEMENTATIONS for fault in wanted if fault in impl.faults]
        params = [
            pytest.param(impl, fault, marks=[*impl.marks, *_known_break(impl, fault)], id=f"{impl.id}-{fault.name.lower()}")
            for impl, fault in pairs
        ]
        metafunc.parametrize(("impl", "fault"), params)
        return
    chosen = [impl for impl in IMPLEMENTATIONS if needed is None or needed in impl.capabilities]
    metafunc.parametrize("impl", [pytest.param(impl, marks=impl.marks, id=impl.id) for impl in chosen])


def _known_break(impl: ModelImpl, fault: Fault) -> list[pytest.MarkDecorator]:
    reason = impl.breaks.get(fault)
    return [pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)] if reason else []


def scripted(test: Any) -> Any:
    test.requires = Capability.SCRIPTED
    return test


def faults(*chosen: Fault) -> Any:
    def mark(test: Any) -> Any:
        test.faults = list(chosen)
        return test

    return mark


def total(usages: list[Usage]) -> Usage:
    return sum(usages, Usage())


def assert_usage_adds_up(usage: Usage) -> None:
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


async def collect(model: Model, request: ModelRequest) -> list[StreamChunk]:
    return [chunk async for chunk in model.stream(request)]


# -- every implementation ----------------------------------------------------


async def test_is_a_model(impl: ModelImpl) -> None:
    async with impl.open(Script([REPLY])) as model:
        assert isinstance(model, Model)
        assert isinstance(model.name, str) and model.name


async def test_a_completion_has_text_and_usage_that_adds_up(impl: ModelImpl) -> None:
    script = Script([REPLY])
    async with impl.open(script) as model:
        completion = await model.complete(REQUEST)
    assert isinstance(completion, Completion)
    assert isinstance(completion.text, str) and completion.text.strip()
    assert completion.finish_reason and completion.model
    assert_usage_adds_up(completion.usage)
    if Capability.SCRIPTED in impl.capabilities:
        assert completion.text == REPLY
        assert completion.usage == total(script.served) and len(script.served) == 1
    if Capability.GENERATES in impl.capabilities:
        assert completion.usage.completion_tokens <= REQUEST.max_tokens


async def test_a_stream_joins_to_the_completion_and_ends_with_the_usage(impl: ModelImpl) -> None:
    script = Script([REPLY])
    async with impl.open(script) as model:
        completion = await model.complete(REQUEST)
        chunks = await collect(model, REQUEST)
    assert "".join(chunk.text for chunk in chunks) == completion.text
    assert len([chunk for chunk in chunks if chunk.text]) >= 1
    *pieces, last = chunks
    assert last.usage is not None and last.finish_reason, "the last chunk carries the usage and the finish reason"
    assert all(chunk.usage is None for chunk in pieces), "only the last chunk carries usage"
    assert_usage_adds_up(last.usage)
    assert last.usage == completion.usage, "a streamed answer is charged as the same answer completed"
    if Capability.SCRIPTED in impl.capabilities:
        assert len([chunk for chunk in chunks if chunk.text]) == len(REPLY.split(" "))
        assert last.usage == script.served[1]


async def test_a_stream_left_early_frees_the_model_for_the_next_call(impl: ModelImpl) -> None:
    script = Script([REPLY])
    async with impl.open(script) as model:
        stream = model.stream(REQUEST)
        first = await anext(aiter(stream))
        await stream.aclose()  # type: ignore[attr-defined]
        completion = await asyncio.wait_for(model.complete(REQUEST), timeout=120)
    assert first.text and completion.text.startswith(first.text)
    assert_usage_adds_up(completion.usage)


async def test_structured_output_is_parsed_and_valid_or_a_typed_error(impl: ModelImpl) -> None:
    script = Script([VALID])
    async with impl.open(script) as model:
        try:
            completion = await model.complete(STRUCTURED)
        except StructuredOutputError as error:  # allowed for a real model: it must say what it spent
            assert Capability.SCRIPTED not in impl.capabilities
            assert error.usage is not None
            assert_usage_adds_up(error.usage)
            return
    assert isinstance(completion.parsed, Measure)
    assert parse_structured(completion.text, Measure) == completion.parsed
    assert_usage_adds_up(completion.usage)
    if Capability.SCRIPTED in impl.capabilities:
        assert completion.parsed == Measure(answer=42, unit="km")
        assert completion.usage == total(script.served)


# -- scripted implementations ------------------------------------------------


@scripted
async def test_an_invalid_structured_answer_is_repaired_and_every_try_is_charged(impl: ModelImpl) -> None:
    script = Script(["Sure! The answer is 42 km.", VALID])
    async with impl.open(script) as model:
        completion = await model.complete(STRUCTURED)
    assert completion.parsed == Measure(answer=42, unit="km")
    assert len(script.served) == 2
    assert completion.usage == total(script.served)


@scripted
async def test_structured_output_that_never_validates_raises_the_typed_error_with_its_cost(impl: ModelImpl) -> None:
    script = Script(['{"answer": "forty-two"}'])
    async with impl.open(script) as model:
        with pytest.raises(StructuredOutputError) as raised:
            await model.complete(STRUCTURED)
    assert len(script.served) == 3, "one try and two repairs"
    assert raised.value.usage == total(script.served)
    assert raised.value.last_output == '{"answer": "forty-two"}'


# -- faults ------------------------------------------------------------------


async def test_a_fault_raises_junto_s_typed_error(impl: ModelImpl, fault: Fault) -> None:
    expected = EXPECTED[fault]
    for call in ("complete", "stream"):
        script = Script([fault])
        async with impl.open(script) as model:
            with pytest.raises(JuntoError) as raised:
                if call == "complete":
                    await model.complete(REQUEST)
                else:
                    await collect(model, REQUEST)
        error = raised.value
        assert type(error) is expected, f"{call}: {type(error).__name__} for {fault.value}, expected {expected.__name__}"
        assert not isinstance(error, httpx.HTTPError)
        assert isinstance(error, ModelError) and error.model, f"{call}: the error names no model"


@faults(Fault.SERVER_ERROR, Fault.TIMEOUT, Fault.UNREACHABLE)
async def test_a_passing_fault_is_retried_and_then_answered(impl: ModelImpl, fault: Fault) -> None:
    script = Script([fault, REPLY])
    async with impl.open(script) as model:
        completion = await model.complete(REQUEST)
        assert completion.text == REPLY and completion.usage == script.served[0]
        script.turns, script.calls = [fault, REPLY], 0
        chunks = await collect(model, REQUEST)
    assert "".join(chunk.text for chunk in chunks) == REPLY


@faults(Fault.BAD_REQUEST)
async def test_a_refused_request_is_not_retried(impl: ModelImpl, fault: Fault) -> None:
    """Every server would refuse it alike. (A refused key is another matter: another deployment may hold another key.)"""
    script = Script([fault, REPLY])
    async with impl.open(script) as model:
        with pytest.raises(ModelHTTPError) as raised:
            await model.complete(REQUEST)
    assert raised.value.status_code == 400
    assert script.calls == 1
