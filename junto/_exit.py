"""Why a run stopped: one enum for the executor, the run store, the API, the server and the CLI.

A run's *status* (verified, unverified, partial, failed) says how far its
answer can be trusted; its *exit reason* says whether it ran to the end.
"""

from __future__ import annotations

import enum

__all__ = ["ExitReason"]


class ExitReason(enum.StrEnum):
    """Why a run stopped (or that it has not yet)."""

    RUNNING = "running"  # started and not finished: the process is still on it, or died (then it can be resumed)
    COMPLETED = "completed"  # every task ran, whatever its verification outcome
    BUDGET = "budget"  # a budget limit stopped tasks or the aggregation
    FAILED = "failed"  # the run could not proceed (planning or the store failed)
    CANCELLED = "cancelled"  # withdrawn before it finished (Ctrl-C, a client gone): it can be resumed

    @property
    def resumable(self) -> bool:
        """A run that stopped this way can be picked up again by its id."""
        return self in (ExitReason.RUNNING, ExitReason.CANCELLED)
