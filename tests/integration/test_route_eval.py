"""`junto eval route-heldout` end to end: the CLI, three routers, outcomes and summary written.

The planner model is a real OpenAI-compatible HTTP server on 127.0.0.1 that
answers every request with the same plan, named in a junto.toml: the routing
evaluation's wiring is tested here in seconds. (The embedded model's own
planning takes minutes an item on 2 cores; it is measured as a benchmark
run, and tested end to end in test_planner_agent.py.)
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow]

PLAN = {"tasks": [{"id": "answer", "kind": "code", "instruction": "do it", "depends_on": [], "produces": "code"}], "answer": []}


class _Planner(BaseHTTPRequestHandler):
    calls = 0

    def do_POST(self) -> None:  # noqa: N802 (the http.server API)
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).calls += 1
        body = json.dumps(
            {
                "id": "c1",
                "object": "chat.completion",
                "model": "stub",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": json.dumps(PLAN)}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 50, "completion_tokens": 20, "total_tokens": 70},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        return None


def test_route_heldout_runs_all_three_routers_through_the_cli(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Planner)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = tmp_path / "junto.toml"
        config.write_text(
            f'[models.stub]\nprovider = "openai"\nbase_url = "http://127.0.0.1:{server.server_port}/v1"\nmodel = "stub"\n\n'
            '[roles]\nplanner = ["stub"]\n'
        )
        out = tmp_path / "route"
        junto = str(Path(sys.executable).with_name("junto"))
        completed = subprocess.run(
            [junto, "eval", "route-heldout", "--limit", "2", "--config", str(config), "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        server.shutdown()
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "Unclosed" not in completed.stderr  # the command closes the connections of the models it built
    outcomes = [json.loads(line) for line in (out / "outcomes.jsonl").read_text().splitlines()]
    assert sorted((o["item_id"], o["router"]) for o in outcomes) == sorted(
        (item, router) for item in ("route-001", "route-003") for router in ("shortcut", "planner-model", "junto")
    )  # --limit 2 takes one item from each of the first two categories
    model_plans = {o["item_id"]: o for o in outcomes if o["router"] == "planner-model"}
    assert all(o["how"] == "model" and o["tokens"] == 70 for o in model_plans.values())
    # the stub plans one code task for anything: kept where the request points at code, made general where nothing does
    assert model_plans["route-001"]["kinds"] == ["code"]  # a React component
    assert model_plans["route-003"]["kinds"] == ["general"]  # an equation and a paragraph: nothing of code
    assert _Planner.calls >= 1  # the model was really asked, over HTTP
    summary = json.loads((out / "summary.json").read_text())
    assert summary["command"].startswith("junto eval route-heldout --limit 2")
    assert [r["router"] for r in summary["routers"]] == ["shortcut", "planner-model", "junto"]
    assert all(r["items"] == 2 for r in summary["routers"])
    assert "| planner-model | 2 |" in (out / "summary.md").read_text()
    assert "| junto | 2 |" in completed.stdout
