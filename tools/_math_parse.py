"""Safe parsing of math answers written by models or users.

Model text never reaches ``eval``, ``sympify`` or ``parse_expr``. Instead:

1. :func:`normalize` rewrites LaTeX and everyday notation (``\\frac{a}{b}``,
   ``\\sqrt[3]{x}``, ``2x``, ``50%``, ``π``, ``[1, 2)``, ``x = 2``) into a small
   Python-like expression language, token by token; any character or LaTeX
   command it does not know is refused;
2. Python's :mod:`ast` parses the result, and :func:`parse_math` builds sympy
   objects from a whitelist of node types (numbers, allowed names, arithmetic,
   calls of allowed functions, tuples, lists, sets, comparisons, ``and``/``or``).

Sizes are bounded before sympy sees anything: the text's length, the token
count, the nesting depth, integer literals, and the size of numeric powers
(``9**9**9**9`` is refused, not computed). Everything else is refused with
:class:`~junto.CheckError`.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from typing import Any

from junto._exceptions import CheckError

__all__ = ["MAX_CHARS", "ParsedMath", "check_syntax", "format_math", "normalize", "parse_math"]

MAX_CHARS = 2000
MAX_TOKENS = 600
MAX_DEPTH = 40
MAX_INT_DIGITS = 400
MAX_RESULT_DIGITS = 5000

_FUNCTIONS = {
    "sin": "sin", "cos": "cos", "tan": "tan", "cot": "cot", "sec": "sec", "csc": "csc",
    "asin": "asin", "acos": "acos", "atan": "atan", "acot": "acot",
    "arcsin": "asin", "arccos": "acos", "arctan": "atan",
    "sinh": "sinh", "cosh": "cosh", "tanh": "tanh",
    "exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt", "root": "root", "cbrt": "cbrt",
    "Abs": "Abs", "abs": "Abs", "floor": "floor", "ceiling": "ceiling", "ceil": "ceiling",
    "factorial": "factorial", "binomial": "binomial", "gcd": "gcd", "lcm": "lcm",
    "Max": "Max", "Min": "Min", "max": "Max", "min": "Min",
    "Interval": "Interval", "FiniteSet": "FiniteSet", "Union": "Union", "Matrix": "Matrix",
}
_CONSTANTS = {
    "pi": "pi", "e": "E", "E": "E", "oo": "oo", "inf": "oo", "infinity": "oo", "I": "I", "i": "I", "EmptySet": "EmptySet",
}
_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda_",
    "mu", "nu", "xi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega",
}
_KEYWORDS = {"and", "or", "True", "False"}
_LATEX_WORDS = {
    "cdot": "*", "times": "*", "div": "/", "pi": "pi", "infty": "oo", "infin": "oo",
    "le": "<=", "leq": "<=", "leqslant": "<=", "ge": ">=", "geq": ">=", "geqslant": ">=",
    "ne": "!=", "neq": "!=", "lt": "<", "gt": ">", "emptyset": "EmptySet", "varnothing": "EmptySet",
    "lambda": "lambda_", "land": " and ", "lor": " or ", "wedge": " and ", "vee": " or ",
    "cup": " U ", "mid": "|", "vert": "|", "lvert": "|", "rvert": "|",
}
_LATEX_DROP = ("left", "right", "big", "Big", "bigg", "Bigg", "displaystyle", "textstyle", "quad", "qquad", "limits")
_UNICODE = {
    "\u2212": "-", "\u2013": "-", "\u00d7": "*", "\u22c5": "*", "\u00b7": "*", "\u00f7": "/", "\u2215": "/",
    "\u03c0": "pi", "\u221e": "oo", "\u2264": "<=", "\u2265": ">=", "\u2260": "!=", "\u2205": "EmptySet",
    "\u00b2": "^2", "\u00b3": "^3", "\u222a": " U ", "\u03b8": "theta", "\u03b1": "alpha", "\u03b2": "beta",
    "\u221a": " sqrt ",
}

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
    r"|(?P<op>\*\*|<=|>=|==|!=|[-+*/()\[\]{},<>=|]))"
)


@dataclass(frozen=True)
class ParsedMath:
    """A parsed answer: the sympy value plus what the notation said about it.

    ``decimals`` is the most decimal places of any decimal literal (``None``
    when the text had none): ``3.14`` is a rounded value, not exactly 157/50
    in a reader's mind. ``bare`` is true for a comma list without brackets
    (``2, 3``), which reads as a list of solutions rather than a point.
    """

    value: Any
    text: str
    decimals: int | None = None
    bare: bool = False


# ---------------------------------------------------------------- normalize


def _group(text: str, start: int) -> tuple[str, int]:
    """The contents of the ``{...}`` group opening at ``start`` and the index after it."""
    if start >= len(text) or text[start] != "{":
        # a single-character argument, as in \frac12 or \sqrt2
        if start < len(text) and text[start].isalnum():
            return text[start], start + 1
        raise CheckError("a LaTeX command is missing its {argument}")
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : index], index + 1
    raise CheckError("unbalanced braces")


def _skip_spaces(text: str, index: int) -> int:
    while index < len(text) and text[index] == " ":
        index += 1
    return index


def _rewrite_commands(text: str) -> str:
    """Expand the LaTeX commands that take arguments, innermost work left to recursion."""
    out: list[str] = []
    index = 0
    while index < len(text):
        if text[index] != "\\":
            out.append(text[index])
            index += 1
            continue
        match = re.match(r"\\([A-Za-z]+|.)", text[index:])
        assert match is not None
        word = match.group(1)
        index += len(match.group(0))
        if word in ("frac", "dfrac", "tfrac"):
            num, index = _group(text, _skip_spaces(text, index))
            den, index = _group(text, _skip_spaces(text, index))
            out.append(f"(({_rewrite_commands(num)})/({_rewrite_commands(den)}))")
        elif word == "sqrt":
            index = _skip_spaces(text, index)
            degree = None
            if index < len(text) and text[index] == "[":
                end = text.find("]", index)
                if end < 0:
                    raise CheckError("unbalanced \\sqrt[...]")
                degree, index = text[index + 1 : end], end + 1
            body, index = _group(text, _skip_spaces(text, index))
            body = _rewrite_commands(body)
            out.append(f"sqrt({body})" if degree is None else f"root(({body}),({_rewrite_commands(degree)}))")
        elif word in ("boxed", "text", "mathrm", "mathit", "operatorname", "textbf", "mathbf"):
            body, index = _group(text, _skip_spaces(text, index))
            out.append(" " + _rewrite_commands(body) + " ")
        elif word in _FUNCTIONS:
            out.append(" " + word + " ")
        elif word in _LATEX_WORDS:
            out.append(" " + _LATEX_WORDS[word] + " ")
        elif word in _GREEK or word in _LATEX_DROP:
            out.append(" " + word + " " if word in _GREEK else " ")
        elif word in ("{", "}"):
            out.append("\x00" if word == "{" else "\x01")  # set braces, kept apart from grouping braces
        elif word in (",", ";", "!", " ", ":"):
            out.append(" ")
        elif word == "%":
            out.append("%")
        else:
            raise CheckError(f"unsupported LaTeX command \\{word}")
    return "".join(out)


def normalize(text: str) -> str:
    """Rewrite ``text`` into the expression language :func:`parse_math` reads."""
    if len(text) > MAX_CHARS:
        raise CheckError(f"the answer is too long ({len(text)} characters; the limit is {MAX_CHARS})")
    s = text.strip()
    for a, b in _UNICODE.items():
        s = s.replace(a, b)
    s = s.replace("$", " ").replace("\\(", " ").replace("\\)", " ").replace("\\[", " ").replace("\\]", " ")
    s = re.sub(r"\\left\s*\\?|\\right\s*\\?", lambda m: "" if m.group(0).strip() in ("\\left", "\\right") else "\\", s)
    s = _rewrite_commands(s)
    # exponents and subscripts with braces: x^{2} -> x**(2), x_{1} -> x_1
    for _ in range(MAX_DEPTH):
        new = re.sub(r"\^\s*\{([^{}]*)\}", r"**(\1)", s)
        new = re.sub(r"_\s*\{(\w*)\}", r"_\1", new)
        if new == s:
            break
        s = new
    s = s.replace("^", "**")
    if "{" in s or "}" in s:
        s = s.replace("{", "\x00").replace("}", "\x01")  # plain braces: a set
    s = s.replace("\x00", "{").replace("\x01", "}")
    s = re.sub(r"(\d+(?:\.\d+)?|\.\d+)\s*%", r"(\1/100)", s)
    if "%" in s:
        raise CheckError("'%' is only understood after a number, as a percentage")
    s = re.sub(r"\s+U\s+", " U ", s)
    return s.strip()


# ---------------------------------------------------------------- tokens


def _tokens(s: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    index = 0
    while index < len(s):
        if s[index:].strip() == "":
            break
        match = _TOKEN.match(s, index)
        if match is None:
            bad = s[_skip_ws(s, index)]
            raise CheckError(f"unexpected character {bad!r} in the answer")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        index = match.end()
        if len(tokens) > MAX_TOKENS:
            raise CheckError(f"the answer has more than {MAX_TOKENS} tokens")
    return tokens


def _skip_ws(s: str, index: int) -> int:
    while index < len(s) and s[index].isspace():
        index += 1
    return min(index, len(s) - 1)


def _classify_name(name: str) -> list[tuple[str, str]]:
    """Turn one name into name tokens: itself, or letters of a product like ``xy``."""
    if "__" in name:
        raise CheckError(f"the name {name!r} is not allowed")
    if name in _FUNCTIONS or name in _CONSTANTS or name in _GREEK or name in _KEYWORDS or name == "U":
        return [("name", name)]
    if re.fullmatch(r"[A-Za-z](_?[0-9]+|_[A-Za-z])?", name):
        return [("name", name)]
    for fn in sorted(_FUNCTIONS, key=len, reverse=True):  # sinx -> sin x
        if name.startswith(fn) and len(name) > len(fn) and fn.islower():
            return [("name", fn), *_classify_name(name[len(fn) :])]
    if name.isalpha() and len(name) <= 3:
        return [("name", ch) for ch in name]
    raise CheckError(f"unknown name {name!r} in the answer")


def _is_func(token: tuple[str, str]) -> bool:
    return token[0] == "name" and token[1] in _FUNCTIONS


def _is_atom_end(token: tuple[str, str]) -> bool:
    kind, value = token
    if kind == "num":
        return True
    if kind == "name":
        return value not in _FUNCTIONS and value not in _KEYWORDS and value != "U"
    return value == ")"


def _is_atom_start(token: tuple[str, str]) -> bool:
    kind, value = token
    if kind in ("num", "name"):
        return value not in _KEYWORDS and value != "U"
    return value == "("


def _with_calls(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``sin x`` -> ``sin(x)``; ``sin**2(x)`` -> ``sin(x)**2``; ``|x|`` -> ``Abs(x)``."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if _is_func(token) and nxt is not None and nxt[1] == "**" and i + 3 < len(tokens) and tokens[i + 3][1] == "(":
            power = tokens[i + 2]
            close = _matching(tokens, i + 3)
            out += [token, *tokens[i + 3 : close + 1], ("op", "**"), power]
            i = close + 1
            continue
        if _is_func(token) and nxt is not None and nxt[1] == "**" and i + 3 < len(tokens) and tokens[i + 3][0] in ("num", "name"):
            out += [token, ("op", "("), tokens[i + 3], ("op", ")"), ("op", "**"), tokens[i + 2]]
            i += 4
            continue
        if _is_func(token) and nxt is not None and nxt[0] in ("num", "name") and not _is_func(nxt):
            out += [token, ("op", "("), nxt, ("op", ")")]
            i += 2
            continue
        out.append(token)
        i += 1
    return _abs_bars(out)


def _abs_bars(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    bars = [i for i, t in enumerate(tokens) if t[1] == "|"]
    if not bars:
        return tokens
    if len(bars) % 2:
        raise CheckError("unbalanced |...| in the answer")
    out = list(tokens)
    opening = True
    for i in bars:
        # an opening bar starts an operand; a closing bar ends one
        prev = out[i - 1] if i > 0 else None
        opening = prev is None or not (_is_atom_end(prev) or prev[1] == ")") or (prev[1] == "|" and opening)
        out[i] = ("abs_open", "Abs(") if opening else ("op", ")")
    result: list[tuple[str, str]] = []
    for token in out:
        if token[0] == "abs_open":
            result += [("name", "Abs"), ("op", "(")]
        else:
            result.append(token)
    return result


def _matching(tokens: list[tuple[str, str]], start: int) -> int:
    depth = 0
    for i in range(start, len(tokens)):
        if tokens[i][1] in "([{":
            depth += 1
        elif tokens[i][1] in ")]}":
            depth -= 1
            if depth == 0:
                return i
    raise CheckError("unbalanced brackets in the answer")


def _with_products(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for token in tokens:
        if out:
            prev = out[-1]
            if prev[0] == "num" and token[0] == "num":
                raise CheckError("two numbers in a row; write the operator between them")
            if _is_atom_end(prev) and _is_atom_start(token) and not (_is_func(prev) and token[1] == "("):
                out.append(("op", "*"))
        out.append(token)
    return out


def _with_intervals(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Rewrite half-open brackets ``[a, b)`` and ``(a, b]`` into ``Interval(a, b, False, True)``."""
    out = list(tokens)
    stack: list[int] = []
    replace: dict[int, list[tuple[str, str]]] = {}
    depth_max = 0
    for i, (_, value) in enumerate(out):
        if value in "([{":
            stack.append(i)
            depth_max = max(depth_max, len(stack))
            if depth_max > MAX_DEPTH:
                raise CheckError(f"the answer is nested deeper than {MAX_DEPTH} levels")
        elif value in ")]}":
            if not stack:
                raise CheckError("unbalanced brackets in the answer")
            start = stack.pop()
            pair = out[start][1] + value
            if pair in ("()", "[]", "{}"):
                continue
            if pair not in ("(]", "[)"):
                raise CheckError(f"mismatched brackets {pair!r} in the answer")
            commas = _top_level_commas(out, start, i)
            if commas != 1:
                raise CheckError("an interval needs exactly two endpoints")
            replace[start] = [("name", "Interval"), ("op", "(")]
            left_open, right_open = out[start][1] == "(", value == ")"
            replace[i] = [("op", ","), ("name", str(left_open)), ("op", ","), ("name", str(right_open)), ("op", ")")]
    if stack:
        raise CheckError("unbalanced brackets in the answer")
    result: list[tuple[str, str]] = []
    for i, token in enumerate(out):
        result += replace.get(i, [token])
    return result


def _top_level_commas(tokens: list[tuple[str, str]], start: int, end: int) -> int:
    depth, commas = 0, 0
    for _, value in tokens[start + 1 : end]:
        if value in "([{":
            depth += 1
        elif value in ")]}":
            depth -= 1
        elif value == "," and depth == 0:
            commas += 1
    return commas


def _to_source(text: str) -> tuple[str, bool]:
    """The normalized, tokenized expression as Python source, and whether it is a bare comma list."""
    raw = _tokens(normalize(text))
    if not raw:
        raise CheckError("the answer is empty")
    tokens: list[tuple[str, str]] = []
    for kind, value in raw:
        tokens += _classify_name(value) if kind == "name" else [(kind, value)]
    tokens = _with_intervals(_with_products(_with_calls(tokens)))
    tokens = [("op", "==") if t == ("op", "=") else t for t in tokens]
    bare = _top_level_commas([("op", "(")] + tokens + [("op", ")")], 0, len(tokens) + 1) > 0
    source = " ".join(value for _, value in tokens)
    source = source.replace(" U ", " | ")
    return source, bare


# ---------------------------------------------------------------- build


_ALLOWED_NODES = (
    ast.Expression, ast.Constant, ast.Name, ast.Load, ast.UnaryOp, ast.USub, ast.UAdd, ast.BinOp, ast.Add, ast.Sub,
    ast.Mult, ast.Div, ast.Pow, ast.BitOr, ast.Call, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.Compare, ast.Eq,
    ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.BoolOp, ast.And, ast.Or,
)


def _syntax_tree(text: str) -> tuple[str, bool, ast.Expression]:
    source, bare = _to_source(text)
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as error:
        raise CheckError(f"the answer does not parse as math: {source[:80]!r}") from error
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise CheckError(f"{type(node).__name__} is not allowed in a math answer")
        if isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS):
            raise CheckError("only calls of known math functions are allowed")
    _digits_bound(tree.body, 0)
    return source, bare, tree


def _digits_bound(node: ast.AST, depth: int) -> float | None:
    """An upper bound on the digits of a purely numeric subtree; refuses powers too large to compute."""
    if depth > MAX_DEPTH:
        raise CheckError(f"the answer is nested deeper than {MAX_DEPTH} levels")
    children = [_digits_bound(child, depth + 1) for child in ast.iter_child_nodes(node)]
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return math.log10(abs(node.value) + 2)
    if isinstance(node, ast.UnaryOp):
        return children[-1]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("factorial", "binomial"):
        if any(c is not None and c > 4 for c in children[1:]):
            raise CheckError(f"the {node.func.id} in the answer is too large to compute")
        return None
    if isinstance(node, ast.BinOp):
        left, right = children[0], children[-1]
        if isinstance(node.op, ast.Pow) and right is not None and right > 3.1:
            raise CheckError("an exponent in the answer is too large")
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Pow):
            if right > 6 or left * 10**right > MAX_RESULT_DIGITS:
                raise CheckError("a power in the answer is too large to compute")
            return left * 10**right
        return left + right + 1
    return None


def check_syntax(text: str) -> None:
    """Refuse unsafe or unreadable text without building anything (no sympy)."""
    _syntax_tree(text)


def parse_math(text: str) -> ParsedMath:
    """Parse an answer into sympy objects, safely; :class:`CheckError` when it cannot."""
    source, bare, tree = _syntax_tree(text)
    builder = _Builder(source)
    value = builder.build(tree.body, 0)
    return ParsedMath(value=value, text=text, decimals=builder.decimals, bare=bare)


class _Builder:
    def __init__(self, source: str) -> None:
        import sympy

        self.sympy = sympy
        self.source = source
        self.decimals: int | None = None

    def build(self, node: ast.AST, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise CheckError(f"the answer is nested deeper than {MAX_DEPTH} levels")
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise CheckError(f"{type(node).__name__} is not allowed in a math answer")
        try:
            return method(node, depth + 1)
        except (TypeError, ValueError, AttributeError, ZeroDivisionError) as error:
            raise CheckError(f"these parts of the answer do not combine: {error}") from error

    def _Constant(self, node: ast.Constant, depth: int) -> Any:
        sp = self.sympy
        if isinstance(node.value, bool):
            return sp.true if node.value else sp.false
        if isinstance(node.value, int):
            if len(str(node.value)) > MAX_INT_DIGITS:
                raise CheckError(f"an integer in the answer has more than {MAX_INT_DIGITS} digits")
            return sp.Integer(node.value)
        if isinstance(node.value, float):
            literal = self.source[node.col_offset : node.end_col_offset]
            mantissa = literal.lower().split("e")[0]
            places = len(mantissa.split(".")[1]) if "." in mantissa else 0
            if "e" in literal.lower() and abs(int(literal.lower().split("e")[1])) > MAX_INT_DIGITS:
                raise CheckError("a number's exponent is too large")
            shift = int(literal.lower().split("e")[1]) if "e" in literal.lower() else 0
            self.decimals = max(self.decimals or 0, places - shift, 0)
            return sp.Rational(literal)
        raise CheckError("only numbers are allowed as literals")

    def _Name(self, node: ast.Name, depth: int) -> Any:
        sp = self.sympy
        name = node.id
        if name in ("True", "False"):
            return sp.true if name == "True" else sp.false
        if name in _CONSTANTS:
            return getattr(sp, _CONSTANTS[name]) if name != "EmptySet" else sp.S.EmptySet
        if name in _FUNCTIONS:
            raise CheckError(f"the function {name} needs an argument in parentheses")
        return sp.Symbol(name.rstrip("_") if name == "lambda_" else name)

    def _UnaryOp(self, node: ast.UnaryOp, depth: int) -> Any:
        operand = self.build(node.operand, depth)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        raise CheckError("only + and - are allowed as unary operators")

    def _BinOp(self, node: ast.BinOp, depth: int) -> Any:
        left = self.build(node.left, depth)
        right = self.build(node.right, depth)
        op = node.op
        try:
            if isinstance(op, ast.Add):
                return self._bounded(left + right)
            if isinstance(op, ast.Sub):
                return self._bounded(left - right)
            if isinstance(op, ast.Mult):
                return self._bounded(left * right)
            if isinstance(op, ast.Div):
                return self._bounded(left / right)
            if isinstance(op, ast.Pow):
                self._check_power(left, right)
                return self._bounded(left**right)
            if isinstance(op, ast.BitOr):  # A U B
                return self.sympy.Union(self._as_set(left), self._as_set(right))
        except TypeError as error:
            raise CheckError(f"cannot combine these parts of the answer: {error}") from error
        raise CheckError(f"the operator {type(op).__name__} is not allowed in a math answer")

    def _as_set(self, value: Any) -> Any:
        """An operand of a union: a set, or a pair read as an open interval."""
        sp = self.sympy
        if isinstance(value, sp.Tuple) and len(value) == 2:
            return sp.Interval.open(*value)
        if isinstance(value, list) and len(value) == 2:
            return sp.Interval(*value)
        if not isinstance(value, sp.Set):
            raise CheckError("'U' joins sets or intervals")
        return value

    def _check_power(self, base: Any, exponent: Any) -> None:
        sp = self.sympy
        if not (isinstance(exponent, sp.Basic) and exponent.is_Number):
            return
        if isinstance(base, sp.Basic) and base.is_Number:
            size = abs(float(exponent)) * math.log10(max(abs(float(base)), 1e-300) + 1)
            if abs(base) not in (0, 1) and size > MAX_RESULT_DIGITS:
                raise CheckError(f"the power {base}**{exponent} is too large to compute")
        elif abs(exponent) > 1000:
            raise CheckError(f"the exponent {exponent} is too large")

    def _bounded(self, value: Any) -> Any:
        sp = self.sympy
        if isinstance(value, sp.Integer) and value.p.bit_length() > MAX_RESULT_DIGITS * 3.33:
            raise CheckError("a number in the answer is too large")
        return value

    def _Call(self, node: ast.Call, depth: int) -> Any:
        sp = self.sympy
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
            raise CheckError("only calls of known math functions are allowed")
        if node.keywords:
            raise CheckError("keyword arguments are not allowed in a math answer")
        name = _FUNCTIONS[node.func.id]
        args = [self.build(arg, depth) for arg in node.args]
        if not args:
            raise CheckError(f"{name} needs an argument")
        if name == "factorial" and args[0].is_Number and abs(args[0]) > 500:
            raise CheckError("the factorial is too large to compute")
        if name in ("binomial",) and any(a.is_Number and abs(a) > 10**4 for a in args):
            raise CheckError("the binomial coefficient is too large to compute")
        if name == "Matrix":
            return self._matrix(args)
        try:
            return getattr(sp, name)(*args)
        except (TypeError, ValueError) as error:
            raise CheckError(f"{name}(...) got arguments it cannot take: {error}") from error

    def _matrix(self, args: list[Any]) -> Any:
        sp = self.sympy
        rows = args[0] if len(args) == 1 else args
        if isinstance(rows, sp.MatrixBase):
            return rows
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise CheckError("Matrix takes a list of rows, like Matrix([[1, 2], [3, 4]])")
        if len({len(r) for r in rows}) != 1:
            raise CheckError("the rows of a matrix must have the same length")
        return sp.ImmutableMatrix(rows)

    def _Tuple(self, node: ast.Tuple, depth: int) -> Any:
        return self.sympy.Tuple(*[self.build(e, depth) for e in node.elts])

    def _List(self, node: ast.List, depth: int) -> Any:
        items = [self.build(e, depth) for e in node.elts]
        if items and all(isinstance(i, list) for i in items):
            return self._matrix(items)
        return items

    def _Set(self, node: ast.Set, depth: int) -> Any:
        return self.sympy.FiniteSet(*[self.build(e, depth) for e in node.elts])

    def _Dict(self, node: ast.Dict, depth: int) -> Any:
        if node.keys:
            raise CheckError("a ':' is not allowed in a math answer")
        return self.sympy.S.EmptySet

    def _Compare(self, node: ast.Compare, depth: int) -> Any:
        sp = self.sympy
        ops = {ast.Eq: sp.Eq, ast.NotEq: sp.Ne, ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge}
        values = [self.build(node.left, depth), *[self.build(c, depth) for c in node.comparators]]
        parts = []
        for op, left, right in zip(node.ops, values, values[1:], strict=False):
            if type(op) not in ops:
                raise CheckError(f"the comparison {type(op).__name__} is not allowed in a math answer")
            try:
                parts.append(ops[type(op)](left, right, evaluate=False))
            except TypeError as error:
                raise CheckError(f"cannot compare these parts of the answer: {error}") from error
        return parts[0] if len(parts) == 1 else sp.And(*parts, evaluate=False)

    def _BoolOp(self, node: ast.BoolOp, depth: int) -> Any:
        sp = self.sympy
        values = [self.build(v, depth) for v in node.values]
        if not all(isinstance(v, sp.logic.boolalg.Boolean) for v in values):
            raise CheckError("'and'/'or' join equations or inequalities, like x = 1 or x = 2")
        return sp.Or(*values) if isinstance(node.op, ast.Or) else sp.And(*values)


# ---------------------------------------------------------------- format


def format_math(value: Any) -> str:
    """Write a sympy value back in the notation :func:`parse_math` reads."""
    import sympy as sp

    if isinstance(value, sp.Interval):
        left = "(" if value.left_open else "["
        right = ")" if value.right_open else "]"
        return f"{left}{format_math(value.start)}, {format_math(value.end)}{right}"
    if isinstance(value, sp.FiniteSet):
        return "{" + ", ".join(format_math(v) for v in sorted(value.args, key=sp.default_sort_key)) + "}"
    if value is sp.S.EmptySet:
        return "{}"
    if isinstance(value, sp.Union):
        return " U ".join(format_math(part) for part in value.args)
    if isinstance(value, (sp.Tuple, tuple)):
        return "(" + ", ".join(format_math(v) for v in value) + ")"
    if isinstance(value, sp.MatrixBase):
        return "[" + ", ".join("[" + ", ".join(format_math(v) for v in row) + "]" for row in value.tolist()) + "]"
    if isinstance(value, sp.Equality):
        return f"{format_math(value.lhs)} = {format_math(value.rhs)}"
    return sp.sstr(value)
