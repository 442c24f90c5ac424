"""The specialists a run uses when none are given: one per task kind."""

from __future__ import annotations

from junto.agents._code import CodeSpecialist
from junto.agents._general import GeneralSpecialist
from junto.agents._math import MathSpecialist
from junto.agents._writing import WritingSpecialist

from junto._tasks import Specialist, TaskKind

__all__ = ["default_specialists"]


def default_specialists() -> dict[TaskKind, Specialist]:
    """A fresh specialist for every task kind (math, code, writing, general)."""
    return {
        TaskKind.MATH: MathSpecialist(),
        TaskKind.CODE: CodeSpecialist(),
        TaskKind.WRITING: WritingSpecialist(),
        TaskKind.GENERAL: GeneralSpecialist(),
    }
