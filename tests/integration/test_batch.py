"""`junto batch` on this machine: one line per run, and a batch killed with SIGKILL finishes only what was left.

The models are an OpenAI-compatible stub server on 127.0.0.1 that counts its
calls per item and role; code runs in the real Docker sandbox.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures.batch import ROOT, calls_by_item, stub_server, write_batch, write_config

pytestmark = [pytest.mark.slow, pytest.mark.docker]

JUNTO = str(Path(sys.executable).with_name("junto"))


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.time() + timeout
    while not predicate():
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_a_batch_killed_with_sigkill_finishes_only_what_was_left(tmp_path: Path) -> None:
    log, gate = tmp_path / "calls.jsonl", tmp_path / "open"
    batch, results = write_batch(tmp_path / "batch.jsonl", 4), tmp_path / "results.jsonl"
    env = {**os.environ, "JUNTO_HOME": str(tmp_path / "home")}
    with stub_server(log, "--gate", str(gate), "--gate-from", "2") as port:
        config = write_config(tmp_path / "junto.toml", port)
        command = [JUNTO, "batch", str(batch), "--out", str(results), "--config", str(config), "--concurrency", "4"]
        first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            # items 0 and 1 finish; the aggregators of 2 and 3 are held, so their tasks are done and checkpointed
            _wait_for(lambda: len(_lines(results)) == 2, 240, "two finished runs")
            _wait_for(lambda: calls_by_item(log)[("aggregator", 2)] and calls_by_item(log)[("aggregator", 3)], 120, "held runs")
            os.kill(first.pid, signal.SIGKILL)
            assert first.wait(timeout=10) == -signal.SIGKILL
        finally:
            if first.poll() is None:
                first.kill()
            first.communicate()
        assert sorted(line["id"] for line in _lines(results)) == ["item-0", "item-1"]

        gate.touch()
        second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "4 runs (2 done before)" in second.stderr
    assert "[3/4]" in second.stderr and "[4/4]" in second.stderr  # plain progress when piped: one line per run
    lines = _lines(results)
    assert sorted(line["id"] for line in lines) == [f"item-{n}" for n in range(4)]  # every result once
    calls = calls_by_item(log)
    for n in range(4):  # the second process planned and solved nothing again
        assert (calls[("planner", n)], calls[("math", n)], calls[("code", n)]) == (1, 1, 1), (n, calls)
    for n in (0, 1):  # finished before the kill: not touched at all
        assert calls[("aggregator", n)] == 1
    for n in (2, 3):  # resumed: only the aggregation, cut by the kill, ran again
        assert calls[("aggregator", n)] >= 2
    by_id = {line["id"]: line for line in lines}
    for n in range(4):
        result = by_id[f"item-{n}"]["result"]
        assert result["results"]["product"]["status"] == "verified"
        assert result["results"]["product"]["output"]["answer"] == str((100 + n) * 7)
        assert f"add_{n}" in result["answer"]


def test_ray_without_the_extra_names_junto_ray(tmp_path: Path) -> None:
    batch = write_batch(tmp_path / "batch.jsonl", 1)
    hide_ray = "import sys; sys.modules['ray'] = None; from junto.cli import main; sys.exit(main())"
    completed = subprocess.run(
        [sys.executable, "-c", hide_ray, "batch", str(batch), "--ray"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "JUNTO_HOME": str(tmp_path)},
    )
    assert completed.returncode == 2
    assert "junto[ray]" in completed.stderr
    assert not (tmp_path / "batch.results.jsonl").exists()
