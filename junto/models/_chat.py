"""ChatModel: one backend plus retries, structured output, cost and a concurrency cap.

A backend knows a wire format; everything a caller relies on regardless of
the wire lives here, once.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from junto._exceptions import (
    ConfigError,
    ModelConnectionError,
    ModelError,
    ModelHTTPError,
    ModelRateLimitError,
    ModelTimeoutError,
    StructuredOutputError,
)
from junto.models._types import Backend, Completion, Message, ModelRequest, StreamChunk, Usage

__all__ = ["ChatModel", "Price", "RetryPolicy", "parse_structured"]

_RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})


class RetryPolicy(BaseModel):
    """When and how long to wait before trying a failed call again."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_attempts: int = Field(default=4, ge=1, le=20)
    initial_delay_s: float = Field(default=0.5, ge=0.0)
    max_delay_s: float = Field(default=20.0, ge=0.0)
    multiplier: float = Field(default=2.0, ge=1.0)
    jitter: float = Field(default=0.25, ge=0.0, le=1.0)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay_s)
        base = min(self.initial_delay_s * self.multiplier ** (attempt - 1), self.max_delay_s)
        return base * (1 + random.uniform(-self.jitter, self.jitter))

    @staticmethod
    def is_retryable(error: ModelError) -> bool:
        if isinstance(error, (ModelConnectionError, ModelTimeoutError)):
            return True
        return isinstance(error, ModelHTTPError) and error.status_code in _RETRY_STATUSES


class Price(BaseModel):
    """US dollars per million tokens."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    input_per_mtok: float = Field(default=0.0, ge=0.0)
    output_per_mtok: float = Field(default=0.0, ge=0.0)

    def cost(self, usage: Usage) -> float:
        return (usage.prompt_tokens * self.input_per_mtok + usage.completion_tokens * self.output_per_mtok) / 1e6


def parse_structured(text: str, output_type: type[BaseModel]) -> BaseModel:
    """Validate a model's JSON answer, tolerating a Markdown fence around it."""
    candidate = text.strip()
    if candidate.startswith("```"):
        candidate = candidate.split("\n", 1)[1] if "\n" in candidate else ""
        candidate = candidate.rsplit("```", 1)[0]
    start, end = candidate.find("{"), candidate.rfind("}")
    if start > 0 and end > start:
        candidate = candidate[start : end + 1]
    return output_type.model_validate_json(candidate)


class ChatModel:
    """A :class:`~junto.models.Model` over one :class:`~junto.models.Backend`.

    - retries with jittered exponential backoff on 429/5xx/connect/timeouts,
      honouring ``Retry-After``;
    - at most ``concurrency`` calls in flight;
    - structured output: the schema goes to the backend, the answer is
      validated, and an invalid answer goes back to the model with the
      validation error, ``structured_repairs`` times, then
      :class:`StructuredOutputError`, which carries the usage and cost of
      every try (as does any error met between tries);
    - cost from ``price`` and the usage the server reports;
    - the model's own settings, applied to every request (:meth:`prepare`):
      ``temperature`` when the request sets none of its own, and
      ``system_prompt`` first in the request's system message;
    - ``samples``: how many candidates a round of a specialist draws when
      this model is its role's first tier and neither the task nor the
      role says (``None``: the model does not say, one);
    - ``sample_temperatures``: the temperatures a round on this model draws
      its candidates after the first at, in turn (``None``: junto's generic
      schedule).
    """

    def __init__(
        self,
        backend: Backend,
        *,
        name: str | None = None,
        retry: RetryPolicy | None = None,
        timeout_s: float = 120.0,
        concurrency: int = 4,
        price: Price | None = None,
        structured_repairs: int = 2,
        temperature: float | None = None,
        system_prompt: str | None = None,
        samples: int | None = None,
        sample_temperatures: Sequence[float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if temperature is not None and not 0.0 <= temperature <= 2.0:
            raise ConfigError(f"a model's temperature must be between 0 and 2, got {temperature}")
        if samples is not None and not 1 <= samples <= 32:
            raise ConfigError(f"a model's samples must be between 1 and 32, got {samples}")
        if sample_temperatures is not None and (not sample_temperatures or not all(0.0 <= t <= 2.0 for t in sample_temperatures)):
            raise ConfigError(f"a model's sample_temperatures must be one or more of 0 to 2, got {list(sample_temperatures)}")
        self.backend = backend
        self._name = name or backend.model_id
        self.retry = retry or RetryPolicy()
        self.timeout_s = timeout_s
        self.price = price or Price()
        self.structured_repairs = structured_repairs
        self.temperature = temperature
        self.system_prompt = system_prompt or None
        self.samples = samples
        self.sample_temperatures = tuple(sample_temperatures) if sample_temperatures is not None else None
        self._limit = asyncio.Semaphore(concurrency)
        self._sleep = sleep

    @property
    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"ChatModel({self._name!r})"

    def prepare(self, request: ModelRequest) -> ModelRequest:
        """``request`` as this model sends it: with the model's temperature and system prompt.

        The model's ``temperature`` applies only when the request did not set
        one: a temperature the request was built or copied with (a sampled
        candidate's) wins. The ``system_prompt`` goes first in the request's
        system message, or in a new one at the start when it has none.
        """
        update: dict[str, Any] = {}
        if self.temperature is not None and "temperature" not in request.model_fields_set:
            update["temperature"] = self.temperature
        if self.system_prompt is not None:
            update["messages"] = _with_system_prompt(request.messages, self.system_prompt)
        return request.model_copy(update=update) if update else request

    async def complete(self, request: ModelRequest) -> Completion:
        request = self.prepare(request)
        if request.output_type is None:
            return await self._complete_with_retries(request)
        return await self._complete_structured(request)

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamChunk]:
        request = self.prepare(request)
        # Retries apply until the first chunk arrives; after that a failure is the caller's.
        for attempt in range(1, self.retry.max_attempts + 1):
            started = False
            try:
                async with self._limit:
                    async for chunk in self.backend.send_stream(request, timeout=self.timeout_s):
                        started = True
                        yield chunk.model_copy(update={"model": self._name})
                return
            except ModelError as error:
                if started or attempt == self.retry.max_attempts or not self.retry.is_retryable(error):
                    raise self._final(error) from None
                await self._sleep(self.retry.delay(attempt, error.retry_after))

    async def aclose(self) -> None:
        await self.backend.aclose()

    async def _complete_with_retries(self, request: ModelRequest) -> Completion:
        started = time.perf_counter()
        for attempt in range(1, self.retry.max_attempts + 1):
            try:
                async with self._limit:
                    completion = await self.backend.send(request, timeout=self.timeout_s)
            except ModelError as error:
                if attempt == self.retry.max_attempts or not self.retry.is_retryable(error):
                    raise self._final(error) from None
                await self._sleep(self.retry.delay(attempt, error.retry_after))
                continue
            return completion.model_copy(
                update={
                    "model": self._name,
                    "cost_usd": self.price.cost(completion.usage),
                    "latency_s": time.perf_counter() - started,
                    "attempts": attempt,
                }
            )
        raise AssertionError("unreachable")  # pragma: no cover

    async def _complete_structured(self, request: ModelRequest) -> Completion:
        assert request.output_type is not None
        messages = list(request.messages)
        usage, cost, latency = Usage(), 0.0, 0.0
        last_text, last_error = "", ""
        for _ in range(self.structured_repairs + 1):
            try:
                completion = await self._complete_with_retries(request.with_messages(messages))
            except ModelError as error:  # the tries before this one were spent all the same
                error.usage = usage + (error.usage or Usage())
                error.cost_usd += cost
                raise
            usage, cost, latency = usage + completion.usage, cost + completion.cost_usd, latency + completion.latency_s
            last_text = completion.text
            try:
                parsed = completion.parsed
                if not isinstance(parsed, request.output_type):
                    parsed = parse_structured(completion.text, request.output_type)
            except (ValidationError, ValueError) as error:
                last_error = _short_validation_error(error)
                if completion.finish_reason == "length":
                    last_error = f"cut off at the limit of {request.max_tokens} tokens before the JSON closed; {last_error}"
                messages = _structured_repair(request, completion, last_error)
                continue
            return completion.model_copy(update={"parsed": parsed, "usage": usage, "cost_usd": cost, "latency_s": latency})
        raise StructuredOutputError(
            f"{self._name} did not produce valid {request.output_type.__name__} after "
            f"{self.structured_repairs + 1} tries: {last_error.splitlines()[0] if last_error else 'invalid'}",
            model=self._name,
            last_output=last_text,
            errors=last_error,
            usage=usage,
            cost_usd=cost,
        )

    def _final(self, error: ModelError) -> ModelError:
        if error.model is None:
            error.model = self._name
        if isinstance(error, ModelHTTPError) and error.status_code == 429 and not isinstance(error, ModelRateLimitError):
            return ModelRateLimitError(
                f"{self._name}: still rate limited after {self.retry.max_attempts} attempts",
                status_code=429,
                body=error.body,
                model=self._name,
                retry_after=error.retry_after,
                hint="lower the concurrency for this model in junto.toml or raise your provider's limit",
            )
        return error


def _with_system_prompt(messages: list[Message], prompt: str) -> list[Message]:
    """``messages`` with ``prompt`` first in their (first) system message, or in a new one before them."""
    for index, message in enumerate(messages):
        if message.role == "system":
            merged = Message.system(f"{prompt}\n\n{message.content}" if message.content else prompt)
            return [*messages[:index], merged, *messages[index + 1 :]]
    return [Message.system(prompt), *messages]


def _short_validation_error(error: Exception) -> str:
    if isinstance(error, ValidationError):
        lines = []
        for item in error.errors()[:8]:
            where = ".".join(str(p) for p in item.get("loc", ())) or "(root)"
            lines.append(f"- {where}: {item.get('msg')}")
        return "\n".join(lines)
    return f"- {error}"


def _structured_repair(request: ModelRequest, completion: Completion, errors: str) -> list[Message]:
    """The messages of the next try after ``completion`` failed to parse as ``request.output_type``.

    A reply cut off at ``max_tokens`` is not shown back (the model would go on
    from it and run out again): the model is asked for the whole object anew, shorter.
    """
    if completion.finish_reason == "length":
        return [
            *request.messages,
            Message.user(
                f"Your reply ran past the limit of {request.max_tokens} tokens, so its JSON never closed. "
                "Reply again with the complete JSON object only, and keep every string short so that it fits."
            ),
        ]
    return [
        *request.messages,
        Message.assistant(completion.text[:4000]),
        Message.user(
            "That answer is not valid JSON for the required schema. "
            f"Errors:\n{errors}\n"
            f"Schema:\n{json.dumps(request.json_schema())}\n"
            "Reply with the corrected JSON object only."
        ),
    ]
