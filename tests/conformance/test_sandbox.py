"""The Sandbox contract, run on every implementation (Docker, a Docker session, the fake, the local one).

What a caller relies on: ``run`` has the protocol's signature and returns an
``ExecResult``; bad arguments are refused alike everywhere; and, where the
implementation claims it (see ``_sandboxes.py``), the program's output, exit
code, stdin, argv and files come back as they were, a timeout is reported
rather than raised, and the isolation limits hold.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from junto.sandbox import ExecResult, Sandbox, SandboxLimits

from junto._exceptions import SandboxError, SandboxFileError
from tests.conformance._sandboxes import IMPLEMENTATIONS, Capability, SandboxImpl


def requires(capability: Capability) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run the test only on implementations that claim ``capability``."""

    def mark(test: Callable[..., Any]) -> Callable[..., Any]:
        test.requires = capability  # type: ignore[attr-defined]
        return test

    return mark


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "impl" not in metafunc.fixturenames:
        return
    needed = getattr(metafunc.function, "requires", None)
    if "lacking" in metafunc.fixturenames:
        pairs = [(impl, cap) for impl in IMPLEMENTATIONS for cap in impl.lacks() if cap not in impl.unsafe_to_probe]
        params = [pytest.param(impl, cap, marks=impl.marks, id=f"{impl.id}-{cap.name.lower()}") for impl, cap in pairs]
        metafunc.parametrize(("impl", "lacking"), params)
        return
    chosen = [impl for impl in IMPLEMENTATIONS if needed is None or needed in impl.capabilities]
    metafunc.parametrize("impl", [pytest.param(impl, marks=impl.marks, id=impl.id) for impl in chosen])


@pytest.fixture
async def sandbox(impl: SandboxImpl, request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    async with impl.open(request) as opened:
        yield opened


def _reported(result: ExecResult) -> dict[str, Any]:
    """The JSON object a probe program printed."""
    assert result.ok and result.stdout.strip(), f"the probe did not report: {result!r}"
    return json.loads(result.stdout)


# -- every implementation ----------------------------------------------------


def test_run_has_the_protocols_signature(impl: SandboxImpl) -> None:
    declared = inspect.signature(Sandbox.run).parameters
    implemented = inspect.signature(impl.cls.run).parameters
    assert [(p.name, p.kind, p.default) for p in implemented.values()] == [(p.name, p.kind, p.default) for p in declared.values()]
    assert inspect.iscoroutinefunction(impl.cls.run)


async def test_run_returns_an_exec_result(sandbox: Any) -> None:
    result = await sandbox.run(
        "print('hi')", timeout=5, files={"a.txt": "text", "b.bin": b"\x00\xff"}, stdin=b"in", argv=["1"], collect=["a.txt"]
    )
    assert isinstance(result, ExecResult)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"timeout": 0}, SandboxError),
        ({"timeout": -1.0}, SandboxError),
        ({"timeout": 86401}, SandboxError),
        ({"files": {"main.py": "print('replaced')"}}, SandboxError),
        ({"files": {"/etc/passwd": "x"}}, SandboxFileError),
        ({"files": {"../outside.txt": "x"}}, SandboxFileError),
        ({"files": {"": "x"}}, SandboxFileError),
        ({"collect": ["../../etc/shadow"]}, SandboxFileError),
        ({"collect": ["/etc/passwd"]}, SandboxFileError),
    ],
    ids=[
        "zero-timeout",
        "negative-timeout",
        "day-long-timeout",
        "main.py",
        "absolute",
        "climbing",
        "empty",
        "collect-climbing",
        "collect-absolute",
    ],  # fmt: skip
)
async def test_refuses_what_every_sandbox_refuses(sandbox: Any, options: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        await sandbox.run("print('ran')", **options)


# -- RUNS_CODE ---------------------------------------------------------------


async def check_runs_code(sandbox: Any) -> None:
    """The check a sandbox that runs nothing fails: output, error output and exit code are the program's."""
    result = await sandbox.run("import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.exit(3)", timeout=10)
    assert (result.stdout, result.stderr, result.exit_code) == ("out\n", "err\n", 3)
    assert not result.ok and not result.timed_out and not result.truncated


@requires(Capability.RUNS_CODE)
async def test_stdout_stderr_and_exit_code_are_the_programs(sandbox: Any) -> None:
    await check_runs_code(sandbox)
    fine = await sandbox.run("print(6 * 7)", timeout=10)
    assert fine.ok and fine.exit_code == 0 and fine.stdout == "42\n" and fine.stderr == ""


@requires(Capability.RUNS_CODE)
async def test_an_uncaught_exception_is_a_failed_run_not_an_error(sandbox: Any) -> None:
    result = await sandbox.run("1 / 0", timeout=10)
    assert result.exit_code == 1 and not result.ok
    assert "ZeroDivisionError" in result.stderr


@requires(Capability.RUNS_CODE)
async def test_stdin_text_or_bytes_and_argv_reach_the_program(sandbox: Any) -> None:
    code = "import sys\nprint(sys.argv[1:], repr(sys.stdin.read()))"
    as_text = await sandbox.run(code, timeout=10, stdin="héllo\n", argv=["--n", "3"])
    as_bytes = await sandbox.run(code, timeout=10, stdin="héllo\n".encode(), argv=["--n", "3"])
    assert as_text.stdout == as_bytes.stdout == "['--n', '3'] 'héllo\\n'\n"


@requires(Capability.RUNS_CODE)
async def test_undecodable_output_is_replaced_not_raised(sandbox: Any) -> None:
    result = await sandbox.run("import sys\nsys.stdout.buffer.write(b'\\xff ok')", timeout=10)
    assert result.ok and result.stdout == "\ufffd ok"


@requires(Capability.RUNS_CODE)
async def test_files_go_in_and_come_back_byte_for_byte(sandbox: Any) -> None:
    blob = bytes(range(256)) * 4
    code = (
        "import shutil\n"
        "shutil.copy('blob.bin', 'blob.out')\n"
        "shutil.copy('sub/note.txt', 'note.out')\n"
        "open('made.txt', 'w', encoding='utf-8').write(open('data.txt', encoding='utf-8').read().upper())\n"
    )
    files = {"blob.bin": blob, "sub/note.txt": b"nested\n", "data.txt": "h\u00e9llo"}
    result = await sandbox.run(code, timeout=10, files=files, collect=["blob.out", "note.out", "made.txt"])
    assert result.ok, result.stderr
    assert result.files == {"blob.out": blob, "note.out": b"nested\n", "made.txt": "H\u00c9LLO".encode()}
    assert result.refused_files == {}


@requires(Capability.RUNS_CODE)
async def test_a_missing_file_asked_for_is_refused_with_a_reason(sandbox: Any) -> None:
    result = await sandbox.run("open('here.txt', 'w').write('1')", timeout=10, collect=["here.txt", "absent.txt"])
    assert result.files == {"here.txt": b"1"}
    assert set(result.refused_files) == {"absent.txt"} and result.refused_files["absent.txt"]


@requires(Capability.RUNS_CODE)
async def test_a_timeout_is_reported_not_raised_and_keeps_earlier_output(sandbox: Any) -> None:
    started = time.monotonic()
    result = await sandbox.run("import time\nprint('started', flush=True)\ntime.sleep(60)", timeout=1.0)
    elapsed = time.monotonic() - started
    assert result.timed_out and result.exit_code is None and not result.ok
    assert result.stdout == "started\n"
    assert elapsed < 15, f"a 1 s timeout took {elapsed:.1f} s to report"


# -- FRESH_WORK_DIR ----------------------------------------------------------


async def check_fresh_work_dir(sandbox: Any) -> None:
    await sandbox.run("open('left.txt', 'w').write('from the first run')", timeout=10, files={"given.txt": "1"})
    second = await sandbox.run("import os\nprint(sorted(os.listdir('.')))", timeout=10)
    assert second.stdout == "['main.py']\n", f"the work dir held {second.stdout.strip()}"


@requires(Capability.FRESH_WORK_DIR)
async def test_nothing_of_one_run_is_seen_by_the_next(sandbox: Any) -> None:
    await check_fresh_work_dir(sandbox)


# -- NO_NETWORK --------------------------------------------------------------

_NETWORK_PROBE = """
import json, socket, sys
port = int(sys.argv[1])
reached = []
for host in ("127.0.0.1", "1.1.1.1"):
    try:
        socket.create_connection((host, port if host == "127.0.0.1" else 53), timeout=1).close()
        reached.append(host)
    except OSError:
        pass
print(json.dumps({"interfaces": sorted(name for _, name in socket.if_nameindex()), "reached": reached}))
"""


async def check_no_network(sandbox: Any) -> None:
    """A listener on the host's loopback and a public address must both be out of reach."""
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        port = listener.getsockname()[1]
        result = await sandbox.run(_NETWORK_PROBE, timeout=15, argv=[str(port)])
    finally:
        listener.close()
    seen = _reported(result)
    assert seen == {"interfaces": ["lo"], "reached": []}, seen


@requires(Capability.NO_NETWORK)
async def test_the_network_is_off(sandbox: Any) -> None:
    await check_no_network(sandbox)


# -- OUTPUT_CAP --------------------------------------------------------------


async def check_output_cap(sandbox: Any) -> None:
    cap = SandboxLimits().output_bytes
    result = await sandbox.run(f"import sys\nsys.stdout.write('x' * {3 * cap})\nprint('finished', file=sys.stderr)", timeout=20)
    assert result.truncated and not result.ok
    assert len(result.stdout) + len(result.stderr) <= cap
    assert "finished" not in result.stderr


@requires(Capability.OUTPUT_CAP)
async def test_output_past_the_cap_is_cut_and_reported(sandbox: Any) -> None:
    await check_output_cap(sandbox)


# -- MEMORY_CAP --------------------------------------------------------------


async def check_memory_cap(sandbox: Any) -> None:
    over = SandboxLimits().memory * 2
    result = await sandbox.run(f"block = b'x' * {over}\nprint('allocated')", timeout=30)
    assert result.oom_killed and not result.ok
    assert "allocated" not in result.stdout


@requires(Capability.MEMORY_CAP)
async def test_a_program_over_the_memory_cap_is_killed_and_reported(sandbox: Any) -> None:
    await check_memory_cap(sandbox)


# -- NOT_ROOT ----------------------------------------------------------------

_PRIVILEGE_PROBE = """
import json, os
try:
    open('/usr/lib/junto-probe', 'w').close()
    wrote = True
except OSError:
    wrote = False
print(json.dumps({"uid": os.getuid(), "wrote_outside_work_dir": wrote}))
"""


async def check_not_root(sandbox: Any) -> None:
    result = await sandbox.run(_PRIVILEGE_PROBE, timeout=10)
    seen = _reported(result)
    assert seen["uid"] != 0 and not seen["wrote_outside_work_dir"], seen


@requires(Capability.NOT_ROOT)
async def test_the_program_is_not_root_and_cannot_write_outside_its_work_dir(sandbox: Any) -> None:
    await check_not_root(sandbox)


# -- what an implementation does not claim, it does not have --------------------

_CHECKS: dict[Capability, Callable[[Any], Awaitable[None]]] = {
    Capability.RUNS_CODE: check_runs_code,
    Capability.FRESH_WORK_DIR: check_fresh_work_dir,
    Capability.NO_NETWORK: check_no_network,
    Capability.OUTPUT_CAP: check_output_cap,
    Capability.MEMORY_CAP: check_memory_cap,
    Capability.NOT_ROOT: check_not_root,
}


def test_every_capability_has_a_check() -> None:
    assert set(_CHECKS) == set(Capability)


async def test_a_capability_not_claimed_is_really_absent(sandbox: Any, lacking: Capability) -> None:
    """The capability's own check fails on an implementation that does not claim it: no silent skip, no toothless check."""
    with pytest.raises(AssertionError):
        await asyncio.wait_for(_CHECKS[lacking](sandbox), timeout=60)
