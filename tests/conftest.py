"""Shared test set-up.

Tests are offline by default: no API key of a paid provider is visible, and
an HTTP request to anything but a loopback address fails the test.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import httpx
import pytest

from junto.models._transport import AiohttpTransport

pytest_plugins = ["tests.fixtures.models", "tests.fixtures.sandbox"]

_PAID_KEYS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENROUTER_API_KEY", "TOGETHER_API_KEY", "GROQ_API_KEY")


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "testserver"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in _PAID_KEYS:
        monkeypatch.delenv(key, raising=False)
    # Both transports a provider may use: httpx's own (behind a proxy) and aiohttp's (everywhere else).
    for transport in (httpx.AsyncHTTPTransport, AiohttpTransport):
        monkeypatch.setattr(transport, "handle_async_request", _guarded(transport.handle_async_request))


def _guarded(real: Any) -> Any:
    async def guarded(self: httpx.AsyncBaseTransport, request: httpx.Request) -> httpx.Response:
        if not _is_loopback(request.url.host):
            raise AssertionError(f"test tried to reach {request.url.host}: tests are offline")
        return await real(self, request)

    return guarded
