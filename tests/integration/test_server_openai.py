"""The official openai client against `junto serve`'s app over a real Junto (FunctionModel roster) on 127.0.0.1.

Usage is the run's model calls as recorded (prompt + completion = total), the
aggregator's answer streams in several chunks, ``stream_options.include_usage``
adds the usage chunk, ``GET /v1/models/junto`` answers, each request is logged
as one line without its text, and a run id prefix names a run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from junto.agents import Planner
from junto.graphs._function import FunctionSpecialist

from junto._junto import Junto
from junto._tasks import MathOutput, Status, TaskKind, TaskResult
from junto.models._function import FunctionModel
from junto.models._roster import Roster
from junto.server import ServerSettings, create_app
from tests.integration.test_server_api import LiveServer, _free_port

SECRET_TASK = "zzsecret-words What is 2+2, and then 3+3? Solve both."
ANSWER = "The first sum is 4 [a] and the second sum is 6 [b], both checked by sympy against the question."


def _math(task, inputs, ctx) -> TaskResult:
    value = "4" if task.id in ("a", "only") else "6"
    return TaskResult(task_id=task.id, kind=TaskKind.MATH, status=Status.VERIFIED, output=MathOutput(answer=value))


def _reply(messages, request) -> str:
    if request.output_type is not None:  # the planner
        if any("zzalone" in m.content for m in messages):
            return '{"tasks": [{"id": "only", "kind": "math", "instruction": "2+2"}]}'
        return '{"tasks": [{"id": "a", "kind": "math", "instruction": "2+2"}, {"id": "b", "kind": "math", "instruction": "3+3"}]}'
    return ANSWER


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home: Path = tmp_path_factory.mktemp("junto-home")
    specialists = {kind: FunctionSpecialist(kind, _math) for kind in TaskKind}
    planner = Planner(shortcut=False)  # the plan always comes from the model's reply
    junto = Junto(
        roster=Roster.single(FunctionModel(_reply)),
        store=home / "junto.db",
        specialists=specialists,
        planner=planner,
        checkpoints=False,
    )
    port = _free_port()
    with LiveServer(create_app(junto, settings=ServerSettings(port=port)), port) as server:
        yield server


def _client(live: LiveServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=live.url + "/v1", api_key="x", max_retries=0)


def _record(live: LiveServer, run_id: str) -> dict:
    return httpx.get(f"{live.url}/v1/runs/{run_id}", timeout=30).json()


def test_usage_is_the_runs_recorded_model_calls(live) -> None:
    reply = _client(live).chat.completions.create(model="junto", messages=[{"role": "user", "content": SECRET_TASK}])
    assert reply.choices[0].message.content.startswith(ANSWER)
    usage = reply.usage
    assert usage is not None and usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert usage.prompt_tokens + usage.completion_tokens == usage.total_tokens
    record = _record(live, reply.model_extra["junto"]["run_id"])
    assert usage.total_tokens == record["usage"]["tokens"]  # what the run record counted: planner and aggregator calls
    assert usage.completion_tokens != len(reply.choices[0].message.content.split())  # not the answer's word count


def test_streaming_sends_the_answer_in_chunks_then_the_usage(live) -> None:
    stream = _client(live).chat.completions.create(
        model="junto",
        messages=[{"role": "user", "content": SECRET_TASK + " (streamed)"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    content = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(content) > 5 and "".join(content).startswith(ANSWER)  # token by token, as the aggregator wrote it
    assert chunks[-1].choices == [] and chunks[-1].usage is not None  # the usage chunk comes last
    assert all(c.usage is None for c in chunks[:-1])
    usage = chunks[-1].usage
    assert usage.prompt_tokens + usage.completion_tokens == usage.total_tokens > 0
    record = _record(live, chunks[0].id.removeprefix("chatcmpl-"))
    assert record["answer"] == "".join(content) and usage.total_tokens == record["usage"]["tokens"]


def test_a_one_task_answer_streams_in_pieces_and_no_usage_unless_asked(live) -> None:
    stream = _client(live).chat.completions.create(
        model="junto", messages=[{"role": "user", "content": "zzalone: what is 2+2? " + "Explain. " * 8}], stream=True
    )
    chunks = list(stream)
    assert all(c.usage is None for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith("4")


def test_the_model_can_be_retrieved_and_an_unknown_one_is_404(live) -> None:
    client = _client(live)
    assert client.models.retrieve("junto").id == "junto"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")


def test_each_request_is_logged_in_one_line_without_its_text(live, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="junto.server")
    reply = _client(live).chat.completions.create(model="junto", messages=[{"role": "user", "content": SECRET_TASK}])
    run_id = reply.model_extra["junto"]["run_id"]
    assert _record(live, run_id[:10])["run_id"] == run_id  # a unique prefix names the run
    deadline = time.monotonic() + 5  # the line is written when the response has gone out, just after the client has it
    while not any("GET /v1/runs/" in r.getMessage() for r in caplog.records) and time.monotonic() < deadline:
        time.sleep(0.02)
    lines = [r.getMessage() for r in caplog.records if r.name == "junto.server"]
    assert any(" POST /v1/chat/completions 200 " in line for line in lines), lines
    assert any(f" GET /v1/runs/{run_id[:10]} 200 " in line for line in lines), lines
    assert not any("zzsecret" in line or "Bearer" in line for line in lines)
