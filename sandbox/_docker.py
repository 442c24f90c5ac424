"""``DockerSandbox``: hardened, single-use containers from a warm pool; session containers.

    async with DockerSandbox.start(limits=SandboxLimits(), pool_size=2) as sandbox:
        result = await sandbox.run("print(1)", timeout=5)
        async with sandbox.session() as session:
            await session.put_files({"data.txt": "1 2 3"})
            await session.run("open('out.txt', 'w').write(open('data.txt').read())")
            files = await session.get_files(["out.txt"])

Each ``run`` takes a pre-started container from the pool (created fresh when
the pool is empty) whose launcher, an interpreter started as the program's
user, already waits for a program; it hands the program over and removes the
container in the background: nothing a program leaves behind is seen by the
next one. The
wall-clock limit is enforced from the host: at the deadline the container is
killed and removed, the output read so far is kept, ``timed_out`` is set and
``exit_code`` is ``None``. Reaching the output cap stops the program the same
way (``truncated``). A session keeps its one container, and so its files,
between steps until it closes; a timeout or output cap inside a session ends
the session (later calls raise ``SandboxError``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine, Iterator, Mapping
from typing import Any, TypeVar

from junto.sandbox._containers import ReapReport, create_started, reap, remove
from junto.sandbox._engine import Engine, image_missing
from junto.sandbox._exec import (
    ContainerGone,
    Outcome,
    Waiting,
    collect_files,
    oom_kills,
    program_payload,
    put_in,
    run_waiting,
    start_launcher,
)
from junto.sandbox._files import check_name
from junto.sandbox._image import DEFAULT_IMAGE, image_exists
from junto.sandbox._limits import SandboxLimits
from junto.sandbox._stream import Ending
from junto.sandbox._types import ExecResult, check_arguments

from junto._exceptions import SandboxError, SandboxFileError

__all__ = ["DockerSandbox", "SandboxSession"]

T = TypeVar("T")

_EXIT_KILLED = 137
_UPKEEP_WAIT_S = 2.0  # the longest a used container waits for a burst of runs to end before it is removed


class DockerSandbox:
    """Runs untrusted Python in hardened Docker containers. Start it with :meth:`start`."""

    def __init__(self, engine: Engine, *, image: str, limits: SandboxLimits, pool_size: int, ttl: float) -> None:
        self.engine = engine
        self.image = image
        self.limits = limits
        self.pool_size = pool_size
        self.ttl = ttl
        self._ready: list[Waiting] = []  # pooled containers, each with its launcher started and waiting for a program
        self._refilling = 0
        self._tasks: set[asyncio.Future[Any]] = set()  # background work and container creations: close() waits for them
        self._owned: set[str] = set()  # every container made and not yet removed: close() removes what is left
        self._closed = False
        self._running = 0  # runs in flight: the pool's upkeep waits for them
        self._idle = asyncio.Event()
        self._idle.set()

    @classmethod
    @contextlib.asynccontextmanager
    async def start(
        cls,
        *,
        limits: SandboxLimits | None = None,
        image: str = DEFAULT_IMAGE,
        pool_size: int = 2,
        ttl: float = 3600.0,
    ) -> AsyncIterator[DockerSandbox]:
        """Connect to the engine, check the image, reap orphans, fill the warm pool."""
        if pool_size < 0:
            raise SandboxError("pool_size must be 0 or more")
        engine = await Engine.open()
        sandbox = cls(engine, image=image, limits=limits or SandboxLimits(), pool_size=pool_size, ttl=ttl)
        try:
            await sandbox._open()
            yield sandbox
        finally:
            await sandbox.close()

    async def _open(self) -> None:
        if not await image_exists(self.engine, self.image):
            raise image_missing(self.image)
        await reap(self.engine, ttl=self.ttl)
        self._top_up()

    # -- the warm pool ------------------------------------------------------

    def _spawn(self, coroutine: Coroutine[Any, Any, T]) -> asyncio.Future[T]:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _create(self) -> Waiting:
        """A new started container with its launcher waiting, owned by this sandbox until :meth:`_remove`.

        The creation runs as the sandbox's own task: a caller cancelled while
        the engine makes the container does not lose it (the container is
        removed once made), and ``close()`` waits for creations in flight.
        """

        async def make() -> Waiting:
            cid = await create_started(self.engine, image=self.image, limits=self.limits)
            self._owned.add(cid)
            try:
                return await start_launcher(self.engine, cid, self.limits)
            except BaseException:
                await self._remove(cid)
                raise

        creation = self._spawn(make())
        try:
            return await asyncio.shield(creation)
        except asyncio.CancelledError:
            self._spawn(self._remove_when_made(creation))
            raise

    async def _remove_when_made(self, creation: asyncio.Future[Waiting]) -> None:
        with contextlib.suppress(Exception):
            waiting = await creation
            waiting.close()
            await self._remove(waiting.cid)

    async def _remove(self, cid: str) -> None:
        await remove(self.engine, cid)
        self._owned.discard(cid)

    def _top_up(self) -> None:
        while not self._closed and len(self._ready) + self._refilling < self.pool_size:
            self._refilling += 1
            self._spawn(self._refill())

    async def _refill(self) -> None:
        try:
            waiting = await self._create()
        except SandboxError:
            return  # the next run creates its own container and reports the error
        finally:
            self._refilling -= 1
        if self._closed:
            waiting.close()
            await self._remove(waiting.cid)
        else:
            self._ready.append(waiting)

    async def _take(self) -> Waiting:
        """A pooled container whose launcher still waits, else a new one."""
        if self._closed:
            raise SandboxError("the sandbox is closed")
        while self._ready:
            waiting = self._ready.pop(0)
            if not waiting.ended():
                return waiting
            waiting.close()
            self._discard(waiting.cid)  # it stopped while pooled
        return await self._create()

    def _discard(self, cid: str) -> None:
        """Remove a used container, then top the pool up: once no run is in flight (at most ``_UPKEEP_WAIT_S`` later).

        Removing and creating containers costs the engine as much CPU as a
        run; done while a burst of runs (a round of candidates) is still going
        they would slow it down. The used container is never run in again.
        """

        async def recycle() -> None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), _UPKEEP_WAIT_S)
            try:
                await self._remove(cid)
            finally:
                self._top_up()

        self._spawn(recycle())

    @contextlib.contextmanager
    def _in_flight(self) -> Iterator[None]:
        self._running += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._running -= 1
            if self._running == 0:
                self._idle.set()

    # -- running ------------------------------------------------------------

    async def run(
        self,
        code: str,
        *,
        timeout: float = 10.0,
        files: Mapping[str, bytes | str] | None = None,
        stdin: bytes | str | None = None,
        argv: list[str] | None = None,
        collect: list[str] | None = None,
    ) -> ExecResult:
        """Run ``code`` as ``main.py`` in a fresh container; see :class:`ExecResult`."""
        check_arguments(timeout=timeout, files=files, collect=collect)
        program = program_payload(code, files, self.limits)
        wanted = [check_name(name) for name in collect or []]
        with self._in_flight():
            for attempt in range(2):
                waiting = await self._take()
                try:
                    return await _run_and_report(
                        self, waiting.cid, program, stdin=stdin, argv=argv, timeout=timeout, collect=wanted, waiting=waiting
                    )
                except ContainerGone:
                    if attempt:
                        raise
                finally:
                    self._discard(waiting.cid)
        raise AssertionError("unreachable")

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[SandboxSession]:
        """One container kept for several steps; removed when the block ends."""
        pooled = await self._take()
        pooled.close()  # each step starts its own launcher
        cid = pooled.cid
        self._top_up()
        session = SandboxSession(self, cid)
        try:
            yield session
        finally:
            session._ended = "the session is closed"
            await self._remove(cid)

    async def reap(self, *, ttl: float | None = None) -> ReapReport:
        """Remove junto containers whose owning process is gone or older than ``ttl``."""
        return await reap(self.engine, ttl=self.ttl if ttl is None else ttl)

    async def close(self) -> None:
        """Finish creations and removals in flight, remove every container left (pooled or in use), release the client.

        A run or session still going when the sandbox closes loses its container.
        """
        if self._closed:
            return
        self._closed = True
        self._idle.set()  # used containers go now
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        ready, self._ready = self._ready, []
        for waiting in ready:
            waiting.close()
        await asyncio.gather(*(self._remove(cid) for cid in list(self._owned)), return_exceptions=True)
        self.engine.close()


class SandboxSession:
    """A container that keeps its work dir between steps. Get one from ``DockerSandbox.session()``."""

    def __init__(self, sandbox: DockerSandbox, cid: str) -> None:
        self._sandbox = sandbox
        self._cid = cid
        self._ended: str | None = None
        self._oom_seen = 0

    def _check(self) -> None:
        if self._ended:
            raise SandboxError(f"this sandbox session has ended: {self._ended}", hint="start a new session")

    async def put_files(self, files: Mapping[str, bytes | str]) -> None:
        """Write ``files`` into the work dir (names checked, total capped)."""
        self._check()
        await put_in(self._sandbox.engine, self._cid, self._sandbox.limits, files)

    async def get_files(self, names: list[str]) -> dict[str, bytes]:
        """Regular files from the work dir; ``SandboxFileError`` if one is missing or not a regular file."""
        self._check()
        files, refused = await collect_files(self._sandbox.engine, self._cid, self._sandbox.limits, names)
        if refused:
            reasons = "; ".join(f"{name}: {why}" for name, why in sorted(refused.items()))
            raise SandboxFileError(f"files refused coming out of the sandbox: {reasons}")
        return files

    async def run(
        self,
        code: str,
        *,
        timeout: float = 10.0,
        files: Mapping[str, bytes | str] | None = None,
        stdin: bytes | str | None = None,
        argv: list[str] | None = None,
        collect: list[str] | None = None,
    ) -> ExecResult:
        """Run ``code`` as ``main.py`` in this session's container."""
        self._check()
        check_arguments(timeout=timeout, files=files, collect=collect)
        program = program_payload(code, files, self._sandbox.limits)
        wanted = [check_name(name) for name in collect or []]
        try:
            return await _run_and_report(
                self._sandbox, self._cid, program, stdin=stdin, argv=argv, timeout=timeout, collect=wanted, session=self
            )
        except ContainerGone:
            self._ended = "its container stopped"
            raise SandboxError("the session's container stopped", hint="start a new session") from None


async def _run_and_report(
    sandbox: DockerSandbox,
    cid: str,
    program: bytes,
    *,
    stdin: bytes | str | None,
    argv: list[str] | None,
    timeout: float,
    collect: list[str],
    session: SandboxSession | None = None,
    waiting: Waiting | None = None,
) -> ExecResult:
    engine, limits = sandbox.engine, sandbox.limits
    try:
        waiting = waiting or await start_launcher(engine, cid, limits)
        outcome = await run_waiting(engine, waiting, limits, program=program, stdin=stdin, argv=argv, timeout=timeout)
    except asyncio.CancelledError:
        await asyncio.shield(sandbox._remove(cid))
        raise
    ending = outcome.exchange.ending
    if ending is not Ending.EXITED:
        # Host-side kill: the only way to stop whatever the program started.
        await sandbox._remove(cid)
        if session is not None:
            session._ended = f"a step ended by {ending.value}; its container was removed"
    oom = await _oom_killed(engine, limits, cid, outcome, session)
    files: dict[str, bytes] = {}
    refused: dict[str, str] = {}
    if collect:
        if ending is Ending.EXITED:
            try:
                files, refused = await collect_files(engine, cid, limits, collect)
            except ContainerGone:
                refused = {name: "the container had stopped" for name in collect}
        else:
            refused = {name: f"not collected: the run was stopped ({ending.value})" for name in collect}
    stdout, stderr = outcome.exchange.output.text()
    return ExecResult(
        exit_code=outcome.exit_code,
        stdout=stdout,
        stderr=stderr,
        timed_out=ending is Ending.TIMED_OUT,
        oom_killed=oom,
        truncated=outcome.exchange.output.truncated,
        duration_s=round(outcome.duration_s, 4),
        files=files,
        refused_files=refused,
    )


async def _oom_killed(engine: Engine, limits: SandboxLimits, cid: str, outcome: Outcome, session: SandboxSession | None) -> bool:
    if outcome.exit_code != _EXIT_KILLED:
        return False
    try:
        kills = await oom_kills(engine, cid, limits)
    except (ContainerGone, SandboxError):
        state = await engine.call(engine.api.inspect_container, cid)
        return bool(state.get("State", {}).get("OOMKilled"))
    seen = session._oom_seen if session is not None else 0
    if session is not None:
        session._oom_seen = kills
    return kills > seen
