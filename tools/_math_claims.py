"""Checking a model's formalised math answer with sympy.

The model fills a small, flat :class:`MathAnswer`: what kind of problem it
is, the expression it formalised, the variable, a point (for limits,
derivatives at a point, bounds of a definite integral) and its answer.
:func:`check_claim` then lets sympy do the mathematics:

- ``evaluate``/``simplify``: the answer must equal the expression;
- ``solve``: every claimed root is substituted back, and the set of roots is
  compared with sympy's ``solveset``;
- ``derivative``: the expression is differentiated;
- ``integral``: the claimed antiderivative is differentiated and compared
  with the integrand (or a definite integral evaluated);
- ``limit``: sympy's two-sided limit;
- ``inequality``: ``solve_univariate_inequality`` gives the solution set.

When the model's arithmetic is wrong but its formalisation stands, the
checker's value wins: the result carries ``corrected`` and the evidence
says so ("model said 381, sympy computes 391 from 17*23; using 391").

Sympy cannot tell whether the formalisation states the problem that was
asked. Given the instruction, two cheap guards apply: when the instruction
contains an explicit expression (``Compute 17*23``, ``Solve x^2 - 5x + 6 =
0``) the check uses *that* expression, not the model's; otherwise every
number in the instruction must appear in the model's expression, and the
formalisation is recorded as unconfirmed. The kind of problem is read from
the instruction's wording (derivative, integral, limit, solve, ...) and a
mismatch fails the check. A point the instruction states (``at x = 2``,
``from x = 0 to x = 3``, ``as x approaches 0``) is used instead of the
model's, and a question about the roots (the larger or smaller one, their
sum or product, the positive or negative one) is answered from sympy's
solutions, never with the whole solution set.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from junto.tools._math_compare import Equivalence, compare_values
from junto.tools._math_parse import ParsedMath, _to_source, format_math, parse_math
from junto.tools._math_worker import MathWorkerPool, default_pool
from pydantic import BaseModel, Field

from junto._exceptions import CheckError

if TYPE_CHECKING:
    from junto._tasks import CheckResult

__all__ = [
    "ClaimCheck",
    "MathAnswer",
    "MathKindName",
    "asked_kind",
    "check_claim",
    "check_claim_async",
    "find_expression",
    "infer_kind",
    "root_pick",
    "stated_point",
]

MathKindName = Literal["evaluate", "solve", "simplify", "derivative", "integral", "limit", "inequality", "other"]


class MathAnswer(BaseModel):
    """A math answer with its formalisation, small and flat enough for a tiny model to fill.

    ``expression`` is what sympy checks: the arithmetic to evaluate, the
    equation to solve, the function to differentiate or integrate.
    """

    kind: MathKindName = Field(description="evaluate, solve, simplify, derivative, integral, limit, inequality or other")
    # The length caps reach the local model's grammar, so a rambling string cannot eat the token budget.
    expression: str = Field(max_length=120, description="the expression or equation, e.g. 17*23 or x^2 - 5*x + 6 = 0")
    variable: str = Field(default="x", max_length=12, description="the variable, e.g. x")
    point: str | None = Field(default=None, max_length=40, description="the point of a limit, or bounds 'a, b' of a definite integral")
    answer: str = Field(max_length=60, description="the final answer only, e.g. 391 or {2, 3}")
    work: str = Field(default="", max_length=80, description="one or two short lines of working")


@dataclass(frozen=True)
class ClaimCheck:
    """The checks run on one :class:`MathAnswer`, and sympy's answer when it differs."""

    checks: list[CheckResult] = field(default_factory=list)
    corrected: str | None = None
    expression: str = ""


def check_claim(
    claim: MathAnswer,
    *,
    instruction: str | None = None,
    timeout_s: float = 10.0,
    pool: MathWorkerPool | None = None,
) -> ClaimCheck:
    """Check ``claim`` with sympy in a time-limited worker."""
    from junto._tasks import CheckResult

    try:
        data = (pool or default_pool()).run("claim", claim.model_dump(), instruction, timeout_s=timeout_s)
    except CheckError as error:  # a time limit (WorkerTimeout) or a worker failure: undecided
        return ClaimCheck(checks=[CheckResult(name=f"sympy:{claim.kind}", passed=None, evidence=error.message)], expression=claim.expression)
    return ClaimCheck(
        checks=[CheckResult(**c) for c in data["checks"]],
        corrected=data["corrected"],
        expression=data["expression"],
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


# ---------------------------------------------------------------- reading the instruction

_KIND_WORDS: list[tuple[str, str]] = [
    ("derivative", r"\bderivative\b|\bdifferentiate\b|d/d[a-z]\b"),
    ("integral", r"\bintegral\b|\bintegrate\b|\bantiderivative\b"),
    ("limit", r"\blimit\b|\\lim\b|\blim\b"),
    ("simplify", r"\bsimplify\b|\bexpand\b|\bfactor(?:ise|ize)?\b"),
    ("solve", r"\bsolve\b|\broots?\b|\bzeros?\b|\bsolutions?\b"),
    ("evaluate", r"\bcompute\b|\bcalculate\b|\bevaluate\b|\bwhat is\b|\bhow (?:many|much)\b|\bfind the value\b"),
]
_COMPATIBLE = {frozenset({"evaluate", "simplify"}), frozenset({"solve", "inequality"})}
_MATH_WORD = re.compile(r"^[0-9A-Za-z+\-*/^().=<>√π×÷−²³{}\[\]|,%\\]+$")
_FUNCTION_WORDS = {"sin", "cos", "tan", "log", "ln", "exp", "sqrt"}


def infer_kind(instruction: str) -> str | None:
    """The kind of problem the instruction's wording asks for, if it says."""
    text = instruction.lower()
    for kind, pattern in _KIND_WORDS:
        if re.search(pattern, text):
            return kind
    return None


def asked_kind(kind: str, instruction: str) -> str:
    """The kind to check a claim as: the instruction's, when its wording names one that ``kind`` does not fit."""
    wanted = infer_kind(instruction)
    if wanted is None or wanted == kind or (frozenset({wanted, kind}) in _COMPATIBLE and wanted != "simplify"):
        return kind
    return wanted  # 'simplify' (expand, factor) is the more specific reading of 'evaluate'


def _asked_form(instruction: str) -> str | None:
    """``expand`` or ``factor`` when the instruction asks for that form of the expression."""
    found = re.search(r"\b(expand|factor)(?:ise|ize)?\b", instruction, re.IGNORECASE)
    return found.group(1).lower() if found else None


_NUMBER_OR_INFINITY = r"(-?\s*(?:\d+(?:\.\d+)?(?:/\d+)?|oo|infinity|pi))(?![\w.]\w)"
_BOUNDS = re.compile(rf"\bfrom\s+(?:[a-z]\s*=\s*)?{_NUMBER_OR_INFINITY}\s+to\s+(?:[a-z]\s*=\s*)?{_NUMBER_OR_INFINITY}", re.IGNORECASE)
_APPROACH = re.compile(rf"\b[a-z]\s*(?:approaches|tends to|goes to|->|→)\s*{_NUMBER_OR_INFINITY}", re.IGNORECASE)
_ROOTS = r"(?:real\s+)?(?:roots?|solutions?|zeros?)\b"
_PICKS: list[tuple[str, str]] = [
    ("largest", rf"\b(?:larger|largest|greater|greatest|bigger|biggest)\s+{_ROOTS}"),
    ("smallest", rf"\b(?:smaller|smallest|lesser)\s+{_ROOTS}"),
    ("sum", rf"\bsum\s+of\s+(?:the\s+|its\s+|all\s+)*{_ROOTS}"),
    ("product", rf"\bproduct\s+of\s+(?:the\s+|its\s+|all\s+)*{_ROOTS}"),
    ("positive", rf"\bpositive\s+{_ROOTS}"),
    ("negative", rf"\bnegative\s+{_ROOTS}"),
]
# Other things an instruction may ask of the roots, which this checker does not read: it then stays undecided.
_UNREAD_ASK = re.compile(
    r"\b(?:difference|distance|mean|average|ratio|squares?|cubes?|reciprocals?|integers?|greater than|less than|"
    r"between|at least|at most|non-?negative|larger|largest|smaller|smallest|sum|product|positive|negative)\b"
)


def stated_point(instruction: str, kind: str) -> str | None:
    """The point the instruction states for ``kind``: ``at x = 2`` (derivative), ``from 0 to 3`` (integral), ``as x approaches 0`` (limit)."""
    if kind == "derivative":
        found = _AT_POINT.search(instruction)
        return found.group(2) if found else None
    if kind == "integral":
        found = _BOUNDS.search(instruction)
        return f"{_infinity(found.group(1))}, {_infinity(found.group(2))}" if found else None
    if kind == "limit":
        found = _APPROACH.search(instruction)
        return _infinity(found.group(1)) if found else None
    return None


def _infinity(value: str) -> str:
    return re.sub(r"infinity", "oo", value.replace(" ", ""), flags=re.IGNORECASE)


def root_pick(instruction: str) -> str | None:
    """What the instruction asks of the roots, if not all of them: largest, smallest, sum, product, positive, negative.

    ``"unread"`` when it asks something else of them (their difference, the integer one, ...).
    """
    text = instruction.lower()
    for pick, pattern in _PICKS:
        if re.search(pattern, text):
            return pick
    return "unread" if _UNREAD_ASK.search(text) else None


def _mathy(word: str) -> bool:
    if not _MATH_WORD.match(word):
        return False
    letters = re.sub(r"[^A-Za-z]", " ", word).split()
    return all(len(w) == 1 or w.lower() in _FUNCTION_WORDS or w.startswith(("frac", "sqrt", "cdot", "times", "pi")) for w in letters)


_AT_POINT = re.compile(r"\b(?:at|when|for|where|if|with)\s+([a-z])\s*=\s*(-?\d+(?:\.\d+)?(?:/\d+)?)(?!\d|\.\d)", re.IGNORECASE)


def find_expression(instruction: str) -> str | None:
    """The explicit expression or equation in an instruction (``Compute 17*23.`` -> ``17*23``), if any."""
    text = re.sub(r"(\d+(?:\.\d+)?)\s*%\s+of\s+", r"\1% * ", _AT_POINT.sub(" ", instruction))  # 'at x = 1' is a point
    spans = re.findall(r"\$([^$]+)\$", text)
    if not spans:
        spans = []
        for piece in re.split(r"[?;:]|\.(?:\s|$)|\bfor\b|\bas\b|\bwith respect to\b|\bwhere\b|\bif\b", text):
            run: list[str] = []
            for word in piece.split() + [""]:
                if word and _mathy(word):
                    run.append(word)
                    continue
                if run:
                    spans.append(" ".join(run))
                run = []
    best = None
    for span in spans:
        candidate = re.sub(r"^\s*[A-Za-z]\s*\(\s*[A-Za-z]\s*\)\s*=", "", span).strip(" ,.")
        if not re.search(r"[-+*/^=<>√×÷−²³]|\\frac|\\sqrt|sqrt|sin|cos|log|ln|exp", candidate):
            continue
        try:
            _to_source(candidate)
        except CheckError:
            continue
        if best is None or len(candidate) > len(best):
            best = candidate
    return best


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?", text)


# ---------------------------------------------------------------- worker side


def _check(name: str, passed: bool | None, evidence: str) -> dict[str, Any]:
    return {"name": name, "passed": passed, "evidence": evidence}


def _parsed(value: Any) -> ParsedMath:
    return ParsedMath(value=value, text=format_math(value))


def _same(answer: ParsedMath | None, value: Any) -> Equivalence:
    if answer is None:
        return Equivalence(equivalent=False, method="unparsable", detail="the answer could not be read")
    return compare_values(answer, _parsed(value))


@dataclass(frozen=True)
class _Asked:
    """What the instruction asks of a problem of one kind, beyond its expression: read once, given to every checker."""

    point: str | None = None  # at x = 2, from 0 to 3, as x approaches 0
    pick: str | None = None  # which value of the roots: largest, sum, ... (solve)
    form: str | None = None  # expand or factor (simplify)

    @classmethod
    def read(cls, instruction: str, kind: str) -> _Asked:
        return cls(
            point=stated_point(instruction, kind),
            pick=root_pick(instruction) if kind == "solve" else None,
            form=_asked_form(instruction) if kind == "simplify" else None,
        )


def check_claim_in_worker(claim_data: dict[str, Any], instruction: str | None) -> dict[str, Any]:
    """The worker side of :func:`check_claim` (runs sympy; may be slow)."""
    import sympy as sp

    claim = MathAnswer.model_validate(claim_data)
    checks: list[dict[str, Any]] = []
    expression_text = claim.expression
    kind = claim.kind
    if instruction:
        wanted = infer_kind(instruction)
        if wanted and wanted != kind and frozenset({wanted, kind}) not in _COMPATIBLE:
            checks.append(_check("formalization", False, f"the instruction asks for kind '{wanted}' but the answer is formalised as '{kind}'"))
            return {"checks": checks, "corrected": None, "expression": expression_text}
        stated = find_expression(instruction)
        formal = _formalization(claim, instruction, stated)
        checks.append(formal)
        if formal["passed"] is False:
            return {"checks": checks, "corrected": None, "expression": expression_text}
        if stated is not None:
            expression_text = stated
    try:
        expression = parse_math(expression_text).value
        variable = sp.Symbol(claim.variable.strip() or "x")
        if instruction and kind in ("evaluate", "simplify"):
            expression = _at_point(expression, instruction)
    except CheckError as error:
        checks.append(_check("formalization", False, f"the expression {expression_text!r} could not be read: {error.message}"))
        return {"checks": checks, "corrected": None, "expression": expression_text}
    try:
        answer: ParsedMath | None = parse_math(claim.answer)
        unreadable = ""
    except CheckError as error:
        answer, unreadable = None, f"the answer {claim.answer!r} could not be read ({error.message}); "
    if kind == "solve" and isinstance(expression, sp.Rel) and not isinstance(expression, sp.Equality):
        kind = "inequality"
    checker = {
        "evaluate": _check_value,
        "simplify": _check_value,
        "derivative": _check_derivative,
        "integral": _check_integral,
        "limit": _check_limit,
        "solve": _check_solve,
        "inequality": _check_inequality,
    }.get(kind)
    if checker is None:
        checks.append(_check("sympy:other", None, "a problem of kind 'other' has no symbolic check"))
        return {"checks": checks, "corrected": None, "expression": expression_text}
    asked = _Asked.read(instruction or "", kind)
    checked = claim.model_copy(update={"expression": expression_text, "point": asked.point or claim.point})
    found, corrected = checker(checked, expression, variable, answer, unreadable, asked)
    checks += found
    return {"checks": checks, "corrected": corrected, "expression": expression_text}


def _formalization(claim: MathAnswer, instruction: str, stated: str | None) -> dict[str, Any]:
    if stated is not None:
        try:
            same = compare_values(parse_math(claim.expression), parse_math(stated))
        except CheckError:
            same = Equivalence(equivalent=False, method="unparsable")
        # informational (passed None): taking the instruction's own expression proves nothing by itself;
        # only sympy's verdict on it can verify the answer
        if same.equivalent:
            return _check("formalization", None, f"the expression matches '{stated}' in the instruction")
        return _check("formalization", None, f"the model formalised '{claim.expression}'; checking the instruction's own '{stated}' instead")
    given = set(_numbers(re.sub(r"'[^']*'|\"[^\"]*\"", " ", instruction)))
    used = set(_numbers(claim.expression + " " + (claim.point or "")))
    missing = sorted(n for n in given if n not in used and _scaled(n) not in used)
    if missing:
        return _check("formalization", False, f"the instruction mentions {', '.join(missing)} but the expression '{claim.expression}' does not use it")
    return _check("formalization", None, "sympy cannot confirm that the expression states the problem; it does use every number in the instruction")


def _scaled(number: str) -> str:
    """A percentage as the decimal a formula would use (20 -> 0.2)."""
    value = float(number) / 100
    return f"{value:g}"


def _verdict(name: str, claim: MathAnswer, computed: Any, answer: ParsedMath | None, unreadable: str, source: str) -> tuple[list[dict[str, Any]], str | None]:
    """Compare the model's answer with sympy's value; the checker's value wins."""
    import sympy as sp

    if isinstance(computed, sp.Expr) and computed.has(sp.Integral, sp.Limit, sp.Derivative):
        return [_check(name, None, f"sympy could not compute {source}")], None
    shown = format_math(computed)
    same = _same(answer, computed)
    if same.equivalent:
        return [_check(name, True, f"sympy computes {shown} from {source}; the answer {claim.answer} matches ({same.method})")], None
    if same.equivalent is None:
        return [_check(name, None, f"sympy computes {shown} from {source}; could not decide whether {claim.answer} equals it: {same.detail}")], None
    said = unreadable or f"model said {claim.answer}, "
    return [_check(name, True, f"{said}sympy computes {shown} from {source}; using {shown}")], shown


def _at_point(expression: Any, instruction: str) -> Any:
    """``Evaluate 6x^2 + x - 4 at x = 1``: the value asked for is at that point, not the expression."""
    import sympy as sp

    if not isinstance(expression, sp.Expr):
        return expression
    names = {s.name: s for s in expression.free_symbols}
    points = {names[n]: parse_math(v).value for n, v in _AT_POINT.findall(instruction) if n in names}
    return expression.subs(points) if points else expression


def _check_value(claim, expression, variable, answer, unreadable, asked):
    import sympy as sp

    if isinstance(expression, sp.Equality):
        expression = expression.lhs
    if not isinstance(expression, sp.Expr):
        return [_check(f"sympy:{claim.kind}", None, "the expression is not a single value")], None
    if answer is not None and isinstance(answer.value, sp.Equality) and not answer.value.rhs.free_symbols:
        answer = _parsed(answer.value.rhs)  # working written as '1/6 + 6/9 = 5/6': the value is the right-hand side
    constant_answer = answer is not None and not getattr(answer.value, "free_symbols", True)
    if claim.kind == "evaluate" and expression.free_symbols and constant_answer:
        unknowns = ", ".join(sorted(map(str, expression.free_symbols)))
        return [_check("sympy:evaluate", None, f"a number was asked for, but {format_math(expression)} still depends on {unknowns}")], None
    form = asked.form
    if form is not None:  # 'Expand (x - 4)*(x - 5)': the value is that form of the expression
        computed = sp.expand(expression) if form == "expand" else sp.factor(expression)
        checks, corrected = _verdict(f"sympy:{form}", claim, computed, answer, unreadable, f"{form}({claim.expression})")
        if corrected is None and checks[0]["passed"] and answer is not None and sp.srepr(answer.value) != sp.srepr(computed):
            shown = format_math(computed)  # equal, but not in the form asked for
            return [_check(f"sympy:{form}", True, f"the answer {claim.answer} equals {shown} but is not in {form}ed form; using {shown}")], shown
        return checks, corrected
    computed = expression if expression.is_Rational else sp.simplify(expression)
    return _verdict(f"sympy:{claim.kind}", claim, computed, answer, unreadable, claim.expression)


def _check_derivative(claim, expression, variable, answer, unreadable, asked):
    import sympy as sp

    if isinstance(expression, sp.Equality):
        expression = expression.rhs
    computed = sp.simplify(sp.diff(expression, variable))
    source = f"d/d{variable} of {format_math(expression)}"
    if claim.point:
        point = parse_math(claim.point).value
        computed = sp.simplify(computed.subs(variable, point))
        source += f" at {variable} = {format_math(point)}"
    return _verdict("sympy:derivative", claim, computed, answer, unreadable, source)


def _check_integral(claim, expression, variable, answer, unreadable, asked):
    import sympy as sp

    if isinstance(expression, sp.Equality):
        expression = expression.rhs
    bounds = parse_math(claim.point).value if claim.point else None
    if isinstance(bounds, sp.Interval):
        bounds = [bounds.start, bounds.end]
    if isinstance(bounds, (sp.Tuple, list)) and len(bounds) == 2:
        low, high = bounds
        computed = sp.simplify(sp.integrate(expression, (variable, low, high)))
        return _verdict("sympy:integral", claim, computed, answer, unreadable, f"the integral of {format_math(expression)} from {low} to {high}")
    name = "sympy:integral"
    if answer is not None and isinstance(answer.value, sp.Expr):
        back = sp.diff(answer.value, variable)
        same = compare_values(_parsed(back), _parsed(expression))
        if same.equivalent:
            return [_check(name, True, f"d/d{variable} of the answer gives back the integrand {format_math(expression)}")], None
        if same.equivalent is None:
            return [_check(name, None, f"could not decide whether d/d{variable} of the answer equals the integrand: {same.detail}")], None
    computed = sp.integrate(expression, variable)
    if computed.has(sp.Integral):
        return [_check(name, False, f"{unreadable}d/d{variable} of the answer is not the integrand {format_math(expression)}")], None
    shown = f"{format_math(computed)} + C"
    said = unreadable or f"model said {claim.answer}, whose derivative is not {format_math(expression)}; "
    return [_check(name, True, f"{said}sympy integrates it to {shown}; using {shown}")], shown


def _check_limit(claim, expression, variable, answer, unreadable, asked):
    import sympy as sp

    if not claim.point:
        return [_check("sympy:limit", False, "a limit needs the point the variable approaches")], None
    point = parse_math(claim.point).value
    direction = "+" if point in (sp.oo, -sp.oo) else "+-"
    try:
        computed = sp.limit(expression, variable, point, dir=direction)
    except ValueError as error:  # the one-sided limits differ
        return [_check("sympy:limit", None, f"sympy finds no two-sided limit: {error}")], None
    if isinstance(computed, sp.AccumBounds):
        return [_check("sympy:limit", None, f"the limit does not exist (the values stay within {computed})")], None
    return _verdict("sympy:limit", claim, computed, answer, unreadable, f"the limit of {format_math(expression)} as {variable} -> {format_math(point)}")


def _claimed_roots(answer: ParsedMath | None) -> list[Any] | None:
    import sympy as sp

    if answer is None:
        return None
    value = answer.value
    if isinstance(value, sp.Equality):
        value = sp.Or(value)
    if isinstance(value, sp.Or) and all(isinstance(a, sp.Equality) for a in value.args):
        return [a.rhs if a.lhs.is_Symbol else a.lhs for a in value.args]
    if isinstance(value, sp.Tuple) and answer.bare:
        return [a.rhs if isinstance(a, sp.Equality) and a.lhs.is_Symbol else a for a in value]
    if isinstance(value, sp.FiniteSet):
        return list(value.args)
    if isinstance(value, sp.Expr):
        return [value]
    return None


def _check_solve(claim, expression, variable, answer, unreadable, asked):
    import sympy as sp

    equation = expression.lhs - expression.rhs if isinstance(expression, sp.Equality) else expression
    source = f"{format_math(expression)}" + ("" if isinstance(expression, sp.Equality) else " = 0")
    solutions = sp.solveset(equation, variable, sp.S.Reals)
    if solutions is sp.S.EmptySet:
        solutions = sp.solveset(equation, variable, sp.S.Complexes)
    if asked.pick is not None:
        return _check_picked(claim, solutions, asked.pick, answer, unreadable, source)
    roots = _claimed_roots(answer)
    wrong = [r for r in roots or [] if not _satisfies(equation, variable, r)]
    if isinstance(solutions, sp.FiniteSet):
        shown = format_math(solutions)
        if roots is not None and not wrong:
            same = _match(roots, solutions)
            if same.equivalent:
                return [_check("sympy:solve", True, f"each root satisfies {source}, and sympy finds the same solutions {shown}")], None
        why = unreadable or (f"model said {claim.answer}; " + (f"{', '.join(format_math(w) for w in wrong)} does not satisfy {source}; " if wrong else "some solutions are missing; "))
        return [_check("sympy:solve", True, f"{why}sympy solves {source} to {shown}; using {shown}")], shown
    if roots is None:
        return [_check("sympy:solve", False, f"{unreadable}sympy cannot list the solutions of {source} to correct it")], None
    if wrong:
        return [_check("sympy:solve", False, f"{', '.join(format_math(w) for w in wrong)} does not satisfy {source}")], None
    return [
        _check("sympy:solve", True, f"each claimed root satisfies {source}"),
        _check("completeness", None, f"sympy finds the solution set {format_math(solutions)}; it cannot confirm no root is missing"),
    ], None


def _check_picked(claim, solutions, pick, answer, unreadable, source):
    """The instruction asks for one value from the roots (the larger, their sum, ...): sympy's roots give it."""
    import sympy as sp

    if pick == "unread":
        return [_check("sympy:solve", None, f"sympy solves {source} to {format_math(solutions)}; the instruction asks something of the roots this check does not read")], None
    roots = list(solutions) if isinstance(solutions, sp.FiniteSet) else None
    if not roots or not all(r.is_real for r in roots):
        return [_check("sympy:solve", None, f"sympy solves {source} to {format_math(solutions)}; cannot take the {pick} of that")], None
    if pick in ("positive", "negative"):
        chosen = [r for r in roots if (r > 0 if pick == "positive" else r < 0)]
        if len(chosen) != 1:
            return [_check("sympy:solve", None, f"sympy solves {source} to {format_math(solutions)}: {len(chosen)} {pick} roots, not one")], None
        value = chosen[0]
    else:
        value = {"largest": sp.Max, "smallest": sp.Min, "sum": sp.Add, "product": sp.Mul}[pick](*roots)
    return _verdict("sympy:solve", claim, sp.nsimplify(value) if value.is_Float else value, answer, unreadable, f"the {pick} of the roots {format_math(solutions)} of {source}")


def _match(roots: list[Any], solutions: Any) -> Equivalence:
    import sympy as sp

    return compare_values(_parsed(sp.FiniteSet(*roots)), _parsed(solutions))


def _satisfies(equation: Any, variable: Any, root: Any) -> bool:
    import sympy as sp

    if not isinstance(root, sp.Expr):
        return False
    value = equation.subs(variable, root)
    if sp.simplify(value) == 0:
        return True
    number = sp.N(value, 40)
    return bool(number.is_number and abs(complex(number)) < 1e-30)


def _check_inequality(claim, expression, variable, answer, unreadable, asked):
    import sympy as sp

    if not isinstance(expression, (sp.Rel, sp.And, sp.Or)) or isinstance(expression, sp.Equality):
        return [_check("sympy:inequality", False, f"{format_math(expression)} is not an inequality")], None
    if isinstance(expression, sp.Rel):
        computed = sp.solve_univariate_inequality(expression, variable, relational=False)
    else:
        computed = expression.as_set()
    return _verdict("sympy:inequality", claim, computed, answer, unreadable, format_math(expression))
