"""Many runs at once on one SQLite store: no lost records, no 'database is locked'."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from junto.graphs import FunctionSpecialist, Plan, PlanTask
from junto.graphs._join import JoinAggregator

from junto._junto import Junto
from junto._plan import PlanOutcome
from junto._runs import RunStatus
from junto._tasks import TaskKind, TaskSpec
from junto.models import FunctionModel, Roster


class TwoStepPlanner:
    async def plan(self, task, ctx, *, history=None):
        tasks = [
            PlanTask(id="a", kind="math", instruction=task),
            PlanTask(id="b", kind="writing", instruction="say", depends_on=["a"]),
        ]
        return PlanOutcome(plan=Plan(tasks=tasks), source="planner", repairs=[])


async def _work(task: TaskSpec, inputs, ctx) -> str:
    await asyncio.sleep(0.01)
    return f"{ctx.run_id}:{task.id}"


@pytest.mark.slow
async def test_fifty_concurrent_runs_on_one_sqlite_file(tmp_path: Path) -> None:
    db = tmp_path / "junto.db"
    options = dict(
        roster=Roster.single(FunctionModel(lambda m, r: "x")),
        planner=TwoStepPlanner(),
        aggregator=JoinAggregator(),
        specialists={k: FunctionSpecialist(k, _work) for k in TaskKind},
        store=db,
    )
    juntos = [Junto(**options) for _ in range(5)]  # five connections to the same file, like five processes
    try:
        results = await asyncio.gather(
            *(juntos[n % 5].run(f"task {n}", run_id=f"run-{n}", session=f"s-{n % 7}") for n in range(50))
        )
        store = juntos[0].store
        records = [await store.get_run(f"run-{n}") for n in range(50)]
        listed = await store.list_runs(limit=100)
        sessions = [await store.get_session(f"s-{k}") for k in range(7)]
    finally:
        for junto in juntos:
            await junto.aclose()
    assert all(r.exit_reason == "completed" and r.status is RunStatus.UNVERIFIED for r in results)
    assert all(rec is not None and rec.result.answer.endswith(f"run-{n}:b") for n, rec in enumerate(records))
    assert len(listed) == 50
    assert sum(len(s.run_ids) for s in sessions) == 50
    assert sum(len(s.messages) for s in sessions) == 100
