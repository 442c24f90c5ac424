"""One conformance suite for the run store, run against SQLite and the real PostgreSQL server."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from junto.graphs import Plan, PlanTask
from junto.graphs._store import PostgresStore, SqliteStore, open_store

from junto import RunError
from junto._home import default_store_path
from junto._runs import RunPlan, RunRecord, RunResult, RunStatus, RunUsage
from junto._tasks import Status, TaskKind, TaskResult, TextOutput
from junto.models._types import Message

POSTGRES_URL = "postgresql://junto:junto@127.0.0.1:5432/junto_test"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqliteStore | PostgresStore]:
    url = str(tmp_path / "junto.db") if request.param == "sqlite" else POSTGRES_URL
    async with open_store(url) as opened:
        yield opened


def _record(run_id: str, *, session_id: str | None = None, started_at: float = 0.0, answer: str = "42") -> RunRecord:
    plan = Plan(tasks=[PlanTask(id="m", kind="math", instruction="6*7")])
    result = RunResult(
        run_id=run_id,
        session_id=session_id,
        task="what is 6*7?",
        plan=RunPlan.of(plan),
        results={"m": TaskResult(task_id="m", kind=TaskKind.MATH, status=Status.VERIFIED, output=TextOutput(text="42"))},
        answer=answer,
        status=RunStatus.VERIFIED,
        usage=RunUsage(tokens=12, cost_usd=0.001),
        duration_s=0.5,
    )
    return RunRecord(result=result, plan_source="planner", started_at=started_at)


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_a_saved_run_comes_back_whole(store) -> None:
    run_id = _unique("run")
    record = _record(run_id, started_at=100.0)
    await store.save_run(record)
    loaded = await store.get_run(run_id)
    assert loaded == record
    assert loaded.result.results["m"].status is Status.VERIFIED
    assert await store.get_run(_unique("missing")) is None


async def test_saving_again_updates_the_record(store) -> None:
    run_id = _unique("run")
    await store.save_run(_record(run_id, answer="first"))
    await store.save_run(_record(run_id, answer="second"))
    assert (await store.get_run(run_id)).result.answer == "second"


async def test_runs_are_listed_most_recent_first_and_by_session(store) -> None:
    session = _unique("s")
    ids = [_unique("run") for _ in range(3)]
    for n, run_id in enumerate(ids):
        await store.save_run(_record(run_id, session_id=session, started_at=1e9 + n))
    listed = await store.list_runs(session_id=session)
    assert [r.run_id for r in listed] == list(reversed(ids))
    assert listed[0].status is RunStatus.VERIFIED and listed[0].cost_usd == pytest.approx(0.001)
    latest = await store.list_runs(limit=2)
    assert len(latest) == 2


async def test_sessions_keep_the_conversation_in_order(store) -> None:
    session = _unique("s")
    fresh = await store.get_session(session)
    assert fresh.is_new and fresh.messages == []
    await store.append_messages(session, [Message.user("first question"), Message.assistant("first answer")], run_id="r1")
    await store.append_messages(session, [Message.user("and then?"), Message.assistant("second answer")], run_id="r2")
    loaded = await store.get_session(session)
    assert not loaded.is_new
    assert [m.content for m in loaded.messages] == ["first question", "first answer", "and then?", "second answer"]
    assert loaded.run_ids == ["r1", "r2"]
    assert session in await store.list_sessions(limit=50)


async def test_concurrent_writes_to_one_session_all_land(store) -> None:
    session = _unique("s")
    await asyncio.gather(*(store.append_messages(session, [Message.user(f"q{n}")], run_id=f"r{n}") for n in range(20)))
    loaded = await store.get_session(session)
    assert sorted(m.content for m in loaded.messages) == sorted(f"q{n}" for n in range(20))


async def test_a_closed_store_says_so() -> None:
    store = SqliteStore(":memory:")
    with pytest.raises(RunError, match="not open"):
        await store.get_run("x")


def test_default_path_follows_junto_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JUNTO_HOME", str(tmp_path))
    assert default_store_path() == tmp_path / "junto.db"
    monkeypatch.delenv("JUNTO_HOME")
    assert default_store_path().name == "junto.db"


async def test_a_run_is_found_by_a_unique_prefix_of_its_id(store) -> None:
    head = uuid.uuid4().hex[:10]
    first, second = f"{head}a{uuid.uuid4().hex[:8]}", f"{head}b{uuid.uuid4().hex[:8]}"
    for i, run_id in enumerate((first, second)):
        await store.save_run(_record(run_id, started_at=float(i)))
    assert await store.resolve_run_id(first[:11]) == first
    assert await store.resolve_run_id(second) == second
    with pytest.raises(RunError, match=f"ambiguous.*{second}.*{first}"):
        await store.resolve_run_id(head)
    with pytest.raises(RunError, match="no run"):
        await store.resolve_run_id(_unique("missing"))
