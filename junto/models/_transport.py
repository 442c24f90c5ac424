"""The HTTP transport under every remote backend: a few small connection pools instead of one big one.

httpx's pool (httpcore) walks every pooled connection for every request it
places, probing each socket as it goes, so the cost of one request grows with
the number of requests in flight: 16 concurrent calls to one server cost
about 60 ms of client CPU on 2 cores, against about 20 ms when the same calls
are spread over pools of a few connections each (see
``benchmarks/orchestration.py``). A graph whose independent tasks call one
provider at once pays that on every wave, so :class:`ShardedTransport` sends
each request to the least busy of ``shards`` pools. A pool counts as busy
with a request until its response is closed, so streamed answers are counted
for as long as they stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx

__all__ = ["ShardedTransport"]


def _pool(max_connections: int) -> httpx.AsyncBaseTransport:
    return httpx.AsyncHTTPTransport(
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    )


class ShardedTransport(httpx.AsyncBaseTransport):
    """Requests spread over ``shards`` connection pools, each request to the least busy one.

    ``make_pool`` builds one pool (default: ``httpx.AsyncHTTPTransport`` with
    at most ``connections_per_shard`` connections); tests pass their own.
    """

    def __init__(
        self,
        *,
        shards: int = 8,
        connections_per_shard: int = 16,
        make_pool: Callable[[], httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        if shards < 1 or connections_per_shard < 1:
            raise ValueError("shards and connections_per_shard must be >= 1")
        build = make_pool or (lambda: _pool(connections_per_shard))
        self.pools = [build() for _ in range(shards)]
        self.in_flight = [0] * shards

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        shard = min(range(len(self.pools)), key=self.in_flight.__getitem__)
        self.in_flight[shard] += 1
        try:
            response = await self.pools[shard].handle_async_request(request)
        except BaseException:
            self.in_flight[shard] -= 1
            raise
        response.stream = _Counted(response.stream, lambda: self._release(shard))  # type: ignore[arg-type]
        return response

    def _release(self, shard: int) -> None:
        self.in_flight[shard] -= 1

    async def aclose(self) -> None:
        for pool in self.pools:
            await pool.aclose()


class _Counted(httpx.AsyncByteStream):
    """A response body that reports, once, when it is closed."""

    def __init__(self, stream: httpx.AsyncByteStream, on_close: Callable[[], None]) -> None:
        self._stream = stream
        self._on_close: Callable[[], None] | None = on_close

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._on_close is not None:
                self._on_close, on_close = None, self._on_close
                on_close()
