"""Runs started by the server: their events, kept for late readers, and the concurrency limit.

A :class:`RunHandle` consumes one run's event stream in a background task
and keeps every event, so ``GET /v1/runs/{id}/events`` can replay a run from
its start while it is still going. At most ``max_active`` runs go at once;
:meth:`RunRegistry.start` raises :class:`ServerBusy` beyond that.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Protocol

from junto import _events as ev
from junto._budget import Budget
from junto._exit import ExitReason
from junto._view import RunView
from junto.graphs._builder import TaskGraph
from junto.graphs._store import RunStore
from junto.models._roster import Roster

__all__ = ["RunHandle", "RunHost", "RunRegistry", "ServerBusy"]


class RunHost(Protocol):
    """What the server needs of :class:`~junto.Junto`: a run as a stream of events, its store, and its models."""

    @property
    def store(self) -> RunStore | None: ...

    @property
    def roster(self) -> Roster | None:
        """The models its runs use (``None``: not built yet); ``GET /v1/deployments`` shows their state."""
        ...

    async def open(self) -> None: ...

    async def aclose(self) -> None: ...

    def stream(
        self,
        task: str | TaskGraph,
        *,
        session: str | None = None,
        budget: Budget | None = None,
        run_id: str | None = None,
    ) -> AsyncIterator[ev.Event]: ...


class ServerBusy(Exception):
    """Every run slot is taken."""


class RunHandle:
    """One run going (or gone) through the server."""

    def __init__(self, run_id: str, task: str, session_id: str | None) -> None:
        self.run_id = run_id
        self.session_id = session_id
        self.view = RunView(run_id=run_id, task=task, session_id=session_id)
        self.events: list[ev.Event] = []
        self.error: Exception | None = None
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    @property
    def done(self) -> bool:
        return self._task is not None and self._task.done()

    async def _consume(self, stream: AsyncIterator[ev.Event]) -> None:
        try:
            async for event in stream:
                await self._add(event)
        except asyncio.CancelledError:
            await self._add(ev.RunFinished(run_id=self.run_id, status="cancelled", exit_reason=ExitReason.CANCELLED))
            raise
        except Exception as error:  # a run that raises ends failed; the server goes on
            self.error = error
            await self._add(
                ev.RunFinished(run_id=self.run_id, status="failed", exit_reason=ExitReason.FAILED, summary={"error": str(error)})
            )
        finally:
            async with self._changed:
                self._changed.notify_all()

    async def _add(self, event: ev.Event) -> None:
        if self.view.finished:
            return
        self.view.apply(event)
        async with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    async def follow(self, start: int = 0) -> AsyncIterator[ev.Event]:
        """Every event from ``start`` on, waiting for new ones until the run ends."""
        index = start
        while True:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.events) > index or self.done or self.view.finished)
                batch = self.events[index:]
            index += len(batch)
            for event in batch:
                yield event
            if not batch and (self.done or self.view.finished):
                return

    async def wait(self) -> RunView:
        """The run's view once its stream has closed (cancelled or not)."""
        assert self._task is not None
        await asyncio.wait({self._task})
        return self.view

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()


class RunRegistry:
    """The runs this server started, bounded in number while active and in memory when done."""

    def __init__(self, host: RunHost, *, max_active: int, keep: int) -> None:
        self.host = host
        self.max_active = max_active
        self.keep = keep
        self._runs: OrderedDict[str, RunHandle] = OrderedDict()
        self._active = 0

    @property
    def active(self) -> int:
        return self._active

    def get(self, run_id: str) -> RunHandle | None:
        return self._runs.get(run_id)

    def handles(self) -> list[RunHandle]:
        """The runs this server holds: live ones and the most recent finished ones."""
        return list(self._runs.values())

    def start(self, task: str | TaskGraph, *, session_id: str | None, budget: Budget) -> RunHandle:
        """Start a run in the background; raises :class:`ServerBusy` when every slot is taken."""
        if self._active >= self.max_active:
            raise ServerBusy(f"{self._active} runs are already going (the limit is {self.max_active})")
        run_id = uuid.uuid4().hex
        label = task if isinstance(task, str) else f"graph {task!r}"
        handle = RunHandle(run_id, label, session_id)
        stream = self.host.stream(task, session=session_id, budget=budget, run_id=run_id)
        self._active += 1
        handle._task = asyncio.create_task(handle._consume(stream), name=f"junto-run-{run_id}")
        handle._task.add_done_callback(self._released)
        self._runs[run_id] = handle
        self._forget_old()
        return handle

    def _released(self, task: asyncio.Task[None]) -> None:
        self._active -= 1
        if not task.cancelled():
            task.exception()  # retrieved: a run's failure is in its events, not the loop's log

    def _forget_old(self) -> None:
        finished = [rid for rid, h in self._runs.items() if h.done]
        for rid in finished[: max(len(self._runs) - self.keep, 0)]:
            del self._runs[rid]

    async def aclose(self) -> None:
        handles = [h for h in self._runs.values() if not h.done]
        for handle in handles:
            handle.cancel()
        for handle in handles:
            await handle.wait()
