"""One node's share of a batch: a :class:`NodeRunner` hosts a Junto and runs items on it.

A runner is built from plain values (the ``junto.toml`` text, the store URL,
the node's name), so the same class runs in-process for the local engine and
as a Ray actor on every node of a cluster (one actor per node). Its Junto
opens the shared run store and checkpoints on first use, and starts that
node's warm sandbox pool when the first code task arrives.

A run id given again continues the run: an interrupted run resumes from its
checkpoints (finished tasks are not redone), and a run the store already
holds as finished is returned as it is, not run a second time.
"""

from __future__ import annotations

import enum
import importlib
import os
import runpy
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from junto._exceptions import ConfigError, JuntoError
from junto._runs import RunResult

if TYPE_CHECKING:
    from junto._config import JuntoConfig
    from junto._junto import Junto

__all__ = ["BatchItem", "BatchLine", "NODE_CONFIG_VARIABLE", "Need", "NodeRunner", "load_item_graph"]

NODE_CONFIG_VARIABLE = "JUNTO_NODE_CONFIG"


class Need(str, enum.Enum):
    """What a run needs from the node it runs on, as a Ray custom resource of the same name."""

    SANDBOX = "sandbox"  # a Docker engine for the code sandbox
    LOCAL_MODEL = "local_model"  # the embedded model's weights


class BatchItem(BaseModel):
    """One line of a batch file: a plain-language ``task`` or a ``graph`` named as ``module:attribute``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=200)
    task: str | None = None
    graph: str | None = None
    session: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> BatchItem:
        if (self.task is None) == (self.graph is None):
            raise ValueError("give exactly one of 'task' (plain words) or 'graph' (module:attribute)")
        if self.graph is not None and ":" not in self.graph:
            raise ValueError(f"'graph' must be module:attribute, got {self.graph!r}")
        return self


class BatchLine(BaseModel):
    """What ``junto batch`` writes for one run: one JSON line in the results file."""

    id: str
    run_id: str
    status: str
    exit_reason: str | None = None
    node: str = ""
    attempts: int = 1
    reused: bool = Field(default=False, description="the store held this run as finished; it was not run again")
    duration_s: float = 0.0
    error: str | None = None
    result: RunResult | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None or self.status == "failed"


def load_item_graph(target: str) -> Any:
    """The TaskGraph named ``module:attribute`` (or ``path/file.py:attribute``); raises :class:`ConfigError`."""
    from junto.graphs._builder import CompiledGraph, TaskGraph

    module_name, _, attribute = target.rpartition(":")
    try:
        if module_name.endswith(".py"):
            namespace = runpy.run_path(module_name, run_name="__junto_graph__")
        else:
            namespace = vars(importlib.import_module(module_name))
    except Exception as error:  # the user's module: report, don't crash
        raise ConfigError(f"cannot load {module_name}: {type(error).__name__}: {error}") from error
    graph = namespace.get(attribute)
    if not isinstance(graph, (TaskGraph, CompiledGraph)):
        found = "nothing" if graph is None else type(graph).__name__
        raise ConfigError(f"{target} names {found}, not a TaskGraph", hint="name a module-level TaskGraph as module:attribute")
    return graph


class NodeRunner:
    """Runs batch items on one node with one Junto (its store, checkpoints and warm sandbox pool).

    ``config_toml`` is the text of the driver's ``junto.toml`` (``None``: the
    node's own search path); a node whose environment sets
    ``JUNTO_NODE_CONFIG`` (set it for ``ray start``) uses that file instead,
    e.g. to reach the model server on the node itself. ``store`` overrides
    ``[store] url``. Nothing is opened in the constructor.
    """

    def __init__(
        self, *, node: str, config_toml: str | None = None, store: str | None = None, samples: int | None = None
    ) -> None:
        self.node = node
        self.config_toml = config_toml
        self.store = store
        self.samples = samples
        self._junto: Junto | None = None
        self._config: JuntoConfig | None = None  # the configuration that built the Junto's models

    def _build(self) -> Junto:
        from junto._config import JuntoConfig, load_config
        from junto._junto import Junto

        node_config = os.environ.get(NODE_CONFIG_VARIABLE)  # this node's own models (e.g. its local model server)
        if node_config:
            config = load_config(Path(node_config))
        elif self.config_toml is not None:
            config = JuntoConfig.from_toml(self.config_toml)
        else:
            config = load_config(None)
        config = config.with_samples(self.samples)
        self._config = config
        return Junto(
            roster=config.build_roster(),
            budget=config.budget.to_budget(),
            sandbox_limits=config.sandbox,
            samples=self.samples or config.samples or None,
            store=self.store or config.store.url,
        )

    async def _open(self) -> Junto:
        if self._junto is None:
            self._junto = self._build()
        await self._junto.open()
        return self._junto

    async def run(self, item_json: str, run_id: str) -> str:
        """Run one item (a :class:`BatchItem` as JSON) under ``run_id``; returns a :class:`BatchLine` as JSON."""
        item = BatchItem.model_validate_json(item_json)
        started = time.perf_counter()
        try:
            junto = await self._open()
            earlier = await junto.store.get_run(run_id) if junto.store is not None else None
            if earlier is not None and not earlier.result.exit_reason.resumable:
                return self._line(item, run_id, earlier.result, started, reused=True).model_dump_json()
            task = item.task if item.task is not None else load_item_graph(item.graph or "")
            result = await junto.run(task, run_id=run_id, session=item.session)
        except JuntoError as error:
            line = BatchLine(
                id=item.id, run_id=run_id, status="failed", node=self.node, error=str(error), duration_s=_since(started)
            )
            return line.model_dump_json()
        return self._line(item, run_id, result, started).model_dump_json()

    def _line(self, item: BatchItem, run_id: str, result: RunResult, started: float, *, reused: bool = False) -> BatchLine:
        return BatchLine(
            id=item.id,
            run_id=run_id,
            status=result.status.value,
            exit_reason=result.exit_reason.value,
            node=self.node,
            reused=reused,
            duration_s=_since(started),
            result=result,
        )

    async def run_task(self, task: str, run_id: str) -> str:
        """Run a plain-language task; returns the :class:`RunResult` as JSON (what ``junto eval`` needs)."""
        junto = await self._open()
        earlier = await junto.store.get_run(run_id) if junto.store is not None else None
        if earlier is not None and not earlier.result.exit_reason.resumable:
            return earlier.result.model_dump_json()
        return (await junto.run(task, run_id=run_id)).model_dump_json()

    async def open(self) -> str:
        """Build, warm and open the Junto (imports, store, checkpoints) before the first run; returns the node's name."""
        junto = await self._open()
        junto.warm()
        return self.node

    async def close(self) -> None:
        """Close the Junto (its store, checkpoints and sandbox) and the models' connections."""
        if self._junto is not None:
            junto, self._junto = self._junto, None
            await junto.aclose()
        if self._config is not None:
            config, self._config = self._config, None
            await config.aclose()


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)
