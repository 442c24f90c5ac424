"""Task graphs: build, compile (validate), run as a dataflow, record."""

from junto.graphs._plan import Plan, PlanTask
from junto.graphs._validate import GraphLimits, PlanProblem, check_plan, validate_plan

__all__ = [
    "GraphLimits",
    "Plan",
    "PlanProblem",
    "PlanTask",
    "check_plan",
    "validate_plan",
]
