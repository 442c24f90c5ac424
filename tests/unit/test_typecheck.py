"""The code passes mypy in strict mode, every package of junto (pyproject.toml [tool.mypy]); tests are not checked.

`python scripts/typecheck.py` runs the same check by hand.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _mypy_config() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        config: dict[str, object] = tomllib.load(file)["tool"]["mypy"]
    return config


def test_strict_mode_is_on_for_every_junto_module() -> None:
    config = _mypy_config()
    assert config["strict"] is True
    assert "ignore_errors" not in config
    overrides = config.get("overrides", [])
    assert isinstance(overrides, list)
    for override in overrides:
        modules = override["module"] if isinstance(override["module"], list) else [override["module"]]
        # Overrides are for third-party packages without type information; none relaxes a junto module.
        assert not [m for m in modules if m == "junto" or m.startswith("junto.")], override
        assert "ignore_errors" not in override, override


def test_mypy_finds_nothing() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "typecheck.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]
    assert "Success: no issues found" in done.stdout
