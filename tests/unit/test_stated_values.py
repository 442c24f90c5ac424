"""One rule for "does a text state a verified value", and the facts and consistency checks both follow it."""

from __future__ import annotations

from fractions import Fraction

import pytest
from junto.agents import MathOutput, Status, TaskKind, TaskResult
from junto.tools import check_consistency, check_facts
from junto.tools.facts._values import stated_numbers, states

ROOT2 = Fraction("1.41421356")


def _one(text: str):
    (number,) = stated_numbers(text)
    return number


@pytest.mark.parametrize(
    ("written", "value", "expected"),
    [
        ("1.41", ROOT2, True),  # correct rounding at 2 places
        ("1.414", ROOT2, True),
        ("1.4", ROOT2, True),
        ("1.42", ROOT2, False),  # wrong rounding
        ("1.40", ROOT2, False),  # two places written: 1.41 would be right
        ("1", ROOT2, False),  # an integer claims exactness
        ("0.5", Fraction(1, 2), True),
        ("1/2", Fraction(1, 2), True),
        ("0.67", Fraction(2, 3), True),
        ("0.66", Fraction(2, 3), False),
        ("0.12", Fraction(1, 8), True),  # a tie may round either way
        ("0.13", Fraction(1, 8), True),
        ("0.3347", Fraction(33, 100), False),  # more digits than verified: digits nobody verified
        ("-1.41", -ROOT2, True),
        ("-1.41", ROOT2, False),
        ("two", Fraction(2), True),
    ],
)
def test_the_rule(written: str, value: Fraction, expected: bool) -> None:
    assert states(_one(written), value) is expected


def _root(answer: str) -> dict[str, TaskResult]:
    output = MathOutput(answer=answer, formalization={"kind": "evaluate", "expression": "sqrt(2)", "answer": answer})
    return {"r": TaskResult(task_id="r", kind=TaskKind.MATH, status=Status.VERIFIED, output=output)}


@pytest.mark.parametrize(
    ("text", "stated"),
    [("The root is about 1.41 [r].", True), ("The root is about 1.42 [r].", False), ("The root is about 1.40 [r].", False)],
)
def test_facts_and_consistency_answer_alike(text: str, stated: bool) -> None:
    inputs = _root("1.41421356")
    fact = next(c for c in check_facts(text, inputs) if c.name == "fact [r]")
    consistency = next(c for c in check_consistency(text, inputs).checks if c.name == "states [r]")
    assert fact.passed is stated
    assert consistency.passed is stated


def test_a_rounded_claim_is_no_contradiction_and_a_wrong_one_is() -> None:
    inputs = _root("1.41421356")
    assert {c.name: c.passed for c in check_facts("The value is 1.414.", inputs)}["contradictions"] is True
    assert {c.name: c.passed for c in check_facts("The value is 1.5.", inputs)}["contradictions"] is False


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("The product is **391**.", ["391"]),  # markdown bold states the number
        ("So x = **-2**, not **2**.", ["-2", "2"]),
        ("It grows like n**2 + 1.", ["1"]),  # a Python power's exponent is not a number stated
        ("(k+1)**3 is larger", ["1"]),
    ],
)
def test_bold_numbers_are_stated_and_exponents_are_not(text: str, numbers: list[str]) -> None:
    assert [s.text.strip() for s in stated_numbers(text)] == numbers
