"""TaskGraph: build a graph of tasks in Python, then compile it.

::

    g = TaskGraph()
    r = g.math("Find the roots of x^2-5x+6")
    f = g.code("Write roots(a, b, c) returning the sorted real roots",
               tests="assert roots(1, -5, 6) == [2, 3]", after=r)
    g.writing("Explain the method in about 100 words", after=[r, f])
    compiled = g.compile()

Each method returns a :class:`TaskRef`, a typed handle on the task's future
result; pass it as ``after=`` to make another task depend on it. Only a
:class:`CompiledGraph` runs; :meth:`TaskGraph.compile` raises
:class:`~junto.GraphSetupError` naming the offending tasks.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypedDict, Unpack

from junto.graphs._validate import GraphLimits, check_plan, dependency_graph, plan_problems
from pydantic import BaseModel, ConfigDict

from junto._constraints import WritingConstraints
from junto._exceptions import GraphSetupError
from junto._plan import Plan, PlanTask
from junto._provenance import instruction_source
from junto._tasks import TaskKind, TaskSpec
from junto.models._types import Role

__all__ = ["CompiledGraph", "TaskGraph", "TaskOptions", "TaskRef"]

_graph_ids = itertools.count(1)


@dataclass(frozen=True)
class TaskRef:
    """A handle on one task of a :class:`TaskGraph` and, at run time, on its result."""

    id: str
    kind: str
    graph: int = field(repr=False, compare=True)


After = TaskRef | str | Sequence[TaskRef | str] | None


class TaskOptions(TypedDict, total=False):
    """Options every kind of task takes.

    ``after``: the tasks whose results this one needs; ``id``: its name
    (default ``<kind>_<n>``); ``role``: the model role to use (default: the
    kind's); ``tier``/``max_tier``: the first and last escalation tier;
    ``retries``: generate-check rounds per tier; ``produces``: what the result is.
    """

    after: After
    id: str | None
    role: Role | str | None
    tier: int
    max_tier: int | None
    retries: int | None
    produces: str


@dataclass
class _Node:
    id: str
    kind: str
    instruction: str
    depends_on: list[str]
    options: dict[str, object]


class TaskGraph:
    """A graph of tasks under construction. Build it, then :meth:`compile` it."""

    def __init__(self, *, name: str = "graph") -> None:
        self.name = name
        self._nodes: list[_Node] = []
        self._answer: list[str] = []
        self._token = next(_graph_ids)
        self._counters: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"TaskGraph({self.name!r}, tasks={[n.id for n in self._nodes]})"

    def __len__(self) -> int:
        return len(self._nodes)

    def math(self, instruction: str, *, expected: str | None = None, **options: Unpack[TaskOptions]) -> TaskRef:
        """A math task; ``expected`` is an answer the result must equal."""
        return self.task(TaskKind.MATH, instruction, expected=expected, **options)

    def code(
        self,
        instruction: str,
        *,
        tests: str | None = None,
        entry_point: str | None = None,
        **options: Unpack[TaskOptions],
    ) -> TaskRef:
        """A code task; ``tests`` is Python test code the program must pass in the sandbox."""
        return self.task(TaskKind.CODE, instruction, tests=tests, entry_point=entry_point, **options)

    def writing(
        self, instruction: str, *, constraints: WritingConstraints | None = None, **options: Unpack[TaskOptions]
    ) -> TaskRef:
        """A writing task; ``constraints`` are measurable rules the text must meet."""
        return self.task(TaskKind.WRITING, instruction, constraints=constraints, **options)

    def general(self, instruction: str, **options: Unpack[TaskOptions]) -> TaskRef:
        """A task no checker covers; its result is reported as unverified."""
        return self.task(TaskKind.GENERAL, instruction, **options)

    def task(
        self,
        kind: TaskKind | str,
        instruction: str,
        *,
        after: After = None,
        id: str | None = None,
        role: Role | str | None = None,
        tier: int = 0,
        max_tier: int | None = None,
        retries: int | None = None,
        tests: str | None = None,
        entry_point: str | None = None,
        expected: str | None = None,
        constraints: WritingConstraints | None = None,
        produces: str = "",
    ) -> TaskRef:
        """Add a task of any ``kind``; unknown kinds are reported by :meth:`compile`."""
        kind_name = kind.value if isinstance(kind, TaskKind) else str(kind)
        task_id = id if id is not None else self._next_id(kind_name)
        options: dict[str, object] = {
            "role": role,
            "start_tier": tier,
            "max_tier": max_tier,
            "max_attempts": retries,
            "tests": tests,
            "entry_point": entry_point,
            "expected": expected,
            "constraints": constraints,
            "produces": produces,
        }
        options = {k: v for k, v in options.items() if v is not None and v != ""}
        self._nodes.append(_Node(task_id, kind_name, instruction, self._dependencies(after), options))
        return TaskRef(id=task_id, kind=kind_name, graph=self._token)

    def answer(self, *refs: TaskRef | str) -> None:
        """Name the tasks the final answer is written from (default: every task nothing depends on)."""
        self._answer = self._dependencies(list(refs))

    @classmethod
    def from_plan(cls, plan: Plan, *, name: str = "plan") -> TaskGraph:
        """A graph holding the tasks of ``plan`` (a planner's output)."""
        graph = cls(name=name)
        for task in plan.tasks:
            produces: dict[str, object] = {"produces": task.produces} if task.produces else {}
            graph._nodes.append(_Node(task.id, _kind_name(task.kind), task.instruction, list(task.depends_on), produces))
        graph._answer = list(plan.answer)
        return graph

    def to_plan(self) -> Plan:
        """The graph as a :class:`Plan`; kinds are not checked here (see :meth:`compile`)."""
        tasks = [
            PlanTask.model_construct(
                id=n.id,
                # model_construct keeps an unknown kind as written, for check_plan to name it
                kind=TaskKind(n.kind) if n.kind in TaskKind._value2member_map_ else n.kind,  # type: ignore[arg-type]
                instruction=n.instruction,
                depends_on=list(n.depends_on),
                produces=str(n.options.get("produces", "")),
            )
            for n in self._nodes
        ]
        return Plan.model_construct(tasks=tasks, answer=list(self._answer))

    def compile(self, *, limits: GraphLimits | None = None) -> CompiledGraph:
        """Check the graph and freeze it for running; raises :class:`~junto.GraphSetupError`."""
        plan = self.to_plan()
        check_plan(plan, limits=limits)
        try:
            specs = {
                n.id: TaskSpec.model_validate(
                    {"id": n.id, "kind": TaskKind(n.kind), "instruction": n.instruction, "depends_on": n.depends_on, **n.options}
                )
                for n in self._nodes
            }
        except ValueError as error:
            raise GraphSetupError(f"the task graph does not compile: {error}", errors=[str(error)]) from error
        return CompiledGraph._from_specs(Plan.model_validate(plan.model_dump()), specs)

    def errors(self, *, limits: GraphLimits | None = None) -> list[str]:
        """The compile errors of this graph, without raising (empty: it compiles)."""
        return [p.message for p in plan_problems(self.to_plan(), limits=limits)]

    def _next_id(self, kind: str) -> str:
        taken = {n.id for n in self._nodes}
        while True:
            self._counters[kind] = self._counters.get(kind, 0) + 1
            candidate = f"{kind}_{self._counters[kind]}"
            if candidate not in taken:
                return candidate

    def _dependencies(self, after: After) -> list[str]:
        if after is None:
            return []
        items: Iterable[TaskRef | str] = [after] if isinstance(after, (TaskRef, str)) else after
        ids: list[str] = []
        for item in items:
            if isinstance(item, TaskRef):
                if item.graph != self._token:
                    raise GraphSetupError(f"task '{item.id}' belongs to another TaskGraph", tasks=[item.id])
                ids.append(item.id)
            elif isinstance(item, str):
                ids.append(item)
            else:
                raise GraphSetupError(f"after= takes TaskRefs or task ids, not {type(item).__name__}")
        return list(dict.fromkeys(ids))


class CompiledGraph(BaseModel):
    """A checked, immutable task graph, ready to run.

    ``specs`` are in topological order: every task comes after the tasks it
    depends on. ``answer`` names the tasks the aggregator reads.
    """

    model_config = ConfigDict(frozen=True)

    plan: Plan
    specs: tuple[TaskSpec, ...]
    answer: tuple[str, ...]

    @classmethod
    def from_plan(cls, plan: Plan, *, limits: GraphLimits | None = None, request: str | None = None) -> CompiledGraph:
        """Compile a planner's plan (raises :class:`~junto.GraphSetupError`).

        With the ``request`` the plan was made for, each task records who
        wrote its instruction (:func:`~junto._provenance.instruction_source`).
        """
        compiled = TaskGraph.from_plan(plan).compile(limits=limits)
        if request is None:
            return compiled
        specs = tuple(
            s.model_copy(update={"instruction_source": instruction_source(request, s.instruction, s.kind)})
            for s in compiled.specs
        )
        return compiled.model_copy(update={"specs": specs})

    @classmethod
    def _from_specs(cls, plan: Plan, specs: dict[str, TaskSpec]) -> CompiledGraph:
        import networkx as nx  # on use: it takes a third of a second to import

        graph = dependency_graph(plan)
        position = {t.id: i for i, t in enumerate(plan.tasks)}
        order = list(nx.lexicographical_topological_sort(graph, key=position.__getitem__))
        return cls(plan=plan, specs=tuple(specs[i] for i in order), answer=tuple(plan.answer_ids()))

    @property
    def order(self) -> list[str]:
        return [s.id for s in self.specs]

    def spec(self, task_id: str) -> TaskSpec:
        for spec in self.specs:
            if spec.id == task_id:
                return spec
        raise KeyError(task_id)

    def downstream(self, task_ids: Iterable[str]) -> list[str]:
        """``task_ids`` and every task that depends on them, directly or not, in topological order."""
        import networkx as nx

        graph = dependency_graph(self.plan)
        reached = set(task_ids)
        for tid in list(reached):
            reached |= nx.descendants(graph, tid)
        return [tid for tid in self.order if tid in reached]

    def critical_path(self, durations: dict[str, float]) -> float:
        """The longest sum of ``durations`` along any dependency chain."""
        finish: dict[str, float] = {}
        for spec in self.specs:
            finish[spec.id] = durations.get(spec.id, 0.0) + max((finish[d] for d in spec.depends_on), default=0.0)
        return max(finish.values(), default=0.0)


def _kind_name(kind: TaskKind | str) -> str:
    return kind.value if isinstance(kind, TaskKind) else str(kind)
