"""`junto check math`: the JSON contract and the readable line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from junto.cli._app import main
from junto.cli._check import check_app


@pytest.mark.parametrize(
    ("answer", "expected", "verdict"),
    [(r"\frac{1}{2}", "0.5", True), ("381", "391", False), ("3.14", "pi", None), ("__import__('os')", "1", None)],
)
def test_json_contract(answer: str, expected: str, verdict: bool | None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "math", "--answer", answer, "--expected", expected, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"equivalent", "method", "detail"}
    assert out["equivalent"] is verdict
    assert isinstance(out["method"], str) and out["method"]


def test_readable_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "math", "--answer", "x = 2", "--expected", "2 = x"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("equivalent (")
    assert "\n" not in line


def test_installed_command_prints_only_the_json() -> None:
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("junto")), "check", "math", "--answer", "50%", "--expected", "1/2", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == {"equivalent": True, "method": "exact", "detail": "both are 1/2"}


def test_check_app_is_shared_by_other_checkers() -> None:
    assert any(c.name == "math" for c in check_app.registered_commands)
