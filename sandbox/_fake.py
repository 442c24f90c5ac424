"""``FakeSandbox``: a sandbox that runs nothing, for unit tests of what uses one."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from junto.sandbox._types import ExecResult, check_arguments

__all__ = ["FakeRun", "FakeSandbox"]


@dataclass(frozen=True)
class FakeRun:
    """One call to ``FakeSandbox.run``, as the function sees it."""

    code: str
    timeout: float
    files: dict[str, bytes]
    stdin: bytes
    argv: list[str]
    collect: list[str]


class FakeSandbox:
    """Answers each ``run`` with ``function(FakeRun)`` (sync or async); records every call in ``runs``.

    It runs nothing and isolates nothing, but refuses the arguments every
    sandbox refuses (a bad timeout or file name), so a unit test meets the
    error the Docker sandbox would raise.

    sandbox = FakeSandbox(lambda run: ExecResult(exit_code=0, stdout="ok\\n"))
    """

    def __init__(self, function: Callable[[FakeRun], ExecResult | Awaitable[ExecResult]] | None = None) -> None:
        self._function = function or (lambda run: ExecResult(exit_code=0))
        self.runs: list[FakeRun] = []

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
        call = FakeRun(
            code=code,
            timeout=timeout,
            files={name: data.encode() if isinstance(data, str) else bytes(data) for name, data in (files or {}).items()},
            stdin=stdin.encode() if isinstance(stdin, str) else (stdin or b""),
            argv=list(argv or []),
            collect=list(collect or []),
        )
        self.runs.append(call)
        result = self._function(call)
        if inspect.isawaitable(result):
            result = await result
        return result
