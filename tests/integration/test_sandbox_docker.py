"""DockerSandbox against the real engine: run, I/O, files, limits, pool, sessions, reaper, errors."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import docker
import pytest
from junto.sandbox import DockerSandbox, SandboxLimits

from junto import SandboxError, SandboxFileError, SandboxImageMissing, SandboxUnavailable

pytestmark = pytest.mark.docker


async def test_runs_code_and_reports_exit_code_and_streams(docker_sandbox) -> None:
    result = await docker_sandbox.run("import sys\nprint('hello')\nprint('oops', file=sys.stderr)\nsys.exit(3)", timeout=5)
    assert (result.exit_code, result.stdout, result.stderr) == (3, "hello\n", "oops\n")
    assert not result.ok and not result.timed_out and not result.oom_killed and result.duration_s > 0


async def test_stdin_argv_and_files_in_and_out(docker_sandbox) -> None:
    code = (
        "import sys, pathlib\n"
        "data = pathlib.Path('data/in.txt').read_text()\n"
        "pathlib.Path('out.txt').write_text(data.upper() + sys.stdin.read() + ' '.join(sys.argv[1:]))\n"
        "pathlib.Path('sub').mkdir()\n"
        "pathlib.Path('sub/b.bin').write_bytes(bytes(range(256)))\n"
    )
    result = await docker_sandbox.run(
        code,
        timeout=5,
        files={"data/in.txt": "abc"},
        stdin="+in",
        argv=["x", "--y"],
        collect=["out.txt", "sub/b.bin", "missing.txt"],
    )
    assert result.ok, result.stderr
    assert result.files == {"out.txt": b"ABC+inx --y", "sub/b.bin": bytes(range(256))}
    assert "missing.txt" in result.refused_files


async def test_program_can_use_sympy_numpy_and_its_own_modules(docker_sandbox) -> None:
    code = "import sympy, numpy, helper\nprint(sympy.factorint(84), int(numpy.arange(5).sum()), helper.X)"
    result = await docker_sandbox.run(code, timeout=10, files={"helper.py": "X = 42"})
    assert result.stdout.strip() == "{2: 2, 3: 1, 7: 1} 10 42", result.stderr


async def test_timeout_kills_and_keeps_partial_output(docker_sandbox) -> None:
    started = time.monotonic()
    result = await docker_sandbox.run("import time\nprint('before', flush=True)\ntime.sleep(30)\nprint('after')", timeout=1)
    assert result.timed_out and result.exit_code is None
    assert result.stdout == "before\n"
    assert time.monotonic() - started < 5


async def test_output_is_truncated_at_the_cap(docker_sandbox) -> None:
    result = await docker_sandbox.run("while True:\n    print('y' * 999)", timeout=5)
    assert result.truncated and len(result.stdout.encode()) == SandboxLimits().output_bytes
    assert not result.timed_out


async def test_oom_is_reported_and_self_kill_is_not_oom() -> None:
    async with DockerSandbox.start(limits=SandboxLimits(memory="64m"), pool_size=0) as sandbox:
        oom = await sandbox.run("x = bytearray(200 * 1024 * 1024)\nprint('survived')", timeout=10)
        killed = await sandbox.run("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", timeout=10)
    assert oom.oom_killed and oom.exit_code == 137 and "survived" not in oom.stdout
    assert killed.exit_code == 137 and not killed.oom_killed


async def test_warm_pool_containers_are_single_use(docker_sandbox) -> None:
    code = "import os, socket\nprint(socket.gethostname(), os.path.exists('left.txt'))\nopen('left.txt', 'w').write('x')"
    first = await docker_sandbox.run(code, timeout=5)
    second = await docker_sandbox.run(code, timeout=5)
    host1, seen1 = first.stdout.split()
    host2, seen2 = second.stdout.split()
    assert host1 != host2
    assert seen1 == seen2 == "False"


async def test_session_keeps_files_between_steps_only(docker_sandbox) -> None:
    async with docker_sandbox.session() as session:
        await session.put_files({"state.txt": "1"})
        step = await session.run(
            "n = int(open('state.txt').read())\nopen('state.txt', 'w').write(str(n + 1))\nprint(n)", timeout=5
        )
        again = await session.run("print(open('state.txt').read())", timeout=5)
        assert (step.stdout, again.stdout) == ("1\n", "2\n")
        assert await session.get_files(["state.txt"]) == {"state.txt": b"2"}
        with pytest.raises(SandboxFileError):
            await session.get_files(["nothing-here.txt"])
        with pytest.raises(SandboxFileError):
            await session.put_files({"../escape.txt": "x"})
    fresh = await docker_sandbox.run("import os\nprint(os.path.exists('state.txt'))", timeout=5)
    assert fresh.stdout == "False\n"


async def test_a_timeout_ends_the_session(docker_sandbox) -> None:
    async with docker_sandbox.session() as session:
        result = await session.run("import time\ntime.sleep(10)", timeout=1)
        assert result.timed_out
        with pytest.raises(SandboxError, match="ended"):
            await session.run("print(1)", timeout=5)


async def test_reaper_removes_orphans_and_keeps_live_owners() -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    client = docker.from_env()
    labels = {"junto.sandbox": "1", "junto.pid": str(dead.pid), "junto.created": str(int(time.time()))}
    import socket

    labels["junto.host"] = socket.gethostname()
    orphan = client.containers.create("junto-sandbox:0.1.0", ["sleep", "infinity"], labels=labels, network_mode="none")
    try:
        async with DockerSandbox.start(pool_size=1) as sandbox:
            # start() reaps at start-up: the orphan is gone; our own pooled container is kept.
            # the list call alone: inspecting each container races with other processes removing theirs
            ids = {c["Id"] for c in client.api.containers(all=True, filters={"label": "junto.sandbox=1"})}
            assert orphan.id not in ids
            report = await sandbox.reap()
            assert orphan.id not in report.removed
    finally:
        try:
            orphan.remove(force=True)
        except docker.errors.NotFound:
            pass
        client.close()


async def test_missing_image_names_the_build_command() -> None:
    with pytest.raises(SandboxImageMissing) as caught:
        async with DockerSandbox.start(image="junto-sandbox:does-not-exist", pool_size=0):
            pass
    assert "junto sandbox build" in (caught.value.hint or "")


async def test_unreachable_engine_names_the_socket_and_fix(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no.sock")
    with pytest.raises(SandboxUnavailable) as caught:
        async with DockerSandbox.start(pool_size=0):
            pass
    assert "no.sock" in caught.value.message
    assert "make docker" in (caught.value.hint or "")


async def test_bad_names_going_in_are_refused_before_running(docker_sandbox) -> None:
    for name in ("../x.py", "/etc/x"):
        with pytest.raises(SandboxFileError):
            await docker_sandbox.run("print(1)", files={name: "x"})


class _Recorded:
    """Wraps container creation to record each container made and to signal when a creation starts."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import junto.sandbox._docker as module

        self.made: list[str] = []
        self.started = asyncio.Event()
        real = module.create_started

        async def create_started(*args: object, **kwargs: object) -> str:
            self.started.set()
            cid = await real(*args, **kwargs)
            self.made.append(cid)
            return cid

        monkeypatch.setattr(module, "create_started", create_started)

    def still_there(self) -> list[str]:
        client = docker.from_env()
        try:
            ids = {c["Id"] for c in client.api.containers(all=True, filters={"label": "junto.sandbox=1"})}
        finally:
            client.close()
        return [cid for cid in self.made if cid in ids]


async def test_closing_with_runs_in_flight_removes_their_containers(monkeypatch: pytest.MonkeyPatch) -> None:
    recorded = _Recorded(monkeypatch)
    async with DockerSandbox.start(pool_size=0) as sandbox:
        runs = [asyncio.ensure_future(sandbox.run("import time\ntime.sleep(60)", timeout=90)) for _ in range(3)]
        while len(recorded.made) < 3:
            await asyncio.sleep(0.05)
        runs.append(asyncio.ensure_future(sandbox.run("print(1)", timeout=90)))  # its container is still being made at close
        await asyncio.sleep(0)
    ended = await asyncio.wait_for(asyncio.gather(*runs, return_exceptions=True), timeout=60)
    assert len(ended) == 4 and len(recorded.made) >= 3
    assert recorded.still_there() == []


async def test_a_run_cancelled_while_its_container_is_made_leaves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    recorded = _Recorded(monkeypatch)
    async with DockerSandbox.start(pool_size=0) as sandbox:
        run = asyncio.ensure_future(sandbox.run("print(1)", timeout=30))
        await recorded.started.wait()
        run.cancel()
        await asyncio.sleep(0)
        run.cancel()  # cancelled again while it cleans up
        with pytest.raises(asyncio.CancelledError):
            await run
        for _ in range(200):  # removed once made, without waiting for close()
            if recorded.made and not recorded.still_there():
                break
            await asyncio.sleep(0.05)
        assert recorded.made and recorded.still_there() == []


async def test_an_uncaught_error_prints_the_programs_own_traceback(docker_sandbox) -> None:
    result = await docker_sandbox.run(
        "import sys\n\ndef f():\n    return 1 / 0\n\nprint(sys.argv)\nf()", timeout=10, argv=["a b"]
    )
    assert result.exit_code == 1 and result.stdout == "['main.py', 'a b']\n"
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    assert 'main.py", line 7, in <module>' in result.stderr and "ZeroDivisionError" in result.stderr
    assert "runpy" not in result.stderr and "<string>" not in result.stderr  # nothing of the launcher around it


async def test_a_pooled_container_that_stopped_while_waiting_is_replaced() -> None:
    async with DockerSandbox.start(pool_size=1) as sandbox:
        for _ in range(200):
            if sandbox._ready:
                break
            await asyncio.sleep(0.05)
        pooled = sandbox._ready[0]
        client = docker.from_env()
        try:
            client.api.kill(pooled.cid)
        finally:
            client.close()
        for _ in range(200):  # until its launcher's stream has closed
            if pooled.ended():
                break
            await asyncio.sleep(0.05)
        assert pooled.ended()
        result = await sandbox.run("print('fresh')", timeout=10)
    assert result.ok and result.stdout == "fresh\n"
