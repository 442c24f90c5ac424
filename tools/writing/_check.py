"""Checking a text against :class:`WritingConstraints`, deterministically.

:func:`check_writing` returns one :class:`~junto.agents.CheckResult` per
constraint that is set (none for an empty spec), each with evidence that
states the measured value and the bound, e.g. ``112 words; allowed 80-120``,
and with the :class:`~junto._tasks.Spec` the constraint came from: the
user's own (``user``, the default) or the instruction's (``instruction``).
Counting rules are those of :mod:`junto.tools.writing._measure`. Terms match
case-insensitively on word boundaries (``cat`` is not found in ``concatenate``;
a multi-word term matches across any spacing; ``cats``, ``cat's`` count as
``cat``). ``passed`` is ``None`` when a
check cannot decide (the language of a short text, the grade of a non-English
text).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from junto.tools.writing._extract import merge_constraints
from junto.tools.writing._measure import (
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
from junto._fences import without_fences
from junto._quotes import QUOTED
from junto._tasks import Spec

if TYPE_CHECKING:
    from junto._tasks import CheckResult

__all__ = ["check_answers", "check_writing", "find_term", "restated_prompt"]


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
    return contract.CheckResult(
        name=name, passed=_within(low, high, value), evidence=f"{value} {unit}; allowed {describe_bound(low, high)}"
    )


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
        return contract.CheckResult(
            name="reading level", passed=None, evidence=f"the Flesch-Kincaid grade is for English; the text reads as {language}"
        )
    grade = grade_level(text)
    if grade is None:
        return contract.CheckResult(name="reading level", passed=None, evidence=f"no sentence to grade; allowed grade {bound}")
    return contract.CheckResult(
        name="reading level", passed=_within(low, high, grade), evidence=f"Flesch-Kincaid grade {grade:g}; allowed {bound}"
    )


# The fields of WritingConstraints each check reads, to tell whose constraint it checked.
_FIELDS = {
    "words": ("min_words", "max_words"),
    "sentences": ("min_sentences", "max_sentences"),
    "paragraphs": ("min_paragraphs", "max_paragraphs"),
    "required terms": ("required_terms",),
    "forbidden terms": ("forbidden_terms",),
    "format": ("format",),
    "bullets": ("min_bullets", "max_bullets"),
    "language": ("language",),
    "reading level": ("min_grade_level", "max_grade_level"),
}


def check_writing(
    text: str, constraints: WritingConstraints, *, spec: Spec = Spec.USER, user: WritingConstraints | None = None
) -> list[CheckResult]:
    """Check ``text`` against every constraint that is set (see the module docstring).

    ``constraints`` came from ``spec`` (the user, unless said otherwise);
    ``user``, the user's own constraints, are laid over them, and a check of
    a constraint the user set says so (``spec=user``).
    """
    c = merge_constraints(constraints, user)
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
    given = {name for name in (user.model_fields_set if user is not None else ()) if getattr(c, name) not in (None, [])}
    return [
        check.model_copy(update={"spec": Spec.USER if given.intersection(_FIELDS[check.name]) else spec})
        for check in checks
        if check is not None
    ]


# --- Does the text answer, or restate its prompt? ---

_TOKEN = re.compile(r"[^\W_]+")
_N = 4  # word n-grams: long enough that a shared phrase is a quotation, not a coincidence
_PASSAGE_WORDS = 12  # what follows "...:" on a line, when this long, is material to work on, not the request
_RESTATES = 0.8  # share of the instruction's n-grams a restatement repeats
_OWN_WORDS = 3  # an answer adds at least this many words of its own...
_ECHOES = 0.7  # ...unless this share of its words repeats the prompt anyway
# Words that carry no content of their own: a restatement may add them ("The task is to ...").
_FUNCTION_WORDS = frozenset(
    "a an the and or but nor so if then than that this these those there here it its is are was were be been being "
    "am do does did done have has had having will would shall should can could may might must to of in on at by for "
    "with from into onto about as up out over under again further once all any both each few more most other some such "
    "no not only own same too very just also i me my we our you your he him his she her they them their what which who "
    "whom whose when where why how let please sure okay ok yes".split()
)


def _tokens(text: str) -> list[str]:
    return [t.casefold() for t in _TOKEN.findall(text)]


def _grams(tokens: Sequence[str]) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + _N]) for i in range(len(tokens) - _N + 1)]


def _request(instruction: str) -> str:
    """The instruction without the material it gives to work on: code, quotations, a passage after a colon.

    A text may repeat that material (a corrected sentence, a summary that
    keeps a phrase); repeating the request itself is what an echo does.
    """
    text = QUOTED.sub(" ", without_fences(instruction, unclosed=True))
    kept: list[str] = []
    for line in text.splitlines():
        if line.rstrip().endswith(":"):
            kept.append(line)
            break  # what follows "...:" at the end of a line is the material
        head, colon, tail = line.partition(":")
        kept.append(head if colon and len(_tokens(tail)) >= _PASSAGE_WORDS else line)
    return "\n".join(kept)


def restated_prompt(text: str, instruction: str, *, prompt_lines: Sequence[str] = (), labels: Sequence[str] = ()) -> str | None:
    """Why ``text`` restates its prompt instead of answering it, or ``None`` when it does not.

    It restates the prompt when it

    - repeats a label of the prompt (``labels`` of three words or more, such
      as ``Constraints (each is checked):``), which no answer contains; or
    - repeats at least 80% of the instruction's word 4-grams, and either
      adds fewer than three words of its own (words that carry content and
      appear nowhere in the prompt) or has 70% of its words in 4-grams of
      the instruction or of ``prompt_lines`` (the prompt's other lines).

    The instruction's material (code, quotations, a passage after a colon)
    does not count as the instruction: a corrected sentence or a summary may
    repeat it. A text that quotes a few words of the question, or restates
    the question and then answers it, keeps its own words and passes.
    """
    tokens = _tokens(text)
    if not tokens:
        return None
    joined = f" {' '.join(tokens)} "
    for label in labels:
        words_ = _tokens(label)
        if len(words_) >= 3 and f" {' '.join(words_)} " in joined:
            return f"it repeats the prompt's label {label.strip()!r}"
    request = set(_grams(_tokens(_request(instruction))))
    if len(request) < 2:
        return None  # too short an instruction to tell a restatement from an answer
    lines = [_tokens(line) for line in prompt_lines]
    reference = request.union(*(_grams(line) for line in lines))
    echoed = [False] * len(tokens)
    for i, gram in enumerate(_grams(tokens)):
        if gram in reference:
            echoed[i : i + _N] = [True] * _N
    restated = len(request.intersection(_grams(tokens))) / len(request)
    if restated < _RESTATES:
        return None
    prompt_words = set(_tokens(instruction)).union(*lines)
    own = {
        t for t in tokens if t not in prompt_words and t not in _FUNCTION_WORDS and (len(t) > 2 or any(c.isdigit() for c in t))
    }
    share = sum(echoed) / len(tokens)
    if len(own) >= _OWN_WORDS and share < _ECHOES:
        return None
    added = f"adds only {', '.join(repr(w) for w in sorted(own))}" if own else "adds no word of its own"
    return f"it repeats {restated:.0%} of the instruction, {share:.0%} of its words repeat the prompt, and it {added}"


def check_answers(
    text: str, instruction: str, *, prompt_lines: Sequence[str] = (), labels: Sequence[str] = ()
) -> CheckResult | None:
    """A failed ``answers`` check when ``text`` restates its prompt (see :func:`restated_prompt`), else ``None``.

    Its specification is the instruction (answer it, do not repeat it). It
    is reported only when it fails: a text that does not restate the
    question may still not answer it, so a pass would confirm nothing.
    """
    why = restated_prompt(text, instruction, prompt_lines=prompt_lines, labels=labels)
    if why is None:
        return None
    evidence = f"the text restates the prompt instead of answering it: {why}; write only the answer the task asks for"
    return contract.CheckResult(name="answers", passed=False, evidence=evidence, spec=Spec.INSTRUCTION)
