"""Does an instruction state its whole question as one expression?

A math answer is *verified* only against a specification that did not come
from the model. The one such specification a math instruction can carry on
its own is its expression or equation, and only when that expression, with
the kind of problem and the qualifiers the wording gives (a point, bounds,
the variable, which of the roots), is the *whole* question: ``Compute
17*23``, ``Solve x^2 - 5x + 6 = 0 for x``, ``Find the derivative of x^3 at
x = 2``. ``Compute 17*23, then add 5`` and ``A train covers 120 km in 1.5
hours ...`` state more than an expression: sympy on a fragment would answer
another question.

:func:`read_question` proves coverage the strict way: it takes the one
expression the text writes in symbols, removes the qualifiers it knows, and
then *every* word left must be one that adds nothing to the question
(``what``, ``is``, ``the``, ``please``, a verb that only asks for the value,
a phrase about the answer's format) or names the kind of problem. A word it
does not know, a second expression, a number outside the expression, two
kinds of problem, or an expression whose reading is ambiguous (``1/2x``,
``2^3^2``) and it claims nothing: the question is then not one a check can
confirm, and the math checker treats the model's formalisation as the
model's own.

The reader is an allow-list of general English, not a set of templates:
anything it does not know makes it say "not shown", never "shown".
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from junto.tools.math._parse import _to_source

from junto._exceptions import CheckError
from junto._formalization import MathKind
from junto._quotes import QUOTED

__all__ = ["RootPick", "StatedQuestion", "kind_named", "read_question"]


class RootPick(str, enum.Enum):
    """Which value of an equation's roots a question asks for."""

    LARGEST = "largest"
    SMALLEST = "smallest"
    SUM = "sum"
    PRODUCT = "product"
    POSITIVE = "positive"
    NEGATIVE = "negative"


@dataclass(frozen=True)
class StatedQuestion:
    """A question the instruction states in full: the expression and everything asked of it."""

    kind: MathKind
    expression: str
    variable: str | None = None
    point: str | None = None  # at x = 2 (evaluate, derivative); "a, b" bounds (integral); the approached value (limit)
    pick: RootPick | None = None  # solve: one value of the roots
    form: str | None = None  # simplify: "expand" or "factor"


# Words that name a kind of problem. 'evaluate'-type verbs only ask for a value and are neutral.
_KIND_WORDS: dict[str, MathKind] = {
    "derivative": MathKind.DERIVATIVE,
    "differentiate": MathKind.DERIVATIVE,
    "integral": MathKind.INTEGRAL,
    "integrate": MathKind.INTEGRAL,
    "antiderivative": MathKind.INTEGRAL,
    "limit": MathKind.LIMIT,
    "lim": MathKind.LIMIT,
    "solve": MathKind.SOLVE,
    "root": MathKind.SOLVE,
    "roots": MathKind.SOLVE,
    "zero": MathKind.SOLVE,
    "zeros": MathKind.SOLVE,
    "zeroes": MathKind.SOLVE,
    "solution": MathKind.SOLVE,
    "solutions": MathKind.SOLVE,
    "simplify": MathKind.SIMPLIFY,
    "expand": MathKind.SIMPLIFY,
    "factor": MathKind.SIMPLIFY,
    "factorise": MathKind.SIMPLIFY,
    "factorize": MathKind.SIMPLIFY,
}

# Words that add nothing to a question: asking, politeness, and the answer's format.
_NEUTRAL = set(
    """
    what what's whats which s is are was be the a an of value values find compute calculate evaluate determine work out get
    give me us please tell show state your final answer answers result exact exactly and or do does you i we can could
    would will need want like help to it this that following expression equation in on as last line form simplest
    lowest terms fraction reduced single number real all its with respect for over
    definite indefinite of function
    """.split()
)

_ROOT_WORD = r"(?:real\s+)?(?:roots?|solutions?|zeroe?s?)"
_PICKS: list[tuple[RootPick, re.Pattern[str]]] = [
    (RootPick.LARGEST, re.compile(rf"\b(?:larger|largest|greater|greatest|bigger|biggest)\s+{_ROOT_WORD}\b", re.I)),
    (RootPick.SMALLEST, re.compile(rf"\b(?:smaller|smallest|lesser|least)\s+{_ROOT_WORD}\b", re.I)),
    (RootPick.SUM, re.compile(rf"\bsum\s+of\s+(?:the\s+|its\s+|all\s+)*{_ROOT_WORD}\b", re.I)),
    (RootPick.PRODUCT, re.compile(rf"\bproduct\s+of\s+(?:the\s+|its\s+|all\s+)*{_ROOT_WORD}\b", re.I)),
    (RootPick.POSITIVE, re.compile(rf"\bpositive\s+{_ROOT_WORD}\b", re.I)),
    (RootPick.NEGATIVE, re.compile(rf"\bnegative\s+{_ROOT_WORD}\b", re.I)),
]

_NUMBER = r"-?\s*(?:\d+(?:\.\d+)?(?:/\d+)?|pi|π)"
_BOUND = rf"(?:{_NUMBER}|-?\s*(?:oo|∞|infinity))"
_POINT = re.compile(rf"\b(?:at|when|where|if)\s+([a-z])\s*=\s*({_NUMBER})(?![\w.]\w|\d)", re.I)
_BOUNDS = re.compile(
    rf"\b(?:from|between)\s+(?:([a-z])\s*=\s*)?({_BOUND})\s+(?:to|and)\s+(?:[a-z]\s*=\s*)?({_BOUND})(?![\w.]\w|\d)",
    re.I,
)
_APPROACH = re.compile(rf"\bas\s+([a-z])\s*(?:approaches|tends\s+to|goes\s+to|->|→)\s*({_BOUND})(?![\w.]\w|\d)", re.I)
_WITH_RESPECT = re.compile(r"\b(?:with\s+respect\s+to|wrt|for|in\s+terms\s+of|d/d)\s*([a-z])\b(?!\s*[=(^*/+-])", re.I)
_FORM = re.compile(r"\b(expand|factor)(?:ise|ize)?\b", re.I)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_MATH_TOKEN = re.compile(r"^[0-9A-Za-z+\-*/^().=<>√π×÷−²³{}\[\]|,!\\]+$")
_FUNCTION_NAMES = {"sin", "cos", "tan", "log", "ln", "exp", "sqrt", "frac", "cdot", "times", "pi", "binom", "left", "right"}
_OPERATOR = re.compile(r"[-+*/^=<>√×÷−²³!]|\\frac|\\sqrt|\\cdot|\\times|\b(?:sqrt|sin|cos|tan|log|ln|exp)\b")


def kind_named(instruction: str) -> MathKind | None:
    """The one kind of problem the instruction's words name, if exactly one (a hint, never a proof)."""
    words = {w for w in re.findall(r"[a-z]+", instruction.lower())}
    kinds = {_KIND_WORDS[w] for w in words if w in _KIND_WORDS}
    return kinds.pop() if len(kinds) == 1 else None


def read_question(instruction: str) -> StatedQuestion | None:
    """The question ``instruction`` states in full as one expression, or ``None`` when it is not shown to."""
    text = _INLINE_CODE.sub(" ", QUOTED.sub(" ", instruction))
    latex = [span.strip() for span in re.findall(r"\$\$?([^$]+)\$\$?", text)]
    rest = re.sub(r"\$\$?[^$]+\$\$?", " ", text) if latex else text
    point, bounds, approach = _POINT.search(rest), _BOUNDS.search(rest), _APPROACH.search(rest)
    qualifiers = [m for m in (point, bounds, approach) if m is not None]
    if len(qualifiers) > 1:
        return None
    for found in qualifiers:
        rest = rest.replace(found.group(0), " ")
    variable = None
    respect = _WITH_RESPECT.search(rest)
    if respect is not None:
        variable = respect.group(1)
        rest = rest.replace(respect.group(0), " ")
    pick = None
    for name, pattern in _PICKS:
        if pattern.search(rest):
            if pick is not None:
                return None
            pick = name
            rest = pattern.sub(" roots ", rest)
    spans, words = _split(rest)
    expressions = latex + spans
    if len(expressions) != 1:
        return None
    return _assemble(expressions[0], words, variable, point, bounds, approach, pick, instruction)


def _split(text: str) -> tuple[list[str], list[str]]:
    """The runs of symbol tokens (expressions) and the plain words around them.

    Sentence punctuation ends a run (``Compute 2+3. Then ...``); ``!`` after
    a digit or a bracket is a factorial, not punctuation.
    """
    spans: list[str] = []
    words: list[str] = []
    run: list[str] = []

    def close() -> None:
        if run:
            spans.append(" ".join(run))
            run.clear()

    for token in text.split():
        bare = re.sub(r"(?<![\d)!])[.,;:?!]+$|(?<=[\d)!])[.,;:?]+$", "", token)
        if bare and _is_math_token(bare):
            run.append(bare)
            if bare != token:
                close()
            continue
        close()
        words.extend(re.findall(r"[A-Za-z']+|\d+(?:\.\d+)?", token))
    close()
    kept = []
    for span in spans:  # a lone letter or number is a word ('a', 'x', '2'), not an expression
        if _OPERATOR.search(span):
            kept.append(span)
        else:
            words.extend(re.findall(r"[A-Za-z']+|\d+(?:\.\d+)?", span))
    return kept, words


def _is_math_token(token: str) -> bool:
    if not _MATH_TOKEN.match(token):
        return False
    letters = re.findall(r"[A-Za-z]+", token.replace("\\", " "))
    return all(len(w) == 1 or w.lower() in _FUNCTION_NAMES for w in letters)


def _assemble(
    expression: str,
    words: list[str],
    variable: str | None,
    point: re.Match[str] | None,
    bounds: re.Match[str] | None,
    approach: re.Match[str] | None,
    pick: RootPick | None,
    instruction: str,
) -> StatedQuestion | None:
    expression = re.sub(r"^\s*[A-Za-z]\s*\(\s*[A-Za-z]\s*\)\s*=", "", expression).strip(" ,.")  # 'f(x) = x^2' -> x^2
    expression = re.sub(r"^\s*[yY]\s*=(?!=)", "", expression).strip()
    if not expression or _ambiguous(expression):
        return None
    try:
        _to_source(expression)
    except CheckError:
        return None
    lowered = [w.lower() for w in words]
    if any(re.fullmatch(r"\d+(?:\.\d+)?", w) for w in lowered):
        return None  # a number outside the expression: the question says more than the expression
    kinds = {_KIND_WORDS[w] for w in lowered if w in _KIND_WORDS}
    unknown = [w for w in lowered if w not in _KIND_WORDS and w not in _NEUTRAL and not _is_variable(w, expression, variable)]
    if unknown or len(kinds) > 1:
        return None
    relation = re.search(r"(?<![<>!=])=(?!=)|<|>|≤|≥|\\le|\\ge", expression)
    kind = kinds.pop() if kinds else (MathKind.SOLVE if relation else MathKind.EVALUATE)
    if kind is MathKind.SOLVE and relation and re.search(r"<|>|≤|≥|\\le|\\ge", expression):
        kind = MathKind.INEQUALITY
    if kind is not MathKind.SOLVE and pick is not None:
        return None
    form = None
    if kind is MathKind.SIMPLIFY:
        found = _FORM.search(instruction)
        form = found.group(1).lower() if found else None
    if relation and kind not in (MathKind.SOLVE, MathKind.INEQUALITY):
        return None
    stated_point = None
    if point is not None:
        if kind not in (MathKind.EVALUATE, MathKind.DERIVATIVE, MathKind.SIMPLIFY):
            return None
        variable = variable or point.group(1)
        if variable != point.group(1):
            return None
        stated_point = _clean(point.group(2))
        if kind is MathKind.SIMPLIFY:
            kind = MathKind.EVALUATE
    if bounds is not None:
        if kind is not MathKind.INTEGRAL:
            return None
        if bounds.group(1):
            variable = variable or bounds.group(1)
        stated_point = f"{_clean(bounds.group(2))}, {_clean(bounds.group(3))}"
    if approach is not None:
        if kind is not MathKind.LIMIT:
            return None
        variable = variable or approach.group(1)
        stated_point = _clean(approach.group(2))
    if kind is MathKind.LIMIT and stated_point is None:
        return None
    return StatedQuestion(kind=kind, expression=expression, variable=variable, point=stated_point, pick=pick, form=form)


def _is_variable(word: str, expression: str, variable: str | None) -> bool:
    """A single letter that names a variable of the expression ('solve for x', 'in x')."""
    return (
        len(word) == 1
        and word.isalpha()
        and (word == variable or re.search(rf"(?<![A-Za-z]){word}(?![A-Za-z])", expression) is not None)
    )


def _clean(value: str) -> str:
    value = value.replace(" ", "").replace("π", "pi").replace("∞", "oo")
    return re.sub(r"infinity", "oo", value, flags=re.IGNORECASE)


def _ambiguous(expression: str) -> bool:
    """Readings that people and parsers split on: ``1/2x`` (is x under the bar?), ``2^3^2``, ``a/b/c``, ``-2^2``."""
    compact = expression.replace(" ", "")
    if re.search(r"/\d+(?:\.\d+)?[A-Za-z(√]", compact):
        return True
    if re.search(r"\^[^()+\-*/=]+\^", compact) or re.search(r"\*\*[^()+\-*/=]+\*\*", compact):
        return True
    if re.search(r"/[^()+\-*=]+/", compact):
        return True
    return bool(re.search(r"(?:^|[=(])-\d+(?:\^|\*\*)", compact))
