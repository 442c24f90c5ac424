"""Every implementation of :class:`junto.sandbox.Sandbox`, with what it declares it does.

An implementation is registered once, with the capabilities it claims. The
contract tests every sandbox must pass run on all of them; a capability's
tests run on those that claim it, and an implementation that does not claim a
capability is shown not to have it (the same check fails on it), so a
capability is never skipped in silence and its check is seen to be able to
fail.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from junto.sandbox import DockerSandbox, FakeSandbox, SandboxSession

from tests.unit.test_code_local_sandbox import LocalSandbox

__all__ = ["IMPLEMENTATIONS", "Capability", "SandboxImpl"]


class Capability(enum.Enum):
    """What an implementation may claim beyond the arguments every sandbox refuses."""

    RUNS_CODE = "runs the program: output, exit code, stdin, argv, files in and out, timeouts"
    FRESH_WORK_DIR = "each run starts from a work dir holding only its own files"
    NO_NETWORK = "the program has no network: no interface but loopback, the host unreachable"
    OUTPUT_CAP = "output past the cap is cut and reported as truncated"
    MEMORY_CAP = "a program over the memory cap is killed and reported as oom_killed"
    NOT_ROOT = "the program runs as an unprivileged user on a read-only root"


Opener = Callable[[pytest.FixtureRequest], contextlib.AbstractAsyncContextManager[Any]]


@dataclass(frozen=True)
class SandboxImpl:
    """One implementation: how to open it, what it claims, which lacks are unsafe to probe on this host."""

    id: str
    cls: type
    open: Opener
    capabilities: frozenset[Capability]
    unsafe_to_probe: frozenset[Capability] = frozenset()
    marks: tuple[pytest.MarkDecorator, ...] = ()

    def lacks(self) -> list[Capability]:
        return [cap for cap in Capability if cap not in self.capabilities]


@contextlib.asynccontextmanager
async def _docker(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    yield request.getfixturevalue("docker_sandbox")


@contextlib.asynccontextmanager
async def _docker_session(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    async with request.getfixturevalue("docker_sandbox").session() as session:
        yield session


@contextlib.asynccontextmanager
async def _fake(request: pytest.FixtureRequest) -> AsyncIterator[FakeSandbox]:
    yield FakeSandbox()


@contextlib.asynccontextmanager
async def _local(request: pytest.FixtureRequest) -> AsyncIterator[LocalSandbox]:
    yield LocalSandbox()


_ISOLATION = frozenset({Capability.NO_NETWORK, Capability.OUTPUT_CAP, Capability.MEMORY_CAP, Capability.NOT_ROOT})

IMPLEMENTATIONS = [
    SandboxImpl(
        "docker",
        DockerSandbox,
        _docker,
        frozenset({Capability.RUNS_CODE, Capability.FRESH_WORK_DIR}) | _ISOLATION,
        marks=(pytest.mark.docker,),
    ),
    SandboxImpl(
        "docker-session",
        SandboxSession,
        _docker_session,
        frozenset({Capability.RUNS_CODE}) | _ISOLATION,  # a session keeps its files between steps, by design
        marks=(pytest.mark.docker,),
    ),
    SandboxImpl("fake", FakeSandbox, _fake, frozenset()),
    SandboxImpl(
        "local",
        LocalSandbox,
        _local,
        frozenset({Capability.RUNS_CODE, Capability.FRESH_WORK_DIR}),
        # No isolation at all: a memory probe would take the host's memory; root is whatever runs the tests.
        unsafe_to_probe=frozenset({Capability.MEMORY_CAP, Capability.NOT_ROOT}),
    ),
]
