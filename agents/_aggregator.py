"""The aggregator: writes the final answer from the task results, then is checked itself.

1. The strongest ``Role.AGGREGATOR`` model gets the task and every result,
   each labelled with its id and status (verified, or NOT verified and why),
   and writes one answer citing task ids like ``[roots]``. With ``on_token``
   the answer is streamed through it as it is written.
2. :func:`~junto.tools.check_consistency` compares the answer with the
   results (numbers, quoted code, citations); only what it holds to verified
   results confirms anything (``spec=upstream``), citations never do.
   Contradictions go back to the model with the evidence, at most
   ``max_revisions`` times; when streaming, ``on_token`` receives a one-line
   note before each revision.
   A plan of one task needs no merging: its output is the answer (labelled
   when not verified) and no model is called; a rewrite could only lose
   fidelity.
3. Still inconsistent after the revisions, the answer is assembled
   deterministically from the results, so nothing verified is lost or
   misquoted; an ``aggregate-fallback`` check says so. A model error or a
   spent budget is not handled here: it propagates to the run, whose one
   fallback (:meth:`junto.Junto._aggregate`) joins the task outputs.
4. Results that are not verified and that the answer does not already name
   as such get a closing "Not verified:" line.
5. A failed task's output is never content: the model is not shown it, the
   assembled answer names the task as failed with its reason, and a plan
   whose every task failed gets that answer without a model call. (A draft
   that echoes its own prompt, say, stays in the trace.)

The aggregator emits no events: its caller announces the aggregation
(:class:`~junto._events.AggregateStarted`, ``AggregateFinished`` from the
returned result) and turns ``on_token`` into ``AggregateToken`` events.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import junto.tools.facts._consistency as consistency
from pydantic import Field

from junto._aggregate import AggregateOutcome
from junto._budget import BudgetedModel
from junto._plan import Plan
from junto._tasks import AgentContext, CheckResult, CodeOutput, MathOutput, Spec, Status, TaskResult
from junto.models._chat import ChatModel
from junto.models._types import Message, Model, ModelRequest, Role, Usage

__all__ = ["AggregateResult", "Aggregator", "assemble_answer", "without_labels"]

_SYSTEM = (
    "You write the final answer to the user's task from the results of its subtasks.\n"
    "- Use verified results exactly as given: copy numbers and code, never recompute them.\n"
    "- Cite the subtask behind each part with its id in square brackets, like [roots].\n"
    "- Say plainly which results are NOT verified.\n"
    "- Show code only by copying a subtask's code exactly, inside ``` fences.\n"
    "- Be clear and concise."
)

_REVISING = "\n\n[revising: the answer disagreed with the verified results]\n\n"
_FALLING_BACK = "\n\n[the answer is assembled from the task results]\n\n"

TokenSink = Callable[[str], None]
_NOTE = "Not verified: "  # how the closing line naming the unverified tasks begins
_FAILED_HEAD = "NOT verified, the checks failed: "  # how the answer of a one-task plan that failed begins
_FAILED_TAIL = ". Its best attempt, as it failed:\n\n"  # what follows the reason, before the attempt


class AggregateResult(AggregateOutcome):
    """The final answer and the honest record of how it was checked."""

    consistent: bool | None = Field(description="None when nothing verifiable could be compared")
    fallback: bool = Field(default=False, description="the answer was assembled from the results, not written by the model")


class Aggregator:
    """Merges task results into one answer that agrees with what was verified."""

    name = ""  # the events name the roster's aggregator model

    def __init__(self, *, max_revisions: int = 2, max_tokens: int = 1024, output_chars: int = 4000) -> None:
        if max_revisions < 0:
            raise ValueError("max_revisions must be >= 0")
        self.max_revisions = max_revisions
        self.max_tokens = max_tokens
        self.output_chars = output_chars

    async def aggregate(
        self,
        task: str,
        plan: Plan,
        results: dict[str, TaskResult],
        ctx: AgentContext,
        *,
        on_token: TokenSink | None = None,
    ) -> AggregateResult:
        """Write, check and (if needed) revise the final answer."""
        only = _only_result(results)
        if only is not None:
            verified = only.status is Status.VERIFIED
            if only.status is Status.FAILED:
                # The whole answer is this task: its best attempt is shown, under its failure first, never as content
                # of a merged answer. An attempt that failed the checks is more use to the reader than no code at all.
                why = only.reason or "its checks failed"
                passthrough = f"{_FAILED_HEAD}{why}{_FAILED_TAIL}{_body(only, None)}"
                evidence = f"the plan has one task, [{only.task_id}]: it failed, and its best attempt is shown labelled so"
            else:
                passthrough = _body(only, None) + _unverified_note("", plan, results)
                evidence = f"the plan has one task, [{only.task_id}]: its output is the answer" + (
                    ", as checked" if verified else ", labelled as not verified"
                )
            if on_token is not None:
                on_token(passthrough)
            return AggregateResult(
                answer=passthrough,
                cited=[only.task_id],
                consistent=True if verified else None,
                # The answer is the verified output itself: it confirms against that result, nothing else.
                checks=[
                    CheckResult(
                        name="aggregate-passthrough", passed=True if verified else None, evidence=evidence, spec=Spec.UPSTREAM
                    )
                ],
                written_by=f"task {only.task_id}",
            )
        if results and not any(_usable(r) for r in results.values()):
            # Nothing to merge: the answer names each task's failure and its reason; no model quotes a failed output.
            assembled = assemble_answer(plan, results)
            if on_token is not None:
                on_token(assembled)
            evidence = "no task produced a usable result: the answer names each one's failure"
            return AggregateResult(
                answer=assembled,
                cited=list(results),
                consistent=None,
                checks=[CheckResult(name="aggregate-nothing-usable", passed=None, evidence=evidence, spec=Spec.MODEL)],
                fallback=True,
                written_by="the task results",
            )
        raw = ctx.roster.strongest(Role.AGGREGATOR)
        model: Model = BudgetedModel(raw, ctx.budget) if ctx.budget is not None else raw
        prompt = [Message.system(_SYSTEM), Message.user(self._request(task, plan, results))]
        messages = list(prompt)
        usage, cost, revisions = Usage(), 0.0, 0
        answer: str | None = None
        checks: list[CheckResult] = []
        consistent: bool | None = None
        failure = ""

        for round_ in range(self.max_revisions + 1):
            # A model error or a spent budget propagates: the run's one fallback joins the task outputs.
            text, used, spent = await _write(model, raw, ModelRequest(messages=messages, max_tokens=self.max_tokens), on_token)
            usage, cost = usage + used, cost + spent
            report = consistency.check_consistency(text, results, task=task, plan=plan)
            problems = report.problems() if text.strip() else ["the answer is empty; write the whole answer"]
            if not problems:
                answer, checks, consistent = text.strip(), report.checks, report.consistent
                break
            failure = f"the answer still disagreed after {round_} revision(s): " + "; ".join(problems)
            if round_ == self.max_revisions:
                break
            revisions += 1
            if on_token is not None:
                on_token(_REVISING)
            messages = [*prompt, Message.assistant(text), Message.user(_revision_request(problems))]

        fallback = answer is None
        if answer is None:
            answer = assemble_answer(plan, results)
            if on_token is not None:
                on_token(_FALLING_BACK + answer)
            report = consistency.check_consistency(answer, results, task=task, plan=plan)
            checks = [
                *report.checks,
                CheckResult(name="aggregate-fallback", passed=None, evidence=failure[:2000], spec=Spec.MODEL),
            ]
            consistent = report.consistent
        else:
            note = _unverified_note(answer, plan, results)
            if note:
                answer += note
                if on_token is not None:
                    on_token(note)

        known = set(results) | {t.id for t in plan.tasks}
        return AggregateResult(
            answer=answer,
            cited=[c for c in consistency.cited_ids(answer) if c in known],
            consistent=consistent,
            checks=checks,
            revisions=revisions,
            fallback=fallback,
            usage=usage,
            cost_usd=cost,
            written_by="the task outputs, joined" if fallback else model.name,
        )

    def _request(self, task: str, plan: Plan, results: Mapping[str, TaskResult]) -> str:
        parts = [f"Task: {task}", "Subtask results:"]
        for task_id, result in _in_plan_order(plan, results):
            produces = next((t.produces for t in plan.tasks if t.id == task_id), "")
            what = f"{result.kind.value}" + (f", {produces}" if produces else "")
            # A failed output is withheld: the model would quote it as content. Its label says why it failed.
            body = (_body(result, self.output_chars) or "(no output)") if _usable(result) else "(output withheld: failed)"
            parts.append(f"[{task_id}] ({what}) {_label(result)}:\n{body}")
        parts.append("Write the final answer, citing the subtask ids.")
        return "\n\n".join(parts)


async def _write(model: Model, raw: Model, request: ModelRequest, on_token: TokenSink | None) -> tuple[str, Usage, float]:
    """One answer: completed, or streamed through ``on_token``."""
    if on_token is None:
        completion = await model.complete(request)
        return completion.text, completion.usage, completion.cost_usd
    pieces: list[str] = []
    usage = Usage()
    async for chunk in model.stream(request):
        if chunk.text:
            pieces.append(chunk.text)
            on_token(chunk.text)
        if chunk.usage is not None:
            usage = chunk.usage
    cost = raw.price.cost(usage) if isinstance(raw, ChatModel) else 0.0
    return "".join(pieces), usage, cost


def _revision_request(problems: list[str]) -> str:
    listed = "\n".join(f"- {p}" for p in problems[:10])
    return (
        f"Your answer disagrees with the verified results:\n{listed}\n"
        "Rewrite the whole answer. Copy verified values and code exactly and cite the subtask ids."
    )


def assemble_answer(plan: Plan, results: Mapping[str, TaskResult]) -> str:
    """An answer made of the results themselves, each with its id and status (no model involved)."""
    parts = ["The task results, as checked:"]
    for task_id, result in _in_plan_order(plan, results):
        produces = next((t.produces for t in plan.tasks if t.id == task_id), "") or result.kind.value
        body = _body(result, None) if _usable(result) else ""  # a failed output is not content: its label says why
        head = f"[{task_id}] {produces} ({_label(result)})"
        if not body:
            parts.append(head + ("." if result.status is Status.FAILED else ": no output."))
        elif isinstance(result.output, MathOutput):
            parts.append(f"{head}: {body}")
        else:
            parts.append(f"{head}:\n{body}")
    return "\n\n".join(parts)


def _only_result(results: Mapping[str, TaskResult]) -> TaskResult | None:
    """The result of a one-task plan, when it has an output (a failed one's best attempt too): it is the answer."""
    if len(results) != 1:
        return None
    (result,) = results.values()
    shown = _usable(result) or result.status is Status.FAILED
    return result if shown and result.output is not None and result.output_text().strip() else None


def _usable(result: TaskResult) -> bool:
    """A result whose output may be quoted in the answer: verified, or unverified and labelled so; never a failed one."""
    return result.status in (Status.VERIFIED, Status.UNVERIFIED)


def _in_plan_order(plan: Plan, results: Mapping[str, TaskResult]) -> list[tuple[str, TaskResult]]:
    ordered = [t.id for t in plan.tasks if t.id in results]
    ordered += [task_id for task_id in results if task_id not in ordered]
    return [(task_id, results[task_id]) for task_id in ordered]


def _label(result: TaskResult) -> str:
    why = f": {result.reason}" if result.reason else ""
    return {
        Status.VERIFIED: "verified",
        Status.FAILED: f"NOT verified, its checks failed{why}",
        Status.UNVERIFIED: "NOT verified, no check could decide",
        Status.SKIPPED: f"NOT verified, it did not run{why}",
    }[result.status]


def _body(result: TaskResult, limit: int | None) -> str:
    text = result.output_text().strip()
    if limit is not None and len(text) > limit:
        text = text[:limit] + " ..."
    if text and isinstance(result.output, CodeOutput):
        return f"```python\n{text}\n```"
    return text


def _unverified_note(answer: str, plan: Plan, results: Mapping[str, TaskResult]) -> str:
    says_so = "not verified" in answer.lower()
    cited = set(consistency.cited_ids(answer))
    missing = [
        f"[{task_id}] ({_label(result).removeprefix('NOT verified, ')})"
        for task_id, result in _in_plan_order(plan, results)
        if not result.verified and not (says_so and task_id in cited)
    ]
    return f"\n\n{_NOTE}{'; '.join(missing)}." if missing else ""


def without_labels(answer: str) -> str:
    """``answer`` without the labels the aggregator adds, which are for the reader, not content.

    Two labels: the head of a one-task answer whose checks failed ("NOT verified,
    the checks failed: ... Its best attempt, as it failed:") and the closing
    "Not verified: ..." line naming unverified tasks. Scoring an answer against
    a user's constraints (a word count, all lowercase) scores what is under them.
    """
    if answer.startswith(_FAILED_HEAD) and _FAILED_TAIL in answer:
        answer = answer.split(_FAILED_TAIL, 1)[1]
    head, found, tail = answer.rpartition("\n\n" + _NOTE)
    return head if found and "\n" not in tail.strip() else answer
