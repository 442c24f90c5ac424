"""Whether the instruction's examples decide what a program does: the variants they cannot tell apart.

A few examples pin down little. ``len(set(c.lower() for c in s if
c.isalnum()))`` and the same without its filter both count ``'Jerry'`` as 4;
the examples cannot say which one was asked for, so passing them verifies
neither. Examples verify code only when they would reject its near variants
that behave differently (mutation adequacy, as in mutation testing):

- each variant is the code with one small change at one place (the usual
  operators of mutation testing): a comparison flipped or its boundary moved
  (``<`` and ``<=``), an integer constant moved by one, ``+`` and ``-``
  swapped or another arithmetic operator (``*`` for ``+``, ``//`` for ``/``),
  a call swapped for its opposite (``min`` and ``max``, ``lower`` and
  ``upper``) or dropped (``round(x, 2)`` for ``x``), a comprehension's filter
  or one operand of ``and``/``or`` dropped, a branch's condition negated;
- a variant is run on the examples and, if it passes them all, on inputs
  derived from the examples' own arguments (each nudged in turn: a string with
  a space, a sign, other case, or empty, a number written in it moved, a word
  the code spells out swapped for another; a number one more, one less, zero,
  negated, or either side of a constant the code compares with; an integer
  also meeting the other arguments (at or next to their lengths and the
  integers they hold); a list empty, reversed, with an element repeated; one
  item of a list, tuple or dict at a time nudged the same way, two levels
  deep);
- a variant that passes every example and returns something else than the code
  (as ``==`` tells values apart: ``400`` and ``400.0`` are the same) on some
  input, where both return normally, shows that the examples do not decide
  between them.

The derived inputs carry no expected values: they only show that two programs
differ, never which is right. Everything runs in one sandbox run.

Several candidates for one request are the same kind of evidence
(:func:`undecided_rival`): two candidates that both pass the examples yet
return different values on an input near theirs show that the examples do
not decide between them, however many variants each one's examples rule out.

The check fails closed: the examples decide only when a whole run shows it.
No variant to try, a run that did not finish, or examples the code meets only
to within their stated rounding (``33.3`` for ``33.333...``: rounded or not,
they cannot tell) leave them short of deciding, as a variant would.
"""

from __future__ import annotations

import ast
import copy
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from junto.sandbox._types import Sandbox
from junto.tools.code._behaviour import shared_calls

__all__ = [
    "Decided",
    "Undecided",
    "Unshown",
    "boundaries",
    "derived_calls",
    "flip_comparison",
    "off_by_one",
    "swap_arithmetic",
    "undecided_rival",
    "undecided_variant",
    "variants",
    "words",
]

_MAX_VARIANTS = 40
_MAX_CALLS = 96
_DEPTH = 2  # how deep into nested lists, tuples and dicts an item is nudged
_ITEMS = 4  # the first items of a list, tuple or dict nudged one at a time
_DIGITS = re.compile(r"\d+")

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


_OTHER_ARITHMETIC: dict[type[ast.operator], type[ast.operator]] = {
    ast.Mult: ast.Add,
    ast.Div: ast.FloorDiv,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
}


def _other_arithmetic(node: ast.AST) -> bool:
    """``*`` -> ``+``, ``/`` <-> ``//``, ``%`` -> ``//``, ``**`` -> ``*``."""
    if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _OTHER_ARITHMETIC:
        node.op = _OTHER_ARITHMETIC[type(node.op)]()
        return True
    return False


_OPPOSITES = dict(
    pairs := [
        ("min", "max"),
        ("any", "all"),
        ("lower", "upper"),
        ("floor", "ceil"),
        ("startswith", "endswith"),
        ("lstrip", "rstrip"),
    ]
) | {b: a for a, b in pairs}


def _called_name(node: ast.Call) -> str | None:
    return node.func.id if isinstance(node.func, ast.Name) else node.func.attr if isinstance(node.func, ast.Attribute) else None


def _opposite_call(node: ast.AST) -> bool:
    """``min`` <-> ``max``, ``.lower()`` <-> ``.upper()``, ``any`` <-> ``all``..."""
    if isinstance(node, ast.Call) and (name := _called_name(node)) in _OPPOSITES:
        if isinstance(node.func, ast.Name):
            node.func.id = _OPPOSITES[name]
        elif isinstance(node.func, ast.Attribute):
            node.func.attr = _OPPOSITES[name]
        return True
    return False


# Calls that only reshape a value: dropping one leaves code that still runs, and examples that cannot see it miss it.
_WRAPPERS = {"abs", "round", "sorted", "reversed", "int", "float", "str", "list", "set", "tuple"}
_WRAPPING_METHODS = {"lower", "upper", "strip", "lstrip", "rstrip", "title", "capitalize", "casefold"}


def _drop_call(node: ast.AST) -> bool:
    """``round(x, 2)`` -> ``x``, ``s.lower()`` -> ``s``: the call becomes ``(lambda v: v)(x)`` in place."""
    if not isinstance(node, ast.Call) or node.keywords and _called_name(node) != "round":
        return False
    if isinstance(node.func, ast.Name) and node.func.id in _WRAPPERS and node.args and not isinstance(node.args[0], ast.Starred):
        kept = node.args[0]
    elif isinstance(node.func, ast.Attribute) and node.func.attr in _WRAPPING_METHODS and not node.args:
        kept = node.func.value
    else:
        return False
    node.func = ast.Lambda(
        args=ast.arguments(posonlyargs=[], args=[ast.arg(arg="_v")], kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=ast.Name(id="_v", ctx=ast.Load()),
    )
    node.args, node.keywords = [kept], []
    return True


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
    "another arithmetic operator": _other_arithmetic,
    "a call swapped for its opposite": _opposite_call,
    "a call dropped": _drop_call,
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


def _nudged(value: object, near: list[int], words: list[str], *, depth: int = 0) -> list[object]:
    """Values near ``value`` that an example did not try.

    A number is also each of ``near``; a string also has each number written in
    it moved the same way, and each of ``words`` it contains swapped for
    another; a list, tuple or dict also has one item at a time nudged in turn
    (two levels deep), a dict one key left out.
    """
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1, 0, -value, *near]
    if isinstance(value, float):
        return [value + 0.5, -value, 0.0]
    if isinstance(value, str):
        return [
            value + " ",
            "-" + value,
            value.swapcase(),
            value + "!",
            value[::-1],
            "",
            *_renumbered(value, near),
            *_reworded(value, words),
        ]
    if isinstance(value, (list, tuple)):
        kind = type(value)
        items = list(value)
        out: list[object] = [kind(), kind(items[::-1])]
        if items:
            out += [
                kind([*items, items[0]]),
                kind(items[:-1]),
                kind([items[0], *items]),
            ]  # repeated, shorter, a repeated neighbour
            if all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in items):
                out.append(kind([0, *items]))
        if depth >= _DEPTH:
            return out
        per_item = [
            [kind([*items[:index], changed, *items[index + 1 :]]) for changed in _nudged(item, near, words, depth=depth + 1)]
            for index, item in enumerate(items[:_ITEMS])
        ]
        return _turns([out, _turns(per_item)])
    if isinstance(value, dict):
        keys = list(value)[:_ITEMS]
        fewer: list[object] = [{}, *({k: v for k, v in value.items() if k != key} for key in keys)]
        if depth >= _DEPTH:
            return fewer
        per_key = [[{**value, key: changed} for changed in _nudged(value[key], near, words, depth=depth + 1)] for key in keys]
        return _turns([fewer, _turns(per_key)])
    return []


def _turns(queues: list[list[Any]]) -> list[Any]:
    """The queues' items taking turns (the first of each, then the second of each, ...), so that a cap leaves none out."""
    return [queue[turn] for turn in range(max(map(len, queues), default=0)) for queue in queues if turn < len(queue)]


def _renumbered(text: str, near: list[int]) -> list[str]:
    """``text`` with one number written in it moved: one more, one less, zero, or each of ``near`` (as wide, if zero-padded)."""
    out: list[str] = []
    for match in list(_DIGITS.finditer(text))[:3]:
        run = match.group()
        number = int(run)
        for moved in dict.fromkeys([number + 1, number - 1, 0, *near]):
            if moved < 0 or moved == number:
                continue
            written = str(moved).zfill(len(run)) if run.startswith("0") else str(moved)
            out.append(text[: match.start()] + written + text[match.end() :])
    return out


def _reworded(text: str, words: list[str]) -> list[str]:
    """``text`` with one of ``words`` it contains swapped for each other one (``'AM'`` for ``'PM'``)."""
    return [text.replace(word, other, 1) for word in words if word in text for other in words if other != word]


def _lengths(arguments: list[object]) -> list[int]:
    """For an integer argument: the lengths of the other arguments, and one either side (a size meeting a limit)."""
    sized = [len(a) for a in arguments if isinstance(a, (str, list, tuple, dict))]
    return sorted({n + d for n in sized for d in (-1, 0, 1) if n + d >= 0})


def _held(arguments: list[object]) -> list[int]:
    """For an integer argument: the integers the other arguments hold, and one either side (a bound meeting a value).

    ``below(xs, t)`` tried only with every item far below ``t`` cannot tell
    ``<`` from ``<=``; ``t`` set to an item, or next to one, can.
    """
    found: list[int] = []
    for argument in arguments:
        items = argument if isinstance(argument, (list, tuple, set, frozenset)) else [argument]
        found += [item for item in items if type(item) is int and abs(item) < 10**6]
    return sorted({n + d for n in dict.fromkeys(found[: _ITEMS * 2]) for d in (-1, 0, 1)})


def boundaries(code: str) -> list[int]:
    """The integers next to each integer constant in ``code`` (a threshold's both sides), at most 12."""
    try:
        constants = {n.value for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Constant) and type(n.value) is int}
    except SyntaxError:
        return []
    near = sorted({c + d for c in constants if abs(c) < 10**6 for d in (-1, 0, 1)})
    return near[:12]


def words(code: str) -> list[str]:
    """The words the code spells out as string constants (``'AM'``, ``'left'``): letters only, 2 to 16 of them, at most 8."""
    try:
        constants = [n.value for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Constant) and type(n.value) is str]
    except SyntaxError:
        return []
    return list(dict.fromkeys(c for c in constants if c.isalpha() and 2 <= len(c) <= 16))[:8]


def derived_calls(
    entry_point: str, sources: list[str], *, near: list[int] | None = None, words: list[str] | None = None
) -> list[str]:
    """The literal calls in ``sources`` and calls with one argument nudged, as source text (at most 96).

    A number, also one written in a string or held in a list, is also replaced
    by each of ``near`` (the values around the code's own constants); each of
    ``words`` (the code's own) in a string by another. An integer argument also
    meets the other arguments: their lengths and the integers they hold, each
    with one either side. The nudges of every
    argument of every call take turns, so that a cap leaves none out entirely.
    """
    calls = shared_calls(entry_point, sources)
    derived = list(calls)
    queues: list[list[str]] = []
    for call in calls:
        node = ast.parse(call, mode="eval").body
        assert isinstance(node, ast.Call)
        arguments = [ast.literal_eval(argument) for argument in node.args]
        for position, argument in enumerate(arguments):
            others = arguments[:position] + arguments[position + 1 :]
            met = [*_lengths(others), *_held(others)] if type(argument) is int else []
            queue = []
            for value in [*_nudged(argument, near or [], words or []), *met]:
                changed = copy.deepcopy(node)
                changed.args[position] = ast.parse(repr(value), mode="eval").body
                queue.append(ast.unparse(changed))
            queues.append(queue)
    derived += [call for call in dict.fromkeys(_turns(queues)) if call not in calls]
    return derived[:_MAX_CALLS]


@dataclass(frozen=True)
class Undecided:
    """Another program the examples accept that behaves differently from the code."""

    other: str  # which program ("the code with a filter dropped", "candidate 2 of this round")
    call: str  # an input where the two differ
    ours: str  # what the code returns there
    theirs: str  # what the other program returns

    @property
    def why(self) -> str:
        return (
            f"the examples also accept {self.other}, which differs from it on {self.call} "
            f"({self.ours} against {self.theirs}): they do not decide which one was asked for"
        )


@dataclass(frozen=True)
class Decided:
    """A whole run showed that every other program the examples accept behaves like the code on every derived input."""

    variants: int  # other programs tried
    inputs: int  # inputs each ran on
    rivals: bool = False  # the other programs were the round's other candidates, not variants of the code

    @property
    def note(self) -> str:
        kind = ("other candidate", "other candidates") if self.rivals else ("one-change variant", "one-change variants")
        which = f"the one {kind[0]}" if self.variants == 1 else f"each of {self.variants} {kind[1]}"
        where = "of this round" if self.rivals else "of the code"
        return f"{which} {where} fails them or matches it on {self.inputs} inputs near theirs"


@dataclass(frozen=True)
class Unshown:
    """Nothing shows that the examples decide the code's behaviour (no variant to try, a run that failed, a rounded match)."""

    reason: str

    @property
    def why(self) -> str:
        return f"nothing shows that the examples decide what the code does: {self.reason}"


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
_EXACT = {exact}
_CALLS = {calls}

def _space(source):
    space = {{"__name__": "__variant__"}}
    _timed(2, lambda: exec(source, space))
    return space

def _outputs(space):
    seen = []
    for call in _CALLS:
        try:
            seen.append((True, _timed(1, lambda: eval(call, space))))
        except BaseException as error:
            seen.append((False, type(error).__name__))
    return seen

def _shown(value):
    try:
        return _timed(1, lambda: repr(value))[:200]
    except BaseException:
        return "<unprintable>"

def _differs(ours, theirs):
    # as an example's own == would tell them apart (400 and 400.0 are the same value)
    try:
        return not bool(_timed(1, lambda: ours == theirs))
    except BaseException:
        return True

_report = {{"original": None, "exact": None, "variants": []}}
try:
    _original = _outputs(_space(_SOURCES[0]))
    _report["original"] = [[ok, _shown(value) if ok else value] for ok, value in _original]
    try:
        _timed(2, lambda: exec(_EXACT, _space(_SOURCES[0])))
        _report["exact"] = True
    except BaseException:
        _report["exact"] = False
except BaseException:
    _original = None
for _source in _SOURCES[1:]:
    if _original is None:
        break
    try:
        _variant = _space(_source)
        _timed(2, lambda: exec(_TESTS, _variant))
    except BaseException:
        _report["variants"].append(None)  # it fails an example (or cannot run): the examples rule it out
        continue
    _difference = None
    for _index, ((_ours_ok, _ours), (_theirs_ok, _theirs)) in enumerate(zip(_original, _outputs(_variant))):
        if _ours_ok and _theirs_ok and _differs(_ours, _theirs):
            _difference = [_index, _shown(_theirs)]
            break
    _report["variants"].append({{"difference": _difference}})
print("\\n" + _json.dumps(_report))
"""


async def undecided_variant(
    sandbox: Sandbox,
    code: str,
    entry_point: str,
    examples: str,
    *,
    exact: str | None = None,
    inputs_from: list[str] | None = None,
    timeout_s: float = 20.0,
) -> tuple[Decided | Undecided | Unshown, float]:
    """Whether ``examples`` (assert lines) decide what ``code`` does: :class:`Decided` only when a run shows it.

    Returns a variant that passes the examples yet differs from the code
    (:class:`Undecided`), or :class:`Unshown` when that cannot be shown either
    way: no variant or input to try, a run that failed, or examples the code
    meets only to within their stated rounding (``exact``: the examples as
    exact comparisons). It fails closed: :class:`Decided` needs a whole run in
    which every variant that passes the examples behaves like the code. Also the
    sandbox seconds spent. ``inputs_from`` are further sources (the model's
    tests) whose literal calls add inputs; their expected values are never used.
    """
    found = [(f"the code with {change}", source) for change, source in variants(code, entry_point)]
    if not found:
        return Unshown("no one-change variant of the code can be made to try them against"), 0.0
    calls = derived_calls(entry_point, [examples, *(inputs_from or [])], near=boundaries(code), words=words(code))
    return await _against(sandbox, code, entry_point, found, examples, calls, exact=exact, are_rivals=False, timeout_s=timeout_s)


async def undecided_rival(
    sandbox: Sandbox,
    code: str,
    entry_point: str,
    examples: str,
    rivals: list[tuple[str, str]],
    *,
    exact: str | None = None,
    inputs_from: list[str] | None = None,
    timeout_s: float = 20.0,
) -> tuple[Decided | Undecided | Unshown, float]:
    """Whether ``examples`` decide between ``code`` and ``rivals`` (``(which, source)``: other candidates for the same request).

    As :func:`undecided_variant`, with the round's other candidates in place of
    the code's variants: a rival that passes the examples yet returns something
    else on an input near theirs shows that they do not decide which program
    was asked for. Rivals that fail an example are ruled out by them.
    """
    if not rivals:
        return Unshown("there is no other candidate to try them against"), 0.0
    sources = (code, *(source for _, source in rivals))
    near = list(dict.fromkeys(n for source in sources for n in boundaries(source)))[:16]
    spelled = list(dict.fromkeys(w for source in sources for w in words(source)))[:8]
    calls = derived_calls(entry_point, [examples, *(inputs_from or [])], near=near, words=spelled)
    return await _against(sandbox, code, entry_point, rivals, examples, calls, exact=exact, are_rivals=True, timeout_s=timeout_s)


async def _against(
    sandbox: Sandbox,
    code: str,
    entry_point: str,
    others: list[tuple[str, str]],
    examples: str,
    calls: list[str],
    *,
    exact: str | None,
    are_rivals: bool,
    timeout_s: float,
) -> tuple[Decided | Undecided | Unshown, float]:
    """Run ``code`` and ``others`` on the examples and ``calls`` in one sandbox run, and read what it showed."""
    if not calls:
        return Unshown(f"no call of {entry_point} with literal arguments was read from them"), 0.0
    sources = [code, *(source for _, source in others)]
    program = _PROGRAM.format(sources=repr(sources), tests=repr(examples), exact=repr(exact or examples), calls=repr(calls))
    result = await sandbox.run(program, timeout=timeout_s)
    seconds = result.duration_s
    what = "other candidates" if are_rivals else "variants"
    if result.timed_out or result.exit_code != 0:
        ending = "it timed out" if result.timed_out else f"it exited with code {result.exit_code}"
        return Unshown(f"the run of its {what} did not finish ({ending})"), seconds
    try:
        report = json.loads((result.stdout.strip().splitlines() or [""])[-1])
        original, seen_all = report["original"], report["variants"]
    except (ValueError, KeyError, TypeError):
        return Unshown(f"the run of its {what} gave no readable report"), seconds
    if (
        not isinstance(original, list)
        or len(original) != len(calls)
        or not isinstance(seen_all, list)
        or len(seen_all) != len(others)
    ):
        return Unshown("the code could not be run on the inputs derived from the examples"), seconds
    if report.get("exact") is not True:
        return Unshown("the code meets them only to within their stated rounding, not exactly"), seconds
    for (other, _), seen in zip(others, seen_all, strict=True):
        difference = seen.get("difference") if isinstance(seen, dict) else None
        if (
            isinstance(difference, list)
            and len(difference) == 2
            and isinstance(difference[0], int)
            and 0 <= difference[0] < len(calls)
        ):
            index, theirs = difference
            return Undecided(other=other, call=calls[index], ours=str(original[index][1]), theirs=str(theirs)), seconds
    return Decided(variants=len(others), inputs=len(calls), rivals=are_rivals), seconds
