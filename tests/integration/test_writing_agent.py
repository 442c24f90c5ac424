"""WritingSpecialist end to end on the embedded model: the record is honest about the word count."""

from __future__ import annotations

import pytest
from junto.agents import AgentContext, Status, TaskKind, TaskSpec, TextOutput, WritingSpecialist
from junto.tools import check_writing, extract_constraints
from junto.tools.writing._measure import words

from junto.models import ChatModel, Roster

pytestmark = pytest.mark.model

INSTRUCTION = "Write about 30 words describing the sea on a calm morning."


async def test_word_count_record_is_honest(local_model: ChatModel) -> None:
    task = TaskSpec(id="sea", kind=TaskKind.WRITING, instruction=INSTRUCTION, max_attempts=3)
    result = await WritingSpecialist(max_tokens=120).run(task, {}, AgentContext(roster=Roster.single(local_model)))

    assert result.status in (Status.VERIFIED, Status.FAILED)  # a word-count constraint always decides
    assert 1 <= len(result.attempts) <= 3
    assert isinstance(result.output, TextOutput) and result.output.text.strip()
    count = len(words(result.output.text))
    (check,) = [c for c in result.checks if c.name == "words"]
    assert check.evidence.startswith(f"{count} words; allowed 24-36")
    # The record agrees with an independent re-check of the chosen text.
    recheck = check_writing(result.output.text, extract_constraints(INSTRUCTION))
    echoed = [c for c in result.checks if c.name == "answers"]  # reported only when the text restates its prompt
    assert [c.passed for c in recheck] == [c.passed for c in result.checks if c not in echoed]
    if result.status is Status.VERIFIED:
        assert 24 <= count <= 36 and not echoed
    else:
        assert echoed or not 24 <= count <= 36
        assert result.reason
    for attempt in result.attempts[:-1]:  # every retry followed a failed check
        assert any(c.passed is False for c in attempt.checks)
    assert result.usage.completion_tokens > 0
