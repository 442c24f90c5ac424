"""What an aggregator returns: the answer, what it cites, and how it was checked.

Its own module because both sides need it without needing each other: the
aggregator agent (``junto.agents``) and the model-free join
(``junto.graphs``) return it, and ``Junto`` reads it. Kept in either package,
it would make ``junto.graphs`` and ``junto.agents`` import each other.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from junto._tasks import CheckResult
from junto.models._types import Usage

__all__ = ["AggregateOutcome"]


class AggregateOutcome(BaseModel):
    """What an aggregator returns (the fields ``Junto`` reads)."""

    answer: str
    cited: list[str] = Field(default_factory=list)
    consistent: bool | None = None
    checks: list[CheckResult] = Field(default_factory=list)
    revisions: int = 0
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0
    written_by: str = Field(default="", description="the model that wrote the answer, or where it came from")
