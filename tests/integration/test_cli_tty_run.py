"""``junto run`` on a real pseudo-terminal: the live view, the answer as Markdown, and Ctrl-C or SIGTERM (exit 130 or 143, run recorded)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pexpect
import pytest
from junto.graphs._store import store_for

LAUNCHER = textwrap.dedent(
    """
    import asyncio, signal, sys
    # a user's terminal delivers Ctrl-C; a test runner started in the background has SIGINT ignored, and children inherit that
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from junto._junto import Junto
    from junto.agents import Planner
    from junto._tasks import MathOutput, Status, TaskKind, TaskResult
    from junto.graphs._function import FunctionSpecialist
    from junto.models._function import FunctionModel
    from junto.models._roster import Roster
    import junto.cli._run as run

    def reply(messages, request):
        if request.output_type is not None:
            if any("zzwait" in m.content for m in messages):
                return ('{"tasks": [{"id": "sum", "kind": "math", "instruction": "add"},'
                        ' {"id": "wait", "kind": "math", "instruction": "zzwait", "depends_on": ["sum"]}]}')
            if any("zzcode" in m.content for m in messages):
                return ('{"tasks": [{"id": "sum", "kind": "math", "instruction": "add"},'
                        ' {"id": "prog", "kind": "code", "instruction": "sleep", "depends_on": ["sum"]}]}')
            # two tasks: a one-task plan's output would be the answer without the aggregator's Markdown
            return ('{"tasks": [{"id": "sum", "kind": "math", "instruction": "sum"},'
                    ' {"id": "again", "kind": "math", "instruction": "sum again"}]}')
        return "The sum is **4** [sum], and again it is **4** [again]."

    async def math(task, inputs, ctx):
        if task.instruction == "zzwait":
            await asyncio.sleep(60)
        if task.kind is TaskKind.CODE:  # a program still running in the sandbox when Ctrl-C comes
            await ctx.sandbox.run("import time; time.sleep(50)", timeout=60)
        return TaskResult(task_id=task.id, kind=TaskKind.MATH, status=Status.VERIFIED, output=MathOutput(answer="4"))

    def make(config, *, budget, max_replans=0, samples=None):
        specialists = {k: FunctionSpecialist(k, math) for k in TaskKind}
        roster = Roster.single(FunctionModel(reply, name="fn-model"))
        planner = Planner(shortcut=False)  # the plan always comes from the model's reply
        return Junto(roster=roster, specialists=specialists, planner=planner, budget=budget, checkpoints=False)

    run.make_junto = make
    from junto.cli import main
    sys.exit(main(["run", *sys.argv[1:]]))
    """
)
ANSI = r"(\x1b\[[0-9;?]*[a-zA-Z])*"


@pytest.fixture
def launcher(tmp_path: Path) -> Path:
    path = tmp_path / "launch_run.py"
    path.write_text(LAUNCHER)
    return path


def spawn(launcher: Path, home: Path, *args: str) -> pexpect.spawn:
    env = {**os.environ, "JUNTO_HOME": str(home), "TERM": "xterm", "COLUMNS": "100", "LINES": "40"}
    return pexpect.spawn(sys.executable, [str(launcher), *args], env=env, encoding="utf-8", timeout=30, dimensions=(40, 100))


async def _record(home: Path, run_id: str):
    store = store_for(home / "junto.db")
    await store.open()
    try:
        return await store.get_run(run_id)
    finally:
        await store.aclose()


@pytest.mark.slow
def test_run_on_a_terminal_shows_the_live_view_then_the_answer_as_markdown(launcher: Path, tmp_path: Path) -> None:
    # the plan's tasks are the request's own words, and "sum" points at math, so the model's math tasks stay math
    child = spawn(launcher, tmp_path, "sum, then sum again")
    child.expect("planning")  # the live view, before the plan exists
    child.expect(rf"sum{ANSI} *{ANSI}\[math\] {ANSI}verified")  # the plan tree with the task's state
    child.expect(rf"The sum is {ANSI}4")  # Markdown: bold, no asterisks
    child.expect(rf"sum{ANSI} +{ANSI}math{ANSI} +{ANSI}✓ verified")  # the table of tasks under the answer
    child.expect(rf"run {ANSI}(\w+) verified")
    child.expect(pexpect.EOF)
    child.close()
    assert "**4**" not in child.before
    assert child.exitstatus == 0


@pytest.mark.slow
def test_ctrl_c_stops_the_run_exits_130_and_records_it_as_cancelled(launcher: Path, tmp_path: Path) -> None:
    child = spawn(launcher, tmp_path, "Add 2+2, then zzwait")
    child.expect(rf"wait{ANSI} *{ANSI}\[math\] {ANSI}running")  # the live view shows the slow task going
    child.sendintr()
    child.expect(r"run cancelled")
    child.expect(r"recorded as (\w+)")
    run_id = child.match.group(1)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    record = asyncio.run(_record(tmp_path, run_id))
    assert record is not None and record.result.exit_reason == "cancelled"
    assert record.interrupted  # `junto resume` can finish it
    assert list(record.result.results) == ["sum"]  # the task that finished is kept; "wait" never did
    assert record.result.results["sum"].output_text() == "4"
    assert re.fullmatch(r"[0-9a-f]{32}", run_id)


def _containers_of(pid: int) -> list[str]:
    listing = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label=junto.pid={pid}"], capture_output=True, text=True, check=True
    )
    return listing.stdout.split()


@pytest.mark.slow
@pytest.mark.docker
@pytest.mark.parametrize(
    ("stop", "said", "status"), [("ctrl-c", "run cancelled", 130), ("sigterm", "run stopped by SIGTERM", 143)]
)
def test_stopping_during_a_sandboxed_program_removes_the_sandbox_containers_and_records_the_run(
    launcher: Path, tmp_path: Path, stop: str, said: str, status: int
) -> None:
    """Ctrl-C, or SIGTERM as ``kill`` and ``docker stop`` send it: the run unwinds, the sandbox is cleaned up, the run can be resumed."""
    child = spawn(launcher, tmp_path, "Add 2+2, then zzcode in Python")  # a code task needs the request to point at code
    child.expect(rf"prog{ANSI} *{ANSI}\[code\] {ANSI}running", timeout=60)
    deadline = time.monotonic() + 20
    while not _containers_of(child.pid):  # the sandbox is up and running the program
        assert time.monotonic() < deadline, "no sandbox container was started"
        time.sleep(0.2)
    if stop == "ctrl-c":
        child.sendintr()
    else:
        child.kill(signal.SIGTERM)
    child.expect(said, timeout=60)
    child.expect(r"recorded as (\w+)")
    run_id = child.match.group(1)
    child.expect(pexpect.EOF, timeout=60)
    child.close()
    assert child.exitstatus == status
    assert _containers_of(child.pid) == []
    record = asyncio.run(_record(tmp_path, run_id))
    assert record is not None and record.result.exit_reason == "cancelled" and record.interrupted
    assert list(record.result.results) == ["sum"]
