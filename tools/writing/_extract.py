"""Reading measurable constraints out of an instruction, by rules (no model).

:func:`extract_constraints` understands, with numbers written as digits or
words (``five``, ``twenty-one``, ``a hundred``):

- word counts: ``about/around/roughly N words`` and ``in N words`` /
  ``an N-word text`` (N +-20%), ``at most / no more than / up to / under N
  words``, ``at least / no fewer than / over N words``, ``between N and M
  words``, ``N-M words``, ``exactly N words``, ``N words or fewer`` / ``N
  words max``, ``N words or more`` / ``N words minimum``;
- sentences, paragraphs, bullet points and numbered items the same way, but
  ``in 3 sentences`` / ``two paragraphs`` / ``5 bullet points`` mean exactly
  that many (``a single paragraph``, ``one sentence`` too);
- required terms: ``use the word(s) X and Y``, ``include the term 'X'``,
  ``mention X``; forbidden terms: ``do not use / don't use / avoid / without
  (using) / never use the word X``. Quoted terms are taken as quoted;
  otherwise a list ends at punctuation or a linking word (``in``, ``while``);
- format: ``as JSON``, ``with headings``, ``as a bulleted/numbered list``;
- language: ``in French`` (en, fr, de, es, it, pt; ``in French cinema`` is a
  topic, not a language);
- audience: ``for an N-year-old`` (Flesch-Kincaid grade at most N-4, one grade
  of slack over the school grade N-5), ``for children/kids`` (at most 6),
  ``for experts/specialists`` (at least 8).

:func:`merge_constraints` lays the user's own constraints over the extracted
ones: every field the user set wins.
"""

from __future__ import annotations

import re
from typing import Any

from junto._constraints import WritingConstraints
from junto._quotes import QUOTED, quotations

__all__ = ["extract_constraints", "merge_constraints", "parse_number", "unread_demands"]

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "a": 1, "an": 1, "single": 1,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_WORD_NUMBER = (
    r"(?:(?:a|an|one|two|three|four|five|six|seven|eight|nine)\s+(?:hundred|thousand)(?:\s+(?:and\s+)?)?)?"
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    r"|seventeen|eighteen|nineteen|single|an?)?"
)
_NUM = rf"(?:\d[\d,]*|{_WORD_NUMBER}(?<=\w))"
_UNIT_WORDS = {
    "words": r"words?",
    "sentences": r"sentences?",
    "paragraphs": r"paragraphs?",
    "bullets": r"(?:bullet(?:ed)?\s+points?|bullets?|bullet\s+items?|list\s+items?|items?|points?|numbered\s+(?:items?|steps?|points?)|steps?)",
}
_APPROX = r"(?:about|around|approximately|approx\.?|roughly|some|circa|~)"
_AT_MOST = r"(?:(?:do\s+not|don't|never|must\s+not|should\s+not|not)\s+(?:use\s+|write\s+|go\s+over\s+|exceed\s+)?(?:more\s+than\s+)?|not\s+exceeding|exceed(?:ing)?\s+no\s+more\s+than|at\s+most|no\s+more\s+than|not\s+more\s+than|up\s+to|maximum(?:\s+of)?|max\.?|a\s+maximum\s+of|at\s+the\s+most|within|under|fewer\s+than|less\s+than|below)"
_AT_LEAST = (
    r"(?:at\s+least|no\s+fewer\s+than|no\s+less\s+than|not\s+less\s+than|minimum(?:\s+of)?|a\s+minimum\s+of|more\s+than|over)"
)
_LANGUAGES = {"english": "en", "french": "fr", "german": "de", "spanish": "es", "italian": "it", "portuguese": "pt"}
_AFTER_LANGUAGE = frozenset(
    "about and but describing explaining for in language of on only please so that to using which with".split()
)
_TERM_STOP = r"(?=\s*(?:[.;:!?)\n]|,\s*(?:but|and\s+(?:do|don't|keep|make|use|write|avoid))|\s(?:in|into|while|without|but|when|within|so|because|throughout|somewhere|at\s+least|at\s+most|once|twice|to\s+\w+)\b|$))"
_FORBID = re.compile(
    r"(?:do\s+not|don't|never|must\s+not|mustn't|should\s+not|shouldn't|without)\s+(?:using\s+|use\s+|mention(?:ing)?\s+|includ(?:e|ing)\s+|say(?:ing)?\s+)"
    r"(?:the\s+|any\s+)?(?:words?|terms?|phrases?)?\s*(?P<terms>.+?)" + _TERM_STOP
    + r"|(?:avoid(?:ing)?|exclud(?:e|ing))\s+(?:using\s+)?(?:the\s+)?(?:words?|terms?|phrases?)\s+(?P<terms2>.+?)" + _TERM_STOP,
    re.IGNORECASE,
)  # fmt: skip
_REQUIRE = re.compile(
    r"(?:uses?|using|include|including|contain|containing|with|mention(?:ing)?)\s+(?:the\s+)?(?:words?|terms?|phrases?|keywords?)\s+(?P<terms>.+?)" + _TERM_STOP
    + r"|\bmention(?:ing|s)?\s+(?!the\s+words?\b)(?P<terms2>.+?)" + _TERM_STOP,
    re.IGNORECASE,
)  # fmt: skip
_NOT_A_TERM = re.compile(
    r"\b(?:more|less|fewer|than|words?|sentences?|paragraphs?|bullets?|lists?|headings?|markdown|json|formatting)\b|\d",
    re.IGNORECASE,
)
_LEADING = re.compile(r"^(?:the|a|an|both|also|all\s+of)\s+", re.IGNORECASE)


def parse_number(text: str) -> int | None:
    """``12``, ``1,000``, ``twelve``, ``twenty-one``, ``a hundred``, ``a single`` -> an int; ``None`` if not a number."""
    text = text.strip().lower().replace(",", "")
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for token in re.split(r"[\s-]+", text):
        if token == "and":
            continue
        if token in _UNITS:
            current += _UNITS[token]
        elif token in _TENS:
            current += _TENS[token]
        elif token == "hundred":
            current = max(current, 1) * 100
        elif token == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
    return total + current


_EACH_BEFORE = re.compile(r"\b(?:each|every|per)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_EACH_AFTER = re.compile(r"\s*(?:each|apiece|per\s+\w+|a\s+(?:piece|line|sentence|paragraph|item|bullet|point))\b", re.IGNORECASE)


def _per_part(text: str, match: re.Match[str]) -> bool:
    """Does the bound ``match`` found hold for each part ("each under 10 words", "20 words per line"), not the whole text?"""
    return bool(_EACH_BEFORE.search(text[max(0, match.start() - 40) : match.start()]) or _EACH_AFTER.match(text, match.end()))


def _bounds(instruction: str, unit: str) -> dict[str, int]:
    """min/max for one counted unit, from the first phrase that names it."""
    word = _UNIT_WORDS[unit]
    text = instruction
    patterns: list[tuple[str, str]] = [
        (rf"\bbetween\s+(?P<a>{_NUM})\s+and\s+(?P<b>{_NUM})\s+{word}\b", "range"),
        (rf"(?<![\w-])(?P<a>\d+)\s*(?:-|\u2013|to)\s*(?P<b>\d+)[\s-]+{word}\b", "range"),
        (rf"\bexactly\s+(?P<a>{_NUM})\s+{word}\b", "exact"),
        (rf"\b{_AT_MOST}\s*(?P<a>{_NUM})\s+{word}\b", "max"),
        (rf"\b{_AT_LEAST}\s+(?P<a>{_NUM})\s+{word}\b", "min"),
        (rf"(?<![\w-])(?P<a>{_NUM})[\s-]+{word}\s+(?:or\s+(?:fewer|less|under)|max(?:imum)?|at\s+most|tops)\b", "max"),
        (rf"(?<![\w-])(?P<a>{_NUM})[\s-]+{word}\s+(?:or\s+(?:more|longer|over)|min(?:imum)?|at\s+least)\b", "min"),
        (rf"\b{_APPROX}\s+(?P<a>{_NUM})[\s-]+{word}\b", "about"),
        (rf"(?<![\w-])(?P<a>{_NUM})[\s-]+{word}\b", "plain"),
    ]
    for pattern, how in patterns:
        match = next((m for m in re.finditer(pattern, text, re.IGNORECASE) if not _per_part(text, m)), None)
        if not match:
            continue
        a = parse_number(match.group("a"))
        if a is None:
            continue
        phrase = match.group(0).lower()
        if how == "range":
            b = parse_number(match.group("b"))
            if b is None:
                continue
            return {"min": min(a, b), "max": max(a, b)}
        if how == "max":
            strict = re.search(r"fewer|less|under|below", phrase) is not None and not re.search(
                r"\bnot\b|n't|never|\bor\b", phrase
            )
            return {"max": a - 1 if strict else a}
        if how == "min":
            strict = re.search(r"more\s+than|over", phrase) is not None and not re.search(r"\bor\b", phrase)
            return {"min": a + 1 if strict else a}
        if how == "about" or (how == "plain" and unit == "words"):
            return {"min": round(a * 0.8), "max": round(a * 1.2)}
        return {"min": a, "max": a}
    return {}


def _split_terms(raw: str) -> list[str]:
    quoted = quotations(raw)
    if quoted:
        return [q.strip() for q in quoted if q.strip()]
    parts = re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|nor)\s+", raw.strip())
    terms = []
    for part in parts:
        term = _LEADING.sub("", part.strip(" \"'`*")).strip()
        if term and len(term.split()) <= 4 and not _NOT_A_TERM.search(term):
            terms.append(term)
    return terms


def _terms(pattern: re.Pattern[str], instruction: str) -> tuple[list[str], str]:
    """Terms matched by ``pattern``, and the instruction with those phrases blanked out."""
    found: list[str] = []
    for match in pattern.finditer(instruction):
        found += _split_terms(match.group("terms") or match.group("terms2") or "")
    return list(dict.fromkeys(found)), pattern.sub(" ", instruction)


def _format(instruction: str) -> str | None:
    text = instruction.lower()
    if re.search(r"\b(?:as|in|into|valid|a|an|only)\s+json\b|\bjson\s+(?:object|array|format|only)\b", text):
        return "json"
    if re.search(
        r"\bnumbered\s+(?:list|items?|steps?|points?)\b|\bas\s+(?:\w+\s+)?steps\b|\bnumber\s+(?:each|every|the|your)\s+(?:step|item|point|line)s?\b",
        text,
    ):
        return "numbered"
    if re.search(r"\bbullet(?:ed)?\b|\bbullets\b|\bas\s+a\s+list\b|\bin\s+a\s+list\b", text):
        return "bullets"
    if re.search(r"\b(?:with|use|using|add|under)\s+(?:\w+\s+)?(?:section\s+)?(?:headings|headers|section\s+titles)\b", text):
        return "headings"
    return None


def _language(instruction: str) -> str | None:
    pattern = r"\b(?:in|into|written\s+in|translated?\s+(?:\w+\s+)?(?:in)?to)\s+(english|french|german|spanish|italian|portuguese)\b(?P<after>[\s,.;:!?]*\w*)"
    for match in re.finditer(pattern, instruction, re.IGNORECASE):
        after = match.group("after").strip(" ").lower()
        following = after.lstrip(",.;:!?").strip()
        if not following or after[:1] in ",.;:!?" or following in _AFTER_LANGUAGE:
            return _LANGUAGES[match.group(1).lower()]
    return None


def _audience(instruction: str) -> dict[str, float]:
    text = instruction.lower()
    age = re.search(rf"\bfor\s+(?:an?\s+)?(?P<n>{_NUM})[\s-]+years?[\s-]+olds?\b", text)
    if age and (years := parse_number(age.group("n"))) is not None:
        return {"max_grade_level": float(max(years - 4, 1))}
    if re.search(r"\bfor\s+(?:young\s+|small\s+|little\s+)?(?:children|kids|a\s+child|a\s+kid|a\s+young\s+child)\b", text):
        return {"max_grade_level": 6.0}
    if re.search(r"\bfor\s+(?:an?\s+)?(?:experts?|specialists?|researchers?|professionals?|an?\s+expert\s+audience)\b", text):
        return {"min_grade_level": 8.0}
    return {}


def extract_constraints(instruction: str) -> WritingConstraints:
    """The measurable constraints stated in ``instruction`` (see the module docstring)."""
    forbidden, rest = _terms(_FORBID, instruction)
    required, _ = _terms(_REQUIRE, rest)
    required = [t for t in required if t.lower() not in {f.lower() for f in forbidden}]
    fields: dict[str, Any] = {"required_terms": required, "forbidden_terms": forbidden}
    for unit in ("words", "sentences", "paragraphs"):
        bounds = _bounds(instruction, unit)
        if (
            unit == "paragraphs"
            and not bounds
            and re.search(r"\b(?:a|one|single)\s+(?:short\s+)?paragraph\b", instruction, re.IGNORECASE)
        ):
            bounds = {"min": 1, "max": 1}
        if (
            unit == "sentences"
            and not bounds
            and re.search(r"\b(?:a|one)\s+(?:single\s+)?sentence\b", instruction, re.IGNORECASE)
        ):
            bounds = {"min": 1, "max": 1}
        fields.update({f"{side}_{unit}": value for side, value in bounds.items()})
    form = _format(instruction)
    if form in ("bullets", "numbered"):
        fields.update({f"{side}_bullets": value for side, value in _bounds(instruction, "bullets").items()})
    fields["format"] = form
    fields["language"] = _language(instruction)
    fields.update(_audience(instruction))
    return WritingConstraints(**fields)


_COUNT = r"(?:\d+|once|twice|thrice|two|three|four|five|six|seven|eight|nine|ten|several|many)"
# Languages no check reads (the language check knows those of _LANGUAGES): asking for one is a demand left unread.
_OTHER_LANGUAGES = (
    "afrikaans albanian amharic arabic armenian basque belarusian bengali bosnian bulgarian burmese catalan cantonese "
    "chinese croatian czech danish dutch estonian farsi filipino finnish georgian greek gujarati hebrew hindi hungarian "
    "icelandic indonesian irish japanese kannada kazakh khmer korean latin latvian lithuanian macedonian malay "
    "malayalam maltese mandarin marathi mongolian nepali norwegian pashto persian polish punjabi romanian russian "
    "serbian sinhala slovak slovenian somali swahili swedish tagalog tamil telugu thai tibetan turkish ukrainian urdu "
    "uzbek vietnamese welsh yiddish yoruba zulu"
).split()
_UNREAD = {  # demands on a text's form that no writing check measures
    "letter case": r"\b(?:capital\s+letters?|(?:in|all|using)\s+capitals|capitali[sz]\w*|upper[\s-]?case|lower[\s-]?case"
    r"|(?:all|in)\s+caps|small\s+letters)\b",
    "a separator between parts": r"\b(?:separat\w*|dividers?|divided|delimit\w*)\b|\bbetween\s+(?:them|each|every|the\s+(?:pair|two|parts?|answers?|versions?|responses?|items?|sections?|paragraphs?|poems?|drafts?))\b",
    "wrapping or quoting": r"\b(?:wrap\w*|enclos\w*|surround\w*|quotation\s+marks?|double\s+quotes?|in\s+quotes)\b",
    "a title": r"\btitled?\b",
    "an opening or closing phrase": r"\b(?:end|ends|ending|finish\w*|conclude|close|closing|start|starts|starting|begin\w*|open\w*)"
    r"\s+(?:\w+\s+){0,3}?(?:with|on)\b|\b(?:first|last|final|opening|closing)\s+(?:line|sentence|word|phrase|paragraph)s?\b",
    "a postscript": r"\bP\.\s?S\b|\bpostscript\b",
    "emphasis or markup": r"\b(?:highlight\w*|bold|italic\w*|underlin\w*|markdown|asterisks?)\b",
    "placeholders or brackets": r"\b(?:placeholders?|brackets?|parenthes[ie]s|braces)\b",
    "punctuation": r"\b(?:commas?|punctuation|exclamation\s+marks?|question\s+marks?|semicolons?|hyphens?|emojis?|hashtags?)\b",
    "a count of letters, characters, syllables or lines": r"\b(?:letters?|characters?|syllables?|lines?)\b",
    "repetition": rf"\b{_COUNT}\s+times\b|\b(?:twice|thrice)\b|\brepeat\w*",
    "sections": r"\bsections?\b",
    "a verse form": r"\b(?:rhym\w*|haiku|sonnets?|limericks?|acrostic|couplets?|stanzas?)\b",
    "a language no check reads": rf"\b(?:in|into)\s+(?:\w+\s+)?(?:{'|'.join(_OTHER_LANGUAGES)})\b",
    "a choice among given answers": r"\b(?:one\s+of\s+(?:these|those|the\s+following)|options?|choices?|choose|pick)\b",
    "a format no check reads": r"\b(?:yaml|xml|csv|html|latex|tables?|tabular|code\s+blocks?)\b",
    "a signature": r"\bsign(?:ed|ing)?\s+(?:it|off|as|with|your)\b|\bsignature\b|\bsign-off\b",
    "a point of view": r"\b(?:first|second|third)[\s-]+person\b",
    "a bound on each part": r"\b(?:each|every|per)\s+(?:\w+\s+){0,2}?(?:under|over|below|above|at\s+(?:most|least)|fewer|less"
    r"|more|no\s+(?:more|longer|shorter)|between|exactly|up\s+to|\d+)\b|\b(?:words?|sentences?|lines?|characters?)\s+(?:each|apiece)\b"
    r"|\bper\s+(?:sentence|paragraph|line|item|point|bullet|section|verse|stanza)\b",
    "a layout or order": r"\b(?:indent\w*|alphabeti[sz]\w*|alphabetical|own\s+line|one\s+per\s+line|centered|centred)\b",
}


def unread_demands(instruction: str) -> list[str]:
    """The kinds of demand on a text's form that ``instruction`` makes and no check reads, in plain words.

    A text is verified only when the checks read every demand: one that meets
    the measured constraints may still break an unmeasured one ("all in
    capitals", "a divider between the paragraphs"). Quoted text is not read
    as a demand ("do not use the word 'capital'"); everything else is, the
    words of a term list included ("without any commas" is punctuation, not a
    word to avoid). Reading too much here only costs a verification.
    """
    rest = QUOTED.sub(" ", instruction)
    form = _format(instruction)
    return [
        what
        for what, pattern in _UNREAD.items()
        if re.search(pattern, rest, re.IGNORECASE) and not (what == "sections" and form == "headings")
    ]


def merge_constraints(extracted: WritingConstraints, given: WritingConstraints | None) -> WritingConstraints:
    """``extracted`` with every field the user set in ``given`` laid over it."""
    if given is None:
        return extracted
    return extracted.model_copy(update={name: getattr(given, name) for name in given.model_fields_set})
