"""A run killed mid-way resumes from its checkpoint without redoing finished tasks."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from junto.graphs import CompiledGraph, Executor, FunctionSpecialist, TaskGraph
from junto.graphs._checkpoint import open_checkpointer

from junto._tasks import AgentContext, Status, TaskKind, TaskResult, TaskSpec
from junto.models import FunctionModel, Roster

ROOT = Path(__file__).resolve().parents[2]


def resumable_graph() -> CompiledGraph:
    g = TaskGraph()
    a = g.math("quick", id="A")
    b = g.general("slow", id="B")
    g.writing("combine", id="C", after=[a, b])
    return g.compile()


def _ctx() -> AgentContext:
    return AgentContext(roster=Roster.single(FunctionModel(lambda messages, request: "ok")), run_id="resume-me")


async def _first_run(db: str, b_delay: float) -> None:
    async def work(task: TaskSpec, inputs: dict[str, TaskResult], ctx) -> TaskResult | str:
        if task.id == "B":
            await asyncio.sleep(b_delay)
        if task.id == "A":
            print("A finished", flush=True)
            return TaskResult(task_id="A", kind=task.kind, status=Status.VERIFIED, reason="first process")
        return f"{task.id} done"

    specialists = {k: FunctionSpecialist(k, work) for k in TaskKind}
    async with open_checkpointer(db) as saver:
        await Executor(specialists, checkpointer=saver).run(resumable_graph(), _ctx(), run_id="resume-me")


if __name__ == "__main__":
    asyncio.run(_first_run(sys.argv[1], float(sys.argv[2])))


@pytest.mark.slow
async def test_killed_run_resumes_without_rerunning_finished_tasks(tmp_path: Path) -> None:
    db = str(tmp_path / "checkpoints.db")
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.test_run_resume", db, "60"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "A finished", child.stderr.read()
        time.sleep(0.8)  # let the checkpoint write of A land
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()
        child.stderr.close()

    calls: list[str] = []

    def work(task: TaskSpec, inputs: dict[str, TaskResult], ctx) -> str:
        calls.append(task.id)
        return f"{task.id} redone <- {','.join(sorted(inputs))}"

    specialists = {k: FunctionSpecialist(k, work) for k in TaskKind}
    async with open_checkpointer(db) as saver:
        outcome = await Executor(specialists, checkpointer=saver).run(resumable_graph(), _ctx(), run_id="resume-me")
    assert sorted(calls) == ["B", "C"]  # A's specialist is not called again
    assert outcome.resumed == ["A"]
    assert outcome.results["A"].status is Status.VERIFIED
    assert outcome.results["A"].reason == "first process"
    assert outcome.results["C"].output_text() == "C redone <- A,B"


async def test_a_finished_run_id_runs_again_from_scratch(tmp_path: Path) -> None:
    calls: list[str] = []
    specialists = {k: FunctionSpecialist(k, lambda t, i, c: calls.append(t.id) or "ok") for k in TaskKind}
    async with open_checkpointer(tmp_path / "c.db") as saver:
        executor = Executor(specialists, checkpointer=saver)
        await executor.run(resumable_graph(), _ctx(), run_id="again")
        second = await executor.run(resumable_graph(), _ctx(), run_id="again")
    assert sorted(calls) == ["A", "A", "B", "B", "C", "C"]
    assert second.resumed == []


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_a_cancelled_run_resumes_on_either_checkpoint_store(tmp_path: Path, backend: str) -> None:
    import uuid

    url = str(tmp_path / "c.db") if backend == "sqlite" else "postgresql://junto:junto@127.0.0.1:5432/junto_test"
    run_id = f"cancelled-{uuid.uuid4().hex[:8]}"
    calls: list[str] = []
    a_done = asyncio.Event()

    async def first(task: TaskSpec, inputs, ctx) -> str:
        calls.append(task.id)
        if task.id == "A":
            a_done.set()
            return "A from the first run"
        await asyncio.sleep(60)
        return "never"

    async with open_checkpointer(url) as saver:
        specialists = {k: FunctionSpecialist(k, first) for k in TaskKind}
        job = asyncio.create_task(Executor(specialists, checkpointer=saver).run(resumable_graph(), _ctx(), run_id=run_id))
        await a_done.wait()
        await asyncio.sleep(0.5)  # A's result is written as soon as it finishes
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job

    again: list[str] = []
    async with open_checkpointer(url) as saver:
        specialists = {k: FunctionSpecialist(k, lambda t, i, c: again.append(t.id) or f"{t.id} second") for k in TaskKind}
        outcome = await Executor(specialists, checkpointer=saver).run(resumable_graph(), _ctx(), run_id=run_id)
    assert sorted(again) == ["B", "C"]
    assert outcome.results["A"].output_text() == "A from the first run"
    assert outcome.resumed == ["A"]


@pytest.mark.slow
async def test_a_run_cancelled_at_any_moment_leaves_the_checkpoint_file_writable(tmp_path: Path) -> None:
    """Cancel just after A finishes, at many small delays: a checkpoint write cut short (or still in flight)
    must not leave the file locked for the run that resumes it."""

    async def first(task: TaskSpec, inputs, ctx) -> str:
        if task.id == "A":
            a_done.set()
            return "A"
        await asyncio.sleep(60)
        return "never"

    delays = [0.0, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.02]
    for attempt in range(90):
        db, run_id, a_done = tmp_path / f"c{attempt}.db", f"cut-{attempt}", asyncio.Event()
        async with open_checkpointer(db) as saver:
            job = asyncio.create_task(
                Executor({k: FunctionSpecialist(k, first) for k in TaskKind}, checkpointer=saver).run(
                    resumable_graph(), _ctx(), run_id=run_id
                )
            )
            await a_done.wait()
            await asyncio.sleep(delays[attempt % len(delays)])
            job.cancel()
            with pytest.raises(asyncio.CancelledError):
                await job
        async with open_checkpointer(db, busy_timeout_ms=500) as saver:
            specialists = {k: FunctionSpecialist(k, lambda t, i, c: "again") for k in TaskKind}
            outcome = await Executor(specialists, checkpointer=saver).run(resumable_graph(), _ctx(), run_id=run_id)
        assert outcome.results["C"].output_text() == "again", f"attempt {attempt}"
