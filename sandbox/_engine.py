"""The one place that talks to the Docker engine's client and translates its errors.

Every call into the docker SDK goes through :func:`call` (in a worker thread)
so that ``docker.errors.*`` and connection failures become junto errors with
a hint that says what to do.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

import docker
import docker.errors
import requests.exceptions

from junto._exceptions import SandboxError, SandboxImageMissing, SandboxUnavailable

if TYPE_CHECKING:
    from docker import DockerClient

__all__ = ["Engine", "connect", "image_missing", "translate"]

T = TypeVar("T")

_HOW_TO_START = "start the engine with `make docker` (or run `dockerd` as root), or set DOCKER_HOST"


def _where() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def translate(error: BaseException, *, image: str | None = None) -> SandboxError:
    """Map a docker SDK (or transport) error to the most specific junto error."""
    if isinstance(error, docker.errors.ImageNotFound):
        return image_missing(image)
    if isinstance(error, docker.errors.DockerException) and not isinstance(error, docker.errors.APIError):
        return SandboxUnavailable(f"no Docker engine answers at {_where()}: {error}", hint=_HOW_TO_START)
    if isinstance(error, (requests.exceptions.ConnectionError, ConnectionError, FileNotFoundError)):
        return SandboxUnavailable(f"no Docker engine answers at {_where()}: {error}", hint=_HOW_TO_START)
    if isinstance(error, docker.errors.APIError):
        explanation = error.explanation or str(error)
        return SandboxError(f"the Docker engine refused: {explanation}")
    return SandboxError(f"the Docker engine failed: {error}")


def image_missing(image: str | None) -> SandboxImageMissing:
    """The error for a sandbox image that is not built, naming the command that builds it."""
    return SandboxImageMissing(
        f"the sandbox image {image or '(unknown)'} is not built",
        hint="build it with `junto sandbox build` (or `make image`)",
    )


def connect(*, max_pool_size: int = 32) -> DockerClient:
    """A client from the standard environment (DOCKER_HOST, DOCKER_TLS_VERIFY, ...), checked with a ping."""
    try:
        client = docker.from_env(max_pool_size=max_pool_size)
        client.ping()
    except Exception as error:
        raise translate(error) from error
    return client


class Engine:
    """A docker client plus the worker threads its blocking calls run in."""

    def __init__(self, client: DockerClient, *, threads: int = 32) -> None:
        self.client = client
        self.api = client.api
        self._threads = threads
        self._executor: ThreadPoolExecutor | None = None

    @classmethod
    async def open(cls, *, threads: int = 32) -> Engine:
        client = await asyncio.to_thread(connect, max_pool_size=threads)
        return cls(client, threads=threads)

    async def call(self, function: Callable[..., T], /, *args: object, for_image: str | None = None, **kwargs: object) -> T:
        """Run a blocking SDK call in a worker thread, translating its errors."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self._threads, thread_name_prefix="junto-sandbox")
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, functools.partial(function, *args, **kwargs))
        except SandboxError:
            raise
        except Exception as error:
            raise translate(error, image=for_image) from error

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        self.client.close()
