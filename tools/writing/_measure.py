"""Measuring a text: words, sentences, paragraphs, list items, language, reading grade.

How things are counted (the same rules for every check and every report):

- **words**: runs of letters or digits, joined by an apostrophe or a hyphen
  (``don't``, ``well-known`` are one word each) or, between digits, by ``.``
  or ``,`` (``3.14``, ``1,000`` are one word); dotted abbreviations
  (``e.g.``, ``U.S.``) are one word. Markdown markers (``#``, ``-``,
  ``*``) are not words.
- **sentences**: text split after ``.``, ``!`` or ``?`` (and any closing quote
  or bracket) followed by a space or the end; a full stop inside a number or
  after a common abbreviation (``e.g.``, ``Dr.``, ``etc.``, single initials)
  does not end a sentence. Each list item and each paragraph end also ends a
  sentence; headings are not sentences. A piece with no word is not counted.
- **paragraphs**: blocks separated by one or more blank lines that hold at
  least one word and are not only headings. A list is one block.
- **list items**: lines starting with ``-``, ``*``, ``+`` or ``•`` (bullets)
  or ``1.``/``1)`` (numbered); **headings**: lines starting with ``#``.
- **language**: :func:`detect_language` counts distinctive function words of
  en, fr, de, es, it and pt; ``None`` when the text is too short or no
  language clearly leads.
- **reading grade**: Flesch-Kincaid grade,
  ``0.39 * words/sentences + 11.8 * syllables/words - 15.59``, with syllables
  estimated as groups of vowels (a silent final ``e`` dropped, at least one
  per word).
"""

from __future__ import annotations

import json
import re
from collections import Counter

from junto._fences import enclosed

__all__ = [
    "bullet_items",
    "count_syllables",
    "detect_language",
    "grade_level",
    "heading_lines",
    "numbered_items",
    "paragraphs",
    "parse_json_text",
    "sentences",
    "words",
]

_WORD = re.compile(r"(?<![^\W_])(?:[^\W\d_]\.){2,}(?![^\W_])|[^\W_]+(?:(?:['\u2019\-]|(?<=\d)[.,](?=\d))[^\W_]+)*")
_BULLET = re.compile(r"^\s*[-*+\u2022]\s+\S")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+\S")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")
_BLANK = re.compile(r"\n\s*\n")
_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s|$)")
_ABBREVIATIONS = frozenset(
    "e.g i.e etc vs mr mrs ms dr prof sr jr st no fig approx cf al inc ltd co jan feb mar apr jun jul aug sep sept oct nov dec".split()
)


def words(text: str) -> list[str]:
    """The words of ``text`` (see the module docstring)."""
    return _WORD.findall(text)


def _is_item(line: str) -> bool:
    return bool(_BULLET.match(line) or _NUMBERED.match(line))


def bullet_items(text: str) -> list[str]:
    """Lines that are bulleted list items."""
    return [line for line in text.splitlines() if _BULLET.match(line) and not _HEADING.match(line)]


def numbered_items(text: str) -> list[str]:
    """Lines that are numbered list items."""
    return [line for line in text.splitlines() if _NUMBERED.match(line)]


def heading_lines(text: str) -> list[str]:
    """Lines that are markdown headings."""
    return [line for line in text.splitlines() if _HEADING.match(line)]


def paragraphs(text: str) -> list[str]:
    """Blocks separated by blank lines, with a word in them, not only headings."""
    blocks = []
    for block in _BLANK.split(text.strip()):
        lines = [line for line in block.splitlines() if line.strip() and not _HEADING.match(line)]
        if any(words(line) for line in lines):
            blocks.append("\n".join(lines))
    return blocks


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (see the module docstring)."""
    units: list[str] = []
    for block in paragraphs(text):
        current: list[str] = []
        for line in block.splitlines():
            if _is_item(line) and current:
                units.append(" ".join(current))
                current = []
            current.append(line.strip())
            if _is_item(line):
                units.append(" ".join(current))
                current = []
        if current:
            units.append(" ".join(current))
    found: list[str] = []
    for unit in units:
        start = 0
        for match in _END.finditer(unit):
            piece = unit[start : match.end()]
            if match.group(0).startswith(".") and len(match.group(0).rstrip("\"')]\u201d\u2019")) == 1 and not _full_stop(piece):
                continue
            found.append(piece.strip())
            start = match.end()
        found.append(unit[start:].strip())
    return [s for s in found if words(s)]


def _full_stop(piece: str) -> bool:
    """A single ``.`` at the end of ``piece``: a sentence end, not an abbreviation or an initial."""
    before = piece.rstrip("\"')]\u201d\u2019")[:-1]
    token = before.split()[-1].lower().lstrip("([\"'") if before.split() else ""
    if token in _ABBREVIATIONS or token.replace(".", "") in {a.replace(".", "") for a in _ABBREVIATIONS if "." in a}:
        return False
    if len(token) == 1 and token.isalpha() and before.split()[-1].isupper():
        return False  # an initial: "J. Smith"
    return not re.fullmatch(r"(?:[a-z]\.)+[a-z]", token)  # "u.s" in "U.S."


def count_syllables(word: str) -> int:
    """A vowel-group estimate of a word's syllables (at least one)."""
    word = word.lower().strip("'\u2019")
    if not word:
        return 0
    if word.isdigit():
        return max(1, len(word))
    groups = re.findall(r"[aeiouy\u00e0-\u00ff]+", word)
    count = len(groups)
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    return max(1, count)


def grade_level(text: str) -> float | None:
    """The Flesch-Kincaid grade of ``text``, or ``None`` when it has no sentence."""
    found = words(text)
    count = len(sentences(text)) or (1 if found else 0)
    if not found or not count:
        return None
    syllables = sum(count_syllables(w) for w in found)
    return round(0.39 * len(found) / count + 11.8 * syllables / len(found) - 15.59, 1)


# Function words that are common in one language and rare in the others.
_STOPWORDS = {
    "en": "the and of to is that it with for was are this have be not they from which you by but what were would there their".split(),
    "fr": "le les est et une des du dans que qui pour pas sur au avec ce sont il elle nous vous mais ou aux leur".split(),
    "de": "der die das und ist nicht ein eine mit sich auf dem den von zu auch es sind im ich wir sie aber oder wird".split(),
    "es": "el los las es y del que una por con para como pero sus al se lo muy est\u00e1 son m\u00e1s este esta".split(),
    "it": "il lo gli della che di una per con non sono \u00e8 del nel alla come anche ma pi\u00f9 questo questa ci".split(),
    "pt": "o os as \u00e9 e do da dos das que um uma para com n\u00e3o s\u00e3o no na em mais como mas ao pelo pela".split(),
}
_MIN_HITS = 3


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the text's language among en, fr, de, es, it, pt, or ``None`` when unsure."""
    tokens = [w.lower() for w in words(text)]
    hits = Counter({lang: sum(1 for t in tokens if t in set(stop)) for lang, stop in _STOPWORDS.items()})
    ranked = hits.most_common()
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < _MIN_HITS or top < 1.5 * second or top < 0.1 * len(tokens):
        return None
    return best


def parse_json_text(text: str) -> tuple[bool, str]:
    """Is ``text`` (or the one fenced block it consists of) valid JSON? With the parser's reason."""
    body = enclosed(text)
    if body is None:
        body = text
    try:
        json.loads(body)
    except ValueError as error:
        return False, f"not valid JSON: {error}"
    return True, "valid JSON"
