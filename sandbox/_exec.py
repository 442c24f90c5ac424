"""One program run inside a running container: the sandbox's hot path.

A run goes to a launcher (``_launcher.py``, a ``python3 -c`` exec) that waits
on stdin for its program: a JSON line with the tar's length and the argv, the
tar (``main.py`` and the run's files), then the program's own stdin. The
launcher unpacks the tar into the work dir and runs ``main.py`` in its own,
already started interpreter. A warm-pool container has its launcher started
before the run is asked for (:func:`start_launcher`), so a run costs no exec
and no interpreter start-up; the run itself is :func:`run_waiting`. The wall
clock is enforced here on the host; the caller kills the container when the
deadline passes or the output cap is hit. Putting files into a session's
container uses a two-line shell instead: ``head -c`` reads exactly the tar's
length from stdin and ``tar`` unpacks it (refusing ``..`` and absolute names;
the names were checked on the host already).
"""

from __future__ import annotations

import json
import re
import select
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker.errors
from junto.sandbox._engine import Engine
from junto.sandbox._files import check_name, pack, unpack
from junto.sandbox._limits import SandboxLimits
from junto.sandbox._stream import Ending, Exchange, exchange, raw_socket

from junto._exceptions import SandboxError

__all__ = [
    "ContainerGone",
    "Outcome",
    "Waiting",
    "collect_files",
    "oom_kills",
    "program_payload",
    "put_in",
    "run_waiting",
    "start_launcher",
]

_UNPACK = 'head -c "$1" | tar -x -f - --no-same-owner --no-same-permissions -m || exit 125'
_LAUNCHER = ["python3", "-c", Path(__file__).with_name("_launcher.py").read_text(encoding="utf-8")]


_OOM_FILES = ["/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events"]
_OOM_KILL = re.compile(rb"^oom_kill (\d+)$", re.MULTILINE)
_COLLECT_SLACK = 1024 * 1024


class ContainerGone(SandboxError):
    """The container stopped before the exec could start (e.g. a pooled one that died)."""


@dataclass(frozen=True)
class Outcome:
    exchange: Exchange
    exit_code: int | None
    duration_s: float


def program_payload(code: str, files: Mapping[str, bytes | str] | None, limits: SandboxLimits) -> bytes:
    """The tar going in: ``main.py`` plus ``files`` (names checked, total capped; see ``check_arguments``)."""
    contents: dict[str, bytes | str] = dict(files or {})
    contents["main.py"] = code
    return pack(contents, limit=limits.transfer_bytes)


def _stdin_bytes(stdin: bytes | str | None, limits: SandboxLimits) -> bytes:
    data = stdin.encode() if isinstance(stdin, str) else (stdin or b"")
    if len(data) > limits.transfer_bytes:
        raise SandboxError(f"stdin holds {len(data)} bytes, more than the {limits.transfer_bytes}-byte transfer cap")
    return data


@dataclass
class Waiting:
    """An exec started in a container and waiting on stdin: a launcher for one run, or any command about to be fed."""

    cid: str
    exec_id: str
    sock: Any  # what exec_start(socket=True) returned; its stubs say Any

    def ended(self) -> bool:
        """Whether the exec can no longer take a program: its stream has something to read.

        A waiting launcher writes nothing until its program comes, so
        anything readable is the end of the stream (its container stopped)
        or the engine's word that the exec did not start.
        """
        try:
            readable, _, _ = select.select([raw_socket(self.sock)], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def close(self) -> None:
        """Close the stream: a launcher that never got its program sees end of input and exits."""
        raw = raw_socket(self.sock)
        self.sock.close()
        raw.close()


def _start_blocking(engine: Engine, cid: str, command: list[str], *, user: str, workdir: str) -> Waiting:
    try:
        exec_id = engine.api.exec_create(cid, command, stdin=True, stdout=True, stderr=True, user=user, workdir=workdir)["Id"]
    except docker.errors.APIError as error:
        if error.status_code in (404, 409):
            raise ContainerGone(f"container {cid[:12]} is not running") from error
        raise
    return Waiting(cid, exec_id, engine.api.exec_start(exec_id, socket=True))


async def start_launcher(engine: Engine, cid: str, limits: SandboxLimits) -> Waiting:
    """Start the launcher in ``cid``, as the program's user in the work dir; it waits for its program."""
    return await engine.call(_start_blocking, engine, cid, _LAUNCHER, user=limits.user, workdir=limits.work_dir)


def _exec_blocking(
    engine: Engine, cid: str, command: list[str], payload: bytes, *, user: str, workdir: str, deadline: float, cap: int
) -> Outcome:
    started = time.monotonic()
    waiting = _start_blocking(engine, cid, command, user=user, workdir=workdir)
    return _feed_blocking(engine, waiting, payload, deadline=deadline, cap=cap, started=started)


def _feed_blocking(engine: Engine, waiting: Waiting, payload: bytes, *, deadline: float, cap: int, started: float) -> Outcome:
    """Send ``payload`` to a waiting exec, read its output to the end, then its exit code."""
    try:
        result = exchange(raw_socket(waiting.sock), payload, deadline=deadline, cap=cap)
    finally:
        waiting.close()
    duration = time.monotonic() - started
    exec_id = waiting.exec_id
    exit_code = None
    if result.ending is Ending.EXITED:
        for _ in range(200):
            state = engine.api.exec_inspect(exec_id)
            if not state.get("Running"):
                exit_code = state.get("ExitCode")
                break
            time.sleep(0.005)
    return Outcome(result, exit_code, duration)


async def run_waiting(
    engine: Engine,
    waiting: Waiting,
    limits: SandboxLimits,
    *,
    program: bytes,
    stdin: bytes | str | None,
    argv: list[str] | None,
    timeout: float,
) -> Outcome:
    """Run the packed ``program`` through a waiting launcher; stops reading at ``timeout`` or the output cap."""
    data = _stdin_bytes(stdin, limits)
    header = json.dumps({"size": len(program), "argv": [str(arg) for arg in argv or []]}).encode() + b"\n"
    started = time.monotonic()
    if waiting.ended():
        waiting.close()
        raise ContainerGone(f"container {waiting.cid[:12]} stopped while its launcher waited")
    return await engine.call(
        _feed_blocking,
        engine,
        waiting,
        header + program + data,
        deadline=started + timeout,
        cap=limits.output_bytes,
        started=started,
    )


async def put_in(
    engine: Engine, cid: str, limits: SandboxLimits, files: Mapping[str, bytes | str], *, timeout: float = 30.0
) -> None:
    """Unpack ``files`` into the work dir of ``cid``."""
    archive = pack(files, limit=limits.transfer_bytes)
    command = ["/bin/sh", "-c", _UNPACK, "junto-put", str(len(archive))]
    outcome = await engine.call(
        _exec_blocking,
        engine,
        cid,
        command,
        archive,
        user=limits.user,
        workdir=limits.work_dir,
        deadline=time.monotonic() + timeout,
        cap=64 * 1024,
    )
    if outcome.exit_code != 0:
        _, stderr = outcome.exchange.output.text()
        raise SandboxError(f"files could not be written into the sandbox: {stderr.strip() or outcome.exchange.ending.value}")


async def collect_files(
    engine: Engine, cid: str, limits: SandboxLimits, names: list[str], *, timeout: float = 30.0
) -> tuple[dict[str, bytes], dict[str, str]]:
    """Regular files named ``names`` (relative to the work dir); the rest refused with a reason."""
    checked = [check_name(name) for name in names]
    if not checked:
        return {}, {}
    command = ["tar", "-c", "-f", "-", "--ignore-failed-read", "-C", limits.work_dir, "--", *checked]
    outcome = await engine.call(
        _exec_blocking,
        engine,
        cid,
        command,
        b"",
        user=limits.user,
        workdir=limits.work_dir,
        deadline=time.monotonic() + timeout,
        cap=limits.transfer_bytes + _COLLECT_SLACK,
    )
    files, refused = unpack(bytes(outcome.exchange.output.stdout), limit=limits.transfer_bytes)
    if outcome.exchange.ending is not Ending.EXITED:
        refused["*"] = f"collecting stopped: {outcome.exchange.ending.value}"
    for name in checked:
        if name not in files and name not in refused and not any(key.startswith(name + "/") for key in files):
            refused[name] = "not found (or unreadable) in the work dir"
    return files, refused


async def oom_kills(engine: Engine, cid: str, limits: SandboxLimits) -> int:
    """How many processes the kernel's OOM killer has ended in ``cid``'s memory cgroup."""
    command = ["cat", *_OOM_FILES]
    outcome = await engine.call(
        _exec_blocking, engine, cid, command, b"", user=limits.user, workdir="/", deadline=time.monotonic() + 10, cap=64 * 1024
    )
    return sum(int(count) for count in _OOM_KILL.findall(bytes(outcome.exchange.output.stdout)))
