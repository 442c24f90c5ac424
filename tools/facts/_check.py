"""Does a text state the facts that upstream tasks verified? (deterministic)

:func:`check_facts` compares any text (a writing task's output, a final
answer) with the results of the tasks it builds on. Only **verified** results
are facts; unverified, failed or skipped ones are not checked (the text may
not repeat a value nobody could confirm). It returns:

- ``fact [id]``, one per verified math result: every value of the verified
  answer appears in the text, under the rule of :mod:`junto.tools.facts._values`:
  ``2`` is stated by ``x = 2``, ``two`` or ``2.0``, ``1/2`` by ``0.5``, and
  ``1.41421356`` by ``1.41`` (a correct rounding at the places written; ``1.42``
  and ``1`` do not state it); exponents (the ``2`` of ``x^2``) do not count. A symbolic answer (``3*x**2 + 2``) must be quoted as
  verified, up to spacing, ``*`` and ``**``/``^``.
- ``fact [id]``, one per verified code result with an ``entry_point``: the
  text names the function; and every fenced code block in the text is, up to
  indentation, the code of a verified task.
- ``contradictions``, when the text makes a claim about a verified value:
  ``x = 5`` (``x`` the variable a verified equation was solved for), ``17*23 = 381`` (a verified
  expression), ``the roots are 2 and 5`` (``answer``, ``result``,
  ``solution``, ``root``, ``value`` followed by ``is``/``are``/``=``/``:``).
  A number so claimed that does not state a verified value fails the check, even if
  the verified value also appears elsewhere.

With no verified input the list is empty: nothing to hold the text to.

Every check holds the text to verified results (``spec=upstream``), except
``fact [id]`` of a code result, which only asks that the function be named:
naming it says nothing about what the text claims the function does, so that
check can fail a text but never verify it (``spec=model``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING

from junto.tools.facts._consistency import code_blocks, normal_code
from junto.tools.facts._values import NUMBER_WORDS, Stated, Stating, find_stated, show, stated_numbers, states, verified_values

import junto._tasks as contract
from junto._formalization import MathKind
from junto._tasks import Spec

if TYPE_CHECKING:
    from junto._tasks import CheckResult, CodeOutput, MathOutput, TaskResult

__all__ = ["check_facts"]

_ASSIGNED = re.compile(r"\b([A-Za-z]\w*)\s*=")
_WORDS = "|".join(NUMBER_WORDS)
_GENERIC = r"(?:answers?|results?|solutions?|roots?|values?|zeros?)"
_LINK = r"\s*(?:=|:|\bis\b|\bare\b|\bequals?\b|\bwas\b|\bwere\b)\s*(?:equal\s+to\s+|exactly\s+|just\s+)?"
_LIST = r"(?P<list>{n}(?:\s*(?:,|\band\b|\bor\b|,\s*and)\s*{n})*)"


def _math_fact(task_id: str, output: MathOutput, text: str, numbers: list[Stated]) -> CheckResult:
    found = find_stated(output.answer, text, numbers)
    passed: bool | None
    match found.stating:
        case Stating.STATED:
            passed, evidence = True, f"states {output.answer} as verified by [{task_id}]"
        case Stating.NOT_QUOTED:
            passed, evidence = False, f"does not quote the verified result of [{task_id}], {output.answer}, exactly"
        case Stating.NOTHING:
            passed, evidence = None, f"the verified result of [{task_id}] ({output.answer!r}) has no value to look for"
        case Stating.MISSING:
            missing = ", ".join(show(v) for v in found.missing)
            passed, evidence = False, f"does not state {missing}; [{task_id}] verified {output.answer}"
    return contract.CheckResult(name=f"fact [{task_id}]", passed=passed, evidence=evidence, spec=Spec.UPSTREAM)


def _code_fact(task_id: str, output: CodeOutput, text: str) -> CheckResult | None:
    if not output.entry_point:
        return None
    name = f"fact [{task_id}]"
    if re.search(rf"(?<!\w){re.escape(output.entry_point)}(?!\w)", text):
        return contract.CheckResult(
            name=name, passed=True, evidence=f"names {output.entry_point}() from [{task_id}]", spec=Spec.MODEL
        )
    return contract.CheckResult(
        name=name,
        passed=False,
        evidence=f"does not name {output.entry_point}(), the verified code of [{task_id}]",
        spec=Spec.MODEL,
    )


def _quoted_code(text: str, inputs: Mapping[str, TaskResult]) -> CheckResult | None:

    blocks = code_blocks(text)
    if not blocks:
        return None
    verified = {normal_code(r.output.code) for r in inputs.values() if r.verified and isinstance(r.output, contract.CodeOutput)}
    if not verified:
        return None  # no verified code upstream: a code block here is the task's own, not a quote
    stray = [i for i, block in enumerate(blocks, 1) if block not in verified]
    if stray:
        where = ", ".join(str(i) for i in stray)
        return contract.CheckResult(
            name="quoted code",
            passed=False,
            evidence=f"code block(s) {where} differ from every verified task's code; quote it exactly",
            spec=Spec.UPSTREAM,
        )
    return contract.CheckResult(
        name="quoted code", passed=True, evidence="every code block is verified code, quoted exactly", spec=Spec.UPSTREAM
    )


def _claim_pattern(label: str) -> re.Pattern[str]:
    return re.compile(rf"{label}{_LINK}{_LIST.format(n=_ANY_NUMBER)}", re.IGNORECASE)


_ANY_NUMBER = rf"(?:\\frac\{{-?\d+\}}\{{\d+\}}|[-\u2212]?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?(?:\s*/\s*\d+)?|(?:(?:minus|negative)\s+)?(?:{_WORDS})\b)"


def _expression_label(expression: str) -> str:
    parts = []
    for char in re.sub(r"\s+", "", expression.replace("**", "^")):
        if char in "*\u00d7\u00b7":
            parts.append(r"\s*[*\u00d7\u00b7x]\s*")
        elif char == "^":
            parts.append(r"\s*(?:\^|\*\*)\s*")
        else:
            parts.append(re.escape(char) + r"\s*")
    return r"(?<![\w.])" + "".join(parts)


def _labels(output: MathOutput) -> list[str]:
    form = output.formalization
    names = _ASSIGNED.findall(output.answer)
    if form is not None and form.kind is MathKind.SOLVE:
        names.append(form.variable or "x")
    labels = [rf"\b{re.escape(name)}\b(?!\s*[\^*(])" for name in dict.fromkeys(names)]
    if form is not None and form.expression and "=" not in form.expression and form.kind is MathKind.EVALUATE:
        labels.append(_expression_label(form.expression))
    return labels


def _contradictions(text: str, facts: Mapping[str, MathOutput]) -> CheckResult | None:
    every = {v for output in facts.values() for v in (verified_values(output.answer) or [])}
    claims: list[tuple[str, list[Stated], set[Fraction], str]] = []
    for task_id, output in facts.items():
        own = set(verified_values(output.answer) or [])
        if own:
            claims += [
                (m.group(0), stated_numbers(m.group("list")), own, task_id)
                for label in _labels(output)
                for m in _claim_pattern(label).finditer(text)
            ]
    if every:
        claims += [
            (m.group(0), stated_numbers(m.group("list")), every, "") for m in _claim_pattern(rf"\b{_GENERIC}").finditer(text)
        ]
    if not claims:
        return None
    wrong = [
        (claim, [s.value for s in stated if not any(states(s, a) for a in allowed)], task_id)
        for claim, stated, allowed, task_id in claims
    ]
    wrong = [(claim, bad, task_id) for claim, bad, task_id in wrong if bad]
    if wrong:
        details = "; ".join(
            f"'{claim.strip()}' states {', '.join(show(v) for v in bad)}, which "
            + (f"[{task_id}] did not verify ({facts[task_id].answer})" if task_id else "no verified result is")
            for claim, bad, task_id in wrong
        )
        return contract.CheckResult(name="contradictions", passed=False, evidence=details, spec=Spec.UPSTREAM)
    return contract.CheckResult(
        name="contradictions",
        passed=True,
        evidence=f"{len(claims)} claim(s) about verified values agree with them",
        spec=Spec.UPSTREAM,
    )


def check_facts(text: str, inputs: Mapping[str, TaskResult]) -> list[CheckResult]:
    """Check ``text`` against the verified results in ``inputs`` (see the module docstring)."""
    numbers = stated_numbers(text)
    checks: list[CheckResult] = []
    math: dict[str, MathOutput] = {}
    for task_id, result in inputs.items():
        if not result.verified:
            continue
        if isinstance(result.output, contract.MathOutput):
            math[task_id] = result.output
            checks.append(_math_fact(task_id, result.output, text, numbers))
        elif isinstance(result.output, contract.CodeOutput) and (check := _code_fact(task_id, result.output, text)) is not None:
            checks.append(check)
    for extra in (_contradictions(text, math), _quoted_code(text, inputs)):
        if extra is not None:
            checks.append(extra)
    return checks
