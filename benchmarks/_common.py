"""What the benchmarks share: the head of a report (the command that makes it, the machine) and writing it to ``--out``.

A benchmark runs as a script (``.venv/bin/python benchmarks/NAME.py``), so
this folder is first on ``sys.path`` and ``from _common import ...`` finds
this module.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["ROOT", "command", "hidden_failures", "machine", "report_header", "table_line", "table_main", "write_report"]

ROOT = Path(__file__).resolve().parent.parent


def command(script: str | Path, argv: Sequence[str] | None = None) -> str:
    """``.venv/bin/python benchmarks/NAME.py ARGS``: the command that makes the report, run from the repository's root.

    ``script`` is the benchmark's ``__file__``; ``argv`` its arguments (``None``: ``sys.argv[1:]``).
    """
    path = Path(script).resolve()
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    return ".venv/bin/python " + shlex.join([str(shown), *(sys.argv[1:] if argv is None else argv)])


def machine(*, cores: bool = False) -> str:
    """``Linux 6.1.0, x86_64, python 3.11.7``; with ``cores``, the core count before python."""
    count = f"{os.cpu_count()} cores, " if cores else ""
    return f"{platform.system()} {platform.release()}, {platform.machine()}, {count}python {platform.python_version()}"


def report_header(script: str | Path, argv: Sequence[str] | None = None, *, cores: bool = False, versions: str = "") -> list[str]:
    """A report's first two lines, ``command: ...`` and ``machine: ...`` (``versions`` follows the machine as given)."""
    return [f"command: {command(script, argv)}", f"machine: {machine(cores=cores)}{versions}"]


def table_line(table: Path) -> str:
    """``code at: COMMIT; table: PATH``: what a measurement on a held-out table measured, and on which table."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    path = table.resolve()
    return f"code at: {commit}; table: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"


def table_main(
    script: str | Path,
    argv: Sequence[str] | None,
    *,
    doc: str,
    table: Path,
    out: Path,
    method: str,
    measure: Callable[[Path], list[object]],
    report: Callable[..., str],
) -> int:
    """The ``main`` of a benchmark on a held-out table: ``--table`` and ``--out``, ``measure`` timed, ``report`` printed and written.

    ``method`` says how each item was checked (a header line); ``report`` takes
    the outcomes and ``header=``.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--table", type=Path, default=table)
    parser.add_argument("--out", type=Path, default=out, help=f"write the report here too (default {out.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    outcomes = measure(args.table)
    wall = time.perf_counter() - started
    header = [
        *report_header(script, argv, cores=True),
        table_line(args.table),
        method,
        f"wall time {wall:.0f} s; load average at the end {os.getloadavg()[0]:.1f}",
    ]
    text = report(outcomes, header=header)
    sys.stdout.write(text)
    write_report(text, args.out)
    return 0


def write_report(report: str, out: Path | None) -> None:
    """Write ``report`` to the file ``out`` (its folder made first); ``None``: nowhere."""
    if out is None:
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")


_HIDDEN = r"""
import json, signal, sys
job = json.load(sys.stdin)
def _late(*_): raise TimeoutError("no result within 5 s")
signal.signal(signal.SIGALRM, _late)
space = {"__name__": "__hidden__"}
exec(compile(job["code"], "<code>", "exec"), space)
failed = []
for line in job["lines"]:
    try:
        signal.alarm(5)
        exec(compile(line, "<test>", "exec"), space)
        signal.alarm(0)
    except BaseException as error:
        signal.alarm(0)
        failed.append(f"{line}  ({type(error).__name__})")
sys.stdout.write(json.dumps(failed))
"""


def hidden_failures(code: str, hidden_tests: str) -> list[str]:
    """The lines of ``hidden_tests`` that ``code`` fails, run in a plain subprocess (a held-out table is trusted code)."""
    lines = [line for line in hidden_tests.splitlines() if line.strip()]
    job = json.dumps({"code": code, "lines": lines})
    done = subprocess.run([sys.executable, "-c", _HIDDEN], input=job, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        return [f"the code did not run: {done.stderr.strip().splitlines()[-1:]}"]
    failed: list[str] = json.loads(done.stdout)
    return failed
