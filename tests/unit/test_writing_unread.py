"""A text is verified only when the checks read every demand the instruction makes.

Regression for a false `verified`: an instruction asked for a form no check
measures (a letter case, a divider between paragraphs) beside one that is
measured, the text met the measured one, and the task came out verified.
These phrasings are the project's own, not a benchmark's.
"""

from __future__ import annotations

import pytest
from junto.agents._loop import judge_status
from junto.agents._writing import text_checks
from junto.tools.writing._extract import unread_demands

from junto._tasks import Spec, Status, TaskKind, TaskSpec

UNREAD = [
    ("Describe autumn in exactly two sentences, every letter in lowercase.", "letter case"),
    ("Give me four paragraphs about rivers and put a line of dashes between each pair of paragraphs.", "separator"),
    ("List three fruits as bullet points and close your reply with the words 'That is all'.", "closing"),
    ("Write a short note to my landlord in under 50 words; add a P.S. about the heating.", "postscript"),
    ("Explain tides in two paragraphs without using any commas.", "punctuation"),
    ("Write a limerick about a cat, at most 40 words.", "verse"),
    ("Summarise the plot of Hamlet in 80 words and mention Ophelia at least three times.", "repetition"),
]

READ = [
    "Describe autumn in exactly two sentences.",
    "Explain tides in at most 60 words, in French.",
    "List three fruits as a bulleted list.",
    "Write about rivers in two paragraphs and do not use the word 'capital'.",
    "What is the capital of Peru? Answer in one sentence.",  # a capital city is no letter case
]


@pytest.mark.parametrize(("instruction", "kind"), UNREAD)
def test_a_demand_no_check_reads_is_named(instruction: str, kind: str) -> None:
    unread = unread_demands(instruction)
    assert unread and any(kind in u for u in unread), unread


@pytest.mark.parametrize("instruction", READ)
def test_demands_the_checks_read_leave_nothing_unread(instruction: str) -> None:
    assert unread_demands(instruction) == []


def _status(instruction: str, text: str) -> Status:
    task = TaskSpec(id="w", kind=TaskKind.WRITING, instruction=instruction)
    return judge_status(text_checks(text, task, {}))


def test_meeting_the_read_demands_is_not_verified_when_another_is_unread() -> None:
    text = "The leaves turn Gold And Red. The Air Grows Cold."  # two sentences, not in lowercase
    assert _status("Describe autumn in exactly two sentences, every letter in lowercase.", text) is Status.UNVERIFIED
    assert _status("Describe autumn in exactly two sentences.", text) is Status.VERIFIED


def test_a_read_demand_that_fails_still_fails() -> None:
    text = "Leaves fall."  # one sentence
    assert _status("Describe autumn in exactly two sentences, every letter in lowercase.", text) is Status.FAILED


def test_the_unread_demand_is_in_the_evidence() -> None:
    task = TaskSpec(id="w", kind=TaskKind.WRITING, instruction="Describe autumn in exactly two sentences, all in capitals.")
    checks = text_checks("LEAVES FALL. AIR COOLS.", task, {})
    note = next(c for c in checks if c.name == "unread-demands")
    assert note.passed is None and "letter case" in note.evidence
    assert not any(c.passed and c.spec.independent for c in checks)
    assert any(c.spec is Spec.MODEL and c.passed for c in checks)
