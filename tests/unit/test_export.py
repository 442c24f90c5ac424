"""``junto export``: only verified tasks, in valid files of each format, deduplicated, no secrets or paths."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import pytest
from junto.graphs._store import SqliteStore

from junto._export import ExportFilter, collect_examples, find_secret_or_path
from junto._runs import RunPlan, RunPlanTask, RunRecord, RunResult
from junto._tasks import Attempt, CheckResult, CodeOutput, MathOutput, Spec, Status, TaskKind, TaskResult, TextOutput
from junto.cli import main

DAY = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC).timestamp()


def _task(task_id: str, kind: TaskKind, status: Status, output, *, model: str = "small", spec: Spec = Spec.USER) -> TaskResult:
    checks = [CheckResult(name=f"{kind.value}-check", passed=status is Status.VERIFIED, spec=spec)]
    attempt = Attempt(number=1, model=model, tier=0, output=output, checks=checks)
    return TaskResult(task_id=task_id, kind=kind, status=status, output=output, checks=checks, attempts=[attempt])


def _record(run_id: str, tasks: list[tuple[TaskResult, str, list[str]]], *, started_at: float = DAY) -> RunRecord:
    plan = RunPlan(tasks=[RunPlanTask(id=r.task_id, kind=r.kind, instruction=text, depends_on=deps) for r, text, deps in tasks])
    result = RunResult(run_id=run_id, task="t", plan=plan, results={r.task_id: r for r, _, _ in tasks})
    return RunRecord(result=result, started_at=started_at)


def _records() -> list[RunRecord]:
    square = _task("m1", TaskKind.MATH, Status.VERIFIED, MathOutput(answer="391", work="17*23 = 391"))
    code = _task(
        "c1",
        TaskKind.CODE,
        Status.VERIFIED,
        CodeOutput(code="def add(a, b):\n    return a + b"),
        model="coder",
        spec=Spec.INSTRUCTION,
    )
    return [
        _record(
            "run-a",
            [
                (square, "What is 17*23?", []),
                (code, "Write add(a, b) returning the sum.", ["m1"]),
                (_task("w1", TaskKind.WRITING, Status.FAILED, TextOutput(kind="writing", text="too long")), "Write 5 words.", []),
                (_task("g1", TaskKind.GENERAL, Status.UNVERIFIED, TextOutput(text="maybe")), "Say something.", []),
            ],
        ),
        _record("run-b", [(square, "What is 17*23?", [])], started_at=DAY + 86400 * 3),  # the same example again
        _record(
            "run-c",
            [
                (
                    _task("s1", TaskKind.CODE, Status.VERIFIED, CodeOutput(code="KEY = 'sk-abcdefghijklmnopqrstuvwx'")),
                    "Keep a key.",
                    [],
                ),
                (
                    _task("p1", TaskKind.CODE, Status.VERIFIED, CodeOutput(code="open('/home/alice/notes.txt')")),
                    "Read notes.",
                    [],
                ),
            ],
        ),
    ]


async def _seed(path: Path) -> None:
    store = SqliteStore(path)
    await store.open()
    try:
        for record in _records():
            await store.save_run(record)
    finally:
        await store.aclose()


def test_only_verified_tasks_come_out_once_without_secrets_or_paths() -> None:
    examples, report = collect_examples(_records(), environ={})
    assert [(e.metadata["run_id"], e.metadata["task_id"]) for e in examples] == [("run-a", "m1"), ("run-a", "c1")]
    assert report.skipped == {
        "not verified (failed)": 1,
        "not verified (unverified)": 1,
        "duplicate": 1,
        "holds a secret": 1,
        "holds a file path": 1,
    }
    code = examples[1]
    assert code.prompt.endswith("Verified inputs:\n- m1: 391") and code.answer.startswith("```python\ndef add")
    assert code.metadata["model"] == "coder" and code.metadata["checks"] == [{"name": "code-check", "spec": "instruction"}]


def test_filters_by_kind_model_date_and_check_source() -> None:
    def ids(keep: ExportFilter) -> list[str]:
        return [e.metadata["task_id"] for e in collect_examples(_records(), keep=keep, environ={})[0]]

    assert ids(ExportFilter(kinds=frozenset({TaskKind.CODE}))) == ["c1"]
    assert ids(ExportFilter(models=frozenset({"small"}))) == ["m1"]
    assert ids(ExportFilter(check_sources=frozenset({Spec.INSTRUCTION}))) == ["c1"]
    assert ids(ExportFilter(since=dt.date(2026, 11, 22))) == ["m1"]  # run-b only, two days later
    assert ids(ExportFilter(until=dt.date(2026, 11, 19))) == []


def test_secrets_from_the_environment_and_paths_are_recognised() -> None:
    assert find_secret_or_path("token: abcdef123456", environ={"MY_API_KEY": "abcdef123456"}) == "secret"
    assert find_secret_or_path("see C:\\Users\\bob\\a.txt", environ={}) == "file path"
    assert find_secret_or_path("the ratio 1/2/3 and https://example.com/home/x", environ={}) is None


@pytest.mark.parametrize("format", ["openai", "sharegpt"])
def test_cli_writes_a_valid_file_of_each_format(tmp_path: Path, format: str, capsys) -> None:
    store = tmp_path / "runs.db"
    asyncio.run(_seed(store))
    out = tmp_path / f"data.{format}"
    assert main(["export", str(out), "--format", format, "--store", str(store)]) == 0
    assert "2 examples written" in capsys.readouterr().err
    if format == "openai":
        lines = [json.loads(line) for line in out.read_text().splitlines()]
        assert [[m["role"] for m in line["messages"]] for line in lines] == [["system", "user", "assistant"]] * 2
        assert lines[0]["messages"][2]["content"] == "17*23 = 391\n\nAnswer: 391"
    else:
        entries = json.loads(out.read_text())
        assert [[t["from"] for t in e["conversations"]] for e in entries] == [["system", "human", "gpt"]] * 2
        assert {e["id"] for e in entries} == {"run-a/m1", "run-a/c1"}
    bare = tmp_path / "bare.jsonl"
    assert main(["export", str(bare), "--bare", "--kind", "math", "--store", str(store)]) == 0
    assert [json.loads(line).keys() for line in bare.read_text().splitlines()] == [{"messages"}]
    assert main(["export", str(out), "--kind", "poetry", "--store", str(store)]) == 2
