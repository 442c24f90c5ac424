"""A plan: the tasks of a run and what each depends on (the planner's output)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from junto._tasks import TaskKind

__all__ = ["Plan", "PlanTask"]


class PlanTask(BaseModel):
    """One task of a plan, as the planner writes it."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="short identifier, e.g. 'roots'")
    kind: TaskKind = Field(description="math, code, writing or general")
    instruction: str = Field(description="what this task must do, self-contained")
    depends_on: list[str] = Field(default_factory=list, description="ids of tasks whose results this task needs")
    produces: str = Field(default="", description="what the result is, e.g. 'the two roots'")


class Plan(BaseModel):
    """The tasks of a run; the aggregator writes the answer from ``answer`` (default: every task nothing depends on)."""

    tasks: list[PlanTask]
    answer: list[str] = Field(
        default_factory=list,
        description="ids of the tasks the final answer is written from; empty means every task nothing depends on",
    )

    def answer_ids(self) -> list[str]:
        """The tasks the aggregator reads, in plan order."""
        if self.answer:
            return list(self.answer)
        needed = {dep for task in self.tasks for dep in task.depends_on}
        return [task.id for task in self.tasks if task.id not in needed]
