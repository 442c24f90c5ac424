"""Safe parsing of math answers written by models or users.

Model text never reaches ``eval``, ``sympify`` or ``parse_expr``. Instead:

1. :func:`normalize` rewrites LaTeX and everyday notation (``\\frac{a}{b}``,
   ``\\sqrt[3]{x}``, ``2x``, ``50%``, ``π``, ``[1, 2)``, ``x = 2``, ``5!``,
   ``\\binom{5}{2}``, ``\\log_2 8``, ``90^\\circ``, ``f'(x)``, ``\\frac{dy}{dx}``,
   ``\\begin{pmatrix}...\\end{pmatrix}``, ``1\\frac{1}{2}``, ``0.\\overline{3}``)
   into a small Python-like expression language, token by token; any character
   or LaTeX command it does not know is refused;
2. Python's :mod:`ast` parses the result, and :func:`parse_math` builds sympy
   objects from a whitelist of node types (numbers, allowed names, arithmetic,
   calls of allowed functions, tuples, lists, sets, comparisons, ``and``/``or``).

Units are read as the numbers they stand for (``°`` is pi/180, ``%`` is
1/100); when one stands outside any function, :class:`ParsedMath` also keeps
the value read without it, so a comparison can tell ``30°`` vs ``30`` (equal
if the bare 30 means degrees) from a plain disagreement.

Sizes are bounded before sympy sees anything: the text's length, the token
count, the nesting depth, integer literals, and the size of numeric powers
(``9**9**9**9`` is refused, not computed). Everything else is refused with
:class:`~junto.CheckError`.
"""

from __future__ import annotations

import ast
import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from junto._exceptions import CheckError

__all__ = ["MAX_CHARS", "ParsedMath", "check_syntax", "format_math", "normalize", "parse_math"]

MAX_CHARS = 2000
MAX_TOKENS = 600
MAX_DEPTH = 40
MAX_INT_DIGITS = 400
MAX_RESULT_DIGITS = 5000

_FUNCTIONS = {
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "cot": "cot",
    "sec": "sec",
    "csc": "csc",
    "asin": "asin",
    "acos": "acos",
    "atan": "atan",
    "acot": "acot",
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "sinh": "sinh",
    "cosh": "cosh",
    "tanh": "tanh",
    "exp": "exp",
    "log": "log",
    "ln": "log",
    "sqrt": "sqrt",
    "root": "root",
    "cbrt": "cbrt",
    "Abs": "Abs",
    "abs": "Abs",
    "floor": "floor",
    "ceiling": "ceiling",
    "ceil": "ceiling",
    "factorial": "factorial",
    "binomial": "binomial",
    "gcd": "gcd",
    "lcm": "lcm",
    "Max": "Max",
    "Min": "Min",
    "max": "Max",
    "min": "Min",
    "Interval": "Interval",
    "FiniteSet": "FiniteSet",
    "Union": "Union",
    "Matrix": "Matrix",
    "det": "det",
    "transpose": "transpose",
}
# functions only the rewriting below writes (a name with "__" never comes from the answer's text)
_INTERNAL_FUNCTIONS = {"DIFF__"}
# calls that hold values rather than take a function of them: a unit inside one still stands at the top level
_CONTAINERS = {"Interval", "FiniteSet", "Union", "Matrix", "Max", "Min", "Abs"}
_MATRIX_ENVIRONMENTS = {"matrix", "pmatrix", "bmatrix", "Bmatrix", "smallmatrix", "array", "vmatrix"}
_CONSTANTS = {
    "pi": "pi",
    "e": "E",
    "E": "E",
    "oo": "oo",
    "inf": "oo",
    "infinity": "oo",
    "I": "I",
    "i": "I",
    "EmptySet": "EmptySet",
}
_GREEK = {
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda_",
    "mu",
    "nu",
    "xi",
    "rho",
    "sigma",
    "tau",
    "phi",
    "chi",
    "psi",
    "omega",
}
_KEYWORDS = {"and", "or", "True", "False"}
_LATEX_WORDS = {
    "cdot": "*",
    "times": "*",
    "div": "/",
    "pi": "pi",
    "infty": "oo",
    "infin": "oo",
    "le": "<=",
    "leq": "<=",
    "leqslant": "<=",
    "ge": ">=",
    "geq": ">=",
    "geqslant": ">=",
    "ne": "!=",
    "neq": "!=",
    "lt": "<",
    "gt": ">",
    "emptyset": "EmptySet",
    "varnothing": "EmptySet",
    "lambda": "lambda_",
    "land": " and ",
    "lor": " or ",
    "wedge": " and ",
    "vee": " or ",
    "cup": " U ",
    "cap": " & ",
    "mid": "|",
    "vert": "|",
    "lvert": "|",
    "rvert": "|",
    "prime": "'",
    "degree": "\x02deg\x02",
}
_LATEX_DROP = ("left", "right", "big", "Big", "bigg", "Bigg", "displaystyle", "textstyle", "quad", "qquad", "limits")
_UNICODE = {
    "\u2212": "-",
    "\u2013": "-",
    "\u00d7": "*",
    "\u22c5": "*",
    "\u00b7": "*",
    "\u00f7": "/",
    "\u2215": "/",
    "\u03c0": "pi",
    "\u221e": "oo",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2260": "!=",
    "\u2205": "EmptySet",
    "\u00b2": "^2",
    "\u00b3": "^3",
    "\u222a": " U ",
    "\u03b8": "theta",
    "\u03b1": "alpha",
    "\u03b2": "beta",
    "\u221a": " sqrt ",
    "\u2229": " & ",
    "\u00b0": "\x02deg\x02",
    "\u2032": "'",
    "\u2033": "''",
    "\u211d": "\\mathbb{R}",
}

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
    r"|(?P<internal>\x02[a-z0-9:]*\x02)"
    r"|(?P<op>\*\*|<=|>=|==|!=|[-+*/()\[\]{},<>=|!'&]))"
)
# internal markers the rewriting leaves for the token stage: \x02deg\x02, \x02pct\x02, \x02logb\x02,
# \x02diff:x:1\x02 (d/dx applied to what follows), \x02der:y:1:x\x02 (the symbol dy/dx)
_PLUS_MINUS = re.compile(r"\\pm(?![A-Za-z])|\u00b1")
_ORDER = r"(?:\^\s*(?:\{\s*(\d)\s*\}|(\d)))?"
_LEIBNIZ_NUM = re.compile(rf"d{_ORDER}([A-Za-z])?")
_LEIBNIZ_DEN = re.compile(rf"d([A-Za-z]){_ORDER}")
_LEIBNIZ_PLAIN = re.compile(rf"(?<![A-Za-z_0-9\x02:])d{_ORDER}\s*([A-Za-z])?\s*/\s*d\s*([A-Za-z]){_ORDER}(?![A-Za-z0-9_])")


@dataclass(frozen=True)
class ParsedMath:
    """A parsed answer: the sympy value plus what the notation said about it.

    ``decimals`` is the most decimal places of any decimal literal (``None``
    when the text had none): ``3.14`` is a rounded value, not exactly 157/50
    in a reader's mind. ``bare`` is true for a comma list without brackets
    (``2, 3``), which reads as a list of solutions rather than a point.
    ``unitless`` is the value read with ``°`` and ``%`` as 1, kept only when
    such a sign stands outside every function (``30°``, not ``sin 30°``):
    ``unit`` then names it ("degrees", "percent"). ``texts`` are the words
    written in ``\\text{...}`` (units such as ``m/s``), each read as one name.
    """

    value: Any
    text: str
    decimals: int | None = None
    bare: bool = False
    unitless: Any = None
    unit: str = ""
    texts: frozenset[str] = frozenset()
    rebuild: Callable[[], Any] | None = field(default=None, repr=False, compare=False)

    def written(self) -> Any:
        """The value as written, before sympy's own simplification (e^(2 ln x) stays so); None if unknown.

        Built on demand: only an equality that might hold only where both sides are defined needs it.
        """
        return self.rebuild() if self.rebuild is not None else None


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
        match = re.match(r"\\([A-Za-z]+|.)", text[index:], re.DOTALL)
        if match is None:
            raise CheckError("a backslash ends the expression")
        word = match.group(1)
        index += len(match.group(0))
        if word in ("frac", "dfrac", "tfrac"):
            num, index = _group(text, _skip_spaces(text, index))
            den, index = _group(text, _skip_spaces(text, index))
            derivative = _leibniz(num, den)
            if derivative is not None:
                out.append(derivative)
                continue
            whole = _mixed_number_whole(out, num, den)
            if whole is not None:
                out.append(f"(({whole})+({num.strip()})/({den.strip()}))")
                continue
            out.append(f"(({_rewrite_commands(num)})/({_rewrite_commands(den)}))")
        elif word in ("binom", "dbinom", "tbinom"):
            top, index = _group(text, _skip_spaces(text, index))
            bottom, index = _group(text, _skip_spaces(text, index))
            out.append(f" binomial(({_rewrite_commands(top)}),({_rewrite_commands(bottom)})) ")
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
            words = _text_words(word, body)
            out.append(" " + (_rewrite_commands(body) if words is None else words) + " ")
        elif word == "mathbb":
            body, index = _group(text, _skip_spaces(text, index))
            if body.strip() != "R":
                raise CheckError(f"unsupported set \\mathbb{{{body}}}; only \\mathbb{{R}} is read")
            out.append(" Interval(-oo, oo) ")
        elif word == "begin":
            matrix = _matrix_environment(text, index)
            index = _environment_end(text, index)
            transposed = _TRANSPOSE.match(text, index)
            if transposed and "Matrix(" in matrix and "det(" not in matrix:  # A^{T}: the transpose, not a power of T
                matrix, index = f" transpose({matrix}) ", transposed.end()
            out.append(matrix)
        elif word == "overline":
            raise CheckError("\\overline is read only over the repeating digits of a decimal, like 0.\\overline{3}")
        elif word in _FUNCTIONS:
            out.append(" " + word + " ")
            after = _skip_spaces(text, index)
            if word == "log" and after < len(text) and text[after] == "_":
                base, index = _group(text, _skip_spaces(text, after + 1))
                out[-1] = f" \x02logb\x02(({_rewrite_commands(base)})) "
                after = _skip_spaces(text, index)
            if after < len(text) and text[after] == "{":  # \sin{x}: braces group the argument
                body, index = _group(text, after)
                out.append("(" + _rewrite_commands(body) + ")")
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


# Angle units written as words: a radian is the unit values are read in; a degree is pi/180 of one.
_ANGLE_WORDS = dict.fromkeys(("rad", "rads", "radian", "radians"), "") | dict.fromkeys(
    ("deg", "degree", "degrees"), "\x02deg\x02"
)


def _text_words(command: str, body: str) -> str | None:
    """What ``\\text{body}`` (or ``\\mathrm``, ``\\textbf``) stands for when it holds words; None to read it as math.

    Words are not variables: ``\\text{m/s}`` is a unit, not m over s. An
    angle unit is read as its value; any other word becomes one opaque name,
    kept as written (``Mm`` is not ``mm``), so that the same unit on both sides
    compares and a unit on one side only leaves the pair undecided. ``or`` and
    ``and`` stay connectives, and an upright single letter or function name
    (``\\mathrm{e}``, ``\\mathrm{d}``, ``\\mathrm{sin}``) stays math.
    """
    if command not in ("text", "mathrm", "textbf"):
        return None
    words = " ".join(body.split())
    if not re.search(r"[A-Za-z]", words) or words.lower() in ("or", "and"):
        return None
    if command != "text" and (re.fullmatch(r"[A-Za-z]", words) or words in _FUNCTIONS):
        return None
    if words.lower() in _ANGLE_WORDS:
        return _ANGLE_WORDS[words.lower()]
    return f"\x02unit:{words.encode().hex()}\x02"


def _leibniz(num: str, den: str) -> str | None:
    """``\\frac{dy}{dx}`` -> the symbol y'(x); ``\\frac{d}{dx}`` -> d/dx applied to what follows; else None."""

    def clean(part: str) -> str:
        part = re.sub(r"\\(?:mathrm|operatorname|text)\s*\{\s*d\s*\}", "d", part)
        return re.sub(r"\\[,;!: ]|\s+", "", part)

    top = _LEIBNIZ_NUM.fullmatch(clean(num))
    bottom = _LEIBNIZ_DEN.fullmatch(clean(den))
    if top is None or bottom is None:
        return None
    order_top = int(top.group(1) or top.group(2) or 1)
    order_bottom = int(bottom.group(2) or bottom.group(3) or 1)
    if order_top != order_bottom or not 1 <= order_top <= 3:
        raise CheckError("a derivative's order must be the same above and below the fraction bar, and at most 3")
    function, variable = top.group(3), bottom.group(1)
    if variable in _CONSTANTS or (function is not None and function in _CONSTANTS):
        raise CheckError(f"d{function or ''}/d{variable}: e and i are constants, not variables")
    if function is None:
        return f" \x02diff:{variable}:{order_top}\x02 "
    return f" \x02der:{function}:{order_top}:{variable}\x02 "


def _mixed_number_whole(out: list[str], num: str, den: str) -> str | None:
    """``2\\frac{1}{4}`` is the mixed number 2 1/4: an integer right before a proper fraction of integers.

    Pops that integer from ``out`` and returns it, or None (then the juxtaposition is a product).
    """
    num, den = num.strip(), den.strip()
    if not (num.isdigit() and den.isdigit() and 0 < int(num) < int(den)):
        return None
    done = "".join(out)
    match = re.search(r"(?<![\d.])(\d+)\s*$", done)
    before = done[: match.start(1)].rstrip() if match else ""
    if match is None or (before and before[-1] in "^_"):  # x^2\frac{1}{2}: the 2 is an exponent
        return None
    if before and before[-1] not in "+-=([{,<>\x00":  # 2 \cdot 3\frac{1}{2}, x 2\frac{1}{2}: times 3 1/2, or times 3 times 1/2?
        raise CheckError("an integer before a fraction, after a product, is ambiguous: a mixed number or a product?")
    out[:] = [done[: match.start(1)]]
    return match.group(1)


def _environment_end(text: str, index: int) -> int:
    """The index after the ``\\end{...}`` that closes the ``\\begin{...}`` whose name starts at ``index``."""
    name, after = _group(text, _skip_spaces(text, index))
    depth = 1
    for match in re.finditer(r"\\(begin|end)\s*\{([^{}]*)\}", text[after:]):
        if match.group(2) != name:
            continue
        depth += 1 if match.group(1) == "begin" else -1
        if depth == 0:
            return after + match.end()
    raise CheckError(f"\\begin{{{name}}} without its \\end{{{name}}}")


# a superscript that marks a transpose after a matrix: ^T, ^{T}, ^\top, ^{\intercal}, ^{\mathsf{T}}
_TRANSPOSE = re.compile(
    r"\s*\^\s*(?:(?:T|\\top|\\intercal)(?![A-Za-z])|\{\s*(?:T|\\top|\\intercal|\\math(?:sf|rm|bf)\s*\{\s*T\s*\})\s*\})"
)


def _matrix_environment(text: str, index: int) -> str:
    """``\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}`` -> ``Matrix([[1, 2], [3, 4]])`` (vmatrix: its determinant)."""
    name, after = _group(text, _skip_spaces(text, index))
    if name not in _MATRIX_ENVIRONMENTS:
        raise CheckError(f"unsupported LaTeX environment {name!r}")
    end = _environment_end(text, index)
    body = text[after : text.rindex("\\end", after, end)]
    spec = re.match(r"\s*\{[lcr|\s]*\}", body)  # an array's column spec
    if spec:
        body = body[spec.end() :]
    rows: list[list[str]] = [[]]
    cell: list[str] = []
    depth = nested = 0
    position = 0
    while position < len(body):
        rest = body[position:]
        if rest.startswith("\\begin"):
            nested += 1
        elif rest.startswith("\\end"):
            nested -= 1
        if depth == 0 and nested == 0 and rest.startswith("\\\\"):
            rows[-1].append("".join(cell))
            rows.append([])
            cell = []
            position += 2
            spacing = re.match(r"\s*\[[^\]]*\]", body[position:])  # \\[2pt]
            position += spacing.end() if spacing else 0
            continue
        if depth == 0 and nested == 0 and rest.startswith("&"):
            rows[-1].append("".join(cell))
            cell = []
            position += 1
            continue
        if rest.startswith("\\hline"):
            position += len("\\hline")
            continue
        if rest.startswith("\\"):  # a command, kept whole so \{ or \& is not read as a brace or a column
            command = re.match(r"\\([A-Za-z]+|.)", rest)
            assert command is not None
            cell.append(command.group(0))
            position += len(command.group(0))
            continue
        depth += {"{": 1, "}": -1}.get(rest[0], 0)
        cell.append(rest[0])
        position += 1
    rows[-1].append("".join(cell))
    rows = [row for row in rows if any(c.strip() for c in row)]
    if not rows or any(not c.strip() for row in rows for c in row):
        raise CheckError("a matrix has an empty entry")
    if len({len(row) for row in rows}) != 1:
        raise CheckError("the rows of a matrix must have the same length")
    source = "[" + ", ".join("[" + ", ".join(f"({_rewrite_commands(c)})" for c in row) + "]" for row in rows) + "]"
    return f" det(Matrix({source})) " if name == "vmatrix" else f" Matrix({source}) "


def _rewrite_choose(text: str) -> str:
    """``{n \\choose k}`` -> ``\\binom{n}{k}``."""
    for _ in range(MAX_DEPTH):
        match = re.search(r"\\choose(?![A-Za-z])", text)
        if match is None:
            return text
        depth, start = 0, -1
        for index in range(match.start() - 1, -1, -1):
            if text[index] == "}":
                depth += 1
            elif text[index] == "{":
                if depth == 0:
                    start = index
                    break
                depth -= 1
        if start < 0:
            raise CheckError("\\choose must stand inside braces, like {n \\choose k}")
        _, end = _group(text, start)
        top, bottom = text[start + 1 : match.start()], text[match.end() : end - 1]
        text = text[:start] + "\\binom{" + top + "}{" + bottom + "}" + text[end:]
    raise CheckError("too many \\choose in the answer")


def _repeating_decimal(match: re.Match[str]) -> str:
    """``1.2\\overline{34}`` -> the exact fraction it stands for."""
    whole, fixed, repeat = match.group(1) or "0", match.group(2), match.group(3)
    if len(fixed) + len(repeat) > 50:
        raise CheckError("a repeating decimal in the answer is too long")
    scale = 10 ** len(fixed)
    numerator = int(whole + fixed + repeat) - int(whole + fixed)
    denominator = scale * (10 ** len(repeat) - 1)
    return f"(({numerator})/({denominator}))"


def _prepare(s: str) -> str:
    """Text-level rewrites that must happen before the LaTeX commands are expanded."""
    s = re.sub(r"\^\s*\{\s*\\circ\s*\}|\^\s*\\circ(?![A-Za-z])", "\x02deg\x02", s)
    s = re.sub(r"\^\s*\{\s*((?:\\prime\s*)+)\}", lambda m: "'" * m.group(1).count("prime"), s)
    s = re.sub(r"\^\s*\\prime(?![A-Za-z])", "'", s)
    s = re.sub(r"(\d*)\.(\d*)\\overline\s*\{\s*(\d+)\s*\}", _repeating_decimal, s)
    s = re.sub(r"(?<=\d)\{,\}(?=\d{3}(?!\d))", "", s)  # 1{,}000
    # \left[ \begin{array} ... \end{array} \right]: the brackets belong to the matrix; bars make a determinant
    s = re.sub(r"[\[(]\s*(\\begin\s*\{(array|matrix)\}.*?\\end\s*\{\2\})\s*[\])]", r"\1", s, flags=re.S)
    s = re.sub(
        r"\|\s*\\begin\s*\{(array|matrix)\}(.*?)\\end\s*\{\1\}\s*\|",
        lambda m: "\\begin{vmatrix}" + m.group(2) + "\\end{vmatrix}",
        s,
        flags=re.S,
    )
    return _rewrite_choose(s)


def _leibniz_plain(match: re.Match[str]) -> str:
    """``dy/dx``, ``d^2y/dx^2``, ``d/dx`` written without \\frac."""
    top = f"d{'^' + (match.group(1) or match.group(2)) if (match.group(1) or match.group(2)) else ''}{match.group(3) or ''}"
    bottom = f"d{match.group(4)}{'^' + (match.group(5) or match.group(6)) if (match.group(5) or match.group(6)) else ''}"
    result = _leibniz(top, bottom)
    assert result is not None
    return result


def _thousands_at_top_level(text: str) -> bool:
    """``1,000`` or ``x = 12,500`` outside brackets: a thousands separator or a list of two numbers?"""
    depth = 0
    for index, char in enumerate(text):
        depth += char in "([{"
        depth -= char in ")]}"
        if (
            char == ","
            and depth == 0
            and re.search(r"(?<![\d.])\d{1,3}$", text[:index])
            and re.match(r"\d{3}(?![\d.])", text[index + 1 :])
        ):
            return True
    return False


# A label before the value, as a reply writes it when asked to ("Answer: 12", "**Final result:** 3/4", "The answer is 5").
_LABEL = re.compile(
    r"^(?:\*\*|__)?(?:(?:the|my|final)\s+)*(?:answer|result|solution|value)(?:\*\*|__)?\s*(?::|\bis\b)\s*(?:\*\*|__)?\s*",
    re.IGNORECASE,
)


def normalize(text: str) -> str:
    """Rewrite ``text`` into the expression language :func:`parse_math` reads."""
    if len(text) > MAX_CHARS:
        raise CheckError(f"the answer is too long ({len(text)} characters; the limit is {MAX_CHARS})")
    if re.search(r"[\x00-\x08]", text):
        raise CheckError("the answer has control characters")
    if _thousands_at_top_level(text):
        raise CheckError(
            "a comma between groups of digits, as in 1,000: one thousand, or the list 1, 0? Write 1000, or a space after the comma"
        )
    s = _LABEL.sub("", text.strip(), count=1)
    for a, b in _UNICODE.items():
        s = s.replace(a, b)
    s = re.sub(r"(?<!\\)\\[()\[\]]", " ", s.replace("$", " "))  # math delimiters, not a row break \\ before a bracket
    s = re.sub(r"\\left\s*\\?|\\right\s*\\?", lambda m: "" if m.group(0).strip() in ("\\left", "\\right") else "\\", s)
    s = _rewrite_commands(_prepare(s))
    s = _LEIBNIZ_PLAIN.sub(_leibniz_plain, s)
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
    s = re.sub(r"(\d+(?:\.\d+)?|\.\d+)\s*%", "(\\1*\x02pct\x02)", s)
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
    base = re.fullmatch(r"log_([0-9]+|[A-Za-z])", name)  # log_2(8), log_10 x
    if base:
        inner = [("num", base.group(1))] if base.group(1).isdigit() else _classify_name(base.group(1))
        return [("internal", "logb"), ("op", "("), *inner, ("op", ")")]
    if re.fullmatch(r"[A-Za-z](_?[0-9]+|_[A-Za-z])?", name):
        return [("name", name)]
    if name.lower() in _ANGLE_WORDS:  # "pi/2 rad", "90 degrees": a unit, not the product r*a*d
        angle = _ANGLE_WORDS[name.lower()]
        return [("internal", angle.strip("\x02"))] if angle else []
    for fn in sorted(_FUNCTIONS, key=len, reverse=True):  # sinx -> sin x
        if name.startswith(fn) and len(name) > len(fn) and fn.islower():
            return [("name", fn), *_classify_name(name[len(fn) :])]
    if name.isalpha() and len(name) <= 3:
        return [("name", ch) for ch in name]
    raise CheckError(f"unknown name {name!r} in the answer")


def _is_func(token: tuple[str, str]) -> bool:
    return token[0] == "name" and (token[1] in _FUNCTIONS or token[1] in _INTERNAL_FUNCTIONS)


def _is_atom_end(token: tuple[str, str]) -> bool:
    kind, value = token
    if kind == "num":
        return True
    if kind == "name":
        return not _is_func(token) and value not in _KEYWORDS and value != "U"
    return value == ")"


def _is_atom_start(token: tuple[str, str]) -> bool:
    kind, value = token
    if kind in ("num", "name"):
        return value not in _KEYWORDS and value != "U"
    return value == "("


def _is_plain_atom(token: tuple[str, str]) -> bool:
    """A number or a variable (not a function, keyword or operator)."""
    return token[0] in ("num", "name") and _is_atom_end(token)


def _with_internal_atoms(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Units, derivative symbols and primes become names; ``f'(x)`` is the symbol f'(x), ``y''`` is y''."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "internal" and value in ("deg", "pct"):
            out.append(("name", "DEG__" if value == "deg" else "PCT__"))
        elif kind == "internal" and value.startswith("unit:"):
            out.append(("name", f"UNIT__{value.removeprefix('unit:')}"))
        elif kind == "internal" and value.startswith("der:"):
            _, function, degree, variable = value.split(":")
            out.append(("name", f"D__{function}__{degree}__{variable}"))
        elif (kind, value) == ("op", "'"):
            if not out or not re.fullmatch(r"[A-Za-z]", out[-1][1]) or out[-1][0] != "name" or out[-1][1] in _CONSTANTS:
                raise CheckError("a prime ' follows the name of a function, as in f'(x) or y'")
            order = 1
            while i + 1 < len(tokens) and tokens[i + 1] == ("op", "'"):
                order += 1
                i += 1
            if order > 3:
                raise CheckError("derivatives of order above 3 are not read")
            variable = ""
            if i + 1 < len(tokens) and tokens[i + 1] == ("op", "("):
                inside = tokens[i + 2 : i + 4]
                if (
                    len(inside) == 2
                    and inside[1] == ("op", ")")
                    and re.fullmatch(r"[A-Za-z]", inside[0][1])
                    and inside[0][1] not in _CONSTANTS
                ):
                    variable = inside[0][1]
                    i += 3
                else:
                    raise CheckError("a derivative at a point, like f'(2), is not read; write its value")
            out[-1] = ("name", f"D__{out[-1][1]}__{order}__{variable}")
        else:
            out.append((kind, value))
        i += 1
    return out


def _matching_back(tokens: list[tuple[str, str]], end: int) -> int:
    depth = 0
    for i in range(end, -1, -1):
        if tokens[i][1] in (")", "]"):
            depth += 1
        elif tokens[i][1] in ("(", "["):
            depth -= 1
            if depth == 0:
                return i
    raise CheckError("unbalanced brackets in the answer")


def _with_factorials(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``n!`` -> ``factorial(n)``, ``(n+1)!`` -> ``factorial((n+1))``; ``n!!`` (double factorial) is refused."""
    out: list[tuple[str, str]] = []
    for i, token in enumerate(tokens):
        if token != ("op", "!"):
            out.append(token)
            continue
        if i + 1 < len(tokens) and tokens[i + 1] == ("op", "!"):
            raise CheckError("'!!' (a double factorial, or a factorial of a factorial?) is ambiguous; write (n!)!")
        if not out:
            raise CheckError("'!' must follow a number or a bracket, as in 5! or (n+1)!")
        prev = out[-1]
        if prev[1] == ")":
            start = _matching_back(out, len(out) - 1)
            if start > 0 and _is_func(out[start - 1]):
                start -= 1
        elif _is_plain_atom(prev):
            start = len(out) - 1
        else:
            raise CheckError("'!' must follow a number or a bracket, as in 5! or (n+1)!")
        operand = out[start:]
        del out[start:]
        out += [("name", "factorial"), ("op", "("), *operand, ("op", ")")]
    return out


def _run_end(tokens: list[tuple[str, str]], j: int) -> int:
    """The end of the argument of a function written without parentheses: ``2x`` in ``sin 2x``, ``x^2`` in ``ln x^2``.

    It is a run of numbers and variables multiplied by juxtaposition, each with its power.
    """
    k = j
    while k < len(tokens) and _is_plain_atom(tokens[k]):
        k += 1
        if k < len(tokens) and tokens[k][1] == "**":
            p = k + 1
            if p < len(tokens) and tokens[p][1] in ("-", "+"):
                p += 1
            if p < len(tokens) and tokens[p][1] == "(":
                k = _matching(tokens, p) + 1
            elif p < len(tokens) and _is_plain_atom(tokens[p]):
                k = p + 1
            else:
                raise CheckError("an exponent is missing its value")
    return k


def _power_end(tokens: list[tuple[str, str]], p: int) -> int:
    """The end of the exponent starting at ``p`` (a bracketed group or one number or name), or ``p`` if none."""
    if p < len(tokens) and tokens[p][1] == "(":
        return _matching(tokens, p) + 1
    if p < len(tokens) and _is_plain_atom(tokens[p]):
        return p + 1
    return p


def _with_calls(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``sin x`` -> ``sin(x)``, ``sin 2x`` -> ``sin(2x)``, ``sin x^2`` -> ``sin(x^2)``; ``sin**2(x)`` and ``sin**2 x`` ->
    ``sin(x)**2``; ``|x|`` -> ``Abs(x)``."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if _is_func(token) and nxt is not None and nxt[1] == "**":
            if i + 3 < len(tokens) and tokens[i + 2][1] == "(" and tokens[i + 3][1] == "-":
                raise CheckError("sin^-1 x: the inverse function or 1/sin x? Write arcsin(x) or 1/sin(x)")
            power_end = _power_end(tokens, i + 2)
            if power_end > i + 2 and power_end < len(tokens):
                power = tokens[i + 2 : power_end]
                if tokens[power_end][1] == "(":
                    close = _matching(tokens, power_end)
                    out += [token, *tokens[power_end : close + 1], ("op", "**"), *power]
                    i = close + 1
                    continue
                end = _run_end(tokens, power_end)
                if end > power_end:
                    out += [token, ("op", "("), *tokens[power_end:end], ("op", ")"), ("op", "**"), *power]
                    i = end
                    continue
        if _is_func(token) and nxt is not None and _is_plain_atom(nxt):
            end = _run_end(tokens, i + 1)
            out += [token, ("op", "("), *tokens[i + 1 : end], ("op", ")")]
            i = end
            continue
        out.append(token)
        i += 1
    return _abs_bars(out)


def _operand_end(tokens: list[tuple[str, str]], j: int) -> int:
    """The end of what ``\\log_b`` or ``d/dx`` applies to: a bracket, a call (with its power), or a run as for a function."""
    if j >= len(tokens):
        raise CheckError("a logarithm or derivative has nothing to apply to")
    if tokens[j][1] == "(":
        return _matching(tokens, j) + 1
    if _is_func(tokens[j]) and j + 1 < len(tokens) and tokens[j + 1][1] == "(":
        end = _matching(tokens, j + 1) + 1
        if end < len(tokens) and tokens[end][1] == "**":
            power_end = _power_end(tokens, end + 1)
            if power_end == end + 1:
                raise CheckError("an exponent is missing its value")
            end = power_end
        return end
    end = _run_end(tokens, j)
    if end == j:
        raise CheckError("a logarithm or derivative has nothing to apply to")
    return end


def _with_operators(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``\\log_b X`` -> ``log(X, b)``; ``d/dx X`` -> ``DIFF__(X, x, n)``. The innermost (rightmost) first."""
    out = list(tokens)
    for _ in range(MAX_TOKENS):
        places = [i for i, t in enumerate(out) if t[0] == "internal"]
        if not places:
            return out
        i = places[-1]
        kind = out[i][1]
        if kind == "logb":
            if i + 1 >= len(out) or out[i + 1][1] != "(":
                raise CheckError("a logarithm's base is missing")
            base_end = _matching(out, i + 1) + 1
            end = _operand_end(out, base_end)
            out[i:end] = [("name", "log"), ("op", "("), *out[base_end:end], ("op", ","), *out[i + 1 : base_end], ("op", ")")]
        elif kind.startswith("diff:"):
            _, variable, order = kind.split(":")
            end = _operand_end(out, i + 1)
            # d/dx x^2 sin x, d/dx x^2 + 1, d/dx (x^2)^2: the derivative of it all, or of its first part?
            # (d/dx (x^2) + 1 is clear: the brackets end what it applies to)
            follows: tuple[str, ...] = (")", "]", "}", ",", "=", "<", ">", "<=", ">=", "!=")
            if out[i + 1][1] == "(":
                follows += ("+", "-", "*", "/")
            if end < len(out) and out[end][1] not in follows:
                raise CheckError("write what d/dx applies to in brackets, as in d/dx (x sin x)")
            operand = out[i + 1 : end]
            out[i:end] = [
                ("name", "DIFF__"),
                ("op", "("),
                *operand,
                ("op", ","),
                ("name", variable),
                ("op", ","),
                ("num", order),
                ("op", ")"),
            ]
        else:
            raise CheckError(f"unexpected {kind!r} in the answer")
    raise CheckError("too many logarithms or derivatives in the answer")


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
        if tokens[i][1] in ("(", "[", "{"):
            depth += 1
        elif tokens[i][1] in (")", "]", "}"):
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


def _reversed_brackets(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The French interval notation: ``]0, 1[`` is (0, 1), ``[0, 1[`` is [0, 1), ``]0, 1]`` is (0, 1].

    A ``]`` where an operand must start opens an interval; a ``[`` right after an operand closes one.
    """

    def operand_ended(i: int) -> bool:
        return i > 0 and (_is_atom_end(tokens[i - 1]) or tokens[i - 1][1] == "]")

    def reversed_open(i: int) -> bool:
        return tokens[i][1] == "]" and not operand_ended(i) and (i == 0 or tokens[i - 1][1] != "[")

    def reversed_close(i: int) -> bool:
        return tokens[i][1] == "[" and operand_ended(i)

    if not any(reversed_open(i) or reversed_close(i) for i in range(len(tokens))):
        return tokens
    stack: list[int] = []
    replace: dict[int, list[tuple[str, str]]] = {}
    for i, (_, value) in enumerate(tokens):
        if reversed_open(i) or (value in ("(", "[", "{") and not reversed_close(i)):
            stack.append(i)
        elif reversed_close(i) or value in (")", "]", "}"):
            if not stack:
                raise CheckError("unbalanced brackets in the answer")
            start = stack.pop()
            if reversed_open(start) or reversed_close(i):
                if tokens[start][1] == "{" or value == "}" or _top_level_commas(tokens, start, i) != 1:
                    raise CheckError("an interval needs exactly two endpoints")
                left_open, right_open = tokens[start][1] != "[", value != "]"
                replace[start] = [("name", "Interval"), ("op", "(")]
                replace[i] = [("op", ","), ("name", str(left_open)), ("op", ","), ("name", str(right_open)), ("op", ")")]
    result: list[tuple[str, str]] = []
    for i, token in enumerate(tokens):
        result += replace.get(i, [token])
    return result


def _with_intervals(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Rewrite half-open brackets ``[a, b)`` and ``(a, b]`` into ``Interval(a, b, False, True)``."""
    out = list(tokens)
    stack: list[int] = []
    replace: dict[int, list[tuple[str, str]]] = {}
    depth_max = 0
    for i, (_, value) in enumerate(out):
        if value in ("(", "[", "{"):
            stack.append(i)
            depth_max = max(depth_max, len(stack))
            if depth_max > MAX_DEPTH:
                raise CheckError(f"the answer is nested deeper than {MAX_DEPTH} levels")
        elif value in (")", "]", "}"):
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
        if value in ("(", "[", "{"):
            depth += 1
        elif value in (")", "]", "}"):
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
        if kind == "name":
            tokens += _classify_name(value)
        elif kind == "internal":
            tokens.append((kind, value.strip("\x02")))
        else:
            tokens.append((kind, value))
    tokens = _with_factorials(_with_internal_atoms(tokens))
    tokens = _with_operators(_with_calls(tokens))
    tokens = _with_intervals(_reversed_brackets(_with_products(tokens)))
    if len(tokens) > 4 * MAX_TOKENS:
        raise CheckError("the answer is too long once rewritten")
    tokens = [("op", "==") if t == ("op", "=") else t for t in tokens]
    bare = _top_level_commas([("op", "(")] + tokens + [("op", ")")], 0, len(tokens) + 1) > 0
    source = " ".join(value for _, value in tokens)
    source = source.replace(" U ", " | ")
    return source, bare


# ---------------------------------------------------------------- build


_ALLOWED_NODES = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.UnaryOp,
    ast.USub,
    ast.UAdd,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Pow,
    ast.BitOr,
    ast.BitAnd,
    ast.Call,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Dict,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.BoolOp,
    ast.And,
    ast.Or,
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
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and (node.func.id in _FUNCTIONS or node.func.id in _INTERNAL_FUNCTIONS)
        ):
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
        limit = math.log10(502) if node.func.id == "factorial" else 4  # the builder's own limits: 500! and 10^4
        if any(c is not None and c > limit for c in children[1:]):
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


def _plus_minus_variants(text: str) -> list[str]:
    """``x = \\pm 2`` is read twice, with + and with -; one ± at most."""
    found = _PLUS_MINUS.findall(text)
    if not found:
        return [text]
    if len(found) > 1:
        raise CheckError("more than one ± in the answer")
    return [_PLUS_MINUS.sub("+", text), _PLUS_MINUS.sub("-", text)]


def check_syntax(text: str) -> None:
    """Refuse unsafe or unreadable text without building anything (no sympy)."""
    for variant in _plus_minus_variants(text):
        _syntax_tree(variant)


def parse_math(text: str) -> ParsedMath:
    """Parse an answer into sympy objects, safely; :class:`CheckError` when it cannot."""
    readings = [_parse_one(variant) for variant in _plus_minus_variants(text)]
    if len(readings) == 1:
        return readings[0]
    import sympy as sp

    plus, minus = readings

    def both(a: Any, b: Any) -> Any:
        if isinstance(a, sp.Equality) and isinstance(b, sp.Equality):
            return a if a == b else sp.Or(a, b)
        if isinstance(a, sp.Expr) and isinstance(b, sp.Expr):
            return sp.FiniteSet(a, b)
        raise CheckError("± is read in a value (the set of both) or an equation (either one holds)")

    unitless = both(plus.unitless, minus.unitless) if plus.unitless is not None and minus.unitless is not None else None
    places = [p.decimals for p in readings if p.decimals is not None]
    return ParsedMath(
        value=both(plus.value, minus.value),
        text=text,
        decimals=max(places) if places else None,
        unitless=unitless,
        unit=plus.unit,
        texts=plus.texts | minus.texts,
    )


def _parse_one(text: str) -> ParsedMath:
    source, bare, tree = _syntax_tree(text)
    builder = _Builder(source)
    value = builder.build(tree.body, 0)
    texts = frozenset(builder.texts)
    if not builder.units:
        return ParsedMath(
            value=value,
            text=text,
            decimals=builder.decimals,
            bare=bare,
            texts=texts,
            rebuild=functools.partial(_as_written, source, tree),
        )
    sp = builder.sympy
    unitless, unit = None, ""
    if builder.top_units:
        unitless = _substitute(value, {builder.unit_symbols[u]: sp.Integer(1) for u in builder.units})
        unit = " and ".join(sorted(builder.top_units))
    value = _substitute(value, {builder.unit_symbols[u]: _UNIT_VALUES[u](sp) for u in builder.units})
    return ParsedMath(value=value, text=text, decimals=builder.decimals, bare=bare, unitless=unitless, unit=unit, texts=texts)


def _as_written(source: str, tree: Any) -> Any:
    """The expression built with sympy's automatic evaluation off: where it is defined is still visible.

    sympy turns e^(2 ln x) into x^2 and sqrt(x)^2 into x as it builds them,
    which hides that the written answer is undefined for x < 0.
    """
    import sympy as sp

    if "DIFF__" in source:  # a derivative is computed, not written: its unevaluated form is sympy's, not the answer's
        return None
    try:
        with sp.evaluate(False):
            return _Builder(source).build(tree.body, 0)
    except Exception:  # noqa: BLE001 - some constructs need evaluation; the domain is then read from the value
        return None


_UNIT_VALUES = {"degrees": lambda sp: sp.pi / 180, "percent": lambda sp: sp.Rational(1, 100)}


def _substitute(value: Any, mapping: dict[Any, Any]) -> Any:
    if isinstance(value, list):
        return [_substitute(v, mapping) for v in value]
    try:
        return value.subs(mapping)
    except (TypeError, ValueError, AttributeError, ZeroDivisionError) as error:
        raise CheckError(f"cannot read the units in the answer: {error}") from error


class _Builder:
    def __init__(self, source: str) -> None:
        import sympy

        self.sympy = sympy
        self.source = source
        self.decimals: int | None = None
        self.unit_symbols = {"degrees": sympy.Symbol("°"), "percent": sympy.Symbol("%")}
        self.units: set[str] = set()  # the units the answer uses
        self.top_units: set[str] = set()  # those used outside every function
        self.texts: set[str] = set()  # words written in \text{...}: units the checker does not convert
        self._in_function = 0

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
        if name in _FUNCTIONS or name in _INTERNAL_FUNCTIONS:
            raise CheckError(f"the function {name} needs an argument in parentheses")
        if name in ("DEG__", "PCT__"):
            unit = "degrees" if name == "DEG__" else "percent"
            self.units.add(unit)
            if not self._in_function:
                self.top_units.add(unit)
            return self.unit_symbols[unit]
        derivative = re.fullmatch(r"D__([A-Za-z])__([1-3])__([A-Za-z]?)", name)
        if derivative:  # y'(x), written y', y'(x), dy/dx or \frac{dy}{dx}
            function, order, variable = derivative.groups()
            return sp.Symbol(function + "'" * int(order) + (f"({variable})" if variable else ""))
        if name.startswith("UNIT__"):
            words = bytes.fromhex(name.removeprefix("UNIT__")).decode()
            self.texts.add(words)
            return sp.Symbol(f"[{words}]")
        if "__" in name:
            raise CheckError(f"the name {name!r} is not allowed")
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
            if isinstance(op, ast.BitAnd):  # A ∩ B
                return self.sympy.Intersection(self._as_set(left), self._as_set(right))
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
            raise CheckError("'U' and '∩' join sets or intervals")
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
        if not isinstance(node.func, ast.Name) or not (node.func.id in _FUNCTIONS or node.func.id in _INTERNAL_FUNCTIONS):
            raise CheckError("only calls of known math functions are allowed")
        if node.keywords:
            raise CheckError("keyword arguments are not allowed in a math answer")
        name = _FUNCTIONS.get(node.func.id, node.func.id)
        inside = name not in _CONTAINERS
        self._in_function += inside
        try:
            args = [self.build(arg, depth) for arg in node.args]
        finally:
            self._in_function -= inside
        if not args:
            raise CheckError(f"{name} needs an argument")
        if name == "DIFF__":
            expression, variable, order = args
            if not isinstance(expression, sp.Expr) or not isinstance(variable, sp.Symbol) or order not in (1, 2, 3):
                raise CheckError("d/dx applies to an expression")
            if expression.free_symbols - {variable}:  # d/dx (x y): is y a constant or a function of x?
                raise CheckError(f"d/d{variable} of an expression in other variables is not computed: are they constants?")
            return sp.diff(expression, variable, int(order))
        if name in ("root", "cbrt"):  # the cube root of -8 is -2, as in school, not sympy's principal 1 + sqrt(3) i
            radicand, degree = args[0], (args[1] if len(args) > 1 else sp.Integer(3))
            if radicand.is_number and radicand.is_negative and degree.is_Integer and degree % 2 == 1:
                return sp.real_root(radicand, degree)
        if name == "det":
            if len(args) != 1 or not isinstance(args[0], sp.MatrixBase) or not args[0].is_square:
                raise CheckError("a determinant needs a square matrix")
            if args[0].shape[0] > 6:
                raise CheckError("the matrix is too large for a determinant here")
            return args[0].det()
        if name == "factorial" and args[0].is_Number and abs(args[0]) > 500:
            raise CheckError("the factorial is too large to compute")
        if name in ("binomial",) and any(a.is_Number and abs(a) > 10**4 for a in args):
            raise CheckError("the binomial coefficient is too large to compute")
        if name == "Matrix":
            return self._matrix(args)
        if name == "transpose":
            if len(args) != 1 or not isinstance(args[0], sp.MatrixBase):
                raise CheckError("a transpose needs a matrix")
            return args[0].T
        try:
            return getattr(sp, name)(*args)
        except (TypeError, ValueError) as error:
            raise CheckError(f"{name}(...) got arguments it cannot take: {error}") from error

    def _matrix(self, args: list[Any], *, rows_given: bool = False) -> Any:
        """``Matrix([[1, 2], [3, 4]])``, ``Matrix([1, 2], [3, 4])``; or, with ``rows_given``, the rows themselves."""
        sp = self.sympy
        rows = args if rows_given or len(args) != 1 else args[0]
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
            return self._matrix(items, rows_given=True)
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
    text: str = sp.sstr(value)
    return text
