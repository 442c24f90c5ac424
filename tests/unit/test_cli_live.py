"""The live view's state model, folded from a scripted run, and its rendering."""

from __future__ import annotations

import io

from rich.console import Console

from junto import _events as ev
from junto._plan import PlanTask
from junto._tasks import CheckResult, Spec, Status, TaskKind
from junto._view import Phase, RunView, TaskState
from junto.cli._live import render, render_answer, render_live

PLAN = [
    PlanTask(id="roots", kind=TaskKind.MATH, instruction="solve x^2-5x+6=0"),
    PlanTask(id="code", kind=TaskKind.CODE, instruction="write f", depends_on=["roots"]),
    PlanTask(id="essay", kind=TaskKind.WRITING, instruction="explain"),
]


def script() -> list:
    r = "run-1"
    return [
        ev.RunStarted(run_id=r, task="composite", session_id="s1", at=100.0),
        ev.PlanRepaired(run_id=r, attempt=1, errors=["cycle: a -> a"], at=100.5),
        ev.PlanCreated(run_id=r, tasks=PLAN, at=101.0),
        ev.TaskStarted(run_id=r, task_id="roots", kind=TaskKind.MATH, at=101.0),
        ev.TaskAttempt(run_id=r, task_id="roots", attempt=1, model="small", tier=0, at=101.1),
        ev.TaskChecked(
            run_id=r, task_id="roots", attempt=1, check=CheckResult(name="sympy", passed=False, evidence="2*3 != 7"), at=101.5
        ),
        ev.TaskAttempt(run_id=r, task_id="roots", attempt=2, model="small", tier=0, at=101.6),
        ev.TaskEscalated(run_id=r, task_id="roots", from_model="small", to_model="big", tier=1, at=102.0),
        ev.TaskAttempt(run_id=r, task_id="roots", attempt=1, model="big", tier=1, at=102.0),
        ev.TaskChecked(run_id=r, task_id="roots", attempt=1, check=CheckResult(name="sympy", passed=True), at=102.5),
        ev.TaskFinished(run_id=r, task_id="roots", status=Status.VERIFIED, attempts=3, tokens=120, duration_s=1.5, at=102.5),
        ev.TaskStarted(run_id=r, task_id="essay", kind=TaskKind.WRITING, at=101.0),
        ev.TaskFinished(run_id=r, task_id="essay", status=Status.UNVERIFIED, tokens=40, duration_s=0.5, at=101.5),
        ev.BudgetUpdated(run_id=r, tokens=160, cost_usd=0.002, at=102.5),
        ev.TaskFinished(run_id=r, task_id="code", status=Status.SKIPPED, reason="budget", at=102.6),
        ev.AggregateStarted(run_id=r, model="frontier", at=103.0),
        ev.AggregateToken(run_id=r, text="The roots ", at=103.1),
        ev.AggregateToken(run_id=r, text="are **2** and 3.", at=103.2),
        ev.AggregateFinished(run_id=r, answer="The roots are **2** and 3.", consistent=True, at=103.3),
        ev.RunFinished(run_id=r, status="completed", exit_reason="budget", duration_s=3.3, at=103.3),
    ]


def test_states_follow_the_run_step_by_step() -> None:
    events = script()
    view = RunView()
    seen: dict[int, TaskState] = {}
    for i, event in enumerate(events):
        view.apply(event)
        if "roots" in view.tasks:
            seen[i] = view.tasks["roots"].state
    assert view.phase is Phase.FINISHED
    # planning → waiting → running → checking → retrying → escalated → checking → verified
    assert [seen[i] for i in range(2, 11)] == [
        TaskState.WAITING,
        TaskState.RUNNING,
        TaskState.RUNNING,
        TaskState.CHECKING,
        TaskState.RETRYING,
        TaskState.ESCALATED,
        TaskState.ESCALATED,
        TaskState.CHECKING,
        TaskState.VERIFIED,
    ]


def test_final_view_holds_models_tokens_time_answer_and_outcomes() -> None:
    view = RunView.from_events(script())
    roots = view.tasks["roots"]
    assert (roots.model, roots.tier, roots.tokens) == ("big", 1, 120)
    assert roots.elapsed() == 1.5
    assert [c.passed for c in roots.checks] == [False, True]
    assert view.by_state(TaskState.VERIFIED) == ["roots"]
    assert view.by_state(TaskState.UNVERIFIED) == ["essay"]
    assert view.by_state(TaskState.SKIPPED) == ["code"]
    assert view.answer_text == "The roots are **2** and 3."
    assert (view.tokens, view.cost_usd, view.exit_reason, view.session_id) == (160, 0.002, "budget", "s1")
    assert view.repairs == [["cycle: a -> a"]]


def test_streamed_answer_is_visible_before_the_aggregator_finishes() -> None:
    events = script()
    cut = next(i for i, e in enumerate(events) if isinstance(e, ev.AggregateFinished))
    view = RunView.from_events(events[:cut])
    assert view.phase is Phase.AGGREGATING
    assert view.answer is None and view.answer_text == "The roots are **2** and 3."


def test_the_answer_panel_names_what_wrote_the_answer() -> None:
    events = script()
    cut = next(i for i, e in enumerate(events) if isinstance(e, ev.AggregateFinished))
    streaming = _text(render(RunView.from_events(events[:cut]), now=104.0))
    assert "answer (frontier)" in streaming
    passed = events[:cut] + [ev.AggregateFinished(run_id="run-1", answer="2 and 3", consistent=True, written_by="task roots")]
    assert "answer (task roots)" in _text(render(RunView.from_events(passed), now=104.0))


def test_tasks_never_finished_are_shown_skipped_when_the_run_ends() -> None:
    events = script()[:5] + [ev.RunFinished(run_id="run-1", status="cancelled", exit_reason="cancelled")]
    view = RunView.from_events(events)
    assert view.tasks["roots"].state is TaskState.SKIPPED
    assert view.tasks["essay"].state is TaskState.SKIPPED
    assert "cancelled" in (view.tasks["roots"].reason or "")


def _text(renderable) -> str:
    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(renderable)
    return console.file.getvalue()


def test_render_shows_plan_tree_with_states_and_the_streaming_answer() -> None:
    events = script()
    cut = next(i for i, e in enumerate(events) if isinstance(e, ev.AggregateFinished))
    out = _text(render(RunView.from_events(events[:cut]), now=104.0))
    assert "roots [math] verified" in out and "big tier 1" in out and "1.5s" in out and "120 tok" in out
    assert "code [code] skipped" in out and "budget" in out
    assert "The roots are **2** and 3." in out  # raw while streaming
    planning = _text(render(RunView.from_events(events[:2])))
    assert "planning" in planning and "repair 1" in planning


def test_final_render_is_the_answer_then_a_table_of_tasks_with_their_evidence() -> None:
    events = script()
    verdict = CheckResult(name="sympy", passed=True, evidence="x=2, x=3 solve it", spec=Spec.INSTRUCTION)
    events[9] = ev.TaskChecked(run_id="run-1", task_id="roots", attempt=1, check=verdict)  # the check that verified it
    own_tests = CheckResult(name="own-tests", passed=True, evidence="its own tests pass")  # spec: the model's, ranks only
    events.insert(10, ev.TaskChecked(run_id="run-1", task_id="roots", attempt=1, check=own_tests))
    out = _text(render_answer(RunView.from_events(events)))
    assert "The roots are 2 and 3." in out  # markdown rendered: no asterisks
    rows = {line.split()[0]: line for line in out.splitlines() if line.split() and line.split()[0] in ("roots", "code", "essay")}
    assert "✓ verified" in rows["roots"] and "sympy: x=2, x=3 solve it" in rows["roots"]
    assert "2*3 != 7" not in out  # a rejected attempt's evidence is the trace's, not the summary's
    assert "own-tests" not in out  # what verified it is shown, not what only ranked it
    assert "~ unverified" in rows["essay"] and "- skipped" in rows["code"] and "budget" in rows["code"]
    assert "run run-1 completed (budget)" in out and "junto trace run-1" in out


def test_a_revision_starts_the_streamed_answer_over() -> None:
    events = script()
    cut = next(i for i, e in enumerate(events) if isinstance(e, ev.AggregateFinished))
    revising = "\n\n[revising: the answer disagreed with the verified results]\n\n"
    events[cut:cut] = [ev.AggregateToken(run_id="run-1", text=revising), ev.AggregateToken(run_id="run-1", text="Roots: 2, 3.")]
    view = RunView.from_events(events[: cut + 2])
    assert view.streamed == "Roots: 2, 3." and view.stream_note == "revising: the answer disagreed with the verified results"
    out = _text(render(view, now=104.0))
    assert "Roots: 2, 3." in out and "The roots are" not in out  # the rejected draft is gone from the screen


def test_the_fallback_plan_says_why_and_a_task_after_two_sits_apart_naming_both() -> None:
    plan = [*PLAN, PlanTask(id="join", kind=TaskKind.WRITING, instruction="sum up", depends_on=["roots", "essay"])]
    events = [
        ev.RunStarted(run_id="r", task="t", at=1.0),
        ev.PlanCreated(run_id="r", tasks=plan, source="fallback", reason="the model's plan was invalid: cycle a→b→a", at=1.0),
    ]
    out = _text(render(RunView.from_events(events), now=2.0))
    assert "plan (fallback): the model's plan was invalid: cycle a→b→a" in out
    join = next(line for line in out.splitlines() if "join [writing]" in line)
    assert "after roots, essay" in join and not join.lstrip().startswith("│")  # not drawn under one of the two


async def _aiter(items):
    for item in items:
        yield item


async def test_render_live_without_a_terminal_draws_nothing_live() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, color_system=None)  # not a terminal
    view = await render_live(_aiter(script()), console, final=False)
    assert view.finished and buffer.getvalue() == ""


async def test_render_live_on_a_terminal_ends_with_the_answer() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, force_terminal=True, color_system=None)
    view = await render_live(_aiter(script()), console)
    out = buffer.getvalue()
    assert view.status == "completed"
    after_live = out.rpartition("roots [math] verified")[2]  # what follows the last frame of the tree
    assert after_live.count("The roots are 2 and 3.") == 1 and "**2**" not in after_live  # once, as Markdown
    assert "writing the answer" not in after_live


async def test_render_live_keeps_the_elapsed_time_going_between_events() -> None:
    import asyncio
    import re
    import time

    async def slow_task():
        now = time.time()
        yield ev.RunStarted(run_id="r", task="t", at=now)
        yield ev.PlanCreated(run_id="r", tasks=PLAN[:1], at=now)
        yield ev.TaskStarted(run_id="r", task_id="roots", kind=TaskKind.MATH, at=now)
        await asyncio.sleep(0.8)  # no event for a while: the view must still tick
        yield ev.RunFinished(run_id="r", status="completed", exit_reason="completed", at=time.time())

    buffer = io.StringIO()
    console = Console(file=buffer, width=100, force_terminal=True, color_system=None)
    await render_live(slow_task(), console, final=False, refresh_per_second=20)
    shown = [float(s) for s in re.findall(r"roots \[math\] running +(\d+\.\d)s", buffer.getvalue())]
    assert shown and max(shown) >= 0.4


def test_piped_output_prints_the_plan_each_outcome_the_answer_once_and_the_run_id() -> None:
    from junto.cli._run import _Printer

    lines: list[str] = []
    printer = _Printer(lambda text="", nl=True: lines.append(text))
    events = script()
    cut = next(i for i, e in enumerate(events) if isinstance(e, ev.AggregateFinished))
    events[cut:cut] = [
        ev.AggregateToken(run_id="run-1", text="\n\n[revising: the answer disagreed]\n\nThe roots are **2** and 3.")
    ]
    events[2] = ev.PlanCreated(run_id="run-1", tasks=PLAN, source="fallback", reason="the model's plan was invalid", at=101.0)
    for event in events:
        printer.show(event)
    out = "\n".join(lines)
    assert lines[0] == "run run-1" and "plan (fallback): the model's plan was invalid" in out
    assert out.count("The roots are **2** and 3.") == 1 and "revising" not in out  # the answer once, no draft
    assert "code: skipped" in out and "run run-1 completed (budget" in out and "junto trace run-1" in out
