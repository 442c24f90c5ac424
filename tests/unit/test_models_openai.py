"""The OpenAI-compatible backend on recorded wire shapes (httpx.MockTransport)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from pydantic import BaseModel

from junto import (
    ModelAuthError,
    ModelConnectionError,
    ModelHTTPError,
    ModelRateLimitError,
    ModelResponseError,
    ModelTimeoutError,
)
from junto.models import ChatModel, Message, ModelRequest, OpenAIBackend, OpenAIProvider, RetryPolicy
from junto.models._http import parse_retry_after

BASE = "http://127.0.0.1:8080/v1"


class Person(BaseModel):
    name: str
    age: int


def completion_body(text: str, *, prompt: int = 5, completion: int = 3) -> dict:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "qwen",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
    }


def sse(*events: dict | str) -> bytes:
    lines = [f"data: {e if isinstance(e, str) else json.dumps(e)}\n\n" for e in events]
    return "".join(lines).encode()


def delta(text: str | None = None, finish: str | None = None) -> dict:
    return {"choices": [{"index": 0, "delta": {"content": text} if text else {}, "finish_reason": finish}]}


class Sleeps(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make(handler, *, key_env: str | None = "TEST_OPENAI_KEY", attempts: int = 3, sleep=None) -> ChatModel:
    provider = OpenAIProvider(BASE, api_key_env=key_env, transport=httpx.MockTransport(handler))
    return ChatModel(
        OpenAIBackend(provider, model="qwen"),
        name="fast",
        retry=RetryPolicy(max_attempts=attempts, initial_delay_s=0.01),
        sleep=sleep if sleep is not None else Sleeps(),
    )


def ask(text: str = "hi", **options) -> ModelRequest:
    return ModelRequest(messages=[Message.system("be brief"), Message.user(text)], **options)


async def test_complete_sends_the_wire_format_and_reads_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_OPENAI_KEY", "sk-test")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=completion_body("hello there"))

    completion = await make(handler).complete(ask(stop=["\n\n"], seed=7, max_tokens=50))

    assert completion.text == "hello there"
    assert completion.usage.prompt_tokens == 5 and completion.usage.completion_tokens == 3
    assert completion.model == "fast"
    (request,) = seen
    assert str(request.url) == f"{BASE}/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test"
    body = json.loads(request.content)
    assert body["model"] == "qwen"
    assert body["messages"] == [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    assert body["stop"] == ["\n\n"] and body["seed"] == 7 and body["max_tokens"] == 50
    assert "response_format" not in body


async def test_no_key_sends_no_authorization_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=completion_body("ok"))

    await make(handler, key_env=None).complete(ask())
    assert "authorization" not in seen[0].headers


async def test_stream_yields_text_then_finish_and_usage() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
        return httpx.Response(
            200,
            headers={"content-type": "text/event-stream"},
            content=sse(
                delta("Hel"),
                delta("lo"),
                delta(finish="stop"),
                {"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 2}},
                "[DONE]",
            ),
        )

    chunks = [chunk async for chunk in make(handler).stream(ask())]
    assert "".join(c.text for c in chunks) == "Hello"
    assert chunks[-1].finish_reason == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 2
    assert all(c.model == "fast" for c in chunks)


async def test_truncated_stream_is_a_response_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=sse(delta("Hel"), delta("lo")))

    with pytest.raises(ModelResponseError, match=r"\[DONE\]"):
        [chunk async for chunk in make(handler).stream(ask())]


async def test_structured_output_uses_json_schema() -> None:
    seen: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=completion_body('{"name": "Ada", "age": 36}'))

    completion = await make(handler).complete(ask(output_type=Person))

    assert completion.parsed == Person(name="Ada", age=36)
    response_format = seen[0]["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "Person"
    assert response_format["json_schema"]["schema"] == Person.model_json_schema()
    assert response_format["json_schema"]["strict"] is False  # pydantic's default schema is not closed


async def test_a_requests_own_schema_is_sent_and_the_reply_still_parsed_by_its_type() -> None:
    seen: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=completion_body('{"name": "Augusta", "age": 36}'))

    bounded = Person.model_json_schema()
    bounded["properties"]["name"]["maxLength"] = 4
    request = ask(output_type=Person, output_schema=bounded)
    completion = await make(handler).complete(request)

    assert seen[0]["response_format"]["json_schema"]["schema"] == bounded
    assert completion.parsed == Person(name="Augusta", age=36)  # the bound shapes decoding; parsing does not enforce it
    sent = request.json_schema()
    assert sent is not None
    sent["properties"]["name"]["maxLength"] = 99
    assert request.json_schema() == bounded  # each call gives a copy


async def test_server_refusing_json_schema_gets_json_object_from_then_on() -> None:
    formats: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        response_format = json.loads(request.content)["response_format"]
        formats.append(response_format["type"])
        if response_format["type"] == "json_schema":
            detail = [{"loc": ["body", "response_format", "type"], "msg": "Input should be 'text' or 'json_object'"}]
            return httpx.Response(422, json={"detail": detail})
        assert response_format["schema"] == Person.model_json_schema()
        return httpx.Response(200, json=completion_body('{"name": "Ada", "age": 36}'))

    model = make(handler)
    first = await model.complete(ask(output_type=Person))
    second = await model.complete(ask(output_type=Person))

    assert first.parsed == second.parsed == Person(name="Ada", age=36)
    assert formats == ["json_schema", "json_object", "json_object"]


async def test_an_unrelated_422_is_not_taken_for_a_json_schema_refusal() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={"detail": [{"loc": ["body", "messages"], "msg": "bad"}]})

    with pytest.raises(ModelHTTPError) as caught:
        await make(handler).complete(ask(output_type=Person))
    assert caught.value.status_code == 422


async def test_structured_repair_loop_then_success() -> None:
    replies = iter(["not json at all", '{"name": "Ada"}', '{"name": "Ada", "age": 36}'])
    prompts: list[list[dict]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        prompts.append(json.loads(request.content)["messages"])
        return httpx.Response(200, json=completion_body(next(replies)))

    completion = await make(handler).complete(ask(output_type=Person))

    assert completion.parsed.age == 36
    assert completion.usage.completion_tokens == 9  # three calls of three tokens
    assert "age" in prompts[2][-1]["content"]  # the validation error went back to the model


async def test_rate_limit_honours_retry_after_seconds_then_succeeds() -> None:
    sleeps = Sleeps()
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "7"}, json={"error": {"message": "slow down"}}),
            httpx.Response(200, json=completion_body("ok")),
        ]
    )
    completion = await make(lambda request: next(answers), sleep=sleeps).complete(ask())
    assert completion.text == "ok" and completion.attempts == 2
    assert sleeps == [7.0]


async def test_rate_limit_through_every_retry_becomes_rate_limit_error() -> None:
    sleeps = Sleeps()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "1"})

    with pytest.raises(ModelRateLimitError) as caught:
        await make(handler, attempts=3, sleep=sleeps).complete(ask())
    assert caught.value.retry_after == 1.0
    assert sleeps == [1.0, 1.0]


def test_retry_after_as_http_date() -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(header, now=now.timestamp()) == pytest.approx(30.0)
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after("garbage") is None
    assert parse_retry_after(None) is None


async def test_server_error_then_success() -> None:
    sleeps = Sleeps()
    answers = iter([httpx.Response(500, text="boom"), httpx.Response(200, json=completion_body("ok"))])
    completion = await make(lambda request: next(answers), sleep=sleeps).complete(ask())
    assert completion.text == "ok" and completion.attempts == 2
    assert len(sleeps) == 1 and 0 < sleeps[0] < 1


async def test_timeout_is_a_timeout_error_after_retries() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ReadTimeout("too slow", request=request)

    with pytest.raises(ModelTimeoutError):
        await make(handler, attempts=2).complete(ask())
    assert len(calls) == 2


async def test_connect_error_names_the_url() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ModelConnectionError, match="127.0.0.1:8080"):
        await make(handler, attempts=1).complete(ask())


async def test_unauthorised_names_the_key_variable_and_is_not_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(401, json={"error": {"message": "Incorrect API key"}})

    with pytest.raises(ModelAuthError) as caught:
        await make(handler).complete(ask())
    assert "TEST_OPENAI_KEY" in str(caught.value)
    assert caught.value.status_code == 401
    assert len(calls) == 1


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>oops</html>"),
        httpx.Response(200, json={"choices": []}),
        httpx.Response(200, json={"choices": [{"message": {"role": "assistant"}}]}),
        httpx.Response(200, json=[1, 2]),
    ],
    ids=["not-json", "no-choices", "no-content", "not-an-object"],
)
async def test_malformed_answers_are_response_errors(response: httpx.Response) -> None:
    with pytest.raises(ModelResponseError):
        await make(lambda request: response).complete(ask())


async def test_stream_error_status_is_translated() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"message": "no"}})

    with pytest.raises(ModelAuthError):
        [chunk async for chunk in make(handler).stream(ask())]


async def test_llama_cpp_server_500_refusal_also_falls_back() -> None:
    """llama-cpp-python's server answers a validation error with 500 and the pydantic error as text."""
    refusal = {
        "error": {"message": "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type')}"}
    }
    answers = iter([httpx.Response(500, json=refusal), httpx.Response(200, json=completion_body('{"name": "Ada", "age": 36}'))])
    sleeps = Sleeps()
    completion = await make(lambda request: next(answers), sleep=sleeps).complete(ask(output_type=Person))
    assert completion.parsed == Person(name="Ada", age=36)
    assert sleeps == []  # switched format at once, no retry wait
