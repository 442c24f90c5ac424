"""check_facts: verified upstream values must be stated (exactly, or correctly rounded at the places written); contradictions fail; unverified inputs are not facts."""

from __future__ import annotations

from fractions import Fraction

import pytest
from junto.agents import CodeOutput, MathOutput, Status, TaskKind, TaskResult, TextOutput
from junto.tools import check_facts
from junto.tools.facts._values import stated_numbers, verified_values


def _math(
    answer: str, *, status: Status = Status.VERIFIED, kind: str = "solve", expression: str = "x^2 - 5*x + 6 = 0"
) -> TaskResult:
    output = MathOutput(answer=answer, formalization={"kind": kind, "expression": expression, "answer": answer})
    return TaskResult(task_id="t", kind=TaskKind.MATH, status=status, output=output)


ROOTS = {"roots": _math("{2, 3}")}
PRODUCT = {"product": _math("391", kind="evaluate", expression="17*23")}
HALF = {"half": _math("1/2", kind="evaluate", expression="1/2")}
DERIVATIVE = {"d": _math("3*x**2 + 2", kind="derivative", expression="x^3 + 2*x")}
CODE = {
    "c": TaskResult(
        task_id="c",
        kind=TaskKind.CODE,
        status=Status.VERIFIED,
        output=CodeOutput(code="def add(a, b):\n    return a + b", entry_point="add"),
    )
}

# (text, inputs, check name, expected passed, text in evidence)
TABLE = [
    ("The equation x^2 - 5x + 6 = 0 has the roots 2 and 3.", ROOTS, "fact [roots]", True, "states {2, 3}"),
    ("Its solutions are x = 2 and x = 3.", ROOTS, "fact [roots]", True, "states"),
    ("The roots are two and three.", ROOTS, "fact [roots]", True, "states"),
    ("The roots are 2.0 and 3.0.", ROOTS, "fact [roots]", True, "states"),
    ("Squaring gives x^2; one root is 2.", ROOTS, "fact [roots]", False, "does not state 3; [roots] verified {2, 3}"),
    ("The roots are 2 and 5.", ROOTS, "contradictions", False, "states 5, which no verified result is"),
    ("The roots are 2 and 3.", ROOTS, "contradictions", True, "agree"),
    ("Here x = 4, although 2 and 3 also appear.", ROOTS, "contradictions", False, "[roots] did not verify"),
    ("17 × 23 = 391.", PRODUCT, "fact [product]", True, "states 391"),
    ("17 × 23 = 381, or 391.", PRODUCT, "contradictions", False, "'17 × 23 = 381' states 381"),
    ("The product is 1,391.", PRODUCT, "fact [product]", False, "does not state 391"),
    ("Half is 0.5 here.", HALF, "fact [half]", True, "states 1/2"),
    ("Half is \\frac{1}{2} here.", HALF, "fact [half]", True, "states 1/2"),
    ("Half is 0.25 here.", HALF, "fact [half]", False, "does not state 1/2"),
    ("The derivative is 3x^2 + 2.", DERIVATIVE, "fact [d]", True, "states 3*x**2 + 2"),
    ("The derivative is 3 * x ** 2 + 2.", DERIVATIVE, "fact [d]", True, "states"),
    ("The derivative is 2 + 3x^2.", DERIVATIVE, "fact [d]", False, "exactly"),
    ("Call add(1, 2) to sum.", CODE, "fact [c]", True, "names add()"),
    ("Call plus(1, 2) to sum.", CODE, "fact [c]", False, "does not name add()"),
    ("Use add:\n```python\ndef add(a, b):\n    return a + b\n```", CODE, "quoted code", True, "quoted exactly"),
    (
        "Use add:\n```python\ndef add(a, b):\n    return a - b\n```",
        CODE,
        "quoted code",
        False,
        "differ from every verified task's code",
    ),
]


@pytest.mark.parametrize(
    ("text", "inputs", "name", "passed", "evidence"), TABLE, ids=[f"{r[2]}-{i}" for i, r in enumerate(TABLE)]
)
def test_facts(text: str, inputs: dict[str, TaskResult], name: str, passed: bool, evidence: str) -> None:
    checks = {c.name: c for c in check_facts(text, inputs)}
    assert checks[name].passed is passed, checks[name].evidence
    assert evidence in checks[name].evidence


def test_unverified_and_text_inputs_are_not_facts() -> None:
    inputs = {
        "guess": _math("381", status=Status.UNVERIFIED),
        "failed": _math("7", status=Status.FAILED),
        "note": TaskResult(
            task_id="note", kind=TaskKind.WRITING, status=Status.VERIFIED, output=TextOutput(kind="writing", text="42")
        ),
    }
    assert check_facts("The answer is 12.", inputs) == []
    assert check_facts("Anything.", {}) == []


def test_each_verified_input_gets_its_own_check() -> None:
    checks = check_facts("The roots are 2 and 3; 17*23 = 391.", {**ROOTS, **PRODUCT})
    assert {c.name: c.passed for c in checks} == {"fact [roots]": True, "fact [product]": True, "contradictions": True}


def test_numbers_and_values() -> None:
    assert [s.value for s in stated_numbers("x^2 has roots 2 and three; minus 4, -7, 1,000, 3.14, 1/4")] == [
        Fraction(2),
        Fraction(3),
        Fraction(-4),
        Fraction(-7),
        Fraction(1000),
        Fraction(157, 50),
        Fraction(1, 4),
    ]
    assert verified_values("x = 2 or x = -3") == [Fraction(2), Fraction(-3)]
    assert verified_values("sqrt(2)") is None


def test_code_block_is_not_a_quote_when_nothing_upstream_verified_code() -> None:
    """A task's own code (e.g. a general task with no inputs) is not held to upstream code."""
    from junto.tools.facts._check import check_facts

    text = "```python\ndef multiply(a, b):\n    return a * b\n```\nIt multiplies."
    assert [c.name for c in check_facts(text, {})] == []
