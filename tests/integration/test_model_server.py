"""The OpenAI-compatible backend against a real llama.cpp server on 127.0.0.1."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from junto import ModelConnectionError
from junto.models import ChatModel, Message, ModelRequest, OpenAIBackend, OpenAIProvider, RetryPolicy

pytestmark = pytest.mark.model


class Person(BaseModel):
    name: str
    age: int


@pytest.fixture
async def server_model(llama_server: str):
    model = ChatModel(OpenAIBackend(OpenAIProvider(llama_server), model="smollm2"), name="server", timeout_s=120)
    yield model
    await model.aclose()


async def test_complete(server_model: ChatModel) -> None:
    completion = await server_model.complete(ModelRequest(messages=[Message.user("Name a colour.")], max_tokens=16))
    assert completion.text.strip()
    assert completion.usage.prompt_tokens > 5 and completion.usage.completion_tokens > 0


async def test_stream(server_model: ChatModel) -> None:
    request = ModelRequest(messages=[Message.user("Say hello to Ada.")], max_tokens=24)
    chunks = [chunk async for chunk in server_model.stream(request)]
    assert len(chunks) > 3
    assert "".join(c.text for c in chunks).strip()
    assert chunks[-1].finish_reason in ("stop", "length")


async def test_structured_output_is_schema_valid(server_model: ChatModel) -> None:
    request = ModelRequest(
        messages=[Message.user("Ada Lovelace was 36. Give her name and age as JSON.")], output_type=Person, max_tokens=64
    )
    completion = await server_model.complete(request)
    assert isinstance(completion.parsed, Person)
    # llama-cpp-python's server refuses json_schema; the backend switched to json_object + schema.
    assert server_model.backend.json_schema_supported is False


async def test_probe_and_unreachable_port(server_model: ChatModel, llama_server: str) -> None:
    await server_model.backend.probe(timeout=5)
    dead = ChatModel(OpenAIBackend(OpenAIProvider("http://127.0.0.1:9/v1"), model="x"), retry=RetryPolicy(max_attempts=1))
    with pytest.raises(ModelConnectionError, match="127.0.0.1:9"):
        await dead.complete(ModelRequest(messages=[Message.user("hi")], max_tokens=4))
