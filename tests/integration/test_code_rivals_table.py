"""The held-out rivals table is well formed, and the benchmark that measures the rivals step on it runs a round as junto does.

``junto/evals/data/code_rivals_heldout.jsonl`` (written before the rivals step
existed) holds coding requests that state examples, each with several
candidates that pass them, labelled right or wrong by hidden tests;
``benchmarks/code_rivals.py`` checks each request's candidates as one round of
the code specialist in the sandbox.
"""

from __future__ import annotations

import pytest
from junto.sandbox import DockerSandbox

from junto._tasks import Status
from tests.fixtures.benchmarks import ROOT, load_benchmark

pytestmark = [pytest.mark.docker]

bench = load_benchmark("code_rivals")


@pytest.mark.parametrize("name", ["code_rivals_heldout.jsonl", "code_rivals_heldout_2.jsonl", "code_rivals_heldout_3.jsonl"])
def test_the_tables_are_well_formed_and_their_labels_are_decided_by_their_hidden_tests(name: str) -> None:
    requests = bench.load_requests(ROOT / "junto" / "evals" / "data" / name)
    assert len(requests) >= 40 and len({r.id for r in requests}) == len(requests)
    candidates = [c for r in requests for c in r.candidates]
    assert all(2 <= len(r.candidates) <= 4 for r in requests)
    assert 0.3 <= sum(not c.correct for c in candidates) / len(candidates) <= 0.6
    for request in requests:
        for candidate in request.candidates:
            assert f"def {request.entry_point}(" in candidate.code, request.id
            failed = bench.hidden_failures(candidate.code, request.hidden_tests)
            assert (not failed) if candidate.correct else failed, (request.id, failed)


LOOP = "def count_vowels(s):\n    n = 0\n    for c in s:\n        if c in 'AEIOUaeiou':\n            n += 1\n    return n\n"
VOWELS = bench.Request(
    id="own-1",
    instruction="Write count_vowels(s), how many vowels s holds, in either case.\n"
    ">>> count_vowels('banana')\n3\n>>> count_vowels('rhythm')\n0\n>>> count_vowels('audio')\n4\n",
    entry_point="count_vowels",
    candidates=[
        bench.Candidate(code="def count_vowels(s):\n    return sum(c in 'aeiouAEIOU' for c in s)\n", correct=True, note="right"),
        bench.Candidate(code="def count_vowels(s):\n    return sum(1 for c in s if c in 'aeiou')\n", correct=False, note="lower"),
        bench.Candidate(code=LOOP, correct=True, note="right too"),
    ],
    hidden_tests="assert count_vowels('AUDIO') == 4\nassert count_vowels('') == 0\n",
)


async def test_a_round_through_the_benchmark_holds_the_candidates_to_each_other() -> None:
    async with DockerSandbox.start(pool_size=2) as sandbox:
        outcomes = await bench.run_round(sandbox, VOWELS)
    # Each passes the examples, whose variants they rule out; the lower-case one behaves differently on 'BANANA'.
    assert [o.before for o in outcomes] == [Status.VERIFIED] * 3
    assert [o.after for o in outcomes] == [Status.UNVERIFIED] * 3
    assert all("do not decide" in o.why for o in outcomes)
    assert [o.submitted for o in outcomes] == [True, False, False]  # two of three behave alike: the vote
    text = bench.report(outcomes, header=["header"])
    assert "requests: 1; candidates: 3 (correct 2, wrong 1)" in text
    assert "WRONG code still verified (a false verified): 0" in text
    assert "without the rivals step  right 1/1 (100.0%); verified 1, of them WRONG 0" in text
    assert "with the rivals step     right 1/1 (100.0%); verified 0, of them WRONG 0" in text
    assert "wrong code the rivals step left unverified: 1\n  own-1 #1 count_vowels: lower" in text
