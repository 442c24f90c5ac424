"""The planner: structured plans, the repair loop, escalation, the fallback and the one-domain shortcut."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from junto.agents import AgentContext, TaskKind
from junto.agents._planner import Planner, decompose
from junto.graphs import validate_plan

from junto._budget import Budget, BudgetTracker
from junto._domains import detect_domains, shortcut_kind
from junto._events import PlanCreated, PlanRepaired
from junto._exceptions import BudgetExceeded, ModelConnectionError
from junto.models import FunctionModel, Message, RetryPolicy, Roster

COMPOSITE = (
    "Find the roots of x^2 - 5x + 6 = 0. Then write a Python function roots(a, b, c). Finally, explain the result in 80 words."
)


def _task(id: str, kind: str, instruction: str = "do it", depends_on: list[str] | None = None) -> dict:
    return {"id": id, "kind": kind, "instruction": instruction, "depends_on": depends_on or [], "produces": ""}


def _plan_json(*tasks: dict, answer: list[str] | None = None) -> str:
    return json.dumps({"tasks": list(tasks), "answer": answer or []})


VALID = _plan_json(
    _task("roots", "math", "Find the roots of x^2 - 5x + 6 = 0."),
    _task("code", "code", "Write a Python function roots(a, b, c)."),
    _task("explain", "writing", "Explain the roots in 80 words.", ["roots"]),
)
CYCLIC = _plan_json(_task("a", "math", depends_on=["b"]), _task("b", "writing", depends_on=["a"]))


def _replies(*texts: str) -> FunctionModel:
    queue = list(texts)
    return FunctionModel(lambda messages, request: queue.pop(0) if len(queue) > 1 else queue[0], name="planner-model")


def _ctx(*models: FunctionModel, events: list | None = None, budget: BudgetTracker | None = None) -> AgentContext:
    sink = events if events is not None else []
    return AgentContext(roster=Roster(default=list(models)), emit=sink.append, budget=budget)


async def test_valid_plan_from_the_model() -> None:
    model = _replies(VALID)
    events: list = []
    outcome = await Planner().plan(COMPOSITE, _ctx(model, events=events))
    assert outcome.source == "planner"
    assert [t.id for t in outcome.plan.tasks] == ["roots", "code", "explain"]
    assert [t.kind for t in outcome.plan.tasks] == [TaskKind.MATH, TaskKind.CODE, TaskKind.WRITING]
    assert outcome.plan.tasks[2].depends_on == ["roots"]
    assert outcome.repairs == [] and outcome.model == "planner-model"
    assert outcome.usage.total_tokens > 0
    assert events == []  # the run announces the plan, not the planner
    # the prompt carries a worked example and the task, and asks for the plan schema
    request = model.calls[0]
    assert request.output_type is not None
    assert any("Compute 12 * 7" in m.content for m in request.messages)
    assert COMPOSITE in request.messages[-1].content


async def test_cyclic_plan_is_sent_back_with_the_cycle_then_repaired() -> None:
    model = _replies(CYCLIC, VALID)
    events: list = []
    outcome = await Planner().plan(COMPOSITE, _ctx(model, events=events))
    assert outcome.source == "planner"
    assert [t.id for t in outcome.plan.tasks] == ["roots", "code", "explain"]
    assert len(outcome.repairs) == 1 and "cycle" in outcome.repairs[0][0]
    second_prompt = model.calls[1].messages[-1].content
    assert "the plan has a cycle: a -> b -> a" in second_prompt
    assert [type(e) for e in events] == [PlanRepaired]
    assert events[0].errors == outcome.repairs[0]


async def test_a_task_naming_itself_among_its_dependencies_has_that_one_dropped() -> None:
    waits_on_itself = _plan_json(
        _task("area", "math", "Work out the floor area.", depends_on=["area"]),
        _task("note", "writing", "Tell the tenant the area.", depends_on=["note", "area"]),
    )
    model = _replies(waits_on_itself)
    outcome = await Planner().plan(COMPOSITE, _ctx(model))
    assert outcome.source == "planner" and outcome.repairs == [] and len(model.calls) == 1
    assert [(t.id, t.depends_on) for t in outcome.plan.tasks] == [("area", []), ("note", ["area"])]


async def test_always_invalid_composite_is_split_by_its_sentences() -> None:
    model = _replies(CYCLIC)
    events: list = []
    outcome = await Planner(max_repairs=2).plan(COMPOSITE, _ctx(model, events=events))
    assert outcome.source == "fallback"
    assert len(model.calls) == 2  # the same plan again after the repair request: a third ask would not help
    assert len(outcome.repairs) == 2
    assert [(t.id, t.kind, t.depends_on) for t in outcome.plan.tasks] == [
        ("math", TaskKind.MATH, []),
        ("code", TaskKind.CODE, ["math"]),
        ("writing", TaskKind.WRITING, ["math", "code"]),
    ]
    assert outcome.plan.tasks[1].instruction == "Write a Python function roots(a, b, c)."
    assert validate_plan(outcome.plan) == []
    assert "invalid plan" in outcome.reason and "domain cues" in outcome.reason
    assert outcome.source == "fallback" and not any(isinstance(e, PlanCreated) for e in events)
    assert sum(isinstance(e, PlanRepaired) for e in events) == 2
    assert "the same plan again" in outcome.reason


async def test_a_model_that_changes_its_invalid_plan_gets_every_repair() -> None:
    unknown = _plan_json(_task("a", "math", depends_on=["zz"]), _task("b", "code"))
    model = _replies(CYCLIC, unknown, CYCLIC)
    outcome = await Planner(max_repairs=2).plan(COMPOSITE, _ctx(model))
    assert len(model.calls) == 3 and len(outcome.repairs) == 3
    assert outcome.source == "fallback" and "the same plan again" not in outcome.reason


async def test_always_invalid_without_cues_falls_back_to_one_general_task() -> None:
    task = "Tell me something nice about the sea and the mountains."
    outcome = await Planner(max_repairs=1).plan(task, _ctx(_replies(CYCLIC)))
    assert outcome.source == "fallback"
    (only,) = outcome.plan.tasks
    assert only.kind is TaskKind.GENERAL and only.instruction == task


async def test_unrepairable_output_escalates_to_the_next_tier() -> None:
    weak = FunctionModel(lambda m, r: CYCLIC, name="weak")
    strong = FunctionModel(lambda m, r: VALID, name="strong")
    outcome = await Planner(max_repairs=1).plan(COMPOSITE, _ctx(weak, strong))
    assert outcome.source == "planner" and outcome.model == "strong"
    assert len(weak.calls) == 2 and len(strong.calls) == 1
    assert len(outcome.repairs) == 2


async def test_malformed_json_is_repaired() -> None:
    model = _replies('{"tasks": [{"id": "roots", "kind": "math"', VALID)
    outcome = await Planner().plan(COMPOSITE, _ctx(model))
    assert outcome.source == "planner"
    assert len(outcome.plan.tasks) == 3
    assert "not valid JSON" in model.calls[1].messages[-1].content


async def test_json_that_never_parses_falls_back() -> None:
    model = _replies("I think you should first solve the equation.")
    outcome = await Planner().plan(COMPOSITE, _ctx(model))
    assert outcome.source == "fallback"
    assert [t.kind for t in outcome.plan.tasks] == [TaskKind.MATH, TaskKind.CODE, TaskKind.WRITING]
    assert "planner-model" in outcome.reason


async def test_model_error_falls_back() -> None:
    def down(messages, request):
        raise ModelConnectionError("connection refused")

    model = FunctionModel(down, retry=RetryPolicy(max_attempts=1))
    outcome = await Planner().plan(COMPOSITE, _ctx(model))
    assert outcome.source == "fallback"
    assert "connection refused" in outcome.reason


async def test_unknown_kind_is_reported_and_repaired() -> None:
    model = _replies(_plan_json(_task("poem", "poetry"), _task("roots", "math")), VALID)
    outcome = await Planner().plan(COMPOSITE, _ctx(model))
    assert outcome.source == "planner"
    assert "unknown kind 'poetry'" in outcome.repairs[0][0]
    assert "unknown kind 'poetry'" in model.calls[1].messages[-1].content


async def test_harmless_tidying_keeps_the_plan_valid() -> None:
    messy = _plan_json(
        _task(" find roots ", "Maths", " Find the roots. "),
        _task("find roots", "maths", "Find the roots."),  # the same task again
        _task("code", "Python", "Write roots(a, b, c).", ["find roots", "find roots"]),
    )
    outcome = await Planner().plan(COMPOSITE, _ctx(_replies(messy)))
    assert outcome.repairs == []
    assert [(t.id, t.kind) for t in outcome.plan.tasks] == [("find_roots", TaskKind.MATH), ("code", TaskKind.CODE)]
    assert outcome.plan.tasks[0].instruction == "Find the roots."
    assert outcome.plan.tasks[1].depends_on == ["find_roots"]


async def test_ids_a_model_writes_out_of_form_are_made_well_formed_wherever_they_are_used() -> None:
    odd = _plan_json(
        _task("1st-step", "math", "Add the two invoices."),
        _task("mail.v2 (draft)", "writing", "Write the email with the total.", ["1st-step"]),
    )
    outcome = await Planner().plan(COMPOSITE, _ctx(_replies(odd)))
    assert outcome.repairs == []
    assert [(t.id, t.depends_on) for t in outcome.plan.tasks] == [("t1st-step", []), ("mail_v2_draft_", ["t1st-step"])]


async def test_a_task_copied_under_other_kinds_is_kept_once_as_first_written() -> None:
    # A small model that loops writes its first task again and again, trying each kind in turn.
    looped = _plan_json(
        _task("seats", "math", "Count the seatings of 6 guests at a round table."),
        _task("seats", "code", "Count the seatings of 6 guests at a round table."),
        _task("seats", "writing", "Count the seatings of 6 guests at a round table.", ["seats"]),
        _task("seats", "math", "Count the seatings of 6 guests at a round table."),
    )
    outcome = await Planner().plan(COMPOSITE, _ctx(_replies(looped)))
    assert outcome.repairs == []
    assert [(t.id, t.kind, t.depends_on) for t in outcome.plan.tasks] == [("seats", TaskKind.MATH, [])]


async def test_one_id_given_to_two_tasks_names_both_and_keeps_every_order_the_model_asked_for() -> None:
    # The embedded planner, told its ids clash, gives the same plan back: each task gets an id of its own.
    clashing = _plan_json(
        _task("fare", "math", "Price the trip at 0.4 per km for 120 km."),
        _task("fare", "math", "Add the 15% tip to that price.", depends_on=["fare"]),
        _task("fare_2", "general", "Say which airline is cheaper."),
        _task("fare", "writing", "Write the expense note with the total.", depends_on=["fare", "fare_2"]),
        _task("card", "writing", "Thank the driver.", depends_on=["fare"]),
        answer=["fare", "card"],
    )
    model = _replies(clashing)
    outcome = await Planner().plan(COMPOSITE, _ctx(model))
    assert outcome.source == "planner" and outcome.repairs == [] and len(model.calls) == 1
    assert [(t.id, t.kind.value, t.depends_on) for t in outcome.plan.tasks] == [
        ("fare", "math", []),
        ("fare_3", "math", ["fare"]),  # fare_2 is the model's own id: never taken
        ("fare_2", "general", []),
        ("fare_4", "writing", ["fare", "fare_3", "fare_2"]),  # its own id: the two before it
        ("card", "writing", ["fare", "fare_3", "fare_4"]),  # another task's reference: all three
    ]
    assert [t.instruction for t in outcome.plan.tasks][1] == "Add the 15% tip to that price."
    assert outcome.plan.answer == ["fare", "fare_3", "fare_4", "card"]


async def test_the_schema_sent_bounds_every_string_and_list() -> None:
    """So a model decoding under the schema's grammar closes its JSON instead of looping inside a string."""
    model = _replies(VALID)
    await Planner(max_tasks=5).plan(COMPOSITE, _ctx(model))
    schema = model.calls[0].json_schema()
    assert schema is not None
    tasks = schema["properties"]["tasks"]
    assert (tasks["minItems"], tasks["maxItems"]) == (1, 5)
    fields = schema["$defs"][tasks["items"]["$ref"].rsplit("/", 1)[-1]]["properties"]
    assert fields["depends_on"]["maxItems"] == 4
    for name in ("id", "produces"):
        assert 0 < fields[name]["maxLength"] <= 200
    # an instruction may restate the whole task, and no more than a little besides
    assert len(COMPOSITE) < fields["instruction"]["maxLength"] <= len(model.calls[0].messages[-1].content) + 500


async def test_a_reply_past_the_bounds_is_still_read() -> None:
    """The bounds shape decoding; a model that ignores them (a hosted one) is not refused for it."""
    wordy = _plan_json(
        _task("a_very_long_task_identifier_written_out_in_full", "math", "Find the roots of x^2 - 5x + 6 = 0. " * 40)
    )
    outcome = await Planner().plan(COMPOSITE, _ctx(_replies(wordy)))
    assert outcome.source == "planner"
    assert outcome.plan.tasks[0].id == "a_very_long_task_identifier_written_out_in_full"


async def test_too_many_tasks_is_repaired() -> None:
    big = _plan_json(*[_task(f"t{i}", "general") for i in range(5)])
    model = _replies(big, VALID)
    outcome = await Planner(max_tasks=4).plan(COMPOSITE, _ctx(model))
    assert "at most 4" in outcome.repairs[0][0]
    assert len(outcome.plan.tasks) == 3


@pytest.mark.parametrize(
    ("task", "kind"),
    [
        ("Compute 17 * 23.", TaskKind.MATH),
        ("Solve x^2 - 4 = 0 for x.", TaskKind.MATH),
        ("Write a Python function is_prime(n) returning whether n is prime.", TaskKind.CODE),
        ("Write a function roots(a, b, c) returning the real roots of ax^2+bx+c=0.", TaskKind.CODE),
        ("Explain photosynthesis in at most 100 words.", TaskKind.WRITING),
    ],
)
async def test_single_domain_task_gets_one_node_without_a_model(task: str, kind: TaskKind) -> None:
    model = _replies(VALID)
    events: list = []
    outcome = await Planner().plan(task, _ctx(model, events=events))
    assert model.calls == []
    assert outcome.source == "planner"
    (node,) = outcome.plan.tasks
    assert node.kind is kind and node.instruction == task
    assert "one domain" in outcome.reason
    assert events == []


def test_domain_detection() -> None:
    assert detect_domains(COMPOSITE) == {TaskKind.MATH, TaskKind.CODE, TaskKind.WRITING}
    assert detect_domains("Solve x^2 = 4 and explain your steps.") == {TaskKind.MATH, TaskKind.WRITING}
    assert detect_domains("What is the capital of France?") == set()
    assert detect_domains("Pick a version number like 1.2.3 for me") == set()
    # algebra is read from its notation, whatever the verb
    assert detect_domains("Multiply out (y + 3)(y - 8).") == {TaskKind.MATH}
    assert detect_domains("Please expand (2a - 1)^3 for me") == {TaskKind.MATH}
    assert detect_domains("Expand on your second point (in a few lines).") == set()


STUB = (
    "Complete the following Python function. Reply with the whole function in one ```python block.\n\n"
    "```python\ndef how_many_times(string: str, substring: str) -> int:\n"
    '    """ Find how many times a given substring can be found in the original string.\n'
    "    >>> how_many_times('aaa', 'a')\n    3\n    \"\"\"\n```"
)


def test_words_inside_a_fenced_code_block_are_the_codes_not_the_tasks() -> None:
    assert detect_domains(STUB) == {TaskKind.CODE}  # 'how many' in the docstring is no math task
    # outside the block, the same words still count
    assert detect_domains(STUB + "\nThen compute how many times 'a' occurs in 'banana'.") == {TaskKind.MATH, TaskKind.CODE}
    unclosed = "Fix this:\n```\nprint(2 + 2)\n# the sum of two numbers"
    assert detect_domains(unclosed) == {TaskKind.CODE}


def test_a_fenced_block_stays_whole_with_its_sentence_when_a_task_is_split() -> None:
    task = "Compute 17 * 23. Then fix this function:\n```python\ndef f(x):\n    return x  # the sum of x\n```\nExplain the fix in 30 words."
    plan = decompose(task)
    assert plan is not None
    by_kind = {t.kind: t.instruction for t in plan.tasks}
    assert by_kind[TaskKind.MATH] == "Compute 17 * 23."
    assert by_kind[TaskKind.CODE] == "Fix this function:\n```python\ndef f(x):\n    return x  # the sum of x\n```"
    assert "Explain the fix in 30 words." in by_kind[TaskKind.WRITING]


async def test_shortcut_can_be_switched_off() -> None:
    model = _replies(VALID)
    outcome = await Planner(shortcut=False).plan("Compute 17 * 23.", _ctx(model))
    assert len(model.calls) == 1
    assert len(outcome.plan.tasks) == 3


async def test_history_goes_into_the_prompt_and_one_node_plans() -> None:
    history = [Message.user("Compute 17 * 23."), Message.assistant("17 * 23 = 391 [math]")]
    model = _replies(VALID)
    await Planner().plan("Now write a Python function for that and explain it in 50 words.", _ctx(model), history=history)
    prompt = model.calls[0].messages[-1].content
    assert "17 * 23 = 391" in prompt and "Now write a Python function" in prompt

    outcome = await Planner().plan("Now do the same for 18 * 23.", _ctx(model), history=history)
    (node,) = outcome.plan.tasks
    assert node.kind is TaskKind.MATH
    assert "17 * 23 = 391" in node.instruction and node.instruction.endswith("Task: Now do the same for 18 * 23.")


async def test_spent_budget_propagates() -> None:
    tracker = BudgetTracker(Budget(max_tokens=10))
    with pytest.raises(BudgetExceeded):
        await Planner().plan(COMPOSITE, _ctx(_replies(VALID), budget=tracker))


async def test_budget_is_charged_for_planning() -> None:
    tracker = BudgetTracker(Budget(max_tokens=100_000))
    await Planner().plan(COMPOSITE, _ctx(_replies(VALID), budget=tracker))
    assert tracker.spent.model_calls == 1 and tracker.spent.tokens > 0


EXTRA = Path(__file__).resolve().parents[1] / "data" / "route_extra.jsonl"


def _extra() -> list[tuple[str, str, list[str]]]:
    rows = [json.loads(line) for line in EXTRA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(row["category"], row["prompt"], row["parts"][0]["kinds"]) for row in rows]


def test_the_shortcut_decides_only_what_it_gets_right_on_the_extra_examples() -> None:
    decided = 0
    for category, prompt, kinds in _extra():
        kind = shortcut_kind(prompt)
        if kind is not None:
            decided += 1
            assert [kind.value] == kinds, f"{category}: {prompt!r} routed to {kind.value}, needs {kinds}"
    assert decided >= 45  # and it still decides most single-domain tasks without a model


@pytest.mark.parametrize(
    "task",
    [
        "Which class of medication do statins belong to?",
        "What is the function of red blood cells?",
        "What's on the program for the city's summer festival this year?",
        "Write a function for my grandmother's 80th birthday party, something with music.",
        "Create a class schedule for my yoga students on Mondays and Thursdays.",
        "What does the algorithm behind a search engine's ranking generally consider?",
        "Which Python species is the longest snake in the world?",
        "What's the dress code for a black-tie wedding?",
    ],
)
def test_a_code_word_in_its_plain_sense_is_no_code_task(task: str) -> None:
    assert TaskKind.CODE not in detect_domains(task)
    assert shortcut_kind(task) is not TaskKind.CODE


@pytest.mark.parametrize(
    "task",
    [
        "How do I solve the problem of my houseplants getting leggy?",
        "Is there a limit to how much water a person should drink in a day?",
        "What is the product of photosynthesis besides sugar?",
        "Why do the roots of an oak tree spread so far?",
        "What's the average lifespan of a house cat?",
        "What power does the Speaker of the House have?",
        "Is 120/80 a normal blood pressure for a 40-year-old?",
        "What's the area of Texas compared with France?",
        "WWII lasted from 1939 - 1945; why did it start?",
        "Our team went 3-1 on Saturday, against the 2022 champions.",
        "What's 5G and is it safe?",
    ],
)
def test_a_math_word_or_a_number_in_plain_english_is_no_math_task(task: str) -> None:
    assert TaskKind.MATH not in detect_domains(task)
    assert shortcut_kind(task) is not TaskKind.MATH


@pytest.mark.parametrize(
    ("task", "kind"),
    [
        ("Give me a regex for UK postcodes.", TaskKind.CODE),
        ("I'd like a shell script that deletes log files older than 7 days.", TaskKind.CODE),
        ("write is_leap(year) in python", TaskKind.CODE),
        ("How do I read a JSON file into a dictionary in Python?", TaskKind.CODE),
        ("Why does my code throw a NullPointerException when the map is empty?", TaskKind.CODE),
        ("Write a function that returns a short summary string for a list of orders.", TaskKind.CODE),
        ("What's 15 + 27?", TaskKind.MATH),
        ("Is 97 prime?", TaskKind.MATH),
        ("What is the integral of 1/x?", TaskKind.MATH),
        ("A function f(x) = 3x + 2; what is f(4)?", TaskKind.MATH),
        ("Work out 12.5% of 640.", TaskKind.MATH),
        ("My marks were 61, 74, 80 and 93. What's the median?", TaskKind.MATH),
        ("Sum up the French Revolution in three sentences.", TaskKind.WRITING),
        ("Write a cover letter for a Python developer job.", TaskKind.WRITING),
        ("I need a code of conduct for our volunteer group, about 200 words.", TaskKind.WRITING),
        ("Write a poem about the number pi.", TaskKind.WRITING),
        ("Compose a gentle, encouraging message for a friend starting chemo.", TaskKind.WRITING),  # adjectives with commas
        ("A quick, cheerful toast for my parents' anniversary, please.", TaskKind.WRITING),
    ],
)
def test_unambiguous_evidence_routes_without_a_model(task: str, kind: TaskKind) -> None:
    assert shortcut_kind(task) is kind


@pytest.mark.parametrize(
    "task",
    [
        "Who discovered penicillin, and what is 1928 + 100?",  # a general question beside the math
        "Tell me the longest river in Asia, and write a Python function that sorts river names.",
        "Write a Python function that counts vowels in a string, and explain how it works in two sentences.",
        "Compute 15 * 32, then write a two-line rhyme that includes the result.",
        "Write a function that reverses a string, then a short paragraph on how it works.",  # the verb left out
        "Write a Python script that converts miles to km, and also tell me what 26.2 miles is.",
    ],
)
def test_a_task_with_more_than_one_part_is_left_to_the_model(task: str) -> None:
    assert shortcut_kind(task) is None


def test_a_question_about_the_code_just_shown_is_no_question_of_its_own() -> None:
    task = "my loop `for k in keys: if k in seen: keys.remove(k)` skips some keys. how do i fix it?"
    assert shortcut_kind(task) is TaskKind.CODE


def test_unfenced_code_stays_with_the_sentence_that_introduces_it() -> None:
    task = "Make this return the nth triangular number (tri(1) = 1):\n\ndef tri(n):\n    ...\n"
    assert detect_domains(task) == {TaskKind.CODE}  # "number" and "nth" belong to the code request
    plan = decompose(task + "\nThen explain the formula in 40 words.")
    assert plan is not None
    code = next(t for t in plan.tasks if t.kind is TaskKind.CODE)
    assert "def tri(n):" in code.instruction and code.instruction.startswith("Make this return")


def test_text_given_to_edit_is_material_not_more_of_the_task() -> None:
    task = "Tidy up this note in two sentences: the 3 reports are late; can you compute the total by Friday? also the class is cancelled."
    assert shortcut_kind(task) is TaskKind.WRITING


async def test_a_general_question_is_planned_without_a_model() -> None:
    model = _replies(VALID)
    task = "Why is the ocean salty?"
    outcome = await Planner().plan(task, _ctx(model))
    assert model.calls == []
    (node,) = outcome.plan.tasks
    assert node.kind is TaskKind.GENERAL and node.instruction == task
    assert outcome.source == "planner" and "general question" in outcome.reason


@pytest.mark.parametrize(
    "task",
    [
        "Who won the 1998 World Cup?",  # a year is a date, not an operand
        "Should I stretch before or after running?",
        "How long should bread dough rise?",
    ],
)
def test_a_question_with_no_domain_evidence_is_general(task: str) -> None:
    assert shortcut_kind(task) is TaskKind.GENERAL


@pytest.mark.parametrize(
    "task",
    [
        "How many moons does Jupiter have?",  # a quantity question: the model decides
        "Tell me something nice about the sea.",  # not a question
        "A tank holds 40 litres and leaks 2 litres an hour. When is it empty?",  # numbers: maybe a word problem
        "What did Jane Austen write first?",  # a writing word in its plain sense: ambiguous, not general
    ],
)
def test_only_a_plain_question_is_taken_for_general(task: str) -> None:
    assert shortcut_kind(task) is None


async def test_a_specialist_task_the_request_does_not_point_at_becomes_general() -> None:
    # A small planner model often calls a plain question math; nothing in the words points at math.
    model = _replies(_plan_json(_task("why", "math", "Explain why onions make people cry.")))
    outcome = await Planner(shortcut=False).plan("Why do onions make people cry when you chop them?", _ctx(model))
    assert outcome.source == "planner" and [t.kind for t in outcome.plan.tasks] == [TaskKind.GENERAL]
    assert outcome.reason is not None and "why (math)" in outcome.reason


async def test_without_the_support_rule_the_models_kinds_stand() -> None:
    model = _replies(_plan_json(_task("why", "math", "Explain why onions make people cry.")))
    outcome = await Planner(shortcut=False, support=False).plan("Why do onions make people cry when you chop them?", _ctx(model))
    assert [t.kind for t in outcome.plan.tasks] == [TaskKind.MATH] and "made general" not in (outcome.reason or "")


async def test_a_kind_the_request_points_at_even_weakly_is_the_models_to_give() -> None:
    request = "My room is 3 by 4 metres: how much carpet do I need, and why are most rooms rectangular?"
    model = _replies(
        _plan_json(_task("carpet", "math", "Area of a 3 by 4 m room."), _task("shape", "general", "Why are rooms rectangular?"))
    )
    outcome = await Planner(shortcut=False).plan(request, _ctx(model))
    assert [t.kind for t in outcome.plan.tasks] == [TaskKind.MATH, TaskKind.GENERAL] and outcome.reason is None


async def test_the_conversation_counts_as_what_the_request_points_at() -> None:
    history = [Message.user("Write a poem about the sea in 8 lines."), Message.assistant("The sea ...")]
    model = _replies(_plan_json(_task("shorter", "writing", "Make the poem about the sea shorter.")))
    outcome = await Planner(shortcut=False).plan("Make it shorter, please.", _ctx(model), history=history)
    assert [t.kind for t in outcome.plan.tasks] == [TaskKind.WRITING] and "made general" not in (outcome.reason or "")
    alone = await Planner(shortcut=False).plan("Make it shorter, please.", _ctx(model))
    assert [t.kind for t in alone.plan.tasks] == [TaskKind.GENERAL]


@pytest.mark.parametrize(
    "task",
    [
        "Write a Python function longest(words). Ties go to the word that comes first. "
        "For instance longest(['ab', 'cd']) gives 'ab'.",
        "Please implement to_celsius(f) in Python. The result is rounded to 1 decimal place; to_celsius(212) is 100.0.",
    ],
)
def test_sentences_that_specify_the_requested_code_are_the_codes_words(task: str) -> None:
    assert shortcut_kind(task) is TaskKind.CODE


@pytest.mark.parametrize(
    "task",
    [
        # a question of its own after the code request
        "Write a Python function median(xs). How many values does the median of 7 numbers sit between?",
        # a second request in the same sentence: a clause of its own, not the code's specification
        "Write a Python function median(xs). Keep it short, and explain in plain words the idea of a median.",
        # the first request is for writing: only a request for code owns the sentences after it
        "Write a haiku about rain. It mentions a for loop somewhere.",
    ],
)
def test_a_question_a_second_request_or_a_non_code_request_still_goes_to_the_model(task: str) -> None:
    assert shortcut_kind(task) is None


async def test_a_plan_still_naming_tasks_it_lacks_after_repair_is_taken_without_those_references() -> None:
    dangling = _plan_json(
        _task("total", "math", "Compute 17*23."),
        _task("note", "writing", "Explain the total.", ["total", "figures"]),
        answer=["note", "summary"],
    )
    model = _replies(dangling)
    outcome = await Planner(max_repairs=2).plan(COMPOSITE, _ctx(model))
    assert len(model.calls) == 2  # told once, it gave the same plan back
    assert outcome.source == "planner" and outcome.model == "planner-model"
    assert [(t.id, t.depends_on) for t in outcome.plan.tasks] == [("total", []), ("note", ["total"])]
    assert outcome.plan.answer == ["note"]
    assert outcome.reason is not None and "note -> figures" in outcome.reason and "answer -> summary" in outcome.reason
    assert "depends on unknown task 'figures'" in outcome.repairs[0][0]


async def test_a_plan_wrong_in_more_than_its_references_still_falls_back() -> None:
    cyclic_and_dangling = _plan_json(_task("a", "math", depends_on=["b", "zz"]), _task("b", "writing", depends_on=["a"]))
    outcome = await Planner(max_repairs=1).plan(COMPOSITE, _ctx(_replies(cyclic_and_dangling)))
    assert outcome.source == "fallback"


async def test_a_one_task_plan_carries_the_request_as_written_not_the_models_rewording() -> None:
    request = 'Is tea better than coffee in the morning? Reply with exactly one of "yes", "no" or "it depends".'
    model = _replies(_plan_json(_task("reply", "general", "Answer the question.")))
    outcome = await Planner(shortcut=False).plan(request, _ctx(model))
    (only,) = outcome.plan.tasks
    assert only.instruction == request and only.id == "reply" and only.kind is TaskKind.GENERAL
    assert outcome.source == "planner" and outcome.reason is not None and "request as written" in outcome.reason

    # after a conversation, the same excerpt of it as a shortcut plan's, before the request
    history = [Message.user("Write a limerick about a cat."), Message.assistant("There once was a cat ...")]
    model = _replies(_plan_json(_task("shorter", "writing", "Shorten the limerick.")))
    outcome = await Planner(shortcut=False).plan("Now a shorter one, please.", _ctx(model), history=history)
    (only,) = outcome.plan.tasks
    assert "There once was a cat" in only.instruction and only.instruction.endswith("Task: Now a shorter one, please.")


async def test_a_plan_of_several_tasks_keeps_the_models_instructions() -> None:
    outcome = await Planner(shortcut=False).plan(COMPOSITE, _ctx(_replies(VALID)))
    assert [t.instruction for t in outcome.plan.tasks] == [
        "Find the roots of x^2 - 5x + 6 = 0.",
        "Write a Python function roots(a, b, c).",
        "Explain the roots in 80 words.",
    ]
    assert outcome.reason is None
    # a one-task plan already in the request's words is left as it is, with nothing to say
    copied = await Planner(shortcut=False).plan(
        "Compute 2 + 2.", _ctx(_replies(_plan_json(_task("m", "math", "Compute 2 + 2."))))
    )
    assert copied.plan.tasks[0].instruction == "Compute 2 + 2." and copied.reason is None
