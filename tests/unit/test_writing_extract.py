"""extract_constraints on a table of instructions; merge_constraints lets the user's fields win."""

from __future__ import annotations

import pytest
from junto.tools import WritingConstraints, extract_constraints, merge_constraints

C = WritingConstraints

TABLE = [
    ("Write about 100 words on cats.", C(min_words=80, max_words=120)),
    ("Describe a storm in around fifty words.", C(min_words=40, max_words=60)),
    ("Write a 200-word essay.", C(min_words=160, max_words=240)),
    ("Describe Paris in at most 50 words.", C(max_words=50)),
    ("Do not use more than 40 words.", C(max_words=40)),
    ("Keep it under twenty words.", C(max_words=19)),
    ("Write at least 30 words.", C(min_words=30)),
    ("Write between 150 and 200 words.", C(min_words=150, max_words=200)),
    ("Write 3-5 sentences about rain.", C(min_sentences=3, max_sentences=5)),
    ("Explain it in 3 sentences.", C(min_sentences=3, max_sentences=3)),
    ("Give a one-sentence summary.", C(min_sentences=1, max_sentences=1)),
    ("Answer in no more than two sentences.", C(max_sentences=2)),
    ("Write two paragraphs about dogs.", C(min_paragraphs=2, max_paragraphs=2)),
    ("Summarise it in a single paragraph.", C(min_paragraphs=1, max_paragraphs=1)),
    ("List 5 bullet points about tea.", C(format="bullets", min_bullets=5, max_bullets=5)),
    ("Give a numbered list of four steps to brew tea.", C(format="numbered", min_bullets=4, max_bullets=4)),
    ("Use the words moon and river.", C(required_terms=["moon", "river"])),
    ('Include the terms "photosynthesis" and "chlorophyll".', C(required_terms=["photosynthesis", "chlorophyll"])),
    ("Mention Paris and London in your answer.", C(required_terms=["Paris", "London"])),
    (
        "Write two sentences about cats, mention the word whiskers.",
        C(min_sentences=2, max_sentences=2, required_terms=["whiskers"]),
    ),
    ("Do not use the word love.", C(forbidden_terms=["love"])),
    ('Avoid the word "very".', C(forbidden_terms=["very"])),
    ("Write it without using the words good or bad.", C(forbidden_terms=["good", "bad"])),
    ("Reply as JSON.", C(format="json")),
    ("Write a report with headings.", C(format="headings")),
    ("Write a poem in French about a cat.", C(language="fr")),
    ("Answer in German.", C(language="de")),
    ("Describe trends in French cinema.", C()),
    ("Explain gravity for a 10-year-old.", C(max_grade_level=6.0)),
    ("Explain rainbows for children.", C(max_grade_level=6.0)),
    ("Explain attention for experts.", C(min_grade_level=8.0)),
    ("Tell me about the history of Rome.", C()),
    # a bound after the count: inclusive, never read as "about N"
    ("Sum up the match in 40 words or fewer.", C(max_words=40)),
    ("A product blurb, 25 words max, for our new kettle.", C(max_words=25)),
    ("Give me 300 words or more on tidal power.", C(min_words=300)),
    ("Two sentences at most about owls.", C(max_sentences=2)),
    # a bound on each part is no bound on the whole text
    ("Three taglines for a gym, under 8 words each.", C()),
    ("A poem about frost with 6 words per line.", C()),
    ("Explain how to brew coffee in 4 steps; number each step.", C(format="numbered", min_bullets=4, max_bullets=4)),
    (
        "Write a poem that uses the words moon and river, but do not use the word love, in about 60 words.",
        C(min_words=48, max_words=72, required_terms=["moon", "river"], forbidden_terms=["love"]),
    ),
]


@pytest.mark.parametrize(("instruction", "expected"), TABLE, ids=[row[0][:40] for row in TABLE])
def test_extract(instruction: str, expected: WritingConstraints) -> None:
    assert extract_constraints(instruction) == expected


def test_user_constraints_win_field_by_field() -> None:
    extracted = extract_constraints("Write about 100 words in French.")
    merged = merge_constraints(extracted, WritingConstraints(max_words=90, language="en"))
    assert (merged.min_words, merged.max_words, merged.language) == (80, 90, "en")
    assert merge_constraints(extracted, None) == extracted


def test_describe_spells_out_bounds() -> None:
    lines = extract_constraints("Write about 100 words, use the word tide, as a bulleted list of 3 points.").describe()
    assert "words: 80-120" in lines
    assert "bullets: exactly 3" in lines
    assert "must use: 'tide'" in lines
