"""The typed spec of a writing task's measurable constraints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["WritingConstraints", "describe_bound"]


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
    max_bullets: int | None = Field(default=None, ge=0)
    min_grade_level: float | None = None  # for an expert audience

    def is_empty(self) -> bool:
        return self == WritingConstraints()

    def describe(self) -> list[str]:
        """The constraints in plain words, one line each (for prompts and reports)."""
        lines = []
        for unit in ("words", "sentences", "paragraphs", "bullets"):
            low, high = getattr(self, f"min_{unit}"), getattr(self, f"max_{unit}")
            bound = describe_bound(low, high)
            if bound:
                lines.append(f"{unit}: {bound}")
        if self.format is not None:
            lines.append(f"format: {_FORMATS[self.format]}")
        if self.required_terms:
            lines.append("must use: " + ", ".join(repr(t) for t in self.required_terms))
        if self.forbidden_terms:
            lines.append("must not use: " + ", ".join(repr(t) for t in self.forbidden_terms))
        if self.language is not None:
            lines.append(f"language: {self.language}")
        if self.max_grade_level is not None or self.min_grade_level is not None:
            lines.append(f"reading grade (Flesch-Kincaid): {describe_bound(self.min_grade_level, self.max_grade_level)}")
        return lines


_FORMATS = {
    "prose": "plain prose, no lists or headings",
    "bullets": "a bulleted list, one item per line starting with '- '",
    "numbered": "a numbered list, one item per line starting with '1. ', '2. ', ...",
    "headings": "sections under markdown headings ('# Title')",
    "json": "valid JSON only, nothing around it",
}


def describe_bound(low: float | None, high: float | None) -> str:
    """``80-120``, ``exactly 3``, ``at most 50``, ``at least 2``, or ``""`` for no bound."""
    if low is not None and high is not None:
        return f"exactly {low:g}" if low == high else f"{low:g}-{high:g}"
    if high is not None:
        return f"at most {high:g}"
    if low is not None:
        return f"at least {low:g}"
    return ""
