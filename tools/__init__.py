"""Checkers the agents call, one subpackage per domain.

- :mod:`junto.tools.math`: sympy confirms an answer against the instruction's own expression.
- :mod:`junto.tools.code`: sandboxed execution confirms code against the user's tests and the instruction's examples.
- :mod:`junto.tools.writing`: measurements confirm a text against the constraints the instruction states.
- :mod:`junto.tools.facts`: a text is checked against the values upstream tasks verified.
"""

from junto.tools.code import (
    CodeCheckReport,
    CodeVerification,
    TestOrigin,
    TestOutcome,
    TestSource,
    check_code,
    examples_as_tests,
    extract_examples,
    run_code_tests,
    stub_implementations,
    tests_that_prove_nothing,
    trivial_tests,
)
from junto.tools.facts import check_consistency, check_facts
from junto.tools.math import (
    ClaimCheck,
    Equivalence,
    MathAnswer,
    MathWorkerPool,
    ParsedMath,
    check_claim,
    check_claim_async,
    compare_answers,
    compare_answers_async,
    format_math,
    parse_math,
)
from junto.tools.writing import (
    WritingConstraints,
    check_writing,
    detect_language,
    extract_constraints,
    grade_level,
    merge_constraints,
)

__all__ = [
    "ClaimCheck",
    "CodeCheckReport",
    "CodeVerification",
    "Equivalence",
    "MathAnswer",
    "MathWorkerPool",
    "ParsedMath",
    "TestOrigin",
    "TestOutcome",
    "TestSource",
    "WritingConstraints",
    "check_claim",
    "check_claim_async",
    "check_code",
    "check_consistency",
    "check_facts",
    "check_writing",
    "compare_answers",
    "compare_answers_async",
    "detect_language",
    "examples_as_tests",
    "extract_constraints",
    "extract_examples",
    "format_math",
    "grade_level",
    "merge_constraints",
    "parse_math",
    "run_code_tests",
    "stub_implementations",
    "tests_that_prove_nothing",
    "trivial_tests",
]
