"""The CLI's error contract: one line plus the fix, exit codes kept, no traceback."""

from __future__ import annotations

import sys

import pytest
import typer

from junto import ConfigError, ModelConnectionError
from junto.cli._app import app, main


@app.command("_test-exit", hidden=True)
def _exit_three() -> None:
    raise typer.Exit(3)


@app.command("_test-config-error", hidden=True)
def _config_error() -> None:
    raise ConfigError("models.fast.base_url: not a URL", key="models.fast.base_url", hint="write http://host:port/v1")


@app.command("_test-model-error", hidden=True)
def _model_error() -> None:
    raise ModelConnectionError("could not connect to http://127.0.0.1:9/v1", hint="is the server running?")


def test_typer_exit_code_is_kept() -> None:
    assert main(["_test-exit"]) == 3


def test_setup_error_is_one_line_plus_hint_and_exit_2(capsys) -> None:
    assert main(["_test-config-error"]) == 2
    err = capsys.readouterr().err
    assert "error: models.fast.base_url: not a URL" in err
    assert "hint: write http://host:port/v1" in err
    assert "Traceback" not in err


def test_runtime_error_exits_1(capsys) -> None:
    assert main(["_test-model-error"]) == 1
    assert "could not connect to http://127.0.0.1:9/v1" in capsys.readouterr().err


def test_usage_error_exits_2(capsys) -> None:
    assert main(["no-such-command"]) == 2
    assert "No such command" in capsys.readouterr().err


def test_debug_shows_the_traceback() -> None:
    with pytest.raises(ConfigError):
        main(["--debug", "_test-config-error"])


def test_every_command_module_is_registered() -> None:
    from junto.cli._app import _register

    _register()
    names = {command.name for command in app.registered_commands} | {group.name for group in app.registered_groups}
    assert {"run", "graph", "chat", "serve", "runs", "trace", "doctor", "eval", "check", "models", "sandbox"} <= names


def test_a_command_module_that_fails_to_import_is_an_error_not_a_missing_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import junto.cli
    from junto.cli._app import _register

    monkeypatch.delattr(junto.cli, "_eval", raising=False)
    monkeypatch.setitem(sys.modules, "junto.cli._eval", None)  # importing it now fails
    with pytest.raises(ImportError):
        _register()
