"""Container lifecycle: create and start a hardened, labelled container; remove it; reap orphans."""

from __future__ import annotations

import os
import socket
import time

import docker.errors
from junto.sandbox._engine import Engine
from junto.sandbox._limits import SandboxLimits
from pydantic import BaseModel, ConfigDict

__all__ = ["LABEL", "ReapReport", "create_started", "owner_alive", "reap", "remove"]

LABEL = "junto.sandbox"
_PID = "junto.pid"
_CREATED = "junto.created"
_HOST = "junto.host"
_COMMAND = ["sleep", "infinity"]


def _labels() -> dict[str, str]:
    return {LABEL: "1", _PID: str(os.getpid()), _CREATED: str(int(time.time())), _HOST: socket.gethostname()}


async def create_started(engine: Engine, *, image: str, limits: SandboxLimits) -> str:
    """A new running container (idle, ``sleep infinity`` under an init); its id.

    Cancelling the call does not stop the engine's thread from making the
    container: a caller that may be cancelled shields it and removes what it
    makes (``DockerSandbox`` does).
    """

    def create() -> str:
        container, host = limits.split_kwargs()
        created = engine.api.create_container(
            image,
            command=_COMMAND,
            labels=_labels(),
            host_config=engine.api.create_host_config(**host),
            **container,
        )
        cid: str = created["Id"]
        try:
            engine.api.start(cid)
        except BaseException:
            _remove_quietly(engine, cid)
            raise
        return cid

    return await engine.call(create, for_image=image)


def _remove_quietly(engine: Engine, cid: str) -> None:
    try:
        engine.api.remove_container(cid, force=True, v=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as error:
        # "removal already in progress" is as good as done.
        if error.status_code != 409:
            raise


async def remove(engine: Engine, cid: str) -> None:
    """Kill and remove ``cid``; gone already is fine."""
    await engine.call(_remove_quietly, engine, cid)


class ReapReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    removed: list[str]
    kept: int


def owner_alive(pid: int) -> bool:
    """Whether process ``pid`` (a container's owner, on this host) still exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def reap(engine: Engine, *, ttl: float = 3600.0) -> ReapReport:
    """Remove junto containers whose owning process is gone (on this host) or that are older than ``ttl`` seconds."""

    def sweep() -> ReapReport:
        removed: list[str] = []
        kept = 0
        now = time.time()
        host = socket.gethostname()
        for entry in engine.api.containers(all=True, filters={"label": f"{LABEL}=1"}):
            labels = entry.get("Labels") or {}
            created = float(labels.get(_CREATED) or entry.get("Created") or 0)
            pid = int(labels.get(_PID) or 0)
            orphan = labels.get(_HOST) == host and pid > 0 and not owner_alive(pid)
            if orphan or now - created > ttl:
                _remove_quietly(engine, entry["Id"])
                removed.append(entry["Id"])
            else:
                kept += 1
        return ReapReport(removed=removed, kept=kept)

    return await engine.call(sweep)
