"""``junto chat`` on a real pseudo-terminal: live view, answers, slash commands, Ctrl-C and Ctrl-D."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pexpect
import pytest

LAUNCHER = textwrap.dedent(
    """
    import asyncio, signal, sys
    # a user's terminal delivers Ctrl-C; a test runner started in the background has SIGINT ignored, and children inherit that
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from junto._junto import Junto
    from junto._tasks import MathOutput, Status, TaskKind, TaskResult
    from junto.graphs._function import FunctionSpecialist
    from junto.models._function import FunctionModel
    from junto.models._roster import Roster
    import junto.cli._chat as chat

    def reply(messages, request):
        if request.output_type is not None:
            return '{"tasks": [{"id": "sum", "kind": "math", "instruction": "add"}]}'
        return "The sum is **4** [math]."

    async def math(task, inputs, ctx):
        if "slow" in task.instruction:
            await asyncio.sleep(60)
        return TaskResult(task_id=task.id, kind=TaskKind.MATH, status=Status.VERIFIED, output=MathOutput(answer="4"))

    def make(config):
        specialists = {k: FunctionSpecialist(k, math) for k in TaskKind}
        return Junto(roster=Roster.single(FunctionModel(reply, name="fn-model")), specialists=specialists, checkpoints=False)

    chat.make_junto = make
    from junto.cli import main
    sys.exit(main(["chat", *sys.argv[1:]]))
    """
)


@pytest.fixture
def launcher(tmp_path: Path) -> Path:
    path = tmp_path / "launch_chat.py"
    path.write_text(LAUNCHER)
    return path


def spawn(launcher: Path, home: Path, *args: str) -> pexpect.spawn:
    env = {**os.environ, "JUNTO_HOME": str(home), "TERM": "xterm", "COLUMNS": "100", "LINES": "40"}
    child = pexpect.spawn(sys.executable, [str(launcher), *args], env=env, encoding="utf-8", timeout=30, dimensions=(40, 100))
    return child


@pytest.mark.slow
def test_chat_answers_on_a_terminal_and_resumes_the_session(launcher: Path, tmp_path: Path) -> None:
    child = spawn(launcher, tmp_path)
    child.expect(r"session (\w+)")
    session = child.match.group(1)
    child.expect("junto> ")
    child.sendline("What is 2+2? solve it")
    # a one-task plan: the verified output is the answer, in the answer panel
    child.expect(r"│(\x1b\[[0-9;]*m)* (\x1b\[[0-9;]*m)*4 ")
    child.expect(r"math(\x1b\[[0-9;]*m)* +(\x1b\[[0-9;]*m)*math(\x1b\[[0-9;]*m)* +(\x1b\[[0-9;]*m)*✓ verified")
    child.expect("junto> ")
    child.sendline("/plan")
    child.expect(r"math(\x1b\[[0-9;]*m)* *(\x1b\[[0-9;]*m)*\[math\] (\x1b\[[0-9;]*m)*verified")
    child.expect("junto> ")
    child.sendline("/trace")
    child.expect("attempt|plan")
    child.expect("junto> ")
    child.sendline("/budget")
    child.expect(r"this chat: 1 runs")
    child.expect("junto> ")
    child.sendline("/sessions")
    child.expect(session)
    child.expect("junto> ")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (tmp_path / "chat_history").read_text().count("What is 2+2?") == 1

    again = spawn(launcher, tmp_path, "--session", session)
    again.expect(rf"session (\x1b\[[0-9;]*m)*{session}(\x1b\[[0-9;]*m)* resumed: 2 messages")
    again.expect("junto> ")
    again.sendline("/exit")
    again.expect(pexpect.EOF)
    again.close()
    assert again.exitstatus == 0


@pytest.mark.slow
def test_ctrl_c_cancels_the_run_and_returns_to_the_prompt(launcher: Path, tmp_path: Path) -> None:
    child = spawn(launcher, tmp_path)
    child.expect("junto> ")
    child.sendline("slow: solve 2+2")
    child.expect("running")  # the live view shows the task going
    child.sendintr()
    child.expect("run cancelled")
    child.expect("junto> ")
    child.sendline("/help")
    child.expect("/sessions")
    child.expect("junto> ")
    child.sendline("/exit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
