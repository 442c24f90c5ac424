"""The sandbox interface: run code, move files, get an honest result back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from junto.sandbox._files import check_name
from pydantic import BaseModel, ConfigDict, Field

from junto._exceptions import SandboxError

__all__ = ["ExecResult", "Sandbox", "check_arguments"]

_MAX_TIMEOUT_S = 24 * 3600


class ExecResult(BaseModel):
    """What happened when the sandbox ran a program.

    ``exit_code`` is the program's own (``None`` when it was killed before it
    exited, e.g. on ``timed_out``). ``stdout``/``stderr`` are decoded with
    replacement characters and cut at the output cap (``truncated``).
    ``files`` holds the regular files named in ``collect``; anything else asked
    for is listed in ``refused_files`` with the reason.
    """

    model_config = ConfigDict(frozen=True)

    exit_code: int | None
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    oom_killed: bool = False
    truncated: bool = False
    duration_s: float = 0.0
    files: dict[str, bytes] = Field(default_factory=dict)
    refused_files: dict[str, str] = Field(default_factory=dict)
    """Requested files not brought back, with why (missing, a symlink, over the cap, ...)."""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out and not self.oom_killed


@runtime_checkable
class Sandbox(Protocol):
    """Something that runs untrusted Python and reports what it did.

    ``run`` executes ``code`` as ``main.py`` in a fresh work dir holding
    ``files``; ``collect`` names files to bring back in ``ExecResult.files``.
    A program that outlives ``timeout`` is stopped and reported
    (``timed_out``, ``exit_code`` ``None``), not raised. Every implementation
    refuses the same arguments before running anything (:func:`check_arguments`).
    """

    async def run(
        self,
        code: str,
        *,
        timeout: float = 10.0,
        files: Mapping[str, bytes | str] | None = None,
        stdin: bytes | str | None = None,
        argv: list[str] | None = None,
        collect: list[str] | None = None,
    ) -> ExecResult: ...


def check_arguments(*, timeout: float, files: Mapping[str, bytes | str] | None = None, collect: list[str] | None = None) -> None:
    """Refuse what no sandbox runs, the same way in every implementation.

    ``SandboxError`` for a timeout outside (0, 24 h] or a file named
    ``main.py`` (it would replace the program); ``SandboxFileError`` for a
    file name going in or out that is empty, absolute or climbs (``..``).
    """
    if not 0 < timeout <= _MAX_TIMEOUT_S:
        raise SandboxError(f"timeout must be between 0 and {_MAX_TIMEOUT_S} seconds, got {timeout!r}")
    names = [check_name(name) for name in files or {}]
    if "main.py" in names:
        raise SandboxError("a file named main.py would replace the program; rename it")
    for name in collect or []:
        check_name(name)
