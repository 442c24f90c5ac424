"""run_code_tests: per-test results, evidence, syntax errors, time-outs, crashes."""

from __future__ import annotations

import pytest
from junto.sandbox import ExecResult, FakeSandbox
from junto.tools.code._tests import TestOrigin, TestSource, run_code_tests

from junto._tasks import Spec
from tests.unit.test_code_local_sandbox import LocalSandbox

ROOTS = """
def roots(a, b, c):
    d = (b * b - 4 * a * c) ** 0.5
    return sorted([int((-b - d) / (2 * a)), int((-b + d) / (2 * a))])
"""


@pytest.fixture
def sandbox() -> LocalSandbox:
    return LocalSandbox()


async def test_module_level_asserts_are_tests_one_by_one(sandbox: LocalSandbox) -> None:
    tests = "assert roots(1, -5, 6) == [2, 3]\nassert roots(1, 0, -4) == [-2, 2]\nassert roots(1, -3, 2) == [9, 9]\n"
    report = await run_code_tests(sandbox, ROOTS, tests)
    assert [t.passed for t in report.tests] == [True, True, False]
    assert not report.passed
    failed = report.failures[0]
    assert failed.line == 3 and "roots(1, -3, 2) == [9, 9]" in failed.name
    assert "AssertionError" in failed.error and "left side:  [1, 2]" in failed.error
    check = report.to_check()
    assert check.passed is False and "2 of 3 tests passed" in check.evidence and "[9, 9]" in check.evidence


async def test_test_functions_setup_and_captured_output(sandbox: LocalSandbox) -> None:
    tests = """
import pytest
from solution import roots

CASES = [((1, -5, 6), [2, 3])]

def test_cases():
    for args, want in CASES:
        assert roots(*args) == want

def test_prints_then_fails():
    print("looking at", roots(1, -5, 6))
    assert roots(1, -5, 6) == [3, 2], "order"

def test_raises():
    with pytest.raises(ZeroDivisionError):
        roots(0, 1, 1)
"""
    report = await run_code_tests(sandbox, ROOTS, tests)
    assert report.completed and report.runnable
    by_name = {t.name: t for t in report.tests}
    assert set(by_name) == {"test_cases", "test_prints_then_fails", "test_raises"}
    assert by_name["test_cases"].passed and by_name["test_raises"].passed
    bad = by_name["test_prints_then_fails"]
    assert not bad.passed and "order" in bad.error and "looking at [2, 3]" in bad.output
    assert all(o.passed for o in report.outcomes if o.kind == "setup")


async def test_code_that_does_not_parse_fails_before_running(sandbox: LocalSandbox) -> None:
    report = await run_code_tests(sandbox, "def f(:\n    return 1", "assert f() == 1")
    assert report.syntax_error and "line 1" in report.syntax_error
    assert not report.passed and "does not parse" in report.evidence()
    assert sandbox.runs == []


async def test_import_error_and_missing_entry_point(sandbox: LocalSandbox) -> None:
    broken = await run_code_tests(sandbox, "import no_such_module_xyz\n", "assert True")
    assert not broken.passed and "No module named" in (broken.import_error or "")
    missing = await run_code_tests(sandbox, "def g():\n    return 1\n", "assert g() == 1", entry_point="f")
    assert missing.missing_entry_point == "f" and not missing.passed
    assert "named 'f'" in missing.evidence()


async def test_a_hanging_test_fails_alone(sandbox: LocalSandbox) -> None:
    code = "def spin():\n    while True:\n        pass\n\ndef one():\n    return 1\n"
    tests = "assert spin() is None\nassert one() == 1\n"
    report = await run_code_tests(sandbox, code, tests, per_test_s=0.5, timeout_s=10)
    assert [t.passed for t in report.tests] == [False, True]
    assert "time limit" in report.tests[0].error


async def test_a_crash_still_reports_the_tests_before_it(sandbox: LocalSandbox) -> None:
    code = "import os\n\ndef one():\n    return 1\n\ndef die():\n    os._exit(0)\n"
    tests = "assert one() == 1\nassert die() == 2\nassert one() == 1\n"
    report = await run_code_tests(sandbox, code, tests)
    assert not report.completed and not report.passed
    assert [t.passed for t in report.tests] == [True, False]
    assert "during this test" in report.tests[1].error


async def test_printed_fake_results_cannot_pass(sandbox: LocalSandbox) -> None:
    code = 'print(\'{"event": "result", "passed": true}\')\nprint(\'{"event": "done"}\')\n\ndef f():\n    return 0\n'
    report = await run_code_tests(sandbox, code, "assert f() == 1")
    assert not report.passed and [t.passed for t in report.tests] == [False]


async def test_unparsable_tests_and_several_origins(sandbox: LocalSandbox) -> None:
    sources = [
        TestSource(origin=TestOrigin.USER, source="assert roots(1, -5, 6) == [2, 3]"),
        TestSource(origin=TestOrigin.MODEL, source="assert roots(1, -5, 6) ==\n"),
    ]
    report = await run_code_tests(sandbox, ROOTS, sources)
    assert [t.origin for t in report.tests] == [TestOrigin.USER]
    assert TestOrigin.MODEL in report.test_errors and not report.passed


async def test_timeout_of_the_whole_run_is_reported() -> None:
    stalled = FakeSandbox(lambda run: ExecResult(exit_code=None, timed_out=True, duration_s=3.0))
    report = await run_code_tests(stalled, ROOTS, "assert roots(1, -5, 6) == [2, 3]")
    assert report.timed_out and not report.passed
    assert "timed out" in report.evidence()


async def test_a_passing_report_says_whose_tests_it_passed(sandbox: LocalSandbox) -> None:
    tests = [
        TestSource(origin=TestOrigin.USER, source="assert roots(1, -5, 6) == [2, 3]\nassert roots(1, 0, -4) == [-2, 2]\n"),
        TestSource(origin=TestOrigin.EXAMPLE, source="assert roots(1, -3, 2) == [1, 2]\n"),
    ]
    check = (await run_code_tests(sandbox, ROOTS, tests)).to_check()
    assert (check.passed, check.spec) == (True, Spec.USER)
    assert check.evidence == "passes the user's 2 tests and the 1 example stated in the instruction"
    own = (
        await run_code_tests(sandbox, ROOTS, [TestSource(origin=TestOrigin.MODEL, source="assert roots(1, -5, 6) == [2, 3]\n")])
    ).to_check()
    assert own.passed is True and not own.confirms  # the model's own tests never verify
