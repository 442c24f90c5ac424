"""A plan: the tasks of a run and what each depends on (the planner's output)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from junto._tasks import TaskKind
from junto.models._types import Usage

__all__ = ["Plan", "PlanOutcome", "PlanTask"]


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


class PlanOutcome(BaseModel):
    """A plan and how it was reached."""

    plan: Plan
    source: Literal["planner", "fallback"]
    repairs: list[list[str]] = Field(default_factory=list, description="the errors of each invalid plan, in order")
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0
    model: str | None = Field(default=None, description="the model whose plan was used; None for the shortcut and the fallback")
    reason: str | None = Field(
        default=None, description="why the plan is a fallback or a shortcut, or what was changed in the model's plan"
    )
