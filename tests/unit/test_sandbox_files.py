"""Tar safety: bad names refused going in; coming out, only regular files, never a link followed."""

from __future__ import annotations

import io
import tarfile

import pytest
from junto.sandbox._files import check_name, pack, unpack

from junto import SandboxFileError


@pytest.mark.parametrize("name", ["/etc/passwd", "../x", "a/../../x", "a/..", "", "\\evil", "a\x00b", "."])
def test_bad_names_going_in_are_refused(name: str) -> None:
    with pytest.raises(SandboxFileError):
        pack({name: "x"}, limit=1024)


def test_good_names_round_trip() -> None:
    archive = pack({"main.py": "print(1)", "data/in.txt": b"\x00\xff"}, limit=1024)
    files, refused = unpack(archive, limit=1024)
    assert files == {"main.py": b"print(1)", "data/in.txt": b"\x00\xff"}
    assert refused == {}
    assert check_name("./a//b.txt") == "a/b.txt"


def test_going_in_over_the_cap_is_refused() -> None:
    with pytest.raises(SandboxFileError, match="transfer cap"):
        pack({"big": b"x" * 2048}, limit=1024)


def _archive(*members: tuple[tarfile.TarInfo, bytes | None]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


def test_links_devices_fifos_and_escaping_names_coming_out_are_skipped_with_a_note() -> None:
    data = _archive(
        (_member("ok.txt"), b"fine"),
        (_member("link", tarfile.SYMTYPE, "/etc/shadow"), None),
        (_member("hard", tarfile.LNKTYPE, "ok.txt"), None),
        (_member("dev", tarfile.CHRTYPE), None),
        (_member("pipe", tarfile.FIFOTYPE), None),
        (_member("../escape.txt"), b"out"),
        (_member("/abs.txt"), b"out"),
    )
    files, refused = unpack(data, limit=1024)
    assert files == {"ok.txt": b"fine"}
    assert refused["link"].startswith("a symlink")
    assert refused["hard"].startswith("a hardlink")
    assert refused["dev"].startswith("a device")
    assert refused["pipe"].startswith("a fifo")
    assert set(refused) >= {"../escape.txt", "/abs.txt"}


def test_coming_out_over_the_cap_and_garbage_are_noted() -> None:
    files, refused = unpack(_archive((_member("a"), b"x" * 600), (_member("b"), b"y" * 600)), limit=1000)
    assert files == {"a": b"x" * 600} and "cap" in refused["b"]
    files, refused = unpack(b"not a tar at all" * 100, limit=1000)
    assert files == {} and refused


def test_unpack_never_touches_the_host_disk(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    unpack(_archive((_member("x.txt"), b"x"), (_member("l", tarfile.SYMTYPE, str(tmp_path / "target")), None)), limit=100)
    assert list(tmp_path.iterdir()) == []
