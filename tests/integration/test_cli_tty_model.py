"""``junto run`` and ``junto chat`` on a real pseudo-terminal with the embedded model (no stand-ins).

What a newcomer sees: the answer is printed exactly once, under it no draft,
no revision note and no echoed prompt, and the tree that stays on screen shows
every task's final status. Tasks the planner's shortcut routes (one domain),
so each test is one specialist run on 2 shared cores.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import pytest

JUNTO = str(Path(sys.executable).with_name("junto"))
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
FINAL = ("verified", "failed", "unverified", "skipped")
ECHOES = ("[revising", "Task:", "Constraints (each is checked)", "writing the answer", "Subtask results")

pytestmark = [pytest.mark.slow, pytest.mark.model]


def spawn(home: Path, *args: str) -> pexpect.spawn:
    env = {**os.environ, "JUNTO_HOME": str(home / "junto"), "HOME": str(home), "TERM": "xterm", "COLUMNS": "100"}
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    return pexpect.spawn(JUNTO, list(args), cwd=str(home), env=env, encoding="utf-8", timeout=900, dimensions=(50, 100))


def screen_text(raw: str) -> str:
    """What was written, without colours and cursor moves; a carriage return starts the line over."""
    return "\n".join(line.rsplit("\r", 1)[-1] for line in ANSI.sub("", raw).replace("\r\n", "\n").split("\n"))


def check_one_answer(text: str) -> str:
    """The final answer is printed once; what is under it is the answer, the task table and the run line only."""
    titles = re.findall(r"─ answer ─", text)
    assert len(titles) == 1, text[-3000:]
    before, _, after = text.partition("─ answer ─")
    tree = before[before.rfind("plan (") :]  # the last frame of the live tree, which stays on screen
    tasks = re.findall(r"[✓✗~·▶?↻⇧-] (\w+) \[(\w+)\] (\w+)", tree)
    assert tasks and all(state in FINAL for _, _, state in tasks), tree
    for echo in ECHOES:
        assert echo not in after, after
    table = {m.group(1): m.group(2) for m in re.finditer(r"^(\w+) +\w+ +[✓✗~-] (\w+)", after, re.M)}
    assert table == {task: state for task, _, state in tasks}, after  # the table agrees with the tree
    return after


def test_run_prints_the_answer_once_under_the_final_tree(tmp_path: Path) -> None:
    child = spawn(tmp_path, "run", "Compute 17*23.")
    child.expect(pexpect.EOF)
    child.close()
    after = check_one_answer(screen_text(child.before))
    status = re.search(r"run (\w{12}) (verified|unverified|partial|failed)", after)
    assert status is not None, after
    assert child.exitstatus == {"verified": 0, "unverified": 0, "partial": 3, "failed": 4}[status.group(2)]
    assert f"junto trace {status.group(1)}" in after


def test_chat_prints_each_answer_once_under_its_tree(tmp_path: Path) -> None:
    child = spawn(tmp_path, "chat")
    child.expect("junto> ")
    child.sendline("Compute 12*12.")
    child.expect("junto> ")
    turn = screen_text(child.before)
    child.sendline("/exit")
    child.expect(pexpect.EOF)
    child.close()
    check_one_answer(turn)
    assert child.exitstatus == 0
