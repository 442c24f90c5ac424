"""The exit status of ``junto run`` and ``junto graph run``, from the run's typed outcome.

A run's *status* says how far its answer can be trusted; its *exit reason*
says whether it ran to the end. The exit status folds both into one number a
script can branch on.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from junto._exit import ExitReason

if TYPE_CHECKING:
    from junto._runs import RunStatus

__all__ = ["EXIT_CODES_HELP", "ExitCode", "exit_code"]


class ExitCode(enum.IntEnum):
    """What ``junto run`` exits with."""

    OK = 0  # the run completed: verified, or nothing failed but something could not be checked (unverified)
    ERROR = 1  # junto could not run it (a model or the sandbox unreachable, a timeout)
    USAGE = 2  # a usage or configuration error: nothing ran
    PARTIAL = 3  # completed, but some tasks failed or were skipped: the answer keeps the rest
    FAILED = 4  # no usable answer (every task failed, or planning failed)
    BUDGET = 5  # a budget limit (tokens, dollars, wall clock) stopped it
    CANCELLED = 130  # Ctrl-C, as the shell reports it; the run can be resumed
    TERMINATED = 143  # SIGTERM, as the shell reports it: stopped as by Ctrl-C (clean-up done; a run can be resumed)


EXIT_CODES_HELP = (
    "Exit status: 0 verified or completed, 3 partial (some tasks failed), 4 failed (no usable answer), "
    "5 stopped by the budget, 130 cancelled (Ctrl-C; resumable), 143 stopped by SIGTERM (resumable), "
    "2 usage or configuration error, 1 any other error."
)


def exit_code(status: RunStatus | str | None, exit_reason: ExitReason | None) -> ExitCode:
    """The exit status for a run that ended with ``status`` and ``exit_reason``."""
    from junto._runs import RunStatus  # the run records' module: imported when a run has ended

    if exit_reason is ExitReason.CANCELLED:
        return ExitCode.CANCELLED
    if exit_reason is ExitReason.BUDGET:
        return ExitCode.BUDGET
    if exit_reason is ExitReason.FAILED:
        return ExitCode.FAILED
    if exit_reason is not ExitReason.COMPLETED:
        return ExitCode.ERROR  # still RUNNING when the process ends: it did not finish
    try:
        status = RunStatus(status) if status is not None else RunStatus.FAILED
    except ValueError:  # not a run status (e.g. a server's placeholder record)
        status = RunStatus.FAILED
    return {
        RunStatus.VERIFIED: ExitCode.OK,
        RunStatus.UNVERIFIED: ExitCode.OK,
        RunStatus.PARTIAL: ExitCode.PARTIAL,
        RunStatus.FAILED: ExitCode.FAILED,
    }[status]
