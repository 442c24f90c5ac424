"""``junto check``: run junto's checkers by hand. ``junto check math`` compares two answers.

Other checkers add their commands to :data:`check_app`.
"""

from __future__ import annotations

import json

import typer

from junto.cli._app import app
from junto.tools._math_compare import compare_answers

__all__ = ["check_app"]

check_app = typer.Typer(help="Run a checker by hand: the same checks the agents use.", no_args_is_help=True)
app.add_typer(check_app, name="check")


@check_app.command("math")
def check_math(
    answer: str = typer.Option(..., "--answer", help="The answer to check (plain, LaTeX or unicode notation)."),
    expected: str = typer.Option(..., "--expected", help="The answer it should equal."),
    as_json: bool = typer.Option(False, "--json", help='Print exactly {"equivalent": ..., "method": ..., "detail": ...}.'),
    timeout: float = typer.Option(5.0, "--timeout", min=0.1, help="Seconds sympy may spend before the verdict is undecided."),
) -> None:
    """Are two math answers equivalent? true, false, or null when it cannot be decided. Always exits 0."""
    verdict = compare_answers(answer, expected, timeout_s=timeout)
    if as_json:
        typer.echo(json.dumps(verdict.model_dump()))
        return
    word = {True: "equivalent", False: "not equivalent", None: "undecided"}[verdict.equivalent]
    typer.echo(f"{word} ({verdict.method}): {verdict.detail}")
