"""CPU a run costs junto itself: the process time of ``junto batch``'s local engine per run.

The batch of ``benchmarks/ray_batch.py`` (runs of a graph of two independent
general tasks, then the aggregator: 3 model calls a run) on the local engine,
against the stub model server (``tests.fixtures.stub_openai``, a separate
process) answering after ``--delay-ms`` (default 0: junto's CPU, not waiting).
Each repeat is a fresh batch of ``--runs`` runs (new run ids) after one
warm-up batch, so imports, the store's schema and the models' first
connections are left out. What is measured is this process's CPU time
(``time.process_time``: planning the graph, langgraph, checkpoints, the
HTTP client, the aggregator, JSON), not wall time, and not the CPU of the
stub or of the PostgreSQL server.

``--workload planned`` runs plain-language tasks instead (``Item n: compute
(100+n)*7.``), which the planner turns into one math task without asking a
model; the math specialist's two attempts ask for structured output, and a
single task needs no aggregator call: 2 model calls a run. (The math checks
fail the stub's answer, since the instruction names the item number and the
expression does not use it, so the run ends failed; the work is measured all
the same.)

    python benchmarks/run_cpu.py [--store sqlite|postgres|both] [--workload graph|planned] [--runs 32] [--repeats 5] [--profile FILE]

``--profile FILE`` writes cProfile statistics of one more batch to FILE
(read them with ``python -m pstats FILE``) and prints the top functions.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from benchmarks._common import write_report  # noqa: E402
from benchmarks.ray_batch import STORE as POSTGRES  # noqa: E402  (the same graph and store as the Ray benchmark)
from tests.fixtures.batch import stub_server, write_config  # noqa: E402
from tests.fixtures.stub_openai import task_line  # noqa: E402


async def _batches(
    config: Path, store: str, tmp: Path, *, workload: str, runs: int, repeats: int, slots: int, profile: Path | None
) -> list[float]:
    """CPU ms per run of each repeat (one warm-up batch first; with ``profile``, one more batch under cProfile)."""
    from junto.scale import BatchItem, open_pool, run_batch

    if workload == "graph":
        items = [BatchItem(id=f"run-{n}", graph="benchmarks.ray_batch:two_tasks") for n in range(runs)]
    else:
        items = [BatchItem(id=f"run-{n}", task=task_line(n, code=False)) for n in range(runs)]
    per_run: list[float] = []
    async with open_pool(ray_address=None, config_toml=config.read_text(), store=store, slots=slots) as pool:
        tag = f"{os.getpid()}-{time.time_ns()}"  # new run ids each time, also in a shared PostgreSQL store
        for repeat in range(repeats + 1 + (profile is not None)):
            results = tmp / f"results-{tag}-{repeat}.jsonl"
            profiler = cProfile.Profile(time.process_time) if profile is not None and repeat == repeats + 1 else None
            started = time.process_time()
            if profiler is not None:
                profiler.enable()
            summary = await run_batch(items, pool, results=results)
            if profiler is not None:
                profiler.disable()
            cpu = time.process_time() - started
            assert summary.done == runs and (workload == "planned" or summary.failed == 0), (summary.done, summary.failed)
            if profiler is not None and profile is not None:
                profiler.dump_stats(profile)
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
                print(out.getvalue())
            elif repeat > 0:
                per_run.append(cpu / runs * 1000)
    return per_run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workload", choices=["graph", "planned"], default="graph")
    parser.add_argument("--runs", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--slots", type=int, default=16, help="runs at once (as ray_batch.py)")
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--profile", type=Path, default=None, help="cProfile one more batch (the last store) to FILE")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    what = {
        "graph": "2 independent general tasks + aggregation (3 model calls a run)",
        "planned": "a plain-language task planned as 1 math task (2 attempts, 2 model calls a run)",
    }[args.workload]
    lines = [
        f"{args.runs} runs of {what} per batch, {args.slots} at once,",
        f"local engine; stub model server answering after {args.delay_ms:g} ms. CPU time of this process per run",
        f"(time.process_time), {args.repeats} batches after a warm-up one; load average {os.getloadavg()[0]:.1f} before.",
        "",
        f"{'store':10} {'median ms':>10} {'min ms':>8} {'max ms':>8}  each batch",
    ]
    with tempfile.TemporaryDirectory(prefix="junto-cpu-", dir="/tmp") as tmp_text:
        tmp = Path(tmp_text)
        with stub_server(tmp / "calls.jsonl", "--delay-ms", str(args.delay_ms)) as port:
            config = write_config(tmp / "junto.toml", port)
            for kind in stores:
                store = str(tmp / "runs.db") if kind == "sqlite" else POSTGRES
                profile = args.profile if kind == stores[-1] else None
                per_run = asyncio.run(
                    _batches(
                        config,
                        store,
                        tmp,
                        workload=args.workload,
                        runs=args.runs,
                        repeats=args.repeats,
                        slots=args.slots,
                        profile=profile,
                    )
                )
                each = " ".join(f"{ms:.1f}" for ms in per_run)
                lines.append(f"{kind:10} {statistics.median(per_run):10.1f} {min(per_run):8.1f} {max(per_run):8.1f}  {each}")
    lines += ["", "command: python benchmarks/run_cpu.py " + " ".join(sys.argv[1:])]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    write_report(text, args.out)


if __name__ == "__main__":
    main()
