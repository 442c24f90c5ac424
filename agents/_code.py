"""The code specialist: a model writes code and tests, the sandbox runs them.

The model answers in plain text with two fenced blocks, the code and then
its tests (asserts), read into a :class:`CodeAnswer`. Fenced blocks, not
JSON: code inside a JSON string must be escaped line by line, which small
models get wrong and which JSON-schema decoding makes slow; a model that
answers with a JSON object ``{"code": ..., "tests": ...}`` anyway is read
too. The check runs, in ``ctx.sandbox``, the
user's tests (``task.tests``), the examples stated in the instruction and the
model's own tests (minus those that prove nothing; see
:func:`~junto.tools.check_code`). Failed tests, with their assertion and
output, go back to the model on the next attempt. Only the user's tests and
the instruction's examples can verify the code; passing the model's own tests
leaves it unverified, failing them fails it. When several candidates are
drawn, code the examples verify is also held to the others that pass them:
if one behaves differently on an input near the examples, the examples do not
decide between them and verify neither. Without a sandbox the code is
never run and never verified.

The first candidate of a task is asked for in plain words: the instruction
alone, with no reply format and no tests to write (a small model answers the
request it was trained on far better than a long specification of a reply:
on HumanEval the embedded model asked plainly passed 11 of 143 problems, and
junto's two candidates asked in its own format 6). When several are drawn,
the plain and the specialist's own wording take turns; a retry, carrying the
checks' evidence, uses the specialist's own.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Sequence

from junto.agents._loop import (
    CheckOutcome,
    Generation,
    Settled,
    hold_round,
    judge_status,
    render_feedback,
    render_inputs,
    run_checked,
    settle_round,
    unusable,
)
from junto.tools.code._behaviour import behaviour, shared_calls
from junto.tools.code._blocks import python_blocks, with_stub_imports
from junto.tools.code._check import check_against_rivals, check_code
from junto.tools.code._examples import examples_as_tests
from junto.tools.code._tests import TestOrigin, syntax_error
from pydantic import BaseModel, Field

from junto._exceptions import ModelResponseError
from junto._fences import fences
from junto._gather import gather_all
from junto._tasks import (
    AgentContext,
    Attempt,
    CheckResult,
    CodeOutput,
    Spec,
    Status,
    TaskKind,
    TaskOutput,
    TaskResult,
    TaskSpec,
)
from junto.models._types import Message, Model, ModelRequest

__all__ = ["CodeAnswer", "CodeSpecialist", "parse_code_reply"]

_SYSTEM = """You write Python code for one task, and tests for it.
Reply with two ```python blocks and nothing else:
1. a complete Python module that defines the requested function (no prints, no input());
2. a few lines like `assert f(2) == 4` that call your function on concrete inputs and check the exact result.
Use only the standard library.
Example reply for "Write square(x)":
```python
def square(x):
    return x * x
```
```python
assert square(3) == 9
assert square(-2) == 4
```"""


class CodeAnswer(BaseModel):
    """What the model is asked to produce."""

    code: str = Field(description="a complete Python module")
    tests: str = Field(default="", description="assert lines that check the code")


def _unfence(text: str) -> str:
    blocks = python_blocks(text)
    return "\n\n".join(b.strip() for b in blocks) + "\n" if blocks else text.strip() + "\n"


def _is_tests(block: str) -> bool:
    try:
        tree = ast.parse(block)
    except SyntaxError:
        return False
    kinds = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
    return bool(kinds) and all(
        isinstance(n, ast.Assert) or (isinstance(n, ast.FunctionDef) and n.name.startswith("test")) for n in kinds
    )


def parse_code_reply(text: str) -> CodeAnswer:
    """Code and tests from an answer: fenced blocks, a JSON object with ``code`` and ``tests``, or bare Python.

    A small model's reply is often untidy, and what it wrote is read as far as
    it is Python, never rewritten: a block that is not Python among blocks that
    are (``f('aab') -> 'b'`` shown as "example output") is left out; a reply
    cut off inside its only block (at the token limit) keeps the whole
    statements before the cut; bare code followed by a closing fence it never
    opened is read as the code. The checks then judge what was read.
    """
    answer = _json_answer(text)
    if answer is not None:
        return answer
    blocks = [b.strip() for b in python_blocks(text) if b.strip()] or _unfenced(text)
    if not blocks:
        raise ModelResponseError("the answer holds no Python code (no ``` block, and the text is not Python)")
    tests = [b for b in blocks if _is_tests(b)]
    code = [b for b in blocks if b not in tests]
    if not code:
        raise ModelResponseError("the answer holds tests but no code")
    if syntax_error("\n\n".join(code)) is not None:
        code = [b for b in code if syntax_error(b) is None] or code  # one broken block would break the module the others make
    return CodeAnswer(code="\n\n".join(code) + "\n", tests="\n".join(tests) + ("\n" if tests else ""))


def _unfenced(text: str) -> list[str]:
    """The code of a reply with no closed block: bare Python, a block cut off before its fence closed, or code before a stray closing fence."""
    stripped = text.strip()
    if stripped and syntax_error(stripped) is None:
        return [stripped]
    opened = fences(text, unclosed=True)
    cut_off = [opened[-1].body] if opened and opened[-1].is_python else []  # the statements it finished before the limit
    before = [text[: text.find("```")]] if "```" in text else []  # code, then a fence it never opened
    for source in (*cut_off, *before):
        if whole := _whole_statements(source):
            return [whole]
    return []


def _whole_statements(source: str) -> str:
    """The longest run of ``source``'s first lines that parses and defines something, cut where a top-level statement starts; '' if none."""
    lines = source.rstrip().splitlines()
    starts = [i for i, line in enumerate(lines) if line[:1] not in ("", " ", "\t", ")", "]", "}")]
    for end in sorted({*starts[1:], len(lines)}, reverse=True):
        prefix = "\n".join(lines[:end]).strip()
        try:
            tree = ast.parse(prefix)
        except SyntaxError:
            continue
        if any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for node in tree.body):
            return prefix
    return ""


def _json_answer(text: str) -> CodeAnswer | None:
    stripped = text.strip()
    if not stripped.startswith("{"):
        return None
    try:
        answer = CodeAnswer.model_validate_json(stripped)
    except ValueError:
        return None
    if not answer.code.strip():
        return None
    return CodeAnswer(code=_unfence(answer.code), tests=_unfence(answer.tests) if answer.tests.strip() else "")


def _entry_point(task: TaskSpec, code: str) -> str | None:
    if task.entry_point:
        return task.entry_point
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    names = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and not n.name.startswith("_")]
    return names[0] if names else None


class CodeSpecialist:
    """Writes code with a model and runs it, with its tests, in the sandbox.

    ``timeout_s`` bounds one sandbox run (all tests); ``per_test_s`` one test.
    """

    kind = TaskKind.CODE

    def __init__(self, *, max_tokens: int = 1024, timeout_s: float = 30.0, per_test_s: float = 5.0) -> None:
        self.max_tokens = max_tokens
        self.timeout_s = timeout_s
        self.per_test_s = per_test_s

    async def run(self, task: TaskSpec, inputs: dict[str, TaskResult], ctx: AgentContext) -> TaskResult:
        return await run_checked(
            task,
            inputs,
            ctx,
            generate=self._generate,
            plain=self._generate_plain,
            check=self._check,
            agree=self._behaviour,
            rivals=self._rivals,
        )

    async def hold(self, drawn: list[Attempt], task: TaskSpec, ctx: AgentContext) -> list[Attempt]:
        """A round of already checked candidates held to each other, as :meth:`run` holds them (no answer chosen)."""
        return await hold_round(drawn, self._rivals, task, ctx)

    async def settle(self, drawn: list[Attempt], task: TaskSpec, ctx: AgentContext, *, hold: bool = True) -> Settled:
        """Settle a round of already checked candidates as :meth:`run` does; ``hold=False`` skips holding them to each other."""
        return await settle_round(drawn, task, ctx, agree=self._behaviour, rivals=self._rivals if hold else None)

    def _prompt(self, task: TaskSpec, inputs: dict[str, TaskResult], history: list[Attempt]) -> str:
        parts = [render_inputs(inputs), f"Task: {task.instruction}"]
        if task.entry_point:
            parts.append(f"Name the function {task.entry_point}.")
        given = "\n".join(
            t for t in (task.tests, examples_as_tests(task.instruction, entry_point=task.entry_point)) if t and t.strip()
        )
        if given:
            parts.append(f"Your code must pass these tests:\n{given.strip()}")
        previous = history[-1].output if history else None
        feedback = render_feedback(history)
        if feedback and isinstance(previous, CodeOutput):
            parts.append(f"Your previous code:\n```python\n{previous.code.strip()}\n```")
        parts.append(feedback)
        return "\n\n".join(p for p in parts if p)

    async def _generate(self, model: Model, task: TaskSpec, inputs: dict[str, TaskResult], history: list[Attempt]) -> Generation:
        return await self._write(model, task, [Message.system(_SYSTEM), Message.user(self._prompt(task, inputs, history))])

    async def _generate_plain(
        self, model: Model, task: TaskSpec, inputs: dict[str, TaskResult], history: list[Attempt]
    ) -> Generation:
        """The task as a person would ask it: the instruction, its inputs and the user's tests; no reply format, no tests asked for."""
        ask = [render_inputs(inputs), task.instruction]
        if task.entry_point and task.entry_point not in task.instruction:
            ask.append(f"Name the function {task.entry_point}.")
        if task.tests and task.tests.strip():
            ask.append(f"It must pass these tests:\n{task.tests.strip()}")
        return await self._write(model, task, [Message.user("\n\n".join(p for p in ask if p))])

    async def _write(self, model: Model, task: TaskSpec, messages: list[Message]) -> Generation:
        completion = await model.complete(ModelRequest(messages=messages, max_tokens=self.max_tokens))
        try:
            answer = parse_code_reply(completion.text)
        except ModelResponseError as error:
            raise unusable(error.message, completion) from None
        code = with_stub_imports(answer.code, task.instruction)
        output = CodeOutput(code=code, tests=answer.tests, entry_point=_entry_point(task, code))
        return Generation(output=output, completion=completion)

    async def _behaviour(self, candidates: Sequence[Attempt], task: TaskSpec, ctx: AgentContext) -> dict[int, str]:
        """Each candidate's results on the calls its instruction and all candidates' tests make: equal when they behave alike."""
        codes = {a.candidate: a.output for a in candidates if isinstance(a.output, CodeOutput) and a.output.entry_point}
        if ctx.sandbox is None or not codes:
            return {}
        entry = Counter(o.entry_point for o in codes.values() if o.entry_point).most_common(1)[0][0]
        sources = [task.tests or "", examples_as_tests(task.instruction, entry_point=task.entry_point)]
        sources += [o.tests for o in codes.values()]
        calls = shared_calls(entry, sources)
        sandbox = ctx.sandbox
        runs = await gather_all(behaviour(sandbox, o.code, calls, timeout_s=self.timeout_s) for o in codes.values())
        if ctx.budget is not None:
            ctx.budget.charge_sandbox(sum(seconds for _, seconds in runs))
        return {i: key for i, (key, _) in zip(codes, runs, strict=True) if key is not None}

    async def _rivals(self, candidates: Sequence[Attempt], task: TaskSpec, ctx: AgentContext) -> dict[int, list[CheckResult]]:
        """The checks of each candidate the instruction's examples verify, held to the round's other candidates that pass them."""
        codes = {a.candidate: a for a in candidates if isinstance(a.output, CodeOutput)}
        sandbox = ctx.sandbox
        if sandbox is None or len(codes) < 2:
            return {}
        passing = {i: a for i, a in codes.items() if any(c.name == TestOrigin.EXAMPLE.check_name and c.passed for c in a.checks)}
        tests = [a.output.tests for a in codes.values() if isinstance(a.output, CodeOutput)]

        async def held(attempt: Attempt) -> list[CheckResult]:
            assert isinstance(attempt.output, CodeOutput)
            code = attempt.output.code
            others: dict[str, str] = {}
            for other in passing.values():
                if other is not attempt and isinstance(other.output, CodeOutput) and other.output.code != code:
                    others.setdefault(other.output.code, f"candidate {other.candidate} of this round")
            checks, seconds = await check_against_rivals(
                sandbox,
                code,
                attempt.checks,
                [(which, source) for source, which in others.items()],
                instruction=task.instruction,
                entry_point=task.entry_point,
                inputs_from=tests,
                timeout_s=self.timeout_s,
            )
            if ctx.budget is not None:
                ctx.budget.charge_sandbox(seconds)
            return checks

        verified = [a for a in passing.values() if judge_status(a.checks) is Status.VERIFIED]
        revised = await gather_all(held(a) for a in verified)
        return {a.candidate: checks for a, checks in zip(verified, revised, strict=True)}

    async def _check(self, output: TaskOutput, task: TaskSpec, inputs: dict[str, TaskResult], ctx: AgentContext) -> CheckOutcome:
        assert isinstance(output, CodeOutput)
        if ctx.sandbox is None:
            problem = syntax_error(output.code)
            checks = [
                CheckResult(
                    name="sandbox", passed=None, evidence="no sandbox was available, so the code was never run", spec=Spec.MODEL
                )
            ]
            if problem is not None:
                checks.insert(
                    0, CheckResult(name="runs", passed=False, evidence=f"the code does not parse: {problem}", spec=Spec.MODEL)
                )
            return CheckOutcome(checks=checks)
        verification = await check_code(
            ctx.sandbox,
            output.code,
            user_tests=task.tests,
            model_tests=output.tests,
            instruction=task.instruction,
            entry_point=task.entry_point,
            timeout_s=self.timeout_s,
            per_test_s=self.per_test_s,
        )
        if ctx.budget is not None:
            ctx.budget.charge_sandbox(verification.sandbox_s)
        return CheckOutcome(checks=verification.checks)
