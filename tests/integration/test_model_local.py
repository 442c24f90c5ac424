"""The embedded model, in-process: completion, streaming, schema-constrained output."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from junto.models import ChatModel, Message, ModelRequest

pytestmark = pytest.mark.model


class Person(BaseModel):
    name: str
    age: int


async def test_complete_answers_with_usage(local_model: ChatModel) -> None:
    completion = await local_model.complete(ModelRequest(messages=[Message.user("Name a colour.")], max_tokens=16))
    assert completion.text.strip()
    assert completion.usage.prompt_tokens > 5 and 0 < completion.usage.completion_tokens <= 17
    assert completion.model == "local"


async def test_stream_matches_complete_at_temperature_zero(local_model: ChatModel) -> None:
    request = ModelRequest(messages=[Message.user("Say hello to Ada.")], max_tokens=24)
    chunks = [chunk async for chunk in local_model.stream(request)]
    completion = await local_model.complete(request)
    assert len(chunks) > 3
    assert "".join(c.text for c in chunks) == completion.text
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == completion.usage.completion_tokens


async def test_structured_output_is_schema_valid(local_model: ChatModel) -> None:
    request = ModelRequest(
        messages=[Message.user("Ada Lovelace was 36. Give her name and age as JSON.")],
        output_type=Person,
        max_tokens=64,
    )
    completion = await local_model.complete(request)
    assert isinstance(completion.parsed, Person)
    assert completion.parsed.name


async def test_bounds_in_the_schema_sent_hold_the_output(local_model: ChatModel) -> None:
    """A request's own schema (here a bound on a string's length) is the grammar the model decodes under."""
    schema = Person.model_json_schema()
    schema["properties"]["name"]["maxLength"] = 6
    request = ModelRequest(
        messages=[Message.user("Give the full name of Augusta Ada King, Countess of Lovelace, and her age (36) as JSON.")],
        output_type=Person,
        output_schema=schema,
        max_tokens=64,
    )
    completion = await local_model.complete(request)
    assert isinstance(completion.parsed, Person)
    assert 0 < len(completion.parsed.name) <= 6


async def test_abandoned_stream_frees_the_model(local_model: ChatModel) -> None:
    request = ModelRequest(messages=[Message.user("Count from one to one hundred.")], max_tokens=300)
    async for _ in local_model.stream(request):
        break
    completion = await local_model.complete(ModelRequest(messages=[Message.user("Hi")], max_tokens=4))
    assert completion.usage.completion_tokens >= 1
