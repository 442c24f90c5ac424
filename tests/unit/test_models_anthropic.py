"""The Anthropic Messages backend on recorded wire shapes (httpx.MockTransport)."""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import BaseModel

from junto import ModelAuthError, ModelHTTPError, ModelResponseError, ModelTimeoutError
from junto.models import AnthropicBackend, AnthropicProvider, ChatModel, Message, ModelRequest, RetryPolicy

BASE = "http://127.0.0.1:8081"


class Verdict(BaseModel):
    ok: bool
    reason: str


def message_body(text: str) -> dict:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 12, "output_tokens": 4},
    }


def events(*items: tuple[str, dict]) -> bytes:
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in items).encode()


START = (
    "message_start",
    {"type": "message_start", "message": {"id": "msg_1", "usage": {"input_tokens": 12, "output_tokens": 1}}},
)
BLOCK = ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})


def text_delta(text: str) -> tuple[str, dict]:
    return ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}})


END = [
    ("content_block_stop", {"type": "content_block_stop", "index": 0}),
    ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 5}}),
    ("message_stop", {"type": "message_stop"}),
]


class Sleeps(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make(handler, *, sleep: Sleeps | None = None, attempts: int = 3) -> ChatModel:
    provider = AnthropicProvider(
        BASE, api_key="sk-ant-test", api_key_env="ANTHROPIC_API_KEY", transport=httpx.MockTransport(handler)
    )
    return ChatModel(
        AnthropicBackend(provider, model="claude-test"),
        name="strong",
        retry=RetryPolicy(max_attempts=attempts, initial_delay_s=0.01),
        sleep=sleep if sleep is not None else Sleeps(),
    )


def ask(**options) -> ModelRequest:
    return ModelRequest(messages=[Message.system("You judge."), Message.user("Is 2+2=4?")], **options)


async def test_complete_puts_system_apart_and_sends_the_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=message_body("Yes."))

    completion = await make(handler).complete(ask(stop=["END"]))

    assert completion.text == "Yes."
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (12, 4)
    assert completion.finish_reason == "end_turn"
    (request,) = seen
    assert str(request.url) == f"{BASE}/v1/messages"
    assert request.headers["x-api-key"] == "sk-ant-test"
    assert request.headers["anthropic-version"] == "2023-06-01"
    body = json.loads(request.content)
    assert body["system"] == "You judge."
    assert body["messages"] == [{"role": "user", "content": "Is 2+2=4?"}]
    assert body["stop_sequences"] == ["END"]


async def test_stream_reads_text_deltas_and_usage() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert json.loads(request.content)["stream"] is True
        return httpx.Response(
            200, content=events(START, BLOCK, ("ping", {"type": "ping"}), text_delta("Ye"), text_delta("s."), *END)
        )

    chunks = [chunk async for chunk in make(handler).stream(ask())]
    assert "".join(c.text for c in chunks) == "Yes."
    assert chunks[-1].finish_reason == "end_turn"
    assert chunks[-1].usage is not None
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == (12, 5)


async def test_stream_without_message_stop_is_truncated() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=events(START, BLOCK, text_delta("Ye")))

    with pytest.raises(ModelResponseError, match="message_stop"):
        [chunk async for chunk in make(handler).stream(ask())]


async def test_overloaded_error_event_is_retried_before_the_first_chunk() -> None:
    sleeps = Sleeps()
    answers = iter(
        [
            httpx.Response(
                200,
                content=events(
                    START, ("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
                ),
            ),
            httpx.Response(200, content=events(START, BLOCK, text_delta("Yes."), *END)),
        ]
    )
    chunks = [chunk async for chunk in make(lambda request: next(answers), sleep=sleeps).stream(ask())]
    assert "".join(c.text for c in chunks) == "Yes."
    assert len(sleeps) == 1


async def test_structured_output_puts_the_schema_in_the_system_prompt() -> None:
    seen: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=message_body('```json\n{"ok": true, "reason": "arithmetic"}\n```'))

    completion = await make(handler).complete(ask(output_type=Verdict))

    assert completion.parsed == Verdict(ok=True, reason="arithmetic")
    assert seen[0]["system"].startswith("You judge.")
    assert json.dumps(Verdict.model_json_schema()) in seen[0]["system"]


async def test_rate_limit_with_retry_after_then_success() -> None:
    sleeps = Sleeps()
    answers = iter(
        [
            httpx.Response(429, headers={"retry-after": "3"}, json={"type": "error", "error": {"type": "rate_limit_error"}}),
            httpx.Response(200, json=message_body("Yes.")),
        ]
    )
    completion = await make(lambda request: next(answers), sleep=sleeps).complete(ask())
    assert completion.text == "Yes."
    assert sleeps == [3.0]


async def test_server_error_then_success() -> None:
    answers = iter([httpx.Response(529, json={"type": "error"}), httpx.Response(200, json=message_body("Yes."))])
    completion = await make(lambda request: next(answers)).complete(ask())
    assert completion.attempts == 2


async def test_forbidden_names_the_key_variable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"type": "error", "error": {"type": "permission_error"}})

    with pytest.raises(ModelAuthError, match="ANTHROPIC_API_KEY"):
        await make(handler).complete(ask())


async def test_bad_request_is_not_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(400, json={"type": "error", "error": {"type": "invalid_request_error"}})

    with pytest.raises(ModelHTTPError) as caught:
        await make(handler).complete(ask())
    assert caught.value.status_code == 400 and len(calls) == 1


async def test_timeout() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("slow", request=request)

    with pytest.raises(ModelTimeoutError):
        await make(handler, attempts=1).complete(ask())


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="{not json"),
        httpx.Response(200, json={"type": "message"}),
        httpx.Response(200, json={"content": "text"}),
    ],
    ids=["not-json", "no-content", "content-not-a-list"],
)
async def test_malformed_answers(response: httpx.Response) -> None:
    with pytest.raises(ModelResponseError):
        await make(lambda request: response).complete(ask())
