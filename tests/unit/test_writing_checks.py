"""check_writing on a table of texts: each constraint type passes and fails, with evidence."""

from __future__ import annotations

import pytest
from junto.tools import WritingConstraints, check_writing, detect_language, grade_level
from junto.tools.writing._check import check_answers, restated_prompt

from junto._tasks import Spec

C = WritingConstraints

TEN_WORDS = "The quick brown fox jumps over the lazy sleeping dog."
CAT_FR = "Le chat dort sur le canapé et il ne veut pas se lever, car il est très fatigué après une longue journée."
CAT_EN = "The cat sleeps on the sofa and it does not want to get up, because it is very tired after a long day."
CAT_DE = "Die Katze schläft auf dem Sofa und sie will nicht aufstehen, denn sie ist nach einem langen Tag sehr müde."
SIMPLE = "The cat sat on the mat. It was a big cat. The sun was hot. The cat was glad."
HARD = (
    "Contemporary epistemological investigations systematically interrogate the methodological presuppositions "
    "underlying computational representations of institutional decision-making, particularly regarding "
    "organizational accountability and interpretability considerations."
)
BULLETS = "- tea is hot\n- tea is green\n- tea is calm"
NUMBERED = "1. boil water\n2. add leaves\n3. wait\n4. pour"
HEADED = "# Intro\n\nSome text here.\n\n## Details\n\nMore text."

# (text, constraints, check name, expected passed, text in evidence)
TABLE = [
    (TEN_WORDS, C(min_words=8, max_words=12), "words", True, "10 words; allowed 8-12"),
    (TEN_WORDS, C(max_words=5), "words", False, "10 words; allowed at most 5"),
    (TEN_WORDS, C(min_words=20), "words", False, "allowed at least 20"),
    ("Well-known rock'n'roll isn't 3.14 or 1,000 times louder.", C(max_words=8, min_words=8), "words", True, "8 words"),
    ("# Title\n\n- one two\n- three", C(max_words=4, min_words=4), "words", True, "4 words"),
    ("The U.S. uses e.g. miles.", C(max_words=5, min_words=5), "words", True, "5 words"),
    ("One. Two! Three?", C(min_sentences=3, max_sentences=3), "sentences", True, "3 sentences; allowed exactly 3"),
    ("Dr. Smith paid $3.50 on Jan. 5. He left.", C(max_sentences=2, min_sentences=2), "sentences", True, "2 sentences"),
    ("It costs 2.5 euros. We use e.g. milk. J. R. Tolkien wrote.", C(max_sentences=3, min_sentences=3), "sentences", True, "3"),
    ("One. Two. Three. Four.", C(max_sentences=2), "sentences", False, "4 sentences; allowed at most 2"),
    ("- first item\n- second item", C(min_sentences=2, max_sentences=2), "sentences", True, "2 sentences"),
    ("First para.\n\nSecond para.", C(min_paragraphs=2, max_paragraphs=2), "paragraphs", True, "2 paragraphs"),
    ("First para.\nSame para.", C(min_paragraphs=2), "paragraphs", False, "1 paragraph; allowed at least 2"),
    ("# Heading only\n\nBody.\n\n   \n\nMore.", C(max_paragraphs=2, min_paragraphs=2), "paragraphs", True, "2 paragraphs"),
    ("The moon rose over the river.", C(required_terms=["moon", "river"]), "required terms", True, "uses 'moon', 'river'"),
    ("Moons rose over the River.", C(required_terms=["moon", "river"]), "required terms", True, "uses"),
    ("The moon rose.", C(required_terms=["moon", "river"]), "required terms", False, "missing 'river'"),
    ("We concatenate strings.", C(required_terms=["cat"]), "required terms", False, "missing 'cat'"),
    ("The Eiffel\nTower stands.", C(required_terms=["Eiffel Tower"]), "required terms", True, "uses"),
    ("It was a lovely day.", C(forbidden_terms=["love"]), "forbidden terms", True, "avoids 'love'"),
    ("I Love it.", C(forbidden_terms=["love"]), "forbidden terms", False, "uses the forbidden 'love'"),
    (BULLETS, C(format="bullets"), "format", True, "3 bulleted"),
    ("Tea is hot. Tea is green.", C(format="bullets"), "format", False, "a bulleted list is required"),
    (NUMBERED, C(format="numbered"), "format", True, "4 numbered"),
    (BULLETS, C(format="numbered"), "format", False, "a numbered list is required"),
    (HEADED, C(format="headings"), "format", True, "2 heading(s)"),
    ("No headings here.", C(format="headings"), "format", False, "markdown headings are required"),
    ('{"name": "tea", "hot": true}', C(format="json"), "format", True, "valid JSON"),
    ('```json\n{"a": [1, 2]}\n```', C(format="json"), "format", True, "valid JSON"),
    ("{'name': 'tea'}", C(format="json"), "format", False, "not valid JSON"),
    ("Plain words only.", C(format="prose"), "format", True, "plain prose"),
    (BULLETS, C(format="prose"), "format", False, "plain prose is required"),
    (BULLETS, C(format="bullets", min_bullets=3, max_bullets=3), "bullets", True, "3 bullets; allowed exactly 3"),
    (BULLETS, C(format="bullets", min_bullets=5, max_bullets=5), "bullets", False, "3 bullets; allowed exactly 5"),
    (NUMBERED, C(format="numbered", min_bullets=4), "bullets", True, "4 bullets"),
    (CAT_FR, C(language="fr"), "language", True, "reads as fr; required fr"),
    (CAT_EN, C(language="fr"), "language", False, "reads as en; required fr"),
    (CAT_DE, C(language="de"), "language", True, "reads as de"),
    ("Okay.", C(language="en"), "language", None, "could not tell the language"),
    (SIMPLE, C(max_grade_level=5.0), "reading level", True, "allowed at most 5"),
    (HARD, C(max_grade_level=6.0), "reading level", False, "allowed at most 6"),
    (HARD, C(min_grade_level=8.0), "reading level", True, "allowed at least 8"),
    (SIMPLE, C(min_grade_level=8.0), "reading level", False, "Flesch-Kincaid grade"),
    (CAT_FR, C(max_grade_level=6.0), "reading level", None, "the text reads as fr"),
]


@pytest.mark.parametrize(
    ("text", "constraints", "name", "passed", "evidence"), TABLE, ids=[f"{r[2]}-{i}" for i, r in enumerate(TABLE)]
)
def test_check(text: str, constraints: WritingConstraints, name: str, passed: bool | None, evidence: str) -> None:
    checks = {c.name: c for c in check_writing(text, constraints)}
    assert checks[name].passed is passed, checks[name].evidence
    assert evidence in checks[name].evidence
    assert checks[name].source == "deterministic"


def test_empty_constraints_run_no_check() -> None:
    assert check_writing("anything at all", C()) == []


def test_one_check_per_constraint_set() -> None:
    checks = check_writing(TEN_WORDS, C(max_words=20, required_terms=["fox"], forbidden_terms=["cat"], language="en"))
    assert [c.name for c in checks] == ["words", "required terms", "forbidden terms", "language"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (CAT_EN, "en"),
        (CAT_FR, "fr"),
        (CAT_DE, "de"),
        ("El gato duerme en el sofá y no quiere levantarse, porque está muy cansado después de un largo día.", "es"),
        ("Il gatto dorme sul divano e non vuole alzarsi, perché è molto stanco dopo una lunga giornata.", "it"),
        ("O gato dorme no sofá e não quer se levantar, porque está muito cansado depois de um longo dia.", "pt"),
        ("Photosynthesis chlorophyll mitochondria.", None),
    ],
)
def test_detect_language(text: str, language: str | None) -> None:
    assert detect_language(text) == language


def test_grade_orders_texts_by_difficulty() -> None:
    simple, hard = grade_level(SIMPLE), grade_level(HARD)
    assert simple is not None and hard is not None
    assert simple < 3 < 12 < hard
    assert grade_level("") is None


def test_json_evidence_names_the_parser_error() -> None:
    (check,) = check_writing("[1, 2,", C(format="json"))
    assert check.passed is False and "not valid JSON" in check.evidence


def test_constraint_checks_say_whose_constraint_they_checked() -> None:
    assert {c.spec for c in check_writing(TEN_WORDS, C(max_words=20, required_terms=["fox"]))} == {Spec.USER}  # the caller's own
    stated = C(max_words=20, required_terms=["fox"], language="en")
    checks = check_writing(TEN_WORDS, stated, spec=Spec.INSTRUCTION, user=C(max_words=12, required_terms=[]))
    # The user's max_words wins; the user's empty list leaves no term to check, so that check is the instruction's.
    assert [(c.name, c.spec) for c in checks] == [("words", Spec.USER), ("language", Spec.INSTRUCTION)]
    assert checks[0].evidence == "10 words; allowed at most 12"


POEM = "Write a short poem about the autumn rain in at most 40 words."
EXPLAIN = "Explain the result in at most 80 words."
SCAFFOLD = [
    "Results of earlier tasks you can use:",
    "[math] (verified):",
    "[code] (unverified - treat with care):",
    "Verified facts to state exactly as written:",
    "- [math] 36",
    "Constraints (each is checked):",
    "- words: at most 80",
    "Your previous answer failed these checks; fix it:",
]
LABELS = [line for line in SCAFFOLD if line.endswith(":")]

# (text, instruction): texts that restate their prompt instead of answering it, each worded differently.
ECHOES = [
    (POEM, POEM),
    (f"Task: {POEM}\n\n- words: at most 40", POEM),
    ("Sure! You want me to write a short poem about the autumn rain in at most 40 words.", POEM),
    (
        " ".join(["The task is to explain the result of the product in at most 80 words."] * 3),
        "Explain the result of the product in at most 80 words.",
    ),
    ("EXPLAIN THE RESULT, in at most 80 words!", EXPLAIN),
    # The demo's reply: the prompt printed back, constraint garbled.
    (
        f"Verified facts to state exactly as written:\n- [math] 36\n\nTask: {EXPLAIN}\n\nConstraints (each is checked):\n- words: 234",
        EXPLAIN,
    ),
    (
        "The result of a task is verified to be 1024.\n\n- [math] 1024\n\n- [code] (unverified - treat with care)\n\n- [math] 1024",
        EXPLAIN,
    ),
    ("Here is my answer. Your previous answer failed these checks, fix it: words.", EXPLAIN),
]

# (text, instruction): genuine answers, some quoting the question, one restating it whole before answering.
ANSWERS = [
    ("Paris is the capital of France.", "What is the capital of France? Answer in one sentence."),
    ("The roots of x^2 - 5x + 6 = 0 are 2 and 3.", "Explain the roots of x^2 - 5x + 6 = 0 to a student."),
    ("The roots of x^2 - 5x + 6 = 0 are 2.", "Explain the roots of x^2 - 5x + 6 = 0 to a student."),
    (
        "The sum of the interior angles of a triangle is 180 degrees because they form a straight line.",
        "Explain why the sum of the interior angles of a triangle is 180 degrees, in at most 50 words.",
    ),
    (
        "What is the name of the longest river in Africa? The longest river in Africa is the Nile, which flows north through eleven countries.",
        "What is the name of the longest river in Africa?",
    ),
    ("Why is the sky blue? Because air scatters blue light more than red light.", "Why is the sky blue?"),
    ("He and I went to the store yesterday.", "Fix the grammar of this sentence: 'me and him goes to the store yesterday'"),
    (
        "The Industrial Revolution began in Britain in the late 18th century and spread across Europe and North America.",
        "Summarize in one sentence: The Industrial Revolution began in Britain in the late 18th century. "
        "It spread across Europe and North America during the 19th century, changing how goods were made.",
    ),
    (
        "The Industrial Revolution began in Britain in the late 18th century and spread across Europe and North America.",
        "Summarize the following text in one sentence:\nThe Industrial Revolution began in Britain in the late 18th century. "
        "It spread across Europe and North America during the 19th century.",
    ),
    ("The result is 36: 15% of 240, since 15 * 240 / 100 = 36, explained in at most 80 words.", EXPLAIN),
    ("The verified result is 1024, two raised to the tenth power: ten doublings of one.", EXPLAIN),
    ("Describe.", "Describe the sea."),
]


@pytest.mark.parametrize(("text", "instruction"), ECHOES, ids=[f"echo-{i}" for i in range(len(ECHOES))])
def test_a_text_that_restates_its_prompt_fails_answers(text: str, instruction: str) -> None:
    check = check_answers(text, instruction, prompt_lines=SCAFFOLD, labels=LABELS)
    assert check is not None, restated_prompt(text, instruction, prompt_lines=SCAFFOLD, labels=LABELS)
    assert (check.name, check.passed, check.spec) == ("answers", False, Spec.INSTRUCTION)
    assert check.evidence.startswith("the text restates the prompt instead of answering it: it repeats")


@pytest.mark.parametrize(("text", "instruction"), ANSWERS, ids=[f"answer-{i}" for i in range(len(ANSWERS))])
def test_a_genuine_answer_is_not_an_echo(text: str, instruction: str) -> None:
    assert restated_prompt(text, instruction, prompt_lines=SCAFFOLD, labels=LABELS) is None


def test_the_echo_evidence_says_what_was_repeated() -> None:
    labelled = restated_prompt(
        "Fine.\nConstraints (each is checked):\n- words: at most 80", EXPLAIN, prompt_lines=SCAFFOLD, labels=LABELS
    )
    assert labelled == "it repeats the prompt's label 'Constraints (each is checked):'"
    restated = restated_prompt("Sure, I will explain the result in at most 80 words.", EXPLAIN, prompt_lines=SCAFFOLD)
    assert restated == "it repeats 100% of the instruction, 73% of its words repeat the prompt, and it adds no word of its own"
    # Words of its own, but still mostly the instruction: an echo.
    assert restated_prompt("Explain the result in at most 80 words. Bananas grow quickly.", EXPLAIN) is not None
    # Mostly its own words: an answer, however poor; other checks judge it.
    assert (
        restated_prompt("Explain the result in at most 80 words. Bananas grow quickly in warm wet places near rivers.", EXPLAIN)
        is None
    )
