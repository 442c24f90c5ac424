"""find_loop: the run-away repetition of a model that lost its way, and nothing a real text does."""

from __future__ import annotations

from junto.tools.writing._measure import Loop, find_loop

PROSE = (
    "Tides follow the moon. Twice a day the water climbs the beach and falls away again, and the harbour "
    "master writes the times on a board by the pier. Fishermen read it before dawn; children read it before "
    "building castles. A spring tide, at full or new moon, runs higher than the rest, and a neap tide lower."
)


def test_a_phrase_written_over_and_over_is_a_loop_with_its_count() -> None:
    loop = find_loop("This package includes a" + " vacuum tube" * 30)
    assert loop == Loop(unit=" vacuum tube", times=30, start=23)
    assert loop.span == 360


def test_the_shortest_piece_names_the_loop() -> None:
    loop = find_loop("x" + "ab" * 150)
    assert loop is not None and (loop.unit, loop.times) == ("ab", 150)
    assert find_loop("1" * 500) == Loop(unit="1", times=500, start=0)


def test_lines_repeated_back_to_back_are_a_loop_wherever_they_are() -> None:
    text = PROSE + "\n\n" + "[Your Position]\n" * 20 + "\n" + PROSE
    loop = find_loop(text)
    assert loop is not None and loop.unit.strip() == "[Your Position]" and loop.times == 20


def test_the_longest_of_several_loops_is_reported() -> None:
    text = "ha " * 80 + PROSE + "na" * 200
    loop = find_loop(text)
    assert loop is not None and loop.unit in ("na", "an") and loop.times >= 199


def test_repetition_a_real_text_has_is_no_loop() -> None:
    assert find_loop(PROSE) is None
    assert find_loop("Ha " * 10 + "said the crowd.") is None  # short: a laugh, not a loop
    assert find_loop(PROSE + "\n\n" + PROSE) is None  # a passage twice (asked to repeat it, say)
    refrain = "Row, row, row your boat, gently down the stream.\n"
    assert find_loop(refrain * 3) is None  # a refrain three times
    table = "| a | b |\n|---|---|\n" + "".join(f"| {i} | {i * i} |\n" for i in range(30))
    assert find_loop(table) is None
    assert find_loop("") is None and find_loop("a") is None


def test_the_bounds_can_be_set() -> None:
    assert find_loop("ha " * 10, min_span=20) == Loop(unit="ha ", times=10, start=0)
    assert find_loop("ha " * 10, min_span=20, min_times=11) is None
