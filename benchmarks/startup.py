"""Start-up time of the junto command line, side by side, in one run.

    .venv/bin/python benchmarks/startup.py [--runs 7] [--out benchmarks/results/startup.txt]

Each row is a whole process, from start to exit, timed from outside (median
wall seconds and their spread, median CPU seconds, over ``--runs`` runs, the
rows taken in turn so a machine that slows down slows them all):

- ``python -c pass``: the interpreter alone, the floor;
- ``import typer``: the command-line framework, the floor of any command;
- ``junto --help``, ``junto --version``, ``junto runs`` (an empty store): what a user types first;
- ``import junto.cli + the run stack``: the CLI entry module plus what a run
  needs (``junto._junto``: langgraph, the agents, the checkers). Before the
  package exports became lazy, every command, ``--help`` included, paid this.

Target: ``junto --help`` and ``junto runs`` under 1 s on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JUNTO = str(Path(sys.executable).with_name("junto"))


def commands() -> list[tuple[str, list[str]]]:
    py = sys.executable
    return [
        ("python -c pass", [py, "-c", "pass"]),
        ("import typer", [py, "-c", "import typer"]),
        ("junto --version", [JUNTO, "--version"]),
        ("junto --help", [JUNTO, "--help"]),
        ("junto runs", [JUNTO, "runs"]),
        ("import junto.cli + the run stack", [py, "-c", "import junto.cli, junto._junto; junto.cli._app._register()"]),
    ]


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    rows = commands()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "JUNTO_HOME": home, "COLUMNS": "100"}
        for _, argv in rows:  # warm the file cache and the bytecode once
            timed(argv, env)
        times: dict[str, list[float]] = {name: [] for name, _ in rows}
        cpu: dict[str, list[float]] = {name: [] for name, _ in rows}
        for _ in range(args.runs):
            for name, argv in rows:
                wall, used = timed(argv, env)
                times[name].append(wall)
                cpu[name].append(used)
    floor = statistics.median(times["python -c pass"])
    eager = statistics.median(times["import junto.cli + the run stack"])
    load = os.getloadavg()[0]
    lines = [
        f"junto start-up, {args.runs} runs each, rows taken in turn; {platform.python_version()}, {os.cpu_count()} cores,"
        f" load average {load:.1f} at the end (CPU seconds are less sensitive to a busy machine than wall seconds)",
        f"{'command':36} {'wall s':>7} {'min s':>7} {'max s':>7} {'cpu s':>7} {'x python':>9} {'x run stack':>12}",
    ]
    for name, _ in rows:
        values = times[name]
        median = statistics.median(values)
        lines.append(
            f"{name:36} {median:7.3f} {min(values):7.3f} {max(values):7.3f} {statistics.median(cpu[name]):7.3f}"
            f" {median / floor:9.1f} {median / eager:12.2f}"
        )
    report = "\n".join(lines)
    print(report)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report + "\n")


if __name__ == "__main__":
    main()
