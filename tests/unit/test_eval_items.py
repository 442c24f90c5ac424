"""Eval suites: the JSONL loader's errors, the built-in suites, and the seeded math generator."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from junto import ConfigError
from junto.evals import load_suite, parse_items
from junto.evals._math_gen import generate

GOOD = json.dumps({"id": "a", "prompt": "Compute 2+2.", "parts": [{"type": "math", "expected": "4"}]})


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([GOOD, "{not json"], "suite.jsonl:2: not valid JSON"),
        (["[1, 2]"], "suite.jsonl:1: expected a JSON object, got list"),
        ([json.dumps({"id": "a", "prompt": "p", "parts": []})], "suite.jsonl:1: parts"),
        ([json.dumps({"id": "a", "prompt": "p", "parts": [{"type": "poem"}]})], "suite.jsonl:1: parts.0"),
        ([json.dumps({"id": "a", "parts": [{"type": "math", "expected": "1"}]})], "suite.jsonl:1: prompt: Field required"),
        ([GOOD, "", GOOD], "suite.jsonl:3: duplicate id 'a' (first on line 1)"),
        (
            [json.dumps({"id": "a", "prompt": "p", "parts": [{"type": "text", "constraints": {"max_wordz": 3}}]})],
            "suite.jsonl:1: parts.0.text.constraints.max_wordz",
        ),
        ([""], "suite.jsonl: the suite has no items"),
    ],
)
def test_malformed_lines_name_line_and_reason(lines: list[str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_items(lines, source="suite.jsonl")
    assert message in str(caught.value)


def test_builtin_suites_have_their_sizes() -> None:
    assert len(load_suite("humaneval")) == 164
    math = load_suite("math")
    assert len(math) >= 200
    assert {item.category for item in math} == {"arithmetic", "algebra", "equations", "calculus"}
    composite = load_suite("composite")
    assert len(composite) >= 30
    assert all({p.type for p in item.parts} == {"math", "code", "text"} for item in composite)


def test_unknown_suite_names_the_choices() -> None:
    with pytest.raises(ConfigError) as caught:
        load_suite("no-such-suite")
    assert "humaneval" in caught.value.hint


def test_math_suite_is_reproducible_from_its_seed() -> None:
    committed = resources.files("junto.evals").joinpath("data", "math.jsonl").read_text().splitlines()
    assert [json.dumps(item) for item in generate()] == committed


def test_math_references_are_right_on_spot_checks() -> None:
    by_prompt = {item.prompt.split(" Give")[0]: item.parts[0].expected for item in load_suite("math")}
    for prompt, expected in by_prompt.items():
        if prompt.startswith("Compute ") and " * " in prompt:
            a, b = prompt.removeprefix("Compute ").rstrip(".").split(" * ")
            assert int(expected) == int(a) * int(b)


def test_a_limited_run_covers_every_category() -> None:
    from junto.cli._eval import spread

    chosen = spread(load_suite("math"), 8)
    assert [item.category for item in chosen] == ["arithmetic", "algebra", "equations", "calculus"] * 2
    assert [item.id for item in spread(load_suite("humaneval"), 3)] == ["HumanEval/0", "HumanEval/1", "HumanEval/2"]
