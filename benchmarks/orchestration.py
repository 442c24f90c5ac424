"""Orchestration overhead: junto's dataflow executor against the critical path.

An OpenAI-compatible stub server (a subprocess on 127.0.0.1) answers every
chat completion after the delay written in the prompt (``sleep:<ms>``). Each
task's specialist makes one real HTTP call through junto's OpenAI-compatible
backend and checks nothing. For each DAG shape the wall time is compared with
the graph's critical path (the least any scheduler could do) and with running
the same calls one after another.

    python benchmarks/orchestration.py [--delay-ms 200] [--repeats 3] [--out benchmarks/results/orchestration.txt]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# -- the stub server (runs in its own process) -----------------------------------------------------


async def _serve(port: int) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = json.loads(await reader.readexactly(length)) if length else {}
                prompt = body.get("messages", [{}])[-1].get("content", "")
                delay_ms = float(prompt.split("sleep:", 1)[1].split()[0]) if "sleep:" in prompt else 0.0
                if delay_ms:
                    await asyncio.sleep(delay_ms / 1000)
                answer = {
                    "id": "stub",
                    "object": "chat.completion",
                    "model": body.get("model", "stub"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 8, "completion_tokens": 1, "total_tokens": 9},
                }
                data = json.dumps(answer).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: keep-alive\r\n"
                    + f"Content-Length: {len(data)}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=256)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the measured side --------------------------------------------------------------------------


def _model(port: int):
    from junto.models._chat import ChatModel
    from junto.models._openai import OpenAIBackend, OpenAIProvider

    return ChatModel(OpenAIBackend(OpenAIProvider(f"http://127.0.0.1:{port}/v1"), model="stub"), concurrency=64)


class HttpSpecialist:
    """One chat completion per task, no checks: what is left is orchestration."""

    def __init__(self, kind) -> None:
        self.kind = kind

    async def run(self, task, inputs, ctx):
        from junto._tasks import Status, TaskResult, TextOutput
        from junto.models._types import Message, ModelRequest

        completion = await ctx.roster.first(task.model_role).complete(
            ModelRequest(messages=[Message.user(task.instruction)], max_tokens=8)
        )
        return TaskResult(
            task_id=task.id,
            kind=task.kind,
            status=Status.UNVERIFIED,
            output=TextOutput(text=completion.text),
            usage=completion.usage,
        )


def _shapes(delay_ms: float) -> dict[str, tuple[object, dict[str, float]]]:
    from junto.graphs import TaskGraph

    def add(g: TaskGraph, name: str, ms: float, after=None):
        return g.general(f"sleep:{ms:g} task {name}", id=name, after=after)

    shapes: dict[str, tuple[object, dict[str, float]]] = {}
    wide = TaskGraph(name="wide")
    for n in range(16):
        add(wide, f"w{n}", delay_ms)
    shapes["wide (16 independent)"] = (wide.compile(), {f"w{n}": delay_ms for n in range(16)})

    deep = TaskGraph(name="deep")
    previous = None
    for n in range(10):
        previous = add(deep, f"d{n}", delay_ms, previous)
    shapes["deep (chain of 10)"] = (deep.compile(), {f"d{n}": delay_ms for n in range(10)})

    diamond = TaskGraph(name="diamond")
    top = add(diamond, "top", delay_ms)
    middle = [add(diamond, f"m{n}", delay_ms, top) for n in range(4)]
    add(diamond, "bottom", delay_ms, middle)
    shapes["diamond (1-4-1)"] = (
        diamond.compile(),
        {"top": delay_ms, **{f"m{n}": delay_ms for n in range(4)}, "bottom": delay_ms},
    )

    skewed = TaskGraph(name="skewed")
    add(skewed, "slow", 5 * delay_ms)
    b = add(skewed, "b", delay_ms / 2)
    c = add(skewed, "c", delay_ms / 2, b)
    d = add(skewed, "d", delay_ms / 2, c)
    add(skewed, "e", delay_ms / 2, d)
    delays = {"slow": 5 * delay_ms, "b": delay_ms / 2, "c": delay_ms / 2, "d": delay_ms / 2, "e": delay_ms / 2}
    shapes["skewed (5x task beside a chain of 4)"] = (skewed.compile(), delays)
    return shapes


async def _hand_written(graph, call: Callable) -> None:
    """The graph's calls as plain asyncio tasks, each awaiting its dependencies: the floor."""
    tasks: dict[str, asyncio.Task] = {}

    async def one(spec) -> None:
        for dep in spec.depends_on:
            await tasks[dep]
        await call(spec.instruction)

    for spec in graph.specs:
        tasks[spec.id] = asyncio.create_task(one(spec))
    await asyncio.gather(*tasks.values())


async def _timed(step: Callable, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def _measure(port: int, delay_ms: float, repeats: int) -> list[str]:
    from junto.graphs import Executor
    from junto.graphs._join import JoinAggregator

    from junto._junto import Junto
    from junto._tasks import AgentContext, TaskKind
    from junto.models import Roster
    from junto.models._types import Message, ModelRequest

    model = _model(port)
    roster = Roster.single(model)
    specialists = {k: HttpSpecialist(k) for k in TaskKind}
    executor = Executor(specialists)

    async def raw_call(instruction: str) -> None:
        await model.complete(ModelRequest(messages=[Message.user(instruction)], max_tokens=8))

    await raw_call("warm up")
    lines = [
        f"stub delay {delay_ms:g} ms per call (skewed: slow task 5x, chain tasks 0.5x); median of {repeats} runs",
        "",
        "critical: the critical path; asyncio: the same calls as hand-written asyncio tasks awaiting their",
        "dependencies (what this HTTP client and 2 cores allow); ratio: junto/critical; vs-asyncio: junto/asyncio;",
        "sequential: the calls one after another; speedup: sequential/junto.",
        "",
        f"{'shape':40} {'tasks':>5} {'critical':>9} {'asyncio':>9} {'junto':>9} {'ratio':>6} {'vs-asyncio':>7} {'sequential':>11} {'speedup':>8}",
    ]
    for name, (graph, delays) in _shapes(delay_ms).items():
        critical = graph.critical_path(delays) / 1000
        ctx = AgentContext(roster=roster)
        wall = await _timed(lambda: executor.run(graph, ctx), repeats)

        async def sequential() -> None:
            for spec in graph.specs:
                await raw_call(spec.instruction)

        seq = await _timed(sequential, 1)
        floor = await _timed(lambda: _hand_written(graph, raw_call), repeats)
        lines.append(
            f"{name:40} {len(graph.specs):>5} {critical:>8.3f}s {floor:>8.3f}s {wall:>8.3f}s {wall / critical:>6.3f} "
            f"{wall / floor:>7.3f} {seq:>10.3f}s {seq / wall:>7.2f}x"
        )

    lines += ["", "per-task overhead with zero delay (junto wall minus the same HTTP calls made directly, per task):"]
    zero = _shapes(0.0)
    for name in ("deep (chain of 10)", "wide (16 independent)"):
        graph, _ = zero[name]
        n = len(graph.specs)
        ctx = AgentContext(roster=roster)
        wall = await _timed(lambda: executor.run(graph, ctx), max(repeats, 5))
        if name.startswith("deep"):

            async def direct() -> None:
                for spec in graph.specs:
                    await raw_call(spec.instruction)
        else:

            async def direct() -> None:
                await asyncio.gather(*(raw_call(spec.instruction) for spec in graph.specs))

        base = await _timed(direct, max(repeats, 5))
        lines.append(
            f"  {name:38} executor {wall * 1000:7.1f} ms, direct calls {base * 1000:7.1f} ms, overhead {(wall - base) * 1000 / n:5.2f} ms/task"
        )

    # The full public path: Junto.run with run records and SQLite checkpoints.
    import tempfile

    graph, _ = zero["deep (chain of 10)"]
    with tempfile.TemporaryDirectory() as home:
        async with Junto.start(
            roster=roster, specialists=specialists, aggregator=JoinAggregator(), store=Path(home) / "junto.db"
        ) as junto:
            await junto.run(graph)
            walls, bases = [], []
            for _ in range(max(repeats, 7)):  # interleaved, so machine load hits both alike
                walls.append(await _timed(lambda: junto.run(graph), 1))
                bases.append(await _timed(lambda: executor.run(graph, AgentContext(roster=roster)), 1))
            wall, base = statistics.median(walls), statistics.median(bases)
    lines.append(
        f"  {'Junto.run, deep, records + checkpoints':38} {wall * 1000:7.1f} ms vs bare executor {base * 1000:7.1f} ms: "
        f"{(wall - base) * 1000 / len(graph.specs):5.2f} ms/task for persistence"
    )
    await model.aclose()
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay-ms", type=float, default=200.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        asyncio.run(_serve(args.serve))
        return 0
    port = _free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        lines = asyncio.run(_measure(port, args.delay_ms, args.repeats))
    finally:
        server.terminate()
        server.wait(timeout=10)
    command = "python benchmarks/orchestration.py " + " ".join(a for a in sys.argv[1:])
    header = [f"$ {command.strip()}", f"# {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores", ""]
    text = "\n".join(header + lines) + "\n"
    print(text, end="")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
