"""What goes over the wire: OpenAI-compatible chat completions, the native run API, errors.

Requests are validated strictly (unknown message roles, wrong types and empty
conversations are 400s); responses follow the shapes the official OpenAI
clients parse.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from junto._budget import Budget
from junto._plan import Plan

__all__ = [
    "MODEL_ID",
    "ChatChoice",
    "ChatChunk",
    "ChatChunkChoice",
    "ChatCompletion",
    "ChatDelta",
    "ChatMessage",
    "ChatRequest",
    "ChatUsage",
    "ErrorBody",
    "ErrorDetail",
    "ModelCard",
    "ModelList",
    "RunAccepted",
    "RunRequest",
    "StreamOptions",
    "session_for",
]

MODEL_ID = "junto"


class ErrorDetail(BaseModel):
    message: str
    type: str
    code: str | None = None
    param: str | None = None


class ErrorBody(BaseModel):
    """OpenAI's error shape: ``{"error": {"message", "type", "code"}}``."""

    error: ErrorDetail


# ------------------------------------------------------------ chat completions


class ChatMessage(BaseModel):
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """The message's text; list content keeps its ``text`` parts only."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(str(part.get("text", "")) for part in self.content if part.get("type") == "text")


class StreamOptions(BaseModel):
    """``stream_options``: with ``include_usage``, a last chunk before ``[DONE]`` carries the run's usage."""

    model_config = ConfigDict(extra="ignore")
    include_usage: bool = False


class ChatRequest(BaseModel):
    """``POST /v1/chat/completions``.

    The conversation's session: ``user`` if given (or the ``X-Junto-Session``
    header), otherwise derived from the conversation's first system and user
    messages, so every later turn of the same conversation lands in the same
    session.
    """

    model_config = ConfigDict(extra="ignore")

    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    user: str | None = Field(default=None, max_length=200)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    stream_options: StreamOptions | None = None

    @model_validator(mode="after")
    def _has_user_turn(self) -> ChatRequest:
        if not any(m.role == "user" and m.text().strip() for m in self.messages):
            raise ValueError("messages must contain a user message with text")
        return self

    def task(self) -> str:
        """The last user message: what this turn asks."""
        return next(m.text() for m in reversed(self.messages) if m.role == "user" and m.text().strip())

    def token_limit(self) -> int | None:
        return self.max_completion_tokens or self.max_tokens


def session_for(request: ChatRequest, header: str | None = None) -> str:
    """The session a chat request belongs to (see :class:`ChatRequest`)."""
    explicit = header or request.user
    if explicit:
        return explicit
    first_user = next(m for m in request.messages if m.role == "user")
    opening = [m for m in request.messages if m.role in ("system", "developer")][:1] + [first_user]
    digest = hashlib.sha256("\x00".join(f"{m.role}:{m.text()}" for m in opening).encode()).hexdigest()
    return f"chat-{digest[:24]}"


class ChatUsage(BaseModel):
    """Every model call of the run (planner, specialists, aggregator): ``total_tokens = prompt_tokens + completion_tokens``."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    @classmethod
    def of(cls, prompt_tokens: int, completion_tokens: int) -> ChatUsage:
        return cls(
            prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, total_tokens=prompt_tokens + completion_tokens
        )


class ChatResponseMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatResponseMessage
    finish_reason: Literal["stop", "length"] = "stop"


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str = MODEL_ID
    choices: list[ChatChoice]
    usage: ChatUsage = Field(default_factory=ChatUsage)
    junto: dict[str, Any] = Field(default_factory=dict, description="run id, session, status, verification per task")


class ChatDelta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChatChunkChoice(BaseModel):
    index: int = 0
    delta: ChatDelta
    finish_reason: Literal["stop", "length"] | None = None


class ChatChunk(BaseModel):
    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str = MODEL_ID
    choices: list[ChatChunkChoice]
    usage: ChatUsage | None = None  # only on the last chunk, and only with stream_options.include_usage


class ModelCard(BaseModel):
    id: str = MODEL_ID
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "junto"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard] = Field(default_factory=lambda: [ModelCard()])


# ------------------------------------------------------------------ native API


class RunRequest(BaseModel):
    """``POST /v1/runs``: a task in words (planned) or a graph (run as given), and a budget."""

    model_config = ConfigDict(extra="forbid")

    task: str | None = Field(default=None, min_length=1, max_length=100_000)
    graph: Plan | None = None
    session_id: str | None = Field(default=None, max_length=200)
    budget: Budget | None = None

    @field_validator("task")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("task is blank")
        return value

    @model_validator(mode="after")
    def _one_of(self) -> RunRequest:
        if (self.task is None) == (self.graph is None):
            raise ValueError("give exactly one of 'task' or 'graph'")
        return self


class RunAccepted(BaseModel):
    run_id: str
    session_id: str | None
    status: Literal["running"] = "running"
    events_url: str
    run_url: str
