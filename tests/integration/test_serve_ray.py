"""`junto serve` as a Ray Serve deployment: two replicas on one PostgreSQL, reached through Ray Serve's HTTP proxy.

The deployment is the README's Python block, run as it stands with a local
Ray's address (a head started here on 127.0.0.1, offering ``sandbox``) and a
free port put in. The models are the stub server, which logs which earlier
turns each planner request carried; the composite task's code runs in the
replicas' Docker sandbox. A conversation goes through the proxy (its second
turn streamed), then ``serve.shutdown()`` stops the replicas, which remove
their sandbox containers, and every Ray process is killed by its id.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import docker
import httpx
import pytest

from tests.fixtures.batch import ROOT, free_port, ray_cluster, stub_server, write_config
from tests.fixtures.stub_openai import task_line

pytestmark = [pytest.mark.slow, pytest.mark.docker, pytest.mark.postgres]

STORE = "postgresql://junto:junto@127.0.0.1:5432/junto_test"
HEAD, PORT = '"HEAD:6379"', '"port": 8000'


def _readme_deployment() -> str:
    """The Python block of the README's Ray Serve paragraph."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("**`junto serve` on several machines.**", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```py\n(.*?)```", section, flags=re.DOTALL)
    assert block.count(HEAD) == 1 and block.count(PORT) == 1, block
    return block


def _driver(code: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _streamed(response: httpx.Response) -> tuple[str, str]:
    """The run id and the text of a streamed chat completion."""
    assert response.status_code == 200, response.text
    chunks = [line.removeprefix("data: ") for line in response.text.splitlines() if line.startswith("data: ")]
    assert chunks[-1] == "[DONE]"
    parsed = [json.loads(chunk) for chunk in chunks[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in parsed if c["choices"])
    return parsed[0]["id"].removeprefix("chatcmpl-"), text


def _sandboxes(owners: set[int]) -> list[str]:
    """The junto sandbox containers whose owning process is one of ``owners``."""
    engine = docker.from_env()
    try:
        found = engine.api.containers(all=True, filters={"label": "junto.sandbox=1"})
    finally:
        engine.close()
    return [c["Id"] for c in found if int((c.get("Labels") or {}).get("junto.pid") or 0) in owners]


def test_two_ray_serve_replicas_serve_one_conversation(tmp_path: Path) -> None:
    log = tmp_path / "calls.jsonl"
    opening = f"{task_line(1)} [{uuid.uuid4().hex[:8]}]"  # a session of its own in the shared store
    with stub_server(log) as stub_port, ray_cluster(tmp_path, nodes=1) as cluster:
        config = write_config(tmp_path / "junto.toml", stub_port)
        config.write_text(f'[store]\nurl = "{STORE}"\n\n' + config.read_text())
        port = free_port()
        deploy = _readme_deployment().replace(HEAD, f'"{cluster.address}"').replace(PORT, f'"port": {port}')
        _driver(deploy, tmp_path, cluster.env)  # returns once both replicas are up; the application outlives it
        url = f"http://127.0.0.1:{port}/v1"
        first = httpx.post(
            f"{url}/chat/completions", json={"model": "junto", "messages": [{"role": "user", "content": opening}]}, timeout=300
        )
        assert first.status_code == 200, first.text
        answer = first.json()["choices"][0]["message"]["content"]
        conversation = [
            {"role": "user", "content": opening},
            {"role": "assistant", "content": answer},
            {"role": "user", "content": task_line(2)},
        ]
        second = httpx.post(
            f"{url}/chat/completions", json={"model": "junto", "messages": conversation, "stream": True}, timeout=300
        )
        second_run, second_text = _streamed(second)
        session_id = first.json()["junto"]["session_id"]
        session = httpx.get(f"{url}/sessions/{session_id}", timeout=30)
        owners = cluster.processes()
        used = _sandboxes(owners)
        stopped = _driver(
            "import json, ray\n"
            "from ray import serve\n"
            f"ray.init(address='{cluster.address}')\n"
            "states = serve.status().applications['default'].deployments['junto'].replica_states\n"
            "print(json.dumps({str(getattr(k, 'value', k)): v for k, v in states.items()}))\n"
            "serve.shutdown()\n",
            tmp_path,
            cluster.env,
        )
        with pytest.raises(httpx.TransportError):  # the proxy is gone with Serve
            httpx.get(f"{url}/models", timeout=5)
        left = _sandboxes(owners)
    assert json.loads(stopped.stdout.strip().splitlines()[-1]) == {"RUNNING": 2}
    assert "707" in answer and "714" in second_text
    assert first.json()["junto"]["verified"] == ["product"] and set(first.json()["junto"]["tasks"]) == {"product", "code"}
    assert used and not left  # the replicas ran code in their sandbox and removed it when Serve stopped them
    assert session.status_code == 200, session.text
    record = session.json()
    assert [m["role"] for m in record["messages"]] == ["user", "assistant", "user", "assistant"]
    assert record["run_ids"] == [first.json()["junto"]["run_id"], second_run]
    planner = [json.loads(line) for line in log.read_text().splitlines() if '"planner"' in line]
    second_turn = [c for c in planner if c["item"] == 2]
    assert second_turn and all(1 in c["seen"] for c in second_turn)  # the second turn was planned with the first
