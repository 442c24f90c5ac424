"""Checking a model's math answer with sympy, under the verification contract.

The model fills a small, flat :class:`MathAnswer`: what kind of problem it
is, the expression it formalised, the variable, a point (for limits,
derivatives at a point, bounds of a definite integral) and its answer.
:func:`check_claim` lets sympy do the mathematics:

- ``evaluate``/``simplify``: the answer must equal the expression (in the
  form asked for, expanded or factored);
- ``solve``: every claimed root is substituted back, and the set of roots is
  compared with sympy's ``solveset`` (or one value of them: the larger, the
  sum, ...);
- ``derivative``: the expression is differentiated (at the point, if any);
- ``integral``: the claimed antiderivative is differentiated and compared
  with the integrand, or a definite integral evaluated;
- ``limit``: sympy's two-sided limit;
- ``inequality``: ``solve_univariate_inequality`` gives the solution set.

*What sympy holds the answer to* decides what a pass means:

- When the instruction states its whole question as one expression
  (:func:`~junto.tools.math._question.read_question`), sympy works on the
  instruction's own expression, kind, point and bounds, and the check's
  specification is the instruction: a pass verifies the answer.
- Otherwise sympy works on the model's formalisation: a pass means the
  answer is what the model's own formalisation computes to (a *computed*
  answer, spec ``model``), which never verifies it.

Either way, an answer that differs from sympy's value fails the check. The
checker never puts its value in place of the model's answer. The evidence of
a failure against the instruction does not quote sympy's value, so a retry
cannot copy it; a failure against the model's formalisation does (it is a
tool's result the model may use, and stays unverified).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from junto.tools.math._compare import compare_values
from junto.tools.math._parse import ParsedMath, format_math, parse_math
from junto.tools.math._question import RootPick, StatedQuestion, read_question
from junto.tools.math._worker import MathJob, MathWorkerPool, default_pool
from pydantic import BaseModel

from junto._exceptions import CheckError
from junto._formalization import MathAnswer, MathKind
from junto._tasks import Spec

if TYPE_CHECKING:
    from junto._tasks import CheckResult

__all__ = [
    "ClaimCheck",
    "check_claim",
    "check_claim_async",
]


@dataclass(frozen=True)
class ClaimCheck:
    """The checks run on one :class:`MathAnswer`, and the expression sympy worked on."""

    checks: list[CheckResult] = field(default_factory=list)
    expression: str = ""
    computed: str | None = None  # sympy's value, when it computed one


def check_claim(
    claim: MathAnswer,
    *,
    instruction: str | None = None,
    timeout_s: float = 10.0,
    pool: MathWorkerPool | None = None,
) -> ClaimCheck:
    """Check ``claim`` with sympy in a time-limited worker (see the module docstring for what a pass means)."""
    from junto._tasks import CheckResult

    try:
        reply = _Reply.model_validate((pool or default_pool()).run(MathJob.CLAIM, claim, instruction, timeout_s=timeout_s))
    except CheckError as error:  # a time limit (WorkerTimeout) or a worker failure: undecided
        return ClaimCheck(
            checks=[CheckResult(name=f"sympy:{claim.kind.value}", passed=None, evidence=error.message)],
            expression=claim.expression,
        )
    return ClaimCheck(
        checks=[CheckResult(**c.model_dump()) for c in reply.checks], expression=reply.expression, computed=reply.computed
    )


async def check_claim_async(
    claim: MathAnswer,
    *,
    instruction: str | None = None,
    timeout_s: float = 10.0,
    pool: MathWorkerPool | None = None,
) -> ClaimCheck:
    """:func:`check_claim` without blocking the event loop."""
    return await asyncio.to_thread(check_claim, claim, instruction=instruction, timeout_s=timeout_s, pool=pool)


# ---------------------------------------------------------------- worker side


class _Check(BaseModel):
    """One check as the worker reports it (a :class:`~junto._tasks.CheckResult` once back home)."""

    name: str
    passed: bool | None
    evidence: str
    spec: Spec = Spec.MODEL


class _Reply(BaseModel):
    checks: list[_Check]
    expression: str
    computed: str | None = None


@dataclass(frozen=True)
class _Problem:
    """What sympy checks the answer against, and where that came from."""

    kind: MathKind
    text: str  # the expression as written
    expression: Any  # parsed
    variable: Any
    point: str | None
    pick: RootPick | None
    form: str | None
    spec: Spec  # INSTRUCTION when the instruction states it all, else MODEL

    def check(self, name: str, passed: bool | None, evidence: str) -> _Check:
        return _Check(name=name, passed=passed, evidence=evidence, spec=self.spec)

    @property
    def source(self) -> str:
        return "the instruction's" if self.spec is Spec.INSTRUCTION else "your formalisation's"


@dataclass(frozen=True)
class _Answer:
    text: str
    parsed: ParsedMath | None
    unreadable: str | None = None  # why it could not be read (then ``parsed`` is None)


def _parsed(value: Any) -> ParsedMath:
    return ParsedMath(value=value, text=format_math(value))


def check_claim_in_worker(claim: MathAnswer, instruction: str | None) -> _Reply:
    """The worker side of :func:`check_claim` (runs sympy; may be slow)."""
    checks: list[_Check] = []
    stated = read_question(instruction) if instruction else None
    if stated is not None:
        checks.append(
            _Check(
                name="question",
                passed=None,
                evidence=f"the instruction states its whole question: {stated.kind.value} of {stated.expression}",
            )
        )
    elif instruction:
        missing = _missing_numbers(claim, instruction)
        if missing:
            evidence = f"the instruction mentions {', '.join(missing)} but the expression '{claim.expression}' does not use it"
            checks.append(_Check(name="formalization", passed=False, evidence=evidence))
            return _Reply(checks=checks, expression=claim.expression)
    try:
        problem = _problem(claim, stated)
    except CheckError as error:
        where = "the instruction's expression" if stated is not None else f"the expression {claim.expression!r}"
        checks.append(
            _Check(name="formalization", passed=None if stated else False, evidence=f"{where} could not be read: {error.message}")
        )
        return _Reply(checks=checks, expression=stated.expression if stated else claim.expression)
    try:
        answer = _Answer(claim.answer, parse_math(claim.answer))
    except CheckError as error:
        answer = _Answer(claim.answer, None, f"the answer {claim.answer!r} could not be read ({error.message})")
    checker = _CHECKERS.get(problem.kind)
    if checker is None:
        checks.append(problem.check("sympy:other", None, "a problem of kind 'other' has no symbolic check"))
        return _Reply(checks=checks, expression=problem.text)
    found, computed = checker(problem, answer)
    checks += found
    return _Reply(checks=checks, expression=problem.text, computed=computed)


def _problem(claim: MathAnswer, stated: StatedQuestion | None) -> _Problem:
    import sympy as sp

    if stated is not None:
        text, kind, point, pick, form = stated.expression, stated.kind, stated.point, stated.pick, stated.form
        variable_name = stated.variable
        spec = Spec.INSTRUCTION
    else:
        text, kind, point, pick, form = claim.expression, claim.kind, claim.point, None, None
        variable_name = claim.variable.strip() or None
        spec = Spec.MODEL
    expression = parse_math(text).value
    if variable_name is None:
        symbols = sorted(getattr(expression, "free_symbols", set()), key=str)
        variable_name = str(symbols[0]) if len(symbols) == 1 else "x"
    variable = sp.Symbol(variable_name)
    if kind is MathKind.SOLVE and isinstance(expression, sp.Rel) and not isinstance(expression, sp.Equality):
        kind = MathKind.INEQUALITY
    if kind in (MathKind.EVALUATE, MathKind.SIMPLIFY) and point is not None and isinstance(expression, sp.Expr):
        expression = expression.subs(variable, parse_math(point).value)
        point = None
    return _Problem(kind=kind, text=text, expression=expression, variable=variable, point=point, pick=pick, form=form, spec=spec)


def _missing_numbers(claim: MathAnswer, instruction: str) -> list[str]:
    """Numbers the instruction gives that the model's formalisation leaves out (a percentage may appear as its decimal)."""
    given = set(re.findall(r"\d+(?:\.\d+)?", re.sub(r"'[^']*'|\"[^\"]*\"", " ", instruction)))
    used = set(re.findall(r"\d+(?:\.\d+)?", claim.expression + " " + (claim.point or "")))
    return sorted(n for n in given if n not in used and f"{float(n) / 100:g}" not in used)


def _verdict(problem: _Problem, name: str, computed: Any, answer: _Answer, source: str) -> tuple[list[_Check], str | None]:
    """Compare the answer with sympy's value. A difference fails; the value is never put in the answer's place."""
    import sympy as sp

    if isinstance(computed, sp.Expr) and computed.has(sp.Integral, sp.Limit, sp.Derivative):
        return [problem.check(name, None, f"sympy could not compute {source}")], None
    shown = format_math(computed)
    if answer.parsed is None:
        return [problem.check(name, False, answer.unreadable or f"the answer {answer.text} could not be read")], shown
    same = compare_values(answer.parsed, _parsed(computed))
    restates = same.equivalent or same.method == "domain"  # (y^2-1)/(y-1) for "Simplify (y^2-1)/(y-1)" is no answer
    if restates and _operations(answer.text) > _operations(shown):
        return [problem.check(name, False, f"the answer {answer.text} is a computation, not its value: work it out")], shown
    if same.equivalent:
        if problem.spec is Spec.INSTRUCTION:
            return [
                problem.check(
                    name, True, f"the answer {answer.text} equals sympy's value of the instruction's {source} ({same.method})"
                )
            ], shown
        evidence = f"the answer {answer.text} is what the model's formalisation computes to: {source} = {shown} ({same.method}); the formalisation is the model's own"
        return [problem.check(name, True, evidence)], shown
    if same.equivalent is None:
        return [
            problem.check(name, None, f"could not decide whether {answer.text} equals sympy's value of {source}: {same.detail}")
        ], shown
    if problem.spec is Spec.INSTRUCTION:
        return [problem.check(name, False, f"the answer {answer.text} is not the value of the instruction's {source}")], shown
    return [
        problem.check(name, False, f"the answer {answer.text} is not what your formalisation computes to: {source} = {shown}")
    ], shown


_POWER_OF_TEN = re.compile(r"\s*(?:\*|×|\\times|\\cdot)\s*10\s*(?:\^|\*\*)\s*\{?\s*[-+]?\d+\s*\}?")


def _operations(text: str) -> int:
    """How many operations a written value still holds: ``17*23`` holds one, ``391`` none, ``-3/4`` one.

    An answer that holds more than sympy's own form of the value restates a
    computation instead of doing it (``Compute 17*23`` answered ``17*23``).
    Signs, scientific notation, implicit products and powers that are forms
    (``e^2``, ``2^(1/2)``) are not counted.
    """
    value = text.rsplit("=", 1)[-1]
    value = _POWER_OF_TEN.sub("", value.replace("−", "-").replace("**", "^"))
    value = re.sub(r"(?<=\d)[eE][-+]?(?=\d)", "", value)  # 3.2e-4
    value = re.sub(r"(^|[(\[{,=^*/<>≤≥])\s*[-+]", r"\1", value.strip())  # a leading or unary sign
    powers = len(re.findall(r"\d\s*\^\s*\{?\s*\d", value))  # 2^10 is work to do; e^2, 2^(1/2), x^2 are forms
    value = re.sub(r"\^\s*(?:\([^()]*\)|\{[^{}]*\})", "^", value)  # what an exponent holds belongs to the form
    return powers + len(re.findall(r"[-+*/!×÷]|\\frac|\\cdot|\\times|\\div", value))


def _check_value(problem: _Problem, answer: _Answer) -> tuple[list[_Check], str | None]:
    import sympy as sp

    expression = problem.expression
    name = f"sympy:{problem.kind.value}"
    if isinstance(expression, sp.Equality):
        if problem.spec is Spec.INSTRUCTION:
            return [problem.check(name, None, "an equation is not a value to compute")], None
        expression = expression.lhs
    if not isinstance(expression, sp.Expr):
        return [problem.check(name, None, "the expression is not a single value")], None
    if answer.parsed is not None and isinstance(answer.parsed.value, sp.Equality) and not answer.parsed.value.rhs.free_symbols:
        answer = _Answer(answer.text, _parsed(answer.parsed.value.rhs))  # '1/6 + 6/9 = 5/6': the value is the right-hand side
    if problem.form is not None:  # 'Expand (x - 4)*(x - 5)': that form of the expression is the value
        computed = sp.expand(expression) if problem.form == "expand" else sp.factor(expression)
        checks, shown = _verdict(
            problem,
            f"sympy:{problem.form}",
            computed,
            answer,
            f"{problem.form}({problem.text})",
        )
        if checks[0].passed and answer.parsed is not None and sp.srepr(answer.parsed.value) != sp.srepr(computed):
            return [
                problem.check(
                    f"sympy:{problem.form}", False, f"the answer {answer.text} is equal but not in {problem.form}ed form"
                )
            ], shown
        return checks, shown
    computed = expression if expression.is_Rational else sp.simplify(expression)
    return _verdict(problem, name, computed, answer, f"expression {problem.text}")


def _check_derivative(problem: _Problem, answer: _Answer) -> tuple[list[_Check], str | None]:
    import sympy as sp

    expression, variable = problem.expression, problem.variable
    if isinstance(expression, sp.Equality):
        expression = expression.rhs
    computed = sp.simplify(sp.diff(expression, variable))
    source = f"d/d{variable} of {format_math(expression)}"
    if problem.point:
        point = parse_math(problem.point).value
        computed = sp.simplify(computed.subs(variable, point))
        source += f" at {variable} = {format_math(point)}"
    return _verdict(problem, "sympy:derivative", computed, answer, source)


def _check_integral(problem: _Problem, answer: _Answer) -> tuple[list[_Check], str | None]:
    import sympy as sp

    expression, variable = problem.expression, problem.variable
    if isinstance(expression, sp.Equality):
        expression = expression.rhs
    bounds = parse_math(problem.point).value if problem.point else None
    if isinstance(bounds, sp.Interval):
        bounds = [bounds.start, bounds.end]
    if isinstance(bounds, (sp.Tuple, list)) and len(bounds) == 2:
        low, high = bounds
        computed = sp.simplify(sp.integrate(expression, (variable, low, high)))
        return _verdict(
            problem, "sympy:integral", computed, answer, f"integral of {format_math(expression)} from {low} to {high}"
        )
    name = "sympy:integral"
    if answer.parsed is None or not isinstance(answer.parsed.value, sp.Expr):
        return [problem.check(name, False, answer.unreadable or f"the answer {answer.text} is not an expression")], None
    back = sp.diff(answer.parsed.value, variable)
    same = compare_values(_parsed(back), _parsed(expression))
    if same.equivalent:
        return [
            problem.check(
                name,
                True,
                f"d/d{variable} of the answer gives back the integrand {format_math(expression)} of {problem.source} expression",
            )
        ], None
    if same.equivalent is None:
        return [
            problem.check(name, None, f"could not decide whether d/d{variable} of the answer equals the integrand: {same.detail}")
        ], None
    return [
        problem.check(name, False, f"d/d{variable} of the answer {answer.text} is not the integrand {format_math(expression)}")
    ], None


def _check_limit(problem: _Problem, answer: _Answer) -> tuple[list[_Check], str | None]:
    import sympy as sp

    if not problem.point:
        return [problem.check("sympy:limit", False, "a limit needs the point the variable approaches")], None
    point = parse_math(problem.point).value
    direction = "+" if point in (sp.oo, -sp.oo) else "+-"
    try:
        computed = sp.limit(problem.expression, problem.variable, point, dir=direction)
    except ValueError as error:  # the one-sided limits differ
        return [problem.check("sympy:limit", None, f"sympy finds no two-sided limit: {error}")], None
    if isinstance(computed, sp.AccumBounds):
        return [problem.check("sympy:limit", None, f"the limit does not exist (the values stay within {computed})")], None
    source = f"limit of {format_math(problem.expression)} as {problem.variable} -> {format_math(point)}"
    return _verdict(problem, "sympy:limit", computed, answer, source)


def _claimed_roots(answer: ParsedMath | None) -> list[Any] | None:
    import sympy as sp

    if answer is None:
        return None
    value = answer.value
    if isinstance(value, sp.Equality):
        return [value.rhs if value.lhs.is_Symbol else value.lhs]
    if isinstance(value, sp.Or) and all(isinstance(a, sp.Equality) for a in value.args):
        return [a.rhs if a.lhs.is_Symbol else a.lhs for a in value.args]
    if isinstance(value, sp.Tuple) and answer.bare:
        return [a.rhs if isinstance(a, sp.Equality) and a.lhs.is_Symbol else a for a in value]
    if isinstance(value, sp.FiniteSet):
        return list(value.args)
    if isinstance(value, sp.Expr):
        return [value]
    return None


def _check_solve(problem: _Problem, answer: _Answer) -> tuple[list[_Check], str | None]:
    import sympy as sp

    expression, variable = problem.expression, problem.variable
    equation = expression.lhs - expression.rhs if isinstance(expression, sp.Equality) else expression
    source = f"{format_math(expression)}" + ("" if isinstance(expression, sp.Equality) else " = 0")
    solutions = sp.solveset(equation, variable, sp.S.Reals)
    if solutions is sp.S.EmptySet:
        solutions = sp.solveset(equation, variable, sp.S.Complexes)
    if problem.pick is not None:
        return _check_picked(problem, solutions, answer, source)
    roots = _claimed_roots(answer.parsed)
    if roots is None:
        return [
            problem.check("sympy:solve", False, answer.unreadable or f"the answer {answer.text} is not a list of roots")
        ], None
    wrong = [r for r in roots if not _satisfies(equation, variable, r)]
    if wrong:
        return [
            problem.check("sympy:solve", False, f"{', '.join(format_math(w) for w in wrong)} does not satisfy {source}")
        ], None
    if not isinstance(solutions, sp.FiniteSet):
        return [
            problem.check(
                "sympy:solve",
                None,
                f"each claimed root satisfies {source}; sympy finds the solution set {format_math(solutions)} and cannot confirm no root is missing",
            )
        ], None
    same = compare_values(_parsed(sp.FiniteSet(*roots)), _parsed(solutions))
    if same.equivalent:
        return [
            problem.check(
                "sympy:solve", True, f"each root satisfies {source}, and sympy finds no other ({problem.source} equation)"
            )
        ], format_math(solutions)
    if same.equivalent is None:
        return [
            problem.check(
                "sympy:solve", None, f"each root satisfies {source}; could not decide whether any is missing: {same.detail}"
            )
        ], None
    shown = format_math(solutions) if problem.spec is Spec.MODEL else "more solutions"
    return [
        problem.check("sympy:solve", False, f"each root given satisfies {source}, but some are missing: sympy finds {shown}")
    ], format_math(solutions)


def _check_picked(problem: _Problem, solutions: Any, answer: _Answer, source: str) -> tuple[list[_Check], str | None]:
    """The instruction asks for one value from the roots (the larger, their sum, ...): sympy's roots give it."""
    import sympy as sp

    pick = problem.pick
    assert pick is not None
    roots = list(solutions) if isinstance(solutions, sp.FiniteSet) else None
    if not roots or not all(r.is_real for r in roots):
        return [
            problem.check(
                "sympy:solve", None, f"sympy solves {source} to {format_math(solutions)}; cannot take the {pick.value} of that"
            )
        ], None
    if pick in (RootPick.POSITIVE, RootPick.NEGATIVE):
        chosen = [r for r in roots if (r > 0 if pick is RootPick.POSITIVE else r < 0)]
        if len(chosen) != 1:
            return [problem.check("sympy:solve", None, f"{len(chosen)} {pick.value} roots of {source}, not one")], None
        value = chosen[0]
    else:
        combine = {RootPick.LARGEST: sp.Max, RootPick.SMALLEST: sp.Min, RootPick.SUM: sp.Add, RootPick.PRODUCT: sp.Mul}[pick]
        value = combine(*roots)
    value = sp.nsimplify(value) if value.is_Float else value
    return _verdict(problem, "sympy:solve", value, answer, f"{pick.value} of the roots of {source}")


def _satisfies(equation: Any, variable: Any, root: Any) -> bool:
    import sympy as sp

    if not isinstance(root, sp.Expr):
        return False
    value = equation.subs(variable, root)
    if sp.simplify(value) == 0:
        return True
    number = sp.N(value, 40)
    return bool(number.is_number and abs(complex(number)) < 1e-30)


def _check_inequality(problem: _Problem, answer: _Answer) -> tuple[list[_Check], str | None]:
    import sympy as sp

    expression, variable = problem.expression, problem.variable
    if not isinstance(expression, (sp.Rel, sp.And, sp.Or)) or isinstance(expression, sp.Equality):
        return [problem.check("sympy:inequality", False, f"{format_math(expression)} is not an inequality")], None
    if isinstance(expression, sp.Rel):
        computed = sp.solve_univariate_inequality(expression, variable, relational=False)
    else:
        computed = expression.as_set()
    return _verdict(problem, "sympy:inequality", computed, answer, f"solution set of {format_math(expression)}")


_CHECKERS = {
    MathKind.EVALUATE: _check_value,
    MathKind.SIMPLIFY: _check_value,
    MathKind.DERIVATIVE: _check_derivative,
    MathKind.INTEGRAL: _check_integral,
    MathKind.LIMIT: _check_limit,
    MathKind.SOLVE: _check_solve,
    MathKind.INEQUALITY: _check_inequality,
}
