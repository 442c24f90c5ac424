"""What the CLI costs before it does anything, its exit codes, and run ids given by prefix."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from junto.graphs._store import SqliteStore

from junto._exceptions import RunError
from junto._exit import ExitReason
from junto._runs import RunRecord, RunResult, RunStatus
from junto.cli import main
from junto.cli._codes import ExitCode, exit_code

HEAVY = (
    "langgraph",
    "langchain_core",
    "networkx",
    "sympy",
    "docker",
    "fastapi",
    "uvicorn",
    "llama_cpp",
    "httpx",
    "ray",
    "opentelemetry",
    "psycopg",
    "numpy",
)


def _loaded_after(code: str) -> set[str]:
    script = textwrap.dedent(
        f"""
        import contextlib, io, json, sys
        with contextlib.redirect_stdout(io.StringIO()):
            {code}
        print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}})))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_the_cli_entry_module_imports_no_heavy_library() -> None:
    loaded = _loaded_after("import junto.cli; junto.cli._app._register()")
    assert not loaded & set(HEAVY), f"imported at start-up: {sorted(loaded & set(HEAVY))}"


def test_registering_the_commands_loads_neither_pydantic_nor_junto_beyond_the_cli() -> None:
    # Every command, `junto --version` too, pays for registration: the configuration, the run store,
    # the models and the sandbox's limits are imported by the commands that use them.
    loaded = _loaded_after("import junto.cli; junto.cli._app._register()")
    assert "pydantic" not in loaded
    script = (
        "import junto.cli, sys; junto.cli._app._register(); print(' '.join(m for m in sys.modules if m.startswith('junto.')))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    light = {"junto._exceptions", "junto._exit", "junto._lazy", "junto._version"}
    beyond = {name for name in done.stdout.split() if not name.startswith("junto.cli")} - light
    assert not beyond, f"imported at registration: {sorted(beyond)}"


def test_help_and_runs_import_no_heavy_library(tmp_path: Path) -> None:
    for argv in (["--help"], ["run", "--help"], ["runs", "--config", str(tmp_path / "none.toml")]):
        loaded = _loaded_after(f"from junto.cli import main; main({argv!r})")
        assert not loaded & set(HEAVY), f"junto {' '.join(argv)} imported {sorted(loaded & set(HEAVY))}"


def test_public_names_still_resolve_on_first_use() -> None:
    loaded = _loaded_after("import junto; junto.TaskGraph; junto.Junto")
    assert "langgraph" in loaded  # the lazy name brought its module


@pytest.mark.parametrize(
    ("status", "reason", "code"),
    [
        (RunStatus.VERIFIED, ExitReason.COMPLETED, ExitCode.OK),
        (RunStatus.UNVERIFIED, ExitReason.COMPLETED, ExitCode.OK),
        (RunStatus.PARTIAL, ExitReason.COMPLETED, ExitCode.PARTIAL),
        (RunStatus.FAILED, ExitReason.COMPLETED, ExitCode.FAILED),
        (RunStatus.PARTIAL, ExitReason.BUDGET, ExitCode.BUDGET),
        (RunStatus.FAILED, ExitReason.FAILED, ExitCode.FAILED),
        ("cancelled", ExitReason.CANCELLED, ExitCode.CANCELLED),
        (RunStatus.PARTIAL, ExitReason.RUNNING, ExitCode.ERROR),
    ],
)
def test_exit_codes_follow_the_typed_outcome(status, reason: ExitReason, code: ExitCode) -> None:
    assert exit_code(status, reason) is code


def _commands() -> list[list[str]]:
    import typer

    from junto.cli._app import _register, app

    _register()

    def walk(command, path: list[str]):  # typer's own click: a group is what has subcommands
        yield path
        for name, sub in getattr(command, "commands", {}).items():
            if name.startswith("_"):  # registered by another test, not part of the product
                continue
            yield from walk(sub, [*path, name])

    return list(walk(typer.main.get_command(app), []))


def test_every_help_page_has_an_example_and_no_type_noise(capsys: pytest.CaptureFixture[str]) -> None:
    commands = _commands()
    assert ["run"] in commands and ["graph", "run"] in commands and ["resume"] in commands
    for path in commands:
        assert main([*path, "--help"]) == 0
        out = capsys.readouterr().out
        assert "Example" in out, path
        assert "<bool>" not in out, path
    assert main(["run", "--help"]) == 0
    assert "3 partial" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("junto ")


def _record(run_id: str, at: float) -> RunRecord:
    return RunRecord(result=RunResult(run_id=run_id, task="t", status=RunStatus.VERIFIED), started_at=at)


async def test_a_unique_prefix_names_a_run_and_an_ambiguous_one_lists_the_matches(tmp_path: Path) -> None:
    async with SqliteStore(tmp_path / "junto.db") as store:
        for i, run_id in enumerate(["abc123def", "abc999fff", "0ff1ce"]):
            await store.save_run(_record(run_id, float(i)))
        assert await store.resolve_run_id("abc1") == "abc123def"
        assert await store.resolve_run_id("0ff1ce") == "0ff1ce"
        with pytest.raises(RunError, match="ambiguous.*abc999fff.*abc123def"):
            await store.resolve_run_id("abc")
        with pytest.raises(RunError, match="no run"):
            await store.resolve_run_id("fee")
        with pytest.raises(RunError, match="not a run id"):
            await store.resolve_run_id("a%")


async def test_resume_refuses_a_finished_run_and_an_unknown_one(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("JUNTO_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    async with SqliteStore(tmp_path / "junto.db") as store:
        await store.save_run(_record("feedc0ffee", 1.0))
    import asyncio

    code = await asyncio.to_thread(main, ["resume", "feedc0"])
    assert code == 1 and "run feedc0ffee is not interrupted: it ended completed" in capsys.readouterr().err
    code = await asyncio.to_thread(main, ["resume", "abba"])
    assert code == 1 and "no run with id 'abba'" in capsys.readouterr().err


def test_sigterm_unwinds_the_command_and_the_handler_is_put_back_after(monkeypatch: pytest.MonkeyPatch) -> None:
    import signal

    import junto.cli._app as cli_app

    seen: list[object] = []

    def command(args: list[str], prog_name: str) -> None:
        seen.append(signal.getsignal(signal.SIGTERM))
        signal.raise_signal(signal.SIGTERM)  # as `kill` would send it, mid-command
        raise AssertionError("SIGTERM did not stop the command")

    before = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(cli_app, "app", command)
    assert main(["anything"]) == ExitCode.TERMINATED == 143
    assert seen and seen[0] is not before
    assert signal.getsignal(signal.SIGTERM) is before


def test_sigterm_cancels_the_commands_coroutine_so_its_clean_up_runs_in_order() -> None:
    import asyncio
    import signal

    from junto.cli._async import run_coroutine

    steps: list[str] = []

    async def command() -> None:
        asyncio.get_running_loop().call_later(0.05, signal.raise_signal, signal.SIGTERM)
        try:
            await asyncio.sleep(30)
        finally:
            steps.append("cleaned up")
            await asyncio.sleep(0)  # clean-up that awaits still runs to its end
            steps.append("still cleaning")

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as stopped:
        run_coroutine(command())
    assert stopped.value.code == ExitCode.TERMINATED
    assert steps == ["cleaned up", "still cleaning"]
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_cancellation_that_is_not_sigterm_stays_a_cancellation() -> None:
    import asyncio

    from junto.cli._async import terminable

    async def cancelled_by_its_caller() -> None:
        inner = asyncio.ensure_future(terminable(asyncio.sleep(30)))
        await asyncio.sleep(0.01)
        inner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await inner

    asyncio.run(cancelled_by_its_caller())
