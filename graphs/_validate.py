"""Plan validation: what makes a plan (or a task graph) runnable.

A plan compiles when its ids are unique and well formed, its kinds known,
every dependency names a task of the plan, it has no cycle, every task feeds
the answer, and it stays within :class:`GraphLimits`.

"The answer" is what the aggregator reads: the tasks listed in
``Plan.answer`` or, when that is empty, every task nothing depends on. With
an explicit answer, a task with no path to it is an orphan: its work would
never reach the user.

:func:`validate_plan` returns the errors as sentences (the planner sends them
back to its model in a repair loop); :func:`check_plan` raises
:class:`~junto.GraphSetupError` naming the offending tasks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from junto._exceptions import GraphSetupError
from junto._plan import Plan
from junto._tasks import TaskKind

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["GraphLimits", "PlanProblem", "check_plan", "plan_problems", "validate_plan"]

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
_KINDS = ", ".join(k.value for k in TaskKind)


class GraphLimits(BaseModel):
    """Size limits a plan must respect."""

    model_config = ConfigDict(frozen=True)

    max_tasks: int = Field(default=32, ge=1)
    max_depth: int = Field(default=12, ge=1)
    max_instruction_chars: int = Field(default=8000, ge=1)
    max_id_chars: int = Field(default=64, ge=1)


class PlanProblem(BaseModel):
    """One reason a plan does not compile, and the tasks it concerns."""

    model_config = ConfigDict(frozen=True)

    message: str
    tasks: tuple[str, ...] = ()


def plan_problems(plan: Plan, *, limits: GraphLimits | None = None) -> list[PlanProblem]:
    """Every reason ``plan`` does not compile (empty when it does)."""
    limits = limits or GraphLimits()
    tasks = plan.tasks
    if not tasks:
        return [PlanProblem(message="the plan has no tasks; add at least one")]
    problems: list[PlanProblem] = []
    if len(tasks) > limits.max_tasks:
        problems.append(PlanProblem(message=f"the plan has {len(tasks)} tasks; at most {limits.max_tasks} are allowed"))

    seen: set[str] = set()
    for task in tasks:
        problems.extend(_task_problems(task.id, task.kind, task.instruction, limits))
        if task.id in seen:
            problems.append(
                PlanProblem(message=f"task id '{task.id}' is used more than once; ids must be unique", tasks=(task.id,))
            )
        seen.add(task.id)

    for task in tasks:
        for dep in task.depends_on:
            if dep not in seen:
                problems.append(PlanProblem(message=f"task '{task.id}' depends on unknown task '{dep}'", tasks=(task.id,)))
    for name in plan.answer:
        if name not in seen:
            problems.append(PlanProblem(message=f"the answer names unknown task '{name}'", tasks=(name,)))

    graph = dependency_graph(plan)
    problems.extend(_shape_problems(graph, [n for n in plan.answer if n in seen], limits))
    return problems


def validate_plan(plan: Plan, *, limits: GraphLimits | None = None) -> list[str]:
    """The compile errors of ``plan`` as sentences; an empty list means it compiles."""
    return [p.message for p in plan_problems(plan, limits=limits)]


def check_plan(plan: Plan, *, limits: GraphLimits | None = None) -> None:
    """Raise :class:`~junto.GraphSetupError` naming the offending tasks if ``plan`` does not compile."""
    problems = plan_problems(plan, limits=limits)
    if not problems:
        return
    errors = [p.message for p in problems]
    offending = list(dict.fromkeys(t for p in problems for t in p.tasks))
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise GraphSetupError(f"the task graph does not compile: {errors[0]}{more}", tasks=offending, errors=errors)


def dependency_graph(plan: Plan) -> nx.DiGraph[str]:
    """Edges go from a dependency to the task that needs it; unknown ids are left out."""
    import networkx as nx  # on use: it takes a third of a second to import

    graph: nx.DiGraph[str] = nx.DiGraph()
    ids = {t.id for t in plan.tasks}
    graph.add_nodes_from(ids)
    for task in plan.tasks:
        graph.add_edges_from((dep, task.id) for dep in task.depends_on if dep in ids)
    return graph


def _task_problems(task_id: object, kind: object, instruction: object, limits: GraphLimits) -> Iterable[PlanProblem]:
    name = str(task_id)
    if not isinstance(task_id, str) or not _ID.match(task_id):
        yield PlanProblem(
            message=f"task id {task_id!r} is not well formed: use a letter then letters, digits, '_' or '-'",
            tasks=(name,),
        )
    elif len(task_id) > limits.max_id_chars:
        yield PlanProblem(message=f"task id '{name[:20]}...' is longer than {limits.max_id_chars} characters", tasks=(name,))
    if not _known_kind(kind):
        yield PlanProblem(message=f"task '{name}' has unknown kind {_kind_text(kind)!r}; use one of {_KINDS}", tasks=(name,))
    text = instruction if isinstance(instruction, str) else ""
    if not text.strip():
        yield PlanProblem(message=f"task '{name}' has an empty instruction", tasks=(name,))
    elif len(text) > limits.max_instruction_chars:
        yield PlanProblem(
            message=f"task '{name}' has an instruction of {len(text)} characters; at most {limits.max_instruction_chars}",
            tasks=(name,),
        )


def _known_kind(kind: object) -> bool:
    if isinstance(kind, TaskKind):
        return True
    return isinstance(kind, str) and kind in TaskKind._value2member_map_


def _kind_text(kind: object) -> str:
    return kind.value if isinstance(kind, TaskKind) else str(kind)


def _shape_problems(graph: nx.DiGraph[str], answer: list[str], limits: GraphLimits) -> Iterable[PlanProblem]:
    import networkx as nx

    cycles = _one_cycle_per_component(graph)
    if cycles:
        for ring in cycles:
            path = " -> ".join([*ring, ring[0]])
            yield PlanProblem(message=f"the plan has a cycle: {path}", tasks=tuple(ring))
        return
    if answer:
        feeding = set(answer)
        for name in answer:
            feeding |= nx.ancestors(graph, name)
        orphans = sorted(set(graph) - feeding)
        if orphans:
            yield PlanProblem(
                message=f"orphan task(s) {', '.join(orphans)}: no path to the answer ({', '.join(answer)})",
                tasks=tuple(orphans),
            )
    depth = nx.dag_longest_path_length(graph) + 1 if graph.number_of_nodes() else 0
    if depth > limits.max_depth:
        chain = nx.dag_longest_path(graph)
        yield PlanProblem(
            message=f"the plan is {depth} tasks deep ({' -> '.join(chain)}); at most {limits.max_depth} are allowed",
            tasks=tuple(chain),
        )


def _one_cycle_per_component(graph: nx.DiGraph[str]) -> list[list[str]]:
    """One cycle of each strongly connected knot, starting at its smallest id (bounded work)."""
    import networkx as nx  # on use: it takes a third of a second to import

    rings: list[list[str]] = []
    for component in nx.strongly_connected_components(graph):
        first = min(component)
        if len(component) == 1 and not graph.has_edge(first, first):
            continue
        edges = nx.find_cycle(graph.subgraph(component), source=first)
        ring = [u for u, _ in edges]
        start = ring.index(min(ring))
        rings.append(ring[start:] + ring[:start])
    return sorted(rings)
