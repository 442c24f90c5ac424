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
against a solution set; inequalities as the sets they describe. A set is not
an ordered tuple or list (``{1, 2}`` vs ``(1, 2)``), and ``[0, 1]`` is not
``(0, 1)`` whether they are read as intervals or as a list and a tuple.
Derivatives written ``y'``, ``f'(x)``, ``dy/dx`` are one symbol per function
and order. A decimal that only agrees with an exact value to the places it
gives (``3.14`` vs ``pi``) is undecided, not equal; so is a pair that differs
only if a bare number is read without the unit the other answer wrote
(``30°`` vs ``30``, ``50%`` vs ``50``), and a pair whose units, written in
``\\text{...}``, differ (``3 \\text{m/s}`` vs ``3``, ``250 \\text{g}`` vs
``0.25 \\text{kg}``: no conversion is tried). The answer is ``None`` whenever the
checker cannot decide; it never calls a pair equivalent on a guess.
"""

from __future__ import annotations

import asyncio
import enum
import random
import re
from typing import Any

from junto.tools.math._parse import ParsedMath, _substitute, check_syntax, format_math, parse_math
from junto.tools.math._worker import MathJob, MathWorkerPool, WorkerTimeout, default_pool
from pydantic import BaseModel

from junto._exceptions import CheckError

__all__ = ["Equivalence", "compare_answers", "compare_answers_async", "compare_values"]

_TOLERANCE = 1e-9  # values further apart than this (relative) at a sampled point differ
_EQUAL = 1e-25  # values closer than this (relative, at 40 digits) agree; in between, the point is undecided
_SAMPLES = 10
_DERIVATIVE = re.compile(r"([A-Za-z])('+)(?:\((\w)\))?")


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
        reply = (pool or default_pool()).run(MathJob.COMPARE, a, b, timeout_s=timeout_s)
    except WorkerTimeout as error:
        return Equivalence(equivalent=None, method="timeout", detail=error.message)
    except CheckError as error:
        return Equivalence(equivalent=None, method="error", detail=error.message)
    return Equivalence.model_validate(reply)


async def compare_answers_async(a: str, b: str, *, timeout_s: float = 5.0, pool: MathWorkerPool | None = None) -> Equivalence:
    """:func:`compare_answers` without blocking the event loop."""
    return await asyncio.to_thread(compare_answers, a, b, timeout_s=timeout_s, pool=pool)


def compare_in_worker(a: str, b: str) -> Equivalence:
    """The worker side of :func:`compare_answers` (runs sympy; may be slow)."""
    try:
        pa, pb = parse_math(a), parse_math(b)
    except CheckError as error:
        return Equivalence(equivalent=None, method="unparsable", detail=error.message)
    return compare_values(pa, pb)


# ---------------------------------------------------------------- dispatch


def _short(value: Any) -> str:
    text = format_math(value)
    return text if len(text) <= 80 else text[:77] + "..."


class _Shape(str, enum.Enum):
    """What kind of mathematical object an answer is; two answers are compared by their shapes."""

    MATRIX = "matrix"
    EQUATION = "equation"
    CONDITION = "condition"  # an inequality, or a logical combination of relations
    SET = "set"
    SEQUENCE = "sequence"  # a tuple or a list
    EXPR = "expr"
    OTHER = "other"


def _kind(value: Any) -> _Shape:
    import sympy as sp

    if isinstance(value, sp.MatrixBase):
        return _Shape.MATRIX
    if isinstance(value, sp.Equality):
        return _Shape.EQUATION
    if isinstance(value, (sp.Rel, sp.And, sp.Or)):
        return _Shape.CONDITION
    if isinstance(value, sp.Set):
        return _Shape.SET
    if isinstance(value, (sp.Tuple, list)):
        return _Shape.SEQUENCE
    if isinstance(value, sp.Expr):
        return _Shape.EXPR
    return _Shape.OTHER


def _canonical(parsed: ParsedMath, value: Any = None) -> Any:
    """A bare comma list of solutions (``2, 3`` or ``x = 2, x = 3``) is a set of solutions."""
    import sympy as sp

    value = parsed.value if value is None else value
    if parsed.bare and isinstance(value, sp.Tuple):
        if all(isinstance(v, sp.Equality) for v in value):
            return sp.Or(*value)
        if all(isinstance(v, sp.Expr) for v in value):
            return sp.FiniteSet(*value)
    return value


def compare_values(pa: ParsedMath, pb: ParsedMath) -> Equivalence:
    """Compare two parsed answers (in the process that calls it: use a worker for model text)."""
    decimals = pa.decimals if pb.decimals is None else (pb.decimals if pa.decimals is None else None)
    if pa.texts != pb.texts:  # 3 m/s against 3, 5 cm against 0.05 m: no conversion is attempted
        return Equivalence(
            equivalent=None,
            method="unit",
            detail=f"the answers carry different units or words ({_words(pa.texts)} against {_words(pb.texts)}); they are not converted",
        )
    try:
        a, b, unclear = _same_derivatives(_canonical(pa), _canonical(pb))
        if unclear:
            return Equivalence(equivalent=None, method="derivative", detail=unclear)
        result = _compare(a, b, decimals)
        if result.equivalent is False and (pa.unitless is None) != (pb.unitless is None):
            # 30° vs 30, 50% vs 50: equal if the bare number was meant in the unit the other answer wrote
            with_unit = pa if pa.unitless is not None else pb
            a = _canonical(pa, pa.unitless) if pa.unitless is not None else _canonical(pa)
            b = _canonical(pb, pb.unitless) if pb.unitless is not None else _canonical(pb)
            a, b, _ = _same_derivatives(a, b)
            if _compare(a, b, decimals).equivalent is True:
                return Equivalence(
                    equivalent=None,
                    method="unit",
                    detail=f"{result.detail}; but equal if the bare number is in {with_unit.unit}, as the other answer wrote it",
                )
        if result.equivalent is True:
            return _same_domain(pa, pb, a, b, result)
        return result
    except NotImplementedError as error:  # e.g. a list of equations in several unknowns: sympy cannot say
        return Equivalence(equivalent=None, method="unsupported", detail=f"sympy cannot compare these: {error}")


def _words(texts: frozenset[str]) -> str:
    return ", ".join(repr(t) for t in sorted(texts)) or "none"


def _free_symbols(value: Any) -> set[Any]:
    if isinstance(value, (list, tuple)):
        return set().union(*(_free_symbols(v) for v in value)) if value else set()
    return set(getattr(value, "free_symbols", set()))


def _same_derivatives(a: Any, b: Any) -> tuple[Any, Any, str]:
    """``y'`` (no variable named) on one side is ``y'(x)`` when the other side writes dy/dx and x is the only
    variable the first side uses. Returns both values and, when the variable stays unclear, why."""
    import sympy as sp

    def derivatives(value: Any) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for symbol in _free_symbols(value):
            match = _DERIVATIVE.fullmatch(symbol.name)
            if match:
                found.setdefault(match.group(1) + match.group(2), set()).add(match.group(3) or "")
        return found

    da, db = derivatives(a), derivatives(b)
    if not da and not db:
        return a, b, ""
    unclear = []

    def named(value: Any, mine: dict[str, set[str]], other: dict[str, set[str]]) -> Any:
        mapping = {}
        plain = {s.name for s in _free_symbols(value) if not _DERIVATIVE.fullmatch(s.name)}
        for key, variables in mine.items():
            known = other.get(key, set()) - {""}
            if "" not in variables or not known:
                continue
            variable = known.pop()
            if known or plain - {variable, key[0]}:
                unclear.append(f"{key} does not say which variable it is taken in; the other answer's is {key}({variable})")
                continue
            mapping[sp.Symbol(key)] = sp.Symbol(f"{key}({variable})")
        return _substitute(value, mapping) if mapping else value

    a, b = named(a, da, db), named(b, db, da)
    return a, b, "; ".join(unclear)


def _compare(a: Any, b: Any, decimals: int | None = None, *, inside: bool = False) -> Equivalence:
    """``inside``: ``a`` and ``b`` are entries of a set, tuple or matrix, where ``{2}`` is not ``2``."""
    ka, kb = _kind(a), _kind(b)
    if ka == _Shape.EXPR and kb == _Shape.EXPR:
        return _compare_expr(a, b, decimals)
    if ka == kb == _Shape.EQUATION:
        return _compare_equations(a, b)
    if {ka, kb} == {_Shape.EQUATION, _Shape.EXPR}:
        eq, value = (a, b) if ka == _Shape.EQUATION else (b, a)
        return _equation_vs_value(eq, value)
    logical = (_Shape.EQUATION, _Shape.CONDITION)
    if ka == _Shape.SEQUENCE and len(a) == 2 and (kb in logical or _is_interval(b)):
        return _compare(_pair_as_interval(a), b)
    if kb == _Shape.SEQUENCE and len(b) == 2 and (ka in logical or _is_interval(a)):
        return _compare(a, _pair_as_interval(b))
    if ka in logical and kb in logical:
        return _compare_conditions(a, b)
    if ka == kb == _Shape.SET:
        return _compare_sets(a, b)
    if ka in logical and kb == _Shape.SET:
        return _condition_vs_set(a, b)
    if kb in logical and ka == _Shape.SET:
        return _condition_vs_set(b, a)
    if ka == kb == _Shape.SEQUENCE:
        result = _compare_sequences(list(a), list(b), "tuple")
        if result.equivalent and len(a) == 2 and isinstance(a, list) != isinstance(b, list):
            closed, other = (a, b) if isinstance(a, list) else (b, a)
            return Equivalence(
                equivalent=False,
                method="interval",
                detail=f"[{_short(closed[0])}, {_short(closed[1])}] is closed and ({_short(other[0])}, {_short(other[1])}) open "
                "(and a list is not a tuple)",
            )
        return result
    if ka == kb == _Shape.MATRIX:
        if a.shape != b.shape:
            return Equivalence(equivalent=False, method="matrix", detail=f"shapes differ: {a.shape} vs {b.shape}")
        return _compare_sequences(list(a), list(b), "matrix")
    if {ka, kb} == {_Shape.SEQUENCE, _Shape.SET}:
        return _sequence_vs_set(a, b) if ka == _Shape.SEQUENCE else _sequence_vs_set(b, a)
    if {ka, kb} == {_Shape.EXPR, _Shape.SET}:
        value, group = (a, b) if ka == _Shape.EXPR else (b, a)
        import sympy as sp

        if isinstance(group, sp.FiniteSet) and len(group) == 1 and not inside:  # an answer {2} to 'solve ...' is 2
            result = _compare_expr(value, group.args[0], decimals)
            return result.model_copy(update={"method": "set of one: " + result.method})
        return Equivalence(equivalent=False, method="kind", detail=f"a single value vs the set {_short(group)}")
    return Equivalence(equivalent=False, method="kind", detail=f"different kinds of answer: {ka.value} vs {kb.value}")


# ---------------------------------------------------------------- expressions


def _compare_expr(a: Any, b: Any, decimals: int | None = None) -> Equivalence:
    import sympy as sp

    if a == b:
        return Equivalence(equivalent=True, method="exact", detail=f"both are {_short(a)}")
    symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    if not symbols:
        return _compare_constants(a, b, decimals)
    difference = a - b
    simplified = sp.simplify(difference)
    if simplified == 0 or sp.expand(difference) == 0:
        return Equivalence(equivalent=True, method="simplify", detail=f"simplify({_short(a)} - ({_short(b)})) = 0")
    if not simplified.free_symbols and simplified.is_number and simplified.is_finite:  # x + 10^-12 vs x: a constant apart
        gap = sp.N(simplified, 60)
        if gap.is_number and gap.is_finite and abs(complex(gap)) > 1e-45:
            return Equivalence(
                equivalent=False, method="simplify", detail=f"they differ by {_short(simplified)} ≈ {sp.N(simplified, 6)}"
            )
    return _sample(a, b, symbols)


def _compare_constants(a: Any, b: Any, decimals: int | None) -> Equivalence:
    import sympy as sp

    if any(v.has(sp.oo, -sp.oo, sp.zoo, sp.nan) for v in (a, b)):
        return Equivalence(equivalent=False, method="exact", detail=f"{_short(a)} is not {_short(b)}")
    if a.is_Rational and b.is_Rational:
        return _rounded_or(
            a, b, decimals, Equivalence(equivalent=False, method="exact-rational", detail=f"{_short(a)} != {_short(b)}")
        )
    value_a, value_b = sp.N(a, 60), sp.N(b, 60)
    if not (value_a.is_number and value_b.is_number):
        return Equivalence(equivalent=None, method="numeric", detail="could not evaluate both answers to numbers")
    gap = abs(complex(value_a - value_b))
    scale = max(1.0, abs(complex(value_a)), abs(complex(value_b)))
    if gap > 1e-45 * scale:
        return _rounded_or(
            a,
            b,
            decimals,
            Equivalence(
                equivalent=False, method="numeric", detail=f"{_short(a)} ≈ {sp.N(a, 12)} but {_short(b)} ≈ {sp.N(b, 12)}"
            ),
        )
    if sp.simplify(a - b) == 0:
        return Equivalence(equivalent=True, method="simplify", detail=f"simplify({_short(a)} - ({_short(b)})) = 0")
    return Equivalence(
        equivalent=True, method="numeric-50-digits", detail=f"{_short(a)} and {_short(b)} agree to 50 significant digits"
    )


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
            # denominators vary, so that sin(97 pi x) vs 0 is not equal at every point by construction
            denominator = rng.choice([89, 97, 101, 103, 107, 109, 113])
            if i < 6:  # positive, small
                numerator = rng.randint(11, 400)
            elif i < _SAMPLES:
                numerator = rng.choice([-1, 1]) * rng.randint(11, 400)
            else:
                numerator = rng.choice([-1, 1]) * rng.randint(400, 4000)
            point[symbol] = sp.Rational(numerator, denominator)
        points.append(point)
    return points


def _evaluate(expr: Any, point: dict[Any, Any]) -> Any | None:
    """``expr`` at ``point`` to 40 significant digits (a sympy number), or None where it is undefined."""
    import sympy as sp

    try:
        value = expr.subs(point).evalf(40)
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return None
    if not value.is_number or value.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        return None
    try:
        complex(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return value


def _gap(x: Any, y: Any) -> float:
    """The relative distance of two sympy numbers, computed at their own precision."""
    import sympy as sp

    scale = max(1.0, abs(complex(x)), abs(complex(y)))
    return float(sp.Abs((x - y).evalf(40))) / scale


def _sample(a: Any, b: Any, symbols: list[Any]) -> Equivalence:
    import sympy as sp

    names = ", ".join(s.name for s in symbols)
    valid = 0
    near = None
    complex_mismatch = False
    positive_mismatch = False
    for index, point in enumerate(_points(symbols, seed=len(symbols) * 7919)):
        va, vb = _evaluate(a, point), _evaluate(b, point)
        if va is None or vb is None:
            continue
        valid += 1
        gap = _gap(va, vb)
        where = ", ".join(f"{s.name}={v}" for s, v in point.items())
        if gap <= _EQUAL:
            continue
        ca, cb = complex(va), complex(vb)
        if gap <= _TOLERANCE:  # agree to 9 digits but not to 25: too close to call either way
            near = near or f"at {where} they agree to {gap:.1e} only"
            continue
        both_real = abs(ca.imag) <= _TOLERANCE * max(1.0, abs(ca)) and abs(cb.imag) <= _TOLERANCE * max(1.0, abs(cb))
        if both_real:
            return Equivalence(equivalent=False, method="numeric", detail=f"at {where}: {ca.real:.6g} vs {cb.real:.6g}")
        complex_mismatch = True
        positive_mismatch = positive_mismatch or index < 6
    if near:
        return Equivalence(equivalent=None, method="numeric", detail=near)
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
    if any(e.has(sp.floor, sp.ceiling, sp.sign, sp.frac) for e in (a, b)):
        return Equivalence(
            equivalent=None,
            method="numeric",
            detail=f"equal at {valid} sampled points, but a jump (floor, ceiling, sign) may differ between them",
        )
    return Equivalence(
        equivalent=True, method="numeric", detail=f"equal at {valid} sampled points of {names}; simplify could not prove it"
    )


# ---------------------------------------------------------------- real domains


def _same_domain(pa: ParsedMath, pb: ParsedMath, a: Any, b: Any, equal: Equivalence) -> Equivalence:
    """``equal`` if the two answers, as written, are defined (as real functions) at the same points; else undecided.

    Algebra proves (x^2-1)/(x-1) = x+1 and e^(2 ln x) = x^2 where both sides
    are defined; as answers they differ at x = 1 and for x < 0. Whether that
    matters depends on the question, so the pair is left undecided rather
    than called equivalent.
    """
    import sympy as sp

    written_a, written_b = pa.written(), pb.written()
    a = written_a if written_a is not None else a
    b = written_b if written_b is not None else b
    if not (isinstance(a, sp.Expr) and isinstance(b, sp.Expr)):
        return equal
    symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    if not symbols:
        return equal
    for point in _domain_points(a, b, symbols):
        defined_a, defined_b = _defined(a, point), _defined(b, point)
        if defined_a is not defined_b:
            where = ", ".join(f"{s.name}={v}" for s, v in point.items())
            which, other = (_short(a), _short(b)) if defined_b else (_short(b), _short(a))
            return Equivalence(
                equivalent=None,
                method="domain",
                detail=f"equal where both are defined, but {which} is undefined at {where} where {other} is defined",
            )
    return equal


def _domain_edges(expr: Any, symbol: Any) -> list[Any]:
    """Real points where a denominator, a log's argument or an even root's radicand of ``expr`` is zero."""
    import sympy as sp

    edges: list[Any] = []
    for base, _ in _restricted(expr):
        try:
            roots = sp.solve(base, symbol)
        except (NotImplementedError, ValueError, TypeError):
            continue
        edges.extend(r for r in roots[:8] if r.is_real)
    return edges


def _restricted(expr: Any) -> list[tuple[Any, str]]:
    """The parts that limit where ``expr`` is defined over the reals, each with its rule.

    ``nonzero`` (a denominator), ``positive`` (a logarithm's argument),
    ``nonnegative`` (the radicand of an even root).
    """
    import sympy as sp

    found = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.log):
            found.append((node.args[0], "positive"))
        elif isinstance(node, (sp.tan, sp.sec)):
            found.append((sp.cos(node.args[0]), "nonzero"))
        elif isinstance(node, (sp.cot, sp.csc)):
            found.append((sp.sin(node.args[0]), "nonzero"))
        elif isinstance(node, sp.Pow):
            exponent = node.exp.doit()  # an unevaluated 1/2 is Mul(1, Pow(2, -1))
            if not exponent.is_number:
                continue
            if exponent.is_negative:
                found.append((node.base, "nonzero"))
            if exponent.is_Rational and not exponent.is_integer and exponent.q % 2 == 0:
                found.append((node.base, "nonnegative"))
    return found


def _domain_points(a: Any, b: Any, symbols: list[Any]) -> list[dict[Any, Any]]:
    import itertools

    import sympy as sp

    grid = [sp.Integer(-3), sp.Integer(-1), sp.Rational(-1, 2), sp.Integer(0), sp.Rational(1, 2), sp.Integer(1), sp.Integer(2)]
    if len(symbols) == 1:
        (symbol,) = symbols
        values = list(dict.fromkeys([*grid, *_domain_edges(a, symbol), *_domain_edges(b, symbol)]))
        return [{symbol: v} for v in values]
    if len(symbols) > 3:
        return []
    return [dict(zip(symbols, combo, strict=True)) for combo in itertools.product(grid, repeat=len(symbols))]


def _defined(expr: Any, point: dict[Any, Any]) -> bool:
    """Whether every denominator, logarithm and even root of ``expr`` is within its real domain at ``point``."""
    import sympy as sp

    for part, rule in _restricted(expr):
        try:
            value = sp.nsimplify(part.subs(point))
        except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
            return False
        if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or value.is_real is False:
            return False
        if (rule == "nonzero" and value.is_zero) or (rule == "positive" and value.is_positive is False):
            return False
        if rule == "nonnegative" and value.is_negative:
            return False
    return True


# ---------------------------------------------------------------- collections


def _compare_sequences(a: list[Any], b: list[Any], what: str) -> Equivalence:
    if len(a) != len(b):
        return Equivalence(equivalent=False, method=what, detail=f"{len(a)} entries vs {len(b)}")
    undecided = None
    for index, (x, y) in enumerate(zip(a, b, strict=True)):
        result = _compare(x, y, inside=True)
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
        return Equivalence(
            equivalent=False, method="set", detail=f"{_short(a)} has {len(left)} elements, {_short(b)} has {len(right)}"
        )
    undecided = False
    for x in left:
        verdicts = [(y, _compare(x, y, inside=True)) for y in right]
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
    """An ordered tuple or list is not a set; but ``[3, 3]`` may be the interval {3}: then undecided."""
    if len(seq) == 2:
        try:
            as_interval = _compare(_pair_as_interval(seq), group).equivalent
        except (TypeError, ValueError):  # entries that cannot be an interval's ends
            as_interval = False
        if as_interval is not False:
            return Equivalence(equivalent=None, method="set", detail=f"{_short(seq)} is a set only if read as an interval")
    return Equivalence(equivalent=False, method="kind", detail=f"the ordered {_short(seq)} is not the set {_short(group)}")


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
    if sa and sb:
        # x = 2 vs y = 2; y' = 2x vs y = 2x: one fixes a variable the other leaves free (and the other can hold)
        for (symbol, _), fixing, other in ((sa, a, b), (sb, b, a)):
            if symbol not in other.free_symbols:
                return Equivalence(
                    equivalent=False, method="equation", detail=f"{_short(fixing)} fixes {symbol}; {_short(other)} does not"
                )
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
    for difference, found in ((da, found_a), (db, found_b)):
        for solution in found:  # solve may square away a root: x = sqrt(y) "solved" as y = x^2 holds for x >= 0 only
            if _compare_expr(difference.subs(target, solution), sp.Integer(0)).equivalent is not True:
                return Equivalence(
                    equivalent=None,
                    method=f"equation solved for {target}",
                    detail=f"{target} = {_short(solution)} does not satisfy {_short(difference)} = 0 everywhere",
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
    import sympy as sp

    set_a, set_b = _as_set(a), _as_set(b)
    if set_a is not None and set_b is not None and a.free_symbols != b.free_symbols:
        # x > 0 vs y > 0: a real constraint on one variable is not a constraint on another
        for found, condition in ((set_a, a), (set_b, b)):
            if _is_plain_set(found) and found not in (sp.S.EmptySet, sp.S.Reals):
                (symbol,) = condition.free_symbols
                return Equivalence(
                    equivalent=False, method="condition", detail=f"{_short(condition)} constrains {symbol}; the other does not"
                )
    if set_a is None or set_b is None or a.free_symbols != b.free_symbols:
        return Equivalence(
            equivalent=None, method="condition", detail="only conditions on one and the same variable are compared"
        )
    result = _compare_sets(set_a, set_b)
    return result.model_copy(update={"method": "solution set"})


def _is_plain_set(value: Any) -> bool:
    import sympy as sp

    return isinstance(value, (sp.Interval, sp.FiniteSet, sp.Union)) and not value.free_symbols


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
