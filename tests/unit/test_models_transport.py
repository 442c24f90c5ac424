"""The aiohttp transport under httpx, against a real HTTP server on 127.0.0.1.

The server is a few lines of asyncio that answer with raw bytes, so each test
says exactly what goes over the wire: keep-alive, chunked streams, gzip,
a connection dropped mid-body, an answer that never comes.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from junto._exceptions import ModelConnectionError, ModelResponseError, ModelTimeoutError
from junto.models._http import HttpProvider
from junto.models._transport import AiohttpTransport

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, dict], Awaitable[None]]


async def _read_request(reader: asyncio.StreamReader) -> dict:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if line)}
    body = await reader.readexactly(int(headers.get("content-length", 0)))
    return {"method": method, "target": target, "headers": headers, "body": body}


class _Server:
    """Serves ``handler`` for every request; counts connections and keeps the requests seen."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.requests: list[dict] = []
        self.url = ""

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                request = await _read_request(reader)
                self.requests.append(request)
                await self.handler(reader, writer, request)
                if writer.is_closing():
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[_Server]]]:
    servers: list[asyncio.Server] = []

    async def start(handler: Handler) -> _Server:
        state = _Server(handler)
        server = await asyncio.start_server(state._serve, "127.0.0.1", 0)
        servers.append(server)
        state.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        return state

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


def _answer(body: bytes, *extra: str, status: str = "200 OK") -> bytes:
    head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _echo(reader, writer, request) -> None:
    writer.write(_answer(json.dumps({"got": json.loads(request["body"] or b"null")}).encode(), "Content-Type: application/json"))
    await writer.drain()


async def test_posts_json_and_reuses_one_connection(serve) -> None:
    server = await serve(_echo)
    async with httpx.AsyncClient(transport=AiohttpTransport()) as client:
        for n in range(3):
            response = await client.post(f"{server.url}/v1/x?q=1", json={"n": n}, headers={"Authorization": "Bearer k"})
            assert response.status_code == 200
            assert response.json() == {"got": {"n": n}}
            assert response.headers["content-type"] == "application/json"
    assert server.connections == 1
    first = server.requests[0]
    assert (first["method"], first["target"]) == ("POST", "/v1/x?q=1")
    assert first["headers"]["authorization"] == "Bearer k"
    assert first["headers"]["content-type"] == "application/json"
    assert first["headers"]["user-agent"].startswith("python-httpx/")  # httpx's headers, not aiohttp's


async def test_a_status_and_reason_come_through(serve) -> None:
    async def teapot(reader, writer, request) -> None:
        writer.write(_answer(b"no", status="418 I'm a teapot"))

    server = await serve(teapot)
    async with httpx.AsyncClient(transport=AiohttpTransport()) as client:
        response = await client.get(server.url)
    assert (response.status_code, response.reason_phrase, response.text) == (418, "I'm a teapot", "no")


async def test_a_chunked_stream_arrives_as_it_is_sent(serve) -> None:
    second = asyncio.Event()

    async def stream(reader, writer, request) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
        for part in (b"data: one\n\n", b"data: two\n\n"):
            writer.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            await writer.drain()
            await second.wait()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    server = await serve(stream)
    provider = HttpProvider(server.url, transport=AiohttpTransport())
    seen = []
    async with provider.stream_sse("/s", {}, timeout=5) as events:
        async for event in events:
            seen.append(event.data)
            second.set()  # the server sends the second event only after the first was read
    await provider.aclose()
    assert seen == ["one", "two"]


async def test_a_gzip_body_is_decoded_once(serve) -> None:
    async def zipped(reader, writer, request) -> None:
        writer.write(_answer(gzip.compress(b'{"ok": true}'), "Content-Encoding: gzip", "Content-Type: application/json"))

    server = await serve(zipped)
    async with httpx.AsyncClient(transport=AiohttpTransport()) as client:
        response = await client.get(server.url)
    assert response.json() == {"ok": True}
    assert "gzip" in server.requests[0]["headers"]["accept-encoding"]


async def test_a_body_left_unread_does_not_spoil_the_next_request(serve) -> None:
    async def big(reader, writer, request) -> None:
        writer.write(_answer(b"x" * 200_000 if request["target"] == "/big" else b"small"))
        await writer.drain()

    server = await serve(big)
    async with httpx.AsyncClient(transport=AiohttpTransport()) as client:
        async with client.stream("GET", f"{server.url}/big") as response:
            async for _ in response.aiter_bytes():
                break  # read a little and walk away
        assert (await client.get(f"{server.url}/small")).text == "small"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_an_unreachable_server_is_a_connection_error() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    async with httpx.AsyncClient(transport=AiohttpTransport()) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(url)
    provider = HttpProvider(url, transport=AiohttpTransport())
    with pytest.raises(ModelConnectionError, match="could not connect"):
        await provider.post_json("/v1/chat/completions", {}, timeout=5)
    await provider.aclose()


async def test_an_answer_that_never_comes_is_a_read_timeout(serve) -> None:
    async def silent(reader, writer, request) -> None:
        await asyncio.sleep(10)

    server = await serve(silent)
    provider = HttpProvider(server.url, transport=AiohttpTransport())
    with pytest.raises(ModelTimeoutError):
        await provider.post_json("/v1/chat/completions", {}, timeout=0.3)
    await provider.aclose()
    async with httpx.AsyncClient(transport=AiohttpTransport()) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get(server.url, timeout=0.3)


@pytest.mark.parametrize(
    "wire",
    [
        b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"partial',
        b"",  # closed before any answer
        b"NOT HTTP AT ALL\r\n\r\n",
    ],
    ids=["cut-mid-body", "closed-at-once", "garbage"],
)
async def test_a_broken_answer_is_a_protocol_error(serve, wire: bytes) -> None:
    async def broken(reader, writer, request) -> None:
        writer.write(wire)
        await writer.drain()
        writer.close()

    server = await serve(broken)
    async with httpx.AsyncClient(transport=AiohttpTransport()) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get(server.url)
    provider = HttpProvider(server.url, transport=AiohttpTransport())
    with pytest.raises(ModelResponseError, match="closed the connection"):
        await provider.post_json("/x", {}, timeout=5)
    await provider.aclose()


async def test_only_http_urls_are_sent() -> None:
    async with httpx.AsyncClient(transport=AiohttpTransport()) as client:
        with pytest.raises(httpx.UnsupportedProtocol):
            await client.get("ftp://127.0.0.1/x")


def test_a_closed_transport_serves_again_in_a_new_event_loop() -> None:
    transport = AiohttpTransport()

    async def once(n: int) -> dict:
        server = await asyncio.start_server(_Server(_echo)._serve, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        try:
            async with httpx.AsyncClient(transport=transport) as client:  # closing the client closes the pool
                return (await client.post(url, json={"loop": n})).json()
        finally:
            server.close()
            await server.wait_closed()

    assert asyncio.run(once(0)) == {"got": {"loop": 0}}
    assert asyncio.run(once(1)) == {"got": {"loop": 1}}


def test_a_proxy_in_the_environment_gets_httpx_own_transport(monkeypatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    provider = HttpProvider("http://127.0.0.1:1")
    assert isinstance(provider._client_transport(), AiohttpTransport)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    assert provider._client_transport() is None  # httpx's default transport, which honours the proxy
