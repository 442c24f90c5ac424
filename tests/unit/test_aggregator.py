"""The aggregator: writes from the results, is checked, revises, and falls back honestly."""

from __future__ import annotations

import pytest
from junto.agents import AgentContext, CodeOutput, MathOutput, Status, TaskKind, TaskResult, TextOutput
from junto.agents._aggregator import Aggregator, assemble_answer, without_labels
from junto.graphs import Plan, PlanTask
from junto.tools.facts._consistency import check_consistency

from junto._budget import Budget, BudgetTracker
from junto._exceptions import BudgetExceeded
from junto._tasks import Spec
from junto.models import FunctionModel, Roster

TASK = "Compute 17 * 23. Then write a Python function multiply(a, b). Finally explain the product in 80 words."
CODE = "def multiply(a, b):\n    return a * b"
PLAN = Plan(
    tasks=[
        PlanTask(id="product", kind=TaskKind.MATH, instruction="Compute 17 * 23.", produces="the product"),
        PlanTask(id="code", kind=TaskKind.CODE, instruction="Write multiply(a, b).", produces="the function"),
        PlanTask(id="explain", kind=TaskKind.WRITING, instruction="Explain the product in 80 words.", depends_on=["product"]),
    ]
)
GOOD = "17 * 23 = 391 [product]. Multiplying is repeated addition [explain]. Use `multiply(a, b)` [code]."
BAD = "17 * 23 = 381 [product]. Multiplying is repeated addition [explain]. Use `multiply(a, b)` [code]."


def _results(*, code_status: Status = Status.VERIFIED, code_reason: str | None = None) -> dict[str, TaskResult]:
    return {
        "product": TaskResult(task_id="product", kind=TaskKind.MATH, status=Status.VERIFIED, output=MathOutput(answer="391")),
        "code": TaskResult(
            task_id="code", kind=TaskKind.CODE, status=code_status, output=CodeOutput(code=CODE), reason=code_reason
        ),
        "explain": TaskResult(
            task_id="explain",
            kind=TaskKind.WRITING,
            status=Status.VERIFIED,
            output=TextOutput(kind="writing", text="Multiplying is repeated addition."),
        ),
    }


def _replies(*texts: str) -> FunctionModel:
    queue = list(texts)
    return FunctionModel(lambda messages, request: queue.pop(0) if len(queue) > 1 else queue[0], name="frontier")


def _ctx(*models: FunctionModel, events: list | None = None, budget: BudgetTracker | None = None) -> AgentContext:
    sink = events if events is not None else []
    return AgentContext(roster=Roster(default=list(models)), emit=sink.append, budget=budget)


async def test_consistent_answer_is_accepted() -> None:
    model = _replies(GOOD)
    events: list = []
    result = await Aggregator().aggregate(TASK, PLAN, _results(), _ctx(model, events=events))
    assert result.answer == GOOD
    assert result.consistent is True and result.revisions == 0 and not result.fallback
    assert result.cited == ["product", "explain", "code"]
    assert result.written_by == "frontier" and result.usage.total_tokens > 0
    assert events == []  # the caller announces aggregation
    prompt = model.calls[0].messages[-1].content
    assert "[product] (math, the product) verified:\n391" in prompt
    assert f"```python\n{CODE}\n```" in prompt


async def test_uses_the_strongest_tier() -> None:
    weak, strong = _replies("weak answer"), _replies(GOOD)
    result = await Aggregator().aggregate(TASK, PLAN, _results(), _ctx(weak, strong))
    assert weak.calls == [] and result.answer == GOOD


async def test_contradicting_number_is_revised_with_the_evidence() -> None:
    model = _replies(BAD, GOOD)
    result = await Aggregator().aggregate(TASK, PLAN, _results(), _ctx(model))
    assert result.answer == GOOD
    assert result.consistent is True and result.revisions == 1
    feedback = model.calls[1].messages[-1].content
    assert "381" in feedback and "[product] = 391" in feedback
    assert model.calls[1].messages[-2].content == BAD


async def test_always_contradicting_falls_back_to_the_verified_values() -> None:
    model = _replies(BAD)
    result = await Aggregator(max_revisions=2).aggregate(TASK, PLAN, _results(), _ctx(model))
    assert len(model.calls) == 3
    assert result.fallback and result.revisions == 2
    assert "381" not in result.answer
    assert "[product] the product (verified): 391" in result.answer
    assert f"```python\n{CODE}\n```" in result.answer
    assert "Multiplying is repeated addition." in result.answer
    assert result.consistent is True
    fallback = next(c for c in result.checks if c.name == "aggregate-fallback")
    assert "381" in fallback.evidence


async def test_a_spent_budget_is_the_runs_to_handle_not_the_aggregators() -> None:
    # one fallback layer: the run joins the task outputs (test_junto_api), the aggregator does not catch
    tracker = BudgetTracker(Budget(max_tokens=5))
    with pytest.raises(BudgetExceeded):
        await Aggregator().aggregate(TASK, PLAN, _results(), _ctx(_replies(GOOD), budget=tracker))


async def test_streams_tokens_through_on_token() -> None:
    tokens: list[str] = []
    result = await Aggregator().aggregate(TASK, PLAN, _results(), _ctx(_replies(GOOD)), on_token=tokens.append)
    assert len(tokens) > 5
    assert "".join(tokens) == GOOD == result.answer
    assert result.usage.completion_tokens > 0


async def test_streamed_revision_is_announced() -> None:
    tokens: list[str] = []
    result = await Aggregator().aggregate(TASK, PLAN, _results(), _ctx(_replies(BAD, GOOD)), on_token=tokens.append)
    streamed = "".join(tokens)
    assert streamed.startswith(BAD) and streamed.endswith(GOOD)
    assert "[revising" in streamed
    assert result.answer == GOOD


async def test_failed_tasks_are_named_as_not_verified() -> None:
    results = _results(code_status=Status.FAILED, code_reason="checks still failing after 4 attempt(s)")
    model = _replies(GOOD)
    result = await Aggregator().aggregate(TASK, PLAN, results, _ctx(model))
    prompt = model.calls[0].messages[-1].content
    assert "[code] (code, the function) NOT verified, its checks failed: checks still" in prompt
    assert CODE not in prompt and "(output withheld: failed)" in prompt  # a failed output is not offered as content
    assert result.answer.startswith(GOOD)
    assert result.answer.endswith("Not verified: [code] (its checks failed: checks still failing after 4 attempt(s)).")
    assert result.consistent is True


async def test_an_answer_that_already_says_not_verified_gets_no_note() -> None:
    results = _results(code_status=Status.SKIPPED, code_reason="an input failed")
    answer = GOOD + " The function [code] is not verified."
    result = await Aggregator().aggregate(TASK, PLAN, results, _ctx(_replies(answer)))
    assert result.answer == answer


async def test_nothing_verifiable_is_consistent_none() -> None:
    results = {
        "general": TaskResult(
            task_id="general", kind=TaskKind.GENERAL, status=Status.UNVERIFIED, output=TextOutput(text="Paris.")
        )
    }
    plan = Plan(tasks=[PlanTask(id="general", kind=TaskKind.GENERAL, instruction="Capital of France?")])
    result = await Aggregator().aggregate("Capital of France?", plan, results, _ctx(_replies("Paris [general].")))
    assert result.consistent is None and not result.fallback
    assert "Not verified: [general]" in result.answer


async def test_empty_answer_is_revised() -> None:
    model = _replies("  ", GOOD)
    result = await Aggregator().aggregate(TASK, PLAN, _results(), _ctx(model))
    assert result.answer == GOOD and result.revisions == 1
    assert "empty" in model.calls[1].messages[-1].content


def test_assembled_answer_agrees_with_the_results() -> None:
    results = _results(code_status=Status.FAILED, code_reason="tests failed")
    answer = assemble_answer(PLAN, results)
    assert "[code] the function (NOT verified, its checks failed: tests failed)." in answer
    assert CODE not in answer  # named as failed, never quoted as content
    assert check_consistency(answer, results, task=TASK, plan=PLAN).consistent is True


async def test_one_task_is_the_answer_without_a_model_call() -> None:
    model = _replies(BAD)
    plan = Plan(tasks=[PLAN.tasks[1]])
    code = {"code": _results()["code"]}
    tokens: list[str] = []
    result = await Aggregator().aggregate("Write multiply(a, b).", plan, code, _ctx(model), on_token=tokens.append)
    assert result.answer == f"```python\n{CODE}\n```" and tokens == [result.answer]
    assert result.consistent is True and result.cited == ["code"] and not result.fallback
    assert result.checks[0].name == "aggregate-passthrough" and result.checks[0].passed is True
    assert model.calls == [] and result.usage.total_tokens == 0
    assert result.written_by == "task code"  # no model wrote it

    # one task that failed: the answer says so first, with the reason, then shows its best attempt as it failed
    failed = {"code": _results(code_status=Status.FAILED, code_reason="test failed")["code"]}
    result = await Aggregator().aggregate("Write multiply(a, b).", plan, failed, _ctx(model))
    assert result.answer.startswith("NOT verified, the checks failed: test failed. Its best attempt, as it failed:")
    assert result.answer.endswith(f"```python\n{CODE}\n```")
    assert result.consistent is None and result.checks[0].passed is None and model.calls == []
    assert "failed" in result.checks[0].evidence
    assert without_labels(result.answer) == f"```python\n{CODE}\n```"  # the label is for the reader, not content


async def test_a_one_task_passthrough_confirms_only_when_that_task_is_verified() -> None:
    plan = Plan(tasks=[PLAN.tasks[1]])
    verified = await Aggregator().aggregate("Write multiply(a, b).", plan, {"code": _results()["code"]}, _ctx(_replies(BAD)))
    assert verified.checks[0].spec is Spec.UPSTREAM and verified.checks[0].confirms
    unverified = await Aggregator().aggregate(
        "Write multiply(a, b).", plan, {"code": _results(code_status=Status.UNVERIFIED)["code"]}, _ctx(_replies(BAD))
    )
    assert not unverified.checks[0].confirms


async def test_the_join_aggregator_names_a_failed_task_and_never_quotes_its_output() -> None:
    from junto.graphs import JoinAggregator

    results = _results(code_status=Status.FAILED, code_reason="tests failed")
    outcome = await JoinAggregator().aggregate(TASK, PLAN, results, _ctx(_replies(GOOD)))
    assert CODE not in outcome.answer and "[code] (failed)\n(no output: tests failed)" in outcome.answer


async def test_when_every_task_failed_the_answer_names_each_failure_without_a_model_call() -> None:
    model = _replies(GOOD)
    results = {
        tid: r.model_copy(update={"status": Status.FAILED, "reason": "checks still failing"}) for tid, r in _results().items()
    }
    result = await Aggregator().aggregate(TASK, PLAN, results, _ctx(model))
    assert model.calls == [] and result.consistent is None and result.fallback
    assert CODE not in result.answer and result.answer.count("its checks failed: checks still failing") == len(results)
