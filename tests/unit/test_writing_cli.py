"""`junto check writing`: lines or JSON, exit status 1 on a failed check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from junto.cli._app import main


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "text.txt"
    path.write_text("The tide rose over the quiet harbour at dawn.", encoding="utf-8")
    return path


def test_json_passes(text_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["check", "writing", "--text", str(text_file), "--constraints", '{"max_words": 12, "required_terms": ["tide"]}', "--json"]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["passed"] is True
    assert out["checks"] == [
        {"name": "words", "passed": True, "evidence": "9 words; allowed at most 12", "spec": "user"},
        {"name": "required terms", "passed": True, "evidence": "uses 'tide'", "spec": "user"},
    ]


def test_the_instructions_constraints_are_the_instructions_and_given_ones_the_users(
    text_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", "writing", "--text", str(text_file), "--instruction", "Describe the sea in at most 15 words.", "--json"]
    assert main([*args, "--constraints", '{"required_terms": ["tide"]}']) == 0
    specs = {c["name"]: c["spec"] for c in json.loads(capsys.readouterr().out)["checks"]}
    assert specs == {"words": "instruction", "required terms": "user"}


def test_failure_exits_1_with_readable_lines(text_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["check", "writing", "--text", str(text_file), "--instruction", "Write at least 20 words; avoid the word harbour."]
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 1
    assert lines == ["FAIL words: 9 words; allowed at least 20", "FAIL forbidden terms: uses the forbidden 'harbour'"]


def test_constraints_file_and_bad_constraints(text_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text('{"min_sentences": 1, "max_sentences": 1}', encoding="utf-8")
    assert main(["check", "writing", "--text", str(text_file), "--constraints", str(spec)]) == 0
    assert capsys.readouterr().out.strip() == "PASS sentences: 1 sentence; allowed exactly 1"
    assert main(["check", "writing", "--text", str(text_file), "--constraints", '{"max_wordz": 3}']) == 2
    assert "--constraints" in capsys.readouterr().err
