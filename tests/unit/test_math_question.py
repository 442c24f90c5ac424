"""Reading whether an instruction states its whole question as one expression.

Every instruction here is worded afresh, not in any evaluation suite's
phrasing. The reader must say "not shown" whenever the words ask for more
than the expression: that is what keeps a sympy value on a fragment from
passing as verified.
"""

from __future__ import annotations

import pytest
from junto.tools.math._question import RootPick, kind_named, read_question

from junto._formalization import MathKind


@pytest.mark.parametrize(
    ("instruction", "kind", "expression", "point"),
    [
        ("What's 48*17?", MathKind.EVALUATE, "48*17", None),
        ("please work out (3 + 9) / 4", MathKind.EVALUATE, "(3 + 9) / 4", None),
        ("Determine the value of 2^10 - 1.", MathKind.EVALUATE, "2^10 - 1", None),
        ("solve for y: 4y + 2 = 18", MathKind.SOLVE, "4y + 2 = 18", None),
        ("Find all real solutions of t^2 - 16 = 0", MathKind.SOLVE, "t^2 - 16 = 0", None),
        ("Differentiate sin(x)*x^2 with respect to x.", MathKind.DERIVATIVE, "sin(x)*x^2", None),
        ("I need the derivative of x^4 - x evaluated? no: at x = 3", None, None, None),
        ("Give me the derivative of x^4 - x at x = 3", MathKind.DERIVATIVE, "x^4 - x", "3"),
        ("Integrate 2x + 1 from 1 to 4.", MathKind.INTEGRAL, "2x + 1", "1, 4"),
        ("Compute the definite integral of t^2 between t = 0 and t = 3", MathKind.INTEGRAL, "t^2", "0, 3"),
        ("Find the limit of (1 - cos(x))/x^2 as x approaches 0.", MathKind.LIMIT, "(1 - cos(x))/x^2", "0"),
        ("Simplify (y^2 - 1)/(y - 1).", MathKind.SIMPLIFY, "(y^2 - 1)/(y - 1)", None),
        ("What is $\\frac{3}{4} + \\frac{1}{8}$?", MathKind.EVALUATE, "\\frac{3}{4} + \\frac{1}{8}", None),
        ("Evaluate 2*t^2 - t when t = 5", MathKind.EVALUATE, "2*t^2 - t", "5"),
        ("If f(x) = x^2 + 1, what is f(3)?", None, None, None),
    ],
)
def test_a_whole_question_is_read_and_anything_else_is_not(instruction, kind, expression, point) -> None:
    stated = read_question(instruction)
    if kind is None:
        assert stated is None
        return
    assert stated is not None, instruction
    assert (stated.kind, stated.expression, stated.point) == (kind, expression, point)


@pytest.mark.parametrize(
    "instruction",
    [
        "Work out 12*15, then subtract 7 from it.",  # a further operation after the expression
        "Take 3^4 and divide the result by 9",
        "Multiply 6*7 by two",
        "What is 30% off 80 dollars?",
        "A tank holds 3*40 litres; how many buckets of 12 litres fill it?",
        "What is 17*23 in binary?",
        "What is 2^10 to the nearest hundred?",
        "Round 22/7 to two decimal places.",
        "Compute 17*23 and 4+5.",  # two expressions
        "What's the second derivative of x^5?",
        "Find the limit of 1/x as x approaches 0 from the right.",
        "Solve x^2 = 9 for positive x only",
        "What is 1/2x when x = 4?",  # is x under the bar?
        "Evaluate 2^3^2",  # (2^3)^2 or 2^(3^2)?
        "How many km does a car go at 60 km/h for 2.5 hours?",
        "What is the average of 3+4 and 10?",
        "Compute 7*8 modulo 5",
    ],
)
def test_more_than_the_expression_is_not_a_whole_question(instruction: str) -> None:
    assert read_question(instruction) is None


def test_which_root_is_asked_for_is_part_of_the_question() -> None:
    stated = read_question("Which is the bigger root of x^2 - x - 6 = 0?")
    assert stated is not None and stated.kind is MathKind.SOLVE and stated.pick is RootPick.LARGEST
    assert read_question("Give the product of all roots of z^2 + 3z - 4 = 0").pick is RootPick.PRODUCT
    assert read_question("What is the largest root and the smallest root of x^3 - x = 0?") is None


def test_a_format_request_adds_nothing_to_the_question() -> None:
    stated = read_question("Evaluate 5/6 - 1/3. Give the final answer as a fraction in lowest terms.")
    assert stated is not None and stated.expression == "5/6 - 1/3"
    quoted = read_question("Compute 9*9. End with the line 'Answer: <number>'.")
    assert quoted is None  # 'End' is not a word the reader knows: it says nothing rather than guess


def test_expand_and_factor_name_the_form() -> None:
    assert read_question("Expand (a + 2)*(a - 3).").form == "expand"
    assert read_question("factorise z^2 - 5z + 6").form == "factor"


def test_kind_named_is_one_kind_or_none() -> None:
    assert kind_named("Could you integrate this for me: x e^x") is MathKind.INTEGRAL
    assert kind_named("the root of the tree is deep; differentiate the two") is None
    assert kind_named("Write me a haiku") is None


def test_an_integral_in_latex_it_cannot_read_is_no_question_and_no_crash() -> None:
    # read as "x \sin x \" once ", dx" is set aside: a backslash ending the expression is a CheckError, not a crash
    assert read_question(r"\int_0^{\pi} x \sin x \, dx") is None
