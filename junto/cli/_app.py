"""The root typer app, error handling, and registration of command groups."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator

import typer

from junto._exceptions import JuntoError, SetupError
from junto.cli._codes import ExitCode

__all__ = ["app", "main"]

app = typer.Typer(
    name="junto",
    help="Solve composite problems with a team of specialist models whose answers are checked.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: flags without "<bool>", and no rich import to show it
    context_settings={"max_content_width": 100},
    epilog=(
        "\b\nExamples:\n"
        '  junto run "Compute 17*23, then write multiply(a, b) in Python"\n'
        "  junto runs                 recent runs (ids: any unique prefix works)\n"
        "  junto trace 3f2a9c         what run 3f2a9c... did: attempts, checks, evidence\n"
        "  junto chat                 a session, one task per line\n"
        "  junto doctor               what is installed and reachable"
    ),
)

_state = {"debug": False}


def _show_version(value: bool) -> None:
    if value:
        from junto import __version__

        typer.echo(f"junto {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_show_version, help="Print the version and exit."),
) -> None:
    _state["debug"] = debug


def _register() -> None:
    # Each module adds its commands to ``app`` on import; one that fails to import is a bug, not an option.
    from junto.cli import _batch, _chat, _check, _doctor, _eval, _export, _models, _run, _sandbox, _serve, _trace  # noqa: F401


def _ray_without_address(args: list[str]) -> list[str]:
    """``--ray`` given no ADDRESS (last, or before another option) means ``--ray auto``."""
    out: list[str] = []
    for i, arg in enumerate(args):
        out.append(arg)
        if arg == "--ray" and (i + 1 == len(args) or args[i + 1].startswith("-")):
            out.append("auto")
    return out


def error_exit(error: JuntoError) -> None:
    """Print ``error`` as one line plus its hint and exit (2 for setup errors)."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=True)
    console.print(f"[bold red]error:[/] {escape(error.message)}", highlight=False, soft_wrap=True)
    if error.hint:  # escaped: "pip install 'junto[ray]'" is not markup
        console.print(f"[dim]hint:[/] {escape(error.hint)}", highlight=False, soft_wrap=True)
    raise SystemExit(2 if isinstance(error, SetupError) else 1)


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM outside a command's event loop: unwind with exit 143 (inside one, ``_async.terminable`` cancels the command's task)."""
    raise SystemExit(ExitCode.TERMINATED)


@contextlib.contextmanager
def _graceful_termination() -> Iterator[None]:
    """While the CLI runs, SIGTERM (``kill``, ``docker stop``, a supervisor) exits through :func:`_terminated`."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code instead of exiting (usage errors: 2)."""
    _register()
    args = sys.argv[1:] if argv is None else argv
    args = _ray_without_address(args)
    try:
        with _graceful_termination():
            app(args=args, prog_name="junto")
    except JuntoError as error:
        if "--debug" in args:
            raise
        try:
            error_exit(error)
        except SystemExit as exit_:
            return int(exit_.code or 0)
    except SystemExit as exit_:
        if isinstance(exit_.code, str):
            print(exit_.code, file=sys.stderr)
            return 1
        return int(exit_.code or 0)
    except KeyboardInterrupt:
        return 130
    return 0
