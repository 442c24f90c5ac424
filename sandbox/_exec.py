"""One program run inside a running container: the sandbox's hot path.

A single exec carries the program in and runs it: a two-line shell launcher
reads exactly the tar's length (``head -c`` never reads past its count) from the
exec's stdin, unpacks it into the work dir with ``tar`` (which refuses ``..``
and absolute names; the names were checked on the host already), then replaces
itself with ``python3 main.py ARGV``: the rest of stdin is the program's. The wall clock is enforced here on the host; the
caller kills the container when the deadline passes or the output cap is hit.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

import docker.errors
from junto.sandbox._engine import Engine
from junto.sandbox._files import check_name, pack, unpack
from junto.sandbox._limits import SandboxLimits
from junto.sandbox._stream import Ending, Exchange, exchange, raw_socket

from junto._exceptions import SandboxError

__all__ = ["ContainerGone", "Outcome", "collect_files", "oom_kills", "program_payload", "run_in", "put_in"]

_UNPACK = 'head -c "$1" | tar -x -f - --no-same-owner --no-same-permissions -m || exit 125'
_LAUNCH = {"put": _UNPACK, "run": _UNPACK + '\nshift\nexec python3 main.py "$@"'}


def _launcher(mode: str, size: int, argv: list[str]) -> list[str]:
    return ["/bin/sh", "-c", _LAUNCH[mode], "junto-launch", str(size), *argv]


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


def _exec_blocking(
    engine: Engine, cid: str, command: list[str], payload: bytes, *, user: str, workdir: str, deadline: float, cap: int
) -> Outcome:
    started = time.monotonic()
    try:
        exec_id = engine.api.exec_create(cid, command, stdin=True, stdout=True, stderr=True, user=user, workdir=workdir)["Id"]
    except docker.errors.APIError as error:
        if error.status_code in (404, 409):
            raise ContainerGone(f"container {cid[:12]} is not running") from error
        raise
    sock = engine.api.exec_start(exec_id, socket=True)
    raw = raw_socket(sock)
    try:
        result = exchange(raw, payload, deadline=deadline, cap=cap)
    finally:
        sock.close()
        raw.close()
    duration = time.monotonic() - started
    exit_code = None
    if result.ending is Ending.EXITED:
        for _ in range(200):
            state = engine.api.exec_inspect(exec_id)
            if not state.get("Running"):
                exit_code = state.get("ExitCode")
                break
            time.sleep(0.005)
    return Outcome(result, exit_code, duration)


async def run_in(
    engine: Engine,
    cid: str,
    limits: SandboxLimits,
    *,
    program: bytes,
    stdin: bytes | str | None,
    argv: list[str] | None,
    timeout: float,
) -> Outcome:
    """Run the packed ``program`` in container ``cid``; stops reading at ``timeout`` or the output cap."""
    data = _stdin_bytes(stdin, limits)
    args = [str(arg) for arg in argv or []]
    command = _launcher("run", len(program), args)
    deadline = time.monotonic() + timeout
    return await engine.call(
        _exec_blocking,
        engine,
        cid,
        command,
        program + data,
        user=limits.user,
        workdir=limits.work_dir,
        deadline=deadline,
        cap=limits.output_bytes,
    )


async def put_in(
    engine: Engine, cid: str, limits: SandboxLimits, files: Mapping[str, bytes | str], *, timeout: float = 30.0
) -> None:
    """Unpack ``files`` into the work dir of ``cid``."""
    archive = pack(files, limit=limits.transfer_bytes)
    command = _launcher("put", len(archive), [])
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
