"""``junto check``: run junto's checkers by hand. ``junto check math`` compares two answers;
``junto check writing`` checks a text against writing constraints; ``junto check code``
runs code and its tests in the sandbox.

Other checkers add their commands to :data:`check_app`.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from junto.cli._app import app
from junto.cli._async import run_coroutine

# The checkers (sympy, docker, the agents) are imported by the command that runs them: `junto --help` stays fast.

__all__ = ["check_app"]

check_app = typer.Typer(
    help="Run a checker by hand: the same checks the agents use.",
    no_args_is_help=True,
    epilog="\b\nExample:\n  junto check math --answer '391' --expected '17*23'",
)
app.add_typer(check_app, name="check")


@check_app.command("math", epilog="\b\nExample:\n  junto check math --answer '\\frac{1}{2}' --expected 0.5")
def check_math(
    answer: str = typer.Option(..., "--answer", help="The answer to check (plain, LaTeX or unicode notation)."),
    expected: str = typer.Option(..., "--expected", help="The answer it should equal."),
    as_json: bool = typer.Option(False, "--json", help='Print exactly {"equivalent": ..., "method": ..., "detail": ...}.'),
    timeout: float = typer.Option(5.0, "--timeout", min=0.1, help="Seconds sympy may spend before the verdict is undecided."),
) -> None:
    """Are two math answers equivalent? true, false, or null when it cannot be decided. Always exits 0."""
    from junto.tools.math._compare import compare_answers

    verdict = compare_answers(answer, expected, timeout_s=timeout)
    if as_json:
        typer.echo(json.dumps(verdict.model_dump()))
        return
    word = {True: "equivalent", False: "not equivalent", None: "undecided"}[verdict.equivalent]
    typer.echo(f"{word} ({verdict.method}): {verdict.detail}")


@check_app.command("writing", epilog="\b\nExample:\n  junto check writing --text answer.txt --constraints '{\"max_words\": 60}'")
def check_writing_command(
    text: Path = typer.Option(
        ..., "--text", exists=True, dir_okay=False, readable=True, help="The file holding the text to check."
    ),
    constraints: str = typer.Option(
        "{}",
        "--constraints",
        help='The constraints as JSON, e.g. \'{"max_words": 50, "required_terms": ["tide"]}\', or a JSON file.',
    ),
    instruction: str | None = typer.Option(
        None, "--instruction", help="Also read constraints out of this instruction (--constraints wins)."
    ),
    as_json: bool = typer.Option(
        False,
        "--json",
        help='Print {"passed": ..., "checks": [{"name", "passed", "evidence", "spec"}, ...]}; spec: whose constraint (user or instruction).',
    ),
) -> None:
    """Check a text against writing constraints. Exits 1 when a check fails, 0 otherwise."""
    import pydantic

    from junto._constraints import WritingConstraints
    from junto._tasks import Spec
    from junto.tools.writing._check import check_writing
    from junto.tools.writing._extract import extract_constraints

    raw = Path(constraints).read_text(encoding="utf-8") if constraints.strip().endswith(".json") else constraints
    try:
        given = WritingConstraints.model_validate_json(raw)
    except pydantic.ValidationError as error:
        raise typer.BadParameter(
            f"not a valid constraints object: {error.errors()[0]['msg']}", param_hint="--constraints"
        ) from None
    body = text.read_text(encoding="utf-8", errors="replace")
    if instruction:  # what the instruction states is its specification; what --constraints gives is the user's
        checks = check_writing(body, extract_constraints(instruction), spec=Spec.INSTRUCTION, user=given)
    else:
        checks = check_writing(body, given, spec=Spec.USER)
    failed = any(c.passed is False for c in checks)
    decided = [c for c in checks if c.passed is not None]
    passed = False if failed else (True if decided else None)
    if as_json:
        typer.echo(json.dumps({"passed": passed, "checks": [c.model_dump(exclude={"source"}) for c in checks]}))
    else:
        if not checks:
            typer.echo("no constraint to check")
        for check in checks:
            word = {True: "PASS", False: "FAIL", None: "UNDECIDED"}[check.passed]
            typer.echo(f"{word} {check.name}: {check.evidence}")
    if failed:
        raise typer.Exit(1)


@check_app.command(
    "code", epilog="\b\nExample:\n  junto check code --code multiply.py --tests test_multiply.py --entry-point multiply"
)
def check_code_command(
    code: Path = typer.Option(..., "--code", exists=True, dir_okay=False, readable=True, help="The Python file to check."),
    tests: Path | None = typer.Option(
        None, "--tests", exists=True, dir_okay=False, readable=True, help="Test file: assert lines or def test_...()."
    ),
    instruction: str = typer.Option("", "--instruction", help="Also check the examples stated here, e.g. 'f(2) returns 4'."),
    entry_point: str | None = typer.Option(None, "--entry-point", help="The function the code must define."),
    timeout: float = typer.Option(30.0, "--timeout", min=0.1, help="Seconds for the whole test run."),
    as_json: bool = typer.Option(
        False,
        "--json",
        help='Print {"passed": ..., "checks": [{"name", "passed", "evidence", "spec"}, ...]}; spec: whose constraint (user or instruction).',
    ),
    config: Path | None = typer.Option(None, "--config", help="junto.toml whose [sandbox] limits apply (default: search order)."),
) -> None:
    """Run code and its tests in the Docker sandbox, one test at a time. Exits 1 when a test fails."""
    from junto._config import load_config
    from junto._tasks import Status
    from junto.agents._loop import judge_status
    from junto.sandbox import DockerSandbox
    from junto.tools.code._check import CodeVerification, check_code

    limits = load_config(config).sandbox

    async def go() -> CodeVerification:
        async with DockerSandbox.start(limits=limits, pool_size=0) as sandbox:
            return await check_code(
                sandbox,
                code.read_text(encoding="utf-8", errors="replace"),
                user_tests=tests.read_text(encoding="utf-8", errors="replace") if tests else None,
                instruction=instruction,
                entry_point=entry_point,
                timeout_s=timeout,
            )

    verification = run_coroutine(go())
    status = judge_status(verification.checks)
    passed = {Status.VERIFIED: True, Status.FAILED: False}.get(status)
    if as_json:
        typer.echo(json.dumps({"passed": passed, "checks": [c.model_dump(exclude={"source"}) for c in verification.checks]}))
    else:
        for check in verification.checks:
            word = {True: "PASS", False: "FAIL", None: "UNDECIDED"}[check.passed]
            typer.echo(f"{word} {check.name}: {check.evidence}")
    if passed is False:
        raise typer.Exit(1)
