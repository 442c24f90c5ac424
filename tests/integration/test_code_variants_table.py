"""The held-out code variants table is well formed, and the benchmark that measures the variants check on it judges items as junto does.

``junto/evals/data/code_variants_heldout.jsonl`` (written before the
measurement) holds coding requests that state examples, each with a code that
passes them, labelled correct or wrong by hidden tests;
``benchmarks/code_variants.py`` checks each code with ``check_code`` in the
sandbox and counts verified right and wrong answers.
"""

from __future__ import annotations

import pytest
from junto.sandbox import DockerSandbox
from junto.tools.code import examples_as_tests

from junto._tasks import Status
from tests.fixtures.benchmarks import ROOT, load_benchmark

pytestmark = [pytest.mark.docker]

bench = load_benchmark("code_variants")


def test_the_table_is_well_formed_and_its_labels_are_decided_by_its_hidden_tests() -> None:
    items = bench.load_items()
    assert len(items) >= 60
    assert len({item.id for item in items}) == len(items)
    correct = sum(item.correct for item in items)
    assert 0.4 <= correct / len(items) <= 0.6  # about half right, half wrong
    for item in items:
        assert f"def {item.entry_point}(" in item.code, item.id
        assert examples_as_tests(item.instruction, entry_point=item.entry_point).strip(), f"{item.id}: no example is read"
        failed = bench.hidden_failures(item.code, item.hidden_tests)
        assert (not failed) if item.correct else failed, (item.id, failed)


def test_the_second_table_labels_are_decided_by_its_hidden_tests() -> None:
    """Table 2 (written apart from the check, before its last change) as committed; two of its items name an
    entry point their code does not define, and four state examples the reader does not read: the benchmark
    counts those as not verified, as junto would leave them."""
    items = bench.load_items(ROOT / "junto/evals/data/code_variants_heldout_2.jsonl")
    assert len(items) >= 70 and len({item.id for item in items}) == len(items)
    assert 0.4 <= sum(item.correct for item in items) / len(items) <= 0.6
    for item in items:
        failed = bench.hidden_failures(item.code, item.hidden_tests)
        assert (not failed) if item.correct else failed, (item.id, failed)


async def test_items_through_the_benchmark_are_judged_as_junto_judges_them() -> None:
    items = {item.id: item for item in bench.load_items()}
    fizzbuzz, right_ticket, wrong_ticket = items["cvh-003"], items["cvh-028"], items["cvh-029"]
    assert fizzbuzz.correct and right_ticket.correct and not wrong_ticket.correct
    assert right_ticket.instruction == wrong_ticket.instruction
    async with DockerSandbox.start(pool_size=2) as sandbox:
        decided = await bench.check_item(sandbox, fizzbuzz)
        undecided = [await bench.check_item(sandbox, item) for item in (right_ticket, wrong_ticket)]

    # Four examples that no one-change variant of this fizzbuzz passes: they verify it.
    assert decided.status is Status.VERIFIED and decided.alone is Status.VERIFIED and decided.why == ""
    assert decided.variants_s > 0  # the variants did run
    # Examples away from both age limits accept ages 12 and 65 either way: right and wrong code alike stay unverified,
    # where the examples alone would have verified both.
    for outcome in undecided:
        assert outcome.status is Status.UNVERIFIED and outcome.alone is Status.VERIFIED
        assert "ticket_price(12)" in outcome.why or "ticket_price(65)" in outcome.why, outcome.why

    text = bench.report([decided, *undecided], header=["header"])
    assert "items: 3  (correct 2, wrong 1)" in text
    assert "WRONG code verified (a false verified): 0" in text
    assert "correct code left unverified by the variants check: 1\n  cvh-028 ticket_price" in text
    assert "wrong code left unverified by the variants check: 1\n  cvh-029 ticket_price" in text
