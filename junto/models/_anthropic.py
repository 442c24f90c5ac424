"""Anthropic Messages: ``POST {base_url}/v1/messages``.

System messages go to the top-level ``system`` field. Structured output is
asked for in the system prompt (the JSON schema, "reply with JSON only");
:class:`~junto.models.ChatModel` validates the answer and repairs it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from junto._exceptions import ModelHTTPError, ModelResponseError
from junto.models._http import HttpProvider, require
from junto.models._types import Completion, ModelRequest, StreamChunk, Usage

__all__ = ["AnthropicBackend", "AnthropicProvider"]

DEFAULT_BASE_URL = "https://api.anthropic.com"
API_VERSION = "2023-06-01"

# Error types Anthropic sends inside a stream, mapped to the HTTP status they stand for.
_STREAM_ERROR_STATUS = {"overloaded_error": 529, "rate_limit_error": 429, "api_error": 500}


class AnthropicProvider(HttpProvider):
    """Anthropic's API: base URL plus ``x-api-key``."""

    def auth_headers(self) -> dict[str, str]:
        headers = {"anthropic-version": API_VERSION}
        key = self.api_key
        if key:
            headers["x-api-key"] = key
        return headers


class AnthropicBackend:
    """Translates junto requests to and from the Messages wire format."""

    def __init__(self, provider: AnthropicProvider, *, model: str) -> None:
        self.provider = provider
        self.model = model

    @property
    def model_id(self) -> str:
        return self.model

    def __repr__(self) -> str:
        return f"AnthropicBackend({self.model!r}, {self.provider.base_url!r})"

    async def send(self, request: ModelRequest, *, timeout: float) -> Completion:
        payload = await self.provider.post_json("v1/messages", self._body(request), timeout=timeout)
        blocks = require(payload, "content")
        if not isinstance(blocks, list):
            raise ModelResponseError(f"the answer's content is not a list: {json.dumps(payload)[:300]}")
        text = "".join(block.get("text", "") for block in blocks if isinstance(block, dict) and block.get("type") == "text")
        usage = payload.get("usage") or {}
        return Completion(
            text=text,
            finish_reason=payload.get("stop_reason"),
            usage=Usage(
                prompt_tokens=int(usage.get("input_tokens") or 0),
                completion_tokens=int(usage.get("output_tokens") or 0),
            ),
            model=str(payload.get("model") or self.model),
        )

    async def send_stream(self, request: ModelRequest, *, timeout: float) -> AsyncIterator[StreamChunk]:
        body = {**self._body(request), "stream": True}
        prompt_tokens = completion_tokens = 0
        stop_reason: str | None = None
        async with self.provider.stream_sse("v1/messages", body, timeout=timeout) as events:
            async for event in events:
                data = event.json()
                kind = event.event or data.get("type")
                if kind == "message_start":
                    usage = require(data, "message").get("usage") or {}
                    prompt_tokens = int(usage.get("input_tokens") or 0)
                    completion_tokens = int(usage.get("output_tokens") or 0)
                elif kind == "content_block_delta":
                    delta = require(data, "delta")
                    if delta.get("type") == "text_delta" and delta.get("text"):
                        yield StreamChunk(text=delta["text"])
                elif kind == "message_delta":
                    stop_reason = (data.get("delta") or {}).get("stop_reason") or stop_reason
                    usage = data.get("usage") or {}
                    completion_tokens = int(usage.get("output_tokens") or completion_tokens)
                elif kind == "message_stop":
                    yield StreamChunk(
                        finish_reason=stop_reason or "end_turn",
                        usage=Usage(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens),
                    )
                    return
                elif kind == "error":
                    raise _stream_error(data)
        raise ModelResponseError(f"the stream from {self.provider.base_url} ended before message_stop")

    async def aclose(self) -> None:
        await self.provider.aclose()

    def credentials(self) -> list[str]:
        return self.provider.credentials()

    async def probe(self, *, timeout: float) -> None:
        """Raise a ``ModelError`` unless the server answers ``GET /v1/models``."""
        await self.provider.get("v1/models", timeout=timeout)

    def _body(self, request: ModelRequest) -> dict[str, Any]:
        system = [m.content for m in request.messages if m.role == "system"]
        schema = request.json_schema()
        if schema is not None:
            system.append(
                "Reply with one JSON object only, no prose and no Markdown fence. "
                f"It must validate against this JSON schema:\n{json.dumps(schema)}"
            )
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "temperature": min(request.temperature, 1.0),
            "messages": [{"role": m.role, "content": m.content} for m in request.messages if m.role != "system"],
        }
        if system:
            body["system"] = "\n\n".join(system)
        if request.stop:
            body["stop_sequences"] = request.stop
        return body


def _stream_error(data: dict[str, Any]) -> Exception:
    error = data.get("error") or {}
    kind = error.get("type", "")
    message = f"the server reported {kind or 'an error'} mid-stream: {error.get('message', '')}"
    status = _STREAM_ERROR_STATUS.get(kind)
    if status is not None:
        return ModelHTTPError(message, status_code=status, body=json.dumps(data))
    return ModelResponseError(message)
