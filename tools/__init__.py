"""Checkers the agents call: math (sympy), code (sandbox), writing (constraints)."""

from junto.tools._code_check import CodeVerification, check_code
from junto.tools._code_examples import examples_as_tests, extract_examples
from junto.tools._code_guard import stub_implementations, tests_that_prove_nothing, trivial_tests
from junto.tools._code_tests import CodeCheckReport, TestOrigin, TestOutcome, TestSource, run_code_tests
from junto.tools._facts import check_facts
from junto.tools._humaneval import HumanEvalProblem, Mutant, check_humaneval, load_humaneval, mutants
from junto.tools._math_claims import ClaimCheck, MathAnswer, check_claim, check_claim_async
from junto.tools._math_compare import Equivalence, compare_answers, compare_answers_async
from junto.tools._math_parse import ParsedMath, format_math, parse_math
from junto.tools._math_worker import MathWorkerPool
from junto.tools._writing_check import check_writing
from junto.tools._writing_extract import extract_constraints, merge_constraints
from junto.tools._writing_measure import detect_language, grade_level

from junto._constraints import WritingConstraints

__all__ = [
    "ClaimCheck",
    "CodeCheckReport",
    "CodeVerification",
    "Equivalence",
    "HumanEvalProblem",
    "MathAnswer",
    "MathWorkerPool",
    "Mutant",
    "ParsedMath",
    "TestOrigin",
    "TestOutcome",
    "TestSource",
    "WritingConstraints",
    "check_claim",
    "check_claim_async",
    "check_code",
    "check_facts",
    "check_humaneval",
    "check_writing",
    "compare_answers",
    "compare_answers_async",
    "detect_language",
    "examples_as_tests",
    "extract_constraints",
    "extract_examples",
    "format_math",
    "grade_level",
    "load_humaneval",
    "merge_constraints",
    "mutants",
    "parse_math",
    "run_code_tests",
    "stub_implementations",
    "tests_that_prove_nothing",
    "trivial_tests",
]
