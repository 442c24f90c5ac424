"""Task graphs: build, compile (validate), run as a dataflow.

The run and session store lives in ``junto.graphs._store`` and is exported
from ``junto`` (it needs the run records, which need the whole event model).
"""

from typing import TYPE_CHECKING

from junto._lazy import lazy_exports

if TYPE_CHECKING:
    from junto.graphs._builder import CompiledGraph, TaskGraph, TaskRef
    from junto.graphs._checkpoint import open_checkpointer
    from junto.graphs._executor import ExecutionResult, Executor, ExitReason, FailedInputPolicy
    from junto.graphs._function import FunctionSpecialist
    from junto.graphs._join import JoinAggregator
    from junto.graphs._validate import GraphLimits, PlanProblem, check_plan, validate_plan

    from junto._aggregate import AggregateOutcome
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

__getattr__, __dir__ = lazy_exports(
    __name__,
    globals(),
    {
        "AggregateOutcome": "junto._aggregate",
        "CompiledGraph": "junto.graphs._builder",
        "ExecutionResult": "junto.graphs._executor",
        "Executor": "junto.graphs._executor",
        "ExitReason": "junto.graphs._executor",
        "FailedInputPolicy": "junto.graphs._executor",
        "FunctionSpecialist": "junto.graphs._function",
        "GraphLimits": "junto.graphs._validate",
        "JoinAggregator": "junto.graphs._join",
        "Plan": "junto._plan",
        "PlanProblem": "junto.graphs._validate",
        "PlanTask": "junto._plan",
        "TaskGraph": "junto.graphs._builder",
        "TaskRef": "junto.graphs._builder",
        "check_plan": "junto.graphs._validate",
        "open_checkpointer": "junto.graphs._checkpoint",
        "validate_plan": "junto.graphs._validate",
    },
)
