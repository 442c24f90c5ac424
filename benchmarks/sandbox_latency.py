"""Sandbox latency and throughput against raw Docker, in one run.

    .venv/bin/python benchmarks/sandbox_latency.py [--runs 30] [--gap 0.4] [--out benchmarks/results/sandbox_latency.txt]

Latency (p50/p95 over ``--runs`` sequential runs of ``print(1)``, with ``--gap``
seconds idle between runs so a warm pool has refilled, as between the steps of
a real task):

- junto warm: ``DockerSandbox.run`` with a pool of 2;
- raw exec: docker SDK ``exec_run`` into one already running container;
- raw run --rm: docker SDK ``containers.run(remove=True)`` with the same hardened flags;
- junto cold: ``DockerSandbox.run`` with no pool (create, start, run, remove).

Throughput: runs/s for 32 runs at concurrency 1, 4 and 16 (pool of 4).
Targets: warm <= 1.3x raw exec and < 100 ms p50; cold <= 1.2x raw run --rm.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import docker
from _common import report_header, write_report
from junto.sandbox import DEFAULT_IMAGE, DockerSandbox, SandboxLimits

PROGRAM = "print(1)"
COMMAND = ["python3", "-c", PROGRAM]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def timed(runs: int, gap: float, once: Callable[[], Awaitable[None]]) -> list[float]:
    await once()  # warm-up, not counted
    samples = []
    for _ in range(runs):
        await asyncio.sleep(gap)
        started = time.perf_counter()
        await once()
        samples.append(time.perf_counter() - started)
    return samples


async def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--gap", type=float, default=0.4)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/sandbox_latency.txt"))
    args = parser.parse_args(argv)
    limits = SandboxLimits()
    client = docker.from_env()
    hardened = limits.create_kwargs()
    rows: dict[str, list[float]] = {}

    idle = client.containers.run(DEFAULT_IMAGE, ["sleep", "infinity"], detach=True, **hardened)
    try:

        async def raw_exec() -> None:
            result = await asyncio.to_thread(idle.exec_run, COMMAND, user=limits.user, workdir=limits.work_dir)
            assert result.output == b"1\n", result

        async def raw_run() -> None:
            output = await asyncio.to_thread(client.containers.run, DEFAULT_IMAGE, COMMAND, remove=True, **hardened)
            assert output == b"1\n", output

        async with DockerSandbox.start(limits=limits, pool_size=2) as warm:

            async def junto_warm() -> None:
                assert (await warm.run(PROGRAM, timeout=10)).stdout == "1\n"

            rows["junto warm (pool 2)"] = await timed(args.runs, args.gap, junto_warm)
            rows["raw exec_run"] = await timed(args.runs, args.gap, raw_exec)
        async with DockerSandbox.start(limits=limits, pool_size=0) as cold:

            async def junto_cold() -> None:
                assert (await cold.run(PROGRAM, timeout=10)).stdout == "1\n"

            rows["junto cold (no pool)"] = await timed(args.runs, args.gap, junto_cold)
        rows["raw containers.run --rm"] = await timed(args.runs, args.gap, raw_run)
    finally:
        idle.remove(force=True)
        client.close()

    throughput: dict[int, float] = {}
    async with DockerSandbox.start(limits=limits, pool_size=4) as pooled:
        for concurrency in (1, 4, 16):
            gate = asyncio.Semaphore(concurrency)

            async def one() -> None:
                async with gate:
                    assert (await pooled.run(PROGRAM, timeout=30)).stdout == "1\n"

            await asyncio.sleep(1.0)  # let the pool refill between rounds
            started = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(32)))
            throughput[concurrency] = 32 / (time.perf_counter() - started)

    p50 = {name: statistics.median(values) for name, values in rows.items()}
    lines = [
        *report_header(
            __file__, ["--runs", str(args.runs), "--gap", str(args.gap)], versions=f", docker {docker.__version__} (SDK)"
        ),
        f"program: {PROGRAM!r}; hardened flags as SandboxLimits(); {args.runs} runs each, {args.gap} s idle between runs",
        "",
        f"{'latency':<28}{'p50 ms':>10}{'p95 ms':>10}",
    ]
    for name, values in rows.items():
        lines.append(f"{name:<28}{p50[name] * 1000:>10.1f}{percentile(values, 0.95) * 1000:>10.1f}")
    warm_ratio = p50["junto warm (pool 2)"] / p50["raw exec_run"]
    cold_ratio = p50["junto cold (no pool)"] / p50["raw containers.run --rm"]
    lines += [
        "",
        f"warm / raw exec_run (p50):          {warm_ratio:.2f}x  (target <= 1.30x; p50 {p50['junto warm (pool 2)'] * 1000:.0f} ms, target < 100 ms)",
        f"cold / raw containers.run --rm (p50): {cold_ratio:.2f}x  (target <= 1.20x)",
        "",
        "throughput (32 runs, pool of 4)",
    ]
    for concurrency, rate in throughput.items():
        lines.append(f"  concurrency {concurrency:>2}: {rate:6.1f} runs/s")
    report = "\n".join(lines) + "\n"
    write_report(report, args.out)
    return report


if __name__ == "__main__":
    sys.stdout.write(asyncio.run(main()))
