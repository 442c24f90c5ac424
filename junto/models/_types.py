"""The model interface: a request in, a completion (or a stream of chunks) out.

Every model junto talks to, remote or in-process or a test double, is a
:class:`Model`: ``complete(request)`` and ``stream(request)``. How the bytes
travel is a :class:`Backend`'s business; retries, structured output, cost and
concurrency are layered on top by :class:`~junto.models.ChatModel`.
"""

from __future__ import annotations

import copy
import enum
import functools
import json
from collections.abc import AsyncIterator
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Backend",
    "Completion",
    "Credentialed",
    "Message",
    "Model",
    "ModelRequest",
    "Probe",
    "Role",
    "SampleDefault",
    "StreamChunk",
    "Usage",
]


class Role(str, enum.Enum):
    """The jobs a model can be given in a run."""

    PLANNER = "planner"
    MATH = "math"
    CODE = "code"
    WRITING = "writing"
    GENERAL = "general"
    AGGREGATOR = "aggregator"
    JUDGE = "judge"


class Message(BaseModel):
    """One chat message."""

    model_config = ConfigDict(frozen=True)

    role: Literal["system", "user", "assistant"]
    content: str

    @classmethod
    def system(cls, content: str) -> Message:
        return cls(role="system", content=content)

    @classmethod
    def user(cls, content: str) -> Message:
        return cls(role="user", content=content)

    @classmethod
    def assistant(cls, content: str) -> Message:
        return cls(role="assistant", content=content)


class ModelRequest(BaseModel):
    """What to ask a model.

    ``output_type``, when set, asks for structured output: the backend sends its
    JSON schema natively (``response_format``, a grammar) and the completion's
    ``parsed`` holds a validated instance. ``output_schema`` replaces the schema
    sent when it should say more than ``output_type``'s own, such as bounds on
    lengths that let a grammar close the JSON within ``max_tokens``; parsing
    still validates against ``output_type``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    messages: list[Message]
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    max_tokens: int = Field(default=512, ge=1)
    stop: list[str] = Field(default_factory=list)
    output_type: type[BaseModel] | None = None
    output_schema: dict[str, Any] | None = None
    seed: int | None = None

    def json_schema(self) -> dict[str, Any] | None:
        """The JSON schema sent for ``output_type`` (a fresh copy each call: the caller may change it)."""
        if self.output_type is None:
            return None
        if self.output_schema is not None:
            return copy.deepcopy(self.output_schema)
        schema: dict[str, Any] = json.loads(_schema_text(self.output_type))
        return schema

    def with_messages(self, messages: list[Message]) -> ModelRequest:
        return self.model_copy(update={"messages": messages})


@functools.lru_cache(maxsize=64)
def _schema_text(output_type: type[BaseModel]) -> str:
    """``output_type``'s JSON schema as JSON, generated once (pydantic builds it anew on every call, about 1 ms)."""
    return json.dumps(output_type.model_json_schema())


class Usage(BaseModel):
    """Tokens counted by the server (or the local tokenizer)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class Completion(BaseModel):
    """A model's answer to one request, with what it cost."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    text: str
    parsed: Any = None
    finish_reason: str | None = None
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0
    latency_s: float = 0.0
    model: str = ""
    attempts: int = 1
    deployment: str | None = None  # which replica answered, for a model with several deployments
    failovers: list[str] = Field(default_factory=list)  # "replica: ErrorType" for each replica that failed before it


class StreamChunk(BaseModel):
    """A piece of a streamed answer. The last chunk carries finish reason and usage."""

    text: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None
    model: str = ""


@runtime_checkable
class Model(Protocol):
    """What every model is: a name, ``complete``, ``stream``, and ``aclose`` for what it holds open."""

    @property
    def name(self) -> str: ...

    async def complete(self, request: ModelRequest) -> Completion: ...

    def stream(self, request: ModelRequest) -> AsyncIterator[StreamChunk]: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class SampleDefault(Protocol):
    """A model that says how many candidates a round draws from it when neither the task nor its role says, and how hot."""

    @property
    def samples(self) -> int | None:
        """Candidates per round (``None``: it does not say)."""
        ...

    @property
    def sample_temperatures(self) -> tuple[float, ...] | None:
        """The temperatures of a round's candidates after the first, in turn (``None``: it does not say)."""
        ...


class ModelWrapper:
    """Base of a model that wraps another (budgeting, observing): the name and sampling defaults are the wrapped model's.

    A wrapper that hid them would silently change what a round draws: the
    loop reads ``samples`` and ``sample_temperatures`` from the model it
    holds, which is often wrapped twice.
    """

    def __init__(self, model: Model) -> None:
        self.model = model

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def samples(self) -> int | None:
        """The wrapped model's candidates per round, when it says."""
        samples: int | None = getattr(self.model, "samples", None)  # isinstance(model, SampleDefault), cheaper
        return samples

    @property
    def sample_temperatures(self) -> tuple[float, ...] | None:
        """The wrapped model's temperatures for a round's later candidates, when it names some."""
        temperatures: tuple[float, ...] | None = getattr(self.model, "sample_temperatures", None)
        return temperatures


@runtime_checkable
class Backend(Protocol):
    """One wire format or runtime: sends a request once, no retries, no parsing.

    Backends raise junto's ``ModelError`` subclasses, never third-party errors.
    """

    @property
    def model_id(self) -> str: ...

    async def send(self, request: ModelRequest, *, timeout: float) -> Completion: ...

    def send_stream(self, request: ModelRequest, *, timeout: float) -> AsyncIterator[StreamChunk]: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class Credentialed(Protocol):
    """A backend that sends a secret (an API key): whatever shows its state must not show that."""

    def credentials(self) -> list[str]:
        """The secret values it sends (empty: none)."""
        ...


@runtime_checkable
class Probe(Protocol):
    """A backend that can tell, cheaply and without generating, whether it can answer."""

    async def probe(self, *, timeout: float) -> None:
        """Return if the model is reachable; raise a ``JuntoError`` saying why not."""
        ...
