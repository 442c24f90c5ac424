"""Who wrote the words a check reads: the user, or the planner model.

A check confirms an answer only against a specification that did not come
from a model. A task's instruction is such a specification when it is the
user's own words (a task graph's tasks, or a plan's task whose instruction
is a verbatim part of the user's request that asks only for the task's
kind); when the planner model wrote it, what a check reads from it is the
model's specification.

A run's answer can be called verified only when its tasks, together, are
the whole request: each instruction the user's words, and nothing of the
request left over but words that join the parts (``then``, ``finally``).
``Compute 17*23, then add 5 to it`` planned as ``Compute 17*23`` leaves
``add 5 to it`` over, and the answer is not verified, however well
``17*23`` was checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from junto._domains import shortcut_kind
from junto._tasks import Spec, TaskKind

__all__ = ["covers_request", "instruction_source"]

_JOINING = frozenset("then finally also and next first firstly second secondly third thirdly lastly afterwards".split())


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.casefold()).strip(" .,;:!?\n\t")


def instruction_source(request: str, instruction: str, kind: TaskKind) -> Spec:
    """``user`` when ``instruction`` is a verbatim part of ``request`` (case and spacing aside) asking only for ``kind``.

    Whoever planned the task chose its kind, and a kind's checks read only
    their own domain: "Write is_even(n); is_even(4) is True. Then write a
    haiku about it." given whole to the code specialist would have its code
    confirmed by the example and the haiku never looked at. So the user's
    words are the task's specification only when the planner's shortcut
    reads them as that kind alone (one domain shown unambiguously, nothing
    else asked); otherwise the checks count as the model's. A ``general``
    task has no checks that confirm, so its kind is not read.
    """
    wanted = _normal(instruction)
    if not wanted or wanted not in _normal(request):
        return Spec.MODEL
    if kind is TaskKind.GENERAL:
        return Spec.USER
    return Spec.USER if shortcut_kind(instruction) is kind else Spec.MODEL


def covers_request(request: str, instructions: Iterable[str]) -> bool:
    """Whether the instructions, each a verbatim part of ``request``, leave nothing of it but joining words."""
    rest = _normal(request)
    for instruction in instructions:
        wanted = _normal(instruction)
        if not wanted or wanted not in rest:
            return False
        rest = rest.replace(wanted, " | ", 1)
    return all(word in _JOINING for word in re.findall(r"[^\W_]+", rest))
