"""FunctionModel: a model whose answers come from a Python function.

For deterministic tests of everything above the model layer::

    def answer(messages, request):
        return '{"answer": "6"}'

    model = FunctionModel(answer)

The function may be sync or async and returns the reply text (or a
``Completion``). It goes through the same :class:`ChatModel` machinery as a
real backend: structured output is validated and repaired the same way.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from junto.models._chat import ChatModel
from junto.models._types import Completion, Message, ModelRequest, StreamChunk, Usage

__all__ = ["FunctionBackend", "FunctionModel"]

Reply = str | Completion
ReplyFunction = Callable[[list[Message], ModelRequest], Reply | Awaitable[Reply]]


class FunctionBackend:
    """A backend that calls ``function(messages, request)``; counts a token per word."""

    def __init__(self, function: ReplyFunction, *, model_id: str = "function") -> None:
        self.function = function
        self._model_id = model_id
        self.calls: list[ModelRequest] = []

    @property
    def model_id(self) -> str:
        return self._model_id

    async def send(self, request: ModelRequest, *, timeout: float) -> Completion:
        self.calls.append(request)
        reply = self.function(list(request.messages), request)
        if inspect.isawaitable(reply):
            reply = await reply
        if isinstance(reply, Completion):
            return reply
        prompt_words = sum(len(m.content.split()) for m in request.messages)
        return Completion(
            text=reply,
            finish_reason="stop",
            usage=Usage(prompt_tokens=prompt_words, completion_tokens=len(reply.split())),
            model=self._model_id,
        )

    async def send_stream(self, request: ModelRequest, *, timeout: float) -> AsyncIterator[StreamChunk]:
        completion = await self.send(request, timeout=timeout)
        words = completion.text.split(" ")
        for i, word in enumerate(words):
            yield StreamChunk(text=word if i == 0 else " " + word)
        yield StreamChunk(finish_reason=completion.finish_reason or "stop", usage=completion.usage)

    async def aclose(self) -> None:
        return None


class FunctionModel(ChatModel):
    """A :class:`ChatModel` over a :class:`FunctionBackend`."""

    backend: FunctionBackend

    def __init__(self, function: ReplyFunction, *, name: str = "function", **options: Any) -> None:
        super().__init__(FunctionBackend(function, model_id=name), name=name, **options)

    @property
    def calls(self) -> list[ModelRequest]:
        """Every request the function was called with, in order."""
        return self.backend.calls
