"""The public Junto API with stand-in planner, specialists and aggregator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from junto.graphs import FunctionSpecialist, Plan, PlanTask, TaskGraph
from junto.graphs._validate import GraphLimits

from junto import _events as ev
from junto._aggregate import AggregateOutcome
from junto._budget import Budget
from junto._exceptions import GraphSetupError, ModelError
from junto._exit import ExitReason
from junto._junto import Junto
from junto._runs import RunStatus
from junto._tasks import AgentContext, Cause, Status, TaskKind, TaskResult, TaskSpec
from junto.models import FunctionModel, Roster
from junto.models._types import Message, Usage


class StubPlanner:
    def __init__(self, plan: Plan) -> None:
        self.plan_to_return = plan
        self.histories: list[list[Message]] = []

    async def plan(self, task: str, ctx: AgentContext, *, history: list[Message] | None = None):
        self.histories.append(list(history or []))
        from junto._plan import PlanOutcome

        return PlanOutcome(plan=self.plan_to_return, source="planner", repairs=[], usage=Usage(prompt_tokens=5), cost_usd=0.0)


class RefusingPlanner:
    async def plan(self, task: str, ctx: AgentContext, *, history=None):
        raise AssertionError("a TaskGraph must not be planned")


class EchoAggregator:
    name = ""

    async def aggregate(self, task, plan, results, ctx, *, on_token=None) -> AggregateOutcome:
        answer = " | ".join(f"{tid}={r.output_text()}" for tid, r in results.items())
        for word in answer.split(" "):
            on_token(word + " ")
        return AggregateOutcome(answer=answer, cited=list(results), consistent=True, usage=Usage(completion_tokens=3))


def _verified(task: TaskSpec, inputs, ctx) -> TaskResult:
    from junto._tasks import TextOutput

    return TaskResult(
        task_id=task.id,
        kind=task.kind,
        status=Status.VERIFIED,
        output=TextOutput(text=f"ok:{task.id}"),
        usage=Usage(prompt_tokens=10, completion_tokens=2),
    )


def _options(tmp_path: Path, **kwargs) -> dict:
    kwargs.setdefault(
        "planner",
        StubPlanner(
            Plan(
                tasks=[
                    PlanTask(id="m", kind="math", instruction="2+2"),
                    PlanTask(id="w", kind="writing", instruction="say", depends_on=["m"]),
                ]
            )
        ),
    )
    kwargs.setdefault("aggregator", EchoAggregator())
    kwargs.setdefault("specialists", {k: FunctionSpecialist(k, _verified) for k in TaskKind})
    return {"roster": Roster.single(FunctionModel(lambda m, r: "x")), "store": tmp_path / "junto.db", **kwargs}


def _junto(tmp_path: Path, **kwargs) -> Junto:
    return Junto(**_options(tmp_path, **kwargs))


async def test_a_string_task_is_planned_run_aggregated_and_recorded(tmp_path: Path) -> None:
    async with Junto.start(**_options(tmp_path)) as junto:
        result = await junto.run("2+2, then say", run_id="run-1")
        record = await junto.store.get_run("run-1")
    assert result.answer == "m=ok:m | w=ok:w"
    assert result.status is RunStatus.VERIFIED and result.exit_reason == "completed"
    assert [t.id for t in result.plan.tasks] == ["m", "w"] and result.plan.tasks[1].depends_on == ["m"]
    assert result.usage.tokens == 5 + 12 + 12 + 3
    shape = json.loads(result.to_json())
    assert list(shape) == [
        "run_id",
        "session_id",
        "task",
        "plan",
        "results",
        "answer",
        "status",
        "exit_reason",
        "usage",
        "duration_s",
    ]
    assert list(shape["plan"]["tasks"][0]) == ["id", "kind", "instruction", "depends_on"]
    assert shape["usage"] == {"tokens": 32, "cost_usd": 0.0}
    assert record is not None and record.result == result and record.plan_source == "planner"
    types = [e.type for e in record.events]
    assert types[0] == "run_started" and types[-1] == "run_finished"
    assert "aggregate_token" not in types  # tokens stream live but are not kept in the trace


async def test_every_task_verified_is_not_a_verified_answer_when_the_planner_wrote_the_tasks(tmp_path: Path) -> None:
    """'add and explain' is not what the tasks '2+2' and 'say' say: the plan is not shown to be the whole request."""
    async with Junto.start(**_options(tmp_path)) as junto:
        result = await junto.run("add and explain", run_id="run-2")
        record = await junto.store.get_run("run-2")
    assert all(r.status is Status.VERIFIED for r in result.results.values())
    assert result.status is RunStatus.UNVERIFIED
    assert {s.instruction_source.value for s in record.graph.specs} == {"model"}


async def test_a_task_graph_skips_the_planner(tmp_path: Path) -> None:
    g = TaskGraph(name="roots")
    r = g.math("roots", id="roots")
    g.code("code", id="code", after=r)
    junto = _junto(tmp_path, planner=RefusingPlanner(), sandbox=object())
    try:
        result = await junto.run(g)
        record = await junto.store.get_run(result.run_id)
    finally:
        await junto.aclose()
    assert result.task == "graph roots"
    assert record.plan_source == "graph"
    assert set(result.results) == {"roots", "code"}


async def test_stream_yields_typed_events_in_order_ending_with_run_finished(tmp_path: Path) -> None:
    junto = _junto(tmp_path)
    try:
        events = [e async for e in junto.stream("2+2, then say", run_id="s1")]
    finally:
        await junto.aclose()
    types = [e.type for e in events]
    assert types[0] == "run_started" and types[-1] == "run_finished"
    assert types.index("task_finished") < types.index("aggregate_started") < types.index("aggregate_token")
    started = [e.task_id for e in events if isinstance(e, ev.TaskStarted)]
    assert started == ["m", "w"]
    tokens = "".join(e.text for e in events if isinstance(e, ev.AggregateToken))
    assert tokens.strip() == "m=ok:m | w=ok:w"
    assert events[-1].status == "verified" and all(e.run_id == "s1" for e in events)
    assert events[-1].exit_reason is ExitReason.COMPLETED
    (plan,) = [e for e in events if isinstance(e, ev.PlanCreated)]  # announced once, by the run
    assert plan.source == "planner" and plan.reason is None


async def test_a_plan_beyond_the_runs_graph_limits_is_refused_not_patched_over(tmp_path: Path) -> None:
    junto = _junto(tmp_path, limits=GraphLimits(max_tasks=1))  # the stub planner makes two tasks
    try:
        with pytest.raises(GraphSetupError) as refused:
            await junto.run("2+2, then say")
    finally:
        await junto.aclose()
    assert "2" in str(refused.value.errors)


def test_the_default_planner_plans_within_the_runs_graph_limits() -> None:
    from junto.agents import Planner

    planner = Junto(roster=Roster.single(FunctionModel(lambda m, r: "x")), limits=GraphLimits(max_tasks=3))._resolve_planner()
    assert isinstance(planner, Planner) and planner.limits.max_tasks == 3  # its fallbacks compile too: one layer
    assert Planner(limits=GraphLimits(max_tasks=20)).limits.max_tasks == 8  # its own cap still holds


def test_run_sync_agrees_with_run(tmp_path: Path) -> None:
    import asyncio

    sync_result = _junto(tmp_path).run_sync("add and explain", run_id="sync")
    junto = _junto(tmp_path)

    async def go():
        try:
            return await junto.run("add and explain", run_id="async")
        finally:
            await junto.aclose()

    async_result = asyncio.run(go())
    strip = {"run_id", "duration_s", "results"}
    assert sync_result.model_dump(exclude=strip) == async_result.model_dump(exclude=strip)
    assert {k: r.status for k, r in sync_result.results.items()} == {k: r.status for k, r in async_result.results.items()}


async def test_a_planner_error_ends_the_run_as_failed_and_is_recorded(tmp_path: Path) -> None:
    class BrokenPlanner:
        async def plan(self, task, ctx, *, history=None):
            raise ModelError("planner model unreachable", model="tiny")

    junto = _junto(tmp_path, planner=BrokenPlanner())
    try:
        result = await junto.run("anything", run_id="broken")
        record = await junto.store.get_run("broken")
    finally:
        await junto.aclose()
    assert result.status is RunStatus.FAILED and result.exit_reason == "failed"
    assert record.error == "planner model unreachable"


async def test_a_graph_that_does_not_compile_raises_before_running(tmp_path: Path) -> None:
    g = TaskGraph()
    g.math("a", id="a", after="a")
    junto = _junto(tmp_path)
    try:
        with pytest.raises(GraphSetupError, match="cycle"):
            await junto.run(g)
    finally:
        await junto.aclose()


async def test_a_failing_aggregator_still_gives_the_verified_pieces(tmp_path: Path) -> None:
    class Broken:
        name = ""

        async def aggregate(self, *args, **kwargs):
            raise ModelError("frontier model down")

    junto = _junto(tmp_path, aggregator=Broken())
    try:
        result = await junto.run("add and explain", run_id="agg")
        record = await junto.store.get_run("agg")
    finally:
        await junto.aclose()
    assert result.answer == "ok:w"
    assert "aggregation failed" in record.error
    assert result.exit_reason == "completed"


async def test_the_aggregator_model_running_out_of_budget_ends_in_the_runs_one_fallback(tmp_path: Path) -> None:
    from junto.agents import Aggregator

    def spend(task: TaskSpec, inputs, ctx: AgentContext) -> TaskResult:
        ctx.budget.record(Usage(prompt_tokens=30), 0.0)
        return _verified(task, inputs, ctx)

    writer = FunctionModel(lambda messages, request: "A long answer that costs more tokens than are left. " * 20)
    junto = _junto(
        tmp_path,
        aggregator=Aggregator(),
        roster=Roster.single(writer),
        specialists={k: FunctionSpecialist(k, spend) for k in TaskKind},
    )
    try:
        result = await junto.run("add and explain", run_id="agg-budget", budget=Budget(max_tokens=70))
        record = await junto.store.get_run("agg-budget")
    finally:
        await junto.aclose()
    assert result.exit_reason is ExitReason.BUDGET
    assert record.error.startswith("budget: aggregation stopped")
    assert result.answer == "ok:w"  # the answer task's verified output, joined as the plan ends
    assert all(r.status is Status.VERIFIED for r in result.results.values())


async def test_budget_exit_reason_reaches_the_result(tmp_path: Path) -> None:
    def spend(task: TaskSpec, inputs, ctx: AgentContext) -> TaskResult:
        ctx.budget.record(Usage(prompt_tokens=50), 0.0)
        return _verified(task, inputs, ctx)

    junto = _junto(tmp_path, specialists={k: FunctionSpecialist(k, spend) for k in TaskKind})
    try:
        result = await junto.run("add and explain", budget=Budget(max_tokens=40))
    finally:
        await junto.aclose()
    assert result.exit_reason is ExitReason.BUDGET
    assert result.results["m"].status is Status.VERIFIED
    assert result.results["w"].status is Status.SKIPPED and result.results["w"].cause is Cause.BUDGET
    assert result.status is RunStatus.PARTIAL


async def test_an_interrupted_run_resumes_by_run_id_without_replanning_or_redoing_tasks(tmp_path: Path) -> None:
    import asyncio

    from junto._tasks import TextOutput

    started_w = asyncio.Event()
    calls: list[str] = []

    async def slow_writer(task: TaskSpec, inputs, ctx) -> TaskResult:
        calls.append(task.id)
        if task.id == "w" and not started_w.is_set():
            started_w.set()
            await asyncio.sleep(60)
        return TaskResult(task_id=task.id, kind=task.kind, status=Status.VERIFIED, output=TextOutput(text=f"ok:{task.id}"))

    planner = StubPlanner(
        Plan(
            tasks=[
                PlanTask(id="m", kind="math", instruction="2+2"),
                PlanTask(id="w", kind="writing", instruction="say", depends_on=["m"]),
            ]
        )
    )
    junto = _junto(tmp_path, planner=planner, specialists={k: FunctionSpecialist(k, slow_writer) for k in TaskKind})
    try:
        job = asyncio.create_task(junto.run("add and explain", run_id="crashy"))
        await started_w.wait()
        await asyncio.sleep(0.3)
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job
        assert (await junto.store.get_run("crashy")).interrupted
        result = await junto.run("add and explain", run_id="crashy")
    finally:
        await junto.aclose()
    assert len(planner.histories) == 1  # the plan came from the record, not a second planning
    assert calls == ["m", "w", "w"]  # m was not run again
    assert result.answer == "m=ok:m | w=ok:w" and result.exit_reason == "completed"


def _stalling_writer(started_w):
    async def run(task: TaskSpec, inputs, ctx) -> TaskResult:
        import asyncio

        if task.id == "w":
            started_w.set()
            await asyncio.sleep(60)
        return _verified(task, inputs, ctx)

    return run


async def test_a_cancelled_run_is_recorded_with_the_results_obtained_so_far(tmp_path: Path) -> None:
    import asyncio

    started_w = asyncio.Event()
    specialists = {k: FunctionSpecialist(k, _stalling_writer(started_w)) for k in TaskKind}
    async with Junto.start(**_options(tmp_path, specialists=specialists)) as junto:
        job = asyncio.create_task(junto.run("add and explain", run_id="stopped", session="s1"))
        await started_w.wait()
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job
        record = await junto.store.get_run("stopped")
        session = await junto.store.get_session("s1")
    assert record is not None and record.result.exit_reason == "cancelled"
    assert list(record.result.results) == ["m"]  # w never finished
    assert record.result.results["m"].status is Status.VERIFIED and record.result.results["m"].output_text() == "ok:m"
    assert record.result.status is RunStatus.PARTIAL and record.result.answer == ""
    assert record.result.usage.tokens == 5 + 12  # the planner and m
    assert record.events[-1].type == "run_finished" and record.events[-1].exit_reason == "cancelled"
    assert record.interrupted  # resumable by its id
    assert session.messages == []  # a withdrawn turn does not enter the conversation


async def test_a_stream_left_by_its_consumer_cancels_and_records_the_run(tmp_path: Path) -> None:
    import asyncio

    started_w = asyncio.Event()
    specialists = {k: FunctionSpecialist(k, _stalling_writer(started_w)) for k in TaskKind}
    async with Junto.start(**_options(tmp_path, specialists=specialists)) as junto:
        events = junto.stream("add and explain", run_id="left")
        async for event in events:
            if isinstance(event, ev.TaskStarted) and event.task_id == "w":
                break
        await events.aclose()
        record = await junto.store.get_run("left")
    assert record is not None and record.result.exit_reason == "cancelled"
    assert list(record.result.results) == ["m"]


class _Closing(FunctionModel):
    def __init__(self) -> None:
        super().__init__(lambda messages, request: "x")
        self.closed = 0

    async def aclose(self) -> None:
        self.closed += 1


async def test_a_roster_the_junto_built_is_closed_with_it_and_a_given_one_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built, given = _Closing(), _Closing()
    monkeypatch.setattr("junto._junto._default_roster", lambda: Roster.single(built))
    own = _junto(tmp_path, roster=None)
    await own.run("add and explain")
    await own.aclose()
    lent = _junto(tmp_path, roster=Roster.single(given))
    await lent.run("add and explain")
    await lent.aclose()
    assert built.closed == 1  # its connections (or a server it started) do not outlive the Junto
    assert given.closed == 0  # the caller's models are the caller's to close


def test_warm_loads_the_default_collaborators_and_calls_no_model() -> None:
    from junto.agents import Aggregator, Planner

    calls: list[object] = []
    junto = Junto(roster=Roster.single(FunctionModel(lambda messages, request: calls.append(messages) or "x")))
    junto.warm()
    planner, specialists = junto._resolve_planner(), junto._resolve_specialists()
    junto.warm()  # again: the same collaborators, nothing rebuilt
    assert junto._resolve_planner() is planner and junto._resolve_specialists() is specialists
    assert isinstance(planner, Planner) and isinstance(junto._resolve_aggregator(), Aggregator)
    assert calls == []


async def test_warm_keeps_the_collaborators_a_junto_was_given(tmp_path: Path) -> None:
    async with Junto.start(**_options(tmp_path)) as junto:
        junto.warm()
        result = await junto.run("2+2, then say")
    assert result.answer == "m=ok:m | w=ok:w"
