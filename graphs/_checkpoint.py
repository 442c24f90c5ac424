"""Open the checkpoint saver that makes runs resumable: SQLite (default) or PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver

from junto._exceptions import MissingDependencyError, RunError

__all__ = ["is_postgres_url", "open_checkpointer"]


def is_postgres_url(url: str | Path) -> bool:
    return str(url).startswith(("postgresql://", "postgres://"))


@asynccontextmanager
async def open_checkpointer(url: str | Path, *, busy_timeout_ms: int = 10_000) -> AsyncIterator[BaseCheckpointSaver]:
    """A checkpoint saver for ``url``: a ``postgresql://`` URL or an SQLite file path.

    SQLite runs in WAL mode with a busy timeout, so many runs can share a file.
    """
    if is_postgres_url(url):
        try:
            from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
        except ImportError as error:
            raise MissingDependencyError("PostgreSQL checkpoints", "postgres") from error
        try:
            async with AsyncPostgresSaver.from_conn_string(str(url)) as saver:
                await saver.setup()
                yield saver
        except OSError as error:
            raise RunError(f"cannot open the PostgreSQL checkpoint store: {error}") from error
        return
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    path = Path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    async with AsyncSqliteSaver.from_conn_string(str(path)) as saver:
        await saver.conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        await saver.conn.execute("PRAGMA journal_mode = WAL")
        await saver.setup()
        yield saver
