"""The sharded transport: least-busy placement, release on close (streamed or not, errors too)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from junto.models._http import HttpProvider
from junto.models._transport import ShardedTransport


class _Body(httpx.AsyncByteStream):
    """A body that arrives as a stream and must be closed, like a real connection's."""

    async def __aiter__(self):
        for chunk in (b"data: one\n\n", b"data: two\n\n"):
            yield chunk

    async def aclose(self) -> None:
        pass


def _pools(seen: list[int], gate: asyncio.Event | None = None):
    """Pool factories whose requests record which pool served them."""
    count = 0

    def make() -> httpx.AsyncBaseTransport:
        nonlocal count
        index = count
        count += 1

        async def handler(request: httpx.Request) -> httpx.Response:
            seen.append(index)
            if gate is not None:
                await gate.wait()
            if request.url.path == "/boom":
                raise httpx.ConnectError("refused", request=request)
            return httpx.Response(200, stream=_Body())

        return httpx.MockTransport(handler)

    return make


async def test_concurrent_requests_go_to_different_pools_and_are_released() -> None:
    seen: list[int] = []
    gate = asyncio.Event()
    transport = ShardedTransport(shards=4, make_pool=_pools(seen, gate))
    async with httpx.AsyncClient(transport=transport) as client:
        calls = [asyncio.create_task(client.get("http://x/a")) for _ in range(8)]
        while len(seen) < 8:
            await asyncio.sleep(0)
        assert sorted(seen) == [0, 0, 1, 1, 2, 2, 3, 3]  # two in flight on each pool, none piled on one
        assert transport.in_flight == [2, 2, 2, 2]
        gate.set()
        responses = await asyncio.gather(*calls)
    assert all(r.status_code == 200 and r.text.startswith("data: one") for r in responses)
    assert transport.in_flight == [0, 0, 0, 0]


async def test_a_streamed_response_counts_until_it_is_closed() -> None:
    transport = ShardedTransport(shards=2, make_pool=_pools([]))
    async with httpx.AsyncClient(transport=transport) as client:
        async with client.stream("GET", "http://x/s") as response:
            assert transport.in_flight == [1, 0]
            lines, during = [], []
            async for line in response.aiter_lines():
                lines.append(line)
                during.append(list(transport.in_flight))
            assert during[0] == [1, 0]  # counted while the answer streams
        assert transport.in_flight == [0, 0]
        assert "data: two" in lines
        with pytest.raises(httpx.ConnectError):
            await client.get("http://x/boom")
        assert transport.in_flight == [0, 0]  # a failed request does not hold its pool


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        ShardedTransport(shards=0)


def test_providers_use_it_unless_a_proxy_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(HttpProvider("http://127.0.0.1:1")._client_transport(), ShardedTransport)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    assert HttpProvider("http://127.0.0.1:1")._client_transport() is None
