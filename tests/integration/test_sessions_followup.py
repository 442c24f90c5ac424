"""Sessions: a follow-up run sees the earlier answers; runs of a session are listed."""

from __future__ import annotations

from pathlib import Path

from junto.graphs import FunctionSpecialist, Plan, PlanTask
from junto.graphs._join import JoinAggregator

from junto._junto import Junto
from junto._plan import PlanOutcome
from junto._tasks import AgentContext, TaskKind
from junto.models import FunctionModel, Roster
from junto.models._types import Message


class RecordingPlanner:
    def __init__(self) -> None:
        self.histories: list[list[Message]] = []

    async def plan(self, task: str, ctx: AgentContext, *, history: list[Message] | None = None):
        self.histories.append(list(history or []))
        return PlanOutcome(plan=Plan(tasks=[PlanTask(id="a", kind="math", instruction=task)]), source="planner", repairs=[])


async def test_a_follow_up_sees_the_first_answer_in_the_planner_history(tmp_path: Path) -> None:
    planner = RecordingPlanner()
    answers = iter(["x = 2 or x = 3", "their sum is 5"])
    specialists = {TaskKind.MATH: FunctionSpecialist(TaskKind.MATH, lambda t, i, c: next(answers))}
    options = dict(
        roster=Roster.single(FunctionModel(lambda m, r: "x")),
        planner=planner,
        aggregator=JoinAggregator(),
        specialists=specialists,
    )
    async with Junto.start(store=tmp_path / "junto.db", **options) as junto:
        first = await junto.run("Solve x^2-5x+6=0", session="chat-1")
    # a new Junto on the same store: the session lives in the store, not in memory
    async with Junto.start(store=tmp_path / "junto.db", **options) as junto:
        second = await junto.run("Add those roots", session="chat-1")
        session = await junto.store.get_session("chat-1")
        listed = await junto.store.list_runs(session_id="chat-1")
    assert planner.histories[0] == []
    assert planner.histories[1] == [Message.user("Solve x^2-5x+6=0"), Message.assistant(first.answer)]
    assert "x = 2 or x = 3" in first.answer
    assert "their sum is 5" in second.answer and second.session_id == "chat-1"
    assert session.run_ids == [first.run_id, second.run_id]
    assert [r.run_id for r in listed] == [second.run_id, first.run_id]
