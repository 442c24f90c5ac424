"""Where runs go: a pool of node workers, each with a number of slots and the resources its node offers.

A run goes to a live worker whose node offers everything the run needs
(:class:`~junto.scale.Need`), the one with the most free slots. When a
worker's node is lost mid-run, the worker is dropped and the run goes to
another node under the same run id: it resumes from its checkpoints in the
shared store, so tasks already finished (and verified) are not run again.

The local engine is one in-process worker; the Ray engine
(:mod:`junto.scale._ray`) is one worker per node of the cluster.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from typing import Protocol

from junto._exceptions import RunError
from junto._runs import RunResult
from junto.scale._runner import BatchItem, BatchLine, Need, NodeRunner

__all__ = ["LocalWorker", "NodeLost", "Pool", "Worker"]


class NodeLost(RunError):
    """The node a run was on went away (its process or machine died); the run can go elsewhere."""

    def __init__(self, node: str, reason: str) -> None:
        super().__init__(f"node {node} was lost: {reason}")
        self.node = node
        self.reason = reason


class Worker(Protocol):
    """One node's runner, seen from the driver."""

    name: str
    slots: int
    offers: frozenset[Need]

    async def run(self, item: BatchItem, run_id: str) -> BatchLine:
        """Run ``item``; raises :class:`NodeLost` when the node goes away."""
        ...

    async def run_task(self, task: str, run_id: str) -> RunResult: ...

    async def close(self) -> None: ...


class LocalWorker:
    """The local engine: a :class:`NodeRunner` in this process."""

    def __init__(self, runner: NodeRunner, *, slots: int, offers: frozenset[Need] = frozenset(Need)) -> None:
        self.runner = runner
        self.name = runner.node
        self.slots = slots
        self.offers = offers

    async def run(self, item: BatchItem, run_id: str) -> BatchLine:
        return BatchLine.model_validate_json(await self.runner.run(item.model_dump_json(), run_id))

    async def run_task(self, task: str, run_id: str) -> RunResult:
        return RunResult.model_validate_json(await self.runner.run_task(task, run_id))

    async def close(self) -> None:
        await self.runner.close()


class Pool:
    """Slots on live workers, handed to runs by what they need; a lost node's runs go elsewhere.

    ``max_attempts`` bounds how many nodes one run may be tried on.
    ``on_lost`` hears of each lost node.
    """

    def __init__(
        self, workers: Sequence[Worker], *, max_attempts: int = 3, on_lost: Callable[[str, str], None] | None = None
    ) -> None:
        if not workers:
            raise RunError("no node to run on", hint="start at least one node (`ray start`), or run without --ray")
        self.workers = list(workers)
        self.max_attempts = max_attempts
        self.on_lost = on_lost
        self._busy = {w.name: 0 for w in self.workers}
        self._alive = {w.name for w in self.workers}
        self._changed = asyncio.Condition()

    @property
    def capacity(self) -> int:
        return sum(w.slots for w in self.workers if w.name in self._alive)

    def alive(self) -> list[str]:
        return [w.name for w in self.workers if w.name in self._alive]

    async def _acquire(self, needs: frozenset[Need]) -> Worker:
        async with self._changed:
            while True:
                able = [w for w in self.workers if w.name in self._alive and needs <= w.offers]
                if not able:
                    wanted = ", ".join(sorted(n.value for n in needs)) or "nothing"
                    raise RunError(
                        f"no live node offers what this run needs ({wanted})",
                        hint="start nodes with e.g. ray start --resources='{\"sandbox\": 1}'",
                    )
                free = [w for w in able if self._busy[w.name] < w.slots]
                if free:
                    worker = max(free, key=lambda w: w.slots - self._busy[w.name])
                    self._busy[worker.name] += 1
                    return worker
                await self._changed.wait()

    async def _release(self, worker: Worker, *, lost: str | None = None) -> None:
        async with self._changed:
            self._busy[worker.name] -= 1
            if lost is not None and worker.name in self._alive:
                self._alive.discard(worker.name)
                if self.on_lost is not None:
                    self.on_lost(worker.name, lost)
            self._changed.notify_all()

    async def run_item(self, item: BatchItem, run_id: str, needs: frozenset[Need] = frozenset()) -> BatchLine:
        """Run ``item`` on a node that offers ``needs``; on a lost node, again elsewhere (same run id)."""
        lost_on: list[str] = []
        while True:
            worker = await self._acquire(needs)
            try:
                line = await worker.run(item, run_id)
            except NodeLost as error:
                await self._release(worker, lost=error.reason)
                lost_on.append(worker.name)
                if len(lost_on) >= self.max_attempts:
                    return BatchLine(
                        id=item.id,
                        run_id=run_id,
                        status="failed",
                        node=worker.name,
                        attempts=len(lost_on),
                        error=f"lost {len(lost_on)} nodes under this run ({', '.join(lost_on)})",
                    )
                continue
            await self._release(worker)
            return line.model_copy(update={"attempts": len(lost_on) + 1})

    async def run(self, task: str, *, run_id: str | None = None) -> RunResult:
        """Run a plain-language task somewhere in the pool (the ``Junto.run`` shape ``junto eval`` uses)."""
        run_id = run_id or uuid.uuid4().hex
        lost = 0
        while True:
            worker = await self._acquire(frozenset({Need.SANDBOX}) if self._any_offers(Need.SANDBOX) else frozenset())
            try:
                result = await worker.run_task(task, run_id)
            except NodeLost as error:
                await self._release(worker, lost=error.reason)
                lost += 1
                if lost >= self.max_attempts:
                    raise
                continue
            await self._release(worker)
            return result

    def _any_offers(self, need: Need) -> bool:
        return any(need in w.offers for w in self.workers if w.name in self._alive)

    async def aclose(self) -> None:
        for worker in self.workers:
            if worker.name in self._alive:
                await worker.close()
