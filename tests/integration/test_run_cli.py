"""`junto run` and `junto graph run`: exit codes, one JSON object, a real run over HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from junto.cli import main

ROOT = Path(__file__).resolve().parents[2]

GRAPH_FILE = """
from junto.graphs import TaskGraph

helper = 3
graph = TaskGraph(name="demo")
first = graph.general("Name a colour", id="colour")
graph.general("Use it in a sentence", id="sentence", after=first)

other = TaskGraph(name="other")
other.general("Say hello", id="hello")
"""


@pytest.fixture()
def stub_server() -> Iterator[int]:
    """The benchmark's OpenAI-compatible stub: answers every chat completion with 'ok'."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "orchestration.py"), "--serve", str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout.readline().strip() == "ready"
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JUNTO_HOME", str(tmp_path / "home"))
    (tmp_path / "graphs.py").write_text(GRAPH_FILE)
    return tmp_path


def _config(project: Path, port: int) -> Path:
    roles = "\n".join(f'{role} = ["stub"]' for role in ("planner", "math", "code", "writing", "general", "aggregator", "judge"))
    path = project / "junto.toml"
    path.write_text(
        f'[models.stub]\nprovider = "openai"\nbase_url = "http://127.0.0.1:{port}/v1"\nmodel = "stub"\n\n'
        f'[roles]\n{roles}\n\n[store]\nurl = "{project / "runs.db"}"\n'
    )
    return path


def _json_run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, dict]:
    code = main(argv)
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, out  # exactly one JSON object on stdout
    return code, json.loads(lines[0])


@pytest.mark.slow
def test_graph_run_over_a_real_http_model_prints_one_json_result(project: Path, stub_server: int, capsys) -> None:
    config = _config(project, stub_server)
    code, result = _json_run(capsys, ["graph", "run", "graphs.py", "--json", "--config", str(config)])
    assert code == 0, result
    assert list(result) == [
        "run_id",
        "session_id",
        "task",
        "plan",
        "results",
        "answer",
        "status",
        "exit_reason",
        "usage",
        "duration_s",
    ]
    assert [t["id"] for t in result["plan"]["tasks"]] == ["colour", "sentence"]
    assert result["exit_reason"] == "completed"
    assert set(result["results"]) == {"colour", "sentence"}
    assert result["usage"]["tokens"] > 0
    code, picked = _json_run(capsys, ["graph", "run", "graphs.py:other", "--json", "--config", str(config)])
    assert code == 0 and [t["id"] for t in picked["plan"]["tasks"]] == ["hello"]


@pytest.mark.slow
def test_run_without_json_prints_the_plan_tasks_and_a_summary(project: Path, stub_server: int, capsys) -> None:
    config = _config(project, stub_server)
    code = main(["graph", "run", "graphs.py", "--config", str(config)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "plan (graph):" in out and "sentence [general] after colour" in out
    assert "colour: " in out and out.count("answer:") == 1
    run_id = out.splitlines()[0].removeprefix("run ")  # the id comes first, whole, then again with the outcome
    assert len(run_id) == 32 and f"run {run_id} unverified (completed" in out and f"junto trace {run_id[:12]}" in out
    assert main(["trace", run_id[:6], "--json", "--config", str(config)]) == 0  # a prefix names it
    assert json.loads(capsys.readouterr().out)["result"]["run_id"] == run_id


def test_usage_errors_exit_2_with_one_json_error(project: Path, capsys) -> None:
    code, error = _json_run(capsys, ["graph", "run", "missing.py", "--json"])
    assert code == 2 and error["type"] == "ConfigError" and "no such file" in error["error"]
    code, error = _json_run(capsys, ["graph", "run", "graphs.py:helper", "--json"])
    assert code == 2 and "is a int, not a TaskGraph" in error["error"]
    code, error = _json_run(capsys, ["graph", "run", "graphs.py:nothing", "--json"])
    assert code == 2 and "defines no 'nothing'" in error["error"]
    (project / "cyclic.py").write_text(
        "from junto.graphs import TaskGraph\ng = TaskGraph()\ng.math('a', id='a', after='b')\ng.math('b', id='b', after='a')\n"
    )
    code, error = _json_run(capsys, ["graph", "run", "cyclic.py", "--json", "--config", str(_config(project, 9))])
    assert code == 2 and error["type"] == "GraphSetupError" and "cycle: a -> b -> a" in error["error"]


def test_a_missing_config_file_is_a_usage_error(project: Path, capsys) -> None:
    code, error = _json_run(capsys, ["run", "what is 2+2", "--json", "--config", "nope.toml"])
    assert code == 2 and error["type"] == "ConfigError"


def test_an_unreachable_model_is_reported_in_the_result_not_a_crash(project: Path, capsys) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    config = _config(project, dead_port)
    code, result = _json_run(capsys, ["run", "Explain why the sky is blue", "--json", "--config", str(config)])
    assert code == 4  # the run completed with no usable answer: the exit status says so
    assert result["status"] == "failed"
    assert all(r["status"] == "failed" for r in result["results"].values())
