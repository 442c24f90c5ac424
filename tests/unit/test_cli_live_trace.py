"""``junto trace`` and ``junto runs`` over a run store holding a recorded run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from junto.graphs._store import open_store

from junto._runs import AggregateVerdict, RunPlan, RunPlanTask, RunRecord, RunResult, RunStatus, RunUsage
from junto._tasks import Attempt, CheckResult, MathOutput, Status, TaskKind, TaskResult
from junto.cli import main
from junto.models._types import Usage


def _record() -> RunRecord:
    failed = CheckResult(name="sympy equals", passed=False, evidence="17*23 = 391, not 381")
    passed = CheckResult(name="sympy equals", passed=True, evidence="391 == 391")
    attempts = [
        Attempt(
            number=1,
            model="small",
            tier=0,
            checks=[failed],
            usage=Usage(prompt_tokens=30, completion_tokens=5),
            cost_usd=0.001,
            duration_s=0.42,
        ),
        Attempt(
            number=1,
            model="big",
            tier=1,
            checks=[passed],
            usage=Usage(prompt_tokens=40, completion_tokens=6),
            cost_usd=0.01,
            duration_s=1.25,
        ),
    ]
    result = TaskResult(
        task_id="mul", kind=TaskKind.MATH, status=Status.VERIFIED, output=MathOutput(answer="391"), attempts=attempts
    )
    return RunRecord(
        result=RunResult(
            run_id="run-abc",
            session_id="s-9",
            task="What is 17*23?",
            plan=RunPlan(tasks=[RunPlanTask(id="mul", kind=TaskKind.MATH, instruction="compute 17*23")]),
            results={"mul": result},
            answer="17*23 = **391**",
            status=RunStatus.VERIFIED,
            usage=RunUsage(tokens=81, cost_usd=0.011),
            duration_s=1.8,
        ),
        plan_source="planner",
        plan_repairs=[["unknown kind 'maths'"]],
        aggregate=AggregateVerdict(cited=["mul"], consistent=True),
    )


@pytest.fixture
async def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JUNTO_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # no ./junto.toml
    async with open_store(tmp_path / "junto.db") as store:
        await store.save_run(_record())
    return tmp_path


def test_trace_shows_attempts_checks_evidence_and_model_calls(home, capsys) -> None:
    assert main(["trace", "run-abc"]) == 0
    out = capsys.readouterr().out
    for expected in (
        "run-abc",
        "What is 17*23?",
        "repair 1: unknown kind 'maths'",
        "attempt 1 small tier 0",
        "30+5 tok · $0.0010 · 0.42s",
        "big tier 1",
        "17*23 = 391, not 381",
        "consistent",
        "391",
    ):
        assert expected in out, expected


def test_trace_json_is_the_whole_record(home, capsys) -> None:
    assert main(["trace", "run-abc", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    attempts = data["result"]["results"]["mul"]["attempts"]
    assert [a["model"] for a in attempts] == ["small", "big"]
    assert attempts[0]["checks"][0]["evidence"] == "17*23 = 391, not 381"


def test_unknown_run_is_an_error_with_a_hint(home, capsys) -> None:
    assert main(["trace", "nope"]) == 1
    err = capsys.readouterr().err
    assert "no run with id 'nope'" in err and "junto runs" in err


def test_runs_lists_recent_runs(home, capsys) -> None:
    assert main(["runs", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [(r["run_id"], r["status"], r["session_id"]) for r in runs] == [("run-abc", "verified", "s-9")]
    assert main(["runs", "--limit", "5"]) == 0
    assert "run-abc" in capsys.readouterr().out
