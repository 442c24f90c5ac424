"""The server over a real Junto (FunctionModel roster, function specialists, SQLite store) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from junto.graphs._function import FunctionSpecialist

from junto._junto import Junto
from junto._tasks import MathOutput, Status, TaskKind, TaskResult
from junto.models._function import FunctionModel
from junto.models._roster import Roster
from junto.server import ServerSettings, create_app
from tests.integration.test_server_api import LiveServer, _free_port


def _math(task, inputs, ctx) -> TaskResult:
    return TaskResult(task_id=task.id, kind=TaskKind.MATH, status=Status.VERIFIED, output=MathOutput(answer="4"))


async def _text(task, inputs, ctx) -> str:
    if task.instruction == "zzwait":
        await asyncio.sleep(30)
    return f"text for {task.id}"


def _reply(messages, request) -> str:
    if request.output_type is not None:  # the planner
        if any("zzwait" in m.content for m in messages):
            return '{"tasks": [{"id": "sum", "kind": "math", "instruction": "2+2"}, {"id": "wait", "kind": "writing", "instruction": "zzwait", "depends_on": ["sum"]}]}'
        return '{"tasks": [{"id": "sum", "kind": "math", "instruction": "2+2"}]}'
    return "2+2 is 4 [sum]."


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home: Path = tmp_path_factory.mktemp("junto-home")
    model = FunctionModel(_reply)
    specialists = {kind: FunctionSpecialist(kind, _math if kind is TaskKind.MATH else _text) for kind in TaskKind}
    junto = Junto(roster=Roster.single(model), store=home / "junto.db", specialists=specialists, checkpoints=False)
    port = _free_port()
    with LiveServer(create_app(junto, settings=ServerSettings(port=port)), port) as server:
        yield server


def test_chat_completion_runs_and_is_recorded_with_its_session(live) -> None:
    c = openai.OpenAI(base_url=live.url + "/v1", api_key="x", max_retries=0)
    reply = c.chat.completions.create(model="junto", messages=[{"role": "user", "content": "What is 2+2? Solve it."}], user="s-1")
    answer = reply.choices[0].message.content
    assert "4" in answer
    run_id = reply.model_extra["junto"]["run_id"]
    record = httpx.get(f"{live.url}/v1/runs/{run_id}").json()
    assert record["state"] == "finished" and record["answer"] == answer
    assert record["session_id"] == "s-1" and record["results"]
    session = httpx.get(f"{live.url}/v1/sessions/s-1").json()
    assert [m["role"] for m in session["messages"]] == ["user", "assistant"]
    assert session["run_ids"] == [run_id]


def test_streamed_chat_matches_the_recorded_answer(live) -> None:
    c = openai.OpenAI(base_url=live.url + "/v1", api_key="x", max_retries=0)
    chunks = list(c.chat.completions.create(model="junto", messages=[{"role": "user", "content": "Solve 2+2"}], stream=True))
    text = "".join(ch.choices[0].delta.content or "" for ch in chunks)
    run_id = chunks[0].id.removeprefix("chatcmpl-")
    answer = httpx.get(f"{live.url}/v1/runs/{run_id}").json()["answer"]
    assert answer and text.endswith(answer)  # a revised answer follows what was streamed


def test_native_graph_run_events_are_typed_and_complete(live) -> None:
    graph = {
        "tasks": [
            {"id": "a", "kind": "math", "instruction": "2+2"},
            {"id": "b", "kind": "writing", "instruction": "say it", "depends_on": ["a"]},
        ]
    }
    run = httpx.post(live.url + "/v1/runs", json={"graph": graph, "budget": {"max_tokens": 5000}}).json()
    with httpx.stream("GET", live.url + run["events_url"], timeout=30) as response:
        events = [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: ")]
    types = [e["type"] for e in events]
    assert types[0] == "run_started" and types[-1] == "run_finished"
    finished = {e["task_id"]: e["status"] for e in events if e["type"] == "task_finished"}
    assert finished == {"a": "verified", "b": "unverified"}
    record = httpx.get(live.url + run["run_url"]).json()
    assert record["plan"]["tasks"][1]["depends_on"] == ["a"] and record["status"] == "unverified"


def test_a_run_whose_client_hangs_up_is_recorded_as_cancelled_with_its_finished_tasks(live) -> None:
    # weak cues only (the shortcut leaves it to the model), of math and of writing: the model's two tasks keep their kinds
    body = {"model": "junto", "messages": [{"role": "user", "content": "zzwait: the sum, in words"}], "stream": True}
    with httpx.stream("POST", live.url + "/v1/chat/completions", json=body, timeout=10) as response:
        lines = response.iter_lines()  # kept: dropping the iterator would close the connection now
        first = json.loads(next(lines).removeprefix("data: "))
        run_id = first["id"].removeprefix("chatcmpl-")
        deadline = time.monotonic() + 10
        while httpx.get(f"{live.url}/v1/runs/{run_id}").json()["tasks"].get("wait", {}).get("state") != "running":
            assert time.monotonic() < deadline, "the slow task never started"
            time.sleep(0.05)
    # the client hung up while "wait" runs and "sum" is done
    while (record := httpx.get(f"{live.url}/v1/runs/{run_id}").json())["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert record["state"] == "finished" and record["exit_reason"] == "cancelled"
    assert list(record["results"]) == ["sum"] and record["results"]["sum"]["status"] == "verified"
