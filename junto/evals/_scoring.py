"""Scoring an answer text part by part, with checks only (never a model's opinion).

The same function scores the ensemble's final answer and the single-model
baseline's, so the two are compared on equal terms:

- a math part passes when the answer's value (``last``: the final answer line;
  ``any``: some value quoted in the text) equals the expected one by the
  math checker;
- a code part passes when a Python block in the answer defining the entry
  point passes the item's tests in the sandbox;
- a text part passes when the prose (the answer without code blocks) meets
  the writing constraints;
- an ifeval part passes when the official IFEval checker says the whole answer
  follows its instruction (strict), see :mod:`junto.evals._ifeval`.
"""

from __future__ import annotations

import ast
import re
from fractions import Fraction

from pydantic import BaseModel

from junto._exceptions import ConfigError
from junto._fences import fences, without_fences
from junto.agents import without_labels
from junto.evals._items import CodePart, EvalItem, IfevalPart, MathPart, TextPart
from junto.sandbox._types import Sandbox

__all__ = ["PartScore", "extract_code_blocks", "extract_final_answer", "score_answer"]

_ANSWER_LINE = re.compile(r"(?im)\banswer(?:\*\*)?[ \t]*(?:is[ \t]*)?[:=]?[ \t]*(?:\*\*)?[ \t]*([^\s:].*?)[ \t]*$")
_LABEL = re.compile(r"^(?:\([^)]*\)|answer)[ \t]*(?:is)?[ \t]*[:=]?[ \t]*", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:\s*/\s*\d+)?(?!\w|\.\d)")
_BOXED = re.compile(r"\\boxed\{([^{}]*)\}")


class PartScore(BaseModel):
    type: str
    passed: bool
    detail: str = ""


def extract_code_blocks(text: str) -> list[str]:
    """Fenced code blocks, Python ones (or untagged) only, in order."""
    return [fence.body for fence in fences(text) if fence.is_python]


def _prose(text: str) -> str:
    return without_fences(text).strip()


def extract_final_answer(text: str) -> str | None:
    """The final answer: the last 'Answer: ...' line, a \\boxed{...}, or the last line."""
    prose = _prose(text)
    boxed = _BOXED.findall(prose)
    lines = _ANSWER_LINE.findall(prose)
    if lines:
        candidate = lines[-1]
    elif boxed:
        candidate = boxed[-1]
    else:
        rest = [line for line in prose.splitlines() if line.strip()]
        if not rest:
            return None
        candidate = rest[-1]
    candidate = candidate.strip().strip("*$` ").rstrip(".").strip()
    while (shorter := _LABEL.sub("", candidate, count=1)) != candidate:  # "(verified): 12", "Answer: 12"
        candidate = shorter.strip()
    if "=" in candidate:
        candidate = candidate.rsplit("=", 1)[1].strip()  # "x = 5" or "17*23 = 391": the value stated last
    return candidate or None


def _as_fraction(value: str) -> Fraction | None:
    try:
        return Fraction(value.replace(" ", ""))
    except (ValueError, ZeroDivisionError):
        return None


def _math_equal(candidate: str, expected: str) -> tuple[bool, str]:
    left, right = _as_fraction(candidate), _as_fraction(expected)
    if left is not None and right is not None:
        return left == right, "exact rational"
    from junto.tools import compare_answers

    verdict = compare_answers(candidate, expected, timeout_s=5.0)
    return verdict.equivalent is True, f"{verdict.method}: {verdict.detail}"[:200]


def _score_math(part: MathPart, answer: str) -> PartScore:
    if part.match == "last":
        final = extract_final_answer(answer)
        if final is None:
            return PartScore(type="math", passed=False, detail="no final answer found")
        try:
            equal, how = _math_equal(final, part.expected)
        except Exception as error:  # an unparsable answer is a wrong answer
            return PartScore(type="math", passed=False, detail=f"could not compare {final!r}: {error}"[:200])
        return PartScore(type="math", passed=equal, detail=f"final answer {final!r} vs expected {part.expected!r} ({how})")
    values = [v.replace(" ", "") for v in _NUMBER.findall(_prose(answer))]
    target = _as_fraction(part.expected)
    for value in values:
        got = _as_fraction(value)
        if got is not None and target is not None and got == target:
            return PartScore(type="math", passed=True, detail=f"found {value} = {part.expected}")
    return PartScore(
        type="math", passed=False, detail=f"{part.expected} not among the values quoted ({', '.join(values[:8]) or 'none'})"
    )


def _defines(code: str, name: str) -> bool:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    return any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name for node in ast.walk(tree))


async def _score_code(part: CodePart, answer: str, sandbox: Sandbox) -> PartScore:
    blocks = extract_code_blocks(answer)
    if part.humaneval and not blocks and answer.strip():
        blocks = [answer]  # a bare completion, HumanEval style
    chosen = next((b for b in reversed(blocks) if _defines(b, part.entry_point)), None)
    if chosen is None and part.humaneval and blocks:
        chosen = part.prompt + blocks[-1]  # a body completing the given function head
        if not _defines(chosen, part.entry_point):
            chosen = None
    if chosen is None:
        return PartScore(type="code", passed=False, detail=f"no Python block defining {part.entry_point}()")
    if part.humaneval:
        # As HumanEval's own harness does: the prompt (imports, helpers) comes first, so a
        # completion that restates the whole function still sees `from typing import List`.
        head = "" if chosen.startswith(part.prompt) else part.prompt + "\n"
        program = f"{head}{chosen}\n\n{part.tests}\n\ncheck({part.entry_point})\n"
    else:
        program = f"{chosen}\n\n{part.tests}\n"
    result = await sandbox.run(program, timeout=15.0)
    if result.ok:
        return PartScore(type="code", passed=True, detail="tests passed in the sandbox")
    why = "timed out" if result.timed_out else (result.stderr.strip().splitlines() or [f"exit {result.exit_code}"])[-1]
    return PartScore(type="code", passed=False, detail=f"tests failed: {why}"[:300])


def _score_text(part: TextPart, answer: str) -> PartScore:
    from junto.tools import check_writing

    checks = check_writing(_prose(answer), part.constraints)
    failed = [c for c in checks if c.passed is False]
    decided = [c for c in checks if c.passed is not None]
    if not decided:
        return PartScore(type="text", passed=False, detail="no constraint could be checked")
    detail = "; ".join(f"{c.name}: {c.evidence}" for c in (failed or decided))[:300]
    return PartScore(type="text", passed=not failed, detail=detail)


async def score_answer(item: EvalItem, answer: str, *, sandbox: Sandbox | None) -> list[PartScore]:
    """Score ``answer`` on each of ``item``'s parts; junto's labels (``without_labels``) are not scored.

    ``sandbox`` may be ``None`` only for an item without code parts.
    """
    answer = without_labels(answer)
    scores: list[PartScore] = []
    for part in item.parts:
        if isinstance(part, MathPart):
            scores.append(_score_math(part, answer))
        elif isinstance(part, CodePart):
            if sandbox is None:
                raise ConfigError(f"item {item.id} has a code part, scored in the sandbox, and no sandbox was given")
            scores.append(await _score_code(part, answer, sandbox))
        elif isinstance(part, TextPart):
            scores.append(_score_text(part, answer))
        elif isinstance(part, IfevalPart):
            from junto.evals._ifeval import score_ifeval

            scores.append(score_ifeval(part, answer, prompt=item.prompt))
        else:  # a route part scores a plan, not an answer: see junto.evals._routing
            raise ConfigError(
                f"item {item.id!r} has a {part.type} part, which scores plans, not answers", hint="run it as a routing suite"
            )
    return scores
