"""Verified work as training data: the run store's verified tasks as chat fine-tuning examples.

Every task junto runs ends with a deterministic verdict; the verified ones are
examples of a narrow task done right, confirmed by something that is not a
model. :func:`collect_examples` reads them from a run store, and
:func:`write_examples` writes them as OpenAI chat JSONL
(``{"messages": [...]}`` per line) or ShareGPT (one JSON array of
``{"conversations": [{"from": ..., "value": ...}]}``).

What goes in, and what never does:

- only tasks whose status is ``verified``: failed, unverified and skipped
  tasks never go in;
- each example: a system line for its kind, the instruction with the
  verified outputs of the tasks it read, and the output; its metadata
  (unless ``bare``): kind, role, the model and tier that produced it, the
  checks that confirmed it (names and the specification each held it to),
  run and task ids, date;
- an example identical to one already written (system, prompt and answer,
  whitespace aside) is dropped;
- an example in which a secret (an API key, a token, a private key, the
  value of a key variable set in this environment) or a file path appears
  is dropped whole, never edited: editing a verified output would make it
  something nothing verified.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel, ConfigDict, Field

from junto._runs import RunRecord
from junto._tasks import CodeOutput, MathOutput, Spec, Status, TaskKind, TaskResult
from junto.models._types import Role

__all__ = [
    "ExportFilter",
    "ExportFormat",
    "ExportReport",
    "TrainingExample",
    "collect_examples",
    "find_secret_or_path",
    "records_from_store",
    "write_examples",
]

_SYSTEM = {
    TaskKind.MATH: "You are a careful mathematician. Solve the problem and state the final answer.",
    TaskKind.CODE: "You are a careful Python programmer. Write the code the task asks for.",
    TaskKind.WRITING: "You are a careful writer. Write exactly the text the task asks for.",
    TaskKind.GENERAL: "You are a helpful assistant. Answer the task.",
}

_SECRET_PATTERNS = [
    re.compile(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_\-]{16,}"),  # OpenAI, Anthropic
    re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}"),  # GitHub
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"),  # Slack
    re.compile(r"\bhf_[A-Za-z0-9]{30,}"),  # Hugging Face
    re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"),  # Google
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9_\-.=]{20,}"),
    re.compile(r"(?i)\b(?:api[_-]?key|secret|password|passwd|token)\b\s*[:=]\s*['\"]?[A-Za-z0-9_\-./+]{12,}"),
]
# Absolute paths into a file system (Unix roots people's files live under, Windows drives, home shortcuts).
_PATH_PATTERN = re.compile(
    r"(?<![\w.:/])(?:/(?:home|Users|root|tmp|var|etc|opt|srv|mnt|usr|private|work|data|Volumes)/[^\s'\"`)]+"
    r"|[A-Za-z]:\\[^\s'\"`]+|~/[^\s'\"`]+|\\\\[A-Za-z0-9_.\-]+\\[^\s'\"`]+)"
)
_SECRET_VARIABLE = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL", re.IGNORECASE)


class ExportFormat(str, enum.Enum):
    """The dataset formats ``junto export`` writes."""

    OPENAI = "openai"
    SHAREGPT = "sharegpt"


class ExportFilter(BaseModel):
    """Which verified tasks to export; an empty field does not filter."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kinds: frozenset[TaskKind] = frozenset()
    roles: frozenset[Role] = frozenset()
    models: frozenset[str] = frozenset()
    since: dt.date | None = None
    until: dt.date | None = None  # inclusive
    check_sources: frozenset[Spec] = frozenset()
    """Keep a task only if a check confirmed it against one of these specifications (user, instruction, upstream)."""


class TrainingExample(BaseModel):
    """One verified task as a chat example, with where it came from."""

    system: str
    prompt: str
    answer: str
    metadata: dict[str, Any] = Field(default_factory=dict)

    def key(self) -> str:
        """What duplicates share: the three texts with whitespace runs collapsed."""
        text = "\x00".join(" ".join(part.split()) for part in (self.system, self.prompt, self.answer))
        return hashlib.sha256(text.encode()).hexdigest()

    def openai(self, *, bare: bool = False) -> dict[str, Any]:
        line: dict[str, Any] = {
            "messages": [
                {"role": "system", "content": self.system},
                {"role": "user", "content": self.prompt},
                {"role": "assistant", "content": self.answer},
            ]
        }
        if not bare:
            line["metadata"] = self.metadata
        return line

    def sharegpt(self, *, bare: bool = False) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "conversations": [
                {"from": "system", "value": self.system},
                {"from": "human", "value": self.prompt},
                {"from": "gpt", "value": self.answer},
            ]
        }
        if not bare:
            entry["id"] = f"{self.metadata.get('run_id', '')}/{self.metadata.get('task_id', '')}"
            entry["metadata"] = self.metadata
        return entry


@dataclass
class ExportReport:
    """What an export kept and why it left the rest out."""

    written: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(self.skipped.items()))
        return f"{self.written} examples written" + (f"; left out: {reasons}" if reasons else "")


def find_secret_or_path(text: str, *, environ: dict[str, str] | None = None) -> str | None:
    """``"secret"`` or ``"file path"`` if ``text`` holds one, else ``None``."""
    for pattern in _SECRET_PATTERNS:
        if pattern.search(text):
            return "secret"
    env = os.environ if environ is None else environ
    for name, value in env.items():
        if _SECRET_VARIABLE.search(name) and len(value) >= 8 and value in text:
            return "secret"
    if _PATH_PATTERN.search(text):
        return "file path"
    return None


def _answer_text(result: TaskResult) -> str:
    out = result.output
    if isinstance(out, MathOutput):
        work = out.work.strip()
        return f"{work}\n\nAnswer: {out.answer}" if work else f"Answer: {out.answer}"
    if isinstance(out, CodeOutput):
        return f"```python\n{out.code.strip()}\n```"
    return result.output_text()


def _producer(result: TaskResult) -> tuple[str | None, int | None]:
    """The model and tier of the attempt whose output is the result's."""
    for attempt in reversed(result.attempts):
        if attempt.output is not None and attempt.output == result.output:
            return attempt.model, attempt.tier
    return (result.models_used[-1] if result.models_used else None), None


def _examples_of(record: RunRecord, keep: ExportFilter, report: ExportReport) -> Iterable[TrainingExample]:
    result = record.result
    plan = {task.id: task for task in result.plan.tasks}
    specs = {spec.id: spec for spec in record.graph.specs} if record.graph is not None else {}
    day = dt.datetime.fromtimestamp(record.started_at, tz=dt.UTC).date()
    for task_id, task_result in result.results.items():
        if task_result.status is not Status.VERIFIED or task_result.output is None:
            report.skipped[f"not verified ({task_result.status.value})"] += 1
            continue
        task = plan.get(task_id)
        if task is None:
            report.skipped["not in the plan"] += 1
            continue
        spec = specs.get(task_id)
        role = spec.model_role if spec is not None else task.kind.role
        model, tier = _producer(task_result)
        confirmed = [c for c in task_result.checks if c.confirms]
        if (
            (keep.kinds and task.kind not in keep.kinds)
            or (keep.roles and role not in keep.roles)
            or (keep.models and model not in keep.models)
            or (keep.since and day < keep.since)
            or (keep.until and day > keep.until)
            or (keep.check_sources and not any(c.spec in keep.check_sources for c in confirmed))
        ):
            report.skipped["filtered out"] += 1
            continue
        inputs = [
            f"- {dep}: {result.results[dep].output_text().strip()}"
            for dep in task.depends_on
            if dep in result.results and result.results[dep].status is Status.VERIFIED
        ]
        prompt = task.instruction.strip() + ("\n\nVerified inputs:\n" + "\n".join(inputs) if inputs else "")
        yield TrainingExample(
            system=_SYSTEM[task.kind],
            prompt=prompt,
            answer=_answer_text(task_result),
            metadata={
                "run_id": result.run_id,
                "task_id": task_id,
                "kind": task.kind.value,
                "role": role.value,
                "model": model,
                "tier": tier,
                "checks": [{"name": c.name, "spec": c.spec.value} for c in confirmed],
                "date": day.isoformat(),
            },
        )


def collect_examples(
    records: Iterable[RunRecord], *, keep: ExportFilter | None = None, environ: dict[str, str] | None = None
) -> tuple[list[TrainingExample], ExportReport]:
    """The verified tasks of ``records`` as examples: filtered, deduplicated, free of secrets and paths."""
    keep = keep or ExportFilter()
    report = ExportReport()
    seen: set[str] = set()
    examples: list[TrainingExample] = []
    for record in records:
        for example in _examples_of(record, keep, report):
            leak = find_secret_or_path("\n".join([example.prompt, example.answer, json.dumps(example.metadata)]), environ=environ)
            if leak is not None:
                report.skipped[f"holds a {leak}"] += 1
                continue
            key = example.key()
            if key in seen:
                report.skipped["duplicate"] += 1
                continue
            seen.add(key)
            examples.append(example)
    report.written = len(examples)
    return examples, report


def write_examples(examples: Sequence[TrainingExample], out: TextIO, *, format: ExportFormat, bare: bool = False) -> None:
    """OpenAI chat JSONL (one object per line) or ShareGPT (one JSON array)."""
    if ExportFormat(format) is ExportFormat.OPENAI:
        for example in examples:
            out.write(json.dumps(example.openai(bare=bare), ensure_ascii=False) + "\n")
        return
    json.dump([example.sharegpt(bare=bare) for example in examples], out, ensure_ascii=False, indent=1)
    out.write("\n")


async def records_from_store(url: str | Path, *, limit: int = 1_000_000) -> list[RunRecord]:
    """Every run record in the store at ``url``, oldest first."""
    from junto.graphs._store import store_for

    store = store_for(url)
    await store.open()
    try:
        records = []
        for summary in await store.list_runs(limit=limit):
            record = await store.get_run(summary.run_id)
            if record is not None:
                records.append(record)
        return records[::-1]
    finally:
        await store.aclose()
