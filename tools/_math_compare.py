"""Are two answers the same mathematical object?

:func:`compare_answers` parses both sides safely (:mod:`._math_parse`) and
decides in a time-limited worker (:mod:`._math_worker`), trying in order:

1. exact structural equality (after sympy's automatic evaluation, so ``0.5``
   and ``1/2`` and ``50%`` are one rational);
2. ``simplify(a - b) == 0``;
3. for constants, evaluation to 50 significant digits; for expressions,
   numeric sampling at seeded random points, real and positive, telling a
   real disagreement (not equivalent) from one that only shows where a log or
   root turns complex (undecided: equal for positive values only).

Sets, intervals, tuples and matrices are compared element by element;
equations as equations (``x = 2`` is ``2 = x``; ``2y = 4x`` is ``y = 2x``) or
against a solution set; inequalities as the sets they describe. A decimal
that only agrees with an exact value to the places it gives (``3.14`` vs
``pi``) is undecided, not equal. The answer is ``None`` whenever the checker
cannot decide; it never calls a pair equivalent on a guess.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

from junto.tools._math_parse import ParsedMath, check_syntax, format_math, parse_math
from junto.tools._math_worker import MathWorkerPool, WorkerTimeout, default_pool
from pydantic import BaseModel

from junto._exceptions import CheckError

__all__ = ["Equivalence", "compare_answers", "compare_answers_async", "compare_values"]

_TOLERANCE = 1e-9
_SAMPLES = 10


class Equivalence(BaseModel):
    """The verdict on two answers. ``equivalent`` is ``None`` when undecided."""

    equivalent: bool | None
    method: str
    detail: str = ""


def compare_answers(a: str, b: str, *, timeout_s: float = 5.0, pool: MathWorkerPool | None = None) -> Equivalence:
    """Compare two answers written as text (plain, LaTeX, unicode)."""
    for label, text in (("first", a), ("second", b)):
        try:
            check_syntax(text)  # refuse unsafe or unreadable text before any worker sees it
        except CheckError as error:
            return Equivalence(equivalent=None, method="unparsable", detail=f"the {label} answer: {error.message}")
    try:
        data = (pool or default_pool()).run("compare", a, b, timeout_s=timeout_s)
    except WorkerTimeout as error:
        return Equivalence(equivalent=None, method="timeout", detail=error.message)
    except CheckError as error:
        return Equivalence(equivalent=None, method="error", detail=error.message)
    return Equivalence.model_validate(data)


async def compare_answers_async(a: str, b: str, *, timeout_s: float = 5.0, pool: MathWorkerPool | None = None) -> Equivalence:
    """:func:`compare_answers` without blocking the event loop."""
    return await asyncio.to_thread(compare_answers, a, b, timeout_s=timeout_s, pool=pool)


def compare_in_worker(a: str, b: str) -> dict[str, Any]:
    """The worker side of :func:`compare_answers` (runs sympy; may be slow)."""
    try:
        pa, pb = parse_math(a), parse_math(b)
    except CheckError as error:
        return Equivalence(equivalent=None, method="unparsable", detail=error.message).model_dump()
    return compare_values(pa, pb).model_dump()


# ---------------------------------------------------------------- dispatch


def _short(value: Any) -> str:
    text = format_math(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _kind(value: Any) -> str:
    import sympy as sp

    if isinstance(value, sp.MatrixBase):
        return "matrix"
    if isinstance(value, sp.Equality):
        return "equation"
    if isinstance(value, (sp.Rel, sp.And, sp.Or)):
        return "condition"
    if isinstance(value, sp.Set):
        return "set"
    if isinstance(value, (sp.Tuple, list)):
        return "sequence"
    if isinstance(value, sp.Expr):
        return "expr"
    return "other"


def _canonical(parsed: ParsedMath) -> Any:
    """A bare comma list of solutions (``2, 3`` or ``x = 2, x = 3``) is a set of solutions."""
    import sympy as sp

    value = parsed.value
    if parsed.bare and isinstance(value, sp.Tuple):
        if all(isinstance(v, sp.Equality) for v in value):
            return sp.Or(*value)
        if all(isinstance(v, sp.Expr) for v in value):
            return sp.FiniteSet(*value)
    return value


def compare_values(pa: ParsedMath, pb: ParsedMath) -> Equivalence:
    """Compare two parsed answers (in the process that calls it: use a worker for model text)."""
    decimals = pa.decimals if pb.decimals is None else (pb.decimals if pa.decimals is None else None)
    try:
        return _compare(_canonical(pa), _canonical(pb), decimals)
    except NotImplementedError as error:  # e.g. a list of equations in several unknowns: sympy cannot say
        return Equivalence(equivalent=None, method="unsupported", detail=f"sympy cannot compare these: {error}")


def _compare(a: Any, b: Any, decimals: int | None = None) -> Equivalence:
    ka, kb = _kind(a), _kind(b)
    if ka == "expr" and kb == "expr":
        return _compare_expr(a, b, decimals)
    if ka == kb == "equation":
        return _compare_equations(a, b)
    if {ka, kb} == {"equation", "expr"}:
        eq, value = (a, b) if ka == "equation" else (b, a)
        return _equation_vs_value(eq, value)
    logical = ("equation", "condition")
    if ka == "sequence" and len(a) == 2 and (kb in logical or _is_interval(b)):
        return _compare(_pair_as_interval(a), b)
    if kb == "sequence" and len(b) == 2 and (ka in logical or _is_interval(a)):
        return _compare(a, _pair_as_interval(b))
    if ka in logical and kb in logical:
        return _compare_conditions(a, b)
    if ka == kb == "set":
        return _compare_sets(a, b)
    if ka in logical and kb == "set":
        return _condition_vs_set(a, b)
    if kb in logical and ka == "set":
        return _condition_vs_set(b, a)
    if ka == kb == "sequence":
        return _compare_sequences(list(a), list(b), "tuple")
    if ka == kb == "matrix":
        if a.shape != b.shape:
            return Equivalence(equivalent=False, method="matrix", detail=f"shapes differ: {a.shape} vs {b.shape}")
        return _compare_sequences(list(a), list(b), "matrix")
    if {ka, kb} == {"sequence", "set"}:
        return _sequence_vs_set(a, b) if ka == "sequence" else _sequence_vs_set(b, a)
    if {ka, kb} == {"expr", "set"}:
        value, group = (a, b) if ka == "expr" else (b, a)
        import sympy as sp

        if isinstance(group, sp.FiniteSet) and len(group) == 1:
            result = _compare_expr(value, group.args[0], decimals)
            return result.model_copy(update={"method": "set of one: " + result.method})
        return Equivalence(equivalent=False, method="kind", detail=f"a single value vs the set {_short(group)}")
    return Equivalence(equivalent=False, method="kind", detail=f"different kinds of answer: {ka} vs {kb}")


# ---------------------------------------------------------------- expressions


def _compare_expr(a: Any, b: Any, decimals: int | None = None) -> Equivalence:
    import sympy as sp

    if a == b:
        return Equivalence(equivalent=True, method="exact", detail=f"both are {_short(a)}")
    symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    if not symbols:
        return _compare_constants(a, b, decimals)
    difference = a - b
    if sp.simplify(difference) == 0 or sp.expand(difference) == 0:
        return Equivalence(equivalent=True, method="simplify", detail=f"simplify({_short(a)} - ({_short(b)})) = 0")
    return _sample(a, b, symbols)


def _compare_constants(a: Any, b: Any, decimals: int | None) -> Equivalence:
    import sympy as sp

    if any(v.has(sp.oo, -sp.oo, sp.zoo, sp.nan) for v in (a, b)):
        return Equivalence(equivalent=False, method="exact", detail=f"{_short(a)} is not {_short(b)}")
    if a.is_Rational and b.is_Rational:
        return _rounded_or(a, b, decimals, Equivalence(equivalent=False, method="exact-rational", detail=f"{_short(a)} != {_short(b)}"))
    value_a, value_b = sp.N(a, 60), sp.N(b, 60)
    if not (value_a.is_number and value_b.is_number):
        return Equivalence(equivalent=None, method="numeric", detail="could not evaluate both answers to numbers")
    gap = abs(complex(value_a - value_b))
    scale = max(1.0, abs(complex(value_a)), abs(complex(value_b)))
    if gap > 1e-45 * scale:
        return _rounded_or(a, b, decimals, Equivalence(equivalent=False, method="numeric", detail=f"{_short(a)} ≈ {sp.N(a, 12)} but {_short(b)} ≈ {sp.N(b, 12)}"))
    if sp.simplify(a - b) == 0:
        return Equivalence(equivalent=True, method="simplify", detail=f"simplify({_short(a)} - ({_short(b)})) = 0")
    return Equivalence(equivalent=True, method="numeric-50-digits", detail=f"{_short(a)} and {_short(b)} agree to 50 significant digits")


def _rounded_or(a: Any, b: Any, decimals: int | None, otherwise: Equivalence) -> Equivalence:
    """A decimal that agrees with an exact value to its own places is undecided, not wrong."""
    import sympy as sp

    if decimals is None:
        return otherwise
    if bool(sp.Abs(a - b) < sp.Rational(1, 2 * 10**decimals)):
        return Equivalence(
            equivalent=None,
            method="rounded",
            detail=f"{_short(a)} and {_short(b)} agree to {decimals} decimal place(s) only; a rounded value is not exact",
        )
    return otherwise


def _points(symbols: list[Any], seed: int) -> list[dict[Any, Any]]:
    import sympy as sp

    rng = random.Random(seed)
    points = []
    for i in range(_SAMPLES + 6):
        point = {}
        for symbol in symbols:
            if i < 6:  # positive, small
                numerator = rng.randint(11, 400)
            elif i < _SAMPLES:
                numerator = rng.choice([-1, 1]) * rng.randint(11, 400)
            else:
                numerator = rng.choice([-1, 1]) * rng.randint(400, 4000)
            point[symbol] = sp.Rational(numerator, 97)
        points.append(point)
    return points


def _evaluate(expr: Any, point: dict[Any, Any]) -> complex | None:
    import sympy as sp

    try:
        value = expr.subs(point).evalf(30)
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return None
    if not value.is_number or value.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        return None
    try:
        return complex(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _close(x: complex, y: complex) -> bool:
    return abs(x - y) <= _TOLERANCE * max(1.0, abs(x), abs(y))


def _sample(a: Any, b: Any, symbols: list[Any]) -> Equivalence:
    names = ", ".join(s.name for s in symbols)
    valid = 0
    complex_mismatch = False
    positive_mismatch = False
    for index, point in enumerate(_points(symbols, seed=len(symbols) * 7919)):
        va, vb = _evaluate(a, point), _evaluate(b, point)
        if va is None or vb is None:
            continue
        valid += 1
        if _close(va, vb):
            continue
        where = ", ".join(f"{s.name}={v}" for s, v in point.items())
        both_real = abs(va.imag) <= _TOLERANCE * max(1.0, abs(va)) and abs(vb.imag) <= _TOLERANCE * max(1.0, abs(vb))
        if both_real:
            return Equivalence(equivalent=False, method="numeric", detail=f"at {where}: {va.real:.6g} vs {vb.real:.6g}")
        complex_mismatch = True
        positive_mismatch = positive_mismatch or index < 6
    if complex_mismatch:
        if positive_mismatch:
            return Equivalence(equivalent=False, method="numeric", detail=f"the answers differ at sampled values of {names}")
        return Equivalence(
            equivalent=None,
            method="numeric-domain",
            detail=f"equal for positive {names} only; they differ where a log or root takes complex values",
        )
    if valid < 6:
        return Equivalence(equivalent=None, method="numeric", detail=f"only {valid} sample points could be evaluated")
    return Equivalence(equivalent=True, method="numeric", detail=f"equal at {valid} sampled points of {names}; simplify could not prove it")


# ---------------------------------------------------------------- collections


def _compare_sequences(a: list[Any], b: list[Any], what: str) -> Equivalence:
    if len(a) != len(b):
        return Equivalence(equivalent=False, method=what, detail=f"{len(a)} entries vs {len(b)}")
    undecided = None
    for index, (x, y) in enumerate(zip(a, b, strict=True)):
        result = _compare(x, y)
        if result.equivalent is False:
            return Equivalence(equivalent=False, method=what, detail=f"entry {index + 1} differs: {result.detail}")
        if result.equivalent is None:
            undecided = undecided or f"entry {index + 1}: {result.detail}"
    if undecided:
        return Equivalence(equivalent=None, method=what, detail=undecided)
    return Equivalence(equivalent=True, method=what, detail=f"all {len(a)} entries are equal")


def _match_finite(a: Any, b: Any) -> Equivalence:
    left, right = list(a.args), list(b.args)
    if len(left) != len(right):
        return Equivalence(equivalent=False, method="set", detail=f"{_short(a)} has {len(left)} elements, {_short(b)} has {len(right)}")
    undecided = False
    for x in left:
        verdicts = [(y, _compare(x, y)) for y in right]
        match = next((y for y, v in verdicts if v.equivalent), None)
        if match is not None:
            right.remove(match)
            continue
        if any(v.equivalent is None for _, v in verdicts):
            undecided = True
            continue
        return Equivalence(equivalent=False, method="set", detail=f"{_short(x)} is in {_short(a)} but not in {_short(b)}")
    if undecided:
        return Equivalence(equivalent=None, method="set", detail="some elements could not be compared")
    return Equivalence(equivalent=True, method="set", detail=f"the same {len(left)} element(s)")


def _compare_sets(a: Any, b: Any) -> Equivalence:
    import sympy as sp

    if a == b:
        return Equivalence(equivalent=True, method="exact", detail=f"both are {_short(a)}")
    if isinstance(a, sp.FiniteSet) and isinstance(b, sp.FiniteSet):
        return _match_finite(a, b)
    difference = sp.Union(sp.Complement(a, b), sp.Complement(b, a))
    if difference is sp.S.EmptySet:
        return Equivalence(equivalent=True, method="set", detail=f"{_short(a)} and {_short(b)} have the same elements")
    if isinstance(difference, (sp.Interval, sp.FiniteSet, sp.Union)) and not difference.free_symbols:
        return Equivalence(equivalent=False, method="set", detail=f"{_short(a)} and {_short(b)} differ on {_short(difference)}")
    return Equivalence(equivalent=None, method="set", detail="could not compare the sets")


def _is_interval(value: Any) -> bool:
    import sympy as sp

    return isinstance(value, (sp.Interval, sp.Union))


def _pair_as_interval(pair: Any) -> Any:
    """``(a, b)`` reads as an open interval and ``[a, b]`` as a closed one, next to a set or condition."""
    import sympy as sp

    start, end = list(pair)
    closed = isinstance(pair, list)
    return sp.Interval(start, end, not closed, not closed)


def _sequence_vs_set(seq: Any, group: Any) -> Equivalence:
    import sympy as sp

    items = list(seq)
    if isinstance(group, sp.FiniteSet):
        result = _match_finite(sp.FiniteSet(*items), group)
        if result.equivalent:
            return Equivalence(equivalent=None, method="set", detail="same elements, but one answer is ordered and the other a set")
        return result
    return Equivalence(equivalent=False, method="kind", detail=f"a sequence vs the set {_short(group)}")


# ---------------------------------------------------------------- equations and conditions


def _solved_for(eq: Any) -> tuple[Any, Any] | None:
    """(symbol, value) when ``eq`` reads ``symbol = value`` (either way round)."""
    for side, other in ((eq.lhs, eq.rhs), (eq.rhs, eq.lhs)):
        if side.is_Symbol and side not in other.free_symbols:
            return side, other
    return None


def _compare_equations(a: Any, b: Any) -> Equivalence:
    import sympy as sp

    sa, sb = _solved_for(a), _solved_for(b)
    if sa and sb and sa[0] == sb[0]:
        result = _compare(sa[1], sb[1])
        return result.model_copy(update={"method": "equation: " + result.method})
    da, db = a.lhs - a.rhs, b.lhs - b.rhs
    for sign in (1, -1):
        if sp.expand(da - sign * db) == 0 or sp.simplify(da - sign * db) == 0:
            return Equivalence(equivalent=True, method="equation", detail="the two sides match")
    if db != 0:
        ratio = sp.simplify(da / db)
        if ratio.is_number and ratio != 0 and ratio.is_finite:
            return Equivalence(equivalent=True, method="equation", detail=f"one equation is the other times {_short(ratio)}")
    symbols = sorted(da.free_symbols | db.free_symbols, key=lambda s: s.name)
    if not symbols:
        return Equivalence(equivalent=None, method="equation", detail="equations without unknowns")
    target = symbols[0] if len(symbols) == 1 else (sa or sb or (symbols[-1],))[0]
    found_a, found_b = sp.solve(da, target), sp.solve(db, target)
    if not found_a or not found_b:  # no closed form found: an empty list is sympy giving up, not "no solution"
        return Equivalence(
            equivalent=None, method=f"equation solved for {target}", detail=f"sympy found no closed-form solution for {target}"
        )
    result = _match_finite(sp.FiniteSet(*found_a), sp.FiniteSet(*found_b))
    return result.model_copy(update={"method": f"equation solved for {target}", "detail": result.detail})


def _as_set(condition: Any) -> Any | None:
    import sympy as sp

    symbols = condition.free_symbols
    if len(symbols) != 1:
        return None
    (symbol,) = symbols
    if isinstance(condition, sp.Equality):
        return sp.solveset(condition.lhs - condition.rhs, symbol, sp.S.Reals)
    return condition.as_set()


def _equation_vs_value(eq: Any, value: Any) -> Equivalence:
    import sympy as sp

    solved = _solved_for(eq)
    if solved is not None:
        result = _compare(solved[1], value)
        return result.model_copy(update={"method": "equation: " + result.method})
    return _condition_vs_set(eq, sp.FiniteSet(value))


def _compare_conditions(a: Any, b: Any) -> Equivalence:
    set_a, set_b = _as_set(a), _as_set(b)
    if set_a is None or set_b is None or a.free_symbols != b.free_symbols:
        return Equivalence(equivalent=None, method="condition", detail="only conditions on one and the same variable are compared")
    result = _compare_sets(set_a, set_b)
    return result.model_copy(update={"method": "solution set"})


def _condition_vs_set(condition: Any, target: Any) -> Equivalence:
    import sympy as sp

    solutions = _as_set(condition)
    if solutions is None:
        return Equivalence(equivalent=None, method="condition", detail="the condition has more than one variable")
    result = _compare_sets(solutions, target)
    if result.equivalent is False and isinstance(condition, sp.Equality):
        (symbol,) = condition.free_symbols
        complex_solutions = sp.solveset(condition.lhs - condition.rhs, symbol, sp.S.Complexes)
        if _compare_sets(complex_solutions, target).equivalent:
            return Equivalence(equivalent=None, method="solution set", detail="equal only if complex solutions count")
    return result.model_copy(update={"method": "solution set", "detail": f"solutions {_short(solutions)}: {result.detail}"})
