"""Time limits: a sympy job that would run forever comes back undecided within its limit."""

from __future__ import annotations

import time

import pytest
from junto.agents import CheckResult  # loaded up front, as in a run: the first check must not pay for the import
from junto.tools import Equivalence, MathAnswer, MathWorkerPool, check_claim, compare_answers
from junto.tools.math._worker import MathJob, ReplyStatus, WorkerJob, WorkerTimeout
from junto.tools.math._worker_main import _answer

from junto._exceptions import CheckError

MARGIN_S = 2.0


@pytest.fixture
def pool():
    pool = MathWorkerPool(size=1)
    pool.run("sleep", 0, timeout_s=60)  # start the worker outside the timed part
    yield pool
    pool.close()


def test_timeout_kills_and_replaces_the_worker(pool: MathWorkerPool) -> None:
    started = time.perf_counter()
    with pytest.raises(WorkerTimeout):
        pool.run("sleep", 30, timeout_s=0.5)
    assert time.perf_counter() - started < 0.5 + MARGIN_S
    assert pool.run("sleep", 0, timeout_s=60) is None  # a fresh worker answers
    assert pool.started == 2


def test_pathological_simplify_is_undecided_within_the_limit(pool: MathWorkerPool) -> None:
    # expanding and solving these takes sympy well over 10 s (a number the sampling alone decides is not asked here)
    a = "(x + y + z + w)^40 * (x - y)^30 = 1"
    b = "(x + y + z + w)^40 * (x - y)^30 = 2"
    started = time.perf_counter()
    verdict = compare_answers(a, b, timeout_s=1.0, pool=pool)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0 + MARGIN_S
    assert verdict.equivalent is None
    assert verdict.method == "timeout"
    assert "1 s" in verdict.detail


def test_pathological_integral_is_undecided_within_the_limit(pool: MathWorkerPool) -> None:
    claim = MathAnswer(kind="integral", expression="exp(sin(x)^3) * log(x)^5 / (1 + x^7)^(1/3)", point="0, 2", answer="1")
    started = time.perf_counter()
    result = check_claim(claim, timeout_s=1.0, pool=pool)
    assert time.perf_counter() - started < 1.0 + MARGIN_S
    assert [c.passed for c in result.checks] == [None]
    assert isinstance(result.checks[0], CheckResult)
    assert "within 1 s" in result.checks[0].evidence


def test_unknown_jobs_are_refused(pool: MathWorkerPool) -> None:
    with pytest.raises(CheckError, match="unknown math job"):
        pool.run("os.system", "true", timeout_s=1)


def test_a_job_answers_with_its_typed_result(pool: MathWorkerPool) -> None:
    reply = pool.run(MathJob.COMPARE, "1/2", "0.5", timeout_s=60)
    assert isinstance(reply, Equivalence) and reply.equivalent is True


def test_a_failing_job_is_an_undecided_reply_naming_the_failure() -> None:
    reply = _answer(WorkerJob(job=MathJob.COMPARE, args=("x",)))  # compare takes two answers
    assert reply.status is ReplyStatus.UNDECIDED and reply.value is None
    assert reply.message.startswith("sympy failed during compare: TypeError")
