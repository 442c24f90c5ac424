"""Junto: the public entry point. Plan, run the specialists, aggregate, record.

::

    async with Junto.start() as junto:
        result = await junto.run("Find the roots of x^2-5x+6, then write roots() in Python")
        print(result.answer)

A string task goes through the planner; a :class:`~junto.graphs.TaskGraph`
is compiled and run as given. ``stream`` yields the run's typed events and
ends with :class:`~junto._events.RunFinished`; ``run`` returns the
:class:`~junto._runs.RunResult`. A run that is cancelled (Ctrl-C, a client
gone) is still recorded, with exit reason ``cancelled`` and every task result
obtained so far, before the cancellation goes on; it can be resumed by its id. Specialists, planner and aggregator are
injected (defaults: the real ones from :mod:`junto.agents`, imported
lazily); the sandbox is started only when a code task needs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from junto import _events as ev
from junto._aggregate import AggregateOutcome
from junto._budget import Budget, BudgetTracker
from junto._exceptions import BudgetExceeded, ConfigError, JuntoError, SetupError
from junto._exit import ExitReason
from junto._home import default_store_path
from junto._observe import instrument, observed_sandbox
from junto._plan import Plan, PlanOutcome
from junto._provenance import covers_request
from junto._runs import AggregateVerdict, PlanSource, RunPlan, RunRecord, RunResult, RunUsage, run_status
from junto._tasks import AgentContext, Specialist, TaskKind, TaskResult
from junto.graphs._builder import CompiledGraph, TaskGraph
from junto.graphs._checkpoint import open_checkpointer
from junto.graphs._executor import ExecutionResult, Executor, FailedInputPolicy, replaceable
from junto.graphs._join import JoinAggregator
from junto.graphs._store import RunStore, store_for
from junto.graphs._validate import GraphLimits
from junto.models._roster import Roster
from junto.models._types import Message, Role, Usage

if TYPE_CHECKING:
    from junto.sandbox._limits import SandboxLimits
    from junto.sandbox._types import Sandbox

__all__ = ["AggregatorLike", "Junto", "PlannerLike"]

_STREAM_END = object()


class PlannerLike(Protocol):
    async def plan(self, task: str, ctx: AgentContext, *, history: list[Message] | None = None) -> PlanOutcome: ...

    async def replan(
        self, task: str, plan: Plan, results: Mapping[str, TaskResult], replace: Sequence[str], ctx: AgentContext
    ) -> PlanOutcome | None:
        """Called only when replanning is on (``max_replans``); ``None`` means no replacement."""
        ...


class AggregatorLike(Protocol):
    name: str  # who writes the answer, in the events; "" names the roster's aggregator model

    async def aggregate(
        self,
        task: str,
        plan: Plan,
        results: dict[str, TaskResult],
        ctx: AgentContext,
        *,
        on_token: Callable[[str], None] | None = None,
    ) -> AggregateOutcome: ...


class Junto:
    """A team of specialists behind one ``run``.

    Nothing is opened in the constructor: the store, checkpoints and sandbox
    open on first use (or in :meth:`start`) and close in :meth:`aclose`.
    ``store`` is a :class:`~junto.graphs.RunStore`, a path or a
    ``postgresql://`` URL (default: ``$JUNTO_HOME/junto.db``); ``record=False``
    keeps nothing. ``max_replans`` (default 0) lets the planner replace tasks
    that failed after their retries and escalation, with the tasks after them,
    that many times per run: the rest of the graph and its results stay, and
    only the replacements run. ``budget`` holds every run's limits; a run's
    own budget replaces the limits it sets. ``sandbox_limits`` hold the
    containers of the sandbox a Junto starts itself (not of one passed as
    ``sandbox``). ``observers`` see every event of every run, model calls and
    sandbox runs included (e.g. :class:`~junto._otel.OtelExporter`).
    """

    def __init__(
        self,
        *,
        roster: Roster | None = None,
        sandbox: Sandbox | None = None,
        store: RunStore | str | Path | None = None,
        specialists: Mapping[TaskKind | str, Specialist] | None = None,
        planner: PlannerLike | None = None,
        aggregator: AggregatorLike | None = None,
        budget: Budget | None = None,
        on_failed_input: FailedInputPolicy | str = FailedInputPolicy.SKIP,
        limits: GraphLimits | None = None,
        record: bool = True,
        checkpoints: bool = True,
        max_concurrency: int | None = None,
        max_replans: int = 0,
        sandbox_limits: SandboxLimits | None = None,
        samples: int | Mapping[Role, int] | Mapping[str, int] | None = None,
        observers: Sequence[Callable[[ev.Event], None]] = (),
    ) -> None:
        if max_replans < 0:
            raise ConfigError("max_replans must be >= 0")
        self.samples = _samples_by_role(samples)
        self.observers = tuple(observers)
        self.roster = roster
        self.max_replans = max_replans
        self.budget = budget or Budget()
        self.on_failed_input = FailedInputPolicy(on_failed_input)
        self.limits = limits
        self.record = record
        self.checkpoints = checkpoints
        self.max_concurrency = max_concurrency
        self.sandbox_limits = sandbox_limits
        self._sandbox: Sandbox | None = sandbox
        self._store_arg = store if store is not None else default_store_path()
        self._specialists = {TaskKind(k): v for k, v in specialists.items()} if specialists is not None else None
        self._planner = planner
        self._aggregator = aggregator
        self._store: RunStore | None = None
        self._checkpointer: Any = None
        self._stack: contextlib.AsyncExitStack | None = None
        self._open_lock: asyncio.Lock | None = None
        self._owns_sandbox = False
        self._owns_roster = False  # built here from the configuration: its models close with the Junto

    @classmethod
    def from_config(cls, path: str | Path | None = None, **overrides: Any) -> Junto:
        """A Junto whose roster, budget, sandbox limits and store come from ``junto.toml``.

        With ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``..._TRACES_ENDPOINT``) set,
        each run is exported as an OpenTelemetry trace (:mod:`junto._otel`).

        An override replaces the file's setting, except ``budget``: the limits
        it sets replace the file's, the others stay (``--budget-tokens`` does
        not lift ``[budget] usd``).
        """
        from junto._config import load_config

        config = load_config(Path(path) if path is not None else None)
        if isinstance(overrides.get("samples"), int):
            config = config.with_samples(overrides["samples"])
        owns_roster = "roster" not in overrides
        if owns_roster:
            overrides["roster"] = config.build_roster()
        overrides["budget"] = config.budget.to_budget().overridden_by(overrides.get("budget"))
        overrides.setdefault("sandbox_limits", config.sandbox)
        overrides.setdefault("samples", config.samples)
        if config.store.url and "store" not in overrides:
            overrides["store"] = config.store.url
        if "observers" not in overrides:  # OpenTelemetry export when an OTLP endpoint is configured (nothing otherwise)
            from junto._otel import OtelExporter

            exporter = OtelExporter.from_env(os.environ)
            overrides["observers"] = [exporter] if exporter is not None else []
        junto = cls(**overrides)
        junto._owns_roster = owns_roster
        return junto

    @classmethod
    @contextlib.asynccontextmanager
    async def start(cls, **options: Any) -> AsyncIterator[Junto]:
        """Open a Junto for the duration of the block; the sandbox it started is removed at the end."""
        junto = cls(**options)
        await junto.open()
        try:
            yield junto
        finally:
            await junto.aclose()

    @property
    def store(self) -> RunStore | None:
        return self._store

    async def open(self) -> None:
        """Open the store and the checkpoints (idempotent)."""
        if self._open_lock is None:
            self._open_lock = asyncio.Lock()
        async with self._open_lock:
            if self._stack is not None:
                return
            stack = contextlib.AsyncExitStack()
            try:
                if self.record or self.checkpoints:
                    store = self._store_arg if isinstance(self._store_arg, RunStore) else store_for(self._store_arg)
                    if store is not self._store_arg:
                        await store.open()
                        stack.push_async_callback(store.aclose)
                    self._store = store
                    if self.checkpoints:
                        self._checkpointer = await stack.enter_async_context(open_checkpointer(store.url))
            except BaseException:
                await stack.aclose()
                self._store = None
                raise
            self._stack = stack

    def warm(self) -> None:
        """Load now what a first run would load lazily: the planner, the specialists, the aggregator and the plan checks.

        A long-lived process (a Ray node's runner, ``junto serve``) calls this
        once at start, so that its first runs do not each wait on imports.
        """
        self._resolve_planner()
        self._resolve_specialists()
        self._resolve_aggregator()
        probe = TaskGraph(name="warm")
        probe.general("Say ok.", id="warm")
        probe.compile(limits=self.limits)

    async def aclose(self) -> None:
        """Close what :meth:`open` and the runs opened; the Junto can be opened again."""
        stack, self._stack = self._stack, None
        self._checkpointer = None
        if self._owns_sandbox:
            self._sandbox, self._owns_sandbox = None, False
        self._store = None
        self._open_lock = None
        if stack is not None:
            await stack.aclose()
        if self._owns_roster and self.roster is not None:
            await self.roster.aclose()

    async def run(
        self,
        task: str | TaskGraph | CompiledGraph,
        *,
        session: str | None = None,
        budget: Budget | None = None,
        run_id: str | None = None,
        on_event: Callable[[ev.Event], None] | None = None,
    ) -> RunResult:
        """Run ``task`` and return its result; ``on_event`` sees the events :meth:`stream` would yield."""
        return await self._execute(task, session=session, budget=budget, run_id=run_id, sink=on_event)

    async def stream(
        self,
        task: str | TaskGraph | CompiledGraph,
        *,
        session: str | None = None,
        budget: Budget | None = None,
        run_id: str | None = None,
    ) -> AsyncIterator[ev.Event]:
        """Run ``task``, yielding its events as they happen; the last is ``RunFinished``."""
        queue: asyncio.Queue[Any] = asyncio.Queue()
        job = asyncio.create_task(self._execute(task, session=session, budget=budget, run_id=run_id, sink=queue.put_nowait))
        job.add_done_callback(lambda _: queue.put_nowait(_STREAM_END))
        try:
            while True:
                item = await queue.get()
                if item is _STREAM_END:
                    break
                yield item
            job.result()  # a setup error surfaces here
        finally:
            if not job.done():
                job.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await job

    def run_sync(
        self,
        task: str | TaskGraph | CompiledGraph,
        *,
        session: str | None = None,
        budget: Budget | None = None,
        run_id: str | None = None,
    ) -> RunResult:
        """:meth:`run` for code without an event loop; resources are closed again before returning."""

        async def once() -> RunResult:
            try:
                return await self.run(task, session=session, budget=budget, run_id=run_id)
            finally:
                await self.aclose()

        return asyncio.run(once())

    # -- one run -----------------------------------------------------------------------------

    async def _execute(
        self,
        task: str | TaskGraph | CompiledGraph,
        *,
        session: str | None,
        budget: Budget | None,
        run_id: str | None,
        sink: Callable[[Any], None] | None,
    ) -> RunResult:
        """One run, in phases: begin, settle the graph, execute it, aggregate, conclude."""
        await self.open()
        run = _Run.begin(task, run_id=run_id, session=session, sink=_fan_out(sink, self.observers))
        tracker = BudgetTracker(self.budget.overridden_by(budget))
        run.ctx = AgentContext(
            roster=self._roster(), sandbox=self._sandbox, budget=tracker, emit=run.emit, run_id=run.run_id, samples=self.samples
        )
        instrument(run.ctx)  # model calls and sandbox runs become events
        run.emit(ev.RunStarted(run_id=run.run_id, task=run.text, session_id=session))
        record = run.record
        try:
            graph = await self._settle_graph(run, task)
            graph, execution = await self._execute_graph(run, graph)
            record.result.results = execution.results
            await self._save(record, None, run.text)  # a run cut short while aggregating resumes with these results
            aggregated = await self._aggregate(run.text, graph.plan, execution.results, run.ctx)
            record.aggregate, record.result.answer = aggregated.verdict, aggregated.answer
            record.error = aggregated.reason
            record.result.exit_reason = ExitReason.BUDGET if aggregated.budget_out else execution.exit_reason
            run.spend(aggregated.usage, aggregated.cost)
            record.result.usage = run.usage(execution.results)
            record.result.status = run_status(
                execution.results.values(),
                answered=bool(aggregated.answer.strip()),
                consistent=aggregated.verdict.consistent,
                covered=record.plan_source == "graph" or covers_request(run.text, [s.instruction for s in graph.specs]),
            )
        except SetupError:
            raise
        except BudgetExceeded as error:
            record.error, record.result.exit_reason = f"budget: {error.message}", ExitReason.BUDGET
        except JuntoError as error:
            record.error, record.result.exit_reason = str(error), ExitReason.FAILED
        except asyncio.CancelledError:
            if not record.result.results:
                order = record.graph.order if record.graph is not None else list(run.finished)
                record.result.results = {tid: run.finished[tid] for tid in order if tid in run.finished}
            record.result.usage = run.usage(record.result.results)
            record.error, record.result.exit_reason = "the run was cancelled", ExitReason.CANCELLED
            # the turn was withdrawn: the run is kept, the session's conversation is not extended
            await self._conclude(run, None)
            raise
        await self._conclude(run, session)
        return record.result

    async def _settle_graph(self, run: _Run, task: str | TaskGraph | CompiledGraph) -> CompiledGraph:
        """The graph this run executes: the interrupted run's (to resume it), the given one, or a plan.

        Announces it (the one ``PlanCreated`` of the run) and saves the record as running.
        """
        record, ctx = run.record, run.ctx
        earlier = await self._interrupted(run.run_id)
        reason: str | None = None
        if earlier is not None and earlier.graph is not None:  # resume: same graph, finished tasks come from checkpoints
            graph, source, repairs = earlier.graph, earlier.plan_source, earlier.plan_repairs
            # and from the record: every task's result when the run was cut short after its tasks (while aggregating)
            record.result.results = {tid: r for tid, r in earlier.result.results.items() if tid in graph.order}
        else:
            history = await self._history(run.session)
            graph, source, repairs, reason = await self._graph(task, run, history)
        record.graph, record.plan_source, record.plan_repairs = graph, source, repairs
        record.result.plan = RunPlan.of(graph.plan)
        ctx.emit(ev.PlanCreated(run_id=run.run_id, tasks=list(graph.plan.tasks), source=source, reason=reason))
        record.result.exit_reason = ExitReason.RUNNING
        await self._save(record, None, run.text)
        return graph

    async def _execute_graph(self, run: _Run, graph: CompiledGraph) -> tuple[CompiledGraph, ExecutionResult]:
        """Run the graph's tasks as a dataflow, then replace what failed (``max_replans``)."""
        ctx = run.ctx
        if any(s.kind is TaskKind.CODE for s in graph.specs):
            sandbox = await self._ensure_sandbox()  # None: no sandbox could start, and the code specialist says so
            ctx.sandbox = observed_sandbox(sandbox, ctx) if sandbox is not None else None
        executor = Executor(
            self._resolve_specialists(),
            checkpointer=self._checkpointer,
            on_failed_input=self.on_failed_input,
            max_concurrency=self.max_concurrency,
        )
        given = dict(run.record.result.results)  # results the interrupted run already recorded are not redone
        execution = await executor.run(graph, ctx, run_id=run.run_id, on_result=run.keep, given=given or None)
        if self.max_replans:
            graph, execution = await self._replan(run, graph, execution, executor)
            run.record.result.plan = RunPlan.of(graph.plan)
        return graph, execution

    async def _conclude(self, run: _Run, session: str | None) -> None:
        """Settle the record's duration and status, announce the end of the run, save it."""
        record = run.record
        record.result.duration_s = time.perf_counter() - run.started
        if not record.result.answer:
            record.result.status = run_status(record.result.results.values(), answered=False)
        run.emit(
            ev.RunFinished(
                run_id=record.run_id,
                status=record.result.status.value,
                exit_reason=record.result.exit_reason,
                duration_s=record.result.duration_s,
                summary={"error": record.error} if record.error else {},
            )
        )
        record.events = run.trace
        await self._save(record, session, run.text)

    async def _graph(
        self, task: str | TaskGraph | CompiledGraph, run: _Run, history: list[Message]
    ) -> tuple[CompiledGraph, PlanSource, list[list[str]], str | None]:
        """The given graph, compiled, or the planner's plan for a text task; with its source, repairs, fallback reason.

        Falling back is the planner's job alone (the default one is given this
        Junto's graph limits). A plan that still does not compile, from a
        planner of the caller's, is refused with :class:`GraphSetupError`.
        """
        if isinstance(task, (TaskGraph, CompiledGraph)):
            graph = task.compile(limits=self.limits) if isinstance(task, TaskGraph) else task
            return graph, "graph", [], None
        outcome = await self._resolve_planner().plan(task, run.ctx, history=history)
        run.spend(outcome.usage, outcome.cost_usd)
        repairs = list(outcome.repairs)
        reason = outcome.reason if outcome.source == "fallback" else None
        return CompiledGraph.from_plan(outcome.plan, limits=self.limits, request=task), outcome.source, repairs, reason

    async def _replan(
        self, run: _Run, graph: CompiledGraph, execution: ExecutionResult, executor: Executor
    ) -> tuple[CompiledGraph, ExecutionResult]:
        """Replace what failed, up to ``max_replans`` times.

        Returns the graph and execution that hold the final results; the
        planner's spending goes on the run, replaced results into
        ``record.replaced``.
        """
        ctx, record = run.ctx, run.record
        for round_ in range(1, self.max_replans + 1):
            failed = replaceable(execution)
            if not failed:
                break
            affected = graph.downstream(failed)
            try:
                outcome = await self._resolve_planner().replan(run.text, graph.plan, execution.results, affected, ctx)
            except BudgetExceeded:
                break  # the results so far stand; the tracker knows the budget is spent
            if outcome is None:
                break
            run.spend(outcome.usage, outcome.cost_usd)
            try:
                revised = CompiledGraph.from_plan(outcome.plan, limits=self.limits, request=run.text)
            except SetupError:
                break  # the planner checks its plans; a limit set here it cannot know is the one way to land here
            kept = {tid: r for tid, r in execution.results.items() if tid not in affected}
            record.replaced.extend(execution.results[tid] for tid in graph.order if tid in affected)
            graph = revised
            # a fresh thread each time: a resumed run replans again rather than meet another graph's checkpoints
            thread = f"{ctx.run_id}:replan{round_}:{uuid.uuid4().hex[:8]}"
            execution = await executor.run(graph, ctx, run_id=thread, given=kept, on_result=run.keep)
        return graph, execution

    async def _aggregate(self, task: str, plan: Plan, results: dict[str, TaskResult], ctx: AgentContext) -> _Aggregated:
        """The answer. When the aggregator cannot write it, the task outputs joined, with the reason why."""
        aggregator = self._resolve_aggregator()
        name = aggregator.name or _model_name(ctx.roster, Role.AGGREGATOR)
        ctx.emit(ev.AggregateStarted(run_id=ctx.run_id, model=str(name)))

        def on_token(text: str) -> None:
            ctx.emit(ev.AggregateToken(run_id=ctx.run_id, text=text))

        reason: str | None = None
        budget_out = False
        try:
            outcome = await aggregator.aggregate(task, plan, results, ctx, on_token=on_token)
        except BudgetExceeded as error:
            reason, budget_out = f"budget: aggregation stopped: {error.message}", True
            outcome = await JoinAggregator().aggregate(task, plan, results, ctx)
        except JuntoError as error:
            reason = f"aggregation failed, the answer joins the task outputs: {error}"
            outcome = await JoinAggregator().aggregate(task, plan, results, ctx)
        verdict = AggregateVerdict(
            cited=list(outcome.cited), consistent=outcome.consistent, checks=list(outcome.checks), revisions=outcome.revisions
        )
        ctx.emit(
            ev.AggregateFinished(
                run_id=ctx.run_id,
                answer=outcome.answer,
                consistent=outcome.consistent,
                revisions=outcome.revisions,
                written_by=outcome.written_by,
            )
        )
        return _Aggregated(
            answer=outcome.answer,
            verdict=verdict,
            usage=outcome.usage,
            cost=outcome.cost_usd,
            reason=reason,
            budget_out=budget_out,
        )

    async def _interrupted(self, run_id: str) -> RunRecord | None:
        if self._store is None or self._checkpointer is None:
            return None
        record = await self._store.get_run(run_id)
        return record if record is not None and record.interrupted else None

    async def _history(self, session: str | None) -> list[Message]:
        if session is None or self._store is None:
            return []
        return (await self._store.get_session(session)).messages

    async def _save(self, record: RunRecord, session: str | None, text: str) -> None:
        if self._store is None or not self.record:
            return
        await self._store.save_run(record)
        if session is not None:
            answer = record.result.answer or f"(no answer: {record.error or record.result.status.value})"
            await self._store.append_messages(session, [Message.user(text), Message.assistant(answer)], run_id=record.run_id)

    # -- collaborators, resolved lazily --------------------------------------------------------

    def _roster(self) -> Roster:
        if self.roster is None:
            self.roster, self._owns_roster = _default_roster(), True
        return self.roster

    def _resolve_specialists(self) -> dict[TaskKind, Specialist]:
        if self._specialists is None:
            from junto.agents import default_specialists

            self._specialists = default_specialists()
        return self._specialists

    def _resolve_planner(self) -> PlannerLike:
        if self._planner is None:
            from junto.agents import Planner

            self._planner = Planner(limits=self.limits)  # its plans, fallbacks included, compile under this run's limits
        return self._planner

    def _resolve_aggregator(self) -> AggregatorLike:
        if self._aggregator is None:
            from junto.agents import Aggregator

            self._aggregator = Aggregator()
        return self._aggregator

    async def _ensure_sandbox(self) -> Sandbox | None:
        assert self._open_lock is not None
        async with self._open_lock:
            if self._sandbox is not None or self._stack is None:
                return self._sandbox
            try:
                from junto.sandbox import DockerSandbox
            except ImportError:
                return None  # the code specialist reports that nothing could run its code
            self._sandbox = await self._stack.enter_async_context(DockerSandbox.start(limits=self.sandbox_limits))
            self._owns_sandbox = True
            return self._sandbox


@dataclass
class _Aggregated:
    """What the aggregation phase hands to the run: the answer, the verdict, what it cost, why it fell back."""

    answer: str
    verdict: AggregateVerdict
    usage: Usage
    cost: float
    reason: str | None  # why the answer is the task outputs joined, if it is
    budget_out: bool  # the budget stopped the aggregator


@dataclass
class _Run:
    """One run's working state, handed from phase to phase."""

    run_id: str
    text: str
    session: str | None
    record: RunRecord
    sink: Callable[[Any], None] | None
    ctx: AgentContext = field(init=False)
    started: float = field(default_factory=time.perf_counter)
    trace: list[ev.Event] = field(default_factory=list)
    finished: dict[str, TaskResult] = field(default_factory=dict)  # filled as tasks finish: kept if the run is cancelled
    extra: Usage = field(default_factory=Usage)  # planner and aggregator tokens (tasks count their own)
    extra_cost: float = 0.0

    @classmethod
    def begin(
        cls, task: str | TaskGraph | CompiledGraph, *, run_id: str | None, session: str | None, sink: Callable[[Any], None] | None
    ) -> _Run:
        run_id = run_id or uuid.uuid4().hex
        text = task if isinstance(task, str) else _graph_label(task)
        trace: list[ev.Event] = []  # the record's trace, filled as the run goes: a save mid-run keeps it
        record = RunRecord(result=RunResult(run_id=run_id, session_id=session, task=text), started_at=time.time(), events=trace)
        return cls(run_id=run_id, text=text, session=session, record=record, sink=sink, trace=trace)

    def emit(self, event: ev.Event) -> None:
        """Every event of the run goes through here: into the trace (tokens excepted) and to the sink."""
        if not isinstance(event, ev.AggregateToken):
            self.trace.append(event)
        if self.sink is not None:
            self.sink(event)

    def keep(self, result: TaskResult) -> None:
        self.finished[result.task_id] = result

    def spend(self, usage: Usage, cost: float) -> None:
        self.extra, self.extra_cost = self.extra + usage, self.extra_cost + cost

    def usage(self, results: dict[str, TaskResult]) -> RunUsage:
        """The run's usage: its tasks' and its own, or what the budget saw if that is more."""
        tokens = self.extra.total_tokens + sum(r.usage.total_tokens for r in results.values())
        cost = self.extra_cost + sum(r.cost_usd for r in results.values())
        tracker = self.ctx.budget
        if tracker is None:
            return RunUsage(tokens=tokens, cost_usd=cost)
        spent = tracker.spent
        return RunUsage(tokens=max(tokens, spent.tokens), cost_usd=max(cost, spent.cost_usd))


def _fan_out(sink: Callable[[Any], None] | None, observers: Sequence[Callable[[ev.Event], None]]) -> Callable[[Any], None] | None:
    """One sink that hands each event to ``sink`` and to every observer."""
    if not observers:
        return sink
    targets = [*([sink] if sink is not None else []), *observers]

    def fan_out(event: Any) -> None:
        for target in targets:
            target(event)

    return fan_out


def _samples_by_role(samples: int | Mapping[Role, int] | Mapping[str, int] | None) -> dict[Role, int]:
    """Candidates per round for each role: one number for every role, or a mapping by role."""
    if samples is None:
        return {}
    by_role = {role: samples for role in Role} if isinstance(samples, int) else {Role(r): n for r, n in samples.items()}
    for role, n in by_role.items():
        if not 1 <= n <= 32:
            raise ConfigError(f"samples for {role.value} must be between 1 and 32, not {n}")
    return by_role


def _default_roster() -> Roster:
    from junto._config import load_config

    return load_config(None).build_roster()


def _graph_label(graph: TaskGraph | CompiledGraph) -> str:
    if isinstance(graph, TaskGraph):
        return f"graph {graph.name}"
    return "graph of " + ", ".join(graph.order)


def _model_name(roster: Roster, role: Role) -> str:
    try:
        return roster.first(role).name
    except ConfigError:
        return "aggregator"
