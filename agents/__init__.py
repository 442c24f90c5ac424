"""Specialist agents: planner, math, code, writing, aggregator."""

from junto.agents._aggregator import AggregateResult, Aggregator, assemble_answer, without_labels
from junto.agents._code import CodeAnswer, CodeSpecialist
from junto.agents._general import GeneralSpecialist
from junto.agents._math import MathSpecialist
from junto.agents._planner import Planner, PlanOutcome
from junto.agents._registry import default_specialists
from junto.agents._writing import JudgeVerdict, WritingSpecialist

from junto._aggregate import AggregateOutcome
from junto._domains import detect_domains
from junto._tasks import (
    AgentContext,
    Attempt,
    CheckResult,
    CodeOutput,
    MathOutput,
    Spec,
    Specialist,
    Status,
    TaskKind,
    TaskOutput,
    TaskResult,
    TaskSpec,
    TextOutput,
)

__all__ = [
    "AgentContext",
    "AggregateOutcome",
    "AggregateResult",
    "Aggregator",
    "Attempt",
    "CheckResult",
    "CodeAnswer",
    "CodeOutput",
    "CodeSpecialist",
    "GeneralSpecialist",
    "JudgeVerdict",
    "MathOutput",
    "MathSpecialist",
    "PlanOutcome",
    "Planner",
    "Spec",
    "Specialist",
    "Status",
    "TaskKind",
    "TaskOutput",
    "TaskResult",
    "TaskSpec",
    "TextOutput",
    "WritingSpecialist",
    "assemble_answer",
    "default_specialists",
    "detect_domains",
    "without_labels",
]
