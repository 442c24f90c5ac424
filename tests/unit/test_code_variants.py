"""Variants of a program and the inputs that tell them apart (the sandbox side is in tests/integration)."""

from __future__ import annotations

from junto.tools.code._variants import boundaries, derived_calls, variants, words

ADULT = 'def is_adult(age):\n    """Adult from 18 on."""\n    return age >= 18\n'


def test_each_variant_changes_one_place_of_the_entry_point_only() -> None:
    code = ADULT + "\ndef helper(x):\n    return x < 3\n"
    found = dict(variants(code, "is_adult"))
    assert found["a comparison flipped"].count("age < 18") == 1
    assert "age > 18" in found["a comparison's boundary moved"]
    assert "age >= 19" in found["a constant one more"] and "age >= 17" in found["a constant one less"]
    assert all("x < 3" in source for source in found.values())  # the helper is never changed
    assert all('"""Adult from 18 on."""' in source for source in found.values())  # nor the docstring
    assert variants(code, "is_adult") == variants(code, "is_adult")  # the same order every time


def test_filters_operands_and_conditions_are_dropped_or_negated() -> None:
    code = (
        "def tally(words, long_only):\n"
        "    if long_only and len(words) > 0:\n"
        "        return len([w for w in words if len(w) > 4])\n"
        "    return len(words)\n"
    )
    found = dict(variants(code, "tally"))
    assert "len([w for w in words])" in found["a filter dropped"]
    assert "if len(words) > 0:" in found["an and/or operand dropped"]
    assert "if not (long_only and len(words) > 0):" in found["a condition negated"]


def test_code_that_does_not_parse_or_lacks_the_function_has_no_variants() -> None:
    assert variants("def broken(:\n", "broken") == []
    assert variants(ADULT, "elsewhere") == []


def test_inputs_nudge_one_literal_argument_at_a_time() -> None:
    calls = derived_calls("label", ["assert label('Tea', 3) == 'Tea:3'"], near=[9, 10])
    assert calls[0] == "label('Tea', 3)"
    assert "label('Tea ', 3)" in calls and "label('', 3)" in calls and "label('tEA', 3)" in calls
    assert "label('Tea', 4)" in calls and "label('Tea', 0)" in calls and "label('Tea', 10)" in calls
    assert all(call.startswith("label(") for call in calls) and len(calls) == len(set(calls))
    assert derived_calls("label", ["label(name, 3)"]) == []  # not a literal call: no input from it


def test_boundaries_are_the_values_around_the_codes_constants() -> None:
    assert boundaries(ADULT) == [17, 18, 19]
    assert boundaries("def f(x):\n    return x\n") == []


def test_the_definition_that_counts_is_the_last_one() -> None:
    code = 'def shout(text):\n    """Upper case."""\n\ndef shout(text):\n    return text.upper() if text else text\n'
    found = dict(variants(code, "shout"))
    assert "return text.upper() if not text else text" in found["a condition negated"]
    assert found["a condition negated"].startswith('def shout(text):\n    """Upper case."""')  # the stub is left as it was


def test_arithmetic_calls_and_wrappers_have_variants_too() -> None:
    area = dict(variants("def area(w, h):\n    return round(w * h / 2, 1)\n", "area"))
    assert "round((w + h) / 2, 1)" in area["another arithmetic operator"]
    assert "(lambda _v: _v)(w * h / 2)" in area["a call dropped"]  # the rounding left out
    tidy = variants("def tidy(s):\n    return min(s.strip().lower().split())\n", "tidy")
    swapped = [source.splitlines()[-1].strip() for name, source in tidy if name == "a call swapped for its opposite"]
    assert swapped == ["return max(s.strip().lower().split())", "return min(s.strip().upper().split())"]
    dropped = [source.splitlines()[-1].strip() for name, source in tidy if name == "a call dropped"]
    assert dropped == ["return min((lambda _v: _v)(s.strip()).split())", "return min((lambda _v: _v)(s).lower().split())"]


def test_a_size_meets_the_other_arguments_lengths_and_lists_get_zeros_and_neighbours() -> None:
    calls = derived_calls("clip", ["assert clip('kettle', 2) == 'ke'"])
    assert {"clip('kettle', 6)", "clip('kettle', 5)", "clip('kettle', 7)"} <= set(calls)
    calls = derived_calls("rising", ["assert rising([2, 5, 9])"])
    assert "rising([2, 2, 5, 9])" in calls and "rising([0, 2, 5, 9])" in calls
    assert not any(call.startswith("rising([0, 'a'") for call in calls)


def test_an_integer_meets_the_integers_the_other_arguments_hold() -> None:
    # Every example keeps the quota far from the scores: they cannot tell "at least" from "more than".
    calls = derived_calls("count_passing", ["assert count_passing([55, 71, 90], 60) == 2", "count_passing((3, 8), 50) == 0"])
    assert {"count_passing([55, 71, 90], 71)", "count_passing([55, 71, 90], 70)", "count_passing([55, 71, 90], 72)"} <= set(calls)
    assert "count_passing((3, 8), 8)" in calls
    assert "count_passing([55, 71, 90], 55)" in calls and "count_passing([55, 71, 90], 91)" in calls
    assert not any(call.startswith("count_passing([55, 71, 90], True") for call in calls)


async def test_the_check_fails_closed() -> None:
    """No variant to try, or a run that dies, leaves the examples short of deciding: never 'decided' by default."""
    from junto.sandbox import ExecResult, FakeSandbox
    from junto.tools.code._variants import Unshown, undecided_variant

    examples = "assert double(2) == 4\n"
    plain, seconds = await undecided_variant(FakeSandbox(), "def double(x):\n    return x\n", "double", examples)
    assert isinstance(plain, Unshown) and "no one-change variant" in plain.why and seconds == 0.0
    code = "def double(x):\n    return x * 2\n"
    for result in (ExecResult(exit_code=137), ExecResult(exit_code=None, timed_out=True), ExecResult(exit_code=0, stdout="?")):
        found, _ = await undecided_variant(FakeSandbox(lambda run, result=result: result), code, "double", examples)
        assert isinstance(found, Unshown), result


def test_numbers_written_in_a_string_move_and_the_codes_words_swap() -> None:
    calls = derived_calls(
        "remind", ["assert remind('call Ana at 9:05 tonight') == 'ok'"], near=[11, 12], words=["tonight", "today"]
    )
    assert "remind('call Ana at 10:05 tonight')" in calls and "remind('call Ana at 12:05 tonight')" in calls
    assert "remind('call Ana at 9:06 tonight')" in calls and "remind('call Ana at 9:00 tonight')" in calls  # as wide as written
    assert "remind('call Ana at 9:05 today')" in calls
    assert words("def f(s):\n    return 'am' if s == 'AM' else ', '.join(['x', 'PM'])\n") == ["am", "AM", "PM"]


def test_items_inside_lists_tuples_and_dicts_are_nudged_one_at_a_time() -> None:
    calls = derived_calls("lightest", ["assert lightest([('pear', 5), ('fig', 2)]) == 'fig'"])
    assert "lightest([('pear', 0), ('fig', 2)])" in calls and "lightest([('pear', 5), ('fig', 3)])" in calls
    assert "lightest([(5, 'pear'), ('fig', 2)])" in calls  # an item's own items reversed
    calls = derived_calls("total", ["assert total({'a': 1, 'b': 2}) == 3"])
    assert {"total({})", "total({'b': 2})", "total({'a': 0, 'b': 2})", "total({'a': 1, 'b': 3})"} <= set(calls)
    many = derived_calls("f", [f"assert f([{n}, {n + 1}, {n + 2}], 'x {n}') == 0" for n in range(12)])
    assert len(many) == 96 and "f([11, 12, 13], 'x 11 ')" in many  # the last call's arguments get their turn under the cap
