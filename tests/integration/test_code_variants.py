"""In the sandbox: examples that cannot tell a program from a variant of it do not verify it."""

from __future__ import annotations

import pytest
from junto.agents._loop import judge_status
from junto.sandbox import DockerSandbox
from junto.tools import check_code

from junto._tasks import Spec, Status

pytestmark = [pytest.mark.docker]

INSTRUCTION = "Write is_adult(age): a person is an adult from their 18th birthday. For example is_adult(30) returns True and is_adult(5) returns False."
DECISIVE = (
    "Write initials(name) giving the capital initials of each word joined by dots: "
    "initials('ada lovelace') == 'A.L' and initials('Grace Brewster Hopper') == 'G.B.H'."
)


async def test_examples_that_do_not_decide_leave_right_and_wrong_code_unverified() -> None:
    async with DockerSandbox.start(pool_size=2) as sandbox:
        for body in ("age >= 18", "age > 18"):  # right, and wrong at 18: both pass the two examples
            code = f"def is_adult(age):\n    return {body}\n"
            verification = await check_code(sandbox, code, instruction=INSTRUCTION, entry_point="is_adult")
            assert judge_status(verification.checks) is Status.UNVERIFIED, verification.checks
            note = next(c for c in verification.checks if c.name == "examples decide")
            assert note.passed is None and "is_adult(18)" in note.evidence
            examples = next(c for c in verification.checks if c.name == "examples")
            assert examples.passed is True and examples.spec is Spec.MODEL
            assert verification.sandbox_s > verification.report.duration_s  # the variants' run is paid for


async def test_a_bound_the_examples_never_meet_leaves_its_comparison_undecided() -> None:
    # Both examples keep the limit away from every weight: ">" and ">=" pass them alike.
    instruction = (
        "Write overweight(bags, limit) returning how many bags weigh more than the limit. "
        "overweight([12, 30, 7], 20) returns 1 and overweight([5, 9], 3) returns 2."
    )
    async with DockerSandbox.start(pool_size=2) as sandbox:
        for comparison in (">", ">="):  # right, and wrong when a bag weighs the limit exactly
            code = f"def overweight(bags, limit):\n    return sum(1 for b in bags if b {comparison} limit)\n"
            verification = await check_code(sandbox, code, instruction=instruction, entry_point="overweight")
            assert judge_status(verification.checks) is Status.UNVERIFIED, verification.checks


async def test_examples_that_decide_still_verify_and_failures_still_fail() -> None:
    right = "def initials(name):\n    return '.'.join(word[0].upper() for word in name.split())\n"
    async with DockerSandbox.start(pool_size=2) as sandbox:
        verification = await check_code(sandbox, right, instruction=DECISIVE, entry_point="initials")
        assert judge_status(verification.checks) is Status.VERIFIED, verification.checks
        assert not any(c.name == "examples decide" for c in verification.checks)
        wrong = right.replace(".upper()", "")
        failed = await check_code(sandbox, wrong, instruction=DECISIVE, entry_point="initials")
        assert judge_status(failed.checks) is Status.FAILED  # a failed example is still a failure, nothing more to ask


async def test_the_users_own_tests_are_not_second_guessed() -> None:
    code = "def is_adult(age):\n    return age > 18\n"
    async with DockerSandbox.start(pool_size=2) as sandbox:
        verification = await check_code(
            sandbox,
            code,
            user_tests="assert is_adult(40)\nassert not is_adult(3)\n",
            instruction=INSTRUCTION,
            entry_point="is_adult",
        )
    assert judge_status(verification.checks) is Status.VERIFIED  # the user said what done means
    assert not any(c.name == "examples decide" for c in verification.checks)


async def test_values_are_told_apart_as_the_examples_own_equality_does_and_rounding_must_be_exact() -> None:
    pay = "Write pay(hours, rate) for a week's pay: hours times rate. For example pay(40, 10) == 400 and pay(2, 7) == 14."
    share = "Write share(part, whole), the percentage part/whole rounded to one decimal place: share(1, 3) == 33.3 and share(1, 4) == 25.0."
    async with DockerSandbox.start(pool_size=2) as sandbox:
        floats = await check_code(
            sandbox, "def pay(hours, rate):\n    return float(hours * rate)\n", instruction=pay, entry_point="pay"
        )
        assert not any("400 against 400.0" in c.evidence for c in floats.checks), floats.checks  # equal values, as == says
        unrounded = "def share(part, whole):\n    return 100 * part / whole\n"
        verification = await check_code(sandbox, unrounded, instruction=share, entry_point="share")
        assert judge_status(verification.checks) is Status.UNVERIFIED, verification.checks  # 33.333... only near 33.3
        rounded = "def share(part, whole):\n    return round(100 * part / whole, 1)\n"
        verification = await check_code(sandbox, rounded, instruction=share, entry_point="share")
        note = next((c for c in verification.checks if c.name == "examples decide"), None)
        assert note is None or "rounding" not in note.evidence, verification.checks  # it meets them exactly
