"""``junto sandbox``: run a program in the Docker sandbox, build its image, check the engine, prune orphans."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from junto.cli._app import app
from junto.cli._async import run_coroutine

# docker, the containers module and the limits are imported by the commands that use them: `junto --help` stays fast.
if TYPE_CHECKING:
    from junto.sandbox._limits import SandboxLimits
    from junto.sandbox._types import ExecResult

__all__ = ["configured_limits", "sandbox_app"]

sandbox_app = typer.Typer(
    help="The Docker sandbox that runs untrusted code.", no_args_is_help=True, epilog="\b\nExample:\n  junto sandbox doctor"
)
app.add_typer(sandbox_app, name="sandbox")

_EXIT_TIMEOUT = 124
_EXIT_OOM = 137
_CONFIG = typer.Option(None, "--config", help="junto.toml whose [sandbox] limits apply (default: search order).")


def configured_limits(config: Path | None, **flags: object) -> SandboxLimits:
    """``[sandbox]`` of ``junto.toml``, with each flag given (not ``None``) in place of the file's value."""
    from junto._config import load_config
    from junto.sandbox._limits import SandboxLimits

    limits = load_config(config).sandbox
    given = {name: value for name, value in flags.items() if value is not None}
    return SandboxLimits(**(limits.model_dump() | given)) if given else limits


def _files_option(pairs: list[str]) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for pair in pairs:
        name, sep, path = pair.partition("=")
        if not sep or not name:
            raise typer.BadParameter(f"expected NAME=PATH, got {pair!r}", param_hint="--file")
        files[name] = Path(path).read_bytes()
    return files


def result_json(result: ExecResult) -> str:
    """``result`` as one JSON object; file contents base64-encoded."""
    data = result.model_dump(mode="python")
    data["files"] = {name: base64.b64encode(content).decode() for name, content in result.files.items()}
    data["ok"] = result.ok
    return json.dumps(data)


def exit_code_of(result: ExecResult) -> int:
    """The shell's view: the program's code, 124 on timeout, 137 on OOM, 1 when stopped at the output cap."""
    if result.timed_out:
        return _EXIT_TIMEOUT
    if result.oom_killed:
        return _EXIT_OOM
    return 1 if result.exit_code is None else result.exit_code


@sandbox_app.command("run", epilog="\b\nExample:\n  junto sandbox run script.py --timeout 5 --memory 256m")
def run(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Python program to run as main.py."),
    timeout: float = typer.Option(10.0, "--timeout", help="Wall-clock limit in seconds."),
    memory: str | None = typer.Option(None, "--memory", help="Memory cap, e.g. 256m or 1g (no swap; default: [sandbox] memory)."),
    config: Path | None = _CONFIG,
    file_args: list[str] = typer.Option([], "--file", help="NAME=PATH: put PATH into the work dir as NAME (repeatable)."),
    stdin: Path | None = typer.Option(None, "--stdin", exists=True, dir_okay=False, help="File fed to the program's stdin."),
    collect: list[str] = typer.Option([], "--collect", help="Bring this work-dir file back (repeatable; shown with --json)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with the result; exit 0 whenever the program ran."),
    argv: list[str] = typer.Argument(None, help="Arguments after FILE are passed to the program."),
) -> None:
    """Run FILE in a fresh hardened container and report what it did."""
    limits = configured_limits(config, memory=memory)
    files = _files_option(file_args)
    data = stdin.read_bytes() if stdin else None

    from junto.sandbox._docker import DockerSandbox

    async def go() -> ExecResult:
        async with DockerSandbox.start(limits=limits, pool_size=0) as sandbox:
            return await sandbox.run(
                file.read_text(errors="replace"), timeout=timeout, files=files, stdin=data, argv=list(argv or []), collect=collect
            )

    result = run_coroutine(go())
    if as_json:
        typer.echo(result_json(result))
        raise SystemExit(0)
    sys.stdout.write(result.stdout)
    sys.stdout.flush()
    sys.stderr.write(result.stderr)
    notes = []
    if result.timed_out:
        notes.append(f"timed out after {timeout:g} s")
    if result.oom_killed:
        notes.append("killed: out of memory")
    if result.truncated:
        notes.append("output cut at the cap; the program was stopped")
    if notes:
        Console(stderr=True).print(f"[yellow]sandbox:[/] {'; '.join(notes)}", highlight=False)
    raise SystemExit(exit_code_of(result))


@sandbox_app.command("build", epilog="\b\nExample:\n  junto sandbox build")
def build(
    force: bool = typer.Option(False, "--force", help="Rebuild even if the image exists."),
    image: str | None = typer.Option(None, "--image", help="Tag to build (default: junto-sandbox:VERSION)."),
) -> None:
    """Build the sandbox image (quick when it exists already)."""

    from junto.sandbox._engine import Engine
    from junto.sandbox._image import DEFAULT_IMAGE, BuildReport, build_image

    async def go() -> BuildReport:
        engine = await Engine.open()
        try:
            return await build_image(engine, image=image or DEFAULT_IMAGE, force=force)
        finally:
            engine.close()

    report = run_coroutine(go())
    if report.built:
        typer.echo(f"built {report.image} from {report.source.value} ({report.base})")
    else:
        typer.echo(f"{report.image} exists (use --force to rebuild)")


@sandbox_app.command("doctor", epilog="\b\nExample:\n  junto sandbox doctor")
def doctor(
    image: str | None = typer.Option(None, "--image", help="Image to look for (default: junto-sandbox:VERSION)."),
    config: Path | None = _CONFIG,
) -> None:
    """Check the engine, the image, and show the security options in force."""
    from junto.sandbox._engine import Engine
    from junto.sandbox._image import DEFAULT_IMAGE, image_exists

    console = Console()
    limits = configured_limits(config)
    image = image or DEFAULT_IMAGE

    async def go() -> tuple[str, bool]:
        engine = await Engine.open()
        try:
            version = await engine.call(engine.client.version)
            return str(version.get("Version", "?")), await image_exists(engine, image)
        finally:
            engine.close()

    version, present = run_coroutine(go())
    console.print(f"engine: [green]ok[/] (Docker {version})", highlight=False)
    if present:
        console.print(f"image: [green]{image}[/] present", highlight=False)
    else:
        console.print(f"image: [red]{image} missing[/]: run `junto sandbox build`", highlight=False)
    table = Table("limit", "value")
    for name, value in limits.model_dump().items():
        table.add_row(name, str(value))
    for name, value in (("capabilities", "all dropped"), ("no-new-privileges", "on"), ("host mounts", "none")):
        table.add_row(name, value)
    console.print(table)
    if not present:
        raise SystemExit(1)


@sandbox_app.command("prune", epilog="\b\nExample:\n  junto sandbox prune --ttl 600")
def prune(ttl: float = typer.Option(3600.0, "--ttl", help="Also remove junto containers older than this many seconds.")) -> None:
    """Remove sandbox containers left behind by processes that are gone."""

    from junto.sandbox._containers import ReapReport, reap
    from junto.sandbox._engine import Engine

    async def go() -> ReapReport:
        engine = await Engine.open()
        try:
            return await reap(engine, ttl=ttl)
        finally:
            engine.close()

    report = run_coroutine(go())
    typer.echo(f"removed {len(report.removed)} container(s); {report.kept} still owned by live processes")
