"""Code candidates cluster by what they return on shared inputs; the largest cluster is the one chosen."""

from __future__ import annotations

from junto.agents import AgentContext, CodeSpecialist, Status, TaskKind, TaskSpec
from junto.tools.code._behaviour import behaviour, shared_calls

from junto.models import FunctionModel, Roster
from tests.fixtures.candidates import code_candidate
from tests.unit.test_code_local_sandbox import LocalSandbox


def test_shared_calls_are_the_literal_calls_of_every_source() -> None:
    sources = [
        "assert smallest([3, 1, 2]) == 1\nassert smallest([5]) == 5",
        "assert smallest([3, 1, 2]) == 1\nassert smallest(xs) == 0\nassert other(1) == 1",  # a variable and another function: left out
        "this is not python (",
        "assert smallest([-4, 9], key=abs) == -4",  # a name as an argument is not a literal: left out
        "assert smallest([2, 2], strict=True) is None",
    ]
    assert shared_calls("smallest", sources) == ["smallest([3, 1, 2])", "smallest([5])", "smallest([2, 2], strict=True)"]


async def test_behaviour_records_values_and_errors_alike() -> None:
    sandbox = LocalSandbox()
    code = "def inverse(x):\n    return 1 / x\n"
    key, _ = await behaviour(sandbox, code, ["inverse(2)", "inverse(0)"])
    assert key == '["0.5", "raises ZeroDivisionError"]'
    same, _ = await behaviour(sandbox, "def inverse(x):\n    return x ** -1\n", ["inverse(2)", "inverse(0)"])
    assert same == key
    broken, _ = await behaviour(sandbox, "def inverse(x) return 1", ["inverse(2)"])
    assert broken is None


async def test_the_candidates_that_behave_alike_outvote_the_odd_one() -> None:
    bodies = {
        0: "def smallest(xs):\n    return max(xs)\n",  # the odd one out, with a test it passes itself
        1: "def smallest(xs):\n    return min(xs)\n",
        2: "def smallest(xs):\n    return sorted(xs)[0]\n",
        3: "def smallest(xs):\n    best = xs[0]\n    for x in xs:\n        best = x if x < best else best\n    return best\n",
    }
    tests = {
        0: "assert smallest([1, 9]) == 9",
        1: "assert smallest([4, 2, 8]) == 2",
        2: "assert smallest([7]) == 7",
        3: "assert smallest([0, -3]) == -3",
    }

    def reply(messages, request):
        which = code_candidate(messages, request)
        return f"```python\n{bodies[which]}```\n```python\n{tests[which]}\n```"

    task = TaskSpec(
        id="c",
        kind=TaskKind.CODE,
        instruction="Write smallest(xs) returning the least item of a list.",
        samples=4,
        max_attempts=1,
    )
    ctx = AgentContext(roster=Roster.single(FunctionModel(reply)), sandbox=LocalSandbox())
    result = await CodeSpecialist().run(task, {}, ctx)
    # the odd one fails the others' inputs only by disagreeing, not by a check: every candidate passes its own tests
    assert result.status is Status.UNVERIFIED
    assert "max(xs)" not in result.output.code
    assert " x3" in result.selection and " x1" in result.selection
