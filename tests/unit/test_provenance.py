"""Who wrote the words a check reads: a plan's task is the user's specification only in the user's words, asking for its kind alone."""

from __future__ import annotations

from junto.agents import TaskKind
from junto.graphs import CompiledGraph

from junto._plan import Plan, PlanTask
from junto._provenance import covers_request, instruction_source
from junto._tasks import Spec

BOTH = "Write a Python function is_odd(n); is_odd(3) returns True. Then write a limerick about odd numbers."


def test_the_users_words_asking_for_the_tasks_kind_alone_are_the_users_specification() -> None:
    code = "Write a Python function is_odd(n); is_odd(3) returns True."
    assert instruction_source(BOTH, code, TaskKind.CODE) is Spec.USER
    assert instruction_source(BOTH, code.upper(), TaskKind.CODE) is Spec.USER  # case and spacing aside
    assert instruction_source("What is 12 * 12? Then tell me a joke.", "What is 12 * 12?", TaskKind.MATH) is Spec.USER


def test_words_the_request_does_not_hold_are_the_models() -> None:
    assert instruction_source(BOTH, "Implement is_odd.", TaskKind.CODE) is Spec.MODEL
    assert instruction_source(BOTH, "", TaskKind.CODE) is Spec.MODEL


def test_the_users_words_asking_for_more_than_the_tasks_kind_are_the_models() -> None:
    # Given whole to the code specialist, the example would confirm the code and nothing would read the limerick.
    assert instruction_source(BOTH, BOTH, TaskKind.CODE) is Spec.MODEL
    sum_and_story = "Compute 48 / 6 and write a two-line poem about the result."
    assert instruction_source(sum_and_story, sum_and_story, TaskKind.MATH) is Spec.MODEL
    # nor is a kind the words do not show the specification of that kind
    assert instruction_source(BOTH, "Then write a limerick about odd numbers.", TaskKind.CODE) is Spec.MODEL


def test_a_general_task_in_the_users_words_is_theirs() -> None:
    question = "Why is the sea salty?"
    assert instruction_source(question, question, TaskKind.GENERAL) is Spec.USER


def test_a_compiled_plan_records_each_tasks_source() -> None:
    plan = Plan(tasks=[PlanTask(id="all", kind="code", instruction=BOTH)])
    (spec,) = CompiledGraph.from_plan(plan, request=BOTH).specs
    assert spec.instruction_source is Spec.MODEL
    assert covers_request(BOTH, [BOTH])  # the words cover the request; the kind does not: the task cannot verify
    split = Plan(
        tasks=[
            PlanTask(id="code", kind="code", instruction="Write a Python function is_odd(n); is_odd(3) returns True."),
            PlanTask(id="poem", kind="writing", instruction="Then write a limerick about odd numbers."),
        ]
    )
    sources = {s.id: s.instruction_source for s in CompiledGraph.from_plan(split, request=BOTH).specs}
    assert sources == {"code": Spec.USER, "poem": Spec.USER}
