"""Checking a text against :class:`WritingConstraints`, deterministically.

:func:`check_writing` returns one :class:`~junto.agents.CheckResult` per
constraint that is set (none for an empty spec), each with evidence that
states the measured value and the bound, e.g. ``112 words; allowed 80-120``.
Counting rules are those of :mod:`junto.tools._writing_measure`. Terms match
case-insensitively on word boundaries (``cat`` is not found in ``concatenate``;
a multi-word term matches across any spacing; ``cats``, ``cat's`` count as
``cat``). ``passed`` is ``None`` when a
check cannot decide (the language of a short text, the grade of a non-English
text).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from junto.tools._writing_measure import (
    bullet_items,
    detect_language,
    grade_level,
    heading_lines,
    numbered_items,
    paragraphs,
    parse_json_text,
    sentences,
    words,
)

import junto._tasks as contract
from junto._constraints import WritingConstraints, describe_bound

if TYPE_CHECKING:
    from junto._tasks import CheckResult

__all__ = ["check_writing", "find_term"]


def find_term(text: str, term: str) -> bool:
    """Is ``term`` in ``text``, case-insensitively, on word boundaries (a plural ``s``/``es`` or ``'s`` allowed)?"""
    parts = [re.escape(p) for p in term.split()]
    if not parts:
        return False
    pattern = r"(?<![\w])" + r"\s+".join(parts) + r"(?:s|es|['\u2019]s)?(?![\w])"
    return re.search(pattern, text, re.IGNORECASE) is not None


def _within(low: float | None, high: float | None, value: float) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _count(name: str, value: int, low: int | None, high: int | None) -> CheckResult | None:
    if low is None and high is None:
        return None
    unit = name if value != 1 else name.rstrip("s")
    return contract.CheckResult(name=name, passed=_within(low, high, value), evidence=f"{value} {unit}; allowed {describe_bound(low, high)}")


def _terms(text: str, constraints: WritingConstraints) -> list[CheckResult]:
    checks = []
    if constraints.required_terms:
        missing = [t for t in constraints.required_terms if not find_term(text, t)]
        used = [t for t in constraints.required_terms if t not in missing]
        evidence = f"missing {', '.join(repr(t) for t in missing)}" if missing else "uses " + ", ".join(repr(t) for t in used)
        if missing and used:
            evidence += f"; uses {', '.join(repr(t) for t in used)}"
        checks.append(contract.CheckResult(name="required terms", passed=not missing, evidence=evidence))
    if constraints.forbidden_terms:
        present = [t for t in constraints.forbidden_terms if find_term(text, t)]
        evidence = (
            f"uses the forbidden {', '.join(repr(t) for t in present)}"
            if present
            else f"avoids {', '.join(repr(t) for t in constraints.forbidden_terms)}"
        )
        checks.append(contract.CheckResult(name="forbidden terms", passed=not present, evidence=evidence))
    return checks


def _format(text: str, form: str) -> CheckResult:
    if form == "json":
        ok, detail = parse_json_text(text.strip())
        return contract.CheckResult(name="format", passed=ok, evidence=detail)
    bullets, numbered, headings = len(bullet_items(text)), len(numbered_items(text)), len(heading_lines(text))
    found = f"{bullets} bulleted, {numbered} numbered item(s), {headings} heading(s)"
    if form == "bullets":
        return contract.CheckResult(name="format", passed=bullets > 0, evidence=f"{found}; a bulleted list is required")
    if form == "numbered":
        return contract.CheckResult(name="format", passed=numbered > 0, evidence=f"{found}; a numbered list is required")
    if form == "headings":
        return contract.CheckResult(name="format", passed=headings > 0, evidence=f"{found}; markdown headings are required")
    passed = bullets + numbered + headings == 0
    return contract.CheckResult(name="format", passed=passed, evidence=f"{found}; plain prose is required")


def _items(text: str, constraints: WritingConstraints) -> CheckResult | None:
    items = numbered_items(text) if constraints.format == "numbered" else bullet_items(text)
    if constraints.format not in ("bullets", "numbered"):
        items = bullet_items(text) + numbered_items(text)
    return _count("bullets", len(items), constraints.min_bullets, constraints.max_bullets)


def _language(text: str, wanted: str) -> CheckResult:
    found = detect_language(text)
    if found is None:
        return contract.CheckResult(name="language", passed=None, evidence=f"could not tell the language; required {wanted}")
    return contract.CheckResult(name="language", passed=found == wanted, evidence=f"reads as {found}; required {wanted}")


def _grade(text: str, low: float | None, high: float | None) -> CheckResult:
    bound = describe_bound(low, high)
    language = detect_language(text)
    if language not in (None, "en"):
        return contract.CheckResult(name="reading level", passed=None, evidence=f"the Flesch-Kincaid grade is for English; the text reads as {language}")
    grade = grade_level(text)
    if grade is None:
        return contract.CheckResult(name="reading level", passed=None, evidence=f"no sentence to grade; allowed grade {bound}")
    return contract.CheckResult(name="reading level", passed=_within(low, high, grade), evidence=f"Flesch-Kincaid grade {grade:g}; allowed {bound}")


def check_writing(text: str, constraints: WritingConstraints) -> list[CheckResult]:
    """Check ``text`` against every constraint that is set (see the module docstring)."""
    c = constraints
    checks = [
        _count("words", len(words(text)), c.min_words, c.max_words),
        _count("sentences", len(sentences(text)), c.min_sentences, c.max_sentences),
        _count("paragraphs", len(paragraphs(text)), c.min_paragraphs, c.max_paragraphs),
    ]
    checks += _terms(text, c)
    if c.format is not None:
        checks.append(_format(text, c.format))
    checks.append(_items(text, c))
    if c.language is not None:
        checks.append(_language(text, c.language))
    if c.max_grade_level is not None or c.min_grade_level is not None:
        checks.append(_grade(text, c.min_grade_level, c.max_grade_level))
    return [check for check in checks if check is not None]
