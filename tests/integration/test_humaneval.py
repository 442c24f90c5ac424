"""HumanEval in the real Docker sandbox: every canonical solution passes, broken ones do not."""

from __future__ import annotations

import time

import pytest
from junto.sandbox import Sandbox

from junto.evals import check_humaneval, load_humaneval, mutants
from junto.evals._humaneval import check_many

pytestmark = [pytest.mark.docker, pytest.mark.slow]

# Measured on this suite: 497 mutants, about 95% rejected. The survivors are
# mutants HumanEval's own tests cannot tell apart (weak tests, or an
# equivalent change such as an off-by-one in a bound that is never reached).
MIN_REJECTION_RATE = 0.9


def test_the_164_problems_load() -> None:
    problems = load_humaneval()
    assert len(problems) == 164
    assert problems[0].task_id == "HumanEval/0" and problems[0].entry_point == "has_close_elements"
    assert all(len(mutants(p)) >= 1 for p in problems)
    assert [m.name for m in mutants(problems[0])] == [m.name for m in mutants(problems[0])]


async def test_a_completion_is_checked_with_evidence(docker_sandbox: Sandbox) -> None:
    problem = load_humaneval()[0]
    good = await check_humaneval(docker_sandbox, problem, problem.canonical_solution)
    assert good.passed is True
    bad = await check_humaneval(docker_sandbox, problem, "    return True\n")
    assert bad.passed is False and "AssertionError" in bad.evidence
    hang = await check_humaneval(docker_sandbox, problem, "    while True:\n        pass\n", timeout_s=2)
    assert hang.passed is False and "timed out" in hang.evidence


async def test_canonical_solutions_pass_and_mutants_fail(docker_sandbox: Sandbox) -> None:
    problems = load_humaneval()
    started = time.perf_counter()
    canonical = await check_many(docker_sandbox, [(p, p.prompt + p.canonical_solution) for p in problems], concurrency=4)
    failed = [(c.name, c.evidence[-300:]) for c in canonical if not c.passed]
    assert failed == []
    canonical_s = time.perf_counter() - started

    broken = [m for p in problems for m in mutants(p)]
    by_id = {p.task_id: p for p in problems}
    started = time.perf_counter()
    results = await check_many(docker_sandbox, [(by_id[m.task_id], m.program) for m in broken], concurrency=4, timeout_s=5)
    survivors = [f"{m.task_id} ({m.name})" for m, r in zip(broken, results, strict=True) if r.passed]
    rate = 1 - len(survivors) / len(broken)
    print(
        f"\nHumanEval: 164/164 canonical solutions pass in {canonical_s:.0f} s; "
        f"{len(broken) - len(survivors)}/{len(broken)} mutants rejected ({rate:.1%}) in {time.perf_counter() - started:.0f} s; "
        f"survivors: {', '.join(survivors)}"
    )
    assert rate >= MIN_REJECTION_RATE
    # The 'return None' mutant breaks every problem whose tests look at the result at all.
    nones = [(m, r) for m, r in zip(broken, results, strict=True) if m.name == "return None"]
    assert sum(r.passed is False for _, r in nones) == len(nones)
