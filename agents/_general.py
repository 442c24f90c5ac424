"""The general specialist: the fallback for tasks with no specific domain.

It answers plainly and checks what can be checked without a model: the
facts of verified upstream tasks and any constraint the instruction states
(``in two sentences``, ``mention X``), with the same :func:`text_checks` as
the writing specialist. With nothing to check, the result is honestly
``unverified``. It also serves the single-task plan a run falls back to.
"""

from __future__ import annotations

from junto.agents._writing import TextSpecialist

from junto._tasks import TaskKind

__all__ = ["GeneralSpecialist"]

_GENERAL_SYSTEM = """You answer the task directly and correctly.
Reply with the answer only, as short as the task allows; no notes about yourself.
Respect every constraint listed; state the facts given exactly as written."""


class GeneralSpecialist(TextSpecialist):
    """Answers tasks of no particular domain; verified only by constraints and upstream facts."""

    kind = TaskKind.GENERAL
    system_prompt = _GENERAL_SYSTEM
