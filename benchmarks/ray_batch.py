"""Batches on Ray: per-run overhead against local asyncio, and scaling from one node to two.

64 runs of a graph of two independent tasks (one model call each, then the
aggregator's call: 3 calls a run, 2 on its critical path). The models are
OpenAI-compatible stub servers on 127.0.0.1 answering after a fixed delay
with at most 4 requests at once per replica (a model server's batch): the
model servers are the bottleneck. Each Ray node reaches its own replica
(``JUNTO_NODE_CONFIG`` set for its ``ray start``), as GPU nodes each reach
their own vLLM. Measured side by side in one run:

- local: ``junto batch`` without Ray, one replica;
- ray-1: a one-node Ray cluster, one replica;
- ray-2: the same cluster with a second node and its replica.

    python benchmarks/ray_batch.py [--runs 64] [--delay-ms 200] [--out benchmarks/results/ray_batch.txt]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from junto.graphs import TaskGraph  # noqa: E402

from benchmarks._common import write_report  # noqa: E402
from tests.fixtures.batch import RayCluster, stub_server, write_config  # noqa: E402

STORE = "postgresql://junto:junto@127.0.0.1:5432/junto_test"

two_tasks = TaskGraph(name="two-tasks")
two_tasks.general("Name a colour.", id="colour")
two_tasks.general("Name a fruit.", id="fruit")


async def _batch(runs: int, results: Path, *, ray_address: str | None, slots: int, config: Path) -> tuple[float, dict[str, int]]:
    from junto.scale import BatchItem, open_pool, run_batch

    items = [BatchItem(id=f"run-{n}", graph="benchmarks.ray_batch:two_tasks") for n in range(runs)]
    async with open_pool(ray_address=ray_address, config_toml=config.read_text(), store=STORE, slots=slots) as pool:
        started = time.perf_counter()
        summary = await run_batch(items, pool, results=results)
        elapsed = time.perf_counter() - started
    assert summary.done == runs and summary.failed == 0, (summary.done, summary.failed)
    return elapsed, summary.by_node


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=64)
    parser.add_argument("--delay-ms", type=float, default=200.0)
    parser.add_argument("--per-replica", type=int, default=4)
    parser.add_argument("--slots", type=int, default=16, help="runs at once per node (local: in the process)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    stub = ["--delay-ms", str(args.delay_ms), "--max-concurrent", str(args.per_replica)]
    with tempfile.TemporaryDirectory(prefix="junto-bench-", dir="/tmp") as tmp_text:
        tmp = Path(tmp_text)
        with stub_server(tmp / "a.jsonl", *stub) as port_a, stub_server(tmp / "b.jsonl", *stub) as port_b:
            config_a, config_b = write_config(tmp / "a.toml", port_a), write_config(tmp / "b.toml", port_b)
            local, _ = asyncio.run(_batch(args.runs, tmp / "local.jsonl", ray_address=None, slots=args.slots, config=config_a))
            cluster = RayCluster(tmp, resources="{}", cpus=2)
            try:
                cluster.start_head(env={"JUNTO_NODE_CONFIG": str(config_a)})
                ray1, by1 = asyncio.run(
                    _batch(args.runs, tmp / "ray1.jsonl", ray_address=cluster.address, slots=args.slots, config=config_a)
                )
                cluster.add_node(env={"JUNTO_NODE_CONFIG": str(config_b)})
                ray2, by2 = asyncio.run(
                    _batch(args.runs, tmp / "ray2.jsonl", ray_address=cluster.address, slots=args.slots, config=config_a)
                )
            finally:
                cluster.stop()
    per_run_ms = (ray1 - local) / args.runs * 1000
    lines = [
        f"{args.runs} runs of 2 independent tasks + aggregation (3 model calls a run, 2 on the critical path);",
        f"stub replicas answer after {args.delay_ms:g} ms, at most {args.per_replica} at once each; {args.slots} runs at once per node;",
        "one replica per node (local and ray-1: one replica; ray-2: two). Store: PostgreSQL. Machine: 2 shared cores,",
        f"load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after (other work on the machine).",
        "",
        f"{'engine':8} {'wall s':>8} {'runs/s':>8}  runs per node",
        f"{'local':8} {local:8.2f} {args.runs / local:8.2f}",
        f"{'ray-1':8} {ray1:8.2f} {args.runs / ray1:8.2f}  {by1}",
        f"{'ray-2':8} {ray2:8.2f} {args.runs / ray2:8.2f}  {by2}",
        "",
        f"ray-1 / local: {ray1 / local:.3f} (target <= 1.10); Ray's overhead per run: {per_run_ms:+.1f} ms",
        f"scaling ray-1 -> ray-2: {ray1 / ray2:.2f}x (target >= 1.8)",
        f"floor (model servers alone): {args.runs * 3 * args.delay_ms / 1000 / args.per_replica:.2f} s on one replica",
        "",
        "command: python benchmarks/ray_batch.py " + " ".join(sys.argv[1:]),
    ]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    write_report(text, args.out)


if __name__ == "__main__":
    main()
