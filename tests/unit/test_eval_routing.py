"""The routing evaluation: kind sets scored by exact match, for the shortcut, the planner model and both together."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from junto import ConfigError
from junto._tasks import TaskKind
from junto.cli._app import main
from junto.evals import (
    BUILTIN_SUITES,
    RoutePart,
    evaluate_routing,
    is_routing_suite,
    load_suite,
    parse_items,
    run_routing,
    summarize_routing,
)
from junto.evals._routing import routers_for
from junto.models import FunctionModel, Roster

EXTRA = Path(__file__).resolve().parents[1] / "data" / "route_extra.jsonl"


def _item(id: str, prompt: str, kinds: list[str], category: str = "c") -> str:
    return json.dumps({"id": id, "category": category, "prompt": prompt, "parts": [{"type": "route", "kinds": kinds}]})


def _plan(*kinds: str) -> str:
    tasks = [
        {"id": f"t{i}", "kind": kind, "instruction": "do it", "depends_on": [], "produces": ""} for i, kind in enumerate(kinds)
    ]
    return json.dumps({"tasks": tasks, "answer": []})


ITEMS = parse_items(
    [
        _item("sum", "Compute 17 * 23.", ["math"], "single"),
        _item("both", "Compute 3 * 4. Then write a poem of 20 words about the answer.", ["writing", "math"], "composite"),
        _item("sea", "Why is the sea blue?", ["general"], "single"),
    ]
)


def _planner_model() -> FunctionModel:
    """A planner model that plans a poem task as math+writing and anything else as one writing task."""

    def reply(messages, request) -> str:
        task = messages[-1].content
        return _plan("math", "writing") if "poem" in task else _plan("writing")

    return FunctionModel(reply, name="planner-model")


def test_a_route_part_holds_a_sorted_set_of_kinds() -> None:
    part = RoutePart(kinds=["writing", "math", "math"])
    assert part.kinds == [TaskKind.MATH, TaskKind.WRITING]
    with pytest.raises(ConfigError, match="parts.0.route.kinds"):
        parse_items([_item("x", "p", ["poetry"])], source="suite.jsonl")
    with pytest.raises(ConfigError, match="parts.0.route.kinds"):
        parse_items([_item("x", "p", [])], source="suite.jsonl")


def test_the_heldout_suites_are_built_in() -> None:
    assert {"math-heldout", "route-heldout"} <= set(BUILTIN_SUITES)
    routes = load_suite("route-heldout")
    assert len(routes) == 123 and is_routing_suite(routes)
    assert all(item.parts[0].kinds == sorted(item.parts[0].kinds, key=lambda k: k.value) for item in routes)
    heldout = load_suite("math-heldout")
    assert len(heldout) == 190 and {p.type for item in heldout for p in item.parts} == {"math"}
    assert not is_routing_suite(heldout)


async def test_each_router_is_scored_on_the_kind_set_of_its_plan() -> None:
    model = _planner_model()
    outcomes = await run_routing(ITEMS, routers_for(["shortcut", "planner-model", "junto"], Roster.single(model)))
    got = {(o.item_id, o.router): (o.kinds, o.how, o.correct) for o in outcomes}
    math, writing = TaskKind.MATH, TaskKind.WRITING
    # the shortcut decides the arithmetic alone, and defers the rest ("none" is never right)
    assert got["sum", "shortcut"] == ([math], "shortcut", True)
    assert got["both", "shortcut"] == (None, "deferred", False)
    assert got["sea", "shortcut"][0] in (None, [TaskKind.GENERAL])
    # the model alone plans everything, the arithmetic too: it says writing there, which nothing in the request
    # points at, so the task becomes general: wrong either way
    assert got["sum", "planner-model"] == ([TaskKind.GENERAL], "model", False)
    assert got["both", "planner-model"] == ([math, writing], "model", True)
    # together: the shortcut's decision where it decides, the model's plan elsewhere
    assert got["sum", "junto"] == ([math], "shortcut", True)
    assert got["both", "junto"] == ([math, writing], "model", True)
    assert [o.router for o in outcomes[:3]] == ["shortcut", "planner-model", "junto"]


async def test_summary_reports_decided_share_and_accuracy_where_decided() -> None:
    model = _planner_model()
    outcomes = await run_routing(ITEMS, routers_for(["shortcut", "planner-model"], Roster.single(model)))
    summaries = {s.router: s for s in summarize_routing(outcomes)}
    shortcut, alone = summaries["shortcut"], summaries["planner-model"]
    assert shortcut.items == 3 and shortcut.decided == shortcut.how.get("shortcut", 0)
    assert shortcut.decided_share == shortcut.decided / 3
    assert shortcut.accuracy_where_decided == 1.0  # its decisions (arithmetic; a general question if it takes one) are right
    assert shortcut.by_category["composite"] == (0, 1)
    # the model's writing task for "Why is the sea blue?" becomes general (nothing there points at writing): right
    assert alone.accuracy == pytest.approx(2 / 3) and alone.decided == 3
    assert alone.by_category == {"composite": (1, 1), "single": (1, 2)}
    assert alone.tokens_per_item > 0


async def test_a_planner_model_that_never_plans_shows_as_fallback() -> None:
    broken = FunctionModel(lambda messages, request: "no plan today", name="broken")
    outcomes = await run_routing(ITEMS[1:2], routers_for(["planner-model"], Roster.single(broken)))
    (outcome,) = outcomes
    assert outcome.how == "fallback" and outcome.kinds is not None


async def test_results_are_written_and_a_second_run_resumes(tmp_path: Path) -> None:
    model = _planner_model()
    roster = Roster.single(model)
    summaries = await evaluate_routing(ITEMS, roster=roster, out_dir=tmp_path, suite="tiny", command="junto eval tiny")
    calls = len(model.calls)
    assert calls >= 3  # the model alone plans all three items
    lines = (tmp_path / "outcomes.jsonl").read_text().splitlines()
    assert len(lines) == 9
    record = json.loads((tmp_path / "summary.json").read_text())
    assert record["command"] == "junto eval tiny" and [r["router"] for r in record["routers"]] == [
        "shortcut",
        "planner-model",
        "junto",
    ]
    page = (tmp_path / "summary.md").read_text()
    assert "`junto eval tiny`" in page and "| shortcut | 3 |" in page and "right where decided" in page
    again = await evaluate_routing(ITEMS, roster=roster, out_dir=tmp_path, suite="tiny", command="junto eval tiny")
    assert len(model.calls) == calls  # nothing asked twice
    assert [s.model_dump() for s in again] == [s.model_dump() for s in summaries]


def test_unknown_router_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown router 'oracle'"):
        routers_for(["oracle"], Roster.single(_planner_model()))


def test_cli_runs_a_routing_suite_with_the_shortcut(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["eval", str(EXTRA), "--systems", "shortcut", "--limit", "12", "--out", str(out)]) == 0
    record = json.loads((out / "summary.json").read_text())
    (shortcut,) = record["routers"]
    assert shortcut["router"] == "shortcut" and shortcut["items"] == 12
    assert len((out / "outcomes.jsonl").read_text().splitlines()) == 12
    assert "| shortcut | 12 |" in capsys.readouterr().out


async def test_junto_replays_the_planner_models_answer_where_the_shortcut_defers() -> None:
    model = _planner_model()
    outcomes = await run_routing(ITEMS, routers_for(["planner-model", "junto"], Roster.single(model)))
    got = {(o.item_id, o.router): o for o in outcomes}
    # the composite item: both routers got the model's plan, the model was asked once
    assert got["both", "junto"].kinds == got["both", "planner-model"].kinds == [TaskKind.MATH, TaskKind.WRITING]
    assert got["both", "junto"].tokens == got["both", "planner-model"].tokens > 0
    deferred = sum(o.how == "model" for o in outcomes if o.router == "junto")
    assert len(model.calls) == len(ITEMS)  # planner-model's calls only: junto's identical ones were replayed
    assert deferred >= 1


async def test_without_replay_each_router_asks_the_model() -> None:
    model = _planner_model()
    outcomes = await run_routing(ITEMS, routers_for(["planner-model", "junto"], Roster.single(model), replay=False))
    asked_by_junto = sum(o.how == "model" for o in outcomes if o.router == "junto")
    assert len(model.calls) == len(ITEMS) + asked_by_junto
