"""Check code the way the code specialist needs: user tests, examples, and guarded model tests.

:func:`check_code` runs, in one sandbox run, the user's tests, the examples
stated in the instruction and the model's own tests against the code, and
the model's tests against stubs of the code too. It returns the checks that
decide the task's status, each saying what it held the code to
(:class:`~junto._tasks.Spec`):

- ``runs`` (only when it fails): the code parses, imports and defines its
  entry point;
- ``user tests`` (``user``): the user's tests, "passes the user's 3 tests";
- ``examples`` (``instruction``): the examples the instruction states,
  "passes the 2 examples stated in the instruction";
- ``model tests`` (``model``): the model's tests that prove something (see
  :mod:`junto.tools.code._guard`); when none do, this check cannot decide;
- ``computes`` (``model``, only when it fails): a function the tests call
  never reads its arguments, so whatever passed was written in, not computed.

Only the first two can verify code. The model's own tests, however good,
rank candidates and can fail code; passing them never verifies it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from junto.sandbox._types import Sandbox
from junto.tools.code._examples import examples_as_tests
from junto.tools.code._guard import functions_ignoring_inputs, stub_implementations, tests_that_prove_nothing
from junto.tools.code._tests import CodeCheckReport, TestOrigin, TestSource, run_code_tests

from junto._tasks import CheckResult, Spec

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
    examples = examples_as_tests(instruction, entry_point=entry_point)
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


def _section(
    report: CodeCheckReport, origin: TestOrigin, *, skip_lines: frozenset[int] | set[int] = frozenset()
) -> CheckResult | None:
    """The outcomes of one origin's tests as a check named after it (``None``: none of them ran).

    Passing evidence says how strong it is ("passes the user's 3 tests");
    failing evidence lists what failed, for the next attempt.
    """
    outcomes = [o for o in report.outcomes if o.origin is origin and not (origin is TestOrigin.MODEL and o.line in skip_lines)]
    tests = [o for o in outcomes if o.is_test]
    failed = [o for o in outcomes if not o.passed]
    if not tests and not failed:
        return None
    name = _NAMES[origin]
    if not failed and report.completed:
        return CheckResult(name=name, passed=True, evidence=f"passes {origin.counted(len(tests))}", spec=origin.spec)
    lines = [f"{sum(t.passed for t in tests)} of {len(tests)} tests passed"]
    lines.extend(o.describe() for o in failed)
    if not report.completed:
        lines.append(
            "the test run did not finish: " + ("it timed out" if report.timed_out else f"it exited with code {report.exit_code}")
        )
    return CheckResult(name=name, passed=False, evidence="\n".join(lines)[:3000], spec=origin.spec)


_NAMES = {TestOrigin.USER: "user tests", TestOrigin.EXAMPLE: "examples", TestOrigin.MODEL: "model tests"}


def _checks(
    report: CodeCheckReport, discarded: dict[int, str], ignoring: dict[str, str], *, has_model_tests: bool
) -> list[CheckResult]:
    # "It runs" alone proves nothing about the task: only its failure is a check.
    if not report.runnable or (not report.completed and not report.outcomes):
        return [CheckResult(name="runs", passed=False, evidence=report.evidence(), spec=Spec.MODEL)]

    checks: list[CheckResult] = []
    for origin in (TestOrigin.USER, TestOrigin.EXAMPLE):
        error = report.test_errors.get(origin)
        if error:
            evidence = f"the given tests do not parse, so they could not run: {error}"
            checks.append(CheckResult(name=_NAMES[origin], passed=None, evidence=evidence, spec=origin.spec))
        elif (check := _section(report, origin)) is not None:
            checks.append(check)

    if has_model_tests:
        checks.append(_model_check(report, discarded))
    if ignoring and report.outcomes:
        checks.append(CheckResult(name="computes", passed=False, evidence="\n".join(ignoring.values()), spec=Spec.MODEL))
    if not checks:
        checks.append(
            CheckResult(
                name="tests",
                passed=None,
                evidence="there were no tests to run, so the code is only known to run",
                spec=Spec.MODEL,
            )
        )
    return checks


def _model_check(report: CodeCheckReport, discarded: dict[int, str]) -> CheckResult:
    """The model's own tests: they can fail the code and rank candidates, never verify it."""
    model_error = report.test_errors.get(TestOrigin.MODEL)
    if model_error:
        return CheckResult(name="model tests", passed=False, evidence=f"your tests do not parse: {model_error}", spec=Spec.MODEL)
    check = _section(report, TestOrigin.MODEL, skip_lines=set(discarded))
    set_aside = "\n".join(f"- test at line {line} does not count: {why}" for line, why in sorted(discarded.items()))
    if check is None:
        return CheckResult(
            name="model tests",
            passed=None,
            evidence="none of the model's tests proves anything about the code" + (f":\n{set_aside}" if set_aside else ""),
            spec=Spec.MODEL,
        )
    if check.passed:
        check.evidence += ", which can fail code but never verify it"
    if set_aside:
        check.evidence += f"\nset aside:\n{set_aside}"
    return check
