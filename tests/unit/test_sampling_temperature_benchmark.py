"""The temperature benchmark's arithmetic: the unbiased pass@k estimator and the report's rows."""

from __future__ import annotations

import math

import pytest

from tests.fixtures.benchmarks import load_benchmark

bench = load_benchmark("sampling_temperature")


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (4, 0, 1, 0.0),
        (4, 1, 1, 0.25),
        (4, 1, 2, 0.5),  # 1 - C(3,2)/C(4,2)
        (4, 2, 2, 5 / 6),  # 1 - C(2,2)/C(4,2)
        (4, 1, 4, 1.0),
        (6, 6, 3, 1.0),
    ],
)
def test_pass_at_k_matches_the_combinatorial_formula(n: int, c: int, k: int, expected: float) -> None:
    assert bench.pass_at_k(n, c, k) == pytest.approx(expected)
    assert bench.pass_at_k(n, c, k) == pytest.approx(1 - math.comb(n - c, k) / math.comb(n, k))


def test_report_counts_each_setting_apart() -> None:
    candidates = [
        bench.Candidate("a", "greedy", True, "x = 1", 10),
        bench.Candidate("b", "greedy", False, "", 10),
        bench.Candidate("a", "0.5", False, "x = 2", 20),
        bench.Candidate("a", "0.5", True, "x = 1", 20),
        bench.Candidate("b", "0.5", False, "y = 1", 20),
        bench.Candidate("b", "0.5", False, "y = 1", 20),
    ]
    text = bench.report(candidates, 2, header=["command: test"])
    greedy = next(line for line in text.splitlines() if line.startswith("| greedy"))
    sampled = next(line for line in text.splitlines() if line.startswith("| 0.5"))
    assert greedy == "| greedy | 2 | 1 (50.0%) | 50.0% | n/a | 1 of 2 | 0.5 | 10 |"
    # a: 1 of 2 pass (pass@1 0.5, pass@2 1); b: none pass. Distinct programs: a 2, b 1.
    assert sampled == "| 0.5 | 4 | 1 (25.0%) | 25.0% | 50.0% | 1 of 2 | 1.5 | 20 |"
    assert "  a: greedy: 1, 0.5: 1" in text
