"""CodeSpecialist end to end: the embedded local model writes code, the real Docker sandbox judges it."""

from __future__ import annotations

import pytest
from junto.agents import AgentContext, CodeOutput, CodeSpecialist, Status, TaskKind, TaskSpec
from junto.agents._loop import judge_status
from junto.sandbox import Sandbox
from junto.tools import check_code, run_code_tests

from junto._budget import Budget, BudgetTracker
from junto._tasks import PromptForm
from junto.models import ChatModel, Roster

pytestmark = [pytest.mark.docker, pytest.mark.model]

USER_TESTS = "assert add(2, 3) == 5\nassert add(-1, 1) == 0\nassert add(10, 0) == 10\n"


async def test_code_agent_reports_honestly_what_the_sandbox_saw(local_model: ChatModel, docker_sandbox: Sandbox) -> None:
    task = TaskSpec(
        id="add",
        kind=TaskKind.CODE,
        instruction="Write a Python function add(a, b) that returns the sum of a and b.",
        tests=USER_TESTS,
        entry_point="add",
        max_attempts=2,
    )
    budget = BudgetTracker(Budget())
    ctx = AgentContext(roster=Roster.single(local_model), sandbox=docker_sandbox, budget=budget)
    result = await CodeSpecialist(max_tokens=384).run(task, {}, ctx)
    print(f"\nstatus={result.status.value} attempts={len(result.attempts)} reason={result.reason}")
    for attempt in result.attempts:
        print(f"attempt {attempt.number}: error={attempt.error} checks={[(c.name, c.passed) for c in attempt.checks]}")

    assert result.attempts, "the specialist made no attempt"
    ran = [a for a in result.attempts if a.output is not None]
    if ran:
        # Every attempt with code was judged by running it: the user's tests, or the reason it could not run.
        assert all(any(c.name in ("user tests", "runs") for c in a.checks) for a in ran)
        assert budget.spent.sandbox_s > 0
    if result.status is Status.VERIFIED:
        assert isinstance(result.output, CodeOutput)
        rerun = await run_code_tests(docker_sandbox, result.output.code, USER_TESTS, entry_point="add")
        assert rerun.passed, rerun.evidence()
    else:
        assert result.status is Status.FAILED
        assert result.reason
        if isinstance(result.output, CodeOutput):
            # "failed" must mean a test really fails: the user's, or the model's own that proves something.
            recheck = await check_code(
                docker_sandbox, result.output.code, user_tests=USER_TESTS, model_tests=result.output.tests, entry_point="add"
            )
            assert judge_status(recheck.checks) is Status.FAILED


@pytest.mark.slow
async def test_sampled_candidates_are_each_checked_in_the_sandbox_and_chosen_by_their_checks(
    local_model: ChatModel, docker_sandbox: Sandbox
) -> None:
    task = TaskSpec(
        id="add",
        kind=TaskKind.CODE,
        instruction="Write a Python function add(a, b) that returns the sum of a and b.",
        tests=USER_TESTS,
        entry_point="add",
        samples=3,
        max_attempts=1,
    )
    ctx = AgentContext(roster=Roster.single(local_model), sandbox=docker_sandbox)
    result = await CodeSpecialist(max_tokens=256).run(task, {}, ctx)
    print(f"\nstatus={result.status.value} selection={result.selection!r}")
    assert [a.candidate for a in result.attempts] == [0, 1, 2]
    assert {(a.form, a.seed) for a in result.attempts} == {
        (PromptForm.PLAIN, None),
        (PromptForm.OWN, None),
        (PromptForm.PLAIN, 2),
    }
    drawn = [a for a in result.attempts if a.output is not None]
    # a candidate that was drawn was run against the user's tests, or failed to run at all
    assert all(any(c.name in ("user tests", "runs") for c in a.checks) for a in drawn)
    not_needed = [a for a in result.attempts if a.error and a.error.startswith("not needed")]
    if result.status is Status.VERIFIED:
        rerun = await run_code_tests(docker_sandbox, result.output.code, USER_TESTS, entry_point="add")
        assert rerun.passed, rerun.evidence()
    else:
        assert not not_needed  # nothing stops the round early unless a candidate is verified
        assert result.status is Status.FAILED
