"""Examples stated in an instruction, turned into tests.

An example read here can mark code verified, so a notation is read only
where both the call and the expected value are Python literals and what
links them can mean nothing but "returns". The notations:

- doctest: ``>>> f(2)`` (``...`` continuation lines allowed) followed by the
  output ``4``; or a doctest line that is itself a comparison,
  ``>>> f(2) == 4`` or ``>>> f(2) is None``, with no output or ``True``;
- a line of Python: ``assert f(2) == 4`` (a message after it is not part of
  the value), ``f(2) == 4`` (several joined by ``and`` or commas), and
  ``f(2)  # 4`` with a comment that is the value, optionally after a link
  (``# -> 4``, ``# returns 4``, ``# expected: 4``);
- a link in a sentence or a list: ``==``, a single ``=``, arrows (``->``,
  ``=>``, ``==>``, ``-->``, ``→``, ``➞``, ``⇒`` and their kin), ``returns``,
  ``gives``, ``yields``, ``outputs``, ``equals``, ``evaluates to``, ``is``,
  ``should/must/will return|give|be``, and ``for f(2), the result is 4``
  (inline backticks allowed);
- ``Input: 2`` (or ``Input: n = 2, k = 3``) with ``Output: 4`` on the next
  line or later on the same one (``Input: 2   Output: 4``), when the
  instruction shows the function's signature (or, when it shows none, the
  code being checked defines the entry point: its parameters only say how
  the stated input is passed), the arguments fit it, and named arguments are
  its parameters in order.

Never read: an expected value that is not a literal (``2**4``, ``true``,
``null``, ``blue sky``) or holds ``...``; one followed by more of an
expression (``1 + (2 / 2) = 2``), by a word other than a connective
(``3 copies``), or by a hedge in its clause (``4 or 5``, ``about``,
``(approximately)``, ``if ...``, a question mark); a tuple without its
parentheses (``2, "odd"``); a call inside a larger expression
(``sorted(f(x)) == ...``, ``x + f(2) == 5``, ``if f(2) == 4:``), in a
``def`` line, printed with ``print``, or after ``currently``, ``wrong:``,
``not``, ``if`` and the like in its clause; a doctest marked ``+SKIP`` or
``+ELLIPSIS``; a single ``=`` for a function the text defines by formula
(``f(n) = f(n - 1) + 1``); a call stated with two different values; a list
or tuple where the text lets the order vary ("in any order"); anything at
all where it accepts several answers ("return any of them"); and, when the
entry point is given (or the instruction's ``def`` lines name the
functions), examples of another function.

Each example becomes one ``assert`` line; a float compares to the precision
it was written with (``12.56`` accepts anything within 0.01, so 12.566 too).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from typing import TypeGuard

__all__ = ["examples_as_tests", "extract_examples"]

_MAX_EXAMPLES = 20
_MAX_VALUE_CHARS = 400
_MAX_CALL_CHARS = 2000
_DOCSTRING_QUOTES = ('"""', "'''")
_FENCE = "```"

_CALL = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\(")
_ARROWS = "→⟶➞➔➜➝➙⇒⟹↦"
_SYMBOL_LINK = rf"==>|-->|==|->|=>|(?P<single>=)(?![=>])|[{_ARROWS}]"
_WORD_LINK = (
    r"(?:returns|gives|yields|outputs|produces|equals|evaluates\s+to|is\s+equal\s+to|is"
    r"|(?:should|must|will)\s+(?:return|give|yield|output|produce|equal|evaluate\s+to|be))\b"
)
_LINK = re.compile(rf"\s*(?:{_SYMBOL_LINK}|{_WORD_LINK})\s*", re.IGNORECASE)
# "for f(2), the result is 4"
_RESULT_LINK = re.compile(
    r",?\s*the\s+(?:result|output|answer|return\s+value)\s+(?:is|should\s+be|must\s+be|will\s+be)\s+", re.IGNORECASE
)
_FOR_BEFORE = re.compile(r"\bfor\s*$", re.IGNORECASE)
_COMMENT_LINK = re.compile(
    rf"^\s*(?:{_SYMBOL_LINK}|(?:returns?|gives|yields|outputs|equals|is|should\s+(?:be|return)"
    r"|(?:expected|expect|output|result|answer)\s*:?)(?=[\s\W]|$))?\s*",
    re.IGNORECASE,
)
_VALUE_START = re.compile(r"""[-+\d.'"\[({]|(?:True|False|None)\b|set\(\)|[bBrRuU]{1,2}['"]""")
_VALUE_END = set(".,;:!?)]}(—–")
# What may follow a value: the end of the text, punctuation, an opening remark, or a connective.
_AFTER_VALUE = re.compile(
    r"\s*(?:$|[.,;:!?)\]]|\(|—|–|(?:and|but|while|whereas|because|since|so|too|also|then|as)\b)", re.IGNORECASE
)
# A comma and another literal: the value was one of a list, or a tuple written without parentheses.
_MORE_VALUES = re.compile(r"\s*,\s*[-+\d'\"\[({]")
# Words that make a stated value one possibility, an approximation or a condition.
_HEDGE = re.compile(
    r"\b(?:or|either|approx\w*|about|around|roughly|nearly|almost|maybe|perhaps|possibly|probably|might|may|could"
    r"|if|unless|when|whenever|depending|order|rounded|truncated)\b|[≈~]",
    re.IGNORECASE,
)
# Words before a call, in its clause, that make what follows not a statement of what the code must do.
_NOT_STATED = re.compile(
    r"\b(?:currently|right\s+now|at\s+the\s+moment|at\s+present|used\s+to|instead\s+of|wrong\w*|incorrect\w*|erroneous\w*"
    r"|actual|got|observed|buggy|not|never|\w+n't|if|unless|when|whenever|until|whether|suppos\w*|assum\w*|or|either"
    r"|def|class|lambda|print)\b",
    re.IGNORECASE,
)
# Where the clause before a call starts (a label such as "Wrong:" stays part of it).
_CLAUSE_START = re.compile(r"[.!?;](?=\s|$)|\n")
# Texts that accept several answers: an example then shows one of them, not the one the code must return.
_MANY_ANSWERS = re.compile(
    r"\b(?:any\s+(?:one\s+)?of\s+them|any\s+(?:valid|correct|such)\s+(?:answer|solution|result|output)"
    r"|(?:multiple|several|more\s+than\s+one)\s+(?:valid\s+|possible\s+|correct\s+)?(?:answers|solutions|results|outputs))\b",
    re.IGNORECASE,
)
# Texts that leave the order free: then a list or tuple shows one order among several.
_ANY_ORDER = re.compile(
    r"\b(?:(?:in\s+)?any\s+order|order\b[^.;\n]{0,40}?\b(?:does\s*n[o']?t|does\s+not|is\s+not|isn't)\s+(?:matter|important|relevant)"
    r"|(?:no|not\s+in\s+any)\s+particular\s+order)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?;:](?=\s|$)|\n")
_OPERATOR_BEFORE = set("+-*/%<>=!&|^~@")
_BULLET = re.compile(r"^\s*[-*+]\s*$")
_DIRECTIVE = re.compile(r"#\s*doctest:.*\b(?:SKIP|ELLIPSIS)\b", re.IGNORECASE)
_INPUT = re.compile(r"^\s*(?:sample\s+|example\s+)?input\s*:\s*(?P<args>\S.*?)\s*$", re.IGNORECASE)
_OUTPUT = re.compile(r"^\s*(?:sample\s+|expected\s+)?(?:output|expected)\s*:\s*(?P<value>\S.*?)\s*$", re.IGNORECASE)
# ``Input: 5    Output: 1`` on one line: the output's label after a gap (or a comma, semicolon, bar or arrow).
_INLINE_OUTPUT = re.compile(
    r"^(?P<args>\S.*?)\s*(?:[,;|]|->|=>|→)?\s+(?:expected\s+)?(?:output|expected)\s*:\s*(?P<value>\S.*?)\s*$", re.IGNORECASE
)
_BULLET_MARK = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
# The header of a compound statement (``if f(2) == 4:``): a comparison made in code, not a statement of a result.
_CODE_HEADER = re.compile(r"^(?:if|elif|while|for|with|def|class|except|async)\b.*:\s*(?:#.*)?$")
_DEF = re.compile(r"^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)\(", re.MULTILINE)


def _literal(source: str) -> object:
    """The value of ``source`` if it is a Python literal; raise ValueError otherwise."""
    try:
        return ast.literal_eval(source)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError) as error:
        raise ValueError(source) from error


def _has_ellipsis(value: object) -> bool:
    if value is Ellipsis:
        return True
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_has_ellipsis(v) for v in value)
    if isinstance(value, dict):
        return any(_has_ellipsis(k) or _has_ellipsis(v) for k, v in value.items())
    return False


def _value(text: str) -> str | None:
    """``text`` stripped when it is exactly one literal a test can compare with: no comment, no ``...``, no bare tuple."""
    text = text.strip()
    if not text or len(text) > _MAX_VALUE_CHARS or text.endswith("."):
        return None
    try:
        node = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    if ast.get_source_segment(text, node) != text:
        return None
    if isinstance(node, ast.Tuple) and not (text.startswith("(") and _call_end(text, 0) == len(text)):
        return None  # a tuple without its parentheses: ``2, "odd length"``
    try:
        value = _literal(text)
    except ValueError:
        return None
    return None if _has_ellipsis(value) else text


def _call_node(text: str) -> ast.Call | None:
    """The call ``text`` is when it is ``name(literal, ..., key=literal)``."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    return node if _is_literal_call(node) else None


def _is_literal_call(node: ast.AST) -> TypeGuard[ast.Call]:
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        return False
    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        return False
    try:
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            if _has_ellipsis(_literal(ast.unparse(arg))):
                return False
    except ValueError:
        return False
    return True


def _call_text(source: str, node: ast.AST) -> str:
    """The call as written when it is on one line, else as Python writes it."""
    text = ast.get_source_segment(source, node) or ast.unparse(node)
    return text if "\n" not in text else ast.unparse(node)


def _call_end(text: str, open_at: int) -> int | None:
    """Index just past the parenthesis matching the one at ``open_at`` (None past a call's longest length)."""
    depth = 0
    quote: str | None = None
    for i in range(open_at, min(len(text), open_at + _MAX_CALL_CHARS)):
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


def _comparison(source: str, node: ast.expr) -> tuple[str, str] | None:
    """``(call, expected)`` for ``f(2) == 4`` (either way round) or ``f(2) is None`` (``is`` as prose uses it)."""
    if not isinstance(node, ast.Compare) or len(node.ops) != 1:
        return None
    left, right, op = node.left, node.comparators[0], node.ops[0]
    if not isinstance(op, (ast.Eq, ast.Is)):
        return None
    if not _is_literal_call(left):
        left, right = right, left
    value = _value(ast.get_source_segment(source, right) or "")
    if not _is_literal_call(left) or value is None:
        return None
    return _call_text(source, left), value


# ---- doctests ----------------------------------------------------------------------------------


def _doctests(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if not stripped.startswith(">>>"):
            continue
        indent = len(line) - len(stripped)
        source = [stripped[3:].strip()]
        j = i + 1
        while j < len(lines) and lines[j].lstrip().startswith("...") and lines[j][:indent].strip() == "":
            source.append(lines[j].lstrip()[3:].strip())
            j += 1
        output = _doctest_output(lines[j:], indent)
        pair = _doctest_pair("\n".join(source), output)
        if pair is not None:
            found.append(pair)
    return found


def _doctest_output(lines: list[str], indent: int) -> list[str]:
    """The expected output under a doctest prompt: its lines up to a blank line, a prompt, a fence or the docstring's end."""
    output: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith(">>>") or stripped.startswith(_FENCE):
            break
        if len(line) - len(line.lstrip()) < indent:  # doctest requires the output under its prompt
            break
        closing = stripped.endswith(_DOCSTRING_QUOTES)
        if closing:
            stripped = stripped[:-3].rstrip()
        if stripped:
            output.append(stripped)
        if closing:
            break
    return output


def _doctest_pair(source: str, output: list[str]) -> tuple[str, str] | None:
    if not source or _DIRECTIVE.search(source):
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    node = tree.body[0].value
    if isinstance(node, ast.Compare):  # ``>>> f(2) == 4``, with no output or True
        return _comparison(source, node) if output in ([], ["True"]) else None
    if not _is_literal_call(node) or not output:
        return None
    value = _value(" ".join(output))
    return None if value is None else (_call_text(source, node), value)


# ---- lines: Python statements and sentences ---------------------------------------------------


def _lines(text: str, formula_defined: set[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith((">>>", "...")):
            continue
        code = _BULLET_MARK.sub("", stripped, count=1)
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            if not _CODE_HEADER.match(stripped):
                found.extend(_sentences(line, formula_defined))
            continue
        found.extend(_code_line(code, tree))  # a line of Python is read as Python only
    return found


def _code_line(line: str, tree: ast.Module) -> list[tuple[str, str]]:
    """The examples a line of Python states: ``assert f(2) == 4``, ``f(2) == 4 and f(3) == 9``, ``f(2)  # -> 4``."""
    if len(tree.body) != 1:
        return []
    statement = tree.body[0]
    if isinstance(statement, ast.Assert):
        test = statement.test
    elif isinstance(statement, ast.Expr):
        test = statement.value
        if _is_literal_call(test):
            value = _comment_value(line)
            return [(_call_text(line, test), value)] if value else []
    else:
        return []
    return [pair for node in _conjuncts(test) if (pair := _comparison(line, node)) is not None]


def _conjuncts(node: ast.expr) -> list[ast.expr]:
    """The comparisons a statement asserts together: ``a == 1 and b == 2``, ``a == 1, b == 2``."""
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return [part for value in node.values for part in _conjuncts(value)]
    if isinstance(node, ast.Tuple):
        return [part for element in node.elts for part in _conjuncts(element)]
    return [node]


def _comment_value(line: str) -> str | None:
    """The value a trailing comment states: ``# 4``, ``# -> 4``, ``# returns 4``, ``# expected: 4``."""
    try:
        comments = [t for t in tokenize.generate_tokens(io.StringIO(line).readline) if t.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError):
        return None
    if len(comments) != 1:
        return None
    body = comments[0].string[1:]
    link = _COMMENT_LINK.match(body)
    rest = body[link.end() :] if link else body
    rest = rest.strip()
    return _value(rest[:-1] if rest.endswith(".") else rest)


def _sentences(line: str, formula_defined: set[str]) -> Iterator[tuple[str, str]]:
    """``f(2) returns 4``, ``f(2) -> 4``, ``f(2) = 4``, ``for f(2), the result is 4`` in a line of prose."""
    flat = line.replace("`", " ")
    calls = list(_CALL.finditer(flat))
    for index, match in enumerate(calls):
        end = _call_end(flat, match.end() - 1)
        if end is None or _call_node(flat[match.start() : end]) is None or not _stated(flat, match.start()):
            continue
        link = _LINK.match(flat, end)
        if link is None and _FOR_BEFORE.search(flat, 0, match.start()):
            link = _RESULT_LINK.match(flat, end)
        if link is None:
            continue
        if link.groupdict().get("single") and match.group(1) in formula_defined:
            continue
        next_call = calls[index + 1].start() if index + 1 < len(calls) else len(flat)
        value = _value_at(flat, link.end(), next_call)
        if value is not None:
            yield flat[match.start() : end], value


def _stated(text: str, start: int) -> bool:
    """Whether the call at ``start`` stands alone, stated as a fact: not inside an expression, a def, or a hedged clause."""
    before = text[:start].rstrip()
    if before and before[-1] in _OPERATOR_BEFORE and not _BULLET.match(before):
        return False
    window = max(0, start - _MAX_VALUE_CHARS)
    clause_start = max((m.end() for m in _CLAUSE_START.finditer(text, window, start)), default=window)
    return _NOT_STATED.search(text, clause_start, start) is None


def _value_at(text: str, at: int, next_call: int) -> str | None:
    """The literal stated at ``at``, when what follows it ends the statement without hedging it."""
    if not _VALUE_START.match(text, at):
        return None
    for end in range(min(len(text), at + _MAX_VALUE_CHARS), at, -1):
        if end < len(text) and not (text[end].isspace() or text[end] in _VALUE_END):
            continue
        value = _value(text[at:end])
        if value is None:
            continue
        if not _AFTER_VALUE.match(text, end) or _MORE_VALUES.match(text, end):
            return None
        sentence = _SENTENCE_END.search(text, end)
        clause_end = min(next_call, sentence.start() if sentence else len(text))
        if _HEDGE.search(text, end, max(end, clause_end)) or (
            sentence and sentence.group() == "?" and sentence.start() < next_call
        ):
            return None
        return value
    return None


def _defined_by_formula(text: str) -> set[str]:
    """Functions the text defines with a formula, ``f(n) = ...``: there ``f(2) = 4`` is mathematics, not the code's result."""
    names: set[str] = set()
    flat = text.replace("`", " ")
    for match in _CALL.finditer(flat):
        end = _call_end(flat, match.end() - 1)
        if end is None or not re.match(r"\s*=(?![=>])", flat[end:]):
            continue
        if _call_node(flat[match.start() : end]) is None:
            names.add(match.group(1))
    return names


# ---- Input: / Output: ---------------------------------------------------------------------------


def _signature(text: str, name: str) -> list[tuple[str, bool]] | None:
    """The parameters of ``name`` (with whether each has a default), from its ``def`` line or, failing that,
    from the one way the text writes it with names, ``name(nums, k)``; None when the text does not show it."""
    flat = text.replace("`", " ")
    shown: set[tuple[tuple[str, bool], ...]] = set()
    from_def: tuple[tuple[str, bool], ...] | None = None
    for match in re.finditer(rf"(?<![\w.]){re.escape(name)}\(", flat):
        end = _call_end(flat, match.end() - 1)
        if end is None:
            continue
        params = _params(flat[match.start() : end])
        if params is None:
            continue
        if re.search(r"\bdef\s*$", flat[max(0, match.start() - 40) : match.start()]):
            from_def = from_def or params
        else:
            shown.add(params)
    if from_def is not None:
        return list(from_def)
    return list(shown.pop()) if len(shown) == 1 else None


def _params(header: str) -> tuple[tuple[str, bool], ...] | None:
    try:
        tree = ast.parse(f"def {header}: pass")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    arguments = function.args
    if arguments.vararg or arguments.kwarg or arguments.kwonlyargs or arguments.posonlyargs:
        return None
    first_default = len(arguments.args) - len(arguments.defaults)
    return tuple((a.arg, i >= first_default) for i, a in enumerate(arguments.args))


def _target(text: str, entry_point: str | None) -> str | None:
    """The one function the instruction asks for: the entry point, else its only ``def``, else the only
    function it writes with parameter names (``rotate(items, k)``)."""
    if entry_point:
        return entry_point
    defined = set(_DEF.findall(text))
    if defined:
        return defined.pop() if len(defined) == 1 else None
    flat = text.replace("`", " ")
    shown: set[str] = set()
    for match in _CALL.finditer(flat):
        end = _call_end(flat, match.end() - 1)
        if end is not None and _params(flat[match.start() : end]):
            shown.add(match.group(1))
    return shown.pop() if len(shown) == 1 else None


def _defined_in(code: str, name: str) -> list[tuple[str, bool]] | None:
    """The parameters of the last ``def name`` in ``code`` (None: none, or one with ``*args``, keywords only...)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    defined = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == name]
    if not defined:
        return None
    params = _params(f"{name}({ast.unparse(defined[-1].args)})")
    return list(params) if params is not None else None


def _input_output(text: str, entry_point: str | None, code: str | None) -> list[tuple[str, str]]:
    name = _target(text, entry_point)
    if name is None:
        return []
    params = _signature(text, name)
    if params is None and code is not None and entry_point is not None:
        params = _defined_in(code, entry_point)
    if params is None:
        return []
    found: list[tuple[str, str]] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        given = _INPUT.match(line)
        if given is None:
            continue
        args, stated = given.group("args"), None
        inline = _INLINE_OUTPUT.match(args)
        if inline is not None:
            args, stated = inline.group("args"), inline.group("value")
        else:
            following = next((later for later in lines[i + 1 :] if later.strip()), "")
            result = _OUTPUT.match(following)
            stated = result.group("value") if result else None
        value = _value(stated) if stated is not None else None
        call = _input_call(name, params, args.replace("`", ""))
        if value is not None and call is not None:
            found.append((call, value))
    return found


def _input_call(name: str, params: list[tuple[str, bool]], args: str) -> str | None:
    """``name(...)`` for the arguments an ``Input:`` line gives, when they fit ``params``: positional, or named in order."""
    try:
        node = ast.parse(f"_({args})", mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    if not _is_literal_call(node) or (node.args and node.keywords):
        return None
    values = list(node.args)
    if node.keywords:
        names = [k.arg for k in node.keywords]
        if names != [p for p, _ in params[: len(names)]]:
            return None
        values = [k.value for k in node.keywords]
    required = sum(not has_default for _, has_default in params)
    if not required <= len(values) <= len(params):
        return None
    return f"{name}({', '.join(ast.unparse(v) for v in values)})"


# ---- all together --------------------------------------------------------------------------------


def _function(call: str) -> str:
    return call.split("(", 1)[0].strip()


def _ordered(expected: str) -> bool:
    """Whether a value has an order that could differ between right answers: a list or tuple of two items or more, at any depth."""
    return _has_sequence(_literal(expected))


def _has_sequence(value: object) -> bool:
    if isinstance(value, (list, tuple)):
        return len(value) > 1 or any(_has_sequence(v) for v in value)
    if isinstance(value, dict):
        return any(_has_sequence(v) for v in value.values())
    return False


def _key(source: str) -> str:
    return ast.dump(ast.parse(source, mode="eval").body)


def extract_examples(instruction: str, *, entry_point: str | None = None, code: str | None = None) -> list[tuple[str, str]]:
    """``(call, expected)`` pairs stated in ``instruction``, in order, without repeats.

    With ``entry_point``, only examples of that function; without it, only
    of the functions the instruction's ``def`` lines name, if it has any.
    ``code`` (the code being checked) only says how an ``Input:`` line's
    arguments are passed when the instruction shows no signature.
    A call stated with two different values is dropped; see the module's
    docstring for what is read and what never is.
    """
    if _MANY_ANSWERS.search(instruction):
        return []
    formula_defined = _defined_by_formula(instruction)
    pairs = [*_doctests(instruction), *_lines(instruction, formula_defined), *_input_output(instruction, entry_point, code)]
    if _ANY_ORDER.search(instruction):
        pairs = [p for p in pairs if not _ordered(p[1])]
    allowed = {entry_point} if entry_point else set(_DEF.findall(instruction))
    if allowed:
        pairs = [p for p in pairs if _function(p[0]) in allowed]
    values: dict[str, set[str]] = {}
    for call, expected in pairs:
        values.setdefault(_key(call), set()).add(_key(expected))
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for call, expected in pairs:
        if len(values[_key(call)]) == 1:
            seen.setdefault((_key(call), _key(expected)), (call, expected))
    return list(seen.values())[:_MAX_EXAMPLES]


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


def examples_as_tests(instruction: str, *, entry_point: str | None = None, code: str | None = None, exact: bool = False) -> str:
    """The instruction's examples as ``assert`` lines ('' when there are none); see :func:`extract_examples`.

    A number stated with decimals matches to within one unit of its last
    decimal, and a container holding floats approximately; with ``exact`` every
    example is an ``==`` comparison (what a rounded figure cannot tell apart).
    """
    lines = []
    for call, expected in extract_examples(instruction, entry_point=entry_point, code=code):
        value = _literal(expected)
        got = f"(_got := ({call}))"
        if exact:
            comparison = f"{got} == ({expected})"
        elif isinstance(value, float):
            comparison = f"abs({got} - ({expected})) <= {_tolerance(expected)!r}"
        elif _has_float(value):
            comparison = f"__import__('pytest').approx({expected}) == {got}"
        else:
            comparison = f"{got} == ({expected})"
        lines.append(f"assert {comparison}, {call!r} + ' returned ' + repr(_got) + ', expected ' + {expected!r}")
    return "\n".join(lines) + ("\n" if lines else "")
