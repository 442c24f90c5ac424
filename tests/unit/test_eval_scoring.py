"""Scoring by checks: known-good and known-bad answers, the runner's resume, and the summary."""

from __future__ import annotations

import subprocess
import sys

import pytest
from junto.agents import without_labels
from junto.sandbox import ExecResult, FakeSandbox
from junto.tools import WritingConstraints

from junto import ConfigError
from junto.evals import (
    Answer,
    CodePart,
    EvalItem,
    MathPart,
    TextPart,
    extract_final_answer,
    load_outcomes,
    run_suite,
    score_answer,
    summarize,
)


def _python(run) -> ExecResult:
    """Runs the program with this interpreter: the unit tests' stand-in for the Docker sandbox."""
    done = subprocess.run([sys.executable, "-c", run.code], capture_output=True, text=True, timeout=30)
    return ExecResult(exit_code=done.returncode, stdout=done.stdout, stderr=done.stderr)


SANDBOX = FakeSandbox(_python)
ITEM = EvalItem(
    id="c1",
    prompt="Compute 17*23, write mul(a, b), explain in at most 30 words.",
    parts=[
        MathPart(expected="391"),
        CodePart(entry_point="mul", tests="assert mul(17, 23) == 391\nassert mul(-2, 3) == -6"),
        TextPart(constraints=WritingConstraints(max_words=30)),
    ],
)
GOOD = "17*23 is 391.\n\n```python\ndef mul(a, b):\n    return a * b\n```\n\nMultiplying gives 391."
BAD = "17*23 is 381.\n\n```python\ndef mul(a, b):\n    return a + b\n```\n\n" + "word " * 40


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The final answer is: 836.", "836"),
        ("84 * 94 = 7288\n\nThe answer is 7288.", "7288"),
        ("**Answer:** 12", "12"),
        ("work...\nAnswer: x = 5", "5"),
        ("so \\boxed{3/4}", "3/4"),
        ("The task results, as checked:\n\n[math] the answer (verified): 33/8", "33/8"),
        ("The final answer is:\n\nAnswer: 3.5", "3.5"),
        ("The final answer is: Answer: 7", "7"),
        ("", None),
    ],
)
def test_final_answer_extraction(text: str, expected: str | None) -> None:
    assert extract_final_answer(text) == expected


async def test_known_good_answer_passes_every_part() -> None:
    scores = await score_answer(ITEM, GOOD, sandbox=SANDBOX)
    assert [s.passed for s in scores] == [True, True, True], scores


async def test_without_a_sandbox_only_items_without_code_are_scored() -> None:
    math_only = EvalItem(id="m1", prompt="Compute 17*23.", parts=[MathPart(expected="391")])
    assert [s.passed for s in await score_answer(math_only, "Answer: 391", sandbox=None)] == [True]
    with pytest.raises(ConfigError, match="c1 has a code part"):
        await score_answer(ITEM, GOOD, sandbox=None)


async def test_known_bad_answer_fails_every_part() -> None:
    scores = await score_answer(ITEM, BAD, sandbox=SANDBOX)
    assert [s.passed for s in scores] == [False, False, False], scores
    assert "tests failed" in scores[1].detail


async def test_last_value_mode_reads_the_final_answer_only() -> None:
    item = EvalItem(id="m", prompt="Compute 2+2.", parts=[MathPart(expected="4", match="last")])
    assert (await score_answer(item, "2+2 = 5? No.\nAnswer: 4", sandbox=SANDBOX))[0].passed
    assert not (await score_answer(item, "It is 4, or maybe\nAnswer: 5", sandbox=SANDBOX))[0].passed


async def test_the_closing_not_verified_label_is_not_scored() -> None:
    """junto labels what its checks could not confirm; the label is neither the final answer nor prose."""
    item = EvalItem(
        id="m",
        prompt="Compute 2+2.",
        parts=[MathPart(expected="4", match="last"), TextPart(constraints=WritingConstraints(max_words=3))],
    )
    labelled = "Two and two make\n\n4\n\nNot verified: [math] (its checks were undecided: no checker verdict)."
    assert [s.passed for s in await score_answer(item, labelled, sandbox=SANDBOX)] == [True, False]  # 5 words of prose
    wrong = "So\n\n5\n\nNot verified: [math] (its checks failed: 5 != 4)."
    assert [s.passed for s in await score_answer(item, wrong, sandbox=SANDBOX)] == [False, True]
    # the label only counts as one at the very end, on one line
    assert without_labels("a\n\nNot verified: [x] (y).\nmore") == "a\n\nNot verified: [x] (y).\nmore"
    # the head of a failed one-task answer is a label too; words like it inside the content are not
    failed_head = "NOT verified, the checks failed: too long. Its best attempt, as it failed:\n\nall lowercase here"
    assert without_labels(failed_head) == "all lowercase here"
    quoted = "The tool printed NOT verified, the checks failed: x. Its best attempt, as it failed:\n\ny"
    assert without_labels(quoted) == quoted


async def test_humaneval_style_completion_of_the_given_head() -> None:
    head = 'def add(a, b):\n    """Add."""\n'
    item = EvalItem(
        id="h",
        prompt="complete",
        parts=[CodePart(entry_point="add", prompt=head, tests="def check(f):\n    assert f(2, 3) == 5\n", humaneval=True)],
    )
    assert (await score_answer(item, "```python\n    return a + b\n```", sandbox=SANDBOX))[0].passed
    assert not (await score_answer(item, "```python\n    return a - b\n```", sandbox=SANDBOX))[0].passed


class _Scripted:
    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.calls = 0

    async def answer(self, item: EvalItem) -> Answer:
        self.calls += 1
        return Answer(
            text=self.text,
            tokens=10,
            verified_tasks=1 if self.name == "junto" else None,
            total_tasks=1 if self.name == "junto" else None,
        )


async def test_runner_scores_both_systems_and_resumes(tmp_path) -> None:
    good, bad = _Scripted("junto", GOOD), _Scripted("single", BAD)
    outcomes = await run_suite([ITEM], [good, bad], sandbox=SANDBOX, out_dir=tmp_path)
    assert {o.system: o.correct for o in outcomes} == {"junto": True, "single": False}
    again = await run_suite([ITEM], [good, bad], sandbox=SANDBOX, out_dir=tmp_path)
    assert good.calls == 1 and bad.calls == 1  # finished items are skipped
    assert len(again) == 2 and len(load_outcomes(tmp_path)) == 2
    summary = {s.system: s for s in summarize(again)}
    assert summary["junto"].accuracy == 1.0 and summary["junto"].verified_rate == 1.0
    assert summary["single"].accuracy == 0.0 and summary["single"].verified_rate is None


async def test_a_system_that_raises_scores_zero_and_the_run_goes_on(tmp_path) -> None:
    class Broken:
        name = "broken"

        async def answer(self, item: EvalItem) -> Answer:
            raise RuntimeError("model server went away")

    (outcome,) = await run_suite([ITEM], [Broken()], sandbox=SANDBOX, out_dir=tmp_path)
    assert outcome.correct is False and "model server went away" in outcome.error


async def test_humaneval_whole_function_sees_the_prompts_imports() -> None:
    head = 'from typing import List\n\n\ndef total(xs: List[int]) -> int:\n    """Sum."""\n'
    item = EvalItem(
        id="h2",
        prompt="complete",
        parts=[CodePart(entry_point="total", prompt=head, tests="def check(f):\n    assert f([1, 2]) == 3\n", humaneval=True)],
    )
    answer = "```python\ndef total(xs: List[int]) -> int:\n    return sum(xs)\n```"
    assert (await score_answer(item, answer, sandbox=SANDBOX))[0].passed


async def test_rescore_applies_the_current_scoring_without_models(tmp_path) -> None:
    from junto.evals import rescore

    await run_suite([ITEM], [_Scripted("junto", GOOD)], sandbox=SANDBOX, out_dir=tmp_path)
    path = tmp_path / "outcomes.jsonl"
    path.write_text(path.read_text().replace('"correct":true', '"correct":false'))  # as if scored by an older rule
    (outcome,) = await rescore([ITEM], sandbox=SANDBOX, out_dir=tmp_path)
    assert outcome.correct is True
    assert load_outcomes(tmp_path)[0].correct is True


def test_a_summary_keeps_the_command_that_ran_the_suite_when_it_is_scored_again(tmp_path) -> None:
    from junto.evals import run_command, write_summary

    assert run_command(tmp_path) is None
    write_summary(tmp_path, "math", [], command="junto eval math --concurrency 2")
    assert run_command(tmp_path) == "junto eval math --concurrency 2"
    write_summary(tmp_path, "math", [], command=run_command(tmp_path), rescored_with="junto eval math --rescore")
    assert run_command(tmp_path) == "junto eval math --concurrency 2"
    text = (tmp_path / "summary.md").read_text()
    assert "`junto eval math --concurrency 2`, answers scored again with `junto eval math --rescore`" in text


async def test_a_false_verified_is_counted_apart_from_honest_outcomes(tmp_path) -> None:
    """Four items, one of each: verified and right, verified and WRONG, right but unverified, wrong."""
    items = [EvalItem(id=f"q{i}", prompt="q", parts=[MathPart(expected="7", match="last")]) for i in range(4)]
    replies = {"q0": ("Answer: 7", True), "q1": ("Answer: 8", True), "q2": ("Answer: 7", False), "q3": ("Answer: 9", False)}

    class Verifying:
        name = "junto"

        async def answer(self, item: EvalItem) -> Answer:
            text, verified = replies[item.id]
            return Answer(text=text, verified=verified, verified_tasks=int(verified), total_tasks=1)

    outcomes = await run_suite(items, [Verifying(), _Scripted("single", "Answer: 7")], sandbox=SANDBOX, out_dir=tmp_path)
    by_id = {o.item_id: o.honesty for o in outcomes if o.system == "junto"}
    assert by_id == {"q0": "verified-right", "q1": "verified-wrong", "q2": "right-unverified", "q3": "wrong"}
    summary = {s.system: s for s in summarize(outcomes)}
    assert summary["junto"].honesty == {"verified-right": 1, "verified-wrong": 1, "right-unverified": 1, "wrong": 1}
    assert summary["single"].honesty is None  # a system that does not verify has no such column
    from junto.evals import honesty_table

    table = honesty_table(list(summary.values()))
    assert "| junto | 1 | 1 | 1 | 1 | 50% |" in table and "single" not in table


async def test_a_route_part_is_refused_by_the_answer_scorer() -> None:
    from junto import ConfigError
    from junto.evals import RoutePart

    item = EvalItem(id="r1", prompt="Write a haiku", parts=[RoutePart(kinds=["writing"])])
    with pytest.raises(ConfigError, match="scores plans"):
        await score_answer(item, "an answer", sandbox=SANDBOX)
