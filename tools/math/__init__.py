"""Math checks: sympy confirms a model's answer against the instruction's own expression.

The specification is the equation or expression the instruction states (read by
:func:`read_question`), never the model's answer: :func:`check_claim` solves,
differentiates, integrates or evaluates it in a sandboxed sympy worker and
compares the result with the claimed answer (:func:`compare_answers`). An answer
is confirmed only when the check provably covers the whole question.
"""

from junto.tools.math._claims import ClaimCheck, check_claim, check_claim_async
from junto.tools.math._compare import Equivalence, compare_answers, compare_answers_async
from junto.tools.math._parse import ParsedMath, format_math, parse_math
from junto.tools.math._question import RootPick
from junto.tools.math._worker import MathWorkerPool

from junto._formalization import MathAnswer, MathKind

__all__ = [
    "ClaimCheck",
    "Equivalence",
    "MathAnswer",
    "MathKind",
    "MathWorkerPool",
    "ParsedMath",
    "RootPick",
    "check_claim",
    "check_claim_async",
    "compare_answers",
    "compare_answers_async",
    "format_math",
    "parse_math",
]
