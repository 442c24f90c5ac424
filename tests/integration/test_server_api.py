"""The HTTP server, served by a real uvicorn on 127.0.0.1, called with the openai client and httpx."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import openai
import pytest
import uvicorn
from junto.graphs._builder import TaskGraph

from junto import _events as ev
from junto._budget import Budget
from junto._plan import PlanTask
from junto._tasks import CheckResult, Status, TaskKind
from junto.server import ServerSettings, create_app


class ScriptedJunto:
    """Stands in for Junto: each run streams a fixed, realistic sequence of events."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls: list[dict[str, Any]] = []
        self.sessions: dict[str, list[str]] = {}
        self.cancelled: list[str] = []
        self.store = None

    async def open(self) -> None:
        return None

    async def aclose(self) -> None:
        return None

    async def stream(self, task, *, session=None, budget=None, run_id=None) -> AsyncIterator[ev.Event]:
        self.calls.append({"task": task, "session": session, "budget": budget, "run_id": run_id})
        label = task if isinstance(task, str) else "graph"
        tasks = [PlanTask(id="sum", kind=TaskKind.MATH, instruction=label)]
        if isinstance(task, TaskGraph):
            tasks = list(task.to_plan().tasks)
        yield ev.RunStarted(run_id=run_id, task=label, session_id=session)
        yield ev.PlanCreated(run_id=run_id, tasks=tasks, source="graph" if isinstance(task, TaskGraph) else "planner")
        try:
            for t in tasks:
                yield ev.TaskStarted(run_id=run_id, task_id=t.id, kind=t.kind)
                await asyncio.sleep(self.delay)
                yield ev.TaskChecked(run_id=run_id, task_id=t.id, attempt=1, check=CheckResult(name="sympy", passed=True))
                yield ev.TaskFinished(run_id=run_id, task_id=t.id, status=Status.VERIFIED, tokens=7, duration_s=0.01)
        except asyncio.CancelledError:
            self.cancelled.append(run_id)
            raise
        yield ev.ModelCalled(
            run_id=run_id,
            role="aggregator",
            model="function",
            started_at=time.time(),
            duration_s=0.0,
            prompt_tokens=15,
            completion_tokens=6,
        )
        yield ev.BudgetUpdated(run_id=run_id, tokens=21, cost_usd=0.0)
        yield ev.AggregateStarted(run_id=run_id, model="function")
        answer = f"Answer to: {label}. The result is 4."
        for word in answer.split(" "):
            yield ev.AggregateToken(run_id=run_id, text=word + " ")
        yield ev.AggregateFinished(run_id=run_id, answer=answer, consistent=True)
        self.sessions.setdefault(session or "", []).append(label)
        yield ev.RunFinished(run_id=run_id, status="completed", exit_reason="completed", duration_s=0.01)


class Records:
    def __init__(self, junto: ScriptedJunto) -> None:
        self.junto = junto

    async def get_run(self, run_id: str) -> dict[str, Any] | None:
        return {"run_id": run_id, "answer": "stored"} if run_id == "stored-run" else None

    async def get_session(self, session_id: str) -> dict[str, Any] | None:
        turns = self.junto.sessions.get(session_id)
        return None if turns is None else {"session_id": session_id, "tasks": turns}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, app, port: int) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
        self.url = f"http://127.0.0.1:{port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve(junto, **settings) -> LiveServer:
    port = _free_port()
    app = create_app(junto, settings=ServerSettings(port=port, **settings), records=Records(junto))
    return LiveServer(app, port)


@pytest.fixture(scope="module")
def junto() -> ScriptedJunto:
    return ScriptedJunto()


@pytest.fixture(scope="module")
def server(junto) -> Iterator[LiveServer]:
    with serve(junto, max_body_bytes=4096, budget_ceiling=Budget(max_tokens=1000)) as live:
        yield live


def client(server: LiveServer, key: str = "unused") -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url + "/v1", api_key=key, max_retries=0)


def test_openai_client_lists_the_junto_model(server) -> None:
    assert [m.id for m in client(server).models.list().data] == ["junto"]


def test_openai_client_non_streaming_answer(server, junto) -> None:
    reply = client(server).chat.completions.create(model="junto", messages=[{"role": "user", "content": "What is 2+2?"}])
    assert reply.choices[0].message.content == "Answer to: What is 2+2?. The result is 4."
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage is not None and (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (15, 6)
    assert reply.usage.total_tokens == 21
    extra = reply.model_extra["junto"]
    assert extra["status"] == "completed" and extra["verified"] == ["sum"]
    assert junto.calls[-1]["budget"] == Budget(max_tokens=1000)  # the ceiling applies


def test_openai_client_streaming_answer_arrives_in_chunks(server) -> None:
    stream = client(server).chat.completions.create(
        model="junto", messages=[{"role": "user", "content": "stream please"}], stream=True
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text.strip() == "Answer to: stream please. The result is 4."
    assert len([c for c in chunks if c.choices[0].delta.content]) >= 5
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.object == "chat.completion.chunk" for c in chunks)


def test_raw_sse_ends_with_done(server) -> None:
    body = {"model": "junto", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    with httpx.stream("POST", server.url + "/v1/chat/completions", json=body, timeout=10) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line]
    assert lines[-1] == "data: [DONE]"
    assert json.loads(lines[0].removeprefix("data: "))["object"] == "chat.completion.chunk"


def test_a_conversation_keeps_one_session_across_turns(server, junto) -> None:
    c = client(server)
    first = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "solve x+1=2"}]
    c.chat.completions.create(model="junto", messages=first)
    s1 = junto.calls[-1]["session"]
    follow = [*first, {"role": "assistant", "content": "x = 1"}, {"role": "user", "content": "and x+2=2?"}]
    c.chat.completions.create(model="junto", messages=follow)
    assert junto.calls[-1]["session"] == s1 and junto.calls[-1]["task"] == "and x+2=2?"
    c.chat.completions.create(model="junto", messages=[{"role": "user", "content": "another chat"}])
    assert junto.calls[-1]["session"] != s1
    c.chat.completions.create(model="junto", messages=[{"role": "user", "content": "mine"}], user="alice")
    assert junto.calls[-1]["session"] == "alice"
    session = httpx.get(f"{server.url}/v1/sessions/{s1}").json()
    assert session["tasks"] == ["solve x+1=2", "and x+2=2?"]


def test_native_run_then_events_then_record(server) -> None:
    accepted = httpx.post(server.url + "/v1/runs", json={"task": "add 2 and 2", "budget": {"max_tokens": 50}})
    assert accepted.status_code == 202
    run = accepted.json()
    with httpx.stream("GET", server.url + run["events_url"], timeout=10) as response:
        events = [json.loads(line.removeprefix("data: ")) for line in response.iter_lines() if line.startswith("data: ")]
    types = [e["type"] for e in events]
    assert types[0] == "run_started" and types[-1] == "run_finished" and "aggregate_token" in types
    record = httpx.get(server.url + run["run_url"]).json()
    assert record["state"] == "finished" and record["answer"].endswith("The result is 4.")
    assert record["tasks"]["sum"]["state"] == "verified"
    # replay from a given event on
    with httpx.stream("GET", server.url + run["events_url"], headers={"Last-Event-ID": "2"}, timeout=10) as response:
        ids = [int(line.removeprefix("id: ")) for line in response.iter_lines() if line.startswith("id: ")]
    assert ids[0] == 3 and len(ids) == len(events) - 3


def test_native_graph_run_and_bad_graph(server, junto) -> None:
    graph = {
        "tasks": [
            {"id": "a", "kind": "math", "instruction": "1+1"},
            {"id": "b", "kind": "writing", "instruction": "say it", "depends_on": ["a"]},
        ]
    }
    ok = httpx.post(server.url + "/v1/runs", json={"graph": graph})
    assert ok.status_code == 202
    bad = {"tasks": [{"id": "a", "kind": "math", "instruction": "x", "depends_on": ["zzz"]}]}
    response = httpx.post(server.url + "/v1/runs", json={"graph": bad})
    assert response.status_code == 400 and "zzz" in response.json()["error"]["message"]


def test_stored_run_is_found_and_unknown_ids_are_404(server) -> None:
    assert httpx.get(server.url + "/v1/runs/stored-run").json()["answer"] == "stored"
    for path in ("/v1/runs/nope", "/v1/runs/nope/events", "/v1/sessions/nope", "/v1/nothing"):
        response = httpx.get(server.url + path)
        assert response.status_code == 404, path
        assert response.json()["error"]["message"], path


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"model": "junto", "messages": "hello"}', "messages"),
        (b'{"model": "junto", "messages": []}', "messages"),
        (b'{"model": "junto", "messages": [{"role": "wizard", "content": "x"}]}', "role"),
        (b'{"model": "junto", "messages": [{"role": "assistant", "content": "x"}]}', "user message"),
        (b'{"model": "junto", "messages": [{"role": "user", "content": "x"}], "stream": "maybe"}', "stream"),
        (b"[1, 2]", "body"),
    ],
)
def test_malformed_chat_requests_get_400_json(server, body: bytes, fragment: str) -> None:
    response = httpx.post(server.url + "/v1/chat/completions", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert fragment in error["message"] and error["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"task": ""},
        {"task": "   "},
        {"task": "x", "graph": {"tasks": []}},
        {"task": 5},
        {"task": "x", "budget": {"max_tokens": -1}},
        {"task": "x", "extra": 1},
    ],
)
def test_malformed_run_requests_get_400_json(server, body) -> None:
    response = httpx.post(server.url + "/v1/runs", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_unknown_model_is_404(server) -> None:
    with pytest.raises(openai.NotFoundError, match="does not exist"):
        client(server).chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": "x"}])


def test_oversized_body_is_413_json(server) -> None:
    big = {"model": "junto", "messages": [{"role": "user", "content": "x" * 10_000}]}
    response = httpx.post(server.url + "/v1/chat/completions", json=big)
    assert response.status_code == 413 and "larger than 4096" in response.json()["error"]["message"]

    def chunked() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"task": "'
        for _ in range(10):
            yield b"y" * 1000
        yield b'"}'

    response = httpx.post(server.url + "/v1/runs", content=chunked(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_full_server_answers_429() -> None:
    slow = ScriptedJunto(delay=2.0)
    with serve(slow, max_concurrent_runs=1) as live:
        first = httpx.post(live.url + "/v1/runs", json={"task": "slow"})
        assert first.status_code == 202
        second = httpx.post(live.url + "/v1/runs", json={"task": "another"})
        assert second.status_code == 429 and second.json()["error"]["code"] == "too_many_runs"
        with pytest.raises(openai.RateLimitError):
            client(live).chat.completions.create(model="junto", messages=[{"role": "user", "content": "x"}])


def test_client_that_leaves_a_stream_cancels_its_run() -> None:
    slow = ScriptedJunto(delay=1.0)
    with serve(slow) as live:
        body = {"model": "junto", "messages": [{"role": "user", "content": "go"}], "stream": True}
        with httpx.stream("POST", live.url + "/v1/chat/completions", json=body, timeout=10) as response:
            next(response.iter_lines())  # the first chunk, then hang up
        deadline = time.monotonic() + 5
        while not slow.cancelled and time.monotonic() < deadline:
            time.sleep(0.05)
        assert slow.cancelled == [slow.calls[0]["run_id"]]


def test_api_key_is_required_on_every_endpoint_when_set() -> None:
    with serve(ScriptedJunto(), api_key="s3cret") as live:
        for method, path in (
            ("GET", "/v1/models"),
            ("POST", "/v1/runs"),
            ("GET", "/v1/runs/x"),
            ("GET", "/v1/sessions/x"),
            ("GET", "/nothing"),
        ):
            response = httpx.request(method, live.url + path)
            assert response.status_code == 401, path
            assert response.json()["error"]["type"] == "authentication_error"
        wrong = httpx.get(live.url + "/v1/models", headers={"Authorization": "Bearer s3creT"})
        assert wrong.status_code == 401
        with pytest.raises(openai.AuthenticationError):
            client(live, key="wrong").models.list()
        reply = client(live, key="s3cret").chat.completions.create(model="junto", messages=[{"role": "user", "content": "hi"}])
        assert reply.choices[0].message.content.endswith("The result is 4.")
