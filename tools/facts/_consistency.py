"""Does a final answer agree with the verified task results? (deterministic)

:func:`check_consistency` compares what an answer quotes with what was
checked, and returns one :class:`~junto.agents.CheckResult` per question:

- ``citations``: every ``[task_id]`` the answer cites names a task of the run
  (undecided when it cites none). A form check: citing a task says nothing
  about what the answer takes from it, so it can fail, never confirm
  (``spec=model``);
- ``states [id]``, one per verified math result (``spec=upstream``): the
  answer states the verified value. Numbers compare exactly, or as roundings of each other
  (``1.41`` states ``1.41421356``; ``0.75`` states ``3/4``); a symbolic
  result (``x**2 + 2*x``) is looked for verbatim up to spacing, ``*`` and
  ``^``, and is undecided when it is not found (an equivalent rewriting may
  read differently);
- ``numbers``, when some math result is verified: every number the answer
  writes outside code blocks comes from somewhere: the task, the plan, a
  task's output or reason. A number found nowhere (``381`` where the
  verified product is ``391``) is a contradiction. Integers up to 10 are
  always allowed (counting words, list numbers), and signs are ignored here
  (the ``states`` check catches a flipped sign of a verified value). The
  numbers may come from the plan or from results nobody verified, so a pass
  confirms nothing (``spec=model``);
- ``code``, when the answer has fenced code blocks: each equals, up to
  indentation and trailing spaces, the code of some task. Only when every
  block is the code of a verified task does it confirm (``spec=upstream``).

``consistent`` is ``False`` when a check failed, ``None`` when no check
confirmed anything against a verified result, ``True`` otherwise.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from fractions import Fraction

from pydantic import BaseModel, Field

from junto._fences import fences, without_fences
from junto._plan import Plan
from junto._tasks import CheckResult, CodeOutput, MathOutput, Spec, TaskResult, TextOutput

__all__ = ["ConsistencyReport", "check_consistency", "code_blocks", "cited_ids"]

_CITATION = re.compile(r"\[([A-Za-z][A-Za-z0-9_\-]*)\](?!\()")
_NUMBER = re.compile(r"(?<![\w.])(-?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:/(\d+))?(?![\d/])")
_ASSIGNMENT = re.compile(r"\b[A-Za-z]\w*\s*=")
_SEPARATORS = re.compile(r"(\bor\b|\band\b|[\s,;:{}\[\]()%$])+")
_SMALL = 10


class ConsistencyReport(BaseModel):
    """The checks of one answer against the task results."""

    consistent: bool | None
    checks: list[CheckResult] = Field(default_factory=list)

    def problems(self) -> list[str]:
        """The evidence of every failed check, for a revision prompt."""
        return [f"{c.name}: {c.evidence}" for c in self.checks if c.passed is False]


def check_consistency(
    answer: str,
    results: Mapping[str, TaskResult],
    *,
    task: str = "",
    plan: Plan | None = None,
) -> ConsistencyReport:
    """Check ``answer`` against ``results`` (see the module docstring)."""
    prose = without_fences(answer)
    checks = [_citations(prose, results, plan)]
    verified_math = {tid: r.output for tid, r in results.items() if r.verified and isinstance(r.output, MathOutput)}
    numbers = [n for n, _ in _numbers(_CITATION.sub(" ", prose))]
    for task_id, output in verified_math.items():
        checks.append(_states(task_id, output.answer, numbers, prose))
    if verified_math:
        checks.append(_supported(numbers, answer_sources(task, plan, results), verified_math))
    blocks = code_blocks(answer)
    if blocks:
        checks.append(_code(blocks, results))

    if any(c.passed is False for c in checks):
        consistent: bool | None = False
    else:
        consistent = True if any(c.confirms for c in checks) else None
    return ConsistencyReport(consistent=consistent, checks=checks)


def cited_ids(text: str) -> list[str]:
    """The ``[task_id]`` citations in ``text``, in order, without repeats (code blocks ignored)."""
    return list(dict.fromkeys(_CITATION.findall(without_fences(text))))


def code_blocks(text: str) -> list[str]:
    """The fenced code blocks of ``text``, normalised for comparison."""
    return [_normal_code(fence.body) for fence in fences(text)]


def answer_sources(task: str, plan: Plan | None, results: Mapping[str, TaskResult]) -> str:
    """All the text an answer's numbers may legitimately come from."""
    parts = [task]
    if plan is not None:
        parts += [f"{t.instruction} {t.produces}" for t in plan.tasks]
    for result in results.values():
        parts.append(result.output_text())
        if isinstance(result.output, MathOutput):
            parts.append(result.output.work)
        parts.append(result.reason or "")
    return "\n".join(parts)


def _citations(prose: str, results: Mapping[str, TaskResult], plan: Plan | None) -> CheckResult:
    known = set(results) | ({t.id for t in plan.tasks} if plan else set())
    cited = cited_ids(prose)
    unknown = [c for c in cited if c not in known]
    if unknown:
        names = ", ".join(f"[{c}]" for c in unknown)
        return CheckResult(
            name="citations",
            passed=False,
            evidence=f"the answer cites {names}, which no task has; the tasks are {', '.join(sorted(known)) or 'none'}",
            spec=Spec.MODEL,
        )
    if not cited:
        return CheckResult(name="citations", passed=None, evidence="the answer cites no task", spec=Spec.MODEL)
    return CheckResult(name="citations", passed=True, evidence=f"cites {', '.join(cited)}", spec=Spec.MODEL)


def _states(task_id: str, verified: str, numbers: list[Fraction], prose: str) -> CheckResult:
    name = f"states [{task_id}]"
    values = _values(verified)
    if values is None:
        if _squash(verified) in _squash(prose):
            return CheckResult(name=name, passed=True, evidence=f"states {verified}", spec=Spec.UPSTREAM)
        return CheckResult(
            name=name,
            passed=None,
            evidence=f"the verified result {verified!r} is not quoted verbatim (an equivalent form cannot be ruled out)",
            spec=Spec.UPSTREAM,
        )
    if not values:
        return CheckResult(
            name=name, passed=None, evidence=f"the verified result {verified!r} has no value to look for", spec=Spec.UPSTREAM
        )
    missing = [v for v, text in values if not any(_same(n, v, text) for n in numbers)]
    if missing:
        wrong = ", ".join(text for v, text in values if v in missing)
        return CheckResult(
            name=name,
            passed=False,
            evidence=f"the verified result of [{task_id}] is {verified}, but the answer does not state {wrong}",
            spec=Spec.UPSTREAM,
        )
    return CheckResult(name=name, passed=True, evidence=f"states {verified}", spec=Spec.UPSTREAM)


def _supported(numbers: list[Fraction], sources: str, verified: Mapping[str, MathOutput]) -> CheckResult:
    known = [(abs(v), text) for v, text in _numbers(sources)]
    unknown: list[Fraction] = []
    compared = [n for n in numbers if not (n.denominator == 1 and abs(n) <= _SMALL)]
    for number in compared:
        if not any(_same(abs(number), k, text) for k, text in known):
            unknown.append(number)
    if not compared:
        return CheckResult(name="numbers", passed=None, evidence=f"no number above {_SMALL} to compare", spec=Spec.MODEL)
    if not unknown:
        return CheckResult(
            name="numbers", passed=True, evidence="every number in the answer comes from the task or its results", spec=Spec.MODEL
        )
    stated = ", ".join(_show(n) for n in dict.fromkeys(unknown))
    facts = "; ".join(f"[{tid}] = {out.answer}" for tid, out in verified.items())
    return CheckResult(
        name="numbers",
        passed=False,
        evidence=f"the answer states {stated}, which matches no verified result and appears nowhere in the task or its results (verified: {facts})",
        spec=Spec.MODEL,
    )


def _code(blocks: list[str], results: Mapping[str, TaskResult]) -> CheckResult:
    known: dict[str, str] = {}
    for task_id, result in results.items():
        for code in _result_code(result):
            known.setdefault(code, f"[{task_id}] ({result.status.value})")
    verified = {code for result in results.values() if result.verified for code in _result_code(result)}
    problems, matched = [], []
    for index, block in enumerate(blocks, 1):
        if block in known:
            matched.append(known[block])
            continue
        first = block.splitlines()[0] if block else ""
        problems.append(f"code block {index} (starting {first[:60]!r}) is not the code of any task")
    if problems:
        hint = "; quote a task's code exactly or leave it out" if known else "; no task produced code, so leave code out"
        return CheckResult(name="code", passed=False, evidence="; ".join(problems) + hint, spec=Spec.MODEL)
    evidence = f"code quoted exactly from {', '.join(matched)}"
    if all(block in verified for block in blocks):
        return CheckResult(name="code", passed=True, evidence=evidence, spec=Spec.UPSTREAM)
    return CheckResult(
        name="code", passed=True, evidence=evidence + "; code nobody verified, so quoting it confirms nothing", spec=Spec.MODEL
    )


def _result_code(result: TaskResult) -> Iterable[str]:
    if isinstance(result.output, CodeOutput):
        yield _normal_code(result.output.code)
    if isinstance(result.output, TextOutput):
        yield from code_blocks(result.output.text)


def _normal_code(code: str) -> str:
    lines = [line.rstrip() for line in textwrap.dedent(code.expandtabs(4)).splitlines()]
    return "\n".join(lines).strip("\n")


def _numbers(text: str) -> list[tuple[Fraction, str]]:
    """Every number written in ``text``: integers, decimals, ``1,000``, ``3/4``; with the text as written."""
    text = text.replace("\u2212", "-")
    found = []
    for match in _NUMBER.finditer(text):
        sign, whole, decimals, denominator = match.groups()
        value = Fraction(whole.replace(",", "") + (decimals or ""))
        if denominator is not None:
            if int(denominator) == 0:
                continue
            value /= int(denominator)
        found.append((-value if sign else value, match.group(0)))
    return found


def _values(verified: str) -> list[tuple[Fraction, str]] | None:
    """The numbers a verified math answer consists of, or ``None`` if it is symbolic."""
    rest = _SEPARATORS.sub(" ", _ASSIGNMENT.sub(" ", verified.replace("\u2212", "-")))
    rest = _NUMBER.sub(" ", rest)
    if rest.strip():
        return None
    return _numbers(verified)


def _same(number: Fraction, value: Fraction, value_text: str) -> bool:
    """Equal, or one is the other rounded to the decimals it is written with."""
    if number == value:
        return True
    number_places = _places(number)
    value_places = len(value_text.split(".", 1)[1]) if "." in value_text and "/" not in value_text else 0
    if number_places and number_places < 12 and round(value, number_places) == number:
        return True
    return bool(value_places) and round(number, value_places) == value


def _places(number: Fraction) -> int:
    """Decimal places of a number that has a finite decimal form (0 for integers or repeating ones)."""
    places, scaled = 0, number
    while scaled.denominator != 1 and places < 12:
        scaled *= 10
        places += 1
    return places if scaled.denominator == 1 else 0


def _squash(text: str) -> str:
    return re.sub(r"\s+|\*(?!\*)", "", text.replace("**", "^")).lower()


def _show(number: Fraction) -> str:
    if number.denominator == 1:
        return str(number.numerator)
    places = _places(number)
    return f"{float(number):.{places}f}" if places else f"{number.numerator}/{number.denominator}"
