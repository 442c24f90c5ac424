"""OpenTelemetry export of runs (the ``junto[otel]`` extra).

:class:`OtelExporter` is an observer of a run's events: when a run finishes
it turns them into one trace, with the times the events carry::

    junto.run                      invoke_workflow
    ├── junto.plan                 (the planner's model calls below it)
    │   └── chat MODEL             gen_ai.* attributes, usage
    ├── junto.task ID              invoke_agent, one per task, linked to the tasks it waited for
    │   └── junto.attempt N        one per candidate
    │       ├── chat MODEL
    │       ├── junto.sandbox      execute_tool
    │       └── junto.check NAME   execute_tool, passed / spec / source
    └── junto.aggregate
        └── chat MODEL

Model calls follow the OpenTelemetry GenAI semantic conventions
(``gen_ai.operation.name``, ``gen_ai.provider.name`` and the older
``gen_ai.system``, ``gen_ai.request.model``, ``gen_ai.usage.input_tokens``,
``gen_ai.usage.output_tokens``). Prompts, outputs, the request, task
instructions and check evidence are exported only with ``capture_content``
(span events); the value of any environment variable whose name holds KEY,
TOKEN or SECRET is replaced by ``[redacted]`` wherever it would appear.

:meth:`OtelExporter.from_env` is what the CLI and the server call: ``None``
unless ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_ENDPOINT``
is set, so nothing is imported or done otherwise.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from junto import _events as ev
from junto._exceptions import MissingDependencyError

__all__ = ["CAPTURE_CONTENT_VARIABLE", "OtelExporter", "secret_values"]

CAPTURE_CONTENT_VARIABLE = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
_ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
_SECRET_MARKERS = ("KEY", "TOKEN", "SECRET")
_REDACTED = "[redacted]"
_log = logging.getLogger("junto.otel")


def secret_values(environ: Mapping[str, str]) -> list[str]:
    """Values of the variables whose names hold KEY, TOKEN or SECRET (longest first; very short ones left out)."""
    values = {v for k, v in environ.items() if any(m in k.upper() for m in _SECRET_MARKERS) and len(v) >= 4}
    return sorted(values, key=len, reverse=True)


def _ns(seconds: float) -> int:
    return int(seconds * 1_000_000_000)


class OtelExporter:
    """Exports each finished run as one trace to ``span_exporter`` (default: OTLP over HTTP, configured by OTEL_* variables).

    ``capture_content`` puts prompts, outputs, instructions and evidence in
    span events; ``redact`` lists strings never to export.
    """

    def __init__(
        self,
        *,
        span_exporter: Any = None,
        capture_content: bool = False,
        redact: Iterable[str] = (),
        service_name: str = "junto",
        batch: bool = True,
    ) -> None:
        try:
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
        except ImportError as error:
            raise MissingDependencyError("OpenTelemetry export", "otel") from error
        if span_exporter is None:
            try:
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
            except ImportError as error:
                raise MissingDependencyError("OpenTelemetry export", "otel") from error
            span_exporter = OTLPSpanExporter()
        from junto import __version__

        self.capture_content = capture_content
        self.redact = sorted({r for r in redact if r}, key=len, reverse=True)
        self.provider = TracerProvider(resource=Resource.create({"service.name": service_name, "service.version": __version__}))
        processor = BatchSpanProcessor(span_exporter) if batch else SimpleSpanProcessor(span_exporter)
        self.provider.add_span_processor(processor)
        self.tracer = self.provider.get_tracer("junto", __version__)
        self._runs: dict[str, list[ev.Event]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> OtelExporter | None:
        """An exporter when an OTLP endpoint variable is set, else ``None`` (nothing imported)."""
        if not any(environ.get(name) for name in _ENDPOINT_VARIABLES):
            return None
        capture = environ.get(CAPTURE_CONTENT_VARIABLE, "").strip().lower() in ("1", "true", "yes", "on")
        return cls(capture_content=capture, redact=secret_values(environ))

    def __call__(self, event: ev.Event) -> None:
        if isinstance(event, ev.AggregateToken):
            return
        with self._lock:
            events = self._runs.setdefault(event.run_id, [])
            events.append(event)
            if not isinstance(event, ev.RunFinished):
                return
            del self._runs[event.run_id]
        try:
            _Trace(self, events).export()
        except Exception:  # an exporter's fault must never fail the run it watches
            _log.exception("junto: could not export the trace of run %s", events[-1].run_id)

    def flush(self, timeout_s: float = 10.0) -> bool:
        return self.provider.force_flush(int(timeout_s * 1000))

    def shutdown(self) -> None:
        self.provider.shutdown()

    def clean(self, text: str) -> str:
        for secret in self.redact:
            text = text.replace(secret, _REDACTED)
        return text


class _Trace:
    """One run's events turned into spans."""

    def __init__(self, exporter: OtelExporter, events: list[ev.Event]) -> None:
        self.x = exporter
        self.events = events
        self.ends: dict[int, float] = {}  # span id() -> end time; every span is kept alive in export()'s list

    def _span(
        self,
        name: str,
        parent: Any,
        start: float,
        end: float,
        attributes: dict[str, Any],
        links: list[Any] | None = None,
        *,
        client: bool = False,
    ) -> Any:
        from opentelemetry import trace

        context = trace.set_span_in_context(parent) if parent is not None else None
        clean = {k: self.x.clean(v) if isinstance(v, str) else v for k, v in attributes.items() if v is not None}
        span = self.x.tracer.start_span(
            self.x.clean(name),
            context=context,
            kind=trace.SpanKind.CLIENT if client else trace.SpanKind.INTERNAL,
            start_time=_ns(start),
            attributes=clean,
            links=links or None,
        )
        self.ends[id(span)] = max(end, start)  # ended in export(), once its children are made
        return span

    def _content(self, span: Any, name: str, at: float, attributes: dict[str, str]) -> None:
        if self.x.capture_content:
            span.add_event(name, {k: self.x.clean(v) for k, v in attributes.items()}, timestamp=_ns(at))

    def _error(self, span: Any, description: str) -> None:
        from opentelemetry.trace import Status, StatusCode

        span.set_status(Status(StatusCode.ERROR, self.x.clean(description)))

    def export(self) -> None:
        events = self.events
        started = next((e for e in events if isinstance(e, ev.RunStarted)), None)
        finished = events[-1]
        assert isinstance(finished, ev.RunFinished)
        begin = started.at if started is not None else events[0].at
        spans: list[Any] = []
        run = self._span(
            "junto.run",
            None,
            begin,
            finished.at,
            {
                "gen_ai.operation.name": "invoke_workflow",
                "junto.run.id": finished.run_id,
                "junto.run.status": finished.status,
                "junto.run.exit_reason": str(finished.exit_reason),
                "gen_ai.conversation.id": started.session_id if started is not None else None,
            },
        )
        spans.append(run)
        if started is not None:
            self._content(run, "junto.request", started.at, {"junto.request": started.task})
        if finished.status == "failed":
            self._error(run, str(finished.summary.get("error") or finished.exit_reason))

        plans = [e for e in events if isinstance(e, ev.PlanCreated)]
        plan = None
        if plans:
            first = plans[0]
            plan = self._span(
                "junto.plan",
                run,
                begin,
                first.at,
                {"junto.plan.source": first.source, "junto.plan.tasks": len(first.tasks)},
            )
            spans.append(plan)
            for repair in (e for e in events if isinstance(e, ev.PlanRepaired)):
                plan.add_event(
                    "junto.plan.repair", {"junto.plan.errors": [self.x.clean(s) for s in repair.errors]}, _ns(repair.at)
                )
            for task in first.tasks:
                self._content(
                    plan, "junto.plan.task", first.at, {"junto.task.id": task.id, "junto.task.instruction": task.instruction}
                )
        depends = {t.id: list(t.depends_on) for p in plans for t in p.tasks}
        depends.update({t.id: list(t.depends_on) for e in events if isinstance(e, ev.PlanRevised) for t in e.tasks})

        tasks, attempts = self._tasks(run, depends, spans)
        aggregate = self._aggregate(run, spans)
        for call in (e for e in events if isinstance(e, ev.ModelCalled)):
            parent = attempts.get((call.task_id, call.attempt)) or tasks.get(call.task_id)
            if parent is None:
                if call.role == "aggregator" and aggregate is not None:
                    parent = aggregate
                elif call.role == "planner" and plan is not None and call.started_at <= self.ends[id(plan)]:
                    parent = plan
                else:
                    parent = run
            spans.append(self._model_call(call, parent))
        for ran in (e for e in events if isinstance(e, ev.SandboxRan)):
            parent = attempts.get((ran.task_id, ran.attempt)) or tasks.get(ran.task_id) or run
            span = self._span(
                "junto.sandbox",
                parent,
                ran.started_at,
                ran.started_at + ran.duration_s,
                {
                    "gen_ai.operation.name": "execute_tool",
                    "gen_ai.tool.name": "sandbox",
                    "junto.sandbox.exit_code": ran.exit_code,
                    "junto.sandbox.timed_out": ran.timed_out,
                },
            )
            if ran.error:
                self._error(span, ran.error)
            spans.append(span)
        for span in reversed(spans):  # children first, so each parent's end is known to cover them
            span.end(end_time=_ns(self.ends[id(span)]))

    def _tasks(
        self, run: Any, depends: dict[str, list[str]], spans: list[Any]
    ) -> tuple[dict[str, Any], dict[tuple[str, int], Any]]:
        events = self.events
        tasks: dict[str, Any] = {}
        attempts: dict[tuple[str, int], Any] = {}
        starts = {e.task_id: e for e in events if isinstance(e, ev.TaskStarted)}
        calls_end: dict[tuple[str, int], float] = {}  # the end of each attempt's last model call or sandbox run
        generated: dict[tuple[str, int], float] = {}  # the end of its last model call: its checks start there
        for e in events:
            if isinstance(e, ev.ModelCalled | ev.SandboxRan) and e.task_id:
                key = (e.task_id, e.attempt)
                calls_end[key] = max(calls_end.get(key, 0.0), e.started_at + e.duration_s)
                if isinstance(e, ev.ModelCalled):
                    generated[key] = max(generated.get(key, 0.0), e.started_at + e.duration_s)
        for done in (e for e in events if isinstance(e, ev.TaskFinished)):
            start = starts.get(done.task_id)
            links = [_link(tasks[d]) for d in depends.get(done.task_id, []) if d in tasks]
            span = self._span(
                f"junto.task {done.task_id}",
                run,
                start.at if start is not None else done.at,
                done.at,
                {
                    "gen_ai.operation.name": "invoke_agent",
                    "gen_ai.agent.name": f"junto.{start.kind.value}" if start is not None else None,
                    "junto.task.id": done.task_id,
                    "junto.task.kind": start.kind.value if start is not None else None,
                    "junto.task.status": done.status.value,
                    "junto.task.attempts": done.attempts,
                    "junto.task.tokens": done.tokens,
                    "junto.task.depends_on": depends.get(done.task_id, []),
                    "junto.task.reason": done.reason,
                },
                links,
            )
            if done.status.value == "failed":
                self._error(span, done.reason or "failed")
            tasks[done.task_id] = span
            spans.append(span)
        for e in events:
            if isinstance(e, ev.TaskAttempt) and e.task_id in tasks:
                key = (e.task_id, e.attempt)
                checks = [c for c in events if isinstance(c, ev.TaskChecked) and (c.task_id, c.attempt) == key]
                end = max([e.at, calls_end.get(key, 0.0), *(c.at for c in checks)])
                span = self._span(
                    f"junto.attempt {e.attempt}",
                    tasks[e.task_id],
                    e.at,
                    min(end, self.ends[id(tasks[e.task_id])]) if end > e.at else e.at,
                    {"junto.attempt.number": e.attempt, "gen_ai.request.model": e.model, "junto.attempt.tier": e.tier},
                )
                attempts[key] = span
                spans.append(span)
                for check in checks:
                    spans.append(self._check(check, span, max(e.at, min(generated.get(key, e.at), check.at))))
        return tasks, attempts

    def _check(self, event: ev.TaskChecked, parent: Any, start: float) -> Any:
        c = event.check
        span = self._span(
            f"junto.check {c.name}",
            parent,
            start,
            event.at,
            {
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": c.name,
                "junto.check.passed": {True: "passed", False: "failed", None: "undecided"}[c.passed],
                "junto.check.spec": c.spec.value,
                "junto.check.source": c.source,
            },
        )
        self._content(span, "junto.check.evidence", event.at, {"junto.check.evidence": c.evidence})
        return span

    def _aggregate(self, run: Any, spans: list[Any]) -> Any:
        begun = next((e for e in self.events if isinstance(e, ev.AggregateStarted)), None)
        if begun is None:
            return None
        done = next((e for e in self.events if isinstance(e, ev.AggregateFinished)), None)
        span = self._span(
            "junto.aggregate",
            run,
            begun.at,
            done.at if done is not None else begun.at,
            {
                "gen_ai.request.model": begun.model,
                "junto.aggregate.consistent": None if done is None or done.consistent is None else done.consistent,
                "junto.aggregate.revisions": done.revisions if done is not None else None,
            },
        )
        if done is not None:
            self._content(span, "junto.answer", done.at, {"junto.answer": done.answer})
        spans.append(span)
        return span

    def _model_call(self, call: ev.ModelCalled, parent: Any) -> Any:
        span = self._span(
            f"chat {call.model}",
            parent,
            call.started_at,
            call.started_at + call.duration_s,
            {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": call.provider or None,
                "gen_ai.system": call.provider or None,
                "gen_ai.request.model": call.model,
                "gen_ai.request.temperature": call.temperature,
                "gen_ai.request.max_tokens": call.max_tokens,
                "gen_ai.usage.input_tokens": call.prompt_tokens,
                "gen_ai.usage.output_tokens": call.completion_tokens,
                "junto.role": call.role,
                "junto.cost_usd": call.cost_usd,
                "junto.deployment": call.deployment,
                "junto.failovers": [self.x.clean(f) for f in call.failovers] or None,
            },
            client=True,  # a call out to a model server, as the GenAI conventions have it
        )
        if call.error:
            span.set_attribute("error.type", call.error_type or call.error.split(":", 1)[0])
            self._error(span, call.error)
        for message in call.messages:
            self._content(span, f"gen_ai.{message.role}.message", call.started_at, {"content": message.content})
        if call.output:
            self._content(span, "gen_ai.choice", call.started_at + call.duration_s, {"content": call.output})
        return span


def _link(span: Any) -> Any:
    from opentelemetry.trace import Link

    return Link(span.get_span_context(), {"junto.link": "waited_for"})
