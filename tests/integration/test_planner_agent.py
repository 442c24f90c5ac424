"""The real embedded model as planner and aggregator (it is weak: the outcome must stay valid and honest)."""

from __future__ import annotations

import pytest
from junto.agents import AgentContext, Aggregator, CodeOutput, MathOutput, Planner, Status, TaskKind, TaskResult, TextOutput
from junto.graphs import Plan, PlanTask, validate_plan
from junto.tools.facts._consistency import check_consistency

from junto._events import PlanCreated
from junto.models import ChatModel, Roster

pytestmark = [pytest.mark.model, pytest.mark.slow]

COMPOSITE = (
    "Compute 17 * 23. Then: Write a Python function multiply(a, b) that returns a times b. "
    "Finally, explain the result in at most 80 words."
)
CODE = "def multiply(a, b):\n    return a * b"


async def test_local_model_plans_a_composite_task(local_model: ChatModel) -> None:
    events: list = []
    ctx = AgentContext(roster=Roster.single(local_model), emit=events.append)
    outcome = await Planner(max_repairs=1).plan(COMPOSITE, ctx)

    assert validate_plan(outcome.plan) == []
    assert outcome.usage.completion_tokens > 0  # the model was really asked
    assert not any(isinstance(e, PlanCreated) for e in events)  # the run announces the plan, not the planner
    if outcome.source == "planner":
        assert outcome.model == "local"
        assert all(task.instruction.strip() for task in outcome.plan.tasks)
    else:  # honest fallback: one general task with the whole text, and the reason why
        (task,) = outcome.plan.tasks
        assert task.kind is TaskKind.GENERAL and task.instruction == COMPOSITE
        assert outcome.reason
    print(
        f"\nplanner source={outcome.source} repairs={outcome.repairs} tasks={[(t.id, t.kind.value) for t in outcome.plan.tasks]}"
    )


async def test_local_model_aggregates_consistently_or_falls_back(local_model: ChatModel) -> None:
    plan = Plan(
        tasks=[
            PlanTask(id="product", kind=TaskKind.MATH, instruction="Compute 17 * 23.", produces="the product"),
            PlanTask(id="code", kind=TaskKind.CODE, instruction="Write multiply(a, b).", produces="the function"),
            PlanTask(
                id="explain", kind=TaskKind.WRITING, instruction="Explain the result in at most 80 words.", depends_on=["product"]
            ),
        ]
    )
    results = {
        "product": TaskResult(task_id="product", kind=TaskKind.MATH, status=Status.VERIFIED, output=MathOutput(answer="391")),
        "code": TaskResult(task_id="code", kind=TaskKind.CODE, status=Status.VERIFIED, output=CodeOutput(code=CODE)),
        "explain": TaskResult(
            task_id="explain",
            kind=TaskKind.WRITING,
            status=Status.FAILED,
            output=TextOutput(kind="writing", text="Multiplying 17 by 23 adds 17 twenty-three times."),
            reason="too long",
        ),
    }
    tokens: list[str] = []
    ctx = AgentContext(roster=Roster.single(local_model))
    result = await Aggregator(max_revisions=1, max_tokens=200).aggregate(COMPOSITE, plan, results, ctx, on_token=tokens.append)

    assert tokens  # streamed
    assert result.usage.completion_tokens > 0
    # whatever the model wrote, the returned answer agrees with the verified results
    assert result.consistent is True
    assert check_consistency(result.answer, results, task=COMPOSITE, plan=plan).consistent is True
    assert "391" in result.answer
    assert "not verified" in result.answer.lower()  # the failed task is named as such
    if result.fallback:
        assert any(c.name == "aggregate-fallback" for c in result.checks)
    print(f"\naggregator fallback={result.fallback} revisions={result.revisions}\n{result.answer}")
