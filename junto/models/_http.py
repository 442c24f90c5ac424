"""The HTTP side shared by every remote backend: a provider that connects, SSE, error translation.

A provider owns the ``httpx.AsyncClient``, the base URL and the credentials;
it knows nothing of any wire format. Backends (``_openai.py``,
``_anthropic.py``) translate junto's requests into a wire format and call
their provider. Every ``httpx`` error is translated here, once, into junto's
tree.
"""

from __future__ import annotations

import email.utils
import json
import os
import time
import urllib.request
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from junto._exceptions import (
    ModelAuthError,
    ModelConnectionError,
    ModelError,
    ModelHTTPError,
    ModelResponseError,
    ModelTimeoutError,
)

__all__ = ["HttpProvider", "SseEvent", "iter_sse", "parse_retry_after", "require"]


@dataclass(frozen=True, slots=True)
class SseEvent:
    """One server-sent event: its ``event:`` name (if any) and its joined ``data:`` lines."""

    event: str | None
    data: str

    def json(self) -> Any:
        try:
            return json.loads(self.data)
        except ValueError as error:
            raise ModelResponseError(f"a streamed event is not JSON: {self.data[:200]!r}") from error


async def iter_sse(lines: AsyncIterator[str]) -> AsyncIterator[SseEvent]:
    """Parse ``text/event-stream`` lines into events (comments and ids ignored)."""
    event: str | None = None
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                yield SseEvent(event, "\n".join(data))
            event, data = None, []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)
    if data:
        yield SseEvent(event, "\n".join(data))


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


class HttpProvider:
    """Where a remote model lives and how to authenticate: base URL, key, HTTP client.

    The key is read from the environment variable ``api_key_env`` when the
    first request is made (or given directly as ``api_key``). The client is
    created on first use, never in the constructor, over an
    :class:`~junto.models._transport.AiohttpTransport` (unless a proxy is
    set in the environment); ``transport`` lets tests plug in
    ``httpx.MockTransport``.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        api_key_env: str | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key_env = api_key_env
        self._api_key = api_key
        self._headers = dict(headers or {})
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._endpoints: dict[tuple[str, str], tuple[str, httpx.URL]] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"

    @property
    def api_key(self) -> str | None:
        if self._api_key is None and self.api_key_env:
            return os.environ.get(self.api_key_env) or None
        return self._api_key

    def auth_headers(self) -> dict[str, str]:
        """Headers that carry the credentials; each provider kind says how."""
        return {}

    def credentials(self) -> list[str]:
        """The secrets it sends (its key, if any): never to be shown."""
        key = self.api_key
        return [key] if key else []

    def url(self, path: str, params: Mapping[str, str] | None = None) -> str:
        """``path`` joined onto the base URL's path; the base URL's query string stays, with ``params`` merged in.

        A base URL such as Azure OpenAI's ``.../deployments/d?api-version=2024-06-01``
        gets ``.../deployments/d/chat/completions?api-version=2024-06-01``.
        """
        base = httpx.URL(self.base_url)
        joined = base.copy_with(path=f"{base.path.rstrip('/')}/{path.lstrip('/')}")
        return str(joined.copy_merge_params(params) if params else joined)

    def _endpoint(self, path: str) -> tuple[str, httpx.URL]:
        """:meth:`url` of ``path``, as text (for messages) and parsed (for the request), built once for each path."""
        key = (self.base_url, path)
        found = self._endpoints.get(key)
        if found is None:
            text = self.url(path)
            found = self._endpoints[key] = (text, httpx.URL(text))
        return found

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(transport=self._client_transport(), headers=self._headers)
        return self._client

    def _client_transport(self) -> httpx.AsyncBaseTransport | None:
        if self._transport is not None:
            return self._transport
        if urllib.request.getproxies():  # behind a proxy: httpx's own transport honours it
            return None
        from junto.models._transport import AiohttpTransport  # aiohttp loads on the first remote call

        return AiohttpTransport()

    async def post_json(self, path: str, body: dict[str, Any], *, timeout: float) -> dict[str, Any]:
        """POST ``body`` and return the decoded JSON object of a 2xx answer."""
        url, endpoint = self._endpoint(path)
        try:
            response = await self.client.post(endpoint, json=body, headers=self.auth_headers(), timeout=timeout)
        except httpx.HTTPError as error:
            raise self.translate(error, url) from error
        self.raise_for_status(response)
        try:
            payload = response.json()
        except ValueError as error:
            raise ModelResponseError(f"{url} answered with malformed JSON: {response.text[:200]!r}") from error
        if not isinstance(payload, dict):
            raise ModelResponseError(f"{url} answered with JSON that is not an object: {response.text[:200]!r}")
        return payload

    async def get(self, path: str, *, timeout: float) -> httpx.Response:
        """GET ``path``; errors translated, a non-2xx status raised."""
        url, endpoint = self._endpoint(path)
        try:
            response = await self.client.get(endpoint, headers=self.auth_headers(), timeout=timeout)
        except httpx.HTTPError as error:
            raise self.translate(error, url) from error
        self.raise_for_status(response)
        return response

    @asynccontextmanager
    async def stream_sse(self, path: str, body: dict[str, Any], *, timeout: float) -> AsyncIterator[AsyncIterator[SseEvent]]:
        """POST ``body`` and yield the answer's server-sent events; errors translated."""
        url, endpoint = self._endpoint(path)
        try:
            async with self.client.stream("POST", endpoint, json=body, headers=self.auth_headers(), timeout=timeout) as response:
                if response.status_code >= 400:
                    await response.aread()
                    self.raise_for_status(response)
                yield self._translated(iter_sse(response.aiter_lines()), url)
        except httpx.HTTPError as error:
            raise self.translate(error, url) from error

    async def _translated(self, events: AsyncIterator[SseEvent], url: str) -> AsyncIterator[SseEvent]:
        try:
            async for event in events:
                yield event
        except httpx.HTTPError as error:
            raise self.translate(error, url) from error

    def translate(self, error: httpx.HTTPError, url: str) -> ModelError:
        """The junto error for an ``httpx`` transport error."""
        if isinstance(error, httpx.TimeoutException):
            return ModelTimeoutError(f"no answer from {url} in time ({type(error).__name__})")
        if isinstance(error, httpx.ConnectError):
            return ModelConnectionError(
                f"could not connect to {url}", hint="check that the model server is running and base_url is right"
            )
        if isinstance(error, httpx.RemoteProtocolError):
            return ModelResponseError(f"{url} closed the connection mid-answer: {error}")
        return ModelConnectionError(f"talking to {url} failed: {type(error).__name__}: {error}")

    def raise_for_status(self, response: httpx.Response) -> None:
        """Raise the junto error for a non-2xx answer."""
        status = response.status_code
        if status < 400:
            return
        body = response.text[:2000]
        url = str(response.request.url)
        if status in (401, 403):
            where = f"the environment variable {self.api_key_env}" if self.api_key_env else "the api_key_env in junto.toml"
            raise ModelAuthError(
                f"{url} refused the credentials (HTTP {status})",
                status_code=status,
                body=body,
                hint=f"set a valid key in {where}",
            )
        raise ModelHTTPError(
            f"{url} answered HTTP {status}: {body[:300]}",
            status_code=status,
            body=body,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def require(payload: Any, *path: str | int) -> Any:
    """``payload[path[0]][path[1]]...`` or :class:`ModelResponseError` naming what is missing."""
    current = payload
    for step in path:
        try:
            current = current[step]
        except (KeyError, IndexError, TypeError):
            where = "".join(f"[{p!r}]" for p in path)
            raise ModelResponseError(f"the answer has no {where}: {json.dumps(payload)[:300]}") from None
    return current
