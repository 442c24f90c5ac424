"""``junto doctor``: each check's verdict and fix, and the exit code."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from junto._config import JuntoConfig
from junto.cli import main
from junto.cli._doctor import Check, check_extras, check_models, check_python, check_store, render_checks


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_old_python_fails_with_a_fix() -> None:
    assert check_python((3, 12)).ok
    old = check_python((3, 10))
    assert not old.ok and old.essential and "3.11" in (old.fix or "")


def test_missing_extra_names_the_pip_command_and_is_optional() -> None:
    checks = {c.name: c for c in check_extras(lambda module: module != "fastapi")}
    server = checks["extra 'server'"]
    assert not server.ok and not server.essential
    assert "fastapi" in server.detail and server.fix == "pip install 'junto[server]'"
    assert checks["extra 'local'"].ok


async def test_unreachable_model_fails_for_each_role_it_serves() -> None:
    port = _closed_port()
    config = JuntoConfig.from_dict(
        {"models": {"far": {"provider": "openai", "base_url": f"http://127.0.0.1:{port}/v1", "model": "m"}}, "roles": {}}
    )
    checks = await check_models(config)
    assert checks and all(not c.ok for c in checks)
    assert "far" in checks[0].detail and "junto models test far" in (checks[0].fix or "")


async def test_reachable_model_passes() -> None:
    config = JuntoConfig.from_dict(
        {"models": {"stub": {"provider": "openai", "base_url": "http://127.0.0.1:1/v1", "model": "m"}}}
    )

    async def answers(model) -> None:
        return None

    assert all(c.ok for c in await check_models(config, probe=answers))


async def test_store_ok_and_store_that_cannot_open(tmp_path: Path) -> None:
    ok = await check_store(str(tmp_path / "junto.db"))
    assert ok.ok and "empty" in ok.detail
    blocker = tmp_path / "file"
    blocker.write_text("x")
    bad = await check_store(str(blocker / "sub" / "junto.db"))
    assert not bad.ok and bad.essential and bad.fix


def test_render_marks_failures_and_shows_fixes() -> None:
    text = render_checks(
        [Check(name="python", ok=True, detail="3.11"), Check(name="run store", ok=False, detail="locked", fix="set JUNTO_HOME")]
    ).plain
    assert " OK  python" in text and "FAIL run store" in text and "fix: set JUNTO_HOME" in text


def test_doctor_exits_1_on_a_broken_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "junto.toml"
    bad.write_text("[models.x\n")
    assert main(["doctor", "--config", str(bad)]) == 1
    out = capsys.readouterr()
    assert "FAIL config" in out.out and "essential checks failed" in out.err
