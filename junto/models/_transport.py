"""The HTTP transport under every remote backend: httpx's interface, aiohttp's connections.

Every backend speaks ``httpx`` (requests, responses, errors, ``MockTransport``
in tests). What moves the bytes is :class:`AiohttpTransport`: httpx's own
transport (httpcore over anyio, with a pure-Python HTTP parser) spends about
1 ms of CPU per request on 2 cores, and a graph whose 16 independent tasks
call one provider at once pays that 16 times over before the last answer is
read. aiohttp's pooled connections and C parser do the same work in about a
third of that (``benchmarks/orchestration.py`` measures both).

httpx keeps everything above the wire: headers, cookies, redirects, content
decoding, timeouts per request. The transport only sends what it is given and
hands back the raw status, headers and body, with aiohttp's errors turned into
httpx's so that :meth:`HttpProvider.translate` sees one kind of error.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import aiohttp
import httpx
from yarl import URL

__all__ = ["AiohttpTransport"]

# aiohttp error -> httpx error; the first match wins, so subclasses come first.
_ERRORS: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
    (asyncio.TimeoutError, httpx.ReadTimeout),
    (aiohttp.ClientConnectorError, httpx.ConnectError),
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),  # a malformed status line or header
    (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
    (aiohttp.ClientError, httpx.ReadError),
    (OSError, httpx.ReadError),
)


@contextlib.contextmanager
def _as_httpx(request: httpx.Request) -> Iterator[None]:
    try:
        yield
    except httpx.HTTPError:
        raise
    except Exception as error:
        for source, target in _ERRORS:
            if isinstance(error, source):
                raise target(f"{type(error).__name__}: {error}", request=request) from error
        raise


def _timeout(request: httpx.Request) -> aiohttp.ClientTimeout:
    """httpx's per-request timeouts in aiohttp's terms (``None`` is no limit)."""
    limits = request.extensions.get("timeout", {})
    connect, pool = limits.get("connect"), limits.get("pool")
    waiting = None if connect is None or pool is None else connect + pool
    return aiohttp.ClientTimeout(total=None, connect=waiting, sock_connect=connect, sock_read=limits.get("read"))


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An ``httpx`` transport that sends requests over an aiohttp connection pool.

    The pool is made on the first request, in the running event loop, and
    closed by :meth:`aclose` (``httpx.AsyncClient.aclose`` calls it). Plain
    HTTP and HTTPS, with httpx's certificate defaults; no proxy support (the
    provider uses httpx's own transport when the environment sets a proxy).
    """

    def __init__(self, *, max_connections: int = 100) -> None:
        self.max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _pool(self) -> aiohttp.ClientSession:
        session, loop = self._session, asyncio.get_running_loop()
        if session is None or session.closed or self._loop is not loop:
            connector = aiohttp.TCPConnector(limit=self.max_connections, ssl=httpx.create_ssl_context())
            session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),  # httpx keeps the cookies
                auto_decompress=False,  # httpx decodes the body by its Content-Encoding
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
                trust_env=False,
            )
            self._session, self._loop = session, loop
        return session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {request.url.scheme!r}", request=request)
        try:
            body: bytes | AsyncIterator[bytes] | None = request.content or None
        except httpx.RequestNotRead:
            body = _chunks(request.stream)  # type: ignore[arg-type]
        with _as_httpx(request):
            response = await self._pool().request(
                request.method,
                URL(str(request.url), encoded=True),
                headers=request.headers.multi_items(),
                data=body,
                allow_redirects=False,
                timeout=_timeout(request),
            )
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            stream=_Body(response, request),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": (response.reason or "").encode()},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


async def _chunks(stream: httpx.AsyncByteStream) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield chunk


class _Body(httpx.AsyncByteStream):
    """A response body read from aiohttp as it arrives; closing it gives the connection back."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx(self._request):
            async for chunk in self._response.content.iter_any():
                yield chunk

    async def aclose(self) -> None:
        self._response.release()  # back to the pool when read to the end, else the connection is closed
