"""`junto eval route-heldout` end to end on the embedded model: three routers, outcomes and summary written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.model, pytest.mark.slow]


def test_route_heldout_runs_on_the_embedded_model(tmp_path: Path) -> None:
    out = tmp_path / "route"
    junto = str(Path(sys.executable).with_name("junto"))
    completed = subprocess.run(
        [junto, "eval", "route-heldout", "--limit", "2", "--out", str(out)], capture_output=True, text=True, timeout=1500
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    outcomes = [json.loads(line) for line in (out / "outcomes.jsonl").read_text().splitlines()]
    assert sorted((o["item_id"], o["router"]) for o in outcomes) == sorted(
        (item, router) for item in ("route-001", "route-003") for router in ("shortcut", "planner-model", "junto")
    )  # --limit 2 takes one item from each of the first two categories
    model_plans = [o for o in outcomes if o["router"] == "planner-model"]
    assert all(o["kinds"] and o["how"] in ("model", "fallback") for o in model_plans)
    assert all(o["tokens"] > 0 or "local" in (o["reason"] or "") for o in model_plans)  # the model was really asked
    summary = json.loads((out / "summary.json").read_text())
    assert summary["command"].startswith("junto eval route-heldout --limit 2")
    assert [r["router"] for r in summary["routers"]] == ["shortcut", "planner-model", "junto"]
    assert all(r["items"] == 2 for r in summary["routers"])
    assert "| planner-model | 2 |" in (out / "summary.md").read_text()
    assert "| junto | 2 |" in completed.stdout
