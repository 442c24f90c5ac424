"""Examples read from coding instructions: the reader against labelled examples, and on HumanEval.

    .venv/bin/python benchmarks/code_examples.py [--table junto/evals/data/code_examples_heldout.jsonl] [--humaneval] [--out FILE]

Each line of a table is ``{"id", "notation", "trap", "instruction", "entry_point",
"reference", "examples"}``; ``examples`` are the ``[call, expected]`` pairs a
careful human reads from the instruction, as Python literals (none when it
states none unambiguously), and ``reference`` is a correct implementation.

For each instruction the reader (``extract_examples``, the pairs that
``examples_as_tests`` turns into assert lines) is run and its pairs compared
with the labels. A read pair is right when it calls the same function with the
same arguments (bound to the reference's signature, so ``f(n=3)`` is
``f(3)``) and expects the same value, compared with its type (``4.0`` is not
``4``); otherwise it is read WRONGLY. A label no read pair matches is missed.
Every assert line ``examples_as_tests`` writes is also run on the reference, in
a subprocess: a line that fails there would fail correct code.

With ``--humaneval``: the 164 HumanEval prompts (seen data, so secondary), how
many have an example read, how many in all, and how many of the assert lines
FAIL on the canonical solution (prompt + canonical solution, trusted code run
in a subprocess with a time limit per line).
"""

from __future__ import annotations

import argparse
import ast
import inspect
import json
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from _common import ROOT, report_header, write_report
from junto.tools.code import examples_as_tests, extract_examples

DEFAULT_TABLE = ROOT / "junto" / "evals" / "data" / "code_examples_heldout.jsonl"
LINE_LIMIT_S = 5

# Runs a program, then each assert line on its own; prints which lines raised and why.
_RUNNER = r"""
import json, signal, sys

def _timeout(signum, frame):
    raise TimeoutError("no result within the time limit")

job = json.load(sys.stdin)
signal.signal(signal.SIGALRM, _timeout)
namespace = {"__name__": "__benchmark__"}
results = []
try:
    signal.alarm(job["limit"])
    exec(compile(job["program"], "<program>", "exec"), namespace)
    signal.alarm(0)
except BaseException as error:
    results = [f"the program raised {type(error).__name__}: {error}"] * len(job["lines"])
else:
    for line in job["lines"]:
        try:
            signal.alarm(job["limit"])
            exec(compile(line, "<example>", "exec"), namespace)
            signal.alarm(0)
            results.append(None)
        except BaseException as error:
            signal.alarm(0)
            results.append(f"{type(error).__name__}: {str(error)[:300]}")
sys.stdout.write(json.dumps(results))
"""


def run_lines(program: str, lines: list[str]) -> list[str | None]:
    """For each assert line, None when it holds after ``program`` ran, else why it failed."""
    if not lines:
        return []
    job = json.dumps({"program": program, "lines": lines, "limit": LINE_LIMIT_S})
    try:
        done = subprocess.run(
            [sys.executable, "-c", _RUNNER],
            input=job,
            capture_output=True,
            text=True,
            timeout=LINE_LIMIT_S * (len(lines) + 1) + 10,
        )
    except subprocess.TimeoutExpired:
        return ["the run timed out"] * len(lines)
    try:
        results: list[str | None] = json.loads(done.stdout)
    except json.JSONDecodeError:
        return [f"the run failed: {done.stderr.strip()[-300:]}"] * len(lines)
    return results


def typed(value: object) -> object:
    """A comparable form of a literal that keeps its type: ``4`` and ``4.0`` differ, ``[1]`` and ``(1,)`` too."""
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(typed(v) for v in value))
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, frozenset(typed(v) for v in value))
    if isinstance(value, dict):
        return ("dict", frozenset((typed(k), typed(v)) for k, v in value.items()))
    return (type(value).__name__, value)


def call_key(call: str, entry_point: str, signature: inspect.Signature | None) -> object | None:
    """The function called and its bound arguments, or None when ``call`` is not a literal call of ``entry_point``."""
    try:
        node = ast.parse(call, mode="eval").body
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name) or node.func.id != entry_point:
            return None
        args = [ast.literal_eval(a) for a in node.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg is not None}
    except (SyntaxError, ValueError, TypeError):
        return None
    if signature is None:
        return (tuple(typed(a) for a in args), frozenset((k, typed(v)) for k, v in kwargs.items()))
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    return frozenset((name, typed(value)) for name, value in bound.arguments.items())


def reference_signature(reference: str, entry_point: str) -> inspect.Signature | None:
    namespace: dict[str, object] = {}
    exec(compile(reference, "<reference>", "exec"), namespace)  # the table's own trusted reference implementations
    target = namespace[entry_point]
    try:
        return inspect.signature(target)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


@dataclass
class Tally:
    instructions: int = 0
    labelled: int = 0
    read: int = 0
    right: int = 0
    wrong: int = 0
    failing: int = 0

    @property
    def missed(self) -> int:
        return self.labelled - self.right

    def add(self, other: Tally) -> None:
        for name in ("instructions", "labelled", "read", "right", "wrong", "failing"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def cells(self) -> str:
        recall = f"{self.right / self.labelled:6.1%}" if self.labelled else "     -"
        holds = "yes" if self.failing == 0 else f"NO ({self.failing} fail)"
        return f"{self.instructions:5d} {self.labelled:8d} {self.right:6d} {recall} {self.missed:6d} {self.wrong:6d}   {holds}"


@dataclass
class Row:
    row: dict
    tally: Tally
    wrong: list[tuple[str, str, str]] = field(default_factory=list)
    missed: list[tuple[str, str]] = field(default_factory=list)
    failing: list[tuple[str, str]] = field(default_factory=list)


def read_examples(instruction: str, entry_point: str | None) -> tuple[list[tuple[str, str]], list[str]]:
    """What the reader takes from ``instruction``: its pairs and the assert lines made of them, in the same order."""
    pairs = extract_examples(instruction, entry_point=entry_point)
    lines = examples_as_tests(instruction, entry_point=entry_point).splitlines()
    if len(lines) != len(pairs):
        raise SystemExit(f"{len(pairs)} examples read but {len(lines)} assert lines written for {entry_point}")
    return pairs, lines


def score_row(row: dict, *, given_entry_point: bool = True) -> Row:
    entry = row["entry_point"]
    signature = reference_signature(row["reference"], entry)
    labels = {}
    for call, expected in row["examples"]:
        key = call_key(call, entry, signature)
        if key is None:
            raise SystemExit(f"{row['id']}: label {call!r} is not a literal call of {entry}")
        labels[key] = (call, expected, typed(ast.literal_eval(expected)))
    pairs, lines = read_examples(row["instruction"], entry if given_entry_point else None)
    result = Row(row=row, tally=Tally(instructions=1, labelled=len(labels), read=len(pairs)))
    matched = set()
    for call, expected in pairs:
        key = call_key(call, entry, signature)
        label = labels.get(key) if key is not None else None
        try:
            value = typed(ast.literal_eval(expected))
        except (SyntaxError, ValueError):
            value = None
        if label is not None and label[2] == value:
            matched.add(key)
            result.tally.right += 1
            continue
        result.tally.wrong += 1
        why = "not an example of the text" if label is None else f"the text says {label[1]}"
        result.wrong.append((call, expected, why))
    result.missed = [(call, expected) for key, (call, expected, _) in labels.items() if key not in matched]
    for line, error in zip(lines, run_lines(row["reference"], lines), strict=True):
        if error is not None:
            result.tally.failing += 1
            result.failing.append((line, error))
    return result


def table_report(path: Path) -> list[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    scored = [score_row(row) for row in rows]
    shown = path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path.name
    out = [
        f"table: {shown}: {len(rows)} instructions, {sum(len(r['examples']) for r in rows)} labelled examples, "
        f"{sum(not r['examples'] for r in rows)} instructions with none",
        "read with the entry point given, as junto check code --entry-point, graph.code(..., entry_point=) and junto eval do;",
        "right: read as labelled; missed: labelled, not read; WRONG: read but not labelled, or with another value;",
        "holds: every assert line written passes on the reference implementation",
        "",
    ]
    header = f"{'':20s} {'instr':>5s} {'labelled':>8s} {'right':>6s} {'recall':>6s} {'missed':>6s} {'WRONG':>6s}   holds"

    def section(title: str, key: Callable[[dict], str | None]) -> Iterable[str]:
        groups: dict[str, Tally] = {}
        for result in scored:
            name = key(result.row)
            if name is not None:
                groups.setdefault(name, Tally()).add(result.tally)
        yield f"{title:20s}" + header[20:]
        for name in sorted(groups):
            yield f"{name:20s} {groups[name].cells()}"

    out.extend(section("notation", lambda r: r["notation"]))
    total = Tally()
    for result in scored:
        total.add(result.tally)
    out.append(f"{'all':20s} {total.cells()}")
    out.append("")
    out.extend(section("trap in the text", lambda r: r["trap"]))
    bare = Tally()
    bare_wrong: list[tuple[str, str]] = []
    for row in rows:
        result = score_row(row, given_entry_point=False)
        bare.add(result.tally)
        bare_wrong += [(row["id"], f"{c} -> {e}   ({why})") for c, e, why in result.wrong]
    out.append("")
    out.append(
        f"overall: {total.right}/{total.labelled} labelled examples read ({total.right / total.labelled:.1%}), "
        f"{total.wrong} read wrongly, {total.failing} assert lines failing on the reference"
    )
    out.append(
        f"without the entry point (a request that names none): {bare.right}/{bare.labelled} read "
        f"({bare.right / bare.labelled:.1%}), {bare.wrong} read wrongly, {bare.failing} failing on the reference"
    )
    details = [
        ("read WRONGLY", [(r.row["id"], f"{c} -> {e}   ({why})") for r in scored for c, e, why in r.wrong]),
        ("read WRONGLY without the entry point", bare_wrong),
        ("failing on the reference", [(r.row["id"], f"{line}   ({error})") for r in scored for line, error in r.failing]),
        ("missed", [(r.row["id"], f"{c} -> {e}") for r in scored for c, e in r.missed]),
    ]
    for title, items in details:
        out.append("")
        out.append(f"{title}: {len(items)}")
        out.extend(f"  {name}: {text}" for name, text in items)
    return out


def humaneval_report() -> list[str]:
    from junto.evals._humaneval import load_humaneval

    problems = load_humaneval()
    out = []
    for given in (True, False):
        with_examples = 0
        total = 0
        failing: list[tuple[str, str, str]] = []
        for problem in problems:
            _, lines = read_examples(problem.prompt, problem.entry_point if given else None)
            with_examples += bool(lines)
            total += len(lines)
            program = problem.prompt + problem.canonical_solution
            for line, error in zip(lines, run_lines(program, lines), strict=True):
                if error is not None:
                    failing.append((problem.task_id, line, error))
        how = "with the entry point" if given else "without the entry point"
        out.append(
            f"HumanEval (seen data), {how}: {len(problems)} problems, {with_examples} with at least one example read, "
            f"{total} examples read, {len(failing)} FAIL on the canonical solution"
        )
        out.extend(f"  {task}: {line}   ({error})" for task, line, error in failing)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", type=Path, default=DEFAULT_TABLE)
    parser.add_argument("--humaneval", action="store_true", help="also read the 164 HumanEval prompts")
    parser.add_argument("--out", type=Path, help="also write the report here")
    args = parser.parse_args()
    lines = [
        *report_header(__file__),
        "",
        *table_report(args.table),
    ]
    if args.humaneval:
        lines += ["", *humaneval_report()]
    report = "\n".join(lines) + "\n"
    sys.stdout.write(report)
    write_report(report, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
