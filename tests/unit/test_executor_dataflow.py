"""The executor runs a compiled graph as a dataflow: timing, failure isolation, budget."""

from __future__ import annotations

import asyncio
import time

import pytest
from junto.graphs import Executor, FunctionSpecialist, TaskGraph

from junto._budget import Budget, BudgetTracker
from junto._events import BudgetUpdated, TaskFinished, TaskStarted
from junto._tasks import AgentContext, Status, TaskKind, TaskResult, TaskSpec
from junto.models import FunctionModel, Roster
from junto.models._types import Usage


def _ctx(**kwargs) -> AgentContext:
    return AgentContext(roster=Roster.single(FunctionModel(lambda messages, request: "ok")), run_id="r1", **kwargs)


async def test_a_task_starts_when_its_own_inputs_are_done_not_at_the_end_of_a_step() -> None:
    """A (slow) holds until C is done; C needs only B. Under supersteps C would wait for A: a deadlock here.

    No wall-clock margins: the order of events decides, so a busy machine cannot fail it.
    """
    g = TaskGraph()
    g.general("slow", id="A")
    b = g.general("fast", id="B")
    g.general("after fast", id="C", after=b)
    log: list[str] = []
    c_done = asyncio.Event()

    async def work(task: TaskSpec, inputs: dict[str, TaskResult], ctx: AgentContext) -> str:
        log.append(f"{task.id} start")
        if task.id == "A":
            try:
                await asyncio.wait_for(c_done.wait(), timeout=20)
            except TimeoutError:
                log.append("A gave up waiting for C")
        log.append(f"{task.id} end")
        if task.id == "C":
            c_done.set()
        return f"{task.id}<-{','.join(sorted(inputs))}"

    executor = Executor({TaskKind.GENERAL: FunctionSpecialist(TaskKind.GENERAL, work)})
    outcome = await executor.run(g.compile(), _ctx())
    assert "A gave up waiting for C" not in log
    assert log.index("C start") > log.index("B end")  # C waited for its input B
    assert log.index("C end") < log.index("A end")  # ... and not for its slow sibling A
    assert log.index("A start") < log.index("B end")  # independent tasks run together
    assert outcome.results["C"].output_text() == "C<-B"


async def test_a_failing_task_does_not_take_the_others_down() -> None:
    g = TaskGraph()
    g.math("fine", id="A")
    b = g.general("breaks", id="B")
    g.writing("needs B", id="C", after=b)

    def explode(task: TaskSpec, inputs, ctx) -> str:
        raise ValueError("specialist bug")

    verified = TaskResult(task_id="A", kind=TaskKind.MATH, status=Status.VERIFIED)
    writer = FunctionSpecialist(TaskKind.WRITING, lambda t, i, c: "never")
    events: list = []
    executor = Executor(
        {
            TaskKind.MATH: FunctionSpecialist(TaskKind.MATH, lambda t, i, c: verified),
            TaskKind.GENERAL: FunctionSpecialist(TaskKind.GENERAL, explode),
            TaskKind.WRITING: writer,
        }
    )
    outcome = await executor.run(g.compile(), _ctx(emit=events.append))
    results = outcome.results
    assert results["A"].status is Status.VERIFIED
    assert results["B"].status is Status.FAILED
    assert results["B"].reason == "ValueError: specialist bug"
    assert results["C"].status is Status.SKIPPED
    assert "'B' (failed)" in (results["C"].reason or "")
    assert writer.calls == []
    finished = {e.task_id: e.status for e in events if isinstance(e, TaskFinished)}
    assert finished == {"A": Status.VERIFIED, "B": Status.FAILED, "C": Status.SKIPPED}
    assert outcome.exit_reason.value == "completed"


async def test_proceed_policy_runs_the_dependant_with_the_input_marked() -> None:
    g = TaskGraph()
    b = g.general("breaks", id="B")
    g.writing("needs B", id="C", after=b)
    seen: dict[str, TaskResult] = {}

    def write(task: TaskSpec, inputs: dict[str, TaskResult], ctx) -> str:
        seen.update(inputs)
        return "written anyway"

    failed = TaskResult(task_id="B", kind=TaskKind.GENERAL, status=Status.FAILED, reason="checks failed")
    executor = Executor(
        {
            TaskKind.GENERAL: FunctionSpecialist(TaskKind.GENERAL, lambda t, i, c: failed),
            TaskKind.WRITING: FunctionSpecialist(TaskKind.WRITING, write),
        },
        on_failed_input="proceed",
    )
    outcome = await executor.run(g.compile(), _ctx())
    assert outcome.results["C"].output_text() == "written anyway"
    assert seen["B"].status is Status.UNVERIFIED
    assert "input not verified: task failed (checks failed)" == seen["B"].reason


async def test_spent_budget_stops_new_tasks_and_keeps_verified_results() -> None:
    g = TaskGraph()
    a = g.math("first", id="A")
    b = g.math("second", id="B", after=a)
    g.math("third", id="C", after=b)
    tracker = BudgetTracker(Budget(max_tokens=100))

    def spend(task: TaskSpec, inputs, ctx: AgentContext) -> TaskResult:
        ctx.budget.record(Usage(prompt_tokens=40, completion_tokens=20), 0.0)
        return TaskResult(
            task_id=task.id, kind=task.kind, status=Status.VERIFIED, usage=Usage(prompt_tokens=40, completion_tokens=20)
        )

    math = FunctionSpecialist(TaskKind.MATH, spend)
    events: list = []
    outcome = await Executor({TaskKind.MATH: math}).run(g.compile(), _ctx(budget=tracker, emit=events.append))
    assert math.calls == ["A", "B"]  # 120 tokens after B: C never starts
    assert outcome.exit_reason.value == "budget"
    assert outcome.budget_resource == "tokens"
    assert [outcome.results[t].status for t in "ABC"] == [Status.VERIFIED, Status.VERIFIED, Status.SKIPPED]
    assert "token budget of 100 is spent" in (outcome.results["C"].reason or "")
    assert [e.task_id for e in events if isinstance(e, TaskStarted)] == ["A", "B"]
    assert [e.tokens for e in events if isinstance(e, BudgetUpdated)][:2] == [60, 120]


async def test_wall_time_budget_cancels_the_running_task_cleanly() -> None:
    g = TaskGraph()
    g.general("quick", id="A")
    g.general("endless", id="B")

    async def work(task: TaskSpec, inputs, ctx) -> str:
        await asyncio.sleep(0.01 if task.id == "A" else 30)
        return "done"

    tracker = BudgetTracker(Budget(max_wall_s=0.3))
    started = time.perf_counter()
    outcome = await Executor({TaskKind.GENERAL: FunctionSpecialist(TaskKind.GENERAL, work)}).run(
        g.compile(), _ctx(budget=tracker)
    )
    assert time.perf_counter() - started < 2.0
    assert outcome.results["A"].output_text() == "done"
    assert outcome.results["B"].status is Status.FAILED
    assert "wall-time" in (outcome.results["B"].reason or "")
    assert outcome.exit_reason.value == "budget"


async def test_a_kind_without_a_specialist_is_refused_before_anything_runs() -> None:
    g = TaskGraph()
    g.code("write code")
    from junto import RunError

    with pytest.raises(RunError, match="code"):
        await Executor({}).run(g.compile(), _ctx())
