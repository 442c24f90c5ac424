"""The loop every specialist runs: generate, check, feed back, retry, escalate.

A specialist supplies two functions:

- ``generate(model, task, inputs, history)`` returns a :class:`Generation`
  (the output and the completion that produced it); ``history`` holds the
  earlier attempts with their failed checks, to show the model;
- ``check(output, task, inputs, ctx)`` returns a :class:`CheckOutcome`: the
  checks run on that output. A check never replaces the output.

:func:`run_checked` then decides the status by :func:`judge_status`, the
verification contract in one place: ``verified`` only when a deterministic
check passed against a specification the model did not write and none
failed; ``failed`` when checks kept failing through every attempt and tier;
``unverified`` otherwise. Judge checks (a model's opinion) are recorded but
never change the status.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence

from pydantic import BaseModel, ConfigDict, Field

import junto._events as events
from junto._budget import BudgetedModel
from junto._exceptions import BudgetExceeded, ModelError
from junto._tasks import (
    AgentContext,
    Attempt,
    CheckResult,
    Spec,
    Status,
    TaskOutput,
    TaskResult,
    TaskSpec,
)
from junto.models._types import Completion, Model, Usage

__all__ = ["CheckOutcome", "Generation", "judge_status", "render_feedback", "render_inputs", "run_checked"]


class Generation(BaseModel):
    """What one model call produced, parsed into the task's output type."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    output: TaskOutput
    completion: Completion | None = None


class CheckOutcome(BaseModel):
    """The checks run on one output."""

    checks: list[CheckResult] = Field(default_factory=list)


Generate = Callable[[Model, TaskSpec, dict[str, TaskResult], list[Attempt]], Awaitable[Generation]]
Check = Callable[[TaskOutput, TaskSpec, dict[str, TaskResult], AgentContext], Awaitable[CheckOutcome]]


def judge_status(checks: Sequence[CheckResult]) -> Status:
    """The status a set of checks earns: the verification contract, in one place.

    - ``failed`` when any deterministic check failed, whatever its
      specification (a model's own tests or formalisation can fail it);
    - ``verified`` when none failed and at least one passed against a
      specification the model did not write (:attr:`CheckResult.confirms`);
    - ``unverified`` otherwise: passing the model's own checks, or a judge's
      approval, confirms nothing.
    """
    deterministic = [c for c in checks if c.source == "deterministic"]
    if any(c.passed is False for c in deterministic):
        return Status.FAILED
    return Status.VERIFIED if any(c.confirms for c in deterministic) else Status.UNVERIFIED


def _as_models(check: CheckResult) -> CheckResult:
    """A check against what the instruction states, when the planner model wrote the instruction."""
    if check.spec is not Spec.INSTRUCTION:
        return check
    return check.model_copy(update={"spec": Spec.MODEL, "evidence": f"{check.evidence} (the instruction is the planner model's words)"})


def render_feedback(history: Sequence[Attempt], *, limit: int = 1500) -> str:
    """The evidence of the latest failed attempt, for the next prompt."""
    if not history:
        return ""
    last = history[-1]
    if last.error:
        return f"Your previous answer could not be used: {last.error[:limit]}"
    failed = [c for c in last.checks if c.passed is False and c.source == "deterministic"]
    if not failed:
        return ""
    lines = ["Your previous answer failed these checks; fix it:"]
    budget = limit
    for check in failed:
        evidence = check.evidence[: max(budget, 200)]
        lines.append(f"- {check.name}: {evidence}")
        budget -= len(evidence)
    return "\n".join(lines)


def _score(attempt: Attempt) -> tuple[int, int, int]:
    """Rank attempts for 'best output': status, then checks passed, then recency."""
    status = judge_status(attempt.checks)
    rank = {Status.VERIFIED: 2, Status.UNVERIFIED: 1, Status.FAILED: 0}[status] if attempt.output else -1
    passed = sum(1 for c in attempt.checks if c.passed and c.source == "deterministic")
    return rank, passed, attempt.number


async def run_checked(
    task: TaskSpec,
    inputs: dict[str, TaskResult],
    ctx: AgentContext,
    *,
    generate: Generate,
    check: Check,
) -> TaskResult:
    """Run the generate-check-retry-escalate loop for one task."""
    started = time.perf_counter()
    tiers = ctx.roster.tiers(task.model_role)
    last_tier = len(tiers) - 1 if task.max_tier is None else min(task.max_tier, len(tiers) - 1)
    first_tier = min(task.start_tier, last_tier)
    attempts: list[Attempt] = []
    reason: str | None = None

    for tier in range(first_tier, last_tier + 1):
        model: Model = tiers[tier]
        if tier > first_tier:
            ctx.emit(events.TaskEscalated(run_id=ctx.run_id, task_id=task.id, from_model=tiers[tier - 1].name, to_model=model.name, tier=tier))
        if ctx.budget is not None:
            model = BudgetedModel(model, ctx.budget)
        for _ in range(task.max_attempts):
            number = len(attempts) + 1
            ctx.emit(events.TaskAttempt(run_id=ctx.run_id, task_id=task.id, attempt=number, model=model.name, tier=tier))
            attempt_started = time.perf_counter()
            try:
                generation = await generate(model, task, inputs, attempts)
            except BudgetExceeded as error:
                reason = f"budget: {error.message}"
                break
            except ModelError as error:
                attempts.append(
                    Attempt(
                        number=number,
                        model=model.name,
                        tier=tier,
                        error=str(error),
                        usage=error.usage or Usage(),  # what the failed call spent (e.g. structured tries refused)
                        cost_usd=error.cost_usd,
                        duration_s=time.perf_counter() - attempt_started,
                    )
                )
                continue
            outcome = await check(generation.output, task, inputs, ctx)
            if task.instruction_source is Spec.MODEL:
                outcome = CheckOutcome(checks=[_as_models(c) for c in outcome.checks])
            completion = generation.completion
            attempt = Attempt(
                number=number,
                model=model.name,
                tier=tier,
                checks=outcome.checks,
                output=generation.output,
                usage=completion.usage if completion else Usage(),
                cost_usd=completion.cost_usd if completion else 0.0,
                duration_s=time.perf_counter() - attempt_started,
            )
            attempts.append(attempt)
            for result in outcome.checks:
                ctx.emit(events.TaskChecked(run_id=ctx.run_id, task_id=task.id, attempt=number, check=result))
            status = judge_status(outcome.checks)
            if status is not Status.FAILED:
                # Verified: done. Unverified: no check can decide, so retrying cannot help.
                return _result(task, attempts, attempt, status, started, None)
        if reason is not None:
            break

    best = max(attempts, key=_score) if attempts else None
    if best is None or best.output is None:
        reason = reason or (attempts[-1].error if attempts else "no attempt was made")
        return _result(task, attempts, None, Status.FAILED, started, reason)
    status = judge_status(best.checks)
    if status is Status.FAILED:
        reason = reason or f"checks still failing after {len(attempts)} attempt(s)"
    return _result(task, attempts, best, status, started, reason)


def _result(
    task: TaskSpec,
    attempts: list[Attempt],
    chosen: Attempt | None,
    status: Status,
    started: float,
    reason: str | None,
) -> TaskResult:
    usage = Usage()
    for attempt in attempts:
        usage = usage + attempt.usage
    models = list(dict.fromkeys(a.model for a in attempts))
    return TaskResult(
        task_id=task.id,
        kind=task.kind,
        status=status,
        output=chosen.output if chosen else None,
        checks=chosen.checks if chosen else [],
        attempts=attempts,
        models_used=models,
        usage=usage,
        cost_usd=sum(a.cost_usd for a in attempts),
        duration_s=time.perf_counter() - started,
        reason=reason,
    )


def render_inputs(inputs: dict[str, TaskResult], *, limit: int = 3000) -> str:
    """Upstream results as prompt text, each labelled with its task id and status."""
    if not inputs:
        return ""
    parts = ["Results of earlier tasks you can use:"]
    for task_id, result in inputs.items():
        label = result.status.value
        if result.status is not Status.VERIFIED:
            label += " - treat with care"
        text = result.output_text()[:limit] or f"(no output: {result.reason or 'failed'})"
        parts.append(f"[{task_id}] ({label}):\n{text}")
    return "\n\n".join(parts)
