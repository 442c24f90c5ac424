"""Does a text state a verified value? The one rule every check of a text against verified math uses.

A text states a verified value when it writes that value exactly (``2``,
``two``, ``2.0``, ``1/2`` for ``0.5``, ``\\frac{1}{2}``), or writes a decimal
that is a correct rounding of it **at the precision written**: ``1.41`` and
``1.414`` state ``1.41421356``; ``1.42``, ``1.40`` (two places: ``1.41`` would
be right) and ``1`` (an integer claims exactness) do not. A tie may round
either way (``0.12`` and ``0.13`` both state ``0.125``). A number written with
more digits than the verified value has states digits nobody verified, so
``0.3347`` does not state a verified ``0.33``.

Numbers are read by :func:`stated_numbers` (digits with ``,`` thousands,
decimals, ``3/4``, ``\\frac{3}{4}``, ``two``, ``minus 3``; the ``2`` of
``x^2`` and ``x**2`` is an exponent, not a number stated, while ``**2**`` is
a bold 2); :func:`verified_values` reads
the values a verified answer consists of, or ``None`` when it is symbolic
(then :func:`squash` compares it as written, up to spacing, ``*`` and ``^``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

__all__ = [
    "NUMBER_WORDS",
    "Finding",
    "Stated",
    "Stating",
    "agree",
    "find_stated",
    "show",
    "squash",
    "stated_numbers",
    "states",
    "verified_values",
]

NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
        " seventeen eighteen nineteen twenty".split()
    )
}
_WORDS = "|".join(NUMBER_WORDS)
_NUMBER = re.compile(
    r"\\frac\{(?P<fn>-?\d+)\}\{(?P<fd>\d+)\}"
    r"|(?<![\w.^/])(?<![\w)\]]\*\*)(?P<sign>[-\u2212]?|(?:minus|negative)\s+)(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?(?:\s*/\s*(?P<den>\d+))?(?![\d/]|\.\d)"
    rf"|\b(?P<nsign>(?:minus|negative)\s+)?(?P<word>{_WORDS})\b",
    re.IGNORECASE,
)
_ASSIGNMENT = re.compile(r"\b[A-Za-z]\w*\s*=")
_SEPARATORS = re.compile(r"(\bor\b|\band\b|[\s,;:{}\[\]()%$])+")


@dataclass(frozen=True, slots=True)
class Stated:
    """A number as a text writes it: its exact value, and the decimal places written (``None`` for a fraction)."""

    value: Fraction
    places: int | None
    text: str


def _stated(match: re.Match[str]) -> Stated | None:
    text = match.group(0)
    if match.group("fn") is not None:
        if not int(match.group("fd")):
            return None
        return Stated(Fraction(int(match.group("fn")), int(match.group("fd"))), None, text)
    if match.group("word") is not None:
        value = Fraction(NUMBER_WORDS[match.group("word").lower()])
        return Stated(-value if match.group("nsign") else value, 0, text)
    decimals = match.group("dec") or ""
    value = Fraction(match.group("whole").replace(",", "") + decimals)
    places: int | None = max(len(decimals) - 1, 0)
    if match.group("den") is not None:
        if int(match.group("den")) == 0:
            return None
        value /= int(match.group("den"))
        places = None
    return Stated(-value if match.group("sign").strip() else value, places, text)


def stated_numbers(text: str) -> list[Stated]:
    """Every number ``text`` states, in order (see the module docstring)."""
    return [s for m in _NUMBER.finditer(text) if (s := _stated(m)) is not None]


def verified_values(answer: str) -> list[Fraction] | None:
    """The numbers a math answer consists of (``{2, 3}``, ``x = 2 or x = 3``), or ``None`` if it is symbolic."""
    rest = _SEPARATORS.sub(" ", _ASSIGNMENT.sub(" ", answer))
    if _NUMBER.sub(" ", rest).strip():
        return None
    return [s.value for s in stated_numbers(answer)]


def states(stated: Stated, value: Fraction) -> bool:
    """Does ``stated`` state ``value``: equal, or a correct rounding of it at the decimal places written?"""
    if stated.value == value:
        return True
    if not stated.places:
        return False
    scale: int = 10**stated.places
    return abs(value - stated.value) * 2 * scale <= 1


class Stating(enum.Enum):
    """What a text does with one verified answer."""

    STATED = "stated"  # every value, or the symbolic answer as written
    MISSING = "missing"  # some of its values are not stated
    NOT_QUOTED = "not quoted"  # a symbolic answer, not found as written (an equivalent form may be there)
    NOTHING = "nothing"  # the answer has no value to look for


@dataclass(frozen=True)
class Finding:
    stating: Stating
    missing: list[Fraction] = field(default_factory=list)


def find_stated(answer: str, text: str, numbers: Sequence[Stated]) -> Finding:
    """Does ``text`` (whose numbers are ``numbers``) state the verified ``answer``?"""
    values = verified_values(answer)
    if values is None:
        return Finding(Stating.STATED if squash(answer) in squash(text) else Stating.NOT_QUOTED)
    if not values:
        return Finding(Stating.NOTHING)
    missing = [v for v in dict.fromkeys(values) if not any(states(n, v) for n in numbers)]
    return Finding(Stating.MISSING, missing) if missing else Finding(Stating.STATED)


def agree(a: Stated, b: Stated) -> bool:
    """Do two written numbers agree up to sign, either being a correct rounding of the other? (a looser question than :func:`states`)"""
    a, b = Stated(abs(a.value), a.places, a.text), Stated(abs(b.value), b.places, b.text)
    return states(a, b.value) or states(b, a.value)


def show(value: Fraction) -> str:
    """``value`` for evidence: ``3``, ``1/2``."""
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def squash(text: str) -> str:
    """``text`` without spacing or ``*``, ``**`` written ``^``, for a verbatim comparison of symbolic answers."""
    return re.sub(r"\s+|\*(?!\*)|\u00d7|\u00b7", "", text.replace("**", "^").replace("\u2212", "-")).lower()
