"""Every implementation of :class:`junto.models.Model`, each driven by one :class:`Script`.

A script says what each call meets, in order: a reply, or a :class:`Fault`
(the last turn repeats). The OpenAI-compatible and Anthropic backends meet it
on the wire, through ``httpx.MockTransport`` answering in the shapes those
APIs send (SSE included), or through aiohttp from a server on 127.0.0.1; a
model with two deployments meets it on whichever deployment is called (so a
fault on one is met again on the other); ``FunctionModel`` meets it in its function, raising
the error a backend raises; the fallback model meets it in its second model
after its first has failed; the embedded model cannot be scripted and
generates. Every server-side answer counts a token per word and records the
usage it reported in ``Script.served``, so a test can compare what a caller
is charged with what the server said.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import socket
import struct
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from junto._exceptions import (
    ModelAuthError,
    ModelConnectionError,
    ModelError,
    ModelHTTPError,
    ModelRateLimitError,
    ModelResponseError,
    ModelTimeoutError,
)
from junto.models import (
    AnthropicBackend,
    AnthropicProvider,
    ChatModel,
    FallbackModel,
    FunctionModel,
    HealthPolicy,
    LocalBackend,
    Message,
    Model,
    ModelRequest,
    OpenAIBackend,
    OpenAIProvider,
    Replica,
    ReplicaBackend,
    RetryPolicy,
    Usage,
)

__all__ = ["EXPECTED", "IMPLEMENTATIONS", "Capability", "Fault", "ModelImpl", "Script"]


class Fault(enum.Enum):
    """What can go wrong in a call, as the server (or the network) makes it happen."""

    SERVER_ERROR = "HTTP 500"
    RATE_LIMITED = "HTTP 429 on every try"
    AUTH = "HTTP 401"
    BAD_REQUEST = "HTTP 400"
    TIMEOUT = "no answer before the timeout"
    UNREACHABLE = "the connection is refused"
    MALFORMED = "a 200 whose body is not the API's shape (a streamed event that is not JSON)"
    CUT = "the answer stops part-way (a stream after its first piece, before its end marker)"
    RESET = "the connection drops while the answer is read (a stream after its first piece)"


EXPECTED: dict[Fault, type[ModelError]] = {
    Fault.SERVER_ERROR: ModelHTTPError,
    Fault.RATE_LIMITED: ModelRateLimitError,
    Fault.AUTH: ModelAuthError,
    Fault.BAD_REQUEST: ModelHTTPError,
    Fault.TIMEOUT: ModelTimeoutError,
    Fault.UNREACHABLE: ModelConnectionError,
    Fault.MALFORMED: ModelResponseError,
    Fault.CUT: ModelResponseError,
    Fault.RESET: ModelConnectionError,
}
"""The junto error a caller meets for each fault, whichever implementation met it."""

_STATUS = {Fault.SERVER_ERROR: 500, Fault.RATE_LIMITED: 429, Fault.AUTH: 401, Fault.BAD_REQUEST: 400}


class Capability(enum.Enum):
    SCRIPTED = "replies and usage are the script's, so they are compared exactly"
    GENERATES = "a real model generates the answer (and honours max_tokens); it cannot be made to fail"


@dataclass
class Script:
    """The turns calls meet, in order; the last one repeats. ``served`` is the usage of every answer given."""

    turns: list[str | Fault]
    calls: int = 0
    served: list[Usage] = field(default_factory=list)

    def next(self) -> str | Fault:
        turn = self.turns[min(self.calls, len(self.turns) - 1)]
        self.calls += 1
        return turn

    def answer(self, reply: str, prompt: str) -> Usage:
        usage = Usage(prompt_tokens=len(prompt.split()), completion_tokens=len(reply.split()))
        self.served.append(usage)
        return usage


def _pieces(reply: str) -> list[str]:
    words = reply.split(" ")
    return [word if i == 0 else " " + word for i, word in enumerate(words)]


class _Stream(httpx.AsyncByteStream):
    """A response body sent in parts, optionally dropped (``httpx.ReadError``) after them."""

    def __init__(self, parts: list[bytes], *, drop: bool = False) -> None:
        self.parts, self.drop = parts, drop

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self.parts:
            yield part
        if self.drop:
            raise httpx.ReadError("connection reset by peer")


def _sse(data: Any, event: str | None = None) -> bytes:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {data if isinstance(data, str) else json.dumps(data)}\n\n".encode()


def _raise_transport_fault(fault: Fault, request: httpx.Request) -> None:
    if fault is Fault.TIMEOUT:
        raise httpx.ReadTimeout("timed out", request=request)
    if fault is Fault.UNREACHABLE:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)


def _error_response(fault: Fault, body: dict[str, Any]) -> httpx.Response:
    headers = {"retry-after": "0"} if fault is Fault.RATE_LIMITED else {}
    return httpx.Response(_STATUS[fault], json=body, headers=headers)


# -- OpenAI chat completions, as the API answers ----------------------------------


def _openai_handler(script: Script) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":  # the probe a deployment is watched with; not a call
            return httpx.Response(200, json={"object": "list", "data": [{"id": "gpt-test", "object": "model"}]})
        body = json.loads(request.content)
        turn = script.next()
        stream = bool(body.get("stream"))
        if isinstance(turn, Fault):
            return _openai_fault(turn, request, stream=stream)
        prompt = " ".join(m["content"] for m in body["messages"])
        usage = script.answer(turn, prompt)
        wire_usage = {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens, "total_tokens": usage.total_tokens}  # fmt: skip
        if not stream:
            return httpx.Response(
                200,
                json={
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "created": 1_700_000_000,
                    "model": body["model"],
                    "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": turn}, "logprobs": None, "finish_reason": "stop"}
                    ],
                    "usage": wire_usage,
                },
            )
        parts = [_sse(_openai_chunk({"role": "assistant", "content": ""}))]
        parts += [_sse(_openai_chunk({"content": piece})) for piece in _pieces(turn)]
        parts.append(_sse(_openai_chunk({}, finish_reason="stop")))
        parts.append(_sse({"id": "chatcmpl-1", "object": "chat.completion.chunk", "choices": [], "usage": wire_usage}))
        parts.append(_sse("[DONE]"))
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=_Stream(parts))

    return handle


def _openai_chunk(delta: dict[str, Any], *, finish_reason: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
    }


def _openai_fault(fault: Fault, request: httpx.Request, *, stream: bool) -> httpx.Response:
    _raise_transport_fault(fault, request)
    if fault in _STATUS:
        return _error_response(fault, {"error": {"message": fault.value, "type": "server_error", "param": None, "code": None}})
    first = _sse(_openai_chunk({"role": "assistant", "content": "Part"}))
    if fault is Fault.MALFORMED:
        if stream:
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=_Stream([_sse("{not json")]))
        return httpx.Response(200, json={"object": "chat.completion", "choices": []})
    if fault is Fault.CUT:
        if stream:
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=_Stream([first]))
        return httpx.Response(200, content=b'{"id": "chatcmpl-1", "choices": [{"index": 0, "message": {"role": "assist')
    assert fault is Fault.RESET
    return httpx.Response(200, stream=_Stream([first if stream else b'{"id": "chatcmpl-1", '], drop=True))


# -- Anthropic Messages, as the API answers -----------------------------------


def _anthropic_handler(script: Script) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        turn = script.next()
        stream = bool(body.get("stream"))
        if isinstance(turn, Fault):
            return _anthropic_fault(turn, request, stream=stream)
        prompt = " ".join([body.get("system", ""), *(m["content"] for m in body["messages"])])
        usage = script.answer(turn, prompt)
        if not stream:
            return httpx.Response(
                200,
                json={
                    "id": "msg_01",
                    "type": "message",
                    "role": "assistant",
                    "model": body["model"],
                    "content": [{"type": "text", "text": turn}],
                    "stop_reason": "end_turn",
                    "stop_sequence": None,
                    "usage": {"input_tokens": usage.prompt_tokens, "output_tokens": usage.completion_tokens},
                },
            )
        start = {
            "type": "message_start",
            "message": {
                "id": "msg_01",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": [],
                "stop_reason": None,
                "usage": {"input_tokens": usage.prompt_tokens, "output_tokens": 1},
            },
        }
        parts = [
            _sse(start, "message_start"),
            _sse(
                {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}, "content_block_start"
            ),
            _sse({"type": "ping"}, "ping"),
        ]
        parts += [_sse(_anthropic_delta(piece), "content_block_delta") for piece in _pieces(turn)]
        parts += [
            _sse({"type": "content_block_stop", "index": 0}, "content_block_stop"),
            _sse(
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": usage.completion_tokens},
                },
                "message_delta",
            ),
            _sse({"type": "message_stop"}, "message_stop"),
        ]
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=_Stream(parts))

    return handle


def _anthropic_delta(text: str) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}


def _anthropic_fault(fault: Fault, request: httpx.Request, *, stream: bool) -> httpx.Response:
    _raise_transport_fault(fault, request)
    if fault in _STATUS:
        kinds = {401: "authentication_error", 400: "invalid_request_error", 429: "rate_limit_error", 500: "api_error"}
        return _error_response(fault, {"type": "error", "error": {"type": kinds[_STATUS[fault]], "message": fault.value}})
    first = [
        _sse(
            {"type": "message_start", "message": {"id": "msg_01", "usage": {"input_tokens": 3, "output_tokens": 1}}},
            "message_start",
        ),  # fmt: skip
        _sse(_anthropic_delta("Part"), "content_block_delta"),
    ]
    if fault is Fault.MALFORMED:
        if stream:
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=_Stream([_sse("{not json", "message_start")]))  # fmt: skip
        return httpx.Response(200, json={"id": "msg_01", "type": "message"})
    if fault is Fault.CUT:
        if stream:
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=_Stream(first))
        return httpx.Response(200, content=b'{"id": "msg_01", "type": "message", "content": [{"type": "te')
    assert fault is Fault.RESET
    return httpx.Response(200, stream=_Stream(first if stream else [b'{"id": "msg_01", '], drop=True))


# -- the same answers over real sockets, for the transport junto uses in production --------


class WireServer:
    """Serves a ``MockTransport`` handler on 127.0.0.1 over real HTTP/1.1 (chunked bodies, one request per connection).

    A handler that raises ``httpx.ReadTimeout`` gets no answer at all; one
    whose body drops (``httpx.ReadError``) gets its connection aborted.
    """

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response], *, silence_s: float) -> None:
        self.handler = handler
        self.silence_s = silence_s
        self.url = ""
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> WireServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._answer(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        method, target, _ = head[0].split(" ", 2)
        headers = dict(line.split(": ", 1) for line in head[1:] if line)
        length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), "0"))
        request = httpx.Request(method, self.url + target, headers=headers, content=await reader.readexactly(length))
        try:
            response = self.handler(request)
        except httpx.TimeoutException:
            await asyncio.sleep(self.silence_s)
            return
        lines = [f"HTTP/1.1 {response.status_code} {response.reason_phrase}", "Transfer-Encoding: chunked", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in response.headers.items() if k.lower() not in ("content-length", "transfer-encoding")]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        try:
            async for part in response.stream:  # type: ignore[union-attr]
                writer.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                await writer.drain()
        except httpx.ReadError:  # a reset, not a close: the kernel sends RST when lingering is off
            writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return
        writer.write(b"0\r\n\r\n")
        await writer.drain()


# -- FunctionModel: the function raises what a backend raises ---------------------


def _function_reply(script: Script) -> Callable[[list[Message], ModelRequest], str]:
    def reply(messages: list[Message], request: ModelRequest) -> str:
        turn = script.next()
        if isinstance(turn, Fault):
            raise _function_error(turn)
        script.answer(turn, " ".join(m.content for m in messages))
        return turn

    return reply


def _function_error(fault: Fault) -> ModelError:
    if fault is Fault.AUTH:
        return ModelAuthError(fault.value, status_code=401)
    if fault in _STATUS:
        return ModelHTTPError(fault.value, status_code=_STATUS[fault], retry_after=0.0 if fault is Fault.RATE_LIMITED else None)
    if fault is Fault.TIMEOUT:
        return ModelTimeoutError(fault.value)
    if fault is Fault.UNREACHABLE:
        return ModelConnectionError(fault.value)
    return ModelResponseError(fault.value)


# -- the implementations ---------------------------------------------------------


async def _no_sleep(seconds: float) -> None:
    return None


_RETRY = RetryPolicy(max_attempts=2, initial_delay_s=0.0)
_OPTIONS: dict[str, Any] = {"retry": _RETRY, "sleep": _no_sleep, "timeout_s": 10.0}


def _openai(script: Script) -> ChatModel:
    provider = OpenAIProvider("http://127.0.0.1:9/v1", api_key="sk-test", transport=httpx.MockTransport(_openai_handler(script)))
    return ChatModel(OpenAIBackend(provider, model="gpt-test"), name="openai", **_OPTIONS)


def _anthropic(script: Script) -> ChatModel:
    provider = AnthropicProvider(
        "http://127.0.0.1:9", api_key="sk-ant-test", transport=httpx.MockTransport(_anthropic_handler(script))
    )
    return ChatModel(AnthropicBackend(provider, model="claude-test"), name="anthropic", **_OPTIONS)


def _function(script: Script) -> ChatModel:
    return FunctionModel(_function_reply(script), name="function", **_OPTIONS)


def _fallback(script: Script) -> FallbackModel:
    down = _openai(Script([Fault.SERVER_ERROR]))
    return FallbackModel([down, _anthropic(script)], name="fallback")


def _replicas(script: Script) -> ChatModel:
    """Two deployments of one model answering from one script: a fault on one is met again on the other."""
    deployments = [
        Replica(
            name,
            OpenAIBackend(
                OpenAIProvider(f"http://127.0.0.1:{port}/v1", transport=httpx.MockTransport(_openai_handler(script))),
                model="gpt-test",
            ),
        )  # fmt: skip
        for name, port in (("east", 9), ("west", 10))
    ]
    backend = ReplicaBackend(deployments, model_id="gpt-test", health=HealthPolicy(cooldown_s=0.0))
    return ChatModel(backend, name="replicas", **_OPTIONS)


def _local(script: Script) -> ChatModel:
    # One thread: the embedded model shares two cores with the rest of the suite.
    return ChatModel(LocalBackend(n_threads=1), name="local", timeout_s=300)


@contextlib.asynccontextmanager
async def _openai_http(script: Script) -> AsyncIterator[Model]:
    """The OpenAI-compatible backend over its production transport (aiohttp) to a server on 127.0.0.1."""
    async with WireServer(_openai_handler(script), silence_s=_HTTP_TIMEOUT_S * 3) as server:
        provider = OpenAIProvider(server.url + "/v1", api_key="sk-test")
        model = ChatModel(
            OpenAIBackend(provider, model="gpt-test"), name="openai-http", **{**_OPTIONS, "timeout_s": _HTTP_TIMEOUT_S}
        )
        try:
            yield model
        finally:
            await model.aclose()


_HTTP_TIMEOUT_S = 1.0


def _closing(build: Callable[[Script], Any]) -> Callable[[Script], contextlib.AbstractAsyncContextManager[Model]]:
    @contextlib.asynccontextmanager
    async def open_model(script: Script) -> AsyncIterator[Model]:
        model = build(script)
        try:
            yield model
        finally:
            await model.aclose()

    return open_model


_WIRE_FAULTS = frozenset(Fault)
_RAISED_FAULTS = frozenset(Fault) - {Fault.CUT, Fault.RESET}  # a function fails before its first piece, never mid-stream
# Over real sockets a refused connection cannot be scripted call by call (the server is up for the others).
_SOCKET_FAULTS = frozenset(Fault) - {Fault.UNREACHABLE}


@dataclass(frozen=True)
class ModelImpl:
    id: str
    open: Callable[[Script], contextlib.AbstractAsyncContextManager[Model]]
    capabilities: frozenset[Capability]
    faults: frozenset[Fault] = frozenset()
    marks: tuple[pytest.MarkDecorator, ...] = ()
    breaks: dict[Fault, str] = field(default_factory=dict)
    """Faults this implementation is known to answer with another error than the contract's, and why (strict xfails)."""


IMPLEMENTATIONS = [
    ModelImpl("openai", _closing(_openai), frozenset({Capability.SCRIPTED}), _WIRE_FAULTS),
    ModelImpl(
        "openai-http",
        _openai_http,
        frozenset({Capability.SCRIPTED}),
        _SOCKET_FAULTS,
        breaks={
            Fault.RESET: "aiohttp reports a reset mid-body as ClientPayloadError, which the transport maps to a protocol "
            "error (ModelResponseError, not retried); httpx's own transport raises ReadError (ModelConnectionError, retried)"
        },
    ),
    ModelImpl("anthropic", _closing(_anthropic), frozenset({Capability.SCRIPTED}), _WIRE_FAULTS),
    ModelImpl("replicas", _closing(_replicas), frozenset({Capability.SCRIPTED}), _WIRE_FAULTS),
    ModelImpl("function", _closing(_function), frozenset({Capability.SCRIPTED}), _RAISED_FAULTS),
    ModelImpl("fallback", _closing(_fallback), frozenset({Capability.SCRIPTED}), _WIRE_FAULTS),
    # No faults: nothing on the way can be made to fail. Not a fault but a lack, stated here: LocalBackend does not
    # enforce the call's timeout (llama.cpp's blocking call cannot be stopped), so it never raises ModelTimeoutError.
    ModelImpl("local", _closing(_local), frozenset({Capability.GENERATES}), marks=(pytest.mark.model,)),
]
