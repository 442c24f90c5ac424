"""Building the sandbox runtime image ``junto-sandbox:<version>``.

Two ways to a base, tried in order:

1. a local ``python:3.x-slim`` image: ``docker build`` with the packaged
   Dockerfile, which pip-installs sympy, numpy and pytest;
2. otherwise a Debian root filesystem made by ``debootstrap`` from the mirror
   in this machine's apt sources, imported with ``docker import``; the same
   Dockerfile then adds the launcher and the unprivileged user.

Building is idempotent: when the tag exists nothing happens unless ``force``,
which rebuilds the junto layer on the base (remove the image
``junto-sandbox-base:<version>`` to redo the debootstrap too).
"""

from __future__ import annotations

import enum
import glob
import os
import re
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from junto._exceptions import SandboxError
from junto._version import __version__

if TYPE_CHECKING:
    from junto.sandbox._engine import Engine

__all__ = ["DEFAULT_IMAGE", "BuildReport", "BuildSource", "apt_mirror", "build_image", "image_exists"]

DEFAULT_IMAGE = f"junto-sandbox:{__version__}"
_SUITE = "bookworm"
_PACKAGES = "python3,python3-sympy,python3-numpy,python3-pytest"
_SLIM = re.compile(r"^python:3\.\d+-slim")


class BuildSource(str, enum.Enum):
    EXISTING = "existing"
    PYTHON_SLIM = "python-slim"
    DEBOOTSTRAP = "debootstrap"


class BuildReport(BaseModel):
    """What ``build_image`` did."""

    model_config = ConfigDict(frozen=True)

    image: str
    source: BuildSource
    base: str | None = None
    built: bool


async def image_exists(engine: Engine, image: str = DEFAULT_IMAGE) -> bool:
    import docker.errors

    def probe() -> bool:
        try:
            engine.api.inspect_image(image)  # type: ignore[no-untyped-call]  # unannotated in docker-py's stubs
        except docker.errors.ImageNotFound:
            return False
        return True

    return await engine.call(probe)


async def build_image(engine: Engine, *, image: str = DEFAULT_IMAGE, force: bool = False) -> BuildReport:
    """Build ``image`` unless it exists (or ``force``); return what was done."""
    if not force and await image_exists(engine, image):
        return BuildReport(image=image, source=BuildSource.EXISTING, built=False)
    slim = await engine.call(_local_slim_image, engine)
    if slim is not None:
        await engine.call(_docker_build, engine, image=image, base=slim, pip_install=True)
        return BuildReport(image=image, source=BuildSource.PYTHON_SLIM, base=slim, built=True)
    base = f"junto-sandbox-base:{__version__}"
    if not await image_exists(engine, base):
        await engine.call(_debootstrap_import, engine, base=base)
    await engine.call(_docker_build, engine, image=image, base=base, pip_install=False)
    return BuildReport(image=image, source=BuildSource.DEBOOTSTRAP, base=base, built=True)


def _local_slim_image(engine: Engine) -> str | None:
    tags = sorted(
        (tag for entry in engine.api.images() for tag in entry.get("RepoTags") or [] if _SLIM.match(tag)),
        reverse=True,
    )
    return tags[0] if tags else None


def _docker_build(engine: Engine, *, image: str, base: str, pip_install: bool) -> None:
    package = resources.files("junto.sandbox")
    with tempfile.TemporaryDirectory(prefix="junto-build-") as context:
        for name in ("Dockerfile",):
            Path(context, name).write_bytes(package.joinpath(name).read_bytes())
        engine.client.images.build(
            path=context,
            tag=image,
            buildargs={"BASE": base, "PIP_INSTALL": "1" if pip_install else "0"},
            rm=True,
            forcerm=True,
            pull=False,
            network_mode="default" if pip_install else "none",
        )


def apt_mirror(root: str = "/etc/apt") -> str:
    """The Debian mirror named in this machine's apt sources (deb822 ``URIs:`` or ``deb`` lines)."""
    candidates: list[str] = []
    for path in sorted(glob.glob(os.path.join(root, "sources.list.d", "*.sources"))):
        for line in Path(path).read_text(errors="replace").splitlines():
            if line.strip().lower().startswith("uris:"):
                candidates.extend(line.split(":", 1)[1].split())
    for path in [os.path.join(root, "sources.list"), *sorted(glob.glob(os.path.join(root, "sources.list.d", "*.list")))]:
        if os.path.exists(path):
            for line in Path(path).read_text(errors="replace").splitlines():
                words = re.sub(r"\[[^]]*\]", "", line).split()
                if len(words) >= 2 and words[0] == "deb":
                    candidates.append(words[1])
    for uri in candidates:
        if "security" not in uri and uri.startswith(("http://", "https://", "file:/")):
            return uri.rstrip("/")
    raise SandboxError(
        "no Debian mirror found in the apt sources, and no python:3.x-slim image is available",
        hint="load a python:3.x-slim image into Docker, or configure an apt mirror in /etc/apt/sources.list",
    )


def _debootstrap() -> str:
    found = shutil.which("debootstrap") or next(
        (p for p in ("/usr/sbin/debootstrap", "/sbin/debootstrap") if os.path.exists(p)), None
    )
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        for args in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "debootstrap"]):
            subprocess.run(args, check=True, capture_output=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        found = shutil.which("debootstrap") or "/usr/sbin/debootstrap"
        if os.path.exists(found):
            return found
    raise SandboxError(
        "building the sandbox image needs either a python:3.x-slim image or debootstrap",
        hint="install debootstrap (apt-get install debootstrap, as root) or load python:3.x-slim into Docker",
    )


def _debootstrap_import(engine: Engine, *, base: str) -> None:
    if os.geteuid() != 0:
        raise SandboxError(
            "debootstrap must run as root to build the sandbox base",
            hint="run `sudo junto sandbox build`, or load a python:3.x-slim image into Docker",
        )
    tool = _debootstrap()
    mirror = apt_mirror()
    with tempfile.TemporaryDirectory(prefix="junto-rootfs-") as work:
        rootfs = os.path.join(work, "rootfs")
        done = subprocess.run(
            [tool, "--variant=minbase", f"--include={_PACKAGES}", _SUITE, rootfs, mirror],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            raise SandboxError(f"debootstrap failed: {' | '.join(tail)}", hint=f"check that {mirror} is reachable")
        shutil.rmtree(os.path.join(rootfs, "var", "cache", "apt", "archives"), ignore_errors=True)
        archive = os.path.join(work, "rootfs.tar")
        subprocess.run(["tar", "-C", rootfs, "-cf", archive, "."], check=True)
        repository, _, tag = base.partition(":")
        engine.api.import_image_from_file(archive, repository=repository, tag=tag)
