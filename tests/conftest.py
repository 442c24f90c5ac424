"""Shared test set-up.

Tests are offline by default: no API key of a paid provider is visible, and
an HTTP request to anything but a loopback address fails the test.
"""

from __future__ import annotations

import ipaddress

import httpx
import pytest

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
    real = httpx.AsyncHTTPTransport.handle_async_request

    async def guarded(self, request: httpx.Request) -> httpx.Response:
        if not _is_loopback(request.url.host):
            raise AssertionError(f"test tried to reach {request.url.host}: tests are offline")
        return await real(self, request)

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", guarded)
