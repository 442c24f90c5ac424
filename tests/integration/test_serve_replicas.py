"""Two `junto serve` replicas on one PostgreSQL: a session started through one continues through the other.

Each replica is its own process with its own port, as behind a load
balancer; they share nothing but the run store named in junto.toml. The
models are the stub server, which logs which earlier turns each planner
request carried.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import pytest

from tests.fixtures.batch import stub_server, write_config
from tests.fixtures.serve import finished_run
from tests.fixtures.serve import junto_serve as replica
from tests.fixtures.stub_openai import task_line

pytestmark = [pytest.mark.slow, pytest.mark.docker, pytest.mark.postgres]

STORE = "postgresql://junto:junto@127.0.0.1:5432/junto_test"


def test_a_session_started_on_one_replica_continues_on_another(tmp_path: Path) -> None:
    log = tmp_path / "calls.jsonl"
    session = f"replicas-{uuid.uuid4().hex[:8]}"
    with stub_server(log) as port:
        config = write_config(tmp_path / "junto.toml", port)
        config.write_text(f'[store]\nurl = "{STORE}"\n\n' + config.read_text())
        with replica(config, tmp_path / "a") as first, replica(config, tmp_path / "b") as second:
            turn1 = finished_run(first, {"task": task_line(1), "session_id": session})
            turn2 = finished_run(second, {"task": task_line(2), "session_id": session})
            # either replica answers for the whole session, and for a run the other one made
            seen_from_first = httpx.get(f"{first}/v1/sessions/{session}", timeout=30).json()
            seen_from_second = httpx.get(f"{second}/v1/sessions/{session}", timeout=30).json()
            run1_via_second = httpx.get(f"{second}/v1/runs/{turn1['run_id']}", timeout=30)
    assert "707" in turn1["answer"] and "714" in turn2["answer"]
    assert seen_from_first == seen_from_second
    assert [m["role"] for m in seen_from_second["messages"]] == ["user", "assistant", "user", "assistant"]
    assert seen_from_second["run_ids"] == [turn1["run_id"], turn2["run_id"]]
    assert run1_via_second.status_code == 200
    planner_calls = [json.loads(line) for line in log.read_text().splitlines() if '"planner"' in line]
    second_turn = [c for c in planner_calls if c["item"] == 2]
    assert second_turn and all(1 in c["seen"] for c in second_turn)  # the second replica planned with the first turn
