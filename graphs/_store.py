"""Where runs and sessions are kept: SQLite by default, PostgreSQL when configured.

Both stores speak one interface, :class:`RunStore`:

- run records, retrievable by id and listed most recent first;
- sessions: a conversation (user tasks and junto's answers) and the runs it
  holds, so a follow-up can refer to earlier answers.

Open a store with ``async with open_store(url) as store`` (or ``await
store.open()`` / ``await store.aclose()``); constructors do no I/O. SQLite
runs in WAL mode with a busy timeout, so many concurrent runs and processes
can share one file.
"""

from __future__ import annotations

import abc
import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from junto.graphs._checkpoint import is_postgres_url, retry_busy
from pydantic import BaseModel, Field

from junto._exceptions import MissingDependencyError, RunError
from junto._runs import RunRecord, RunSummary
from junto.models._types import Message

__all__ = ["PostgresStore", "RunStore", "Session", "SqliteStore", "open_store", "store_for"]

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS junto_runs (
        run_id TEXT PRIMARY KEY,
        session_id TEXT,
        started_at DOUBLE PRECISION NOT NULL,
        status TEXT NOT NULL,
        record TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS junto_runs_started ON junto_runs (started_at DESC)",
    "CREATE INDEX IF NOT EXISTS junto_runs_session ON junto_runs (session_id, started_at)",
    """CREATE TABLE IF NOT EXISTS junto_sessions (
        session_id TEXT PRIMARY KEY,
        created_at DOUBLE PRECISION NOT NULL,
        updated_at DOUBLE PRECISION NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS junto_messages (
        seq {serial},
        session_id TEXT NOT NULL,
        role TEXT NOT NULL,
        content TEXT NOT NULL,
        run_id TEXT,
        at DOUBLE PRECISION NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS junto_messages_session ON junto_messages (session_id, seq)",
]


class Session(BaseModel):
    """A conversation: its messages in order and the runs it holds."""

    session_id: str
    messages: list[Message] = Field(default_factory=list)
    run_ids: list[str] = Field(default_factory=list)
    created_at: float | None = None

    @property
    def is_new(self) -> bool:
        return self.created_at is None


@runtime_checkable
class RunStore(Protocol):
    """Run records and sessions."""

    @property
    def url(self) -> str: ...

    async def open(self) -> None: ...

    async def aclose(self) -> None: ...

    async def save_run(self, record: RunRecord) -> None: ...

    async def get_run(self, run_id: str) -> RunRecord | None: ...

    async def resolve_run_id(self, prefix: str) -> str: ...

    async def list_runs(self, *, session_id: str | None = None, limit: int = 20) -> list[RunSummary]: ...

    async def get_session(self, session_id: str) -> Session: ...

    async def append_messages(self, session_id: str, messages: Sequence[Message], *, run_id: str | None = None) -> None: ...

    async def list_sessions(self, *, limit: int = 20) -> list[str]: ...


class _SqlStore(abc.ABC):
    """The SQL both stores share; subclasses bring the connection and placeholder style."""

    url: str
    _serial = ""

    async def __aenter__(self) -> _SqlStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @abc.abstractmethod
    async def open(self) -> None: ...

    @abc.abstractmethod
    async def aclose(self) -> None: ...

    @abc.abstractmethod
    async def _execute(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Run ``statements`` in one transaction."""

    @abc.abstractmethod
    async def _fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]: ...

    def _schema(self) -> list[tuple[str, Sequence[Any]]]:
        return [(s.replace("{serial}", self._serial), ()) for s in _SCHEMA]

    async def save_run(self, record: RunRecord) -> None:
        r = record.result
        await self._execute(
            [
                (
                    "INSERT INTO junto_runs (run_id, session_id, started_at, status, record) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (run_id) DO UPDATE SET session_id = excluded.session_id, "
                    "started_at = excluded.started_at, status = excluded.status, record = excluded.record",
                    (r.run_id, r.session_id, record.started_at, r.status.value, record.model_dump_json()),
                )
            ]
        )

    async def get_run(self, run_id: str) -> RunRecord | None:
        rows = await self._fetch("SELECT record FROM junto_runs WHERE run_id = ?", (run_id,))
        return RunRecord.model_validate_json(rows[0][0]) if rows else None

    async def resolve_run_id(self, prefix: str) -> str:
        """The id of the one run whose id is or starts with ``prefix`` (as docker takes ids); :class:`RunError` otherwise."""
        if not prefix or not all(c.isalnum() or c in "-_:" for c in prefix):
            raise RunError(f"'{prefix}' is not a run id", hint="`junto runs` lists the recent runs")
        rows = await self._fetch(
            "SELECT run_id FROM junto_runs WHERE substr(run_id, 1, ?) = ? ORDER BY started_at DESC LIMIT 11",
            (len(prefix), prefix),
        )
        ids = [row[0] for row in rows]
        if prefix in ids or len(ids) == 1:
            return prefix if prefix in ids else ids[0]
        if not ids:
            raise RunError(f"no run with id '{prefix}' in the run store", hint="`junto runs` lists the recent runs")
        shown = ", ".join(ids[:10]) + (", ..." if len(ids) > 10 else "")
        raise RunError(f"run id prefix '{prefix}' is ambiguous: it matches {shown}", hint="give more characters of the id")

    async def list_runs(self, *, session_id: str | None = None, limit: int = 20) -> list[RunSummary]:
        if session_id is None:
            rows = await self._fetch("SELECT record FROM junto_runs ORDER BY started_at DESC LIMIT ?", (limit,))
        else:
            rows = await self._fetch(
                "SELECT record FROM junto_runs WHERE session_id = ? ORDER BY started_at DESC LIMIT ?", (session_id, limit)
            )
        return [RunRecord.model_validate_json(row[0]).summary() for row in rows]

    async def get_session(self, session_id: str) -> Session:
        head = await self._fetch("SELECT created_at FROM junto_sessions WHERE session_id = ?", (session_id,))
        if not head:
            return Session(session_id=session_id)
        rows = await self._fetch(
            "SELECT role, content, run_id FROM junto_messages WHERE session_id = ? ORDER BY seq", (session_id,)
        )
        messages = [Message(role=role, content=content) for role, content, _ in rows]
        run_ids = list(dict.fromkeys(run_id for _, _, run_id in rows if run_id))
        return Session(session_id=session_id, messages=messages, run_ids=run_ids, created_at=head[0][0])

    async def append_messages(self, session_id: str, messages: Sequence[Message], *, run_id: str | None = None) -> None:
        now = time.time()
        statements: list[tuple[str, Sequence[Any]]] = [
            (
                "INSERT INTO junto_sessions (session_id, created_at, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (session_id) DO UPDATE SET updated_at = excluded.updated_at",
                (session_id, now, now),
            )
        ]
        statements += [
            (
                "INSERT INTO junto_messages (session_id, role, content, run_id, at) VALUES (?, ?, ?, ?, ?)",
                (session_id, m.role, m.content, run_id, now),
            )
            for m in messages
        ]
        await self._execute(statements)

    async def list_sessions(self, *, limit: int = 20) -> list[str]:
        rows = await self._fetch("SELECT session_id FROM junto_sessions ORDER BY updated_at DESC LIMIT ?", (limit,))
        return [row[0] for row in rows]


class SqliteStore(_SqlStore):
    """Runs and sessions in one SQLite file (WAL, busy timeout)."""

    _serial = "INTEGER PRIMARY KEY AUTOINCREMENT"

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 30_000) -> None:
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self._conn: Any = None
        self._lock = asyncio.Lock()

    @property
    def url(self) -> str:  # type: ignore[override]
        return str(self.path)

    async def open(self) -> None:
        import aiosqlite

        if self._conn is not None:
            return
        path = Path(self.url)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(str(path), timeout=self.busy_timeout_ms / 1000, isolation_level=None)

        async def prepare() -> None:
            await conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")  # WAL: a killed process loses nothing; no fsync per commit
            await conn.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in self._schema():
                    await conn.execute(sql, tuple(params))
                await conn.commit()
            except BaseException:
                await conn.rollback()
                raise

        try:
            await retry_busy(prepare)
        except BaseException as error:
            await conn.close()  # its worker thread would otherwise outlive the loop
            if isinstance(error, aiosqlite.Error):
                raise RunError(f"cannot open the run store {path}: {error}") from error
            raise
        self._conn = conn

    async def aclose(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    def _connection(self) -> Any:
        if self._conn is None:
            raise RunError("the run store is not open", hint="use `async with open_store(...)` or `await store.open()`")
        return self._conn

    async def _execute(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        import aiosqlite

        conn = self._connection()

        async def write() -> None:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    await conn.execute(sql, tuple(params))
                await conn.commit()
            except BaseException:
                if conn.in_transaction:
                    await conn.rollback()
                raise

        async with self._lock:
            try:
                await retry_busy(write)
            except aiosqlite.Error as error:
                raise RunError(f"the run store refused a write: {error}") from error

    async def _fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        import aiosqlite

        conn = self._connection()
        async with self._lock:
            try:
                async with conn.execute(sql, tuple(params)) as cursor:
                    return [tuple(row) for row in await cursor.fetchall()]
            except aiosqlite.Error as error:
                raise RunError(f"the run store could not be read: {error}") from error


class PostgresStore(_SqlStore):
    """Runs and sessions in PostgreSQL (``[store] url = "postgresql://..."``), via psycopg 3."""

    _serial = "BIGSERIAL PRIMARY KEY"

    def __init__(self, url: str, *, max_connections: int = 10) -> None:
        self.url = url
        self.max_connections = max_connections
        self._pool: Any = None

    async def open(self) -> None:
        if self._pool is not None:
            return
        try:
            import psycopg
            from psycopg_pool import AsyncConnectionPool
        except ImportError as error:
            raise MissingDependencyError("the PostgreSQL store", "postgres") from error
        # autocommit: a lone statement is its own transaction, one round trip (no BEGIN, COMMIT, or
        # COMMIT after a read); statements that go together still share one (see _execute)
        pool = AsyncConnectionPool(self.url, min_size=1, max_size=self.max_connections, open=False, kwargs={"autocommit": True})
        try:
            await pool.open(wait=True, timeout=10)
            self._pool = pool
            await self._execute(self._schema())
        except (psycopg.Error, TimeoutError) as error:
            await pool.close()
            self._pool = None
            raise RunError(f"cannot open the PostgreSQL run store: {error}") from error

    async def aclose(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    def _pool_or_raise(self) -> Any:
        if self._pool is None:
            raise RunError("the run store is not open", hint="use `async with open_store(...)` or `await store.open()`")
        return self._pool

    async def _execute(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        import psycopg

        try:
            async with self._pool_or_raise().connection() as conn:
                if len(statements) == 1:
                    sql, params = statements[0]
                    await conn.execute(sql.replace("?", "%s"), tuple(params))
                    return
                async with conn.transaction():
                    for sql, params in statements:
                        await conn.execute(sql.replace("?", "%s"), tuple(params))
        except psycopg.Error as error:
            raise RunError(f"the run store refused a write: {error}") from error

    async def _fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        import psycopg

        try:
            async with self._pool_or_raise().connection() as conn:
                cursor = await conn.execute(sql.replace("?", "%s"), tuple(params))
                return [tuple(row) for row in await cursor.fetchall()]
        except psycopg.Error as error:
            raise RunError(f"the run store could not be read: {error}") from error


def store_for(url: str | Path) -> SqliteStore | PostgresStore:
    """An unopened store for ``url`` (a SQLite path or ``postgresql://...``)."""
    if is_postgres_url(url):
        return PostgresStore(str(url))
    return SqliteStore(url)


@asynccontextmanager
async def open_store(url: str | Path) -> AsyncIterator[SqliteStore | PostgresStore]:
    """Open the store at ``url`` for the duration of the block."""
    store = store_for(url)
    await store.open()
    try:
        yield store
    finally:
        await store.aclose()
