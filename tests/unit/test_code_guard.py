"""The guard: model tests that prove nothing do not count; user tests and examples always do."""

from __future__ import annotations

import pytest
from junto.agents import Status
from junto.agents._loop import judge_status
from junto.tools.code._check import check_code
from junto.tools.code._examples import examples_as_tests, extract_examples
from junto.tools.code._guard import functions_ignoring_inputs, stub_implementations, trivial_tests

from junto._tasks import Spec
from tests.unit.test_code_local_sandbox import LocalSandbox

SQUARE = "def square(x):\n    return x * x\n"
WRONG_SQUARE = "def square(x):\n    return x + x\n"


@pytest.fixture
def sandbox() -> LocalSandbox:
    return LocalSandbox()


def test_assert_nothing_tests_are_spotted() -> None:
    source = """
assert True
assert 1 == 1
assert square(3) == square(3)
assert square(3) == 9

def test_prints():
    print(square(2))

def test_constant():
    assert "ok"

def test_real():
    assert square(2) == 4

def test_raises():
    import pytest
    with pytest.raises(TypeError):
        square("a")
"""
    trivial = trivial_tests(source)
    assert sorted(trivial) == [2, 3, 4, 7, 10]
    assert "constant" in trivial[2] and "itself" in trivial[4] and trivial[7] == "asserts nothing"


def test_stubs_keep_signatures_and_drop_bodies() -> None:
    code = 'import math\nLIMIT = 3\nTABLE = build()\n\ndef f(a, *, b=2):\n    """Doc."""\n    return math.sqrt(a)\n\nclass K:\n    def m(self):\n        return 1\n'
    stubs = stub_implementations(code)
    namespace: dict = {}
    exec(stubs["none"], namespace)
    assert namespace["f"](4, b=1) is None and namespace["K"]().m() is None
    assert namespace["LIMIT"] == 3 and "TABLE" not in namespace and namespace["f"].__doc__ == "Doc."
    exec(stubs["raise"], namespace)
    with pytest.raises(NotImplementedError):
        namespace["f"](4)


async def test_model_tests_that_pass_on_a_stub_do_not_count(sandbox: LocalSandbox) -> None:
    model_tests = "assert square(2) is not False\n\ndef test_nothing():\n    square(3)\n\nassert True\n"
    verification = await check_code(sandbox, WRONG_SQUARE, model_tests=model_tests)
    assert sorted(verification.discarded) == [1, 3, 6]
    assert "stub" in verification.discarded[1]
    # Nothing that counts was run: the wrong code is not verified.
    assert judge_status(verification.checks) is Status.UNVERIFIED
    assert "proves anything" in verification.checks[-1].evidence


async def test_meaningful_model_tests_count_but_only_to_fail_code(sandbox: LocalSandbox) -> None:
    model_tests = "assert square(3) == 9\n\ndef test_negative():\n    assert square(-2) == 4\n"
    good = await check_code(sandbox, SQUARE, model_tests=model_tests)
    # The model wrote both the code and these tests: passing them verifies nothing.
    assert good.discarded == {} and judge_status(good.checks) is Status.UNVERIFIED
    (check,) = good.checks
    assert (check.name, check.passed, check.spec) == ("model tests", True, Spec.MODEL)
    assert check.evidence.startswith("passes the model's 2 tests") and "never verify" in check.evidence
    bad = await check_code(sandbox, WRONG_SQUARE, model_tests=model_tests)
    assert judge_status(bad.checks) is Status.FAILED
    assert "square(3) == 9" in bad.checks[-1].evidence


async def test_user_tests_always_count_even_when_they_would_pass_on_a_stub(sandbox: LocalSandbox) -> None:
    # This user test passes on a None stub, and still counts: the user asked for it.
    verification = await check_code(sandbox, SQUARE, user_tests="assert square(0) == 0 or square(0) is None\n")
    assert [c.name for c in verification.checks] == ["user tests"]
    assert judge_status(verification.checks) is Status.VERIFIED


async def test_examples_from_the_instruction_are_checked(sandbox: LocalSandbox) -> None:
    instruction = "Write square(x). For example square(3) returns 9.\n>>> square(-4)\n16\n"
    assert extract_examples(instruction) == [("square(-4)", "16"), ("square(3)", "9")]
    bad = await check_code(sandbox, WRONG_SQUARE, instruction=instruction, model_tests="assert square(2) == 4\n")
    assert judge_status(bad.checks) is Status.FAILED
    examples = next(c for c in bad.checks if c.name == "examples")
    assert examples.spec is Spec.INSTRUCTION and "square(3) returned 6, expected 9" in examples.evidence
    good = await check_code(sandbox, SQUARE, instruction=instruction)
    assert judge_status(good.checks) is Status.VERIFIED
    assert [(c.name, c.evidence) for c in good.checks] == [
        (
            "examples",
            "passes the 2 examples stated in the instruction; "
            "the one one-change variant of the code fails them or matches it on 7 inputs near theirs",
        )
    ]


def test_the_last_doctest_example_before_the_closing_quotes_counts() -> None:
    stub = 'def median(l: list):\n    """Median of l.\n    >>> median([3, 1, 2])\n    2\n    >>> median([-10, 4, 6, 10])\n    5.0\n    """\n'
    assert extract_examples(stub) == [("median([3, 1, 2])", "2"), ("median([-10, 4, 6, 10])", "5.0")]
    inline = "def f(x):\n    '''Twice x.\n    >>> f(2)\n    4'''\n"
    assert extract_examples(inline) == [("f(2)", "4")]
    assert extract_examples('def g():\n    """\n    >>> g()\n    """\n') == []  # no expected output: no test


def test_prose_examples_only_when_literal() -> None:
    text = "`roots(1, -5, 6)` returns `[2, 3]`; area(2.0) should return 12.56. print(x) is handy and max(a, b) is the larger."
    assert extract_examples(text) == [("roots(1, -5, 6)", "[2, 3]"), ("area(2.0)", "12.56")]
    namespace = {"area": lambda r: 3.14159 * r * r, "roots": lambda a, b, c: [2, 3]}
    exec(examples_as_tests(text), namespace)  # 12.566 is within the precision written (0.01)


async def test_code_without_any_test_is_not_verified(sandbox: LocalSandbox) -> None:
    verification = await check_code(sandbox, SQUARE)
    assert judge_status(verification.checks) is Status.UNVERIFIED


async def test_unrunnable_code_fails(sandbox: LocalSandbox) -> None:
    verification = await check_code(sandbox, "def square(x) return x", user_tests="assert square(2) == 4")
    assert judge_status(verification.checks) is Status.FAILED
    assert verification.checks[0].name == "runs" and "does not parse" in verification.checks[0].evidence


HARD_CODED = 'def f(n):\n    """Doc."""\n    return [1, 2, 6, 24, 15]\n'


async def test_code_that_writes_in_the_examples_output_is_not_verified(sandbox: LocalSandbox) -> None:
    instruction = "Write f(n): factorials at even i, sums at odd i.\n>>> f(5)\n[1, 2, 6, 24, 15]\n"
    verification = await check_code(sandbox, "def f(n):\n    return [0]\n\n" + HARD_CODED, instruction=instruction)
    assert judge_status(verification.checks) is Status.FAILED
    examples, computes = verification.checks
    assert examples.name == "examples" and examples.passed is True  # the example passes: only the second check catches it
    assert computes.name == "computes" and "f() never reads its arguments (n)" in computes.evidence


def test_functions_ignoring_inputs_only_flags_tested_functions_that_read_no_parameter() -> None:
    code = (
        "def const(n):\n    return 3\n\n"
        "def uses(n, *rest, key=None, **extra):\n    total = 0\n    for x in rest:\n        total += x\n    return total\n\n"
        "def untested(n):\n    return 1\n\n"
        "def no_params():\n    return 1\n\n"
        "def scope(a):\n    return locals()['a']\n\n"
        "def nested(a):\n    def inner():\n        return a\n    return inner()\n"
    )
    tests = "assert const(1) == 3\nassert uses(1, 2) == 2\nassert no_params() == 1\nassert scope(2) == 2\nassert nested(1) == 1\n"
    assert list(functions_ignoring_inputs(code, tests)) == ["const"]
    assert functions_ignoring_inputs("def f(x) return", "f(1)") == {}
    assert functions_ignoring_inputs(code, "assert const(") == {}
