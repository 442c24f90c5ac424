"""Running a command's coroutine: ``asyncio.run``, with SIGTERM stopping it as the first Ctrl-C does.

``kill``, ``docker stop`` and supervisors send SIGTERM. Raised as an
exception wherever the interpreter happens to be, it would stop the event
loop from outside, and asyncio would then cancel every task at once: the
sandbox's own bookkeeping tasks with the rest, so a container being created
could be left behind. Here SIGTERM cancels the command's own task instead,
as the first Ctrl-C does; its clean-up runs in order (a run is recorded as
cancelled, sandbox containers are removed, model servers stopped), and then
the command exits with 143. Outside a running loop, ``junto.cli._app``
turns SIGTERM into the same exit.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Awaitable, Coroutine
from typing import Any, TypeVar

from junto.cli._codes import ExitCode

__all__ = ["run_coroutine", "terminable"]

T = TypeVar("T")


def run_coroutine(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)``, SIGTERM cancelling ``main`` and then exiting with 143."""
    return asyncio.run(terminable(main))


async def terminable(main: Awaitable[T]) -> T:
    """``main`` in this task, which SIGTERM cancels; then ``SystemExit(143)``, once ``main``'s clean-up has run."""
    task = asyncio.current_task()
    if task is None or threading.current_thread() is not threading.main_thread():
        return await main  # only the main thread receives signals
    loop = asyncio.get_running_loop()
    previous = signal.getsignal(signal.SIGTERM)
    terminated = False

    def terminate() -> None:
        nonlocal terminated
        terminated = True
        task.cancel()

    loop.add_signal_handler(signal.SIGTERM, terminate)
    try:
        result = await main
    except asyncio.CancelledError:
        if not terminated:
            raise
        raise SystemExit(ExitCode.TERMINATED) from None
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
    if terminated:  # main finished its clean-up and returned
        raise SystemExit(ExitCode.TERMINATED)
    return result
