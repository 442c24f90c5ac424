"""Evaluation items and suites: what to ask, and how each part of the answer is scored.

An item is a prompt plus one or more machine-checkable parts:

- ``math``: a value the answer must contain, compared with the math checker;
- ``code``: a function the answer must define, run against tests in the sandbox;
- ``text``: writing constraints the answer's prose must meet;
- ``ifeval``: one IFEval instruction (its id and kwargs), judged by the official
  IFEval checker on the whole answer;
- ``route``: the task kinds a plan of the prompt must hold (scored on the
  plan, not on an answer: see :mod:`junto.evals._routing`).

Suites are JSONL files, one item per line::

    {"id": "c1", "category": "composite", "prompt": "...",
     "parts": [{"type": "math", "expected": "391"},
               {"type": "code", "entry_point": "f", "tests": "assert f(2) == 4"},
               {"type": "text", "constraints": {"max_words": 120}}]}
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from junto._constraints import WritingConstraints
from junto._exceptions import ConfigError
from junto._tasks import TaskKind

__all__ = ["CodePart", "EvalItem", "IfevalPart", "MathPart", "Part", "RoutePart", "TextPart", "load_jsonl", "parse_items"]


class MathPart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["math"] = "math"
    expected: str
    # "last": the last value in the answer must equal expected (single-answer suites);
    # "any": some value in the answer must (composite answers quote several values).
    match: Literal["last", "any"] = "any"


class CodePart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["code"] = "code"
    entry_point: str
    tests: str
    # HumanEval style: the official test defines check(candidate); prompt is the function head.
    prompt: str = ""
    humaneval: bool = False


class TextPart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["text"] = "text"
    constraints: WritingConstraints


class IfevalPart(BaseModel):
    """One verifiable instruction in IFEval's terms, e.g. ``length_constraints:number_words`` with ``{"num_words": 80, "relation": "less than"}``."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["ifeval"] = "ifeval"
    instruction_id: str = Field(min_length=1)
    kwargs: dict[str, Any] = Field(default_factory=dict)


class RoutePart(BaseModel):
    """The set of task kinds a right plan of the prompt holds (one per kind, however many tasks)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["route"] = "route"
    kinds: list[TaskKind] = Field(min_length=1)

    @field_validator("kinds")
    @classmethod
    def _a_sorted_set(cls, kinds: list[TaskKind]) -> list[TaskKind]:
        return sorted(set(kinds), key=lambda kind: kind.value)


Part = Annotated[MathPart | CodePart | TextPart | IfevalPart | RoutePart, Field(discriminator="type")]


class EvalItem(BaseModel):
    """One question of a suite and the parts its answer is scored on."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    category: str = "general"
    prompt: str = Field(min_length=1)
    parts: list[Part] = Field(min_length=1)


def parse_items(lines: Iterable[str], *, source: str = "<suite>") -> list[EvalItem]:
    """Parse JSONL lines; a bad line raises :class:`ConfigError` naming its number and reason."""
    items: list[EvalItem] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise ConfigError(f"{where}: not valid JSON ({error.msg} at column {error.colno})", key=where) from None
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: expected a JSON object, got {type(data).__name__}", key=where)
        try:
            item = EvalItem.model_validate(data)
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(item)"
            raise ConfigError(f"{where}: {field}: {first['msg']}", key=where) from None
        if item.id in seen:
            raise ConfigError(f"{where}: duplicate id {item.id!r} (first on line {seen[item.id]})", key=where)
        seen[item.id] = number
        items.append(item)
    if not items:
        raise ConfigError(f"{source}: the suite has no items")
    return items


def load_jsonl(path: str | Path) -> list[EvalItem]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read suite {path}: {error.strerror}") from None
    return parse_items(text.splitlines(), source=str(path))
