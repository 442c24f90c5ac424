"""OpenTelemetry export: the real OTLP/HTTP exporter sends a run's spans to a receiver on 127.0.0.1 that decodes them.

The run is the three-task run of tests/fixtures/traced_run.py (FunctionModels,
a local stand-in sandbox). The receiver is a plain HTTP server decoding
``ExportTraceServiceRequest`` protobufs with opentelemetry-proto.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from junto._otel import CAPTURE_CONTENT_VARIABLE, OtelExporter
from tests.fixtures.traced_run import traced_run

SECRET = "sk-test-0d5c1e8a9b7f4e2d"
TOKEN = "tok-4f1a2b3c4d5e6f70"
PROMPT_MARK = "zebra-quokka-lighthouse"
REQUEST = f"Evaluate 7*(12 + 5) for {PROMPT_MARK}, key {SECRET}. Then write double(x). Then explain it."


@dataclass
class Span:
    name: str
    span_id: bytes
    parent_id: bytes
    trace_id: bytes
    attributes: dict
    events: list[tuple[str, dict]]
    links: list[bytes]
    start_ns: int
    end_ns: int
    status_code: int
    kind: int


@dataclass
class Receiver:
    url: str
    bodies: list[bytes] = field(default_factory=list)
    resources: list[dict] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)

    def named(self, prefix: str) -> list[Span]:
        return [s for s in self.spans if s.name.startswith(prefix)]

    def one(self, name: str) -> Span:
        (span,) = [s for s in self.spans if s.name == name]
        return span


def _value(v):
    kind = v.WhichOneof("value")
    if kind == "array_value":
        return [_value(x) for x in v.array_value.values]
    return getattr(v, kind) if kind else None


def _attributes(items) -> dict:
    return {kv.key: _value(kv.value) for kv in items}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest, ExportTraceServiceResponse

    got = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            assert self.path == "/v1/traces" and self.headers["Content-Type"] == "application/x-protobuf"
            got.bodies.append(body)
            request = ExportTraceServiceRequest.FromString(body)
            for resource_spans in request.resource_spans:
                got.resources.append(_attributes(resource_spans.resource.attributes))
                for scope in resource_spans.scope_spans:
                    for s in scope.spans:
                        got.spans.append(
                            Span(
                                name=s.name,
                                span_id=s.span_id,
                                parent_id=s.parent_span_id,
                                trace_id=s.trace_id,
                                attributes=_attributes(s.attributes),
                                events=[(e.name, _attributes(e.attributes)) for e in s.events],
                                links=[link.span_id for link in s.links],
                                start_ns=s.start_time_unix_nano,
                                end_ns=s.end_time_unix_nano,
                                status_code=s.status.code,
                                kind=s.kind,
                            )
                        )
            reply = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    got.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield got
    finally:
        server.shutdown()
        server.server_close()


def _export(tmp_path: Path, environ: dict[str, str]) -> None:
    exporter = OtelExporter.from_env(environ)  # what the CLI and the server do, with os.environ
    assert exporter is not None
    try:
        record = asyncio.run(traced_run(tmp_path, request=REQUEST, observers=[exporter]))
        assert record.result.results["product"].verified
        assert exporter.flush()
    finally:
        exporter.shutdown()


def _environ(receiver: Receiver, **extra: str) -> dict[str, str]:
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
        "JUNTO_TEST_API_KEY": SECRET,
        "MY_SERVICE_TOKEN": TOKEN,
        "PATH": "/usr/bin",
        **extra,
    }


def test_a_run_arrives_as_one_trace_of_spans_with_parents_and_gen_ai_attributes(
    tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the exporter reads the standard variables itself; the test sets them as a user would
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.url)
    _export(tmp_path, _environ(receiver))

    assert receiver.resources and receiver.resources[0]["service.name"] == "junto"
    spans = receiver.spans
    assert len({s.trace_id for s in spans}) == 1
    run = receiver.one("junto.run")
    assert run.parent_id == b""
    assert run.attributes["gen_ai.operation.name"] == "invoke_workflow"
    by_id = {s.span_id: s for s in spans}
    parent = {s.name: by_id[s.parent_id].name for s in spans if s.parent_id}

    assert parent["junto.plan"] == "junto.run"
    assert parent["junto.aggregate"] == "junto.run"
    for task in ("product", "double", "explain"):
        span = receiver.one(f"junto.task {task}")
        assert by_id[span.parent_id] is run
        assert span.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert receiver.one("junto.task product").attributes["junto.task.status"] == "verified"
    # dataflow: the writing task links to the two tasks it waited for
    explain = receiver.one("junto.task explain")
    assert set(explain.links) == {receiver.one("junto.task product").span_id, receiver.one("junto.task double").span_id}

    attempts = receiver.named("junto.attempt")
    product_attempts = [a for a in attempts if by_id[a.parent_id].name == "junto.task product"]
    assert sorted(a.attributes["junto.attempt.number"] for a in product_attempts) == [1, 2]

    calls = receiver.named("chat ")
    assert sorted(c.name for c in calls) == [
        "chat agg-fn",
        "chat code-fn",
        "chat math-fn",
        "chat math-fn",
        "chat planner-fn",
        "chat writer-fn",
    ]
    for call in calls:
        a = call.attributes
        assert a["gen_ai.operation.name"] == "chat"
        assert a["gen_ai.provider.name"] == "function" and a["gen_ai.system"] == "function"
        assert a["gen_ai.request.model"] == call.name.removeprefix("chat ")
        assert a["gen_ai.usage.input_tokens"] > 0 and a["gen_ai.usage.output_tokens"] > 0
        assert call.start_ns <= call.end_ns
        assert call.kind == 3  # SPAN_KIND_CLIENT
    math_calls = [c for c in calls if c.name == "chat math-fn"]
    assert {by_id[c.parent_id].span_id for c in math_calls} == {a.span_id for a in product_attempts}
    assert by_id[receiver.one("chat planner-fn").parent_id].name == "junto.plan"
    assert by_id[receiver.one("chat agg-fn").parent_id].name == "junto.aggregate"

    checks = receiver.named("junto.check")
    failed = [c for c in checks if c.attributes["junto.check.passed"] == "failed"]
    assert failed and all(by_id[c.parent_id] in product_attempts for c in failed)  # the wrong first answer
    assert {c.attributes["junto.check.spec"] for c in checks} >= {"instruction", "model"}
    assert all(c.attributes["gen_ai.operation.name"] == "execute_tool" for c in checks)
    runs = receiver.named("junto.sandbox")  # the tests, then the code's variants against the examples
    assert len(runs) == 2
    for sandbox in runs:
        assert by_id[sandbox.parent_id].name == "junto.attempt 1"
        assert by_id[by_id[sandbox.parent_id].parent_id].name == "junto.task double"
        assert sandbox.attributes["junto.sandbox.exit_code"] == 0

    # children lie within their parents' time
    for span in spans:
        if span.parent_id:
            up = by_id[span.parent_id]
            assert up.start_ns <= span.start_ns + 1_000_000 and span.end_ns <= up.end_ns + 1_000_000, (span.name, up.name)

    # by default: no prompt, no output, no request text, no secret, anywhere in what was sent
    raw = b"".join(receiver.bodies)
    assert PROMPT_MARK.encode() not in raw
    assert b"Evaluate 7*(12 + 5)" not in raw
    assert SECRET.encode() not in raw and TOKEN.encode() not in raw
    assert all(not s.events or all(not n.startswith("gen_ai.") for n, _ in s.events) for s in spans)


def test_prompts_and_outputs_only_when_asked_and_secrets_never(
    tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.url)
    _export(tmp_path, _environ(receiver, **{CAPTURE_CONTENT_VARIABLE: "true"}))

    planner = receiver.one("chat planner-fn")
    prompts = [attrs["content"] for name, attrs in planner.events if name == "gen_ai.user.message"]
    assert prompts and PROMPT_MARK in prompts[0]
    assert "[redacted]" in prompts[0]  # the key's value was in the prompt
    math_call = receiver.named("chat math-fn")[0]
    assert any(name == "gen_ai.choice" and "7*(12 + 5)" in attrs["content"] for name, attrs in math_call.events)
    evidence = [a for s in receiver.named("junto.check") for n, a in s.events if n == "junto.check.evidence"]
    assert any("the answer 89 is not the value" in e["junto.check.evidence"] for e in evidence)
    raw = b"".join(receiver.bodies)
    assert PROMPT_MARK.encode() in raw
    assert SECRET.encode() not in raw and TOKEN.encode() not in raw


def test_without_an_endpoint_nothing_is_exported_or_imported() -> None:
    assert OtelExporter.from_env({"JUNTO_TEST_API_KEY": SECRET}) is None
    script = (
        "import sys, junto\n"
        "from junto._otel import OtelExporter\n"
        "assert OtelExporter.from_env({}) is None\n"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_from_config_exports_when_the_standard_variable_is_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from junto._junto import Junto

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JUNTO_HOME", str(tmp_path))
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    assert Junto.from_config().observers == ()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:9/v1/traces")
    (observer,) = Junto.from_config().observers
    assert isinstance(observer, OtelExporter) and observer.capture_content is False
    observer.shutdown()


def test_a_failed_model_call_is_an_error_span_with_its_type_and_failovers() -> None:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import StatusCode

    from junto import _events as ev
    from junto._tasks import Status, TaskKind

    memory = InMemorySpanExporter()
    exporter = OtelExporter(span_exporter=memory, batch=False, redact=[SECRET])
    for event in [
        ev.RunStarted(run_id="r", task="t", at=10.0),
        ev.TaskStarted(run_id="r", task_id="a", kind=TaskKind.MATH, at=10.1),
        ev.TaskAttempt(run_id="r", task_id="a", attempt=1, model="m", tier=0, at=10.1),
        ev.ModelCalled(
            run_id="r",
            role="math",
            model="m",
            started_at=10.1,
            duration_s=0.2,
            task_id="a",
            attempt=1,
            error=f"ModelRateLimitError: slow down, key {SECRET}",
            error_type="ModelRateLimitError",
            deployment="m-2",
            failovers=["m-1: ModelHTTPError"],
            at=10.3,
        ),
        ev.TaskFinished(run_id="r", task_id="a", status=Status.FAILED, reason="no attempt", at=10.4),
        ev.RunFinished(run_id="r", status="failed", exit_reason="completed", at=10.5),
    ]:
        exporter(event)
    spans = {s.name: s for s in memory.get_finished_spans()}
    exporter.shutdown()
    call = spans["chat m"]
    assert call.status.status_code is StatusCode.ERROR and SECRET not in (call.status.description or "")
    assert call.attributes["error.type"] == "ModelRateLimitError"
    assert call.attributes["junto.deployment"] == "m-2"
    assert list(call.attributes["junto.failovers"]) == ["m-1: ModelHTTPError"]
    assert spans["junto.task a"].status.status_code is StatusCode.ERROR
    assert spans["junto.run"].status.status_code is StatusCode.ERROR
