"""The writing specialist: a model writes, measurable constraints and upstream facts check.

The constraints are those stated in the instruction
(:func:`~junto.tools.extract_constraints`) with the user's own
``task.constraints`` laid over them. The prompt spells them out, lists the
verified facts of upstream tasks, and, on a retry, the evidence of the checks
that failed. The output is checked with :func:`text_checks`: does it answer
rather than restate the prompt (:func:`~junto.tools.writing._check.check_answers`),
does it meet the constraints (:func:`~junto.tools.check_writing`; each check
says whether the instruction stated the constraint or the user gave it), and
does it state the verified facts (:func:`~junto.tools.check_facts`).

Status comes from the loop: ``verified`` only when no deterministic check
failed and one passed against a constraint or a verified fact;
``unverified`` when there was no constraint and no verified fact to hold the
text to. An optional judge (role ``judge``) adds a critique against a rubric
as a ``source="judge"`` check: it is recorded, shown in the trace, and never
changes the status.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Literal

from junto.agents._loop import CheckOutcome, Generation, render_feedback, render_inputs, run_checked
from junto.tools.facts._check import check_facts
from junto.tools.writing._check import check_answers, check_writing
from junto.tools.writing._extract import extract_constraints, merge_constraints, unread_demands
from pydantic import BaseModel, Field

from junto._budget import BudgetedModel
from junto._constraints import WritingConstraints
from junto._exceptions import BudgetExceeded, ModelError
from junto._tasks import (
    AgentContext,
    Attempt,
    CheckResult,
    CodeOutput,
    MathOutput,
    Spec,
    TaskKind,
    TaskOutput,
    TaskResult,
    TaskSpec,
    TextOutput,
)
from junto.models._types import Message, Model, ModelRequest, Role

__all__ = ["DEFAULT_RUBRIC", "JudgeVerdict", "TextSpecialist", "WritingSpecialist", "task_constraints", "text_checks"]

DEFAULT_RUBRIC = (
    "The text does what the task asks, is accurate and clear, stays on topic, "
    "and contains no filler, no repetition and no notes about itself."
)

_WRITING_SYSTEM = """You are a careful writer. Write exactly the text the task asks for.
Reply with the text only: no title unless asked, no notes, no quotes around it.
Respect every constraint listed; state the facts given exactly as written."""


class JudgeVerdict(BaseModel):
    """A judge model's opinion of a text."""

    passed: bool = Field(description="true if the text meets the rubric")
    critique: str = Field(description="one or two sentences: what is good or what to fix")


def task_constraints(task: TaskSpec) -> WritingConstraints:
    """The constraints a text for ``task`` must meet: extracted from the instruction, the user's own win."""
    return merge_constraints(_stated(task.instruction), task.constraints)


@functools.lru_cache(maxsize=256)
def _stated(instruction: str) -> WritingConstraints:
    """:func:`~junto.tools.extract_constraints` of ``instruction``, read once (a frozen model, shared).

    A task's prompt, the lines its answer must not restate and its checks all
    need them, on every attempt.
    """
    return extract_constraints(instruction)


@functools.lru_cache(maxsize=256)
def _unread(instruction: str) -> tuple[str, ...]:
    """:func:`~junto.tools.writing._extract.unread_demands` of ``instruction``, read once."""
    return tuple(unread_demands(instruction))


def text_checks(text: str, task: TaskSpec, inputs: Mapping[str, TaskResult]) -> list[CheckResult]:
    """Every deterministic check of a text for ``task``.

    ``answers`` first, when the text restates its prompt; then one check per
    constraint, the instruction's (``spec=instruction``) with the user's own
    (``spec=user``) laid over them, each passing one saying how many it is
    among ("the text meets the 3 constraints the instruction states"); then
    the upstream facts (``spec=upstream``). When the instruction makes a
    demand no check reads, every check can still fail the text but none can
    verify it; a constraint a check could not decide (the language of a
    mixed text) keeps it unverified too (:func:`~junto.agents._loop.judge_status`).
    """
    lines = _prompt_lines(task, inputs)
    answers = check_answers(text, task.instruction, prompt_lines=lines, labels=[line for line in lines if line.endswith(":")])
    constraints = check_writing(text, _stated(task.instruction), spec=Spec.INSTRUCTION, user=task.constraints)
    checks = ([answers] if answers else []) + _counted(constraints) + check_facts(text, inputs)
    unread = _unread(task.instruction)
    if not unread:
        return checks
    # The checks read part of what was asked: they can fail the text, never verify it.
    note = CheckResult(
        name="unread-demands",
        passed=None,
        evidence=f"the instruction also asks for {'; '.join(unread)}, which no check reads: the text cannot be verified",
        spec=Spec.INSTRUCTION,
    )
    return [_partial(c) for c in checks] + [note]


def _partial(check: CheckResult) -> CheckResult:
    if not check.spec.independent:
        return check
    return check.model_copy(
        update={"spec": Spec.MODEL, "evidence": f"{check.evidence} (the checks read only part of the request)"}
    )


_WHOSE = {Spec.INSTRUCTION: "the instruction states", Spec.USER: "the user gave"}


def _counted(checks: list[CheckResult]) -> list[CheckResult]:
    """The constraint checks, each passing one saying how many constraints of its kind the text meets."""
    counted = []
    for check in checks:
        group = [c for c in checks if c.spec is check.spec]
        met = sum(c.passed is True for c in group)
        if check.passed is True and check.spec in _WHOSE:
            many = f"the {len(group) if len(group) > 1 else 'one'}" if met == len(group) else f"{met} of the {len(group)}"
            noun = "constraint" if len(group) == 1 else "constraints"
            check = check.model_copy(update={"evidence": f"{check.evidence}; the text meets {many} {noun} {_WHOSE[check.spec]}"})
        counted.append(check)
    return counted


# A failed attempt, to render the line the prompt's feedback starts with.
_FAILED = [Attempt(number=0, model="", tier=0, checks=[CheckResult(name="", passed=False)])]


def _prompt_lines(task: TaskSpec, inputs: Mapping[str, TaskResult]) -> list[str]:
    """The lines the prompt adds around the instruction and the upstream outputs: labels, constraints, facts.

    An answer that repeats them restates its prompt; those ending with a
    colon are labels, which no answer contains.
    """
    outputs = {line.strip() for result in inputs.values() for line in result.output_text().splitlines()}
    added = "\n".join([render_inputs(dict(inputs)), _facts_prompt(inputs), _constraints_prompt(task), render_feedback(_FAILED)])
    return [line.strip() for line in added.splitlines() if line.strip() and line.strip() not in outputs]


def _constraints_prompt(task: TaskSpec) -> str:
    constraints = task_constraints(task).describe()
    return ("Constraints (each is checked):\n" + "\n".join(f"- {line}" for line in constraints)) if constraints else ""


def _facts_prompt(inputs: Mapping[str, TaskResult]) -> str:
    """The verified values :func:`~junto.tools.check_facts` will look for, as a list for the prompt."""
    facts = []
    for task_id, result in inputs.items():
        if not result.verified:
            continue
        if isinstance(result.output, MathOutput):
            facts.append(f"- [{task_id}] {result.output.answer}")
        elif isinstance(result.output, CodeOutput) and result.output.entry_point:
            facts.append(f"- [{task_id}] the function {result.output.entry_point}() (name it; quote its code only exactly)")
    if not facts:
        return ""
    return "Verified facts to state exactly as written:\n" + "\n".join(facts)


class TextSpecialist:
    """Shared machinery of the specialists whose output is plain text.

    ``judge`` asks the ``judge`` role for an opinion against ``rubric`` after
    each attempt (off by default, so runs stay cheap); ``max_tokens`` bounds
    each generation.
    """

    kind: TaskKind = TaskKind.WRITING
    system_prompt: str = _WRITING_SYSTEM

    def __init__(
        self, *, judge: bool = False, rubric: str = DEFAULT_RUBRIC, max_tokens: int = 512, judge_max_tokens: int = 160
    ) -> None:
        self.judge = judge
        self.rubric = rubric
        self.max_tokens = max_tokens
        self.judge_max_tokens = judge_max_tokens

    async def run(self, task: TaskSpec, inputs: dict[str, TaskResult], ctx: AgentContext) -> TaskResult:
        return await run_checked(task, inputs, ctx, generate=self._generate, check=self._check)

    def prompt(self, task: TaskSpec, inputs: Mapping[str, TaskResult], history: list[Attempt]) -> str:
        """The user message for one attempt."""
        parts = [
            render_inputs(dict(inputs)),
            _facts_prompt(inputs),
            f"Task: {task.instruction}",
            _constraints_prompt(task),
            render_feedback(history),
        ]
        return "\n\n".join(p for p in parts if p)

    async def _generate(self, model: Model, task: TaskSpec, inputs: dict[str, TaskResult], history: list[Attempt]) -> Generation:
        request = ModelRequest(
            messages=[Message.system(self.system_prompt), Message.user(self.prompt(task, inputs, history))],
            max_tokens=self.max_tokens,
        )
        completion = await model.complete(request)
        kind: Literal["writing", "general"] = "writing" if self.kind is TaskKind.WRITING else "general"
        return Generation(output=TextOutput(kind=kind, text=completion.text.strip()), completion=completion)

    async def _check(self, output: TaskOutput, task: TaskSpec, inputs: dict[str, TaskResult], ctx: AgentContext) -> CheckOutcome:
        assert isinstance(output, TextOutput)
        checks = text_checks(output.text, task, inputs)
        if self.judge:
            checks.append(await self._judge(output.text, task, ctx))
        return CheckOutcome(checks=checks)

    async def _judge(self, text: str, task: TaskSpec, ctx: AgentContext) -> CheckResult:
        """A judge model's opinion, recorded as ``source="judge"``; undecided when the judge cannot answer."""
        model: Model = ctx.roster.first(Role.JUDGE)
        if ctx.budget is not None:
            model = BudgetedModel(model, ctx.budget)
        request = ModelRequest(
            messages=[
                Message.system("You judge a text against a rubric. Reply with JSON: passed (true/false) and critique."),
                Message.user(f"Rubric: {self.rubric}\n\nTask: {task.instruction}\n\nText:\n{text}"),
            ],
            output_type=JudgeVerdict,
            max_tokens=self.judge_max_tokens,
        )
        try:
            completion = await model.complete(request)
            verdict = (
                completion.parsed
                if isinstance(completion.parsed, JudgeVerdict)
                else JudgeVerdict.model_validate(completion.parsed)
            )
        except (ModelError, BudgetExceeded, ValueError) as error:
            return CheckResult(
                name="judge",
                passed=None,
                evidence=f"no verdict from {model.name}: {error}"[:300],
                source="judge",
                spec=Spec.MODEL,
            )
        return CheckResult(
            name="judge", passed=verdict.passed, evidence=f"{model.name}: {verdict.critique}", source="judge", spec=Spec.MODEL
        )


class WritingSpecialist(TextSpecialist):
    """Writes texts and checks them against measurable constraints and upstream facts."""

    kind = TaskKind.WRITING
