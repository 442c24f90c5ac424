"""A subprocess stand-in for the Docker sandbox, for unit tests of the code checker.

It runs ``main.py`` with this interpreter in a temporary directory: no
isolation at all, so it only ever runs code written by these tests.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from junto.sandbox import ExecResult, Sandbox
from junto.sandbox._types import check_arguments


class LocalSandbox:
    """Implements :class:`junto.sandbox.Sandbox` with a local subprocess."""

    def __init__(self) -> None:
        self.runs: list[dict[str, str | bytes]] = []

    async def run(
        self,
        code: str,
        *,
        timeout: float = 10.0,
        files: Mapping[str, bytes | str] | None = None,
        stdin: bytes | str | None = None,
        argv: list[str] | None = None,
        collect: list[str] | None = None,
    ) -> ExecResult:
        check_arguments(timeout=timeout, files=files, collect=collect)
        self.runs.append({"main.py": code, **(files or {})})
        with tempfile.TemporaryDirectory() as workdir:
            root = Path(workdir)
            for name, content in {**(files or {}), "main.py": code}.items():
                data = content.encode() if isinstance(content, str) else content
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_bytes(data)
            started = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "main.py",
                *(argv or []),
                cwd=workdir,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            data = stdin.encode() if isinstance(stdin, str) else (stdin or b"")
            # Shielded, so that what was read before a timeout is kept once the program is killed.
            exchange = asyncio.ensure_future(process.communicate(data))
            try:
                out, err = await asyncio.wait_for(asyncio.shield(exchange), timeout)
                timed_out = False
            except TimeoutError:
                process.kill()
                out, err = await exchange
                timed_out = True
            except asyncio.CancelledError:  # as the Docker sandbox does: a cancelled run leaves no process behind
                process.kill()
                await asyncio.gather(exchange, return_exceptions=True)
                raise
            collected = {n: (root / n).read_bytes() for n in collect or [] if (root / n).is_file()}
            refused = {n: "not found in the work dir" for n in collect or [] if n not in collected}
            return ExecResult(
                exit_code=None if timed_out else process.returncode,
                stdout=out.decode(errors="replace"),
                stderr=err.decode(errors="replace"),
                timed_out=timed_out,
                duration_s=time.perf_counter() - started,
                files=collected,
                refused_files=refused,
            )


async def test_local_sandbox_runs_main_and_reports_timeouts() -> None:
    sandbox = LocalSandbox()
    assert isinstance(sandbox, Sandbox)
    ok = await sandbox.run("import sys; print(open('data.txt').read() + sys.stdin.read())", files={"data.txt": "a"}, stdin="b")
    assert ok.ok and ok.stdout.strip() == "ab"
    slow = await sandbox.run("import time; time.sleep(5)", timeout=0.5)
    assert slow.timed_out and slow.exit_code is None and not slow.ok
