"""CodeSpecialist on FunctionModel and the local stand-in sandbox: repair loop, honesty, fallbacks."""

from __future__ import annotations

import asyncio
import json

import pytest
from junto.agents import AgentContext, CodeOutput, Status, TaskKind, TaskSpec
from junto.agents._code import CodeSpecialist, parse_code_reply

from junto._budget import Budget, BudgetTracker
from junto._exceptions import ModelResponseError
from junto._tasks import PromptForm, Spec
from junto.models import FunctionModel, Message, ModelRequest, Roster
from tests.fixtures.candidates import code_candidate
from tests.unit.test_code_local_sandbox import LocalSandbox

TASK = TaskSpec(
    id="roots",
    kind=TaskKind.CODE,
    instruction="Write roots(a, b, c) returning the real roots of a*x^2 + b*x + c sorted ascending, as ints.",
    tests="assert roots(1, -5, 6) == [2, 3]\nassert roots(1, 0, -4) == [-2, 2]\n",
)
WRONG = "def roots(a, b, c):\n    return [a, b]\n"
RIGHT = (
    "def roots(a, b, c):\n"
    "    d = (b * b - 4 * a * c) ** 0.5\n"
    "    return sorted([round((-b - d) / (2 * a)), round((-b + d) / (2 * a))])\n"
)


def _answer(code: str, tests: str = "assert roots(1, -3, 2) == [1, 2]\n") -> str:
    return f"```python\n{code}```\n```python\n{tests}```\n"


def _context(model: FunctionModel, **options) -> AgentContext:
    return AgentContext(roster=Roster.single(model), **options)


async def test_wrong_then_right_is_verified_after_two_attempts_with_evidence_fed_back() -> None:
    replies = iter([_answer(WRONG), _answer(RIGHT)])

    def reply(messages: list[Message], request: ModelRequest) -> str:
        return next(replies)

    model = FunctionModel(reply)
    budget = BudgetTracker(Budget())
    result = await CodeSpecialist().run(TASK, {}, _context(model, sandbox=LocalSandbox(), budget=budget))

    assert result.status is Status.VERIFIED
    assert len(result.attempts) == 2
    assert result.attempts[0].checks and any(c.passed is False for c in result.attempts[0].checks)
    assert isinstance(result.output, CodeOutput) and result.output.code == RIGHT
    assert result.output.entry_point == "roots"
    second_prompt = model.calls[1].messages[-1].content
    assert "roots(1, -5, 6) == [2, 3]" in second_prompt  # the failing user test, as evidence
    assert "FAILED" in second_prompt and "return [a, b]" in second_prompt  # and the code that failed
    assert budget.spent.sandbox_s > 0


async def test_user_tests_and_examples_are_in_the_prompt() -> None:
    task = TASK.model_copy(update={"instruction": TASK.instruction + " For example roots(1, -7, 12) returns [3, 4]."})
    model = FunctionModel(lambda messages, request: _answer(RIGHT))
    result = await CodeSpecialist().run(task, {}, _context(model, sandbox=LocalSandbox()))
    prompt = model.calls[0].messages[-1].content
    assert "assert roots(1, 0, -4) == [-2, 2]" in prompt and "roots(1, -7, 12)" in prompt
    assert result.status is Status.VERIFIED
    assert {c.name for c in result.checks} == {"user tests", "examples", "model tests"}


async def test_failing_throughout_is_failed_with_the_evidence() -> None:
    model = FunctionModel(lambda messages, request: _answer(WRONG))
    result = await CodeSpecialist().run(TASK, {}, _context(model, sandbox=LocalSandbox()))
    assert result.status is Status.FAILED and len(result.attempts) == TASK.max_attempts
    assert "roots(1, -5, 6) == [2, 3]" in next(c for c in result.checks if c.name == "user tests").evidence


async def test_without_a_sandbox_nothing_is_verified() -> None:
    model = FunctionModel(lambda messages, request: _answer(RIGHT))
    result = await CodeSpecialist().run(TASK, {}, _context(model))
    assert result.status is Status.UNVERIFIED and len(result.attempts) == 1
    assert "no sandbox" in result.checks[0].evidence


async def test_model_tests_that_prove_nothing_do_not_verify() -> None:
    task = TaskSpec(id="t", kind=TaskKind.CODE, instruction="Write double(x) that doubles x.")
    model = FunctionModel(
        lambda messages, request: _answer("def double(x):\n    return x\n", "assert True\nassert double(0) is not False\n")
    )
    result = await CodeSpecialist().run(task, {}, _context(model, sandbox=LocalSandbox()))
    assert result.status is Status.UNVERIFIED
    assert "proves anything" in result.checks[-1].evidence


async def test_a_json_answer_is_read_too() -> None:
    model = FunctionModel(lambda messages, request: json.dumps({"code": RIGHT, "tests": "assert roots(1, -3, 2) == [1, 2]\n"}))
    result = await CodeSpecialist().run(TASK, {}, _context(model, sandbox=LocalSandbox()))
    assert result.status is Status.VERIFIED
    assert isinstance(result.output, CodeOutput) and result.output.code == RIGHT


async def test_fenced_blocks_amid_prose_are_read() -> None:
    text = f"Here you go:\n```python\n{RIGHT}```\nTests:\n```python\nassert roots(1, -3, 2) == [1, 2]\n```\n"
    model = FunctionModel(lambda messages, request: text)
    result = await CodeSpecialist().run(TASK, {}, _context(model, sandbox=LocalSandbox()))
    assert result.status is Status.VERIFIED
    assert isinstance(result.output, CodeOutput) and result.output.tests.strip() == "assert roots(1, -3, 2) == [1, 2]"


async def test_a_reply_with_no_code_is_unusable_and_still_charged_to_its_attempt() -> None:
    replies = iter(["I cannot write that function, sorry.", _answer(RIGHT)])
    model = FunctionModel(lambda messages, request: next(replies))
    result = await CodeSpecialist().run(TASK, {}, _context(model, sandbox=LocalSandbox()))
    assert result.status is Status.VERIFIED and len(result.attempts) == 2
    unusable = result.attempts[0]
    assert unusable.output is None and "holds no Python code" in (unusable.error or "")
    assert unusable.usage.total_tokens > 0  # what the call spent shows on the attempt, not only in the budget
    assert "could not be used: the answer holds no Python code" in model.calls[1].messages[-1].content


def test_parse_code_reply_rejects_prose() -> None:
    with pytest.raises(ModelResponseError):
        parse_code_reply("I cannot write that function, sorry.")
    answer = parse_code_reply("def f():\n    return 1\n")
    assert answer.code.startswith("def f") and answer.tests == ""


def test_an_untidy_reply_is_read_as_far_as_it_is_python() -> None:
    body = "def area(w, h):\n    return w * h"
    # an "example output" block that is not Python, beside the code and its tests
    shown = f"```python\n{body}\n```\nExample output:\n```python\narea(2, 3) -> 6\n```\n```python\nassert area(2, 3) == 6\n```"
    answer = parse_code_reply(shown)
    assert answer.code == body + "\n" and answer.tests == "assert area(2, 3) == 6\n"
    # cut off at the token limit inside a second copy of the function
    cut = f"```python\n{body}\n\n\ndef area(w, h):\n    return w *"
    assert parse_code_reply(cut).code == body + "\n"
    # bare code, then a closing fence the reply never opened
    assert parse_code_reply(f"{body}\n```\n").code == body + "\n"
    # nothing whole to read: still refused
    with pytest.raises(ModelResponseError):
        parse_code_reply("```python\ndef area(w, h):\n    return (w *")
    # a module that is broken as a whole, with no block that parses alone, is kept for the check to report
    assert "return w *" in parse_code_reply("```python\ndef area(w, h):\n    return w *\n```").code


async def test_code_that_uses_the_stubs_imports_gets_them_and_is_verified() -> None:
    stub = (
        "from typing import List\n\n\ndef total(xs: List[int]) -> int:\n"
        '    """Sum of the positive numbers in xs.\n    >>> total([1, 2])\n    3\n    >>> total([-1, 0, 4])\n    4\n    """\n'
    )
    task = TaskSpec(id="t", kind=TaskKind.CODE, instruction=f"Complete the following Python function.\n\n```python\n{stub}```")
    code = "def total(xs: List[int]) -> int:\n    return sum(x for x in xs if x > 0)\n"
    model = FunctionModel(lambda messages, request: _answer(code, "assert total([4, 5]) == 9\n"))
    result = await CodeSpecialist().run(task, {}, _context(model, sandbox=LocalSandbox()))
    assert result.status is Status.VERIFIED and len(result.attempts) == 1
    assert isinstance(result.output, CodeOutput) and result.output.code == f"from typing import List\n\n{code}"


DOUBLE = "def double(x):\n    return 2 * x\n"


async def test_code_that_passes_only_its_own_tests_is_unverified() -> None:
    task = TaskSpec(id="t", kind=TaskKind.CODE, instruction="Write double(x) that doubles x.")
    model = FunctionModel(lambda messages, request: _answer(DOUBLE, "assert double(2) == 4\nassert double(-3) == -6\n"))
    result = await CodeSpecialist().run(task, {}, _context(model, sandbox=LocalSandbox()))
    assert result.status is Status.UNVERIFIED and len(result.attempts) == 1
    (check,) = result.checks
    assert (check.name, check.passed, check.spec, check.confirms) == ("model tests", True, Spec.MODEL, False)


async def test_a_failing_model_test_fails_the_attempt_even_when_the_users_pass() -> None:
    task = TaskSpec(
        id="t", kind=TaskKind.CODE, instruction="Write double(x) that doubles x.", tests="assert double(0) == 0\n", max_attempts=1
    )
    model = FunctionModel(lambda messages, request: _answer("def double(x):\n    return x * x\n", "assert double(3) == 6\n"))
    result = await CodeSpecialist().run(task, {}, _context(model, sandbox=LocalSandbox()))
    assert result.status is Status.FAILED
    assert {c.name: c.passed for c in result.checks} == {"user tests": True, "model tests": False}


async def test_the_users_tests_verify_and_say_how_many() -> None:
    model = FunctionModel(lambda messages, request: _answer(RIGHT))
    result = await CodeSpecialist().run(TASK, {}, _context(model, sandbox=LocalSandbox()))
    assert result.status is Status.VERIFIED
    user = next(c for c in result.checks if c.name == "user tests")
    assert (user.spec, user.evidence, user.confirms) == (Spec.USER, "passes the user's 2 tests", True)
    assert next(c for c in result.checks if c.name == "model tests").spec is Spec.MODEL


async def test_examples_in_the_instruction_alone_verify_and_say_how_many() -> None:
    instruction = "Write double(x) that doubles x: double(2) returns 4, and\n>>> double(-5)\n-10\n>>> double(0)\n0\n"
    task = TaskSpec(id="t", kind=TaskKind.CODE, instruction=instruction)
    model = FunctionModel(lambda messages, request: _answer(DOUBLE, "assert double(7) == 14\n"))
    result = await CodeSpecialist().run(task, {}, _context(model, sandbox=LocalSandbox()))
    assert result.status is Status.VERIFIED
    examples = next(c for c in result.checks if c.name == "examples")
    assert examples.spec is Spec.INSTRUCTION
    assert examples.evidence == (
        "passes the 3 examples stated in the instruction; "
        "each of 3 one-change variants of the code fails them or matches it on 14 inputs near theirs"
    )


VOWELS_TASK = TaskSpec(
    id="v",
    kind=TaskKind.CODE,
    instruction="Write count_vowels(s), the number of vowels in s, whatever their case.\n"
    "count_vowels('hello') == 2\ncount_vowels('sky') == 0\ncount_vowels('queue') == 4\n",
    samples=3,
    max_attempts=1,
)
LOWER_ONLY = "def count_vowels(s):\n    return sum(1 for ch in s if ch in 'aeiou')\n"
ANY_CASE = "def count_vowels(s):\n    return sum(ch in set('aeiouAEIOU') for ch in s)\n"
ANY_CASE_TOO = "def count_vowels(s):\n    return len([ch for ch in s if ch in 'aeiouAEIOU'])\n"


def _by_candidate(codes: dict[int, str]) -> FunctionModel:
    """A model whose candidate ``i`` answers ``codes[i]``."""
    return FunctionModel(
        lambda messages, request: _answer(codes[code_candidate(messages, request)], "assert count_vowels('a') == 1\n")
    )


async def test_examples_that_two_candidates_pass_while_behaving_differently_verify_neither() -> None:
    model = _by_candidate({0: ANY_CASE, 1: LOWER_ONLY, 2: ANY_CASE_TOO})
    result = await CodeSpecialist().run(VOWELS_TASK, {}, _context(model, sandbox=LocalSandbox()))
    assert result.status is Status.UNVERIFIED
    assert [a.candidate for a in result.attempts] == [0, 1, 2]  # the round was not cut short by the examples alone
    for attempt in result.attempts:
        assert next(c for c in attempt.checks if c.name == "examples").passed is True  # all pass the stated examples
        decide = next(c for c in attempt.checks if c.name == "examples decide")
        assert decide.passed is None and "do not decide" in decide.evidence
    first = next(c for c in result.attempts[0].checks if c.name == "examples decide")
    assert "candidate 1 of this round" in first.evidence  # the one that counts only lower-case vowels
    assert result.output.code in (ANY_CASE, ANY_CASE_TOO)  # two of three behave alike: the vote picks one of them
    assert "(unverified; verified by its own checks, not once held to its rivals)" in result.selection


async def test_candidates_that_behave_alike_keep_the_examples_verdict_and_say_so() -> None:
    model = _by_candidate({0: ANY_CASE, 1: ANY_CASE_TOO, 2: ANY_CASE})
    result = await CodeSpecialist().run(VOWELS_TASK, {}, _context(model, sandbox=LocalSandbox()))
    assert result.status is Status.VERIFIED
    examples = next(c for c in result.checks if c.name == "examples")
    assert examples.spec is Spec.INSTRUCTION
    assert examples.evidence.endswith("the one other candidate of this round fails them or matches it on 24 inputs near theirs")


async def test_a_rival_that_fails_the_examples_weakens_nothing_and_the_users_tests_still_end_the_round() -> None:
    wrong = "def count_vowels(s):\n    return len(s)\n"
    model = _by_candidate({0: ANY_CASE, 1: wrong, 2: wrong})
    alone = await CodeSpecialist().run(VOWELS_TASK, {}, _context(model, sandbox=LocalSandbox()))
    assert alone.status is Status.VERIFIED and alone.output.code == ANY_CASE
    assert not any(c.name == "examples decide" for c in alone.checks)
    users = VOWELS_TASK.model_copy(update={"tests": "assert count_vowels('AEIOU') == 5\n"})
    model = _by_candidate({0: ANY_CASE, 1: LOWER_ONLY, 2: LOWER_ONLY})
    result = await CodeSpecialist().run(users, {}, _context(model, sandbox=LocalSandbox()))
    assert result.status is Status.VERIFIED and result.output.code == ANY_CASE
    assert next(c for c in result.checks if c.name == "user tests").confirms


async def test_the_first_candidate_is_asked_in_plain_words_and_a_retry_in_the_specialists_own() -> None:
    task = TaskSpec(
        id="vowels",
        kind=TaskKind.CODE,
        instruction="Write count_vowels(s), the number of vowels in s.\ncount_vowels('Tea') == 2\n",
        max_attempts=2,
    )
    wrong = "def count_vowels(s):\n    return len(s)\n"
    replies = iter([f"Here you go:\n```python\n{wrong}```\nIt counts the vowels.", _answer(ANY_CASE, "")])
    model = FunctionModel(lambda messages, request: next(replies))
    result = await CodeSpecialist().run(task, {}, _context(model, sandbox=LocalSandbox()))
    plain, retry = model.calls
    assert [m.role for m in plain.messages] == ["user"] and plain.messages[0].content == task.instruction
    assert retry.messages[0].role == "system" and "return len(s)" in retry.messages[-1].content  # the evidence, fed back
    assert [a.form for a in result.attempts] == [PromptForm.PLAIN, PromptForm.OWN]
    assert result.status is Status.VERIFIED and result.output.code == ANY_CASE


async def test_several_candidates_take_turns_between_the_plain_and_the_own_wording() -> None:
    task = VOWELS_TASK.model_copy(update={"samples": 3, "max_attempts": 1})
    model = _by_candidate({0: LOWER_ONLY, 1: LOWER_ONLY, 2: LOWER_ONLY})
    result = await CodeSpecialist().run(task, {}, _context(model, sandbox=LocalSandbox()))
    assert sorted((a.candidate, a.form) for a in result.attempts) == [
        (0, PromptForm.PLAIN),
        (1, PromptForm.OWN),
        (2, PromptForm.PLAIN),
    ]
    asked = sorted(len(call.messages) for call in model.calls)
    assert asked == [1, 1, 2]  # two plain requests (the user's words alone), one with the specialist's system prompt


async def test_a_candidate_not_needed_keeps_the_wording_it_would_have_been_asked_in() -> None:
    users = VOWELS_TASK.model_copy(update={"tests": "assert count_vowels('AEIOU') == 5\n"})

    async def reply(messages, request) -> str:
        candidate = code_candidate(messages, request)
        if candidate:  # still being written when candidate 0 is verified, however loaded the machine
            await asyncio.sleep(60)
        return _answer(ANY_CASE, "assert count_vowels('a') == 1\n")

    result = await CodeSpecialist().run(users, {}, _context(FunctionModel(reply), sandbox=LocalSandbox()))
    assert result.status is Status.VERIFIED and result.output.code == ANY_CASE
    # candidate 0 is verified; the two others are cancelled, and candidate 2 was to be asked plainly, as 0 was
    assert sorted(a.candidate for a in result.attempts if a.error is not None and a.error.startswith("not needed")) == [1, 2]
    forms = {a.candidate: a.form for a in result.attempts}
    assert forms == {0: PromptForm.PLAIN, 1: PromptForm.OWN, 2: PromptForm.PLAIN}
