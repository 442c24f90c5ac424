"""The loop every specialist runs: generate, check, feed back, retry, escalate.

A specialist supplies two functions:

- ``generate(model, task, inputs, history)`` returns a :class:`Generation`
  (the output and the completion that produced it); ``history`` holds the
  earlier attempts with their failed checks, to show the model;
- ``check(output, task, inputs, ctx)`` returns a :class:`CheckOutcome`: the
  checks run on that output. A check never replaces the output.

and may supply a third, ``plain``, with ``generate``'s signature, that asks
for the task in plain words (:class:`~junto._tasks.PromptForm`): the first
round's candidates then take turns between the two wordings.

``generate`` raises :class:`~junto.ModelError` for a reply that cannot be
used at all (no code in it), made by :func:`unusable` so that what the call
spent is still charged to the attempt.

:func:`run_checked` then decides the status by :func:`judge_status`, the
verification contract in one place: ``verified`` only when a deterministic
check passed against a specification the model did not write and none
failed; ``failed`` when checks kept failing through every attempt and tier;
``unverified`` otherwise. Judge checks (a model's opinion) are recorded but
never change the status.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from junto.agents._sampling import SampledModel, Sampling, schedule, temperatures_of
from pydantic import BaseModel, ConfigDict, Field

import junto._events as events
from junto._budget import BudgetedModel
from junto._exceptions import BudgetExceeded, ModelError, ModelResponseError
from junto._tasks import (
    AgentContext,
    Attempt,
    Cause,
    CheckResult,
    PromptForm,
    Spec,
    Status,
    TaskOutput,
    TaskResult,
    TaskSpec,
)
from junto.models._types import Completion, Model, Usage

__all__ = [
    "Agree",
    "Rivals",
    "CheckOutcome",
    "Settled",
    "Generation",
    "answer_keys",
    "judge_status",
    "render_feedback",
    "render_inputs",
    "hold_round",
    "run_checked",
    "settle_round",
    "unusable",
]


class Generation(BaseModel):
    """What one model call produced, parsed into the task's output type."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    output: TaskOutput
    completion: Completion | None = None


def unusable(message: str, completion: Completion) -> ModelResponseError:
    """The error ``generate`` raises for a reply that cannot be an answer, carrying what the call spent."""
    return ModelResponseError(message, usage=completion.usage, cost_usd=completion.cost_usd)


class CheckOutcome(BaseModel):
    """The checks run on one output."""

    checks: list[CheckResult] = Field(default_factory=list)


Generate = Callable[[Model, TaskSpec, dict[str, TaskResult], list[Attempt]], Awaitable[Generation]]
Check = Callable[[TaskOutput, TaskSpec, dict[str, TaskResult], AgentContext], Awaitable[CheckOutcome]]
# The answers of a round's candidates, by candidate index, in a form that is equal when the answers agree.
Agree = Callable[[Sequence[Attempt], TaskSpec, AgentContext], Awaitable[dict[int, str]]]
# A round's candidates held to each other: revised checks, by candidate index, of those whose evidence the others weaken.
Rivals = Callable[[Sequence[Attempt], TaskSpec, AgentContext], Awaitable[dict[int, list[CheckResult]]]]


def answer_keys(key: Callable[[TaskOutput], str | None]) -> Agree:
    """An :data:`Agree` from a function of one output (math: the answer in sympy's canonical form)."""

    async def agree(candidates: Sequence[Attempt], task: TaskSpec, ctx: AgentContext) -> dict[int, str]:
        keys = {a.candidate: key(a.output) for a in candidates if a.output is not None}
        return {i: k for i, k in keys.items() if k is not None}

    return agree


def judge_status(checks: Sequence[CheckResult]) -> Status:
    """The status a set of checks earns: the verification contract, in one place.

    - ``failed`` when any deterministic check failed, whatever its
      specification (a model's own tests or formalisation can fail it);
    - ``verified`` when none failed, at least one passed against a
      specification the model did not write (:attr:`CheckResult.confirms`),
      and none against such a specification was left undecided (a part of
      the specification no check could hold the answer to);
    - ``unverified`` otherwise: passing the model's own checks, or a judge's
      approval, confirms nothing.
    """
    deterministic = [c for c in checks if c.source == "deterministic"]
    if any(c.passed is False for c in deterministic):
        return Status.FAILED
    if any(c.passed is None and c.spec.independent for c in deterministic):
        return Status.UNVERIFIED
    return Status.VERIFIED if any(c.confirms for c in deterministic) else Status.UNVERIFIED


def _as_models(check: CheckResult) -> CheckResult:
    """A check against what the instruction states, when the planner model wrote the instruction."""
    if check.spec is not Spec.INSTRUCTION:
        return check
    return check.model_copy(
        update={"spec": Spec.MODEL, "evidence": f"{check.evidence} (the instruction is the planner model's words)"}
    )


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
    agree: Agree | None = None,
    rivals: Rivals | None = None,
    plain: Generate | None = None,
) -> TaskResult:
    """Run the sample-check-retry-escalate loop for one task.

    Each round draws :meth:`AgentContext.samples_for` candidates from the
    current tier at once (:func:`~junto.agents._sampling.schedule`) and
    checks each as it arrives; the first one verified ends the round and the
    candidates still being drawn are cancelled. With ``rivals``, a candidate
    verified by what the instruction states (a few examples), not by the
    user's own specification, does not end the round early: the round's
    candidates are then held to each other (two that pass the same examples
    but behave differently show that the examples do not decide), and only
    what survives that stays verified. A round with no verified
    candidate keeps an unverified one if any (no check could decide, so
    retrying cannot help), choosing the answer most candidates agree on
    (``agree`` gives each output's answer, for self-consistency); a round
    where every candidate failed feeds the best one's evidence to the next
    round, then the next tier. With ``plain``, the first round's candidates
    take turns between the plain instruction (``plain`` words it; first) and
    the specialist's own prompt (``generate``); later rounds, which carry
    feedback, use the specialist's own prompt.
    """
    started = time.perf_counter()
    tiers = ctx.roster.tiers(task.model_role)
    last_tier = len(tiers) - 1 if task.max_tier is None else min(task.max_tier, len(tiers) - 1)
    start = await ctx.roster.start_tier(
        task.model_role, kind=task.kind.value, instruction=task.instruction, default=task.start_tier
    )
    first_tier = min(start, last_tier)
    attempts: list[Attempt] = []
    reason: str | None = None
    rounds = 0

    for tier in range(first_tier, last_tier + 1):
        model: Model = tiers[tier]
        if tier > first_tier:
            ctx.emit(
                events.TaskEscalated(
                    run_id=ctx.run_id, task_id=task.id, from_model=tiers[tier - 1].name, to_model=model.name, tier=tier
                )
            )
        if ctx.budget is not None:
            model = BudgetedModel(model, ctx.budget)
        for _ in range(task.max_attempts):
            rounds += 1
            drawn, spent = await _round(
                model, tier, rounds, task, inputs, ctx, generate, check, attempts, settle=rivals is None, plain=plain
            )
            settled = await settle_round(drawn, task, ctx, agree=agree, rivals=rivals)
            attempts.extend(settled.held)
            if spent is not None:
                reason = f"budget: {spent.message}"
            if settled.chosen is not None:
                return _result(
                    task, attempts, settled.chosen, judge_status(settled.chosen.checks), started, None, settled.selection
                )
            if reason is not None:
                break
        if reason is not None:
            break

    best = max(attempts, key=_score) if attempts else None
    budget_out = reason is not None
    if best is None or best.output is None:
        reason = reason or (attempts[-1].error if attempts else "no attempt was made")
        return _result(task, attempts, None, Status.FAILED, started, reason, cause=Cause.BUDGET if budget_out else Cause.ERROR)
    status = judge_status(best.checks)
    cause = None
    if status is Status.FAILED:
        reason = reason or f"checks still failing after {len(attempts)} attempt(s)"
        cause = Cause.BUDGET if budget_out else Cause.CHECKS
    return _result(task, attempts, best, status, started, reason, cause=cause)


async def _round(
    model: Model,
    tier: int,
    round_: int,
    task: TaskSpec,
    inputs: dict[str, TaskResult],
    ctx: AgentContext,
    generate: Generate,
    check: Check,
    earlier: list[Attempt],
    *,
    settle: bool = True,
    plain: Generate | None = None,
) -> tuple[list[Attempt], BudgetExceeded | None]:
    """Draw and check one round's candidates; stop at the first verified one.

    With ``settle`` false, only a candidate the user's own specification
    verifies stops the round: one verified by the instruction alone waits for
    its rivals.
    """
    history = _feedback_order(earlier)
    first = len(earlier) + 1

    def drawn_as(sampling: Sampling) -> Attempt:
        """The record of a candidate drawn with ``sampling``, before any output or check."""
        return Attempt(
            number=first + sampling.index,
            model=model.name,
            tier=tier,
            round=round_,
            candidate=sampling.index,
            form=sampling.form,
            temperature=sampling.temperature,
            seed=sampling.seed,
        )

    async def candidate(sampling: Sampling) -> Attempt:
        drawn = drawn_as(sampling)
        ctx.emit(events.TaskAttempt(run_id=ctx.run_id, task_id=task.id, attempt=drawn.number, model=model.name, tier=tier))
        began = time.perf_counter()
        try:
            write = plain if sampling.form is PromptForm.PLAIN and plain is not None else generate
            generation = await write(SampledModel(model, sampling), task, inputs, history)
        except ModelError as error:
            # what the failed call spent still counts (e.g. structured tries refused)
            return drawn.model_copy(
                update={
                    "error": str(error),
                    "usage": error.usage or Usage(),
                    "cost_usd": error.cost_usd,
                    "duration_s": time.perf_counter() - began,
                }
            )
        outcome = await check(generation.output, task, inputs, ctx)
        checks = outcome.checks if task.instruction_source is not Spec.MODEL else [_as_models(c) for c in outcome.checks]
        for result in checks:
            ctx.emit(events.TaskChecked(run_id=ctx.run_id, task_id=task.id, attempt=drawn.number, check=result))
        completion = generation.completion
        return drawn.model_copy(
            update={
                "checks": checks,
                "output": generation.output,
                "usage": completion.usage if completion else Usage(),
                "cost_usd": completion.cost_usd if completion else 0.0,
                "duration_s": time.perf_counter() - began,
            }
        )

    forms = (PromptForm.PLAIN, PromptForm.OWN) if plain is not None and not earlier else (PromptForm.OWN,)
    plan = schedule(ctx.samples_for(task), temperatures_of(model), forms)
    running = {asyncio.ensure_future(candidate(s)): s for s in plan}
    finished: dict[int, Attempt] = {}
    spent: BudgetExceeded | None = None
    try:
        for next_done in asyncio.as_completed(running):
            try:
                attempt = await next_done
            except BudgetExceeded as error:  # fewer candidates when the budget is short
                spent = error
                continue
            finished[attempt.candidate] = attempt
            if judge_status(attempt.checks) is Status.VERIFIED and (settle or _by_user(attempt.checks)):
                break
    finally:
        for job in running:
            job.cancel()
        await asyncio.gather(*running, return_exceptions=True)
    for job, sampling in running.items():
        if sampling.index in finished:
            continue
        if not job.cancelled() and job.exception() is None:  # finished alongside the verified one: it was drawn, keep it
            finished[sampling.index] = job.result()
        elif job.cancelled():
            finished[sampling.index] = drawn_as(sampling).model_copy(
                update={"error": "not needed: another candidate of this round was verified first"}
            )
    return [finished[i] for i in sorted(finished)], spent


@dataclass(frozen=True)
class Settled:
    """A drawn round once settled: its candidates held to each other, and the one it submits (if any) and why."""

    held: list[Attempt]
    chosen: Attempt | None
    selection: str


async def settle_round(
    drawn: list[Attempt], task: TaskSpec, ctx: AgentContext, *, agree: Agree | None = None, rivals: Rivals | None = None
) -> Settled:
    """Hold a drawn round's candidates to each other (``rivals``), then choose its answer (:func:`_choose`).

    The choice ranks each candidate by what its own checks showed: the rivals
    weaken evidence, they do not rank.
    """
    held = await hold_round(drawn, rivals, task, ctx) if rivals is not None else drawn
    chosen, selection = await _choose(held, agree, task, ctx, ranked=drawn)
    return Settled(held=held, chosen=chosen, selection=selection)


def _by_user(checks: Sequence[CheckResult]) -> bool:
    """Verified by the user's own specification (their tests or expected answer), which no rival can weaken."""
    return any(c.confirms and c.spec is Spec.USER for c in checks)


async def hold_round(drawn: list[Attempt], rivals: Rivals, task: TaskSpec, ctx: AgentContext) -> list[Attempt]:
    """The round's candidates with the checks their rivals revised; each new check is emitted as it was for the others."""
    if sum(1 for a in drawn if a.output is not None) < 2:
        return drawn
    revised = await rivals(drawn, task, ctx)
    held: list[Attempt] = []
    for attempt in drawn:
        checks = revised.get(attempt.candidate)
        if checks is None or checks == attempt.checks or _by_user(attempt.checks):  # the user's word is not second-guessed
            held.append(attempt)
            continue
        for result in checks:
            if result not in attempt.checks:
                ctx.emit(events.TaskChecked(run_id=ctx.run_id, task_id=task.id, attempt=attempt.number, check=result))
        held.append(attempt.model_copy(update={"checks": checks}))
    return held


async def _choose(
    drawn: Sequence[Attempt], agree: Agree | None, task: TaskSpec, ctx: AgentContext, *, ranked: Sequence[Attempt] = ()
) -> tuple[Attempt | None, str]:
    """The round's answer, if it has one: a verified candidate, else an unverified one most candidates agree with.

    ``ranked`` are the same candidates as their own checks left them, before
    their rivals were run: the pools are drawn by those statuses, so a
    candidate whose examples held against its own variants still comes before
    one whose did not, though neither is verified once the rivals disagree.
    """
    held = {a.candidate: a for a in drawn}
    ranking = ranked or drawn
    usable = [a for a in ranking if a.output is not None]
    for status in (Status.VERIFIED, Status.UNVERIFIED):
        pool = [a for a in usable if judge_status(a.checks) is status]
        if not pool:
            continue
        if len(drawn) == 1:
            return held[pool[0].candidate], ""
        answers = await agree([held[a.candidate] for a in usable], task, ctx) if agree is not None and len(pool) > 1 else {}
        chosen, votes = _vote(pool, answers)
        final = held[chosen.candidate]
        shown = judge_status(final.checks)
        note = f"candidate {chosen.candidate} of {len(drawn)} ({shown.value}"
        note += ")" if shown is status else f"; {status.value} by its own checks, not once held to its rivals)"
        return final, note + (f"; {votes}" if votes else "")
    return None, ""


def _vote(pool: list[Attempt], answers: dict[int, str]) -> tuple[Attempt, str]:
    """Self-consistency: the pool member whose answer most candidates share; ties go to the better-checked, then the earlier."""
    counts = Counter(answers.values())
    chosen = max(pool, key=lambda a: (counts.get(answers.get(a.candidate, ""), 0), _score(a)[1], -a.candidate))
    split = ", ".join(f"{_short(answer)} x{n}" for answer, n in counts.most_common())
    return chosen, f"answers {split}" if split else ""


def _short(answer: str, limit: int = 40) -> str:
    return answer if len(answer) <= limit else answer[: limit - 3] + "..."


def _feedback_order(attempts: list[Attempt]) -> list[Attempt]:
    """The attempts so far, with the latest round's best candidate last (specialists show the model the last one)."""
    if not attempts:
        return []
    latest = attempts[-1].round
    best = max((a for a in attempts if a.round == latest), key=_score)
    return [a for a in attempts if a is not best] + [best]


def _result(
    task: TaskSpec,
    attempts: list[Attempt],
    chosen: Attempt | None,
    status: Status,
    started: float,
    reason: str | None,
    selection: str = "",
    *,
    cause: Cause | None = None,
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
        cause=cause,
        selection=selection,
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
