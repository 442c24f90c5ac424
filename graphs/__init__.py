"""Task graphs: build, compile (validate), run as a dataflow.

The run and session store lives in ``junto.graphs._store`` and is exported
from ``junto`` (it needs the run records, which need the whole event model).
"""

from junto.graphs._builder import CompiledGraph, TaskGraph, TaskRef
from junto.graphs._checkpoint import open_checkpointer
from junto.graphs._executor import ExecutionResult, Executor, ExitReason, FailedInputPolicy
from junto.graphs._function import FunctionSpecialist
from junto.graphs._join import AggregateOutcome, JoinAggregator
from junto.graphs._validate import GraphLimits, PlanProblem, check_plan, validate_plan

from junto._plan import Plan, PlanTask

__all__ = [
    "AggregateOutcome",
    "CompiledGraph",
    "ExecutionResult",
    "Executor",
    "ExitReason",
    "FailedInputPolicy",
    "FunctionSpecialist",
    "GraphLimits",
    "JoinAggregator",
    "Plan",
    "PlanProblem",
    "PlanTask",
    "TaskGraph",
    "TaskRef",
    "check_plan",
    "open_checkpointer",
    "validate_plan",
]
