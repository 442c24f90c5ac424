"""A text is verified only when the checks read every demand the instruction makes.

Regression for a false `verified`: an instruction asked for a form no check
measures (a letter case, a divider between paragraphs) beside one that is
measured, the text met the measured one, and the task came out verified.
And again when an apostrophe ("a doctor's note") was read as opening a
quotation that ran to the next double quote, hiding the demand between them
(the last line to read exactly "..."). These phrasings are the project's
own, not a benchmark's.
"""

from __future__ import annotations

import pytest
from junto.agents._loop import judge_status
from junto.agents._writing import text_checks
from junto.tools.writing._extract import unread_demands

from junto._quotes import quotations
from junto._tasks import Spec, Status, TaskKind, TaskSpec

UNREAD = [
    ("Describe autumn in exactly two sentences, every letter in lowercase.", "letter case"),
    ("Give me four paragraphs about rivers and put a line of dashes between each pair of paragraphs.", "separator"),
    ("List three fruits as bullet points and close your reply with the words 'That is all'.", "closing"),
    ("Write a short note to my landlord in under 50 words; add a P.S. about the heating.", "postscript"),
    ("Explain tides in two paragraphs without using any commas.", "punctuation"),
    ("Write a limerick about a cat, at most 40 words.", "verse"),
    ("Summarise the plot of Hamlet in 80 words and mention Ophelia at least three times.", "repetition"),
    # an apostrophe is no quotation mark: the demand after "landlord's" is still read
    ('Reply to my landlord\'s note in under 60 words; the final sentence must be "See you on Friday."', "closing"),
    ("It's for the kids' club: 50 words at most, and let \"Go team!\" be the last line of it.", "closing"),
    ("Under 40 words, please, with the opening words 'Dear neighbours' and no sign-off.", "opening"),
    # kinds of demand the checks have no measure for, beside one they do
    ("Explain photosynthesis in under 60 words, in Russian.", "language"),
    ("Write a 50-word birthday note for my aunt, entirely in Japanese.", "language"),
    ("In at most 30 words: is coffee bad for you? Pick one of these replies: yes, no, maybe.", "choice"),
    ("Give two versions of a bakery slogan, under 20 words, and put ****** between them.", "separator"),
    ("Describe a sunset in 40 words or fewer and respond in valid YAML.", "format"),
    ("Write a 3-sentence summary of Moby Dick in which the word whale appears at least twice.", "repetition"),
    ("Answer in fewer than 25 words and sign it as Captain Nemo.", "signature"),
    ("Write a 2-paragraph bio of me in the third person, under 80 words.", "point of view"),
    ("Compare tea and coffee in under 60 words, formatted as a table.", "format"),
    ("List four chores for my flatmates in three sentences, each under 12 words.", "each part"),
    ("Write a packing list for a beach day in under 50 words, alphabetised.", "order"),
    ("Pitch my lemonade stand in under 40 words and finish on a question.", "closing"),
]

READ = [
    "Describe autumn in exactly two sentences.",
    "Explain tides in at most 60 words, in French.",
    "List three fruits as a bulleted list.",
    "Write about rivers in two paragraphs and do not use the word 'capital'.",
    "What is the capital of Peru? Answer in one sentence.",  # a capital city is no letter case
    "Explain tides in 40 words or fewer.",
    "Tell me about my grandmother's village in 3 sentences and don't use the word \"rustic\".",
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


def test_a_quotation_is_set_apart_and_an_apostrophe_opens_none() -> None:
    said = "Don't use 'capital' in the kids' story; say \"hi\" and \u201cyo\u201d and \u2018x\u2019, it's Sam's."
    assert quotations(said) == ["capital", "hi", "yo", "x"]


def test_the_last_line_demand_after_a_possessive_keeps_the_text_from_being_verified() -> None:
    instruction = 'Write to my neighbour\'s dog walker in under 80 words and make the closing line "Thanks again!"'
    text = "Hi Sam, could you walk Rex at noon on Tuesday and Thursday this week? The key is under the mat. Cheers."
    assert _status(instruction, text) is Status.UNVERIFIED  # the words are within bounds; the closing line is unread


def test_a_constraint_the_checks_cannot_decide_keeps_the_text_from_being_verified() -> None:
    # half English, half French: the language check cannot tell, so the word count alone must not verify it
    text = (
        "The sea est calme and le vent is doux; the waves et les oiseaux sing over the sable "
        "while le soleil goes down and the night arrives."
    )
    task = TaskSpec(id="w", kind=TaskKind.WRITING, instruction="Write 20 to 30 words about the sea, in French.")
    checks = text_checks(text, task, {})
    language = next(c for c in checks if c.name == "language")
    assert language.passed is None
    assert next(c for c in checks if c.name == "words").passed is True
    assert judge_status(checks) is Status.UNVERIFIED
