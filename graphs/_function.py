"""FunctionSpecialist: a specialist whose work is a Python function.

For plugging your own step into a graph, and as the test double of the
executor::

    async def lookup(task, inputs, ctx):
        return "42"

    junto = Junto(roster=..., specialists={TaskKind.GENERAL: FunctionSpecialist(TaskKind.GENERAL, lookup)})

The function may be sync or async and returns a :class:`TaskResult`, a
task output, or plain text (then the result is ``unverified``: nothing
checked it).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable

from junto._tasks import (
    AgentContext,
    CodeOutput,
    MathOutput,
    Status,
    TaskKind,
    TaskOutput,
    TaskResult,
    TaskSpec,
    TextOutput,
)

__all__ = ["FunctionSpecialist"]

Work = Callable[
    [TaskSpec, dict[str, TaskResult], AgentContext],
    "TaskResult | TaskOutput | str | Awaitable[TaskResult | TaskOutput | str]",
]


class FunctionSpecialist:
    """A :class:`~junto.agents.Specialist` that calls ``function`` for each task of its ``kind``."""

    def __init__(self, kind: TaskKind | str, function: Work) -> None:
        self.kind = TaskKind(kind)
        self.function = function
        self.calls: list[str] = []

    async def run(self, task: TaskSpec, inputs: dict[str, TaskResult], ctx: AgentContext) -> TaskResult:
        self.calls.append(task.id)
        started = time.perf_counter()
        value = self.function(task, inputs, ctx)
        if inspect.isawaitable(value):
            value = await value
        if isinstance(value, TaskResult):
            return value
        output = value if not isinstance(value, str) else _text_output(task.kind, value)
        return TaskResult(
            task_id=task.id,
            kind=task.kind,
            status=Status.UNVERIFIED,
            output=output,
            duration_s=time.perf_counter() - started,
        )


def _text_output(kind: TaskKind, text: str) -> TaskOutput:
    if kind is TaskKind.MATH:
        return MathOutput(answer=text)
    if kind is TaskKind.CODE:
        return CodeOutput(code=text)
    return TextOutput(kind="writing" if kind is TaskKind.WRITING else "general", text=text)
