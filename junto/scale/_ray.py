"""The Ray engine: one :class:`~junto.scale.NodeRunner` actor per node of a Ray cluster.

Nodes say what they offer as Ray custom resources named after
:class:`~junto.scale.Need`: ``ray start --resources='{"sandbox": 1}'`` on a
node with a Docker engine, ``local_model`` on one holding the embedded
model. Each node gets one actor, pinned to it (node affinity, not soft), that
owns the node's Junto and so its warm sandbox pool; a run needing the sandbox
goes only to the actors of nodes offering ``sandbox``, a run that only calls
HTTP models to any of them. Runs keep their state in the shared run store
(PostgreSQL across machines), so when a node dies the driver sends its runs
to another node and they resume from their checkpoints.

Ray is the ``ray`` extra and is imported only here, lazily.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from junto._exceptions import JuntoError, MissingDependencyError, RunError
from junto._runs import RunResult
from junto.scale._pool import NodeLost
from junto.scale._runner import BatchItem, BatchLine, Need, NodeRunner

__all__ = ["RayWorker", "connect", "import_ray", "ray_workers"]

_READY_TIMEOUT_S = 120.0


def import_ray() -> Any:
    """The ``ray`` module, or :class:`MissingDependencyError` naming ``junto[ray]``."""
    try:
        import ray
    except ImportError as error:
        raise MissingDependencyError("running on Ray (--ray)", "ray") from error
    return ray


def connect(address: str | None) -> Any:
    """Join the Ray cluster at ``address`` (``None`` or ``"auto"``: ``$RAY_ADDRESS``, else a new local cluster)."""
    ray = import_ray()
    if ray.is_initialized():
        return ray
    options: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": False}
    if address and address != "auto":
        options["address"] = address
        host = address.removeprefix("ray://").rsplit(":", 1)[0]
        if host in ("127.0.0.1", "localhost"):
            options["_node_ip_address"] = "127.0.0.1"  # a cluster on this machine: keep the driver on loopback
    try:
        ray.init(**options)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise RunError(f"cannot join the Ray cluster at {address or 'auto'}: {error}", hint="check `ray status`") from error
    return ray


def _error_types(ray: Any) -> tuple[type[BaseException], ...]:
    e = ray.exceptions
    return (e.RayActorError, e.WorkerCrashedError, e.NodeDiedError, e.LocalRayletDiedError, e.ObjectLostError)


class RayWorker:
    """The driver's handle on one node's actor."""

    def __init__(self, actor: Any, *, name: str, slots: int, offers: frozenset[Need], ray: Any) -> None:
        self.actor = actor
        self.name = name
        self.slots = slots
        self.offers = offers
        self._ray = ray
        self._lost = _error_types(ray)

    async def _call(self, method: Any, *args: Any) -> Any:
        try:
            return await method.remote(*args)
        except self._lost as error:
            raise NodeLost(self.name, f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}") from None

    async def run(self, item: BatchItem, run_id: str) -> BatchLine:
        return BatchLine.model_validate_json(await self._call(self.actor.run, item.model_dump_json(), run_id))

    async def run_task(self, task: str, run_id: str) -> RunResult:
        return RunResult.model_validate_json(await self._call(self.actor.run_task, task, run_id))

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self._call(self.actor.close), timeout=30)
        except (NodeLost, TimeoutError):
            pass
        self._ray.kill(self.actor, no_restart=True)


async def ray_workers(
    ray: Any, *, slots: int, config_toml: str | None, store: str | None, samples: int | None = None
) -> list[RayWorker]:
    """One actor per live node, pinned to it, each offering what its node's resources say."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    actor_class = ray.remote(NodeRunner)
    pending: list[tuple[RayWorker, Any]] = []
    for node in sorted((n for n in ray.nodes() if n.get("Alive")), key=lambda n: n["NodeID"]):
        resources = node.get("Resources", {})
        offers = frozenset(need for need in Need if resources.get(need.value, 0) > 0)
        name = node["NodeID"][:8]
        actor = actor_class.options(
            num_cpus=0,
            max_restarts=0,
            max_concurrency=max(slots * 2, 8),
            resources={need.value: 0.001 for need in offers},
            scheduling_strategy=NodeAffinitySchedulingStrategy(node_id=node["NodeID"], soft=False),
        ).remote(node=name, config_toml=config_toml, store=store, samples=samples)
        worker = RayWorker(actor, name=name, slots=slots, offers=offers, ray=ray)
        pending.append((worker, actor.open.remote()))  # ready when its Junto is imported and its store open
    ready: list[RayWorker] = []
    unready: tuple[type[BaseException], ...] = (TimeoutError, *_error_types(ray))
    for worker, ping in pending:
        try:
            await asyncio.wait_for(_await(ping), timeout=_READY_TIMEOUT_S)
        except unready:
            ray.kill(worker.actor, no_restart=True)
            continue
        except ray.exceptions.RayTaskError as error:  # the runner could not open (a bad store URL, ...): say why
            for other, _ in pending:
                ray.kill(other.actor, no_restart=True)
            cause = error.cause if isinstance(error.cause, JuntoError) else RunError(str(error).splitlines()[0])
            raise cause from None
        ready.append(worker)
    if not ready:
        raise RunError("no Ray node could start junto's runner", hint="check `ray status` and the nodes' logs")
    return ready


async def _await(ref: Any) -> Any:
    return await ref
