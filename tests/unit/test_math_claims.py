"""Formalization checks: sympy computes, compares, and corrects the model's arithmetic."""

from __future__ import annotations

import pytest
from junto.agents import CheckResult
from junto.tools import ClaimCheck, MathAnswer, check_claim, check_claim_async
from junto.tools._math_claims import find_expression, infer_kind


def _by_name(result: ClaimCheck) -> dict[str, CheckResult]:
    return {c.name: c for c in result.checks}


def test_arithmetic_is_corrected_with_evidence() -> None:
    result = check_claim(MathAnswer(kind="evaluate", expression="17*23", answer="381"), instruction="Compute 17*23.")
    assert result.corrected == "391"
    check = _by_name(result)["sympy:evaluate"]
    assert check.passed is True
    assert check.evidence == "model said 381, sympy computes 391 from 17*23; using 391"


def test_right_answer_is_confirmed_without_correction() -> None:
    result = check_claim(MathAnswer(kind="evaluate", expression="17*23", answer="391"), instruction="What is 17 * 23?")
    assert result.corrected is None
    assert [c.passed for c in result.checks] == [None, True]  # the formalization note informs; sympy decides


def test_solve_with_a_wrong_root_names_it_and_corrects() -> None:
    result = check_claim(MathAnswer(kind="solve", expression="x^2 - 5x + 6 = 0", answer="x = 2 or x = 4"))
    check = _by_name(result)["sympy:solve"]
    assert "4 does not satisfy" in check.evidence
    assert result.corrected == "{2, 3}"


def test_solve_right_roots_pass_substitution_and_set() -> None:
    result = check_claim(MathAnswer(kind="solve", expression="x^2 - 5x + 6 = 0", answer="3, 2"))
    check = _by_name(result)["sympy:solve"]
    assert check.passed is True and "satisfies" in check.evidence
    assert result.corrected is None


def test_solve_with_infinitely_many_roots_checks_substitution_only() -> None:
    result = check_claim(MathAnswer(kind="solve", expression="sin(x) = 0", answer="0"))
    checks = _by_name(result)
    assert checks["sympy:solve"].passed is True
    assert checks["completeness"].passed is None
    bad = check_claim(MathAnswer(kind="solve", expression="sin(x) = 0", answer="1"))
    assert _by_name(bad)["sympy:solve"].passed is False


@pytest.mark.parametrize(
    ("claim", "corrected"),
    [
        (MathAnswer(kind="derivative", expression="x^3 + 2x", answer="3x^2 + 2"), None),
        (MathAnswer(kind="derivative", expression="x^3 + 2x", answer="3x^2"), "3*x**2 + 2"),
        (MathAnswer(kind="derivative", expression="x^2", point="3", answer="6"), None),
        (MathAnswer(kind="integral", expression="3x^2", answer="x^3 + C"), None),
        (MathAnswer(kind="integral", expression="cos(x)", answer="sin(x) + 7"), None),
        (MathAnswer(kind="integral", expression="3x^2", answer="x^3/3"), "x**3 + C"),
        (MathAnswer(kind="integral", expression="x", point="0, 1", answer="1/2"), None),
        (MathAnswer(kind="limit", expression="sin(x)/x", point="0", answer="1"), None),
        (MathAnswer(kind="limit", expression="(1 + 1/x)^x", point="oo", answer="2"), "E"),
        (MathAnswer(kind="inequality", expression="2x + 3 > 7", answer="x > 2"), None),
        (MathAnswer(kind="inequality", expression="x^2 < 4", answer="(-2, 2)"), None),
        (MathAnswer(kind="inequality", expression="x^2 < 4", answer="(-oo, 2)"), "(-2, 2)"),
        (MathAnswer(kind="simplify", expression="(x^2 - 1)/(x - 1)", answer="x + 1"), None),
    ],
    ids=lambda v: v.answer if isinstance(v, MathAnswer) else str(v),
)
def test_kinds(claim: MathAnswer, corrected: str | None) -> None:
    result = check_claim(claim)
    assert result.corrected == corrected
    assert all(c.passed is True for c in result.checks), result.checks
    if corrected:
        assert f"using {corrected}" in result.checks[-1].evidence


def test_integral_sympy_cannot_do_and_answer_wrong_fails() -> None:
    result = check_claim(MathAnswer(kind="integral", expression="exp(-x^2) * sin(x)^2 / log(x)", answer="x"), timeout_s=15)
    assert [c.passed for c in result.checks] in ([False], [None])


def test_numbers_of_the_instruction_must_appear() -> None:
    instruction = "A train travels at 60 km/h for 2.5 hours. How many km does it go?"
    wrong = check_claim(MathAnswer(kind="evaluate", expression="60*2", answer="120"), instruction=instruction)
    assert wrong.checks[0].passed is False and "2.5" in wrong.checks[0].evidence
    right = check_claim(MathAnswer(kind="evaluate", expression="60*2.5", answer="150"), instruction=instruction)
    assert [c.passed for c in right.checks] == [None, True]  # formalization unconfirmed, arithmetic confirmed


def test_instruction_expression_replaces_a_wrong_formalization() -> None:
    result = check_claim(MathAnswer(kind="evaluate", expression="17+23", answer="40"), instruction="Compute 17*23.")
    assert result.expression == "17*23"
    assert result.corrected == "391"


def test_kind_mismatch_fails() -> None:
    result = check_claim(MathAnswer(kind="derivative", expression="x^2", answer="2x"), instruction="Integrate x^2 with respect to x.")
    assert [c.passed for c in result.checks] == [False]


def test_other_is_undecided() -> None:
    result = check_claim(MathAnswer(kind="other", expression="p", answer="infinitely many"))
    assert [c.passed for c in result.checks] == [None]


def test_unreadable_expression_fails() -> None:
    result = check_claim(MathAnswer(kind="evaluate", expression="seventeen times 23", answer="391"))
    assert result.checks[-1].passed is False


async def test_async_agrees_with_sync() -> None:
    claim = MathAnswer(kind="evaluate", expression="2^10", answer="1000")
    assert (await check_claim_async(claim)).corrected == check_claim(claim).corrected == "1024"


def test_reading_instructions() -> None:
    assert find_expression("Compute 17*23.") == "17*23"
    assert find_expression("Solve x^2 - 5x + 6 = 0 for x.") == "x^2 - 5x + 6 = 0"
    assert find_expression("Differentiate f(x) = x^3 + 2x.") == "x^3 + 2x"
    assert find_expression("What is 10% of 120?") == "10% * 120"
    assert find_expression("A train travels at 60 km/h for 2.5 hours.") is None
    assert infer_kind("Find the derivative of x^2") == "derivative"
    assert infer_kind("Evaluate the integral of x") == "integral"
    assert infer_kind("Write a poem") is None


def test_taking_the_instructions_expression_never_verifies_by_itself() -> None:
    # sympy cannot compare a number with the equation '1/6 + 6/9 = 3/18'... unless the value is its right side
    claim = MathAnswer(kind="evaluate", expression="", answer="1/6 + 6/9 = 3/18")
    result = check_claim(claim, instruction="Compute 1/6 + 6/9 as a fraction in lowest terms.")
    assert result.checks[0].name == "formalization" and result.checks[0].passed is None
    assert result.corrected == "5/6" and "sympy computes 5/6" in result.checks[-1].evidence


def test_evaluate_at_a_point_substitutes_the_point() -> None:
    instruction = "Evaluate 6*x^2 + x - 4 at x = 1. Give the final answer on the last line."
    restated = check_claim(MathAnswer(kind="evaluate", expression="6*x^2 + x - 4", answer="6*x^2 + x - 4"), instruction=instruction)
    assert restated.corrected == "3"  # not the expression handed back as its own value
    right = check_claim(MathAnswer(kind="evaluate", expression="x^2", answer="2.25"), instruction="Evaluate x^2 at x = 1.5.")
    assert right.corrected is None and right.checks[-1].passed is True


def test_a_number_for_an_expression_with_unknowns_is_undecided() -> None:
    result = check_claim(MathAnswer(kind="evaluate", expression="x + 1", answer="5"), instruction="What is x + 1?")
    assert [c.passed for c in result.checks] == [None, None] and result.corrected is None
    assert "still depends on x" in result.checks[-1].evidence


@pytest.mark.parametrize(
    ("instruction", "claim", "corrected", "passed"),
    [
        # a question about the roots is answered from sympy's roots, never with the whole set
        ("What is the larger root of x^2 + 7*x + 10 = 0?", MathAnswer(kind="solve", expression="x^2 + 7*x + 10 = 0", answer="-2"), None, True),
        ("What is the larger root of x^2 + 7*x + 10 = 0?", MathAnswer(kind="solve", expression="x^2 + 7*x + 10 = 0", answer="{-5, -2}"), "-2", True),
        ("What is the smaller solution of x^2 - 9 = 0?", MathAnswer(kind="solve", expression="x^2 - 9 = 0", answer="3"), "-3", True),
        ("What is the sum of the roots of x^2 + 2*x - 48 = 0?", MathAnswer(kind="solve", expression="x^2 + 2*x - 48 = 0", answer="-2"), None, True),
        ("What is the product of the roots of x^2 - 5*x + 6 = 0?", MathAnswer(kind="solve", expression="x^2 - 5*x + 6 = 0", answer="5"), "6", True),
        ("Find the positive root of x^2 = 9.", MathAnswer(kind="solve", expression="x^2 = 9", answer="3"), None, True),
        ("Find the positive root of x^2 + 1 = 0.", MathAnswer(kind="solve", expression="x^2 + 1 = 0", answer="1"), None, None),
        ("What is the difference between the roots of x^2 - 5*x + 6 = 0?", MathAnswer(kind="solve", expression="x^2 - 5*x + 6 = 0", answer="{2, 3}"), None, None),
        ("Solve x^2 - 4 = 0 for x where x is at least 0.", MathAnswer(kind="solve", expression="x^2 - 4 = 0", answer="-2"), None, None),
        # the point the instruction states is the one checked, whatever the model put in 'point'
        ("What is the derivative of 2*x^3 + 3*x - 1 at x = 2?", MathAnswer(kind="derivative", expression="2*x^3 + 3*x - 1", answer="6*x^2 + 3"), "27", True),
        ("What is the derivative of 2*x^3 + 3*x - 1 at x = 2?", MathAnswer(kind="derivative", expression="2*x^3 + 3*x - 1", point="1", answer="27"), None, True),
        ("Compute the definite integral of 5 - 4*x from x = -2 to x = 3.", MathAnswer(kind="integral", expression="5 - 4*x", answer="3.5"), "15", True),
        ("Compute the limit of (x^2 - 4*x)/x as x approaches 0.", MathAnswer(kind="limit", expression="(x^2 - 4*x)/x", point="4", answer="-4"), None, True),
        ("Compute the limit of 1/x as x approaches infinity.", MathAnswer(kind="limit", expression="1/x", answer="1"), "0", True),
        # 'expand' and 'factor' ask for a form: a number, or the right value in another form, is replaced by it
        ("Expand (x - 4)*(x - 5).", MathAnswer(kind="simplify", expression="(x - 4)*(x - 5)", answer="10"), "x**2 - 9*x + 20", True),
        ("Expand (x - 4)*(x - 5).", MathAnswer(kind="simplify", expression="(x - 4)*(x - 5)", answer="(x-4)*(x-5)"), "x**2 - 9*x + 20", True),
        ("Expand (x - 4)*(x - 5).", MathAnswer(kind="simplify", expression="(x - 4)*(x - 5)", answer="x^2 - 9x + 20"), None, True),
        ("Factor x^2 - 9*x + 20.", MathAnswer(kind="simplify", expression="x^2 - 9*x + 20", answer="(x - 4)*(x - 5)"), None, True),
    ],
)
def test_what_the_instruction_asks_is_what_is_checked(instruction: str, claim: MathAnswer, corrected: str | None, passed: bool | None) -> None:
    result = check_claim(claim, instruction=instruction)
    sympy_check = next(c for c in result.checks if c.name.startswith("sympy:"))
    assert (result.corrected, sympy_check.passed) == (corrected, passed), sympy_check.evidence


def test_reading_what_is_asked_of_the_roots_and_the_points() -> None:
    from junto.tools._math_claims import asked_kind, root_pick, stated_point

    assert root_pick("Solve x^2 - 5x + 6 = 0.") is None
    assert root_pick("What is the greatest zero of f?") == "largest"
    assert root_pick("Solve 3x = 4 for the integer x.") == "unread"
    assert stated_point("the integral of x from 0 to 1/2", "integral") == "0, 1/2"
    assert stated_point("the limit as x -> -infinity", "limit") == "-oo"
    assert stated_point("the derivative of x^2 at x = 3", "integral") is None
    assert asked_kind("evaluate", "What is the larger root of x^2 - 1 = 0?") == "solve"
    assert asked_kind("simplify", "Compute 2+2.") == "simplify"  # compatible with 'evaluate'
    assert asked_kind("evaluate", "Expand (x + 1)^2.") == "simplify"  # the more specific reading wins
    assert asked_kind("evaluate", "Tell me a number.") == "evaluate"


def test_a_runaway_formalisation_does_not_stop_the_instructions_own_expression_being_checked() -> None:
    claim = MathAnswer(kind="solve", expression="7x - 10 = 46, 10 = 46, 2 = 46, 3 = 46", answer="13")
    result = check_claim(claim, instruction="Solve 7x - 10 = 46 for x.")
    checks = _by_name(result)
    assert checks["formalization"].passed is None and "checking the instruction's own '7x - 10 = 46'" in checks["formalization"].evidence
    assert result.corrected == "{8}" and checks["sympy:solve"].passed is True
