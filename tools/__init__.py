"""Checkers the agents call: math (sympy), code (sandbox), writing (constraints)."""

from junto.tools._math_claims import ClaimCheck, MathAnswer, check_claim, check_claim_async
from junto.tools._math_compare import Equivalence, compare_answers, compare_answers_async
from junto.tools._math_parse import ParsedMath, format_math, parse_math
from junto.tools._math_worker import MathWorkerPool
from junto.tools._writing_spec import WritingConstraints

__all__ = [
    "ClaimCheck",
    "Equivalence",
    "MathAnswer",
    "MathWorkerPool",
    "ParsedMath",
    "WritingConstraints",
    "check_claim",
    "check_claim_async",
    "compare_answers",
    "compare_answers_async",
    "format_math",
    "parse_math",
]
