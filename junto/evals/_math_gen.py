"""The `math` suite: a seeded generator whose reference answers sympy computes.

``python -m junto.evals._math_gen > junto/evals/data/math.jsonl`` regenerates
the committed file byte for byte (a test checks that).
"""

from __future__ import annotations

import json
import random
import sys
from typing import Any

import sympy as sp

__all__ = ["SEED", "generate"]

SEED = 20261123
x = sp.Symbol("x")


def _plain(expr: sp.Expr) -> str:
    text: str = sp.sstr(expr)
    return text.replace("**", "^")


def _arithmetic(rng: random.Random, n: int) -> dict[str, str]:
    kind = n % 5
    if kind == 0:
        a, b = rng.randint(11, 99), rng.randint(11, 99)
        return {"prompt": f"Compute {a} * {b}.", "expected": str(a * b)}
    if kind == 1:
        a, b, c = rng.randint(100, 999), rng.randint(100, 999), rng.randint(10, 99)
        return {"prompt": f"Compute {a} + {b} - {c}.", "expected": str(a + b - c)}
    if kind == 2:
        p, q, r, s = rng.randint(1, 9), rng.randint(2, 9), rng.randint(1, 9), rng.randint(2, 9)
        value = sp.Rational(p, q) + sp.Rational(r, s)
        return {"prompt": f"Compute {p}/{q} + {r}/{s} as a fraction in lowest terms.", "expected": str(value)}
    if kind == 3:
        base, exp = rng.randint(2, 9), rng.randint(2, 5)
        return {"prompt": f"Compute {base}^{exp}.", "expected": str(base**exp)}
    pct, whole = rng.choice([10, 15, 20, 25, 30, 40, 50, 75]), rng.randint(2, 40) * 20
    return {"prompt": f"What is {pct}% of {whole}?", "expected": str(sp.Rational(pct * whole, 100))}


def _poly(rng: random.Random) -> sp.Expr:
    return sum(rng.randint(-5, 5) * x**k for k in range(rng.randint(2, 3) + 1)) + x ** (rng.randint(2, 3))


def _algebra(rng: random.Random, n: int) -> dict[str, str]:
    kind = n % 3
    if kind == 0:
        p, v = _poly(rng), rng.randint(-4, 4)
        return {"prompt": f"Evaluate {_plain(p)} at x = {v}.", "expected": str(p.subs(x, v))}
    if kind == 1:
        a, b = rng.randint(-6, 6) or 1, rng.randint(-6, 6) or 2
        expanded = sp.expand((x + a) * (x + b))
        return {"prompt": f"Expand (x + {a})*(x + {b}).".replace("+ -", "- "), "expected": _plain(expanded)}
    a, b, c = rng.randint(2, 9), rng.randint(2, 9), rng.randint(2, 9)
    value = sp.simplify(sp.Rational(a * b, c) * sp.Rational(c, b))
    return {"prompt": f"Simplify ({a}*{b}/{c}) * ({c}/{b}).", "expected": str(value)}


def _equations(rng: random.Random, n: int) -> dict[str, str]:
    kind = n % 3
    if kind == 0:
        a, root = rng.randint(2, 9), rng.randint(-12, 12)
        b = rng.randint(-20, 20)
        c = a * root + b
        return {"prompt": f"Solve {a}x + {b} = {c} for x.".replace("+ -", "- "), "expected": str(root)}
    if kind == 1:
        r1, r2 = rng.sample(range(-9, 10), 2)
        expr = sp.expand((x - r1) * (x - r2))
        return {"prompt": f"What is the larger root of {_plain(expr)} = 0?", "expected": str(max(r1, r2))}
    r1, r2 = rng.sample(range(-9, 10), 2)
    expr = sp.expand((x - r1) * (x - r2))
    return {"prompt": f"What is the sum of the roots of {_plain(expr)} = 0?", "expected": str(r1 + r2)}


def _calculus(rng: random.Random, n: int) -> dict[str, str]:
    kind = n % 3
    if kind == 0:
        p, v = _poly(rng), rng.randint(-3, 3)
        value = sp.diff(p, x).subs(x, v)
        return {"prompt": f"What is the derivative of {_plain(p)} at x = {v}?", "expected": str(value)}
    if kind == 1:
        p = _poly(rng)
        lo, hi = sorted(rng.sample(range(-2, 4), 2))
        value = sp.integrate(p, (x, lo, hi))
        return {"prompt": f"Compute the definite integral of {_plain(p)} from x = {lo} to x = {hi}.", "expected": str(value)}
    a, b = rng.randint(1, 9), rng.randint(1, 9)
    expr = (a * x**2 + b * x) / x
    value = sp.limit(expr, x, 0)
    return {"prompt": f"Compute the limit of ({a}x^2 + {b}x)/x as x approaches 0.", "expected": str(value)}


_CATEGORIES = (("arithmetic", _arithmetic), ("algebra", _algebra), ("equations", _equations), ("calculus", _calculus))


def generate(*, per_category: int = 50, seed: int = SEED) -> list[dict[str, Any]]:
    """The suite's items, in a fixed order, reproducible from ``seed``."""
    rng = random.Random(seed)
    items: list[dict[str, Any]] = []
    for category, make in _CATEGORIES:
        for n in range(per_category):
            made = make(rng, n)
            items.append(
                {
                    "id": f"math-{category}-{n:03d}",
                    "category": category,
                    "prompt": made["prompt"] + " Give the final answer on the last line as 'Answer: <value>'.",
                    "parts": [{"type": "math", "expected": made["expected"], "match": "last"}],
                }
            )
    return items


if __name__ == "__main__":  # pragma: no cover
    for item in generate():
        sys.stdout.write(json.dumps(item) + "\n")
