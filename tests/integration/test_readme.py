"""Every command in the README runs: its code blocks are extracted and executed.

The Python example and the `junto` commands run for real on the embedded
model and the Docker sandbox. Two adaptations, both stated where they happen:
`junto eval ... --limit 20` runs with `--limit 1` (measured runs are in
benchmarks/results/eval/), and the interactive `junto chat` and the
long-running `junto serve` are driven (an `/exit`, one HTTP request) rather
than left waiting.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
JUNTO = str(Path(sys.executable).with_name("junto"))

pytestmark = [pytest.mark.slow, pytest.mark.model, pytest.mark.docker]


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def _commands() -> list[str]:
    lines = []
    for block in _blocks("bash"):
        for line in block.splitlines():
            command = line.split("  #", 1)[0].strip()
            if command:
                lines.append(command)
    return lines


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("readme")


def _env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["JUNTO_HOME"] = str(workdir / "home")
    env["HOME"] = str(workdir)  # the user config dir holds no junto.toml: zero configuration
    env.pop("JUNTO_API_KEY", None)
    return env


def _junto(workdir: Path, args: list[str], *, timeout: float = 900, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [JUNTO, *args], cwd=workdir, env=_env(workdir), capture_output=True, text=True, timeout=timeout, input=stdin
    )


def test_readme_has_the_two_commands_and_the_makefile_has_their_targets() -> None:
    commands = _commands()
    assert "make demo" in commands and "make test" in commands
    dry = subprocess.run(["make", "-n", "demo"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert "junto run" in dry.stdout  # the demo is a real run on the embedded model


def test_toml_example_is_a_valid_config(workdir: Path) -> None:
    from junto._config import load_config

    (toml,) = _blocks("toml")
    path = workdir / "junto.toml"
    path.write_text(toml)
    config = load_config(path)
    assert set(config.model_names()) >= {"local", "qwen", "gpt", "claude"}
    path.unlink()


def test_python_example_runs_a_task_graph(workdir: Path) -> None:
    (example,) = _blocks("python")
    script = workdir / "example.py"
    script.write_text(example)
    done = subprocess.run(
        [sys.executable, str(script)], cwd=workdir, env=_env(workdir), capture_output=True, text=True, timeout=1200
    )
    assert done.returncode == 0, done.stderr[-3000:]
    statuses = ast.literal_eval(done.stdout.strip().splitlines()[-1])  # the dict the example prints
    assert set(statuses) == {"math_1", "code_1", "writing_1"}
    assert set(statuses.values()) <= {"verified", "failed", "unverified", "skipped"}


def test_every_junto_command_in_the_readme_runs(workdir: Path) -> None:
    (workdir / "script.py").write_text("print('hello from the sandbox')\n")
    (example,) = _blocks("python")
    (workdir / "my_graph.py").write_text(example.split("\nresult =", 1)[0] + "\n")
    run_id = None
    seen = set()
    for command in (c for c in _commands() if c.startswith("junto ")):
        args = shlex.split(command)[1:]
        seen.add(args[0] if args[0] not in ("sandbox", "check", "graph") else " ".join(args[:2]))
        if args[0] == "chat":
            done = _junto(workdir, args, stdin="/sessions\n/exit\n", timeout=120)
            assert done.returncode == 0, done.stderr
            continue
        if args[0] == "serve":
            _check_serve(workdir, args)
            continue
        if args[0] == "eval":
            args[args.index("--limit") + 1] = "1"
            if "--models" not in args:  # a portfolio evaluation keeps the folder the README names
                args += ["--out", str(workdir / "eval")]
        if args[0] == "trace":
            assert run_id is not None, "junto trace needs an earlier run in the README"
            args[1] = run_id
        done = _junto(workdir, args)
        # a run's exit status says how it ended: 3 partial and 4 failed are honest outcomes on the embedded model
        ok = (0, 3, 4) if args[0] in ("run", "graph") else (0,)
        assert done.returncode in ok, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        if args[0] == "run" and "--json" in args:
            record = json.loads(done.stdout)
            run_id = record["run_id"]
            assert record["exit_reason"] in ("completed", "budget")
        if args[:2] == ["sandbox", "run"]:
            assert json.loads(done.stdout)["stdout"] == "hello from the sandbox\n"
        if args[:2] == ["check", "math"]:
            assert "equivalent" in done.stdout.lower() and "not equivalent" not in done.stdout.lower()
        if args[0] == "eval" and "--models" in args:
            assert "[roles]" in (workdir / args[args.index("--out") + 1] / "roles.toml").read_text()
        elif args[0] == "eval":
            _check_eval_results(workdir / "eval")
    assert {"run", "graph run", "chat", "runs", "trace", "serve", "sandbox run", "check math", "eval", "doctor"} <= seen


def _check_eval_results(out: Path) -> None:
    """One item through both systems: each scored by its checks, and the table and plots written."""
    rows = [json.loads(line) for line in (out / "outcomes.jsonl").read_text().splitlines()]
    assert sorted(r["system"] for r in rows) == ["junto", "single:local"]
    assert all(isinstance(r["correct"], bool) and r["parts"] and r["tokens"] > 0 for r in rows), rows
    summary = json.loads((out / "summary.json").read_text())
    assert {(s["system"], s["items"]) for s in summary["systems"]} == {("junto", 1), ("single:local", 1)}
    assert "| junto |" in (out / "summary.md").read_text()
    for plot in ("accuracy_vs_cost.png", "latency.png", "by_category.png"):
        assert (out / plot).read_bytes().startswith(b"\x89PNG"), plot


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _check_serve(workdir: Path, args: list[str]) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [JUNTO, *args, "--port", str(port)],
        cwd=workdir,
        env=_env(workdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read()
                assert time.monotonic() < deadline, "junto serve did not answer within 60 s"
                time.sleep(0.5)
        assert response.status_code == 200
        assert [m["id"] for m in response.json()["data"]] == ["junto"]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
