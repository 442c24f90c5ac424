"""Examples stated in an instruction, turned into tests.

Two shapes are recognised:

- doctest lines, ``>>> f(2)`` followed by the expected output ``4``;
- prose, ``f(2) == 4``, ``f(2) returns 4``, ``f(2) should return 4``,
  ``f(2) -> 4``, ``f(2) gives 4`` (inline backticks allowed).

Only calls whose arguments and expected value are Python literals are kept,
so a sentence is never mistaken for a test. Each example becomes one
``assert`` line; a float compares to the precision it was written with
(``12.56`` accepts anything within 0.01, so 12.566 too).
"""

from __future__ import annotations

import ast
import re

__all__ = ["examples_as_tests", "extract_examples"]

_CALL = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\s*\(")
_LINK = re.compile(
    r"^\s*(?:==|->|=>|→|returns?|should\s+return|must\s+return|gives|should\s+give|evaluates\s+to|is)\s*", re.IGNORECASE
)
_MAX_EXAMPLES = 20
_DOCSTRING_QUOTES = ('"""', "'''")


def _literal(source: str) -> object:
    """The value of ``source`` if it is a Python literal; raise ValueError otherwise."""
    try:
        return ast.literal_eval(source)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError) as error:
        raise ValueError(source) from error


def _literal_call(source: str) -> bool:
    """True for ``name(literal, ..., key=literal)``."""
    try:
        node = ast.parse(source, mode="eval").body
    except SyntaxError:
        return False
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        return False
    try:
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            if isinstance(arg, ast.Starred):
                return False
            _literal(ast.unparse(arg))
    except ValueError:
        return False
    return all(k.arg is not None for k in node.keywords)


def _call_end(text: str, open_at: int) -> int | None:
    """Index just past the parenthesis matching the one at ``open_at``."""
    depth = 0
    quote: str | None = None
    for i in range(open_at, len(text)):
        ch = text[i]
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _longest_literal(text: str) -> str | None:
    """The longest prefix of ``text`` that is a Python literal (trailing punctuation dropped)."""
    for end in range(min(len(text), 400), 0, -1):
        candidate = text[:end].strip().rstrip(".,;:").strip()
        if not candidate or (end < len(text) and text[end - 1].isalnum() and text[end].isalnum()):
            continue
        try:
            _literal(candidate)
        except ValueError:
            continue
        return candidate
    return None


def _doctests(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped.startswith(">>> "):
            continue
        call = stripped[4:].strip()
        expected: list[str] = []
        for after in lines[i + 1 :]:
            after = after.strip()
            if not after or after.startswith((">>>", "...")):
                break
            closing = after.endswith(_DOCSTRING_QUOTES)  # the docstring ends here: so does the expected output
            if closing:
                after = after[:-3].rstrip()
            if after:
                expected.append(after)
            if closing:
                break
        if call and expected and _literal_call(call):
            try:
                _literal(" ".join(expected))
            except ValueError:
                continue
            found.append((call, " ".join(expected)))
    return found


def _prose(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    flat = text.replace("`", " ")
    for line in flat.splitlines():
        if line.strip().startswith(">>>"):
            continue
        for match in _CALL.finditer(line):
            end = _call_end(line, match.end() - 1)
            if end is None:
                continue
            call = line[match.start() : end]
            link = _LINK.match(line[end:])
            if link is None or not _literal_call(call):
                continue
            value = _longest_literal(line[end + link.end() :])
            if value is not None:
                found.append((call, value))
    return found


def extract_examples(instruction: str) -> list[tuple[str, str]]:
    """``(call, expected)`` pairs stated in ``instruction``, in order, without repeats."""
    seen: dict[tuple[str, str], None] = {}
    for pair in [*_doctests(instruction), *_prose(instruction)]:
        seen.setdefault(pair, None)
    return list(seen)[:_MAX_EXAMPLES]


def _has_float(value: object) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_has_float(v) for v in value)
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    return False


def _tolerance(number: str) -> float:
    """One unit in the last stated decimal, so rounded and truncated figures both match."""
    mantissa = number.lower().split("e")[0]
    decimals = len(mantissa.split(".", 1)[1]) if "." in mantissa and "e" not in number.lower() else 9
    return max(10.0**-decimals, 1e-9)


def examples_as_tests(instruction: str) -> str:
    """The instruction's examples as ``assert`` lines ('' when there are none)."""
    lines = []
    for call, expected in extract_examples(instruction):
        value = _literal(expected)
        got = f"(_got := ({call}))"
        if isinstance(value, float):
            comparison = f"abs({got} - ({expected})) <= {_tolerance(expected)!r}"
        elif _has_float(value):
            comparison = f"__import__('pytest').approx({expected}) == {got}"
        else:
            comparison = f"{got} == ({expected})"
        lines.append(f"assert {comparison}, {call!r} + ' returned ' + repr(_got) + ', expected ' + {expected!r}")
    return "\n".join(lines) + ("\n" if lines else "")
