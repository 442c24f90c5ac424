"""check_writing on a table of texts: each constraint type passes and fails, with evidence."""

from __future__ import annotations

import pytest
from junto.tools import WritingConstraints, check_writing, detect_language, grade_level

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


@pytest.mark.parametrize(("text", "constraints", "name", "passed", "evidence"), TABLE, ids=[f"{r[2]}-{i}" for i, r in enumerate(TABLE)])
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
