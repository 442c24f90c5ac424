"""``junto batch``: many runs from a JSONL file, one JSON line of results per run, resumable.

Each input line is a :class:`~junto.scale.BatchItem` (``{"id": "q1", "task":
"..."}`` or ``{"id": "g1", "graph": "package.module:graph"}``; a line without
``id`` is named by its line number). Each item's run id is derived from the
results file and the item id, so running the same batch again:

- skips every item that already has a line in the results file;
- continues an item whose run was interrupted (the process was killed, a node
  was lost) from its checkpoints, without redoing finished tasks;
- takes an item whose run finished but whose line was never written from the
  store, without running it again.

Only the driver writes the results file, one line per item, each flushed and
synced before the next, so a line is never written twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError

from junto._exceptions import ConfigError, JuntoError
from junto.scale._pool import Pool
from junto.scale._runner import BatchItem, BatchLine, Need, load_item_graph

__all__ = ["BatchSummary", "done_ids", "needs_of", "read_batch", "run_batch", "run_id_for"]


def read_batch(path: Path) -> list[BatchItem]:
    """The items of a JSONL batch file; :class:`ConfigError` naming the line of the first bad one."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from error
    items: list[BatchItem] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            if not isinstance(raw, dict):
                raise ValueError("a line must be a JSON object")
            raw.setdefault("id", str(number))
            item = BatchItem.model_validate(raw)
        except (ValueError, ValidationError) as error:
            reason = error.errors()[0]["msg"] if isinstance(error, ValidationError) else str(error)
            raise ConfigError(f"{path}:{number}: {reason}", hint='each line: {"id": "...", "task": "..."}') from None
        if item.id in seen:
            raise ConfigError(f"{path}:{number}: the id {item.id!r} is used twice", hint="give each line its own id")
        seen.add(item.id)
        items.append(item)
    return items


def run_id_for(results: Path, item: BatchItem) -> str:
    """The run id of ``item`` in the batch writing to ``results``: the same every time it is run."""
    digest = hashlib.sha256(f"{results.resolve()}\0{item.id}".encode()).hexdigest()[:16]
    return f"batch-{digest}"


def done_ids(results: Path) -> set[str]:
    """Item ids the results file already holds (a last line cut short by a kill is ignored)."""
    if not results.exists():
        return set()
    ids: set[str] = set()
    for line in results.read_text(encoding="utf-8").splitlines():
        try:
            ids.add(json.loads(line)["id"])
        except (ValueError, KeyError, TypeError):
            continue
    return ids


def needs_of(item: BatchItem, *, local_model: bool) -> frozenset[Need]:
    """What ``item``'s run needs from its node.

    A plain-language task may be planned into code tasks, so it needs the
    sandbox; a graph needs it only when it holds a code task. ``local_model``:
    the configuration puts a role on the embedded model.
    """
    from junto._tasks import TaskKind
    from junto.graphs._builder import TaskGraph

    needs = {Need.LOCAL_MODEL} if local_model else set()
    if item.task is not None:
        needs.add(Need.SANDBOX)
    else:
        graph = load_item_graph(item.graph or "")
        compiled = graph.compile() if isinstance(graph, TaskGraph) else graph
        if any(spec.kind is TaskKind.CODE for spec in compiled.specs):
            needs.add(Need.SANDBOX)
    return frozenset(needs)


class BatchSummary:
    """Counts as the batch goes: done, failed, and runs finished per node."""

    def __init__(self, total: int, skipped: int) -> None:
        self.total = total
        self.skipped = skipped
        self.done = 0
        self.failed = 0
        self.by_node: dict[str, int] = {}
        self.lost: list[str] = []

    def add(self, line: BatchLine) -> None:
        self.done += 1
        self.failed += int(line.failed)
        self.by_node[line.node] = self.by_node.get(line.node, 0) + 1

    def nodes_text(self) -> str:
        return " ".join(f"{node}:{count}" for node, count in sorted(self.by_node.items()))


async def run_batch(
    items: Sequence[BatchItem],
    pool: Pool,
    *,
    results: Path,
    local_model: bool = False,
    on_line: Callable[[BatchLine, BatchSummary], None] | None = None,
) -> BatchSummary:
    """Run every item not yet in ``results`` on ``pool``, appending one line per run as each finishes."""
    done = done_ids(results)
    todo = [item for item in items if item.id not in done]
    summary = BatchSummary(total=len(items), skipped=len(items) - len(todo))
    results.parent.mkdir(parents=True, exist_ok=True)
    _drop_torn_tail(results)
    needs = _needs(todo, local_model=local_model)
    write = asyncio.Lock()

    async def one(item: BatchItem) -> None:
        line = await pool.run_item(item, run_id_for(results, item), needs[item.id])
        async with write:
            with results.open("a", encoding="utf-8") as handle:
                handle.write(line.model_dump_json() + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            summary.add(line)
            if on_line is not None:
                on_line(line, summary)

    await asyncio.gather(*(one(item) for item in todo))
    return summary


def _needs(items: Sequence[BatchItem], *, local_model: bool) -> dict[str, frozenset[Need]]:
    """What each item's run needs, by item id; items naming the same graph share one look (one load and compile)."""
    needs: dict[str, frozenset[Need]] = {}
    of_graph: dict[str, frozenset[Need]] = {}
    for item in items:
        if item.graph is not None and item.graph in of_graph:
            needs[item.id] = of_graph[item.graph]
            continue
        try:
            found = needs_of(item, local_model=local_model)
        except JuntoError:
            found = frozenset()  # the node reports the bad graph in the item's line
        needs[item.id] = found
        if item.graph is not None:
            of_graph[item.graph] = found
    return needs


def _drop_torn_tail(results: Path) -> None:
    """A kill during a write can leave half a line; cut it so the next line starts clean."""
    if not results.exists():
        return
    data = results.read_bytes()
    if data and not data.endswith(b"\n"):
        with results.open("r+b") as handle:
            handle.truncate(data.rfind(b"\n") + 1)
