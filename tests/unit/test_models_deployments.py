"""A roster's live deployment state: its JSON (``GET /v1/deployments``) and ``junto models list --server``."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from junto import Junto
from junto.cli import main
from junto.models import (
    ChatModel,
    FunctionModel,
    Message,
    ModelRequest,
    OpenAIBackend,
    OpenAIProvider,
    Replica,
    ReplicaBackend,
    Roster,
    RosterDeployments,
)
from junto.models._types import Role
from junto.server import ServerSettings, create_app

KEY = "sk-deployment-key-0123456789"
PASSWORD = "url-pass-word-42"
SERVER_KEY = "server-key-abcdef"
REQUEST = ModelRequest(messages=[Message.user("hello")])

STATUS_FIELDS = {
    "model", "name", "base_url", "state", "in_flight", "concurrency", "weight", "latency_s", "ttft_s",
    "tokens_per_s", "calls", "errors", "probe_s", "cooldown_left_s", "last_error", "last_error_type",
}  # fmt: skip


def _server(*, echo_key: bool) -> httpx.MockTransport:
    """An OpenAI-compatible server on the wire: it answers, or fails with a 500 that echoes the key it was sent."""

    def handle(request: httpx.Request) -> httpx.Response:
        if echo_key:
            return httpx.Response(500, json={"error": {"message": f"overloaded, {request.headers['authorization']}"}})
        body = {
            "choices": [{"message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1},
        }
        return httpx.Response(200, json=body)

    return httpx.MockTransport(handle)


def _replicated() -> ChatModel:
    def replica(name: str, url: str, *, failing: bool) -> Replica:
        provider = OpenAIProvider(url, api_key=KEY, transport=_server(echo_key=failing))
        return Replica(name=name, backend=OpenAIBackend(provider, model="m"), concurrency=2, base_url=url)

    backend = ReplicaBackend(
        [
            replica("a", "http://a.test/v1", failing=True),
            replica("b", f"http://user:{PASSWORD}@b.test/v1?api-key={KEY}", failing=False),
        ],
        model_id="pool",
    )
    return ChatModel(backend, name="pool", retry=None, concurrency=4)


@pytest.fixture
async def roster() -> Iterator[Roster]:
    pool = _replicated()
    pool.backend.strategy.choose = lambda candidates: candidates[0]  # "a" first while it is healthy
    for _ in range(3):
        assert (await pool.complete(REQUEST)).text == "hi"
    roster = Roster({Role.CODE: [FunctionModel(lambda m, r: "x", name="tiny"), pool]}, default=[pool])
    yield roster
    await pool.aclose()


async def test_the_json_shows_each_deployment_its_state_and_counts_and_no_secret(roster: Roster) -> None:
    state = RosterDeployments.of(roster, secrets=[SERVER_KEY]).model_dump(mode="json")
    assert state["object"] == "junto.deployments"
    assert state["roles"]["code"] == ["tiny", "pool"] and state["roles"]["planner"] == ["pool"]
    (pool,) = [m for m in state["models"] if m["name"] == "pool"]
    assert {m["name"]: m["deployments"] for m in state["models"]}["tiny"] == []
    assert pool["strategy"] == "least_busy"
    a, b = pool["deployments"]
    assert set(a) == set(b) == STATUS_FIELDS
    assert (a["name"], a["state"], a["calls"], a["errors"], a["last_error_type"]) == ("a", "cooling down", 1, 1, "ModelHTTPError")
    assert (b["name"], b["state"], b["calls"], b["errors"], b["in_flight"], b["concurrency"]) == ("b", "healthy", 3, 0, 0, 2)
    assert b["latency_s"] > 0
    assert a["base_url"] == "http://a.test/v1" and b["base_url"] == "http://b.test/v1"  # no user, password or query
    assert "overloaded, Bearer [redacted]" in a["last_error"]
    text = json.dumps(state)
    assert KEY not in text and PASSWORD not in text and "api-key" not in text


async def test_the_server_answers_the_state_read_only_and_behind_its_key(roster: Roster) -> None:
    app = create_app(Junto(roster=roster, record=False, checkpoints=False), settings=ServerSettings(api_key=SERVER_KEY))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://junto.test") as client:
        answer = await client.get("/v1/deployments", headers={"Authorization": f"Bearer {SERVER_KEY}"})
        refused = await client.get("/v1/deployments")
        posted = await client.post("/v1/deployments", headers={"Authorization": f"Bearer {SERVER_KEY}"})
    assert answer.status_code == 200
    served = RosterDeployments.model_validate_json(answer.content)
    (pool,) = [m for m in served.models if m.name == "pool"]
    assert [(d.name, d.state.value, d.calls) for d in pool.deployments] == [
        ("a", "cooling down", 1),
        ("b", "healthy", 3),
    ]
    assert KEY not in answer.text and SERVER_KEY not in answer.text
    assert refused.status_code == 401 and posted.status_code == 405


async def test_a_server_that_has_built_no_roster_yet_shows_none() -> None:
    state = RosterDeployments.of(Junto(record=False, checkpoints=False).roster)
    assert (state.roles, state.models) == ({}, [])


# -- junto models list --server -----------------------------------------------------------


class _Answers(BaseHTTPRequestHandler):
    status = 200
    body = b"{}"
    seen: list[dict[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802
        type(self).seen.append({"path": self.path, "authorization": self.headers.get("authorization", "")})
        self.send_response(self.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def answering() -> Iterator[tuple[str, type[_Answers]]]:
    """A server that answers every GET with the status and body the test sets."""
    handler = type("Answers", (_Answers,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def _row(out: str, name: str) -> str:
    return next(line for line in out.splitlines() if line.count("│") > 8 and line.split("│")[2].strip() == name)


async def test_list_server_prints_the_servers_live_table(
    roster: Roster, answering, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, handler = answering
    handler.body = RosterDeployments.of(roster).model_dump_json().encode()
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setenv("JUNTO_API_KEY", SERVER_KEY)
    assert main(["models", "list", "--server", url + "/v1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"live state of the junto server at {url}/v1")
    assert "tiny, pool" in out  # the server's roles
    a, b = _row(out, "a"), _row(out, "b")
    assert [cell.strip() for cell in a.split("│")[1:-1]][:9] == [
        "pool", "a", "http://a.test/v1", "cooling down", "0/2", "-", "1", "1", "least_busy",
    ]  # fmt: skip
    assert "ModelHTTPError: http://a.test/v1/chat/completions answered HTTP 500" in a
    assert [cell.strip() for cell in b.split("│")[1:-1]][6:9] == ["3", "0", "least_busy"] and "healthy" in b
    assert "one endpoint each, no deployments to show: tiny" in out
    assert handler.seen == [{"path": "/v1/deployments", "authorization": f"Bearer {SERVER_KEY}"}]


@pytest.mark.parametrize(
    ("status", "body", "code", "message"),
    [
        (404, b'{"detail": "Not Found"}', 1, "is not a junto server"),
        (200, b'{"object": "list", "data": [{"id": "gpt"}]}', 1, "JSON that is not a junto server's deployment state"),
        (200, b"<html>it works</html>", 1, "something that is not JSON"),
        (200, b'{"object": "junto.deployments", "roles": {}, "models": [{"name": "m", "deployments": [{}]}]}', 1, "not a"),
        (502, b"bad gateway", 1, "answered GET /v1/deployments with HTTP 502"),
        (401, b'{"error": {"message": "key"}}', 2, "needs its API key"),
    ],
)
def test_list_server_answers_that_are_not_the_state_are_one_line_errors(
    answering, status: int, body: bytes, code: int, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url, handler = answering
    handler.status, handler.body = status, body
    assert main(["models", "list", "--server", url]) == code
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err
    assert captured.err.startswith("error:") and captured.out == ""


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--server", "http://127.0.0.1:9"], 1, "cannot reach a junto server at http://127.0.0.1:9"),
        (["--server", "127.0.0.1:8000"], 2, "--server takes the URL of a junto server"),
        (["--server", "http://127.0.0.1:9", "--config", "junto.toml"], 2, "--config does not apply"),
    ],
)
def test_list_server_usage_and_unreachable_server(args: list[str], code: int, message: str, capsys) -> None:
    assert main(["models", "list", *args]) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
