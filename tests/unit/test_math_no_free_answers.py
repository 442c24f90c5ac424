"""A checker that cannot fail is a defect: a model that always answers 0 earns no 'verified'.

Before the verification contract, the math checker put sympy's value in the
place of the model's answer, so a model answering "0" to every question of
the math suite still scored 200 of 200, all verified. Here every question of
the shipped math suites goes to the math specialist with such a model; only
a question whose answer really is 0 may end verified.
"""

from __future__ import annotations

import json

import pytest
from junto.agents import AgentContext, MathSpecialist, Status, TaskKind, TaskSpec
from junto.tools import compare_answers

from junto.evals import MathPart, load_suite
from junto.models import FunctionModel, Roster

ZERO = json.dumps({"kind": "evaluate", "expression": "0", "variable": "x", "point": None, "answer": "0", "work": ""})


@pytest.mark.slow
@pytest.mark.parametrize("suite", ["math", "junto/evals/data/math_heldout.jsonl"])
async def test_an_answer_of_zero_is_verified_only_where_zero_is_right(suite: str) -> None:
    specialist = MathSpecialist(timeout_s=5.0)
    model = FunctionModel(lambda messages, request: ZERO)
    verified_wrong = []
    for item in load_suite(suite):
        (part,) = item.parts
        assert isinstance(part, MathPart)
        task = TaskSpec(id="m", kind=TaskKind.MATH, instruction=item.prompt, max_attempts=1)
        result = await specialist.run(task, {}, AgentContext(roster=Roster.single(model)))
        if result.status is Status.VERIFIED and compare_answers("0", part.expected).equivalent is not True:
            verified_wrong.append(item.id)
    assert verified_wrong == []
