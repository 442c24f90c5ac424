"""Files in and out of a sandbox, as tar archives, checked on the host.

Going in, a name must be relative and must not climb (``..``); anything else
raises :class:`~junto.SandboxFileError` before a byte is sent. Coming out,
archives are read in memory, never extracted onto the host's disk, so no link
can be followed: only regular files are returned. Symlinks, hardlinks,
devices, fifos, absolute or climbing names are *skipped with a note* (the
program that made them is untrusted; its tricks are part of its result, not a
sandbox failure) and reported in ``ExecResult.refused_files``.
"""

from __future__ import annotations

import io
import posixpath
import tarfile
import time
from collections.abc import Mapping

from junto._exceptions import SandboxFileError

__all__ = ["check_name", "pack", "unpack"]

_OWNER = 65534


def check_name(name: str) -> str:
    """``name`` normalised, or ``SandboxFileError`` when it is absolute, climbs, or is empty."""
    if not isinstance(name, str) or not name or "\x00" in name:
        raise SandboxFileError(f"refused file name {name!r}: it must be a non-empty relative path")
    if name.startswith("/") or name.startswith("\\"):
        raise SandboxFileError(f"refused file name {name!r}: absolute paths are not allowed")
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        raise SandboxFileError(f"refused file name {name!r}: '..' is not allowed")
    normal = posixpath.normpath(name)
    if normal in (".", ""):
        raise SandboxFileError(f"refused file name {name!r}: it names the work dir itself")
    return normal


def pack(files: Mapping[str, bytes | str], *, limit: int) -> bytes:
    """A tar archive of ``files`` (names checked first), at most ``limit`` bytes of content."""
    checked = {
        check_name(name): content.encode() if isinstance(content, str) else bytes(content) for name, content in files.items()
    }
    total = sum(len(content) for content in checked.values())
    if total > limit:
        raise SandboxFileError(f"files going in hold {total} bytes, more than the {limit}-byte transfer cap")
    buffer = io.BytesIO()
    now = time.time()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for name, content in checked.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mode = 0o644
            info.uid = info.gid = _OWNER
            info.mtime = now
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def unpack(data: bytes, *, limit: int) -> tuple[dict[str, bytes], dict[str, str]]:
    """Regular files from a tar archive, in memory; everything else is skipped with a reason.

    Returns ``(files, refused)``. Contents past ``limit`` bytes in total are refused.
    """
    files: dict[str, bytes] = {}
    refused: dict[str, str] = {}
    total = 0
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:")
    except tarfile.TarError:
        return files, ({"*": "the archive coming out was unreadable"} if data else {})
    with archive:
        while True:
            try:
                member = archive.next()
            except tarfile.TarError:
                refused["*"] = "the archive coming out was cut short"
                break
            if member is None:
                break
            name = member.name
            try:
                name = check_name(name)
            except SandboxFileError:
                refused[member.name] = "absolute or climbing name"
                continue
            if member.isdir():
                continue
            kind = _kind(member)
            if kind:
                refused[name] = f"a {kind}, not a regular file"
                continue
            total += member.size
            if total > limit:
                refused[name] = f"over the {limit}-byte transfer cap"
                continue
            source = archive.extractfile(member)
            files[name] = source.read() if source else b""
    return files, refused


def _kind(member: tarfile.TarInfo) -> str | None:
    if member.issym():
        return "symlink"
    if member.islnk():
        return "hardlink"
    if member.ischr() or member.isblk():
        return "device"
    if member.isfifo():
        return "fifo"
    if not member.isfile():
        return "special file"
    return None
