"""A math answer as the model states it: its kind, the expression it worked on, and the answer.

The model fills a :class:`MathAnswer`; the math checker
(:mod:`junto.tools.math`) checks it with sympy, and a task's
:class:`~junto._tasks.MathOutput` keeps it, typed, as its formalisation (the
facts check reads the variable solved for and the expression evaluated from
it). It lives in the core because both the task records and the checker need
it.
"""

from __future__ import annotations

import enum

from pydantic import BaseModel, Field

__all__ = ["MathAnswer", "MathKind"]


class MathKind(str, enum.Enum):
    """The kinds of problem the math checker can check."""

    EVALUATE = "evaluate"
    SOLVE = "solve"
    SIMPLIFY = "simplify"
    DERIVATIVE = "derivative"
    INTEGRAL = "integral"
    LIMIT = "limit"
    INEQUALITY = "inequality"
    OTHER = "other"


_KIND_NAMES = ", ".join(k.value for k in MathKind)


class MathAnswer(BaseModel):
    """A math answer with its formalisation, small and flat enough for a tiny model to fill.

    ``expression`` is what sympy checks when the instruction does not state
    the whole question itself: the arithmetic to evaluate, the equation to
    solve, the function to differentiate or integrate.
    """

    kind: MathKind = Field(description=_KIND_NAMES)
    # The length caps reach the local model's grammar, so a rambling string cannot eat the token budget.
    expression: str = Field(max_length=120, description="the expression or equation, e.g. 17*23 or x^2 - 5*x + 6 = 0")
    variable: str = Field(default="x", max_length=12, description="the variable, e.g. x")
    point: str | None = Field(
        default=None, max_length=40, description="the point of a limit, or bounds 'a, b' of a definite integral"
    )
    answer: str = Field(max_length=60, description="the final answer only, e.g. 391 or {2, 3}")
    work: str = Field(default="", max_length=80, description="one or two short lines of working")
