"""``SandboxLimits``: the hardened container settings, as one value object.

Every setting is a named field whose default is the safe one. Weakening is
explicit (``network=True``, a bigger ``memory``); invalid values raise
:class:`~junto.SandboxLimitsError`. :meth:`SandboxLimits.create_kwargs` is the
one place that turns them into docker SDK arguments. What never changes, and so
is not a field: all capabilities dropped, ``no-new-privileges``, no host
mounts, never the Docker socket, an environment that holds nothing of the
host's.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from junto._exceptions import SandboxLimitsError

__all__ = ["SandboxLimits", "parse_size"]

_MiB = 1024 * 1024
_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": _MiB, "mb": _MiB, "mib": _MiB}
_UNITS |= {"g": 1024 * _MiB, "gb": 1024 * _MiB, "gib": 1024 * _MiB}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")
_IDLE_USER = "65533:65533"
"""The container's own processes (init, idle ``sleep``) run as this uid, unlike the program, so it can neither signal nor trace them."""
_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_HOST_CONFIG_KEYS = frozenset(
    {
        "network_mode",
        "read_only",
        "tmpfs",
        "cap_drop",
        "security_opt",
        "pids_limit",
        "mem_limit",
        "memswap_limit",
        "mem_swappiness",
        "nano_cpus",
        "ulimits",
        "init",
        "ipc_mode",
        "shm_size",
        "privileged",
    }
)


def parse_size(value: int | str) -> int:
    """Bytes from ``268435456``, ``"256m"``, ``"256MiB"`` or ``"1g"``."""
    if isinstance(value, bool):
        raise ValueError("a size must be a number of bytes or a string such as '256m'")
    if isinstance(value, int):
        return value
    match = _SIZE.match(str(value))
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(f"cannot read {value!r} as a size (use bytes or e.g. '256m', '1g')")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def _reason(error: Any) -> str:
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, ValueError):
        return str(cause)
    return "unknown option" if error["type"] == "extra_forbidden" else str(error["msg"])


class SandboxLimits(BaseModel):
    """How tightly a sandbox container is held. The defaults are the hardened ones."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    network: bool = False
    """Give the container a bridged network. Off: no interface but loopback."""
    read_only_root: bool = True
    memory: int = 256 * _MiB
    """Memory cap in bytes (strings such as ``"256m"`` accepted); swap is never allowed."""
    cpus: float = 1.0
    pids: int = 64
    """Most processes and threads alive at once."""
    work_dir: str = "/work"
    work_dir_size: int = 64 * _MiB
    tmp_size: int = 16 * _MiB
    shm_size: int = 8 * _MiB
    user: str = "65534:65534"
    """Who the program runs as. Never root, and never the uid of the container's idle init."""
    file_size: int = 32 * _MiB
    """Largest file a program may write (``ulimit -f``)."""
    open_files: int = 256
    output_bytes: int = 1 * _MiB
    """stdout plus stderr kept per run; more sets ``truncated`` and stops the program."""
    transfer_bytes: int = 16 * _MiB
    """Largest total of files moved in or out per call."""

    def __init__(self, **values: Any) -> None:
        """Validate ``values``; an invalid one raises ``SandboxLimitsError``."""
        try:
            super().__init__(**values)
        except ValidationError as error:
            problems = {".".join(map(str, e["loc"])): _reason(e) for e in error.errors()}
            listed = "; ".join(f"{field}: {reason}" for field, reason in problems.items())
            raise SandboxLimitsError(f"invalid sandbox limits: {listed}", problems=problems) from None

    @field_validator(
        "memory", "work_dir_size", "tmp_size", "shm_size", "file_size", "output_bytes", "transfer_bytes", mode="before"
    )
    @classmethod
    def _size(cls, value: int | str) -> int:
        return parse_size(value)

    @field_validator("memory")
    @classmethod
    def _memory(cls, value: int) -> int:
        if value < 16 * _MiB:
            raise ValueError("must be at least 16 MiB (python alone needs about 10)")
        return value

    @field_validator("work_dir_size", "tmp_size", "shm_size", "file_size", "output_bytes", "transfer_bytes")
    @classmethod
    def _positive_size(cls, value: int) -> int:
        if value < 1024:
            raise ValueError("must be at least 1 KiB")
        return value

    @field_validator("cpus")
    @classmethod
    def _cpus(cls, value: float) -> float:
        if not 0.01 <= value <= 64:
            raise ValueError("must be between 0.01 and 64")
        return value

    @field_validator("pids")
    @classmethod
    def _pids(cls, value: int) -> int:
        if not 8 <= value <= 4096:
            raise ValueError("must be between 8 and 4096")
        return value

    @field_validator("open_files")
    @classmethod
    def _open_files(cls, value: int) -> int:
        if not 16 <= value <= 65536:
            raise ValueError("must be between 16 and 65536")
        return value

    @field_validator("work_dir")
    @classmethod
    def _work_dir(cls, value: str) -> str:
        if not re.fullmatch(r"(/[A-Za-z0-9._-]+)+", value) or ".." in value.split("/") or value in ("/proc", "/sys", "/dev"):
            raise ValueError("must be an absolute path such as /work")
        return value

    @field_validator("user")
    @classmethod
    def _user(cls, value: str) -> str:
        uid = value.split(":", 1)[0]
        if value.split(":", 1)[0] == _IDLE_USER.split(":", 1)[0]:
            raise ValueError("must differ from the uid of the container's idle init (65533)")
        if uid in ("0", "root", "") or not re.fullmatch(r"[A-Za-z0-9_-]+(:[A-Za-z0-9_-]+)?", value):
            raise ValueError("must name an unprivileged user (root is never allowed)")
        return value

    @property
    def environment(self) -> dict[str, str]:
        """The whole environment a program sees: fixed, nothing taken from the host."""
        return {"PATH": _PATH, "HOME": self.work_dir, "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}

    def create_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``client.containers.create/run`` (high-level docker SDK)."""
        from docker.types import Ulimit

        tmpfs_options = "rw,nosuid,nodev"
        return {
            "user": _IDLE_USER,
            "working_dir": self.work_dir,
            "environment": self.environment,
            "network_disabled": not self.network,
            "network_mode": "bridge" if self.network else "none",
            "read_only": self.read_only_root,
            "tmpfs": {
                self.work_dir: f"{tmpfs_options},size={self.work_dir_size},mode=1777",
                "/tmp": f"{tmpfs_options},noexec,size={self.tmp_size},mode=1777",
            },
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges"],
            "privileged": False,
            "pids_limit": self.pids,
            "mem_limit": self.memory,
            "memswap_limit": self.memory,
            "mem_swappiness": 0,
            "nano_cpus": int(self.cpus * 1e9),
            "ulimits": [
                Ulimit(name="fsize", soft=self.file_size, hard=self.file_size),
                Ulimit(name="nofile", soft=self.open_files, hard=self.open_files),
            ],
            "init": True,
            "ipc_mode": "private",
            "shm_size": self.shm_size,
        }

    def split_kwargs(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """``create_kwargs`` split into (container config, host config) for the low-level API."""
        everything = self.create_kwargs()
        host = {key: value for key, value in everything.items() if key in _HOST_CONFIG_KEYS}
        container = {key: value for key, value in everything.items() if key not in _HOST_CONFIG_KEYS}
        return container, host
