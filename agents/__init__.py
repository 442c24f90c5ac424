"""Specialist agents: planner, math, code, writing, aggregator."""

from junto.agents._contract import (
    AgentContext,
    Attempt,
    CheckResult,
    CodeOutput,
    MathOutput,
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
    "Attempt",
    "CheckResult",
    "CodeOutput",
    "MathOutput",
    "Specialist",
    "Status",
    "TaskKind",
    "TaskOutput",
    "TaskResult",
    "TaskSpec",
    "TextOutput",
]
