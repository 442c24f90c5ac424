"""The ifeval-heldout suite is scored by the official IFEval checkers: each instruction kind on answers that pass and fail."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from junto._exceptions import ConfigError
from junto.evals import (
    EvalItem,
    IfevalPart,
    Outcome,
    load_suite,
    punkt_tab_dir,
    score_answer,
    score_ifeval,
    summarize,
)

LOREM = "The garden was quiet in the morning and the birds sang softly near the old stone wall. "
JSON_ANSWER = '```json\n{"tent": 1, "stove": 1, "water_litres": 6}\n```'

# (instruction id, kwargs, an answer that follows it, an answer that does not)
CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("keywords:existence", {"keywords": ["salt", "horizon"]}, "Salt on the wind, the horizon wide.", "Salt on the wind."),
    (
        "keywords:frequency",
        {"keyword": "tea", "frequency": 3, "relation": "at least"},
        "Tea at noon, tea at dusk, and tea again.",
        "Tea at noon and coffee at dusk.",
    ),
    (
        "keywords:frequency",
        {"keyword": "suction", "frequency": 2, "relation": "less than"},
        "Strong suction and a quiet motor.",
        "Suction here, suction there.",
    ),
    ("keywords:forbidden_words", {"forbidden_words": ["cheese", "slice"]}, "A cat ate pizza.", "A cat ate a slice."),
    (
        "keywords:letter_frequency",
        {"letter": "z", "let_frequency": 4, "let_relation": "at least"},
        "Zany zebras zigzag in the zoo.",
        "A horse in a field.",
    ),
    (
        "keywords:letter_frequency",
        {"letter": "k", "let_frequency": 2, "let_relation": "less than"},
        "Snow on the roofs.",
        "Kind kids knit socks.",
    ),
    (
        "language:response_language",
        {"language": "de"},
        "Der Strand war ruhig, und die Sonne ging langsam hinter den Wellen unter.",
        "The beach was quiet and the sun set slowly behind the waves.",
    ),
    (
        "length_constraints:number_sentences",
        {"num_sentences": 3, "relation": "at least"},
        "Dr. Brown opened the shop. It was early. Nobody came.",
        "Dr. Brown opened the shop. It was early.",
    ),
    (
        "length_constraints:number_sentences",
        {"num_sentences": 3, "relation": "less than"},
        "Mr. Lee called at 5 p.m. on Monday. He left a message.",
        "One. Two. Three.",
    ),
    (
        "length_constraints:number_paragraphs",
        {"num_paragraphs": 3},
        "First part.\n***\nSecond part.\n***\nThird part.",
        "First part.\n***\nSecond part.",
    ),
    (
        "length_constraints:number_words",
        {"num_words": 10, "relation": "less than"},
        "Keeps drinks cold all day.",
        "Keeps drinks cold for twenty four hours on the hottest summer days.",
    ),
    ("length_constraints:number_words", {"num_words": 30, "relation": "at least"}, LOREM * 2, LOREM),
    (
        "length_constraints:nth_paragraph_first_word",
        {"num_paragraphs": 2, "nth_paragraph": 2, "first_word": "however"},
        "Bees like cities.\n\nHowever, they need flowers.",
        "Bees like cities.\n\nThey need flowers.",
    ),
    (
        "detectable_content:number_placeholders",
        {"num_placeholders": 2},
        "Dear [name], welcome to [company].",
        "Dear [name], welcome.",
    ),
    (
        "detectable_content:postscript",
        {"postscript_marker": "P.S."},
        "Please fix the faucet.\n\nP.S. Thank you.",
        "Please fix the faucet. Thank you.",
    ),
    ("detectable_format:number_bullet_lists", {"num_bullets": 2}, "* cheaper\n* healthier", "* cheaper\n* healthier\n* greener"),
    ("detectable_format:constrained_response", {}, "My answer is no.", "No, it is not safe."),
    (
        "detectable_format:number_highlighted_sections",
        {"num_highlights": 2},
        "The *vault* opened at *midnight*.",
        "The *vault* opened at midnight.",
    ),
    (
        "detectable_format:multiple_sections",
        {"section_spliter": "SECTION", "num_sections": 2},
        "SECTION 1\nHalves.\nSECTION 2\nQuarters.",
        "SECTION 1\nHalves and quarters.",
    ),
    ("detectable_format:json_format", {}, JSON_ANSWER, "tent, stove, water"),
    ("detectable_format:title", {}, "<<Faucet Repair>>\n\nDear landlord...", "Faucet Repair\n\nDear landlord..."),
    ("combination:two_responses", {}, "Fresh bread daily.\n******\nBaked with love.", "Fresh bread daily. Baked with love."),
    (
        "combination:repeat_prompt",
        {"prompt_to_repeat": "What are three tips for sleeping better?"},
        "What are three tips for sleeping better? Keep a schedule, dim the lights, skip late coffee.",
        "Keep a schedule, dim the lights, skip late coffee.",
    ),
    (
        "startend:end_checker",
        {"end_phrase": "Any other questions?"},
        "Mix, pour and bake. Any other questions?",
        "Any other questions? Mix, pour and bake.",
    ),
    ("startend:quotation", {}, '"Leaves fall, red and gold."', "Leaves fall, red and gold."),
    (
        "change_case:capital_word_frequency",
        {"capital_frequency": 2, "capital_relation": "at least"},
        "The BEST coffee in TOWN.",
        "The best coffee in town.",
    ),
    (
        "change_case:english_capital",
        {},
        "RUN TO THE FINAL WHISTLE AND LEAVE EVERYTHING ON THE FIELD TONIGHT.",
        "Run to the final whistle and leave everything on the field tonight.",
    ),
    (
        "change_case:english_lowercase",
        {},
        "the sky is blue because air scatters blue light more than red light.",
        "The sky is blue because air scatters blue light more than red light.",
    ),
    ("punctuation:no_comma", {}, "Cold water all day long.", "Cold water, all day long."),
]


@pytest.mark.parametrize(("instruction", "kwargs", "follows", "breaks"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_official_checker_passes_and_fails_each_kind(instruction: str, kwargs: dict[str, Any], follows: str, breaks: str) -> None:
    part = IfevalPart(instruction_id=instruction, kwargs=kwargs)
    passed = score_ifeval(part, follows, prompt="a request")
    failed = score_ifeval(part, breaks, prompt="a request")
    assert passed.passed, passed.detail
    assert not failed.passed, failed.detail
    assert failed.detail.startswith(f"{instruction}: strict fail")


@pytest.mark.parametrize(
    ("suite_name", "size"), [("ifeval-heldout", 60), ("ifeval-heldout-2", 48), ("ifeval-heldout-3", 40), ("ifeval-heldout-4", 40)]
)
def test_every_instruction_kind_of_the_suite_is_covered_here(suite_name: str, size: int) -> None:
    suite = load_suite(suite_name)
    used = {part.instruction_id for item in suite for part in item.parts if isinstance(part, IfevalPart)}
    assert len(suite) == size
    assert used <= {case[0] for case in CASES}


@pytest.mark.parametrize("suite_name", ["ifeval-heldout", "ifeval-heldout-2", "ifeval-heldout-3", "ifeval-heldout-4"])
def test_every_suite_instruction_carries_the_kwargs_its_checker_takes(suite_name: str) -> None:
    # A checker missing an argument would draw one at random; scoring refuses that, so this scores every part once.
    for item in load_suite(suite_name):
        for part in item.parts:
            assert isinstance(part, IfevalPart)
            score_ifeval(part, "An answer.", prompt=item.prompt)


def test_missing_or_unknown_arguments_are_refused_not_drawn_at_random() -> None:
    with pytest.raises(ConfigError, match="takes kwargs"):
        score_ifeval(IfevalPart(instruction_id="length_constraints:number_words"), "Some words.", prompt="p")
    with pytest.raises(ConfigError, match="unknown IFEval instruction"):
        score_ifeval(IfevalPart(instruction_id="format:haiku"), "Some words.", prompt="p")


def test_sentences_are_split_by_nltk_punkt_from_the_installed_package() -> None:
    import nltk
    from nltk.data import FileSystemPathPointer
    from nltk.tokenize.punkt import PunktSentenceTokenizer, load_punkt_params

    text = "Dr. Brown left at 5 p.m. sharp. Nobody noticed."
    ours = load_punkt_params(FileSystemPathPointer(str(punkt_tab_dir() / "tokenizers" / "punkt_tab" / "english")))
    assert {"dr", "p.m", "mr", "inc"} <= ours.abbrev_types
    # Punkt knows "Dr." and "p.m." are abbreviations: 2 sentences, where a split on every full stop gives 4.
    assert len(PunktSentenceTokenizer(ours).tokenize(text)) == 2
    assert len(nltk.sent_tokenize(text)) == 2  # what the checkers call finds the model, with no download


def _item(*parts: IfevalPart) -> EvalItem:
    return EvalItem(id="t1", category="ifeval", prompt="Write a note.", parts=list(parts))


def test_prompt_level_needs_every_instruction_and_instruction_level_counts_each() -> None:
    item = _item(
        IfevalPart(instruction_id="punctuation:no_comma"),
        IfevalPart(instruction_id="startend:end_checker", kwargs={"end_phrase": "Bye."}),
    )
    answers = {"both": "Thanks for the help. Bye.", "one": "Thanks, for the help. Bye."}
    outcomes = []
    for name, answer in answers.items():
        parts = asyncio.run(score_answer(item, answer, sandbox=None))  # type: ignore[arg-type]
        outcomes.append(Outcome(item_id=name, system="s", category="ifeval", correct=all(p.passed for p in parts), parts=parts))
    (summary,) = summarize(outcomes)
    assert summary.accuracy == 0.5  # prompt-level strict: 1 of 2 answers follows everything
    assert summary.part_accuracy == 0.75  # instruction-level strict: 3 of 4 instructions


def test_junto_closing_label_is_not_scored_but_everything_else_is() -> None:
    item = _item(IfevalPart(instruction_id="startend:end_checker", kwargs={"end_phrase": "Bye."}))
    labelled = "Thanks for the help. Bye.\n\nNot verified: no check applies."
    (score,) = asyncio.run(score_answer(item, labelled, sandbox=None))  # type: ignore[arg-type]
    assert score.passed, score.detail


def test_suite_file_is_plain_ifeval_data() -> None:
    from importlib import resources

    text = resources.files("junto.evals").joinpath("data", "ifeval_heldout.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert all(1 <= len(row["parts"]) <= 3 for row in rows)
    assert len({row["prompt"] for row in rows}) == len(rows)
