"""The held-out table of labelled answer pairs: no false "equivalent", and agreement wherever the checker decides.

``tests/data/math_pairs_heldout.jsonl`` was written, labelled by mathematics,
before the checker changes it measures; it is never edited. Pairs added
later go to ``math_pairs_extra.jsonl``. ``benchmarks/math_equivalence.py``
prints the same figures next to HF's math-verify.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from junto.tools import Equivalence, compare_answers

DATA = Path(__file__).resolve().parent.parent / "data"
EVAL_DATA = Path(__file__).resolve().parent.parent.parent / "junto" / "evals" / "data"
TABLES = {name: DATA / f"math_pairs_{name}.jsonl" for name in ("heldout", "extra")} | {
    name: EVAL_DATA / f"math_pairs_{name}.jsonl" for name in ("heldout_2", "heldout_3")
}  # heldout_2 and heldout_3 were measured once, unseen, before they joined this test (benchmarks/results/)
CATEGORIES = {
    "number", "radical", "symbolic", "equation", "inequality", "interval", "factorial", "binomial", "log", "matrix",
    "degree", "derivative", "percent", "scientific", "set_tuple",
}  # fmt: skip

pytestmark = pytest.mark.slow


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in TABLES[name].read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module", params=sorted(TABLES))
def table(request: pytest.FixtureRequest) -> tuple[str, list[dict], list[Equivalence]]:
    rows = _rows(request.param)
    return request.param, rows, [compare_answers(r["a"], r["b"], timeout_s=20.0) for r in rows]


def test_heldout_table_is_large_varied_and_labelled() -> None:
    rows = _rows("heldout")
    assert len(rows) >= 200
    assert all(isinstance(r["equivalent"], bool) and r["category"] in CATEGORIES for r in rows)
    assert len({(r["a"], r["b"]) for r in rows}) == len(rows)
    counts = Counter(r["category"] for r in rows)
    assert set(counts) == CATEGORIES and min(counts.values()) >= 10
    assert sum(not r["equivalent"] for r in rows) >= 0.4 * len(rows)  # many look-alikes that are not equal


def test_no_false_equivalent_and_agreement_where_decided(table: tuple[str, list[dict], list[Equivalence]]) -> None:
    name, rows, verdicts = table
    false_equivalents = [
        (r["a"], r["b"], v.detail) for r, v in zip(rows, verdicts, strict=True) if v.equivalent is True and not r["equivalent"]
    ]
    assert false_equivalents == []
    wrong = [
        (r["a"], r["b"], v.method, v.detail)
        for r, v in zip(rows, verdicts, strict=True)
        if v.equivalent is not None and v.equivalent != r["equivalent"]
    ]
    assert wrong == []
    decided = sum(v.equivalent is not None for v in verdicts)
    print(f"{name}: decided {decided}/{len(rows)}, all in agreement, no false equivalent")
    # undecided is allowed, but only where a pair is truly ambiguous; heldout_3 was decided 84.0% when first measured
    assert decided >= (0.80 if name == "heldout_3" else 0.85) * len(rows)
