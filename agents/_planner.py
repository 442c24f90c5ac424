"""The planner: splits a composite task into a :class:`~junto.graphs.Plan`.

How a task becomes a plan:

1. **Shortcut.** A cheap, deterministic reading of the task, clause by
   clause (:mod:`junto._domains`), plans it without a model only when the evidence is unambiguous
   (``source`` is ``"planner"``: the shortcut is part of planning, not a
   fallback). Each domain has *strong* evidence: code is a fenced or
   unfenced block of code or an explicit programming request (a request verb
   with a code noun and a language, a call signature, a data type: "write a
   Python function ..."); math is a symbolic expression (``17 * 23``,
   ``x^2 - 4 = 0``, ``f(4)``, ``√50``) or a math word with its operands
   ("the lcm of 18 and 24", "17% of 2,340"); writing is a request for a
   kind of text ("write a haiku"), an edit of a given text, or a length in
   words or sentences. A word that also has a plain-English sense ("class",
   "function", "program", "solve", "limit", "root", "write") is only *weak*
   evidence: it never routes, it only stops the shortcut. One domain with
   strong evidence, no other evidence outside the clauses carrying it, and no
   question of its own beside it ("Who wrote Emma? Then write ..."): one task
   of that kind. A clause that asks for code owns its other words: "write a
   function returning the roots of ax^2+bx+c" is a code task, and so are
   the sentences after a request for code that ask nothing of their own
   (one clause, no strong evidence, no question mark): they specify the
   code ("Numbers below 2 are not prime."). Nothing
   pointing anywhere and only plain questions ("Why do cats purr?"): one
   ``general`` task. Anything else, and the model plans.
2. **Model plan.** The planner model (``Role.PLANNER``, first tier) gets a
   short prompt with one worked example and returns structured output; the
   local model decodes under the plan's JSON-schema grammar. The schema
   sent bounds every list and string (at most the run's task limit of tasks;
   an instruction at most the task's own text and a little more), so a model
   that loops must still close its JSON; parsing does not enforce the bounds.
3. **Tidy.** Harmless clean-ups only, none that changes meaning: whitespace
   stripped; ids made well formed (everywhere the id is used, so references
   stay consistent): each run of spaces or other characters an id may not
   hold turned into ``_``, and ``t`` put before one that starts with a digit
   or ``_`` (``c++ fix`` -> ``c_fix``, ``2024-report`` -> ``t2024-report``); kinds lower-cased and common synonyms
   mapped (``maths`` -> math, ``python`` -> code, ``essay`` -> writing);
   repeated dependencies merged; a task repeated (the same id and the same
   instruction, whatever kind or dependencies the copy was given) kept once,
   as first written: a small model that loops copies its first task under
   each kind in turn, and a copy cannot be a second task. One id given to
   two different tasks names both: the second becomes ``id_2`` (the third
   ``id_3``), and a reference to the id means every task that bore it,
   except that a task bearing it means those before it; a task that names
   itself among its dependencies has that one dropped (a task cannot wait
   for itself). Every task and instruction the model wrote is kept, and
   nothing runs before what it named; the embedded planner, told that its
   ids clash, gives the same plan back. Cycles, unknown ids and kinds are
   *not* guessed at: they are errors.
4. **Repair.** :func:`~junto.graphs.validate_plan` lists the errors; they go
   back to the model, at most ``max_repairs`` times. If the last plan is
   wrong only in naming tasks it does not have (a dependency or an answer
   id that no task bears: the embedded model invents them and gives them
   back when told), it is taken without those references, and ``reason``
   lists them: a task cannot wait for nothing, and every task and
   instruction written is kept. Still invalid (or the model failed, or
   never produced plan JSON), the next tier tries, if any.
5. **Support.** A valid plan's math, code or writing task whose kind
   nothing in the request (or the conversation) points at, not even weakly
   (a number with "how many", "solve", "function", "words"), becomes a
   ``general`` task: the embedded planner model often calls a plain
   question math, and a specialist whose checks find nothing of their
   domain to check answers no better than the general one. ``reason`` names
   the tasks so changed.
6. **One task.** A valid model plan of one task gets the request itself as
   that task's instruction (after an excerpt of the conversation, as the
   shortcut's plans), and ``reason`` says so: the task is the whole request,
   and a rewording can only drop what was asked (the embedded planner model
   turns "Should a startup use a monorepo? Answer with one of these options:
   ..." into "Answer the question"). The request's own words are also a
   specification the checks may hold the answer to; a model's are not.
7. **Fallback.** Nothing worked: when the task's sentences point at two or
   more domains, :func:`decompose` splits it by those cues (deterministic);
   otherwise one ``general`` task carries the whole task text. Either way
   ``source`` is ``"fallback"`` and ``reason`` says why.

Previous conversation (``history``) goes into the prompt so a follow-up can
refer to earlier answers; one-task plans (shortcut, fallback) carry a short
excerpt of it in their instruction, since the specialist sees nothing else.

Events: one :class:`~junto._events.PlanRepaired` per invalid plan; the run,
not the planner, announces the plan it settles on
(:class:`~junto._events.PlanCreated`). :class:`~junto.BudgetExceeded`
propagates: a spent budget is the run's signal to stop, not a planning error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from junto.graphs._validate import GraphLimits, validate_plan
from pydantic import BaseModel, Field

import junto._events as events
from junto._budget import BudgetedModel
from junto._domains import detect_domains, hinted_domains, sentences, shortcut_kind
from junto._exceptions import BudgetExceeded, ModelError
from junto._plan import Plan, PlanOutcome, PlanTask
from junto._tasks import AgentContext, Status, TaskKind, TaskResult
from junto.models._types import Message, ModelRequest, Role, Usage

__all__ = ["PlanOutcome", "Planner", "decompose"]

_KIND_NAMES = [k.value for k in TaskKind]

_SYSTEM = (
    "You split a task into subtasks and reply with a JSON plan only.\n"
    "Each subtask has: id (short, like roots), kind, instruction (complete on its own), "
    "depends_on (ids of subtasks whose results it needs), produces (what it returns).\n"
    "Kinds: math = calculate or solve; code = write a Python function; "
    "writing = explain or write text; general = anything else.\n"
    "Use one subtask per part of the task. Do not add extra subtasks."
)

_EXAMPLE_TASK = (
    "Compute 12 * 7. Then write a Python function area(w, h) returning w * h. Finally, explain the product in at most 50 words."
)

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

_HISTORY_MESSAGES = 6
_HISTORY_CHARS = 600
# Bounds written into the plan's JSON schema (parsing does not enforce them). A model decoding under the
# schema's grammar must close each string and list within them, so one that loops ends with whole JSON
# instead of running out of tokens inside a string.
_ID_CHARS = 32
_PRODUCES_CHARS = 120
_INSTRUCTION_SLACK = 200  # a subtask's instruction restates part of the task: at most its text and this much


class _TaskDraft(PlanTask):
    """A task as the model wrote it: ``kind`` is any string, checked after tidying."""

    kind: str = Field(description="math, code, writing or general", json_schema_extra={"enum": [*_KIND_NAMES]})  # type: ignore[assignment]


class _PlanDraft(Plan):
    tasks: list[_TaskDraft]  # type: ignore[assignment]


def _draft_schema(max_tasks: int, instruction_chars: int) -> dict[str, Any]:
    """The draft's JSON schema with every string and list bounded."""
    schema = _PlanDraft.model_json_schema()
    plan = schema["properties"]
    plan["tasks"].update(minItems=1, maxItems=max_tasks)
    plan["answer"].update(maxItems=max_tasks)
    plan["answer"]["items"]["maxLength"] = _ID_CHARS
    task = schema["$defs"][_TaskDraft.__name__]["properties"]
    task["id"]["maxLength"] = _ID_CHARS
    task["instruction"]["maxLength"] = instruction_chars
    task["produces"]["maxLength"] = _PRODUCES_CHARS
    task["depends_on"]["maxItems"] = max_tasks - 1
    task["depends_on"]["items"]["maxLength"] = _ID_CHARS
    return schema


class Planner:
    """Turns a task (and the conversation so far) into a valid :class:`Plan`."""

    def __init__(
        self,
        *,
        max_repairs: int = 2,
        max_tasks: int = 8,
        shortcut: bool = True,
        max_tokens: int = 768,
        limits: GraphLimits | None = None,
        support: bool = True,
    ) -> None:
        """``limits`` are the run's graph limits (a plan must compile under them); ``max_tasks`` caps plans further.

        ``support`` applies step 5 of the module docstring to model plans; it
        was measured with the embedded planner model, and a strong planner
        whose kinds you trust may go without it.
        """
        if max_repairs < 0:
            raise ValueError("max_repairs must be >= 0")
        self.max_repairs = max_repairs
        limits = limits or GraphLimits()
        self.limits = limits.model_copy(update={"max_tasks": min(max_tasks, limits.max_tasks)})
        self.shortcut = shortcut
        self.max_tokens = max_tokens
        self.support = support

    async def plan(self, task: str, ctx: AgentContext, *, history: list[Message] | None = None) -> PlanOutcome:
        """Plan ``task``; always returns a valid plan (a fallback one at worst)."""
        task = task.strip()
        history = list(history or [])
        outcome = self.shortcut_plan(task, history=history) if self.shortcut else None
        if outcome is None:
            outcome = await self._model_plan(task, history, ctx)
        return outcome

    def shortcut_plan(self, task: str, *, history: list[Message] | None = None) -> PlanOutcome | None:
        """The plan the shortcut makes without a model, or ``None`` when it leaves the task to the model."""
        task, history = task.strip(), list(history or [])
        kind = shortcut_kind(task)
        if kind is None:
            return None
        plan = _single(kind, task, history)
        if kind is TaskKind.GENERAL:
            reason = "a general question (nothing points at a domain); planned without a model"
        else:
            reason = f"one domain ({kind.value}) shows unambiguously; planned without a model"
        return PlanOutcome(plan=plan, source="planner", reason=reason)

    async def _model_plan(self, task: str, history: list[Message], ctx: AgentContext) -> PlanOutcome:
        prompt = _prompt(task, history)
        found = await self._ask(prompt, lambda draft: validate_plan(draft, limits=self.limits), ctx)
        if found.plan is not None:
            plan, reworded = _in_the_users_words(found.plan, task, history)
            if not self.support:
                return found.outcome(plan, reworded)
            plan, unsupported = _supported(plan, task, history)
            return found.outcome(plan, unsupported, reworded)
        reason = found.reason
        decomposed = decompose(task, history)
        if decomposed is not None and not validate_plan(decomposed, limits=self.limits):
            reason = f"{reason}; split by domain cues, sentence by sentence"
            plan = decomposed
        else:
            plan = _single(TaskKind.GENERAL, task, history)
        return PlanOutcome(
            plan=plan, source="fallback", repairs=found.repairs, usage=found.usage, cost_usd=found.cost_usd, reason=reason
        )

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

        def restated(task: PlanTask) -> bool:
            """A finished task copied into the reply (same id and kind): it stays finished; the copy is dropped."""
            return kept_kinds.get(task.id) == task.kind  # a draft's kind is a str, a plan's a TaskKind (a str enum)

        def new_tasks(draft: Plan) -> list[PlanTask]:
            return [t for t in draft.tasks if not restated(t)]

        def combined(draft: Plan) -> Plan:
            return Plan.model_construct(tasks=[*kept, *new_tasks(draft)], answer=[])

        def errors(draft: _PlanDraft) -> list[str]:
            tasks = new_tasks(draft)
            clash = sorted({t.id for t in tasks} & kept_kinds.keys())
            found = [f"task id {tid!r} is taken by a finished task: choose a new id" for tid in clash]
            if not tasks:
                found.append("the plan holds no replacement task")
            return found or validate_plan(combined(draft), limits=self.limits)

        found = await self._ask(_replan_prompt(task, plan, results, replaced), errors, ctx, known=kept_kinds.keys())
        if found.plan is None:
            return None
        whole = Plan.model_validate(combined(found.plan).model_dump())
        ctx.emit(events.PlanRevised(run_id=ctx.run_id, replaced=sorted(replaced), tasks=list(whole.tasks)))
        return found.outcome(whole)

    async def _ask(
        self,
        prompt: list[Message],
        errors_of: Callable[[_PlanDraft], list[str]],
        ctx: AgentContext,
        *,
        known: Collection[str] = (),
    ) -> _Asked:
        """A plan from the planner tiers in turn, each with ``max_repairs`` repairs; ``plan`` is None if none was valid.

        When a tier's repairs are spent, its last plan is taken without the
        references to tasks it does not have (``known`` are ids outside the
        draft that it may name), if that is all that was wrong with it.
        """
        asked = _Asked(reason="the planner has no model")
        asking = prompt[-1].content  # the task, with any conversation: the most an instruction restates
        schema = _draft_schema(self.limits.max_tasks, len(asking) + _INSTRUCTION_SLACK)
        for tier, model in enumerate(ctx.roster.tiers(Role.PLANNER)):
            if ctx.budget is not None:
                model = BudgetedModel(model, ctx.budget)
            messages = list(prompt)
            previous: _PlanDraft | None = None
            draft = None
            for _ in range(self.max_repairs + 1):
                try:
                    completion = await model.complete(
                        ModelRequest(messages=messages, output_type=_PlanDraft, output_schema=schema, max_tokens=self.max_tokens)
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
                if draft == previous:  # told what was wrong, it gave the same plan again: another try would too
                    asked.reason += " (and the same plan again when told so)"
                    break
                previous = draft
                messages = [*prompt, Message.assistant(draft.model_dump_json()), Message.user(_repair_text(errors))]
            pruned, dropped = _without_unknown_refs(draft, known) if draft is not None else (None, "")
            if pruned is not None and dropped and not errors_of(pruned):
                asked.plan, asked.model = Plan.model_validate(pruned.model_dump()), model.name
                asked.note = f"{model.name}'s plan named tasks it does not have, and still did when told; those references were dropped: {dropped}"
                return asked
        return asked


class _Asked(BaseModel):
    """What asking the planner models gave: a valid plan or the reason there is none."""

    plan: Plan | None = None
    repairs: list[list[str]] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0
    model: str | None = None
    reason: str = ""
    note: str | None = None  # how a valid plan was mended, if it was

    def outcome(self, plan: Plan, *notes: str | None) -> PlanOutcome:
        """The model's plan (``plan``: the one found, as the caller settled it), with this note and ``notes`` as its reason."""
        reason = "; ".join(note for note in (self.note, *notes) if note) or None
        return PlanOutcome(
            plan=plan,
            source="planner",
            repairs=self.repairs,
            usage=self.usage,
            cost_usd=self.cost_usd,
            model=self.model,
            reason=reason,
        )


_CONNECTIVE = re.compile(r"^(?:then|next|finally|also|and|after that|lastly)\b[\s,:]*", re.IGNORECASE)


def decompose(task: str, history: list[Message] | None = None) -> Plan | None:
    """A plan from the task's own sentences, by domain cues; ``None`` unless two or more domains show.

    Consecutive sentences of one domain form one task; a sentence with no cue
    joins the task before it. Math tasks stand alone, code and general tasks
    take the math before them, and writing takes everything before it, so
    independent parts still run concurrently.
    """
    segments: list[tuple[TaskKind | None, list[str]]] = []
    for sentence in sentences(task):
        kinds = detect_domains(sentence)
        if TaskKind.CODE in kinds:
            kinds = {TaskKind.CODE}
        kind = next(iter(kinds)) if len(kinds) == 1 else (TaskKind.GENERAL if kinds else None)
        if segments and (kind is None or kind == segments[-1][0]):
            segments[-1][1].append(sentence)
        elif segments and segments[-1][0] is None:
            segments[-1] = (kind, [*segments[-1][1], sentence])
        else:
            segments.append((kind, [sentence]))
    parts = [(kind or TaskKind.GENERAL, " ".join(said)) for kind, said in segments]
    if len({kind for kind, _ in parts}) < 2:
        return None
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
        instruction = _in_context(instruction[:1].upper() + instruction[1:], history or [])
        tasks.append(PlanTask(id=task_id, kind=kind, instruction=instruction, depends_on=needs))
    return Plan(tasks=tasks)


def _supported(plan: Plan, task: str, history: Sequence[Message]) -> tuple[Plan, str | None]:
    """``plan`` with each specialist task the request does not point at made ``general``, and a note of them (see the module docstring)."""
    hinted = hinted_domains("\n".join([*(m.content for m in history if m.role != "system"), task]))
    moved = [t for t in plan.tasks if t.kind is not TaskKind.GENERAL and t.kind not in hinted]
    if not moved:
        return plan, None
    ids = {t.id for t in moved}
    tasks = [t.model_copy(update={"kind": TaskKind.GENERAL}) if t.id in ids else t for t in plan.tasks]
    listed = ", ".join(f"{t.id} ({t.kind.value})" for t in moved)
    return plan.model_copy(update={"tasks": tasks}), f"made general, since nothing in the request points at their kind: {listed}"


def _in_context(instruction: str, history: Sequence[Message]) -> str:
    """``instruction`` after an excerpt of the conversation, for a specialist that sees nothing else of it."""
    context = _history_text(history, limit=2, chars=400)
    return f"{context}\n\nTask: {instruction}" if context else instruction


_AS_WRITTEN = "one task, so its instruction is the request as written, not the planner's rewording"


def _in_the_users_words(plan: Plan, task: str, history: Sequence[Message]) -> tuple[Plan, str | None]:
    """A one-task ``plan`` with the request itself as that task's instruction, and a note if the model had reworded it."""
    if len(plan.tasks) != 1 or plan.tasks[0].instruction == (whole := _in_context(task, history)):
        return plan, None
    only = plan.tasks[0].model_copy(update={"instruction": whole})
    return plan.model_copy(update={"tasks": [only]}), _AS_WRITTEN


def _single(kind: TaskKind, task: str, history: list[Message]) -> Plan:
    produces = (
        "the answer"
        if kind in (TaskKind.MATH, TaskKind.GENERAL)
        else {TaskKind.CODE: "the code", TaskKind.WRITING: "the text"}[kind]
    )
    return Plan(tasks=[PlanTask(id=kind.value, kind=kind, instruction=_in_context(task, history), produces=produces)])


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
            state = (
                f"{result.status.value}: {result.output_text() or result.reason or 'no output'}" if result is not None else "done"
            )
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
    seen: set[tuple[str, str]] = set()  # (id, instruction): a later task with both is a copy
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
        key = (tidy.id, tidy.instruction)
        if key not in seen:
            seen.add(key)
            tasks.append(tidy)
    bearers = _bearers(tasks)
    answer = [new for a in draft.answer if a.strip() for new in bearers.get(_tidy_id(a), [_tidy_id(a)])]
    return _PlanDraft(tasks=_named_apart(tasks, bearers), answer=list(dict.fromkeys(answer)))


def _bearers(tasks: Sequence[_TaskDraft]) -> dict[str, list[str]]:
    """Each id as written, with the ids its tasks take: the first keeps it, the next become ``id_2``, ``id_3``, ... (never an id taken)."""
    taken = {t.id for t in tasks}
    bearers: dict[str, list[str]] = {}
    for task in tasks:
        group = bearers.setdefault(task.id, [])
        name, n = task.id, len(group) + 1
        while group and name in taken:
            name, n = f"{task.id}_{n}", n + 1
        taken.add(name)
        group.append(name)
    return bearers


def _named_apart(tasks: Sequence[_TaskDraft], bearers: Mapping[str, list[str]]) -> list[_TaskDraft]:
    """``tasks`` under their new ids, each reference to a shared id spelled out (see the module docstring)."""
    named: list[_TaskDraft] = []
    seen: dict[str, int] = {}  # how many tasks of each written id came before
    for task in tasks:
        own = bearers[task.id]
        place = seen[task.id] = seen.get(task.id, -1) + 1
        needs: list[str] = []
        for ref in task.depends_on:
            needs += own[:place] if ref == task.id else bearers.get(ref, [ref])
        named.append(task.model_copy(update={"id": own[place], "depends_on": list(dict.fromkeys(needs))}))
    return named


def _without_unknown_refs(draft: _PlanDraft, known: Collection[str]) -> tuple[_PlanDraft, str]:
    """``draft`` without its dependencies and answer ids that name no task (of its own or ``known``), and those
    references as ``task -> id`` (``answer -> id`` for the answer's); empty when there are none."""
    ids = {t.id for t in draft.tasks} | set(known)
    dropped = [f"{t.id} -> {d}" for t in draft.tasks for d in t.depends_on if d not in ids]
    dropped += [f"answer -> {a}" for a in draft.answer if a not in ids]
    tasks = [t.model_copy(update={"depends_on": [d for d in t.depends_on if d in ids]}) for t in draft.tasks]
    return _PlanDraft(tasks=tasks, answer=[a for a in draft.answer if a in ids]), ", ".join(dropped)


def _tidy_id(raw: str) -> str:
    """An id as a well-formed one: each run of characters an id may not hold becomes ``_``; one not starting with a letter gets ``t`` before it."""
    tidy = re.sub(r"[^A-Za-z0-9_-]+", "_", raw.strip())
    return tidy if not tidy or tidy[0].isalpha() else f"t{tidy}"
