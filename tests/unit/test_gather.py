"""gather_all: every result in order, and no job left running behind an error."""

from __future__ import annotations

import asyncio

import pytest

from junto._gather import gather_all


async def test_results_come_in_the_order_of_the_jobs() -> None:
    async def after(seconds: float, value: int) -> int:
        await asyncio.sleep(seconds)
        return value

    assert await gather_all([after(0.03, 1), after(0.0, 2), after(0.01, 3)]) == [1, 2, 3]


async def test_an_error_stops_the_other_jobs_before_it_is_raised() -> None:
    stopped: list[str] = []

    async def slow() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            stopped.append("slow")
            raise

    async def broken() -> None:
        await asyncio.sleep(0.01)
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        await gather_all([slow(), broken(), slow()])
    assert stopped == ["slow", "slow"]
