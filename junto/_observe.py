"""Model calls and sandbox runs as events: what traces (``junto trace``, OpenTelemetry) are built from.

:func:`instrument` wraps a run's models and sandbox so that every call emits
a :class:`~junto._events.ModelCalled` or :class:`~junto._events.SandboxRan`
event when it ends, with its start, duration and usage. Each such event names
the task and the candidate it was made for: the executor emits ``TaskStarted``
inside the task's own asyncio task and the sampling loop emits ``TaskAttempt``
inside the candidate's, so the scope noted when those events pass through the
run's ``emit`` is the scope of the calls that follow in that asyncio task
(a context variable, copied into the tasks each one starts).
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING

from junto import _events as ev
from junto._exceptions import JuntoError, ModelError
from junto.models._roster import Roster
from junto.models._types import Completion, Model, ModelRequest, ModelWrapper, Role, StreamChunk, Usage

if TYPE_CHECKING:
    from junto._tasks import AgentContext
    from junto.sandbox._types import ExecResult, Sandbox

__all__ = ["ObservedModel", "ObservedSandbox", "instrument", "provider_of"]

Emit = Callable[[ev.Event], None]


_NO_SCOPE = ("", 0)
_scope: contextvars.ContextVar[tuple[str, int]] = contextvars.ContextVar("junto_scope", default=_NO_SCOPE)  # task id, attempt

_PROVIDERS = {
    "OpenAIBackend": "openai",
    "AnthropicBackend": "anthropic",
    "LocalBackend": "llama_cpp",
    "FunctionBackend": "function",
}


def provider_of(model: Model) -> str:
    """The provider behind ``model`` as OpenTelemetry's ``gen_ai.provider.name`` spells it (``""``: not known)."""
    from junto.models._chat import ChatModel

    if not isinstance(model, ChatModel):
        return ""
    from junto.models._replicas import ReplicaBackend

    backend = model.backend.replicas[0].backend if isinstance(model.backend, ReplicaBackend) else model.backend
    name = type(backend).__name__
    return _PROVIDERS.get(name, name.removesuffix("Backend").lower())


def _scoping(emit: Emit) -> Emit:
    def scoped(event: ev.Event) -> None:
        if isinstance(event, ev.TaskStarted):
            _scope.set((event.task_id, 0))
        elif isinstance(event, ev.TaskAttempt):
            _scope.set((event.task_id, event.attempt))
        emit(event)

    return scoped


class ObservedModel(ModelWrapper):
    """``model``, emitting a :class:`~junto._events.ModelCalled` event as each call ends."""

    def __init__(self, model: Model, *, role: Role, emit: Emit, run_id: str = "") -> None:
        super().__init__(model)
        self.role = role
        self.emit = emit
        self.run_id = run_id
        self.provider = provider_of(model)
        from junto.models._chat import ChatModel

        # the event records the request as the model sends it: with the model's own temperature and system prompt
        self._as_sent = model.prepare if isinstance(model, ChatModel) else None

    def _called(
        self,
        request: ModelRequest,
        began: float,
        clock: float,
        usage: Usage,
        cost: float,
        output: str,
        error: JuntoError | None,
        completion: Completion | None = None,
    ) -> None:
        task_id, attempt = _scope.get() if self.role not in (Role.PLANNER, Role.AGGREGATOR) else _NO_SCOPE
        if self._as_sent is not None:
            request = self._as_sent(request)
        self.emit(
            ev.ModelCalled(
                run_id=self.run_id,
                role=self.role.value,
                model=self.model.name,
                provider=self.provider,
                started_at=began,
                duration_s=time.perf_counter() - clock,
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
                cost_usd=cost,
                temperature=request.temperature,
                max_tokens=request.max_tokens,
                error=None if error is None else f"{type(error).__name__}: {error}",
                error_type=None if error is None else type(error).__name__,
                deployment=None if completion is None else completion.deployment,
                failovers=[] if completion is None else list(completion.failovers),
                task_id=task_id,
                attempt=attempt,
                messages=list(request.messages),
                output=output,
            )
        )

    async def complete(self, request: ModelRequest) -> Completion:
        began, clock = time.time(), time.perf_counter()
        try:
            completion = await self.model.complete(request)
        except ModelError as error:
            self._called(request, began, clock, error.usage or Usage(), error.cost_usd, "", error)
            raise
        self._called(request, began, clock, completion.usage, completion.cost_usd, completion.text, None, completion)
        return completion

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamChunk]:
        began, clock = time.time(), time.perf_counter()
        usage, parts, error = Usage(), [], None
        try:
            async for chunk in self.model.stream(request):
                if chunk.usage is not None:
                    usage = chunk.usage
                parts.append(chunk.text)
                yield chunk
        except JuntoError as failure:
            error = failure
            raise
        finally:
            self._called(request, began, clock, usage, 0.0, "".join(parts), error)

    async def aclose(self) -> None:
        """Nothing to close: the wrapped model belongs to whoever made it."""


class ObservedSandbox:
    """``sandbox``, emitting a :class:`~junto._events.SandboxRan` event as each run ends."""

    def __init__(self, sandbox: Sandbox, *, emit: Emit, run_id: str = "") -> None:
        self.sandbox = sandbox
        self.emit = emit
        self.run_id = run_id

    async def run(
        self,
        code: str,
        *,
        timeout: float = 10.0,
        files: Mapping[str, bytes | str] | None = None,
        stdin: bytes | str | None = None,
        argv: list[str] | None = None,
        collect: list[str] | None = None,
    ) -> ExecResult:
        began, clock = time.time(), time.perf_counter()
        task_id, attempt = _scope.get()

        def ran(result: ExecResult | None, error: str | None) -> None:
            self.emit(
                ev.SandboxRan(
                    run_id=self.run_id,
                    started_at=began,
                    duration_s=time.perf_counter() - clock,
                    exit_code=result.exit_code if result is not None else None,
                    timed_out=result.timed_out if result is not None else False,
                    error=error,
                    task_id=task_id,
                    attempt=attempt,
                )
            )

        try:
            result = await self.sandbox.run(code, timeout=timeout, files=files, stdin=stdin, argv=argv, collect=collect)
        except JuntoError as error:
            ran(None, f"{type(error).__name__}: {error}")
            raise
        ran(result, None)
        return result


def _observed_roster(roster: Roster, emit: Emit, run_id: str) -> Roster:
    roles: dict[Role, list[Model]] = {}
    for role in Role:
        try:
            tiers = roster.tiers(role)
        except JuntoError:
            continue  # no model serves this role: asking for it fails the same way
        roles[role] = [ObservedModel(model, role=role, emit=emit, run_id=run_id) for model in tiers]
    return Roster(roles, router=roster.router)


def instrument(ctx: AgentContext) -> None:
    """Make ``ctx``'s models and sandbox report each call as an event (see the module's docstring)."""
    ctx.emit = _scoping(ctx.emit)
    ctx.roster = _observed_roster(ctx.roster, ctx.emit, ctx.run_id)
    if ctx.sandbox is not None:
        ctx.sandbox = observed_sandbox(ctx.sandbox, ctx)


def observed_sandbox(sandbox: Sandbox, ctx: AgentContext) -> Sandbox:
    """``sandbox`` reporting its runs through ``ctx.emit`` (unchanged if it already does)."""
    if isinstance(sandbox, ObservedSandbox):
        return sandbox
    return ObservedSandbox(sandbox, emit=ctx.emit, run_id=ctx.run_id)
