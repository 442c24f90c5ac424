"""`junto batch --ray` on a real two-node Ray cluster on 127.0.0.1, losing its second node mid-batch.

Both nodes advertise ``sandbox`` and run code in the real Docker sandbox (one
warm pool per node, owned by that node's actor); the models are the stub
server, which counts calls per item and role; runs keep their state in
PostgreSQL. The aggregators of the first wave are held until the second node
has been killed (every Ray process it started, by id), so its runs are cut
short after their tasks were checked and must resume on the head.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures.batch import ROOT, calls_by_item, ray_cluster, stub_server, write_batch, write_config
from tests.fixtures.stub_openai import task_line

pytestmark = [pytest.mark.slow, pytest.mark.docker, pytest.mark.postgres]

JUNTO = str(Path(sys.executable).with_name("junto"))
STORE = "postgresql://junto:junto@127.0.0.1:5432/junto_test"
ITEMS, SLOTS = 6, 2


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.time() + timeout
    while not predicate():
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_a_batch_on_two_ray_nodes_survives_losing_one(tmp_path: Path) -> None:
    log, gate = tmp_path / "calls.jsonl", tmp_path / "open"
    batch, results = write_batch(tmp_path / "batch.jsonl", ITEMS), tmp_path / "results.jsonl"
    with stub_server(log, "--gate", str(gate)) as port, ray_cluster(tmp_path) as cluster:
        config = write_config(tmp_path / "junto.toml", port)
        command = [JUNTO, "batch", str(batch), "--out", str(results), "--config", str(config)]
        command += ["--ray", cluster.address, "--concurrency", str(SLOTS), "--store", STORE]
        driver = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "JUNTO_HOME": str(tmp_path)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            # the first wave, SLOTS runs on each node, all waiting in aggregation with their tasks checked
            _wait_for(
                lambda: sum(n for (role, _), n in calls_by_item(log).items() if role == "aggregator") >= 2 * SLOTS,
                400,
                "first wave",
            )
            killed = cluster.nodes[-1].kill()
            assert len(killed) > 3  # ray start, raylet, agents, the node's worker with its actor
            gate.touch()
            stdout, stderr = driver.communicate(timeout=400)
        finally:
            if driver.poll() is None:
                driver.kill()
                driver.communicate()
        # the lost node's warm containers outlived it; their owner is gone, so the reaper takes them
        pruned = subprocess.run([JUNTO, "sandbox", "prune"], capture_output=True, text=True, timeout=120)
        assert pruned.returncode == 0, pruned.stderr
        # junto eval on what is left of the cluster: junto's side runs on the head's runner
        suite = tmp_path / "suite.jsonl"
        suite.write_text(
            "".join(
                json.dumps(
                    {
                        "id": f"e{n}",
                        "category": "composite",
                        "prompt": task_line(n),
                        "parts": [{"type": "math", "expected": str((100 + n) * 7)}],
                    }
                )
                + "\n"
                for n in (20, 21)
            )
        )
        evaluated = subprocess.run(
            [
                JUNTO,
                "eval",
                str(suite),
                "--systems",
                "junto",
                "--config",
                str(config),
                "--ray",
                cluster.address,
                "--out",
                str(tmp_path / "eval"),
            ],
            cwd=ROOT,
            env={**os.environ, "JUNTO_HOME": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=400,
        )
        # the cluster is stopped here: its runners took the sandbox containers they started with them
    assert evaluated.returncode == 0, evaluated.stderr[-3000:]
    outcomes = [json.loads(line) for line in (tmp_path / "eval" / "outcomes.jsonl").read_text().splitlines()]
    assert sorted((o["item_id"], o["correct"]) for o in outcomes) == [("e20", True), ("e21", True)]
    assert calls_by_item(log)[("planner", 20)] == 1 and calls_by_item(log)[("planner", 21)] == 1
    assert driver.returncode == 0, stderr[-3000:]
    assert "on Ray, 2 nodes" in stderr
    assert "lost" in stderr
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert sorted(line["id"] for line in lines) == [f"item-{n}" for n in range(ITEMS)]  # every result, once
    moved = [line for line in lines if line["attempts"] == 2]
    assert len(moved) == SLOTS  # the lost node held SLOTS runs: each went to the other node
    lost = re.search(r"node (\S+) lost", stderr).group(1)
    calls = calls_by_item(log)
    for n in range(ITEMS):  # nothing checked was redone: one plan, one math answer and one code answer per item
        assert (calls[("planner", n)], calls[("math", n)], calls[("code", n)]) == (1, 1, 1), (n, calls)
    for line in moved:  # the moved runs only aggregated again, on the other node
        n = int(line["id"].split("-")[1])
        assert calls[("aggregator", n)] >= 2
        assert line["node"] != lost
    for line in lines:
        result = line["result"]
        n = int(line["id"].split("-")[1])
        assert result["results"]["product"]["status"] == "verified"
        assert result["results"]["product"]["output"]["answer"] == str((100 + n) * 7)
        assert result["results"]["code"]["checks"][0]["passed"] is True  # the example ran in a node's sandbox
