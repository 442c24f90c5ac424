"""The sandbox interface: run code, move files, get an honest result back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ExecResult", "Sandbox"]


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
