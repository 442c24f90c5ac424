"""What every specialist takes and returns.

A specialist gets a :class:`TaskSpec` (what to do, and the user's own checks),
the results of the tasks it depends on, and an :class:`AgentContext` (models
by tier, sandbox, budget, event sink). It returns a :class:`TaskResult` whose
``status`` is ``verified`` only if a check that is not a language model
passed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from junto._constraints import WritingConstraints
from junto._formalization import MathAnswer
from junto.models._roster import Roster
from junto.models._types import Role, Usage

if TYPE_CHECKING:
    from junto._budget import BudgetTracker
    from junto._events import Event
    from junto.sandbox._types import Sandbox

__all__ = [
    "AgentContext",
    "Attempt",
    "Cause",
    "CheckResult",
    "CodeOutput",
    "MathOutput",
    "PromptForm",
    "Spec",
    "Specialist",
    "Status",
    "TaskKind",
    "TaskOutput",
    "TaskResult",
    "TaskSpec",
    "TextOutput",
]


class TaskKind(str, enum.Enum):
    MATH = "math"
    CODE = "code"
    WRITING = "writing"
    GENERAL = "general"

    @property
    def role(self) -> Role:
        return Role(self.value)


class Status(str, enum.Enum):
    """How far a result can be trusted."""

    VERIFIED = "verified"  # a non-LLM check passed
    FAILED = "failed"  # checks failed after every retry and escalation, or the task errored
    UNVERIFIED = "unverified"  # no deterministic check applied
    SKIPPED = "skipped"  # not run: an input failed, or the budget ran out first


class Cause(str, enum.Enum):
    """Why a task failed or was skipped: what control flow reads, never the text of its reason."""

    BUDGET = "budget"  # a budget limit ran out before or while it ran
    INPUT = "input"  # an input task failed or was skipped
    CHECKS = "checks"  # its best output still fails its checks
    ERROR = "error"  # no output: the model or the sandbox failed, or the specialist raised


class Spec(str, enum.Enum):
    """Where the specification a check held an answer to came from.

    Only a specification that did not come from the model being checked can
    confirm its answer: ``user`` (the user's tests or expected answer),
    ``instruction`` (examples, an expression or equation, constraints the
    instruction itself states), ``upstream`` (verified results of earlier
    tasks). A ``model`` specification (its own tests, its formalisation of the
    question, a value computed from that formalisation) can fail an answer
    and rank candidates, never verify one.
    """

    USER = "user"
    INSTRUCTION = "instruction"
    UPSTREAM = "upstream"
    MODEL = "model"

    @property
    def independent(self) -> bool:
        return self is not Spec.MODEL


class CheckResult(BaseModel):
    """One check and its evidence.

    ``source`` says what did the checking. Only ``deterministic`` checks can
    make a result verified; a ``judge`` (a model's opinion) is recorded apart.
    ``spec`` says where the specification came from: only a passed check
    against an independent one (see :class:`Spec`) can verify. It defaults
    to ``model``, so a check confirms nothing unless it says what it held
    the answer to. ``passed`` is ``None`` when the check could not decide.
    """

    name: str
    passed: bool | None
    evidence: str = ""
    source: Literal["deterministic", "judge"] = "deterministic"
    spec: Spec = Spec.MODEL

    @property
    def confirms(self) -> bool:
        """A deterministic check that passed against a specification the model did not write."""
        return self.passed is True and self.source == "deterministic" and self.spec.independent


class MathOutput(BaseModel):
    kind: Literal["math"] = "math"
    answer: str
    work: str = ""
    formalization: MathAnswer | None = None  # what the model said it computed, as the checker read it


class CodeOutput(BaseModel):
    kind: Literal["code"] = "code"
    code: str
    tests: str = ""
    entry_point: str | None = None


class TextOutput(BaseModel):
    kind: Literal["writing", "general"] = "general"
    text: str


TaskOutput = MathOutput | CodeOutput | TextOutput


class PromptForm(str, enum.Enum):
    """How a candidate's request is worded."""

    OWN = "own"  # the specialist's own prompt: its reply format and its demands (tests, a formalization)
    PLAIN = "plain"  # the instruction alone, as a person would ask it: the form any model knows best


class Attempt(BaseModel):
    """One candidate a specialist generated and checked.

    ``round`` counts generate-check rounds; a round draws ``samples``
    candidates, numbered by ``candidate``: the first of each ``form`` is the
    request as the specialist words it (usually greedy), the others are
    drawn at ``temperature`` with ``seed``.
    """

    number: int
    model: str
    tier: int
    round: int = 1
    candidate: int = 0
    form: PromptForm = PromptForm.OWN
    temperature: float | None = None
    seed: int | None = None
    checks: list[CheckResult] = Field(default_factory=list)
    output: TaskOutput | None = None
    error: str | None = None
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0
    duration_s: float = 0.0


class TaskSpec(BaseModel):
    """A task as a specialist sees it.

    User-given checks: ``tests`` (Python test code for a code task),
    ``expected`` (an answer a math result must equal), ``constraints`` (a
    writing spec). ``max_attempts`` bounds generate-check rounds per tier;
    ``max_tier`` bounds escalation (``None``: every configured tier).
    ``samples`` is how many candidates each round draws (``None``: the
    run's setting for the task's role, else its model's, see
    :meth:`AgentContext.samples_for`).

    ``instruction_source`` says who wrote the instruction: ``user`` for a
    task graph's own tasks and for a plan's tasks whose instruction is the
    user's words verbatim, ``model`` when the planner model wrote it. What a
    check reads from a model-written instruction (its expression, examples,
    constraints) is the model's specification, not the user's.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    kind: TaskKind
    instruction: str
    depends_on: list[str] = Field(default_factory=list)
    produces: str = ""
    role: Role | None = None
    start_tier: int = Field(default=0, ge=0)
    max_tier: int | None = Field(default=None, ge=0)
    max_attempts: int = Field(default=2, ge=1, le=10)
    samples: int | None = Field(default=None, ge=1, le=32)
    tests: str | None = None
    entry_point: str | None = None
    expected: str | None = None
    constraints: WritingConstraints | None = None
    instruction_source: Spec = Spec.USER

    @property
    def model_role(self) -> Role:
        return self.role or self.kind.role


class TaskResult(BaseModel):
    """A specialist's best output and the honest record of how it was checked."""

    task_id: str
    kind: TaskKind
    status: Status
    output: TaskOutput | None = None
    checks: list[CheckResult] = Field(default_factory=list)
    attempts: list[Attempt] = Field(default_factory=list)
    models_used: list[str] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0
    duration_s: float = 0.0
    reason: str | None = None
    cause: Cause | None = None  # set when the task failed or was skipped
    selection: str = ""  # how the output was chosen among several candidates, votes included

    @property
    def verified(self) -> bool:
        return self.status is Status.VERIFIED

    def output_text(self) -> str:
        """The output as text, for prompts of downstream tasks."""
        out = self.output
        if out is None:
            return ""
        if isinstance(out, MathOutput):
            return out.answer
        if isinstance(out, CodeOutput):
            return out.code
        return out.text


def _no_events(event: Event) -> None:
    return None


@dataclass
class AgentContext:
    """What a specialist works with; injected, never global."""

    roster: Roster
    sandbox: Sandbox | None = None
    budget: BudgetTracker | None = None
    emit: Callable[[Event], None] = _no_events
    run_id: str = ""
    samples: dict[Role, int] = field(default_factory=dict)  # candidates per round, by role (default: the role's model's)
    extra: dict[str, Any] = field(default_factory=dict)

    def samples_for(self, task: TaskSpec) -> int:
        """How many candidates a round of ``task`` draws.

        The task's own setting, else its role's (:attr:`samples`), else what
        the model the role starts on says (a model's ``samples``, else its
        kind's measured default, see :meth:`~junto.models.Roster.samples`),
        else 1.
        """
        role = task.model_role
        return task.samples or self.samples.get(role) or self.roster.samples(role) or 1


class Specialist(Protocol):
    kind: TaskKind

    async def run(self, task: TaskSpec, inputs: dict[str, TaskResult], ctx: AgentContext) -> TaskResult: ...
