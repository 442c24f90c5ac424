"""Task graphs: build, compile (validate), run as a dataflow, record."""

from junto.graphs._builder import CompiledGraph, TaskGraph, TaskRef
from junto.graphs._executor import ExecutionResult, Executor, ExitReason, FailedInputPolicy
from junto.graphs._function import FunctionSpecialist
from junto.graphs._plan import Plan, PlanTask
from junto.graphs._validate import GraphLimits, PlanProblem, check_plan, validate_plan

__all__ = [
    "CompiledGraph",
    "ExecutionResult",
    "Executor",
    "ExitReason",
    "FailedInputPolicy",
    "FunctionSpecialist",
    "GraphLimits",
    "Plan",
    "PlanProblem",
    "PlanTask",
    "TaskGraph",
    "TaskRef",
    "check_plan",
    "validate_plan",
]
