"""Fenced code blocks in Markdown text: the one reader junto uses wherever it looks for code in text.

A block opens with three backticks, an optional info string on the same line
(its leading word is the language: ```` ```python ````, ```` ```py3 title ````)
and a line break; it closes at the next three backticks. Backticks after
other text on their line open a block only when a bare language follows them
(a reply's "Here it is: ```python"), so prose that names a fence ("reply in
one ```python block.") is not read as one. With
``unclosed=True`` a block that is never closed runs to the end of the text (a
reply cut off mid-block still holds code, not prose).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["PYTHON", "Fence", "enclosed", "fences", "without_fences"]

PYTHON = frozenset({"", "python", "py", "python3"})  # the languages read as Python ("" is an untagged block)

_CLOSED = re.compile(r"```(?P<info>[^\n`]*)\n(?P<body>.*?)```", re.DOTALL)
_OPEN_ENDED = re.compile(r"```(?P<info>[^\n`]*)\n(?P<body>.*?)(?:```|\Z)", re.DOTALL)
_LANGUAGE = re.compile(r"[A-Za-z0-9_+-]*")


@dataclass(frozen=True, slots=True)
class Fence:
    """One fenced block: its info string, its body (without the fences) and where it lies in the text."""

    info: str
    body: str
    start: int
    end: int

    @property
    def language(self) -> str:
        """The info string's leading word, lower-cased (``""`` for an untagged block)."""
        match = _LANGUAGE.match(self.info.strip())
        return match.group(0).lower() if match else ""

    @property
    def is_python(self) -> bool:
        return self.language in PYTHON


def _opens(text: str, match: re.Match[str]) -> bool:
    """Whether the backticks ``match`` starts at open a block.

    At the start of a line they do, whatever the info string. After other
    text on the line (a reply's "Here it is: ```python") only when a bare
    language follows: "reply in one ```python block." is prose naming a
    fence, not one.
    """
    line_start = text.rfind("\n", 0, match.start()) + 1
    if not text[line_start : match.start()].strip():
        return True
    return _LANGUAGE.fullmatch(match.group("info").strip()) is not None


def _matches(text: str, unclosed: bool) -> list[re.Match[str]]:
    pattern = _OPEN_ENDED if unclosed else _CLOSED
    found: list[re.Match[str]] = []
    position = 0
    while (match := pattern.search(text, position)) is not None:
        if _opens(text, match):
            found.append(match)
            position = match.end()
        else:
            position = match.start() + 3
    return found


def fences(text: str, *, unclosed: bool = False) -> list[Fence]:
    """The fenced blocks of ``text``, in order."""
    return [Fence(m.group("info"), m.group("body"), m.start(), m.end()) for m in _matches(text, unclosed)]


def without_fences(text: str, *, unclosed: bool = False, replacement: str = " ") -> str:
    """``text`` with each fenced block replaced by ``replacement``."""
    parts: list[str] = []
    position = 0
    for match in _matches(text, unclosed):
        parts += [text[position : match.start()], replacement]
        position = match.end()
    return "".join(parts) + text[position:]


def enclosed(text: str) -> str | None:
    """The body when the whole of ``text`` (spaces aside) is one closed fenced block, else ``None``."""
    stripped = text.strip()
    found = fences(stripped)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(stripped):
        return found[0].body
    return None
