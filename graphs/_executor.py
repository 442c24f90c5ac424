"""Run a compiled graph as a dataflow on LangGraph's functional API.

Every junto task becomes a call of one LangGraph ``@task``. The entrypoint
calls all of them at once, in topological order (so the call sequence, which
LangGraph uses to find checkpointed results on resume, never depends on
timing); each task's body then waits for its own dependencies and starts the
moment they are done, not at the end of a superstep. Independent tasks run
concurrently.

The entrypoint and the task are module-level functions that find their run
in LangGraph's runtime context, so LangGraph builds the workflow once per
checkpointer and its runnables once in all, not again for every run and task
(``benchmarks/orchestration.py`` measures what is left).

With a checkpointer, each finished task's result is saved as it finishes; a
run started again with the same run id (LangGraph's thread id) takes those
results from the checkpoint instead of running the tasks again.

Failures stay local: a specialist that raises gives a ``failed`` result; a
dependant of a failed or skipped task is skipped, or run with that input
marked, per :class:`FailedInputPolicy`. When the budget is spent no new task
starts, and every result already obtained is kept. ``on_result`` sees each
result as it arrives, so a caller whose run is cancelled still has them.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import time
import uuid
import weakref
from collections.abc import Callable, Mapping
from typing import Any, cast

from junto.graphs._builder import CompiledGraph
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.func import entrypoint, task
from langgraph.pregel import Pregel
from langgraph.runtime import get_runtime
from pydantic import BaseModel, Field

import junto._events as events
from junto._exceptions import BudgetExceeded, RunError
from junto._exit import ExitReason
from junto._tasks import AgentContext, Cause, Specialist, Status, TaskKind, TaskResult, TaskSpec

__all__ = ["ExecutionResult", "Executor", "ExitReason", "FailedInputPolicy", "replaceable"]


class FailedInputPolicy(str, enum.Enum):
    """What a task does when one of its inputs failed or was skipped."""

    SKIP = "skip"  # do not run; status skipped, reason names the input
    PROCEED = "proceed"  # run anyway; the input is passed marked unverified


class ExecutionResult(BaseModel):
    """The results of one execution of a graph, by task id, in topological order."""

    results: dict[str, TaskResult]
    exit_reason: ExitReason = ExitReason.COMPLETED
    budget_resource: str | None = None
    resumed: list[str] = Field(default_factory=list, description="tasks whose results came from the checkpoint")
    duration_s: float = 0.0


class Executor:
    """Runs :class:`CompiledGraph` objects with the given specialists.

    ``checkpointer`` (a LangGraph checkpoint saver) makes runs resumable by
    run id; ``max_concurrency`` caps how many tasks run at once.
    """

    def __init__(
        self,
        specialists: Mapping[TaskKind, Specialist],
        *,
        checkpointer: BaseCheckpointSaver[Any] | None = None,
        on_failed_input: FailedInputPolicy | str = FailedInputPolicy.SKIP,
        max_concurrency: int | None = None,
    ) -> None:
        self.specialists = dict(specialists)
        self.checkpointer = checkpointer
        self.on_failed_input = FailedInputPolicy(on_failed_input)
        self.max_concurrency = max_concurrency

    async def run(
        self,
        graph: CompiledGraph,
        ctx: AgentContext,
        *,
        run_id: str | None = None,
        on_result: Callable[[TaskResult], None] | None = None,
        given: Mapping[str, TaskResult] | None = None,
    ) -> ExecutionResult:
        """Run ``graph``; with a checkpointer, resume the run ``run_id`` if it was cut short.

        ``on_result`` is called with each task's result as it is obtained (run
        here or taken from the checkpoint). ``given`` holds results obtained
        earlier (a replanned run keeps what did not fail): those tasks are not
        run again, and their dependants start at once.
        """
        missing = sorted({s.kind.value for s in graph.specs} - {k.value for k in self.specialists})
        if missing:
            raise RunError(f"no specialist is registered for task kind(s): {', '.join(missing)}")
        started = time.perf_counter()
        unknown = sorted(set(given or {}) - set(graph.order))
        if unknown:
            raise RunError(f"results were given for tasks the graph does not hold: {', '.join(unknown)}")
        run = _Run(self, graph, ctx, on_result, dict(given or {}))
        workflow = _workflow(self.checkpointer)
        config: RunnableConfig = {"configurable": {"thread_id": run_id or ctx.run_id or uuid.uuid4().hex}}
        payload: list[str] | None = graph.order
        if self.checkpointer is not None:
            state = await workflow.aget_state(config)
            if state.next:
                payload = None  # an unfinished run of this id: resume it
        raw = await workflow.ainvoke(payload, config, context=run)
        results = {tid: TaskResult.model_validate(raw[tid]) for tid in graph.order}
        tracker = ctx.budget
        exhausted = tracker.exhausted if tracker is not None else None
        return ExecutionResult(
            results=results,
            exit_reason=ExitReason.BUDGET if exhausted else ExitReason.COMPLETED,
            budget_resource=exhausted,
            resumed=[tid for tid in graph.order if tid not in run.executed and tid not in run.given],
            duration_s=time.perf_counter() - started,
        )


class _Run:
    """The state of one execution: futures by task id and the tasks run here."""

    def __init__(
        self,
        executor: Executor,
        graph: CompiledGraph,
        ctx: AgentContext,
        on_result: Callable[[TaskResult], None] | None,
        given: dict[str, TaskResult],
    ) -> None:
        self.executor = executor
        self.graph = graph
        self.ctx = ctx
        self.on_result = on_result
        self.given = given
        self.done: dict[str, asyncio.Future[TaskResult]] = {}
        self.executed: set[str] = set()
        limit = executor.max_concurrency
        self.limit = asyncio.Semaphore(limit) if limit else None

    async def dataflow(self, order: list[str]) -> dict[str, Any]:
        """Call every task at once; each waits for its own inputs. The raw results by task id."""
        if order != self.graph.order:
            raise RunError("the checkpointed run holds a different graph than the one given to resume it")
        loop = asyncio.get_running_loop()
        self.done = {tid: loop.create_future() for tid in order}
        futures = {tid: _task(tid) for tid in order}  # called in a fixed order: resume relies on it

        async def relay(tid: str) -> dict[str, Any]:
            try:
                raw: dict[str, Any] = await futures[tid]
            except BaseException:
                self.done[tid].cancel()  # dependants waiting on it stop too; nothing is left unretrieved
                raise
            result = TaskResult.model_validate(raw)
            if not self.done[tid].done():
                self.done[tid].set_result(result)
            if tid not in self.executed and tid not in self.given:
                self._finished(result)
            return raw

        raws = await asyncio.gather(*(relay(tid) for tid in order))
        return dict(zip(order, raws, strict=True))

    async def body(self, task_id: str) -> dict[str, Any]:
        """One task: wait for its inputs, run it (unless its result was given), report it."""
        if task_id in self.given:
            return self.given[task_id].model_dump(mode="json")
        spec = self.graph.spec(task_id)
        inputs = {dep: await asyncio.shield(self.done[dep]) for dep in spec.depends_on}
        self.executed.add(task_id)
        result = await self._run_task(spec, inputs)
        self._finished(result)
        return result.model_dump(mode="json")

    async def _run_task(self, spec: TaskSpec, inputs: dict[str, TaskResult]) -> TaskResult:
        bad = [r for r in inputs.values() if r.status in (Status.FAILED, Status.SKIPPED)]
        if bad and self.executor.on_failed_input is FailedInputPolicy.SKIP:
            names = ", ".join(f"'{r.task_id}' ({r.status.value})" for r in bad)
            return _skipped(spec, f"input {names} did not succeed", Cause.INPUT)
        if bad:
            inputs = {k: _marked(r) if r in bad else r for k, r in inputs.items()}
        if self.limit is None:
            return await self._call(spec, inputs)
        async with self.limit:
            return await self._call(spec, inputs)

    async def _call(self, spec: TaskSpec, inputs: dict[str, TaskResult]) -> TaskResult:
        ctx, tracker = self.ctx, self.ctx.budget
        if tracker is not None:
            try:
                tracker.check()
            except BudgetExceeded as error:
                return _skipped(spec, f"budget: {error.message}", Cause.BUDGET)
        ctx.emit(events.TaskStarted(run_id=ctx.run_id, task_id=spec.id, kind=spec.kind))
        started = time.perf_counter()
        specialist = self.executor.specialists[spec.kind]
        remaining = tracker.remaining_wall_s() if tracker is not None else None
        try:
            result = await asyncio.wait_for(specialist.run(spec, inputs, ctx), timeout=remaining)
        except TimeoutError:
            assert tracker is not None
            tracker.exhausted = "wall_time"
            return _failed(
                spec,
                f"budget: wall-time budget of {tracker.budget.max_wall_s:g} s ran out while this task ran",
                started,
                Cause.BUDGET,
            )
        except BudgetExceeded as error:
            return _failed(spec, f"budget: {error.message}", started, Cause.BUDGET)
        except Exception as error:  # a specialist's bug must not crash the run
            return _failed(spec, f"{type(error).__name__}: {error}", started, Cause.ERROR)
        if result.task_id != spec.id:
            result = result.model_copy(update={"task_id": spec.id})
        return result

    def _finished(self, result: TaskResult) -> None:
        ctx = self.ctx
        if self.on_result is not None:
            self.on_result(result)
        ctx.emit(
            events.TaskFinished(
                run_id=ctx.run_id,
                task_id=result.task_id,
                status=result.status,
                attempts=len(result.attempts),
                tokens=result.usage.total_tokens,
                duration_s=result.duration_s,
                reason=result.reason,
            )
        )
        if ctx.budget is not None:
            spent = ctx.budget.spent
            ctx.emit(
                events.BudgetUpdated(run_id=ctx.run_id, tokens=spent.tokens, cost_usd=spent.cost_usd, sandbox_s=spent.sandbox_s)
            )


def replaceable(execution: ExecutionResult) -> list[str]:
    """Tasks that failed on their own merits: what replanning may replace (never after the budget ran out)."""
    if execution.exit_reason is ExitReason.BUDGET:
        return []
    return [tid for tid, r in execution.results.items() if r.status is Status.FAILED and r.cause is not Cause.BUDGET]


def _skipped(spec: TaskSpec, reason: str, cause: Cause) -> TaskResult:
    return TaskResult(task_id=spec.id, kind=spec.kind, status=Status.SKIPPED, reason=reason, cause=cause)


def _failed(spec: TaskSpec, reason: str, started: float, cause: Cause) -> TaskResult:
    return TaskResult(
        task_id=spec.id,
        kind=spec.kind,
        status=Status.FAILED,
        reason=reason,
        cause=cause,
        duration_s=time.perf_counter() - started,
    )


def _marked(result: TaskResult) -> TaskResult:
    """A failed input passed on anyway: never presented as trustworthy."""
    note = f"input not verified: task {result.status.value}" + (f" ({result.reason})" if result.reason else "")
    return result.model_copy(update={"status": Status.UNVERIFIED, "reason": note, "cause": None})


# -- the LangGraph side: module-level functions, so LangGraph builds their runnables once ---------


def _current() -> _Run:
    # ainvoke(context=run) put it there; langgraph types a context as a dataclass-like schema only.
    return cast(_Run, get_runtime().context)


async def _junto_task(task_id: str) -> dict[str, Any]:
    return await _current().body(task_id)


async def _junto_graph(order: list[str]) -> dict[str, Any]:
    return await _current().dataflow(order)


_task = task(_junto_task)
# Takes the task order (None to resume) and reads its _Run from the runtime context; langgraph's
# type parameters admit only dataclass-like schemas for those, so they stay open here.
_Workflow = Pregel[Any, Any, Any, Any]
_WORKFLOWS: weakref.WeakKeyDictionary[BaseCheckpointSaver[Any], _Workflow] = weakref.WeakKeyDictionary()


@functools.cache
def _unsaved() -> _Workflow:
    return entrypoint()(_junto_graph)


def _workflow(checkpointer: BaseCheckpointSaver[Any] | None) -> _Workflow:
    """The LangGraph workflow that saves to ``checkpointer``: built once for each."""
    if checkpointer is None:
        return _unsaved()
    workflow = _WORKFLOWS.get(checkpointer)
    if workflow is None:
        workflow = _WORKFLOWS[checkpointer] = entrypoint(checkpointer=checkpointer)(_junto_graph)
    return workflow
