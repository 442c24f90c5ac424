"""Tests are offline: a request to anything but loopback fails the test, whichever transport a provider uses."""

from __future__ import annotations

import httpx
import pytest

from junto.models import OpenAIProvider


@pytest.mark.parametrize("transport", [None, httpx.AsyncHTTPTransport()], ids=["aiohttp", "httpx"])
async def test_a_request_to_a_real_provider_fails_the_test(transport: httpx.AsyncBaseTransport | None) -> None:
    provider = OpenAIProvider("https://api.openai.com/v1", api_key="sk-not-a-key", transport=transport)
    try:
        with pytest.raises(AssertionError, match="tests are offline"):
            await provider.post_json("chat/completions", {"model": "gpt-4o"}, timeout=5)
    finally:
        await provider.aclose()
