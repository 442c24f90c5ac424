"""Awaiting several jobs at once, none left running behind an error."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import TypeVar

__all__ = ["gather_all"]

T = TypeVar("T")


async def gather_all(jobs: Iterable[Awaitable[T]]) -> list[T]:
    """The results of ``jobs``, in order. The first to raise cancels the others, and is raised once they have stopped.

    ``asyncio.gather`` raises the first error at once and leaves the other
    jobs running, unowned: sandbox runs that outlive the agent that wanted them.
    """
    tasks = [asyncio.ensure_future(job) for job in jobs]
    try:
        return list(await asyncio.gather(*tasks))
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
