"""Open the pool a batch or evaluation runs on: this process (the default) or a Ray cluster (``--ray``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from junto._config import LOCAL_MODEL_NAME, JuntoConfig, ProviderKind
from junto.scale._pool import LocalWorker, Pool
from junto.scale._runner import NodeRunner

__all__ = ["open_ensemble", "open_pool", "uses_local_model"]


def uses_local_model(config: JuntoConfig) -> bool:
    """Whether some role runs on an in-process model (the embedded one or another GGUF)."""
    names = set(config.default_tiers()) | {name for names in config.roles.values() for name in names}
    return any(
        name == LOCAL_MODEL_NAME if name not in config.models else config.models[name].provider is ProviderKind.LOCAL
        for name in names
    )


@contextlib.asynccontextmanager
async def open_pool(
    *,
    ray_address: str | None,
    config_toml: str | None,
    store: str | None,
    slots: int,
    samples: int | None = None,
    on_lost: Callable[[str, str], None] | None = None,
) -> AsyncIterator[Pool]:
    """A pool of ``slots`` runs at once on this process, or per node of the Ray cluster at ``ray_address``.

    ``ray_address`` ``None`` is the local engine; ``"auto"`` is ``$RAY_ADDRESS``
    or a new local Ray cluster. Every runner uses ``config_toml`` (the text of
    the driver's ``junto.toml``) and the run store ``store``.
    """
    if ray_address is None:
        runner = NodeRunner(node="local", config_toml=config_toml, store=store, samples=samples)
        pool = Pool([LocalWorker(runner, slots=slots)], on_lost=on_lost)
        try:
            await runner.open()
            yield pool
        finally:
            await pool.aclose()
        return
    from junto.scale._ray import connect, ray_workers

    ray = connect(ray_address)
    try:
        workers = await ray_workers(ray, slots=slots, config_toml=config_toml, store=store, samples=samples)
        pool = Pool(workers, on_lost=on_lost)
        try:
            yield pool
        finally:
            await pool.aclose()
    finally:
        ray.shutdown()


@contextlib.asynccontextmanager
async def open_ensemble(
    ray_address: str | None, *, config: JuntoConfig, store: str, slots: int, **junto_options: Any
) -> AsyncIterator[Any]:
    """What ``junto eval`` runs its items on: a Junto here, or a :class:`Pool` over the Ray cluster at ``ray_address``.

    Both have ``run(task) -> RunResult``. On Ray each node's runner builds its
    own Junto from ``config`` (its sandbox included) and shares ``[store] url``,
    else ``store`` (a SQLite file: nodes on this machine only).
    """
    if ray_address is None:
        from junto._junto import Junto

        async with Junto.start(store=store, **junto_options) as junto:
            yield junto
        return
    config_toml = config.source.read_text(encoding="utf-8") if config.source is not None else None
    samples = junto_options.get("samples")
    shared = config.store.url or str(Path(store).resolve())  # the nodes' working directories are not this one
    async with open_pool(
        ray_address=ray_address,
        config_toml=config_toml,
        store=shared,
        slots=slots,
        samples=samples if isinstance(samples, int) else None,
    ) as pool:
        yield pool
