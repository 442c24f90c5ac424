"""JoinAggregator: an answer made of the answer tasks' outputs, without a model.

For graphs whose outputs need no prose around them, and as the aggregator's
test double. Each part is labelled with its task id and status.
"""

from __future__ import annotations

from collections.abc import Callable

from junto._aggregate import AggregateOutcome
from junto._plan import Plan
from junto._tasks import AgentContext, Status, TaskResult

__all__ = ["JoinAggregator"]


class JoinAggregator:
    """Joins the outputs of the plan's answer tasks, in plan order."""

    name = "join"

    async def aggregate(
        self,
        task: str,
        plan: Plan,
        results: dict[str, TaskResult],
        ctx: AgentContext,
        *,
        on_token: Callable[[str], None] | None = None,
    ) -> AggregateOutcome:
        ids = [i for i in plan.answer_ids() if i in results]
        parts: list[str] = []
        for task_id in ids:
            result = results[task_id]
            # A failed task's output is not content: it is named as failed, with its reason (its output is in the trace).
            usable = result.status in (Status.VERIFIED, Status.UNVERIFIED)
            text = (result.output_text() if usable else "") or f"(no output: {result.reason or result.status.value})"
            label = "" if result.status is Status.VERIFIED else f" ({result.status.value})"
            parts.append(text if len(ids) == 1 and not label else f"[{task_id}]{label}\n{text}")
        answer = "\n\n".join(parts)
        if on_token is not None and answer:
            on_token(answer)
        return AggregateOutcome(answer=answer, cited=ids, consistent=True, written_by="the task outputs, joined")
