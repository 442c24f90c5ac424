"""Building and compiling task graphs: what compiles, and errors that name the offending tasks."""

from __future__ import annotations

import pytest
from junto.graphs import CompiledGraph, GraphLimits, Plan, PlanTask, TaskGraph, validate_plan
from pydantic import ValidationError

from junto import GraphSetupError
from junto._constraints import WritingConstraints
from junto._tasks import TaskKind


def _compile_error(graph: TaskGraph, **kwargs) -> GraphSetupError:
    with pytest.raises(GraphSetupError) as caught:
        graph.compile(**kwargs)
    return caught.value


def test_the_readme_graph_compiles_in_dependency_order_with_typed_specs() -> None:
    g = TaskGraph()
    r = g.math("Find the roots of x^2-5x+6", expected="[2, 3]")
    f = g.code("Write roots(a, b, c) returning the sorted real roots", tests="assert roots(1,-5,6) == [2, 3]", after=r)
    w = g.writing("Explain the method in about 100 words", after=[r, f], constraints=WritingConstraints(max_words=120), retries=3)
    assert (r.id, f.id, w.id) == ("math_1", "code_1", "writing_1")
    compiled = g.compile()
    assert isinstance(compiled, CompiledGraph)
    assert compiled.order == ["math_1", "code_1", "writing_1"]
    assert compiled.answer == ("writing_1",)
    code = compiled.spec("code_1")
    assert code.kind is TaskKind.CODE and code.depends_on == ["math_1"] and code.tests == "assert roots(1,-5,6) == [2, 3]"
    assert compiled.spec("math_1").expected == "[2, 3]"
    assert compiled.spec("writing_1").max_attempts == 3
    assert compiled.spec("writing_1").constraints == WritingConstraints(max_words=120)
    with pytest.raises(ValidationError):
        compiled.specs[0].instruction = "changed"  # type: ignore[misc]


def test_topological_order_puts_a_dependency_first_even_if_added_later() -> None:
    g = TaskGraph()
    g.writing("summary", id="summary", after="calc")
    g.math("calc", id="calc")
    assert g.compile().order == ["calc", "summary"]


def test_cycle_is_named() -> None:
    g = TaskGraph()
    g.math("a", id="a", after="c")
    g.math("b", id="b", after="a")
    g.math("c", id="c", after="b")
    error = _compile_error(g)
    assert "cycle: a -> b -> c -> a" in str(error)
    assert sorted(error.tasks) == ["a", "b", "c"]


def test_unknown_dependency_and_duplicate_id_and_unknown_kind_are_all_reported() -> None:
    g = TaskGraph()
    g.math("x", id="x")
    g.math("again", id="x")
    g.writing("y", id="y", after="ghost")
    g.task("poetry", "z", id="z")
    error = _compile_error(g)
    assert "task id 'x' is used more than once; ids must be unique" in error.errors
    assert "task 'y' depends on unknown task 'ghost'" in error.errors
    assert any("unknown kind 'poetry'" in e for e in error.errors)
    assert set(error.tasks) == {"x", "y", "z"}


def test_empty_graph_does_not_compile() -> None:
    error = _compile_error(TaskGraph())
    assert error.errors == ["the plan has no tasks; add at least one"]


def test_too_many_tasks_and_too_deep() -> None:
    wide = TaskGraph()
    for _ in range(33):
        wide.general("t")
    assert "33 tasks; at most 32" in str(_compile_error(wide))
    deep = TaskGraph()
    previous = None
    for _ in range(5):
        previous = deep.math("step", after=previous)
    error = _compile_error(deep, limits=GraphLimits(max_depth=4))
    assert "5 tasks deep" in str(error) and error.tasks[0] == "math_1"


def test_orphan_that_does_not_reach_the_declared_answer_is_named() -> None:
    g = TaskGraph()
    a = g.math("used", id="used")
    g.math("forgotten", id="forgotten")
    final = g.writing("final", id="final", after=a)
    g.answer(final)
    error = _compile_error(g)
    assert error.tasks == ["forgotten"]
    assert "orphan task(s) forgotten" in str(error)


def test_bad_ids_and_empty_or_long_instructions() -> None:
    g = TaskGraph()
    g.math("fine", id="1st")
    g.math("   ", id="blank")
    g.math("x" * 9000, id="long")
    errors = _compile_error(g).errors
    assert any("'1st' is not well formed" in e for e in errors)
    assert "task 'blank' has an empty instruction" in errors
    assert any("'long' has an instruction of 9000 characters" in e for e in errors)


def test_a_ref_from_another_graph_is_refused() -> None:
    other = TaskGraph().math("elsewhere")
    with pytest.raises(GraphSetupError, match="another TaskGraph"):
        TaskGraph().writing("here", after=other)


def test_validate_plan_returns_sentences_for_the_planner_and_nothing_for_a_good_plan() -> None:
    good = Plan(
        tasks=[
            PlanTask(id="m", kind="math", instruction="2+2"),
            PlanTask(id="w", kind="writing", instruction="say it", depends_on=["m"]),
        ]
    )
    assert validate_plan(good) == []
    bad = Plan(tasks=[PlanTask(id="m", kind="math", instruction="2+2", depends_on=["m"])])
    assert validate_plan(bad) == ["the plan has a cycle: m -> m"]
    compiled = CompiledGraph.from_plan(good)
    assert compiled.order == ["m", "w"] and compiled.plan == good


def test_from_plan_round_trips() -> None:
    plan = Plan(tasks=[PlanTask(id="a", kind="code", instruction="c", produces="a function")], answer=["a"])
    assert TaskGraph.from_plan(plan).compile().plan == plan


def test_critical_path() -> None:
    g = TaskGraph()
    a = g.general("a", id="a")
    b = g.general("b", id="b")
    g.general("c", id="c", after=[a, b])
    assert g.compile().critical_path({"a": 1.0, "b": 0.1, "c": 0.2}) == pytest.approx(1.2)
