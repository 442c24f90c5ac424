"""The examples an instruction states, read as tests: each notation read, and each trap left alone.

A misread example is the worst defect here (it can pass wrong code or fail
right code); one not read only leaves code unverified. So every notation has
a test that it is read and every trap a test that nothing is read from it.
The held-out table (``junto/evals/data/code_examples_heldout.jsonl``,
written before the reader changed) is measured by
``benchmarks/code_examples.py``; the last test here keeps it at no misreads.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from junto.tools.code import examples_as_tests, extract_examples

HELDOUT = Path(__file__).resolve().parents[2] / "junto" / "evals" / "data" / "code_examples_heldout.jsonl"


# ---- doctests -------------------------------------------------------------------------------------


def test_a_doctest_call_may_continue_over_lines_and_its_output_stops_at_a_fence() -> None:
    text = "```\n>>> pairwise_sum([10, 20],\n...              [1, 2])\n[11, 22]\n```\nThat is all."
    assert extract_examples(text) == [("pairwise_sum([10, 20], [1, 2])", "[11, 22]")]


def test_a_doctest_line_that_is_a_comparison_is_read_with_or_without_output() -> None:
    text = ">>> cube(3) == 27\n>>> cube(-1) == -1\nTrue\n>>> is_vowel('e') is True\n>>> lookup({}, 'k') is None\n"
    assert extract_examples(text) == [
        ("cube(3)", "27"),
        ("cube(-1)", "-1"),
        ("is_vowel('e')", "True"),
        ("lookup({}, 'k')", "None"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        ">>> cube(3) == 28\nFalse\n",  # the comparison is said not to hold
        ">>> cube(3) > 20\nTrue\n",
        ">>> cube(3) != 5\n",
        ">>> len(tokens('a b'))\n2\n",  # another function's result
        ">>> print(shout('hey'))\nHEY!\n",  # printed, not returned
        ">>> shout('hey')  # doctest: +SKIP\n'HEY!'\n",
        ">>> shout('hey!!!')  # doctest: +ELLIPSIS\n'HEY...'\n",
        ">>> digits_of(2 ** 70)\n[1, 1, 8, ..., 4]\n",
        ">>> ratio(1, 0)\nTraceback (most recent call last):\nZeroDivisionError: division by zero\n",
        ">>> weekday_name(0)\nMonday\n",  # not a literal: what print would show, not a repr
    ],
)
def test_doctests_that_state_no_literal_result_are_not_read(text: str) -> None:
    assert extract_examples(text) == []


def test_doctest_output_must_sit_under_its_prompt() -> None:
    assert extract_examples("    >>> halves(9)\n    4\n") == [("halves(9)", "4")]
    assert extract_examples("    >>> halves(9)\n4 is what it gives\n") == []


# ---- links in sentences and lists ---------------------------------------------------------------


@pytest.mark.parametrize("link", ["→", "➞", "⇒", "⟶", "->", "=>", "==>", "-->", "=", "==", "yields", "equals", "should be"])
def test_each_link_between_a_call_and_a_literal_is_read(link: str) -> None:
    text = f"Examples:\n- wordcount('red green blue') {link} 3\n- wordcount('') {link} 0\n"
    assert extract_examples(text) == [("wordcount('red green blue')", "3"), ("wordcount('')", "0")]


def test_several_examples_on_one_line_and_a_sentence_end() -> None:
    text = "Write hypot_int(a, b). hypot_int(3, 4) gives 5, hypot_int(5, 12) gives 13 and hypot_int(0, 0) gives 0."
    assert extract_examples(text) == [("hypot_int(3, 4)", "5"), ("hypot_int(5, 12)", "13"), ("hypot_int(0, 0)", "0")]
    assert extract_examples("The area of a 2 by 3 box: box_area(2, 3) returns 6.") == [("box_area(2, 3)", "6")]


def test_for_a_call_the_result_is() -> None:
    assert extract_examples("For kebab('Big Cat'), the output should be 'big-cat'.") == [("kebab('Big Cat')", "'big-cat'")]


def test_a_remark_after_the_value_is_allowed_but_a_hedge_is_not() -> None:
    assert extract_examples("initial('Zed') -> 'Z' (first letter)") == [("initial('Zed')", "'Z'")]
    assert extract_examples("mean3([1, 2, 2]) -> 1.67 (approximately)") == []
    assert extract_examples("mean3([1, 2, 2]) returns about 1.67") == []
    assert extract_examples("letters('aab') returns ['a', 'b'] in no particular order") == []


# ---- lines of Python ----------------------------------------------------------------------------


def test_assert_lines_are_read_without_their_message() -> None:
    text = "assert tail([4, 5, 6]) == [5, 6], 'drops the head'\nassert tail([]) is None\nassert [] == tail([9])\n"
    assert extract_examples(text) == [("tail([4, 5, 6])", "[5, 6]"), ("tail([])", "None"), ("tail([9])", "[]")]


def test_comparisons_joined_by_and_or_a_comma_are_each_read() -> None:
    assert extract_examples("double(1) == 2 and double(5) == 10") == [("double(1)", "2"), ("double(5)", "10")]
    assert extract_examples("double(1) == 2, double(5) == 10") == [("double(1)", "2"), ("double(5)", "10")]


@pytest.mark.parametrize("comment", ["# 81", "# -> 81", "# => 81", "# returns 81", "# expected: 81", "# Output: 81", "# → 81"])
def test_a_trailing_comment_that_states_the_value_is_read(comment: str) -> None:
    assert extract_examples(f"square_of(9)  {comment}") == [("square_of(9)", "81")]


@pytest.mark.parametrize(
    "line",
    [
        "square_of(9)  # about 81",
        "square_of(9)  # a perfect square",
        "print(square_of(9))  # 81",  # printed: '81' and 81 look alike
        "nine = square_of(3)  # 9",
        "square_of(n)  # 81 when n is 9",
    ],
)
def test_a_trailing_comment_that_is_not_a_literal_result_is_not_read(line: str) -> None:
    assert extract_examples(line) == []


@pytest.mark.parametrize(
    "text",
    [
        "if parity(3) == 'odd':\n    print('fine')\n",
        "def check():\n    return parity(3) == 'odd'\n",
        "ok = parity(3) == 'odd'\n",
        "assert parity(3) == 'odd' or parity(3) == 'even'\n",
        "assert not parity(3) == 'even'\n",
        "assert sorted(parity_all([3, 2])) == ['even', 'odd']\n",
    ],
)
def test_comparisons_made_inside_code_are_not_examples(text: str) -> None:
    assert extract_examples(text) == []


# ---- Input: / Output: -----------------------------------------------------------------------------


def test_input_and_output_lines_are_read_against_the_signature() -> None:
    text = (
        'Write `rotate_left(word, k)`.\n\nExample 1:\nInput: word = "python", k = 2\nOutput: "thonpy"\n\n'
        'Example 2:\nInput: "ab", 0\nExpected output: "ab"\n'
    )
    assert extract_examples(text) == [("rotate_left('python', 2)", '"thonpy"'), ("rotate_left('ab', 0)", '"ab"')]


def test_an_input_and_its_output_on_one_line_are_read_too() -> None:
    text = (
        "Implement digit_sum(n: int) -> int.\n"
        "Input: 1234     Output: 10\n"
        "Input: n = 0, Output: 0\n"
        "Input: 99 -> Expected: 18\n"
        "input: 5 | output: 5\n"
    )
    found = [("digit_sum(1234)", "10"), ("digit_sum(0)", "0"), ("digit_sum(99)", "18"), ("digit_sum(5)", "5")]
    assert extract_examples(text, entry_point="digit_sum") == found


@pytest.mark.parametrize(
    "line",
    [
        "Input: 'see output: below'",  # the label inside a string: the input does not parse, nothing is read
        "Input: 12 Output: twelve",  # not a literal
        "Input: 12 Output: 3 or 4",  # hedged
    ],
)
def test_one_line_inputs_whose_output_is_not_plain_are_not_read(line: str) -> None:
    assert extract_examples(f"Implement digit_sum(n).\n{line}\n", entry_point="digit_sum") == []


@pytest.mark.parametrize(
    "text",
    [
        "Write rotate_left(word, k).\nInput: text = 'python', k = 2\nOutput: 'thonpy'\n",  # names that are not its parameters
        "Write rotate_left(word, k).\nInput: k = 2, word = 'python'\nOutput: 'thonpy'\n",  # named out of order
        "Write rotate_left(word, k).\nInput: 'python'\nOutput: 'thonpy'\n",  # too few arguments
        "Write rotate_left.\nInput: 'python', 2\nOutput: 'thonpy'\n",  # no signature shown
        "Write has_dup(items).\nInput: items = [1, 1]\nOutput: true\n",
        "Write total().\nSample Input:\n3\n4 5 6\nSample Output:\n15\n",  # a program reading standard input
    ],
)
def test_input_and_output_lines_that_do_not_fit_are_not_read(text: str) -> None:
    assert extract_examples(text, entry_point=text.split()[1].split("(")[0].rstrip(".")) == []


# ---- traps: nothing to read ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "With data = [4, 5], spread(data) returns 1.",  # a variable argument
        "power_set_count(5) -> 2**5",  # an expression, not a literal
        "power_set_count(5) -> 1 << 5",
        "steps(4) = 4 + steps(3) = 10",
        "halfsum(6) = 1 + (6 / 2) = 4",  # 1 is where an expression starts, not the value
        "contains_zero([0, 1]) ➞ true\ncontains_zero([1]) ➞ false\nindex_of([1], 7) -> null",
        "range_list(1, 5) -> [1, 2, ..., 5]",
        "range_list(1, ..., 5) -> [1, 5]",
        "dice_roll(6) >= 1 and dice_roll(6) <= 6",
        "coin() could return 'heads' or 'tails'.",
        "coin() returns 'heads' or 'tails'.",
        "pick([7, 8]) might give 8.",
        "leaves(tree3) returns 4",
        "stack_pop() returns 3 items at most",
        "split_pair('a:b') → 'a', 'b'",  # a tuple written without parentheses
        "Is maxi([]) -> None right? I am not sure.",
        "maxi([]) -> None?",
        "At the moment trim(' a ') returns ' a', which is the bug.",
        "trim(' a ') should not return ' a'.",
        "If you pass it nothing, trim('') returns ''.",
        "Define: def reset_all() -> None:",
        "x = 1 + score(2) == 5",
        "abs(score(2) - 0.5) < 0.01",
    ],
)
def test_traps_are_not_read(text: str) -> None:
    assert extract_examples(text) == []


@pytest.mark.parametrize(
    "label", ["Wrong:", "Incorrect result:", "NOT:", "Don't write code where", "Observed with the old build:"]
)
def test_an_example_labelled_as_wrong_is_not_read(label: str) -> None:
    assert extract_examples(f"{label} absdiff(2, 5) -> -3") == []


def test_a_parenthesised_tuple_is_a_value_and_a_remark_may_follow_it() -> None:
    assert extract_examples("quot_rem(17, 5) -> (3, 2), i.e. quotient then remainder") == [("quot_rem(17, 5)", "(3, 2)")]


def test_where_any_order_is_allowed_a_sequence_is_not_read() -> None:
    text = "Return the letters that occur twice, in any order.\ntwice('abcab') -> ['a', 'b']\ntwice('zz') -> ['z']"
    assert extract_examples(text) == [("twice('zz')", "['z']")]
    assert extract_examples("pairs_of([1, 2]) -> [(1, 2)]. The order of the pairs does not matter.") == []


def test_where_several_answers_are_right_no_example_is_read() -> None:
    text = (
        "Return a longest palindromic substring; if there are several answers, return any of them.\nlongest_pal('abcb') -> 'bcb'"
    )
    assert extract_examples(text) == []


def test_a_call_stated_with_two_values_is_dropped() -> None:
    text = "Actually seen: lower('ABC') -> 'abC'. The fix: lower('ABC') -> 'abc'. Also lower('') -> ''."
    assert extract_examples(text) == [("lower('')", "''")]


def test_a_single_equals_is_mathematics_where_the_text_defines_the_function_by_formula() -> None:
    text = (
        "seq(0) = 2, seq(1) = 1 and seq(k) = seq(k - 1) + seq(k - 2). Write seq(n) returning the first n + 1 terms "
        "as a list: seq(3) == [2, 1, 3, 4]."
    )
    assert extract_examples(text) == [("seq(3)", "[2, 1, 3, 4]")]
    assert extract_examples("doubled(4) = 8, doubled(0) = 0") == [("doubled(4)", "8"), ("doubled(0)", "0")]


def test_only_the_entry_points_examples_are_read_when_it_is_known() -> None:
    text = "Write total_cost(items) with a helper unit_cost(item); unit_cost('pen') -> 2 and total_cost(['pen', 'pen']) -> 4."
    assert extract_examples(text) == [("unit_cost('pen')", "2"), ("total_cost(['pen', 'pen'])", "4")]
    assert extract_examples(text, entry_point="total_cost") == [("total_cost(['pen', 'pen'])", "4")]
    assert examples_as_tests(text, entry_point="total_cost").count("assert ") == 1


def test_without_an_entry_point_the_def_lines_name_the_functions() -> None:
    stub = 'def norm_spaces(s):\n    """\n    >>> _squash("a  b")\n    \'a b\'\n    >>> norm_spaces(" a  b ")\n    \'a b\'\n    """\n'
    assert extract_examples(stub) == [('norm_spaces(" a  b ")', "'a b'")]


def test_the_assert_lines_hold_on_right_code_and_fail_on_wrong_code() -> None:
    text = "Examples: hypot_int(3, 4) → 5, ratio(1, 4) ➞ 0.25, and\n>>> hypot_int(6, 8) == 10\n"
    tests = examples_as_tests(text)
    assert tests.count("assert ") == 3
    exec(tests, {"hypot_int": lambda a, b: int((a * a + b * b) ** 0.5), "ratio": lambda a, b: a / b})
    with pytest.raises(AssertionError, match=r"hypot_int\(6, 8\) returned 14, expected 10"):
        exec(tests, {"hypot_int": lambda a, b: a + b, "ratio": lambda a, b: a / b})


# ---- the held-out table ---------------------------------------------------------------------------------


def _typed(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_typed(v) for v in value))
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, frozenset(_typed(v) for v in value))
    if isinstance(value, dict):
        return ("dict", frozenset((_typed(k), _typed(v)) for k, v in value.items()))
    return (type(value).__name__, value)


def _pair(call: str, expected: str) -> tuple[str, object]:
    return ast.dump(ast.parse(call, mode="eval").body), _typed(ast.literal_eval(expected))


def test_the_heldout_table_is_read_without_a_misread_and_its_labels_hold() -> None:
    rows = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 60 and len({r["id"] for r in rows}) == len(rows)
    misread, labelled, right = [], 0, 0
    for row in rows:
        namespace: dict[str, object] = {}
        exec(row["reference"], namespace)  # the table's own reference implementations
        labels = {_pair(call, expected) for call, expected in row["examples"]}
        for call, expected in row["examples"]:
            assert _typed(eval(call, namespace)) == _typed(ast.literal_eval(expected)), (row["id"], call)
        read = {_pair(call, expected) for call, expected in extract_examples(row["instruction"], entry_point=row["entry_point"])}
        misread += [(row["id"], pair) for pair in read - labels]
        labelled += len(labels)
        right += len(read & labels)
    assert misread == []
    assert right >= 0.9 * labelled  # most of what people write is read; a miss only leaves code unverified


def test_input_output_pairs_without_a_stated_signature_are_passed_as_the_checked_codes_parameters_take_them() -> None:
    instruction = "Keep summing the digits until one digit is left.\n\nInput: 38\nOutput: 2\n\nInput: 7\nOutput: 7\n"
    code = "def digital_root(n):\n    return n\n"
    assert extract_examples(instruction, entry_point="digital_root") == []  # the text alone shows no signature
    assert extract_examples(instruction, entry_point="digital_root", code=code) == [
        ("digital_root(38)", "2"),
        ("digital_root(7)", "7"),
    ]
    two = "The k smallest values, ascending.\nInput: [5, 1, 4], 2\nOutput: [1, 4]\n"
    pairs = extract_examples(two, entry_point="smallest", code="def smallest(values, k=1):\n    return values\n")
    assert pairs == [("smallest([5, 1, 4], 2)", "[1, 4]")]
    # nothing is guessed: no entry point, a signature that takes anything, or arguments that do not fit
    assert extract_examples(instruction, code=code) == []
    assert extract_examples(instruction, entry_point="digital_root", code="def digital_root(*n):\n    return 1\n") == []
    assert extract_examples(two, entry_point="smallest", code="def smallest(values):\n    return values\n") == []
