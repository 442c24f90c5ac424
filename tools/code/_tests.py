"""Run code and its tests in the sandbox and read back a per-test report.

:func:`run_code_tests` writes the code as ``solution.py`` and each test
source as its own module, and runs them with the small runner in
``_runner.py``: every module-level ``assert`` and every ``def test_...()``
is one test, each with its own time limit, its failing assertion or traceback
and its captured output as evidence. Code that does not parse fails on the
host, before anything runs.
"""

from __future__ import annotations

import ast
import enum
import json
import secrets
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from junto.sandbox._types import ExecResult, Sandbox
from pydantic import BaseModel, ConfigDict, Field

from junto._tasks import CheckResult, Spec

__all__ = [
    "CodeCheckReport",
    "TestOrigin",
    "TestOutcome",
    "TestSource",
    "run_code_tests",
    "syntax_error",
]

SOLUTION = "solution.py"
_TAIL = 1500


class TestOrigin(str, enum.Enum):
    """Who wrote a test: the user, the instruction's examples, or the model."""

    __test__ = False  # not a pytest class

    USER = "user"
    EXAMPLE = "example"
    MODEL = "model"

    @property
    def spec(self) -> Spec:
        """The specification tests of this origin hold code to; only ``model`` cannot verify it."""
        return _SPECS[self]

    @property
    def check_name(self) -> str:
        """The name of the check this origin's tests make: "user tests", "examples", "model tests"."""
        return _CHECK_NAMES[self]

    def counted(self, n: int) -> str:
        """``n`` tests of this origin, as evidence says it: "the user's 3 tests", "the 2 examples stated in the instruction"."""
        if self is TestOrigin.EXAMPLE:
            return f"the {n} example{'s' if n != 1 else ''} stated in the instruction"
        return f"the {'user' if self is TestOrigin.USER else 'model'}'s {n} test{'s' if n != 1 else ''}"


_SPECS = {TestOrigin.USER: Spec.USER, TestOrigin.EXAMPLE: Spec.INSTRUCTION, TestOrigin.MODEL: Spec.MODEL}
_CHECK_NAMES = {TestOrigin.USER: "user tests", TestOrigin.EXAMPLE: "examples", TestOrigin.MODEL: "model tests"}


class TestSource(BaseModel):
    """Test code from one origin."""

    __test__ = False

    model_config = ConfigDict(frozen=True)

    origin: TestOrigin
    source: str

    @property
    def file(self) -> str:
        return f"test_{self.origin.value}.py"


class TestOutcome(BaseModel):
    """One test (or set-up statement) and what happened to it."""

    __test__ = False

    origin: TestOrigin
    name: str
    kind: str = "assert"  # assert | function | setup
    line: int = 0
    passed: bool
    error: str = ""
    output: str = ""

    @property
    def is_test(self) -> bool:
        return self.kind != "setup"

    def describe(self) -> str:
        head = f"[{self.origin.value}] {self.name}"
        if self.passed:
            return head + ": passed"
        text = f"{head}: FAILED\n{self.error.strip()}"
        if self.output.strip():
            text += f"\noutput:\n{self.output.strip()}"
        return text


class CodeCheckReport(BaseModel):
    """What running the code against its tests showed.

    ``outcomes`` are against the real code; ``stub_outcomes`` against each
    stub implementation (keyed by stub name), used to spot tests that pass
    no matter what the code does.
    """

    syntax_error: str | None = None
    import_error: str | None = None
    missing_entry_point: str | None = None
    test_errors: dict[TestOrigin, str] = Field(default_factory=dict)
    outcomes: list[TestOutcome] = Field(default_factory=list)
    stub_outcomes: dict[str, list[TestOutcome]] = Field(default_factory=dict)
    completed: bool = False
    timed_out: bool = False
    exit_code: int | None = None
    stdout_tail: str = ""
    stderr_tail: str = ""
    duration_s: float = 0.0

    @property
    def tests(self) -> list[TestOutcome]:
        return [o for o in self.outcomes if o.is_test]

    @property
    def failures(self) -> list[TestOutcome]:
        return [o for o in self.outcomes if not o.passed]

    @property
    def runnable(self) -> bool:
        """The code parsed, imported and defines its entry point."""
        return self.syntax_error is None and self.import_error is None and self.missing_entry_point is None

    @property
    def passed(self) -> bool:
        """Every test ran and passed, and at least one test ran."""
        return self.runnable and self.completed and not self.test_errors and bool(self.tests) and not self.failures

    def evidence(self, *, limit: int = 3000) -> str:
        """The report as text: the blocking problem, or the failed tests first."""
        if self.syntax_error:
            return f"the code does not parse: {self.syntax_error}"
        if self.import_error:
            return f"importing the code failed:\n{self.import_error}"
        if self.missing_entry_point:
            return f"the code does not define a function named {self.missing_entry_point!r}"
        parts: list[str] = [f"tests in {origin.value} tests do not parse: {error}" for origin, error in self.test_errors.items()]
        if not self.completed:
            why = "timed out" if self.timed_out else f"exited with code {self.exit_code}"
            parts.append(f"the test run did not finish: it {why}")
        tests = self.tests
        parts.append(f"{sum(t.passed for t in tests)} of {len(tests)} tests passed")
        parts.extend(o.describe() for o in self.failures)
        if not self.completed and self.stderr_tail.strip():
            parts.append(f"stderr:\n{self.stderr_tail.strip()}")
        text = "\n".join(parts)
        return text if len(text) <= limit else text[: limit - 3] + "..."

    def to_check(self, name: str = "tests") -> CheckResult:
        """The whole report as one check, held to the weakest specification among the tests that ran.

        A passing check says what it passed: "passes the user's 3 tests".
        """
        origins = [o for o in TestOrigin if any(t.origin is o for t in self.tests)]
        spec = Spec.MODEL if not origins or TestOrigin.MODEL in origins else origins[0].spec
        if not self.passed:
            return CheckResult(name=name, passed=False, evidence=self.evidence(), spec=spec)
        counts = [o.counted(sum(t.origin is o for t in self.tests)) for o in origins]
        return CheckResult(name=name, passed=True, evidence="passes " + " and ".join(counts), spec=spec)


def syntax_error(source: str, *, filename: str = SOLUTION) -> str | None:
    """``None`` if ``source`` parses, else the SyntaxError as one line."""
    try:
        ast.parse(source, filename=filename)
    except SyntaxError as error:
        where = f"line {error.lineno}" + (f", column {error.offset}" if error.offset else "")
        text = (error.text or "").strip()
        return f"{error.msg} ({filename} {where}){': ' + text if text else ''}"
    except ValueError as error:  # e.g. null bytes
        return f"{error} ({filename})"
    return None


@cache
def _runner_source() -> str:
    return Path(__file__).with_name("_runner.py").read_text(encoding="utf-8")


async def run_code_tests(
    sandbox: Sandbox,
    code: str,
    tests: str | Sequence[TestSource],
    *,
    entry_point: str | None = None,
    stubs: dict[str, str] | None = None,
    timeout_s: float = 30.0,
    per_test_s: float = 5.0,
) -> CodeCheckReport:
    """Run ``tests`` against ``code`` in ``sandbox``; a plain string counts as user tests.

    ``stubs`` maps a name to other code to run the same tests against (see
    :mod:`junto.tools.code._guard`).
    """
    sources = [TestSource(origin=TestOrigin.USER, source=tests)] if isinstance(tests, str) else list(tests)
    error = syntax_error(code)
    if error is not None:
        return CodeCheckReport(syntax_error=error)
    test_errors: dict[TestOrigin, str] = {}
    runnable: list[TestSource] = []
    for source in sources:
        problem = syntax_error(source.source, filename=source.file)
        if problem is None:
            runnable.append(source)
        else:
            test_errors[source.origin] = problem
    variants = {SOLUTION: code}
    for name, stub in (stubs or {}).items():
        variants[f"stub_{name}.py"] = stub
    token = f"@@junto-{secrets.token_hex(8)}@@"
    job = {
        "token": token,
        "sources": [{"origin": s.origin.value, "file": s.file} for s in runnable],
        "variants": list(variants),
        "entry_point": entry_point,
        "per_test_s": per_test_s,
    }
    files: dict[str, str] = {**variants, **{s.file: s.source for s in runnable}}
    result = await sandbox.run(
        _runner_source(),
        timeout=timeout_s,
        files=files,
        stdin=json.dumps(job) + "\n",
    )
    report = _parse(result, token, entry_point=entry_point)
    report.test_errors = test_errors
    return report


def _parse(result: ExecResult, token: str, *, entry_point: str | None) -> CodeCheckReport:
    report = CodeCheckReport(
        timed_out=result.timed_out,
        exit_code=result.exit_code,
        duration_s=result.duration_s,
        stderr_tail=result.stderr[-_TAIL:],
    )
    plain: list[str] = []
    by_variant: dict[str, list[TestOutcome]] = {}
    running: dict[str, dict[str, Any]] = {}  # the JSON record of each test started, not yet finished
    for line in result.stdout.splitlines():
        at = line.find(token)
        if at < 0:
            plain.append(line)
            continue
        if at:
            plain.append(line[:at])
        try:
            record = json.loads(line[at + len(token) :])
        except ValueError:
            continue
        event = record.get("event")
        variant = record.get("variant", SOLUTION)
        if event == "done":
            report.completed = True
        elif event == "import" and variant == SOLUTION:
            if not record.get("ok"):
                report.import_error = record.get("error") or "import failed"
            elif record.get("missing_entry_point"):
                report.missing_entry_point = entry_point
        elif event == "start":
            running[variant] = record
        elif event == "result":
            running.pop(variant, None)
            by_variant.setdefault(variant, []).append(
                TestOutcome(
                    origin=TestOrigin(record["origin"]),
                    name=record["name"],
                    kind=record.get("kind", "assert"),
                    line=record.get("line", 0),
                    passed=bool(record["passed"]),
                    error=record.get("error", ""),
                    output=record.get("output", ""),
                )
            )
    if not report.completed:
        why = "timed out" if result.timed_out else "stopped"
        if result.oom_killed:
            why = "ran out of memory"
        for variant, record in running.items():
            by_variant.setdefault(variant, []).append(
                TestOutcome(
                    origin=TestOrigin(record["origin"]),
                    name=record["name"],
                    passed=False,
                    error=f"the run {why} during this test",
                )
            )
    report.outcomes = by_variant.pop(SOLUTION, [])
    report.stub_outcomes = {v.removeprefix("stub_").removesuffix(".py"): o for v, o in by_variant.items()}
    report.stdout_tail = "\n".join(plain)[-_TAIL:]
    return report
