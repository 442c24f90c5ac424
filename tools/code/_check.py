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
  "passes the 2 examples stated in the instruction; each of 5 one-change
  variants of the code fails them or matches it on 20 inputs near theirs"; when they are all the
  code is verified by, they must also decide its behaviour
  (:mod:`junto.tools.code._variants`): unless a whole run shows that every
  one-change variant of the code that passes them behaves like it on inputs
  near theirs, and that the code meets them exactly, they count as the
  model's evidence and an ``examples decide`` check says why;
- ``model tests`` (``model``): the model's tests that prove something (see
  :mod:`junto.tools.code._guard`); when none do, this check cannot decide;
- ``computes`` (``model``, only when it fails): a function the tests call
  never reads its arguments, so whatever passed was written in, not computed.

Only the first two can verify code. The model's own tests, however good,
rank candidates and can fail code; passing them never verifies it.
"""

from __future__ import annotations

import ast
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from junto.sandbox._types import Sandbox
from junto.tools.code._examples import examples_as_tests
from junto.tools.code._guard import functions_ignoring_inputs, stub_implementations, tests_that_prove_nothing
from junto.tools.code._tests import CodeCheckReport, TestOrigin, TestSource, run_code_tests
from junto.tools.code._variants import Decided, Undecided, Unshown, undecided_rival, undecided_variant

from junto._tasks import CheckResult, Spec

__all__ = ["CodeVerification", "check_code", "check_against_rivals"]


Found = Decided | Undecided | Unshown
# Whether the examples decide the code against other programs, given the entry point and the examples as exact comparisons.
Against = Callable[[str, str], Awaitable[tuple[Found, float]]]


@dataclass
class CodeVerification:
    """The checks, the raw report, and which of the model's tests were set aside."""

    report: CodeCheckReport
    checks: list[CheckResult] = field(default_factory=list)
    discarded: dict[int, str] = field(default_factory=dict)
    examples: str = ""
    extra_s: float = 0.0  # sandbox seconds beyond the test run (variants of the code run against the examples)

    @property
    def sandbox_s(self) -> float:
        return self.report.duration_s + self.extra_s


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
    examples = examples_as_tests(instruction, entry_point=entry_point, code=code)
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
    verification = CodeVerification(checks=checks, report=report, discarded=discarded, examples=examples)
    if _rests_on_examples(checks):

        async def variants_of(entry: str, exact: str) -> tuple[Found, float]:
            return await undecided_variant(sandbox, code, entry, examples, exact=exact, inputs_from=[model_tests or ""])

        verification.checks, seconds = await _weighed(checks, code, examples, instruction, entry_point, variants_of)
        verification.extra_s += seconds
    return verification


async def check_against_rivals(
    sandbox: Sandbox,
    code: str,
    checks: list[CheckResult],
    rivals: list[tuple[str, str]],
    *,
    instruction: str,
    entry_point: str | None = None,
    inputs_from: list[str] | None = None,
    timeout_s: float = 20.0,
) -> tuple[list[CheckResult], float]:
    """``checks`` held to the other candidates for the same request, when the instruction's examples alone verify ``code``.

    ``rivals`` are ``(which, source)``. A rival that passes the same examples
    yet returns something else on an input near theirs shows that they do not
    decide the behaviour, so they verify neither program: the examples become
    the model's evidence, as when a variant of the code slips through
    (:func:`check_code`). A run that does not show it either way fails closed
    the same way. Checks that do not rest on the examples are returned as they
    are. Also the sandbox seconds spent.
    """
    if not rivals or not _rests_on_examples(checks) or not any(c.confirms for c in checks):
        return checks, 0.0
    examples = examples_as_tests(instruction, entry_point=entry_point, code=code)

    async def against_rivals(entry: str, exact: str) -> tuple[Found, float]:
        return await undecided_rival(
            sandbox, code, entry, examples, rivals, exact=exact, inputs_from=inputs_from, timeout_s=timeout_s
        )

    return await _weighed(checks, code, examples, instruction, entry_point, against_rivals)


async def _weighed(
    checks: list[CheckResult], code: str, examples: str, instruction: str, entry_point: str | None, against: Against
) -> tuple[list[CheckResult], float]:
    """``checks`` once the examples are tried ``against`` other programs: kept if they decide, weakened if not; and the seconds."""
    entry = entry_point or _called(examples, code)
    if entry is None:
        return _undecided(checks, Unshown("they call no function the code defines").why), 0.0
    exact = examples_as_tests(instruction, entry_point=entry_point, code=code, exact=True)
    found, seconds = await against(entry, exact)
    return (_decided(checks, found) if isinstance(found, Decided) else _undecided(checks, found.why)), seconds


def _decided(checks: list[CheckResult], found: Decided) -> list[CheckResult]:
    """The examples verify the code; their evidence says how far they were tried."""
    return [
        c.model_copy(update={"evidence": f"{c.evidence}; {found.note}"}) if c.name == TestOrigin.EXAMPLE.check_name else c
        for c in checks
    ]


def _rests_on_examples(checks: list[CheckResult]) -> bool:
    """The code would be verified by the instruction's examples alone: they passed, no user test ran, nothing failed."""
    if any(c.passed is False for c in checks) or any(c.name == TestOrigin.USER.check_name for c in checks):
        return False
    return any(c.name == TestOrigin.EXAMPLE.check_name and c.passed for c in checks)


def _called(examples: str, code: str) -> str | None:
    """The function the examples call that the code defines."""
    try:
        defined = {n.name for n in ast.walk(ast.parse(code)) if isinstance(n, ast.FunctionDef)}
        called = [n.func.id for n in ast.walk(ast.parse(examples)) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    except SyntaxError:
        return None
    return next((name for name in called if name in defined), None)


def _undecided(checks: list[CheckResult], why: str) -> list[CheckResult]:
    """The examples passed but are not shown to decide the code's behaviour: they can still fail it, never verify it."""
    weakened = [
        c.model_copy(update={"spec": Spec.MODEL, "evidence": f"{c.evidence} (too few to decide the behaviour)"})
        if c.name == TestOrigin.EXAMPLE.check_name
        else c
        for c in checks
    ]
    return [*weakened, CheckResult(name="examples decide", passed=None, evidence=why, spec=Spec.MODEL)]


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
    name = origin.check_name
    if not failed and report.completed:
        return CheckResult(name=name, passed=True, evidence=f"passes {origin.counted(len(tests))}", spec=origin.spec)
    lines = [f"{sum(t.passed for t in tests)} of {len(tests)} tests passed"]
    lines.extend(o.describe() for o in failed)
    if not report.completed:
        lines.append(
            "the test run did not finish: " + ("it timed out" if report.timed_out else f"it exited with code {report.exit_code}")
        )
    return CheckResult(name=name, passed=False, evidence="\n".join(lines)[:3000], spec=origin.spec)


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
            checks.append(CheckResult(name=origin.check_name, passed=None, evidence=evidence, spec=origin.spec))
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
        return CheckResult(
            name=TestOrigin.MODEL.check_name, passed=False, evidence=f"your tests do not parse: {model_error}", spec=Spec.MODEL
        )
    check = _section(report, TestOrigin.MODEL, skip_lines=set(discarded))
    set_aside = "\n".join(f"- test at line {line} does not count: {why}" for line, why in sorted(discarded.items()))
    if check is None:
        return CheckResult(
            name=TestOrigin.MODEL.check_name,
            passed=None,
            evidence="none of the model's tests proves anything about the code" + (f":\n{set_aside}" if set_aside else ""),
            spec=Spec.MODEL,
        )
    if check.passed:
        check.evidence += ", which can fail code but never verify it"
    if set_aside:
        check.evidence += f"\nset aside:\n{set_aside}"
    return check
