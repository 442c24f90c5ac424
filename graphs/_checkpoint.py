"""Open the checkpoint saver that makes runs resumable: SQLite (default) or PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from junto._exceptions import MissingDependencyError, RunError

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

T = TypeVar("T")

__all__ = ["is_postgres_url", "open_checkpointer", "retry_busy"]

_SQLITE_BUSY_CODES = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED


async def retry_busy(step: Callable[[], Awaitable[T]], *, attempts: int = 12) -> T:
    """Run ``step``, again after a pause while SQLite answers 'busy' (e.g. another process switching to WAL).

    The busy timeout does not cover every case (schema changes, journal-mode
    switches, lock upgrades): those return at once, and retrying is the fix.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await step()
        except sqlite3.OperationalError as error:
            if attempt == attempts or getattr(error, "sqlite_errorcode", None) not in _SQLITE_BUSY_CODES:
                raise
            await asyncio.sleep(min(0.02 * 2**attempt, 1.0) * (0.5 + random.random()))
    raise AssertionError("unreachable")  # pragma: no cover


def is_postgres_url(url: str | Path) -> bool:
    return str(url).startswith(("postgresql://", "postgres://"))


@asynccontextmanager
async def open_checkpointer(url: str | Path, *, busy_timeout_ms: int = 10_000) -> AsyncIterator[BaseCheckpointSaver[str]]:
    """A checkpoint saver for ``url``: a ``postgresql://`` URL or an SQLite file path.

    SQLite runs in WAL mode with a busy timeout, so many runs can share a file, and
    synchronous=NORMAL: a commit survives a killed process (not a power cut) without an fsync each.
    """
    if is_postgres_url(url):
        try:
            from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
        except ImportError as error:
            raise MissingDependencyError("PostgreSQL checkpoints", "postgres") from error
        try:
            async with AsyncPostgresSaver.from_conn_string(str(url)) as shared:
                await shared.setup()
                yield shared
        except OSError as error:
            raise RunError(f"cannot open the PostgreSQL checkpoint store: {error}") from error
        return
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    path = Path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    async with AsyncSqliteSaver.from_conn_string(str(path)) as saver:

        async def prepare() -> None:
            await saver.conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            await saver.conn.execute("PRAGMA journal_mode = WAL")
            await saver.conn.execute("PRAGMA synchronous = NORMAL")  # WAL: a killed process loses nothing; no fsync per commit
            await saver.setup()

        try:
            await retry_busy(prepare)
        except sqlite3.Error as error:
            raise RunError(f"cannot open the checkpoint store {path}: {error}") from error
        try:
            yield saver
        finally:
            await _settle(saver)


async def _settle(saver: AsyncSqliteSaver) -> None:
    """Before the connection closes: let a checkpoint write still in flight finish, and roll back one cut short.

    A cancelled run's checkpoint writes can outlive it, and a write cancelled
    between its insert and its commit leaves its transaction open. Closing does
    not end that transaction while the cut-short statement is still referenced
    (SQLite defers the close), so the file would stay locked for the next run
    that opens it. Every write of the saver holds ``saver.lock``; committed
    checkpoints are untouched.
    """
    async with saver.lock:
        with contextlib.suppress(sqlite3.Error, ValueError):  # ValueError: the connection is already closed
            await saver.conn.rollback()
