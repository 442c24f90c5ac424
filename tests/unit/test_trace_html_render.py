"""The HTML trace page without a browser: every piece of record text escaped, nothing fetched, an old record still drawn."""

from __future__ import annotations

from html.parser import HTMLParser

from junto import _events as ev
from junto._plan import PlanTask
from junto._runs import AggregateVerdict, RunPlan, RunPlanTask, RunRecord, RunResult, RunStatus
from junto._tasks import Attempt, CheckResult, MathOutput, Spec, Status, TaskKind, TaskResult
from junto._trace_html import render_html
from junto.models._types import Usage

EVIL = '<script>alert(1)</script><img src="https://evil.example/x.png" onerror="alert(2)">"\'&'


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text += data


def _record(*, with_events: bool) -> RunRecord:
    check = CheckResult(name="sympy " + EVIL, passed=False, evidence="evidence " + EVIL, spec=Spec.INSTRUCTION)
    attempt = Attempt(
        number=1, model="model " + EVIL, tier=0, checks=[check], error="error " + EVIL, usage=Usage(prompt_tokens=3)
    )
    result = TaskResult(
        task_id="t" + EVIL,
        kind=TaskKind.MATH,
        status=Status.FAILED,
        output=MathOutput(answer="answer " + EVIL),
        attempts=[attempt],
        reason="reason " + EVIL,
    )
    plan = [RunPlanTask(id="t" + EVIL, kind=TaskKind.MATH, instruction="instruction " + EVIL)]
    events: list = []
    if with_events:
        events = [
            ev.RunStarted(run_id="r", task="request " + EVIL, at=100.0),
            ev.PlanCreated(run_id="r", tasks=[PlanTask(id="t1", kind="math", instruction="x")], at=100.5),
            ev.TaskStarted(run_id="r", task_id="t" + EVIL, kind=TaskKind.MATH, at=101.0),
            ev.ModelCalled(
                run_id="r",
                role="math",
                model="model " + EVIL,
                started_at=101.0,
                duration_s=0.5,
                task_id="t" + EVIL,
                attempt=1,
                error="call " + EVIL,
                at=101.5,
            ),
            ev.TaskFinished(run_id="r", task_id="t" + EVIL, status=Status.FAILED, at=102.0),
        ]
    return RunRecord(
        result=RunResult(
            run_id="r" + EVIL,
            task="request " + EVIL,
            plan=RunPlan(tasks=plan),
            results={"t" + EVIL: result},
            answer="answer " + EVIL,
            status=RunStatus.FAILED,
        ),
        plan_repairs=[["repair " + EVIL]],
        aggregate=AggregateVerdict(cited=["c" + EVIL], checks=[check]),
        error="run error " + EVIL,
        events=events,
    )


def test_every_text_from_the_record_is_escaped_and_shown_as_text() -> None:
    page = render_html(_record(with_events=True))
    parsed = _Tags()
    parsed.feed(page)
    assert [t for t, _ in parsed.tags if t == "script"] == ["script"]  # the page's own, only
    assert not [t for t, _ in parsed.tags if t == "img"]
    assert not any(k.startswith("on") for _, attrs in parsed.tags for k in attrs)
    assert not [attrs for _, attrs in parsed.tags if {"src", "href", "xlink:href"} & set(attrs)]  # nothing to fetch
    for label in ("request", "instruction", "evidence", "error", "reason", "answer", "repair", "run error", "call"):
        assert f"{label} {EVIL}" in parsed.text, label


def test_a_record_without_timing_events_still_renders_its_tasks_and_attempts() -> None:
    page = render_html(_record(with_events=False))
    assert "This run recorded no timing events." in page
    assert "attempt 1" in page and 'data-task="t&lt;script&gt;' in page
