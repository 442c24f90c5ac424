"""What observing a run costs: model calls through the observing wrapper, and turning a run into spans.

Side by side in one process, interleaved rounds (a noisy neighbour hits all alike):

- ``raw``: N ``complete`` calls on a FunctionModel (no model latency at all,
  so any overhead shows at its largest);
- ``observed``: the same calls through :class:`junto._observe.ObservedModel`,
  which emits a ``ModelCalled`` event per call (what every run does);
- ``export``: building and exporting the spans of a recorded run's events with
  :class:`junto.OtelExporter` to an in-memory span exporter, per span.

    python benchmarks/trace_overhead.py [--calls 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from junto import _events as ev
from junto._observe import ObservedModel
from junto._otel import OtelExporter
from junto._tasks import CheckResult, Spec, Status, TaskKind
from junto.models import FunctionModel, Message, ModelRequest
from junto.models._types import Role


async def _calls(model, n: int) -> float:
    request = ModelRequest(messages=[Message.user("What is 2+2?")])
    began = time.perf_counter()
    for _ in range(n):
        await model.complete(request)
    return (time.perf_counter() - began) / n


def _events(tasks: int) -> list[ev.Event]:
    """A recorded run's events: ``tasks`` tasks of two attempts, each with a model call and two checks."""
    t, run = 1000.0, "bench"
    out: list[ev.Event] = [ev.RunStarted(run_id=run, task="x", at=t), ev.PlanCreated(run_id=run, tasks=[], at=t + 0.1)]
    for i in range(tasks):
        tid = f"t{i}"
        out.append(ev.TaskStarted(run_id=run, task_id=tid, kind=TaskKind.MATH, at=t + 0.2))
        for attempt in (1, 2):
            out.append(ev.TaskAttempt(run_id=run, task_id=tid, attempt=attempt, model="m", tier=0, at=t + 0.2 * attempt))
            out.append(
                ev.ModelCalled(
                    run_id=run,
                    role="math",
                    model="m",
                    started_at=t + 0.2 * attempt,
                    duration_s=0.1,
                    prompt_tokens=10,
                    completion_tokens=5,
                    task_id=tid,
                    attempt=attempt,
                    at=t + 0.2 * attempt + 0.1,
                )
            )
            for name in ("question", "sympy"):
                check = CheckResult(name=name, passed=attempt == 2, evidence="e", spec=Spec.INSTRUCTION)
                out.append(ev.TaskChecked(run_id=run, task_id=tid, attempt=attempt, check=check, at=t + 0.2 * attempt + 0.15))
        out.append(ev.TaskFinished(run_id=run, task_id=tid, status=Status.VERIFIED, at=t + 0.6))
    out.append(ev.RunFinished(run_id=run, status="verified", exit_reason="completed", at=t + 1.0))
    return out


def _export(tasks: int) -> tuple[float, int]:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    memory = InMemorySpanExporter()
    exporter = OtelExporter(span_exporter=memory, batch=False)
    events = _events(tasks)
    began = time.perf_counter()
    for event in events:
        exporter(event)
    elapsed = time.perf_counter() - began
    spans = len(memory.get_finished_spans())
    exporter.shutdown()
    return elapsed / spans, spans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tasks", type=int, default=20)
    args = parser.parse_args()

    seen: list[ev.Event] = []
    raw = FunctionModel(lambda m, r: "4")
    observed = ObservedModel(FunctionModel(lambda m, r: "4"), role=Role.MATH, emit=seen.append)
    results: dict[str, list[float]] = {"raw": [], "observed": [], "export": []}
    spans = 0
    for _ in range(args.rounds):
        results["raw"].append(asyncio.run(_calls(raw, args.calls)))
        results["observed"].append(asyncio.run(_calls(observed, args.calls)))
        per_span, spans = _export(args.tasks)
        results["export"].append(per_span)
        seen.clear()
    raw_us = statistics.median(results["raw"]) * 1e6
    observed_us = statistics.median(results["observed"]) * 1e6
    export_us = statistics.median(results["export"]) * 1e6
    print(f"model call, raw FunctionModel:        {raw_us:8.1f} us (median of {args.rounds} rounds of {args.calls})")
    print(f"model call, observed (ModelCalled):   {observed_us:8.1f} us  -> +{observed_us - raw_us:.1f} us a call")
    print(f"ratio observed / raw:                 {observed_us / raw_us:8.2f}x")
    print(f"OpenTelemetry spans built + exported: {export_us:8.1f} us a span ({spans} spans, {args.tasks} tasks)")


if __name__ == "__main__":
    main()
