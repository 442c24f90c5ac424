"""Checking several code candidates at once on the warm pool, against checking one, in one run.

    .venv/bin/python benchmarks/candidates_sandbox.py [--repeats 5] [--candidates 8] [--out benchmarks/results/candidates_sandbox.txt]

The two sides are measured in turn, one of each per repeat, so that the
machine's load falls on both alike. Each candidate is a function with the user's tests and the examples its
instruction states, checked by :func:`junto.tools.check_code` (the code
specialist's own check) in the hardened Docker sandbox. Half the candidates
are right and half are wrong, as when a model samples. One candidate alone is
the baseline; ``--candidates`` of them are checked concurrently with a warm
pool of that size. The ratio is the median wall time of the batch over the
median of one. Target on 2 cores: at most 3x for 8 candidates.

The CPU each candidate costs is read from ``/proc``: this process, the
container engine, and what ran in the containers, which the engine's shims
count when they reap it. A pooled container's launcher is started (and its
interpreter loaded) while the pool fills, before the timed run, but it ends
within the run, so its whole life is counted there: the figure is an upper
bound of what a run itself costs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

from _common import report_header, write_report
from junto.sandbox import DockerSandbox, SandboxLimits
from junto.tools import check_code

INSTRUCTION = "Write median(xs) returning the median of a non-empty list of numbers. For example median([3, 1, 2]) returns 2."
TESTS = "assert median([1, 2, 3, 4]) == 2.5\nassert median([5]) == 5\nassert median([-1, 7, 3]) == 3\n"
RIGHT = (
    "def median(xs):\n    s = sorted(xs)\n    n = len(s)\n    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2\n"
)
WRONG = "def median(xs):\n    s = sorted(xs)\n    return s[len(s) // 2]\n"


# The container engine's processes: the daemons, and the shims that reap what runs in the containers.
_ENGINE = {"dockerd", "containerd", "containerd-shim", "runc"}


def cpu_seconds() -> float:
    """CPU seconds used so far by this process and the container engine (with what it ran and reaped in the containers)."""
    ticks = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as comm:
                if comm.read().strip() not in _ENGINE:
                    continue
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK") + time.process_time()


async def check(sandbox: DockerSandbox, code: str) -> bool:
    verification = await check_code(sandbox, code, user_tests=TESTS, instruction=INSTRUCTION, entry_point="median")
    return all(c.passed for c in verification.checks if c.passed is not None)


async def timed(repeats: int, gap: float, once, cpu: list[float] | None = None) -> list[float]:
    """Wall seconds of each of ``repeats`` calls; the CPU seconds each took go into ``cpu``."""
    await once()  # warm-up
    samples = []
    for _ in range(repeats):
        await asyncio.sleep(gap)  # let the pool refill
        started, used = time.perf_counter(), cpu_seconds()
        await once()
        samples.append(time.perf_counter() - started)
        if cpu is not None:
            cpu.append(cpu_seconds() - used)
    return samples


async def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--candidates", type=int, default=8)
    parser.add_argument("--gap", type=float, default=4.0, help="idle seconds before each timed run, for the pool to refill")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/candidates_sandbox.txt"))
    args = parser.parse_args(argv)
    codes = [RIGHT if i % 2 == 0 else WRONG for i in range(args.candidates)]
    async with DockerSandbox.start(limits=SandboxLimits(), pool_size=args.candidates) as sandbox:

        async def one() -> None:
            assert await check(sandbox, RIGHT)

        async def batch() -> None:
            verdicts = await asyncio.gather(*(check(sandbox, code) for code in codes))
            assert verdicts == [code == RIGHT for code in codes], verdicts

        # interleaved, one of each per repeat, so that a change in the machine's load falls on both sides alike
        single, many, single_cpu, many_cpu = [], [], [], []
        for _ in range(args.repeats):
            single += await timed(1, args.gap, one, single_cpu)
            many += await timed(1, args.gap, batch, many_cpu)
    ratio = statistics.median(many) / statistics.median(single)
    per_candidate = statistics.median(many_cpu) / args.candidates
    ratios = sorted(m / s for s, m in zip(single, many, strict=True))
    lines = [
        *report_header(
            __file__, ["--repeats", str(args.repeats), "--candidates", str(args.candidates), "--gap", str(args.gap)], cores=True
        ),
        f"each check: check_code with 3 user tests and 1 stated example, hardened sandbox; {args.repeats} repeats, median",
        "",
        f"1 candidate:               {statistics.median(single) * 1000:8.0f} ms  (min {min(single) * 1000:.0f}, max {max(single) * 1000:.0f})",
        f"{args.candidates} candidates at once (pool {args.candidates}): {statistics.median(many) * 1000:8.0f} ms  (min {min(many) * 1000:.0f}, max {max(many) * 1000:.0f})",
        f"ratio: {ratio:.2f}x one candidate (target <= 3x for 8 on 2 cores)",
        f"ratio within each repeat: {', '.join(f'{r:.2f}' for r in ratios)}; load average at the end {os.getloadavg()[0]:.1f}",
        "",
        "CPU (this process and the container engine, with what ran in the containers), median;",
        "counted when processes end, so a pooled launcher's start-up, spent before the run, is counted in it:",
        f"  1 candidate: {statistics.median(single_cpu) * 1000:.0f} ms; {args.candidates} at once: {per_candidate * 1000:.0f} ms a candidate",
    ]
    report = "\n".join(lines) + "\n"
    write_report(report, args.out)
    return report


if __name__ == "__main__":
    sys.stdout.write(asyncio.run(main()))
