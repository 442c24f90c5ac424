"""Replanning: failed tasks (and those after them) are replaced; the rest and its results stay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from junto.agents._planner import Planner
from junto.graphs import Executor, FunctionSpecialist, Plan, TaskGraph
from junto.graphs._executor import ExecutionResult, ExitReason, replaceable
from junto.graphs._join import JoinAggregator

from junto import _events as ev
from junto._exceptions import ConfigError, RunError
from junto._junto import Junto
from junto._runs import RunStatus
from junto._tasks import AgentContext, Cause, Status, TaskKind, TaskResult, TaskSpec, TextOutput
from junto.models import FunctionModel, Roster


def _task(id: str, kind: str, instruction: str, depends_on: list[str] | None = None) -> dict:
    return {"id": id, "kind": kind, "instruction": instruction, "depends_on": depends_on or [], "produces": ""}


def _plan_json(*tasks: dict) -> str:
    return json.dumps({"tasks": list(tasks), "answer": []})


FIRST = _plan_json(
    _task("m", "math", "Compute 6*7."),
    _task("c", "code", "hard: write everything at once", ["m"]),
    _task("w", "writing", "Explain the code.", ["c"]),
)
REUSES_KEPT_ID = _plan_json(_task("m", "code", "easy: write f()"))
REPLACEMENT = _plan_json(
    _task("c2", "code", "easy: write f() returning the product", ["m"]),
    _task("w", "writing", "Explain f.", ["c2"]),
)


def _result(task: TaskSpec, status: Status, reason: str | None = None) -> TaskResult:
    return TaskResult(task_id=task.id, kind=task.kind, status=status, output=TextOutput(text=f"out:{task.id}"), reason=reason)


class Recorder:
    """Specialist behaviour: tasks whose instruction starts with 'hard' fail; every call is recorded."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, task: TaskSpec, inputs: dict[str, TaskResult], ctx: AgentContext) -> TaskResult:
        self.calls.append(task.id)
        if task.instruction.startswith("hard"):
            return _result(task, Status.FAILED, "checks still failing after 2 attempt(s)")
        return _result(task, Status.VERIFIED)


def _planner_model(*replies: str) -> tuple[FunctionModel, list[list]]:
    queue, prompts = list(replies), []

    def reply(messages, request):
        prompts.append(messages)
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return FunctionModel(reply, name="planner-model"), prompts


def _ctx(model: FunctionModel, events: list) -> AgentContext:
    return AgentContext(roster=Roster.single(model), emit=events.append, run_id="r")


async def test_replan_returns_the_kept_tasks_and_valid_replacements_after_repair() -> None:
    model, prompts = _planner_model(REUSES_KEPT_ID, REPLACEMENT)
    events: list = []
    plan = Plan.model_validate_json(FIRST)
    results = {
        "m": _result(TaskSpec(id="m", kind=TaskKind.MATH, instruction="x"), Status.VERIFIED),
        "c": TaskResult(task_id="c", kind=TaskKind.CODE, status=Status.FAILED, reason="test_3 failed: assert f(2) == 4"),
        "w": TaskResult(task_id="w", kind=TaskKind.WRITING, status=Status.SKIPPED, reason="input 'c' (failed) did not succeed"),
    }
    outcome = await Planner().replan("the task", plan, results, ["c", "w"], _ctx(model, events))
    assert outcome is not None
    assert [t.id for t in outcome.plan.tasks] == ["m", "c2", "w"]
    assert outcome.plan.tasks[0] == plan.tasks[0]  # the kept task is untouched
    assert outcome.repairs == [["task id 'm' is taken by a finished task: choose a new id"]]
    first_prompt = prompts[0][-1].content
    assert "test_3 failed: assert f(2) == 4" in first_prompt and "out:m" in first_prompt and "replace c, w" in first_prompt
    kinds = [type(e) for e in events]
    assert kinds == [ev.PlanRepaired, ev.PlanRevised]
    assert events[-1].replaced == ["c", "w"] and [t.id for t in events[-1].tasks] == ["m", "c2", "w"]


async def test_a_reply_that_copies_finished_tasks_keeps_them_finished() -> None:
    copied = _plan_json(_task("m", "math", "Compute 6*7 again."), *json.loads(REPLACEMENT)["tasks"])
    model, _ = _planner_model(copied)
    plan = Plan.model_validate_json(FIRST)
    outcome = await Planner().replan("t", plan, {}, ["c", "w"], _ctx(model, []))
    assert outcome is not None and outcome.repairs == []
    assert [t.id for t in outcome.plan.tasks] == ["m", "c2", "w"] and outcome.plan.tasks[0] == plan.tasks[0]


async def test_replan_gives_none_when_no_valid_replacement_comes() -> None:
    model, prompts = _planner_model(_plan_json(_task("x", "code", "x", ["y"]), _task("y", "writing", "y", ["x"])))
    plan = Plan.model_validate_json(FIRST)
    events: list = []
    outcome = await Planner(max_repairs=1).replan("t", plan, {}, ["c", "w"], _ctx(model, events))
    assert outcome is None
    assert len(prompts) == 2 and [type(e) for e in events] == [ev.PlanRepaired, ev.PlanRepaired]


async def test_a_replacement_naming_tasks_it_lacks_keeps_its_references_to_kept_tasks() -> None:
    model, prompts = _planner_model(_plan_json(_task("c2", "code", "easy: write f()", ["m", "nowhere"])))
    plan = Plan.model_validate_json(FIRST)
    outcome = await Planner(max_repairs=1).replan("t", plan, {}, ["c", "w"], _ctx(model, []))
    assert outcome is not None and len(prompts) == 2  # told once, it gave the same plan back
    assert [(t.id, t.depends_on) for t in outcome.plan.tasks] == [("m", []), ("c2", ["m"])]
    assert outcome.reason is not None and "c2 -> nowhere" in outcome.reason and "-> m" not in outcome.reason


def _options(tmp_path: Path, recorder: Recorder, model: FunctionModel, **options) -> dict:
    return {
        "roster": Roster.single(model),
        "specialists": {k: FunctionSpecialist(k, recorder) for k in TaskKind},
        "planner": Planner(shortcut=False),
        "aggregator": JoinAggregator(),
        "store": tmp_path / "junto.db",
        "sandbox": object(),  # code tasks here never reach a sandbox
        **options,
    }


async def test_a_run_replaces_only_the_failed_part_and_keeps_the_rest(tmp_path: Path) -> None:
    recorder = Recorder()
    model, _ = _planner_model(FIRST, REPLACEMENT)
    events: list = []
    async with Junto.start(**_options(tmp_path, recorder, model, max_replans=1)) as junto:
        result = await junto.run("compute, code, explain", run_id="run-r", on_event=events.append)
        record = await junto.store.get_run("run-r")
    assert recorder.calls == ["m", "c", "c2", "w"]  # m ran once; w was skipped the first time, so never called
    assert list(result.results) == ["m", "c2", "w"]
    assert all(r.status is Status.VERIFIED for r in result.results.values())
    # every task verified, but the planner model wrote the tasks: the answer is not shown to answer the whole request
    assert result.status is RunStatus.UNVERIFIED and result.exit_reason == "completed"
    assert [t.id for t in result.plan.tasks] == ["m", "c2", "w"] and result.plan.tasks[2].depends_on == ["c2"]
    assert record is not None
    assert [(r.task_id, r.status) for r in record.replaced] == [("c", Status.FAILED), ("w", Status.SKIPPED)]
    revised = [e for e in events if isinstance(e, ev.PlanRevised)]
    assert len(revised) == 1 and revised[0].replaced == ["c", "w"]
    finished = [e.task_id for e in events if isinstance(e, ev.TaskFinished)]
    assert finished.count("m") == 1  # a kept result is not announced twice


async def test_replanning_is_off_by_default_and_bounded(tmp_path: Path) -> None:
    recorder = Recorder()
    model, prompts = _planner_model(FIRST)
    async with Junto.start(**_options(tmp_path, recorder, model)) as junto:
        result = await junto.run("t")
    assert len(prompts) == 1 and result.status is RunStatus.PARTIAL
    assert result.results["c"].status is Status.FAILED and result.results["w"].status is Status.SKIPPED

    # a replacement that fails again is replaced again, at most max_replans times
    still_hard = _plan_json(_task("c", "code", "hard again", ["m"]), _task("w", "writing", "Explain.", ["c"]))
    recorder = Recorder()
    model, prompts = _planner_model(FIRST, still_hard)
    async with Junto.start(**_options(tmp_path, recorder, model, max_replans=2)) as junto:
        result = await junto.run("t", run_id="run-b")
        record = await junto.store.get_run("run-b")
    assert len(prompts) == 3 and recorder.calls == ["m", "c", "c", "c"]
    assert result.status is RunStatus.PARTIAL and result.results["m"].status is Status.VERIFIED
    assert record is not None and len(record.replaced) == 4
    with pytest.raises(ConfigError):
        Junto(max_replans=-1)


def test_only_tasks_that_failed_on_their_own_are_replaceable() -> None:
    def res(tid: str, status: Status, cause: Cause | None = None) -> TaskResult:
        return TaskResult(task_id=tid, kind=TaskKind.MATH, status=status, reason="any words at all", cause=cause)

    results = {
        "a": res("a", Status.FAILED, Cause.CHECKS),
        "b": res("b", Status.FAILED, Cause.BUDGET),
        "c": res("c", Status.SKIPPED, Cause.INPUT),
        "d": res("d", Status.VERIFIED),
    }
    assert replaceable(ExecutionResult(results=results)) == ["a"]
    assert replaceable(ExecutionResult(results=results, exit_reason=ExitReason.BUDGET)) == []


async def test_given_results_are_not_run_again_and_feed_their_dependants() -> None:
    g = TaskGraph(name="g")
    a = g.math("a", id="a")
    g.writing("b", id="b", after=a)
    graph = g.compile()
    seen: dict[str, str] = {}

    def spec_fn(task: TaskSpec, inputs: dict[str, TaskResult], ctx: AgentContext) -> TaskResult:
        seen[task.id] = ",".join(f"{k}={v.output_text()}" for k, v in inputs.items())
        return _result(task, Status.VERIFIED)

    executor = Executor({k: FunctionSpecialist(k, spec_fn) for k in TaskKind})
    given = {"a": TaskResult(task_id="a", kind=TaskKind.MATH, status=Status.VERIFIED, output=TextOutput(text="42"))}
    events: list = []
    execution = await executor.run(graph, AgentContext(roster=None, emit=events.append), given=given)
    assert seen == {"b": "a=42"}
    assert execution.results["a"] == given["a"] and execution.resumed == []
    assert [e.task_id for e in events if isinstance(e, ev.TaskFinished)] == ["b"]
    with pytest.raises(RunError, match="nowhere"):
        await executor.run(graph, AgentContext(roster=None), given={"nowhere": given["a"]})


def test_junto_run_replan_flag_reaches_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from junto.cli import _run, main

    recorder = Recorder()
    model, _ = _planner_model(FIRST, REPLACEMENT)
    asked: list[int] = []

    def make(config, *, budget, max_replans=0, samples=None):
        asked.append(max_replans)
        return Junto(**_options(tmp_path, recorder, model, max_replans=max_replans))

    monkeypatch.setattr(_run, "make_junto", make)
    assert main(["run", "compute, code, explain", "--json", "--replan", "1"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert asked == [1]
    assert [t["id"] for t in result["plan"]["tasks"]] == ["m", "c2", "w"] and result["status"] == "unverified"
    assert main(["run", "t", "--replan", "-1"]) == 2  # a negative count is a usage error


async def test_a_budget_spent_while_replanning_keeps_every_result(tmp_path: Path) -> None:
    from junto._exceptions import BudgetExceeded

    class SpentPlanner(Planner):
        async def replan(self, *args, **kwargs):
            raise BudgetExceeded("token budget of 900 spent", resource="tokens")

    recorder = Recorder()
    model, _ = _planner_model(FIRST)
    options = _options(tmp_path, recorder, model, max_replans=1) | {"planner": SpentPlanner(shortcut=False)}
    async with Junto.start(**options) as junto:
        result = await junto.run("t")
    assert recorder.calls == ["m", "c"]
    assert list(result.results) == ["m", "c", "w"] and result.answer
    assert result.results["m"].status is Status.VERIFIED and result.results["c"].status is Status.FAILED
