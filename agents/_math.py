"""The math specialist: a model formalises and answers, sympy checks.

The model answers with a :class:`~junto.tools.MathAnswer` (kind, expression,
variable, point, answer, work) under JSON-schema-constrained decoding, and
:func:`~junto.tools.check_claim` checks it against the task's instruction:
against the instruction's own expression when the instruction states its
whole question (a pass verifies), against the model's formalisation
otherwise (a pass is only consistency). A user's ``expected`` answer is a
specification of its own. An answer sympy disagrees with fails, and the
evidence goes back to the model on the next attempt; the checker's value is
never put in the answer's place.

When the instruction's words name one kind of problem (a derivative, an
integral, a root), the model is told so: small models tend to label every
problem with the first kind offered.
"""

from __future__ import annotations

from junto.agents._loop import CheckOutcome, Generation, answer_keys, render_feedback, render_inputs, run_checked
from junto.tools.math._claims import check_claim_async
from junto.tools.math._compare import compare_answers_async
from junto.tools.math._parse import format_math, parse_math
from junto.tools.math._question import kind_named
from junto.tools.math._worker import MathWorkerPool

from junto._exceptions import CheckError
from junto._formalization import MathAnswer, MathKind
from junto._tasks import AgentContext, Attempt, CheckResult, MathOutput, Spec, TaskKind, TaskOutput, TaskResult, TaskSpec
from junto.models._types import Message, Model, ModelRequest

__all__ = ["MathSpecialist"]

_SYSTEM = """You solve one math task and state it so a computer algebra system can check it.
Reply with JSON only, with these fields:
- kind: evaluate, solve, simplify, derivative, integral, limit, inequality or other
- expression: the math to check, in plain notation, e.g. 17*23 or x^2 - 5*x + 6 = 0 or sin(x)/x
- variable: the variable, usually x
- point: for a limit the value x approaches; for a definite integral the bounds "a, b"; else null
- answer: the final answer only, e.g. 391 or {2, 3} or 3*x^2 + 2
- work: at most two short lines of working
Use every number from the task in the expression."""


class MathSpecialist:
    """Solves math tasks with a model and checks every answer with sympy.

    ``timeout_s`` bounds each sympy check (a check that runs out of time is
    undecided, not failed); ``pool`` is the worker pool sympy runs in (the
    process-wide default when ``None``).
    """

    kind = TaskKind.MATH

    def __init__(self, *, timeout_s: float = 10.0, max_tokens: int = 256, pool: MathWorkerPool | None = None) -> None:
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens
        self.pool = pool

    async def run(self, task: TaskSpec, inputs: dict[str, TaskResult], ctx: AgentContext) -> TaskResult:
        return await run_checked(task, inputs, ctx, generate=self._generate, check=self._check, agree=answer_keys(_answer_key))

    async def _generate(self, model: Model, task: TaskSpec, inputs: dict[str, TaskResult], history: list[Attempt]) -> Generation:
        kind = kind_named(task.instruction)
        hint = f"The task asks for kind: {kind.value}." if kind else ""
        parts = [render_inputs(inputs), f"Task: {task.instruction}", hint, render_feedback(history)]
        request = ModelRequest(
            messages=[Message.system(_SYSTEM), Message.user("\n\n".join(p for p in parts if p))],
            output_type=MathAnswer,
            max_tokens=self.max_tokens,
        )
        completion = await model.complete(request)
        answer = completion.parsed if isinstance(completion.parsed, MathAnswer) else MathAnswer.model_validate(completion.parsed)
        output = MathOutput(answer=answer.answer, work=answer.work, formalization=answer)
        return Generation(output=output, completion=completion)

    async def _check(self, output: TaskOutput, task: TaskSpec, inputs: dict[str, TaskResult], ctx: AgentContext) -> CheckOutcome:
        assert isinstance(output, MathOutput)
        claim = output.formalization or MathAnswer(kind=MathKind.OTHER, expression="", answer=output.answer)
        result = await check_claim_async(claim, instruction=task.instruction, timeout_s=self.timeout_s, pool=self.pool)
        checks: list[CheckResult] = list(result.checks)
        if task.expected is not None:
            verdict = await compare_answers_async(output.answer, task.expected, timeout_s=self.timeout_s, pool=self.pool)
            evidence = f"answer {output.answer} vs the expected {task.expected}: {verdict.method}; {verdict.detail}"
            checks.append(CheckResult(name="expected", passed=verdict.equivalent, evidence=evidence, spec=Spec.USER))
        return CheckOutcome(checks=checks)


def _answer_key(output: TaskOutput) -> str | None:
    """A math answer in sympy's canonical form, so '1/2', '0.5' and '2/4' vote together."""
    if not isinstance(output, MathOutput):
        return None
    try:
        return format_math(parse_math(output.answer).value)
    except CheckError:
        return output.answer.strip() or None
