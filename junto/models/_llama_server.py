"""The embedded model behind llama.cpp's own ``llama-server``: N candidates decoded in one batch.

The in-process engine (:class:`~junto.models.LocalBackend`) generates one
answer at a time. ``llama-server --parallel N`` keeps N slots and advances
every live slot with one forward pass (continuous batching), so N candidates
drawn concurrently share the passes over the weights
(``benchmarks/batched_decoding.py`` measures it against N sequential calls).

The server is a child process this backend starts on :meth:`start` (or the
first call) and stops on :meth:`aclose`; the constructor starts nothing. It
listens on 127.0.0.1 on a free port and is spoken to through the
OpenAI-compatible API, with :class:`~junto.models.OpenAIBackend`. The binary is
found at ``binary``, else as ``llama-server`` on ``PATH``;
``scripts/build-llama-server.sh`` builds one from the llama.cpp that
llama-cpp-python vendors. ::

    async with LlamaServerBackend(binary=path, slots=4) as backend:
        completions = await asyncio.gather(*(backend.send(r, timeout=60) for r in requests))
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx

from junto._exceptions import ConfigError, ModelConnectionError
from junto.models._local import MODEL_ID, gguf_path
from junto.models._openai import OpenAIBackend, OpenAIProvider
from junto.models._types import Completion, ModelRequest, StreamChunk

__all__ = ["LlamaServerBackend", "find_llama_server"]

BINARY_NAME = "llama-server"
_BUILD_HINT = "build it with scripts/build-llama-server.sh and set server_binary in [models.local], or put llama-server on PATH"


def find_llama_server(binary: Path | None = None) -> Path:
    """``binary`` if it is an executable file, else ``llama-server`` on ``PATH``; a :class:`ConfigError` if neither."""
    if binary is not None:
        if binary.is_file() and os.access(binary, os.X_OK):
            return binary
        raise ConfigError(f"{binary} is not an executable llama-server", key="models.local.server_binary", hint=_BUILD_HINT)
    found = shutil.which(BINARY_NAME)
    if found is None:
        raise ConfigError("no llama-server on PATH", key="models.local.server_binary", hint=_BUILD_HINT)
    return Path(found)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the forked child, before exec: ask Linux to send SIGTERM when the parent dies.

    A junto killed with SIGKILL or SIGTERM runs no finalizer; without this its
    llama-server would outlive it, holding a port, the model and the CPU.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the finalizer and aclose are all there is
        pass


_PR_SET_PDEATHSIG = 1


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate, then kill after 10 s; safe to call twice (also the finalizer at interpreter exit)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class LlamaServerBackend:
    """A :class:`~junto.models.Backend` that runs the embedded model in a managed ``llama-server``."""

    def __init__(
        self,
        *,
        binary: Path | None = None,
        model_path: Path | None = None,
        slots: int = 4,
        slot_context: int = 4096,
        n_threads: int | None = None,
        model_id: str = MODEL_ID,
        ready_timeout_s: float = 120.0,
    ) -> None:
        if slots < 1:
            raise ValueError("slots must be at least 1")
        self.binary = binary
        self.model_path = model_path
        self.slots = slots
        self.slot_context = slot_context
        self.n_threads = n_threads or os.cpu_count() or 1
        self.ready_timeout_s = ready_timeout_s
        self._model_id = model_id
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._client: OpenAIBackend | None = None
        self._finalizer: weakref.finalize[..., LlamaServerBackend] | None = None
        self._lock = asyncio.Lock()

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def base_url(self) -> str | None:
        """Where the running server answers (``None`` before :meth:`start`)."""
        return self._client.provider.base_url if self._client is not None else None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None and self._process.poll() is None else None

    def __repr__(self) -> str:
        return f"LlamaServerBackend({self._model_id!r}, slots={self.slots})"

    async def __aenter__(self) -> LlamaServerBackend:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()

    async def start(self) -> None:
        """Start the server and wait until it answers ``/health`` (idempotent; about a second)."""
        async with self._lock:
            if self._client is not None and self._process is not None and self._process.poll() is None:
                return
            await self._stop_now()
            binary = find_llama_server(self.binary)
            model = self.model_path or gguf_path()
            port = _free_port()
            log = tempfile.NamedTemporaryFile(prefix="junto-llama-server-", suffix=".log")  # noqa: SIM115 - closed in aclose
            command = [
                str(binary),
                "--model", str(model),
                "--host", "127.0.0.1",
                "--port", str(port),
                "--parallel", str(self.slots),
                "--ctx-size", str(self.slots * self.slot_context),
                "--threads", str(self.n_threads),
                "--threads-batch", str(self.n_threads),
                "--alias", self._model_id,
                "--no-webui",
            ]  # fmt: skip
            try:
                process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # one prctl, no locks taken
                )
            except OSError as error:
                log.close()
                raise ModelConnectionError(f"could not start {binary}: {error}", model=self._model_id) from error
            self._process, self._log = process, log
            self._finalizer = weakref.finalize(self, _stop, process)
            url = f"http://127.0.0.1:{port}"
            try:
                await self._wait_ready(url)
            except BaseException:
                await self._stop_now()
                raise
            self._client = OpenAIBackend(OpenAIProvider(f"{url}/v1"), model=self._model_id)

    async def _wait_ready(self, url: str) -> None:
        deadline = time.monotonic() + self.ready_timeout_s
        async with httpx.AsyncClient(timeout=2.0) as client:
            while True:
                assert self._process is not None
                if self._process.poll() is not None:
                    raise ModelConnectionError(
                        f"llama-server exited with status {self._process.returncode} while starting: {self._log_tail()}",
                        model=self._model_id,
                    )
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{url}/health")).status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise ModelConnectionError(
                        f"llama-server did not answer /health within {self.ready_timeout_s:.0f} s: {self._log_tail()}",
                        model=self._model_id,
                    )
                await asyncio.sleep(0.1)

    def _log_tail(self) -> str:
        if self._log is None:
            return ""
        with contextlib.suppress(OSError):
            return Path(self._log.name).read_text(errors="replace")[-600:].strip()
        return ""

    async def send(self, request: ModelRequest, *, timeout: float) -> Completion:
        await self.start()
        assert self._client is not None
        return await self._client.send(request, timeout=timeout)

    async def send_stream(self, request: ModelRequest, *, timeout: float) -> AsyncIterator[StreamChunk]:
        await self.start()
        assert self._client is not None
        async for chunk in self._client.send_stream(request, timeout=timeout):
            yield chunk

    async def probe(self, *, timeout: float) -> None:
        """Raise unless the binary and the weights are there (and, once started, the server answers)."""
        find_llama_server(self.binary)
        if self.model_path is None:
            gguf_path()
        if self._client is not None:
            await self._client.probe(timeout=timeout)

    async def aclose(self) -> None:
        """Stop the server; a later call starts a new one."""
        async with self._lock:
            await self._stop_now()

    async def _stop_now(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
        process, self._process = self._process, None
        if process is not None:
            await asyncio.to_thread(_stop, process)
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        log, self._log = self._log, None
        if log is not None:
            log.close()
