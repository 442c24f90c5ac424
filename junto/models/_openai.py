"""OpenAI-compatible chat completions: OpenAI, vLLM, Ollama, llama.cpp's server, LM Studio, OpenRouter...

``POST {base_url}/chat/completions`` with a bearer key. Structured output asks
for ``response_format: {type: json_schema, ...}``; a server that refuses it
(a 400/422, or llama-cpp-python's 500, about ``response_format``) gets
``{type: json_object, schema: ...}`` from then on: servers that know the
``schema`` extension constrain their grammar with it, the rest ignore it and
:class:`~junto.models.ChatModel` validates and repairs the answer either way.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

from junto._exceptions import ModelHTTPError, ModelResponseError
from junto.models._http import HttpProvider, require
from junto.models._types import Completion, ModelRequest, StreamChunk, Usage

__all__ = ["OpenAIBackend", "OpenAIProvider"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Statuses a server uses to refuse a parameter; llama-cpp-python's server answers 500 to a validation error.
_REFUSAL_STATUSES = frozenset({400, 404, 422, 500})


class OpenAIProvider(HttpProvider):
    """An OpenAI-compatible server: base URL plus an optional bearer key."""

    def auth_headers(self) -> dict[str, str]:
        key = self.api_key
        return {"Authorization": f"Bearer {key}"} if key else {}


class OpenAIBackend:
    """Translates junto requests to and from the chat-completions wire format."""

    def __init__(self, provider: OpenAIProvider, *, model: str) -> None:
        self.provider = provider
        self.model = model
        self.json_schema_supported = True

    @property
    def model_id(self) -> str:
        return self.model

    def __repr__(self) -> str:
        return f"OpenAIBackend({self.model!r}, {self.provider.base_url!r})"

    async def send(self, request: ModelRequest, *, timeout: float) -> Completion:
        try:
            payload = await self.provider.post_json("chat/completions", self._body(request), timeout=timeout)
        except ModelHTTPError as error:
            if not self._refuses_json_schema(request, error):
                raise
            payload = await self.provider.post_json("chat/completions", self._body(request), timeout=timeout)
        choice = require(payload, "choices", 0)
        text = require(choice, "message").get("content")
        if not isinstance(text, str):
            raise ModelResponseError(f"the answer has no text content: {json.dumps(payload)[:300]}")
        return Completion(
            text=text,
            finish_reason=choice.get("finish_reason"),
            usage=_usage(payload.get("usage")),
            model=str(payload.get("model") or self.model),
        )

    async def send_stream(self, request: ModelRequest, *, timeout: float) -> AsyncIterator[StreamChunk]:
        try:
            async for chunk in self._stream_once(request, timeout=timeout):
                yield chunk
        except ModelHTTPError as error:
            if not self._refuses_json_schema(request, error):
                raise
            async for chunk in self._stream_once(request, timeout=timeout):
                yield chunk

    async def aclose(self) -> None:
        await self.provider.aclose()

    def credentials(self) -> list[str]:
        return self.provider.credentials()

    async def probe(self, *, timeout: float) -> None:
        """Raise a ``ModelError`` unless the server answers ``GET /models``."""
        await self.provider.get("models", timeout=timeout)

    async def _stream_once(self, request: ModelRequest, *, timeout: float) -> AsyncIterator[StreamChunk]:
        body = {**self._body(request), "stream": True, "stream_options": {"include_usage": True}}
        finish_reason: str | None = None
        usage: Usage | None = None
        async with self.provider.stream_sse("chat/completions", body, timeout=timeout) as events:
            async for event in events:
                if event.data.strip() == "[DONE]":
                    yield StreamChunk(finish_reason=finish_reason or "stop", usage=usage or Usage())
                    return
                data = event.json()
                if isinstance(data, dict) and "error" in data:
                    raise ModelResponseError(f"the server reported an error mid-stream: {json.dumps(data)[:300]}")
                if data.get("usage"):
                    usage = _usage(data["usage"])
                for choice in data.get("choices") or []:
                    text = (choice.get("delta") or {}).get("content")
                    finish_reason = choice.get("finish_reason") or finish_reason
                    if text:
                        yield StreamChunk(text=text)
        raise ModelResponseError(f"the stream from {self.provider.base_url} ended before [DONE]")

    def _body(self, request: ModelRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
        }
        if request.stop:
            body["stop"] = request.stop
        if request.seed is not None:
            body["seed"] = request.seed
        schema = request.json_schema()
        if schema is not None and request.output_type is not None:
            if self.json_schema_supported:
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {
                        "name": re.sub(r"[^A-Za-z0-9_-]", "_", request.output_type.__name__)[:64],
                        "schema": schema,
                        "strict": _strict_compatible(schema),
                    },
                }
            else:
                body["response_format"] = {"type": "json_object", "schema": schema}
        return body

    def _refuses_json_schema(self, request: ModelRequest, error: ModelHTTPError) -> bool:
        """True (and remembered) when a 4xx answer blames ``response_format``."""
        if request.output_type is None or not self.json_schema_supported or error.status_code not in _REFUSAL_STATUSES:
            return False
        if not _blames_response_format(error.body):
            return False
        self.json_schema_supported = False
        return True


def _blames_response_format(body: str) -> bool:
    """Whether an error body points at the ``response_format`` parameter.

    Looks at the structured fields servers use (OpenAI's ``error.param``,
    FastAPI's ``detail[].loc``) before falling back to the message.
    """
    try:
        payload = json.loads(body)
    except ValueError:
        return "response_format" in body
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict) and error.get("param") == "response_format":
            return True
        for item in payload.get("detail") or []:
            if isinstance(item, dict) and "response_format" in (item.get("loc") or []):
                return True
    return "response_format" in body


def _strict_compatible(schema: dict[str, Any]) -> bool:
    """OpenAI's strict mode needs every object closed and every property required."""

    def closed(node: Any) -> bool:
        if isinstance(node, dict):
            if node.get("type") == "object" or "properties" in node:
                props = node.get("properties") or {}
                if node.get("additionalProperties") is not False or set(node.get("required") or []) != set(props):
                    return False
            return all(closed(value) for value in node.values())
        if isinstance(node, list):
            return all(closed(value) for value in node)
        return True

    return closed(schema)


def _usage(raw: Any) -> Usage:
    if not isinstance(raw, dict):
        return Usage()
    return Usage(prompt_tokens=int(raw.get("prompt_tokens") or 0), completion_tokens=int(raw.get("completion_tokens") or 0))
