"""Whether the instruction's examples decide what a program does: the variants they cannot tell apart.

A few examples pin down little. ``len(set(c.lower() for c in s if
c.isalnum()))`` and the same without its filter both count ``'Jerry'`` as 4;
the examples cannot say which one was asked for, so passing them verifies
neither. Examples verify code only when they would reject its near variants
that behave differently (mutation adequacy, as in mutation testing):

- each variant is the code with one small change at one place: a comparison
  flipped or its boundary moved (``<`` and ``<=``), an integer constant moved by one, ``+`` and ``-`` swapped, a
  comprehension's filter or one operand of ``and``/``or`` dropped, a branch's
  condition negated;
- a variant is run on the examples and, if it passes them all, on inputs
  derived from the examples' own arguments (each nudged in turn: a string with
  a space, a sign, other case, or empty; a number one more, one less, zero,
  negated, or either side of a constant the code compares with; a list
  empty, reversed, with an element repeated);
- a variant that passes every example and returns something else than the code
  on some input, where both return normally, shows that the examples do not
  decide between them.

The derived inputs carry no expected values: they only show that two programs
differ, never which is right. Everything runs in one sandbox run.
"""

from __future__ import annotations

import ast
import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from junto.sandbox._types import Sandbox
from junto.tools.code._behaviour import shared_calls

__all__ = [
    "Undecided",
    "boundaries",
    "derived_calls",
    "flip_comparison",
    "off_by_one",
    "swap_arithmetic",
    "undecided_variant",
    "variants",
]

_MAX_VARIANTS = 40
_MAX_CALLS = 48

_FLIP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}


def flip_comparison(node: ast.AST) -> bool:
    """``a < b`` -> ``a >= b``, ``in`` -> ``not in``...: True if ``node`` was changed."""
    if isinstance(node, ast.Compare) and type(node.ops[0]) in _FLIP:
        node.ops[0] = _FLIP[type(node.ops[0])]()
        return True
    return False


_BOUNDARY: dict[type[ast.cmpop], type[ast.cmpop]] = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt}


def _move_boundary(node: ast.AST) -> bool:
    if isinstance(node, ast.Compare) and type(node.ops[0]) in _BOUNDARY:
        node.ops[0] = _BOUNDARY[type(node.ops[0])]()
        return True
    return False


def off_by_one(node: ast.AST) -> bool:
    """An integer constant one more."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        node.value += 1
        return True
    return False


def _one_less(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        node.value -= 1
        return True
    return False


def swap_arithmetic(node: ast.AST) -> bool:
    """``+`` <-> ``-``."""
    if isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, (ast.Add, ast.Sub)):
        node.op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
        return True
    return False


def _drop_filter(node: ast.AST) -> bool:
    if isinstance(node, ast.comprehension) and node.ifs:
        node.ifs = node.ifs[1:]
        return True
    return False


def _drop_operand(node: ast.AST) -> bool:
    if isinstance(node, ast.BoolOp) and len(node.values) > 1:
        node.values = node.values[1:]
        return True
    return False


def _negate_condition(node: ast.AST) -> bool:
    if isinstance(node, (ast.If, ast.While, ast.IfExp)):
        node.test = ast.UnaryOp(op=ast.Not(), operand=node.test)
        return True
    return False


_CHANGES: dict[str, Callable[[ast.AST], bool]] = {
    "a comparison flipped": flip_comparison,
    "a comparison's boundary moved": _move_boundary,
    "a constant one more": off_by_one,
    "a constant one less": _one_less,
    "+ and - swapped": swap_arithmetic,
    "a filter dropped": _drop_filter,
    "an and/or operand dropped": _drop_operand,
    "a condition negated": _negate_condition,
}


def variants(code: str, entry_point: str) -> list[tuple[str, str]]:
    """``(what changed, source)`` for each one-change variant of ``entry_point``'s body (at most 40, same order each time)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    original = ast.unparse(tree)
    found: list[tuple[str, str]] = []
    seen = {original}
    sites = list(_sites(tree, entry_point))
    for name, change in _CHANGES.items():
        # Try the change on a copy of the node alone; copy the whole module only where it applies.
        for index in (i for i, site in enumerate(sites) if change(copy.deepcopy(site))):
            mutated = copy.deepcopy(tree)
            node = next((n for i, n in enumerate(_sites(mutated, entry_point)) if i == index), None)
            if node is None or not change(node):
                continue
            source = ast.unparse(ast.fix_missing_locations(mutated))
            if source not in seen:
                seen.add(source)
                found.append((name, source))
            if len(found) >= _MAX_VARIANTS:
                return found
    return found


def _sites(tree: ast.Module, entry_point: str) -> Iterator[ast.AST]:
    """Every node inside ``entry_point``'s body (docstring left out), in a fixed order.

    The last definition is the one the name is bound to when the module has run.
    """
    for node in reversed(tree.body):
        if isinstance(node, ast.FunctionDef) and node.name == entry_point:
            body = node.body[1:] if ast.get_docstring(node, clean=False) is not None else node.body
            for statement in body:
                yield from ast.walk(statement)
            return


def _nudged(value: object, boundaries: list[int]) -> list[object]:
    """Values near ``value`` that an example did not try (for a number, also each of ``boundaries``)."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1, 0, -value, *boundaries]
    if isinstance(value, float):
        return [value + 0.5, -value, 0.0]
    if isinstance(value, str):
        return [value + " ", "-" + value, value.swapcase(), value + "!", value[::-1], ""]
    if isinstance(value, (list, tuple)):
        kind = type(value)
        items = list(value)
        out: list[object] = [kind(), kind(items[::-1])]
        if items:
            out += [kind([*items, items[0]]), kind(items[:-1])]
        return out
    return []


def boundaries(code: str) -> list[int]:
    """The integers next to each integer constant in ``code`` (a threshold's both sides), at most 12."""
    try:
        constants = {n.value for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Constant) and type(n.value) is int}
    except SyntaxError:
        return []
    near = sorted({c + d for c in constants if abs(c) < 10**6 for d in (-1, 0, 1)})
    return near[:12]


def derived_calls(entry_point: str, sources: list[str], *, near: list[int] | None = None) -> list[str]:
    """The literal calls in ``sources`` and calls with one argument nudged, as source text (at most 48).

    A number is also replaced by each of ``near`` (the values around the code's own constants).
    """
    calls = shared_calls(entry_point, sources)
    derived = list(calls)
    for call in calls:
        node = ast.parse(call, mode="eval").body
        assert isinstance(node, ast.Call)
        for position, argument in enumerate(node.args):
            for value in _nudged(ast.literal_eval(argument), near or []):
                changed = copy.deepcopy(node)
                changed.args[position] = ast.parse(repr(value), mode="eval").body
                text = ast.unparse(changed)
                if text not in derived:
                    derived.append(text)
    return derived[:_MAX_CALLS]


@dataclass(frozen=True)
class Undecided:
    """A variant the examples accept that behaves differently from the code."""

    change: str  # what the variant changed ("a filter dropped")
    call: str  # an input where the two differ
    ours: str  # what the code returns there
    theirs: str  # what the variant returns


_PROGRAM = """
import json as _json, signal as _signal

class _Slow(Exception):
    pass

def _alarm(*_):
    raise _Slow()

_signal.signal(_signal.SIGALRM, _alarm)

def _timed(seconds, action):
    _signal.setitimer(_signal.ITIMER_REAL, seconds)
    try:
        return action()
    finally:
        _signal.setitimer(_signal.ITIMER_REAL, 0)

_SOURCES = {sources}
_TESTS = {tests}
_CALLS = {calls}

def _space(source):
    space = {{"__name__": "__variant__"}}
    _timed(2, lambda: exec(source, space))
    return space

def _outputs(space):
    seen = []
    for call in _CALLS:
        try:
            seen.append([True, repr(_timed(1, lambda: eval(call, space)))])
        except BaseException as error:
            seen.append([False, type(error).__name__])
    return seen

_report = {{"original": None, "variants": []}}
try:
    _report["original"] = _outputs(_space(_SOURCES[0]))
except BaseException:
    pass
for _source in _SOURCES[1:]:
    try:
        _variant = _space(_source)
        _timed(2, lambda: exec(_TESTS, _variant))
        _report["variants"].append(_outputs(_variant))
    except BaseException:
        _report["variants"].append(None)
print("\\n" + _json.dumps(_report))
"""


async def undecided_variant(
    sandbox: Sandbox, code: str, entry_point: str, examples: str, *, inputs_from: list[str] | None = None, timeout_s: float = 20.0
) -> tuple[Undecided | None, float]:
    """A variant of ``code`` that passes ``examples`` (assert lines) yet differs from it, if there is one; and the sandbox seconds spent.

    ``inputs_from`` are further sources (the model's tests) whose literal calls
    add inputs; their expected values are never used.
    """
    found = variants(code, entry_point)
    calls = derived_calls(entry_point, [examples, *(inputs_from or [])], near=boundaries(code))
    if not found or not calls:
        return None, 0.0
    sources = [code, *(source for _, source in found)]
    program = _PROGRAM.format(sources=repr(sources), tests=repr(examples), calls=repr(calls))
    result = await sandbox.run(program, timeout=timeout_s)
    if result.exit_code != 0 or result.timed_out:
        return None, result.duration_s
    try:
        report = json.loads((result.stdout.strip().splitlines() or [""])[-1])
    except ValueError:
        return None, result.duration_s
    original = report.get("original")
    if not isinstance(original, list) or len(original) != len(calls):
        return None, result.duration_s
    for (change, _), seen in zip(found, report.get("variants") or [], strict=False):
        if not isinstance(seen, list) or len(seen) != len(calls):
            continue  # it failed an example (or could not be run): the examples rule it out
        for call, (ours_ok, ours), (theirs_ok, theirs) in zip(calls, original, seen, strict=True):
            if ours_ok and theirs_ok and ours != theirs:
                return Undecided(change=change, call=call, ours=ours, theirs=theirs), result.duration_s
    return None, result.duration_s
