"""The math checker under the verification contract: it confirms or fails an answer, never supplies one.

Instructions are worded afresh here, not in any evaluation suite's phrasing.
"""

from __future__ import annotations

import pytest
from junto.agents import CheckResult
from junto.agents._loop import judge_status
from junto.tools import ClaimCheck, MathAnswer, check_claim, check_claim_async

from junto._tasks import Spec, Status


def _sympy(result: ClaimCheck) -> CheckResult:
    return next(c for c in result.checks if c.name.startswith("sympy:"))


def test_a_right_answer_to_a_stated_expression_is_verified_against_the_instruction() -> None:
    result = check_claim(MathAnswer(kind="evaluate", expression="48*17", answer="816"), instruction="what's 48*17?")
    check = _sympy(result)
    assert check.passed is True and check.spec is Spec.INSTRUCTION
    assert judge_status(result.checks) is Status.VERIFIED


def test_a_wrong_answer_to_a_stated_expression_fails_and_is_not_replaced() -> None:
    result = check_claim(MathAnswer(kind="evaluate", expression="48*17", answer="806"), instruction="what's 48*17?")
    check = _sympy(result)
    assert check.passed is False and check.spec is Spec.INSTRUCTION
    assert "816" not in check.evidence  # the evidence does not hand the answer to the retry
    assert judge_status(result.checks) is Status.FAILED


def test_the_instructions_expression_is_checked_whatever_the_model_formalised() -> None:
    result = check_claim(MathAnswer(kind="evaluate", expression="48+17", answer="65"), instruction="what's 48*17?")
    assert result.expression == "48*17" and _sympy(result).passed is False


def test_a_fragment_of_a_longer_question_never_verifies() -> None:
    """'then subtract 7' is part of the question: 180 is the value of the fragment, not of the question."""
    instruction = "Work out 12*15, then subtract 7 from it."
    fragment = check_claim(MathAnswer(kind="evaluate", expression="12*15", answer="180"), instruction=instruction)
    assert judge_status(fragment.checks) is Status.FAILED and "mentions 7" in fragment.checks[0].evidence
    whole = check_claim(MathAnswer(kind="evaluate", expression="12*15 - 7", answer="173"), instruction=instruction)
    assert _sympy(whole).spec is Spec.MODEL and "model's own" in _sympy(whole).evidence
    assert judge_status(whole.checks) is Status.UNVERIFIED  # consistent with its own formalisation, still not verified


def test_an_answer_its_own_formalisation_contradicts_fails_with_the_computed_value() -> None:
    instruction = "A box holds 24 eggs. How many eggs are in 7 boxes?"
    result = check_claim(MathAnswer(kind="evaluate", expression="24*7", answer="148"), instruction=instruction)
    check = _sympy(result)
    assert check.passed is False and check.spec is Spec.MODEL
    assert "24*7 = 168" in check.evidence  # the model may use what its own formalisation computes


def test_a_derivative_at_a_point_wants_the_number() -> None:
    instruction = "Give me the derivative of x^4 - x at x = 3"
    expression = check_claim(MathAnswer(kind="derivative", expression="x^4 - x", answer="4x^3 - 1"), instruction=instruction)
    assert _sympy(expression).passed is False
    number = check_claim(MathAnswer(kind="derivative", expression="x^4 - x", answer="107"), instruction=instruction)
    assert _sympy(number).passed is True and judge_status(number.checks) is Status.VERIFIED


@pytest.mark.parametrize(
    ("instruction", "answer", "passed"),
    [
        ("solve for y: 4y + 2 = 18", "y = 4", True),
        ("solve for y: 4y + 2 = 18", "5", False),
        ("Find all real solutions of t^2 - 16 = 0", "t = 4 or t = -4", True),
        ("Find all real solutions of t^2 - 16 = 0", "4", False),  # a root is missing
        ("Which is the bigger root of x^2 - x - 6 = 0?", "3", True),
        ("Which is the bigger root of x^2 - x - 6 = 0?", "{-2, 3}", False),
        ("Give the product of all roots of z^2 + 3z - 4 = 0", "-4", True),
        ("Integrate 2x + 1 from 1 to 4.", "18", True),
        ("Integrate 2x + 1 from 1 to 4.", "20", False),
        ("What is the antiderivative of cos(x)?", "sin(x) + C", True),
        ("What is the antiderivative of cos(x)?", "-sin(x)", False),
        ("Find the limit of (1 - cos(x))/x^2 as x approaches 0.", "1/2", True),
        ("Simplify (y^2 - 1)/(y - 1).", "y + 1", True),
        ("Expand (a + 2)*(a - 3).", "a^2 - a - 6", True),
        ("Expand (a + 2)*(a - 3).", "(a + 2)*(a - 3)", False),  # equal, not in the form asked for
        ("Evaluate 2*t^2 - t when t = 5", "45", True),
        ("Evaluate 2*t^2 - t when t = 5", "2*t^2 - t", False),
        ("solve 3 - 2x > 7", "x < -2", True),
    ],
)
def test_stated_questions_of_each_kind(instruction: str, answer: str, passed: bool) -> None:
    result = check_claim(MathAnswer(kind="other", expression="", answer=answer), instruction=instruction)
    check = _sympy(result)
    assert (check.passed, check.spec) == (passed, Spec.INSTRUCTION), check.evidence


@pytest.mark.parametrize(
    ("claim", "passed"),
    [
        (MathAnswer(kind="derivative", expression="x^3 + 2x", answer="3x^2 + 2"), True),
        (MathAnswer(kind="derivative", expression="x^3 + 2x", answer="3x^2"), False),
        (MathAnswer(kind="integral", expression="3x^2", answer="x^3 + C"), True),
        (MathAnswer(kind="integral", expression="3x^2", answer="x^3/3"), False),
        (MathAnswer(kind="limit", expression="(1 + 1/x)^x", point="oo", answer="2"), False),
        (MathAnswer(kind="inequality", expression="x^2 < 4", answer="(-2, 2)"), True),
        (MathAnswer(kind="solve", expression="x^2 - 5x + 6 = 0", answer="x = 2 or x = 4"), False),
    ],
    ids=lambda v: v.answer if isinstance(v, MathAnswer) else str(v),
)
def test_without_an_instruction_a_pass_is_only_consistency(claim: MathAnswer, passed: bool) -> None:
    result = check_claim(claim)
    assert _sympy(result).passed is passed and _sympy(result).spec is Spec.MODEL
    assert judge_status(result.checks) is (Status.UNVERIFIED if passed else Status.FAILED)


def test_a_number_the_formalisation_drops_fails_it() -> None:
    instruction = "A cyclist rides at 18 km/h for 2.5 hours. How far does she get?"
    dropped = check_claim(MathAnswer(kind="evaluate", expression="18*2", answer="36"), instruction=instruction)
    assert dropped.checks[0].passed is False and "2.5" in dropped.checks[0].evidence


def test_a_root_that_does_not_satisfy_the_equation_is_named() -> None:
    result = check_claim(MathAnswer(kind="solve", expression="w^2 - 7w + 12 = 0", variable="w", answer="w = 3, w = 5"))
    assert _sympy(result).passed is False and "5 does not satisfy" in _sympy(result).evidence


def test_infinitely_many_roots_leave_completeness_undecided() -> None:
    result = check_claim(MathAnswer(kind="solve", expression="cos(x) = 1", answer="0"))
    assert _sympy(result).passed is None
    assert _sympy(check_claim(MathAnswer(kind="solve", expression="cos(x) = 1", answer="1"))).passed is False


def test_other_is_undecided_and_unreadable_formalisations_fail() -> None:
    assert [c.passed for c in check_claim(MathAnswer(kind="other", expression="p", answer="infinitely many")).checks] == [None]
    assert check_claim(MathAnswer(kind="evaluate", expression="nine times 4", answer="36")).checks[-1].passed is False


async def test_async_agrees_with_sync() -> None:
    claim = MathAnswer(kind="evaluate", expression="3^5", answer="243")
    assert (await check_claim_async(claim)).checks == check_claim(claim).checks


@pytest.mark.parametrize(
    ("instruction", "answer", "passed"),
    [
        ("what's 48*17?", "48*17", False),  # the question handed back is not its value
        ("what's 48*17?", "48 × 17 = 816", True),  # working that ends in the value is fine
        ("Determine the value of 2^10 - 1.", "2^10 - 1", False),
        ("Determine the value of 2^10 - 1.", "1023", True),
        ("please work out (3 + 9) / 4", "12/4", False),
        ("please work out (3 + 9) / 4", "3", True),
        ("Simplify (y^2 - 1)/(y - 1).", "(y^2 - 1)/(y - 1)", False),
        ("Evaluate 5/6 - 1/3.", "1/2", True),
        ("Evaluate 5/6 - 1/3.", "0.5", True),
        ("Evaluate 5/6 - 1/3.", "-1/3 + 5/6", False),
        ("what's 400*80?", "3.2 \\times 10^{4}", True),  # scientific notation is a value
        ("what's 400*80?", "3.2e4", True),
        ("Evaluate exp(1)^2.", "e^2", True),  # a power that is a form, not work left undone
        ("Evaluate sqrt(8)/2.", "2^(1/2)", True),
    ],
)
def test_an_answer_must_be_a_value_not_the_computation_restated(instruction: str, answer: str, passed: bool) -> None:
    result = check_claim(MathAnswer(kind="evaluate", expression="", answer=answer), instruction=instruction)
    assert _sympy(result).passed is passed, _sympy(result).evidence
