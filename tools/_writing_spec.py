"""The typed spec of a writing task's measurable constraints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["WritingConstraints"]


class WritingConstraints(BaseModel):
    """Constraints a text can be checked against without a model.

    Counts are inclusive ranges; ``None`` means no constraint.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_words: int | None = Field(default=None, ge=0)
    max_words: int | None = Field(default=None, ge=0)
    min_sentences: int | None = Field(default=None, ge=0)
    max_sentences: int | None = Field(default=None, ge=0)
    min_paragraphs: int | None = Field(default=None, ge=0)
    max_paragraphs: int | None = Field(default=None, ge=0)
    required_terms: list[str] = Field(default_factory=list)
    forbidden_terms: list[str] = Field(default_factory=list)
    format: Literal["prose", "bullets", "numbered", "headings", "json"] | None = None
    min_bullets: int | None = Field(default=None, ge=0)
    language: str | None = None  # ISO 639-1 code, e.g. "en"
    max_grade_level: float | None = None  # Flesch-Kincaid grade, for the audience

    def is_empty(self) -> bool:
        return self == WritingConstraints()
