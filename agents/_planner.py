"""The planner: splits a composite task into a :class:`~junto.graphs.Plan`.

How a task becomes a plan:

1. **Shortcut.** A cheap, deterministic look at the task (keyword and regex
   cues, sentence by sentence) names the domains it touches: math, code,
   writing. When exactly one domain shows, the plan is one task of that kind
   and no model is called (``source`` is ``"planner"``: the shortcut is part
   of planning, not a fallback). A sentence that asks for code absorbs the
   math cues in it: "write a function returning the roots of ax^2+bx+c" is a
   code task. No cue at all, or several domains, and the model plans.
2. **Model plan.** The planner model (``Role.PLANNER``, first tier) gets a
   short prompt with one worked example and returns structured output; the
   local model decodes under the plan's JSON-schema grammar.
3. **Tidy.** Harmless clean-ups only, none that changes meaning: whitespace
   stripped; spaces inside ids turned into ``_`` (everywhere the id is used,
   so references stay consistent); kinds lower-cased and common synonyms
   mapped (``maths`` -> math, ``python`` -> code, ``essay`` -> writing);
   repeated dependencies merged; a task repeated verbatim kept once.
   Conflicting duplicate ids, self-dependencies, cycles, unknown ids and
   kinds are *not* guessed at: they are errors.
4. **Repair.** :func:`~junto.graphs.validate_plan` lists the errors; they go
   back to the model, at most ``max_repairs`` times. Still invalid (or the
   model failed, or never produced plan JSON), the next tier tries, if any.
5. **Fallback.** Nothing worked: when the task's sentences point at two or
   more domains, :func:`decompose` splits it by those cues (deterministic);
   otherwise one ``general`` task carries the whole task text. Either way
   ``source`` is ``"fallback"`` and ``reason`` says why.

Previous conversation (``history``) goes into the prompt so a follow-up can
refer to earlier answers; one-task plans (shortcut, fallback) carry a short
excerpt of it in their instruction, since the specialist sees nothing else.

Events: one :class:`~junto._events.PlanRepaired` per invalid plan, then one
:class:`~junto._events.PlanCreated`. :class:`~junto.BudgetExceeded`
propagates: a spent budget is the run's signal to stop, not a planning error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from junto.graphs._validate import GraphLimits, validate_plan
from pydantic import BaseModel, Field

import junto._events as events
from junto._budget import BudgetedModel
from junto._exceptions import BudgetExceeded, ModelError
from junto._plan import Plan, PlanOutcome, PlanTask
from junto._tasks import AgentContext, Status, TaskKind, TaskResult
from junto.models._types import Message, ModelRequest, Role, Usage

__all__ = ["PlanOutcome", "Planner", "decompose", "detect_domains"]

_KIND_NAMES = [k.value for k in TaskKind]

_SYSTEM = (
    "You split a task into subtasks and reply with a JSON plan only.\n"
    "Each subtask has: id (short, like roots), kind, instruction (complete on its own), "
    "depends_on (ids of subtasks whose results it needs), produces (what it returns).\n"
    "Kinds: math = calculate or solve; code = write a Python function; "
    "writing = explain or write text; general = anything else.\n"
    "Use one subtask per part of the task. Do not add extra subtasks."
)

_EXAMPLE_TASK = "Compute 12 * 7. Then write a Python function area(w, h) returning w * h. Finally, explain the product in at most 50 words."

_EXAMPLE_PLAN = Plan(
    tasks=[
        PlanTask(id="product", kind=TaskKind.MATH, instruction="Compute 12 * 7.", produces="the product"),
        PlanTask(
            id="area",
            kind=TaskKind.CODE,
            instruction="Write a Python function area(w, h) returning w * h.",
            produces="the function",
        ),
        PlanTask(
            id="explain",
            kind=TaskKind.WRITING,
            instruction="Explain the product of 12 * 7 in at most 50 words.",
            depends_on=["product"],
            produces="the explanation",
        ),
    ]
)

_KIND_SYNONYMS = {
    "maths": TaskKind.MATH,
    "arithmetic": TaskKind.MATH,
    "calculation": TaskKind.MATH,
    "coding": TaskKind.CODE,
    "python": TaskKind.CODE,
    "programming": TaskKind.CODE,
    "text": TaskKind.WRITING,
    "essay": TaskKind.WRITING,
    "explanation": TaskKind.WRITING,
}

_CUES: dict[TaskKind, re.Pattern[str]] = {
    TaskKind.MATH: re.compile(
        r"\b(solve|derivative|differentiate|integral|integrate|equation|calculate|compute|simplify|factori[sz]e|"
        r"roots? of|limit of|sum of|product of|probability|how many|divided by|factorial|squared|cubed|"
        r"square root|greatest common divisor|least common multiple|median|average|perimeter|area of|fibonacci|"
        r"prime numbers?)\b"
        r"|\bwhat is -?\d"
        r"|\d\s*[-+*/^×÷]\s*\(?\d"
        r"|\b[a-z]\s*(\^|\*\*)\s*\d"
        r"|\bexpand\b[^.?!\n]*\)\s*([*·×]?\s*\(|(\^|\*\*)\s*\d)"  # expand (x - 5)*(x + 6), expand (x + 1)^2
        r"|\d+(\.\d+)?\s*%\s*of\b",
        re.IGNORECASE,
    ),
    TaskKind.CODE: re.compile(
        r"\b(python|function|program|script|class|implement|algorithm|unit tests?|def)\b|```",
        re.IGNORECASE,
    ),
    TaskKind.WRITING: re.compile(
        r"\b(explain|essay|words|summar(y|ise|ize)|paragraphs?|poem|story|describe|letter|e-?mail|blog|article|rewrite)\b",
        re.IGNORECASE,
    ),
}

_SENTENCE_END = re.compile(r"(?<=[.?!;])\s+|\n+")
# A fenced code block: its opening ``` starts a line; it ends at a closing fence or, unclosed, at the end.
_FENCE = re.compile(r"^[ \t]*```[^\n]*\n.*?(?:^[ \t]*```[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)
_HISTORY_MESSAGES = 6
_HISTORY_CHARS = 600


class _TaskDraft(PlanTask):
    """A task as the model wrote it: ``kind`` is any string, checked after tidying."""

    kind: str = Field(description="math, code, writing or general", json_schema_extra={"enum": _KIND_NAMES})  # type: ignore[assignment]


class _PlanDraft(Plan):
    tasks: list[_TaskDraft]  # type: ignore[assignment]


def _sentences(task: str) -> list[str]:
    """The task's sentences; a fenced code block stays whole, joined to the sentence that introduces it."""
    sentences: list[str] = []
    position = 0
    for block in _FENCE.finditer(task):
        sentences += _split(task[position : block.start()])
        fenced = block.group().strip()
        sentences[-1:] = [f"{sentences[-1]}\n{fenced}" if sentences else fenced]
        position = block.end()
    return sentences + _split(task[position:])


def _split(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def _cues(sentence: str) -> set[TaskKind]:
    """The domains one sentence points at. A fenced code block counts as code, whatever its comments and docstrings say."""
    text = _FENCE.sub(" ``` ", sentence)
    return {kind for kind, cue in _CUES.items() if cue.search(text)}


def detect_domains(task: str) -> set[TaskKind]:
    """The domains a task's wording points at (deterministic; empty when no cue shows).

    Sentence by sentence: a sentence that asks for code is a code sentence even
    if it mentions math (a function computing roots is code), and so is one that
    carries a fenced code block (the words inside it are the code's, not the task's).
    """
    found: set[TaskKind] = set()
    for sentence in _sentences(task):
        kinds = _cues(sentence)
        if TaskKind.CODE in kinds:
            kinds.discard(TaskKind.MATH)
        found |= kinds
    return found


class Planner:
    """Turns a task (and the conversation so far) into a valid :class:`Plan`."""

    def __init__(self, *, max_repairs: int = 2, max_tasks: int = 8, shortcut: bool = True, max_tokens: int = 768) -> None:
        if max_repairs < 0:
            raise ValueError("max_repairs must be >= 0")
        self.max_repairs = max_repairs
        self.limits = GraphLimits(max_tasks=max_tasks)
        self.shortcut = shortcut
        self.max_tokens = max_tokens

    async def plan(self, task: str, ctx: AgentContext, *, history: list[Message] | None = None) -> PlanOutcome:
        """Plan ``task``; always returns a valid plan (a fallback one at worst)."""
        task = task.strip()
        history = list(history or [])
        outcome = self.shortcut_plan(task, history=history) if self.shortcut else None
        if outcome is None:
            outcome = await self._model_plan(task, history, ctx)
        ctx.emit(events.PlanCreated(run_id=ctx.run_id, tasks=list(outcome.plan.tasks), source=outcome.source))
        return outcome

    def shortcut_plan(self, task: str, *, history: list[Message] | None = None) -> PlanOutcome | None:
        """The plan the shortcut makes without a model, or ``None`` when it leaves the task to the model."""
        task, history = task.strip(), list(history or [])
        domains = detect_domains(task)
        if len(domains) != 1:
            return None
        (kind,) = domains
        plan = _single(kind, task, history)
        return PlanOutcome(plan=plan, source="planner", reason=f"one domain ({kind.value}) detected; planned without a model")

    async def _model_plan(self, task: str, history: list[Message], ctx: AgentContext) -> PlanOutcome:
        prompt = _prompt(task, history)
        found = await self._ask(prompt, lambda draft: validate_plan(draft, limits=self.limits), ctx)
        if found.plan is not None:
            return PlanOutcome(
                plan=found.plan, source="planner", repairs=found.repairs, usage=found.usage, cost_usd=found.cost_usd, model=found.model
            )
        reason = found.reason
        decomposed = decompose(task, history)
        if decomposed is not None and not validate_plan(decomposed, limits=self.limits):
            reason = f"{reason}; split by domain cues, sentence by sentence"
            plan = decomposed
        else:
            plan = _single(TaskKind.GENERAL, task, history)
        return PlanOutcome(plan=plan, source="fallback", repairs=found.repairs, usage=found.usage, cost_usd=found.cost_usd, reason=reason)

    async def replan(
        self, task: str, plan: Plan, results: Mapping[str, TaskResult], replace: Sequence[str], ctx: AgentContext
    ) -> PlanOutcome | None:
        """Replacement tasks for ``replace`` (failed tasks and those after them); ``None`` if no valid one came.

        The rest of ``plan`` stays, with its results: the returned plan is the
        kept tasks followed by the replacements, which may depend on kept tasks
        and may reuse the replaced ids, never a kept one. A reply that copies a
        finished task (same id and kind) has that copy dropped, not refused.
        """
        replaced = set(replace)
        kept = [t for t in plan.tasks if t.id not in replaced]
        kept_kinds = {t.id: t.kind.value for t in kept}

        def restated(task: _TaskDraft) -> bool:
            """A finished task copied into the reply (same id and kind): it stays finished; the copy is dropped."""
            return kept_kinds.get(task.id) == task.kind

        def new_tasks(draft: _PlanDraft) -> list[_TaskDraft]:
            return [t for t in draft.tasks if not restated(t)]

        def combined(draft: _PlanDraft) -> Plan:
            return Plan.model_construct(tasks=[*kept, *new_tasks(draft)], answer=[])

        def errors(draft: _PlanDraft) -> list[str]:
            tasks = new_tasks(draft)
            clash = sorted({t.id for t in tasks} & kept_kinds.keys())
            found = [f"task id {tid!r} is taken by a finished task: choose a new id" for tid in clash]
            if not tasks:
                found.append("the plan holds no replacement task")
            return found or validate_plan(combined(draft), limits=self.limits)  # type: ignore[arg-type]

        found = await self._ask(_replan_prompt(task, plan, results, replaced), errors, ctx)
        if found.plan is None:
            return None
        whole = Plan.model_validate(combined(found.plan).model_dump())
        ctx.emit(events.PlanRevised(run_id=ctx.run_id, replaced=sorted(replaced), tasks=list(whole.tasks)))
        return PlanOutcome(
            plan=whole, source="planner", repairs=found.repairs, usage=found.usage, cost_usd=found.cost_usd, model=found.model
        )

    async def _ask(
        self, prompt: list[Message], errors_of: Callable[[_PlanDraft], list[str]], ctx: AgentContext
    ) -> _Asked:
        """A plan from the planner tiers in turn, each with ``max_repairs`` repairs; ``plan`` is None if none was valid."""
        asked = _Asked(reason="the planner has no model")
        for tier, model in enumerate(ctx.roster.tiers(Role.PLANNER)):
            if ctx.budget is not None:
                model = BudgetedModel(model, ctx.budget)
            messages = list(prompt)
            for _ in range(self.max_repairs + 1):
                try:
                    completion = await model.complete(
                        ModelRequest(messages=messages, output_type=_PlanDraft, max_tokens=self.max_tokens)
                    )
                except BudgetExceeded:
                    raise
                except ModelError as error:
                    asked.reason = f"{model.name} (tier {tier}) failed: {error}"
                    break
                asked.usage, asked.cost_usd = asked.usage + completion.usage, asked.cost_usd + completion.cost_usd
                draft = _tidy(completion.parsed)
                errors = errors_of(draft)
                if not errors:
                    asked.plan, asked.model = Plan.model_validate(draft.model_dump()), model.name
                    return asked
                asked.repairs.append(errors)
                ctx.emit(events.PlanRepaired(run_id=ctx.run_id, attempt=len(asked.repairs), errors=errors))
                asked.reason = f"{model.name} (tier {tier}) gave an invalid plan: {errors[0]}"
                messages = [*prompt, Message.assistant(draft.model_dump_json()), Message.user(_repair_text(errors))]
        return asked


class _Asked(BaseModel):
    """What asking the planner models gave: a valid plan or the reason there is none."""

    plan: Plan | None = None
    repairs: list[list[str]] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0
    model: str | None = None
    reason: str = ""


_CONNECTIVE = re.compile(r"^(?:then|next|finally|also|and|after that|lastly)\b[\s,:]*", re.IGNORECASE)


def decompose(task: str, history: list[Message] | None = None) -> Plan | None:
    """A plan from the task's own sentences, by domain cues; ``None`` unless two or more domains show.

    Consecutive sentences of one domain form one task; a sentence with no cue
    joins the task before it. Math tasks stand alone, code and general tasks
    take the math before them, and writing takes everything before it, so
    independent parts still run concurrently.
    """
    segments: list[tuple[TaskKind | None, list[str]]] = []
    for sentence in _sentences(task):
        kinds = _cues(sentence)
        if TaskKind.CODE in kinds:
            kinds = {TaskKind.CODE}
        kind = next(iter(kinds)) if len(kinds) == 1 else (TaskKind.GENERAL if kinds else None)
        if segments and (kind is None or kind == segments[-1][0]):
            segments[-1][1].append(sentence)
        elif segments and segments[-1][0] is None:
            segments[-1] = (kind, [*segments[-1][1], sentence])
        else:
            segments.append((kind, [sentence]))
    parts = [(kind or TaskKind.GENERAL, " ".join(sentences)) for kind, sentences in segments]
    if len({kind for kind, _ in parts}) < 2:
        return None
    context = _history_text(history or [], limit=2, chars=400)
    tasks: list[PlanTask] = []
    counts: dict[TaskKind, int] = {}
    for kind, text in parts:
        counts[kind] = counts.get(kind, 0) + 1
        task_id = kind.value if counts[kind] == 1 else f"{kind.value}_{counts[kind]}"
        if kind is TaskKind.WRITING:
            needs = [t.id for t in tasks]
        elif kind is TaskKind.MATH:
            needs = []
        else:
            needs = [t.id for t in tasks if t.kind is TaskKind.MATH]
        instruction = _CONNECTIVE.sub("", text).strip()
        instruction = instruction[:1].upper() + instruction[1:]
        if context:
            instruction = f"{context}\n\nTask: {instruction}"
        tasks.append(PlanTask(id=task_id, kind=kind, instruction=instruction, depends_on=needs))
    return Plan(tasks=tasks)


def _single(kind: TaskKind, task: str, history: list[Message]) -> Plan:
    context = _history_text(history, limit=2, chars=400)
    instruction = f"{context}\n\nTask: {task}" if context else task
    produces = "the answer" if kind in (TaskKind.MATH, TaskKind.GENERAL) else {TaskKind.CODE: "the code", TaskKind.WRITING: "the text"}[kind]
    return Plan(tasks=[PlanTask(id=kind.value, kind=kind, instruction=instruction, produces=produces)])


def _prompt(task: str, history: list[Message]) -> list[Message]:
    context = _history_text(history, limit=_HISTORY_MESSAGES, chars=_HISTORY_CHARS)
    request = f"Task: {task}\nReply with the JSON plan."
    if context:
        request = f"{context}\n\nThe task may refer to that conversation; make each instruction complete on its own.\n{request}"
    return [
        Message.system(_SYSTEM),
        Message.user(f"Task: {_EXAMPLE_TASK}\nReply with the JSON plan."),
        Message.assistant(_EXAMPLE_PLAN.model_dump_json()),
        Message.user(request),
    ]


def _replan_prompt(task: str, plan: Plan, results: Mapping[str, TaskResult], replaced: set[str]) -> list[Message]:
    lines = [f"Task: {task}", "", "The plan so far, and how each subtask ended:"]
    for t in plan.tasks:
        result = results.get(t.id)
        if t.id in replaced:
            why = result.reason if result is not None and result.reason else "it depends on a failed subtask"
            state = f"FAILED: {why}" if result is not None and result.status is Status.FAILED else f"to redo: {why}"
        else:
            state = f"{result.status.value}: {result.output_text() or result.reason or 'no output'}" if result is not None else "done"
        needs = f" (depends on {', '.join(t.depends_on)})" if t.depends_on else ""
        lines.append(f"- {t.id} [{t.kind.value}]{needs}: {t.instruction}\n  -> {_clip(state, 300)}")
    kept = [t.id for t in plan.tasks if t.id not in replaced]
    lines += [
        "",
        f"Write new subtasks that replace {', '.join(sorted(replaced))}: split a failed subtask into simpler ones, "
        "or state it more precisely. "
        + (f"They may depend on the finished subtasks ({', '.join(kept)}), whose results stay. " if kept else "")
        + "Reply with a JSON plan holding only the new subtasks.",
    ]
    return [Message.system(_SYSTEM), Message.user("\n".join(lines))]


def _clip(text: str, chars: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= chars else text[: chars - 3] + "..."


def _history_text(history: Sequence[Message], *, limit: int, chars: int) -> str:
    turns = [m for m in history if m.role != "system"][-limit:]
    if not turns:
        return ""
    lines = ["Conversation so far:"]
    lines += [f"{message.role}: {_clip(message.content, chars)}" for message in turns]
    return "\n".join(lines)


def _repair_text(errors: list[str]) -> str:
    listed = "\n".join(f"- {e}" for e in errors[:10])
    return f"That plan has errors:\n{listed}\nReply with the corrected JSON plan."


def _tidy(draft: _PlanDraft) -> _PlanDraft:
    """Harmless clean-ups (see the module docstring); errors are left for validation."""
    tasks: list[_TaskDraft] = []
    seen: set[tuple[str, str, str, tuple[str, ...]]] = set()
    for task in draft.tasks:
        kind = task.kind.strip().lower()
        kind = _KIND_SYNONYMS[kind].value if kind in _KIND_SYNONYMS else kind
        tidy = _TaskDraft(
            id=_tidy_id(task.id),
            kind=kind,
            instruction=task.instruction.strip(),
            depends_on=list(dict.fromkeys(_tidy_id(d) for d in task.depends_on if d.strip())),
            produces=task.produces.strip(),
        )
        key = (tidy.id, tidy.kind, tidy.instruction, tuple(tidy.depends_on))
        if key not in seen:
            seen.add(key)
            tasks.append(tidy)
    answer = list(dict.fromkeys(_tidy_id(a) for a in draft.answer if a.strip()))
    return _PlanDraft(tasks=tasks, answer=answer)


def _tidy_id(raw: str) -> str:
    return re.sub(r"\s+", "_", raw.strip())
