"""Replicas: throughput of 1, 2 and 4 deployments at 16 concurrent callers, and the balancer's cost per call.

Each deployment is the stub server (``tests/fixtures/openai_stub.py``) in its
own process, answering after a fixed delay with at most 2 requests at once,
so one deployment serves at most 2/delay requests a second. 16 concurrent
callers (plain model calls, then whole junto runs of one checked writing
task) go through one model whose deployments are the stubs, least-busy
balanced. Scaling is throughput(n) / (n x throughput(1)); linear is 1.0.
"of ideal" is throughput against what the stubs can serve (n x 2 / delay).

The overhead of balancing is measured in-process, without sockets: the same
zero-latency backend called directly and through a ReplicaBackend of 3
replicas, many times, the difference per call.

    .venv/bin/python benchmarks/replicas.py [--delay 0.1] [--calls 96] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from junto.graphs import TaskGraph  # noqa: E402

from junto import Junto  # noqa: E402
from junto._config import JuntoConfig  # noqa: E402
from junto._constraints import WritingConstraints  # noqa: E402
from junto.models._balance import Replica  # noqa: E402
from junto.models._replicas import ReplicaBackend  # noqa: E402
from junto.models._roster import Roster  # noqa: E402
from junto.models._types import Completion, Message, ModelRequest, Usage  # noqa: E402
from tests.fixtures.openai_stub import StubServer  # noqa: E402

REPLY = "Rayleigh scattering makes the daytime sky look blue."
REQUEST = ModelRequest(messages=[Message.user("Why is the sky blue?")])
CALLERS = 16


def _model(servers: list[StubServer]):
    deployments = ", ".join(f'{{ base_url = "{s.base_url}", concurrency = 2 }}' for s in servers)
    config = JuntoConfig.from_toml(f'[models.m]\nmodel = "stub"\ndeployments = [{deployments}]\n')
    return config.build_model("m")


async def _callers(total: int, one) -> float:
    """Wall seconds for ``total`` calls of ``one()`` made by CALLERS concurrent callers."""
    left = list(range(total))

    async def caller() -> None:
        while left:
            left.pop()
            await one()

    began = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(CALLERS)))
    return time.perf_counter() - began


def _graph() -> TaskGraph:
    graph = TaskGraph(name="sky")
    graph.writing("Explain why the sky is blue in one sentence.", constraints=WritingConstraints(required_terms=["blue"]))
    return graph


async def _throughput(servers: list[StubServer], calls: int, *, runs: bool, repeats: int) -> float:
    model = _model(servers)
    try:
        await _callers(len(servers) * 4, lambda: model.complete(REQUEST))  # connections open, latencies known
        if not runs:
            return max([calls / await _callers(calls, lambda: model.complete(REQUEST)) for _ in range(repeats)])
        with tempfile.TemporaryDirectory() as home:
            async with Junto.start(roster=Roster.single(model), store=Path(home) / "runs.db", checkpoints=False) as junto:

                async def run() -> None:
                    result = await junto.run(_graph())
                    assert result.status.value == "verified", result.status

                await _callers(CALLERS, run)  # the first run imports the checkers
                return max([calls / await _callers(calls, run) for _ in range(repeats)])
    finally:
        await model.aclose()


class _Instant:
    model_id = "instant"

    async def send(self, request: ModelRequest, *, timeout: float) -> Completion:
        return Completion(text="ok", usage=Usage(completion_tokens=1))

    async def send_stream(self, request, *, timeout):  # pragma: no cover - not measured
        raise NotImplementedError
        yield

    async def aclose(self) -> None:
        return None


async def _overhead(n: int) -> tuple[float, float]:
    direct = _Instant()
    balanced = ReplicaBackend([Replica(name=f"r{i}", backend=_Instant(), concurrency=8) for i in range(3)], model_id="m")

    async def loop(backend) -> float:
        began = time.perf_counter()
        for _ in range(n):
            await backend.send(REQUEST, timeout=5)
        return (time.perf_counter() - began) / n

    best_direct = min([await loop(direct) for _ in range(5)])
    best_balanced = min([await loop(balanced) for _ in range(5)])
    return best_direct, best_balanced


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.1, help="seconds each stub answer takes")
    parser.add_argument("--calls", type=int, default=96, help="calls (and runs) per measurement")
    parser.add_argument("--repeats", type=int, default=3, help="measurements per configuration; the best is kept")
    args = parser.parse_args()
    servers = [StubServer(delay=args.delay, concurrency=2, reply=REPLY, name=f"s{i}").start() for i in range(4)]
    try:
        print(
            f"stub servers: {args.delay * 1000:.0f} ms per answer, 2 at once each; {CALLERS} concurrent callers; "
            f"best of {args.repeats} x {args.calls}"
        )
        print(f"{'what':<12}{'replicas':>9}{'per s':>9}{'ideal':>9}{'of ideal':>9}{'scaling':>9}")
        for runs in (False, True):
            base = None
            for n in (1, 2, 4):
                rate = await _throughput(servers[:n], args.calls, runs=runs, repeats=args.repeats)
                base = rate if base is None else base
                ideal = 2 / args.delay * n
                what = "junto runs" if runs else "model calls"
                print(f"{what:<12}{n:>9}{rate:>9.1f}{ideal:>9.1f}{rate / ideal:>9.2f}{rate / (n * base):>9.2f}")
    finally:
        for server in servers:
            server.stop()
    direct, balanced = await _overhead(20_000)
    print(
        f"balancing overhead per call (3 replicas, in-process): {(balanced - direct) * 1e3:.3f} ms "
        f"(direct {direct * 1e6:.1f} us, balanced {balanced * 1e6:.1f} us)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
