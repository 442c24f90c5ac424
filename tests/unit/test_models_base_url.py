"""Request URLs of a remote model: the endpoint goes onto the base URL's path, its query string is kept and sent.

Azure OpenAI's base URLs carry their API version as a query string
(``.../openai/deployments/d?api-version=2024-06-01``). A server on 127.0.0.1
records the request line each call sends, over both transports a provider
may use (aiohttp's, and httpx's own behind a proxy).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from junto.models import AnthropicBackend, AnthropicProvider, Message, ModelRequest, OpenAIBackend, OpenAIProvider
from junto.models._transport import AiohttpTransport

AZURE_PATH = "/openai/deployments/d"
AZURE_QUERY = "api-version=2024-06-01"


def _completion() -> bytes:
    return json.dumps(
        {
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1},
        }
    ).encode()


def _stream() -> bytes:
    events = [{"choices": [{"index": 0, "delta": {"content": "ok"}, "finish_reason": "stop"}]}, "[DONE]"]
    return "".join(f"data: {e if isinstance(e, str) else json.dumps(e)}\n\n" for e in events).encode()


def _message() -> bytes:
    return json.dumps(
        {"content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn", "usage": {"input_tokens": 1, "output_tokens": 1}}
    ).encode()


class _Recorder:
    """An HTTP/1.1 server that keeps the request line of every request and answers each with a canned body."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.url = ""

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                self.lines.append(head[0])
                headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in head[1:] if h)}
                body = json.loads(await reader.readexactly(int(headers.get("content-length", 0))) or b"{}")
                if body.get("stream"):
                    answer, kind = _stream(), "text/event-stream"
                elif "/messages" in head[0]:
                    answer, kind = _message(), "application/json"
                else:
                    answer, kind = _completion(), "application/json"
                writer.write(
                    f"HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {len(answer)}\r\n\r\n".encode() + answer
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def recorder() -> AsyncIterator[_Recorder]:
    state = _Recorder()
    server = await asyncio.start_server(state._serve, "127.0.0.1", 0)
    state.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    yield state
    server.close()
    await server.wait_closed()


TRANSPORTS: dict[str, Callable[[], httpx.AsyncBaseTransport]] = {
    "aiohttp": AiohttpTransport,
    "httpx": httpx.AsyncHTTPTransport,
}

# base URL after the server's address -> the request target of a chat completion
CASES = {
    f"{AZURE_PATH}?{AZURE_QUERY}": f"{AZURE_PATH}/chat/completions?{AZURE_QUERY}",
    f"{AZURE_PATH}/?{AZURE_QUERY}": f"{AZURE_PATH}/chat/completions?{AZURE_QUERY}",
    "/v1": "/v1/chat/completions",
    "/v1/": "/v1/chat/completions",
}


def _ask() -> ModelRequest:
    return ModelRequest(messages=[Message.user("hi")], max_tokens=5)


@pytest.mark.parametrize("transport", list(TRANSPORTS))
@pytest.mark.parametrize(("base", "target"), list(CASES.items()), ids=["query", "query-slash", "plain", "plain-slash"])
async def test_chat_completions_and_streams_go_to_the_path_with_the_query_kept(
    recorder: _Recorder, base: str, target: str, transport: str
) -> None:
    provider = OpenAIProvider(recorder.url + base, api_key="k", transport=TRANSPORTS[transport]())
    backend = OpenAIBackend(provider, model="gpt-4o")
    try:
        completion = await backend.send(_ask(), timeout=5)
        chunks = [chunk async for chunk in backend.send_stream(_ask(), timeout=5)]
        await backend.probe(timeout=5)
    finally:
        await backend.aclose()
    assert completion.text == "ok" and "".join(c.text for c in chunks) == "ok"
    probe = target.replace("/chat/completions", "/models")
    assert recorder.lines == [f"POST {target} HTTP/1.1", f"POST {target} HTTP/1.1", f"GET {probe} HTTP/1.1"]


async def test_anthropic_messages_keep_the_query_too(recorder: _Recorder) -> None:
    provider = AnthropicProvider(f"{recorder.url}/proxy/?{AZURE_QUERY}", api_key="k", transport=AiohttpTransport())
    backend = AnthropicBackend(provider, model="claude")
    try:
        completion = await backend.send(_ask(), timeout=5)
    finally:
        await backend.aclose()
    assert completion.text == "ok"
    assert recorder.lines == [f"POST /proxy/v1/messages?{AZURE_QUERY} HTTP/1.1"]


HOST = "https://x.openai.azure.com"


@pytest.mark.parametrize(
    ("base", "params", "url"),
    [
        (f"{AZURE_PATH}?api-version=1", None, f"{AZURE_PATH}/p?api-version=1"),
        (f"{AZURE_PATH}?api-version=1", {"a": "b"}, f"{AZURE_PATH}/p?api-version=1&a=b"),
        (f"{AZURE_PATH}?api-version=1", {"api-version": "2"}, f"{AZURE_PATH}/p?api-version=2"),  # the request's own wins
        ("/v1/", {"a": "b c"}, "/v1/p?a=b+c"),
        ("", None, "/p"),
    ],
)
def test_a_requests_own_params_merge_into_the_base_query(base: str, params: dict[str, str] | None, url: str) -> None:
    assert OpenAIProvider(HOST + base).url("/p", params) == HOST + url
