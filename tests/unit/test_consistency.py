"""check_consistency: numbers, quoted code and citations of an answer against verified results."""

from __future__ import annotations

import pytest
from junto.agents import CheckResult, CodeOutput, MathOutput, Status, TaskKind, TaskResult, TextOutput
from junto.graphs import Plan, PlanTask
from junto.tools.facts._consistency import check_consistency, cited_ids, code_blocks

from junto._tasks import Spec

CODE = "def multiply(a, b):\n    return a * b\n"
TASK = "Compute 17 * 23. Then write a Python function multiply(a, b). Finally explain it in 80 words."


def _math(answer: str, status: Status = Status.VERIFIED, task_id: str = "product") -> TaskResult:
    return TaskResult(task_id=task_id, kind=TaskKind.MATH, status=status, output=MathOutput(answer=answer))


def _code(code: str = CODE, status: Status = Status.VERIFIED) -> TaskResult:
    return TaskResult(task_id="code", kind=TaskKind.CODE, status=status, output=CodeOutput(code=code))


def _check(report, name: str) -> CheckResult:
    return next(c for c in report.checks if c.name == name)


def test_agreeing_answer_is_consistent() -> None:
    results = {"product": _math("391"), "code": _code()}
    answer = f"17 * 23 = 391 [product]. The function [code]:\n```python\n{CODE}```\n"
    report = check_consistency(answer, results, task=TASK)
    assert report.consistent is True, report.problems()
    assert _check(report, "states [product]").passed is True
    assert _check(report, "code").passed is True
    assert _check(report, "citations").passed is True


def test_contradicting_number_fails_with_evidence() -> None:
    report = check_consistency("17 * 23 = 381 [product].", {"product": _math("391")}, task=TASK)
    assert report.consistent is False
    numbers = _check(report, "numbers")
    assert numbers.passed is False and "381" in numbers.evidence and "[product] = 391" in numbers.evidence
    assert _check(report, "states [product]").passed is False


def test_unverified_math_is_not_a_reference() -> None:
    report = check_consistency("17 * 23 = 381 [product] (not verified).", {"product": _math("381", Status.FAILED)}, task=TASK)
    assert report.consistent is None
    assert [c.name for c in report.checks] == ["citations"]


@pytest.mark.parametrize(
    ("verified", "answer"),
    [
        ("x = 2, x = 3", "The roots are 2 and 3 [roots]."),
        ("[-2, 2]", "x = -2 or x = 2 [roots]"),
        ("3/4", "The probability is 0.75 [roots]."),
        ("1.41421356", "About 1.414 [roots]."),
        ("2/3", "About 0.67 [roots]."),
        ("1000", "It is 1,000 [roots]."),
        ("x**2 + 2*x", "The derivative is x^2 + 2x [roots]."),
    ],
)
def test_equal_values_in_other_notation_agree(verified: str, answer: str) -> None:
    report = check_consistency(answer, {"roots": _math(verified, task_id="roots")})
    assert report.consistent is True, report.problems()


def test_flipped_sign_of_a_verified_value_fails() -> None:
    report = check_consistency("The root is 2 [roots].", {"roots": _math("x = -2", task_id="roots")})
    assert _check(report, "states [roots]").passed is False


def test_missing_verified_value_fails() -> None:
    report = check_consistency("The product was computed [product].", {"product": _math("391")})
    assert report.consistent is False
    assert "does not state 391" in _check(report, "states [product]").evidence


def test_symbolic_result_not_found_is_undecided() -> None:
    report = check_consistency("It is 2x plus x squared [d].", {"d": _math("x**2 + 2*x", task_id="d")})
    assert _check(report, "states [d]").passed is None
    assert report.consistent is None


def test_numbers_from_the_task_and_small_counts_are_allowed() -> None:
    answer = "Multiplying 17 by 23 gives 391 [product]; the function takes 2 arguments and the text has 80 words."
    report = check_consistency(answer, {"product": _math("391")}, task=TASK)
    assert report.consistent is True, report.problems()


def test_numbers_in_the_plan_and_other_results_are_allowed() -> None:
    plan = Plan(tasks=[PlanTask(id="product", kind=TaskKind.MATH, instruction="Multiply 1234 by 2.")])
    results = {
        "product": _math("2468"),
        "essay": TaskResult(
            task_id="essay",
            kind=TaskKind.WRITING,
            status=Status.UNVERIFIED,
            output=TextOutput(kind="writing", text="Written in 1990."),
        ),
    }
    report = check_consistency("1234 * 2 = 2468 [product], as in 1990 [essay].", results, plan=plan)
    assert report.consistent is True, report.problems()


def test_code_must_equal_a_tasks_code() -> None:
    results = {"code": _code()}
    altered = "```python\ndef multiply(a, b):\n    return a + b\n```"
    report = check_consistency(f"Here [code]:\n{altered}", results)
    assert report.consistent is False
    assert "not the code of any task" in _check(report, "code").evidence
    indented = "```\n    def multiply(a, b):\n        return a * b   \n```"
    assert check_consistency(f"Here [code]:\n{indented}", results).consistent is True


def test_code_when_no_task_wrote_code_fails() -> None:
    report = check_consistency("```\nprint(391)\n```", {"product": _math("391")})
    assert "no task produced code" in _check(report, "code").evidence


def test_unknown_citation_fails_even_without_verified_results() -> None:
    report = check_consistency("See [roots] and [nowhere].", {"roots": _math("2", Status.FAILED, "roots")})
    assert report.consistent is False
    assert "[nowhere]" in _check(report, "citations").evidence


def test_citation_helpers_ignore_links_and_code() -> None:
    text = "See [roots] and [docs](http://x), [1, 2].\n```\nx = [a]\n```\n[roots] again [code]"
    assert cited_ids(text) == ["roots", "code"]
    assert code_blocks(text) == ["x = [a]"]


def test_only_checks_against_verified_results_confirm() -> None:
    results = {"product": _math("391"), "code": _code()}
    answer = f"17 * 23 = 391 [product]. The function [code]:\n```python\n{CODE}```\n"
    report = check_consistency(answer, results, task=TASK)
    specs = {c.name: c.spec for c in report.checks}
    assert specs == {"citations": Spec.MODEL, "states [product]": Spec.UPSTREAM, "numbers": Spec.MODEL, "code": Spec.UPSTREAM}
    assert [c.name for c in report.checks if c.confirms] == ["states [product]", "code"]


def test_quoting_code_nobody_verified_confirms_nothing() -> None:
    results = {"code": _code(status=Status.UNVERIFIED), "other": _math("5", task_id="other")}
    report = check_consistency(f"The function [code]:\n```python\n{CODE}```\nand the count is 5 [other].", results)
    code = _check(report, "code")
    assert code.passed is True and code.spec is Spec.MODEL and "confirms nothing" in code.evidence
    assert _check(report, "states [other]").confirms
    unconfirmed = check_consistency(
        f"The function [code]:\n```python\n{CODE}```",
        {"code": _code(status=Status.UNVERIFIED), "other": _math("5", task_id="other", status=Status.FAILED)},
    )
    assert unconfirmed.consistent is None  # it cites and quotes, but nothing verified was compared
