"""Check code the way the code specialist needs: user tests, examples, and guarded model tests.

:func:`check_code` runs, in one sandbox run, the user's tests, the examples
stated in the instruction and the model's own tests against the code, and
the model's tests against stubs of the code too. It returns the checks that
decide the task's status:

- ``runs`` (only when it fails): the code parses, imports and defines its
  entry point;
- ``user tests``: the user's tests and the instruction's examples (always counted);
- ``model tests``: the model's tests that prove something (see
  :mod:`junto.tools._code_guard`); when none do, this check cannot decide;
- ``computes`` (only when it fails): a function the tests call never reads
  its arguments, so whatever passed was written in, not computed.

The model's tests alone never make code verified unless they survived the
guard.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from junto.sandbox._types import Sandbox
from junto.tools._code_examples import examples_as_tests
from junto.tools._code_guard import functions_ignoring_inputs, stub_implementations, tests_that_prove_nothing
from junto.tools._code_tests import CodeCheckReport, TestOrigin, TestSource, run_code_tests

from junto._tasks import CheckResult

__all__ = ["CodeVerification", "check_code"]


@dataclass
class CodeVerification:
    """The checks, the raw report, and which of the model's tests were set aside."""

    report: CodeCheckReport
    checks: list[CheckResult] = field(default_factory=list)
    discarded: dict[int, str] = field(default_factory=dict)
    examples: str = ""

    @property
    def sandbox_s(self) -> float:
        return self.report.duration_s


async def check_code(
    sandbox: Sandbox,
    code: str,
    *,
    user_tests: str | None = None,
    model_tests: str | None = None,
    instruction: str = "",
    entry_point: str | None = None,
    timeout_s: float = 30.0,
    per_test_s: float = 5.0,
) -> CodeVerification:
    """Run every test that applies to ``code`` and turn the report into checks."""
    examples = examples_as_tests(instruction)
    sources = [
        TestSource(origin=origin, source=text)
        for origin, text in ((TestOrigin.USER, user_tests), (TestOrigin.EXAMPLE, examples), (TestOrigin.MODEL, model_tests))
        if text and text.strip()
    ]
    stubs = stub_implementations(code) if model_tests and model_tests.strip() else {}
    report = await run_code_tests(
        sandbox, code, sources, entry_point=entry_point, stubs=stubs, timeout_s=timeout_s, per_test_s=per_test_s
    )
    discarded = tests_that_prove_nothing(report, model_tests) if model_tests else {}
    ignoring = functions_ignoring_inputs(code, *(source.source for source in sources))
    checks = _checks(report, discarded, ignoring, has_model_tests=bool(model_tests and model_tests.strip()))
    return CodeVerification(checks=checks, report=report, discarded=discarded, examples=examples)


def _section(report: CodeCheckReport, origins: set[TestOrigin], *, skip_lines: set[int] = frozenset()) -> tuple[bool | None, str]:
    """Pass/fail and evidence for the outcomes of some origins (``None``: no test ran)."""
    outcomes = [
        o for o in report.outcomes if o.origin in origins and not (o.origin is TestOrigin.MODEL and o.line in skip_lines)
    ]
    tests = [o for o in outcomes if o.is_test]
    failed = [o for o in outcomes if not o.passed]
    if not tests and not failed:
        return None, ""
    lines = [f"{sum(t.passed for t in tests)} of {len(tests)} tests passed"]
    lines.extend(o.describe() for o in failed)
    if not report.completed:
        lines.append("the test run did not finish: " + ("it timed out" if report.timed_out else f"it exited with code {report.exit_code}"))
    return (not failed and report.completed), "\n".join(lines)[:3000]


def _checks(
    report: CodeCheckReport, discarded: dict[int, str], ignoring: dict[str, str], *, has_model_tests: bool
) -> list[CheckResult]:
    if not report.runnable:
        return [CheckResult(name="runs", passed=False, evidence=report.evidence())]
    # "It runs" alone proves nothing about the task: only its failure is a check.
    checks: list[CheckResult] = []
    if not report.completed and not report.outcomes:
        return [CheckResult(name="runs", passed=False, evidence=report.evidence())]

    user_error = report.test_errors.get(TestOrigin.USER)
    passed, evidence = _section(report, {TestOrigin.USER, TestOrigin.EXAMPLE})
    if user_error:
        checks.append(CheckResult(name="user tests", passed=None, evidence=f"the given tests do not parse, so they could not run: {user_error}"))
    elif passed is not None:
        checks.append(CheckResult(name="user tests", passed=passed, evidence=evidence))

    if has_model_tests:
        checks.append(_model_check(report, discarded))
    if ignoring and report.outcomes:
        checks.append(CheckResult(name="computes", passed=False, evidence="\n".join(ignoring.values())))
    if not checks:
        checks.append(CheckResult(name="tests", passed=None, evidence="there were no tests to run, so the code is only known to run"))
    return checks


def _model_check(report: CodeCheckReport, discarded: dict[int, str]) -> CheckResult:
    model_error = report.test_errors.get(TestOrigin.MODEL)
    if model_error:
        return CheckResult(name="model tests", passed=False, evidence=f"your tests do not parse: {model_error}")
    passed, evidence = _section(report, {TestOrigin.MODEL}, skip_lines=set(discarded))
    set_aside = "\n".join(f"- test at line {line} does not count: {why}" for line, why in sorted(discarded.items()))
    if passed is None:
        return CheckResult(
            name="model tests",
            passed=None,
            evidence="none of the model's tests proves anything about the code" + (f":\n{set_aside}" if set_aside else ""),
        )
    if set_aside:
        evidence += f"\nset aside:\n{set_aside}"
    return CheckResult(name="model tests", passed=passed, evidence=evidence)
