"""Does a final answer agree with the verified task results? (deterministic)

:func:`check_consistency` compares what an answer quotes with what was
checked, and returns one :class:`~junto.agents.CheckResult` per question:

- ``citations``: every ``[task_id]`` the answer cites names a task of the run
  (undecided when it cites none). A form check: citing a task says nothing
  about what the answer takes from it, so it can fail, never confirm
  (``spec=model``);
- ``states [id]``, one per verified math result (``spec=upstream``): the
  answer states the verified value, under the rule of :mod:`junto.tools.facts._values`
  (``1.41`` states ``1.41421356``, ``0.75`` states ``3/4``; ``1.42`` and ``1`` do not); a symbolic
  result (``x**2 + 2*x``) is looked for verbatim up to spacing, ``*`` and
  ``^``, and is undecided when it is not found (an equivalent rewriting may
  read differently);
- ``numbers``, when some math result is verified: every number the answer
  writes outside code blocks comes from somewhere: the task, the plan, a
  task's output or reason, exactly or as a rounding either way. A number found nowhere (``381`` where the
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

from junto.tools.facts._values import Stated, Stating, agree, find_stated, show, stated_numbers
from pydantic import BaseModel, Field

from junto._fences import fences, without_fences
from junto._plan import Plan
from junto._tasks import CheckResult, CodeOutput, MathOutput, Spec, TaskResult, TextOutput

__all__ = ["ConsistencyReport", "check_consistency", "cited_ids", "code_blocks", "normal_code"]

_CITATION = re.compile(r"\[([A-Za-z][A-Za-z0-9_\-]*)\](?!\()")
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
    numbers = stated_numbers(_CITATION.sub(" ", prose))
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
    return [normal_code(fence.body) for fence in fences(text)]


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


def _states(task_id: str, verified: str, numbers: list[Stated], prose: str) -> CheckResult:
    found = find_stated(verified, prose, numbers)
    passed: bool | None
    match found.stating:
        case Stating.STATED:
            passed, evidence = True, f"states {verified}"
        case Stating.NOT_QUOTED:
            passed = None
            evidence = f"the verified result {verified!r} is not quoted verbatim (an equivalent form cannot be ruled out)"
        case Stating.NOTHING:
            passed, evidence = None, f"the verified result {verified!r} has no value to look for"
        case Stating.MISSING:
            wrong = ", ".join(show(v) for v in found.missing)
            passed, evidence = False, f"the verified result of [{task_id}] is {verified}, but the answer does not state {wrong}"
    return CheckResult(name=f"states [{task_id}]", passed=passed, evidence=evidence, spec=Spec.UPSTREAM)


def _supported(numbers: list[Stated], sources: str, verified: Mapping[str, MathOutput]) -> CheckResult:
    known = stated_numbers(sources)
    compared = [n for n in numbers if not (n.value.denominator == 1 and abs(n.value) <= _SMALL)]
    unknown = [n for n in compared if not any(agree(n, k) for k in known)]
    if not compared:
        return CheckResult(name="numbers", passed=None, evidence=f"no number above {_SMALL} to compare", spec=Spec.MODEL)
    if not unknown:
        return CheckResult(
            name="numbers", passed=True, evidence="every number in the answer comes from the task or its results", spec=Spec.MODEL
        )
    stated = ", ".join(dict.fromkeys(n.text for n in unknown))
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
        yield normal_code(result.output.code)
    if isinstance(result.output, TextOutput):
        yield from code_blocks(result.output.text)


def normal_code(code: str) -> str:
    """``code`` as compared: dedented, tabs as 4 spaces, no trailing spaces or blank edges."""
    lines = [line.rstrip() for line in textwrap.dedent(code.expandtabs(4)).splitlines()]
    return "\n".join(lines).strip("\n")
