"""``junto check code`` against the real Docker sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from junto.cli import main

pytestmark = pytest.mark.docker


def test_check_code_reports_each_test_and_exits_1_on_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = tmp_path / "inc.py"
    code.write_text("def inc(x):\n    return x + 1\n")
    tests = tmp_path / "test_inc.py"
    tests.write_text("assert inc(1) == 2\nassert inc(2) == 4\n")

    assert main(["check", "code", "--code", str(code), "--tests", str(tests)]) == 1
    out = capsys.readouterr().out
    assert "1 of 2 tests passed" in out and "left side:  3" in out

    assert main(["check", "code", "--code", str(code), "--instruction", "inc(5) returns 6", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["passed"] is True
    assert [(c["name"], c["evidence"]) for c in report["checks"]] == [
        (
            "examples",
            "passes the 1 example stated in the instruction; "
            "each of 3 one-change variants of the code fails them or matches it on 7 inputs near theirs",
        )
    ]
