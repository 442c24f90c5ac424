"""Quotations in a request: the one rule for what its writer put in quotes.

A quotation is text in double quotes, straight or curly, or in single
quotes that are not apostrophes: a single quote opens only after no letter
and closes only before none, so "don't", "the doctor's note" and "the
kids' toys" open nothing, and each quote pairs with its own kind. Readers of
a request set quotations apart (the words of a term to use, a line to end
with, a reply format) so that they are not read as the request itself; an
apostrophe read as a quote would set the request aside instead.
"""

from __future__ import annotations

import re

__all__ = ["QUOTED", "quotations"]

QUOTED = re.compile(
    r"\"(?P<straight>[^\"\n]*)\"|\u201c(?P<curly>[^\u201d\n]*)\u201d|\u2018(?P<single>[^\u2019\n]*)\u2019(?!\w)"
    r"|(?<!\w)'(?P<plain>[^'\n]*)'(?!\w)"
)


def quotations(text: str) -> list[str]:
    """What ``text`` puts in quotes, in order."""
    return [next(part for part in match.groups() if part is not None) for match in QUOTED.finditer(text)]
